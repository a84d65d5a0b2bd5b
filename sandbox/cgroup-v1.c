/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v1, as root: one directory per controller, each below the cgroup
 * cordon itself runs in for that controller.  */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "sandbox/cgroup.h"

static const char *const controller_names[CG1__COUNT] = {
  [CG1_MEMORY] = "memory", [CG1_PIDS] = "pids", [CG1_CPU] = "cpu", [CG1_CPUACCT] = "cpuacct", [CG1_CPUSET] = "cpuset",
};

static int
make_dir (const char *controller, const char *name, char **out, struct cordon_error *err)
{
  cleanup_free char *own = cgroup_own_path (controller);
  cleanup_free char *path = NULL;

  if (own == NULL)
    return cordon_error_set (err, ENOENT, "cgroup v1: no `%s` hierarchy for this process", controller);
  if (asprintf (&path, "/sys/fs/cgroup/%s%s%s/%s", controller, own[0] == '/' ? "" : "/", strcmp (own, "/") ? own : "",
                name)
      < 0)
    return cordon_error_set (err, ENOMEM, "cgroup");
  {
    /* The parent is where a killed monitor's cgroups would be.  */
    char *slash = strrchr (path, '/');
    *slash = '\0';
    cgroup_collect_stale (path);
    *slash = '/';
  }
  if (mkdir (path, 0755) < 0)
    return cordon_error_set (err, errno, "cgroup v1: mkdir `%s`", path);
  *out = steal_pointer (&path);
  return 0;
}

static int
setup_memory (const char *dir, const struct cordon_resources *res, struct cordon_error *err)
{
  int r = cgroup_write_u64 (dir, "memory.limit_in_bytes", res->memory_limit, err);
  char path[4096];
  struct stat st;

  if (r < 0)
    return r;
  /* Without swap accounting there is no memsw file: then swap cannot be
   * bounded separately, which `cordon check` reports.  A grading verdict
   * wants no swap: memory+swap defaults to the memory limit.  */
  snprintf (path, sizeof path, "%s/memory.memsw.limit_in_bytes", dir);
  if (stat (path, &st) == 0)
    {
      uint64_t total = res->memory_swap > 0 ? (uint64_t)res->memory_swap : res->memory_limit;
      if (res->memory_swap == -1)
        return 0;
      if (total < res->memory_limit)
        total = res->memory_limit;
      return cgroup_write_u64 (dir, "memory.memsw.limit_in_bytes", total, err);
    }
  return cgroup_write (dir, "memory.swappiness", "0", err);
}

static int
setup_cpuset (const char *dir, const char *cpus, struct cordon_error *err)
{
  cleanup_free char *parent = strdup (dir);
  char mems[256];
  char path[4096];
  FILE *f;
  int r;

  if (parent == NULL)
    return cordon_error_set (err, ENOMEM, "cgroup");
  *strrchr (parent, '/') = '\0';
  snprintf (path, sizeof path, "%s/cpuset.mems", parent);
  f = fopen (path, "re");
  if (f == NULL || fgets (mems, sizeof mems, f) == NULL)
    {
      if (f)
        fclose (f);
      return cordon_error_set (err, EIO, "cgroup v1: read `%s`", path);
    }
  fclose (f);
  mems[strcspn (mems, "\n")] = '\0';
  r = cgroup_write (dir, "cpuset.mems", mems, err);
  if (r < 0)
    return r;
  return cgroup_write (dir, "cpuset.cpus", cpus, err);
}

static int
setup_controller (enum cgroup_v1_controller c, const char *dir, const struct cordon_resources *res,
                  struct cordon_error *err)
{
  switch (c)
    {
    case CG1_MEMORY:
      return res->memory_limit ? setup_memory (dir, res, err) : 0;
    case CG1_PIDS:
      return res->pids_limit > 0 ? cgroup_write_u64 (dir, "pids.max", (uint64_t)res->pids_limit, err) : 0;
    case CG1_CPU:
      {
        int r = 0;
        if (res->cpu_quota)
          {
            r = cgroup_write_u64 (dir, "cpu.cfs_period_us", res->cpu_period ? res->cpu_period : 100000, err);
            if (r >= 0)
              r = cgroup_write_u64 (dir, "cpu.cfs_quota_us", res->cpu_quota, err);
          }
        if (r >= 0 && res->cpu_shares)
          r = cgroup_write_u64 (dir, "cpu.shares", res->cpu_shares, err);
        return r;
      }
    case CG1_CPUSET:
      return setup_cpuset (dir, res->cpuset_cpus, err);
    default:
      return 0;
    }
}

int
cgroup_v1_create (const struct cordon_resources *res, const char *name, struct cgroup *cg, struct cordon_error *err)
{
  /* memory, pids and cpuacct always: they give the peak, the pids flag and
   * the CPU time that verdicts rely on.  */
  bool wanted[CG1__COUNT] = {
    [CG1_MEMORY] = true,
    [CG1_PIDS] = true,
    [CG1_CPUACCT] = true,
    [CG1_CPU] = res->cpu_quota || res->cpu_shares,
    [CG1_CPUSET] = res->cpuset_cpus != NULL,
  };
  int r;

  cg->mode = CGROUP_V1;
  for (int c = 0; c < CG1__COUNT; c++)
    {
      if (!wanted[c])
        continue;
      r = make_dir (controller_names[c], name, &cg->v1_paths[c], err);
      if (r >= 0)
        r = setup_controller ((enum cgroup_v1_controller)c, cg->v1_paths[c], res, err);
      if (r < 0)
        {
          cgroup_destroy (cg);
          return r;
        }
    }
  return 0;
}
