#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bridge networks (issue 7) as a Docker user drives them: network create,
# ls, inspect, rm, prune; two sandboxes on a user network reach each other
# by name; networks cannot reach each other; an internal network has no way
# out; teardown after stop and after kill -9 of a monitor; 50 concurrent
# starts get 50 addresses; --network none stays loopback only; two state
# roots' default networks on one host; -p against the host's own listeners;
# network connect and disconnect of a running sandbox.  The only
# targets are sandboxes and a "remote host" namespace this test makes.
. "$(dirname "$0")/lib.sh"
make_root

. "$(dirname "$0")/network-lib.sh"

# --network none (the default) is loopback only, root or not.
expect_eq "--network none: loopback only" "lo" "$(r -- sh -c 'ls /sys/class/net' | tr '\n' ' ' | sed 's/ $//')"

if ! is_root; then
  skip "the rest is root's: tests/integration/network-rootless.sh covers rootless networks"
  finish
  exit
fi

REMOTE=cordon-test-remote-$$
# A second state root, as a second cordon user of this host would have.
STATE2=$TMP/state2
c2() { "$CORDON" --root "$STATE2" "$@"; }
_net_cleanup() {
  local st def
  for st in "$STATE" "$STATE2"; do
    "$CORDON" --root "$st" ps -aq 2>/dev/null | while read -r id; do "$CORDON" --root "$st" rm -f "$id" >/dev/null 2>&1; done
    "$CORDON" --root "$st" network prune -f >/dev/null 2>&1
    # prune keeps the default network, as Docker does; this test's goes.
    def=$("$CORDON" --root "$st" network inspect bridge 2>/dev/null | sed -n 's/^ *"id": "\([0-9a-f]\{8\}\).*/\1/p' | head -n 1)
    if [ -n "$def" ]; then
      ip link del "cbr-$def" 2>/dev/null
      nft delete table inet "cordon-$def" 2>/dev/null
    fi
  done
  # The servers' nc outlive their killed shells: end all the namespace has.
  ip netns pids "$REMOTE" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$REMOTE" 2>/dev/null
  ip link del "cvt-$$" 2>/dev/null
  _cleanup
}
trap _net_cleanup EXIT

# create, ls, inspect.
id=$(c network create front)
expect_match "network create prints an id" '^[0-9a-f]{16}$' "$id"
bridge=cbr-${id:0:8}
check "the bridge exists" ip link show "$bridge"
expect_match "network ls lists it, with its gateway" "^${id:0:12} +front +bridge +10\.[0-9.]+\.0/24 +10\.[0-9.]+\.1 +false$" "$(c network ls)"
expect_match "network create twice: Docker's message" "network with name front already exists" "$(c network create front 2>&1)"
expect_match "a reserved name is refused" "reserved" "$(c network create host 2>&1)"
expect_match "a bad subnet is refused" "expected an IPv4 network" "$(c network create --subnet 10.1.2.3/24 bad 2>&1)"
c network create back >/dev/null
c network create --internal inside >/dev/null

# Two sandboxes on one network, by name; the server is detached.
srv=$(r -d --name web --network front --dns-name www -- sh -c 'while true; do echo hello-web | nc -l -p 8080; done')
expect_match "a detached server on front" '^[0-9a-f]{64}$' "$srv"
sleep 0.3
expect_match "inspect shows its lease" '"web"' "$(c network inspect front)"
expect_eq "a client reaches it by name" hello-web "$(r --network front -- nc -w 3 web 8080 2>&1)"
expect_eq "and by its --dns-name" hello-web "$(r --network front -- nc -w 3 www 8080 2>&1)"
hosts=$(r --network front --add-host db:192.0.2.99 -- cat /etc/hosts)
expect_match "/etc/hosts names the server" "10\.[0-9.]+	web	www" "$hosts"
expect_match "/etc/hosts has --add-host" "192\.0\.2\.99	db" "$hosts"
expect_match "/etc/hosts is read-only inside" "Read-only|read-only|Permission" "$(r --network front -- sh -c 'echo x >> /etc/hosts' 2>&1)"
sub=$(c network inspect front | sed -n 's/^ *"subnet": "\([0-9.]*\)\.0\/24",$/\1/p')
expect_match "--ip gives that address" "inet $sub\.77/24" "$(r --network front --ip "$sub.77" -- ip -o -4 addr show eth0)"
expect_match "--ip in use is refused" "in use" "$(r --network front --ip "$(ip_of front)" -- true 2>&1)"
expect_match "the default bridge network has no names" "bad address|can't resolve|unknown host" \
  "$(r --network bridge -- nc -w 2 web 8080 2>&1)"
