/* SPDX-License-Identifier: Apache-2.0 */
/* cordon stop: SIGTERM (through the monitor, to the workload), then
 * SIGKILL to init after the timeout, as `docker stop` does.  */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"

static const char stop_usage[] = "Usage: cordon stop [-t SECONDS] [--root DIR] ID|NAME...\n"
                                 "\n"
                                 "Sends SIGTERM to each sandbox's workload, then SIGKILL after the\n"
                                 "timeout (default 10 seconds).  A sandbox that is not running is left as\n"
                                 "it is.\n";

static int
stop_one (const char *root_dir, const char *ref, int timeout_s, struct cordon_error *err)
{
  struct state_root root;
  struct sandbox_state st;
  int r;

  r = lifecycle_open (root_dir, ref, &root, &st, err);
  if (r < 0)
    return r;
  if (lifecycle_is_running (&st))
    {
      lifecycle_audit (&st, "stop", NULL, NULL);
      lifecycle_mark_no_restart (&root, &st);
      r = lifecycle_signal (&st, SIGTERM, err);
      if (r >= 0 && lifecycle_wait_monitor (&st, timeout_s * 1000) == -ETIMEDOUT)
        {
          cleanup_error struct cordon_error kerr = { 0 };
          /* The monitor records the kill; wait for it to write the end.  */
          if (lifecycle_signal (&st, SIGKILL, &kerr) >= 0 && lifecycle_wait_monitor (&st, 10000) == -ETIMEDOUT)
            r = cordon_error_set (err, ETIMEDOUT, "sandbox %.12s: its monitor did not exit after SIGKILL", st.id);
        }
      else if (r < 0 && !lifecycle_is_running (&st))
        {
          cordon_error_release (err);
          r = 0; /* it ended on its own meanwhile */
        }
    }
  state_release (&st);
  state_root_close (&root);
  return r;
}

struct stop_args
{
  const char *root_dir;
  int timeout_s;
};

static int
stop_each (const char *ref, void *data, struct cordon_error *err)
{
  const struct stop_args *sa = data;
  return stop_one (sa->root_dir, ref, sa->timeout_s, err);
}

int
cli_stop (int argc, char **argv)
{
  static const struct option options[] = {
    { "time", required_argument, NULL, 't' },
    { "timeout", required_argument, NULL, 't' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  int timeout_s = 10, c;
  char *end;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+t:", options, NULL)) != -1)
    switch (c)
      {
      case 't':
        timeout_s = (int)strtol (optarg, &end, 10);
        if (*end || optarg[0] == '\0' || timeout_s < 0 || timeout_s > 86400)
          {
            fprintf (stderr, "cordon: stop: -t `%s`: expected seconds\n", optarg);
            return EXIT_USAGE;
          }
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (stop_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: stop: unknown or incomplete option `%s`\n%s", argv[optind - 1], stop_usage);
        return EXIT_USAGE;
      }
  struct stop_args sa = { root_dir, timeout_s };
  return lifecycle_each (argc, argv, optind, stop_usage, "", stop_each, &sa);
}
