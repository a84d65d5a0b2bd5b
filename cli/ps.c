/* SPDX-License-Identifier: Apache-2.0 */
/* cordon ps: the detached sandboxes, as `docker ps` lists containers.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/strv.h"

static const char ps_usage[] = "Usage: cordon ps [-a] [-q] [--format table|json]\n"
                               "\n"
                               "Lists the running detached sandboxes (-a: all of them).  A sandbox whose\n"
                               "monitor died shows as Stopped, never as running.\n"
                               "\n"
                               "  -a, --all          include exited and stopped sandboxes\n"
                               "  -q, --quiet        only the ids\n"
                               "      --no-trunc     full ids and commands\n"
                               "      --format json  one JSON object (the state) a line\n"
                               "      --root DIR     the state directory\n";

static void
ago (int64_t then, char *buf, size_t size)
{
  int64_t d = (int64_t)time (NULL) - then;

  if (d < 1)
    snprintf (buf, size, "Less than a second");
  else if (d < 60)
    snprintf (buf, size, "%lld second%s", (long long)d, d == 1 ? "" : "s");
  else if (d < 3600)
    snprintf (buf, size, "%lld minute%s", (long long)(d / 60), d / 60 == 1 ? "" : "s");
  else if (d < 86400)
    snprintf (buf, size, "%lld hour%s", (long long)(d / 3600), d / 3600 == 1 ? "" : "s");
  else
    snprintf (buf, size, "%lld day%s", (long long)(d / 86400), d / 86400 == 1 ? "" : "s");
}

static void
status_text (const struct sandbox_state *st, char *buf, size_t size)
{
  char when[64];

  switch (st->status)
    {
    case STATE_CREATED:
      snprintf (buf, size, "Created");
      break;
    case STATE_RUNNING:
      ago (st->started ? st->started : st->created, when, sizeof when);
      snprintf (buf, size, "Up %s%s", when, st->paused ? " (Paused)" : "");
      break;
    case STATE_EXITED:
    case STATE_STOPPED:
      ago (st->finished ? st->finished : st->created, when, sizeof when);
      snprintf (buf, size, "%s (%d) %s ago", st->status == STATE_EXITED ? "Exited" : "Stopped", st->exit_code, when);
      break;
    }
}

/* "sh -c 'echo hi'" as Docker shows it: quoted, cut at 20 characters.  */
static void
command_text (char *const *argv, bool full, char *buf, size_t size)
{
  size_t n = 0;

  buf[0] = '\0';
  for (; argv && *argv && n + 1 < size; argv++)
    n += (size_t)snprintf (buf + n, size - n, "%s%s", n ? " " : "", *argv);
  if (!full && strlen (buf) > 20)
    strcpy (buf + 19, "…");
}

static int
cmp_created (const void *a, const void *b)
{
  const struct sandbox_state *x = a, *y = b;

  return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp (x->id, y->id);
}

int
cli_ps (int argc, char **argv)
{
  static const struct option options[] = {
    { "all", no_argument, NULL, 'a' },
    { "quiet", no_argument, NULL, 'q' },
    { "no-trunc", no_argument, NULL, 'T' },
    { "format", required_argument, NULL, 'f' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  struct state_root root = { .dfd = -1 };
  cleanup_strv char **ids = NULL;
  struct sandbox_state *all = NULL;
  const char *root_dir = NULL;
  bool show_all = false, quiet = false, json = false, full = false;
  size_t n = 0;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+aq", options, NULL)) != -1)
    switch (c)
      {
      case 'a':
        show_all = true;
        break;
      case 'q':
        quiet = true;
        break;
      case 'T':
        full = true;
        break;
      case 'f':
        if (strcmp (optarg, "json") == 0 || strcmp (optarg, "{{json .}}") == 0)
          json = true;
        else if (strcmp (optarg, "table") != 0)
          {
            fprintf (stderr, "cordon: ps: --format `%s`: expected table or json\n", optarg);
            return EXIT_USAGE;
          }
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (ps_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: ps: unknown or incomplete option `%s`\n%s", argv[optind - 1], ps_usage);
        return EXIT_USAGE;
      }
  if (state_root_open (root_dir, &root, &err) < 0 || state_list (&root, &ids, &err) < 0)
    {
      state_root_close (&root);
      return cli_fail (&err);
    }
  all = calloc (strv_length (ids) + 1, sizeof *all);
  if (all == NULL)
    {
      state_root_close (&root);
      cordon_error_set (&err, ENOMEM, "out of memory");
      return cli_fail (&err);
    }
  for (char **p = ids; *p; p++)
    {
      cleanup_error struct cordon_error lerr = { 0 };
      /* A directory being created or removed has no readable state: skip it.  */
      if (state_load (&root, *p, &all[n], &lerr) < 0)
        continue;
      /* Docker lists a created, never started sandbox only with -a.  */
      if (!show_all
          && (all[n].status == STATE_EXITED || all[n].status == STATE_STOPPED || all[n].pending_start))
        {
          state_release (&all[n]);
          continue;
        }
      n++;
    }
  qsort (all, n, sizeof *all, cmp_created);
  if (!quiet && !json)
    printf ("%-12s   %-20s   %-22s   %-16s   %-26s   %s\n", "SANDBOX ID", "ROOT", "COMMAND", "CREATED", "STATUS",
            "NAMES");
  for (size_t i = 0; i < n; i++)
    {
      const struct sandbox_state *st = &all[i];
      char cmd[4096], created[64], status[96], rootbuf[4096];

      if (quiet)
        printf ("%.*s\n", full ? STATE_ID_HEX : STATE_SHORT_ID, st->id);
      else if (json)
        {
          cleanup_free char *text = NULL;
          size_t len;
          if (state_to_json (st, false, &text, &len, &err) == 0)
            printf ("%s\n", text);
        }
      else
        {
          command_text (st->command, full, cmd, sizeof cmd - 8);
          ago (st->created, created, sizeof created);
          strcat (created, " ago");
          status_text (st, status, sizeof status);
          snprintf (rootbuf, sizeof rootbuf, "%s", st->image ? st->image : st->rootfs ? st->rootfs : "");
          if (!full && strlen (rootbuf) > 20)
            strcpy (rootbuf + 19, "…");
          printf ("%-12.*s   %-20s   \"%s\"%*s   %-16s   %-26s   %s\n", full ? STATE_ID_HEX : STATE_SHORT_ID, st->id,
                  rootbuf, cmd, (int)(strlen (cmd) < 20 ? 20 - strlen (cmd) : 0), "", created, status,
                  st->name ? st->name : "");
        }
    }
  for (size_t i = 0; i < n; i++)
    state_release (&all[i]);
  free (all);
  state_root_close (&root);
  return 0;
}
