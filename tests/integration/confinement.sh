#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Each confinement layer, attacked: the attempt fails inside the sandbox and
# succeeds outside it (on the host, or inside with only that layer lifted).
. "$(dirname "$0")/lib.sh"
make_root

# probe_in [RUN-OPTIONS...] -- TEST [ARGS]: the probe's exit code inside.
probe_in() {
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  crun_ "${opts[@]}" -- /bin/cordon-probe "$@" >"$TMP/probe.out" 2>&1
}
blocked_inside() { # DESC TEST [ARGS]
  local desc=$1; shift
  probe_in -- "$@"
  local rc=$?
  if [ "$rc" = 1 ]; then ok "$desc: blocked inside"; else not_ok "$desc: blocked inside (probe exit $rc)"; diag <"$TMP/probe.out"; fi
}
works_outside() { # DESC TEST [ARGS]
  local desc=$1; shift
  "$PROBE" "$@" >"$TMP/probe.out" 2>&1
  local rc=$?
  if [ "$rc" = 0 ]; then ok "$desc: works outside"; else not_ok "$desc: works outside (probe exit $rc)"; diag <"$TMP/probe.out"; fi
}
works_inside_with() { # DESC OPTIONS... -- TEST [ARGS]
  local desc=$1; shift
  probe_in "$@"
  local rc=$?
  if [ "$rc" = 0 ]; then ok "$desc"; else not_ok "$desc (probe exit $rc)"; diag <"$TMP/probe.out"; fi
}

# Mount namespace and pivot_root: the host's files are out of reach.
echo "the host secret" >"$TMP/secret"
chmod 644 "$TMP/secret"
blocked_inside "read a host file by its path" read "$TMP/secret"
works_outside "read a host file by its path" read "$TMP/secret"
blocked_inside "read the host's files through /proc/1/root" read "/proc/1/root$TMP/secret"

# Read-only root.
blocked_inside "write the root filesystem" write /bin/evil
works_outside "write the root filesystem" write "$ROOT/bin/evil"
rm -f "$ROOT/bin/evil"
works_inside_with "/tmp is a writable tmpfs" -- write /tmp/scratch

# pid namespace: host processes are invisible and unreachable.
sleep 1003 &
host_pid=$!
_bg_pids+=("$host_pid")
n=$(crun_ -- /bin/sh -c 'ls -d /proc/[0-9]* | wc -l')
if [ "$n" -le 4 ]; then ok "pid namespace: only the sandbox's processes are visible ($n)"; else not_ok "pid namespace: $n processes visible"; fi
crun_ -- /bin/kill -0 "$host_pid" 2>/dev/null
expect_eq "pid namespace: a host process cannot be signalled" 1 $?
check "pid namespace: the host process can be signalled outside" kill -0 "$host_pid"

# Network namespace: loopback only, the host's loopback is another one.
port=$((20000 + RANDOM % 20000))
bg busybox nc -ll -p "$port" -e /bin/true
sleep 0.3
works_outside "connect to a host loopback service" connect 127.0.0.1 "$port"
blocked_inside "connect to a host loopback service" connect 127.0.0.1 "$port"
works_inside_with "--network host reaches it (and says so)" --network host -- connect 127.0.0.1 "$port"
out=$(crun_ -- /bin/sh -c 'ls /sys/class/net')
expect_eq "the sandbox has only lo" "lo" "$out"

