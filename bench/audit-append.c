/* SPDX-License-Identifier: Apache-2.0 */
/* bench/audit-append LOG N: appends N durable records (flock, one write,
 * fdatasync each) and prints appends per second; the target is >= 2000/s.  */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "audit/audit.h"

int
main (int argc, char **argv)
{
  struct cordon_error err = { 0 };
  struct audit_log *log = NULL;
  struct timespec a, b;
  char *args[] = { "bench", NULL };
  struct audit_event ev
      = { .event = "exit", .sandbox = "bench", .argv = args, .data_json = "{\"status\":\"ok\",\"exit_code\":0}" };
  long n = argc > 2 ? atol (argv[2]) : 2000;
  double secs;

  if (argc < 2 || n <= 0)
    {
      fprintf (stderr, "usage: audit-append LOG [N]\n");
      return 2;
    }
  if (audit_log_open (argv[1], &log, &err) < 0)
    {
      fprintf (stderr, "%s\n", err.msg);
      return 1;
    }
  clock_gettime (CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++)
    if (audit_log_append (log, &ev, true, &err) < 0)
      {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
      }
  clock_gettime (CLOCK_MONOTONIC, &b);
  secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  printf ("%ld durable appends in %.3f s: %.0f appends/s (target >= 2000/s), %.1f us each\n", n, secs, (double)n / secs,
          secs * 1e6 / (double)n);
  audit_log_close (log);
  return 0;
}
