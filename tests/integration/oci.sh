#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The OCI runtime command line: create/state/start/kill/delete with hooks,
# driven directly; then podman driving cordon as its runtime (as root, and
# rootless as user cordontest when the host lets rootless podman run).  What
# cannot run here is skipped with the reason, never passed.
. "$(dirname "$0")/lib.sh"
make_root
chmod 755 "$TMP" # the sandbox's mapped root reaches the hooks' marker dir

STATE=$TMP/state
B=$TMP/bundle
M=$TMP/marks
c() { "$CORDON" --root "$STATE" "$@"; }
status_of() { c state "$1" 2>/dev/null | sed -n 's/^ *"status": "\([a-z]*\)",$/\1/p'; }

mkdir -p "$B" "$M"
chmod 777 "$M"
if is_root; then "$CORDON" spec --bundle "$B"; else "$CORDON" spec --rootless --bundle "$B"; fi
ln -s "$ROOT" "$B/rootfs"
python3 - "$B/config.json" "$M" <<'PY'
import json, sys
path, marks = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"]["path"] = "rootfs"
c["process"]["args"] = ["sh", "-c", "echo out-of-create; exec sleep 1031"]
hook = lambda name: {"path": "/bin/sh", "args": ["sh", "-c", "cat > %s/%s" % (marks, name)]}
c["hooks"] = {k: [hook(k)] for k in ("prestart", "createRuntime", "createContainer", "poststart", "poststop")}
# startContainer resolves in the container: its marker goes through a bind mount.
c["hooks"]["startContainer"] = [{"path": "/bin/sh", "args": ["sh", "-c", "cat > /marks/startContainer"]}]
c["mounts"].append({"destination": "/marks", "type": "bind", "source": marks, "options": ["rbind", "rw"]})
c["annotations"] = {"org.example.test": "yes"}
json.dump(c, open(path, "w"))
PY

(cd "$B" && c create --pid-file "$TMP/pid" oci1 >"$TMP/stdout" 2>"$TMP/stderr")
expect_eq "create exits 0" 0 "$?"
cat "$TMP/stderr" | diag
expect_eq "state after create: created" created "$(status_of oci1)"
state=$(c state oci1)
expect_match "state has the pid-file's pid" "\"pid\": $(cat "$TMP/pid" 2>/dev/null)," "$state"
expect_match "state has the bundle" "\"bundle\": \"$(realpath "$B")\"" "$state"
expect_match "state has the annotations" '"org.example.test":"yes"' "$state"
check "the pid file names the container's init" test -d "/proc/$(cat "$TMP/pid")"
check "prestart ran at create, with the state on stdin" grep -q '"status":"creating"' "$M/prestart"
check "createRuntime ran at create" grep -q '"id":"oci1"' "$M/createRuntime"
check "createContainer ran at create" test -s "$M/createContainer"
check "startContainer has not run before start" test ! -e "$M/startContainer"
check "the workload has not run before start" test ! -s "$TMP/stdout"
check "create: the same id again is refused" sh -c "! (cd '$B' && '$CORDON' --root '$STATE' create oci1) 2>/dev/null"

check "start exits 0" c start oci1
expect_eq "state after start: running" running "$(status_of oci1)"
check "startContainer ran in the container" grep -q '"id":"oci1"' "$M/startContainer"
check "poststart ran" test -s "$M/poststart"
for _ in $(seq 50); do grep -q out-of-create "$TMP/stdout" && break; sleep 0.1; done
check "the workload writes to the stdout create was given" grep -q out-of-create "$TMP/stdout"
check "start twice is refused" sh -c "! '$CORDON' --root '$STATE' start oci1 2>/dev/null"
expect_match "ps ID --format json lists its pids" '^\[[0-9]+(,[0-9]+)+\]$' "$(c ps --format json oci1)"
expect_match "list --format json has it running" '"id":"oci1","pid":[0-9]+,"status":"running"' "$(c list --format json)"
check "delete of a running container needs --force" sh -c "! '$CORDON' --root '$STATE' delete oci1 2>/dev/null"