expect_match "--dns-name on the default network is refused" "user defined networks only" \
  "$(r --network bridge --dns-name x -- true 2>&1)"

# Isolation: another network cannot reach the server, even by address.
webip=$(ip_of front)
out=$(r --network back -- sh -c "nc -w 2 $webip 8080 || echo unreachable" 2>&1)
expect_match "another network cannot reach it" "unreachable" "$out"
out=$(r --network inside -- sh -c "nc -w 2 $webip 8080 || echo unreachable" 2>&1)
expect_match "an internal network cannot reach it" "unreachable" "$out"
expect_eq "an internal network has no default route" "" "$(r --network inside -- ip route | grep default)"

# A "remote host": a namespace of this test's, with a server.
ip netns add "$REMOTE"
ip link add "cvt-$$" type veth peer name eth0 netns "$REMOTE"
ip addr add 198.18.77.1/30 dev "cvt-$$"
ip link set "cvt-$$" up
ip -n "$REMOTE" addr add 198.18.77.2/30 dev eth0
ip -n "$REMOTE" link set eth0 up
ip -n "$REMOTE" link set lo up
ip netns exec "$REMOTE" "$ROOT/bin/busybox" sh -c 'while true; do echo remote | nc -l -p 9090; done' >/dev/null 2>&1 &
_bg_pids+=($!)
sleep 0.3
# Egress is denied unless the profile allows it: a profile that does.
printf '{"name": "online", "inherits": "default", "network": {"egress": "allow"}}\n' >"$TMP/online.json"
online() { r --profile "$TMP/online.json" "$@"; }
expect_eq "a user network reaches out (masquerade)" remote "$(online --network back -- nc -w 3 198.18.77.2 9090 2>&1)"
out=$(r --network inside -- sh -c 'nc -w 2 198.18.77.2 9090 || echo no-way-out' 2>&1)
expect_match "--internal: no way out" "no-way-out" "$out"

# --egress-allow: a table in the sandbox's own namespace.  A second server
# port in the remote host is reachable without a policy, refused with one.
ip netns exec "$REMOTE" "$ROOT/bin/busybox" sh -c 'while true; do echo other | nc -l -p 9091; done' >/dev/null 2>&1 &
_bg_pids+=($!)
sleep 0.3
expect_eq "a profile that allows egress reaches anything" other "$(online --network back -- nc -w 3 198.18.77.2 9091 2>&1)"
EAUDIT=$TMP/egress.log
re() { c run --audit-log "$EAUDIT" --rootfs "$ROOT" "$@"; }
out=$(re --network back -- sh -c 'nc -w 2 198.18.77.2 9091 || echo refused' 2>&1)
expect_match "by default (the default profile) egress is refused" "refused" "$out"
expect_match "and audited" '"event":"policy-denied".*"destination":"198\.18\.77\.2","protocol":"tcp","port":9091' \
  "$(cat "$EAUDIT")"
expect_match "the sandboxes of its own network are not egress" hello-web "$(re --network front -- nc -w 3 web 8080 2>&1)"
out=$(re --network front -- sh -c "nc -w 2 $(r --network front -- ip route | sed -n 's/^default via \([0-9.]*\).*/\1/p') 22 || echo refused" 2>&1)
expect_match "its gateway (the host) is" "refused" "$out"
expect_eq "--egress-allow narrows an allowing profile too" refused \
  "$(online --network back --egress-allow 198.18.77.2:9090 -- sh -c 'nc -w 2 198.18.77.2 9091 >/dev/null 2>&1 || echo refused')"
