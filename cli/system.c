/* SPDX-License-Identifier: Apache-2.0 */
/* cordon system df|prune: the space images, sandboxes, volumes and logs
 * take, and Docker's cleanup of what nothing uses.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/tree-size.h"
#include "image/import.h"
#include "image/record.h"
#include "image/volume.h"
#include "netpolicy/holder.h"

static const char system_usage[] = "Usage: cordon system df [--store DIR] [--root DIR]\n"
                                   "       cordon system prune [-f] [--store DIR] [--root DIR]\n"
                                   "\n"
                                   "  df      the space taken by images, sandboxes, volumes and logs\n"
                                   "  prune   remove every sandbox that is not running, every volume no\n"
                                   "          sandbox uses, every image with no name that no sandbox\n"
                                   "          runs, then what no image needs (image gc), and every\n"
                                   "          network no sandbox is on\n"
                                   "  -f, --force   do not ask\n";

struct system_cli
{
  const char *store_path;
  const char *root_dir;
  bool force;
  struct image_store *store;
  struct state_root root;
};

static void
human (uint64_t bytes, char *buf, size_t size)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = (double)bytes;
  int u = 0;

  while (v >= 1000 && u < 4)
    {
      v /= 1000;
      u++;
    }
  snprintf (buf, size, u ? "%.3g%s" : "%.0f%s", v, units[u]);
}

/* A sandbox running the image holds a shared lock on its record.  */
static bool
record_in_use (struct image_store *store, const char *id)
{
  cleanup_free char *rel = NULL;
  cleanup_close int fd = -1;

  if (asprintf (&rel, "images/%s.json", id) < 0)
    return true;
  fd = openat (store->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  return fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) < 0;
}

static uint64_t
log_size (const struct state_root *root, const char *id)
{
  char rel[STATE_ID_HEX + 16];
  uint64_t total;

  snprintf (rel, sizeof rel, "%s/log", id);
  total = tree_size_at (root->dfd, rel);
  snprintf (rel, sizeof rel, "%s/log.1", id);
  return total + tree_size_at (root->dfd, rel);
}

static void
row (const char *type, size_t total, size_t active, uint64_t size, uint64_t reclaimable)
{
  char s[32], rc[32];

  human (size, s, sizeof s);
  human (reclaimable, rc, sizeof rc);
  printf ("%-16s%-10zu%-10zu%-12s%s\n", type, total, active, s, rc);
}

