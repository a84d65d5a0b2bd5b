#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Images: import of every format, signature verdicts against the trust
# policy, runs from an overlay root, store consistency under kill -9 and
# concurrency, sign/tag/rm/gc.  Fixtures from make-test-images
# ($CORDON_FIXTURES when tests/run-all.sh made them, else built here).
. "$(dirname "$0")/lib.sh"

FIX=${CORDON_FIXTURES:-}
if [ -z "$FIX" ] || [ ! -f "$FIX/policy.json" ]; then
  FIX=$TMP/fixtures
  gen=$SRCDIR/../shared/fixtures/make-test-images
  [ -x "$gen" ] || { echo "1..0 # SKIP no make-test-images beside the project"; exit 0; }
  NO_CHECK=1 "$gen" "$FIX" >"$TMP/fixtures.log" 2>&1 || { echo "Bail out! make-test-images failed"; cat "$TMP/fixtures.log" | diag; exit 1; }
fi
export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config
mkdir -p "$HOME"
S=$TMP/store
img() { "$CORDON" image --store "$S" --policy "$FIX/policy.json" "$@"; }
run_img() { "$CORDON" run --store "$S" --policy "$FIX/policy.json" --audit-log "$TMP/audit.log" "$@"; }
NAME=example.com/sandbox/busybox

# --- import and verdicts -------------------------------------------------
out=$(img import "oci:$FIX/oci/signed" 2>"$TMP/err")
expect_match "a signed OCI layout imports" "^sha256:[0-9a-f]{64} $NAME:latest$" "$out"
expect_match "and says which key verified it" "verified with SHA256:[0-9a-f]{64}" "$(cat "$TMP/err")"
stat_mode=$(stat -c %a "$S")
expect_eq "the store is private (0700)" 700 "$stat_mode"
out=$(img ls)
expect_match "image ls lists it" "$NAME +latest +[0-9a-f]{12} .*verified" "$out"
out=$(img inspect --json "$NAME")
expect_match "inspect --json: accepted with a key" '"accepted": true' "$out"
expect_match "inspect --json: three layers with DiffIDs" '"diffID": "sha256:459b2431' "$out"
expect_match "inspect --json: the image config's command" '"Cmd": \[[^]]*"/bin/sh"' "$(echo "$out" | tr -d '\n')"
check "image verify accepts it" img verify "$NAME"
check "a zstd layout imports" img import --name "$NAME:zstd" "oci:$FIX/oci/signed-zstd"
check "an oci-archive imports" img import --name "$NAME:archive" "oci-archive:$FIX/archives/oci-archive-signed.tar"

for c in unsigned wrong-key wrong-identity bad-signature tampered-blob tampered-rehashed; do
  msg=$(img import --name "$NAME:$c" "oci:$FIX/oci/$c" 2>&1)
  rc=$?
  if [ $rc != 0 ] && [ -n "$msg" ]; then ok "oci/$c is refused: $(echo "$msg" | tail -c 120)"; else not_ok "oci/$c is refused (rc $rc)"; fi
done
expect_match "unsigned: the reason says so" "no signature|not signed|no .*signature" "$(img import --name "$NAME:u" "oci:$FIX/oci/unsigned" 2>&1)"
expect_match "tampered blob: a digest mismatch is named" "does not match|hashes to" "$(img import --name "$NAME:t" "oci:$FIX/oci/tampered-blob" 2>&1)"
out=$(img ls)
if echo "$out" | grep -Eq "unsigned|wrong-key|tampered"; then not_ok "refused images are not in the store"; else ok "refused images are not in the store"; fi

