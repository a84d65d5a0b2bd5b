/* SPDX-License-Identifier: Apache-2.0 */
/* cordon volume create|ls|inspect|rm|prune: named volumes in the image
 * store, as `docker volume` manages them.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "common/json-gen.h"
#include "image/volume.h"

static const char volume_usage[]
    = "Usage: cordon volume COMMAND [OPTIONS]\n"
      "\n"
      "Named volumes: directories in the image store that sandboxes mount with\n"
      "`-v NAME:/dst[:ro]` (made on first use), and that outlive the sandbox.\n"
      "\n"
      "  create [NAME]          make a volume (a random name when none is given)\n"
      "  ls [-q] [--format json]  list volumes\n"
      "  inspect NAME...        print volumes as JSON\n"
      "  rm [-f] NAME...        remove volumes; one a sandbox uses is refused\n"
      "  prune [-f]             remove every volume no sandbox uses\n"
      "\n"
      "Options of every subcommand:\n"
      "      --store DIR        the image store (default: $XDG_DATA_HOME/cordon,\n"
      "                         /var/lib/cordon as root)\n"
      "      --root DIR         the state directory, to see which sandboxes use a volume\n";

struct volume_cli
{
  const char *store_path;
  const char *root_dir;
  bool quiet, force, json;
  struct image_store *store;
  struct state_root root;
};

static int
open_all (struct volume_cli *v, struct cordon_error *err)
{
  int r = image_store_open (v->store_path, LOCK_SH, &v->store, err);

  if (r >= 0)
    r = state_root_open (v->root_dir, &v->root, err);
  return r;
}

static void
close_all (struct volume_cli *v)
{
  if (v->root.dfd >= 0)
    state_root_close (&v->root);
  image_store_close (v->store);
}

static void
gen_volume (yajl_gen g, struct volume_cli *v, const char *name)
{
  cleanup_free char *path = volume_data_path (v->store, name);
  char when[64] = "";
  time_t t = (time_t)volume_created (v->store, name);
  struct tm tm;

  if (t && gmtime_r (&t, &tm))
    strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  yajl_gen_map_open (g);
  jg_kv_str (g, "CreatedAt", when);
  jg_kv_str (g, "Driver", "local");
  jg_kv_str (g, "Mountpoint", path);
  jg_kv_str (g, "Name", name);
  jg_kv_str (g, "Scope", "local");
  yajl_gen_map_close (g);
}

static int
print_json (struct volume_cli *v, char **names, bool array, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (array);
  cleanup_free char *out = NULL;
  size_t len;
  int r;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (array)
    yajl_gen_array_open (g);
  for (char **p = names; *p; p++)
    gen_volume (g, v, *p);
  if (array)
    yajl_gen_array_close (g);
  r = jg_finish (g, &out, &len, err);
  if (r >= 0)
    printf ("%s\n", out);
  return r;
}

static int
do_create (struct volume_cli *v, int argc, char **argv, struct cordon_error *err)
{
  char random_name[65];
  const char *name = argc > 0 ? argv[0] : NULL;
  bool created;
  int r;

  if (argc > 1)
    return cordon_error_set (err, EINVAL, "volume create: one NAME at most");
  if (name == NULL)
    {
      uint8_t b[32];
      if (getrandom (b, sizeof b, 0) != sizeof b)
        return cordon_error_set (err, EIO, "getrandom");
      hex_encode (b, sizeof b, random_name);
      name = random_name;
    }
  r = volume_create (v->store, name, &created, err);
  if (r >= 0)
    printf ("%s\n", name);
  return r;
}

static int
do_ls (struct volume_cli *v, struct cordon_error *err)
{
  cleanup_strv char **names = NULL;
  int r = volume_list (v->store, &names, err);

  if (r < 0)
    return r;
  if (v->json)
    {
      for (char **p = names; *p; p++)
        {
          char *one[2] = { *p, NULL };
          if ((r = print_json (v, one, false, err)) < 0)
            return r;
        }
      return 0;
    }
  if (!v->quiet)
    printf ("%-10s%s\n", "DRIVER", "VOLUME NAME");
  for (char **p = names; *p; p++)
    printf (v->quiet ? "%.0s%s\n" : "%-10s%s\n", "local", *p);
  return 0;
}

static int
do_inspect (struct volume_cli *v, int argc, char **argv, struct cordon_error *err)
{
  if (argc == 0)
    return cordon_error_set (err, EINVAL, "volume inspect: give a NAME");
  for (int i = 0; i < argc; i++)
    if (!volume_exists (v->store, argv[i]))
      return cordon_error_set (err, 0, "get %s: no such volume", argv[i]);
  return print_json (v, argv, true, err);
}

/* Refuses a volume that a sandbox record names or a run holds.  */
static int
remove_one (struct volume_cli *v, const char *name, struct cordon_error *err)
{
  cleanup_free char *users = NULL;

  if (!volume_exists (v->store, name))
    {
      cordon_error_set (err, 0, "get %s: no such volume", name);
      err->status = ENOENT; /* for rm -f; not in the message, which is Docker's */
      return -ENOENT;
    }
  users = lifecycle_volume_users (&v->root, name);
  if (users)
    return cordon_error_set (err, 0, "remove %s: volume is in use - [%s]", name, users);
  return volume_remove (v->store, name, err);
}

