#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# AppArmor: a profile that denies one read shows the denial inside the
# sandbox and the same read working outside and with apparmor=unconfined;
# a profile that requires AppArmor is refused where it cannot hold.  The
# enforcing part needs a kernel with AppArmor (../shared/vmtest/vm-run);
# loading profiles needs root, so a rootless run uses what root loaded.
. "$(dirname "$0")/lib.sh"
make_root
mkdir -p "$TMP/data"
echo "exam answers" >"$TMP/data/secret"
echo "public" >"$TMP/data/public"
chmod -R a+rX "$TMP/data"
log=(--audit-log "$TMP/audit.log")

# Required and impossible: refused with 125 and the reason, on any host.
cat >"$TMP/needs-aa.json" <<'J'
{"name": "needs-aa", "inherits": "default", "apparmor": "cordon-no-such-profile", "required": ["apparmor"]}
J
msg=$("$CORDON" run "${log[@]}" --rootfs "$ROOT" --profile "$TMP/needs-aa.json" -- /bin/true 2>&1)
rc=$?
expect_eq "a profile requiring AppArmor that cannot hold is refused" 125 "$rc"
expect_match "and the message names the layer" "requires the apparmor layer" "$msg"

enabled=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)
if [ "$enabled" != Y ] || [ ! -d /sys/kernel/security/apparmor ]; then
  skip "this kernel does not enforce AppArmor (run it in ../shared/vmtest/vm-run)"
  "$CORDON" run "${log[@]}" --rootfs "$ROOT" --result "$TMP/r.json" -- /bin/true
  expect_eq "the default profile reports AppArmor unavailable here" unavailable "$(json_layer "$TMP/r.json" apparmor)"
  finish
  exit $?
fi

if is_root; then
  "$CORDON" profile apparmor cordon-test-deny | sed 's#^}$#  deny /data/secret r,\n}#' >"$TMP/cordon-test-deny"
  check "install-apparmor loads a profile file" "$CORDON" profile install-apparmor "$TMP/cordon-test-deny"
  check "install-apparmor loads the default template" "$CORDON" profile install-apparmor cordon-default
fi
if ! ls /sys/kernel/security/apparmor/policy/profiles 2>/dev/null | grep -q '^cordon-test-deny\.'; then
  skip "cordon-test-deny is not loaded (root loads it first)"
  finish
  exit $?
fi

check "outside the sandbox the secret is readable" cat "$TMP/data/secret"
out=$(crun_ "${log[@]}" --security-opt apparmor=unconfined -v "$TMP/data:/data:ro" -- /bin/cat /data/secret 2>&1)
expect_eq "inside, without AppArmor, it is readable too" "exam answers" "$out"
out=$(crun_ "${log[@]}" --security-opt apparmor=cordon-test-deny --result "$TMP/aa.json" -v "$TMP/data:/data:ro" \
  -- /bin/sh -c 'cat /data/public; cat /data/secret; echo rc=$?; cat /proc/self/attr/current' 2>&1)
expect_match "inside, under the profile, the other file is readable" "^public" "$out"
expect_match "and the secret is denied" "secret.*Permission denied" "$out"
expect_match "the workload runs in the profile" "cordon-test-deny \(enforce\)" "$out"
expect_eq "the result reports AppArmor enforced" enforced "$(json_layer "$TMP/aa.json" apparmor)"
out=$(crun_ "${log[@]}" -v "$TMP/data:/data:ro" --result "$TMP/def.json" -- /bin/cat /proc/self/attr/current 2>&1)
expect_match "the default profile applies cordon-default when it is loaded" "cordon-default \(enforce\)" "$out"
out=$(crun_ "${log[@]}" --security-opt apparmor=cordon-default -- /bin/sh -c 'echo 1 >/proc/sysrq-trigger' 2>&1)
expect_match "cordon-default denies the kernel's knobs" "Permission denied|Read-only" "$out"
finish
