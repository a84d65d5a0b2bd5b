/* SPDX-License-Identifier: Apache-2.0 */
/* cordon kill: a signal to the workload (default SIGKILL), as `docker
 * kill` sends it.  */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"

static const char kill_usage[] = "Usage: cordon kill [-s SIGNAL] [--root DIR] ID|NAME...\n"
                                 "\n"
                                 "Sends SIGNAL (default KILL; a name or a number) to each sandbox's workload.\n";

int
cli_kill (int argc, char **argv)
{
  static const struct option options[] = {
    { "signal", required_argument, NULL, 's' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  int sig = SIGKILL, status = 0, c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+s:", options, NULL)) != -1)
    switch (c)
      {
      case 's':
        sig = lifecycle_parse_signal (optarg);
        if (sig < 0)
          {
            fprintf (stderr, "cordon: kill: invalid signal: %s\n", optarg);
            return EXIT_USAGE;
          }
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (kill_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: kill: unknown or incomplete option `%s`\n%s", argv[optind - 1], kill_usage);
        return EXIT_USAGE;
      }
  if (optind >= argc)
    {
      fputs (kill_usage, stderr);
      return EXIT_USAGE;
    }
  for (int i = optind; i < argc; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      struct state_root root;
      struct sandbox_state st;
      int r = lifecycle_open (root_dir, argv[i], &root, &st, &err);

      if (r >= 0)
        {
          char data[64];
          snprintf (data, sizeof data, "{\"signal\":%d}", sig);
          if (lifecycle_is_running (&st))
            lifecycle_audit (&st, "kill", NULL, data);
          if (sig == SIGKILL || sig == SIGTERM)
            lifecycle_mark_no_restart (&root, &st);
          r = lifecycle_signal (&st, sig, &err);
          state_release (&st);
          state_root_close (&root);
        }
      if (r < 0)
        {
          fprintf (stderr, "cordon: %s\n", err.msg);
          status = 1;
        }
      else
        printf ("%s\n", argv[i]);
    }
  return status;
}
