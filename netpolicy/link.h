/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel side of a bridge network, over rtnetlink (libnl-route): the
 * bridge in the host's network namespace, and one veth pair a sandbox with
 * its peer moved into the sandbox's namespace as eth0.  No `ip` commands:
 * every step is one netlink request whose error we see.  */
#ifndef CORDON_NETPOLICY_LINK_H
#define CORDON_NETPOLICY_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "netpolicy/network.h"

/* The bridge of `cfg`, made when missing (concurrent starts may race to
 * make it: EEXIST is success), up, with the gateway address unless the
 * network is internal (an internal network does not reach the host).
 * Returns 1 when it made the bridge, 0 when it was there.  */
int netlink_bridge_ensure (const struct network_config *cfg, struct cordon_error *err);

/* A veth pair: `host_if` on the bridge of `cfg`, its peer `ifname` in the
 * network namespace `netns_fd` with `ip` and, when `default_route` and the
 * network is not internal, a default route through the gateway.  */
int netlink_veth_attach (const struct network_config *cfg, const char *host_if, int netns_fd, const char *ifname,
                         uint32_t ip, bool default_route, struct cordon_error *err);

/* The lowest PREFIXn (eth1, eth2...) no interface of the network namespace
 * `netns_fd` has.  */
int netlink_next_ifname (int netns_fd, const char *prefix, char buf[16], struct cordon_error *err);
/* The same from a list of names (pure): the lowest n >= 0 with no PREFIXn
 * in `names`; -ENOSPC past 9999.  */
int net_ifname_next (const char *prefix, char *const *names, char buf[16]);

/* Deletes interface `name`; one that is gone already is success.  */
int netlink_link_delete (const char *name, struct cordon_error *err);

/* Names of the host's interfaces that start with `prefix` (and are ports
 * of bridge `master`, unless NULL).  */
int netlink_list_links (const char *prefix, const char *master, char ***names, struct cordon_error *err);

#endif
