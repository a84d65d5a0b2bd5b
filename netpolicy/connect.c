/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/connect.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "netpolicy/attach.h"
#include "netpolicy/egress-netns.h"
#include "netpolicy/hosts.h"
#include "netpolicy/ipam.h"
#include "netpolicy/link.h"

/* Docker's message as it is (no strerror after it), with `errnum` for the
 * caller to tell.  */
__attribute__ ((format (printf, 3, 4))) static int
refuse (struct cordon_error *err, int errnum, const char *fmt, ...)
{
  char msg[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  cordon_error_set (err, 0, "%s", msg);
  err->status = errnum;
  return -errnum;
}

/* The veth, inside as the next free ethN.  Two connects of one sandbox to
 * two networks (each under its own network's lock) may choose the same
 * name: the second is refused by the kernel (EEXIST) and chooses again.  */
static int
make_veth (const struct network_config *cfg, const struct network_endpoint_request *req, struct network_endpoint *ep,
           struct cordon_error *err)
{
  int r = -EEXIST;

  for (int tries = 0; tries < 8 && r == -EEXIST; tries++)
    {
      cordon_error_release (err);
      r = netlink_next_ifname (req->netns_fd, "eth", ep->ifname, err);
      if (r < 0)
        return r;
      r = netlink_veth_attach (cfg, ep->veth, req->netns_fd, ep->ifname, ep->ip, false, err);
    }
  return r;
}

static int
connect_locked (const struct network_store *s, int dfd, const struct network_config *cfg,
                const struct network_endpoint_request *req, struct network_endpoint *ep, struct cordon_error *err)
{
  struct ipam_table t = { 0 };
  struct ipam_lease lease = { .ip = req->ip, .pid = req->owner_pid, .start = req->owner_start };
  int r;

  memcpy (lease.id, req->id, sizeof lease.id);
  ipam_veth_name_connect (req->id, cfg->id, lease.veth);
  if (req->names && (lease.names = strv_copy (req->names)) == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = ipam_load (dfd, &t, err);
  if (r >= 0)
    r = network_reap_locked (dfd, &t, err);
  if (r >= 0 && ipam_find (&t, req->id))
    r = refuse (err, EEXIST, "endpoint with name %s already exists in network %s", req->display, cfg->name);
  if (r >= 0)
    r = ipam_add (cfg, &t, &lease, err);
  if (r >= 0)
    {
      ep->ip = t.leases[t.n - 1].ip;
      memcpy (ep->veth, lease.veth, sizeof ep->veth);
      r = ipam_save (dfd, &t, err);
    }
  if (r >= 0)
    {
      /* Its egress policy, if it has one, lets it reach the new
       * network's sandboxes (not their gateway).  */
      r = egress_netns_add_peers (req->netns_fd, cfg->subnet.addr, cfg->subnet.prefix, cfg->gateway, err);
      if (r >= 0)
        r = make_veth (cfg, req, ep, err);
      if (r < 0)
        {
          /* Not connected after all: the address and names go back.  */
          cleanup_error struct cordon_error ignored = { 0 };
          ipam_remove (&t, req->id);
          ipam_save (dfd, &t, &ignored);
        }
    }
  if (r >= 0)
    r = hosts_update (s, cfg, &t, err);
  ipam_lease_release (&lease);
  ipam_release (&t);
  return r;
}

int
network_connect (const struct network_store *s, const struct network_endpoint_request *req,
                 struct network_endpoint *out, struct cordon_error *err)
{
  struct network_config cfg;
  cleanup_close int dfd = -1;
  cleanup_close int lock = -1;
  int r;

  *out = (struct network_endpoint){ 0 };
  if (strlen (req->id) != IPAM_ID_HEX)
    return cordon_error_set (err, EINVAL, "sandbox id");
  r = network_ready (s, req->network, &cfg, err);
  if (r < 0)
    return r;
  r = lock = network_open_locked (s, cfg.name, &dfd, err);
  if (r >= 0)
    r = connect_locked (s, dfd, &cfg, req, out, err);
  network_config_release (&cfg);
  return r;
}

int
network_disconnect (const struct network_store *s, const char *network, const char *id, const char *display,
                    bool keep_hosts, struct cordon_error *err)
{
  struct network_config cfg;
  cleanup_close int dfd = -1;
  cleanup_close int lock = -1;
  struct ipam_table t = { 0 };
  const struct ipam_lease *l;
  char veth[16];
  int r;

  r = network_load (s, network, &cfg, err);
  if (r < 0)
    return r;
  r = lock = network_open_locked (s, cfg.name, &dfd, err);
  if (r >= 0)
    r = ipam_load (dfd, &t, err);
  if (r >= 0 && (l = ipam_find (&t, id)) == NULL)
    r = refuse (err, ENOENT, "sandbox %s is not connected to network %s", display, cfg.name);
  if (r >= 0)
    {
      /* The host end: the pair goes with it, wherever the other end is.  */
      ipam_veth_name (l, veth);
      r = netlink_link_delete (veth, err);
    }
  if (r >= 0)
    {
      ipam_remove (&t, id);
      r = ipam_save (dfd, &t, err);
    }
  if (r >= 0)
    r = hosts_update (s, &cfg, &t, err);
  if (r >= 0 && !keep_hosts)
    hosts_remove (dfd, id);
  /* Its own file(s): without this network's names now.  */
  if (r >= 0)
    r = hosts_update_sandbox (s, id, err);
  ipam_release (&t);
  network_config_release (&cfg);
  return r;
}

void
network_leave_all (const struct network_store *s, const char *id)
{
  cleanup_error struct cordon_error err = { 0 };
  struct network_config *all = NULL;
  size_t n = 0;

  if (network_load_all (s, &all, &n, &err) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_close int dfd = network_open_dir (s, all[i].name, &err);
      cleanup_close int lock = dfd >= 0 ? ipam_lock (dfd, &err) : -1;
      struct ipam_table t = { 0 };
      const struct ipam_lease *l;

      if (lock >= 0 && ipam_load (dfd, &t, &err) >= 0 && (l = ipam_find (&t, id)) != NULL)
        {
          char veth[16];

          ipam_veth_name (l, veth);
          netlink_link_delete (veth, &err);
          ipam_remove (&t, id);
          if (ipam_save (dfd, &t, &err) >= 0)
            hosts_update (s, &all[i], &t, &err);
          hosts_remove (dfd, id);
        }
      ipam_release (&t);
      cordon_error_release (&err);
    }
  network_configs_free (all, n);
}

/* One network's lease of a restarted sandbox, under that network's lock:
 * the old pair died with the old namespace; a new one, same address.  */
static int
rejoin_one (const struct network_config *cfg, const struct ipam_lease *l, int netns_fd, struct cordon_error *err)
{
  struct network_endpoint_request req = { .id = l->id, .netns_fd = netns_fd };
  struct network_endpoint ep = { .ip = l->ip };
  cleanup_error struct cordon_error gone = { 0 };
  int r;

  ipam_veth_name (l, ep.veth);
  netlink_link_delete (ep.veth, &gone);
  r = egress_netns_add_peers (netns_fd, cfg->subnet.addr, cfg->subnet.prefix, cfg->gateway, err);
  if (r >= 0)
    r = make_veth (cfg, &req, &ep, err);
  return r;
}

int
network_rejoin_all (const struct network_store *s, const char *id, const char *first, int netns_fd,
                    struct cordon_error *err)
{
  struct network_config *all = NULL;
  size_t n = 0;
  int r = network_load_all (s, &all, &n, err), joined = 0;

  for (size_t i = 0; i < n && r >= 0; i++)
    {
      cleanup_close int dfd = -1;
      cleanup_close int lock = -1;
      struct ipam_table t = { 0 };
      const struct ipam_lease *l;

      if (strcmp (all[i].name, first) == 0)
        continue;
      r = lock = network_open_locked (s, all[i].name, &dfd, err);
      if (r >= 0)
        r = ipam_load (dfd, &t, err);
      /* Only the leases of this monitor: a restart, not an older life of
       * the same id (those are stale, reaped with the rest).  */
      if (r >= 0 && (l = ipam_find (&t, id)) != NULL && l->pid == getpid ())
        {
          r = rejoin_one (&all[i], l, netns_fd, err);
          joined += r >= 0;
        }
      ipam_release (&t);
    }
  network_configs_free (all, n);
  return r < 0 ? r : joined;
}
