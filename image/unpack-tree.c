/* SPDX-License-Identifier: Apache-2.0 */
/* The layer as a tree: opening (and creating) the parent of an entry without
 * ever following a symlink, directory metadata applied after the contents,
 * and removing a partial or replaced tree.  */
#include "image/unpack-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

void
unpack_parent_forget (struct unpack_ctx *ctx)
{
  free (ctx->cached_parent);
  ctx->cached_parent = NULL;
  if (ctx->cached_fd >= 0)
    close (ctx->cached_fd);
  ctx->cached_fd = -1;
}

/* Walks `parent` one component at a time from the root, creating what is
 * missing.  Implicit directories get 0755 and the layer owner, as other
 * unpackers give them.  */
static int
unpack_parent_create (struct unpack_ctx *ctx, const char *parent, const char *entry, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (parent);
  cleanup_close int cur = -1;
  char q[256];
  char *save = NULL;

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "layer parent");
  cur = unpack_openat2 (ctx->root, ".", O_PATH | O_DIRECTORY, UNPACK_RESOLVE);
  if (cur < 0)
    return cordon_error_set (err, -cur, "open layer root");
  for (char *comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      int next = unpack_openat2 (cur, comp, O_PATH | O_DIRECTORY, UNPACK_RESOLVE);

      if (next == -ENOENT)
        {
          if (mkdirat (cur, comp, 0755) < 0 && errno != EEXIST)
            return cordon_error_set (err, errno, "layer entry `%s`: create parent `%s`",
                                     unpack_name_quote (entry, q, sizeof q), comp);
          if (ctx->owner_uid >= 0
              && fchownat (cur, comp, (uid_t)ctx->owner_uid, (gid_t)ctx->owner_gid, AT_SYMLINK_NOFOLLOW) < 0)
            return cordon_error_set (err, errno, "layer entry `%s`: chown parent `%s`",
                                     unpack_name_quote (entry, q, sizeof q), comp);
          next = unpack_openat2 (cur, comp, O_PATH | O_DIRECTORY, UNPACK_RESOLVE);
        }
      if (next < 0)
        return cordon_error_set (err, -next, "layer entry `%s`: parent `%s` is not a directory of the layer",
                                 unpack_name_quote (entry, q, sizeof q), comp);
      close (cur);
      cur = next;
    }
  return steal_fd (&cur);
}

int
unpack_parent_open (struct unpack_ctx *ctx, const char *parent, const char *entry, struct cordon_error *err)
{
  char q[256];
  int fd;

  /* Tar entries come grouped by directory: reuse the last parent.  Anything
   * that removes from the tree forgets it (unpack_parent_forget).  */
  if (ctx->cached_parent != NULL && strcmp (ctx->cached_parent, parent) == 0)
    return ctx->cached_fd;
  unpack_parent_forget (ctx);
  fd = unpack_openat2 (ctx->root, parent[0] ? parent : ".", O_PATH | O_DIRECTORY, UNPACK_RESOLVE);
  if (fd == -ENOENT)
    fd = unpack_parent_create (ctx, parent, entry, err);
  else if (fd < 0)
    /* ELOOP (a symlink on the way), ENOTDIR, EXDEV: the layer tries to
     * write through something that is not one of its directories.  */
    return cordon_error_set (err, -fd, "layer entry `%s`: parent `%s` is not a directory of the layer",
                             unpack_name_quote (entry, q, sizeof q), parent);
  if (fd < 0)
    return fd;
  ctx->cached_parent = strdup (parent);
  if (ctx->cached_parent == NULL)
    {
      close (fd);
      return cordon_error_set (err, ENOMEM, "layer parent");
    }
  ctx->cached_fd = fd;
  return fd;
}

int
unpack_defer_dir (struct unpack_ctx *ctx, const char *path, unsigned depth, mode_t mode, const struct timespec *mtime)
{
  struct deferred_dir *d;

  if (ctx->n_dirs == ctx->cap_dirs)
    {
      size_t cap = ctx->cap_dirs ? ctx->cap_dirs * 2 : 64;
      struct deferred_dir *n = reallocarray (ctx->dirs, cap, sizeof *n);

      if (n == NULL)
        return -ENOMEM;
      ctx->dirs = n;
      ctx->cap_dirs = cap;
    }
  d = &ctx->dirs[ctx->n_dirs];
  d->path = strdup (path);
  if (d->path == NULL)
    return -ENOMEM;
  d->mode = mode;
  d->mtime = *mtime;
  d->depth = depth;
  d->seq = ctx->n_dirs++;
  return 0;
}

/* Deepest first, so that a directory's mode (maybe 000) is set after
 * everything below it; for one path the last entry first, so the first
 * occurrence seen in the sorted list is the one that wins.  */
