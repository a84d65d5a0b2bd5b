/* SPDX-License-Identifier: Apache-2.0 */
/* The image store: content-addressed and crash-safe.
 *
 *   STORE/            0700 (CVE-2021-41091: host users must not reach
 *                     set-user-id files inside unpacked layers)
 *     lock            flock: shared by importers and readers, exclusive by gc/rm
 *     tmp/            work in progress, one <pid>-<rand> prefix per process,
 *                     owned while its .lock file is locked; anything whose
 *                     owner died (kill -9) is discarded by the next command
 *     blobs/sha256/H  verified blobs, 0444, published with renameat2(NOREPLACE)
 *     layers/H/       unpacked layer (H = hex of its DiffID), published by rename
 *     images/H.json   image records (H = manifest digest, or config digest for
 *                     a legacy docker-save); a running sandbox holds a shared
 *                     flock on its record
 *     refs.json       name -> record id, replaced atomically under refs.lock
 *
 * Nothing is visible before it is complete, so an interrupted import leaves
 * only tmp/ entries behind.  */
#ifndef CORDON_IMAGE_STORE_H
#define CORDON_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/file.h>

#include "common/error.h"
#include "image/digest.h"
#include "image/unpack.h"

struct image_store
{
  char *path;
  int dirfd;
  int lockfd;
  int tmp_lockfd;     /* our tmp/<prefix>.lock, created on first use */
  char *tmp_prefix;   /* "<pid>-<rand>" */
  unsigned tmp_count; /* names handed out under the prefix */
  int64_t owner_uid;  /* root: the sandbox's mapped range base; rootless: -1 */
  int64_t owner_gid;
};

/* $XDG_DATA_HOME/cordon (~/.local/share/cordon) rootless, /var/lib/cordon as
 * root.  */
int image_store_default_path (char **out, struct cordon_error *err);

/* Opens (creating) the store at `path` (NULL: the default) holding its lock
 * with `lock_op` (LOCK_SH or LOCK_EX), and discards what dead processes left
 * in tmp/.  */
int image_store_open (const char *path, int lock_op, struct image_store **out, struct cordon_error *err);
void image_store_close (struct image_store *store);
#define cleanup_image_store __attribute__ ((cleanup (image_store_closep)))
static inline void
image_store_closep (struct image_store **s)
{
  if (*s)
    image_store_close (*s);
}

/* A fresh name under tmp/ ("tmp/<prefix>.<n>"), owned by this process.  */
int image_store_tmp_name (struct image_store *store, char **name, struct cordon_error *err);
/* Removes a tmp/ entry (file or tree).  */
void image_store_tmp_discard (struct image_store *store, const char *name);

/* Copies a blob from `fd` (its current offset) into the store, hashing as it
 * goes.  With `digest`, the content must have exactly `size` bytes (-1: any
 * size up to `max`) and that digest; without, it is computed into `out`.
 * Reads at most size+1 (or max+1) bytes.  */
int image_store_put_blob (struct image_store *store, int fd, const char *digest, int64_t size, uint64_t max,
                          char out[DIGEST_SHA256_LEN + 1], struct cordon_error *err);
int image_store_put_blob_buffer (struct image_store *store, const void *buf, size_t len,
                                 char out[DIGEST_SHA256_LEN + 1], struct cordon_error *err);
bool image_store_has_blob (struct image_store *store, const char *digest);
int image_store_open_blob (struct image_store *store, const char *digest, struct cordon_error *err);
int image_store_read_blob (struct image_store *store, const char *digest, size_t max, char **buf, size_t *len,
                           struct cordon_error *err);

/* Unpacked layers.  */
bool image_store_has_layer (struct image_store *store, const char *diff_id);
/* Absolute path of layers/<hex>.  */
char *image_store_layer_path (const struct image_store *store, const char *diff_id);
/* Unpacks the blob `blob_digest` (already in the store) with `compression`
 * unless the layer exists, checks that its DiffID is `diff_id`, and
 * publishes it.  */
int image_store_unpack_layer (struct image_store *store, const char *blob_digest, enum layer_compression compression,
                              const char *diff_id, struct unpack_stats *stats, struct cordon_error *err);

/* Writes `text` as `rel` (relative to the store) atomically.  */
int image_store_write_file (struct image_store *store, const char *rel, const char *text, size_t len,
                            struct cordon_error *err);

/* Removes everything in tmp/ whose owner is gone.  */
void image_store_sweep_tmp (struct image_store *store);

#endif
