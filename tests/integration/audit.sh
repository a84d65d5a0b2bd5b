#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The audit log: every run leaves create/start/exit records (a refused run a
# sandbox-error), the hash chain holds under concurrency and a torn write,
# `cordon audit verify` finds each kind of tampering, a log that cannot be
# written stops the run (fail closed), and the workload cannot reach it.
. "$(dirname "$0")/lib.sh"
make_root
LOG=$TMP/audit/audit.log

crun_ --audit-log "$LOG" -- /bin/sh -c 'exit 3'
expect_eq "a run is recorded: create, start, exit" "create start exit" \
  "$("$CORDON" audit show --json "$LOG" | grep -o '"event":"[a-z-]*"' | cut -d'"' -f4 | grep -v layer-unavailable | tr '\n' ' ' | sed 's/ $//')"
expect_match "the exit record holds the result" '"exit_code": 3' "$("$CORDON" audit show --json --event exit "$LOG")"
expect_match "the create record holds the command line" '"argv":\["run"' "$("$CORDON" audit show --json --event create "$LOG")"
expect_match "an unenforced layer is recorded" '"layer":"apparmor"' "$("$CORDON" audit show --json --event layer-unavailable "$LOG")"
"$CORDON" run --rootfs /nope --audit-log "$LOG" -- /bin/true 2>/dev/null
expect_match "a refused run leaves a record of why" 'No such file or directory' "$("$CORDON" audit show --json --event sandbox-error "$LOG")"
expect_eq "the log is private to its owner" 600 "$(stat -c %a "$LOG")"

out=$("$CORDON" audit stats "$LOG")
expect_match "stats counts verdicts" "runtime-error +1" "$out"
out=$("$CORDON" audit show --table --event exit "$LOG")
expect_match "show prints a table: time, event, sandbox, verdict" "exit +[0-9a-f]{12} +runtime-error exit=3" "$out"
out=$("$CORDON" audit verify "$LOG"); rc=$?
expect_eq "verify: an intact chain" 0 "$rc"
expect_match "and says how many records" "records, chain intact" "$out"

# Tampering, each detected and named.
tamper() { # DESC SED-SCRIPT-OR-COMMAND
  local desc=$1
  shift
  cp "$LOG" "$TMP/t.log"
  "$@" "$TMP/t.log"
  out=$("$CORDON" audit verify "$TMP/t.log"); rc=$?
  if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q ":[0-9]*: "; then ok "verify detects $desc: $(printf '%s' "$out" | cut -c1-120)"; else
    not_ok "verify detects $desc (rc $rc)"
    printf '%s\n' "$out" | diag
  fi
}
edit_field() { sed -i 's/"exit_code": 3/"exit_code": 0/' "$1"; }
delete_record() { sed -i '2d' "$1"; }
reorder_pair() { awk 'NR == 2 { held = $0; next } NR == 3 { print; print held; next } { print }' "$1" >"$1.new" && mv "$1.new" "$1"; }
insert_record() { sed -i '2p' "$1"; }
truncate_file() { truncate -s -20 "$1"; }
tamper "an edited field" edit_field
tamper "a deleted record" delete_record
tamper "a reordered pair" reorder_pair
tamper "an inserted record" insert_record
tamper "a truncated file" truncate_file

# A torn write (kill -9 mid-append) is sealed by the next append.
cp "$LOG" "$TMP/torn.log"
printf '{"v":1,"seq":99,"time":"2026-' >>"$TMP/torn.log"
crun_ --audit-log "$TMP/torn.log" -- /bin/true
expect_match "a torn last line is sealed with a recovery record" '"event":"recovery"' "$(cat "$TMP/torn.log")"
expect_eq "and the chain still verifies" 0 "$("$CORDON" audit verify "$TMP/torn.log" >/dev/null; echo $?)"

# kill -9 of a writer in the middle of appending: the next append and
# verify still see one chain.
appender=$(dirname "$CORDON")/../bench/audit-append
if [ -x "$appender" ]; then
  "$appender" "$TMP/k9.log" 1000000 >/dev/null 2>&1 &
  pid=$!
  sleep 0.3
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  crun_ --audit-log "$TMP/k9.log" -- /bin/true
  out=$("$CORDON" audit verify "$TMP/k9.log"); rc=$?
  expect_eq "kill -9 during appends leaves a log that verifies after the next append" 0 "$rc"
  diag <<<"$out"
else
  skip "no bench/audit-append built"
