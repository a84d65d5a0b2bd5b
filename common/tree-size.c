/* SPDX-License-Identifier: Apache-2.0 */
#include "common/tree-size.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TREE_SIZE_MAX_DEPTH 256

static uint64_t
size_at (int dirfd, const char *name, unsigned depth)
{
  struct stat st;
  uint64_t total;
  DIR *d;
  int fd;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0;
  total = (uint64_t)st.st_blocks * 512;
  if (!S_ISDIR (st.st_mode) || depth >= TREE_SIZE_MAX_DEPTH)
    return total;
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return total;
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return total;
    }
  for (struct dirent *de; (de = readdir (d)) != NULL;)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      total += size_at (fd, de->d_name, depth + 1);
  closedir (d);
  return total;
}

uint64_t
tree_size_at (int dirfd, const char *name)
{
  return size_at (dirfd, name, 0);
}
