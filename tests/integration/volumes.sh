#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Named volumes: volume create|ls|inspect|rm|prune, -v NAME:/dst made on
# first use and owned by the sandbox's root, kept after rm of the sandbox,
# refused to rm while a sandbox uses it; system df and system prune.
. "$(dirname "$0")/lib.sh"
make_root

STATE=$TMP/state
STORE=$TMP/store
AUDIT=$TMP/audit.log
c() { "$CORDON" --root "$STATE" "$@"; }
v() { c volume --store "$STORE" "$@"; }
d() { c run -d --store "$STORE" --audit-log "$AUDIT" --rootfs "$ROOT" "$@"; }

expect_eq "volume create prints the name" data "$(v create data)"
expect_eq "create again is no error" data "$(v create data)"
expect_match "a random name without one" '^[0-9a-f]{64}$' "$(v create)"
expect_match "ls lists it" 'local +data' "$(v ls)"
expect_match "inspect: Docker's fields" '"Mountpoint": ".*/volumes/data/_data"' "$(v inspect data)"
out=$(v create 'bad/name' 2>&1)
expect_match "an invalid name is refused" 'includes invalid characters' "$out"
out=$(v inspect nosuch 2>&1)
expect_match "inspect of an unknown volume" 'no such volume' "$out"

# -v NAME:/dst makes it on first use; the data outlives the sandbox.
check "run -v new:/data writes" crun_ --store "$STORE" --audit-log "$AUDIT" -v fresh:/data -- sh -c 'echo kept > /data/f'
expect_match "made on first use" 'fresh' "$(v ls -q)"
expect_eq "another run reads it" kept "$(crun_ --store "$STORE" --audit-log "$AUDIT" -v fresh:/data:ro -- cat /data/f)"
crun_ --store "$STORE" --audit-log "$AUDIT" -v fresh:/data:ro -- sh -c 'echo x > /data/g' 2>/dev/null
check ":ro is read-only" test $? -ne 0
expect_eq "owned by the sandbox's root" 0 "$(crun_ --store "$STORE" --audit-log "$AUDIT" -v fresh:/data -- stat -c %u /data/f)"
if is_root; then
  expect_eq "as root: owned by the mapped range, not by host root" 1 \
    "$([ "$(stat -c %u "$STORE/volumes/fresh/_data")" != 0 ] && echo 1)"
else
  expect_eq "rootless: owned by the caller" "$(id -u)" "$(stat -c %u "$STORE/volumes/fresh/_data")"
fi
out=$(crun_ --store "$STORE" --audit-log "$AUDIT" -v 'a@b:/x' -- true 2>&1)
expect_match "-v with an invalid name" 'invalid characters' "$out"

# In use: by a running sandbox (its lock), by a stopped one (its record).
id=$(d --name user -v data:/data -- sh -c 'echo live > /data/live; exec sleep 1041')
for _ in $(seq 50); do [ -f "$STORE/volumes/data/_data/live" ] && break; sleep 0.1; done
expect_match "inspect lists the sandbox's volumes" '"data"' "$(c inspect user)"
out=$(v rm data 2>&1)
expect_match "rm of a volume a sandbox uses is refused" "volume is in use - \[${id:0:12}\]" "$out"
v prune -f >/dev/null
check "prune keeps a volume in use" test -d "$STORE/volumes/data/_data"
c stop -t 1 user >/dev/null
out=$(v rm data 2>&1)
expect_match "a stopped sandbox still uses it (as Docker)" 'volume is in use' "$out"
c rm user >/dev/null
check "rm of the sandbox keeps the volume" test -f "$STORE/volumes/data/_data/live"
# A foreground run holds it too (no record: the lock).
crun_ --store "$STORE" --audit-log "$AUDIT" -v data:/data -- sleep 3 &
sleep 1
out=$(v rm data 2>&1)
expect_match "rm while a foreground run holds it" 'in use by a running sandbox' "$out"
wait
expect_eq "rm once unused" data "$(v rm data)"
check "gone" test ! -e "$STORE/volumes/data"
out=$(v rm data 2>&1)
expect_match "rm of an unknown volume" 'no such volume' "$out"
v rm -f data >/dev/null 2>&1
expect_eq "rm -f of an unknown volume is no error" 0 $?

# system df and prune.
id=$(d -- sh -c 'echo log line; exit 0')
c wait "$id" >/dev/null
out=$(c system df --store "$STORE")
expect_match "system df: images, sandboxes, volumes, logs" 'Images.*Sandboxes.*Local Volumes.*Logs' "$(echo $out)"
v create spare >/dev/null
keep=$(d -v inuse:/data -- sleep 1042)
out=$(c system prune -f --store "$STORE")
expect_match "system prune removes the exited sandbox" "Deleted Sandboxes:.*$id" "$(echo $out)"
expect_match "and unused volumes" "Deleted Volumes:.*spare" "$(echo $out)"
expect_eq "the running sandbox stays" "${keep:0:12}" "$(c ps -q)"
expect_eq "its volume stays" inuse "$(v ls -q)"
c rm -f "$keep" >/dev/null
v prune -f >/dev/null
expect_eq "volume prune: nothing left" "" "$(v ls -q)"

check "audit: the chain verifies" "$CORDON" audit verify "$AUDIT"
finish
