/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel side of a bridge network, over rtnetlink (libnl-route): the
 * bridge in the host's network namespace, and one veth pair a sandbox with
 * its peer moved into the sandbox's namespace as eth0.  No `ip` commands:
 * every step is one netlink request whose error we see.  */
#ifndef CORDON_NETPOLICY_LINK_H
#define CORDON_NETPOLICY_LINK_H

#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "netpolicy/network.h"

/* The bridge of `cfg`, made when missing (concurrent starts may race to
 * make it: EEXIST is success), up, with the gateway address unless the
 * network is internal (an internal network does not reach the host).
 * Returns 1 when it made the bridge, 0 when it was there.  */
int netlink_bridge_ensure (const struct network_config *cfg, struct cordon_error *err);

/* A veth pair: `host_if` on the bridge of `cfg`, its peer eth0 in the
 * network namespace `netns_fd` with `ip` and, unless the network is
 * internal, a default route through the gateway.  */
int netlink_veth_attach (const struct network_config *cfg, const char *host_if, int netns_fd, uint32_t ip,
                         struct cordon_error *err);

/* Deletes interface `name`; one that is gone already is success.  */
int netlink_link_delete (const char *name, struct cordon_error *err);

/* Names of the host's interfaces that start with `prefix` (and are ports
 * of bridge `master`, unless NULL).  */
int netlink_list_links (const char *prefix, const char *master, char ***names, struct cordon_error *err);

#endif
