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

int
userns_read_map (const char *file, struct userns_extent *out, size_t max)
{
  char buf[4096], *line, *save = NULL;
  ssize_t len = fd_read_small (file, 0, buf, sizeof buf);
  size_t n = 0;

  if (len < 0)
    return (int)len;
  for (line = strtok_r (buf, "\n", &save); line && n < max; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long inside, outside, count;
      if (sscanf (line, "%lu %lu %lu", &inside, &outside, &count) == 3)
        out[n++] = (struct userns_extent){ (uint32_t)inside, (uint32_t)outside, (uint32_t)count };
    }
  return (int)n;
}

bool
userns_is_initial (void)
{
  struct userns_extent e[USERNS_EXTENTS_MAX];
  int n = userns_read_map ("/proc/self/uid_map", e, USERNS_EXTENTS_MAX);

  /* Unreadable (no /proc): the conservative answer for every caller is
   * "initial", which keeps host root's stricter id ranges.  */
  if (n <= 0)
    return true;
  return n == 1 && e[0].inside == 0 && e[0].outside == 0 && e[0].count == UINT32_MAX;
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
  struct userns_extent e[USERNS_EXTENTS_MAX];
  int n = userns_read_map ("/proc/self/uid_map", e, USERNS_EXTENTS_MAX);

  for (int i = 0; i < n; i++)
    if (id >= e[i].inside && id - e[i].inside < e[i].count)
      return (uid_t)(e[i].outside + (id - e[i].inside));
  return id;
}
