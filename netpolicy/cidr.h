/* SPDX-License-Identifier: Apache-2.0 */
/* IPv4 addresses and subnets as the network module keeps them: host byte
 * order, so that "the next address" is an addition.  Parsing is strict
 * (dotted quad, no leading zeros, no host bits in a subnet): these strings
 * come from the command line and from files another process wrote.  */
#ifndef CORDON_NETPOLICY_CIDR_H
#define CORDON_NETPOLICY_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ADDR_STRLEN 16 /* "255.255.255.255" */
#define NET_CIDR_STRLEN 19 /* "255.255.255.255/32" */

struct net_cidr
{
  uint32_t addr; /* the network address */
  unsigned prefix;
};

/* "10.1.2.3" -> 0x0a010203.  0 or -EINVAL.  */
int net_parse_ipv4 (const char *s, uint32_t *out);
/* "10.1.2.0/24".  A prefix outside 8..30 (no room for a gateway and one
 * sandbox, or a subnet the size of a class A) or host bits set: -EINVAL.  */
int net_parse_cidr (const char *s, struct net_cidr *out);

void net_format_ipv4 (uint32_t addr, char buf[NET_ADDR_STRLEN]);
void net_format_cidr (const struct net_cidr *c, char buf[NET_CIDR_STRLEN]);

uint32_t net_cidr_mask (unsigned prefix);
bool net_cidr_contains (const struct net_cidr *c, uint32_t addr);
bool net_cidr_overlap (const struct net_cidr *a, const struct net_cidr *b);
/* The first and last address a host may take (not the network, gateway or
 * broadcast address).  */
uint32_t net_cidr_first_host (const struct net_cidr *c);
uint32_t net_cidr_last_host (const struct net_cidr *c);

#endif
