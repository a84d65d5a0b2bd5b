/* SPDX-License-Identifier: Apache-2.0 */
/* cordon pause / resume: every process of a sandbox frozen by the cgroup
 * freezer (sandbox/freezer.h), as `docker pause` / `unpause` do.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "sandbox/freezer.h"

static int
pause_one (const char *root_dir, const char *ref, bool freeze, struct cordon_error *err)
{
  struct state_root root;
  struct sandbox_state st;
  int r;

  r = lifecycle_open (root_dir, ref, &root, &st, err);
  if (r < 0)
    return r;
  if (!lifecycle_is_running (&st) || st.status != STATE_RUNNING)
    r = cordon_error_set (err, 0, "Container %s is not running", st.id);
  else if (freeze && st.paused)
    r = cordon_error_set (err, 0, "Container %s is already paused", st.id);
  else if (!freeze && !st.paused)
    r = cordon_error_set (err, 0, "Container %s is not paused", st.id);
  else
    {
      cleanup_close int pidfd = lifecycle_pidfd (st.init_pid, st.init_start);
      if (pidfd < 0)
        r = cordon_error_set (err, -pidfd, "sandbox %.12s: its init is gone", st.id);
      else
        r = freeze ? freezer_freeze (st.init_pid, st.id, err) : freezer_thaw (st.init_pid, st.id, err);
    }
  if (r >= 0)
    {
      cleanup_close int lock = state_lock (&root, st.id, err);
      struct sandbox_state now;
      /* The monitor may have written meanwhile: change only `paused`.  */
      if (lock >= 0 && state_load (&root, st.id, &now, err) >= 0)
        {
          now.paused = freeze;
          r = state_save (&root, &now, err);
          state_release (&now);
        }
      if (r >= 0)
        lifecycle_audit (&st, freeze ? "pause" : "resume", NULL, NULL);
    }
  state_release (&st);
  state_root_close (&root);
  return r;
}

struct pause_args
{
  const char *root_dir;
  bool freeze;
};

static int
pause_each (const char *ref, void *data, struct cordon_error *err)
{
  const struct pause_args *pa = data;
  return pause_one (pa->root_dir, ref, pa->freeze, err);
}

static int
pause_main (int argc, char **argv, bool freeze)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'R' },
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
      case 'H':
        printf ("Usage: cordon %s [--root DIR] ID|NAME...\n\n%s every process of the sandbox with the cgroup "
                "freezer.\n",
                argv[0], freeze ? "Freezes" : "Thaws");
        return 0;
      default:
        fprintf (stderr, "cordon: %s: unknown or incomplete option `%s`\n", argv[0], argv[optind - 1]);
        return EXIT_USAGE;
      }
  struct pause_args pa = { root_dir, freeze };
  return lifecycle_each (argc, argv, optind, freeze ? "Usage: cordon pause ID|NAME...\n" : "Usage: cordon resume ID|NAME...\n",
                         "Error response: ", pause_each, &pa);
}

int
cli_pause (int argc, char **argv)
{
  return pause_main (argc, argv, true);
}

int
cli_resume (int argc, char **argv)
{
  return pause_main (argc, argv, false);
}
