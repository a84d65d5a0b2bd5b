# SPDX-License-Identifier: Apache-2.0
# Shared by the integration tests: each test script sources this file and is
# called by meson as `SCRIPT CORDON PROBE SRCDIR`.  Output is TAP.
set -u
CORDON=$(realpath "$1")
PROBE=$(realpath "$2")
SRCDIR=$(realpath "$3")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cordon-test.XXXXXX")
ROOT=$TMP/root
_n=0
_failed=0
_bg_pids=()

_cleanup() {
  for p in "${_bg_pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap _cleanup EXIT

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n - # SKIP $*"; }
diag() { sed 's/^/# /'; }

# check DESC COMMAND...: passes when COMMAND succeeds.  Its output goes to
# stderr: stdout is TAP.
check() {
  local desc=$1
  shift
  if "$@" >&2; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else
    not_ok "$1"
    printf 'expected: %s\nactual:   %s\n' "$2" "$3" | diag
  fi
}

# expect_match DESC REGEX TEXT
expect_match() {
  if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else
    not_ok "$1"
    printf 'expected to match: %s\nactual: %s\n' "$2" "$3" | diag
  fi
}

# A root from Debian's busybox-static plus the attack probe.
make_root() {
  bash "$SRCDIR/examples/make-rootfs.sh" "$ROOT" >/dev/null || { echo "Bail out! cannot build the test root"; exit 1; }
  cp "$PROBE" "$ROOT/bin/cordon-probe"
  chmod 755 "$ROOT/bin/cordon-probe"
}

# crun ARGS...: cordon run --rootfs ROOT ARGS (stdout and stderr kept apart).
crun_() { "$CORDON" run --rootfs "$ROOT" "$@"; }

# json_field FILE KEY: a top-level scalar of a result file (no jq needed).
json_field() {
  sed -n "s/^ *\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" | head -n 1
}

# layer FILE NAME: a layer's state in a result file.
json_layer() {
  sed -n "s/^ *\"$2\": \"\([a-z]*\)\",\{0,1\}$/\1/p" "$1" | head -n 1
}

bg() { "$@" & _bg_pids+=($!); }

# distinct_addresses N CMD...: runs CMD (a sandbox on a network that prints
# `ip -o -4 addr show eth0`) N times at once; prints how many distinct
# addresses they were given.
distinct_addresses() {
  local n=$1 i dir pids=()
  shift
  dir=$(mktemp -d "$TMP/addresses.XXXXXX")
  for i in $(seq "$n"); do
    "$@" >"$dir/$i" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$dir"/* | awk '/eth0/ {print $4}' | sort -u | wc -l
}

finish() {
  echo "1..$_n"
  [ "$_failed" = 0 ]
}

is_root() { [ "$(id -u)" = 0 ]; }
