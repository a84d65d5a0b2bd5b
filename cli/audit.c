/* SPDX-License-Identifier: Apache-2.0 */
/* cordon audit verify|show|tail|stats: reading the audit log.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/json.h"

static const char audit_usage[] = "Usage: cordon audit verify [--key FILE] [FILE...]\n"
                                  "       cordon audit show [--json|--table] [--event E] [--sandbox ID] [--image D] "
                                  "[--since T] [--until T] [FILE]\n"
                                  "       cordon audit tail [-n N] [-f] [FILE]\n"
                                  "       cordon audit stats [FILE]\n"
                                  "\n"
                                  "verify  checks the hash chain across rotated files and names the first bad\n"
                                  "        record (exit 1); --key FILE also checks the keyed checkpoints\n"
                                  "show    the records, as a table on a terminal and JSON lines otherwise;\n"
                                  "        T is an RFC 3339 time or its prefix, e.g. 2026-11-24T10\n"
                                  "tail    the last N records (default 10); -f follows new ones\n"
                                  "stats   runs by day, image and profile; verdicts; denials by day\n"
                                  "FILE defaults to the log `cordon run` writes.\n";

static const struct json_limits line_limits
    = { .max_bytes = AUDIT_MAX_LINE, .max_items = 4096, .max_string = AUDIT_MAX_LINE };

struct filter
{
  const char *event;
  const char *sandbox;
  const char *image;
  const char *since;
  const char *until;
  bool json;
};

static const char *
str_of (yajl_val rec, const char *key)
{
  yajl_val v = json_get (rec, key);
  return v && YAJL_IS_STRING (v) ? v->u.string : "";
}

static bool
matches (yajl_val rec, const struct filter *f)
{
  const char *t = str_of (rec, "time");

  if (f->event && strcmp (str_of (rec, "event"), f->event) != 0)
    return false;
  if (f->sandbox && strncmp (str_of (rec, "sandbox"), f->sandbox, strlen (f->sandbox)) != 0)
    return false;
  if (f->image && strncmp (str_of (rec, "image"), f->image, strlen (f->image)) != 0)
    return false;
  if (f->since && strcmp (t, f->since) < 0)
    return false;
  if (f->until && strncmp (t, f->until, strlen (f->until)) > 0)
    return false;
  return true;
}

static void
print_record (const char *line, yajl_val rec, const struct filter *f)
{
  yajl_val data = json_get (rec, "data");
  yajl_val argv = json_get (rec, "argv");
  const char *status = str_of (data, "status");
  char detail[256] = "";

  if (f->json)
    {
      puts (line);
      return;
    }
  if (*status)
    {
      yajl_val code = json_get (data, "exit_code");
      snprintf (detail, sizeof detail, "%s exit=%lld", status,
                code && YAJL_IS_INTEGER (code) ? YAJL_GET_INTEGER (code) : -1);
    }
  else if (*str_of (data, "layer"))
    snprintf (detail, sizeof detail, "%s: %s", str_of (data, "layer"), str_of (data, "reason"));
  else if (argv && YAJL_IS_ARRAY (argv))
    for (size_t i = 0; i < argv->u.array.len && strlen (detail) < 200; i++)
      if (YAJL_IS_STRING (argv->u.array.values[i]))
        {
          strncat (detail, argv->u.array.values[i]->u.string, 200 - strlen (detail));
          strcat (detail, " ");
        }
  printf ("%-19.19s  %-17s  %-12.12s  %s\n", str_of (rec, "time"), str_of (rec, "event"), str_of (rec, "sandbox"),
          detail);
}

/* Calls `fn` for each record of `path` that parses.  */
static int
each_record (const char *path, void (*fn) (const char *, yajl_val, void *), void *arg)
{
  cleanup_file FILE *fp = fopen (path, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  if (fp == NULL)
    {
      fprintf (stderr, "cordon: audit log `%s`: %s\n", path, strerror (errno));
      return -1;
    }
  while ((n = getline (&line, &cap, fp)) > 0)
    {
      cleanup_json yajl_val rec = NULL;
      cleanup_error struct cordon_error err = { 0 };
      if (line[n - 1] == '\n')
        line[--n] = '\0';
      if (n == 0 || json_parse (line, (size_t)n, &line_limits, "record", &rec, &err) < 0)
        continue;
      fn (line, rec, arg);
    }
  return 0;
}

static void
show_one (const char *line, yajl_val rec, void *arg)
{
  const struct filter *f = arg;

  if (matches (rec, f))
    print_record (line, rec, f);
}

/* A small tally: names and counts, the first 64 distinct names kept.  */
struct tally
{
  char names[64][72];
  unsigned counts[64];
  size_t n;
};

static void
tally_add (struct tally *t, const char *name)
{
  size_t i;

  for (i = 0; i < t->n && strcmp (t->names[i], name) != 0; i++)
    ;
  if (i == t->n && t->n < 64)
    snprintf (t->names[t->n++], sizeof t->names[0], "%s", name);
  if (i < 64)
    t->counts[i]++;
}

static void
tally_print (const char *title, const struct tally *t)
{
  printf ("%s:\n", title);
  for (size_t i = 0; i < t->n; i++)
    printf ("  %-66s %u\n", t->names[i], t->counts[i]);
}

struct stats
{
  struct tally days, verdicts, images, profiles, denials;
};

static void
stats_one (const char *line, yajl_val rec, void *arg)
{
  struct stats *s = arg;
  const char *ev = str_of (rec, "event");
  const char *status = str_of (json_get (rec, "data"), "status");
  char day[11];

  (void)line;
  if (strcmp (ev, "create") == 0)
    {
      snprintf (day, sizeof day, "%.10s", str_of (rec, "time"));
      tally_add (&s->days, day);
      tally_add (&s->images, *str_of (rec, "image") ? str_of (rec, "image") : "(a root directory)");
      tally_add (&s->profiles, *str_of (rec, "profile") ? str_of (rec, "profile") : "(built-in baseline)");
    }
  if ((strcmp (ev, "exit") == 0 || strcmp (ev, "sandbox-error") == 0) && *status)
    tally_add (&s->verdicts, status);
  if (strcmp (ev, "policy-denied") == 0)
    {
      snprintf (day, sizeof day, "%.10s", str_of (rec, "time"));
      tally_add (&s->denials, day);
    }
}

static int
cmd_verify (int argc, char **argv, const char *deflt, const uint8_t *key, size_t key_len)
{
  int bad = 0;

  for (int i = 0; i < (argc > 0 ? argc : 1); i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      const char *path = argc > 0 ? argv[i] : deflt;
      size_t n;
      if (audit_verify_series (path, key, key_len, &n, &err) < 0)
        {
          printf ("%s: BAD: %s\n", path, err.msg);
          bad = 1;
        }
      else
        printf ("%s: %zu records, chain intact\n", path, n);
    }
  return bad;
}

static int
cmd_tail (const char *path, long n, bool follow, struct filter *f)
{
  cleanup_file FILE *fp = fopen (path, "re");
  char **ring = calloc ((size_t)n, sizeof *ring);
  cleanup_free char *line = NULL;
  size_t cap = 0, count = 0;
  ssize_t len;

  if (fp == NULL || ring == NULL)
    {
      fprintf (stderr, "cordon: audit log `%s`: %s\n", path, strerror (errno));
      free (ring);
      return EXIT_CORDON_FAILED;
    }
  while ((len = getline (&line, &cap, fp)) > 0)
    {
      free (ring[count % (size_t)n]);
      ring[count % (size_t)n] = strdup (line);
      count++;
    }
  for (size_t i = count > (size_t)n ? count - (size_t)n : 0; i < count; i++)
    {
      char *l = ring[i % (size_t)n];
      cleanup_json yajl_val rec = NULL;
      cleanup_error struct cordon_error err = { 0 };
      l[strcspn (l, "\n")] = '\0';
      if (json_parse (l, strlen (l), &line_limits, "record", &rec, &err) == 0)
        print_record (l, rec, f);
    }
  for (long i = 0; i < n; i++)
    free (ring[i]);
  free (ring);
  fflush (stdout);
  while (follow)
    {
      clearerr (fp);
      while ((len = getline (&line, &cap, fp)) > 0)
        {
          cleanup_json yajl_val rec = NULL;
          cleanup_error struct cordon_error err = { 0 };
          if (line[len - 1] != '\n')
            break;
          line[len - 1] = '\0';
          if (json_parse (line, (size_t)len - 1, &line_limits, "record", &rec, &err) == 0)
            print_record (line, rec, f);
          fflush (stdout);
        }
      usleep (200000);
    }
  return 0;
}

int
cli_audit (int argc, char **argv)
{
  static const struct option options[] = {
    { "json", no_argument, NULL, 'j' },
    { "table", no_argument, NULL, 't' },
    { "event", required_argument, NULL, 'e' },
    { "sandbox", required_argument, NULL, 's' },
    { "since", required_argument, NULL, 'S' },
    { "until", required_argument, NULL, 'U' },
    { "follow", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { "key", required_argument, NULL, 'k' },
    { "image", required_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_free char *deflt = audit_default_path ();
  struct filter f = { .json = !isatty (STDOUT_FILENO) };
  const char *sub;
  const char *path;
  bool follow = false;
  long n = 10;
  uint8_t key[AUDIT_KEY_MAX];
  size_t key_len = 0;
  int c;

  if (argc < 2 || strcmp (argv[1], "--help") == 0)
    {
      fputs (audit_usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? EXIT_USAGE : 0;
    }
  sub = argv[1];
  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc - 1, argv + 1, "n:f", options, NULL)) != -1)
    switch (c)
      {
      case 'j':
        f.json = true;
        break;
      case 't':
        f.json = false;
        break;
      case 'k':
        {
          cleanup_error struct cordon_error kerr = { 0 };
          if (audit_read_key (optarg, key, &key_len, &kerr) < 0)
            {
              fprintf (stderr, "cordon: %s\n", kerr.msg);
              return EXIT_CORDON_FAILED;
            }
        }
        break;
      case 'e':
        f.event = optarg;
        break;
      case 's':
        f.sandbox = optarg;
        break;
      case 'i':
        f.image = optarg;
        break;
      case 'S':
        f.since = optarg;
        break;
      case 'U':
        f.until = optarg;
        break;
      case 'f':
        follow = true;
        break;
      case 'n':
        n = strtol (optarg, NULL, 10);
        if (n <= 0 || n > 100000)
          n = 10;
        break;
      case 'h':
        fputs (audit_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon audit: unknown option\n%s", audit_usage);
        return EXIT_USAGE;
      }
  argc -= optind + 1;
  argv += optind + 1;
  path = argc > 0 ? argv[0] : deflt;
  if (path == NULL)
    {
      fprintf (stderr, "cordon: no audit log path (set HOME, or name the file)\n");
      return EXIT_CORDON_FAILED;
    }
  if (strcmp (sub, "verify") == 0)
    return cmd_verify (argc, argv, path, key_len ? key : NULL, key_len);
  if (strcmp (sub, "show") == 0)
    return each_record (path, show_one, &f) < 0 ? EXIT_CORDON_FAILED : 0;
  if (strcmp (sub, "tail") == 0)
    return cmd_tail (path, n, follow, &f);
  if (strcmp (sub, "stats") == 0)
    {
      struct stats s = { 0 };
      if (each_record (path, stats_one, &s) < 0)
        return EXIT_CORDON_FAILED;
      tally_print ("runs by day", &s.days);
      tally_print ("verdicts", &s.verdicts);
      tally_print ("runs by image", &s.images);
      tally_print ("runs by profile", &s.profiles);
      tally_print ("denials by day", &s.denials);
      return 0;
    }
  fprintf (stderr, "cordon audit: unknown subcommand `%s`\n%s", sub, audit_usage);
  return EXIT_USAGE;
}