expect_eq "--egress-allow IP:PORT: the allowed destination connects" remote \
  "$(re --network back --egress-allow 198.18.77.2:9090 -- nc -w 3 198.18.77.2 9090 2>&1)"
out=$(re --network back --egress-allow 198.18.77.2:9090 -- sh -c 'nc -w 2 198.18.77.2 9091 || echo refused' 2>&1)
expect_match "another port is refused" "refused" "$out"
expect_match "the audit log has policy-denied with destination and port" \
  '"event":"policy-denied".*"destination":"198\.18\.77\.2","protocol":"tcp","port":9091' "$(cat "$EAUDIT")"
expect_match "and a summary count" '"event":"policy-denied-summary".*"denied_packets":[1-9]' "$(cat "$EAUDIT")"
out=$(re --network back --egress-allow 198.18.77.2:9090 -- sh -c 'nc -w 2 198.18.77.1 9090 || echo refused' 2>&1)
expect_match "another address is refused" "refused" "$out"
expect_match "its record names that address" '"destination":"198\.18\.77\.1","protocol":"tcp","port":9090' "$(cat "$EAUDIT")"
expect_eq "--egress-allow CIDR allows every port there" other \
  "$(re --network back --egress-allow 198.18.77.0/30 -- nc -w 3 198.18.77.2 9091 2>&1)"
expect_eq "--egress-allow HOST:PORT is resolved at start" remote \
  "$(re --network back --add-host x:1.1.1.1 --egress-allow localhost:1 --egress-allow 198.18.77.2:9090 -- nc -w 3 198.18.77.2 9090 2>&1)"
out=$(re --network back --egress-allow 198.18.77.2:9090 -- sh -c 'timeout 3 nslookup example 198.18.77.2; echo done' 2>&1)
expect_match "UDP elsewhere (DNS too, unless allowed) is refused" '"protocol":"udp","port":53' "$(cat "$EAUDIT")"
# No IPv6 on bridge networks: an IPv6 destination has no route, and the
# table drops IPv6 too (it matches every family); an IPv6 allow is refused.
expect_match "--egress-allow of IPv6 is refused" "IPv6 is not supported" \
  "$(re --network back --egress-allow '[2001:db8::1]:80' -- true 2>&1)"
out=$(re --network back --egress-allow 198.18.77.2:9090 -- sh -c 'nc -w 2 2001:db8::1 80 || echo refused' 2>&1)
expect_match "an IPv6 destination is refused" "refused" "$out"
# Raw sockets: the workload has no CAP_NET_RAW (the bounding set drops it),
# so ping cannot open one at all; the table could not be bypassed anyway
# (output hook sees raw packets too).
out=$(re --network back --egress-allow 198.18.77.2:9090 -- sh -c 'ping -c 1 -W 1 198.18.77.2 || echo refused' 2>&1)
expect_match "raw sockets (ping) are refused" "refused" "$out"
expect_match "the workload cannot change the policy (no CAP_NET_ADMIN)" "not permitted|Permission denied" \
  "$(re --network back --egress-allow 198.18.77.2:9090 -- ip link set eth0 down 2>&1)"
# Detached: the monitor holds the namespace and audits when it is stopped.
d=$(re -d --network back --egress-allow 198.18.77.2:9090 -- sh -c 'nc -w 2 198.18.77.2 9092; sleep 1000')
sleep 1
c stop "$d" >/dev/null
expect_match "a detached sandbox's refusals are audited at stop" \
  "\"event\":\"policy-denied\",\"sandbox\":\"$d\".*\"port\":9092" "$(cat "$EAUDIT")"
expect_match "--egress-allow without a bridge network is refused" "need --network bridge or NAME" \
  "$(re --egress-allow 198.18.77.2:9090 -- true 2>&1)"
expect_match "a bad --egress-allow is refused" "expected" "$(re --network back --egress-allow 198.18.77.2:0 -- true 2>&1)"

