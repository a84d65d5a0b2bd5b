/* SPDX-License-Identifier: Apache-2.0 */
/* The layer unpacker's entry loop: media type to compression, tar names
 * checked before anything touches the disk, one entry at a time handed to
 * unpack-entry.c, directory metadata applied last, the DiffID over the whole
 * stream.  */
#include "image/unpack-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

void
unpack_limits_default (struct unpack_limits *limits)
{
  limits->max_bytes = 16ULL << 30;
  limits->max_entries = 1000000;
  limits->max_depth = 128;
  limits->max_path = 4096;
}

static const struct
{
  const char *type;
  enum layer_compression compression;
} layer_media_types[] = {
  { "application/vnd.oci.image.layer.v1.tar", LAYER_COMPRESSION_NONE },
  { "application/vnd.oci.image.layer.v1.tar+gzip", LAYER_COMPRESSION_GZIP },
  { "application/vnd.oci.image.layer.v1.tar+zstd", LAYER_COMPRESSION_ZSTD },
  { "application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_COMPRESSION_NONE },
  { "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_COMPRESSION_GZIP },
  { "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LAYER_COMPRESSION_ZSTD },
  { "application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_COMPRESSION_GZIP },
};

int
layer_compression_from_media_type (const char *media_type, enum layer_compression *out, struct cordon_error *err)
{
  if (media_type == NULL)
    return cordon_error_set (err, EINVAL, "layer has no media type");
  for (size_t i = 0; i < sizeof layer_media_types / sizeof layer_media_types[0]; i++)
    if (strcmp (media_type, layer_media_types[i].type) == 0)
      {
        *out = layer_media_types[i].compression;
        return 0;
      }
  if (strstr (media_type, "+encrypted") != NULL)
    return cordon_error_set (err, EINVAL, "encrypted layer media type `%s` is not supported", media_type);
  if (strstr (media_type, ".foreign.") != NULL)
    return cordon_error_set (err, EINVAL, "foreign layer media type `%s` is not supported", media_type);
  return cordon_error_set (err, EINVAL, "unknown layer media type `%s`", media_type);
}

int
layer_compression_sniff (int fd, enum layer_compression *out, struct cordon_error *err)
{
  uint8_t magic[4] = { 0 };
  ssize_t n;

  do
    n = pread (fd, magic, sizeof magic, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return cordon_error_set (err, errno, "read layer magic");
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    *out = LAYER_COMPRESSION_GZIP;
  else if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    *out = LAYER_COMPRESSION_ZSTD;
  else
    *out = LAYER_COMPRESSION_NONE;
  if (lseek (fd, 0, SEEK_SET) < 0)
    return cordon_error_set (err, errno, "seek layer blob");
  return 0;
}

int
unpack_openat2 (int dirfd, const char *path, int flags, unsigned long long resolve)
{
  struct open_how how = {
    .flags = (unsigned long long)(flags | O_CLOEXEC),
    .resolve = resolve,
  };
  int fd = -1;

  /* EAGAIN: a concurrent rename during resolution (RESOLVE_IN_ROOT asks the
   * caller to retry).  Nothing else writes a layer being unpacked, so a few
   * tries are plenty; then give up rather than spin.  */
  for (int i = 0; i < 16; i++)
    {
      fd = (int)syscall (SYS_openat2, dirfd, path, &how, sizeof how);
      if (fd >= 0 || errno != EAGAIN)
        break;
    }
  return fd < 0 ? -errno : fd;
}

const char *
unpack_name_quote (const char *name, char *buf, size_t size)
{
  size_t o = 0;

  if (size == 0)
    return "";
  for (const unsigned char *p = (const unsigned char *)name; *p && o + 5 < size; p++)
    {
      if (*p >= 0x20 && *p < 0x7f && *p != '\\')
        buf[o++] = (char)*p;
      else
        o += (size_t)snprintf (buf + o, size - o, "\\x%02x", *p);
    }
  if (name[strnlen (name, size)] != '\0' || o + 5 >= size)
    {
      if (o + 4 > size)
        o = size - 4;
      memcpy (buf + o, "...", 3);
      o += 3;
    }
  buf[o] = '\0';
  return buf;
}

int
unpack_name_normalize (const char *raw, const struct unpack_limits *limits, char **out, unsigned *depth,
                       struct cordon_error *err)
{
  char q[256];
  size_t len = strlen (raw);
  cleanup_free char *norm = NULL;
  size_t o = 0;
  unsigned n = 0;
  const char *p = raw;

  if (len > limits->max_path)
    return cordon_error_set (err, ENAMETOOLONG, "layer entry `%s`: name longer than %zu bytes",
                             unpack_name_quote (raw, q, sizeof q), limits->max_path);
  if (raw[0] == '/')
    return cordon_error_set (err, EPERM, "layer entry `%s`: absolute name", unpack_name_quote (raw, q, sizeof q));
  norm = malloc (len + 1);
  if (norm == NULL)
    return cordon_error_set (err, ENOMEM, "layer entry name");
  while (*p)
    {
      const char *end = strchrnul (p, '/');
      size_t clen = (size_t)(end - p);

      if (clen == 0)
        /* "a//b": tar writers never produce it; refuse rather than guess.  */
        return cordon_error_set (err, EPERM, "layer entry `%s`: empty path component",
                                 unpack_name_quote (raw, q, sizeof q));
      if (clen == 2 && p[0] == '.' && p[1] == '.')
        return cordon_error_set (err, EPERM, "layer entry `%s`: `..` component", unpack_name_quote (raw, q, sizeof q));
      if (clen > NAME_MAX)
        return cordon_error_set (err, ENAMETOOLONG, "layer entry `%s`: component longer than %d bytes",
                                 unpack_name_quote (raw, q, sizeof q), NAME_MAX);
      if (!(clen == 1 && p[0] == '.'))
        {
          if (o > 0)
            norm[o++] = '/';
          memcpy (norm + o, p, clen);
          o += clen;
          if (++n > limits->max_depth)
            return cordon_error_set (err, ELOOP, "layer entry `%s`: deeper than %u components",
                                     unpack_name_quote (raw, q, sizeof q), limits->max_depth);
        }
      p = end;
      if (*p == '/')
        {
          p++;
          /* Trailing slashes mark directories: allowed, and dropped.  */
          if (p[strspn (p, "/")] == '\0')
            break;
        }
    }
  norm[o] = '\0';
  *out = steal_pointer (&norm);
  *depth = n;
  return 0;
}

/* The archive's error, or ours when the failure came from the reader
 * callback (a byte limit, a corrupt gzip stream).  */
static int
unpack_archive_error (struct unpack_ctx *ctx, const char *what, struct cordon_error *err)
{
  if (ctx->reader->err.msg != NULL)
    return layer_reader_fail (ctx->reader, what, err);
  return cordon_error_set (err, archive_errno (ctx->archive) > 0 ? archive_errno (ctx->archive) : EIO, "%s: %s", what,
                           archive_error_string (ctx->archive) ? archive_error_string (ctx->archive)
                                                               : "tar read error");
}

/* Only warnings about a name's character set are survivable: the name is
 * then the raw bytes, which is what a Linux file name is anyway.  */
static bool
unpack_warning_is_charset (struct archive *a)
{
  const char *s = archive_error_string (a);

  return s != NULL && strstr (s, "can't be converted") != NULL;
}

static int
unpack_loop (struct unpack_ctx *ctx, struct cordon_error *err)
{
  struct archive_entry *entry;
  char q[256];

  for (;;)
    {
      cleanup_free char *path = NULL;
      const char *raw;
      unsigned depth;
      int r = archive_read_next_header (ctx->archive, &entry);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r != ARCHIVE_OK && !(r == ARCHIVE_WARN && unpack_warning_is_charset (ctx->archive)))
        {
          char what[64];

          snprintf (what, sizeof what, "layer tar after %llu entries", (unsigned long long)ctx->stats->entries);
          return unpack_archive_error (ctx, what, err);
        }
      if (++ctx->stats->entries > ctx->limits->max_entries)
        return cordon_error_set (err, EFBIG, "layer has more than %llu entries",
                                 (unsigned long long)ctx->limits->max_entries);
      raw = archive_entry_pathname (entry);
      if (raw == NULL)
        raw = archive_entry_pathname_utf8 (entry);
      if (raw == NULL || raw[0] == '\0')
        return cordon_error_set (err, EINVAL, "layer entry %llu has no name", (unsigned long long)ctx->stats->entries);
      r = unpack_name_normalize (raw, ctx->limits, &path, &depth, err);
      if (r < 0)
        return r;
      r = unpack_entry (ctx, entry, path, depth, err);
      if (r < 0)
        {
          if (err->msg == NULL)
            cordon_error_set (err, -r, "layer entry `%s`", unpack_name_quote (raw, q, sizeof q));
          return r;
        }
    }
}

int
layer_unpack (int blob_fd, enum layer_compression compression, int dest_dirfd, const struct unpack_limits *limits,
              int64_t owner_uid, int64_t owner_gid, char diff_id[72], struct unpack_stats *stats,
              struct cordon_error *err)
{
  struct unpack_limits defaults;
  struct unpack_stats local_stats;
  struct layer_reader reader;
  struct unpack_ctx ctx;
  int r;

  if (limits == NULL)
    {
      unpack_limits_default (&defaults);
      limits = &defaults;
    }
  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);
  if ((owner_uid < 0) != (owner_gid < 0) || owner_uid > UINT32_MAX - 65536 || owner_gid > UINT32_MAX - 65536)
    return cordon_error_set (err, EINVAL, "layer owner %lld:%lld is not a valid id base", (long long)owner_uid,
                             (long long)owner_gid);
  memset (&ctx, 0, sizeof ctx);
  ctx.root = dest_dirfd;
  ctx.limits = limits;
  ctx.owner_uid = owner_uid;
  ctx.owner_gid = owner_gid;
  ctx.stats = stats;
  ctx.reader = &reader;
  ctx.cached_fd = -1;

  r = layer_reader_init (&reader, blob_fd, compression, limits->max_bytes, err);
  if (r == 0)
    r = layer_reader_open_archive (&reader, &ctx.archive, err);
  if (r == 0)
    r = unpack_loop (&ctx, err);
  /* The DiffID covers the whole stream, also what follows the tar's
   * end-of-archive blocks: two blobs with the same files but different
   * trailing bytes are different layers.  */
  if (r == 0)
    r = layer_reader_drain (&reader, err);
  if (r == 0)
    r = unpack_apply_dirs (&ctx, err);
  if (r == 0)
    {
      layer_reader_digest (&reader, diff_id);
      stats->bytes = reader.bytes;
    }
  if (ctx.archive != NULL)
    archive_read_free (ctx.archive);
  unpack_ctx_free (&ctx);
  layer_reader_fini (&reader);
  return r;
}
