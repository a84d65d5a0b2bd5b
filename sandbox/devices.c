/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal /dev.  A user namespace cannot create device nodes, and a tmpfs
 * mounted inside one is nodev anyway, so each device is a bind of the host's
 * node, which carries the host superblock's permission to be opened.  */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/safe-path.h"
#include "sandbox/rootfs.h"

static const char *const default_devices[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct
{
  const char *target;
  const char *name;
} default_links[] = {
  { "/proc/self/fd", "fd" },       { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
  { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },
};

static int
bind_device (int rootfd, const char *name, struct cordon_error *err)
{
  char host[64], inside[64];
  cleanup_close int srcfd = -1;
  cleanup_close int destfd = -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };

  snprintf (host, sizeof host, "/dev/%s", name);
  snprintf (inside, sizeof inside, "/dev/%s", name);
  srcfd = open_tree (AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (srcfd < 0)
    return cordon_error_set (err, errno, "device `%s`", host);
  if (mount_setattr (srcfd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return cordon_error_set (err, errno, "device `%s`: mount_setattr", host);
  destfd = safe_open_mount_point (rootfd, inside, true, true, err);
  if (destfd < 0)
    return destfd;
  if (move_mount (srcfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cordon_error_set (err, errno, "device `%s`: move_mount", host);
  return 0;
}

int
devices_populate (int rootfd, struct cordon_error *err)
{
  cleanup_close int devfd = -1;
  int r;

  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    {
      r = bind_device (rootfd, default_devices[i], err);
      if (r < 0)
        return r;
    }
  devfd = safe_openat_in_root (rootfd, "/dev", O_RDONLY | O_DIRECTORY, 0);
  if (devfd < 0)
    return cordon_error_set (err, -devfd, "open /dev");
  for (size_t i = 0; i < sizeof default_links / sizeof default_links[0]; i++)
    if (symlinkat (default_links[i].target, devfd, default_links[i].name) < 0 && errno != EEXIST)
      return cordon_error_set (err, errno, "symlink /dev/%s", default_links[i].name);
  return 0;
}