static int
do_rm (struct volume_cli *v, int argc, char **argv)
{
  int status = 0;

  if (argc == 0)
    {
      fputs ("cordon: volume rm: give a NAME\n", stderr);
      return EXIT_USAGE;
    }
  for (int i = 0; i < argc; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      if (remove_one (v, argv[i], &err) < 0)
        {
          /* -f: a missing volume is not an error (Docker's rm -f).  */
          if (v->force && err.status == ENOENT)
            continue;
          fprintf (stderr, "cordon: Error response: %s\n", err.msg);
          status = 1;
        }
      else
        printf ("%s\n", argv[i]);
    }
  return status;
}

static bool
confirm (const char *what)
{
  char answer[16] = "";

  fprintf (stderr, "WARNING! This will remove %s.\nAre you sure you want to continue? [y/N] ", what);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return false;
  return answer[0] == 'y' || answer[0] == 'Y';
}

static int
do_prune (struct volume_cli *v, struct cordon_error *err)
{
  cleanup_strv char **names = NULL;
  uint64_t reclaimed = 0;
  bool header = false;
  int r;

  if (!v->force && !confirm ("all local volumes not used by at least one sandbox"))
    return 0;
  r = volume_list (v->store, &names, err);
  if (r < 0)
    return r;
  for (char **p = names; *p; p++)
    {
      cleanup_error struct cordon_error e = { 0 };
      cleanup_free char *users = lifecycle_volume_users (&v->root, *p);
      uint64_t size;

      if (users)
        continue;
      size = volume_size (v->store, *p);
      if (volume_remove (v->store, *p, &e) < 0)
        continue; /* held by a running sandbox */
      if (!header)
        printf ("Deleted Volumes:\n");
      header = true;
      printf ("%s\n", *p);
      reclaimed += size;
    }
  printf ("%sTotal reclaimed space: %.1fMB\n", header ? "\n" : "", (double)reclaimed / 1e6);
  return 0;
}

static const struct option volume_options[] = {
  { "store", required_argument, NULL, 'S' },
  { "root", required_argument, NULL, 'R' },
  { "quiet", no_argument, NULL, 'q' },
  { "force", no_argument, NULL, 'f' },
  { "format", required_argument, NULL, 'F' },
  { "help", no_argument, NULL, 'H' },
  { NULL, 0, NULL, 0 },
};

/* Options before the subcommand (where `cordon --root DIR volume ls` puts
 * --root) and after it.  Returns -1 to go on, else the exit status.  */
static int
parse_options (struct volume_cli *v, int argc, char **argv)
{
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+qf", volume_options, NULL)) != -1)
    switch (c)
      {
      case 'S':
        v->store_path = optarg;
        break;
      case 'R':
        v->root_dir = optarg;
        break;
      case 'q':
        v->quiet = true;
        break;
      case 'f':
        v->force = true;
        break;
      case 'F':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "table") != 0)
          {
            fprintf (stderr, "cordon: volume: --format `%s`: expected table or json\n", optarg);
            return EXIT_USAGE;
          }
        v->json = strcmp (optarg, "json") == 0;
        break;
      case 'H':
        fputs (volume_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: volume: unknown or incomplete option `%s`\n%s", argv[optind - 1], volume_usage);
        return EXIT_USAGE;
      }
  return -1;
}

static bool
known_command (const char *cmd)
{
  static const char *const names[] = { "create", "ls", "list", "inspect", "rm", "remove", "prune" };

  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (cmd, names[i]) == 0)
      return true;
  return false;
}

int
cli_volume (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  struct volume_cli v = { .root = { .dfd = -1 } };
  const char *cmd;
  int r;

  r = parse_options (&v, argc, argv);
  if (r >= 0)
    return r;
  if (optind >= argc)
    {
      fputs (volume_usage, stderr);
      return EXIT_USAGE;
    }
  argc -= optind;
  argv += optind;
  cmd = argv[0];
  if (!known_command (cmd))
    {
      fprintf (stderr, "cordon: volume: unknown command `%s`\n%s", cmd, volume_usage);
      return EXIT_USAGE;
    }
  r = parse_options (&v, argc, argv);
  if (r >= 0)
    return r;
  argc -= optind;
  argv += optind;
  r = open_all (&v, &err);
  if (r < 0)
    {
      close_all (&v);
      return cli_fail (&err);
    }
  if (strcmp (cmd, "create") == 0)
    r = do_create (&v, argc, argv, &err);
  else if (strcmp (cmd, "ls") == 0 || strcmp (cmd, "list") == 0)
    r = do_ls (&v, &err);
  else if (strcmp (cmd, "inspect") == 0)
    r = do_inspect (&v, argc, argv, &err);
  else if (strcmp (cmd, "prune") == 0)
    r = do_prune (&v, &err);
  else
    {
      r = do_rm (&v, argc, argv);
      close_all (&v);
      return r;
    }
  close_all (&v);
  return r < 0 ? cli_fail (&err) : 0;
}
