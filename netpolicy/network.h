/* SPDX-License-Identifier: Apache-2.0 */
/* User-defined networks (`cordon network create`): one directory a network
 * under the state root's `networks/` (/run/cordon/networks as root,
 * $XDG_RUNTIME_DIR/cordon/networks rootless, or --root DIR/networks),
 * holding
 *
 *   network.json  the definition (name, subnet, bridge, internal), written
 *                 once, atomically;
 *   ipam.json     the address leases (netpolicy/ipam.h), rewritten under
 *   lock          flock on this file;
 *   hosts.d/ID    each sandbox's /etc/hosts, bind-mounted read-only.
 *
 * Like the bridges and veths they describe, networks are runtime state: the
 * state root is on tmpfs, and a reboot forgets both together.  The default
 * network `bridge` is made on first use.  Bridge and table names derive from
 * a network's random id, so that networks of two state roots on one host
 * (root's /run/cordon and a --root) never share them.  */
#ifndef CORDON_NETPOLICY_NETWORK_H
#define CORDON_NETPOLICY_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netpolicy/cidr.h"

#define NETWORK_MAX_FILE_BYTES (64u << 10)
#define NETWORK_ID_HEX 16
#define NETWORK_DEFAULT "bridge"
#define NETWORK_BRIDGE_PREFIX "cbr-"
#define NETWORK_VETH_PREFIX "cve-"

struct network_config
{
  char *name;
  char id[NETWORK_ID_HEX + 1];
  char bridge[16]; /* "cbr-" + the id's first 8 digits: IFNAMSIZ */
  struct net_cidr subnet;
  uint32_t gateway;
  bool internal;   /* no route out; nothing forwarded in or out */
  bool names;      /* sandboxes find each other by name (not on `bridge`) */
  int64_t created; /* Unix seconds */
};

/* Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 characters.  */
bool network_name_valid (const char *name);
/* Not a name `run --network` means otherwise (none, host).  */
bool network_name_reserved (const char *name);

int network_config_parse (const char *text, size_t len, struct network_config *cfg, struct cordon_error *err);
int network_config_to_json (const struct network_config *cfg, bool pretty, char **out, size_t *len,
                            struct cordon_error *err);
void network_config_release (struct network_config *cfg);

/* The networks/ directory, open.  */
struct network_store
{
  int dfd;
  char *path;
};

/* Opens (creating) `root`/networks, root being --root or the state root.  */
int network_store_open (const char *root_override, struct network_store *s, struct cordon_error *err);
void network_store_close (struct network_store *s);

/* The store's lock (flock on networks/.lock): held while a network is
 * created or removed, so that a name and a subnet are taken once.  */
int network_store_lock (const struct network_store *s, struct cordon_error *err);

/* Creates network `name` with `subnet` (NULL: the first free /24 of
 * 10.213.0.0/16 that no other network, host route or host address
 * overlaps).  */
int network_create (const struct network_store *s, const char *name, const char *subnet, bool internal,
                    struct network_config *out, struct cordon_error *err);
/* The default `bridge` network, made when missing, on the first /16 of
 * 10.212.0.0, 10.214.0.0 ... 10.223.0.0 that nothing on the host overlaps
 * then (another state root's default network may have 10.212).  */
int network_ensure_default (const struct network_store *s, struct network_config *out, struct cordon_error *err);

int network_load (const struct network_store *s, const char *name, struct network_config *cfg,
                  struct cordon_error *err);
/* Every network's name (NULL-terminated, heap, sorted).  */
int network_list (const struct network_store *s, char ***names, struct cordon_error *err);
/* Every network's definition (for the firewall ruleset).  */
int network_load_all (const struct network_store *s, struct network_config **cfgs, size_t *n, struct cordon_error *err);
void network_configs_free (struct network_config *cfgs, size_t n);

/* The directory of `name`, open (O_DIRECTORY).  */
int network_open_dir (const struct network_store *s, const char *name, struct cordon_error *err);
/* Removes the directory of `name` (the caller checked it is unused).  */
int network_remove_dir (const struct network_store *s, const char *name, struct cordon_error *err);

#endif
