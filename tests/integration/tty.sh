#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# -t gives the workload a terminal of its own; it can never push input into
# the caller's terminal (TIOCSTI).
. "$(dirname "$0")/lib.sh"
make_root
command -v script >/dev/null || { skip "no script(1) to provide a terminal"; finish; exit; }

out=$(script -qec "'$CORDON' run -t --rootfs '$ROOT' -- /bin/tty" /dev/null </dev/null | tr -d '\r')
expect_match "-t gives the workload a new terminal" "^/dev/pts/[0-9]+$" "$out"
out=$(script -qec "'$CORDON' run --rootfs '$ROOT' -- /bin/sh -c 'tty; echo \$TERM'" /dev/null </dev/null | tr -d '\r')
expect_match "without -t the workload has no terminal" "not a tty" "$out"
out=$(script -qec "'$CORDON' run -t --rootfs '$ROOT' -- /bin/sh -c 'echo \$TERM'" /dev/null </dev/null | tr -d '\r')
expect_eq "-t sets TERM" "xterm" "$out"
out=$(script -qec "'$CORDON' run -i --security-opt seccomp=unconfined --rootfs '$ROOT' -- /bin/cordon-probe tiocsti" /dev/null </dev/null | tr -d '\r')
expect_match "TIOCSTI into the caller's terminal fails even without seccomp" "blocked" "$out"
out=$(script -qec "'$CORDON' run -t --rootfs '$ROOT' -- /bin/cordon-probe tiocsti" /dev/null </dev/null | tr -d '\r')
expect_match "TIOCSTI is refused by the seccomp filter" "blocked" "$out"
out=$(printf 'echo from-stdin\n' | "$CORDON" run -i --rootfs "$ROOT" -- /bin/sh)
expect_eq "-i passes stdin" "from-stdin" "$out"
out=$(printf 'echo from-stdin\n' | "$CORDON" run --rootfs "$ROOT" -- /bin/sh)
expect_eq "without -i stdin is /dev/null" "" "$out"

finish
