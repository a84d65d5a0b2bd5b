/* SPDX-License-Identifier: Apache-2.0 */
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/hex.h"
#include "common/userns.h"
#include "sandbox/host-probe.h"

static const char *const store_dirs[] = { "tmp", "blobs", "blobs/sha256", "layers", "images" };

int
image_store_default_path (char **out, struct cordon_error *err)
{
  const char *xdg = getenv ("XDG_DATA_HOME");
  const char *home = getenv ("HOME");
  int n;

  if (userns_host_root ())
    n = asprintf (out, "/var/lib/cordon");
  else if (xdg && xdg[0] == '/')
    n = asprintf (out, "%s/cordon", xdg);
  else if (home && home[0] == '/')
    n = asprintf (out, "%s/.local/share/cordon", home);
  else
    return cordon_error_set (err, ENOENT, "no image store: set HOME or XDG_DATA_HOME, or give --store DIR");
  if (n < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

/* mkdir -p; the last component is the store and gets 0700.  */
static int
make_store_dir (const char *path, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (path);

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (char *p = copy + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (copy, 0755) < 0 && errno != EEXIST)
          return cordon_error_set (err, errno, "create `%s`", copy);
        *p = '/';
      }
  if (mkdir (copy, 0700) < 0 && errno != EEXIST)
    return cordon_error_set (err, errno, "create the image store `%s`", path);
  return 0;
}

/* The store must be ours and closed to everyone else.  */
static int
check_store_dir (int dirfd, const char *path, struct cordon_error *err)
{
  struct stat st;

  if (fstat (dirfd, &st) < 0)
    return cordon_error_set (err, errno, "stat `%s`", path);
  if (st.st_uid != geteuid ())
    return cordon_error_set (err, EPERM, "image store `%s` belongs to uid %u, not to us", path, st.st_uid);
  if ((st.st_mode & 077) != 0 && fchmod (dirfd, 0700) < 0)
    return cordon_error_set (err, errno, "make `%s` private (0700)", path);
  return 0;
}

int
image_store_open (const char *path, int lock_op, struct image_store **out, struct cordon_error *err)
{
  cleanup_free struct image_store *s = calloc (1, sizeof *s);
  int r;

  if (s == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  s->dirfd = s->lockfd = s->tmp_lockfd = -1;
  s->owner_uid = s->owner_gid = -1;
  if (path)
    s->path = strdup (path);
  else if (image_store_default_path (&s->path, err) < 0)
    return cordon_error_code (err);
  if (s->path == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = make_store_dir (s->path, err);
  if (r < 0)
    goto fail;
  s->dirfd = open (s->path, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (s->dirfd < 0)
    {
      r = cordon_error_set (err, errno, "open the image store `%s`", s->path);
      goto fail;
    }
  r = check_store_dir (s->dirfd, s->path, err);
  if (r < 0)
    goto fail;
  for (size_t i = 0; i < sizeof store_dirs / sizeof store_dirs[0]; i++)
    if (mkdirat (s->dirfd, store_dirs[i], 0700) < 0 && errno != EEXIST)
      {
        r = cordon_error_set (err, errno, "create `%s/%s`", s->path, store_dirs[i]);
        goto fail;
      }
  s->lockfd = openat (s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (s->lockfd < 0)
    {
      r = cordon_error_set (err, errno, "open `%s/lock`", s->path);
      goto fail;
    }
  if (flock (s->lockfd, lock_op) < 0)
    {
      r = cordon_error_set (err, errno, "lock the image store");
      goto fail;
    }
  /* As root, layers belong to the range the sandbox's ids map to, so that
   * ownership inside the sandbox is what the image says.  */
  if (userns_host_root ())
    {
      uint32_t start, size;
      if (host_idmap_root_range (&start, &size) == 0 && size >= 65536)
        s->owner_uid = s->owner_gid = start;
      else
        s->owner_uid = s->owner_gid = 1000000000;
    }
  image_store_sweep_tmp (s);
  *out = steal_pointer (&s);
  return 0;

fail:
  image_store_close (steal_pointer (&s));
  return r;
}

void
image_store_close (struct image_store *s)
{
  if (s == NULL)
    return;
  if (s->tmp_lockfd >= 0)
    {
      cleanup_free char *lock = NULL;
      if (asprintf (&lock, "tmp/%s.lock", s->tmp_prefix) >= 0)
        unlinkat (s->dirfd, lock, 0);
      close (s->tmp_lockfd);
    }
  if (s->lockfd >= 0)
    close (s->lockfd);
  if (s->dirfd >= 0)
    close (s->dirfd);
  free (s->tmp_prefix);
  free (s->path);
  free (s);
}

static int
ensure_tmp_prefix (struct image_store *s, struct cordon_error *err)
{
  uint32_t rnd;
  cleanup_free char *lock = NULL;

  if (s->tmp_prefix)
    return 0;
  if (getrandom (&rnd, sizeof rnd, 0) != sizeof rnd)
    return cordon_error_set (err, errno, "getrandom");
  if (asprintf (&s->tmp_prefix, "%d-%08x", (int)getpid (), rnd) < 0 || asprintf (&lock, "tmp/%s.lock", s->tmp_prefix) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  /* Locked before it has a name: a sweeper must never see our lock file
   * unlocked and take us for dead.  */
  s->tmp_lockfd = openat (s->dirfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (s->tmp_lockfd >= 0)
    {
      char proc[64];
      if (flock (s->tmp_lockfd, LOCK_EX) < 0)
        return cordon_error_set (err, errno, "lock `%s/%s`", s->path, lock);
      snprintf (proc, sizeof proc, "/proc/self/fd/%d", s->tmp_lockfd);
      if (linkat (AT_FDCWD, proc, s->dirfd, lock, AT_SYMLINK_FOLLOW) < 0)
        return cordon_error_set (err, errno, "create `%s/%s`", s->path, lock);
      return 0;
    }
  /* No O_TMPFILE here (9p, some FUSE): locked under a name the sweeper
   * does not take for a lock, then renamed.  */
  {
    cleanup_free char *fresh = NULL;
    if (asprintf (&fresh, "%s-new", lock) < 0)
      return cordon_error_set (err, ENOMEM, "out of memory");
    s->tmp_lockfd = openat (s->dirfd, fresh, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (s->tmp_lockfd < 0)
      return cordon_error_set (err, errno, "create `%s/%s`", s->path, fresh);
    if (flock (s->tmp_lockfd, LOCK_EX) < 0 || renameat (s->dirfd, fresh, s->dirfd, lock) < 0)
      return cordon_error_set (err, errno, "lock `%s/%s`", s->path, lock);
  }
  return 0;
}

int
image_store_tmp_name (struct image_store *s, char **name, struct cordon_error *err)
{
  int r = ensure_tmp_prefix (s, err);

  if (r < 0)
    return r;
  if (asprintf (name, "tmp/%s.%u", s->tmp_prefix, s->tmp_count++) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

void
image_store_tmp_discard (struct image_store *s, const char *name)
{
  cleanup_error struct cordon_error ignored = { 0 };

  layer_remove_tree (s->dirfd, name, &ignored);
}

/* The owner prefix of a tmp/ name ("<pid>-<rand>" before the first '.').  */
static char *
tmp_owner (const char *name)
{
  const char *dot = strchr (name, '.');

  return dot && dot != name ? strndup (name, (size_t)(dot - name)) : NULL;
}

/* Is the owner of `prefix` gone?  Its lock file is missing, or can be
 * locked.  Our own prefix is never gone.  */
static bool
owner_gone (struct image_store *s, int tmpfd, const char *prefix)
{
  cleanup_free char *lock = NULL;
  cleanup_close int fd = -1;

  if (s->tmp_prefix && strcmp (prefix, s->tmp_prefix) == 0)
    return false;
  if (asprintf (&lock, "%s.lock", prefix) < 0)
    return false;
  fd = openat (tmpfd, lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT;
  return flock (fd, LOCK_EX | LOCK_NB) == 0;
}

void
image_store_sweep_tmp (struct image_store *s)
{
  cleanup_error struct cordon_error ignored = { 0 };
  cleanup_close int tmpfd = openat (s->dirfd, "tmp", O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  /* Its own open file description: readdir's offset is not shared with
   * the fd the removals use.  */
  int listfd = openat (s->dirfd, "tmp", O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  DIR *d;
  struct dirent *e;

  if (tmpfd < 0 || listfd < 0 || (d = fdopendir (listfd)) == NULL)
    {
      if (listfd >= 0)
        close (listfd);
      return;
    }
  /* Entries first, lock files last: a lock removed early would make a live
   * owner look gone.  */
  while ((e = readdir (d)))
    {
      cleanup_free char *owner = tmp_owner (e->d_name);
      size_t len = strlen (e->d_name);
      if (owner == NULL || (len > 5 && strcmp (e->d_name + len - 5, ".lock") == 0)
          || (len > 9 && strcmp (e->d_name + len - 9, ".lock-new") == 0))
        continue;
      if (owner_gone (s, tmpfd, owner))
        layer_remove_tree (tmpfd, e->d_name, &ignored);
    }
  rewinddir (d);
  while ((e = readdir (d)))
    {
      cleanup_free char *owner = tmp_owner (e->d_name);
      size_t len = strlen (e->d_name);
      if (owner && len > 5 && strcmp (e->d_name + len - 5, ".lock") == 0 && owner_gone (s, tmpfd, owner))
        unlinkat (tmpfd, e->d_name, 0);
      else if (owner && len > 9 && strcmp (e->d_name + len - 9, ".lock-new") == 0)
        {
          /* A lock being made, or left by a process killed while making it.  */
          cleanup_close int fd = openat (tmpfd, e->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
          if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat (tmpfd, e->d_name, 0);
        }
    }
  closedir (d);
}

/* A new file under tmp/, ours, open for writing; its name in *tmp.  */
static int
create_tmp_file (struct image_store *s, char **tmp, struct cordon_error *err)
{
  int fd;
  int r = image_store_tmp_name (s, tmp, err);

  if (r < 0)
    return r;
  fd = openat (s->dirfd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cordon_error_set (err, errno, "create `%s/%s`", s->path, *tmp);
  return fd;
}

static char *
blob_rel (const char *digest)
{
  char *rel = NULL;

  if (asprintf (&rel, "blobs/sha256/%s", digest_hex (digest)) < 0)
    return NULL;
  return rel;
}

/* Publishes tmp file `tmp` as the blob `digest`: another importer that got
 * there first wins, with the same bytes.  */
static int
publish_blob (struct image_store *s, int fd, const char *tmp, const char *digest, struct cordon_error *err)
{
  cleanup_free char *rel = blob_rel (digest);

  if (rel == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (fchmod (fd, 0444) < 0 || fdatasync (fd) < 0)
    return cordon_error_set (err, errno, "write blob %s", digest);
  if (renameat2 (s->dirfd, tmp, s->dirfd, rel, RENAME_NOREPLACE) < 0)
    {
      if (errno != EEXIST)
        return cordon_error_set (err, errno, "store blob %s", digest);
      unlinkat (s->dirfd, tmp, 0);
    }
  return 0;
}

/* Reads `fd` to its end (at most limit+1 bytes), hashing, and copying to
 * `wfd` unless it is -1; checks the size and digest when given.  */
static int
hash_stream (int fd, int wfd, const char *digest, int64_t size, uint64_t max, char computed[DIGEST_SHA256_LEN + 1],
             struct cordon_error *err)
{
  static const size_t chunk = 1 << 17;
  cleanup_free char *buf = malloc (chunk);
  uint64_t limit = size >= 0 ? (uint64_t)size : max;
  uint64_t total = 0;
  struct sha256_ctx ctx;
  uint8_t md[SHA256_DIGEST_SIZE];

  if (buf == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  sha256_init (&ctx);
  for (;;)
    {
      /* One byte past the limit tells "too long" from "exactly right".  */
      size_t want = limit + 1 - total < chunk ? (size_t)(limit + 1 - total) : chunk;
      ssize_t n = read (fd, buf, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return cordon_error_set (err, errno, "read blob %s", digest ? digest : "");
      if (n == 0)
        break;
      total += (uint64_t)n;
      if (total > limit)
        return size >= 0 ? cordon_error_set (err, EBADMSG, "blob %s is larger than its descriptor's %" PRId64 " bytes",
                                             digest ? digest : "", size)
                         : cordon_error_set (err, EFBIG, "blob is larger than %" PRIu64 " bytes", max);
      sha256_update (&ctx, (size_t)n, (const uint8_t *)buf);
      if (wfd >= 0 && !fd_write_all (wfd, buf, (size_t)n))
        return cordon_error_set (err, errno, "write blob");
    }
  if (size >= 0 && total != (uint64_t)size)
    return cordon_error_set (err, EBADMSG, "blob %s has %" PRIu64 " bytes, its descriptor says %" PRId64, digest, total,
                             size);
  sha256_digest (&ctx, sizeof md, md);
  memcpy (computed, "sha256:", 7);
  hex_encode (md, sizeof md, computed + 7);
  if (digest && strcmp (computed, digest) != 0)
    return cordon_error_set (err, EBADMSG, "blob content does not match its digest %s (it hashes to %s)", digest,
                             computed);
  return 0;
}

int
image_store_put_blob (struct image_store *s, int fd, const char *digest, int64_t size, uint64_t max,
                      char out[DIGEST_SHA256_LEN + 1], struct cordon_error *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int wfd = -1;
  char computed[DIGEST_SHA256_LEN + 1];
  int r;

  if (digest && !digest_is_valid (digest))
    return cordon_error_set (err, EINVAL, "invalid digest `%s`", digest);
  /* Stored already: the source must still hold the same bytes (a tampered
   * layout is refused even when the store has the genuine blob).  */
  if (digest && image_store_has_blob (s, digest))
    {
      r = hash_stream (fd, -1, digest, size, max, computed, err);
      if (r >= 0 && out)
        memcpy (out, computed, sizeof computed);
      return r;
    }
  wfd = create_tmp_file (s, &tmp, err);
  if (wfd < 0)
    return wfd;
  r = hash_stream (fd, wfd, digest, size, max, computed, err);
  if (r >= 0)
    r = publish_blob (s, wfd, tmp, computed, err);
  if (r < 0)
    {
      unlinkat (s->dirfd, tmp, 0);
      return r;
    }
  if (out)
    memcpy (out, computed, sizeof computed);
  return 0;
}

int
image_store_put_blob_buffer (struct image_store *s, const void *buf, size_t len, char out[DIGEST_SHA256_LEN + 1],
                             struct cordon_error *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int wfd = -1;
  char digest[DIGEST_SHA256_LEN + 1];
  int r;

  digest_of_buffer (buf, len, digest);
  if (out)
    memcpy (out, digest, sizeof digest);
  if (image_store_has_blob (s, digest))
    return 0;
  wfd = create_tmp_file (s, &tmp, err);
  if (wfd < 0)
    return wfd;
  if (!fd_write_all (wfd, buf, len))
    r = cordon_error_set (err, errno, "write `%s/%s`", s->path, tmp);
  else
    r = publish_blob (s, wfd, tmp, digest, err);
  if (r < 0)
    unlinkat (s->dirfd, tmp, 0);
  return r;
}

bool
image_store_has_blob (struct image_store *s, const char *digest)
{
  cleanup_free char *rel = NULL;

  if (!digest_is_valid (digest))
    return false;
  rel = blob_rel (digest);
  return rel && faccessat (s->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
image_store_open_blob (struct image_store *s, const char *digest, struct cordon_error *err)
{
  cleanup_free char *rel = NULL;
  int fd;

  if (!digest_is_valid (digest))
    return cordon_error_set (err, EINVAL, "invalid digest `%s`", digest);
  rel = blob_rel (digest);
  if (rel == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  fd = openat (s->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cordon_error_set (err, errno, "blob %s is not in the store", digest);
  return fd;
}

int
image_store_read_blob (struct image_store *s, const char *digest, size_t max, char **buf, size_t *len,
                       struct cordon_error *err)
{
  cleanup_close int fd = image_store_open_blob (s, digest, err);
  int r;

  if (fd < 0)
    return fd;
  r = fd_read_all (fd, max, buf, len);
  if (r == -EFBIG)
    return cordon_error_set (err, EFBIG, "blob %s is larger than %zu bytes", digest, max);
  if (r < 0)
    return cordon_error_set (err, -r, "read blob %s", digest);
  return 0;
}

bool
image_store_has_layer (struct image_store *s, const char *diff_id)
{
  cleanup_free char *rel = NULL;

  if (!digest_is_valid (diff_id) || asprintf (&rel, "layers/%s", digest_hex (diff_id)) < 0)
    return false;
  return faccessat (s->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

char *
image_store_layer_path (const struct image_store *s, const char *diff_id)
{
  char *path = NULL;

  if (!digest_is_valid (diff_id) || asprintf (&path, "%s/layers/%s", s->path, digest_hex (diff_id)) < 0)
    return NULL;
  return path;
}

int
image_store_unpack_layer (struct image_store *s, const char *blob_digest, enum layer_compression compression,
                          const char *diff_id, struct unpack_stats *stats, struct cordon_error *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_free char *rel = NULL;
  cleanup_close int blobfd = -1;
  cleanup_close int dirfd = -1;
  struct unpack_limits limits;
  char got[72];
  int r;

  if (!digest_is_valid (diff_id))
    return cordon_error_set (err, EINVAL, "invalid diff_id `%s`", diff_id);
  if (image_store_has_layer (s, diff_id))
    return 0;
  if (asprintf (&rel, "layers/%s", digest_hex (diff_id)) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  blobfd = image_store_open_blob (s, blob_digest, err);
  if (blobfd < 0)
    return blobfd;
  r = image_store_tmp_name (s, &tmp, err);
  if (r < 0)
    return r;
  if (mkdirat (s->dirfd, tmp, 0700) < 0)
    return cordon_error_set (err, errno, "create `%s/%s`", s->path, tmp);
  dirfd = openat (s->dirfd, tmp, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (dirfd < 0)
    {
      r = cordon_error_set (err, errno, "open `%s/%s`", s->path, tmp);
      goto fail;
    }
  unpack_limits_default (&limits);
  r = layer_unpack (blobfd, compression, dirfd, &limits, s->owner_uid, s->owner_gid, got, stats, err);
  if (r < 0)
    {
      cordon_error_wrap (err, "layer %s", blob_digest);
      goto fail;
    }
  if (strcmp (got, diff_id) != 0)
    {
      r = cordon_error_set (err, EBADMSG, "layer %s unpacks to DiffID %s, the image config says %s", blob_digest, got,
                            diff_id);
      goto fail;
    }
  /* The unpacker never re-modes the layer root; it was made 0700 while
   * private.  The store above it stays 0700.  */
  if (fchmod (dirfd, 0755) < 0)
    {
      r = cordon_error_set (err, errno, "chmod layer %s", diff_id);
      goto fail;
    }
  /* Everything written before the layer becomes visible.  */
  if (syncfs (dirfd) < 0)
    {
      r = cordon_error_set (err, errno, "sync the image store");
      goto fail;
    }
  if (renameat2 (s->dirfd, tmp, s->dirfd, rel, RENAME_NOREPLACE) < 0)
    {
      if (errno != EEXIST && errno != ENOTEMPTY)
        {
          r = cordon_error_set (err, errno, "publish layer %s", diff_id);
          goto fail;
        }
      image_store_tmp_discard (s, tmp); /* a concurrent import published it first */
    }
  return 0;

fail:
  image_store_tmp_discard (s, tmp);
  return r;
}

int
image_store_write_file (struct image_store *s, const char *rel, const char *text, size_t len, struct cordon_error *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = create_tmp_file (s, &tmp, err);
  int r = 0;

  if (fd < 0)
    return fd;
  if (!fd_write_all (fd, text, len) || fdatasync (fd) < 0)
    r = cordon_error_set (err, errno, "write `%s/%s`", s->path, tmp);
  else if (renameat (s->dirfd, tmp, s->dirfd, rel) < 0)
    r = cordon_error_set (err, errno, "replace `%s/%s`", s->path, rel);
  if (r < 0)
    unlinkat (s->dirfd, tmp, 0);
  return r;
}
