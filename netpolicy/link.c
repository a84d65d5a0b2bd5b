/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/link.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "common/cleanup.h"

static void
cleanup_nl_sockp (struct nl_sock **s)
{
  if (*s)
    nl_socket_free (*s);
}
static void
cleanup_rtnl_linkp (struct rtnl_link **l)
{
  if (*l)
    rtnl_link_put (*l);
}
static void
cleanup_rtnl_addrp (struct rtnl_addr **a)
{
  if (*a)
    rtnl_addr_put (*a);
}
static void
cleanup_rtnl_routep (struct rtnl_route **r)
{
  if (*r)
    rtnl_route_put (*r);
}
static void
cleanup_nl_addrp (struct nl_addr **a)
{
  if (*a)
    nl_addr_put (*a);
}
#define cleanup_nl_sock __attribute__ ((cleanup (cleanup_nl_sockp)))
#define cleanup_rtnl_link __attribute__ ((cleanup (cleanup_rtnl_linkp)))
#define cleanup_rtnl_addr __attribute__ ((cleanup (cleanup_rtnl_addrp)))
#define cleanup_rtnl_route __attribute__ ((cleanup (cleanup_rtnl_routep)))
#define cleanup_nl_addr __attribute__ ((cleanup (cleanup_nl_addrp)))

/* libnl's errors are its own numbers; the few that are an errno say so.  */
static int
nl_fail (struct cordon_error *err, int nlerr, const char *what, const char *name)
{
  int e = EIO;

  switch (-nlerr)
    {
    case NLE_EXIST:
      e = EEXIST;
      break;
    case NLE_NODEV:
    case NLE_OBJ_NOTFOUND:
      e = ENODEV;
      break;
    case NLE_PERM:
      e = EPERM;
      break;
    case NLE_NOMEM:
      e = ENOMEM;
      break;
    case NLE_INVAL:
      e = EINVAL;
      break;
    default:
      break;
    }
  cordon_error_set (err, 0, "%s %s: %s", what, name, nl_geterror (nlerr));
  err->status = e;
  return -e;
}

/* A connected NETLINK_ROUTE socket in the current network namespace.  */
static int
route_socket (struct nl_sock **out, struct cordon_error *err)
{
  struct nl_sock *s = nl_socket_alloc ();
  int r;

  if (s == NULL)
    return cordon_error_set (err, ENOMEM, "netlink socket");
  r = nl_connect (s, NETLINK_ROUTE);
  if (r < 0)
    {
      nl_socket_free (s);
      return nl_fail (err, r, "netlink", "connect");
    }
  *out = s;
  return 0;
}

/* A netlink socket in the network namespace `netns_fd`: a socket belongs
 * to the namespace it was made in, so we enter it only for socket(2) and
 * come back; the rest of this process never runs there.  */
static int
route_socket_in (int netns_fd, struct nl_sock **out, struct cordon_error *err)
{
  cleanup_close int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int r;

  if (self < 0)
    return cordon_error_set (err, errno, "open our network namespace");
  if (setns (netns_fd, CLONE_NEWNET) < 0)
    return cordon_error_set (err, errno, "enter the sandbox's network namespace");
  r = route_socket (out, err);
  if (setns (self, CLONE_NEWNET) < 0)
    abort (); /* we would go on configuring the host inside the sandbox */
  return r;
}

static int
ipv4_addr (uint32_t ip, unsigned prefix, struct nl_addr **out)
{
  uint32_t be = htonl (ip);
  struct nl_addr *a = nl_addr_build (AF_INET, &be, sizeof be);

  if (a == NULL)
    return -ENOMEM;
  nl_addr_set_prefixlen (a, (int)prefix);
  *out = a;
  return 0;
}

