/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "netpolicy/connect.h"
#include "netpolicy/hosts.h"
#include "netpolicy/link.h"
#include "netpolicy/nft.h"
#include "netpolicy/publish.h"
#include "sandbox/state.h"

int
network_reap_locked (int dfd, struct ipam_table *t, struct cordon_error *err)
{
  struct ipam_table gone = { 0 };
  size_t n;
  int r;

  r = ipam_take_stale (t, &gone, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < gone.n; i++)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      char veth[16];

      /* Its sandbox died with its monitor, and the veth with its network
       * namespace; unless something kept the namespace: cut it off.  */
      ipam_veth_name (&gone.leases[i], veth);
      netlink_link_delete (veth, &ignored);
      hosts_remove (dfd, gone.leases[i].id);
      if (gone.leases[i].ports && gone.leases[i].ports[0])
        publish_remove (gone.leases[i].id, &ignored);
    }
  n = gone.n;
  ipam_release (&gone);
  return (int)n;
}

int
network_open_locked (const struct network_store *s, const char *name, int *dfd, struct cordon_error *err)
{
  int lock;

  *dfd = network_open_dir (s, name, err);
  if (*dfd < 0)
    return *dfd;
  lock = ipam_lock (*dfd, err);
  if (lock < 0)
    {
      close (*dfd);
      *dfd = -1;
    }
  return lock;
}

int
network_reap_stale (const struct network_store *s, const struct network_config *cfg, struct cordon_error *err)
{
  cleanup_close int dfd = -1;
  cleanup_close int lock = network_open_locked (s, cfg->name, &dfd, err);
  struct ipam_table t = { 0 };
  int r, n;

  if (lock < 0)
    return lock;
  r = ipam_load (dfd, &t, err);
  if (r < 0)
    return r;
  n = network_reap_locked (dfd, &t, err);
  r = n;
  if (n > 0)
    {
      r = ipam_save (dfd, &t, err);
      if (r >= 0)
        r = hosts_update (s, cfg, &t, err);
    }
  ipam_release (&t);
  return r < 0 ? r : n;
}

int
network_bridge_up (const struct network_config *cfg, struct cordon_error *err)
{
  int r = netlink_bridge_ensure (cfg, err);

  if (r <= 0)
    return r;
  /* A new bridge: no table left by another may claim its subnet.  */
  r = nft_remove_orphan_tables (err);
  if (r >= 0)
    r = nft_network_apply (cfg, err);
  return r;
}

static int
lease_locked (struct network_attachment *a, int dfd, const struct network_request *req, struct cordon_error *err)
{
  struct ipam_table t = { 0 };
  struct ipam_lease lease = { .ip = req->ip, .pid = getpid () };
  int r;

  memcpy (lease.id, a->id, sizeof lease.id);
  lease.start = state_proc_start_time (lease.pid);
  if ((req->names && (lease.names = strv_copy (req->names)) == NULL)
      || (req->hosts && (lease.hosts = strv_copy (req->hosts)) == NULL)
      || (req->ports && (lease.ports = strv_copy (req->ports)) == NULL))
    {
      ipam_lease_release (&lease);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  r = ipam_load (dfd, &t, err);
  if (r >= 0)
    r = network_reap_locked (dfd, &t, err);
  if (r >= 0)
    r = ipam_add (&a->cfg, &t, &lease, err);
  if (r >= 0)
    {
      a->ip = t.leases[t.n - 1].ip;
      ipam_veth_name (&t.leases[t.n - 1], a->veth);
      r = ipam_save (dfd, &t, err);
    }
  if (r >= 0)
    {
      a->leased = true;
      r = hosts_update (&a->store, &a->cfg, &t, err);
    }
  ipam_lease_release (&lease);
  ipam_release (&t);
  return r;
}

/* Under the store's lock, which every start that publishes takes: a host
 * port published by a live sandbox of another network.  ipam.json is
 * replaced by rename, so reading it without its network's lock is safe.  */
static int
check_ports_elsewhere (const struct network_store *s, const char *self, char *const *ports, struct cordon_error *err)
{
  cleanup_strv char **names = NULL;
  int r;

  r = network_list (s, &names, err);
  if (r < 0)
    return r;
  for (char **p = names; *p && r >= 0; p++)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      cleanup_close int dfd = -1;
      struct ipam_table t = { 0 }, gone = { 0 };

      if (strcmp (*p, self) == 0 || (dfd = network_open_dir (s, *p, &ignored)) < 0 || ipam_load (dfd, &t, &ignored) < 0)
        continue;
      if (ipam_take_stale (&t, &gone, &ignored) >= 0)
        r = ipam_check_ports (&t, ports, err);
      ipam_release (&t);
      ipam_release (&gone);
    }
  return r;
}

static int
publish_locked (struct network_attachment *a, char *const *ports, struct cordon_error *err)
{
  int r;

  a->published = true;
  /* Again, for the guard chain that tables made before it lack.  */
  r = nft_network_apply (&a->cfg, err);
  if (r >= 0)
    r = publish_apply (a->id, &a->cfg, a->ip, ports, err);
  if (r < 0)
    return cordon_error_wrap (err, "-p");
  return 0;
}

