/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2: a child of our own cgroup when its controllers are enabled for
 * children, else a sibling in the parent when that parent is delegated to
 * us (writable, controllers enabled): a process cannot sit in a cgroup that
 * hands controllers to its children, so the delegated level is where a
 * rootless runtime makes its cgroups.  */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sandbox/cgroup.h"

static bool
controllers_enabled (const char *dir, const struct cordon_resources *res)
{
  char path[4096], buf[512] = "";
  FILE *f;

  snprintf (path, sizeof path, "%s/cgroup.subtree_control", dir);
  f = fopen (path, "re");
  if (f == NULL)
    return false;
  if (fgets (buf, sizeof buf, f) == NULL)
    buf[0] = '\0';
  fclose (f);
  return strstr (buf, "memory") && strstr (buf, "pids") && (strstr (buf, "cpu") || !(res->cpu_quota || res->cpu_shares))
         && (strstr (buf, "cpuset") || res->cpuset_cpus == NULL);
}

static int
apply_limits (const char *dir, const struct cordon_resources *res, struct cordon_error *err)
{
  char buf[64];
  int r = 0;

  if (res->memory_limit)
    {
      r = cgroup_write_u64 (dir, "memory.max", res->memory_limit, err);
      /* No swap unless asked for: a verdict must not depend on swapping.  */
      if (r >= 0 && res->memory_swap != -1)
        r = cgroup_write_u64 (
            dir, "memory.swap.max",
            res->memory_swap > (int64_t)res->memory_limit ? (uint64_t)res->memory_swap - res->memory_limit : 0, err);
      if (r == -ENOENT)
        {
          cordon_error_release (err);
          r = 0; /* no swap controller: there is no swap to bound */
        }
    }
  if (r >= 0 && res->pids_limit > 0)
    r = cgroup_write_u64 (dir, "pids.max", (uint64_t)res->pids_limit, err);
  if (r >= 0 && res->cpu_quota)
    {
      snprintf (buf, sizeof buf, "%" PRIu64 " %" PRIu64, res->cpu_quota, res->cpu_period ? res->cpu_period : 100000);
      r = cgroup_write (dir, "cpu.max", buf, err);
    }
  if (r >= 0 && res->cpu_shares)
    /* The conversion runc and crun use from v1 shares to v2 weight.  */
    r = cgroup_write_u64 (dir, "cpu.weight", 1 + ((res->cpu_shares < 2 ? 2 : res->cpu_shares) - 2) * 9999 / 262142,
                          err);
  if (r >= 0 && res->cpuset_cpus)
    r = cgroup_write (dir, "cpuset.cpus", res->cpuset_cpus, err);
  return r;
}

/* Where the sandbox's cgroup goes: our own cgroup when it hands the
 * controllers to children, else its parent when delegated to us.  NULL when
 * neither.  */
static char *
delegated_parent (const struct cordon_resources *res)
{
  cleanup_free char *own = cgroup_own_path ("");
  char *base = NULL;
  char *slash;

  if (own == NULL || asprintf (&base, "/sys/fs/cgroup%s", strcmp (own, "/") ? own : "") < 0)
    return NULL;
  if (controllers_enabled (base, res) && access (base, W_OK) == 0)
    return base;
  slash = strrchr (base, '/');
  if (strcmp (base, "/sys/fs/cgroup") != 0 && slash && slash > base + strlen ("/sys/fs/cgroup") - 1)
    {
      *slash = '\0';
      if (controllers_enabled (base, res) && access (base, W_OK) == 0)
        return base;
    }
  free (base);
  return NULL;
}

bool
cgroup_v2_delegated (void)
{
  struct cordon_resources none = { 0 };
  char *base = delegated_parent (&none);

  free (base);
  return base != NULL;
}

int
cgroup_v2_create (const struct cordon_resources *res, const char *name, struct cgroup *cg, struct cordon_error *err)
{
  cleanup_free char *base = delegated_parent (res);
  cleanup_free char *path = NULL;
  int r;

  if (base == NULL)
    {
      cg->why_none = "cgroup v2 controllers are not delegated to this user";
      return 0;
    }
  cgroup_collect_stale (base);
  if (asprintf (&path, "%s/%s", base, name) < 0)
    return cordon_error_set (err, ENOMEM, "cgroup");
  if (mkdir (path, 0755) < 0)
    return cordon_error_set (err, errno, "cgroup v2: mkdir `%s`", path);
  cg->mode = CGROUP_V2;
  cg->v2_path = steal_pointer (&path);
  r = apply_limits (cg->v2_path, res, err);
  if (r >= 0)
    {
      cg->v2_fd = open (cg->v2_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (cg->v2_fd < 0)
        r = cordon_error_set (err, errno, "cgroup v2: open `%s`", cg->v2_path);
    }
  if (r < 0)
    cgroup_destroy (cg);
  return r;
}
