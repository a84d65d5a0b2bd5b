/* SPDX-License-Identifier: Apache-2.0 */
/* Each sandbox's /etc/hosts: hosts.d/ID in a network's directory,
 * bind-mounted read-only (the one of the network it started on).  It lists
 * the sandbox's names, and on networks with names every other lease's, of
 * every network the sandbox is on (`network connect` adds networks to a
 * running sandbox, whose mount cannot change): what Docker's embedded DNS
 * answers, without a server.  So every hosts.d/ID of a sandbox holds the
 * same text, rewritten whenever a lease of one of its networks comes or
 * goes.  Rewritten in place, not renamed: the bind mount holds the inode.  */
#ifndef CORDON_NETPOLICY_HOSTS_H
#define CORDON_NETPOLICY_HOSTS_H

#include <stddef.h>

#include "common/error.h"
#include "netpolicy/ipam.h"
#include "netpolicy/network.h"

/* One network as /etc/hosts sees it.  */
struct hosts_view
{
  const struct network_config *cfg;
  const struct ipam_table *t;
};

/* The text of sandbox `id`'s /etc/hosts from the networks of `views` it
 * has a lease on (heap): pure.  */
int hosts_render (const struct hosts_view *views, size_t n, const char *id, char **out, size_t *len,
                  struct cordon_error *err);

/* Under the ipam lock of `cfg`, `t` being what was just saved: rewrites the
 * hosts files of every sandbox of `t`, in every network it is on.  */
int hosts_update (const struct network_store *s, const struct network_config *cfg, const struct ipam_table *t,
                  struct cordon_error *err);

/* Rewrites the hosts files of sandbox `id` (after one of its leases
 * went): those of the networks it is on, and one that is left where it
 * was (the mounted one, of the network it left).  */
int hosts_update_sandbox (const struct network_store *s, const char *id, struct cordon_error *err);

/* Removes hosts.d/ID (gone already is fine).  */
void hosts_remove (int netdfd, const char *id);

#endif
