/* SPDX-License-Identifier: Apache-2.0 */
/* netpolicy/egress.c: --egress-allow parsing, the table's text, and
 * reading back what nft lists, without touching the kernel.  */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "netpolicy/egress.h"

static int
add (struct egress_policy *p, const char *arg)
{
  struct cordon_error err = { 0 };
  int r = egress_policy_add (p, arg, &err);

  cordon_error_release (&err);
  return r;
}

Test (egress, parse)
{
  struct egress_policy p = { 0 };

  cr_assert_eq (add (&p, "10.0.0.0/8"), 0);
  cr_assert_eq (add (&p, "192.0.2.7"), 0);
  cr_assert_eq (add (&p, "198.18.77.2:9090"), 0);
  cr_assert_eq (add (&p, "198.18.77.2:9090"), 0, "a duplicate is fine");
  cr_assert_eq (add (&p, "localhost:443"), 0, "a host name is resolved");
  cr_assert_eq (p.n_nets, 2);
  cr_assert_eq (p.nets[0].addr, 0x0a000000u);
  cr_assert_eq (p.nets[0].prefix, 8);
  cr_assert_eq (p.nets[1].prefix, 32);
  cr_assert_eq (p.n_ports, 2);
  cr_assert_eq (p.ports[0].port, 9090);
  cr_assert_eq (p.ports[1].addr, 0x7f000001u);
  cr_assert_lt (add (&p, "10.0.0.1/8"), 0, "host bits");
  cr_assert_lt (add (&p, "10.0.0.0/33"), 0);
  cr_assert_lt (add (&p, "10.0.0.0/"), 0);
  cr_assert_lt (add (&p, "1.2.3.4:0"), 0);
  cr_assert_lt (add (&p, "1.2.3.4:65536"), 0);
  cr_assert_lt (add (&p, "1.2.3.4:"), 0);
  cr_assert_lt (add (&p, ":80"), 0);
  cr_assert_lt (add (&p, "2001:db8::/32"), 0, "IPv6");
  cr_assert_lt (add (&p, "[::1]:80"), 0, "IPv6");
  cr_assert_lt (add (&p, "no-such-host.invalid:80"), 0);
  egress_policy_release (&p);
}

Test (egress, render)
{
  struct egress_policy p = { 0 };
  struct cordon_error err = { 0 };
  char *text = NULL;

  cr_assert_eq (egress_render (&p, &text, &err), 0);
  cr_assert (strstr (text, "policy drop;") != NULL);
  cr_assert (strstr (text, "elements") == NULL, "empty sets have no elements");
  free (text);
  cr_assert_eq (add (&p, "10.0.0.0/8"), 0);
  cr_assert_eq (add (&p, "198.18.77.2:9090"), 0);
  cr_assert_eq (egress_render (&p, &text, &err), 0);
  cr_assert (strstr (text, "elements = { 10.0.0.0/8 }") != NULL, "%s", text);
  cr_assert (strstr (text, "elements = { 198.18.77.2 . 9090 }") != NULL, "%s", text);
  cr_assert (strstr (text, "size 100;") != NULL);
  free (text);
  egress_policy_release (&p);
}

Test (egress, listing)
{
  const char *text = "table inet cordon-egress {\n"
                     "\tcounter denied_total {\n\t\tpackets 7 bytes 420\n\t}\n\n"
                     "\tset denied {\n\t\ttype ipv4_addr . inet_proto . inet_service\n\t\tsize 100\n"
                     "\t\tflags dynamic\n\t\tcounter\n"
                     "\t\telements = { 198.18.77.2 . tcp . 9091 counter packets 2 bytes 120,\n"
                     "\t\t\t     198.18.77.1 . udp . 53 counter packets 3 bytes 180 }\n\t}\n}\n";
  struct cordon_error err = { 0 };
  struct egress_denial *d = NULL;
  size_t n = 0;
  uint64_t total = 0;

  cr_assert_eq (egress_parse_listing (text, &d, &n, &total, &err), 0);
  cr_assert_eq (total, 7);
  cr_assert_eq (n, 2);
  cr_assert_str_eq (d[0].dest, "198.18.77.2");
  cr_assert_str_eq (d[0].proto, "tcp");
  cr_assert_eq (d[0].port, 9091);
  cr_assert_eq (d[0].packets, 2);
  cr_assert_str_eq (d[1].proto, "udp");
  cr_assert_eq (d[1].port, 53);
  free (d);
  cr_assert_eq (
      egress_parse_listing ("table inet cordon-egress {\n\tcounter denied_total {\n\t\tpackets 0 bytes 0\n\t}\n"
                            "\tset denied {\n\t\tflags dynamic\n\t}\n}\n",
                            &d, &n, &total, &err),
      0);
  cr_assert_eq (n, 0);
  free (d);
  cr_assert_lt (egress_parse_listing ("garbage", &d, &n, &total, &err), 0);
  cordon_error_release (&err);
}
