/* SPDX-License-Identifier: Apache-2.0 */
/* cordon inspect: the state of one or more sandboxes, as a JSON array (as
 * `docker inspect` prints it), reconciled with the kernel.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"

static const char inspect_usage[] = "Usage: cordon inspect [--root DIR] ID|NAME...\n"
                                    "\n"
                                    "Prints the state of each sandbox (a JSON array): status, pids, exit\n"
                                    "code, command, and the paths of its log and result.\n";

int
cli_inspect (int argc, char **argv)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  int status = 0, printed = 0;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+", options, NULL)) != -1)
    switch (c)
      {
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (inspect_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: inspect: unknown or incomplete option `%s`\n%s", argv[optind - 1], inspect_usage);
        return EXIT_USAGE;
      }
  if (optind >= argc)
    {
      fputs (inspect_usage, stderr);
      return EXIT_USAGE;
    }
  printf ("[");
  for (int i = optind; i < argc; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      struct state_root root;
      struct sandbox_state st;
      cleanup_free char *text = NULL;
      size_t len;

      if (lifecycle_open (root_dir, argv[i], &root, &st, &err) < 0)
        {
          fprintf (stderr, "cordon: %s\n", err.msg);
          status = 1;
          continue;
        }
      if (state_to_json (&st, true, &text, &len, &err) == 0)
        printf ("%s\n%s", printed++ ? "," : "", text);
      state_release (&st);
      state_root_close (&root);
    }
  printf ("%s]\n", printed ? "\n" : "");
  return status;
}