static int
add_address (struct nl_sock *s, int ifindex, uint32_t ip, unsigned prefix, const char *ifname, struct cordon_error *err)
{
  cleanup_rtnl_addr struct rtnl_addr *addr = rtnl_addr_alloc ();
  cleanup_nl_addr struct nl_addr *local = NULL;
  int r;

  if (addr == NULL || ipv4_addr (ip, prefix, &local) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  rtnl_addr_set_ifindex (addr, ifindex);
  rtnl_addr_set_family (addr, AF_INET);
  r = rtnl_addr_set_local (addr, local);
  if (r >= 0)
    r = rtnl_addr_add (s, addr, NLM_F_CREATE | NLM_F_EXCL);
  if (r < 0 && r != -NLE_EXIST)
    return nl_fail (err, r, "address on", ifname);
  return 0;
}

static int
set_up (struct nl_sock *s, struct rtnl_link *link, const char *ifname, struct cordon_error *err)
{
  cleanup_rtnl_link struct rtnl_link *change = rtnl_link_alloc ();
  int r;

  if (change == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  rtnl_link_set_flags (change, IFF_UP);
  r = rtnl_link_change (s, link, change, 0);
  if (r < 0)
    return nl_fail (err, r, "bring up", ifname);
  return 0;
}

int
netlink_bridge_ensure (const struct network_config *cfg, struct cordon_error *err)
{
  cleanup_nl_sock struct nl_sock *s = NULL;
  cleanup_rtnl_link struct rtnl_link *link = NULL;
  bool created = false;
  int r;

  r = route_socket (&s, err);
  if (r < 0)
    return r;
  r = rtnl_link_get_kernel (s, 0, cfg->bridge, &link);
  if (r < 0)
    {
      created = true;
      cleanup_rtnl_link struct rtnl_link *br = rtnl_link_bridge_alloc ();
      if (br == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
      rtnl_link_set_name (br, cfg->bridge);
      r = rtnl_link_add (s, br, NLM_F_CREATE | NLM_F_EXCL);
      if (r < 0 && r != -NLE_EXIST)
        return nl_fail (err, r, "create bridge", cfg->bridge);
      r = rtnl_link_get_kernel (s, 0, cfg->bridge, &link);
      if (r < 0)
        return nl_fail (err, r, "bridge", cfg->bridge);
    }
  if (rtnl_link_get_type (link) == NULL || strcmp (rtnl_link_get_type (link), "bridge") != 0)
    return cordon_error_set (err, EEXIST, "interface %s exists and is not a bridge", cfg->bridge);
  if (!cfg->internal)
    {
      r = add_address (s, rtnl_link_get_ifindex (link), cfg->gateway, cfg->subnet.prefix, cfg->bridge, err);
      if (r < 0)
        return r;
    }
  if (!(rtnl_link_get_flags (link) & IFF_UP))
    {
      r = set_up (s, link, cfg->bridge, err);
      if (r < 0)
        return r;
    }
  return created ? 1 : 0;
}

static int
configure_inside (const struct network_config *cfg, int netns_fd, const char *ifname, uint32_t ip, bool default_route,
                  struct cordon_error *err)
{
  cleanup_nl_sock struct nl_sock *s = NULL;
  cleanup_rtnl_link struct rtnl_link *eth0 = NULL;
  int r;

  r = route_socket_in (netns_fd, &s, err);
  if (r < 0)
    return r;
  r = rtnl_link_get_kernel (s, 0, ifname, &eth0);
  if (r < 0)
    return nl_fail (err, r, "sandbox interface", ifname);
  r = add_address (s, rtnl_link_get_ifindex (eth0), ip, cfg->subnet.prefix, ifname, err);
  if (r >= 0)
    r = set_up (s, eth0, ifname, err);
  if (r < 0)
    return r;
  /* An internal network has no way out: not even a route that points at
   * one.  Its sandboxes reach each other on the subnet's link route.  */
  if (default_route && !cfg->internal)
    {
      cleanup_rtnl_route struct rtnl_route *route = rtnl_route_alloc ();
      cleanup_nl_addr struct nl_addr *dst = NULL, *gw = NULL;
      struct rtnl_nexthop *nh = rtnl_route_nh_alloc ();

      if (route == NULL || nh == NULL || ipv4_addr (0, 0, &dst) < 0 || ipv4_addr (cfg->gateway, 32, &gw) < 0)
        {
          if (nh)
            rtnl_route_nh_free (nh);
          return cordon_error_set (err, ENOMEM, "out of memory");
        }
      rtnl_route_set_family (route, AF_INET);
      rtnl_route_set_dst (route, dst);
      rtnl_route_set_table (route, RT_TABLE_MAIN);
      rtnl_route_set_scope (route, RT_SCOPE_UNIVERSE);
      rtnl_route_set_protocol (route, RTPROT_STATIC);
      rtnl_route_nh_set_gateway (nh, gw);
      rtnl_route_nh_set_ifindex (nh, rtnl_link_get_ifindex (eth0));
      rtnl_route_add_nexthop (route, nh);
      r = rtnl_route_add (s, route, NLM_F_CREATE | NLM_F_EXCL);
      if (r < 0)
        return nl_fail (err, r, "default route in", "the sandbox");
    }
  return 0;
}

int
netlink_veth_attach (const struct network_config *cfg, const char *host_if, int netns_fd, const char *ifname,
                     uint32_t ip, bool default_route, struct cordon_error *err)
{
  cleanup_nl_sock struct nl_sock *s = NULL;
  cleanup_rtnl_link struct rtnl_link *veth = NULL, *bridge = NULL;
  struct rtnl_link *peer;
  int r;

  r = route_socket (&s, err);
  if (r < 0)
    return r;
  r = rtnl_link_get_kernel (s, 0, cfg->bridge, &bridge);
  if (r < 0)
    return nl_fail (err, r, "bridge", cfg->bridge);
  veth = rtnl_link_veth_alloc ();
  if (veth == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  /* One request: the host end is made on the bridge and up, its peer is
   * made directly in the sandbox's namespace (never visible on the host
   * under a name that could clash).  */
  rtnl_link_set_name (veth, host_if);
  rtnl_link_set_master (veth, rtnl_link_get_ifindex (bridge));
  rtnl_link_set_flags (veth, IFF_UP);
  peer = rtnl_link_veth_get_peer (veth);
  rtnl_link_set_name (peer, ifname);
  rtnl_link_set_ns_fd (peer, netns_fd);
  rtnl_link_put (peer);
  r = rtnl_link_add (s, veth, NLM_F_CREATE | NLM_F_EXCL);
  if (r < 0)
    return nl_fail (err, r, "create veth", host_if);
  r = configure_inside (cfg, netns_fd, ifname, ip, default_route, err);
  if (r < 0)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      netlink_link_delete (host_if, &ignored);
    }
  return r;
}

int
netlink_link_delete (const char *name, struct cordon_error *err)
{
  cleanup_nl_sock struct nl_sock *s = NULL;
  cleanup_rtnl_link struct rtnl_link *link = rtnl_link_alloc ();
  int r;

  if (link == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = route_socket (&s, err);
  if (r < 0)
    return r;
  rtnl_link_set_name (link, name);
  r = rtnl_link_delete (s, link);
  if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
    return nl_fail (err, r, "delete", name);
  return 0;
}

struct list_ctx
{
  const char *prefix;
  int master;
  char ***names;
  int failed;
};

static void
list_one (struct nl_object *obj, void *data)
{
  struct list_ctx *c = data;
  const char *name = rtnl_link_get_name ((struct rtnl_link *)obj);

  if (c->master > 0 && rtnl_link_get_master ((struct rtnl_link *)obj) != c->master)
    return;
  if (name && strncmp (name, c->prefix, strlen (c->prefix)) == 0 && strv_append (c->names, name) < 0)
    c->failed = -ENOMEM;
}

static int
list_links (struct nl_sock *s, const char *prefix, const char *master, char ***names, struct cordon_error *err)
{
  struct nl_cache *cache = NULL;
  cleanup_strv char **out = calloc (1, sizeof *out);
  struct list_ctx c = { .prefix = prefix, .names = &out };
  int r;

  if (out == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = rtnl_link_alloc_cache (s, AF_UNSPEC, &cache);
  if (r < 0)
    return nl_fail (err, r, "list", "interfaces");
  if (master)
    {
      c.master = rtnl_link_name2i (cache, master);
      if (c.master <= 0)
        {
          nl_cache_free (cache);
          *names = steal_pointer (&out);
          return 0;
        }
    }
  nl_cache_foreach (cache, list_one, &c);
  nl_cache_free (cache);
  if (c.failed)
    return cordon_error_set (err, ENOMEM, "out of memory");
  *names = steal_pointer (&out);
  return 0;
}

int
netlink_list_links (const char *prefix, const char *master, char ***names, struct cordon_error *err)
{
  cleanup_nl_sock struct nl_sock *s = NULL;
  int r = route_socket (&s, err);

  return r < 0 ? r : list_links (s, prefix, master, names, err);
}

int
netlink_next_ifname (int netns_fd, const char *prefix, char buf[16], struct cordon_error *err)
{
  cleanup_nl_sock struct nl_sock *s = NULL;
  cleanup_strv char **names = NULL;
  int r;

  r = route_socket_in (netns_fd, &s, err);
  if (r >= 0)
    r = list_links (s, prefix, NULL, &names, err);
  if (r < 0)
    return r;
  return net_ifname_next (prefix, names, buf) < 0 ? cordon_error_set (err, ENOSPC, "no free interface name") : 0;
}

int
net_ifname_next (const char *prefix, char *const *names, char buf[16])
{
  for (unsigned n = 0; n < 10000; n++)
    {
      bool taken = false;

      if (snprintf (buf, 16, "%s%u", prefix, n) >= 16)
        return -ENOSPC;
      for (char *const *p = names; p && *p && !taken; p++)
        taken = strcmp (*p, buf) == 0;
      if (!taken)
        return 0;
    }
  return -ENOSPC;
}