check "kill ID TERM" c kill oci1 TERM
for _ in $(seq 50); do [ "$(status_of oci1)" = stopped ] && break; sleep 0.1; done
expect_eq "state after kill: stopped" stopped "$(status_of oci1)"
check "kill of a stopped container fails" sh -c "! '$CORDON' --root '$STATE' kill oci1 KILL 2>/dev/null"
check "delete" c delete oci1
check "poststop ran at delete" grep -q '"status":"stopped"' "$M/poststop"
check "state of a deleted container fails" sh -c "! '$CORDON' --root '$STATE' state oci1 2>/dev/null"
check "delete --force of what is gone succeeds" c delete --force oci1

# kill --all and delete --force of a created container.
(cd "$B" && c create oci2 >/dev/null 2>&1)
expect_eq "a second container: created" created "$(status_of oci2)"
check "delete --force of a created container" c delete --force oci2

expect_match "features lists the hooks" '"startContainer"' "$(c features)"
"$CORDON" --root "$STATE" --log "$TMP/runtime.log" --log-format json create --bundle "$TMP/nowhere" bad 2>/dev/null
check "--log --log-format json: the error is a JSON line" grep -q '^{"level":"error",.*"msg":"--bundle' "$TMP/runtime.log"
check "global --systemd-cgroup and --debug are accepted" sh -c "'$CORDON' --root '$STATE' --systemd-cgroup --debug list >/dev/null"

# ---- podman ----
podman_skip() { for t in "$@"; do skip "podman $t: $why"; done; }
PODMAN_TESTS=(run-rm run-d ps logs exec inspect stop rm read-only user cap-drop memory volume network-none)
why=""
if ! command -v podman >/dev/null; then
  if is_root && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y podman >"$TMP/apt.log" 2>&1 || why="podman cannot be installed (apt-get failed)"
  else
    why="podman is not installed (and this run cannot install it)"
  fi
fi
command -v podman >/dev/null || why=${why:-"podman is missing"}

# A private store, and limits no lower than the host's hard ones: podman's
# default RLIMIT_NOFILE (1048576) is more than an unprivileged hard limit.
cat >"$TMP/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF

podman_suite() { # PREFIX RUN... : runs the scenarios with RUN as the podman command line
  local pre=$1
  shift
  local P=("$@") B=localhost/busybox id out pid cg
  expect_eq "$pre run --rm echo" hi "$("${P[@]}" run --rm $B echo hi 2>&1)"
  id=$("${P[@]}" run -d $B sh -c 'echo logged; exec sleep 1032' 2>"$TMP/podman.err")
  expect_match "$pre run -d prints the id" '^[0-9a-f]{64}$' "$id"
  cat "$TMP/podman.err" | diag
  expect_match "$pre ps shows it up" "^${id:0:12} .* Up " "$("${P[@]}" ps 2>&1)"
  for _ in $(seq 30); do "${P[@]}" logs "$id" 2>/dev/null | grep -q logged && break; sleep 0.1; done
  expect_eq "$pre logs" logged "$("${P[@]}" logs "$id" 2>&1)"
  expect_eq "$pre exec" execd "$("${P[@]}" exec "$id" echo execd 2>&1)"
  "${P[@]}" exec "$id" sh -c 'exit 3' 2>/dev/null
  expect_eq "$pre exec passes the exit status" 3 "$?"
  out=$("${P[@]}" inspect --format '{{.State.Status}} {{.State.Pid}}' "$id" 2>&1)
  expect_match "$pre inspect: running with a pid" '^running [1-9][0-9]*$' "$out"
  pid=${out#running }
  "${P[@]}" stop -t 2 "$id" >/dev/null 2>"$TMP/podman.err"
  expect_eq "$pre stop" 0 "$?"
  expect_match "$pre inspect after stop: exited" '^exited' "$("${P[@]}" inspect --format '{{.State.Status}}' "$id" 2>&1)"
  "${P[@]}" rm "$id" >/dev/null 2>"$TMP/podman.err"
  expect_eq "$pre rm" 0 "$?"
  check "$pre rm leaves no cordon state" sh -c "! '$CORDON' ${CORDON_ROOT_ARG:-} state '$id' 2>/dev/null"
  expect_match "$pre --read-only" 'Read-only file system' "$("${P[@]}" run --rm --read-only $B touch /x 2>&1)"
  expect_match "$pre --user" '^uid=1000\(student\) gid=1000' "$("${P[@]}" run --rm --user 1000:1000 $B id 2>&1)"
  expect_match "$pre --cap-drop all" 'CapEff:	0000000000000000' "$("${P[@]}" run --rm --cap-drop all $B grep CapEff /proc/self/status 2>&1)"
  if is_root && [ "$pre" = root ]; then
    id=$("${P[@]}" run -d --memory 64m $B sleep 1033 2>/dev/null)
    pid=$("${P[@]}" inspect --format '{{.State.Pid}}' "$id" 2>/dev/null)
    cg=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' "/proc/$pid/cgroup" 2>/dev/null)
    if [ -n "$cg" ]; then
      expect_eq "$pre --memory: the container's cgroup has the limit" 67108864 "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes" 2>&1)"
    else
      expect_eq "$pre --memory: memory.max" 67108864 "$(cat "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")/memory.max" 2>&1)"
    fi
    "${P[@]}" rm -f -t 0 "$id" >/dev/null 2>&1
  else
    skip "$pre --memory: rootless podman on this host drops resource limits (cgroup v1 has no delegation)"
  fi
  mkdir -p "$TMP/vol.$pre" && echo volfile >"$TMP/vol.$pre/f" && chmod -R a+rX "$TMP/vol.$pre"
  expect_eq "$pre -v" volfile "$("${P[@]}" run --rm -v "$TMP/vol.$pre:/v" $B cat /v/f 2>&1)"
  expect_eq "$pre --network none: only lo" lo "$("${P[@]}" run --rm --network none $B ls /sys/class/net 2>&1)"
}

