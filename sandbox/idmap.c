/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/userns.h"
#include "sandbox/host-probe.h"

bool
idmap_contains (const struct cordon_id_mapping *maps, size_t n, uint32_t id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
      return true;
  return false;
}

const char *
idmap_helper_path (const char *name)
{
  static const char *const uidmap[]
      = { "/usr/bin/newuidmap", "/bin/newuidmap", "/usr/local/bin/newuidmap", "/usr/sbin/newuidmap" };
  static const char *const gidmap[]
      = { "/usr/bin/newgidmap", "/bin/newgidmap", "/usr/local/bin/newgidmap", "/usr/sbin/newgidmap" };
  const char *const *paths = strcmp (name, "newuidmap") == 0 ? uidmap : gidmap;

  for (size_t i = 0; i < sizeof uidmap / sizeof uidmap[0]; i++)
    if (access (paths[i], X_OK) == 0)
      return paths[i];
  return NULL;
}

/* Does the process need ids other than container root?  */
static bool
spec_needs_more_ids (const struct cordon_spec *spec)
{
  return spec->process.uid != 0 || spec->process.gid != 0 || spec->process.n_additional_gids > 0;
}

int
idmap_plan_user (struct idmap_plan *plan, bool want_range, struct cordon_error *err)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  uint32_t sub_uid, n_sub_uid, sub_gid, n_sub_gid;
  struct passwd *pw;
  const char *name;

  memset (plan, 0, sizeof *plan);
  plan->uid[0] = (struct cordon_id_mapping){ 0, uid, 1 };
  plan->gid[0] = (struct cordon_id_mapping){ 0, gid, 1 };
  plan->n_uid = plan->n_gid = 1;
  plan->deny_setgroups = true;
  if (!want_range)
    return 0;

  /* More ids than our own: only a privileged helper can grant an
   * unprivileged user a range.  */
  pw = getpwuid (uid);
  name = pw ? pw->pw_name : NULL;
  if (idmap_helper_path ("newuidmap") == NULL || idmap_helper_path ("newgidmap") == NULL
      || host_subid_range ("/etc/subuid", uid, name, &sub_uid, &n_sub_uid) < 0
      || host_subid_range ("/etc/subgid", uid, name, &sub_gid, &n_sub_gid) < 0)
    return cordon_error_set (err, EPERM, "no subordinate ids (newuidmap/newgidmap and /etc/subuid, /etc/subgid)");
  plan->uid[1] = (struct cordon_id_mapping){ 1, sub_uid, n_sub_uid };
  plan->gid[1] = (struct cordon_id_mapping){ 1, sub_gid, n_sub_gid };
  plan->n_uid = plan->n_gid = 2;
  plan->use_helper = true;
  plan->deny_setgroups = false;
  return 0;
}

static int
plan_rootless (const struct cordon_spec *spec, struct idmap_plan *plan, struct cordon_error *err)
{
  cleanup_error struct cordon_error why = { 0 };

  /* The workload runs as another id: that needs a range of ids.  */
  if (idmap_plan_user (plan, spec_needs_more_ids (spec), &why) < 0)
    return cordon_error_set (err, EPERM,
                             "user %" PRIu32 ":%" PRIu32 " is not mapped: rootless, only container root (your uid) "
                             "exists unless newuidmap/newgidmap and subordinate ids in /etc/subuid and /etc/subgid "
                             "are available",
                             spec->process.uid, spec->process.gid);
  return 0;
}

/* Id 0 of our user namespace is id 0 of its parent (the initial
 * namespace, or one that maps root through).  Unreadable: assume it is.  */
static bool
zero_is_host_root (const char *map)
{
  struct userns_extent e[USERNS_EXTENTS_MAX];
  int n = userns_read_map (map, e, USERNS_EXTENTS_MAX);

  if (n <= 0)
    return true;
  for (int i = 0; i < n; i++)
    if (e[i].inside == 0 && e[i].count > 0)
      return e[i].outside == 0;
  return false;
}

