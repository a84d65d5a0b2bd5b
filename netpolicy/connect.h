/* SPDX-License-Identifier: Apache-2.0 */
/* `cordon network connect` and `disconnect`: a running sandbox joins or
 * leaves a bridge network, as in Docker.  The lease names the sandbox's
 * monitor (its death makes the lease stale, reaped with its veth, as the
 * first network's); the veth's sandbox end is the next free ethN; the
 * first network keeps the default route.
 *
 * Nothing here assumes more than CAP_NET_ADMIN in the current network
 * namespace and a descriptor of the sandbox's: rootless networks will call
 * the same functions from their per-user namespace.  */
#ifndef CORDON_NETPOLICY_CONNECT_H
#define CORDON_NETPOLICY_CONNECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "netpolicy/network.h"

struct network_endpoint_request
{
  const char *network;  /* a name, or "bridge" */
  const char *id;       /* the sandbox's (64 hex) */
  const char *display;  /* its name, else its short id: for messages */
  uint32_t ip;          /* --ip; 0: the next free */
  char **names;         /* --alias and its name; may be NULL */
  pid_t owner_pid;      /* its monitor */
  uint64_t owner_start; /* and that process's start time */
  int netns_fd;         /* its network namespace */
};

struct network_endpoint
{
  uint32_t ip;
  char veth[16];   /* the host end */
  char ifname[16]; /* inside: eth1, eth2... */
};

/* Leases an address of `req->network`, makes the veth and rewrites the
 * hosts files of everyone concerned.  EEXIST (Docker's "endpoint with
 * name X already exists in network Y") when the sandbox is on it.  */
int network_connect (const struct network_store *s, const struct network_endpoint_request *req,
                     struct network_endpoint *out, struct cordon_error *err);

/* Deletes sandbox `id`'s veth on `network` (its host end: the pair goes
 * with it) and gives its lease back.  `keep_hosts`: its hosts file there
 * is the one bind-mounted as its /etc/hosts (the network it started on):
 * kept and rewritten, not removed.  ENOENT when it is not on it.  */
int network_disconnect (const struct network_store *s, const char *network, const char *id, const char *display,
                        bool keep_hosts, struct cordon_error *err);

/* A restarted sandbox (--restart): the networks `network connect` gave it,
 * other than `first`, again in its new namespace `netns_fd` (same
 * addresses and names).  Returns how many.  */
int network_rejoin_all (const struct network_store *s, const char *id, const char *first, int netns_fd,
                        struct cordon_error *err);

/* At the sandbox's end: its leases on every network, with their veths and
 * hosts files.  Best effort.  */
void network_leave_all (const struct network_store *s, const char *id);

#endif