# network connect / disconnect: a sandbox on `back` joins `front`, where
# the server is, by name both ways; the first network keeps the route.
cl=$(r -d --name joiner --network back -- sleep 1000)
sleep 0.3
expect_eq "network connect succeeds" "" "$(c network connect --alias jn front joiner 2>&1)"
expect_match "the sandbox has eth1 on the second network" "eth1 +inet 10\." "$(c exec joiner ip -o -4 addr show eth1)"
expect_match "the first network keeps the default route" "default via [0-9.]+ dev eth0" "$(c exec joiner ip route)"
expect_eq "it reaches the server on the new network by name" hello-web "$(c exec joiner nc -w 3 web 8080 2>&1)"
expect_match "its /etc/hosts names both its addresses and the server" "joiner.*jn" "$(c exec joiner cat /etc/hosts)"
expect_match "the server resolves it by name" "10\.[0-9.]+	joiner	jn" "$(c exec web cat /etc/hosts)"
insp=$(c inspect joiner)
expect_match "inspect shows both networks" '"networks":\["back","front"\]' "$(printf '%s' "$insp" | tr -d '\n ')"
expect_match "connect twice: Docker's message" "endpoint with name joiner already exists in network front" \
  "$(c network connect front joiner 2>&1)"
expect_match "connect to an unknown network is refused" "not found" "$(c network connect nosuchnet joiner 2>&1)"
expect_match "connect to host is refused" "cannot be disconnected from host network or connected to host network" \
  "$(c network connect host joiner 2>&1)"
nn=$(r -d -- sleep 1000)
expect_match "a --network none sandbox cannot connect" "private \(none\) mode" "$(c network connect front "$nn" 2>&1)"
c rm -f "$nn" >/dev/null
st=$(r -d --name stopped --network back -- true)
c wait "$st" >/dev/null 2>&1
expect_match "a sandbox that is not running cannot connect" "is not running" "$(c network connect front stopped 2>&1)"
c rm -f stopped >/dev/null
expect_match "audit: network-connect" '"event":"network-connect".*"network":"front".*"interface":"eth1"' "$(cat "$AUDIT")"
expect_eq "network disconnect succeeds" "" "$(c network disconnect front joiner 2>&1)"
out=$(c exec joiner sh -c 'nc -w 2 '"$webip"' 8080 || echo cut' 2>&1)
expect_match "disconnect cuts it off" "cut" "$out"
expect_eq "its eth1 is gone" "" "$(c exec joiner ip -o link show eth1 2>/dev/null)"
expect_eq "the server no longer names it" "" "$(c exec web cat /etc/hosts | grep joiner)"
expect_match "disconnect twice is refused" "is not connected to network front" "$(c network disconnect front joiner 2>&1)"
expect_match "audit: network-disconnect" '"event":"network-disconnect".*"network":"front"' "$(cat "$AUDIT")"
expect_match "inspect shows the one left" '"networks":\["back"\]' "$(c inspect joiner | tr -d '\n ')"
# Leaving the first network: its /etc/hosts (that network's file) follows.
c network connect front joiner
c network disconnect back joiner
expect_match "after leaving the first network /etc/hosts still follows" "	web	www" "$(c exec joiner cat /etc/hosts)"
expect_eq "and the server is reachable" hello-web "$(c exec joiner nc -w 3 web 8080 2>&1)"
# --restart: the connected network comes back in the new namespace.
rs=$(r -d --name again --restart on-failure:1 --network back -- sh -c 'sleep 4; exit 1')
sleep 0.3
c network connect front again
for _ in $(seq 80); do c inspect again | grep -q '"restart_count": 1' && break; sleep 0.1; done
sleep 0.3
expect_match "after a restart, the connected network is back" "eth1 +inet 10\." "$(c exec again ip -o -4 addr show eth1)"
expect_eq "and the server is reached by name there" hello-web "$(c exec again nc -w 3 web 8080 2>&1)"
c rm -f again >/dev/null
c rm -f joiner >/dev/null
expect_eq "rm: the connected lease is gone" "" "$(grep -o joiner "$STATE/networks/front/ipam.json")"

