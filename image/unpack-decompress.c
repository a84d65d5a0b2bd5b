/* SPDX-License-Identifier: Apache-2.0 */
/* Compressed layer blob in, tar stream out.  We decompress ourselves (zlib,
 * libzstd) rather than let libarchive pick a filter, for three reasons: the
 * media type decides the compression, not the bytes (gzip data in a +zstd
 * layer is an error); every decompressed byte is hashed for the DiffID,
 * including what follows the tar's end-of-archive blocks; and the byte limit
 * counts decompressed bytes, which is what a bomb inflates.  */
#include "image/unpack-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/hex.h"

#define READER_IN_SIZE (128 * 1024)
#define READER_OUT_SIZE (256 * 1024)
#define READER_RING 4

static void *
reader_hasher (void *data)
{
  struct layer_reader *r = data;

  pthread_mutex_lock (&r->lock);
  for (;;)
    {
      unsigned slot;
      size_t len;

      while (r->hashed == r->produced && !r->hasher_stop)
        pthread_cond_wait (&r->cond, &r->lock);
      if (r->hashed == r->produced)
        break;
      slot = r->hashed % READER_RING;
      len = r->ring_len[slot];
      pthread_mutex_unlock (&r->lock);
      sha256_update (&r->sha, len, r->ring[slot]);
      pthread_mutex_lock (&r->lock);
      r->hashed++;
      pthread_cond_broadcast (&r->cond);
    }
  pthread_mutex_unlock (&r->lock);
  return NULL;
}

/* Waits until the hasher has taken everything produced.  */
static void
reader_hasher_stop (struct layer_reader *r)
{
  if (!r->hasher_running)
    return;
  pthread_mutex_lock (&r->lock);
  r->hasher_stop = true;
  pthread_cond_broadcast (&r->cond);
  pthread_mutex_unlock (&r->lock);
  pthread_join (r->hasher, NULL);
  r->hasher_running = false;
}

/* The next free ring slot becomes `out`.  */
static void
reader_next_slot (struct layer_reader *r)
{
  pthread_mutex_lock (&r->lock);
  /* Slot produced % RING is free once the hasher is less than RING blocks
   * behind; the previous slot (libarchive's current block) is never it.  */
  while (r->produced - r->hashed >= READER_RING)
    pthread_cond_wait (&r->cond, &r->lock);
  pthread_mutex_unlock (&r->lock);
  r->out = r->ring[r->produced % READER_RING];
}

static void
reader_hand_over (struct layer_reader *r, size_t n)
{
  pthread_mutex_lock (&r->lock);
  r->ring_len[r->produced % READER_RING] = n;
  r->produced++;
  pthread_cond_broadcast (&r->cond);
  pthread_mutex_unlock (&r->lock);
}

int
layer_reader_init (struct layer_reader *r, int fd, enum layer_compression compression, uint64_t max_bytes,
                   struct cordon_error *err)
{
  memset (r, 0, sizeof *r);
  r->fd = fd;
  r->compression = compression;
  r->max_bytes = max_bytes;
  sha256_init (&r->sha);
  pthread_mutex_init (&r->lock, NULL);
  pthread_cond_init (&r->cond, NULL);
  for (int i = 0; i < READER_RING; i++)
    {
      r->ring[i] = malloc (READER_OUT_SIZE);
      if (r->ring[i] == NULL)
        return cordon_error_set (err, ENOMEM, "layer reader buffer");
    }
  r->out = r->ring[0];
  errno = pthread_create (&r->hasher, NULL, reader_hasher, r);
  if (errno != 0)
    return cordon_error_set (err, errno, "start the layer hasher");
  r->hasher_running = true;
  if (compression == LAYER_COMPRESSION_NONE)
    return 0;
  r->in = malloc (READER_IN_SIZE);
  if (r->in == NULL)
    return cordon_error_set (err, ENOMEM, "layer reader buffer");
  if (compression == LAYER_COMPRESSION_GZIP)
    {
      /* 16 + MAX_WBITS: gzip wrapper only, no raw deflate or zlib stream.  */
      if (inflateInit2 (&r->z, 16 + MAX_WBITS) != Z_OK)
        return cordon_error_set (err, ENOMEM, "inflateInit2");
      r->z_ready = true;
      return 0;
    }
  if (compression == LAYER_COMPRESSION_ZSTD)
    {
      r->zstd = ZSTD_createDStream ();
      if (r->zstd == NULL)
        return cordon_error_set (err, ENOMEM, "ZSTD_createDStream");
      /* Refuse frames that need more than 128 MiB of window: a hostile
       * frame header must not make us allocate gigabytes.  */
      ZSTD_DCtx_setParameter (r->zstd, ZSTD_d_windowLogMax, 27);
      return 0;
    }
  return cordon_error_set (err, EINVAL, "unknown layer compression %d", (int)compression);
}