fi

# Concurrent writers interleave whole records in one chain.
for i in $(seq 50); do crun_ --audit-log "$TMP/c.log" -- /bin/true & done
wait
out=$("$CORDON" audit verify "$TMP/c.log"); rc=$?
expect_eq "50 concurrent runs: one unbroken chain" 0 "$rc"
expect_eq "with every run's create and exit" "50 50" \
  "$(grep -c '"event":"create"' "$TMP/c.log") $(grep -c '"event":"exit"' "$TMP/c.log")"

# Fail closed.
mkdir -p "$TMP/ro" && touch "$TMP/ro/audit.log" && chmod 400 "$TMP/ro/audit.log"
if [ "$(id -u)" = 0 ]; then chattr +i "$TMP/ro/audit.log" 2>/dev/null || mkdir -p "$TMP/ro/dir.log"; fi
target=$TMP/ro/audit.log
[ -d "$TMP/ro/dir.log" ] && target=$TMP/ro/dir.log
err=$(crun_ --audit-log "$target" -- /bin/echo should-not-run 2>&1); rc=$?
expect_eq "an unwritable log stops the run (125)" 125 "$rc"
expect_match "and says why" "refusing to run a sandbox that cannot be recorded" "$err"
out=$(crun_ --audit-log "$target" --audit best-effort --result "$TMP/r.json" -- /bin/echo ran 2>/dev/null)
expect_eq "--audit best-effort runs anyway" ran "$out"
expect_match "and the result says it was not recorded" '"audit": "unavailable' "$(cat "$TMP/r.json")"
chattr -i "$TMP/ro/audit.log" 2>/dev/null

# Rotation: a new file carries the chain on; a removed rotated file is found.
for i in $(seq 6); do crun_ --audit-log "$TMP/rot/a.log" --audit-rotate-size 4k -- /bin/true; done
n=$(ls "$TMP/rot" | grep -c '^a\.log')
if [ "$n" -ge 3 ]; then ok "the log rotates past --audit-rotate-size ($n files)"; else not_ok "rotation: $n files"; fi
expect_match "the new file begins with a rotate record" '"event":"rotate"' "$(head -1 "$TMP/rot/a.log")"
out=$("$CORDON" audit verify "$TMP/rot/a.log"); rc=$?
expect_eq "verify follows the chain across the rotated files" 0 "$rc"
rm -f "$TMP/rot/a.log.$((n - 1))"
out=$("$CORDON" audit verify "$TMP/rot/a.log"); rc=$?
expect_eq "verify detects a removed rotation file" 1 "$rc"
diag <<<"$out"

# A key: checkpoints an attacker who rewrites the chain cannot forge.
head -c 32 /dev/urandom >"$TMP/key"
for i in 1 2; do crun_ --audit-log "$TMP/k.log" --audit-key "$TMP/key" -- /bin/true; done
expect_match "a keyed log has checkpoints" '"event":"checkpoint"' "$(cat "$TMP/k.log")"
expect_eq "verify --key accepts it" 0 "$("$CORDON" audit verify --key "$TMP/key" "$TMP/k.log" >/dev/null; echo $?)"
# The attacker edits a record and recomputes every hash after it, without the key.
prev=0000000000000000000000000000000000000000000000000000000000000000
: >"$TMP/forged.log"
while IFS= read -r line; do
  line=$(printf '%s' "$line" | sed -e 's/"exit_code": 0/"exit_code": 9/' -e "s/\"prev\":\"[0-9a-f]*\"}\$/\"prev\":\"$prev\"}/")
  printf '%s\n' "$line" >>"$TMP/forged.log"
  prev=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
done <"$TMP/k.log"
expect_eq "a recomputed chain passes without the key" 0 "$("$CORDON" audit verify "$TMP/forged.log" >/dev/null; echo $?)"
out=$("$CORDON" audit verify --key "$TMP/key" "$TMP/forged.log"); rc=$?
expect_eq "but verify --key detects the replaced file" 1 "$rc"
expect_match "naming the checkpoint" "MAC" "$out"

# The workload cannot reach the log: not in its root, no fd of it.
out=$(crun_ --audit-log "$LOG" -- /bin/sh -c "ls '$LOG' 2>&1; ls /proc/self/fd | tr '\n' ' '")
expect_match "the log's path does not exist inside" "No such file" "$out"
expect_match "and no fd of it crosses" "0 1 2 3 $" "$out"

finish
