/* SPDX-License-Identifier: Apache-2.0 */
/* netpolicy: address parsing, lease allocation, /etc/hosts text and the
 * nftables ruleset, without touching the kernel.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "netpolicy/cidr.h"
#include "netpolicy/holder.h"
#include "netpolicy/hosts.h"
#include "netpolicy/ipam.h"
#include "netpolicy/link.h"
#include "netpolicy/nft.h"
#include "netpolicy/publish.h"

Test (cidr, parse_strict)
{
  struct net_cidr c;
  uint32_t a;

  cr_assert_eq (net_parse_ipv4 ("10.1.2.3", &a), 0);
  cr_assert_eq (a, 0x0a010203u);
  cr_assert_lt (net_parse_ipv4 ("10.1.2", &a), 0);
  cr_assert_lt (net_parse_ipv4 ("10.01.2.3", &a), 0);
  cr_assert_lt (net_parse_ipv4 ("256.1.2.3", &a), 0);
  cr_assert_lt (net_parse_ipv4 ("1.2.3.4 ", &a), 0);
  cr_assert_eq (net_parse_cidr ("10.1.2.0/24", &c), 0);
  cr_assert_eq (c.prefix, 24);
  cr_assert_lt (net_parse_cidr ("10.1.2.3/24", &c), 0, "host bits");
  cr_assert_lt (net_parse_cidr ("10.0.0.0/31", &c), 0, "no room");
  cr_assert_lt (net_parse_cidr ("10.0.0.0/", &c), 0);
}

static struct network_config
test_net (bool names)
{
  struct network_config cfg = { .name = (char *)"t", .names = names };
  net_parse_cidr ("10.9.0.0/29", &cfg.subnet);
  cfg.gateway = cfg.subnet.addr + 1;
  memcpy (cfg.id, "0123456789abcdef", 17);
  strcpy (cfg.bridge, "cbr-01234567");
  return cfg;
}

static struct ipam_lease
lease (char c, const char *name)
{
  struct ipam_lease l = { .pid = 1 };
  memset (l.id, c, IPAM_ID_HEX);
  if (name)
    strv_append (&l.names, name);
  return l;
}

Test (ipam, allocates_lowest_free_and_refuses_taken)
{
  struct network_config cfg = test_net (true);
  struct cordon_error err = { 0 };
  struct ipam_table t = { 0 };
  struct ipam_lease l;

  /* /29: .2 to .6 are hosts (.1 gateway, .7 broadcast).  */
  for (char c = 'a'; c < 'f'; c++)
    {
      l = lease (c, NULL);
      cr_assert_eq (ipam_add (&cfg, &t, &l, &err), 0, "%s", err.msg);
    }
  cr_assert_eq (t.leases[0].ip & 0xff, 2);
  cr_assert_eq (t.leases[4].ip & 0xff, 6);
  l = lease ('f', NULL);
  cr_assert_eq (ipam_add (&cfg, &t, &l, &err), -ENOSPC);
  cordon_error_release (&err);
  cr_assert (ipam_remove (&t, t.leases[1].id));
  l = lease ('f', "web");
  cr_assert_eq (ipam_add (&cfg, &t, &l, &err), 0);
  cr_assert_eq (t.leases[t.n - 1].ip & 0xff, 3, "the freed address is reused");
  l = lease ('1', "WEB");
  net_parse_ipv4 ("10.9.0.9", &l.ip);
  cr_assert_lt (ipam_add (&cfg, &t, &l, &err), 0, "a name is taken case-insensitively");
  cordon_error_release (&err);
  ipam_lease_release (&l);
  ipam_release (&t);
}

Test (ipam, round_trip_and_hosts)
{
  struct network_config cfg = test_net (true);
  struct cordon_error err = { 0 };
  struct ipam_table t = { 0 }, back;
  struct ipam_lease a = lease ('a', "web"), b = lease ('b', "client");
  char *json, *hosts;
  size_t len;

  strv_append (&b.hosts, "db:192.0.2.9");
  cr_assert_eq (ipam_add (&cfg, &t, &a, &err), 0);
  cr_assert_eq (ipam_add (&cfg, &t, &b, &err), 0);
  cr_assert_eq (ipam_to_json (&t, &json, &len, &err), 0);
  cr_assert_eq (ipam_parse (json, len, &back, &err), 0, "%s", err.msg);
  cr_assert_eq (back.n, 2);
  struct hosts_view v = { &cfg, &back };
  cr_assert_eq (hosts_render (&v, 1, back.leases[1].id, &hosts, &len, &err), 0);
  cr_assert_not_null (strstr (hosts, "10.9.0.2\tweb\n"));
  cr_assert_not_null (strstr (hosts, "10.9.0.3\tclient\n"));
  cr_assert_not_null (strstr (hosts, "192.0.2.9\tdb\n"));
  free (hosts);
  cfg.names = false;
  cr_assert_eq (hosts_render (&v, 1, back.leases[1].id, &hosts, &len, &err), 0);
  cr_assert_null (strstr (hosts, "web"), "no names on the default network");
  free (hosts);
  free (json);
  ipam_release (&back);
  ipam_release (&t);
}

