/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/limits.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

static const char note_no_cgroup_cpu[] = "no cgroup here: an rlimit per process, the monitor sums the whole sandbox "
                                         "every 10 ms";
static const char note_no_cgroup_mem[] = "no cgroup here: the monitor kills the sandbox when its resident memory "
                                         "passes the limit (sampled every 10 ms); RLIMIT_AS at twice the limit "
                                         "(+64 MiB) stops an allocation too large to wait for a sample";
static const char note_no_cgroup_pids[] = "no cgroup here: RLIMIT_NPROC in the sandbox's user namespace; a failed fork "
                                          "is not reported";
static const char note_needs_cgroup[] = "needs a cgroup, which this host does not offer to this user";

static bool
spec_has_rlimit (const struct cordon_spec *spec, int resource, uint64_t *value)
{
  for (size_t i = 0; i < spec->process.n_rlimits; i++)
    if (spec->process.rlimits[i].resource == resource)
      {
        *value = spec->process.rlimits[i].soft;
        return true;
      }
  return false;
}

static void
add_rlimit (struct limits_plan *plan, int resource, uint64_t soft, uint64_t hard)
{
  if (plan->n_extra_rlimits < LIMITS_MAX_EXTRA_RLIMITS)
    plan->extra_rlimits[plan->n_extra_rlimits++] = (struct cordon_rlimit){ resource, soft, hard };
}

static bool
needs_cgroup (const struct cordon_spec *spec)
{
  const struct cordon_resources *r = &spec->resources;

  return r->memory_limit || r->pids_limit > 0 || r->cpu_quota || r->cpu_shares || r->cpuset_cpus
         || spec->cordon.limits.cpu_time_ms;
}

int
limits_plan_prepare (const struct cordon_spec *spec, const char *name, struct limits_plan *plan,
                     struct sandbox_result *result, struct cordon_error *err)
{
  const struct cordon_resources *res = &spec->resources;
  const struct cordon_limits *lim = &spec->cordon.limits;
  struct limit_report *rep = result->limits;
  enum limit_mechanism cg_mech;
  uint64_t v;
  int r;

  memset (plan, 0, sizeof *plan);
  plan->cgroup.v2_fd = -1;
  if (needs_cgroup (spec))
    {
      r = cgroup_create (res, name, &plan->cgroup, err);
      if (r < 0)
        return r;
    }
  cg_mech = plan->cgroup.mode == CGROUP_V2   ? LIMIT_MECH_CGROUP_V2
            : plan->cgroup.mode == CGROUP_V1 ? LIMIT_MECH_CGROUP_V1
                                             : LIMIT_MECH_NONE;

