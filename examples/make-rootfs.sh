#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make-rootfs.sh DIR — a small root filesystem from Debian's busybox-static:
# /bin/busybox and a link for each applet, the directories a sandbox mounts
# over, and minimal /etc files.  Idempotent; everything world-readable so that
# a sandbox's mapped root can use it whoever built it.
set -euo pipefail
dir=${1:?usage: make-rootfs.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}
# The last step makes everything under DIR world-readable: never the host's root.
[ "$(realpath -m "$dir")" != / ] || { echo "make-rootfs: refusing to build over /" >&2; exit 1; }

[ -x "$busybox" ] || { echo "make-rootfs: $busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
if ldd "$busybox" 2>/dev/null | grep -q '=>'; then
  echo "make-rootfs: $busybox is not a static busybox (apt-get install busybox-static)" >&2
  exit 1
fi

mkdir -p "$dir"/{bin,dev,etc,home,proc,root,run,sys,tmp,usr/bin,var/tmp}
install -m 0755 "$busybox" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
  [ "$applet" = busybox ] && continue
  ln -sfn busybox "$dir/bin/$applet"
done
cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
student:x:1000:1000:student:/home/student:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$dir/etc/group" <<'GROUP'
root:x:0:
student:x:1000:
nogroup:x:65534:
GROUP
echo cordon >"$dir/etc/hostname"
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod -R a+rX "$dir"
