/* SPDX-License-Identifier: Apache-2.0 */
/* --egress-allow: what a sandbox on a bridge network may connect to, as an
 * nftables table in the sandbox's own network namespace (the workload has
 * no CAP_NET_ADMIN there, so it cannot change it).  New connections to
 * anything else are refused and remembered in a dynamic set (destination,
 * protocol, port; at most EGRESS_DENIED_MAX of them) with a counter of all
 * refusals beside it; the monitor reads both when the sandbox ends and
 * writes them to the audit log.  No log rule, no queue: nothing to read
 * while the sandbox runs, and the kernel bounds what is kept.
 *
 * This file is the pure part (parse, render, read the listing); the
 * namespace side is egress-netns.c.  */
#ifndef CORDON_NETPOLICY_EGRESS_H
#define CORDON_NETPOLICY_EGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define EGRESS_TABLE "cordon-egress"
#define EGRESS_DENIED_MAX 100

struct egress_net
{
  uint32_t addr; /* host byte order */
  unsigned prefix;
};

struct egress_port
{
  uint32_t addr;
  uint16_t port;
};

struct egress_policy
{
  struct egress_net *nets;
  size_t n_nets;
  struct egress_port *ports;
  size_t n_ports;
  /* The sandbox's own network, its gateway excepted: always reachable
   * (egress is what leaves the network).  */
  bool has_peers;
  struct egress_net peers;
  uint32_t gateway;
};

/* Adds one --egress-allow: "CIDR", "IP" (a /32), "IP:PORT" or
 * "HOST:PORT" (resolved now with getaddrinfo, IPv4: every address it
 * has).  IPv6 is refused: bridge networks are IPv4 only.  */
int egress_policy_add (struct egress_policy *p, const char *arg, struct cordon_error *err);
/* Checks one entry's form without resolving a host name (a profile's
 * "network": {"allow": [...]}, checked when the profile is read).  */
int egress_entry_check (const char *arg, struct cordon_error *err);
/* Lets the sandbox reach `subnet`/`prefix` but `gateway`.  */
void egress_policy_set_peers (struct egress_policy *p, uint32_t subnet, unsigned prefix, uint32_t gateway);
void egress_policy_release (struct egress_policy *p);

/* The table's text (heap), replacing any table of that name.  */
int egress_render (const struct egress_policy *p, char **out, struct cordon_error *err);

/* The commands that add a network's subnet (its gateway excepted) to a
 * live table: `network connect`.  */
int egress_render_peers (uint32_t subnet, unsigned prefix, uint32_t gateway, char **out, struct cordon_error *err);

struct egress_denial
{
  char dest[16];
  char proto[16];
  unsigned port;
  uint64_t packets;
};

/* Reads `nft list table` output: the remembered denials (at most
 * EGRESS_DENIED_MAX, heap array) and the count of every refused packet.  */
int egress_parse_listing (const char *text, struct egress_denial **out, size_t *n, uint64_t *total,
                          struct cordon_error *err);

#endif