if [ -n "$why" ]; then
  podman_skip "${PODMAN_TESTS[@]/#/root }"
elif ! is_root; then
  skip "podman as root: this run is not root"
else
  export CONTAINERS_CONF=$TMP/containers.conf
  P=(podman --root "$TMP/storage" --runroot "$TMP/runroot" --storage-driver vfs --runtime "$CORDON")
  if tar -C "$ROOT" -c . | "${P[@]}" import - localhost/busybox >"$TMP/import.log" 2>&1; then
    podman_suite root "${P[@]}"
  else
    why="podman import failed: $(tail -1 "$TMP/import.log")"
    podman_skip "${PODMAN_TESTS[@]/#/root }"
  fi
  "${P[@]}" rm -af -t 0 >/dev/null 2>&1
  "${P[@]}" system reset -f >/dev/null 2>&1
  unset CONTAINERS_CONF
fi

# Rootless podman: as cordontest, with a copy it can read under /var/tmp.
if [ -n "$why" ]; then
  skip "rootless podman: $why"
elif ! is_root || ! id cordontest >/dev/null 2>&1; then
  skip "rootless podman: needs a root run and the user cordontest"
else
  RL=$(mktemp -d /var/tmp/cordon-oci.XXXXXX)
  cp "$CORDON" "$RL/cordon" && cp "$TMP/containers.conf" "$RL/" && tar -C "$ROOT" -cf "$RL/busybox.tar" .
  chmod -R a+rX "$RL"
  chown cordontest "$RL"
  RUNDIR=/run/user/$(id -u cordontest)
  asuser() { su cordontest -s /bin/bash -c "cd '$RL' && export XDG_RUNTIME_DIR='$RUNDIR' CONTAINERS_CONF='$RL/containers.conf' && $*"; }
  if ! out=$(asuser podman unshare true 2>&1); then
    skip "rootless podman cannot set up its own user namespace here (before any runtime runs): $(echo "$out" | tail -1)"
  else
    asuser podman import "$RL/busybox.tar" localhost/busybox >/dev/null 2>&1
    expect_eq "rootless run --rm echo" hi "$(asuser podman --runtime "$RL/cordon" run --network none --rm localhost/busybox echo hi 2>&1)"
    # --network none: rootless podman's default (slirp4netns) needs /dev/net/tun.
    id=$(asuser podman --runtime "$RL/cordon" run --network none -d localhost/busybox sleep 1034 2>/dev/null)
    expect_eq "rootless exec" execd "$(asuser podman --runtime "$RL/cordon" exec "$id" echo execd 2>&1)"
    check "rootless stop" sh -c "$(declare -f asuser); RL='$RL' RUNDIR='$RUNDIR' asuser podman --runtime '$RL/cordon' stop -t 2 '$id' >/dev/null"
    check "rootless rm" sh -c "$(declare -f asuser); RL='$RL' RUNDIR='$RUNDIR' asuser podman --runtime '$RL/cordon' rm '$id' >/dev/null"
  fi
  asuser podman rm -af -t 0 >/dev/null 2>&1
  rm -rf "$RL"
fi

finish
