# SPDX-License-Identifier: Apache-2.0
# Shared by the network tests (network.sh as root, network-rootless.sh),
# sourced after lib.sh: a state root and an audit log of the test's own,
# and the shorthands both use.
STATE=$TMP/state
AUDIT=$TMP/audit.log
# c ARGS...: cordon with this test's state root.
c() { "$CORDON" --root "$STATE" "$@"; }
# r ARGS...: cordon run in the test's root, audited to the test's log.
r() { c run --audit-log "$AUDIT" --rootfs "$ROOT" "$@"; }
# ip_of NETWORK: the address of its first lease.
ip_of() { c network inspect "$1" | sed -n 's/^ *"ip": "\([0-9.]*\)",$/\1/p' | head -n 1; }
# leases NETWORK: how many sandboxes are on it.
leases() { c network inspect "$1" | grep -c '"veth"'; }
