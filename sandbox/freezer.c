/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/freezer.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "sandbox/cgroup.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

static const char no_freezer[] = "pause needs a cgroup freezer, and this host offers none to this user: the sandbox "
                                 "has no cgroup v2 of its own (give it a limit such as --pids-limit, with a delegated "
                                 "cgroup) and there is no writable v1 freezer (as root)";

static bool
fs_is (const char *path, long magic)
{
  struct statfs sf;

  return statfs (path, &sf) == 0 && sf.f_type == magic;
}

struct proc_entry
{
  pid_t pid, ppid;
};

/* Every process with its parent, from /proc/PID/stat (readable for any
 * process, unlike /proc/PID/ns of a non-dumpable one).  */
static int
list_processes (struct proc_entry **out, size_t *n_out)
{
  struct proc_entry *v = NULL;
  size_t n = 0, cap = 0;
  DIR *d = opendir ("/proc");

  if (d == NULL)
    return -errno;
  for (struct dirent *de; (de = readdir (d)) != NULL;)
    {
      char path[300], buf[512];
      const char *p;
      int ppid;

      if (!isdigit ((unsigned char)de->d_name[0]))
        continue;
      snprintf (path, sizeof path, "/proc/%s/stat", de->d_name);
      if (fd_read_small (path, 0, buf, sizeof buf) <= 0 || (p = strrchr (buf, ')')) == NULL
          || sscanf (p, ") %*c %d", &ppid) != 1)
        continue;
      if (n == cap)
        {
          struct proc_entry *nv = realloc (v, (cap = cap ? cap * 2 : 256) * sizeof *v);
          if (nv == NULL)
            {
              free (v);
              closedir (d);
              return -ENOMEM;
            }
          v = nv;
        }
      v[n++] = (struct proc_entry){ (pid_t)atoi (de->d_name), (pid_t)ppid };
    }
  closedir (d);
  *out = v;
  *n_out = n;
  return 0;
}

/* init and its descendants: the sandbox's processes (an orphan inside is
 * reparented to init, the namespace's reaper, so the tree stays whole).  */
int
freezer_for_each_process (pid_t init_pid, void (*fn) (pid_t pid, void *data), void *data)
{
  cleanup_free struct proc_entry *v = NULL;
  cleanup_free pid_t *found = NULL;
  size_t n = 0, n_found = 0;
  bool grew = true;
  int r = list_processes (&v, &n);

  if (r < 0)
    return r;
  found = calloc (n + 1, sizeof *found);
  if (found == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++)
    if (v[i].pid == init_pid)
      found[n_found++] = init_pid;
  if (n_found == 0)
    return -ESRCH;
  while (grew)
    {
      grew = false;
      for (size_t i = 0; i < n; i++)
        {
          bool parent_in = false, in = false;
          for (size_t j = 0; j < n_found; j++)
            {
              parent_in |= found[j] == v[i].ppid;
              in |= found[j] == v[i].pid;
            }
          if (parent_in && !in)
            {
              found[n_found++] = v[i].pid;
              grew = true;
            }
        }
    }
  for (size_t j = 0; j < n_found; j++)
    fn (found[j], data);
  return (int)n_found;
}

/* The sandbox's own v2 cgroup directory, when init is in one cordon made.  */
static char *
v2_cgroup (pid_t init_pid)
{
  char path[64], buf[4096];
  char *line, *out = NULL;

  if (!fs_is ("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
    return NULL;
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int)init_pid);
  if (fd_read_small (path, 0, buf, sizeof buf) <= 0)
    return NULL;
  for (line = strtok (buf, "\n"); line; line = strtok (NULL, "\n"))
    if (strncmp (line, "0::/", 4) == 0)
      {
        const char *last = strrchr (line + 3, '/');
        if (last && strncmp (last + 1, "cordon-", 7) == 0 && asprintf (&out, "/sys/fs/cgroup%s", line + 3) < 0)
          out = NULL;
      }
  return out;
}

