/* SPDX-License-Identifier: Apache-2.0 */
/* Landlock from the mount plan: the whole root readable and executable,
 * writes only where the plan mounts something writable (a tmpfs, a
 * read-write volume, /dev's nodes), plus the files behind stdin, stdout and
 * stderr (so that reopening /dev/stdout works).  Everything else, /proc and
 * /sys included, is read-only to the workload even with capabilities.  On
 * ABI 6, signals and abstract sockets outside the sandbox's domain are out
 * of scope.  Applied after no_new_privs, before seccomp.  */
#ifndef CORDON_SANDBOX_LANDLOCK_H
#define CORDON_SANDBOX_LANDLOCK_H

#include "sandbox/spec.h"

/* The kernel's Landlock ABI version, or 0 when Landlock is off or absent.  */
int landlock_abi (void);

/* Builds and enforces the ruleset for `spec` (after pivot_root).  */
int landlock_apply (const struct cordon_spec *spec, int abi, struct cordon_error *err);

#endif
