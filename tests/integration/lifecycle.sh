#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Detached sandboxes, as a Docker user drives them: run -d, ps, inspect,
# logs, exec (confined as the workload), stop, kill, wait, rm, --rm; the
# error cases with Docker's messages; a monitor killed with SIGKILL shows as
# stopped; many sandboxes started and removed leave nothing behind.
. "$(dirname "$0")/lib.sh"
make_root

STATE=$TMP/state
AUDIT=$TMP/audit.log
c() { "$CORDON" --root "$STATE" "$@"; }
d() { c run -d --audit-log "$AUDIT" --rootfs "$ROOT" "$@"; }
count_procs() { ps -eo args= | grep -c "^sleep $1\$"; }
status_of() { c inspect "$1" | sed -n 's/^ *"status": "\([a-z]*\)",$/\1/p'; }

# run -d returns at once with the id; the output goes to the log.
start=$(date +%s%N)
id=$(d --name web -- sh -c 'echo hello; echo oops >&2; exec sleep 1021')
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
expect_eq "run -d exits 0" 0 "$rc"
expect_match "run -d prints a 64-hex id" '^[0-9a-f]{64}$' "$id"
check "run -d returns at once (${took} ms)" test "$took" -lt 5000
expect_match "ps lists it, running, with its name" "^${id:0:12} .*Up .* web$" "$(c ps)"
expect_eq "ps -q prints the short id" "${id:0:12}" "$(c ps -q)"
expect_match "ps --format json is the state" "\"id\":\"$id\".*\"status\":\"running\"" "$(c ps --format json)"
expect_eq "inspect by name" running "$(status_of web)"
expect_eq "inspect by unique prefix" running "$(status_of "${id:0:5}")"
for _ in $(seq 50); do c logs web 2>/dev/null | grep -q hello && break; sleep 0.1; done
expect_eq "logs: stdout on stdout" hello "$(c logs web 2>/dev/null)"
expect_eq "logs: stderr on stderr" oops "$(c logs web 2>&1 >/dev/null)"
expect_eq "logs --tail 1" 1 "$(c logs --tail 1 web 2>&1 | wc -l)"
expect_match "logs --timestamps" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z hello$' "$(c logs -t web 2>/dev/null)"

# exec: in the sandbox, confined as its workload.
status=$(c exec web -- cat /proc/self/status)
expect_match "exec: no capabilities" 'CapEff:[[:space:]]+0000000000000000' "$status"
expect_match "exec: seccomp filter" 'Seccomp:[[:space:]]+2' "$status"
expect_match "exec: no_new_privs" 'NoNewPrivs:[[:space:]]+1' "$status"
expect_match "exec: in the sandbox's pid namespace" 'sleep 1021' "$(c exec web -- ps)"
expect_eq "exec: only stdio crosses, cwd is inside" "/ 0 1 2" \
  "$(cd "$TMP" && c exec web -- sh -c 'pwd; ls /proc/$$/fd; true' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "exec: -e and -w" "bar /tmp" "$(c exec -e FOO=bar -w /tmp web -- sh -c 'echo $FOO $(pwd)')"
c exec web -- sh -c 'exit 3'
expect_eq "exec: the command's exit code" 3 $?
c exec web -- /nonexistent 2>/dev/null
expect_eq "exec: 127 for a missing command" 127 $?
expect_eq "exec -i: stdin reaches the command" piped "$(echo piped | c exec -i web -- cat)"
if command -v script >/dev/null; then
  out=$(timeout 20 script -eqc "$CORDON --root $STATE exec -it web sh -c 'tty; exit 4'" /dev/null </dev/null)
  expect_eq "exec -t: a terminal inside, the command's code" "4" "$?"
  # stdin is /dev/null: the relay passes its end on as the terminal's EOF
  # character, which the terminal may echo (^D) before tty's line.
  expect_match "exec -t: the sandbox's devpts" '/dev/pts/[0-9]+' "$out"
else
  skip "exec -t: no script(1)"
fi
if is_root; then
  expect_eq "exec -u: a user of the sandbox" "1000 1000" "$(c exec -u student web -- sh -c 'echo $(id -u) $(id -g)')"
else
  skip "exec -u student: rootless, the sandbox maps one id"
