/* SPDX-License-Identifier: Apache-2.0 */
/* Identity and capabilities of the workload (libcap-ng).  */
#ifndef CORDON_SANDBOX_CAPS_H
#define CORDON_SANDBOX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/spec.h"

/* Switches to process->uid/gid (and additional gids when `can_setgroups`;
 * a rootless single-id user namespace has setgroups denied), then sets the
 * bounding, inheritable, permitted, effective and ambient sets to exactly
 * what `process` lists.  Everything not listed is dropped in every set.  */
int caps_apply (const struct cordon_process *process, bool can_setgroups, struct cordon_error *err);

/* "CAP_NET_RAW", "NET_RAW" or "net_raw" -> CAP_NET_RAW; -1 when unknown.  */
int caps_from_name (const char *name);
/* CAP_NET_RAW -> "CAP_NET_RAW"; NULL when unknown.  */
const char *caps_to_name (int cap);
/* Highest capability number this build and this kernel know.  */
int caps_last_cap (void);

#endif
