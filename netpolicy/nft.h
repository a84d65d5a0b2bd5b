/* SPDX-License-Identifier: Apache-2.0 */
/* The firewall side of a bridge network: a table `inet cordon-ID8` of its
 * own (so that networks of other state roots, and other networks, are never
 * rewritten by this one's changes).  It keeps networks apart (nothing is
 * forwarded from this bridge to another cordon bridge), keeps an internal
 * network in (nothing forwarded in or out), and masquerades what the others
 * send out.
 *
 * libnftables is opened with dlopen when a network needs it: every other
 * cordon command starts without loading it and its four libraries.  */
#ifndef CORDON_NETPOLICY_NFT_H
#define CORDON_NETPOLICY_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "netpolicy/network.h"

/* The table's text (heap): replaced by the rules of `cfg` when `present`,
 * else only removed.  Exposed for tests.  */
int nft_ruleset_render (const struct network_config *cfg, bool present, char **out, struct cordon_error *err);

/* Runs nft commands with libnftables in the calling process's network
 * namespace; `output` (heap, when not NULL) gets what they print.  */
int nft_run_text (const char *text, char **output, struct cordon_error *err);

/* Replaces the network's table (one transaction: no moment without it),
 * and turns on IPv4 forwarding when the network may reach out.  */
int nft_network_apply (const struct network_config *cfg, struct cordon_error *err);
/* Removes the network's table (one that is gone is fine).  */
int nft_network_remove (const struct network_config *cfg, struct cordon_error *err);

/* Removes every network table (of any state root) whose bridge is gone:
 * what a network removed without its table (a killed `network rm`, a
 * lost state root) left.  Such a table still matches its old subnet, and
 * where bridged traffic passes the IP hooks (br_netfilter), would
 * masquerade the traffic of a new network that took the subnet.  */
int nft_remove_orphan_tables (struct cordon_error *err);

#endif
