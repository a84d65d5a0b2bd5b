#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The "student's program": a busybox sh script that runs INSIDE the sandbox
# and tries to get out.  Each attempt prints one line with its outcome and,
# when blocked, the kernel's answer; the last line counts them.  Exit status
# 0 means every attempt was blocked.
#
# From the demo (examples/demo.sh), through -e: SECRET (a host file's path),
# PORT (a host service on 127.0.0.1), HOSTPID (a host process), HOSTINIT (the
# host's pid 1 command line).
blocked=0
escaped=0

report() { # report blocked|ESCAPED WHAT WHY
  printf '  %-60s %s (%s)\n' "$2..." "$1" "$3"
  if [ "$1" = blocked ]; then blocked=$((blocked + 1)); else escaped=$((escaped + 1)); fi
}

# attempt WHAT CMD...: CMD succeeding is an escape.  When it fails, the reason
# is the end of its last error line ("cat: can't open 'x': No such file or
# directory" gives "No such file or directory").
attempt() {
  what=$1
  shift
  if out=$("$@" 2>&1 >/dev/null </dev/null); then
    report ESCAPED "$what" "it worked"
  else
    rc=$?
    why=$(printf '%s\n' "$out" | sed -n '$s/.*: //p')
    report blocked "$what" "${why:-exit status $rc}"
  fi
}

echo "untrusted program: trying to get out"

attempt "read the host's secret $SECRET" cat "$SECRET"
attempt "write the root filesystem (/bin/evil)" sh -c 'echo evil >/bin/evil'
attempt "write /proc/sys (kernel.ns_last_pid)" sh -c 'echo 1 >/proc/sys/kernel/ns_last_pid'

# Host processes: the sandbox has its own pid namespace, so only its own
# processes show in /proc and pid 1 is its own init, not the host's.
nprocs=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
init=$(tr '\0' ' ' </proc/1/cmdline 2>/dev/null | sed 's/ $//')
shown=$(printf '%s' "$init" | cut -c1-40)
[ "$shown" = "$init" ] || shown="$shown..."
if [ -d "/proc/$HOSTPID" ] || { [ -n "$HOSTINIT" ] && [ "$init" = "$HOSTINIT" ]; }; then
  report ESCAPED "see host processes" "$nprocs visible, pid 1 is '$shown'"
else
  report blocked "see host processes" "$nprocs visible, pid 1 is '$shown'"
fi
attempt "signal a host process (pid $HOSTPID)" kill -0 "$HOSTPID"

attempt "connect to a host service on 127.0.0.1:$PORT" nc -w 2 127.0.0.1 "$PORT"

attempt "mount a tmpfs" mount -t tmpfs none /tmp
attempt "create a user namespace (unshare -U)" unshare -U true

# Capabilities: every set must be empty, and container uid 0 (if we are it)
# must not be host uid 0.
caps=$(grep '^CapEff' /proc/self/status | awk '{print $2}')
case $caps in
  *[1-9a-f]*) report ESCAPED "hold a capability" "CapEff $caps" ;;
  *) report blocked "hold a capability" "CapEff $caps" ;;
esac
hostroot=$(awk '$2 == 0 { print "uid " $1 " is host root" }' /proc/self/uid_map)
mapping=$(awk '{ printf "%suid %s is host uid %s", sep, $1, $2; sep = ", " }' /proc/self/uid_map)
if [ -n "$hostroot" ]; then
  report ESCAPED "be root on the host" "$hostroot"
else
  report blocked "be root on the host" "${mapping:-no uid map}"
fi

attempt "read the runner's binary through /proc/1/exe" cat /proc/1/exe

echo "$((blocked + escaped)) attempts: $blocked blocked, $escaped escaped"
[ "$escaped" = 0 ]
