/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits: the strongest mechanism this host allows for each limit
 * the spec asks for (cgroup v2 delegated, cgroup v1 as root, else rlimits and
 * the monitor), and a report of what enforced each one.  */
#ifndef CORDON_SANDBOX_LIMITS_H
#define CORDON_SANDBOX_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/cgroup.h"
#include "sandbox/result.h"
#include "sandbox/spec.h"

#define LIMITS_MAX_EXTRA_RLIMITS 8
#define LIMITS_POLL_MS 10

struct limits_plan
{
  struct cgroup cgroup;
  /* rlimits the workload sets on top of process.rlimits */
  struct cordon_rlimit extra_rlimits[LIMITS_MAX_EXTRA_RLIMITS];
  size_t n_extra_rlimits;
  /* what the monitor watches; 0 = nothing */
  uint64_t cpu_time_us;
  uint64_t wall_time_ms;
  uint64_t output_bytes;
  uint64_t memory_poll_bytes; /* kill when the tree's RSS passes it (no cgroup) */
  bool poll;                  /* needs a periodic sample */
};

/* Plans the limits of `spec` and creates the sandbox's cgroup when one is
 * needed and available.  Fills result->limits.  `name` names the cgroup.  */
int limits_plan_prepare (const struct cordon_spec *spec, const char *name, struct limits_plan *plan,
                         struct sandbox_result *result, struct cordon_error *err);

void limits_plan_release (struct limits_plan *plan);

/* How `limit` would be enforced on this host for the calling user (for
 * `cordon check`).  */
enum limit_mechanism limits_host_mechanism (enum limit limit);

#endif