int
network_ready (const struct network_store *s, const char *name, struct network_config *cfg, struct cordon_error *err)
{
  int r;

  if (strcmp (name, NETWORK_DEFAULT) == 0)
    r = network_ensure_default (s, cfg, err);
  else
    r = network_load (s, name, cfg, err);
  if (r < 0)
    return r;
  /* The bridge (and the firewall with it) is made again if a reboot, or
   * someone, removed it since `network create`.  */
  r = network_bridge_up (cfg, err);
  if (r < 0)
    {
      cordon_error_wrap (err, "network %s", cfg->name);
      network_config_release (cfg);
      return r;
    }
  return 0;
}

int
network_attach_prepare (const char *root_override, const struct network_request *req, struct network_attachment *a,
                        struct cordon_error *err)
{
  cleanup_close int dfd = -1;
  cleanup_close int store_lock = -1;
  cleanup_close int lock = -1;
  bool publish = req->ports && req->ports[0];
  int r;

  *a = (struct network_attachment){ .store = { .dfd = -1 } };
  if (strlen (req->id) != IPAM_ID_HEX)
    return cordon_error_set (err, EINVAL, "sandbox id");
  memcpy (a->id, req->id, sizeof a->id);
  r = network_store_open (root_override, &a->store, err);
  if (r < 0)
    return r;
  r = network_ready (&a->store, req->network, &a->cfg, err);
  if (r < 0)
    return r;
  if (publish && a->cfg.internal)
    return cordon_error_set (err, EINVAL, "-p: network %s is internal: nothing reaches it from outside", a->cfg.name);
  /* The store's lock before the network's, as prune and rm take them.  */
  if (publish && (store_lock = network_store_lock (&a->store, err)) < 0)
    return store_lock;
  if (publish && (r = check_ports_elsewhere (&a->store, a->cfg.name, req->ports, err)) < 0)
    return r;
  dfd = network_open_dir (&a->store, a->cfg.name, err);
  if (dfd < 0)
    return dfd;
  lock = ipam_lock (dfd, err);
  if (lock < 0)
    return lock;
  r = lease_locked (a, dfd, req, err);
  /* After the leases' checks, which name the sandbox that publishes a
   * port; before the rules, which would shadow a host process's.  A
   * forwarded port was bound on the host already (netpolicy/forward.h).  */
  if (r >= 0 && publish && !req->forwarded)
    r = publish_hold_ports (req->ports, false, &a->held, err);
  if (r >= 0 && publish && !req->forwarded)
    r = publish_locked (a, req->ports, err);
  if (r < 0)
    return r;
  if (asprintf (&a->hosts_path, "%s/%s/hosts.d/%s", a->store.path, a->cfg.name, a->id) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

int
network_attach_netns (struct network_attachment *a, pid_t init_pid, struct cordon_error *err)
{
  cleanup_close int nsfd = -1;
  char path[64];
  int r;

  /* init is our child and not yet reaped: its pid cannot be another's.  */
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)init_pid);
  nsfd = open (path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return cordon_error_set (err, errno, "the sandbox's network namespace");
  /* After a restart, the pair of the run before may still exist: the
   * kernel destroys an ended network namespace later, in a work queue.
   * The name is this sandbox's; deleting its host end takes both.  */
  {
    cleanup_error struct cordon_error gone = { 0 };
    netlink_link_delete (a->veth, &gone);
  }
  r = netlink_veth_attach (&a->cfg, a->veth, nsfd, "eth0", a->ip, true, err);
  if (r < 0)
    return cordon_error_wrap (err, "network %s", a->cfg.name);
  return 0;
}

void
network_attach_release (struct network_attachment *a)
{
  cleanup_error struct cordon_error err = { 0 };

  if (a->leased)
    {
      cleanup_close int dfd = network_open_dir (&a->store, a->cfg.name, &err);
      cleanup_close int lock = dfd >= 0 ? ipam_lock (dfd, &err) : -1;
      struct ipam_table t = { 0 };

      netlink_link_delete (a->veth, &err);
      if (a->published)
        publish_remove (a->id, &err);
      if (lock >= 0 && ipam_load (dfd, &t, &err) >= 0 && ipam_remove (&t, a->id) && ipam_save (dfd, &t, &err) >= 0)
        hosts_update (&a->store, &a->cfg, &t, &err);
      if (dfd >= 0)
        hosts_remove (dfd, a->id);
      ipam_release (&t);
      a->leased = false;
    }
  /* Only once the rules are gone: the port was the sandbox's until then.  */
  publish_hold_release (&a->held);
  /* And those `network connect` gave it, with their veths: after the lock
   * above is closed, as each network's lock is taken again.  */
  if (a->store.dfd >= 0)
    network_leave_all (&a->store, a->id);
  free (a->hosts_path);
  a->hosts_path = NULL;
  network_config_release (&a->cfg);
  network_store_close (&a->store);
}

/* Live leases of network `name`, after reaping the stale ones.  */
static int
live_leases (const struct network_store *s, const struct network_config *cfg, struct ipam_table *t,
             struct cordon_error *err)
{
  cleanup_close int dfd = -1;
  cleanup_close int lock = -1;
  int r;

