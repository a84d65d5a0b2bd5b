/* SPDX-License-Identifier: Apache-2.0 */
#include "image/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/tree-size.h"
#include "image/unpack.h"

bool
volume_name_valid (const char *name)
{
  size_t len = strlen (name);

  if (len < 2 || len > VOLUME_NAME_MAX)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

bool
volume_arg_is_named (const char *arg)
{
  /* Docker: a source that is not a path is a name.  */
  return arg[0] != '/' && arg[0] != '.' && arg[0] != '~' && arg[0] != ':' && arg[0] != '\0';
}

static int
volumes_dir (struct image_store *store, struct cordon_error *err)
{
  int fd;

  if (mkdirat (store->dirfd, "volumes", 0700) < 0 && errno != EEXIST)
    return cordon_error_set (err, errno, "create `%s/volumes`", store->path);
  fd = openat (store->dirfd, "volumes", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "open `%s/volumes`", store->path);
  return fd;
}

bool
volume_exists (struct image_store *store, const char *name)
{
  cleanup_free char *rel = NULL;
  struct stat st;

  if (!volume_name_valid (name) || asprintf (&rel, "volumes/%s/_data", name) < 0)
    return false;
  return fstatat (store->dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode);
}

char *
volume_data_path (const struct image_store *store, const char *name)
{
  char *p = NULL;

  if (asprintf (&p, "%s/volumes/%s/_data", store->path, name) < 0)
    return NULL;
  return p;
}

int
volume_create (struct image_store *store, const char *name, bool *created, struct cordon_error *err)
{
  cleanup_free char *tmp = NULL, *data = NULL, *rel = NULL;
  cleanup_close int vdir = -1;
  int r;

  *created = false;
  if (!volume_name_valid (name))
    return cordon_error_set (err, 0,
                             "create %s: \"%s\" includes invalid characters for a local volume name, only "
                             "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                             name, name);
  vdir = volumes_dir (store, err);
  if (vdir < 0)
    return vdir;
  if (volume_exists (store, name))
    return 0;
  r = image_store_tmp_name (store, &tmp, err);
  if (r < 0)
    return r;
  if (asprintf (&data, "%s/_data", tmp) < 0 || asprintf (&rel, "volumes/%s", name) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  /* _data is the sandbox root's, as a fresh Docker volume is root's.  */
  if (mkdirat (store->dirfd, tmp, 0700) < 0 || mkdirat (store->dirfd, data, 0755) < 0
      || (store->owner_uid >= 0
          && fchownat (store->dirfd, data, (uid_t)store->owner_uid, (gid_t)store->owner_gid, AT_SYMLINK_NOFOLLOW) < 0))
    {
      r = cordon_error_set (err, errno, "create volume %s", name);
      image_store_tmp_discard (store, tmp);
      return r;
    }
  if (renameat2 (store->dirfd, tmp, store->dirfd, rel, RENAME_NOREPLACE) < 0)
    {
      r = errno;
      image_store_tmp_discard (store, tmp);
      if (r == EEXIST || r == ENOTEMPTY)
        return 0; /* a concurrent create won */
      return cordon_error_set (err, r, "create volume %s", name);
    }
  *created = true;
  return 0;
}

int
volume_acquire (struct image_store *store, const char *name, struct cordon_error *err)
{
  cleanup_free char *rel = NULL;
  bool created;
  int r;

  if (asprintf (&rel, "volumes/%s", name) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  /* `volume rm` renames the directory away under its exclusive lock: a
   * lock taken on a directory that is no longer published is retried.  */
  for (int attempt = 0; attempt < 8; attempt++)
    {
      cleanup_close int fd = -1;
      struct stat a, b;

      r = volume_create (store, name, &created, err);
      if (r < 0)
        return r;
      fd = openat (store->dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_SH) < 0)
        return cordon_error_set (err, errno, "lock volume %s", name);
      if (fstat (fd, &a) == 0 && fstatat (store->dirfd, rel, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino
          && a.st_dev == b.st_dev)
        return steal_fd (&fd);
    }
  return cordon_error_set (err, EAGAIN, "volume %s: removed while it was being mounted", name);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

int
volume_list (struct image_store *store, char ***names, struct cordon_error *err)
{
  cleanup_strv char **v = NULL;
  size_t n = 0, cap = 0;
  int fd = volumes_dir (store, err);
  DIR *d;

  if (fd < 0)
    return fd;
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return cordon_error_set (err, errno, "read `%s/volumes`", store->path);
    }
  for (struct dirent *de; (de = readdir (d)) != NULL;)
    {
      if (!volume_name_valid (de->d_name) || !volume_exists (store, de->d_name))
        continue;
      if (n + 2 > cap)
        {
          char **nv = realloc (v, (cap = cap ? cap * 2 : 16) * sizeof *v);
          if (nv == NULL)
            {
              closedir (d);
              return cordon_error_set (err, ENOMEM, "out of memory");
            }
          v = nv;
        }
      v[n] = strdup (de->d_name);
      v[n + 1] = NULL;
      if (v[n] == NULL)
        {
          closedir (d);
          return cordon_error_set (err, ENOMEM, "out of memory");
        }
      n++;
    }
  closedir (d);
  if (v == NULL && (v = calloc (1, sizeof *v)) == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  qsort (v, n, sizeof *v, compare_names);
  *names = steal_pointer (&v);
  return 0;
}

int64_t
volume_created (struct image_store *store, const char *name)
{
  cleanup_free char *rel = NULL;
  struct statx stx;

  if (asprintf (&rel, "volumes/%s", name) < 0
      || statx (store->dirfd, rel, AT_SYMLINK_NOFOLLOW, STATX_BTIME | STATX_MTIME, &stx) < 0)
    return 0;
  return (stx.stx_mask & STATX_BTIME) ? stx.stx_btime.tv_sec : stx.stx_mtime.tv_sec;
}

uint64_t
volume_size (struct image_store *store, const char *name)
{
  cleanup_free char *rel = NULL;

  if (asprintf (&rel, "volumes/%s/_data", name) < 0)
    return 0;
  return tree_size_at (store->dirfd, rel);
}

int
volume_remove (struct image_store *store, const char *name, struct cordon_error *err)
{
  cleanup_free char *rel = NULL, *tmp = NULL;
  cleanup_close int fd = -1;
  int r;

  if (!volume_name_valid (name) || !volume_exists (store, name))
    return cordon_error_set (err, 0, "get %s: no such volume", name);
  if (asprintf (&rel, "volumes/%s", name) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  fd = openat (store->dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "remove %s", name);
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EWOULDBLOCK)
        return cordon_error_set (err, 0, "remove %s: volume is in use by a running sandbox", name);
      return cordon_error_set (err, errno, "lock volume %s", name);
    }
  r = image_store_tmp_name (store, &tmp, err);
  if (r < 0)
    return r;
  /* Gone at once for everyone; the tree goes after, under our tmp/ name
   * (a kill now leaves tmp/ work that the next command sweeps).  */
  if (renameat (store->dirfd, rel, store->dirfd, tmp) < 0)
    return cordon_error_set (err, errno, "remove %s", name);
  image_store_tmp_discard (store, tmp);
  return 0;
}
