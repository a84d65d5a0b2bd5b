/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/cgroup.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/userns.h"

int
cgroup_write (const char *dir, const char *file, const char *value, struct cordon_error *err)
{
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  size_t len = strlen (value);

  if (asprintf (&path, "%s/%s", dir, file) < 0)
    return cordon_error_set (err, ENOMEM, "cgroup");
  fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cordon_error_set (err, errno, "cgroup `%s`", path);
  if (write (fd, value, len) != (ssize_t)len)
    return cordon_error_set (err, errno ? errno : EIO, "cgroup: write `%s` to `%s`", value, path);
  return 0;
}

static ssize_t
read_small (const char *dir, const char *file, char *buf, size_t size)
{
  char path[4096];

  snprintf (path, sizeof path, "%s/%s", dir, file);
  return fd_read_small (path, O_NOFOLLOW, buf, size);
}

/* The decimal form most cgroup files take.  */
int
cgroup_write_u64 (const char *dir, const char *file, uint64_t v, struct cordon_error *err)
{
  char buf[32];

  snprintf (buf, sizeof buf, "%" PRIu64, v);
  return cgroup_write (dir, file, buf, err);
}

int
cgroup_read_u64 (const char *dir, const char *file, uint64_t *out)
{
  char buf[64];
  char *end;

  if (read_small (dir, file, buf, sizeof buf) < 0)
    return -1;
  errno = 0;
  *out = strtoull (buf, &end, 10);
  return errno || end == buf ? -1 : 0;
}