Test (ipam, refuses_planted_entries)
{
  struct cordon_error err = { 0 };
  struct ipam_table t;
  const char *bad[] = {
    "{\"leases\":[{\"ip\":\"10.0.0.2\",\"id\":\"x\",\"pid\":1}]}",
    "{\"leases\":[{\"ip\":\"10.0.0.2\",\"id\":\""
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "\",\"names\":[\"a\\nb\"],\"pid\":1}]}",
    "{\"leases\":[{\"ip\":\"10.0.0.2\",\"id\":\""
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "\",\"hosts\":[\"x:1.2.3.4\\n5.6.7.8 evil\"],\"pid\":1}]}",
  };

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      cr_assert_lt (ipam_parse (bad[i], strlen (bad[i]), &t, &err), 0, "%zu", i);
      cordon_error_release (&err);
    }
}

Test (nft, ruleset_per_network)
{
  struct network_config cfg = test_net (true);
  struct cordon_error err = { 0 };
  char *text;

  cr_assert_eq (nft_ruleset_render (&cfg, true, &text, &err), 0);
  cr_assert_not_null (strstr (text, "table inet cordon-01234567 {"));
  cr_assert_not_null (strstr (text, "ip saddr 10.9.0.0/29 oifname != \"cbr-01234567\" masquerade"));
  free (text);
  cfg.internal = true;
  cr_assert_eq (nft_ruleset_render (&cfg, true, &text, &err), 0);
  cr_assert_null (strstr (text, "masquerade"), "an internal network has no way out");
  cr_assert_not_null (strstr (text, "oifname \"cbr-01234567\" iifname != \"cbr-01234567\" drop"));
  free (text);
}

Test (publish, parse_and_format)
{
  struct cordon_error err = { 0 };
  struct net_port p, q;
  char buf[PUBLISH_STRLEN];

  cr_assert_eq (publish_parse ("8080:80", &p, &err), 0);
  publish_format (&p, buf);
  cr_assert_str_eq (buf, "127.0.0.1:8080:80/tcp", "loopback unless asked");
  cr_assert_eq (publish_parse ("0.0.0.0:53:5353/udp", &q, &err), 0);
  publish_format (&q, buf);
  cr_assert_str_eq (buf, "0.0.0.0:53:5353/udp");
  cr_assert_eq (publish_parse ("127.0.0.1:8080:81", &q, &err), 0);
  cr_assert (publish_conflict (&p, &q));
  cr_assert_eq (publish_parse ("8080:80/udp", &q, &err), 0);
  cr_assert (!publish_conflict (&p, &q), "tcp and udp are apart");
  cr_assert_eq (publish_parse ("0.0.0.0:8080:80", &q, &err), 0);
  cr_assert (publish_conflict (&p, &q), "every address includes loopback");
  static const char *const bad[] = { "80",         "0:80",     "70000:80", "1:2:3:4", "x:80:80",
                                     "80:80/sctp", "80-90:80", ":80:80",   "80:",     "\"; flush ruleset;:1:2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      cr_assert_lt (publish_parse (bad[i], &p, &err), 0, "%s", bad[i]);
      cordon_error_release (&err);
    }
}

Test (publish, ipam_refuses_taken_port)
{
  struct cordon_error err = { 0 };
  struct ipam_table t = { 0 };
  const char *json = "{\"leases\":[{\"ip\":\"10.9.0.2\",\"id\":\""
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
                     "\"ports\":[\"127.0.0.1:8080:80/tcp\"],\"pid\":1}]}";
  char *taken[] = { (char *)"127.0.0.1:8080:81/tcp", NULL }, *free_[] = { (char *)"127.0.0.1:8081:80/tcp", NULL };

  cr_assert_eq (ipam_parse (json, strlen (json), &t, &err), 0);
  cr_assert_eq (ipam_check_ports (&t, taken, &err), -EADDRINUSE);
  cordon_error_release (&err);
  cr_assert_eq (ipam_check_ports (&t, free_, &err), 0);
  ipam_release (&t);
  json
      = "{\"leases\":[{\"ip\":\"10.9.0.2\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
        "\"ports\":[\"1.2.3.4:1:2/tcp; flush ruleset\"],\"pid\":1}]}";
  cr_assert_lt (ipam_parse (json, strlen (json), &t, &err), 0, "a planted port is refused");
  cordon_error_release (&err);
}

