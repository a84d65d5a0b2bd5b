#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Volumes, tmpfs mounts, and mounts a hostile root tries to redirect.
. "$(dirname "$0")/lib.sh"
make_root
mkdir -p "$TMP/data"
echo "volume data" >"$TMP/data/file"
chmod -R a+rwX "$TMP/data"

out=$(crun_ -v "$TMP/data:/data:ro" -- /bin/cat /data/file)
expect_eq "-v :ro is readable" "volume data" "$out"
crun_ -v "$TMP/data:/data:ro" -- /bin/sh -c 'echo x >/data/new' 2>/dev/null
expect_eq "-v :ro is not writable" 1 $?
check "-v rw is writable" crun_ -v "$TMP/data:/data" -- /bin/sh -c 'echo written >/data/new'
expect_eq "and the write reaches the host" "written" "$(cat "$TMP/data/new" 2>/dev/null)"
owner=$(stat -c %u "$TMP/data/new" 2>/dev/null)
if is_root; then
  if [ "$owner" != 0 ] && [ -n "$owner" ]; then ok "a file written by container root is not owned by host root ($owner)"; else not_ok "file owned by host root"; fi
else
  expect_eq "a file written by container root belongs to the caller" "$(id -u)" "$owner"
fi
out=$(crun_ --mount "type=bind,source=$TMP/data,target=/m,readonly" -- /bin/cat /m/file)
expect_eq "--mount type=bind" "volume data" "$out"
crun_ --mount "type=bind,source=$TMP/data,target=/m,readonly" -- /bin/sh -c 'echo x >/m/y' 2>/dev/null
expect_eq "--mount readonly" 1 $?
cp "$ROOT/bin/busybox" "$TMP/data/suid-copy" && chmod 4755 "$TMP/data/suid-copy"
out=$(crun_ -v "$TMP/data:/data" -- /bin/sh -c 'grep -o "nosuid,nodev" /proc/self/mountinfo | head -1; grep " /data " /proc/self/mountinfo | grep -c nosuid')
expect_match "binds are nosuid and nodev" "1$" "$out"

crun_ --tmpfs /scratch:size=1m -- /bin/sh -c 'dd if=/dev/zero of=/scratch/big bs=1k count=2048' 2>/dev/null
expect_eq "--tmpfs size is enforced" 1 $?
check "--tmpfs is writable" crun_ --tmpfs /scratch:size=1m -- /bin/sh -c 'echo ok >/scratch/f'
check "--mount type=tmpfs" crun_ --mount type=tmpfs,target=/t,tmpfs-size=1m -- /bin/sh -c 'echo ok >/t/f'
out=$(crun_ -- /bin/sh -c 'grep " /tmp " /proc/self/mountinfo')
expect_match "/tmp is a tmpfs by default" "tmpfs" "$out"
out=$(crun_ --tmpfs /tmp:size=2m -- /bin/sh -c 'df -k /tmp | tail -1')
expect_match "--tmpfs /tmp replaces the default /tmp" " 2048 " "$out"

# A symlink in the root that points at a host path must not redirect a mount
# (CVE-2021-30465 class).
mkdir -p "$TMP/hostdir"
echo precious >"$TMP/hostdir/keep"
ln -s "$TMP/hostdir" "$ROOT/evil"
err=$(crun_ -v "$TMP/data:/evil" -- /bin/true 2>&1); rc=$?
expect_eq "a bind onto a symlink is refused" 125 "$rc"
expect_match "and the error says why" "symlink" "$err"
expect_eq "the host directory is untouched" "precious" "$(cat "$TMP/hostdir/keep")"
ln -s "$TMP" "$ROOT/evildir"
crun_ -v "$TMP/data:/evildir/hostdir/target" -- /bin/true >/dev/null 2>&1
if [ -e "$TMP/hostdir/target" ]; then not_ok "a symlinked parent directory stays inside the root"; else ok "a symlinked parent directory stays inside the root"; fi
rm -f "$ROOT/evil" "$ROOT/evildir"
crun_ -v "$TMP/data:/../../etc" -- /bin/true 2>/dev/null
expect_eq "a destination with .. is refused" 125 $?

finish
