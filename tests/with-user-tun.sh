#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# with-user-tun.sh CMD...: runs CMD (started as root) where an unprivileged
# user can open /dev/net/tun, as on a desktop Debian, whose udev makes it
# 0666.  pasta, the rootless networks' link to the outside, needs that; a
# minimal root (debootstrap, CI) leaves the node 0600 and the rootless
# suite would only ever see the no-link case.  The change is a bind mount
# in a mount namespace of CMD's own: the host's node stays as it is.
# Where that cannot be done (no tun device, no mount namespace), CMD runs
# as it is and the tests take the no-link path.
if [ "${CORDON_WITH_USER_TUN:-}" != inner ]; then
  if [ -c /dev/net/tun ] && unshare -m true 2>/dev/null; then
    exec unshare -m env CORDON_WITH_USER_TUN=inner bash "$0" "$@"
  fi
  exec "$@"
fi
unset CORDON_WITH_USER_TUN
dir=$(mktemp -d /run/cordon-tun.XXXXXX 2>/dev/null || mktemp -d)
if mount --make-rprivate / && mount -t tmpfs -o mode=0755 cordon-tun "$dir" && mknod -m 0666 "$dir/tun" c 10 200 &&
  mount --bind "$dir/tun" /dev/net/tun; then
  umount -l "$dir"
else
  echo "with-user-tun: /dev/net/tun left as it is" >&2
  umount "$dir" 2>/dev/null
fi
rmdir "$dir" 2>/dev/null
exec "$@"
