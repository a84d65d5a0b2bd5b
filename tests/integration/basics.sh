#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cordon run: output, exit statuses, messages, environment, the result JSON,
# bundles and `cordon spec`.
. "$(dirname "$0")/lib.sh"
make_root

out=$(crun_ -- /bin/echo hello 2>&1); rc=$?
expect_eq "echo runs and prints" "hello" "$out"
expect_eq "exit status 0" 0 "$rc"

crun_ -- /bin/sh -c 'exit 3'; expect_eq "the workload's exit status is cordon's" 3 $?

err=$(crun_ -- /no/such/program 2>&1 >/dev/null); rc=$?
expect_eq "a missing command exits 127" 127 "$rc"
expect_match "and says what is missing" "no/such/program" "$err"

err=$(crun_ -- nosuchcommand 2>&1 >/dev/null); rc=$?
expect_eq "a command not in PATH exits 127" 127 "$rc"
expect_match "and says command not found" "nosuchcommand.*command not found" "$err"

crun_ -- /etc/passwd 2>/dev/null; expect_eq "a file that is not executable exits 126" 126 $?

crun_ -- /bin/sh -c 'kill -9 $$' 2>/dev/null; expect_eq "killed by SIGKILL exits 137" 137 $?

err=$("$CORDON" run --rootfs /nope -- /bin/true 2>&1); rc=$?
expect_eq "a missing root exits 125" 125 "$rc"
expect_eq "and the error names it, once" "cordon: --rootfs /nope: No such file or directory" "$err"

err=$("$CORDON" run --rootfs "$ROOT" -v /nope:/data -- /bin/true 2>&1); rc=$?
expect_eq "a missing volume source exits 125" 125 "$rc"
expect_match "and the error names it" "/nope.*No such file or directory" "$err"

err=$("$CORDON" run --bogus 2>&1); rc=$?
expect_eq "an unknown option exits 125" 125 "$rc"

check "run --help exits 0" sh -c "'$CORDON' run --help >/dev/null"
check "spec --help exits 0" sh -c "'$CORDON' spec --help >/dev/null"
check "version prints the version" sh -c "'$CORDON' version | grep -q '^cordon version'"

export CORDON_TEST_SECRET=from-the-caller
env_out=$(crun_ -e FOO=bar -e CORDON_TEST_SECRET2 -- /bin/env)
expect_eq "the environment is PATH, HOME, HOSTNAME and -e, never the caller's" "FOO HOME HOSTNAME PATH " \
  "$(printf '%s\n' "$env_out" | cut -d= -f1 | sort | tr '\n' ' ')"
case "$env_out" in *CORDON_TEST_SECRET*) not_ok "no caller variable inside" ;; *) ok "no caller variable inside" ;; esac
out=$(crun_ -e CORDON_TEST_SECRET -- /bin/sh -c 'echo $CORDON_TEST_SECRET')
expect_eq "-e KEY passes the caller's value, as Docker does" "from-the-caller" "$out"
printf 'A=1\n# comment\n\nB=two words\n' >"$TMP/envfile"
out=$(crun_ --env-file "$TMP/envfile" -- /bin/sh -c 'echo "$A|$B"')
expect_eq "--env-file" "1|two words" "$out"

expect_eq "the host name is cordon" "cordon" "$(crun_ -- /bin/hostname)"
expect_eq "-h sets the host name" "grader" "$(crun_ -h grader -- /bin/hostname)"
expect_eq "-w sets the working directory" "/etc" "$(crun_ -w /etc -- /bin/pwd)"
expect_eq "--entrypoint prepends" "x y" "$(crun_ --entrypoint /bin/echo -- x y)"
crun_ -w /nonexistent -- /bin/true 2>/dev/null; expect_eq "a missing workdir is cordon's failure" 125 $?