  if (res->memory_limit)
    {
      rep[LIMIT_MEMORY] = (struct limit_report){ res->memory_limit, cg_mech, NULL };
      if (cg_mech == LIMIT_MECH_NONE)
        {
          rep[LIMIT_MEMORY] = (struct limit_report){ res->memory_limit, LIMIT_MECH_RLIMIT_MONITOR, note_no_cgroup_mem };
          /* Address space is not memory: the exact limit as RLIMIT_AS would
           * fail programs that reserve more than they use, and turn a
           * memory verdict into a runtime error.  The sample decides; the
           * rlimit is only a backstop.  */
          uint64_t backstop
              = res->memory_limit > UINT64_MAX / 2 - (64u << 20) ? UINT64_MAX : res->memory_limit * 2 + (64u << 20);
          add_rlimit (plan, RLIMIT_AS, backstop, backstop);
          plan->memory_poll_bytes = res->memory_limit;
          plan->poll = true;
        }
    }
  if (res->pids_limit > 0)
    {
      rep[LIMIT_PIDS] = (struct limit_report){ (uint64_t)res->pids_limit, cg_mech, NULL };
      if (cg_mech == LIMIT_MECH_NONE)
        {
          rep[LIMIT_PIDS] = (struct limit_report){ (uint64_t)res->pids_limit, LIMIT_MECH_RLIMIT, note_no_cgroup_pids };
          add_rlimit (plan, RLIMIT_NPROC, (uint64_t)res->pids_limit, (uint64_t)res->pids_limit);
        }
    }
  if (res->cpu_quota)
    rep[LIMIT_CPUS] = (struct limit_report){ res->cpu_quota * 1000 / (res->cpu_period ? res->cpu_period : 100000),
                                             cg_mech ? cg_mech : LIMIT_MECH_UNAVAILABLE,
                                             cg_mech ? "value in thousandths of a CPU" : note_needs_cgroup };
  if (res->cpu_shares)
    rep[LIMIT_CPU_SHARES] = (struct limit_report){ res->cpu_shares, cg_mech ? cg_mech : LIMIT_MECH_UNAVAILABLE,
                                                   cg_mech ? NULL : note_needs_cgroup };
  if (res->cpuset_cpus)
    rep[LIMIT_CPUSET] = (struct limit_report){ 0, cg_mech ? cg_mech : LIMIT_MECH_UNAVAILABLE,
                                               cg_mech ? res->cpuset_cpus : note_needs_cgroup };
  if (lim->cpu_time_ms)
    {
      /* The cgroup (or the monitor's sum) bounds the whole sandbox; RLIMIT_CPU
       * also stops a single process at once, without waiting for a sample.  */
      uint64_t secs = (lim->cpu_time_ms + 999) / 1000;
      plan->cpu_time_us = lim->cpu_time_ms * 1000;
      plan->poll = true;
      add_rlimit (plan, RLIMIT_CPU, secs, secs + 1);
      rep[LIMIT_CPU_TIME] = (struct limit_report){ lim->cpu_time_ms, cg_mech ? cg_mech : LIMIT_MECH_RLIMIT_MONITOR,
                                                   cg_mech ? "value in ms; sampled every 10 ms" : note_no_cgroup_cpu };
    }
  if (lim->wall_time_ms)
    {
      plan->wall_time_ms = lim->wall_time_ms;
      rep[LIMIT_WALL_TIME] = (struct limit_report){ lim->wall_time_ms, LIMIT_MECH_MONITOR, "value in ms" };
    }
  if (lim->output_bytes)
    {
      plan->output_bytes = lim->output_bytes;
      rep[LIMIT_OUTPUT] = (struct limit_report){ lim->output_bytes, LIMIT_MECH_MONITOR, "stdout and stderr together" };
    }
  if (spec_has_rlimit (spec, RLIMIT_FSIZE, &v))
    rep[LIMIT_FSIZE] = (struct limit_report){ v, LIMIT_MECH_RLIMIT, NULL };
  if (spec_has_rlimit (spec, RLIMIT_NOFILE, &v))
    rep[LIMIT_NOFILE] = (struct limit_report){ v, LIMIT_MECH_RLIMIT, NULL };
  if (spec_has_rlimit (spec, RLIMIT_STACK, &v))
    rep[LIMIT_STACK] = (struct limit_report){ v, LIMIT_MECH_RLIMIT, NULL };
  return 0;
}

enum limit_mechanism
limits_host_mechanism (enum limit limit)
{
  const char *why;
  enum cgroup_mode mode = cgroup_host_mode (&why);
  enum limit_mechanism cg = mode == CGROUP_V1                             ? LIMIT_MECH_CGROUP_V1
                            : mode == CGROUP_V2 && cgroup_v2_delegated () ? LIMIT_MECH_CGROUP_V2
                                                                          : LIMIT_MECH_NONE;

  switch (limit)
    {
    case LIMIT_MEMORY:
    case LIMIT_CPU_TIME:
      return cg ? cg : LIMIT_MECH_RLIMIT_MONITOR;
    case LIMIT_PIDS:
      return cg ? cg : LIMIT_MECH_RLIMIT;
    case LIMIT_CPUS:
    case LIMIT_CPU_SHARES:
    case LIMIT_CPUSET:
      return cg ? cg : LIMIT_MECH_UNAVAILABLE;
    case LIMIT_WALL_TIME:
    case LIMIT_OUTPUT:
      return LIMIT_MECH_MONITOR;
    default:
      return LIMIT_MECH_RLIMIT;
    }
}

void
limits_plan_release (struct limits_plan *plan)
{
  cgroup_destroy (&plan->cgroup);
}
