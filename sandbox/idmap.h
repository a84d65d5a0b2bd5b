/* SPDX-License-Identifier: Apache-2.0 */
/* User namespace id maps.  Rootless, container root is the caller's uid with
 * one mapping written directly (no helper).  When the workload needs more ids
 * (another user, supplementary groups) and newuidmap/newgidmap and
 * subordinate ids exist, they map the rest.  As root, container ids map into
 * an unprivileged host range (host_idmap_root_range: the first range of root
 * in /etc/subuid, or 1000000000+65536), never onto host root.  */
#ifndef CORDON_SANDBOX_IDMAP_H
#define CORDON_SANDBOX_IDMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/spec.h"

#define IDMAP_MAX 5 /* the kernel's limit without a helper is 340; 5 is plenty here */

struct idmap_plan
{
  struct cordon_id_mapping uid[IDMAP_MAX];
  size_t n_uid;
  struct cordon_id_mapping gid[IDMAP_MAX];
  size_t n_gid;
  bool use_helper;     /* write through newuidmap/newgidmap */
  bool deny_setgroups; /* rootless single mapping: the kernel requires it */
};

/* Decides the maps for `spec` run by the calling user.  */
int idmap_plan_for_spec (const struct cordon_spec *spec, struct idmap_plan *plan, struct cordon_error *err);

/* The calling user's own ids: container root is the user; with
 * `want_range`, 1..N are the user's subordinate ids (an error when
 * newuidmap/newgidmap or /etc/subuid, /etc/subgid do not give any).  */
int idmap_plan_user (struct idmap_plan *plan, bool want_range, struct cordon_error *err);

/* Writes the maps of process `pid` (its user namespace is new and empty).  */
int idmap_write (pid_t pid, const struct idmap_plan *plan, struct cordon_error *err);

/* Path of newuidmap/newgidmap when installed, else NULL (static strings).  */
const char *idmap_helper_path (const char *name);

/* True when container id `id` is mapped by `maps`.  */
bool idmap_contains (const struct cordon_id_mapping *maps, size_t n, uint32_t id);

#endif
