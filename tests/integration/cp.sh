#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cordon cp: files, trees, symlinks and modes in and out of a running
# sandbox; ownership; the error cases; and the docker cp attack
# (CVE-2018-15664 class): a workload swapping a directory for a symlink to
# / or to a host path while cp runs 200 times never makes cp read or write
# outside the sandbox.
. "$(dirname "$0")/lib.sh"
make_root

STATE=$TMP/state
AUDIT=$TMP/audit.log
c() { "$CORDON" --root "$STATE" "$@"; }
d() { c run -d --audit-log "$AUDIT" --rootfs "$ROOT" "$@"; }

id=$(d --name box -- sh -c 'mkdir -p /tmp/work; echo inside > /tmp/work/in.txt; exec sleep 1031')
for _ in $(seq 50); do c exec box -- test -f /tmp/work/in.txt 2>/dev/null && break; sleep 0.1; done

# A tree: a file with a mode, a subdirectory, a symlink.
mkdir -p "$TMP/tree/sub"
echo one > "$TMP/tree/a.txt"
chmod 640 "$TMP/tree/a.txt"
echo two > "$TMP/tree/sub/b.txt"
chmod 711 "$TMP/tree/sub"
ln -s ../a.txt "$TMP/tree/sub/link"
check "cp a file in" c cp "$TMP/tree/a.txt" box:/tmp/work/a.txt
expect_eq "the file inside" one "$(c exec box -- cat /tmp/work/a.txt)"
expect_eq "its mode kept" 640 "$(c exec box -- stat -c %a /tmp/work/a.txt)"
expect_eq "owned by the sandbox's root" 0 "$(c exec box -- stat -c %u /tmp/work/a.txt)"
check "cp a directory in (into an existing directory)" c cp "$TMP/tree" box:/tmp/work
expect_eq "its files" two "$(c exec box -- cat /tmp/work/tree/sub/b.txt)"
expect_eq "a directory's mode" 711 "$(c exec box -- stat -c %a /tmp/work/tree/sub)"
expect_eq "a symlink stays a symlink" ../a.txt "$(c exec box -- readlink /tmp/work/tree/sub/link)"
check "cp DIR/. copies the contents" c cp "$TMP/tree/." box:/tmp/flat
expect_eq "contents at the destination" one "$(c exec box -- cat /tmp/flat/a.txt)"

check "cp a file out" c cp box:/tmp/work/in.txt "$TMP/out.txt"
expect_eq "its content" inside "$(cat "$TMP/out.txt")"
expect_eq "owned by the caller" "$(id -u)" "$(stat -c %u "$TMP/out.txt")"
check "cp a directory out" c cp box:/tmp/work/tree "$TMP/back"
expect_eq "the tree came back" "one two ../a.txt 640" \
  "$(cat "$TMP/back/a.txt") $(cat "$TMP/back/sub/b.txt") $(readlink "$TMP/back/sub/link") $(stat -c %a "$TMP/back/a.txt")"
c exec box -- sh -c 'echo x > /tmp/suid; chmod 6755 /tmp/suid'
c cp box:/tmp/suid "$TMP/suid"
expect_eq "set-user-id and set-group-id bits never leave the sandbox" 755 "$(stat -c %a "$TMP/suid")"
c cp box:/../../../../etc/hostname "$TMP/hn" 2>/dev/null
expect_eq "cp out of ../../etc/hostname: the sandbox's (or none), not the host's" "" \
  "$( [ -f "$TMP/hn" ] && cmp -s "$TMP/hn" /etc/hostname && echo host)"

# Errors.
out=$(c cp "$TMP/out.txt" nosuch:/tmp 2>&1)
expect_match "unknown id" 'No such sandbox: nosuch' "$out"
c cp "$TMP/a" "$TMP/b" 2>/dev/null
expect_eq "neither side a sandbox: usage" 2 $?
c cp box:/nonexistent "$TMP/x" 2>/dev/null
check "a missing source fails" test $? -ne 0
c cp "$TMP/tree" box:/tmp/work/in.txt 2>/dev/null
check "a directory onto a file fails" test $? -ne 0

# The attack: /tmp/d is a directory, then a symlink to a host directory,
# then a symlink to /, in a tight loop.
HOSTDIR=$TMP/hostdir
mkdir -p "$HOSTDIR"
echo HOST-SECRET > "$HOSTDIR/secret"
echo payload > "$TMP/payload"
canary=cordon-cp-canary-$$
evil=$(d -- sh -c "mkdir -p /tmp/d.real; echo inside > /tmp/d.real/secret
  while :; do
    mv /tmp/d.real /tmp/d; mv /tmp/d /tmp/d.real
    ln -s '$HOSTDIR' /tmp/d; rm /tmp/d
    ln -s / /tmp/d; rm /tmp/d
  done")
sleep 0.5
leaked=0
for i in $(seq 200); do
  c cp "$evil:/tmp/d/secret" "$TMP/race-out.$i" 2>/dev/null
  c cp "$TMP/payload" "$evil:/tmp/d/$canary" 2>/dev/null
  c cp "$evil:/tmp/d" "$TMP/race-dir.$i" 2>/dev/null
  # find does not follow symlinks (a copied symlink to / stays one).
  if [ -n "$(find "$TMP/race-out.$i" "$TMP/race-dir.$i" -type f -exec grep -l HOST-SECRET {} + 2>/dev/null)" ]; then
    leaked=$((leaked + 1))
  fi
done
got=$(find "$TMP" -maxdepth 1 -name 'race-out.*' -type f -exec cat {} + | sort -u | tr '\n' ' ')
diag <<<"race: copies out that succeeded: $(ls "$TMP"/race-out.* 2>/dev/null | wc -l), contents: $got"
expect_eq "200 racing copies out never read the host" 0 "$leaked"
expect_eq "200 racing copies in never wrote the host directory" "secret" "$(ls "$HOSTDIR")"
expect_eq "the host file is untouched" HOST-SECRET "$(cat "$HOSTDIR/secret")"
check "nothing written at the host's /" test ! -e "/$canary"
check "the workload still runs" c exec "$evil" -- true
c rm -f "$evil" box >/dev/null

events=$(sed -n 's/.*"event":"\([a-z-]*\)".*/\1/p' "$AUDIT" | sort -u | tr '\n' ' ')
expect_match "audit: cp recorded" 'cp ' "$events"
finish
