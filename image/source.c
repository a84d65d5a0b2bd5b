/* SPDX-License-Identifier: Apache-2.0 */
#include "image/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

/* A tar member: regular (copied to `file` in the spill directory), or a
 * link to another member.  */
struct source_member
{
  char *name;
  char *file;
  char *symlink;  /* symlink target, relative to the member's directory */
  char *hardlink; /* hard link target: another member's name */
};

struct image_source
{
  int dirfd; /* layout directory, or the spill directory */
  struct image_store *store;
  char *spill; /* store-relative tmp name of the spill directory */
  struct source_member *members;
  size_t n_members;
};

#define MAX_MEMBERS 65536

void
image_source_close (struct image_source *src)
{
  if (src == NULL)
    return;
  if (src->dirfd >= 0)
    close (src->dirfd);
  if (src->spill)
    image_store_tmp_discard (src->store, src->spill);
  for (size_t i = 0; i < src->n_members; i++)
    {
      free (src->members[i].name);
      free (src->members[i].file);
      free (src->members[i].symlink);
      free (src->members[i].hardlink);
    }
  free (src->members);
  free (src->spill);
  free (src);
}

int
image_source_open_dir (const char *path, struct image_source **out, struct cordon_error *err)
{
  struct image_source *src = calloc (1, sizeof *src);

  if (src == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  src->dirfd = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (src->dirfd < 0)
    {
      int e = errno;
      free (src);
      return cordon_error_set (err, e, "open image layout `%s`", path);
    }
  *out = src;
  return 0;
}

/* "./a//b/" -> "a/b"; NULL for names that cannot name a member we use.  */
static char *
normalize_name (const char *name)
{
  char *out = malloc (strlen (name) + 1);
  char *o = out;

  if (out == NULL)
    return NULL;
  while (*name)
    {
      const char *end = strchrnul (name, '/');
      size_t n = (size_t)(end - name);
      if (n == 0 || (n == 1 && name[0] == '.'))
        ;
      else
        {
          if (o != out)
            *o++ = '/';
          memcpy (o, name, n);
          o += n;
        }
      name = *end ? end + 1 : end;
    }
  *o = '\0';
  return out;
}

static struct source_member *
find_member (struct image_source *src, const char *name)
{
  /* Last one wins, as when tar extracts duplicates.  */
  for (size_t i = src->n_members; i-- > 0;)
    if (strcmp (src->members[i].name, name) == 0)
      return &src->members[i];
  return NULL;
}

static int
spill_entry (struct image_source *src, struct archive *a, size_t index, char **file, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  char name[32];
  const void *buf;
  size_t size;
  la_int64_t offset;
  int r;

  snprintf (name, sizeof name, "m%zu", index);
  fd = openat (src->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cordon_error_set (err, errno, "spill archive member");
  while ((r = archive_read_data_block (a, &buf, &size, &offset)) == ARCHIVE_OK)
    {
      /* Sparse members: holes come back as gaps in `offset`.  */
      if (pwrite (fd, buf, size, offset) != (ssize_t)size)
        return cordon_error_set (err, errno, "spill archive member");
    }
  if (r != ARCHIVE_EOF)
    return cordon_error_set (err, EIO, "read archive: %s", archive_error_string (a));
  *file = strdup (name);
  return *file ? 0 : cordon_error_set (err, ENOMEM, "out of memory");
}

static int
add_member (struct image_source *src, struct archive *a, struct archive_entry *e, struct cordon_error *err)
{
  struct source_member m = { 0 };
  mode_t type = archive_entry_filetype (e);
  const char *hard = archive_entry_hardlink (e);
  int r = 0;

  if (src->n_members >= MAX_MEMBERS)
    return cordon_error_set (err, E2BIG, "archive has more than %d members", MAX_MEMBERS);
  m.name = normalize_name (archive_entry_pathname (e) ? archive_entry_pathname (e) : "");
  if (m.name == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (hard)
    m.hardlink = normalize_name (hard);
  else if (type == AE_IFLNK)
    m.symlink = strdup (archive_entry_symlink (e) ? archive_entry_symlink (e) : "");
  else if (type == AE_IFREG)
    r = spill_entry (src, a, src->n_members, &m.file, err);
  else
    {
      free (m.name);
      return 0; /* directories and the rest: nothing an importer reads */
    }
  if (r < 0 || (hard && !m.hardlink) || (type == AE_IFLNK && !hard && !m.symlink))
    {
      free (m.name);
      free (m.file);
      free (m.symlink);
      free (m.hardlink);
      return r < 0 ? r : cordon_error_set (err, ENOMEM, "out of memory");
    }
  src->members[src->n_members++] = m;
  return 0;
}

int
image_source_open_archive (const char *path, struct image_store *store, struct image_source **out,
                           struct cordon_error *err)
{
  struct image_source *src = calloc (1, sizeof *src);
  struct archive *a = NULL;
  struct archive_entry *e;
  int r;

  if (src == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  src->dirfd = -1;
  src->store = store;
  src->members = calloc (MAX_MEMBERS, sizeof *src->members);
  r = src->members ? image_store_tmp_name (store, &src->spill, err) : cordon_error_set (err, ENOMEM, "out of memory");
  if (r < 0)
    goto out;
  if (mkdirat (store->dirfd, src->spill, 0700) < 0)
    {
      r = cordon_error_set (err, errno, "create `%s/%s`", store->path, src->spill);
      goto out;
    }
  src->dirfd = openat (store->dirfd, src->spill, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (src->dirfd < 0)
    {
      r = cordon_error_set (err, errno, "open `%s/%s`", store->path, src->spill);
      goto out;
    }
  a = archive_read_new ();
  if (a == NULL)
    {
      r = cordon_error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  /* Only tar: the outer archive of docker save and oci-archive.  */
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 1 << 16) != ARCHIVE_OK)
    {
      r = cordon_error_set (err, archive_errno (a) > 0 ? archive_errno (a) : EINVAL, "open archive `%s`: %s", path,
                            archive_error_string (a));
      goto out;
    }
  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK)
    {
      r = add_member (src, a, e, err);
      if (r < 0)
        goto out;
    }
  if (r != ARCHIVE_EOF)
    {
      r = cordon_error_set (err, EINVAL, "read archive `%s`: %s", path, archive_error_string (a));
      goto out;
    }
  r = 0;
  *out = steal_pointer (&src);
out:
  if (a)
    archive_read_free (a);
  image_source_close (src);
  return r;
}

/* Follows at most one link, inside the archive.  */
static struct source_member *
resolve_member (struct image_source *src, const char *name)
{
  struct source_member *m = find_member (src, name);
  cleanup_free char *joined = NULL;
  cleanup_free char *target = NULL;

  if (m == NULL || m->file)
    return m;
  if (m->hardlink)
    m = find_member (src, m->hardlink);
  else if (m->symlink[0] == '/')
    m = find_member (src, m->symlink + 1);
  else
    {
      /* Relative to the link's directory; ".." is applied textually.  */
      const char *slash = strrchr (name, '/');
      int dirlen = slash ? (int)(slash - name) : 0;
      if (asprintf (&joined, "%.*s%s%s", dirlen, name, dirlen ? "/" : "", m->symlink) < 0)
        return NULL;
      target = normalize_name (joined);
      if (target == NULL)
        return NULL;
      for (char *dots; (dots = strstr (target, "/..")) && (dots[3] == '/' || dots[3] == '\0');)
        {
          char *start = dots;
          while (start > target && start[-1] != '/')
            start--;
          memmove (start, dots[3] ? dots + 4 : dots + 3, strlen (dots[3] ? dots + 4 : dots + 3) + 1);
        }
      if (strncmp (target, "../", 3) == 0 || strcmp (target, "..") == 0)
        return NULL;
      m = find_member (src, target);
    }
  return m && m->file ? m : NULL;
}

bool
image_source_has (struct image_source *src, const char *name)
{
  if (src->members)
    return resolve_member (src, name) != NULL;
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
  int fd = (int)syscall (SYS_openat2, src->dirfd, name, &how, sizeof how);
  if (fd < 0)
    return false;
  close (fd);
  return true;
}

int
image_source_open_member (struct image_source *src, const char *name, struct cordon_error *err)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
  struct stat st;
  int fd;

  if (src->members)
    {
      struct source_member *m = resolve_member (src, name);
      if (m == NULL)
        return cordon_error_set (err, ENOENT, "the archive has no file `%s`", name);
      fd = openat (src->dirfd, m->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
  else
    {
      /* Inside the layout only: a symlinked blob may not reach a host
       * file (its digest would not match anyway, but why read it).  */
      fd = (int)syscall (SYS_openat2, src->dirfd, name, &how, sizeof how);
    }
  if (fd < 0)
    return cordon_error_set (err, errno, "open `%s` in the image source", name);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return cordon_error_set (err, EINVAL, "`%s` in the image source is not a regular file", name);
    }
  return fd;
}

int
image_source_read_member (struct image_source *src, const char *name, size_t max, char **buf, size_t *len,
                          struct cordon_error *err)
{
  cleanup_close int fd = image_source_open_member (src, name, err);
  int r;

  if (fd < 0)
    return fd;
  r = fd_read_all (fd, max, buf, len);
  if (r == -EFBIG)
    return cordon_error_set (err, EFBIG, "`%s` is larger than %zu bytes", name, max);
  if (r < 0)
    return cordon_error_set (err, -r, "read `%s`", name);
  return 0;
}
