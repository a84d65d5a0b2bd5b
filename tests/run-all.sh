#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-all.sh — the whole test suite, as the README's second command runs it
# (as root, on a fresh Debian 12): installs what is missing, builds, then
#   1. unit tests and the root integration suite, as root;
#   2. unit tests and the rootless integration suite, as an unprivileged user
#      it creates (cordon-test), from a copy of the tree that user can read;
#   3. the unit tests again, built with ASan+UBSan;
#   4. a short run of every libFuzzer target (when clang is there).
# Run by another user it does steps 1 (rootless suite), 3 and 4 only.
# Totals come from each run's meson-logs/testlog.json (no python needed).  It
# ends with one line "N passed, M failed, K skipped" and exits non-zero when a
# test or a step (install, setup, build) failed; a failed step counts as one
# failure and is named above that line.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
skipped=0
problems=()
logs=$(mktemp -d "${TMPDIR:-/tmp}/cordon-run-all.XXXXXX")
trap 'rm -rf "$logs"' EXIT

step() { printf '\n== %s\n' "$*"; }
problem() {
  problems+=("$1")
  failed=$((failed + 1))
  echo "FAILED: $1"
}
# quiet NAME CMD...: runs CMD with its output kept aside, shown only on failure.
quiet() {
  local log=$logs/$1.log
  shift
  "$@" >"$log" 2>&1 && return 0
  tail -n 60 "$log"
  return 1
}

# tally DIR RC: adds the results of DIR's last meson test run to the totals.
# OK and EXPECTEDFAIL pass, SKIP skips, anything else (FAIL, TIMEOUT,
# UNEXPECTEDPASS, ERROR) fails.  A run that exited non-zero without a failed
# test (an interrupted or broken run) is a failed step.
tally() {
  local dir=$1 rc=$2 log=$1/meson-logs/testlog.json
  local ok=0 skip=0 fail=0
  if [ -f "$log" ]; then
    ok=$(grep -o '"result": *"\(OK\|EXPECTEDFAIL\)"' "$log" | wc -l)
    skip=$(grep -o '"result": *"SKIP"' "$log" | wc -l)
    fail=$(grep -o '"result": *"[A-Z]*"' "$log" | grep -vc '"\(OK\|EXPECTEDFAIL\|SKIP\)"')
    rm -f "$log"
  fi
  passed=$((passed + ok))
  skipped=$((skipped + skip))
  failed=$((failed + fail))
  if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then problem "meson test in $dir exited $rc"; fi
}

# meson_test DIR SUITE...: runs those suites in DIR and tallies them.  A
# suite with no test yet is not a failure (meson says "No suitable tests
# defined." and exits 0).
meson_test() {
  local dir=$1 s args=()
  shift
  for s in "$@"; do args+=(--suite "$s"); done
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${args[@]}"
  tally "$dir" $?
}

# build DIR [SETUP-ARGS...]: configures DIR unless it is already, then
# builds it.  Fails (as a named step) with the log's tail shown.
build() {
  local dir=$1 name
  shift
  name=$(basename "$dir")
  if [ ! -f "$dir/build.ninja" ]; then
    quiet "setup-$name" meson setup "$dir" "$@" || { problem "meson setup $dir"; return 1; }
  fi
  quiet "build-$name" ninja -C "$dir" || { problem "build $dir"; return 1; }
}

if [ "$(id -u)" = 0 ]; then
  step "installing what is missing"
  bash tools/install-deps.sh test || problem "tools/install-deps.sh test"
fi

# The image fixtures (signed, tampered, docker-save, 48 hostile layers) come
# from the shared generator beside the project; made once, readable by the
# rootless user, and found by the tests through CORDON_FIXTURES.
gen=$PWD/../shared/fixtures/make-test-images
if [ -x "$gen" ]; then
  step "image fixtures"
  fixtures=${TMPDIR:-/var/tmp}/cordon-fixtures
  [ "$(id -u)" = 0 ] && fixtures=/var/tmp/cordon-fixtures
  if quiet fixtures "$gen" "$fixtures" && chmod -R a+rX "$fixtures"; then
    export CORDON_FIXTURES=$fixtures
  else
    problem "make-test-images"
  fi
fi

step "build"
if build build; then
  if [ "$(id -u)" = 0 ]; then
    step "unit tests and the root integration suite, as root"
    meson_test build unit root
  else
    step "unit tests and the rootless integration suite, as $(id -un)"
    meson_test build unit rootless
  fi
fi

if [ "$(id -u)" = 0 ]; then
  # /root is mode 700: the user gets its own copy of the tree to build.
  user=cordon-test
  step "unit tests and the rootless integration suite, as the unprivileged user $user"
  if id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"; then
    uid=$(id -u "$user")
    home=$(getent passwd "$user" | cut -d: -f6)
    work=/var/tmp/cordon-rootless
    rm -rf "$work"
    mkdir -p "$work/src" "/run/user/$uid"
    tar --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$work/src"
    chown -R "$user:" "$work" "/run/user/$uid"
    chmod 700 "/run/user/$uid"
    as_user_cmd=(runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" USER="$user"
      CORDON_FIXTURES="${CORDON_FIXTURES:-}" XDG_RUNTIME_DIR="/run/user/$uid" LANG=C.UTF-8)
    as_user() { "${as_user_cmd[@]}" "$@"; }
    if quiet rootless-build as_user bash -c "cd '$work/src' && meson setup '$work/build' && ninja -C '$work/build'"; then
      # From a directory the user can enter: meson test chdirs back to it.
      # Where the user can open /dev/net/tun (tests/with-user-tun.sh), so
      # that rootless networks get their pasta link as on a desktop.
      (cd "$work/src" && bash "$work/src/tests/with-user-tun.sh" "${as_user_cmd[@]}" meson test -C "$work/build" \
        --print-errorlogs --num-processes 2 --suite unit --suite rootless)
      tally "$work/build" $?
    else
      problem "build as $user"
    fi
    rm -rf "$work"
  else
    problem "useradd $user"
  fi
fi

step "unit tests under ASan+UBSan"
if build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
    meson_test build-asan unit
fi

if command -v clang >/dev/null; then
  step "fuzz targets (short runs)"
  if CC=clang build build-fuzz -Dfuzz=enabled -Db_lundef=false -Dtests=false; then
    meson_test build-fuzz fuzz
  fi
else
  step "fuzz targets: skipped, no clang"
fi

echo
for p in "${problems[@]}"; do echo "failed step: $p"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
