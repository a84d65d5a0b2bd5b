#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# demo.sh — cordon's main job on a built-in example, the README's first
# command.  As root on a fresh Debian 12 it installs what is missing
# (tools/install-deps.sh), builds cordon, makes a root from Debian's
# busybox-static, turns it into an OCI image, signs it with a new key, shows
# that the trust policy refuses an unsigned image, and runs
# examples/untrusted.sh in the signed one: a program that tries
# to read a host secret, write the root, see and signal host processes,
# reach a host service, mount, unshare and hold capabilities.  It prints each
# attempt and the result JSON, and exits 0 when every attempt was blocked,
# 1 otherwise.  BUILDDIR (default: build) picks the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${BUILDDIR:-build}

fail() { echo "demo: $*" >&2; exit 1; }
# quiet LOG CMD...: runs CMD with its output in LOG, shown only on failure.
quiet() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 && return 0
  tail -n 40 "$log" >&2
  return 1
}

echo "== installing what is missing and building cordon"
bash tools/install-deps.sh build || fail "could not install the build dependencies"
if [ ! -f "$builddir/build.ninja" ]; then
  quiet /tmp/cordon-demo-setup.log meson setup "$builddir" || fail "meson setup failed (log above)"
fi
quiet /tmp/cordon-demo-build.log ninja -C "$builddir" || fail "the build failed (log above)"
cordon=$PWD/$builddir/cli/cordon
[ -x "$cordon" ] || fail "$cordon was not built"
"$cordon" run --help >/dev/null 2>&1 || fail "$cordon has no working 'run' command yet"

# Not under /tmp: the sandbox gets its own /tmp anyway, and the secret should
# be hidden by the sandbox's root, not by a tmpfs that happens to cover it.
work=$(mktemp -d /var/tmp/cordon-demo.XXXXXX)
listener=
cleanup() {
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo
echo "== a signed image: busybox-static as an OCI layout, imported, signed, and a policy that trusts the key"
bash examples/make-rootfs.sh "$work/root"
bash examples/make-image.sh "$work/root" "$work/layout" 1 >/dev/null
store=$work/store
"$cordon" image keygen "$work/demo.key" "$work/demo.pub"
# The build system imports what it built (it trusts its own output), then signs it.
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/build-policy.json"
"$cordon" image --store "$store" --policy "$work/build-policy.json" import --name localhost/cordon-demo/busybox:1 "oci:$work/layout:1" | sed 's/^/   imported /'
"$cordon" image --store "$store" sign --key "$work/demo.key" localhost/cordon-demo/busybox:1 | sed 's/^/   /'
"$cordon" image --store "$store" --policy "$work/build-policy.json" import --name localhost/cordon-demo/unsigned:1 "oci:$work/layout:1" >/dev/null
# What runs is decided by this policy: only images signed by demo.pub.
cat >"$work/policy.json" <<POLICY
{"default": [{"type": "reject"}],
 "transports": {"docker": {"localhost/cordon-demo/busybox": [
   {"type": "sigstoreSigned", "keyPath": "$work/demo.pub", "signedIdentity": {"type": "matchRepository"}}]}}}
POLICY
echo "   cordon run --image localhost/cordon-demo/unsigned:1 (the same bytes under a name the policy does not trust):"
if "$cordon" run --store "$store" --policy "$work/policy.json" --audit-log "$work/audit.log" \
  --image localhost/cordon-demo/unsigned:1 -- /bin/true 2>"$work/refused"; then
  fail "the policy let an unsigned image run"
fi
sed 's/^/   /' "$work/refused"
"$cordon" image --store "$store" --policy "$work/policy.json" verify localhost/cordon-demo/busybox:1 | sed 's/^/   /'

secret=$work/host-secret
echo "the answers to tomorrow's exam" >"$secret"
chmod 644 "$secret"

# A host service on loopback, which the sandbox's own network namespace must
# not reach.  -ll keeps it listening after each connection.
port=$((20000 + RANDOM % 20000))
busybox nc -ll -p "$port" -e /bin/true &
listener=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
  busybox nc -w 1 127.0.0.1 "$port" </dev/null >/dev/null 2>&1 && break
  sleep 0.1
done
hostinit=$(tr '\0' ' ' </proc/1/cmdline | sed 's/ $//')

echo
echo "== on the host, outside any sandbox:"
echo "   cat $secret: $(cat "$secret")"
if busybox nc -w 1 127.0.0.1 "$port" </dev/null >/dev/null 2>&1; then
  echo "   127.0.0.1:$port accepts connections (pid $listener)"
else
  echo "   (127.0.0.1:$port did not answer on the host either: the network line below proves less)"
fi
echo
echo "== cordon run --image localhost/cordon-demo/busybox:1 -v examples/untrusted.sh:/untrusted.sh:ro -- /bin/sh /untrusted.sh"
set +e
"$cordon" run --store "$store" --policy "$work/policy.json" --image localhost/cordon-demo/busybox:1 \
  --result "$work/result.json" --audit-log "$work/audit.log" \
  -v "$PWD/examples/untrusted.sh:/untrusted.sh:ro" \
  -e SECRET="$secret" -e PORT="$port" -e HOSTPID="$listener" -e HOSTINIT="$hostinit" \
  -- /bin/sh /untrusted.sh
status=$?
set -e

echo
echo "== the result ($work/result.json):"
if [ -s "$work/result.json" ]; then
  if command -v python3 >/dev/null; then python3 -m json.tool "$work/result.json"; else cat "$work/result.json"; echo; fi
else
  echo "   (none written)"
fi

echo
echo "== the audit trail ($work/audit.log; the default is /var/log/cordon/audit.log as root):"
"$cordon" audit show --table "$work/audit.log" | sed 's/^/   /'
"$cordon" audit verify "$work/audit.log" | sed 's/^/   /'
echo
case $status in
  0) echo "demo: every attempt was blocked" ;;
  125) echo "demo: cordon itself failed (exit status 125); see its message above" ;;
  *) echo "demo: the untrusted program exited with status $status: some attempt was not blocked" ;;
esac
[ "$status" = 0 ]
