/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile layers of make-test-images (malicious/cases.json) and the
 * merged view of its signed image, when CORDON_FIXTURES names a directory
 * made by that script; skipped otherwise.
 *
 * Limits: the defaults (16 GiB, 1e6 entries) would accept the 2 GiB gzip
 * bomb and the 50 000-entry layer, which cases.json expects refused
 * ("reject-over-limit"): they are limits for whole images on real disks.
 * These tests use 1 GiB and 10 000 entries, the documented way for a caller
 * to ask for less; the 8 GiB zstd bomb is over both.  */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "image/unpack.h"

static const char *
fixtures (void)
{
  const char *d = getenv ("CORDON_FIXTURES");

  if (d == NULL || d[0] == '\0')
    cr_skip_test ("CORDON_FIXTURES is not set (a directory made by make-test-images)");
  return d;
}

static char *
read_all (const char *path)
{
  FILE *f = fopen (path, "re");
  char *buf;
  long n;

  cr_assert_not_null (f, "open %s", path);
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  rewind (f);
  buf = calloc (1, (size_t)n + 1);
  cr_assert_eq (fread (buf, 1, (size_t)n, f), (size_t)n);
  fclose (f);
  return buf;
}

static enum layer_compression
compression_of (const char *file)
{
  size_t n = strlen (file);

  if ((n > 7 && strcmp (file + n - 7, ".tar.gz") == 0) || (n > 4 && strcmp (file + n - 4, ".tgz") == 0))
    return LAYER_COMPRESSION_GZIP;
  if (n > 8 && strcmp (file + n - 8, ".tar.zst") == 0)
    return LAYER_COMPRESSION_ZSTD;
  return LAYER_COMPRESSION_NONE;
}

/* Walks a layer: no setuid/setgid file, no security.* or trusted.* xattr, no
 * device other than a 0/0 whiteout, everything owned by us.  */
static void
check_tree (int dirfd, const char *where)
{
  DIR *d = fdopendir (dup (dirfd));
  struct dirent *de;

  cr_assert_not_null (d);
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      char list[4096];
      ssize_t n;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      cr_assert_eq (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW), 0);
      cr_assert_eq (st.st_uid, geteuid (), "%s/%s: owner %u", where, de->d_name, st.st_uid);
      if (!S_ISDIR (st.st_mode))
        cr_assert_eq (st.st_mode & (S_ISUID | S_ISGID), 0, "%s/%s keeps setuid/setgid", where, de->d_name);
      if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        cr_assert (S_ISCHR (st.st_mode) && st.st_rdev == 0, "%s/%s: device", where, de->d_name);
      if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
        {
          int fd = openat (dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

          if (fd < 0 && errno == EACCES && geteuid () != 0)
            continue; /* mode 000 directory (mode-000-dir), unprivileged */
          cr_assert_geq (fd, 0, "open %s/%s", where, de->d_name);
          n = flistxattr (fd, list, sizeof list);
          for (ssize_t i = 0; i < n; i += (ssize_t)strlen (list + i) + 1)
            cr_assert (strncmp (list + i, "user.", 5) == 0 && strncmp (list + i, "user.overlay.", 13) != 0,
                       "%s/%s carries xattr %s", where, de->d_name, list + i);
          if (S_ISDIR (st.st_mode))
            check_tree (fd, de->d_name);
          close (fd);
        }
    }
  closedir (d);
}

static void
check_no_escape (const char *tdir, size_t n_layers)
{
  DIR *d = opendir ("/");
  struct dirent *de;
  char buf[64] = { 0 };
  int fd;

  while ((de = readdir (d)) != NULL)
    cr_assert (strncmp (de->d_name, "sbx-fixture-escape", 18) != 0, "/%s appeared", de->d_name);
  closedir (d);
  /* T holds outside-target and the layer dirs, nothing else.  */
  d = opendir (tdir);
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0 || strcmp (de->d_name, "outside-target") == 0)
        continue;
      cr_assert (strncmp (de->d_name, "root", 4) == 0, "%s/%s appeared", tdir, de->d_name);
      cr_assert_leq (strlen (de->d_name), n_layers > 1 ? 6 : 4, "%s/%s appeared", tdir, de->d_name);
    }
  closedir (d);
  snprintf (buf, sizeof buf, "%s/outside-target", tdir);
  fd = open (buf, O_RDONLY);
  memset (buf, 0, sizeof buf);
  cr_assert_eq (read (fd, buf, sizeof buf), 8);
  cr_assert_str_eq (buf, "outside\n");
  close (fd);
}