static int
do_df (struct system_cli *s, struct cordon_error *err)
{
  cleanup_strv char **images = NULL, **ids = NULL, **volumes = NULL;
  size_t n_images = 0, images_active = 0, n_sb = 0, sb_active = 0, vol_active = 0;
  uint64_t image_bytes, sb_bytes = 0, sb_reclaim = 0, vol_bytes = 0, vol_reclaim = 0, logs = 0, logs_reclaim = 0;
  int r;

  if ((r = image_record_list (s->store, &images, err)) < 0 || (r = state_list (&s->root, &ids, err)) < 0
      || (r = volume_list (s->store, &volumes, err)) < 0)
    return r;
  for (char **p = images; *p; p++, n_images++)
    images_active += record_in_use (s->store, *p);
  image_bytes = tree_size_at (s->store->dirfd, "blobs") + tree_size_at (s->store->dirfd, "layers");
  for (char **p = ids; *p; p++)
    {
      struct sandbox_state st;
      uint64_t size, lsize;
      bool running;

      if (state_load (&s->root, *p, &st, err) < 0)
        {
          cordon_error_release (err);
          continue;
        }
      running = lifecycle_is_running (&st);
      lsize = log_size (&s->root, *p);
      size = tree_size_at (s->root.dfd, *p) - lsize;
      n_sb++;
      sb_active += running;
      sb_bytes += size;
      logs += lsize;
      if (!running)
        {
          sb_reclaim += size;
          logs_reclaim += lsize;
        }
      state_release (&st);
    }
  for (char **p = volumes; *p; p++)
    {
      cleanup_free char *users = lifecycle_volume_users (&s->root, *p);
      uint64_t size = volume_size (s->store, *p);
      vol_bytes += size;
      if (users)
        vol_active++;
      else
        vol_reclaim += size;
    }
  printf ("%-16s%-10s%-10s%-12s%s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
  /* Images: what gc would free is not known without running it; an image
   * no sandbox runs is reclaimable by `image rm`.  */
  row ("Images", n_images, images_active, image_bytes, images_active ? 0 : image_bytes);
  row ("Sandboxes", n_sb, sb_active, sb_bytes, sb_reclaim);
  row ("Local Volumes", strv_length (volumes), vol_active, vol_bytes, vol_reclaim);
  row ("Logs", n_sb, sb_active, logs, logs_reclaim);
  return 0;
}

static uint64_t
prune_sandboxes (struct system_cli *s)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_strv char **ids = NULL;
  uint64_t reclaimed = 0;
  bool header = false;

  if (state_list (&s->root, &ids, &err) < 0)
    return 0;
  for (char **p = ids; *p; p++)
    {
      struct sandbox_state st;
      uint64_t size;

      if (state_load (&s->root, *p, &st, &err) < 0)
        {
          cordon_error_release (&err);
          continue;
        }
      if (!lifecycle_is_running (&st))
        {
          cleanup_close int lock = state_root_lock (&s->root, &err);
          size = tree_size_at (s->root.dfd, *p);
          if (lock >= 0 && state_remove (&s->root, st.id, &err) >= 0)
            {
              lifecycle_audit (&st, "remove", NULL, "{\"by\":\"system prune\"}");
              if (!header)
                printf ("Deleted Sandboxes:\n");
              header = true;
              printf ("%s\n", st.id);
              reclaimed += size;
            }
          cordon_error_release (&err);
        }
      state_release (&st);
    }
  if (header)
    printf ("\n");
  return reclaimed;
}

static uint64_t
prune_volumes (struct system_cli *s)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_strv char **names = NULL;
  uint64_t reclaimed = 0;
  bool header = false;

  if (volume_list (s->store, &names, &err) < 0)
    return 0;
  for (char **p = names; *p; p++)
    {
      cleanup_free char *users = lifecycle_volume_users (&s->root, *p);
      uint64_t size;

      if (users)
        continue;
      size = volume_size (s->store, *p);
      if (volume_remove (s->store, *p, &err) < 0)
        {
          cordon_error_release (&err);
          continue;
        }
      if (!header)
        printf ("Deleted Volumes:\n");
      header = true;
      printf ("%s\n", *p);
      reclaimed += size;
    }
  if (header)
    printf ("\n");
  return reclaimed;
}

/* Records with no name (an image whose names all went to another import):
 * Docker's dangling images.  */
static int
prune_images (struct system_cli *s, uint64_t *reclaimed, struct cordon_error *err)
{
  cleanup_strv char **ids = NULL;
  cleanup_close int records_lock = image_records_lock (s->store, err);
  uint64_t before = tree_size_at (s->store->dirfd, "blobs") + tree_size_at (s->store->dirfd, "layers");
  size_t blobs, layers;
  bool header = false;
  int r;

  if (records_lock < 0)
    return records_lock;
  r = image_record_list (s->store, &ids, err);
  if (r < 0)
    return r;
  for (char **p = ids; *p; p++)
    {
      cleanup_image_record struct image_record *rec = NULL;
      cleanup_free char *rel = NULL;

      if (image_record_load (s->store, *p, &rec, err) < 0)
        {
          cordon_error_release (err);
          continue;
        }
      if (strv_length (rec->names) > 0 || record_in_use (s->store, *p) || asprintf (&rel, "images/%s.json", *p) < 0)
        continue;
      if (unlinkat (s->store->dirfd, rel, 0) < 0)
        continue;
      if (!header)
        printf ("Deleted Images:\n");
      header = true;
      printf ("deleted: sha256:%s\n", *p);
    }
  if (header)
    printf ("\n");
  r = image_store_gc (s->store, &blobs, &layers, err);
  if (r < 0)
    return r;
  {
    uint64_t after = tree_size_at (s->store->dirfd, "blobs") + tree_size_at (s->store->dirfd, "layers");
    *reclaimed += before > after ? before - after : 0;
  }
  return 0;
}

