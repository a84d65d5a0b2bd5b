#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cordon check` on the test host: it must say every required layer holds
# (exit 0), print a table a person can read, valid JSON for a program, and
# name the Landlock ABI.  Usage: check.sh /path/to/cordon
set -u

cordon=${1:?usage: check.sh CORDON}
failed=0
n=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ $# -gt 1 ] && printf '#   %s\n' "$2"; }
check () { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$cordon" check >"$tmp/table" 2>"$tmp/table.err"
rc=$?
if [ "$rc" -eq 0 ]; then ok "cordon check exits 0 on this host"; else not_ok "cordon check exits 0 on this host" "exit $rc: $(cat "$tmp/table" "$tmp/table.err")"; fi
check "table has a header" grep -q '^LAYER *STATE *DETAIL' "$tmp/table"
check "table says user-namespace ok" grep -Eq '^user-namespace +ok ' "$tmp/table"
check "table names the id mapping" grep -q 'id mapping: ' "$tmp/table"
check "table ends with the verdict" grep -q 'cordon can run sandboxes on this host' "$tmp/table"

"$cordon" check --json >"$tmp/json" 2>"$tmp/json.err"
rc=$?
if [ "$rc" -eq 0 ]; then ok "cordon check --json exits 0"; else not_ok "cordon check --json exits 0" "exit $rc: $(cat "$tmp/json.err")"; fi

if command -v python3 >/dev/null; then
  # One program reads the JSON and prints what the assertions need.
  if python3 - "$tmp/json" >"$tmp/facts" 2>"$tmp/facts.err" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
layers = {l["name"]: l for l in doc["layers"]}
for l in doc["layers"]:
    assert set(l) >= {"name", "state", "detail", "required"}, l
    assert l["state"] in ("ok", "limited", "missing"), l
    assert isinstance(l["required"], bool) and l["detail"], l
print("userns", layers["user-namespace"]["state"])
print("landlock", layers["landlock"]["detail"])
print("uid", doc["uid"])
print("idmap", doc["idmap"]["mode"])
EOF
  then
    ok "JSON parses and every layer has name, state, detail, required"
  else
    not_ok "JSON parses and every layer has name, state, detail, required" "$(cat "$tmp/facts.err")"
  fi
  check "JSON: user-namespace ok" grep -qx 'userns ok' "$tmp/facts"
  check "JSON: landlock reports an ABI number" grep -Eq '^landlock ABI [0-9]+' "$tmp/facts"
  check "JSON: uid is the caller's" grep -qx "uid $(id -u)" "$tmp/facts"
  if [ "$(id -u)" -eq 0 ]; then
    check "JSON: root maps into a range" grep -qx 'idmap root-range' "$tmp/facts"
  else
    check "JSON: rootless maps the caller" grep -Eqx 'idmap (single|subordinate)' "$tmp/facts"
  fi
else
  check "JSON is an object with layers" grep -q '"layers"' "$tmp/json"
  if grep -A1 '"name": "user-namespace"' "$tmp/json" | grep -q '"state": "ok"'; then
    ok "JSON: user-namespace ok"
  else
    not_ok "JSON: user-namespace ok"
  fi
  if grep -A2 '"name": "landlock"' "$tmp/json" | grep -Eq '"detail": "ABI [0-9]+'; then
    ok "JSON: landlock reports an ABI number"
  else
    not_ok "JSON: landlock reports an ABI number"
  fi
fi

"$cordon" check --help >"$tmp/help" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok "cordon check --help exits 0"; else not_ok "cordon check --help exits 0" "exit $rc"; fi
check "help shows the usage" grep -q '^Usage: cordon check' "$tmp/help"

"$cordon" check --bogus >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok "an unknown option is a usage error (2)"; else not_ok "an unknown option is a usage error (2)" "exit $rc"; fi

out=$("$cordon" check 2>&1)
if [ "$(id -u)" = 0 ]; then
  if printf '%s' "$out" | grep -Eq "bridge-networks +(ok|missing)"; then ok "check reports bridge networks"; else not_ok "check reports bridge networks"; fi
else
  if printf '%s' "$out" | grep -Eq "bridge-networks +ok +rootless: bridges in a per-user network namespace.*outside link: (pasta|slirp4netns|none)"; then
    ok "check says rootless networks use the per-user namespace, and which outside link"
  else not_ok "check says rootless networks use the per-user namespace, and which outside link"; fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
