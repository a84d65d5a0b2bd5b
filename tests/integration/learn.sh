#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cordon profile learn: the learned profile lets the very command run again,
# refuses what the command never did (another syscall, another socket
# family), lints clean, and the learning run exits with the command's
# status.  Root and rootless alike.
. "$(dirname "$0")/lib.sh"
make_root
L=$TMP/learned.json
AUDIT=(--audit-log "$TMP/audit.log")
CMD=(/bin/sh -c 'ls /; cat /etc/passwd')

"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" -o "$L" --result "$TMP/r.json" -- "${CMD[@]}" >"$TMP/learn.out" 2>"$TMP/learn.err"
rc=$?
expect_eq "learn: exits with the command's status" 0 "$rc"
[ "$rc" = 0 ] || diag <"$TMP/learn.err"
expect_match "learn: the command ran (its output)" "^root:x:0:0:" "$(cat "$TMP/learn.out")"
[ -s "$L" ] && ok "learn: -o FILE written" || not_ok "learn: -o FILE written"
expect_match "learn: stderr says what strict would refuse" "under \`strict\`" "$(cat "$TMP/learn.err")"
expect_eq "learn: the result names the run a learning run" learn "$(json_field "$TMP/r.json" profile)"
grep -q '"inherits"' "$L" && not_ok "learn: the profile inherits nothing" || ok "learn: the profile inherits nothing"
grep -q '"SCMP_ACT_ERRNO"' "$L" && grep -q '"defaultErrnoRet": 38' "$L" && ok "learn: default action ENOSYS" || not_ok "learn: default action ENOSYS"
grep -q '"keyctl"' "$L" && not_ok "learn: no syscall the command did not make (keyctl)" || ok "learn: no syscall the command did not make (keyctl)"

out=$("$CORDON" profile lint "$L" 2>&1)
expect_match "learn: the profile lints clean" "0 errors, 0 warnings" "$out"

crun_ "${AUDIT[@]}" --profile "$L" -- "${CMD[@]}" >"$TMP/again.out" 2>"$TMP/again.err"
rc=$?
expect_eq "learned profile: the same command runs again" 0 "$rc"
[ "$rc" = 0 ] || diag <"$TMP/again.err"
expect_eq "learned profile: with the same output" "$(cat "$TMP/learn.out")" "$(cat "$TMP/again.out")"
crun_ "${AUDIT[@]}" --profile "$L" -- /bin/cordon-probe keyctl >"$TMP/probe.out" 2>&1
expect_eq "learned profile: an unobserved syscall (keyctl) is refused" 1 $?
crun_ "${AUDIT[@]}" --profile default -- /bin/cordon-probe socket-inet >/dev/null 2>&1
expect_eq "socket(AF_INET) works under default" 0 $?

# Socket families: learned as argument filters.
"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" -o "$TMP/unix.json" -- /bin/cordon-probe socket-unix >/dev/null 2>&1
expect_eq "learn socket(AF_UNIX): ran" 0 $?
crun_ "${AUDIT[@]}" --profile "$TMP/unix.json" -- /bin/cordon-probe socket-unix >/dev/null 2>&1
expect_eq "learned AF_UNIX: socket(AF_UNIX) allowed" 0 $?
crun_ "${AUDIT[@]}" --profile "$TMP/unix.json" -- /bin/cordon-probe socket-inet >"$TMP/probe.out" 2>&1
expect_eq "learned AF_UNIX: socket(AF_INET) refused" 1 $?
"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" -o "$TMP/inet.json" -- /bin/cordon-probe socket-inet >/dev/null 2>"$TMP/learn.err"
expect_match "learn socket(AF_INET): strict would refuse it" "socket\(AF_INET\)" "$(cat "$TMP/learn.err")"

# The command's status, to stdout, and the options learn refuses.
"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" -- /bin/sh -c 'exit 3' >"$TMP/stdout.json" 2>/dev/null
expect_eq "learn: exit status 3 passed on" 3 $?
out=$("$CORDON" profile lint "$TMP/stdout.json" 2>&1)
expect_match "learn: without -o the profile goes to stdout" "0 errors" "$out"
expect_match "learn: named learned without -o or --name" '"name": "learned"' "$(cat "$TMP/stdout.json")"
"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" --profile strict -- /bin/true >/dev/null 2>&1
expect_eq "learn: --profile is refused (the filter is learned)" 125 $?
"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" -o "$TMP/nope.json" -- /no/such/command >/dev/null 2>&1
expect_eq "learn: a command not found exits 127" 127 $?
"$CORDON" run --rootfs "$ROOT" "${AUDIT[@]}" --from strict -- /bin/true >/dev/null 2>&1
expect_eq "run: --from is learn's alone" 125 $?

# --from: the other layers come from that profile.
"$CORDON" profile learn --rootfs "$ROOT" "${AUDIT[@]}" --from ci --name ci-learned -o "$TMP/ci.json" -- /bin/true >/dev/null 2>&1
expect_eq "learn --from ci: ran" 0 $?
expect_match "learn --from ci: keeps ci's capabilities" '"CAP_[A-Z_]+"' "$(cat "$TMP/ci.json")"
expect_match "learn --name: names the profile" '"name": "ci-learned"' "$(cat "$TMP/ci.json")"

finish
