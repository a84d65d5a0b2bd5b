/* SPDX-License-Identifier: Apache-2.0 */
/* cordon wait: blocks until each sandbox ends and prints its exit code, as
 * `docker wait` does.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"

static const char wait_usage[] = "Usage: cordon wait [--root DIR] ID|NAME...\n"
                                 "\n"
                                 "Waits until each sandbox ends, then prints its exit code.\n";

static int
wait_one (const char *root_dir, const char *ref, int *code, struct cordon_error *err)
{
  struct state_root root;
  struct sandbox_state st;
  char id[STATE_ID_HEX + 1];
  int r;

  r = lifecycle_open (root_dir, ref, &root, &st, err);
  if (r < 0)
    return r;
  memcpy (id, st.id, sizeof id);
  lifecycle_wait_monitor (&st, -1);
  state_release (&st);
  /* The monitor wrote the end before it exited; with --rm it removed the
   * directory, and the code is gone with it.  */
  r = state_load (&root, id, &st, err);
  if (r >= 0)
    {
      *code = st.exit_code;
      state_release (&st);
    }
  state_root_close (&root);
  return r;
}

int
cli_wait (int argc, char **argv)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  int status = 0, c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+", options, NULL)) != -1)
    switch (c)
      {
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (wait_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: wait: unknown or incomplete option `%s`\n%s", argv[optind - 1], wait_usage);
        return EXIT_USAGE;
      }
  if (optind >= argc)
    {
      fputs (wait_usage, stderr);
      return EXIT_USAGE;
    }
  for (int i = optind; i < argc; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      int code = -1;
      if (wait_one (root_dir, argv[i], &code, &err) < 0)
        {
          fprintf (stderr, "cordon: %s\n", err.msg);
          status = 1;
        }
      else
        printf ("%d\n", code);
      fflush (stdout);
    }
  return status;
}
