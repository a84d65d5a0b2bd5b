#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The "student's program": it runs inside the sandbox and tries to get out.
# Each attempt prints one line; the last line counts them.  Exit status 0
# means every attempt was blocked.  SECRET (a host file) and PORT (a host
# loopback service) come from the demo.
blocked=0
escaped=0
attempt() {
  what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "  ESCAPED  $what"
    escaped=$((escaped + 1))
  else
    echo "  blocked  $what"
    blocked=$((blocked + 1))
  fi
}

echo "untrusted program: trying to get out"
attempt "read the host's secret file $SECRET" cat "$SECRET"
attempt "write the root filesystem (/bin/evil)" sh -c 'echo evil >/bin/evil'
attempt "see a host process (pid $HOSTPID)" test -d "/proc/$HOSTPID"
attempt "signal a host process (pid $HOSTPID)" kill -0 "$HOSTPID"
attempt "connect to a host service on 127.0.0.1:$PORT" nc -w 1 127.0.0.1 "$PORT"
attempt "mount a filesystem" mount -t tmpfs none /mnt
attempt "create a user namespace (unshare -U)" unshare -U true
attempt "hold any capability" awk '/^CapEff/ { exit ($2 ~ /^0+$/) }' /proc/self/status
attempt "change the host name" hostname evil
attempt "read the runner's binary through /proc/1/exe" cat /proc/1/exe
attempt "write to /proc/sys" sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid'
echo "$blocked blocked, $escaped escaped"
[ "$escaped" = 0 ]
