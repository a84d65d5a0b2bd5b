#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bridge networks rootless (issue 7): the courses' examples as an ordinary
# user.  The bridges live in a network namespace cordon owns for the user,
# held by cordon-netns; published ports go through cordon-ports.  The only
# targets are sandboxes, the holder's own namespace (a server on the
# bridge's gateway address stands in for a remote host) and 127.0.0.1.
# As root, tests/integration/network.sh covers the same in the host's
# namespace.
. "$(dirname "$0")/lib.sh"

if is_root; then
  skip "rootless networks: run by the rootless suite (network.sh covers root)"
  finish
  exit
fi
make_root

. "$(dirname "$0")/network-lib.sh"
holder_pid() { cut -d' ' -f1 "$STATE/networks/.holder" 2>/dev/null; }
# in_holder CMD...: runs CMD in the holder's namespaces, as the user.
in_holder() { nsenter --preserve-credentials -U -n -t "$(holder_pid)" "$@"; }
# bg_in_holder CMD...: the same in the background, stopped at the end.
bg_in_holder() {
  nsenter --preserve-credentials -U -n -t "$(holder_pid)" timeout 300 "$@" >/dev/null 2>&1 &
  _bg_pids+=($!)
}
# retry CMD...: CMD's output once it prints something (a detached server
# may still be starting), at most 5 s.
retry() {
  local out
  for _ in $(seq 25); do
    out=$("$@" 2>&1)
    [ -n "$out" ] && break
    sleep 0.2
  done
  printf '%s' "$out"
}
bind_host() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()' "$1"; }
wait_gone() { for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done; }

_net_cleanup() {
  c ps -aq 2>/dev/null | while read -r id; do c rm -f "$id" >/dev/null 2>&1; done
  c network prune -f >/dev/null 2>&1
  _cleanup
}
trap _net_cleanup EXIT

expect_match "cordon check: rootless bridge networks, and the outside link" \
  "bridge-networks +ok +rootless: bridges in a per-user network namespace.*outside link: (pasta|slirp4netns|none)" "$("$CORDON" check)"

# create: the bridge is in the holder's namespace, not the host's.
id=$(c network create front)
expect_match "network create prints an id" '^[0-9a-f]{16}$' "$id"
bridge=cbr-${id:0:8}
hp=$(holder_pid)
expect_match "a holder runs" '^[0-9]+$' "$hp"
expect_eq "it is cordon-netns" cordon-netns "$(cat "/proc/$hp/comm" 2>/dev/null)"
expect_eq "it is the user's" "$(id -u)" "$(stat -c %u "/proc/$hp")"
check "the bridge exists in the holder's namespace" in_holder ip link show "$bridge"
check "and not in the host's" sh -c "! ip link show $bridge 2>/dev/null"
outside=$(cut -d' ' -f3 "$STATE/networks/.holder")
link_pid=$(cut -d' ' -f4 "$STATE/networks/.holder")
if [ "$outside" != none ]; then
  expect_match "$outside links the holder's namespace out: a default route" "^default via" "$(in_holder ip route)"
  expect_match "and it runs" "pasta|passt|slirp4netns" "$(cat "/proc/$link_pid/comm" 2>/dev/null)"
  expect_match "cordon check names it" "outside link: $outside" "$("$CORDON" check)"
else
  skip "no outside link here (cordon check says why)"
fi
c network create back >/dev/null
c network create --internal inside >/dev/null
expect_eq "one holder for every network" "$hp" "$(holder_pid)"

