/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/egress.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "common/cleanup.h"
#include "netpolicy/cidr.h"

static int
add_net (struct egress_policy *p, uint32_t addr, unsigned prefix)
{
  struct egress_net *n = realloc (p->nets, (p->n_nets + 1) * sizeof *n);

  if (n == NULL)
    return -ENOMEM;
  p->nets = n;
  p->nets[p->n_nets++] = (struct egress_net){ addr, prefix };
  return 0;
}

static int
add_port (struct egress_policy *p, uint32_t addr, uint16_t port)
{
  struct egress_port *n;

  /* nft refuses a set declared with the same element twice.  */
  for (size_t i = 0; i < p->n_ports; i++)
    if (p->ports[i].addr == addr && p->ports[i].port == port)
      return 0;
  n = realloc (p->ports, (p->n_ports + 1) * sizeof *n);
  if (n == NULL)
    return -ENOMEM;
  p->ports = n;
  p->ports[p->n_ports++] = (struct egress_port){ addr, port };
  return 0;
}

static int
parse_port (const char *s, uint16_t *out)
{
  char *end;
  unsigned long v;

  if (*s < '0' || *s > '9')
    return -EINVAL;
  errno = 0;
  v = strtoul (s, &end, 10);
  if (errno || *end || v == 0 || v > 65535)
    return -EINVAL;
  *out = (uint16_t)v;
  return 0;
}

