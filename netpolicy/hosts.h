/* SPDX-License-Identifier: Apache-2.0 */
/* Each sandbox's /etc/hosts on a network: hosts.d/ID in the network's
 * directory, bind-mounted read-only.  On a network with names it lists
 * every lease's names, and is rewritten for every sandbox whenever one
 * starts or ends (what Docker's embedded DNS answers, without a server).
 * Rewritten in place, not renamed: the bind mount holds the inode.  */
#ifndef CORDON_NETPOLICY_HOSTS_H
#define CORDON_NETPOLICY_HOSTS_H

#include <stddef.h>

#include "common/error.h"
#include "netpolicy/ipam.h"
#include "netpolicy/network.h"

/* The text of `self`'s /etc/hosts (heap).  */
int hosts_render (const struct network_config *cfg, const struct ipam_table *t, const struct ipam_lease *self,
                  char **out, size_t *len, struct cordon_error *err);

/* Under the ipam lock: writes hosts.d/ID of every lease in `t`.  */
int hosts_update (int netdfd, const struct network_config *cfg, const struct ipam_table *t, struct cordon_error *err);

/* Removes hosts.d/ID (gone already is fine).  */
void hosts_remove (int netdfd, const char *id);

#endif