fi

# Errors, with Docker's words.
out=$(d --name web -- true 2>&1)
expect_eq "a taken name: exit 125" 125 $?
expect_match "a taken name: Docker's message" 'The container name "/web" is already in use by container' "$out"
out=$(c inspect nosuch 2>&1)
expect_match "unknown id: No such sandbox" '^cordon: No such sandbox: nosuch$' "$out"
for cmd in logs stop kill wait rm; do
  c "$cmd" nosuch >/dev/null 2>&1
  check "$cmd of an unknown id fails" test $? -ne 0
done
c exec nosuch -- true 2>/dev/null
expect_eq "exec of an unknown id: 125" 125 $?
out=$(c rm web 2>&1)
expect_match "rm of a running sandbox is refused" 'You cannot remove a running sandbox .* force remove' "$out"
expect_eq "it still runs" running "$(status_of web)"
out=$(d --name broken -- nonexistent 2>&1)
expect_eq "run -d of a missing command: 127" 127 $?
expect_match "run -d of a missing command: says so" 'command not found' "$out"
expect_match "it is left exited, as Docker leaves it" "Exited \(127\).* broken$" "$(c ps -a)"
c rm broken >/dev/null

# stop: SIGTERM, the workload's code; then the sandbox is no longer running.
expect_eq "stop prints the name" web "$(c stop -t 5 web)"
expect_eq "stopped: exited" exited "$(status_of web)"
expect_eq "wait prints the exit code (SIGTERM)" 143 "$(c wait web)"
expect_match "ps -a shows Exited (143)" "Exited \(143\).* web$" "$(c ps -a)"
c stop web >/dev/null
expect_eq "stop of a stopped sandbox is not an error" 0 $?
out=$(c kill web 2>&1)
expect_match "kill of a stopped sandbox: not running" 'is not running' "$out"
c exec web -- true 2>/dev/null
expect_eq "exec in a stopped sandbox: 125" 125 $?
expect_eq "rm of the stopped one" web "$(c rm web)"
expect_eq "gone after rm" "" "$(c ps -aq)"

# kill -s, stop's SIGKILL after the timeout, wait.
id=$(d -- sh -c 'trap "" TERM; sleep 1022 & wait')
c kill -s USR1 "$id" >/dev/null
expect_eq "kill -s USR1: 128+10" 138 "$(c wait "$id")"
id=$(d -- sh -c 'trap "" TERM; while :; do sleep 1; done')
start=$(date +%s)
c stop -t 1 "$id" >/dev/null
expect_eq "stop -t 1 of a workload ignoring SIGTERM: SIGKILL" 137 "$(c wait "$id")"
check "stop -t 1 did not wait for more" test $(($(date +%s) - start)) -lt 8
id=$(d -- sh -c 'exit 5')
expect_eq "wait: the workload's exit code" 5 "$(c wait "$id")"
c rm $(c ps -aq) >/dev/null

# --rm: the directory goes with the exit.
id=$(d --rm -- sh -c 'exit 0')
for _ in $(seq 50); do [ -d "$STATE/$id" ] || break; sleep 0.1; done
check "--rm: removed when it exits" test ! -d "$STATE/$id"