# Legacy and Docker >= 25 archives carry no signature: the fixture policy
# rejects them, a policy that says so accepts them.
msg=$(img import --name "$NAME:legacy" "docker-archive:$FIX/archives/docker-save-legacy.tar" 2>&1)
expect_match "a legacy docker save is rejected by a signature policy" "reject" "$msg"
cat >"$TMP/anything.json" <<'J'
{"default":[{"type":"insecureAcceptAnything"}]}
J
any() { "$CORDON" image --store "$S" --policy "$TMP/anything.json" "$@"; }
check "docker save (legacy) imports under insecureAcceptAnything" any import --name legacy:1 "docker-archive:$FIX/archives/docker-save-legacy.tar"
check "docker save (Docker >= 25) imports" any import --name dsoci:1 "docker-archive:$FIX/archives/docker-save-oci.tar"
if [ -f "$FIX/archives/docker-archive-skopeo.tar" ]; then
  check "skopeo's docker-archive (symlinked layer.tar) imports" any import --name skopeo:1 "docker-archive:$FIX/archives/docker-archive-skopeo.tar"
else
  skip "no skopeo-made archive (fixtures built with NO_CHECK)"
fi
id_legacy=$(any inspect --json legacy:1 | sed -n 's/.*"diffID": "\(sha256:[0-9a-f]*\)".*/\1/p' | tr '\n' ' ')
id_signed=$(img inspect --json "$NAME" | sed -n 's/.*"diffID": "\(sha256:[0-9a-f]*\)".*/\1/p' | tr '\n' ' ')
expect_eq "every format yields the same DiffIDs" "$id_signed" "$id_legacy"

# --- running -------------------------------------------------------------
out=$(run_img --image "$NAME" -- /bin/cat /etc/motd /etc/motd.hardlink)
expect_match "run --image: the top layer's /etc/motd and layer 1's hard link" "layer 3" "$out"
listing=$(run_img --image "$NAME" -- /bin/sh -c 'cd / && find bin data etc opt root tmp usr | sort')
want=$(cut -f1 "$FIX/expected-rootfs.txt" 2>/dev/null | sort)
if [ -n "$want" ]; then
  expect_eq "the merged root is what umoci unpacks (whiteouts, opaque dir)" "$want" "$listing"
else
  expect_match "whiteouts and the opaque dir hide lower files" "opt/app/new.conf" "$listing"
fi
if echo "$listing" | grep -Eq "remove-me|removed-dir|opt/app/old"; then not_ok "whited-out files are gone"; else ok "whited-out files are gone"; fi
out=$(run_img --image "$NAME" -- /bin/sh -c 'echo x >/etc/new 2>&1; echo rc=$?')
expect_match "the image root is read-only" "rc=1" "$out"
out=$(run_img --image "$NAME" --read-write -- /bin/sh -c 'echo x >/etc/new && cat /etc/new')
expect_eq "--read-write gives a writable upper" "x" "$out"
out=$(run_img --image "$NAME" -- /bin/sh -c 'test -e /etc/new && echo leaked || echo clean')
expect_eq "and it is discarded after the run" "clean" "$out"
out=$(run_img --image "$NAME" -- /bin/sh -c 'echo $PATH; pwd')
expect_eq "the image's Env and WorkingDir apply" "/usr/bin:/bin
/" "$out"
out=$(run_img --image "$NAME" -e PATH=/bin -w /etc -- /bin/sh -c 'echo $PATH; pwd')
expect_eq "-e and -w override the image" "/bin
/etc" "$out"
out=$(echo 'echo from-cmd' | run_img -i --image "$NAME")
expect_eq "the image's Cmd runs when no command is given" "from-cmd" "$out"
run_img --image "$NAME" --result "$TMP/result.json" -- /bin/true
expect_match "the result names the verifying key" '"verified_by": "SHA256:[0-9a-f]{64}' "$(cat "$TMP/result.json")"
expect_match "the audit log records the image and its key" '"event":"image-verified".*"key":"SHA256:' "$(cat "$TMP/audit.log")"
out=$(run_img --image "$NAME" -- /bin/sh -c 'grep " / " /proc/self/mountinfo')
expect_match "the root is an overlay, nosuid and nodev" "overlay.*|nosuid.*nodev" "$out"