# Teardown after stop: the veth, the lease and the hosts file go.
c stop web >/dev/null
expect_eq "stop: no lease left" 0 "$(leases front)"
expect_eq "stop: no veth left on the bridge" "" "$(ip -o link show master "$bridge" 2>/dev/null)"
expect_eq "stop: no hosts file left" "" "$(ls "$STATE/networks/front/hosts.d")"
expect_match "the audit log has the runs" '"network"' "$(cat "$AUDIT")"

# Teardown after kill -9 of a monitor.
k=$(r -d --name victim --network front -- sleep 1000)
mon=$(c inspect "$k" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')
kill -9 "$mon"
for _ in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
expect_eq "kill -9: the lease is left behind" 1 "$(grep -c victim "$STATE/networks/front/ipam.json")"
expect_match "kill -9: the next run starts and reuses nothing taken" hello \
  "$(r --network front --dns-name victim -- echo hello 2>&1)"
expect_eq "kill -9: the stale lease is gone" 0 "$(grep -c victim "$STATE/networks/front/ipam.json")"
k=$(r -d --name victim2 --network back -- sleep 1000)
c network connect front victim2
cveth=$(c network inspect front | sed -n 's/^ *"veth": "\(cve-[0-9a-f]*\)",$/\1/p' | grep -v "${k:0:10}")
expect_match "a connected veth is named apart" '^cve-[0-9a-f]{10}$' "$cveth"
mon=$(c inspect "$k" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')
kill -9 "$mon"
for _ in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
c network prune -f >/dev/null
expect_eq "prune: no veth left after kill -9" "" "$(ip -o link show | grep -o 'cve-[0-9a-f]*' | grep "${k:0:10}")"
expect_eq "prune: no connected veth left after kill -9" "" "$(ip -o link show | grep -o "$cveth")"
expect_eq "prune removes the unused networks" "bridge" "$(c network ls -q | tr '\n' ' ' | sed 's/ $//')"
expect_eq "prune removes their bridges" "" "$(ip -o link show "$bridge" 2>/dev/null)"
# A table left without its bridge (a killed rm, a lost state root) would
# still masquerade its old subnet for whichever network takes it next.
nft add table inet cordon-0badc0de
c network prune -f >/dev/null
expect_eq "prune removes a network table whose bridge is gone" "" "$(nft list tables | grep cordon-0badc0de)"
c network create front >/dev/null
expect_match "and the next run works" "inet 10\." "$(r --network front -- ip -o -4 addr show eth0)"

# Two state roots on one host, each with a sandbox on its default network
# at once: the second default network takes a /16 the first's bridge does
# not route, and the two reach their own gateway, not each other.
sub_of() { "$CORDON" --root "$1" network inspect bridge | sed -n 's/^ *"subnet": "\(.*\)",$/\1/p'; }
gw_of() { "$CORDON" --root "$1" network inspect bridge | sed -n 's/^ *"gateway": "\(.*\)",$/\1/p'; }
br_of() { "$CORDON" --root "$1" network inspect bridge | sed -n 's/^ *"bridge": "\(.*\)",$/\1/p'; }
d1=$(r -d --network bridge -- sh -c 'while true; do echo root-one | nc -l -p 8080; done')
d2=$(c2 run --rootfs "$ROOT" -d --network bridge -- sleep 1000)
sub1=$(sub_of "$STATE") sub2=$(sub_of "$STATE2")
expect_match "default network: a /16 of 10.212 to 10.223 (not 10.213)" '^10\.2(1[24-9]|2[0-3])\.0\.0/16$' "$sub1"
expect_match "a second state root's default network too" '^10\.2(1[24-9]|2[0-3])\.0\.0/16$' "$sub2"
check "the two default networks have different subnets" [ "$sub1" != "$sub2" ]
check "and different bridges" [ "$(br_of "$STATE")" != "$(br_of "$STATE2")" ]
expect_eq "each subnet has one host route, through its own bridge" "$(br_of "$STATE2")" \
  "$(ip -4 route show "$sub2" | sed -n 's/.* dev \([^ ]*\) .*/\1/p')"
expect_match "network ls shows the default network's subnet and gateway" \
  "bridge +bridge +${sub2//./\\.} +$(gw_of "$STATE2" | sed 's/\./\\./g') +false" "$(c2 network ls)"
GP=$((20005 + $$ % 20000))
bg "$ROOT/bin/busybox" nc -ll -p "$GP" -e "$ROOT/bin/busybox" echo host-gw
sleep 0.3
expect_eq "state root 1's sandbox reaches its gateway" host-gw \
  "$(r --network bridge --egress-allow "$(gw_of "$STATE"):$GP" -- nc -w 3 "$(gw_of "$STATE")" "$GP" 2>&1)"
expect_eq "state root 2's sandbox reaches its gateway" host-gw \
  "$(c2 run --rootfs "$ROOT" --network bridge --egress-allow "$(gw_of "$STATE2"):$GP" -- nc -w 3 "$(gw_of "$STATE2")" "$GP" 2>&1)"
ip1=$(ip_of bridge)
expect_eq "state root 1's sandbox serves its own network" root-one "$(r --network bridge -- nc -w 3 "$ip1" 8080 2>&1)"
out=$(c2 run --rootfs "$ROOT" --network bridge -- sh -c "nc -w 2 $ip1 8080 || echo unreachable" 2>&1)
expect_match "state root 2's sandbox cannot reach state root 1's" "unreachable" "$out"
c rm -f "$d1" >/dev/null
c2 rm -f "$d2" >/dev/null
expect_eq "both gave their leases back" "0 0" "$(leases bridge) $(c2 network inspect bridge | grep -c '"veth"')"

# Published ports: a detached TCP and UDP server answers on 127.0.0.1.
# A user network, as the tests above left the default network's address
# ranges to the two state roots.
HP=$((20000 + $$ % 20000))
c network create pub2 >/dev/null
c network create --internal pubin >/dev/null
cp "$PROBE" "$ROOT/bin/cordon-probe"
pub=$(r -d --network front -p "$HP:8080" -p "$HP:8081/udp" -- \
  sh -c 'cordon-probe udp-echo 8081 & while true; do echo hello-pub | nc -l -p 8080; done')
sleep 0.3
expect_eq "-p: TCP answers on 127.0.0.1:HOSTPORT" hello-pub "$(timeout 5 "$ROOT/bin/busybox" nc -w 3 127.0.0.1 "$HP" </dev/null 2>&1)"
udp_ask() { (exec 3<>"/dev/udp/127.0.0.1/$1" && echo "$2" >&3 && timeout 3 head -c 9 <&3) 2>/dev/null; }
expect_eq "-p: UDP answers on 127.0.0.1:HOSTPORT" udp-ping1 "$(udp_ask "$HP" ping1)"
expect_match "-p: the sandbox's table has the DNAT rules" "dnat to 10\\.[0-9.]+:8080" "$(nft list table ip "cordon-p-${pub:0:10}")"
expect_match "-p: a taken host port is refused" "already published" "$(r --network pub2 -p "$HP:9999" -- true 2>&1)"
expect_match "-p: on an internal network is refused" "internal" "$(r --network pubin -p "$((HP + 1)):80" -- true 2>&1)"
expect_match "-p: a bad argument is refused" "expected" "$(r --network front -p 80 -- true 2>&1)"
expect_match "-p needs a bridge network" "need --network" "$(r -p "$HP:80" -- true 2>&1)"
fid=$(c network inspect front | sed -n 's/^ *"id": "\([0-9a-f]\{8\}\).*/\1/p' | head -n 1)
expect_eq "-p on loopback turns on route_localnet on the bridge" 1 "$(cat "/proc/sys/net/ipv4/conf/cbr-$fid/route_localnet")"
expect_match "and the bridge drops what a sandbox sends to 127.0.0.0/8" "iifname \"cbr-$fid\" ip daddr 127\\.0\\.0\\.0/8 drop" \
  "$(nft list table inet "cordon-$fid")"
c stop "$pub" >/dev/null
expect_eq "-p: after stop the rules are gone" "" "$(nft list tables | grep "cordon-p-${pub:0:10}")"
expect_match "-p: after stop the port no longer answers" "refused|timed out" \
  "$(timeout 5 "$ROOT/bin/busybox" nc -w 2 127.0.0.1 "$HP" </dev/null 2>&1)"
pub=$(r -d --network front -p "$HP:8080" -- sleep 1000)
mon=$(c inspect "$pub" | sed -n 's/^ *"monitor_pid": \([0-9]*\),$/\1/p')
kill -9 "$mon"
for _ in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
c network prune -f >/dev/null
c network create front >/dev/null
expect_eq "-p: prune removes a killed monitor's rules" "" "$(nft list tables | grep "cordon-p-${pub:0:10}")"
expect_match "-p: and its host port is free again" "^[0-9a-f]{64}$" "$(r -d --network front -p "$HP:8080" -- sleep 1000)"
c ps -q | while read -r id; do c rm -f "$id" >/dev/null; done

# -p and the host's own processes: a host port a host process listens on
# is refused, not silently shadowed; a host port a sandbox publishes is
# held (bound by its monitor), so no host process can take it meanwhile.
HP2=$((HP + 2))
bg "$ROOT/bin/busybox" nc -ll -p "$HP2" -e "$ROOT/bin/busybox" echo host-process
sleep 0.3
out=$(r --network front -p "$HP2:8080" -- true 2>&1)
rc=$?
expect_match "-p: a host port a host process listens on is refused" "host port 127\.0\.0\.1:$HP2/tcp: Address already in use" "$out"
expect_eq "with exit code 125" 125 "$rc"
out=$(r --network front -p "0.0.0.0:$HP2:8080" -- true 2>&1)
expect_match "-p 0.0.0.0: refused too" "host port 0\.0\.0\.0:$HP2/tcp: Address already in use" "$out"
expect_eq "the host process still answers" host-process "$(timeout 5 "$ROOT/bin/busybox" nc -w 3 127.0.0.1 "$HP2" </dev/null 2>&1)"
expect_eq "the refused run left no lease" 0 "$(leases front)"
kill "${_bg_pids[-1]}"
sleep 0.3
HP3=$((HP + 3))
pub=$(r -d --network front -p "$HP3:8080" -- sh -c 'while true; do echo hello-held | nc -l -p 8080; done')
sleep 0.3
expect_eq "-p: the sandbox answers" hello-held "$(timeout 5 "$ROOT/bin/busybox" nc -w 3 127.0.0.1 "$HP3" </dev/null 2>&1)"
out=$(timeout 3 "$ROOT/bin/busybox" nc -l -p "$HP3" 2>&1)
rc=$?
expect_match "-p: while published, a host process cannot listen on the port" "in use" "$out"
check "(it failed at once, not listening)" [ "$rc" != 124 ]
expect_match "-p: nor another state root's sandbox publish it" "Address already in use" \
  "$(c2 run --rootfs "$ROOT" --network bridge -p "$HP3:80" -- true 2>&1)"
c stop "$pub" >/dev/null
timeout 1 "$ROOT/bin/busybox" nc -l -p "$HP3" >/dev/null 2>&1
expect_eq "-p: after stop the host port is free (a listener waits)" 124 "$?"

# 50 concurrent starts, 50 addresses.
got=$(distinct_addresses 50 r --network front -- sh -c 'ip -o -4 addr show eth0; sleep 1')
expect_eq "50 concurrent starts got 50 distinct addresses" 50 "$got"
expect_eq "and gave them all back" 0 "$(leases front)"
expect_match "network rm" "^front$" "$(c network rm front)"
expect_match "network rm of the default network is refused" "pre-defined" "$(c network rm bridge 2>&1)"
finish
