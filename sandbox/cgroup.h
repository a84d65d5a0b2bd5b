/* SPDX-License-Identifier: Apache-2.0 */
/* cgroups for one sandbox: created below the cgroup cordon runs in (v1, as
 * root) or in the subtree delegated to the caller (v2), given the spec's
 * limits, joined by init before it runs anything, read for statistics and
 * verdicts, and removed after the run.  Never changes the host's mounts,
 * never moves a process other than the sandbox's init.  */
#ifndef CORDON_SANDBOX_CGROUP_H
#define CORDON_SANDBOX_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/spec.h"

enum cgroup_mode
{
  CGROUP_NONE,
  CGROUP_V1,
  CGROUP_V2,
};

enum cgroup_v1_controller
{
  CG1_MEMORY,
  CG1_PIDS,
  CG1_CPU,
  CG1_CPUACCT,
  CG1_CPUSET,
  CG1__COUNT,
};

struct cgroup
{
  enum cgroup_mode mode;
  char *v2_path;              /* the sandbox's cgroup directory */
  int v2_fd;                  /* for CLONE_INTO_CGROUP; -1 otherwise */
  char *v1_paths[CG1__COUNT]; /* per controller; NULL when not used */
  const char *why_none;       /* static: why mode is CGROUP_NONE */
};

struct cgroup_stats
{
  bool have_cpu;
  uint64_t cpu_usage_us;
  uint64_t cpu_user_us; /* the split of cpu_usage_us, when known */
  uint64_t cpu_system_us;
  bool have_memory_peak;
  uint64_t memory_peak;
  uint64_t oom_kills;
  uint64_t pids_max_hits;
};

/* What this host offers the calling user.  `why` is a static reason when it
 * is CGROUP_NONE.  */
enum cgroup_mode cgroup_host_mode (const char **why);

/* Creates the sandbox's cgroup named `name` with the limits in `res`.
 * Returns 0 with cg->mode CGROUP_NONE (and why_none) when the host offers no
 * usable cgroup: the caller decides whether that is acceptable.  */
int cgroup_create (const struct cordon_resources *res, const char *name, struct cgroup *cg, struct cordon_error *err);

/* Moves `pid` into the cgroup (v1; v2 uses CLONE_INTO_CGROUP instead).  */
int cgroup_enter (const struct cgroup *cg, pid_t pid, struct cordon_error *err);

int cgroup_read_stats (const struct cgroup *cg, struct cgroup_stats *st);

/* CPU time used so far, in microseconds, or -1 when unknown.  */
int64_t cgroup_cpu_usage_us (const struct cgroup *cg);

/* Closes and frees what `cg` holds, leaving the cgroups in place.  */
void cgroup_forget (struct cgroup *cg);
/* Removes the cgroup (waits briefly for the last processes to be gone).  */
void cgroup_destroy (struct cgroup *cg);

/* Internal to cgroup-v1.c / cgroup-v2.c.  */
int cgroup_v1_create (const struct cordon_resources *res, const char *name, struct cgroup *cg,
                      struct cordon_error *err);
int cgroup_v2_create (const struct cordon_resources *res, const char *name, struct cgroup *cg,
                      struct cordon_error *err);
bool cgroup_v2_delegated (void);
/* Removes cordon-* cgroups in `dir` that a killed monitor left: empty, and
 * older than a sandbox takes to start.  */
void cgroup_collect_stale (const char *dir);
int cgroup_write (const char *dir, const char *file, const char *value, struct cordon_error *err);
int cgroup_write_u64 (const char *dir, const char *file, uint64_t v, struct cordon_error *err);
int cgroup_read_u64 (const char *dir, const char *file, uint64_t *out);
int cgroup_read_key (const char *dir, const char *file, const char *key, uint64_t *out);
char *cgroup_own_path (const char *controller);

#endif
