/* SPDX-License-Identifier: Apache-2.0 */
/* The layer unpacker on small tars built here with libarchive's writer:
 * contents and metadata, overlay whiteouts, stripping, refusals that name
 * the entry, hardlinks, DiffIDs through gzip and zstd, removal.  */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "common/hex.h"
#include "image/unpack.h"

/* ---- building tars in memory -------------------------------------------- */

/* A tiny ustar/pax writer: the test must not need libarchive's writers,
 * whose static archive drags in every format's libraries.  */
struct tar
{
  unsigned char *buf;
  size_t cap, used;
};

static void
tar_begin (struct tar *t)
{
  t->cap = 4 << 20;
  t->used = 0;
  t->buf = calloc (1, t->cap);
  cr_assert_not_null (t->buf);
}

static void
tar_put (struct tar *t, const void *data, size_t len)
{
  size_t padded = (len + 511) & ~(size_t)511;

  cr_assert_leq (t->used + padded, t->cap);
  memcpy (t->buf + t->used, data, len);
  memset (t->buf + t->used + len, 0, padded - len);
  t->used += padded;
}

static void
tar_header (struct tar *t, const char *name, char flag, mode_t mode, size_t size, const char *link)
{
  unsigned char h[512] = { 0 };
  unsigned sum = 0;

  cr_assert_lt (strlen (name), 100);
  memcpy (h, name, strlen (name));
  snprintf ((char *)h + 100, 8, "%07o", (unsigned)(mode & 07777));
  snprintf ((char *)h + 108, 8, "%07o", 5u);
  snprintf ((char *)h + 116, 8, "%07o", 6u);
  snprintf ((char *)h + 124, 12, "%011zo", size);
  snprintf ((char *)h + 136, 12, "%011o", 1234567890u);
  h[156] = (unsigned char)flag;
  if (link)
    memcpy (h + 157, link, strlen (link));
  memcpy (h + 257, "ustar", 6);
  memcpy (h + 263, "00", 2);
  snprintf ((char *)h + 329, 8, "%07o", 0u);
  snprintf ((char *)h + 337, 8, "%07o", 0u);
  memset (h + 148, ' ', 8);
  for (size_t i = 0; i < sizeof h; i++)
    sum += h[i];
  snprintf ((char *)h + 148, 8, "%06o", sum);
  h[155] = ' ';
  tar_put (t, h, sizeof h);
}

/* type: 'f' file, 'd' dir, 'l' symlink (data = target), 'h' hardlink (data =
 * target), 'p' fifo, 'c' char device 0/0.  xattr: "name=value" or NULL.  */
static void
tar_add (struct tar *t, char type, const char *path, mode_t mode, const char *data, const char *xattr)
{
  static const char flags[] = { ['f'] = '0', ['d'] = '5', ['l'] = '2', ['h'] = '1', ['p'] = '6', ['c'] = '3' };
  size_t len = (type == 'f' && data) ? strlen (data) : 0;

  if (xattr)
    {
      /* A pax extended header: "LEN SCHILY.xattr.NAME=VALUE\n", LEN counting itself.  */
      char rec[512];
      int body = snprintf (NULL, 0, " SCHILY.xattr.%s\n", xattr);
      int total = body + 1;
      while (snprintf (NULL, 0, "%d", total) + body != total)
        total++;
      snprintf (rec, sizeof rec, "%d SCHILY.xattr.%s\n", total, xattr);
      tar_header (t, "PaxHeader", 'x', 0644, (size_t)total, NULL);
      tar_put (t, rec, (size_t)total);
    }
  tar_header (t, path, flags[(unsigned char)type], mode, len, (type == 'l' || type == 'h') ? data : NULL);
  if (len)
    tar_put (t, data, len);
}

static void
tar_end (struct tar *t)
{
  static const unsigned char zeros[1024];

  tar_put (t, zeros, sizeof zeros);
}

