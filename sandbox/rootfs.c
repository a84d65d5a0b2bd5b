/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/rootfs.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/safe-path.h"
#include "sandbox/mount-options.h"
#include "sandbox/spec-edit.h"

/* Binds never carry set-user-id programs or devices into the sandbox.  */
#define BIND_FORCED_ATTRS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

static bool
path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (n == 1 && dir[0] == '/')
    return true;
  return strncmp (path, dir, n) == 0 && path[n] == '/';
}

/* Is mount i's destination inside an earlier mount of the config?  Then its
 * mount point is made inside that mount, not in the root.  */
static bool
mount_is_nested (const struct cordon_spec *spec, size_t i)
{
  for (size_t j = 0; j < i; j++)
    if (path_is_under (spec->mounts[i].destination, spec->mounts[j].destination))
      return true;
  return false;
}

static bool
bind_source_is_dir (const char *path)
{
  struct stat st;

  return path == NULL || stat (path, &st) < 0 || S_ISDIR (st.st_mode);
}

int
rootfs_prepare_mount_points (const struct cordon_spec *spec, int rootfd, const char *const *bind_paths,
                             struct cordon_error *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct cordon_mount *m = &spec->mounts[i];
      cleanup_close int fd = -1;

      if (mount_is_nested (spec, i))
        continue;
      fd = safe_openat_in_root (rootfd, m->destination, O_PATH | O_NOFOLLOW, 0);
      if (fd >= 0)
        continue;
      fd = safe_open_mount_point (rootfd, m->destination, true, !bind_source_is_dir (bind_paths[i]), err);
      if (fd < 0)
        return cordon_error_wrap (err, "the root has no mount point for `%s` and it cannot be created", m->destination);
    }
  return 0;
}

static int
clone_bind_source (const char *path, bool recursive, struct cordon_error *err)
{
  unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  int fd = open_tree (AT_FDCWD, path, flags);

  /* A mount inherited from a more privileged namespace may have locked
   * submounts: only a recursive bind can carry those along.  */
  if (fd < 0 && errno == EINVAL && !recursive)
    fd = open_tree (AT_FDCWD, path, flags | AT_RECURSIVE);
  if (fd < 0)
    return cordon_error_set (err, errno, "bind source `%s`", path);
  return fd;
}

int
rootfs_open_bind_sources (const struct cordon_spec *spec, const char *const *bind_paths, int *fds,
                          struct cordon_error *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct mount_options opts;
      int r;

      fds[i] = -1;
      if (bind_paths[i] == NULL)
        continue;
      r = mount_options_parse (&spec->mounts[i], &opts, err);
      if (r < 0)
        return r;
      fds[i] = clone_bind_source (bind_paths[i], opts.recursive, err);
      if (fds[i] < 0)
        return fds[i];
    }
  return 0;
}

static int
set_attrs (int fd, uint64_t set, uint64_t clr, bool recursive, const char *what, struct cordon_error *err)
{
  struct mount_attr attr = { .attr_set = set, .attr_clr = clr, .propagation = MS_PRIVATE };

  if (mount_setattr (fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return cordon_error_set (err, errno, "mount_setattr `%s`", what);
  return 0;
}

/* A new filesystem instance (tmpfs, proc, sysfs, devpts, mqueue, ...).  */
/* tmpfs pages belong to no process: without a cgroup, the monitor cannot
 * see them.  Then a tmpfs is capped at the memory limit.  */
static int
cap_tmpfs (int fsfd, const struct mount_options *opts, uint64_t cap, struct cordon_error *err)
{
  char buf[32];

  for (size_t k = 0; k < opts->n_fs_params; k++)
    {
      uint64_t given;
      if (strncmp (opts->fs_params[k], "size=", 5) == 0 && spec_parse_size (opts->fs_params[k] + 5, &given) == 0
          && given <= cap)
        return 0;
    }
  snprintf (buf, sizeof buf, "%llu", (unsigned long long)cap);
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, "size", buf, 0) < 0)
    return cordon_error_set (err, errno, "tmpfs: size=%s", buf);
  return 0;
}

static int
open_fs_mount (const struct cordon_mount *m, const struct mount_options *opts, uint64_t tmpfs_cap,
               struct cordon_error *err)
{
  cleanup_close int fsfd = -1;
  int mntfd;
  int r;