# Two services on a user network, by name.
srv=$(r -d --name web --network front --dns-name www -- sh -c 'while true; do echo hello-web | nc -l -p 8080; done')
expect_match "a detached server on front" '^[0-9a-f]{64}$' "$srv"
sleep 0.3
expect_eq "a client reaches it by name" hello-web "$(retry r --network front -- nc -w 3 web 8080)"
expect_eq "and by its --dns-name" hello-web "$(r --network front -- nc -w 3 www 8080 2>&1)"
expect_match "/etc/hosts names the server" "10\.[0-9.]+	web	www" "$(r --network front -- cat /etc/hosts)"
webip=$(ip_of front)
out=$(r --network back -- sh -c "nc -w 2 $webip 8080 || echo unreachable" 2>&1)
expect_match "another network cannot reach it" "unreachable" "$out"
out=$(r --network inside -- sh -c "nc -w 2 $webip 8080 || echo unreachable" 2>&1)
expect_match "an internal network cannot reach it" "unreachable" "$out"
expect_eq "an internal network has no default route" "" "$(r --network inside -- ip route | grep default)"
expect_match "the default network works rootless too" "inet 10\.[0-9.]+/" "$(r --network bridge -- ip -o -4 addr show eth0)"
check "the workload has no capabilities on a network either" r --network front -- cordon-probe caps-empty
expect_match "nor CAP_NET_ADMIN to change its interface" "not permitted|Permission denied" \
  "$(r --network front -- ip link set eth0 down 2>&1)"
# network connect / disconnect, rootless: a sandbox on `back` joins `front`.
cl=$(r -d --name joiner --network back -- sleep 1000)
sleep 0.3
expect_match "exec works in a sandbox on a rootless network" "eth0 +inet 10\." "$(c exec joiner ip -o -4 addr show eth0)"
expect_eq "network connect succeeds" "" "$(c network connect --alias jn front joiner 2>&1)"
expect_match "the sandbox has eth1 on the second network" "eth1 +inet 10\." "$(c exec joiner ip -o -4 addr show eth1)"
expect_eq "it reaches the server on the new network by name" hello-web "$(retry c exec joiner nc -w 3 web 8080)"
expect_match "the server resolves it by name" "10\.[0-9.]+	joiner	jn" "$(c exec web cat /etc/hosts)"
expect_eq "network disconnect succeeds" "" "$(c network disconnect front joiner 2>&1)"
out=$(c exec joiner sh -c "nc -w 2 $webip 8080 || echo cut" 2>&1)
expect_match "disconnect cuts it off" "cut" "$out"
rs=$(r -d --name again --restart on-failure:1 --network back -- sh -c 'sleep 4; exit 1')
sleep 0.3
c network connect front again
for _ in $(seq 80); do c inspect again | grep -q '"restart_count": 1' && break; sleep 0.1; done
sleep 0.3
expect_match "after a restart, the connected network is back" "eth1 +inet 10\." "$(c exec again ip -o -4 addr show eth1)"
c rm -f again >/dev/null
c rm -f joiner >/dev/null
uid_rec=$(grep '"event":"exit"' "$AUDIT" | tail -n 1)
expect_match "the audit record names the user, not the holder's root" "\"uid\":$(id -u)," "$uid_rec"

# A "remote host": a server in the holder's namespace, on front's gateway.
gw=$(c network inspect front | sed -n 's/^ *"gateway": "\([0-9.]*\)",\{0,1\}$/\1/p' | head -n 1)
[ -n "$gw" ] || gw=$(r --network front -- ip route | sed -n 's/^default via \([0-9.]*\).*/\1/p')
bg_in_holder "$ROOT/bin/busybox" sh -c 'while true; do echo remote | nc -l -p 9090; done'
bg_in_holder "$ROOT/bin/busybox" sh -c 'while true; do echo other | nc -l -p 9091; done'
sleep 0.3
printf '{"name": "online", "inherits": "default", "network": {"egress": "allow"}}\n' >"$TMP/online.json"
expect_eq "a profile that allows egress reaches the gateway's server" other \
  "$(r --profile "$TMP/online.json" --network front -- nc -w 3 "$gw" 9091 2>&1)"
out=$(r --network front -- sh -c "nc -w 2 $gw 9091 || echo refused" 2>&1)
expect_match "by default (the default profile) egress is refused" "refused" "$out"
EAUDIT=$TMP/egress.log
re() { c run --audit-log "$EAUDIT" --rootfs "$ROOT" "$@"; }
expect_eq "--egress-allow IP:PORT: the allowed destination connects" remote \
  "$(re --network front --egress-allow "$gw:9090" -- nc -w 3 "$gw" 9090 2>&1)"
out=$(re --network front --egress-allow "$gw:9090" -- sh -c "nc -w 2 $gw 9091 || echo refused" 2>&1)
expect_match "another port is refused" "refused" "$out"
expect_match "the audit log has policy-denied with destination and port" \
  "\"event\":\"policy-denied\".*\"destination\":\"${gw//./\\.}\",\"protocol\":\"tcp\",\"port\":9091" "$(cat "$EAUDIT")"
