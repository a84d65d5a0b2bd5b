#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Resource limits and verdicts: each limit, exceeded, gives its verdict and
# 128+9 for a kill; just under it, ok.  The result says what enforced each
# limit (cgroup as root here, rlimits and the monitor rootless).
. "$(dirname "$0")/lib.sh"
make_root
R=$TMP/r.json

# run_verdict DESC EXPECTED-STATUS EXPECTED-EXIT OPTIONS... -- CMD...
run_verdict() {
  local desc=$1 want=$2 want_rc=$3
  shift 3
  rm -f "$R"
  crun_ -q --result "$R" "$@" >/dev/null 2>&1
  local rc=$? got
  got=$(json_field "$R" status)
  if [ "$got" = "$want" ] && [ "$rc" = "$want_rc" ]; then ok "$desc: $want, exit $rc"; else
    not_ok "$desc: expected $want/$want_rc, got $got/$rc"
    diag <"$R"
  fi
}

mech() { sed -n "/\"$1\": {/,/}/s/.*\"enforced_by\": \"\([a-z0-9+-]*\)\".*/\1/p" "$R" | head -1; }
# What this host offers: a cgroup (root here, or a delegated v2 subtree in
# the VM) or rlimits and the monitor.
host_memory=$("$CORDON" check --json | sed -n '/"limits"/,/}/s/.*"memory": "\([a-z0-9+-]*\)".*/\1/p')
case "$host_memory" in cgroup-*) cgroup=1; strong='^cgroup-v[12]$' ;; *) cgroup=0; strong='^rlimit\+monitor$' ;; esac
echo "# memory is enforced by $host_memory here"

run_verdict "a busy loop past --cpu-time" time-limit 137 --cpu-time 0.3 -- /bin/sh -c 'while :; do :; done'
expect_match "the CPU limit covers the whole sandbox" "$strong" "$(mech cpu_time)"
run_verdict "two busy processes share one CPU budget" time-limit 137 --cpu-time 0.4 --wall-time 5 -- \
  /bin/sh -c '(while :; do :; done) & (while :; do :; done) & wait'
cpu=$(json_field "$R" cpu_user)
expect_match "and the CPU time is reported" "^0\.[3-9]|^[1-9]" "$cpu"
run_verdict "a short program under --cpu-time" ok 0 --cpu-time 2 -- /bin/sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i+1)); done'

run_verdict "sleeping past --wall-time" wall-limit 137 --wall-time 0.3 -- /bin/sleep 10
wall=$(json_field "$R" wall_time)
expect_match "and it is stopped on time (well before the 10 s sleep)" "^(0\.[3-9]|1\.[0-9])" "$wall"
run_verdict "sleeping under --wall-time" ok 0 --wall-time 5 -- /bin/sleep 0.1

run_verdict "allocating past --memory" memory-limit 137 -m 32m -- /bin/dd if=/dev/zero of=/dev/null bs=100M count=1
expect_match "memory is bounded for the whole sandbox" "$strong" "$(mech memory)"
if [ "$cgroup" = 1 ]; then
  run_verdict "a tmpfs fill counts as memory too" memory-limit 137 -m 32m --tmpfs /big:size=200m -- \
    /bin/dd if=/dev/zero of=/big/f bs=1M count=150
else
  out=$(crun_ -m 32m --tmpfs /big:size=200m -- /bin/sh -c 'dd if=/dev/zero of=/big/f bs=1M count=150 2>&1; du -m /big/f')
  expect_match "rootless, a tmpfs holds no more than --memory" "No space left.*
3[0-2][[:space:]]" "$out"
fi
run_verdict "allocating under --memory" ok 0 -m 64m -- /bin/dd if=/dev/zero of=/dev/null bs=16M count=1
peak=$(json_field "$R" memory_peak_bytes)
if [ "${peak:-0}" -gt $((8 << 20)) ]; then ok "the memory peak is reported ($peak)"; else not_ok "memory peak $peak"; fi

out=$(crun_ -q --result "$R" --output-limit 1k -- /bin/yes | wc -c)
expect_eq "an output flood is cut at --output-limit" 1024 "$out"
expect_eq "with the verdict output-limit" output-limit "$(json_field "$R" status)"
expect_eq "and truncated: true" true "$(json_field "$R" output_truncated)"
out=$(crun_ -q --result "$R" --output-limit 1k -- /bin/echo small)
expect_eq "output under the limit passes" small "$out"
expect_eq "with ok" ok "$(json_field "$R" status)"