  fsfd = fsopen (m->type, FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return cordon_error_set (err, errno, "mount `%s`: fsopen `%s`", m->destination, m->type);
  for (size_t k = 0; k < opts->n_fs_params; k++)
    {
      r = mount_options_fsconfig (fsfd, opts->fs_params[k], err);
      if (r < 0)
        return cordon_error_wrap (err, "mount `%s`", m->destination);
    }
  if (tmpfs_cap && strcmp (m->type, "tmpfs") == 0 && (r = cap_tmpfs (fsfd, opts, tmpfs_cap, err)) < 0)
    return cordon_error_wrap (err, "mount `%s`", m->destination);
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return cordon_error_set (err, errno, "mount `%s`: create %s", m->destination, m->type);
  mntfd = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned int)opts->attr_set);
  if (mntfd < 0)
    return cordon_error_set (err, errno, "mount `%s`: fsmount %s", m->destination, m->type);
  return mntfd;
}

static int
open_mount_source (const struct rootfs_context *ctx, size_t i, const struct mount_options *opts,
                   struct cordon_error *err)
{
  const struct cordon_mount *m = &ctx->spec->mounts[i];
  cleanup_close int fd = -1;
  int r;

  if (opts->is_bind)
    {
      if (ctx->bind_fds[i] >= 0)
        fd = dup (ctx->bind_fds[i]);
      else
        fd = clone_bind_source (ctx->bind_paths[i], opts->recursive, err);
      if (fd < 0)
        return fd;
      r = set_attrs (fd, opts->attr_set | BIND_FORCED_ATTRS, opts->attr_clr & ~(uint64_t)BIND_FORCED_ATTRS,
                     opts->recursive, m->destination, err);
      if (r < 0)
        return r;
      return steal_fd (&fd);
    }

  if (strcmp (m->type, "sysfs") == 0 && !ctx->has_netns)
    {
      /* Only the owner of a network namespace may mount sysfs; with the
       * host's network, show the host's sysfs read-only instead.  */
      fd = clone_bind_source ("/sys", true, err);
      if (fd < 0)
        return fd;
      r = set_attrs (fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, true,
                     m->destination, err);
      if (r < 0)
        return r;
      return steal_fd (&fd);
    }
  return open_fs_mount (m, opts, ctx->tmpfs_max_bytes, err);
}

static int
mount_one (const struct rootfs_context *ctx, int rootfd, size_t i, struct cordon_error *err)
{
  const struct cordon_mount *m = &ctx->spec->mounts[i];
  struct mount_options opts;
  cleanup_close int srcfd = -1;
  cleanup_close int destfd = -1;
  struct stat st;
  int r;

  r = mount_options_parse (m, &opts, err);
  if (r < 0)
    return r;
  srcfd = open_mount_source (ctx, i, &opts, err);
  if (srcfd < 0)
    return srcfd;
  if (fstat (srcfd, &st) < 0)
    return cordon_error_set (err, errno, "mount `%s`: stat source", m->destination);
  destfd = safe_open_mount_point (rootfd, m->destination, true, !S_ISDIR (st.st_mode), err);
  if (destfd < 0)
    return destfd;
  if (move_mount (srcfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cordon_error_set (err, errno, "mount `%s`: move_mount", m->destination);
  return 0;
}

static bool
spec_mounts_dev_tmpfs (const struct cordon_spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, "/dev") == 0 && spec->mounts[i].type
        && strcmp (spec->mounts[i].type, "tmpfs") == 0)
      return true;
  return false;
}

