/* SPDX-License-Identifier: Apache-2.0 */
#include "common/userns.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

bool
userns_is_initial (void)
{
  char buf[128];
  unsigned long a, b, c;

  /* Unreadable (no /proc): the conservative answer for every caller is
   * "initial", which keeps host root's stricter id ranges.  */
  if (fd_read_small ("/proc/self/uid_map", 0, buf, sizeof buf) <= 0)
    return true;
  return sscanf (buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295ul;
}

bool
userns_host_root (void)
{
  return geteuid () == 0 && userns_is_initial ();
}

bool
userns_can_mount (void)
{
  cleanup_close int mnt = -1, owner = -1;
  struct stat own, ours;

  if (geteuid () != 0)
    return false;
  if (userns_is_initial ())
    return true;
  mnt = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (mnt < 0)
    return false;
  owner = ioctl (mnt, NS_GET_USERNS);
  if (owner < 0 || fstat (owner, &own) < 0 || stat ("/proc/self/ns/user", &ours) < 0)
    return false;
  return own.st_dev == ours.st_dev && own.st_ino == ours.st_ino;
}

uid_t
userns_outer_uid (uid_t id)
{
  char buf[4096], *line, *save = NULL;

  if (fd_read_small ("/proc/self/uid_map", 0, buf, sizeof buf) <= 0)
    return id;
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long inside, outside, count;
      if (sscanf (line, "%lu %lu %lu", &inside, &outside, &count) == 3 && id >= inside && id - inside < count)
        return (uid_t)(outside + (id - inside));
    }
  return id;
}