void
layer_reader_fini (struct layer_reader *r)
{
  if (r->z_ready)
    inflateEnd (&r->z);
  r->z_ready = false;
  ZSTD_freeDStream (r->zstd);
  r->zstd = NULL;
  reader_hasher_stop (r);
  free (r->in);
  r->in = r->out = NULL;
  for (int i = 0; i < READER_RING; i++)
    {
      free (r->ring[i]);
      r->ring[i] = NULL;
    }
  pthread_mutex_destroy (&r->lock);
  pthread_cond_destroy (&r->cond);
  cordon_error_release (&r->err);
}

static int
reader_fill (struct layer_reader *r)
{
  ssize_t n;

  do
    n = read (r->fd, r->in, READER_IN_SIZE);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return cordon_error_set (&r->err, errno, "read layer blob");
  r->in_len = (size_t)n;
  r->in_pos = 0;
  if (n == 0)
    r->in_eof = true;
  return 0;
}

/* One step of gzip: returns bytes produced (maybe 0), or -errno.  */
static ssize_t
reader_step_gzip (struct layer_reader *r)
{
  int zr;

  if (r->in_pos == r->in_len && !r->pending)
    {
      if (r->in_eof)
        {
          if (r->member_open || !r->any_member)
            return cordon_error_set (&r->err, EIO, "truncated gzip stream");
          return 0;
        }
      if (reader_fill (r) < 0)
        return -EIO;
      return 0;
    }
  r->z.next_in = r->in + r->in_pos;
  r->z.avail_in = (uInt)(r->in_len - r->in_pos);
  r->z.next_out = r->out;
  r->z.avail_out = READER_OUT_SIZE;
  if (r->z.avail_in > 0)
    r->member_open = r->any_member = true;
  zr = inflate (&r->z, Z_NO_FLUSH);
  r->in_pos = r->in_len - r->z.avail_in;
  r->pending = r->z.avail_out == 0; /* zlib may hold more output */
  if (zr == Z_STREAM_END)
    {
      /* Multi-member gzip (pigz, concatenated layers): a new member may
       * follow; anything that is not one fails in inflate.  */
      r->member_open = false;
      r->pending = false;
      if (inflateReset (&r->z) != Z_OK)
        return cordon_error_set (&r->err, EIO, "inflateReset");
    }
  else if (zr != Z_OK && zr != Z_BUF_ERROR)
    return cordon_error_set (&r->err, EIO, "corrupt gzip stream: %s", r->z.msg ? r->z.msg : "inflate failed");
  return (ssize_t)(READER_OUT_SIZE - r->z.avail_out);
}

static ssize_t
reader_step_zstd (struct layer_reader *r)
{
  ZSTD_inBuffer in;
  ZSTD_outBuffer out = { r->out, READER_OUT_SIZE, 0 };
  size_t zr;

  if (r->in_pos == r->in_len && !r->pending)
    {
      if (r->in_eof)
        {
          if (r->member_open || !r->any_member)
            return cordon_error_set (&r->err, EIO, "truncated zstd stream");
          return 0;
        }
      if (reader_fill (r) < 0)
        return -EIO;
      return 0;
    }
  in = (ZSTD_inBuffer){ r->in, r->in_len, r->in_pos };
  zr = ZSTD_decompressStream (r->zstd, &out, &in);
  r->in_pos = in.pos;
  if (ZSTD_isError (zr))
    return cordon_error_set (&r->err, EIO, "corrupt zstd stream: %s", ZSTD_getErrorName (zr));
  r->any_member = true;
  r->pending = out.pos == out.size; /* the decoder may hold more output */
  /* 0 = a frame (data or skippable) is complete and fully flushed.  */
  r->member_open = zr != 0;
  return (ssize_t)out.pos;
}

