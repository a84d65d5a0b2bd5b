/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/proctree.h"

#include "common/fd-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROCTREE_MAX 4096

/* utime, stime, cutime, cstime (clock ticks) and rss (pages) of one process.  */
static int
read_stat (pid_t pid, uint64_t *cpu_ticks, uint64_t *child_ticks, uint64_t *rss_pages)
{
  char path[64], buf[1024];
  unsigned long long ut, st, cut, cst, rss;
  char *p;

  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  if (fd_read_small (path, 0, buf, sizeof buf) < 0)
    return -1;
  /* The command name may hold spaces and parentheses: skip to the last ')'.  */
  p = strrchr (buf, ')');
  if (p == NULL
      || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu %*d %*d %*d %*d %*u %*u %llu",
                 &ut, &st, &cut, &cst, &rss)
             != 5)
    return -1;
  *cpu_ticks = ut + st;
  *child_ticks = cut + cst;
  *rss_pages = rss;
  return 0;
}

int
proctree_sample (pid_t init, struct proctree_sample *out)
{
  pid_t *queue = malloc (PROCTREE_MAX * sizeof *queue);
  long hz = sysconf (_SC_CLK_TCK), page = sysconf (_SC_PAGESIZE);
  uint64_t ticks = 0, rss_pages = 0;
  size_t head = 0, tail = 0;

  if (queue == NULL)
    return -ENOMEM;
  memset (out, 0, sizeof *out);
  queue[tail++] = init;
  while (head < tail)
    {
      pid_t pid = queue[head++];
      uint64_t cpu, child, rss;
      char path[64], buf[8192];

      if (read_stat (pid, &cpu, &child, &rss) < 0)
        {
          if (pid == init)
            {
              free (queue);
              return -ESRCH;
            }
          continue; /* exited meanwhile */
        }
      ticks += cpu;
      if (pid == init)
        ticks += child; /* everything init reaped, and what they reaped */
      rss_pages += rss;
      out->n_procs++;
      /* Only the main thread's children list: sandboxed processes fork from
       * any thread, but the workload's threads show their children too.  */
      snprintf (path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
      if (fd_read_small (path, 0, buf, sizeof buf) <= 0)
        continue;
      for (char *tok = strtok (buf, " \n"); tok && tail < PROCTREE_MAX; tok = strtok (NULL, " \n"))
        queue[tail++] = (pid_t)atoi (tok);
    }
  free (queue);
  out->cpu_us = hz > 0 ? ticks * 1000000 / (uint64_t)hz : 0;
  out->rss_bytes = rss_pages * (uint64_t)page;
  return 0;
}
