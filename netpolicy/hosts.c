/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"

static void
put_lease (FILE *f, const struct ipam_lease *l)
{
  char ip[NET_ADDR_STRLEN];

  if (l->names == NULL || l->names[0] == NULL)
    return;
  net_format_ipv4 (l->ip, ip);
  fputs (ip, f);
  for (char **p = l->names; *p; p++)
    fprintf (f, "\t%s", *p);
  fputc ('\n', f);
}

int
hosts_render (const struct hosts_view *views, size_t n, const char *id, char **out, size_t *len,
              struct cordon_error *err)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);

  if (f == NULL)
    return cordon_error_set (err, errno, "open_memstream");
  fputs ("# Written by cordon for this sandbox; changes are lost.\n"
         "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n",
         f);
  /* Its own names first: a name of its own resolves to itself.  */
  for (size_t i = 0; i < n; i++)
    {
      const struct ipam_lease *self = ipam_find (views[i].t, id);
      if (self)
        put_lease (f, self);
    }
  /* The default network has no names between sandboxes, as in Docker.  */
  for (size_t i = 0; i < n; i++)
    if (views[i].cfg->names && ipam_find (views[i].t, id))
      for (size_t j = 0; j < views[i].t->n; j++)
        if (strcmp (views[i].t->leases[j].id, id) != 0)
          put_lease (f, &views[i].t->leases[j]);
  for (size_t i = 0; i < n; i++)
    {
      const struct ipam_lease *self = ipam_find (views[i].t, id);
      for (char **p = self ? self->hosts : NULL; p && *p; p++)
        {
          const char *colon = strrchr (*p, ':');
          fprintf (f, "%s\t%.*s\n", colon + 1, (int)(colon - *p), *p);
        }
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return cordon_error_set (err, ENOMEM, "hosts");
    }
  *out = buf;
  *len = size;
  return 0;
}

static int
write_in_place (int dfd, const char *name, bool create, const char *text, size_t len)
{
  cleanup_close int fd
      = openat (dfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  size_t off = 0;

  if (fd < 0)
    return -errno;
  /* Write, then cut: a reader sees the old text, the new, or the new with
   * the old's tail; never an empty file.  */
  while (off < len)
    {
      ssize_t n = pwrite (fd, text + off, len - off, (off_t)off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? -errno : -EIO;
      off += (size_t)n;
    }
  if (ftruncate (fd, (off_t)len) < 0)
    return -errno;
  return 0;
}

/* Every network with its leases, for the hosts files of sandboxes that may
 * be on several.  */
struct hosts_world
{
  struct network_config *cfgs;
  size_t n;
  struct ipam_table *tables; /* ours; the caller's for the network it holds */
  struct hosts_view *views;
  int *dirs; /* hosts.d of each, or -1 */
};

static void
world_release (struct hosts_world *w)
{
  for (size_t i = 0; i < w->n; i++)
    {
      ipam_release (&w->tables[i]);
      if (w->dirs && w->dirs[i] >= 0)
        close (w->dirs[i]);
    }
  free (w->tables);
  free (w->views);
  free (w->dirs);
  network_configs_free (w->cfgs, w->n);
  *w = (struct hosts_world){ 0 };
}

/* `held` and `t`: the network whose lock the caller holds, and its table
 * as saved.  The others' ipam.json are read without their locks: they are
 * replaced by rename, and the hosts lock orders the writers (below).  */
static int
world_load (const struct network_store *s, const struct network_config *held, const struct ipam_table *t,
            struct hosts_world *w, struct cordon_error *err)
{
  int r;

  *w = (struct hosts_world){ 0 };
  r = network_load_all (s, &w->cfgs, &w->n, err);
  if (r < 0)
    return r;
  w->tables = calloc (w->n + 1, sizeof *w->tables);
  w->views = calloc (w->n + 1, sizeof *w->views);
  w->dirs = calloc (w->n + 1, sizeof *w->dirs);
  if (w->tables == NULL || w->views == NULL || w->dirs == NULL)
    {
      world_release (w);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  for (size_t i = 0; i < w->n; i++)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      cleanup_close int netdfd = network_open_dir (s, w->cfgs[i].name, &ignored);
      bool is_held = held && strcmp (w->cfgs[i].name, held->name) == 0;

      w->dirs[i] = -1;
      w->views[i] = (struct hosts_view){ .cfg = &w->cfgs[i], .t = is_held ? t : &w->tables[i] };
      if (netdfd < 0)
        continue;
      w->dirs[i] = openat (netdfd, "hosts.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      /* A network whose ipam.json is damaged names nobody.  */
      if (!is_held && ipam_load (netdfd, &w->tables[i], &ignored) < 0)
        w->tables[i] = (struct ipam_table){ 0 };
    }
  return 0;
}

/* Writes the one text of `id` into each of its hosts files: where it has a
 * lease (made if missing), and where one is left (not made).  */
static int
world_write (const struct hosts_world *w, const char *id, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  r = hosts_render (w->views, w->n, id, &text, &len, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < w->n; i++)
    {
      bool leased = ipam_find (w->views[i].t, id) != NULL;

      if (w->dirs[i] < 0)
        {
          if (leased)
            return cordon_error_set (err, ENOENT, "network %s: hosts.d", w->cfgs[i].name);
          continue;
        }
      r = write_in_place (w->dirs[i], id, leased, text, len);
      if (r == -ENOENT && !leased)
        continue;
      if (r < 0)
        return cordon_error_set (err, -r, "network %s: hosts.d/%.12s", w->cfgs[i].name, id);
    }
  return 0;
}

/* The hosts files' lock (flock on networks/.hosts.lock), taken last and
 * with no other taken under it, so it cannot deadlock.  A writer reads
 * the tables after taking it, and each table was saved before: whoever
 * writes a file last has seen every change before it.  */
static int
hosts_lock (const struct network_store *s, struct cordon_error *err)
{
  int fd = openat (s->dfd, ".hosts.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "`%s/.hosts.lock`", s->path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return cordon_error_set (err, e, "lock `%s/.hosts.lock`", s->path);
      }
  return fd;
}

int
hosts_update (const struct network_store *s, const struct network_config *cfg, const struct ipam_table *t,
              struct cordon_error *err)
{
  cleanup_close int lock = hosts_lock (s, err);
  struct hosts_world w;
  int r = 0;

  if (lock < 0)
    return lock;
  r = world_load (s, cfg, t, &w, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < t->n && r >= 0; i++)
    r = world_write (&w, t->leases[i].id, err);
  world_release (&w);
  return r;
}

int
hosts_update_sandbox (const struct network_store *s, const char *id, struct cordon_error *err)
{
  cleanup_close int lock = hosts_lock (s, err);
  struct hosts_world w;
  int r;

  if (lock < 0)
    return lock;
  r = world_load (s, NULL, NULL, &w, err);
  if (r < 0)
    return r;
  r = world_write (&w, id, err);
  world_release (&w);
  return r;
}

void
hosts_remove (int netdfd, const char *id)
{
  cleanup_close int dfd = openat (netdfd, "hosts.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (dfd >= 0)
    unlinkat (dfd, id, 0);
}