ssize_t
layer_reader_next (struct layer_reader *r, const void **buf)
{
  ssize_t n = 0;

  reader_next_slot (r);
  *buf = r->out;
  for (;;)
    {
      switch (r->compression)
        {
        case LAYER_COMPRESSION_NONE:
          do
            n = read (r->fd, r->out, READER_OUT_SIZE);
          while (n < 0 && errno == EINTR);
          if (n < 0)
            return cordon_error_set (&r->err, errno, "read layer blob");
          break;
        case LAYER_COMPRESSION_GZIP:
          n = reader_step_gzip (r);
          break;
        case LAYER_COMPRESSION_ZSTD:
          n = reader_step_zstd (r);
          break;
        default:
          return cordon_error_set (&r->err, EINVAL, "unknown layer compression");
        }
      if (n < 0)
        return n;
      if (n > 0 || r->compression == LAYER_COMPRESSION_NONE)
        break;
      /* n == 0: compressed input ended cleanly, or a step made no output. */
      if (r->in_eof && r->in_pos == r->in_len && !r->member_open)
        break;
    }
  if (n > 0)
    {
      if ((uint64_t)n > r->max_bytes - r->bytes)
        return cordon_error_set (&r->err, EFBIG, "layer is over the limit of %llu decompressed bytes",
                                 (unsigned long long)r->max_bytes);
      r->bytes += (uint64_t)n;
      reader_hand_over (r, (size_t)n);
    }
  return n;
}

int
layer_reader_drain (struct layer_reader *r, struct cordon_error *err)
{
  const void *buf;
  ssize_t n;

  do
    n = layer_reader_next (r, &buf);
  while (n > 0);
  if (n < 0)
    return layer_reader_fail (r, "layer stream after the tar", err);
  return 0;
}

int
layer_reader_fail (struct layer_reader *r, const char *what, struct cordon_error *err)
{
  int status = r->err.status ? r->err.status : EIO;

  /* r->err already ends in strerror: copy, do not add it twice.  */
  cordon_error_set (err, 0, "%s: %s", what, r->err.msg ? r->err.msg : "layer stream failed");
  if (err != NULL && err->status == 0)
    err->status = status;
  return -status;
}

void
layer_reader_digest (struct layer_reader *r, char diff_id[72])
{
  uint8_t d[SHA256_DIGEST_SIZE];

  reader_hasher_stop (r);
  sha256_digest (&r->sha, sizeof d, d);
  memcpy (diff_id, "sha256:", 7);
  hex_encode (d, sizeof d, diff_id + 7);
}

static la_ssize_t
reader_callback (struct archive *a, void *data, const void **buf)
{
  struct layer_reader *r = data;
  ssize_t n = layer_reader_next (r, buf);

  if (n < 0)
    {
      archive_set_error (a, r->err.status ? r->err.status : EIO, "%s", r->err.msg ? r->err.msg : "layer stream");
      return -1;
    }
  return n;
}

int
layer_reader_open_archive (struct layer_reader *r, struct archive **out, struct cordon_error *err)
{
  struct archive *a = archive_read_new ();

  if (a == NULL)
    return cordon_error_set (err, ENOMEM, "archive_read_new");
  /* tar only: no filters (we decompress), no other formats (a zip or cpio
   * posing as a layer is an error, not something to extract).  */
  if (archive_read_support_format_tar (a) != ARCHIVE_OK
      || archive_read_open (a, r, NULL, reader_callback, NULL) != ARCHIVE_OK)
    {
      int r2 = r->err.msg ? layer_reader_fail (r, "open layer tar", err)
                          : cordon_error_set (err, EIO, "open layer tar: %s", archive_error_string (a) ?: "?");

      archive_read_free (a);
      return r2;
    }
  *out = a;
  return 0;
}