# The policy in force decides at run time, not the verdict of the import.
"$CORDON" run --store "$S" --audit-log "$TMP/audit.log" --image "$NAME" -- /bin/true 2>"$TMP/err"
rc=$?
expect_eq "without a policy (built-in: reject) the run is refused with 125" 125 "$rc"
expect_match "and the reason is printed" "rejected by the trust policy" "$(cat "$TMP/err")"
"$CORDON" run --store "$S" --policy "$FIX/policy.json" --audit-log "$TMP/audit.log" --image legacy:1 -- /bin/true 2>/dev/null
expect_eq "a legacy image is refused under a signature policy" 125 $?

# --- sign, tag, rm, gc ---------------------------------------------------
any import --name example.com/sandbox/unsigned:1 "oci:$FIX/oci/unsigned" >/dev/null
check "image sign signs an imported image" any sign --key "$FIX/keys/cosign.key" example.com/sandbox/unsigned:1
sed "s#example.com/sandbox/busybox#example.com/sandbox/unsigned#" "$FIX/policy.json" >"$TMP/signed-policy.json"
check "and the signature verifies under the policy" "$CORDON" image --store "$S" --policy "$TMP/signed-policy.json" verify example.com/sandbox/unsigned:1
check "image tag adds a name" img tag "$NAME" other/name:2
out=$(img ls)
expect_match "the new name is listed" "other/name +2" "$out"
msg=$(img rm other/name:2 2>&1)
expect_match "rm of one of several names only untags" "Untagged: docker.io/other/name:2" "$msg"
id=$(img inspect --json "$NAME" | sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p')
bg run_img --image "$NAME" -- /bin/sleep 4
sleep 1
msg=$(img rm "${id:0:12}" 2>&1)
expect_match "rm refuses an image a running sandbox uses" "in use by a running sandbox" "$msg"
wait
msg=$(img rm "${id:0:12}" 2>&1)
expect_match "and removes it (all its names) once the sandbox is gone" "Deleted: $id" "$msg"
img rm "$NAME:zstd" >/dev/null
out=$(img gc)
expect_match "gc reports what it removed" "removed [0-9]+ blobs and [0-9]+ layers" "$out"
left=$(ls "$S/tmp" | grep -v '\.lock$' | wc -l)
expect_eq "nothing is left in tmp/" 0 "$left"

# --- crash and concurrency -----------------------------------------------
S2=$TMP/store2
for i in 1 2 3 4 5; do
  "$CORDON" image --store "$S2" --policy "$FIX/policy.json" import "oci:$FIX/oci/signed" >/dev/null 2>&1 &
  pid=$!
  sleep 0.0$((i * 2))
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
done
check "after kill -9 during imports the store still works" "$CORDON" image --store "$S2" --policy "$FIX/policy.json" import "oci:$FIX/oci/signed"
left=$(ls "$S2/tmp" | grep -v '\.lock$' | wc -l)
expect_eq "and the dead imports' leftovers are gone" 0 "$left"
check "the image runs" "$CORDON" run --store "$S2" --policy "$FIX/policy.json" --audit-log "$TMP/audit.log" --image "$NAME" -- /bin/true
S3=$TMP/store3
pids=()
for i in 1 2 3 4; do
  "$CORDON" image --store "$S3" --policy "$FIX/policy.json" import --name "$NAME:c$i" "oci:$FIX/oci/signed$( [ $((i % 2)) = 0 ] && echo -zstd)" >/dev/null 2>"$TMP/c$i.err" &
  pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq "four concurrent imports into one store succeed" 0 "$fails"
n=$("$CORDON" image --store "$S3" ls | grep -c "$NAME")
expect_eq "and all four names are there" 4 "$n"
escaped=$(find "$TMP" -maxdepth 1 -name 'escaped*' | wc -l)
expect_eq "nothing was written beside the store" 0 "$escaped"
finish
