/* SPDX-License-Identifier: Apache-2.0 */
/* cordon rm: removes sandboxes' directories (state, log, result); a running
 * one only with -f, which kills it first, as `docker rm` does.  */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"

static const char rm_usage[] = "Usage: cordon rm [-f] [--root DIR] ID|NAME...\n"
                               "\n"
                               "Removes each sandbox: its state, log and result.\n"
                               "\n"
                               "  -f, --force   kill a running sandbox first (SIGKILL)\n";

static int
rm_one (const char *root_dir, const char *ref, bool force, struct cordon_error *err)
{
  struct state_root root;
  struct sandbox_state st;
  int r;

  r = lifecycle_open (root_dir, ref, &root, &st, err);
  if (r < 0)
    return r;
  if (lifecycle_is_running (&st))
    {
      if (!force)
        r = cordon_error_set (err, 0,
                              "You cannot remove a running sandbox %s. Stop the sandbox before attempting removal or "
                              "force remove",
                              st.id);
      else
        {
          lifecycle_audit (&st, "kill", NULL, "{\"signal\":9,\"by\":\"rm -f\"}");
          lifecycle_mark_no_restart (&root, &st);
          r = lifecycle_signal (&st, SIGKILL, err);
          /* The monitor writes the end (and its audit record) first.  */
          if (lifecycle_wait_monitor (&st, 10000) == -ETIMEDOUT)
            r = cordon_error_set (err, ETIMEDOUT, "sandbox %.12s: its monitor did not exit after SIGKILL", st.id);
          else if (r < 0)
            {
              cordon_error_release (err);
              r = 0; /* it ended on its own meanwhile */
            }
        }
    }
  if (r >= 0)
    {
      cleanup_close int lock = state_root_lock (&root, err);
      r = lock < 0 ? lock : state_remove (&root, st.id, err);
      if (r >= 0)
        lifecycle_audit (&st, "remove", NULL, NULL);
    }
  state_release (&st);
  state_root_close (&root);
  return r;
}

struct rm_args
{
  const char *root_dir;
  bool force;
};

static int
rm_each (const char *ref, void *data, struct cordon_error *err)
{
  const struct rm_args *ra = data;
  return rm_one (ra->root_dir, ref, ra->force, err);
}

int
cli_rm (int argc, char **argv)
{
  static const struct option options[] = {
    { "force", no_argument, NULL, 'f' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  bool force = false;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+f", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (rm_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: rm: unknown or incomplete option `%s`\n%s", argv[optind - 1], rm_usage);
        return EXIT_USAGE;
      }
  struct rm_args ra = { root_dir, force };
  return lifecycle_each (argc, argv, optind, rm_usage, "", rm_each, &ra);
}
