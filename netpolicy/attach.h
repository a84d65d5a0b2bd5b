/* SPDX-License-Identifier: Apache-2.0 */
/* A sandbox on a bridge network, from its monitor's side: take a lease and
 * write the sandbox's /etc/hosts before the sandbox is made; give it eth0
 * once its network namespace exists and before it runs; give the lease
 * back and delete the veth when it ends.  Also the cleanup of what a
 * monitor killed with SIGKILL left behind (stale leases, their veths and
 * hosts files, bridges of removed networks).  */
#ifndef CORDON_NETPOLICY_ATTACH_H
#define CORDON_NETPOLICY_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "netpolicy/ipam.h"
#include "netpolicy/network.h"
#include "netpolicy/publish.h"

struct network_request
{
  const char *network; /* a name, or "bridge" */
  uint32_t ip;         /* --ip; 0: the next free */
  char **names;        /* --name and --dns-name */
  char **hosts;        /* --add-host NAME:IP */
  char **ports;        /* -p, canonical (netpolicy/publish.h) */
  const char *id;      /* the sandbox's id (64 hex) */
  bool forwarded;      /* ports go through netpolicy/forward.h, not DNAT */
};

struct network_attachment
{
  struct network_store store;
  struct network_config cfg;
  char id[IPAM_ID_HEX + 1];
  uint32_t ip;
  char veth[16];
  char *hosts_path; /* bind-mounted read-only over /etc/hosts */
  bool leased;
  bool published; /* its table of DNAT rules may exist */
  /* The host ports it publishes, bound: until its DNAT rules are gone, no
   * host process takes them (netpolicy/publish.h).  */
  struct publish_hold held;
};

/* The network's bridge, made when missing (returns 1 then), with its
 * table (after removing tables whose bridge is gone).  */
int network_bridge_up (const struct network_config *cfg, struct cordon_error *err);

/* Network `name`'s directory (in *dfd) with its ipam lock taken: the lock's
 * fd, or -errno (then *dfd is -1).  */
int network_open_locked (const struct network_store *s, const char *name, int *dfd, struct cordon_error *err);

int network_attach_prepare (const char *root_override, const struct network_request *req, struct network_attachment *a,
                            struct cordon_error *err);
/* In the monitor, between clone and the sandbox's start.  */
int network_attach_netns (struct network_attachment *a, pid_t init_pid, struct cordon_error *err);
/* Gives everything back; safe after a failed prepare.  */
void network_attach_release (struct network_attachment *a);

/* Loads network `name` (making the default one when missing), and its
 * bridge and firewall when a reboot, or someone, removed them.  */
int network_ready (const struct network_store *s, const char *name, struct network_config *cfg,
                   struct cordon_error *err);

/* Under network `dfd`'s ipam lock, `t` loaded: takes the stale leases out
 * of `t` and removes their veths and hosts files (the caller saves `t`).
 * Returns how many, or -errno.  */
int network_reap_locked (int dfd, struct ipam_table *t, struct cordon_error *err);

/* Takes network `dfd`'s ipam lock: removes stale leases with their veths
 * and hosts files.  Returns how many, or -errno.  */
int network_reap_stale (const struct network_store *s, const struct network_config *cfg, struct cordon_error *err);

/* `cordon network prune`: stale leases everywhere, veths no lease owns,
 * bridges no network owns, then the user-defined networks with no sandbox
 * (as Docker's prune).  The removed networks' names in *removed.  */
int network_prune (const struct network_store *s, char ***removed, struct cordon_error *err);

/* 1 when a live sandbox holds a lease on any network of `s`, else 0.  */
int network_store_in_use (const struct network_store *s, struct cordon_error *err);

/* `cordon network rm`: refuses a network a running sandbox uses.  */
int network_remove (const struct network_store *s, const char *name, struct cordon_error *err);

#endif
