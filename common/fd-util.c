/* SPDX-License-Identifier: Apache-2.0 */
#include "common/fd-util.h"

#include <errno.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

int
fd_close_all_except (const int *keep, size_t n_keep)
{
  int sorted[16];
  unsigned int from = 3;

  if (n_keep > sizeof sorted / sizeof sorted[0])
    return -E2BIG;
  for (size_t i = 0; i < n_keep; i++)
    sorted[i] = keep[i];
  qsort (sorted, n_keep, sizeof sorted[0], cmp_int);
  for (size_t i = 0; i < n_keep; i++)
    {
      if (sorted[i] < (int) from)
        continue;
      if ((unsigned int) sorted[i] > from && syscall (SYS_close_range, from, (unsigned int) sorted[i] - 1, 0) < 0)
        return -errno;
      from = (unsigned int) sorted[i] + 1;
    }
  if (syscall (SYS_close_range, from, ~0u, 0) < 0)
    return -errno;
  return 0;
}