Test (hosts, several_networks)
{
  struct network_config a = test_net (true), b = test_net (true);
  struct cordon_error err = { 0 };
  struct ipam_table ta = { 0 }, tb = { 0 };
  struct ipam_lease self_a = lease ('a', "me"), peer_a = lease ('b', "pa"), self_b = lease ('a', "me"),
                    peer_b = lease ('c', "pb");
  char *hosts;
  size_t len;

  net_parse_cidr ("10.8.0.0/29", &b.subnet);
  b.name = (char *)"u";
  strv_append (&self_b.names, "alias");
  cr_assert_eq (ipam_add (&a, &ta, &self_a, &err), 0);
  cr_assert_eq (ipam_add (&a, &ta, &peer_a, &err), 0);
  cr_assert_eq (ipam_add (&b, &tb, &peer_b, &err), 0);
  cr_assert_eq (ipam_add (&b, &tb, &self_b, &err), 0);
  struct hosts_view v[] = { { &a, &ta }, { &b, &tb } };
  cr_assert_eq (hosts_render (v, 2, ta.leases[0].id, &hosts, &len, &err), 0);
  cr_assert_not_null (strstr (hosts, "10.9.0.2\tme\n10.8.0.3\tme\talias\n"), "%s", hosts);
  cr_assert_not_null (strstr (hosts, "10.9.0.3\tpa\n"));
  cr_assert_not_null (strstr (hosts, "10.8.0.2\tpb\n"));
  free (hosts);
  /* A peer on one network sees only what it shares.  */
  cr_assert_eq (hosts_render (v, 2, tb.leases[0].id, &hosts, &len, &err), 0);
  cr_assert_null (strstr (hosts, "pa"));
  cr_assert_not_null (strstr (hosts, "10.8.0.3\tme\talias\n"));
  cr_assert_null (strstr (hosts, "10.9.0.2"));
  free (hosts);
  ipam_release (&ta);
  ipam_release (&tb);
}

Test (ipam, connect_veth_names)
{
  struct cordon_error err = { 0 };
  struct ipam_table t, back;
  struct ipam_lease l = lease ('a', NULL);
  char x[16], y[16], z[16], got[16];
  char *json;
  size_t len;

  ipam_veth_name_connect (l.id, "0123456789abcdef", x);
  ipam_veth_name_connect (l.id, "fedcba9876543210", y);
  ipam_veth_name (&l, z);
  cr_assert_eq (strlen (x), 14);
  cr_assert_eq (strncmp (x, "cve-", 4), 0);
  cr_assert_neq (strcmp (x, y), 0, "one name a network");
  cr_assert_neq (strcmp (x, z), 0, "apart from the first network's");
  memcpy (l.veth, x, sizeof l.veth);
  t = (struct ipam_table){ .leases = &l, .n = 1 };
  cr_assert_eq (ipam_to_json (&t, &json, &len, &err), 0);
  cr_assert_eq (ipam_parse (json, len, &back, &err), 0, "%s", err.msg);
  ipam_veth_name (&back.leases[0], got);
  cr_assert_str_eq (got, x, "the name survives ipam.json");
  free (json);
  ipam_release (&back);
  const char *planted = "{\"leases\":[{\"ip\":\"10.0.0.2\",\"id\":\""
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                        "\",\"pid\":1,\"veth\":\"eth0\"}]}";
  cr_assert_lt (ipam_parse (planted, strlen (planted), &back, &err), 0, "only a name we could have made");
  cordon_error_release (&err);
}

Test (link, next_ifname)
{
  char buf[16];
  char *none[] = { NULL };
  char *some[] = { (char *)"lo", (char *)"eth0", (char *)"eth2", NULL };
  char *two[] = { (char *)"eth0", (char *)"eth1", NULL };

  cr_assert_eq (net_ifname_next ("eth", none, buf), 0);
  cr_assert_str_eq (buf, "eth0");
  cr_assert_eq (net_ifname_next ("eth", some, buf), 0);
  cr_assert_str_eq (buf, "eth1", "the lowest free");
  cr_assert_eq (net_ifname_next ("eth", two, buf), 0);
  cr_assert_str_eq (buf, "eth2");
}

Test (strv, contains_and_remove)
{
  char **v = NULL;

  strv_append (&v, "a");
  strv_append (&v, "b");
  strv_append (&v, "a");
  cr_assert (strv_contains (v, "b"));
  cr_assert_not (strv_contains (v, "c"));
  cr_assert_not (strv_contains (NULL, "c"));
  cr_assert_eq (strv_remove (v, "a"), 2);
  cr_assert_str_eq (v[0], "b");
  cr_assert_null (v[1]);
  strv_free (v);
}

/* The rootless holder's record: a line cordon wrote parses back; anything
 * else (torn, planted, another tool's name) is refused.  */
Test (holder, record)
{
  struct netns_holder h = { .pid = 4242, .start = 987654, .outside = "pasta", .outside_pid = 4243 }, back = { 0 };
  char text[HOLDER_RECORD_MAX + 1];
  int n = netns_holder_record_format (&h, text);
  const char *bad[] = {
    "", "4242 987654 pasta 4243", "4242 987654 pasta 4243\nx", "1 987654 none 0\n", "4242 0 none 0\n",
    "4242 987654 socat 0\n", "4242 987654 none -1\n", "99999999999 1 none 0\n", "4242 987654 none 0 extra\n",
  };

  cr_assert_str_eq (text, "4242 987654 pasta 4243\n");
  cr_assert_eq (netns_holder_record_parse (text, (size_t)n, &back), 0);
  cr_assert_eq (back.pid, 4242);
  cr_assert_eq (back.start, 987654);
  cr_assert_str_eq (back.outside, "pasta");
  cr_assert_eq (back.outside_pid, 4243);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_lt (netns_holder_record_parse (bad[i], strlen (bad[i]), &back), 0, "accepted `%s`", bad[i]);
}
