/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacking one hostile image layer into an empty directory that becomes an
 * overlay lowerdir.  libarchive only reads the tar; every object is created
 * with *at() calls relative to directory fds resolved with openat2
 * (RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV:
 * no symlink is followed at unpack time, not even one of the same layer),
 * never with archive_write_disk.  Whiteouts become 0/0 character devices, opaque
 * directories get user.overlay.opaque=y (mount with userxattr).  The DiffID
 * is the SHA-256 of the whole decompressed stream.  See
 * doc/images.md and ../shared/docs/images-and-signatures.md §2–3.  */
#ifndef CORDON_IMAGE_UNPACK_H
#define CORDON_IMAGE_UNPACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum layer_compression
{
  LAYER_COMPRESSION_NONE,
  LAYER_COMPRESSION_GZIP,
  LAYER_COMPRESSION_ZSTD,
};

struct unpack_limits
{
  uint64_t max_bytes;   /* decompressed tar stream bytes */
  uint64_t max_entries; /* tar entries */
  unsigned max_depth;   /* path components */
  size_t max_path;      /* bytes of one entry name */
};

/* compressed ≤ caller's business; 16 GiB decompressed, 1e6 entries,
 * depth 128, path 4096 (components are always ≤ 255).  These accept the
 * fixtures' 2 GiB gzip bomb and 50 000-entry layer; a caller that wants
 * those refused lowers max_bytes / max_entries (the fixture test uses 1 GiB
 * and 10 000).  Declared entry sizes count against max_bytes before any
 * data is written.  */
void unpack_limits_default (struct unpack_limits *limits);

struct unpack_stats
{
  uint64_t entries;
  uint64_t bytes;        /* decompressed stream bytes */
  uint64_t whiteouts;    /* .wh.<name> turned into 0/0 devices */
  uint64_t opaque_dirs;  /* .wh..wh..opq turned into xattrs */
  uint64_t stripped;     /* setuid/setgid bits and xattrs removed */
};

/* The compression for a layer media type (OCI, nondistributable, Docker).
 * -EINVAL with a message naming the type for anything else (encrypted,
 * foreign, unknown).  */
int layer_compression_from_media_type (const char *media_type, enum layer_compression *out,
                                       struct cordon_error *err);

/* Guesses from the first bytes of `fd` (gzip/zstd magic, else none) and seeks
 * back to 0.  Only for `docker save` layer.tar members, which `docker load`
 * accepts compressed; OCI layers are decompressed by media type.  */
int layer_compression_sniff (int fd, enum layer_compression *out, struct cordon_error *err);

/* Unpacks the layer read from `blob_fd` (from its current offset) into the
 * empty directory `dest_dirfd`.  `diff_id` receives "sha256:<64 hex>".
 * `owner_uid/owner_gid`: -1 keeps the unpacking user as owner of everything
 * (rootless: one uid); otherwise each entry is chowned to owner + its tar
 * uid/gid (root: the sandbox's mapped range, so that ids inside the sandbox
 * match the image).  On failure the directory holds a partial layer that the
 * caller removes with layer_remove_tree; the message names the entry.  */
int layer_unpack (int blob_fd, enum layer_compression compression, int dest_dirfd, const struct unpack_limits *limits,
                  int64_t owner_uid, int64_t owner_gid, char diff_id[72], struct unpack_stats *stats,
                  struct cordon_error *err);

/* Removes `name` under `parent_dirfd` and everything below it, never
 * following symlinks, and coping with mode 000 directories.  ENOENT is
 * success.  */
int layer_remove_tree (int parent_dirfd, const char *name, struct cordon_error *err);

#endif