/* As Docker's system prune: the networks no sandbox uses.  */
static int
prune_networks (struct system_cli *s, struct cordon_error *err)
{
  struct network_store store = { .dfd = -1 };
  cleanup_strv char **removed = NULL;
  int r = network_store_open (s->root_dir, &store, err);

  if (r >= 0)
    r = netns_network_prune (&store, &removed, err);
  network_store_close (&store);
  if (r < 0)
    return r;
  if (removed[0])
    printf ("Deleted Networks:\n");
  for (char **p = removed; *p; p++)
    printf ("%s\n", *p);
  return 0;
}

static int
do_prune (struct system_cli *s, struct cordon_error *err)
{
  uint64_t reclaimed = 0;
  char text[32];
  int r;

  if (!s->force)
    {
      char answer[16] = "";
      fprintf (stderr,
               "WARNING! This will remove:\n  - all sandboxes that are not running\n  - all volumes not used by "
               "at least one sandbox\n  - all networks not used by at least one sandbox\n  - all dangling images\n\nAre you sure you want to continue? [y/N] ");
      if (fgets (answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
        return 0;
    }
  reclaimed += prune_sandboxes (s);
  reclaimed += prune_volumes (s);
  r = prune_images (s, &reclaimed, err);
  if (r < 0)
    return r;
  /* Last: rootless, it moves this process into the network holder's
   * namespaces.  */
  r = prune_networks (s, err);
  if (r < 0)
    return r;
  human (reclaimed, text, sizeof text);
  printf ("Total reclaimed space: %s\n", text);
  return 0;
}

int
cli_system (int argc, char **argv)
{
  static const struct option options[] = {
    { "store", required_argument, NULL, 'S' },
    { "root", required_argument, NULL, 'R' },
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  struct system_cli s = { .root = { .dfd = -1 } };
  const char *cmd = NULL;
  int c, r;

  /* Options before and after the subcommand (`cordon --root DIR system df`).  */
  optind = 1;
  opterr = 0;
  for (;;)
    {
      c = getopt_long (argc, argv, "f", options, NULL);
      if (c == -1)
        break;
      switch (c)
        {
        case 'S':
          s.store_path = optarg;
          break;
        case 'R':
          s.root_dir = optarg;
          break;
        case 'f':
          s.force = true;
          break;
        case 'H':
          fputs (system_usage, stdout);
          return 0;
        default:
          fprintf (stderr, "cordon: system: unknown or incomplete option `%s`\n%s", argv[optind - 1], system_usage);
          return EXIT_USAGE;
        }
    }
  if (optind + 1 != argc)
    {
      fputs (system_usage, stderr);
      return EXIT_USAGE;
    }
  cmd = argv[optind];
  if (strcmp (cmd, "df") != 0 && strcmp (cmd, "prune") != 0)
    {
      fprintf (stderr, "cordon: system: unknown command `%s`\n%s", cmd, system_usage);
      return EXIT_USAGE;
    }
  r = image_store_open (s.store_path, strcmp (cmd, "prune") == 0 ? LOCK_EX : LOCK_SH, &s.store, &err);
  if (r >= 0)
    r = state_root_open (s.root_dir, &s.root, &err);
  if (r >= 0)
    r = strcmp (cmd, "df") == 0 ? do_df (&s, &err) : do_prune (&s, &err);
  if (s.root.dfd >= 0)
    state_root_close (&s.root);
  image_store_close (s.store);
  return r < 0 ? cli_fail (&err) : 0;
}
