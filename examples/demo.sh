#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# demo.sh — cordon's main job on a built-in example: build cordon, make a
# root from Debian's busybox-static, and run an untrusted program that tries
# to read a host secret, write the root, see host processes, reach a host
# service, mount, unshare and gain capabilities.  Shows each attempt and the
# result JSON.  Exits 0 when every attempt was blocked.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh build
if [ ! -f build/build.ninja ]; then meson setup build >/tmp/cordon-demo-setup.log 2>&1 || { cat /tmp/cordon-demo-setup.log; exit 1; }; fi
ninja -C build >/tmp/cordon-demo-build.log 2>&1 || { tail -40 /tmp/cordon-demo-build.log; exit 1; }
cordon=$PWD/build/cli/cordon

work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-demo.XXXXXX")
listener=
cleanup() {
  [ -n "$listener" ] && kill "$listener" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

bash examples/make-rootfs.sh "$work/root"
secret=$work/host-secret
echo "the answers to tomorrow's exam" >"$secret"
chmod 644 "$secret"
port=$((20000 + RANDOM % 20000))
busybox nc -ll -p "$port" -e /bin/true &
listener=$!
sleep 0.2

echo "== on the host, the secret is readable:"
echo "   $(cat "$secret")"
echo
echo "== cordon run --rootfs ROOT -- /bin/sh /untrusted.sh"
set +e
"$cordon" run --rootfs "$work/root" --result "$work/result.json" \
  -v "$PWD/examples/untrusted.sh:/untrusted.sh:ro" -e SECRET="$secret" -e PORT="$port" -e HOSTPID="$listener" \
  -- /bin/sh /untrusted.sh
status=$?
set -e
echo
echo "== cordon exited with $status; the result:"
cat "$work/result.json"
echo
echo "(the audit trail of each run comes with the audit log: see doc/ and the issue tracker)"
exit "$status"
