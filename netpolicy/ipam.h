/* SPDX-License-Identifier: Apache-2.0 */
/* Address leases of one network: ipam.json in the network's directory,
 * read, changed and rewritten (temporary file + rename) under flock on the
 * directory's `lock`.  The lock is what makes 50 concurrent starts get 50
 * addresses; the rename is what makes a reader never see half a file.
 *
 * A lease names the monitor that holds it (pid and start time, as
 * state.json does): a lease whose monitor is gone is stale, and the next
 * allocation or `cordon network prune` takes it back.  */
#ifndef CORDON_NETPOLICY_IPAM_H
#define CORDON_NETPOLICY_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "netpolicy/network.h"

#define IPAM_MAX_FILE_BYTES (4u << 20)
#define IPAM_MAX_LEASES 65536
#define IPAM_ID_HEX 64
#define IPAM_MAX_NAMES 32

struct ipam_lease
{
  uint32_t ip;
  char id[IPAM_ID_HEX + 1]; /* the sandbox's id (its veth is NETWORK_VETH_PREFIX + id[0..10]) */
  char **names;             /* --name and --dns-name: its names on the network; may be empty */
  char **hosts;             /* --add-host NAME:IP, in its /etc/hosts only */
  char **ports;             /* -p, canonical (netpolicy/publish.h); may be empty */
  pid_t pid;                /* the monitor */
  uint64_t start;           /* its /proc/PID/stat starttime */
  char veth[16];            /* the host end when not the id's (`network connect`); "" */
};

struct ipam_table
{
  struct ipam_lease *leases;
  size_t n;
};

int ipam_parse (const char *text, size_t len, struct ipam_table *t, struct cordon_error *err);
int ipam_to_json (const struct ipam_table *t, char **out, size_t *len, struct cordon_error *err);
void ipam_release (struct ipam_table *t);
void ipam_lease_release (struct ipam_lease *l);

/* The network directory's lock; close the fd to unlock.  */
int ipam_lock (int netdfd, struct cordon_error *err);
/* Under the lock.  A missing ipam.json is an empty table.  */
int ipam_load (int netdfd, struct ipam_table *t, struct cordon_error *err);
int ipam_save (int netdfd, const struct ipam_table *t, struct cordon_error *err);

/* Adds `lease` (moved into the table) at lease->ip when not 0 (--ip:
 * EADDRINUSE when taken, EINVAL when outside the subnet), else at the
 * lowest free host address.  Refuses a name another lease has, and a host
 * port another lease publishes.  */
int ipam_add (const struct network_config *cfg, struct ipam_table *t, struct ipam_lease *lease,
              struct cordon_error *err);
/* A port of `ports` that a lease of `t` publishes too: EADDRINUSE.  */
int ipam_check_ports (const struct ipam_table *t, char *const *ports, struct cordon_error *err);
/* The lease of sandbox `id`, or NULL.  */
const struct ipam_lease *ipam_find (const struct ipam_table *t, const char *id);
/* Removes the lease of `id`; false when there was none.  */
bool ipam_remove (struct ipam_table *t, const char *id);
/* The monitor of `l` is gone (or its pid is now another process).  */
bool ipam_lease_stale (const struct ipam_lease *l);
/* Moves the stale leases out of `t` into `gone` (appended).  */
int ipam_take_stale (struct ipam_table *t, struct ipam_table *gone, struct cordon_error *err);

/* The host end of the lease's veth: its `veth`, else "cve-" + 10 hex
 * digits of its id (the network a sandbox starts on).  */
void ipam_veth_name (const struct ipam_lease *l, char buf[16]);
/* The host end of the veth `network connect` makes for sandbox `id` on
 * network `network_id`: interface names are host-wide, and one sandbox on
 * two networks needs two.  "cve-" + 10 hex digits of a hash of both.  */
void ipam_veth_name_connect (const char *id, const char *network_id, char buf[16]);

#endif