static int
enter_root (int rootfd, struct cordon_error *err)
{
  if (fchdir (rootfd) < 0)
    return cordon_error_set (err, errno, "fchdir to the new root");
  /* pivot_root(".", ".") stacks the old root under the new one; detaching
   * it leaves no path back to the host's filesystem.  */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return cordon_error_set (err, errno, "pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return cordon_error_set (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return cordon_error_set (err, errno, "chdir /");
  return 0;
}

/* The tree that becomes "/": an image's overlay (mounted by the monitor as
 * root, here rootless; fsmount already made it nosuid, nodev and, without an
 * upper, read-only), or a clone of the root directory.  */
static int
open_root_tree (const struct rootfs_context *ctx, struct cordon_error *err)
{
  cleanup_close int treefd = -1;
  int r;

  if (ctx->overlay_fd >= 0)
    {
      treefd = fcntl (ctx->overlay_fd, F_DUPFD_CLOEXEC, 3);
      if (treefd < 0)
        return cordon_error_set (err, errno, "dup the image root");
      return steal_fd (&treefd);
    }
  if (ctx->overlay)
    return overlay_mount (ctx->overlay, err);
  /* The working directory is the root directory (set by the monitor): no
   * path lookup, so a mapped root that could not traverse the path to it
   * still gets it.  */
  treefd = open_tree (AT_FDCWD, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (treefd < 0)
    return cordon_error_set (err, errno, "clone the root directory");
  r = set_attrs (treefd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, true, "/", err);
  if (r < 0)
    return r;
  return steal_fd (&treefd);
}

int
rootfs_setup (const struct rootfs_context *ctx, struct cordon_error *err)
{
  struct mount_attr priv = { .propagation = MS_PRIVATE };
  cleanup_close int treefd = -1;
  int r;

  /* Nothing we mount may propagate back to the host.  */
  if (mount_setattr (AT_FDCWD, "/", AT_RECURSIVE, &priv, sizeof priv) < 0)
    return cordon_error_set (err, errno, "make mounts private");

  r = open_root_tree (ctx, err);
  if (r < 0)
    return r;
  treefd = r;
  if (move_mount (treefd, "", AT_FDCWD, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cordon_error_set (err, errno, "attach the root");

  for (size_t i = 0; i < ctx->spec->n_mounts; i++)
    {
      r = mount_one (ctx, treefd, i, err);
      if (r < 0)
        return r;
    }
  if (spec_mounts_dev_tmpfs (ctx->spec))
    {
      r = devices_populate (treefd, err);
      if (r < 0)
        return r;
    }
  return enter_root (treefd, err);
}

static int
mask_path (int rootfd, const char *path, struct cordon_error *err)
{
  cleanup_close int destfd = -1;
  cleanup_close int srcfd = -1;
  struct stat st;

  destfd = safe_openat_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0);
  if (destfd == -ENOENT)
    return 0;
  if (destfd < 0)
    return cordon_error_set (err, -destfd, "masked path `%s`", path);
  if (fstat (destfd, &st) < 0)
    return cordon_error_set (err, errno, "masked path `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      cleanup_close int fsfd = fsopen ("tmpfs", FSOPEN_CLOEXEC);
      if (fsfd < 0 || fsconfig (fsfd, FSCONFIG_SET_STRING, "size", "0", 0) < 0
          || fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return cordon_error_set (err, errno, "masked path `%s`: tmpfs", path);
      srcfd = fsmount (fsfd, FSMOUNT_CLOEXEC,
                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    }
  else if (S_ISLNK (st.st_mode))
    return 0; /* nothing to read through a symlink that is not followed */
  else
    srcfd = open_tree (rootfd, "dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (srcfd < 0)
    return cordon_error_set (err, errno, "masked path `%s`", path);
  if (move_mount (srcfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cordon_error_set (err, errno, "masked path `%s`: move_mount", path);
  return 0;
}

static int
readonly_path (int rootfd, const char *path, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  cleanup_close int destfd = -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };

  destfd = safe_openat_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0);
  if (destfd == -ENOENT)
    return 0;
  if (destfd < 0)
    return cordon_error_set (err, -destfd, "read-only path `%s`", path);
  fd = open_tree (destfd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0)
    return cordon_error_set (err, errno, "read-only path `%s`", path);
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return cordon_error_set (err, errno, "read-only path `%s`: mount_setattr", path);
  if (move_mount (fd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cordon_error_set (err, errno, "read-only path `%s`: move_mount", path);
  return 0;
}

int
rootfs_apply_path_policies (const struct cordon_spec *spec, struct cordon_error *err)
{
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r;

  if (rootfd < 0)
    return cordon_error_set (err, errno, "open /");
  for (char **p = spec->readonly_paths; p && *p; p++)
    {
      r = readonly_path (rootfd, *p, err);
      if (r < 0)
        return r;
    }
  for (char **p = spec->masked_paths; p && *p; p++)
    {
      r = mask_path (rootfd, *p, err);
      if (r < 0)
        return r;
    }
  return 0;
}
