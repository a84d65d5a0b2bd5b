/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless bridge networks live in a network namespace cordon owns for the
 * user, not in the host's (which an unprivileged user cannot change).  One
 * per state root, made on first use and kept alive by a small holder
 * process (`cordon-netns`), as rootlesskit's and podman's pause process do:
 *
 *   - the holder unshares a user namespace (the user as root; with
 *     newuidmap and /etc/subuid, also the user's subordinate ids) and a
 *     network namespace, then sleeps;
 *   - a command that works on networks (run --network NAME, network
 *     create/rm/prune/connect/disconnect) joins both, where it has
 *     CAP_NET_ADMIN, and the root-mode code builds bridges, veths and
 *     nftables tables there unchanged;
 *   - a sandbox made from there gets a user namespace that is a child of
 *     the holder's, so its monitor may move a veth into it;
 *   - the outside is reached through pasta (passt) or slirp4netns when
 *     /dev/net/tun can be opened, else not at all (sandboxes then reach
 *     each other and their published ports only).  `cordon check` says
 *     which.
 *
 * The holder's record is `.holder` in the network store: "PID START OUTSIDE
 * OUTSIDE_PID", START being the holder's start time (a recycled pid is not
 * the holder).  `network prune` stops a holder no sandbox uses.  */
#ifndef CORDON_NETPOLICY_HOLDER_H
#define CORDON_NETPOLICY_HOLDER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "netpolicy/network.h"

#define HOLDER_OUTSIDE_MAX 16
#define HOLDER_RECORD_MAX 127

struct netns_holder
{
  pid_t pid;
  uint64_t start;
  char outside[HOLDER_OUTSIDE_MAX]; /* "pasta", "slirp4netns" or "none" */
  pid_t outside_pid;
  int userns_fd;
  int netns_fd;
};

/* The record's line, "PID START OUTSIDE OUTSIDE_PID\n": parsed strictly
 * (it is read back from the state root, which a crash or another process
 * may have left anything in), -EINVAL otherwise.  */
int netns_holder_record_parse (const char *text, size_t len, struct netns_holder *h);
int netns_holder_record_format (const struct netns_holder *h, char buf[HOLDER_RECORD_MAX + 1]);

/* Whether networks of this process's state root need a holder: not as
 * root of the host, whose own network namespace they use.  */
bool netns_holder_needed (void);

/* The holder of store `s`, started when missing or dead; its namespaces
 * open.  */
int netns_holder_ensure (const struct network_store *s, struct netns_holder *h, struct cordon_error *err);
/* The running holder, if any: 0 and h->pid 0 when there is none.  */
int netns_holder_find (const struct network_store *s, struct netns_holder *h, struct cordon_error *err);
/* Moves the calling process (single-threaded) into the holder's user and
 * network namespaces.  There is no way back.  */
int netns_holder_join (const struct netns_holder *h, struct cordon_error *err);
/* What every command that changes networks does first: rootless, join the
 * holder (started when missing if `start`).  Returns 1 when joined, 0 when
 * there is nothing to join (as root, or no holder and `start` false).  */
int netns_holder_enter (const struct network_store *s, bool start, struct cordon_error *err);
/* `network prune` (and `system prune`): the unused networks removed
 * (names in *removed), in the holder's namespace rootless; then the holder
 * stopped when no sandbox is on a network.  Joins the holder for good.  */
int netns_network_prune (const struct network_store *s, char ***removed, struct cordon_error *err);
/* Stops the holder and its outside link, and forgets it.  */
int netns_holder_stop (const struct network_store *s, struct cordon_error *err);
void netns_holder_release (struct netns_holder *h);

/* The holder's own program (argv[0] "cordon-netns"): sleeps.  */
_Noreturn int netns_holder_main (void);

/* The link between the holder's namespace and the host's
 * (holder-outside.c).  The tool a new holder would use: "pasta",
 * "slirp4netns" or "none", its path and why (static strings).
 * CORDON_ROOTLESS_NETWORK=pasta|slirp4netns|none chooses; by default
 * pasta, else slirp4netns, when /dev/net/tun can be opened.  */
const char *netns_outside_tool (const char **path, const char **why);
/* Starts `tool` on holder `holder`; its pid in *pid.  */
int netns_outside_start (const struct network_store *s, const char *tool, const char *path, pid_t holder, pid_t *pid,
                         struct cordon_error *err);
/* Stops the link of a holder (stopped or dead), if `pid` is still it.  */
void netns_outside_stop (const char *tool, pid_t pid);

#endif
