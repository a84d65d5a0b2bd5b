/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/cidr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
net_parse_ipv4 (const char *s, uint32_t *out)
{
  uint32_t addr = 0;

  for (int part = 0; part < 4; part++)
    {
      unsigned v = 0;
      int digits = 0;

      if (part > 0 && *s++ != '.')
        return -EINVAL;
      /* "010" is octal to inet_aton and decimal to others: refuse it.  */
      if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
        return -EINVAL;
      while (*s >= '0' && *s <= '9' && digits < 3)
        {
          v = v * 10 + (unsigned)(*s++ - '0');
          digits++;
        }
      if (digits == 0 || v > 255)
        return -EINVAL;
      addr = addr << 8 | v;
    }
  if (*s != '\0')
    return -EINVAL;
  *out = addr;
  return 0;
}

uint32_t
net_cidr_mask (unsigned prefix)
{
  return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

int
net_parse_cidr (const char *s, struct net_cidr *out)
{
  char buf[NET_CIDR_STRLEN + 1];
  const char *slash = strchr (s, '/');
  unsigned prefix = 0;
  size_t len;
  uint32_t addr;
  int digits = 0;

  if (slash == NULL || (len = (size_t)(slash - s)) >= NET_ADDR_STRLEN)
    return -EINVAL;
  memcpy (buf, s, len);
  buf[len] = '\0';
  if (net_parse_ipv4 (buf, &addr) < 0)
    return -EINVAL;
  for (const char *p = slash + 1; *p; p++)
    {
      if (*p < '0' || *p > '9' || ++digits > 2)
        return -EINVAL;
      prefix = prefix * 10 + (unsigned)(*p - '0');
    }
  if (digits == 0 || prefix < 8 || prefix > 30 || (addr & ~net_cidr_mask (prefix)) != 0)
    return -EINVAL;
  out->addr = addr;
  out->prefix = prefix;
  return 0;
}

void
net_format_ipv4 (uint32_t a, char buf[NET_ADDR_STRLEN])
{
  snprintf (buf, NET_ADDR_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

void
net_format_cidr (const struct net_cidr *c, char buf[NET_CIDR_STRLEN])
{
  char a[NET_ADDR_STRLEN];

  net_format_ipv4 (c->addr, a);
  snprintf (buf, NET_CIDR_STRLEN, "%s/%u", a, c->prefix);
}

bool
net_cidr_contains (const struct net_cidr *c, uint32_t addr)
{
  return (addr & net_cidr_mask (c->prefix)) == c->addr;
}

bool
net_cidr_overlap (const struct net_cidr *a, const struct net_cidr *b)
{
  unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;

  return (a->addr & net_cidr_mask (p)) == (b->addr & net_cidr_mask (p));
}

/* .1 is the gateway (the bridge's own address).  */
uint32_t
net_cidr_first_host (const struct net_cidr *c)
{
  return c->addr + 2;
}

uint32_t
net_cidr_last_host (const struct net_cidr *c)
{
  return (c->addr | ~net_cidr_mask (c->prefix)) - 1;
}