static int
v2_set (const char *dir, bool frozen, struct cordon_error *err)
{
  int r = cgroup_write (dir, "cgroup.freeze", frozen ? "1" : "0", err);

  if (r < 0)
    return r;
  /* cgroup.events says when every task is frozen.  */
  for (int i = 0; i < 200; i++)
    {
      uint64_t v = 0;
      if (cgroup_read_key (dir, "cgroup.events", "frozen", &v) == 0 && v == (frozen ? 1 : 0))
        return 0;
      nanosleep (&(struct timespec){ 0, 10000000 }, NULL);
    }
  return cordon_error_set (err, ETIMEDOUT, "cgroup %s: not %s after 2 s", dir, frozen ? "frozen" : "thawed");
}

static char *
v1_cgroup (const char *id)
{
  cleanup_free char *own = NULL;
  char *out = NULL;

  if (!fs_is ("/sys/fs/cgroup/freezer", CGROUP_SUPER_MAGIC) || (own = cgroup_own_path ("freezer")) == NULL)
    return NULL;
  if (asprintf (&out, "/sys/fs/cgroup/freezer%s/cordon-freeze-%.12s", strcmp (own, "/") ? own : "", id) < 0)
    return NULL;
  return out;
}

struct move
{
  const char *dir;
  int moved;
  int failed;
};

static void
move_one (pid_t pid, void *data)
{
  struct move *m = data;
  cleanup_error struct cordon_error ignored = { 0 };
  const char *tail = strrchr (m->dir, '/');
  char path[64], buf[4096], text[32];

  /* Already inside: nothing to do (every process, after the first pass).  */
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int)pid);
  if (fd_read_small (path, 0, buf, sizeof buf) > 0)
    for (char *line = buf, *next; line && *line; line = next)
      {
        next = strchr (line, '\n');
        if (next)
          *next++ = '\0';
        if (strstr (line, ":freezer:") && strrchr (line, '/') && strcmp (strrchr (line, '/'), tail) == 0)
          return;
      }
  snprintf (text, sizeof text, "%d", (int)pid);
  if (cgroup_write (m->dir, "cgroup.procs", text, &ignored) < 0)
    m->failed++;
  else
    m->moved++;
}

static int
v1_freeze (const char *dir, pid_t init_pid, struct cordon_error *err)
{
  char state[32];
  int r;

  if (mkdir (dir, 0755) < 0 && errno != EEXIST)
    return cordon_error_set (err, errno, "%s (%s)", no_freezer, dir);
  /* FROZEN before anything is in it: whatever is moved in stops at once.  */
  r = cgroup_write (dir, "freezer.state", "FROZEN", err);
  if (r < 0)
    return r;
  for (int pass = 0; pass < 100; pass++)
    {
      struct move m = { .dir = dir };
      r = freezer_for_each_process (init_pid, move_one, &m);
      if (r < 0)
        return cordon_error_set (err, -r, "the sandbox's processes");
      if (m.moved == 0)
        break;
    }
  for (int i = 0; i < 200; i++)
    {
      char p[600];
      snprintf (p, sizeof p, "%s/freezer.state", dir);
      if (fd_read_small (p, 0, state, sizeof state) > 0 && strncmp (state, "FROZEN", 6) == 0)
        return 0;
      nanosleep (&(struct timespec){ 0, 10000000 }, NULL);
    }
  return cordon_error_set (err, ETIMEDOUT, "freezer %s: not frozen after 2 s", dir);
}

int
freezer_freeze (pid_t init_pid, const char *id, struct cordon_error *err)
{
  cleanup_free char *v2 = v2_cgroup (init_pid);
  cleanup_free char *v1 = NULL;

  if (v2)
    return v2_set (v2, true, err);
  v1 = v1_cgroup (id);
  if (v1 == NULL)
    return cordon_error_set (err, ENOTSUP, "%s", no_freezer);
  return v1_freeze (v1, init_pid, err);
}

int
freezer_thaw (pid_t init_pid, const char *id, struct cordon_error *err)
{
  cleanup_free char *v2 = v2_cgroup (init_pid);
  cleanup_free char *v1 = NULL;
  struct stat st;

  if (v2)
    return v2_set (v2, false, err);
  v1 = v1_cgroup (id);
  if (v1 == NULL || stat (v1, &st) < 0)
    return cordon_error_set (err, ENOTSUP, "%s", no_freezer);
  return cgroup_write (v1, "freezer.state", "THAWED", err);
}

void
freezer_remove (const char *id)
{
  cleanup_free char *v1 = v1_cgroup (id);

  if (v1)
    rmdir (v1);
}