# User namespace: container root is not host root.
map=$(crun_ -- /bin/cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')
if is_root; then
  expect_match "as root, container root maps to an unprivileged range" "^0 [1-9][0-9]{4,} 65536$" "$map"
else
  expect_eq "rootless, container root is the caller, one mapping" "0 $(id -u) 1" "$map"
fi

# Capabilities: none in any set; a real privileged operation fails.
blocked_inside "mount a filesystem" mount
works_inside_with "mount works with CAP_SYS_ADMIN, no seccomp and no Landlock (the layers block it)" \
  --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt landlock=unconfined -- mount
probe_in --cap-add SYS_ADMIN --security-opt seccomp=unconfined -- mount
expect_eq "landlock alone refuses mount even with CAP_SYS_ADMIN" 1 $?
works_inside_with "every capability set is empty" -- caps-empty
probe_in -- caps-empty
is_root && { "$PROBE" caps-empty >/dev/null; expect_eq "root on the host has capabilities" 1 $?; }
out=$(crun_ --cap-add NET_BIND_SERVICE -- /bin/sh -c 'grep CapEff /proc/self/status')
expect_match "--cap-add keeps exactly that capability" "CapEff:[[:space:]]+0000000000000400" "$out"
blocked_inside "sethostname" sethostname
blocked_inside "mknod a device" mknod

# no_new_privs.
works_inside_with "no_new_privs is set" -- nnp
"$PROBE" nnp >/dev/null
expect_eq "no_new_privs is not set outside" 1 $?

# Seccomp: the baseline filter.
works_inside_with "a seccomp filter is loaded" -- seccomp-mode
for t in keyctl unshare-user clone-newuser clone3 ptrace personality io_uring; do
  blocked_inside "seccomp: $t" "$t"
  works_inside_with "seccomp: $t works with seccomp=unconfined" --security-opt seccomp=unconfined -- "$t"
done
for t in bpf perf userfaultfd kexec module open-by-handle; do
  blocked_inside "seccomp: $t" "$t"
  grep -q "Operation not permitted\|Function not implemented" "$TMP/probe.out" && ok "seccomp: $t answered EPERM/ENOSYS" || { not_ok "seccomp: $t answered EPERM/ENOSYS"; diag <"$TMP/probe.out"; }
done
probe_in -- unknown-syscall
grep -q "Function not implemented" "$TMP/probe.out" && ok "seccomp: an unknown syscall gets ENOSYS" || { not_ok "seccomp: unknown syscall ENOSYS"; diag <"$TMP/probe.out"; }
probe_in -- clone3
grep -q "Function not implemented" "$TMP/probe.out" && ok "seccomp: clone3 gets ENOSYS so libc falls back to clone" || { not_ok "clone3 ENOSYS"; diag <"$TMP/probe.out"; }
cat >"$TMP/allow.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
JSON
out=$(crun_ --security-opt seccomp="$TMP/allow.json" -- /bin/pwd 2>&1)
expect_match "--security-opt seccomp=FILE (Docker JSON) is enforced" "Permission denied" "$out"

# The runner itself is out of reach (CVE-2019-5736, CVE-2024-21626).
blocked_inside "open init's /proc/1/exe (the cordon binary)" exe
out=$(crun_ -e CORDON_TEST_TOKEN=hunter2 -- /bin/sh -c 'tr "\0" " " </proc/1/cmdline')
case "$out" in *hunter2* | *"$ROOT"*) not_ok "init's command line hides cordon's arguments (got: $out)" ;;
  *) ok "init's command line hides cordon's arguments (no -e value, no host path)" ;; esac
works_inside_with "only stdin, stdout and stderr are open" -- fds
(exec 7<"$TMP/secret"; probe_in -- fds)
expect_eq "an fd the caller leaked does not cross" 0 $?
out=$(cd "$TMP" && crun_ -- /bin/pwd)
expect_eq "the host's working directory does not cross" "/" "$out"

# Landlock: writes only where the mount plan has a writable mount.
crun_ -- /bin/sh -c 'echo 500 >/proc/self/oom_score_adj' 2>/dev/null
expect_eq "landlock: writing /proc/self/oom_score_adj is refused inside" 1 $?
check "landlock: the same write works outside" sh -c 'echo 500 >/proc/self/oom_score_adj'
check "landlock: and inside with landlock=unconfined" crun_ --security-opt landlock=unconfined -- /bin/sh -c 'echo 500 >/proc/self/oom_score_adj'
check "landlock: /tmp, /dev/shm and /dev/null stay writable" crun_ -- /bin/sh -c 'echo a >/tmp/a && echo b >/dev/shm/b && echo c >/dev/null'
mkdir -p "$TMP/vol" && chmod 777 "$TMP/vol"
check "landlock: a read-write volume stays writable" crun_ -v "$TMP/vol:/vol" -- /bin/sh -c 'echo v >/vol/f'
expect_eq "landlock: reported enforced" enforced "$(crun_ --result - -- /bin/true | sed -n 's/.*"landlock": "\([a-z]*\)".*/\1/p' | head -1)"

# Masked and read-only paths.
out=$(crun_ -- /bin/sh -c 'cat /proc/kcore 2>/dev/null | wc -c; cat /proc/keys | wc -l; ls /sys/firmware | wc -l')
expect_eq "/proc/kcore, /proc/keys and /sys/firmware are masked" "0 0 0" "$(echo $out)"
crun_ --cap-add ALL --security-opt seccomp=unconfined -- /bin/sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid' 2>/dev/null
expect_eq "/proc/sys is read-only even with every capability" 1 $?
crun_ --cap-add ALL --security-opt seccomp=unconfined -- /bin/sh -c 'echo h >/proc/sysrq-trigger' 2>/dev/null
expect_eq "/proc/sysrq-trigger is read-only" 1 $?

# A minimal /dev.
out=$(crun_ -- /bin/sh -c 'ls /dev | sort | tr "\n" " "')
expect_eq "/dev holds the minimal set" "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "$out"
check "/dev/null and /dev/zero work" crun_ -- /bin/sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c | grep -q 4'

finish