static int
resolve (struct egress_policy *p, const char *arg, const char *host, uint16_t port, struct cordon_error *err)
{
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  struct addrinfo *res = NULL;
  int r = getaddrinfo (host, NULL, &hints, &res);

  if (r != 0)
    return cordon_error_set (err, ENOENT, "--egress-allow `%s`: cannot resolve %s: %s", arg, host, gai_strerror (r));
  r = 0;
  for (struct addrinfo *ai = res; ai && r == 0; ai = ai->ai_next)
    r = add_port (p, ntohl (((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr), port);
  freeaddrinfo (res);
  if (r < 0)
    return cordon_error_set (err, -r, "out of memory");
  return 0;
}

/* A host name as it may appear before ":PORT" (RFC 1123 letters, digits,
 * hyphens and dots), checked where it is not resolved (a profile's list,
 * at lint).  */
static bool
host_name_valid (const char *s)
{
  size_t n = strlen (s);

  if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
      return false;
  return true;
}

static int
add_entry (struct egress_policy *p, const char *arg, bool resolve_names, struct cordon_error *err)
{
  cleanup_free char *s = strdup (arg);
  char *sep;
  uint32_t addr;
  int r;

  if (s == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (strchr (s, '[') || strchr (s, ':') != strrchr (s, ':'))
    return cordon_error_set (err, EINVAL, "--egress-allow `%s`: IPv6 is not supported (bridge networks are IPv4 only)",
                             arg);
  if ((sep = strchr (s, ':')) != NULL)
    {
      uint16_t port;
      *sep = '\0';
      if (parse_port (sep + 1, &port) < 0 || *s == '\0')
        return cordon_error_set (err, EINVAL, "--egress-allow `%s`: expected HOST:PORT with a port 1-65535", arg);
      if (net_parse_ipv4 (s, &addr) == 0)
        r = add_port (p, addr, port);
      else if (!host_name_valid (s))
        return cordon_error_set (err, EINVAL, "--egress-allow `%s`: `%s` is not a host name", arg, s);
      else if (resolve_names)
        return resolve (p, arg, s, port, err);
      else
        r = 0;
    }
  else
    {
      unsigned long prefix = 32;
      if ((sep = strchr (s, '/')) != NULL)
        {
          char *end;
          *sep = '\0';
          errno = 0;
          prefix = strtoul (sep + 1, &end, 10);
          if (sep[1] < '0' || sep[1] > '9' || errno || *end || prefix > 32)
            return cordon_error_set (err, EINVAL, "--egress-allow `%s`: expected a prefix 0-32", arg);
        }
      if (net_parse_ipv4 (s, &addr) < 0)
        return cordon_error_set (err, EINVAL, "--egress-allow `%s`: expected CIDR, IP, IP:PORT or HOST:PORT", arg);
      if (addr & ~net_cidr_mask ((unsigned)prefix))
        return cordon_error_set (err, EINVAL, "--egress-allow `%s`: host bits set in a network", arg);
      r = add_net (p, addr, (unsigned)prefix);
    }
  if (r < 0)
    return cordon_error_set (err, -r, "out of memory");
  return 0;
}

int
egress_policy_add (struct egress_policy *p, const char *arg, struct cordon_error *err)
{
  return add_entry (p, arg, true, err);
}

int
egress_entry_check (const char *arg, struct cordon_error *err)
{
  struct egress_policy p = { 0 };
  int r = add_entry (&p, arg, false, err);

  egress_policy_release (&p);
  return r;
}

void
egress_policy_set_peers (struct egress_policy *p, uint32_t subnet, unsigned prefix, uint32_t gateway)
{
  p->peers = (struct egress_net){ subnet, prefix };
  p->gateway = gateway;
  p->has_peers = true;
}

void
egress_policy_release (struct egress_policy *p)
{
  free (p->nets);
  free (p->ports);
  *p = (struct egress_policy){ 0 };
}

int
egress_render (const struct egress_policy *p, char **out, struct cordon_error *err)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);
  char a[NET_ADDR_STRLEN];

  if (f == NULL)
    return cordon_error_set (err, errno, "open_memstream");
  fprintf (f, "table inet " EGRESS_TABLE "\ndelete table inet " EGRESS_TABLE "\n");
  fprintf (f,
           "table inet " EGRESS_TABLE " {\n"
           "  counter denied_total { }\n"
           "  set denied { type ipv4_addr . inet_proto . inet_service; size %d; flags dynamic; counter; }\n",
           EGRESS_DENIED_MAX);
  /* auto-merge: overlapping CIDRs are one interval, not an error.  */
  fputs ("  set allow_net { type ipv4_addr; flags interval; auto-merge;", f);
  for (size_t i = 0; i < p->n_nets; i++)
    {
      net_format_ipv4 (p->nets[i].addr, a);
      fprintf (f, "%s %s/%u", i ? "," : " elements = {", a, p->nets[i].prefix);
    }
  fputs (p->n_nets ? " } }\n" : " }\n", f);
  fputs ("  set allow_port { type ipv4_addr . inet_service;", f);
  for (size_t i = 0; i < p->n_ports; i++)
    {
      net_format_ipv4 (p->ports[i].addr, a);
      fprintf (f, "%s %s . %u", i ? "," : " elements = {", a, p->ports[i].port);
    }
  fputs (p->n_ports ? " } }\n" : " }\n", f);
  /* Only output: what comes in is what the workload's own connections
   * brought back (established), or what the bridge lets reach it.  IPv6
   * and anything not TCP or UDP to an allowed address is refused too: it
   * is counted, and remembered with port 0.  */
  fputs ("  set peer_nets { type ipv4_addr; flags interval; auto-merge;", f);
  if (p->has_peers)
    {
      net_format_ipv4 (p->peers.addr, a);
      fprintf (f, " elements = { %s/%u }", a, p->peers.prefix);
    }
  fputs (" }\n  set gateways { type ipv4_addr;", f);
  if (p->has_peers)
    {
      net_format_ipv4 (p->gateway, a);
      fprintf (f, " elements = { %s }", a);
    }
  fputs (" }\n", f);
  fputs ("  chain output {\n"
         "    type filter hook output priority filter; policy drop;\n"
         "    oif \"lo\" accept\n"
         "    ct state established,related accept\n",
         f);
  /* The sandboxes of its own networks are not egress; their gateways
   * (the host, or the network holder) are: a service there is outside.
   * Sets, so that `network connect` can add a network later.  */
  fputs ("    ip daddr != @gateways ip daddr @peer_nets accept\n", f);
  fputs ("    ip daddr @allow_net accept\n"
         "    meta l4proto { tcp, udp } ip daddr . th dport @allow_port accept\n"
         "    ip6 daddr ff02::/16 drop\n"
         "    counter name \"denied_total\"\n"
         "    meta l4proto { tcp, udp } update @denied { ip daddr . meta l4proto . th dport }\n"
         "    meta l4proto != { tcp, udp } update @denied { ip daddr . meta l4proto . 0 }\n"
         "    meta l4proto tcp reject with tcp reset\n"
         "    reject with icmpx admin-prohibited\n"
         "  }\n"
         "}\n",
         f);
  if (fclose (f) != 0)
    {
      free (buf);
      return cordon_error_set (err, ENOMEM, "nftables ruleset");
    }
  *out = buf;
  return 0;
}

int
egress_render_peers (uint32_t subnet, unsigned prefix, uint32_t gateway, char **out, struct cordon_error *err)
{
  char net[NET_ADDR_STRLEN], gw[NET_ADDR_STRLEN];

  net_format_ipv4 (subnet, net);
  net_format_ipv4 (gateway, gw);
  if (asprintf (out,
                "add element inet " EGRESS_TABLE " peer_nets { %s/%u }\n"
                "add element inet " EGRESS_TABLE " gateways { %s }\n",
                net, prefix, gw)
      < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

int
egress_parse_listing (const char *text, struct egress_denial **out, size_t *n, uint64_t *total,
                      struct cordon_error *err)
{
  cleanup_free struct egress_denial *d = calloc (EGRESS_DENIED_MAX, sizeof *d);
  const char *p, *end;
  size_t k = 0;

  *out = NULL;
  *n = 0;
  *total = 0;
  if (d == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  p = strstr (text, "counter denied_total {");
  if (p == NULL || (p = strstr (p, "packets ")) == NULL || sscanf (p, "packets %" SCNu64, total) != 1)
    return cordon_error_set (err, EINVAL, "nft listing: no denied_total counter");
  p = strstr (text, "set denied {");
  if (p != NULL && (end = strchr (p, '}')) != NULL && (p = strstr (p, "elements = {")) != NULL && p < end)
    {
      p += strlen ("elements = {");
      end = strchr (p, '}');
      while (p && p < end && k < EGRESS_DENIED_MAX)
        {
          struct egress_denial *e = &d[k];
          while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',')
            p++;
          if (p >= end)
            break;
          if (sscanf (p, "%15[0-9.] . %15[a-z0-9-] . %u counter packets %" SCNu64, e->dest, e->proto, &e->port,
                      &e->packets)
              == 4)
            k++;
          p = strchr (p, ',');
        }
    }
  *out = steal_pointer (&d);
  *n = k;
  return 0;
}