static int
copy_spec_maps (const struct cordon_spec *spec, struct idmap_plan *plan, struct cordon_error *err)
{
  if (spec->n_uid_mappings > IDMAP_MAX || spec->n_gid_mappings > IDMAP_MAX)
    return cordon_error_set (err, E2BIG, "linux.uidMappings: at most %d mappings", IDMAP_MAX);
  if (spec->n_uid_mappings == 0 || spec->n_gid_mappings == 0)
    return cordon_error_set (err, EINVAL, "linux.uidMappings and linux.gidMappings must be given together");
  memcpy (plan->uid, spec->uid_mappings, spec->n_uid_mappings * sizeof plan->uid[0]);
  memcpy (plan->gid, spec->gid_mappings, spec->n_gid_mappings * sizeof plan->gid[0]);
  plan->n_uid = spec->n_uid_mappings;
  plan->n_gid = spec->n_gid_mappings;
  /* Host root inside a sandbox is never what a runner for untrusted code
   * should do, whatever the config asks.  (Id 0 of a user namespace we run
   * in, as under rootless podman, is not host root.)  */
  if (!zero_is_host_root ("/proc/self/uid_map") && !zero_is_host_root ("/proc/self/gid_map"))
    return 0;
  for (size_t i = 0; i < plan->n_gid; i++)
    if (plan->gid[i].host_id == 0)
      return cordon_error_set (err, EPERM, "linux.gidMappings: mapping onto host root (hostID 0) is refused");
  for (size_t i = 0; i < plan->n_uid; i++)
    if (plan->uid[i].host_id == 0)
      return cordon_error_set (err, EPERM, "linux.uidMappings: mapping onto host root (hostID 0) is refused");
  return 0;
}

/* The ranges of ids our own user namespace has (`file` is /proc/self/uid_map
 * or gid_map), each mapped onto itself.  */
static int
own_ranges (const char *file, struct cordon_id_mapping *maps, size_t *n, struct cordon_error *err)
{
  struct userns_extent e[IDMAP_MAX];
  int got = userns_read_map (file, e, IDMAP_MAX);

  if (got <= 0)
    return cordon_error_set (err, got < 0 ? -got : EIO, "%s: no mapping", file);
  for (int i = 0; i < got; i++)
    maps[i] = (struct cordon_id_mapping){ e[i].inside, e[i].inside, e[i].count };
  *n = (size_t)got;
  return 0;
}

static int
plan_own_namespace (struct idmap_plan *plan, struct cordon_error *err)
{
  char buf[16];
  int r;

  r = own_ranges ("/proc/self/uid_map", plan->uid, &plan->n_uid, err);
  if (r >= 0)
    r = own_ranges ("/proc/self/gid_map", plan->gid, &plan->n_gid, err);
  if (r < 0)
    return r;
  /* A namespace whose setgroups is denied has children that must deny it
   * too (the kernel refuses "allow").  */
  plan->deny_setgroups = fd_read_small ("/proc/self/setgroups", 0, buf, sizeof buf) > 0 && strncmp (buf, "deny", 4) == 0;
  return 0;
}

int
idmap_plan_for_spec (const struct cordon_spec *spec, struct idmap_plan *plan, struct cordon_error *err)
{
  uint32_t start, size;
  int r;

  memset (plan, 0, sizeof *plan);
  if (spec->n_uid_mappings > 0 || spec->n_gid_mappings > 0)
    {
      r = copy_spec_maps (spec, plan, err);
      if (r < 0)
        return r;
      if (geteuid () != 0)
        {
          /* One mapping of our own ids can be written directly; anything else
           * needs the setuid helpers.  */
          bool own = plan->n_uid == 1 && plan->n_gid == 1 && plan->uid[0].host_id == geteuid ()
                     && plan->uid[0].size == 1 && plan->gid[0].host_id == getegid () && plan->gid[0].size == 1;
          plan->use_helper = !own;
          plan->deny_setgroups = own;
        }
    }
  else if (geteuid () != 0)
    {
      r = plan_rootless (spec, plan, err);
      if (r < 0)
        return r;
    }
  else if (!userns_is_initial ())
    {
      /* Root of a user namespace (an engine's, or the network holder's):
       * its own ids, mapped through as they are.  */
      r = plan_own_namespace (plan, err);
      if (r < 0)
        return r;
    }
  else
    {
      if (host_idmap_root_range (&start, &size) < 0)
        return cordon_error_set (err, EIO, "read /etc/subuid");
      plan->uid[0] = (struct cordon_id_mapping){ 0, start, size };
      plan->gid[0] = (struct cordon_id_mapping){ 0, start, size };
      plan->n_uid = plan->n_gid = 1;
    }

  if (!idmap_contains (plan->uid, plan->n_uid, spec->process.uid))
    return cordon_error_set (err, EINVAL, "process.user.uid %" PRIu32 " is not mapped in the user namespace",
                             spec->process.uid);
  if (!idmap_contains (plan->gid, plan->n_gid, spec->process.gid))
    return cordon_error_set (err, EINVAL, "process.user.gid %" PRIu32 " is not mapped in the user namespace",
                             spec->process.gid);
  for (size_t i = 0; i < spec->process.n_additional_gids; i++)
    if (!idmap_contains (plan->gid, plan->n_gid, spec->process.additional_gids[i]))
      return cordon_error_set (err, EINVAL, "additional gid %" PRIu32 " is not mapped in the user namespace",
                               spec->process.additional_gids[i]);
  return 0;
}