  r = network_reap_stale (s, cfg, err);
  if (r < 0)
    return r;
  lock = network_open_locked (s, cfg->name, &dfd, err);
  if (lock < 0)
    return lock;
  return ipam_load (dfd, t, err);
}

int
network_store_in_use (const struct network_store *s, struct cordon_error *err)
{
  struct network_config *all = NULL;
  size_t n = 0;
  int r = network_load_all (s, &all, &n, err);

  for (size_t i = 0; i < n && r == 0; i++)
    {
      struct ipam_table t = { 0 };
      r = live_leases (s, &all[i], &t, err);
      if (r >= 0)
        r = t.n > 0;
      ipam_release (&t);
    }
  network_configs_free (all, n);
  return r;
}

static int
remove_locked (const struct network_store *s, const struct network_config *cfg, bool *in_use, struct cordon_error *err)
{
  struct ipam_table t = { 0 };
  int r;

  r = live_leases (s, cfg, &t, err);
  *in_use = r >= 0 && t.n > 0;
  ipam_release (&t);
  if (r < 0 || *in_use)
    return r;
  r = nft_network_remove (cfg, err);
  if (r >= 0)
    r = netlink_link_delete (cfg->bridge, err);
  if (r >= 0)
    r = network_remove_dir (s, cfg->name, err);
  return r;
}

int
network_remove (const struct network_store *s, const char *name, struct cordon_error *err)
{
  struct network_config cfg;
  cleanup_close int lock = -1;
  bool in_use = false;
  int r;

  lock = network_store_lock (s, err);
  if (lock < 0)
    return lock;
  r = network_load (s, name, &cfg, err);
  if (r < 0)
    return r;
  r = remove_locked (s, &cfg, &in_use, err);
  if (r >= 0 && in_use)
    r = cordon_error_set (err, EBUSY, "network %s has active endpoints", name);
  network_config_release (&cfg);
  return r;
}

/* veths on our bridges that no lease owns (a lease file lost with its
 * monitor).  Only our bridges' ports: interface names are host-wide, and
 * another state root's sandboxes are not ours to cut off.  */
static void
remove_orphan_veths (const struct network_store *s, const struct network_config *all, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      cleanup_close int dfd = network_open_dir (s, all[i].name, &err);
      cleanup_close int lock = dfd >= 0 ? ipam_lock (dfd, &err) : -1;
      cleanup_strv char **veths = NULL;
      struct ipam_table t = { 0 };

      if (lock < 0 || ipam_load (dfd, &t, &err) < 0
          || netlink_list_links (NETWORK_VETH_PREFIX, all[i].bridge, &veths, &err) < 0)
        {
          ipam_release (&t);
          continue;
        }
      for (char **p = veths; *p; p++)
        {
          bool owned = false;
          for (size_t j = 0; j < t.n && !owned; j++)
            {
              char veth[16];
              ipam_veth_name (&t.leases[j], veth);
              owned = strcmp (veth, *p) == 0;
            }
          if (!owned)
            netlink_link_delete (*p, &err);
        }
      ipam_release (&t);
    }
}

int
network_prune (const struct network_store *s, char ***removed, struct cordon_error *err)
{
  cleanup_close int lock = network_store_lock (s, err);
  cleanup_strv char **names = NULL, **out = calloc (1, sizeof *out);
  struct network_config *all = NULL;
  size_t n = 0;
  int r;

  if (lock < 0)
    return lock;
  if (out == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  /* Directories that are no network (a create that died half way).  */
  r = network_list (s, &names, err);
  if (r < 0)
    return r;
  for (char **p = names; *p; p++)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      struct network_config cfg;
      if (network_load (s, *p, &cfg, &ignored) >= 0)
        network_config_release (&cfg);
      else if (faccessat (s->dfd, *p, F_OK, AT_SYMLINK_NOFOLLOW) == 0 && network_remove_dir (s, *p, &ignored) >= 0)
        strv_append (&out, *p);
    }
  r = network_load_all (s, &all, &n, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < n && r >= 0; i++)
    {
      bool in_use = false;
      if (strcmp (all[i].name, NETWORK_DEFAULT) == 0)
        {
          /* Kept, as Docker keeps its default networks; cleaned.  */
          r = network_reap_stale (s, &all[i], err);
          continue;
        }
      r = remove_locked (s, &all[i], &in_use, err);
      if (r >= 0 && !in_use && strv_append (&out, all[i].name) < 0)
        r = cordon_error_set (err, ENOMEM, "out of memory");
    }
  network_configs_free (all, n);
  if (r < 0)
    return r;
  r = network_load_all (s, &all, &n, err);
  if (r < 0)
    return r;
  remove_orphan_veths (s, all, n);
  {
    cleanup_error struct cordon_error ignored = { 0 };
    nft_remove_orphan_tables (&ignored);
  }
  network_configs_free (all, n);
  *removed = steal_pointer (&out);
  return 0;
}