# Users: by name from the root's /etc/passwd.  Rootless, any user but root
# needs newuidmap and subordinate ids; without them the refusal says so.
if is_root || { command -v newuidmap >/dev/null && grep -q "^$(id -un):\|^$(id -u):" /etc/subuid 2>/dev/null; }; then
  expect_eq "-u NAME runs as that user of the root" "1000:1000" "$(crun_ -u student -- /bin/sh -c 'echo $(id -u):$(id -g)')"
  expect_eq "--group-add adds a group" "65534" "$(crun_ -u student --group-add 65534 -- /bin/id -G | tr ' ' '\n' | grep 65534)"
  expect_eq "HOME comes from the root's /etc/passwd" "/home/student" "$(crun_ -u student -- /bin/sh -c 'echo $HOME')"
else
  err=$(crun_ -u student -- /bin/true 2>&1); rc=$?
  expect_eq "-u another user without newuidmap is refused" 125 "$rc"
  expect_match "and the refusal says why" "newuidmap" "$err"
fi
crun_ -u nosuchuser -- /bin/true 2>/dev/null
expect_eq "-u with an unknown name is refused" 125 $?

crun_ --result "$TMP/r.json" -- /bin/sh -c 'exit 4'
expect_eq "result: status runtime-error" "runtime-error" "$(json_field "$TMP/r.json" status)"
expect_eq "result: exit_code" "4" "$(json_field "$TMP/r.json" exit_code)"
expect_eq "result: seccomp enforced" "enforced" "$(json_layer "$TMP/r.json" seccomp)"
expect_eq "result: user namespace enforced" "enforced" "$(json_layer "$TMP/r.json" user_namespace)"
expect_eq "result: network none" "none" "$(json_field "$TMP/r.json" network)"
expect_eq "result: apparmor reported unavailable, not silently dropped" "unavailable" "$(json_layer "$TMP/r.json" apparmor)"
expect_eq "result: landlock enforced" "enforced" "$(json_layer "$TMP/r.json" landlock)"
crun_ --result "$TMP/r.json" -- /bin/true
expect_eq "result: status ok" "ok" "$(json_field "$TMP/r.json" status)"
crun_ --result "$TMP/r.json" -- /bin/sh -c 'kill -TERM $$' 2>/dev/null
expect_eq "result: status signal" "signal" "$(json_field "$TMP/r.json" status)"
expect_eq "result: signal number" "15" "$(json_field "$TMP/r.json" signal)"
crun_ --result "$TMP/r.json" --security-opt seccomp=unconfined --network host -- /bin/true
expect_eq "result: seccomp disabled by request" "disabled" "$(json_layer "$TMP/r.json" seccomp)"
expect_eq "result: network host" "host" "$(json_field "$TMP/r.json" network)"
"$CORDON" run --rootfs /nope --result "$TMP/r.json" -- /bin/true 2>/dev/null
expect_eq "result: sandbox-error" "sandbox-error" "$(json_field "$TMP/r.json" status)"
expect_eq "result: sandbox-error exit 125" "125" "$(json_field "$TMP/r.json" exit_code)"

# An OCI bundle takes the same path.
mkdir -p "$TMP/bundle"
ln -s "$ROOT" "$TMP/bundle/rootfs"
check "cordon spec --bundle writes config.json" "$CORDON" spec --bundle "$TMP/bundle"
"$CORDON" spec --bundle "$TMP/bundle" 2>/dev/null; expect_eq "and never over an existing one" 125 $?
sed -i 's/"sh"/"\/bin\/sh", "-c", "echo bundle-ok; exit 5"/' "$TMP/bundle/config.json"
out=$("$CORDON" run --bundle "$TMP/bundle"); rc=$?
expect_eq "run --bundle runs process.args" "bundle-ok" "$out"
expect_eq "run --bundle exit status" 5 "$rc"
printf '{"ociVersion": "1.0.2", "process": {"args": [1]}}' >"$TMP/bundle/config.json"
err=$("$CORDON" run --bundle "$TMP/bundle" 2>&1); rc=$?
expect_eq "a broken config.json exits 125" 125 "$rc"
expect_match "and names the field" "process.args" "$err"
"$CORDON" spec --rootless >"$TMP/spec.json"
expect_match "spec --rootless maps the caller" "\"hostID\": $(id -u)" "$(cat "$TMP/spec.json")"

finish