/* "key value" lines (memory.events, cpu.stat, pids.events, oom_control).  */
int
cgroup_read_key (const char *dir, const char *file, const char *key, uint64_t *out)
{
  char buf[4096];
  size_t klen = strlen (key);

  if (read_small (dir, file, buf, sizeof buf) < 0)
    return -1;
  for (char *line = buf; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
      {
        *out = strtoull (line + klen + 1, NULL, 10);
        return 0;
      }
  return -1;
}

/* Our own cgroup for `controller` ("" for v2) from /proc/self/cgroup.  */
char *
cgroup_own_path (const char *controller)
{
  cleanup_file FILE *f = fopen ("/proc/self/cgroup", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return NULL;
  while (getline (&line, &cap, f) > 0)
    {
      char *ctrls = strchr (line, ':');
      char *path;
      if (ctrls == NULL || (path = strchr (++ctrls, ':')) == NULL)
        continue;
      *path++ = '\0';
      path[strcspn (path, "\n")] = '\0';
      if (controller[0] == '\0' ? ctrls[0] == '\0' : false)
        return strdup (path);
      for (char *tok = strtok (ctrls, ","); tok && controller[0]; tok = strtok (NULL, ","))
        if (strcmp (tok, controller) == 0)
          return strdup (path);
    }
  return NULL;
}

static bool
is_cgroup2 (const char *path)
{
  struct statfs sf;

  return statfs (path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

enum cgroup_mode
cgroup_host_mode (const char **why)
{
  struct statfs sf;

  if (is_cgroup2 ("/sys/fs/cgroup"))
    return CGROUP_V2; /* whether it is delegated to us is found when creating */
  if (statfs ("/sys/fs/cgroup/memory", &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC)
    {
      if (userns_host_root ())
        return CGROUP_V1;
      *why = "cgroup v1 only, which an unprivileged user cannot use";
      return CGROUP_NONE;
    }
  *why = "no cgroup hierarchy with controllers is mounted";
  return CGROUP_NONE;
}

int
cgroup_create (const struct cordon_resources *res, const char *name, struct cgroup *cg, struct cordon_error *err)
{
  const char *why = NULL;

  memset (cg, 0, sizeof *cg);
  cg->v2_fd = -1;
  switch (cgroup_host_mode (&why))
    {
    case CGROUP_V2:
      return cgroup_v2_create (res, name, cg, err);
    case CGROUP_V1:
      return cgroup_v1_create (res, name, cg, err);
    default:
      cg->mode = CGROUP_NONE;
      cg->why_none = why;
      return 0;
    }
}

int
cgroup_enter (const struct cgroup *cg, pid_t pid, struct cordon_error *err)
{
  char buf[32];

  snprintf (buf, sizeof buf, "%d", (int)pid);
  if (cg->mode == CGROUP_V1)
    for (int i = 0; i < CG1__COUNT; i++)
      if (cg->v1_paths[i])
        {
          int r = cgroup_write (cg->v1_paths[i], "cgroup.procs", buf, err);
          if (r < 0)
            return r;
        }
  return 0;
}

int64_t
cgroup_cpu_usage_us (const struct cgroup *cg)
{
  uint64_t v;

  if (cg->mode == CGROUP_V2 && cgroup_read_key (cg->v2_path, "cpu.stat", "usage_usec", &v) == 0)
    return (int64_t)v;
  if (cg->mode == CGROUP_V1 && cg->v1_paths[CG1_CPUACCT]
      && cgroup_read_u64 (cg->v1_paths[CG1_CPUACCT], "cpuacct.usage", &v) == 0)
    return (int64_t)(v / 1000);
  return -1;
}

int
cgroup_read_stats (const struct cgroup *cg, struct cgroup_stats *st)
{
  int64_t cpu = cgroup_cpu_usage_us (cg);
  uint64_t v;

  memset (st, 0, sizeof *st);
  if (cpu >= 0)
    {
      st->have_cpu = true;
      st->cpu_usage_us = (uint64_t)cpu;
    }
  if (cg->mode == CGROUP_V2)
    {
      if (cgroup_read_key (cg->v2_path, "cpu.stat", "user_usec", &v) == 0)
        st->cpu_user_us = v;
      if (cgroup_read_key (cg->v2_path, "cpu.stat", "system_usec", &v) == 0)
        st->cpu_system_us = v;
      if (cgroup_read_u64 (cg->v2_path, "memory.peak", &v) == 0)
        {
          st->have_memory_peak = true;
          st->memory_peak = v;
        }
      if (cgroup_read_key (cg->v2_path, "memory.events", "oom_kill", &v) == 0)
        st->oom_kills = v;
      if (cgroup_read_key (cg->v2_path, "pids.events", "max", &v) == 0)
        st->pids_max_hits = v;
    }
  else if (cg->mode == CGROUP_V1)
    {
      const char *mem = cg->v1_paths[CG1_MEMORY];
      const char *pids = cg->v1_paths[CG1_PIDS];
      const char *acct = cg->v1_paths[CG1_CPUACCT];
      long hz = sysconf (_SC_CLK_TCK);
      if (acct && hz > 0 && cgroup_read_key (acct, "cpuacct.stat", "user", &v) == 0)
        st->cpu_user_us = v * 1000000 / (uint64_t)hz;
      if (acct && hz > 0 && cgroup_read_key (acct, "cpuacct.stat", "system", &v) == 0)
        st->cpu_system_us = v * 1000000 / (uint64_t)hz;
      if (mem && cgroup_read_u64 (mem, "memory.max_usage_in_bytes", &v) == 0)
        {
          st->have_memory_peak = true;
          st->memory_peak = v;
        }
      if (mem && cgroup_read_key (mem, "memory.oom_control", "oom_kill", &v) == 0)
        st->oom_kills = v;
      if (pids && cgroup_read_key (pids, "pids.events", "max", &v) == 0)
        st->pids_max_hits = v;
    }
  return 0;
}

#define CGROUP_STALE_SECONDS 30

void
cgroup_collect_stale (const char *dir)
{
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct timespec now;
  DIR *d;
  struct dirent *e;

  if (dfd < 0 || clock_gettime (CLOCK_REALTIME, &now) < 0)
    return;
  d = fdopendir (dup (dfd));
  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL)
    {
      struct stat st;
      uint64_t procs_size = 0;
      char path[4096], buf[16];
      ssize_t n;
      int fd;

      if (strncmp (e->d_name, "cordon-", 7) != 0 || fstatat (dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
          || !S_ISDIR (st.st_mode) || now.tv_sec - st.st_mtime < CGROUP_STALE_SECONDS)
        continue;
      /* A cgroup with any process in it belongs to a running sandbox.  */
      snprintf (path, sizeof path, "%s/%s/cgroup.procs", dir, e->d_name);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      n = read (fd, buf, sizeof buf);
      close (fd);
      procs_size = n > 0 ? (uint64_t)n : 0;
      if (n < 0 || procs_size > 0)
        continue;
      unlinkat (dfd, e->d_name, AT_REMOVEDIR);
    }
  closedir (d);
}

static void
remove_dir (const char *path)
{
  /* The pid namespace is torn down when init exits, but the kernel lets go
   * of the last tasks' cgroup membership after an RCU grace period, which a
   * loaded machine stretches: retry with backoff for up to ~3 s.  Whatever
   * is left is collected by a later run (cgroup_collect_stale).  */
  long wait_ns = 1000000;
  for (int i = 0; i < 60; i++)
    {
      struct timespec ts = { 0, wait_ns };
      if (rmdir (path) == 0 || errno == ENOENT)
        return;
      if (errno != EBUSY && errno != ENOTEMPTY && errno != EAGAIN)
        return;
      nanosleep (&ts, NULL);
      if (wait_ns < 50000000)
        wait_ns *= 2;
    }
}

void
cgroup_forget (struct cgroup *cg)
{
  if (cg->v2_fd >= 0)
    close (cg->v2_fd);
  cg->v2_fd = -1;
  free (cg->v2_path);
  cg->v2_path = NULL;
  for (int i = 0; i < CG1__COUNT; i++)
    {
      free (cg->v1_paths[i]);
      cg->v1_paths[i] = NULL;
    }
  cg->mode = CGROUP_NONE;
}

void
cgroup_destroy (struct cgroup *cg)
{
  if (cg->v2_fd >= 0)
    close (cg->v2_fd);
  cg->v2_fd = -1;
  if (cg->v2_path)
    remove_dir (cg->v2_path);
  free (cg->v2_path);
  cg->v2_path = NULL;
  for (int i = 0; i < CG1__COUNT; i++)
    {
      if (cg->v1_paths[i])
        remove_dir (cg->v1_paths[i]);
      free (cg->v1_paths[i]);
      cg->v1_paths[i] = NULL;
    }
  cg->mode = CGROUP_NONE;
}
