/* SPDX-License-Identifier: Apache-2.0 */
/* Garbage collection: what no image record names goes.  Runs under the
 * store's exclusive lock, so no import is half-way; a running sandbox's
 * image keeps its record (rm refuses it), hence its layers.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "image/import.h"
#include "image/record.h"

static bool
listed (char **v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

static int
add_hex (char ***v, const char *digest)
{
  return digest && digest_is_valid (digest) ? strv_append (v, digest_hex (digest)) : 0;
}

static int
collect_live (struct image_store *store, char ***blobs, char ***layers, struct cordon_error *err)
{
  cleanup_strv char **ids = NULL;
  int r = image_record_list (store, &ids, err);

  if (r < 0)
    return r;
  for (char **id = ids; *id; id++)
    {
      cleanup_image_record struct image_record *rec = NULL;
      r = image_record_load (store, *id, &rec, err);
      if (r < 0)
        return r;
      if (add_hex (blobs, rec->manifest) < 0 || add_hex (blobs, rec->config) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < rec->n_layers; i++)
        if (add_hex (blobs, rec->layers[i].digest) < 0 || add_hex (layers, rec->layers[i].diff_id) < 0)
          return cordon_error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < rec->n_sigs; i++)
        if (add_hex (blobs, rec->sigs[i].payload) < 0)
          return cordon_error_set (err, ENOMEM, "out of memory");
    }
  return 0;
}

static int
sweep_dir (struct image_store *store, const char *dir, char **live, size_t *count, struct cordon_error *err)
{
  cleanup_close int dfd = openat (store->dirfd, dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  DIR *d;
  struct dirent *e;
  int fd;

  if (dfd < 0)
    return cordon_error_set (err, errno, "open `%s/%s`", store->path, dir);
  fd = dup (dfd);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, errno, "list `%s/%s`", store->path, dir);
    }
  while ((e = readdir (d)))
    {
      if (e->d_name[0] == '.' || listed (live, e->d_name))
        continue;
      if (layer_remove_tree (dfd, e->d_name, err) < 0)
        {
          closedir (d);
          return cordon_error_code (err);
        }
      (*count)++;
    }
  closedir (d);
  return 0;
}

int
image_store_gc (struct image_store *store, size_t *blobs, size_t *layers, struct cordon_error *err)
{
  cleanup_strv char **live_blobs = calloc (1, sizeof (char *));
  cleanup_strv char **live_layers = calloc (1, sizeof (char *));
  int r;

  *blobs = *layers = 0;
  if (live_blobs == NULL || live_layers == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = collect_live (store, &live_blobs, &live_layers, err);
  if (r >= 0)
    r = sweep_dir (store, "blobs/sha256", live_blobs, blobs, err);
  if (r >= 0)
    r = sweep_dir (store, "layers", live_layers, layers, err);
  image_store_sweep_tmp (store);
  return r;
}