static int
deferred_dir_cmp (const void *a, const void *b)
{
  const struct deferred_dir *x = a, *y = b;
  int c;

  if (x->depth != y->depth)
    return x->depth > y->depth ? -1 : 1;
  c = strcmp (x->path, y->path);
  if (c != 0)
    return c;
  return x->seq > y->seq ? -1 : (x->seq < y->seq ? 1 : 0);
}

int
unpack_apply_dirs (struct unpack_ctx *ctx, struct cordon_error *err)
{
  char q[256];

  unpack_parent_forget (ctx);
  if (ctx->n_dirs > 0)
    qsort (ctx->dirs, ctx->n_dirs, sizeof *ctx->dirs, deferred_dir_cmp);
  for (size_t i = 0; i < ctx->n_dirs; i++)
    {
      struct deferred_dir *d = &ctx->dirs[i];
      struct timespec ts[2] = { d->mtime, d->mtime };
      cleanup_close int fd = -1;

      if (i > 0 && strcmp (d->path, ctx->dirs[i - 1].path) == 0)
        continue;
      /* O_NOFOLLOW|O_DIRECTORY and no symlinks on the way: if a later entry
       * replaced the directory (with a file, or anything else), there is
       * nothing to fix up, and nothing is followed (CVE-2021-31566).  */
      fd = unpack_openat2 (ctx->root, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, UNPACK_RESOLVE);
      if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
        continue;
      if (fd < 0)
        return cordon_error_set (err, -fd, "layer directory `%s`", unpack_name_quote (d->path, q, sizeof q));
      if (fchmod (fd, d->mode) < 0)
        return cordon_error_set (err, errno, "chmod layer directory `%s`", unpack_name_quote (d->path, q, sizeof q));
      if (futimens (fd, ts) < 0)
        return cordon_error_set (err, errno, "set mtime of layer directory `%s`",
                                 unpack_name_quote (d->path, q, sizeof q));
    }
  return 0;
}

void
unpack_ctx_free (struct unpack_ctx *ctx)
{
  unpack_parent_forget (ctx);
  for (size_t i = 0; i < ctx->n_dirs; i++)
    free (ctx->dirs[i].path);
  free (ctx->dirs);
  ctx->dirs = NULL;
  ctx->n_dirs = ctx->cap_dirs = 0;
  for (size_t i = 0; i < ctx->n_opaque; i++)
    free (ctx->opaque[i]);
  free (ctx->opaque);
  ctx->opaque = NULL;
  ctx->n_opaque = ctx->cap_opaque = 0;
}

static int remove_tree_at (int parent_dirfd, const char *name, unsigned depth, struct cordon_error *err);

/* Removes everything inside the directory `dirfd` (which it closes).  */
static int
remove_tree_contents (int dirfd, const char *name, unsigned depth, struct cordon_error *err)
{
  DIR *dir;
  struct dirent *de;
  int r = 0;

  if (depth > 4096)
    {
      close (dirfd);
      return cordon_error_set (err, ELOOP, "remove `%s`: tree deeper than 4096", name);
    }
  dir = fdopendir (dirfd);
  if (dir == NULL)
    {
      close (dirfd);
      return cordon_error_set (err, errno, "remove `%s`: fdopendir", name);
    }
  while (r == 0)
    {
      errno = 0;
      de = readdir (dir);
      if (de == NULL)
        {
          if (errno != 0)
            r = cordon_error_set (err, errno, "remove `%s`: readdir", name);
          break;
        }
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      r = remove_tree_at (dirfd, de->d_name, depth + 1, err);
    }
  closedir (dir);
  return r;
}

static int
remove_tree_at (int parent_dirfd, const char *name, unsigned depth, struct cordon_error *err)
{
  struct stat st;
  int fd, r;

  if (fstatat (parent_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : cordon_error_set (err, errno, "remove `%s`", name);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent_dirfd, name, 0) < 0 && errno != ENOENT)
        return cordon_error_set (err, errno, "remove `%s`", name);
      return 0;
    }
  /* A mode 000 (or 0500) directory: give ourselves rwx first.  The name was
   * a directory a moment ago and the tree is private to us; fchmodat without
   * AT_SYMLINK_NOFOLLOW is what glibc offers without /proc.  */
  if ((st.st_mode & 0700) != 0700 && fchmodat (parent_dirfd, name, 0700, 0) < 0)
    return cordon_error_set (err, errno, "remove `%s`: chmod", name);
  fd = openat (parent_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : cordon_error_set (err, errno, "remove `%s`: open", name);
  r = remove_tree_contents (fd, name, depth, err);
  if (r < 0)
    return r;
  if (unlinkat (parent_dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return cordon_error_set (err, errno, "remove `%s`", name);
  return 0;
}

int
layer_remove_tree (int parent_dirfd, const char *name, struct cordon_error *err)
{
  return remove_tree_at (parent_dirfd, name, 0, err);
}
