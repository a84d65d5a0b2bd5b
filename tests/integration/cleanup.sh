#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Nothing is left behind: no process, mount or file, whether the run ends
# normally, the workload leaves children, or cordon is killed with SIGKILL.
# Signals sent to cordon reach the workload.
. "$(dirname "$0")/lib.sh"
make_root

count_procs() { ps -eo args= | grep -c "^sleep $1\$"; }
mounts_before=$(wc -l </proc/self/mountinfo)
tmp_before=$(ls -a "${TMPDIR:-/tmp}" | grep -v "^cordon-test\." | sort | tr '\n' ' ')

crun_ -- /bin/sh -c 'sleep 1011 & sleep 1011 & echo started' >/dev/null
sleep 0.2
expect_eq "children left by the workload are killed when it exits" 0 "$(count_procs 1011)"

"$CORDON" run --rootfs "$ROOT" -- /bin/sh -c 'sleep 1012 & sleep 1012' &
cordon_pid=$!
for _ in $(seq 50); do [ "$(count_procs 1012)" -ge 2 ] && break; sleep 0.1; done
expect_eq "the workload is running" 2 "$(count_procs 1012)"
kill -9 "$cordon_pid"
wait "$cordon_pid" 2>/dev/null
for _ in $(seq 30); do [ "$(count_procs 1012)" = 0 ] && break; sleep 0.1; done
expect_eq "kill -9 of cordon leaves no process of the sandbox" 0 "$(count_procs 1012)"

"$CORDON" run --rootfs "$ROOT" -- /bin/sh -c 'trap "exit 7" TERM; sleep 1013 & wait' &
cordon_pid=$!
for _ in $(seq 50); do [ "$(count_procs 1013)" -ge 1 ] && break; sleep 0.1; done
kill -TERM "$cordon_pid"
wait "$cordon_pid"
expect_eq "SIGTERM to cordon reaches the workload" 7 $?
sleep 0.2
expect_eq "and its children die with it" 0 "$(count_procs 1013)"

"$CORDON" run --rootfs "$ROOT" -- /bin/sleep 1014 &
cordon_pid=$!
for _ in $(seq 50); do [ "$(count_procs 1014)" -ge 1 ] && break; sleep 0.1; done
kill -INT "$cordon_pid"
wait "$cordon_pid"
expect_eq "SIGINT kills a workload without a handler: 128+2" 130 $?

# kill -9 at any moment, setup included: nothing of the sandbox survives.
for delay in 0 0.001 0.002 0.003 0.005 0.008 0.013 0.021; do
  "$CORDON" run --rootfs "$ROOT" -m 64m --cpu-time 5 -- /bin/sh -c 'sleep 1015 & sleep 1015' &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
for _ in $(seq 30); do [ "$(count_procs 1015)" = 0 ] && break; sleep 0.1; done
expect_eq "kill -9 of cordon at any moment of its start leaves no process" 0 "$(count_procs 1015)"
if is_root; then
  left=0
  for _ in $(seq 30); do
    left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'cordon-*' 2>/dev/null | wc -l)
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  echo "# cgroups left by killed monitors: $left (a killed monitor cannot remove them; empty ones are harmless)"
fi

expect_eq "no mount is left in the caller's namespace" "$mounts_before" "$(wc -l </proc/self/mountinfo)"
expect_eq "no temporary file or directory is left" "$tmp_before" "$(ls -a "${TMPDIR:-/tmp}" | grep -v "^cordon-test\." | sort | tr '\n' ' ')"

finish