/* Returns how many cases passed; asserts on the first that does not.  */
static void
run_case (const char *dir, yajl_val c, unsigned *passed)
{
  const char *name_path[] = { "name", NULL }, *files_path[] = { "files", NULL }, *expect_path[] = { "expect", NULL };
  const char *name = YAJL_GET_STRING (yajl_tree_get (c, name_path, yajl_t_string));
  const char *expect = YAJL_GET_STRING (yajl_tree_get (c, expect_path, yajl_t_string));
  yajl_val files = yajl_tree_get (c, files_path, yajl_t_array);
  struct cordon_error err = { 0 };
  struct unpack_limits limits;
  struct unpack_stats stats, total = { 0 };
  char tdir[] = "/tmp/cordon-cases-XXXXXX", path[4096], diff_id[72];
  bool refused = false;
  int tfd, fd, r = 0;
  size_t n = files->u.array.len;

  unpack_limits_default (&limits);
  limits.max_bytes = 1ULL << 30;
  limits.max_entries = 10000;
  cr_assert_not_null (mkdtemp (tdir));
  tfd = open (tdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fd = openat (tfd, "outside-target", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  cr_assert_eq (write (fd, "outside\n", 8), 8);
  close (fd);
  for (size_t i = 0; i < n && !refused; i++)
    {
      const char *file = YAJL_GET_STRING (files->u.array.values[i]);
      char root[16];
      int blob, rootfd;

      snprintf (root, sizeof root, n > 1 ? "root.%zu" : "root", i + 1);
      cr_assert_eq (mkdirat (tfd, root, 0755), 0);
      rootfd = openat (tfd, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      snprintf (path, sizeof path, "%s/malicious/%s", dir, file);
      blob = open (path, O_RDONLY | O_CLOEXEC);
      cr_assert_geq (blob, 0, "open %s", path);
      r = layer_unpack (blob, compression_of (file), rootfd, &limits, -1, -1, diff_id, &stats, &err);
      close (blob);
      if (r < 0)
        {
          refused = true;
          cr_assert_not_null (err.msg);
          cr_log_info ("%s: refused: %s", name, err.msg);
        }
      else
        {
          total.stripped += stats.stripped;
          check_tree (rootfd, root);
        }
      close (rootfd);
    }
  check_no_escape (tdir, n);

  if (strcmp (expect, "reject") == 0)
    cr_assert (refused, "%s: accepted, expected reject", name);
  else if (strcmp (expect, "reject-over-limit") == 0)
    cr_assert (refused && err.status == EFBIG, "%s: expected a limit to refuse it (%s)", name, err.msg);
  else if (strcmp (expect, "reject-or-contain") == 0)
    ; /* check_no_escape is the test */
  else
    {
      struct stat st;
      int root = openat (tfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      cr_assert_not (refused, "%s: refused, expected %s: %s", name, expect, err.msg);
      if (strcmp (expect, "accept-strip") == 0)
        cr_assert_gt (total.stripped, 0, "%s: nothing stripped", name);
      if (strcmp (name, "duplicate-file") == 0 || strcmp (name, "dir-then-file") == 0)
        {
          const char *p = strcmp (name, "dir-then-file") == 0 ? "p" : "dup";

          cr_assert_eq (fstatat (root, p, &st, AT_SYMLINK_NOFOLLOW), 0);
          cr_assert (S_ISREG (st.st_mode), "%s: last entry did not win", name);
          cr_assert_eq (st.st_size, strcmp (p, "p") == 0 ? 11 : 7);
        }
      if (strcmp (name, "dot-entries") == 0)
        {
          cr_assert_eq (fstat (root, &st), 0);
          cr_assert_eq (st.st_mode & 07777, 0755, "the layer root's mode changed");
        }
      if (strcmp (name, "whiteout-nonempty") == 0)
        {
          cr_assert_eq (fstatat (root, "something", &st, AT_SYMLINK_NOFOLLOW), 0);
          cr_assert (S_ISCHR (st.st_mode) && st.st_rdev == 0);
        }
      if (strcmp (name, "mode-000-dir") == 0)
        {
          cr_assert_eq (fstatat (root, "locked", &st, AT_SYMLINK_NOFOLLOW), 0);
          cr_assert_eq (st.st_mode & 07777, 0);
        }
      if (strcmp (name, "whiteout-of-root") == 0)
        {
          char v[4] = { 0 };

          cr_assert_eq (fgetxattr (root, "user.overlay.opaque", v, sizeof v), 1);
          cr_assert_eq (fstatat (root, "etc", &st, AT_SYMLINK_NOFOLLOW), -1);
        }
      close (root);
    }
  cordon_error_release (&err);
  close (tfd);
  cr_assert_eq (layer_remove_tree (AT_FDCWD, tdir, &err), 0, "%s", err.msg);
  (*passed)++;
}

Test (unpack_cases, malicious_fixtures, .timeout = 300)
{
  const char *dir = fixtures ();
  char path[4096], errbuf[256];
  char *text;
  yajl_val cases;
  unsigned passed = 0;

  snprintf (path, sizeof path, "%s/malicious/cases.json", dir);
  text = read_all (path);
  cases = yajl_tree_parse (text, errbuf, sizeof errbuf);
  cr_assert_not_null (cases, "cases.json: %s", errbuf);
  cr_assert (YAJL_IS_ARRAY (cases));
  for (size_t i = 0; i < cases->u.array.len; i++)
    run_case (dir, cases->u.array.values[i], &passed);
  cr_log_info ("%u of %zu hostile cases passed", passed, cases->u.array.len);
  cr_assert_eq (passed, cases->u.array.len);
  yajl_tree_free (cases);
  free (text);
}

/* ---- the merged view of the signed fixture image ------------------------ */

static void
list_tree (FILE *out, int dirfd, const char *prefix)
{
  DIR *d = fdopendir (dup (dirfd));
  struct dirent *de;

  cr_assert_not_null (d);
  while ((de = readdir (d)) != NULL)
    {
      char rel[4096], target[4096] = "";
      struct stat st;
      char type;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      snprintf (rel, sizeof rel, "%s%s%s", prefix, prefix[0] ? "/" : "", de->d_name);
      cr_assert_eq (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW), 0, "stat %s", rel);
      type = S_ISDIR (st.st_mode) ? 'd' : S_ISREG (st.st_mode) ? 'f' : S_ISLNK (st.st_mode) ? 'l' : '?';
      if (S_ISLNK (st.st_mode))
        {
          ssize_t n = readlinkat (dirfd, de->d_name, target, sizeof target - 1);

          cr_assert_gt (n, 0);
          target[n] = '\0';
        }
      fprintf (out, "%s\t%c\t%o\t%s\n", rel, type, (unsigned)(st.st_mode & 07777), target);
      if (S_ISDIR (st.st_mode))
        {
          int fd = openat (dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          cr_assert_geq (fd, 0);
          list_tree (out, fd, rel);
          close (fd);
        }
    }
  closedir (d);
}

static int
line_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Splits `text` into sorted lines (in place).  */
static size_t
sorted_lines (char *text, char **lines, size_t max)
{
  size_t n = 0;

  for (char *save = NULL, *l = strtok_r (text, "\n", &save); l && n < max; l = strtok_r (NULL, "\n", &save))
    lines[n++] = l;
  qsort (lines, n, sizeof *lines, line_cmp);
  return n;
}

static void
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, text, strlen (text)) != (ssize_t)strlen (text))
    _exit (10);
  close (fd);
}

/* In a new user+mount namespace (as a rootless runner would), mount the
 * layers as overlay lowers with userxattr and list the merged tree.  */
static void
mount_and_list (const char *tdir, size_t n_layers, const char *listing)
{
  char map[64], lower[4096] = "", opts[4200], mnt[4096];
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  FILE *out;
  int mfd;

  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
    _exit (11);
  snprintf (map, sizeof map, "0 %u 1", uid);
  write_file ("/proc/self/uid_map", map);
  write_file ("/proc/self/setgroups", "deny");
  snprintf (map, sizeof map, "0 %u 1", gid);
  write_file ("/proc/self/gid_map", map);
  for (size_t i = n_layers; i > 0; i--)
    snprintf (lower + strlen (lower), sizeof lower - strlen (lower), "%s%s/L%zu", i < n_layers ? ":" : "", tdir, i);
  snprintf (opts, sizeof opts, "userxattr,lowerdir=%s", lower);
  snprintf (mnt, sizeof mnt, "%s/mnt", tdir);
  if (mount ("overlay", mnt, "overlay", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) < 0)
    _exit (12);
  out = fopen (listing, "we");
  mfd = open (mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out == NULL || mfd < 0)
    _exit (13);
  list_tree (out, mfd, "");
  fclose (out);
  _exit (0);
}

Test (unpack_cases, merged_view_of_signed_image, .timeout = 120)
{
  const char *dir = fixtures ();
  const char *manifests_path[] = { "manifests", NULL }, *digest_path[] = { "digest", NULL };
  const char *layers_path[] = { "layers", NULL }, *type_path[] = { "mediaType", NULL };
  struct cordon_error err = { 0 };
  char path[4096], errbuf[256], tdir[] = "/tmp/cordon-merge-XXXXXX", listing[128], diff_id[72];
  char *index_text, *manifest_text, *got_text, *want_text;
  char *got[256], *want[256];
  yajl_val index, manifest, layers;
  size_t n_got, n_want;
  int status;
  pid_t pid;

  snprintf (path, sizeof path, "%s/expected-rootfs.txt", dir);
  if (access (path, R_OK) < 0)
    cr_skip_test ("no expected-rootfs.txt in CORDON_FIXTURES");
  want_text = read_all (path);
  snprintf (path, sizeof path, "%s/oci/signed/index.json", dir);
  index_text = read_all (path);
  index = yajl_tree_parse (index_text, errbuf, sizeof errbuf);
  cr_assert_not_null (index, "index.json: %s", errbuf);
  /* The first manifest is the image; the second is cosign's signature.  */
  snprintf (path, sizeof path, "%s/oci/signed/blobs/sha256/%s", dir,
            YAJL_GET_STRING (yajl_tree_get (yajl_tree_get (index, manifests_path, yajl_t_array)->u.array.values[0],
                                            digest_path, yajl_t_string))
                + 7);
  manifest_text = read_all (path);
  manifest = yajl_tree_parse (manifest_text, errbuf, sizeof errbuf);
  cr_assert_not_null (manifest, "manifest: %s", errbuf);
  layers = yajl_tree_get (manifest, layers_path, yajl_t_array);
  cr_assert_not_null (layers);

  cr_assert_not_null (mkdtemp (tdir));
  for (size_t i = 0; i < layers->u.array.len; i++)
    {
      yajl_val l = layers->u.array.values[i];
      enum layer_compression c;
      int blob, dest;

      cr_assert_eq (
          layer_compression_from_media_type (YAJL_GET_STRING (yajl_tree_get (l, type_path, yajl_t_string)), &c, &err),
          0, "%s", err.msg);
      snprintf (path, sizeof path, "%s/oci/signed/blobs/sha256/%s", dir,
                YAJL_GET_STRING (yajl_tree_get (l, digest_path, yajl_t_string)) + 7);
      blob = open (path, O_RDONLY | O_CLOEXEC);
      cr_assert_geq (blob, 0);
      snprintf (path, sizeof path, "%s/L%zu", tdir, i + 1);
      cr_assert_eq (mkdir (path, 0755), 0);
      dest = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      cr_assert_eq (layer_unpack (blob, c, dest, NULL, -1, -1, diff_id, NULL, &err), 0, "layer %zu: %s", i + 1,
                    err.msg);
      close (blob);
      close (dest);
    }
  snprintf (path, sizeof path, "%s/mnt", tdir);
  cr_assert_eq (mkdir (path, 0755), 0);
  snprintf (listing, sizeof listing, "%s/listing", tdir);
  pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    mount_and_list (tdir, layers->u.array.len, listing);
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  if (WIFEXITED (status) && WEXITSTATUS (status) >= 11 && WEXITSTATUS (status) <= 12)
    cr_skip_test ("no unprivileged overlay here (step %d)", WEXITSTATUS (status));
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "listing the merged view failed: %d", status);
  got_text = read_all (listing);
  n_got = sorted_lines (got_text, got, 256);
  n_want = sorted_lines (want_text, want, 256);
  for (size_t i = 0; i < n_got && i < n_want; i++)
    cr_assert_str_eq (got[i], want[i]);
  cr_assert_eq (n_got, n_want);
  cr_log_info ("merged view: %zu paths as expected", n_got);
  cr_assert_eq (layer_remove_tree (AT_FDCWD, tdir, &err), 0, "%s", err.msg);
  yajl_tree_free (index);
  yajl_tree_free (manifest);
  free (index_text);
  free (manifest_text);
  free (got_text);
  free (want_text);
}
