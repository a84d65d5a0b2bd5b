/* SPDX-License-Identifier: Apache-2.0 */
/* Runs nft in a sandbox's network namespace: a forked child joins it
 * (setns) and runs libnftables there, so the monitor itself never leaves
 * the host's namespace, where it still has a veth and leases to give back.  */
#ifndef CORDON_NETPOLICY_EGRESS_NETNS_H
#define CORDON_NETPOLICY_EGRESS_NETNS_H

#include "common/error.h"
#include "netpolicy/egress.h"

/* Installs the policy's table in the namespace `netns_fd` names.  */
int egress_netns_apply (int netns_fd, const struct egress_policy *p, struct cordon_error *err);

/* What the table remembered refusing (see egress_parse_listing).  */
/* `network connect`: the new network's sandboxes become reachable, when
 * the sandbox has an egress table at all.  */
int egress_netns_add_peers (int netns_fd, uint32_t subnet, unsigned prefix, uint32_t gateway, struct cordon_error *err);
int egress_netns_denials (int netns_fd, struct egress_denial **out, size_t *n, uint64_t *total,
                          struct cordon_error *err);

#endif
