/* SPDX-License-Identifier: Apache-2.0 */
/* cordon attach: a detached sandbox's output from now until it ends, then
 * its exit code, as Docker's attach with --sig-proxy=false (the sandbox has
 * no stdin: run -d gives it /dev/null).  Also start -a's second half.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"

static const char attach_usage[] = "Usage: cordon attach [--root DIR] ID|NAME\n"
                                   "\n"
                                   "Prints the sandbox's output from now on until it ends, then exits with\n"
                                   "its exit code.  Interrupting attach (Ctrl-C) leaves the sandbox running.\n";

int
lifecycle_attach (const char *root_dir, const char *ref, bool history)
{
  cleanup_error struct cordon_error err = { 0 };
  char *logs_argv[8];
  int n = 0;
  struct state_root root;
  struct sandbox_state st;
  int code;

  logs_argv[n++] = (char *)"logs";
  logs_argv[n++] = (char *)"-f";
  if (!history)
    {
      logs_argv[n++] = (char *)"--tail";
      logs_argv[n++] = (char *)"0";
    }
  if (root_dir)
    {
      logs_argv[n++] = (char *)"--root";
      logs_argv[n++] = (char *)root_dir;
    }
  logs_argv[n++] = (char *)ref;
  logs_argv[n] = NULL;
  fflush (stdout);
  cli_logs (n, logs_argv);
  if (lifecycle_open (root_dir, ref, &root, &st, &err) < 0)
    return cli_fail (&err);
  lifecycle_wait_monitor (&st, -1);
  state_release (&st);
  state_root_close (&root);
  /* The monitor wrote the end before it exited.  */
  if (lifecycle_open (root_dir, ref, &root, &st, &err) < 0)
    return cli_fail (&err);
  code = st.exit_code < 0 ? EXIT_CORDON_FAILED : st.exit_code;
  state_release (&st);
  state_root_close (&root);
  return code;
}

int
cli_attach (int argc, char **argv)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'R' },
    { "sig-proxy", required_argument, NULL, 'S' },
    { "no-stdin", no_argument, NULL, 'N' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+", options, NULL)) != -1)
    switch (c)
      {
      case 'R':
        root_dir = optarg;
        break;
      case 'S':
        if (strcmp (optarg, "false") != 0)
          {
            fputs ("cordon: attach: only --sig-proxy=false: a signal to attach never reaches the sandbox\n", stderr);
            return EXIT_USAGE;
          }
        break;
      case 'N':
        break; /* a detached sandbox has no stdin anyway */
      case 'H':
        fputs (attach_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: attach: unknown or incomplete option `%s`\n%s", argv[optind - 1], attach_usage);
        return EXIT_USAGE;
      }
  if (optind + 1 != argc)
    {
      fputs (attach_usage, stderr);
      return EXIT_USAGE;
    }
  return lifecycle_attach (root_dir, argv[optind], false);
}