expect_eq "the sandboxes of its own network are not egress" hello-web \
  "$(re --network front --egress-allow "$gw:9090" -- nc -w 3 "$webip" 8080 2>&1)"
out=$(re --network front --egress-allow "$gw:9090" -- sh -c 'nc -w 2 2001:db8::1 80 || echo refused' 2>&1)
expect_match "an IPv6 destination is refused" "refused" "$out"
out=$(re --network front --egress-allow "$gw:9090" -- sh -c "ping -c 1 -W 1 $gw || echo refused" 2>&1)
expect_match "raw sockets (ping) are refused" "refused" "$out"
re --network front --egress-allow "$gw:9090" -- sh -c "timeout 3 nslookup secret.tunnel.example $gw; true" >/dev/null 2>&1
expect_match "DNS to a resolver not allowed (a tunnel out) is refused and audited" \
  "\"destination\":\"${gw//./\\.}\",\"protocol\":\"udp\",\"port\":53" "$(cat "$EAUDIT")"

# Published ports: TCP and UDP on 127.0.0.1, through cordon-ports.
HP=$((20000 + $$ % 20000))
pub=$(r -d --network front -p "$HP:8080" -p "$HP:8081/udp" -- \
  sh -c 'cordon-probe udp-echo 8081 & while true; do echo hello-pub | nc -l -p 8080; done')
