#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-all.sh — the whole test suite, as the README's second command runs it
# (as root, on a fresh Debian 12): installs what is missing, builds, then
#   1. unit tests and the root integration suite, as root;
#   2. unit tests and the rootless integration suite, as an unprivileged user
#      it creates (cordon-test), from a copy of the tree that user can read;
#   3. the unit tests again, built with ASan+UBSan;
#   4. a short run of every libFuzzer target (clang).
# It ends with one line "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
src=$PWD
passed=0
failed=0
skipped=0
problems=()

step() { printf '\n== %s\n' "$*"; }
# quiet LOG CMD...: runs CMD with its output in LOG, shown only on failure.
quiet() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 && return 0
  tail -n 40 "$log"
  return 1
}
problem() { problems+=("$1"); failed=$((failed + 1)); echo "FAILED: $1"; }

# Adds the results of one meson test run (its testlog.json) to the totals.
tally() {
  local log=$1/meson-logs/testlog.json
  [ -f "$log" ] || return 0
  local ok fail skip
  ok=$(grep -o '"result": *"\(OK\|EXPECTEDFAIL\)"' "$log" | wc -l)
  skip=$(grep -o '"result": *"SKIP"' "$log" | wc -l)
  fail=$(grep -o '"result": *"[A-Z]*"' "$log" | grep -vc '"\(OK\|EXPECTEDFAIL\|SKIP\)"')
  passed=$((passed + ok))
  skipped=$((skipped + skip))
  failed=$((failed + fail))
  rm -f "$log"
}

# meson_test BUILDDIR SUITE... [-- as USER]: runs the suites, tallies them.
meson_test() {
  local dir=$1
  shift
  local args=()
  for s in "$@"; do args+=(--suite "$s"); done
  rm -f "$dir/meson-logs/testlog.json"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${args[@]}" || true
  tally "$dir"
}

if [ "$(id -u)" = 0 ]; then
  step "installing what is missing"
  bash tools/install-deps.sh test || problem "install-deps"
fi

step "build"
if [ ! -f build/build.ninja ]; then quiet /tmp/cordon-setup.log meson setup build || problem "meson setup build"; fi
ninja -C build || problem "build"

step "unit and integration tests as $(id -un)"
if [ "$(id -u)" = 0 ]; then
  meson_test build unit root
else
  meson_test build unit rootless
fi

if [ "$(id -u)" = 0 ]; then
  step "unit and rootless integration tests as an unprivileged user"
  user=cordon-test
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user" || problem "useradd $user"
  uid=$(id -u "$user")
  work=/var/tmp/cordon-rootless
  rm -rf "$work"
  mkdir -p "$work/src"
  tar --exclude='./build*' -cf - . | tar -xf - -C "$work/src"
  chown -R "$user:" "$work"
  mkdir -p "/run/user/$uid" && chown "$user:" "/run/user/$uid" && chmod 700 "/run/user/$uid"
  as_user() { runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$(getent passwd "$user" | cut -d: -f6)" \
    XDG_RUNTIME_DIR="/run/user/$uid" LANG=C.UTF-8 "$@"; }
  if quiet /tmp/cordon-rootless-build.log as_user bash -c "cd '$work/src' && meson setup '$work/build' && ninja -C '$work/build'"; then
    as_user bash -c "cd '$work/src' && meson test -C '$work/build' --print-errorlogs --num-processes 2 --suite unit --suite rootless" || true
    tally "$work/build"
  else
    problem "rootless build"
  fi
  rm -rf "$work"
fi

step "unit tests under ASan+UBSan"
if [ ! -f build-asan/build.ninja ]; then
  quiet /tmp/cordon-asan-setup.log meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug || problem "meson setup build-asan"
fi
if quiet /tmp/cordon-asan-build.log ninja -C build-asan; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson_test build-asan unit
else
  problem "ASan build"
fi

if command -v clang >/dev/null; then
  step "fuzz targets (short runs)"
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang quiet /tmp/cordon-fuzz-setup.log meson setup build-fuzz -Dfuzz=enabled -Db_lundef=false -Dtests=false \
      || problem "meson setup build-fuzz"
  fi
  if quiet /tmp/cordon-fuzz-build.log ninja -C build-fuzz; then
    meson_test build-fuzz fuzz
  else
    problem "fuzz build"
  fi
fi

echo
for p in "${problems[@]}"; do echo "failed step: $p"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