static int
memfd_with (const void *buf, size_t len)
{
  int fd = memfd_create ("layer", MFD_CLOEXEC);

  cr_assert_geq (fd, 0);
  cr_assert_eq (write (fd, buf, len), (ssize_t)len);
  cr_assert_eq (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

static void
sha256_hex (const void *buf, size_t len, char out[72])
{
  struct sha256_ctx c;
  uint8_t d[32];

  sha256_init (&c);
  sha256_update (&c, len, buf);
  sha256_digest (&c, 32, d);
  memcpy (out, "sha256:", 7);
  hex_encode (d, 32, out + 7);
}

/* gzip in `members` members (a multi-member stream like pigz writes).  */
static size_t
gzip_buf (const unsigned char *in, size_t len, unsigned members, unsigned char *out, size_t cap)
{
  size_t o = 0, off = 0;

  for (unsigned m = 0; m < members; m++)
    {
      size_t chunk = m + 1 == members ? len - off : len / members;
      z_stream z = { 0 };

      cr_assert_eq (deflateInit2 (&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
      z.next_in = (unsigned char *)in + off;
      z.avail_in = (uInt)chunk;
      z.next_out = out + o;
      z.avail_out = (uInt)(cap - o);
      cr_assert_eq (deflate (&z, Z_FINISH), Z_STREAM_END);
      o = cap - z.avail_out;
      off += chunk;
      deflateEnd (&z);
    }
  return o;
}

/* ---- a scratch directory per test --------------------------------------- */

static char tmpdir[64];
static int dest = -1;

static void
setup (void)
{
  strcpy (tmpdir, "/tmp/cordon-unpack-XXXXXX");
  cr_assert_not_null (mkdtemp (tmpdir));
  /* The layer one level down: an escape ("../x") lands in our own scratch
   * directory, never among other programs' files in /tmp.  */
  char layer[96];
  snprintf (layer, sizeof layer, "%s/layer", tmpdir);
  cr_assert_eq (mkdir (layer, 0700), 0);
  dest = open (layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cr_assert_geq (dest, 0);
}

static void
teardown (void)
{
  struct cordon_error err = { 0 };

  close (dest);
  cr_assert_eq (layer_remove_tree (AT_FDCWD, tmpdir, &err), 0, "%s", err.msg);
}

static int
unpack_tar (struct tar *t, struct unpack_stats *stats, char diff_id[72], struct cordon_error *err)
{
  int fd = memfd_with (t->buf, t->used);
  int r = layer_unpack (fd, LAYER_COMPRESSION_NONE, dest, NULL, -1, -1, diff_id, stats, err);

  close (fd);
  return r;
}

TestSuite (unpack, .init = setup, .fini = teardown);

Test (unpack, regular_file)
{
  struct cordon_error err = { 0 };
  struct unpack_stats stats;
  struct tar t;
  struct stat st;
  char diff_id[72], want[72], buf[64] = { 0 };
  int fd;

  tar_begin (&t);
  tar_add (&t, 'd', "etc", 0750, NULL, NULL);
  tar_add (&t, 'f', "etc/motd", 0640, "hello layer\n", "user.note=kept");
  tar_add (&t, 'p', "run.fifo", 0620, NULL, NULL);
  tar_end (&t);
  cr_assert_eq (unpack_tar (&t, &stats, diff_id, &err), 0, "%s", err.msg);
  sha256_hex (t.buf, t.used, want);
  cr_assert_str_eq (diff_id, want);
  cr_assert_eq (stats.entries, 3);
  cr_assert_eq (stats.bytes, t.used);

  cr_assert_eq (fstatat (dest, "etc/motd", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert (S_ISREG (st.st_mode));
  cr_assert_eq (st.st_mode & 07777, 0640);
  cr_assert_eq (st.st_mtim.tv_sec, 1234567890);
  cr_assert_eq (st.st_uid, geteuid ());
  fd = openat (dest, "etc/motd", O_RDONLY);
  cr_assert_eq (read (fd, buf, sizeof buf), 12);
  cr_assert_str_eq (buf, "hello layer\n");
  cr_assert_eq (fgetxattr (fd, "user.note", buf, sizeof buf), 4);
  close (fd);
  cr_assert_eq (fstatat (dest, "etc", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (st.st_mode & 07777, 0750);
  cr_assert_eq (st.st_mtim.tv_sec, 1234567890);
  cr_assert_eq (fstatat (dest, "run.fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert (S_ISFIFO (st.st_mode));
  cr_assert_eq (st.st_mode & 07777, 0620);
  free (t.buf);
}

Test (unpack, whiteouts_and_opaque)
{
  struct cordon_error err = { 0 };
  struct unpack_stats stats;
  struct tar t;
  struct stat st;
  char diff_id[72], v[8] = { 0 };
  int fd;

  tar_begin (&t);
  tar_add (&t, 'd', "etc", 0755, NULL, NULL);
  tar_add (&t, 'f', "etc/.wh.shadow", 0644, NULL, NULL);
  tar_add (&t, 'f', "etc/kept", 0644, "x", NULL);
  tar_add (&t, 'f', "etc/.wh.kept", 0644, NULL, NULL); /* same-layer entry wins */
  tar_add (&t, 'f', "opt/app/.wh.gone", 0644, NULL, NULL);
  tar_add (&t, 'f', "opt/app/.wh..wh..opq", 0644, NULL, NULL);
  tar_add (&t, 'f', "opt/app/.wh.after", 0644, NULL, NULL);
  tar_end (&t);
  cr_assert_eq (unpack_tar (&t, &stats, diff_id, &err), 0, "%s", err.msg);
  cr_assert_eq (fstatat (dest, "etc/shadow", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert (S_ISCHR (st.st_mode));
  cr_assert_eq (st.st_rdev, makedev (0, 0));
  cr_assert_eq (fstatat (dest, "etc/kept", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert (S_ISREG (st.st_mode));
  /* An opaque directory holds no plain whiteouts (before or after it).  */
  cr_assert_eq (fstatat (dest, "opt/app/gone", &st, AT_SYMLINK_NOFOLLOW), -1);
  cr_assert_eq (fstatat (dest, "opt/app/after", &st, AT_SYMLINK_NOFOLLOW), -1);
  cr_assert_eq (fstatat (dest, "opt/app/.wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW), -1);
  fd = openat (dest, "opt/app", O_RDONLY | O_DIRECTORY);
  cr_assert_eq (fgetxattr (fd, "user.overlay.opaque", v, sizeof v), 1);
  cr_assert_eq (v[0], 'y');
  close (fd);
  cr_assert_eq (stats.opaque_dirs, 1);
  free (t.buf);
}

Test (unpack, strips_setuid_and_security_xattrs)
{
  struct cordon_error err = { 0 };
  struct unpack_stats stats;
  struct tar t;
  struct stat st;
  char diff_id[72], v[128];

  tar_begin (&t);
  tar_add (&t, 'f', "suid", 06755, "#!/bin/sh\n", "security.capability=xxxx");
  tar_add (&t, 'd', "shared", 02775, NULL, NULL);
  tar_end (&t);
  cr_assert_eq (unpack_tar (&t, &stats, diff_id, &err), 0, "%s", err.msg);
  cr_assert_eq (fstatat (dest, "suid", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (st.st_mode & 07777, 0755);
  snprintf (v, sizeof v, "%s/suid", tmpdir);
  cr_assert_eq (getxattr (v, "security.capability", NULL, 0), -1); /* stripped, not copied */
  cr_assert_eq (fstatat (dest, "shared", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (st.st_mode & 07777, 02775); /* setgid kept on directories */
  cr_assert_geq (stats.stripped, 2, "stripped %llu", (unsigned long long)stats.stripped);
  free (t.buf);
}

static void
expect_refused (struct tar *t, const char *needle)
{
  struct cordon_error err = { 0 };
  char diff_id[72];

  cr_assert_lt (unpack_tar (t, NULL, diff_id, &err), 0, "accepted a layer that has `%s`", needle);
  cr_assert_not_null (err.msg);
  cr_assert_not_null (strstr (err.msg, needle), "message `%s` does not name `%s`", err.msg, needle);
  cordon_error_release (&err);
}

Test (unpack, refuses_traversal_naming_the_entry)
{
  struct tar t;
  struct stat st;

  tar_begin (&t);
  tar_add (&t, 'f', "ok", 0644, "ok", NULL);
  tar_add (&t, 'f', "../x", 0644, "escaped", NULL);
  tar_end (&t);
  expect_refused (&t, "../x");
  cr_assert_eq (fstatat (dest, "../x", &st, 0), -1);
  free (t.buf);
}

Test (unpack, refuses_writes_through_symlinks)
{
  struct tar t;
  char outside[128];
  struct stat st;

  snprintf (outside, sizeof outside, "%s-outside", tmpdir);
  cr_assert_eq (mkdir (outside, 0700), 0);
  tar_begin (&t);
  tar_add (&t, 'l', "link", 0777, outside, NULL);
  tar_add (&t, 'f', "link/planted", 0644, "escaped", NULL);
  tar_end (&t);
  expect_refused (&t, "link/planted");
  cr_assert_eq (fstatat (AT_FDCWD, outside, &st, 0), 0);
  cr_assert_eq (st.st_nlink, 2); /* still empty */
  rmdir (outside);
  free (t.buf);

  tar_begin (&t);
  tar_add (&t, 'l', "up", 0777, "..", NULL);
  tar_add (&t, 'h', "hl", 0644, "up/etc/passwd", NULL);
  tar_end (&t);
  expect_refused (&t, "hl");
  free (t.buf);
}

Test (unpack, refuses_devices_and_overlay_xattrs)
{
  struct tar t;

  tar_begin (&t);
  tar_add (&t, 'c', "etc/shadow", 0000, NULL, NULL);
  tar_end (&t);
  expect_refused (&t, "etc/shadow");
  free (t.buf);

  tar_begin (&t);
  tar_add (&t, 'd', "redir", 0755, NULL, "user.overlay.redirect=/etc");
  tar_end (&t);
  expect_refused (&t, "redir");
  free (t.buf);

  tar_begin (&t);
  tar_add (&t, 'f', "a/.wh..", 0644, NULL, NULL);
  tar_end (&t);
  expect_refused (&t, "a/.wh..");
  free (t.buf);
}

Test (unpack, hardlinks_and_replacement)
{
  struct cordon_error err = { 0 };
  struct tar t;
  struct stat a, b, c;
  char diff_id[72];

  tar_begin (&t);
  tar_add (&t, 'f', "etc/motd", 0644, "one", NULL);
  tar_add (&t, 'h', "etc/motd.hardlink", 0644, "etc/motd", NULL);
  tar_add (&t, 'f', "etc/copy", 0644, "first", NULL);
  tar_add (&t, 'h', "etc/copy2", 0644, "etc/copy", NULL);
  tar_add (&t, 'f', "etc/copy", 0644, "second", NULL); /* unlink + create: copy2 keeps "first" */
  tar_add (&t, 'd', "tree/sub", 0755, NULL, NULL);
  tar_add (&t, 'f', "tree/sub/f", 0644, "f", NULL);
  tar_add (&t, 'f', "tree", 0644, "now a file", NULL);
  tar_end (&t);
  cr_assert_eq (unpack_tar (&t, NULL, diff_id, &err), 0, "%s", err.msg);
  cr_assert_eq (fstatat (dest, "etc/motd", &a, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (fstatat (dest, "etc/motd.hardlink", &b, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (a.st_ino, b.st_ino);
  cr_assert_eq (fstatat (dest, "etc/copy", &a, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (fstatat (dest, "etc/copy2", &b, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_neq (a.st_ino, b.st_ino);
  cr_assert_eq (a.st_size, 6);
  cr_assert_eq (b.st_size, 5);
  cr_assert_eq (fstatat (dest, "tree", &c, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert (S_ISREG (c.st_mode));
  free (t.buf);
}

Test (unpack, owner_mapping)
{
  struct cordon_error err = { 0 };
  struct tar t;
  struct stat st;
  char diff_id[72];
  int fd;

  if (geteuid () != 0)
    {
      teardown (); /* criterion skips .fini for a skipped test */
      cr_skip_test ("chown to a mapped range needs root");
    }
  tar_begin (&t);
  tar_add (&t, 'f', "owned", 0644, "x", NULL);
  tar_end (&t);
  fd = memfd_with (t.buf, t.used);
  cr_assert_eq (layer_unpack (fd, LAYER_COMPRESSION_NONE, dest, NULL, 100000, 200000, diff_id, NULL, &err), 0, "%s",
                err.msg);
  close (fd);
  cr_assert_eq (fstatat (dest, "owned", &st, AT_SYMLINK_NOFOLLOW), 0);
  cr_assert_eq (st.st_uid, 100005);
  cr_assert_eq (st.st_gid, 200006);
  free (t.buf);
}

static struct tar
tar_sample (void)
{
  struct tar t;
  char name[32];

  tar_begin (&t);
  for (int i = 0; i < 40; i++)
    {
      snprintf (name, sizeof name, "d%d/file%d", i % 5, i);
      tar_add (&t, 'f', name, 0644, "some content that compresses\n", NULL);
    }
  tar_end (&t);
  return t;
}

static int
unpack_compressed (const void *buf, size_t len, enum layer_compression c, char diff_id[72], struct cordon_error *err)
{
  int fd = memfd_with (buf, len);
  int r = layer_unpack (fd, c, dest, NULL, -1, -1, diff_id, NULL, err);

  close (fd);
  return r;
}

Test (unpack, diff_id_same_through_gzip_and_zstd)
{
  struct cordon_error err = { 0 };
  struct tar t = tar_sample ();
  char want[72], got[72];
  size_t cap = t.used * 2 + 1024, n;
  unsigned char *z = malloc (cap);
  /* A skippable frame before the data frame: decoders must pass over it. */
  unsigned char skippable[12] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'c', 'r', 'd', 'n' };

  sha256_hex (t.buf, t.used, want);

  n = gzip_buf (t.buf, t.used, 3, z, cap);
  cr_assert_eq (unpack_compressed (z, n, LAYER_COMPRESSION_GZIP, got, &err), 0, "%s", err.msg);
  cr_assert_str_eq (got, want);
  cr_assert_eq (layer_remove_tree (dest, "d0", &err), 0);

  memcpy (z, skippable, sizeof skippable);
  n = ZSTD_compress (z + sizeof skippable, cap - sizeof skippable, t.buf, t.used, 3);
  cr_assert_not (ZSTD_isError (n));
  cr_assert_eq (unpack_compressed (z, n + sizeof skippable, LAYER_COMPRESSION_ZSTD, got, &err), 0, "%s", err.msg);
  cr_assert_str_eq (got, want);

  /* gzip bytes in a +zstd layer: an error, not a guess.  */
  n = gzip_buf (t.buf, t.used, 1, z, cap);
  cr_assert_lt (unpack_compressed (z, n, LAYER_COMPRESSION_ZSTD, got, &err), 0);
  cordon_error_release (&err);
  free (z);
  free (t.buf);
}

Test (unpack, diff_id_covers_trailing_bytes)
{
  struct cordon_error err = { 0 };
  struct tar t = tar_sample ();
  unsigned char *buf = malloc (t.used + 512);
  char want[72], got[72];

  memcpy (buf, t.buf, t.used);
  memset (buf + t.used, 'Z', 512);
  sha256_hex (buf, t.used + 512, want);
  cr_assert_eq (unpack_compressed (buf, t.used + 512, LAYER_COMPRESSION_NONE, got, &err), 0, "%s", err.msg);
  cr_assert_str_eq (got, want);
  free (buf);
  free (t.buf);
}

Test (unpack, truncated_gzip_fails)
{
  struct cordon_error err = { 0 };
  struct tar t = tar_sample ();
  size_t cap = t.used * 2 + 1024, n;
  unsigned char *z = malloc (cap);
  char got[72];

  n = gzip_buf (t.buf, t.used, 1, z, cap);
  cr_assert_lt (unpack_compressed (z, n / 2, LAYER_COMPRESSION_GZIP, got, &err), 0);
  cr_assert_not_null (err.msg);
  cordon_error_release (&err);
  free (z);
  free (t.buf);
}

Test (unpack, byte_and_entry_limits)
{
  struct cordon_error err = { 0 };
  struct tar t = tar_sample ();
  struct unpack_limits limits;
  char got[72];
  int fd;

  unpack_limits_default (&limits);
  limits.max_entries = 10;
  fd = memfd_with (t.buf, t.used);
  cr_assert_eq (layer_unpack (fd, LAYER_COMPRESSION_NONE, dest, &limits, -1, -1, got, NULL, &err), -EFBIG, "%s",
                err.msg);
  cordon_error_release (&err);
  close (fd);
  unpack_limits_default (&limits);
  limits.max_bytes = 4096;
  fd = memfd_with (t.buf, t.used);
  cr_assert_eq (layer_unpack (fd, LAYER_COMPRESSION_NONE, dest, &limits, -1, -1, got, NULL, &err), -EFBIG, "%s",
                err.msg);
  cordon_error_release (&err);
  close (fd);
  free (t.buf);
}

Test (unpack, media_types)
{
  struct cordon_error err = { 0 };
  enum layer_compression c;

  cr_assert_eq (layer_compression_from_media_type ("application/vnd.oci.image.layer.v1.tar+zstd", &c, &err), 0);
  cr_assert_eq (c, LAYER_COMPRESSION_ZSTD);
  cr_assert_eq (layer_compression_from_media_type ("application/vnd.oci.image.layer.nondistributable.v1.tar", &c, &err),
                0);
  cr_assert_eq (c, LAYER_COMPRESSION_NONE);
  cr_assert_eq (layer_compression_from_media_type ("application/vnd.docker.image.rootfs.diff.tar.gzip", &c, &err), 0);
  cr_assert_eq (c, LAYER_COMPRESSION_GZIP);
  cr_assert_lt (layer_compression_from_media_type ("application/vnd.oci.image.layer.v1.tar+gzip+encrypted", &c, &err),
                0);
  cr_assert_not_null (strstr (err.msg, "encrypted"));
  cordon_error_release (&err);
  cr_assert_lt (
      layer_compression_from_media_type ("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", &c, &err), 0);
  cordon_error_release (&err);
}

Test (unpack, remove_tree_with_mode_000_dir)
{
  struct cordon_error err = { 0 };
  struct stat st;

  cr_assert_eq (mkdirat (dest, "t", 0755), 0);
  cr_assert_eq (mkdirat (dest, "t/locked", 0755), 0);
  cr_assert_eq (mkdirat (dest, "t/locked/inner", 0755), 0);
  cr_assert_geq (close (openat (dest, "t/locked/inner/f", O_CREAT | O_WRONLY, 0600)), 0);
  cr_assert_eq (symlinkat ("/etc", dest, "t/locked/etc"), 0);
  cr_assert_eq (fchmodat (dest, "t/locked/inner", 0, 0), 0);
  cr_assert_eq (fchmodat (dest, "t/locked", 0, 0), 0);
  cr_assert_eq (layer_remove_tree (dest, "t", &err), 0, "%s", err.msg);
  cr_assert_eq (fstatat (dest, "t", &st, AT_SYMLINK_NOFOLLOW), -1);
  cr_assert_eq (stat ("/etc/passwd", &st), 0);           /* the symlink was not followed */
  cr_assert_eq (layer_remove_tree (dest, "t", &err), 0); /* ENOENT is success */
}
