/* SPDX-License-Identifier: Apache-2.0 */
/* cordon start: runs a sandbox `cordon create` recorded (or one that
 * ended) detached, as `docker start` does; -a follows its output until it
 * exits and returns its exit code.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "cli/run-detach.h"
#include "cli/run.h"
#include "common/cleanup.h"
#include "common/strv.h"

static const char start_usage[] = "Usage: cordon start [-a] [--root DIR] ID|NAME...\n"
                                  "\n"
                                  "Starts created (or ended) sandboxes, detached.\n"
                                  "\n"
                                  "  -a, --attach   follow the output (as logs -f) until it exits; exit with\n"
                                  "                 its exit code (one sandbox only)\n";

/* Runs it with the argv create recorded, from the directory it was made
 * in.  Returns in the monitor too: *is_monitor says so.  */
static int
start_one (const char *root_dir, const char *ref, bool *is_monitor, struct cordon_error *err)
{
  cleanup_free char *cwd = NULL;
  cleanup_strv char **args = NULL;
  struct state_root root;
  struct sandbox_state st;
  struct run_lifecycle lc = { 0 };
  pid_t self = getpid ();
  int r;

  r = lifecycle_open (root_dir, ref, &root, &st, err);
  if (r < 0)
    return r;
  if (lifecycle_is_running (&st))
    {
      state_release (&st);
      state_root_close (&root);
      return 0; /* Docker: starting a running container is no error */
    }
  r = run_detach_load_args (&root, st.id, &cwd, &args, err);
  state_root_close (&root);
  if (r >= 0 && chdir (cwd) < 0)
    r = cordon_error_set (err, errno, "sandbox %.12s: the directory it was created in, `%s`", st.id, cwd);
  if (r < 0)
    {
      state_release (&st);
      return r;
    }
  lc.start_id = st.id;
  r = cli_run_lifecycle ((int)strv_length (args), args, &lc);
  *is_monitor = getpid () != self;
  state_release (&st);
  if (*is_monitor)
    return r;
  if (r != 0)
    return cordon_error_set (err, 0, "sandbox %s did not start (exit status %d)", ref, r);
  return 0;
}

int
cli_start (int argc, char **argv)
{
  static const struct option options[] = {
    { "attach", no_argument, NULL, 'a' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *root_dir = NULL;
  bool do_attach = false;
  int status = 0, c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+a", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        do_attach = true;
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (start_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: start: unknown or incomplete option `%s`\n%s", argv[optind - 1], start_usage);
        return EXIT_USAGE;
      }
  if (optind >= argc || (do_attach && optind + 1 != argc))
    {
      fputs (start_usage, stderr);
      return EXIT_USAGE;
    }
  /* Each start may chdir; the refs are plain names, never paths.  */
  for (int i = optind; i < argc; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      bool is_monitor = false;
      int r = start_one (root_dir, argv[i], &is_monitor, &err);

      if (is_monitor)
        return r;
      if (r < 0)
        {
          fprintf (stderr, "cordon: Error response: %s\n", err.msg);
          status = 1;
        }
      else if (do_attach)
        return lifecycle_attach (root_dir, argv[i], true);
      else
        printf ("%s\n", argv[i]);
    }
  return status;
}