run_verdict "writing a file past --fsize" fsize-limit 153 --fsize 1m -- /bin/dd if=/dev/zero of=/tmp/f bs=1M count=4
run_verdict "writing under --fsize" ok 0 --fsize 4m -- /bin/dd if=/dev/zero of=/tmp/f bs=1M count=2
out=$(crun_ --nofile 16 -- /bin/sh -c 'ulimit -n')
expect_eq "--nofile" 16 "$out"
out=$(crun_ --ulimit nofile=20:30 -- /bin/sh -c 'echo $(ulimit -Sn) $(ulimit -Hn)')
expect_eq "--ulimit NAME=SOFT:HARD" "20 30" "$out"

crun_ -q --result "$R" --pids-limit 10 -- /bin/sh -c 'for i in $(seq 30); do sleep 1 & done; wait' >/dev/null 2>&1
if [ "$cgroup" = 1 ]; then
  expect_eq "a fork past --pids-limit is flagged" true "$(json_field "$R" pids_limit_reached)"
else
  expect_eq "--pids-limit rootless is an rlimit, and says so" rlimit "$(mech pids)"
fi
out=$(crun_ --pids-limit 10 --wall-time 3 -- /bin/sh -c 'f() { f | f & }; f; sleep 1' 2>&1 | head -c 2000)
expect_match "a fork bomb runs into --pids-limit and ends" "can't fork" "$out"

crun_ --result "$R" --cpus 0.5 -- /bin/true 2>"$TMP/warn"
if [ "$cgroup" = 1 ]; then
  expect_match "--cpus is a cgroup quota" "^cgroup-v[12]$" "$(mech cpus)"
else
  expect_eq "--cpus rootless without a cgroup is reported, not dropped" unavailable "$(mech cpus)"
  expect_match "and warned about" "cpus was not enforced" "$(cat "$TMP/warn")"
fi

echo "from a file" >"$TMP/in"
out=$(crun_ --stdin "$TMP/in" -- /bin/cat)
expect_eq "--stdin FILE" "from a file" "$out"
crun_ --stdout "$TMP/out" --stderr "$TMP/err" -- /bin/sh -c 'echo to-out; echo to-err >&2'
expect_eq "--stdout FILE" to-out "$(cat "$TMP/out")"
expect_eq "--stderr FILE" to-err "$(cat "$TMP/err")"

# A batch, as a grader runs it: no failures and nothing left behind.
list_cgroups() { find /sys/fs/cgroup -maxdepth 4 -type d -name 'cordon-*' 2>/dev/null | sort; }
# Left behind: new since the batch began, empty, and still there a moment
# later.  Other sandboxes running on the host (their cgroups hold processes,
# or go away when they end) do not count.
count_left() {
  local d n=0
  for d in $(comm -13 "$TMP/cgroups-before" <(list_cgroups)); do
    [ -s "$d/cgroup.procs" ] && continue
    sleep 0.2
    [ -d "$d" ] && n=$((n + 1))
  done
  echo "$n"
}
list_cgroups >"$TMP/cgroups-before"
fails=0
for i in $(seq 200); do
  crun_ -q --cpu-time 1 --wall-time 5 -m 64m --result "$R" -- /bin/sh -c "exit $((i % 3))" >/dev/null 2>&1
  [ "$(json_field "$R" exit_code)" = $((i % 3)) ] || fails=$((fails + 1))
done
expect_eq "200 runs in a row, each with the right exit code" 0 "$fails"
if [ "$cgroup" = 1 ]; then
  sleep 1
  left=$(count_left)
  if [ "$left" = 0 ]; then ok "no cgroup is left behind"; else not_ok "$left empty cgroups left behind"; fi
fi
left=$(ps -eo args= | grep -c '^sleep 1$')
for _ in $(seq 20); do [ "$left" = 0 ] && break; sleep 0.1; left=$(ps -eo args= | grep -c '^sleep 1$'); done
expect_eq "no process is left behind" 0 "$left"

finish