# A monitor killed with SIGKILL: its sandbox dies with it, and shows as stopped.
id=$(d -- sleep 1023)
mon=$(sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p' "$STATE/$id/state.json")
kill -9 "$mon"
for _ in $(seq 50); do [ "$(count_procs 1023)" = 0 ] && break; sleep 0.1; done
expect_eq "kill -9 of the monitor: no process left" 0 "$(count_procs 1023)"
expect_eq "kill -9 of the monitor: stopped, never running" stopped "$(status_of "$id")"
expect_match "kill -9 of the monitor: a reason" '"reason": "the monitor \(pid [0-9]+\) is gone' "$(c inspect "$id")"
expect_match "ps -a: Stopped" "^${id:0:12} .*Stopped \(137\)" "$(c ps -a)"
expect_eq "ps (running only) does not list it" "" "$(c ps -q)"
c rm "$id" >/dev/null

# Many sandboxes, started and removed: no process and no directory left
# (the issue's 200).
N=200
for i in $(seq $N); do d -- sleep 1024 >/dev/null || break; done
expect_eq "$N detached sandboxes run" "$N" "$(c ps -q | wc -l)"
prefix=$(c ps -q | cut -c1 | sort | uniq -d | head -n 1)
if [ -n "$prefix" ]; then
  out=$(c inspect "$prefix" 2>&1)
  expect_match "an ambiguous prefix is refused" "multiple IDs found with provided prefix: $prefix" "$out"
else
  skip "no two ids share a first digit"
fi
c rm -f $(c ps -q) >/dev/null
for _ in $(seq 50); do [ "$(count_procs 1024)" = 0 ] && break; sleep 0.1; done
expect_eq "rm -f of all: no process left" 0 "$(count_procs 1024)"
expect_eq "rm -f of all: no state left" "" "$(ls "$STATE")"

# attach: the output from now on, then the exit code; Ctrl-C would leave it.
id=$(d -- sh -c 'echo before; sleep 1; echo after; exit 9')
sleep 0.5
out=$(timeout 30 "$CORDON" --root "$STATE" attach "$id")
expect_eq "attach: the sandbox's exit code" 9 $?
expect_eq "attach: the output from now on" after "$out"
c rm "$id" >/dev/null

# Concurrent commands on one sandbox: one state, no torn file.
id=$(d --name busy -- sleep 1025)
for i in $(seq 10); do c inspect busy >/dev/null 2>&1 & c kill -s USR2 busy >/dev/null 2>&1 & done
c stop -t 2 busy >/dev/null 2>&1 &
c stop -t 2 busy >/dev/null 2>&1 &
wait
expect_match "concurrent inspect, kill and stop: the state is whole and stopped" '"status": "(exited|stopped)"' "$(c inspect busy)"
expect_eq "and no process is left" 0 "$(count_procs 1025)"
c rm busy >/dev/null

# kill -9 of the CLI in the middle of run -d: consistent state, nothing left
# after rm -f.
for i in 1 2 3 4 5; do
  d --name "cut$i" -- sleep 1026 >/dev/null 2>&1 &
  pid=$!
  sleep 0.0$((i * 2))
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
if c ps -a --format json >/dev/null 2>&1; then ok "kill -9 of the CLI mid-create: ps still reads every state"; else not_ok "kill -9 of the CLI mid-create: ps still reads every state"; fi
c rm -f cut1 cut2 cut3 cut4 cut5 >/dev/null 2>&1
for _ in $(seq 50); do [ "$(count_procs 1026)" = 0 ] && break; sleep 0.1; done
expect_eq "kill -9 of the CLI mid-create: no process left after rm -f" 0 "$(count_procs 1026)"
left=$(c ps -a -q)
[ -n "$left" ] && c rm -f $left >/dev/null 2>&1
expect_eq "kill -9 of the CLI mid-create: whatever it left is listed and removable" "" "$(ls "$STATE")"

# create / start: recorded, then run detached; start -a returns its code.
id=$(c create --name later --audit-log "$AUDIT" --rootfs "$ROOT" -- sh -c 'echo from-create; exit 6')
expect_match "create prints an id" '^[0-9a-f]{64}$' "$id"
expect_match "ps -a: Created" "^${id:0:12} .*Created .* later$" "$(c ps -a)"
sleep 0.2
expect_eq "created: nothing runs yet" "" "$(c ps -q)"
out=$(timeout 30 "$CORDON" --root "$STATE" start -a later)
expect_eq "start -a: the workload's exit code" 6 $?
expect_eq "start -a: its output" from-create "$out"
expect_eq "start again (an exited sandbox runs again)" later "$(c start later)"
expect_eq "it ran again" 6 "$(c wait later)"
out=$(c create --name later --rootfs "$ROOT" -- true 2>&1)
expect_match "create: a taken name" 'is already in use' "$out"
out=$(c start nosuch 2>&1)
expect_match "start of an unknown id" 'No such sandbox: nosuch' "$out"
c rm later >/dev/null

# pause / resume: the cgroup freezer, or a clear refusal (never SIGSTOP).
id=$(d --name frozen -- sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n.t; mv /tmp/n.t /tmp/n; done')
sleep 0.5
out=$(c pause frozen 2>&1)
if [ $? = 0 ]; then
  n1=$(c exec frozen -- cat /tmp/n 2>/dev/null)
  expect_match "paused: ps says so" 'Up .*\(Paused\)' "$(c ps)"
  state=$(grep -h State "/proc/$(sed -n 's/^ *"init_pid": \([0-9]*\),$/\1/p' "$STATE/$id/state.json")/status")
  expect_match "paused: frozen by the freezer, not stopped by a signal" 'State:.*(S|D)' "$state"
  sleep 0.5
  n2=$(c cp frozen:/tmp/n "$TMP/n" && cat "$TMP/n")
  sleep 0.5
  n3=$(c cp frozen:/tmp/n "$TMP/n" && cat "$TMP/n")
  expect_eq "paused: the workload makes no progress" "$n2" "$n3"
  out=$(c pause frozen 2>&1)
  expect_match "pause twice: already paused" 'already paused' "$out"
  check "resume" c resume frozen
  sleep 0.5
  n4=$(c cp frozen:/tmp/n "$TMP/n" && cat "$TMP/n")
  check "resumed: it runs again" test "$n4" -gt "$n3"
  c pause frozen >/dev/null
  c stop -t 2 frozen >/dev/null
  expect_eq "stop of a paused sandbox" exited "$(status_of frozen)"
else
  expect_match "pause without a freezer: a clear error" 'cgroup freezer' "$out"
  skip "pause: no freezer for this user"
  c rm -f frozen >/dev/null
fi
c rm -f frozen >/dev/null 2>&1
out=$(c pause nosuch 2>&1)
expect_match "pause of an unknown id" 'No such sandbox' "$out"

# stats: CPU, memory and pids of a running sandbox.
id=$(d --name busy -- sh -c 'sleep 1043 & while :; do :; done')
sleep 0.5
out=$(c stats --no-stream busy)
expect_match "stats --no-stream: a header and a line" "^${id:0:12} +busy +[0-9.]+% +[0-9.]+[KMG]iB / " "$(echo "$out" | tail -n 1)"
pids=$(echo "$out" | tail -n 1 | awk '{print $NF}')
check "stats: pids counts the sandbox's processes ($pids)" test "$pids" -ge 3
cpu=$(c stats --no-stream --format json busy | sed -n 's/.*"cpu_percent":\([0-9]*\).*/\1/p')
check "stats: a busy loop uses CPU ($cpu%)" test "$cpu" -ge 20
c rm -f busy >/dev/null
out=$(c stats --no-stream nosuch 2>&1)
expect_match "stats of an unknown id" 'No such sandbox' "$out"

# --restart on-failure[:N]: the monitor runs it again; a stop ends it.
id=$(d --restart on-failure:2 -- sh -c 'echo attempt; exit 1')
expect_eq "restart on-failure:2: exits after 3 runs" 1 "$(c wait "$id")"
expect_eq "3 attempts in its log" 3 "$(c logs "$id" 2>/dev/null | grep -c attempt)"
expect_match "restart_count in inspect" '"restart_count": 2' "$(c inspect "$id")"
c rm "$id" >/dev/null
id=$(d --restart on-failure -- sh -c 'sleep 1; exit 1')
sleep 0.3
c stop -t 1 "$id" >/dev/null
sleep 2
expect_eq "stop ends a restarting sandbox" exited "$(status_of "$id")"
c rm "$id" >/dev/null
out=$(c run --restart always --rootfs "$ROOT" -d -- true 2>&1)
expect_match "--restart always is refused (no daemon)" 'expected no or on-failure' "$out"
out=$(c run --restart on-failure --rm -d --rootfs "$ROOT" -- true 2>&1)
expect_match "--restart with --rm conflicts" 'Conflicting options' "$out"

# Every lifecycle event is recorded.
events=$(sed -n 's/.*"event":"\([a-z-]*\)".*/\1/p' "$AUDIT" | sort -u | tr '\n' ' ')
expect_match "audit: create, start, exit, exec, stop, kill, remove" \
  'create .*exec .*exit .*kill .*remove .*start .*stop' "$events"
expect_match "audit: restart" 'restart' "$events"
check "audit: the chain verifies" "$CORDON" audit verify "$AUDIT"

finish