static int
format_map (const struct cordon_id_mapping *maps, size_t n, char *buf, size_t len)
{
  size_t off = 0;

  for (size_t i = 0; i < n; i++)
    {
      int w = snprintf (buf + off, len - off, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", maps[i].container_id,
                        maps[i].host_id, maps[i].size);
      if (w < 0 || (size_t)w >= len - off)
        return -E2BIG;
      off += (size_t)w;
    }
  return (int)off;
}

static int
write_proc_file (pid_t pid, const char *name, const char *text, size_t len, struct cordon_error *err)
{
  char path[64];
  cleanup_close int fd = -1;
  ssize_t w;

  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, name);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "open `%s`", path);
  w = write (fd, text, len);
  if (w < 0)
    return cordon_error_set (err, errno, "write `%s`", path);
  if ((size_t)w != len)
    return cordon_error_set (err, EIO, "write `%s`: short write", path);
  return 0;
}

static int
run_map_helper (const char *helper, pid_t pid, const struct cordon_id_mapping *maps, size_t n, struct cordon_error *err)
{
  char args[3 + 3 * IDMAP_MAX + 1][24];
  char *argv[3 + 3 * IDMAP_MAX + 1];
  size_t argc = 0;
  int status;
  pid_t child;

  snprintf (args[argc], sizeof args[argc], "%s", helper);
  argv[argc] = args[argc];
  argc++;
  snprintf (args[argc], sizeof args[argc], "%d", (int)pid);
  argv[argc] = args[argc];
  argc++;
  for (size_t i = 0; i < n; i++)
    {
      uint32_t v[3] = { maps[i].container_id, maps[i].host_id, maps[i].size };
      for (int k = 0; k < 3; k++)
        {
          snprintf (args[argc], sizeof args[argc], "%" PRIu32, v[k]);
          argv[argc] = args[argc];
          argc++;
        }
    }
  argv[argc] = NULL;

  child = fork ();
  if (child < 0)
    return cordon_error_set (err, errno, "fork `%s`", helper);
  if (child == 0)
    {
      char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
      execve (helper, argv, envp);
      _exit (127);
    }
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "waitpid `%s`", helper);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return cordon_error_set (err, EPERM, "`%s` failed (status %d): are the subordinate ids in /etc/subuid valid?",
                             helper, WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return 0;
}

int
idmap_write (pid_t pid, const struct idmap_plan *plan, struct cordon_error *err)
{
  char buf[IDMAP_MAX * 40];
  int len;
  int r;

  if (plan->use_helper)
    {
      r = run_map_helper (idmap_helper_path ("newuidmap"), pid, plan->uid, plan->n_uid, err);
      if (r < 0)
        return r;
      return run_map_helper (idmap_helper_path ("newgidmap"), pid, plan->gid, plan->n_gid, err);
    }

  len = format_map (plan->uid, plan->n_uid, buf, sizeof buf);
  if (len < 0)
    return cordon_error_set (err, -len, "uid_map");
  r = write_proc_file (pid, "uid_map", buf, (size_t)len, err);
  if (r < 0)
    return r;
  if (plan->deny_setgroups)
    {
      r = write_proc_file (pid, "setgroups", "deny", 4, err);
      if (r < 0)
        return r;
    }
  len = format_map (plan->gid, plan->n_gid, buf, sizeof buf);
  if (len < 0)
    return cordon_error_set (err, -len, "gid_map");
  return write_proc_file (pid, "gid_map", buf, (size_t)len, err);
}
