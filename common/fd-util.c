/* SPDX-License-Identifier: Apache-2.0 */
#include "common/fd-util.h"

#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *)a - *(const int *)b;
}

ssize_t
fd_read_small (const char *path, int extra_flags, char *buf, size_t size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | extra_flags);
  ssize_t n;

  if (fd < 0)
    return -errno;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return -errno;
  buf[n] = '\0';
  return n;
}

bool
fd_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return false;
      p += w;
      len -= (size_t)w;
    }
  return true;
}

int
fd_close_all_except (const int *keep, size_t n_keep)
{
  return fd_close_from_except (3, keep, n_keep);
}

int
fd_close_from_except (unsigned int from, const int *keep, size_t n_keep)
{
  int few[16];
  cleanup_free int *many = n_keep > sizeof few / sizeof few[0] ? calloc (n_keep, sizeof *many) : NULL;
  int *sorted = many ? many : few;

  if (n_keep > sizeof few / sizeof few[0] && many == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n_keep; i++)
    sorted[i] = keep[i];
  qsort (sorted, n_keep, sizeof sorted[0], cmp_int);
  for (size_t i = 0; i < n_keep; i++)
    {
      if (sorted[i] < (int)from)
        continue;
      if ((unsigned int)sorted[i] > from && syscall (SYS_close_range, from, (unsigned int)sorted[i] - 1, 0) < 0)
        return -errno;
      from = (unsigned int)sorted[i] + 1;
    }
  if (syscall (SYS_close_range, from, ~0u, 0) < 0)
    return -errno;
  return 0;
}

int
fd_stdio_to_devnull (void)
{
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

  if (null < 0)
    return -errno;
  for (int fd = 0; fd < 3; fd++)
    if (null != fd && dup2 (null, fd) < 0)
      {
        int e = errno;
        if (null > 2)
          close (null);
        return -e;
      }
  /* /dev/null took a free slot among 0-2: it stays there, still
   * close-on-exec; as any of 0-2 it must not be.  */
  if (null > 2)
    close (null);
  else if (fcntl (null, F_SETFD, 0) < 0)
    return -errno;
  return 0;
}

int
fd_read_all (int fd, size_t max, char **buf, size_t *len)
{
  struct stat st;
  char *data;
  size_t got = 0;

  if (fstat (fd, &st) < 0)
    return -errno;
  if ((uint64_t)st.st_size > max)
    return -EFBIG;
  data = malloc ((size_t)st.st_size + 1);
  if (data == NULL)
    return -ENOMEM;
  while (got < (size_t)st.st_size)
    {
      ssize_t n = read (fd, data + got, (size_t)st.st_size - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int e = n < 0 ? errno : EIO;
          free (data);
          return -e;
        }
      got += (size_t)n;
    }
  data[got] = '\0';
  *buf = data;
  *len = got;
  return 0;
}
