/* SPDX-License-Identifier: Apache-2.0 */
/* cordon pause / resume: the cgroup freezer, never SIGSTOP (a workload can
 * see and undo a stop signal; it cannot see the freezer).
 *
 * cgroup v2: the sandbox's own cgroup (one it got for its limits) gets
 * cgroup.freeze.  cgroup v1 (as root): a freezer cgroup cordon-freeze-ID is
 * made FROZEN first, then every process of the sandbox's pid namespace is
 * moved in, again until none is left outside (a process that forks while
 * it is moved leaves a child behind, which the next pass takes; a frozen
 * one forks no more).  Elsewhere pause fails and says why.  */
#ifndef CORDON_SANDBOX_FREEZER_H
#define CORDON_SANDBOX_FREEZER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* `init_pid` was checked (start time) by the caller; `id` names the
 * sandbox's v1 freezer cgroup.  */
int freezer_freeze (pid_t init_pid, const char *id, struct cordon_error *err);
int freezer_thaw (pid_t init_pid, const char *id, struct cordon_error *err);

/* Removes the v1 freezer cgroup of `id` once it is empty (best effort).  */
void freezer_remove (const char *id);

/* Calls `fn` for each process in init's pid namespace (init included).
 * Returns how many there were, or -errno.  */
int freezer_for_each_process (pid_t init_pid, void (*fn) (pid_t pid, void *data), void *data);

#endif
