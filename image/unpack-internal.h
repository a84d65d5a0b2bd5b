/* SPDX-License-Identifier: Apache-2.0 */
/* The layer unpacker's private parts, shared by unpack.c (the entry loop),
 * unpack-decompress.c (bytes in, hashed tar stream out), unpack-entry.c
 * (one tar entry becomes one object) and unpack-tree.c (parents, deferred
 * directory metadata, removal).  */
#ifndef CORDON_IMAGE_UNPACK_INTERNAL_H
#define CORDON_IMAGE_UNPACK_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "image/unpack.h"

/* Every path inside a layer is resolved like this: `..` stays in the layer,
 * and no symlink is followed at all, not even one the same layer planted a
 * moment ago, so a layer cannot redirect where its own entries land.  */
#define UNPACK_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* openat2(dirfd, path, flags|O_CLOEXEC, UNPACK_RESOLVE), retrying EAGAIN a
 * few times.  Returns the fd or -errno.  */
int unpack_openat2 (int dirfd, const char *path, int flags, unsigned long long resolve);

/* ---- unpack-decompress.c: compressed blob -> counted, hashed tar stream */

struct layer_reader
{
  int fd;
  enum layer_compression compression;
  z_stream z;
  bool z_ready;
  bool member_open; /* inside a gzip member / zstd frame */
  bool any_member;  /* saw at least one gzip member or zstd frame */
  bool pending;     /* the last step filled `out`: call again before reading */
  ZSTD_DStream *zstd;
  uint8_t *in;
  size_t in_len, in_pos;
  bool in_eof;
  uint8_t *out; /* the ring slot being filled */
  /* Hashing runs in a thread of its own, a few blocks behind: SHA-256 of
   * every byte was 40% of an uncompressed unpack.  libarchive only needs
   * the block it was last given, so a ring of READER_RING blocks lets the
   * hasher lag by READER_RING - 1.  */
  uint8_t *ring[4]; /* READER_RING */
  size_t ring_len[4];
  unsigned produced, hashed;
  bool hasher_running, hasher_stop;
  pthread_t hasher;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct sha256_ctx sha;
  uint64_t bytes;
  uint64_t max_bytes;
  struct cordon_error err; /* what went wrong inside a libarchive callback */
};

int layer_reader_init (struct layer_reader *r, int fd, enum layer_compression compression, uint64_t max_bytes,
                       struct cordon_error *err);
void layer_reader_fini (struct layer_reader *r);
/* The next block of the tar stream (hashed and counted).  Returns its
 * length, 0 at the end, or -errno with r->err filled.  */
ssize_t layer_reader_next (struct layer_reader *r, const void **buf);
/* Reads and hashes what libarchive left after the end-of-archive blocks.  */
int layer_reader_drain (struct layer_reader *r, struct cordon_error *err);
/* "what: <the reader's error>", with the reader's errno.  */
int layer_reader_fail (struct layer_reader *r, const char *what, struct cordon_error *err);
void layer_reader_digest (struct layer_reader *r, char diff_id[72]);
/* Connects `r` to a new tar-only libarchive reader.  */
int layer_reader_open_archive (struct layer_reader *r, struct archive **out, struct cordon_error *err);

/* ---- unpack.c / unpack-entry.c / unpack-tree.c: the layer being written */

struct deferred_dir
{
  char *path;
  mode_t mode;
  struct timespec mtime;
  unsigned depth;
  size_t seq;
};

struct unpack_ctx
{
  int root;
  const struct unpack_limits *limits;
  int64_t owner_uid, owner_gid;
  struct unpack_stats *stats;
  struct archive *archive;
  struct layer_reader *reader;
  struct deferred_dir *dirs;
  size_t n_dirs, cap_dirs;
  char **opaque; /* directories with .wh..wh..opq in this layer ("" = root) */
  size_t n_opaque, cap_opaque;
  char *cached_parent; /* the last parent opened, and its O_PATH fd */
  int cached_fd;
};

/* Copies `name` into `buf` with bytes outside printable ASCII as \xNN, so an
 * entry name in an error message cannot drive a terminal.  */
const char *unpack_name_quote (const char *name, char *buf, size_t size);

/* One tar entry; `path` is the normalised name ("" for the layer root).  */
int unpack_entry (struct unpack_ctx *ctx, struct archive_entry *entry, const char *path, unsigned depth,
                  struct cordon_error *err);

/* "layer entry `<path>`: <what>" (with strerror(errnum)).  */
int unpack_entry_fail (struct cordon_error *err, int errnum, const char *path, const char *what);
/* Skips the entry's data (still hashed by the reader).  */
int unpack_data_skip (struct unpack_ctx *ctx, const char *path, struct cordon_error *err);
/* A `.wh.` entry: `name` is its last component, `parent` its directory.  */
int unpack_whiteout (struct unpack_ctx *ctx, struct archive_entry *entry, const char *parent, const char *name,
                     const char *path, struct cordon_error *err);

/* Normalises a tar name: drops "." components and trailing slashes, refuses
 * absolute names, "..", empty components and names over the limits.  `out`
 * gets a heap copy, `depth` its number of components.  */
int unpack_name_normalize (const char *raw, const struct unpack_limits *limits, char **out, unsigned *depth,
                           struct cordon_error *err);

/* The directory `parent` ("" = root) as an O_PATH fd owned by ctx (do not
 * close), creating missing directories 0755.  A symlink or non-directory on
 * the way refuses the entry.  */
int unpack_parent_open (struct unpack_ctx *ctx, const char *parent, const char *entry, struct cordon_error *err);
void unpack_parent_forget (struct unpack_ctx *ctx);

int unpack_defer_dir (struct unpack_ctx *ctx, const char *path, unsigned depth, mode_t mode,
                      const struct timespec *mtime);
/* Applies directory modes and mtimes, deepest first, through fds opened
 * O_DIRECTORY|O_NOFOLLOW; a path that is no longer a directory is skipped.  */
int unpack_apply_dirs (struct unpack_ctx *ctx, struct cordon_error *err);
void unpack_ctx_free (struct unpack_ctx *ctx);

#endif