sleep 0.3
expect_eq "-p: TCP answers on 127.0.0.1:HOSTPORT" hello-pub "$(retry timeout 5 "$ROOT/bin/busybox" nc -w 3 127.0.0.1 "$HP" </dev/null)"
udp_ask() { (exec 3<>"/dev/udp/127.0.0.1/$1" && echo "$2" >&3 && timeout 3 head -c 9 <&3) 2>/dev/null; }
expect_eq "-p: UDP answers on 127.0.0.1:HOSTPORT" udp-ping1 "$(retry udp_ask "$HP" ping1)"
expect_eq "-p: a second UDP client gets its own answer" udp-ping2 "$(udp_ask "$HP" ping2)"
expect_match "-p: a forwarder runs" cordon-ports "$(ps -o comm= --ppid "$(c inspect "$pub" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')")"
if bind_host "$HP" 2>/dev/null; then not_ok "-p: nobody else can take the host port meanwhile"; else
  ok "-p: nobody else can take the host port meanwhile"
fi
expect_match "-p: a port given to another sandbox is refused" "already published|in use" \
  "$(r --network back -p "$HP:9999" -- true 2>&1)"
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' \
  "$((HP + 1))" &
_bg_pids+=($!)
sleep 0.3
expect_match "-p: a port a host process listens on is refused" "Address already in use" \
  "$(r --network front -p "$((HP + 1)):80" -- true 2>&1)"
expect_match "-p: on an internal network is refused" "internal" "$(r --network inside -p "$((HP + 2)):80" -- true 2>&1)"
c stop "$pub" >/dev/null
expect_match "-p: after stop the port no longer answers" "refused|timed out" \
  "$(timeout 5 "$ROOT/bin/busybox" nc -w 2 127.0.0.1 "$HP" </dev/null 2>&1)"
check "-p: and the host port is free again" bind_host "$HP"
pub=$(r -d --network front -p "$HP:8080" -- sleep 1000)
mon=$(c inspect "$pub" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')
fwd=$(ps -o pid= --ppid "$mon" | while read -r p; do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = cordon-ports ] && echo "$p"; done)
kill -9 "$mon"
wait_gone "$mon"
wait_gone "$fwd"
check "-p: kill -9 of the monitor takes the forwarder with it" sh -c "! kill -0 $fwd 2>/dev/null"
expect_match "-p: and its host port is free for the next run" "^[0-9a-f]{64}$" "$(r -d --network front -p "$HP:8080" -- sleep 1000)"

# Teardown after stop and after kill -9.
c stop web >/dev/null
c ps -q | while read -r id; do c rm -f "$id" >/dev/null; done
expect_eq "stop: no lease left" 0 "$(leases front)"
expect_eq "stop: no veth left on the bridge" "" "$(in_holder ip -o link show master "$bridge" 2>/dev/null)"
k=$(r -d --name victim --network back -- sleep 1000)
mon=$(c inspect "$k" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')
kill -9 "$mon"
wait_gone "$mon"
expect_match "kill -9: the next run starts" hello "$(r --network back --dns-name victim -- echo hello 2>&1)"

# 50 concurrent starts, 50 addresses.
got=$(distinct_addresses 50 r --network front -- sh -c 'ip -o -4 addr show eth0; sleep 1')
expect_eq "50 concurrent starts got 50 distinct addresses" 50 "$got"
expect_eq "and gave them all back" 0 "$(leases front)"

# The holder killed: the next command makes a new one, and the bridges again.
kill -9 "$hp"
wait_gone "$hp"
expect_match "holder killed: the next run works" "inet 10\.[0-9.]+/" "$(r --network front -- ip -o -4 addr show eth0)"
expect_match "with a new holder" '^[0-9]+$' "$(holder_pid)"
check "the new holder is another process" test "$(holder_pid)" != "$hp"
if [ "$outside" != none ]; then
  wait_gone "$link_pid"
  check "the killed holder's $outside is stopped" sh -c "! kill -0 $link_pid 2>/dev/null"
fi

# kill -9 of everything (holder, monitor, forwarder, sandbox): prune cleans
# what is left, and the next run may take the same port.
k=$(r -d --network back -p "$((HP + 3)):80" -- sleep 1000)
mon=$(c inspect "$k" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')
victims="$(holder_pid) $mon $(ps -o pid= --ppid "$mon" | tr '\n' ' ')"
kill -9 $victims 2>/dev/null
for p in $victims; do wait_gone "$p"; done
expect_match "kill -9 of everything: prune works" "Deleted Networks|^$" "$(c network prune -f 2>&1)"
expect_match "and the next run takes the same port" "^[0-9a-f]{64}$" \
  "$(r -d --network bridge -p "$((HP + 3)):80" -- sleep 1000 2>&1)"
c ps -aq | while read -r id; do c rm -f "$id" >/dev/null; done

# prune: the unused networks go, and with no sandbox on a network the
# holder goes too: nothing is left running.
c ps -aq | while read -r id; do c rm -f "$id" >/dev/null; done
hp=$(holder_pid)
c network prune -f >/dev/null
expect_eq "prune removes the unused networks" "bridge" "$(c network ls -q | tr '\n' ' ' | sed 's/ $//')"
wait_gone "$hp"
check "prune stops the holder" sh -c "! kill -0 $hp 2>/dev/null"
expect_match "and the next run brings it back" hello "$(r --network bridge -- echo hello 2>&1)"
c network create unused >/dev/null
hp=$(holder_pid)
expect_match "system prune removes unused networks too, as Docker's" "Deleted Networks:.*unused" \
  "$(c system prune -f 2>&1 | tr '\n' ' ')"
wait_gone "$hp"
check "and stops the holder" sh -c "! kill -0 $hp 2>/dev/null"
# The other link: slirp4netns, when chosen (CORDON_ROOTLESS_NETWORK) and
# it can run here, in a state root of its own.
if [ "$outside" != none ] && command -v slirp4netns >/dev/null && [ "${CORDON_ROOTLESS_NETWORK:-}" != slirp4netns ]; then
  S2=$TMP/state-slirp
  out=$(CORDON_ROOTLESS_NETWORK=slirp4netns "$CORDON" --root "$S2" run --rootfs "$ROOT" --network bridge -- ip route 2>&1)
  expect_match "CORDON_ROOTLESS_NETWORK=slirp4netns: a sandbox on a network" "^default via 10\." "$out"
  expect_eq "the holder is linked by slirp4netns" slirp4netns "$(cut -d' ' -f3 "$S2/networks/.holder")"
  slirp=$(cut -d' ' -f4 "$S2/networks/.holder")
  "$CORDON" --root "$S2" network prune -f >/dev/null
  wait_gone "$slirp"
  check "prune stops slirp4netns" sh -c "! kill -0 $slirp 2>/dev/null"
fi
finish
