/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/safe-path.h"

#define COPY_MAX_DEPTH 128
#define COPY_OPENAT2_RETRIES 1000

struct walk
{
  struct sandbox_copy *c;
  bool into_sandbox; /* the destination is the sandbox */
};

static int
openat2_retry (int dirfd, const char *path, int flags, uint64_t resolve)
{
  struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };

  /* RESOLVE_IN_ROOT and _BENEATH answer EAGAIN when a rename raced the
   * walk; a workload renaming in a loop gets a bounded number of tries.  */
  for (int i = 0; i < COPY_OPENAT2_RETRIES; i++)
    {
      int fd = (int)syscall (SYS_openat2, dirfd, path, &how, sizeof how);
      if (fd >= 0)
        return fd;
      if (errno != EAGAIN)
        return -errno;
    }
  return -EAGAIN;
}

/* One component below a directory we hold, never through a symlink.  */
static int
open_child (int dirfd, const char *name, int flags)
{
  if (strchr (name, '/') || strcmp (name, "..") == 0)
    return -EINVAL;
  return openat2_retry (dirfd, name, flags | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

/* A path of the side being read or written: inside the sandbox through
 * its root only; on the host as the caller names it.  */
static int
open_path (struct walk *w, bool sandbox_side, const char *path, int flags)
{
  int fd;

  if (sandbox_side)
    return openat2_retry (w->c->rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  fd = open (path, flags | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/* While writing inside the sandbox, as root, act as the sandbox's root.  */
static void
as_writer (struct walk *w)
{
  if (w->into_sandbox && w->c->fsuid >= 0)
    {
      setfsgid ((gid_t)w->c->fsgid);
      setfsuid ((uid_t)w->c->fsuid);
    }
}

static void
as_reader (struct walk *w)
{
  if (w->into_sandbox && w->c->fsuid >= 0)
    {
      setfsuid (getuid ());
      setfsgid (getgid ());
    }
}

static mode_t
kept_mode (struct walk *w, mode_t mode)
{
  return w->into_sandbox ? (mode & 07777) : (mode & 01777);
}

static int copy_entry (struct walk *w, int sdir, const char *sname, int ddir, const char *dname, unsigned depth,
                       struct cordon_error *err);

static int
copy_data (int sfd, int dfd, const char *name, struct cordon_error *err)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = read (sfd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return cordon_error_set (err, errno, "read `%s`", name);
      if (n == 0)
        return 0;
      if (!fd_write_all (dfd, buf, (size_t)n))
        return cordon_error_set (err, errno ? errno : EIO, "write `%s`", name);
    }
}

static int
copy_file (struct walk *w, int sdir, const char *sname, int ddir, const char *dname, struct cordon_error *err)
{
  cleanup_close int sfd = open_child (sdir, sname, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  cleanup_close int dfd = -1;
  struct stat st, dst;

  if (sfd < 0)
    return cordon_error_set (err, -sfd, "open `%s`", sname);
  if (fstat (sfd, &st) < 0)
    return cordon_error_set (err, errno, "stat `%s`", sname);
  if (!S_ISREG (st.st_mode))
    {
      w->c->skipped++; /* swapped for something else meanwhile */
      return 0;
    }
  as_writer (w);
  dfd = openat (ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dfd < 0 && errno == EEXIST && fstatat (ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (dst.st_mode))
        errno = EISDIR;
      else if (S_ISREG (dst.st_mode))
        {
          dfd = open_child (ddir, dname, O_WRONLY | O_NONBLOCK | O_NOCTTY);
          if (dfd < 0)
            errno = -dfd;
          else if (fstat (dfd, &dst) < 0 || !S_ISREG (dst.st_mode) || ftruncate (dfd, 0) < 0)
            {
              close (dfd);
              dfd = -1;
              errno = EEXIST;
            }
        }
      /* A symlink (or another non-directory) in the way is replaced, never
       * written through.  */
      else if (unlinkat (ddir, dname, 0) == 0)
        dfd = openat (ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (dfd < 0)
    {
      int e = errno;
      as_reader (w);
      return cordon_error_set (err, e, "create `%s`", dname);
    }
  if (fchmod (dfd, kept_mode (w, st.st_mode)) < 0 && errno != EPERM)
    {
      int e = errno;
      as_reader (w);
      return cordon_error_set (err, e, "chmod `%s`", dname);
    }
  as_reader (w);
  w->c->files++;
  return copy_data (sfd, dfd, sname, err);
}

static int
copy_symlink (struct walk *w, int sdir, const char *sname, int ddir, const char *dname, struct cordon_error *err)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (sdir, sname, target, sizeof target - 1);
  struct stat dst;
  int r;

  if (n < 0)
    return cordon_error_set (err, errno, "readlink `%s`", sname);
  target[n] = '\0';
  as_writer (w);
  r = symlinkat (target, ddir, dname);
  if (r < 0 && errno == EEXIST && fstatat (ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR (dst.st_mode)
      && unlinkat (ddir, dname, 0) == 0)
    r = symlinkat (target, ddir, dname);
  if (r < 0)
    {
      int e = errno;
      as_reader (w);
      return cordon_error_set (err, e, "symlink `%s`", dname);
    }
  as_reader (w);
  w->c->symlinks++;
  return 0;
}

static int
copy_children (struct walk *w, int sd, int nd, unsigned depth, struct cordon_error *err)
{
  int dupfd = fcntl (sd, F_DUPFD_CLOEXEC, 3);
  DIR *d;
  int r = 0;

  if (dupfd < 0)
    return cordon_error_set (err, errno, "dup");
  d = fdopendir (dupfd);
  if (d == NULL)
    {
      close (dupfd);
      return cordon_error_set (err, errno, "read a directory");
    }
  for (struct dirent *de; r >= 0 && (de = readdir (d)) != NULL;)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      r = copy_entry (w, sd, de->d_name, nd, de->d_name, depth + 1, err);
  closedir (d);
  return r;
}

/* Makes (or opens) directory `dname` in `ddir` for writing into.  */
static int
open_dest_dir (struct walk *w, int ddir, const char *dname, struct cordon_error *err)
{
  int fd;

  as_writer (w);
  if (mkdirat (ddir, dname, 0700) < 0 && errno != EEXIST)
    {
      int e = errno;
      as_reader (w);
      return cordon_error_set (err, e, "mkdir `%s`", dname);
    }
  fd = open_child (ddir, dname, O_RDONLY | O_DIRECTORY);
  as_reader (w);
  if (fd < 0)
    return cordon_error_set (err, -fd, "cannot copy a directory onto `%s`, which is not one", dname);
  return fd;
}

static int
copy_dir (struct walk *w, int sdir, const char *sname, int ddir, const char *dname, mode_t mode, unsigned depth,
          struct cordon_error *err)
{
  cleanup_close int sd = -1, nd = -1;
  int r;

  if (depth >= COPY_MAX_DEPTH)
    return cordon_error_set (err, ELOOP, "`%s`: deeper than %d directories", sname, COPY_MAX_DEPTH);
  sd = open_child (sdir, sname, O_RDONLY | O_DIRECTORY);
  if (sd < 0)
    return cordon_error_set (err, -sd, "open `%s`", sname);
  nd = open_dest_dir (w, ddir, dname, err);
  if (nd < 0)
    return nd;
  r = copy_children (w, sd, nd, depth, err);
  if (r < 0)
    return r;
  as_writer (w);
  if (fchmod (nd, kept_mode (w, mode)) < 0 && errno != EPERM)
    r = cordon_error_set (err, errno, "chmod `%s`", dname);
  as_reader (w);
  w->c->dirs++;
  return r;
}

static int
copy_entry (struct walk *w, int sdir, const char *sname, int ddir, const char *dname, unsigned depth,
            struct cordon_error *err)
{
  struct stat st;

  if (fstatat (sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return cordon_error_set (err, errno, "stat `%s`", sname);
  if (S_ISDIR (st.st_mode))
    return copy_dir (w, sdir, sname, ddir, dname, st.st_mode, depth, err);
  if (S_ISREG (st.st_mode))
    return copy_file (w, sdir, sname, ddir, dname, err);
  if (S_ISLNK (st.st_mode))
    return copy_symlink (w, sdir, sname, ddir, dname, err);
  w->c->skipped++;
  return 0;
}

/* The source as (parent directory, last name); "/" is (root, ".").  */
static int
open_source (struct walk *w, bool sandbox_side, const char *path, char **name, struct cordon_error *err)
{
  cleanup_free char *parent = NULL;
  const char *last = NULL;
  int fd;

  parent = safe_path_split (path, &last);
  if (parent == NULL && path[0] == '/')
    {
      *name = strdup (".");
      fd = open_path (w, sandbox_side, "/", O_PATH | O_DIRECTORY);
    }
  else
    {
      size_t len = last ? strcspn (last, "/") : 0;
      *name = last ? strndup (last, len) : NULL;
      fd = open_path (w, sandbox_side, parent ? parent : ".", O_PATH | O_DIRECTORY);
    }
  if (*name == NULL)
    {
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, EINVAL, "`%s`: not a path", path);
    }
  if (fd < 0)
    return cordon_error_set (err, -fd, "`%s`", path);
  return fd;
}

static bool
ends_with_dot (const char *path)
{
  size_t len = strlen (path);

  return (len >= 2 && strcmp (path + len - 2, "/.") == 0) || strcmp (path, ".") == 0;
}

static int
copy_top (struct walk *w, const char *src, const char *dst, struct cordon_error *err)
{
  bool src_in = !w->into_sandbox;
  cleanup_free char *sname = NULL, *dname = NULL;
  cleanup_close int sdir = -1, dfd = -1, ddir = -1;
  bool contents = ends_with_dot (src);
  struct stat st;

  sdir = open_source (w, src_in, src, &sname, err);
  if (sdir < 0)
    return sdir;
  if (contents)
    {
      free (sname);
      sname = strdup (".");
      if (sname == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  /* `..` at the sandbox's root would be the host's: never a name here.  */
  if (strcmp (sname, "..") == 0)
    return cordon_error_set (err, EINVAL, "`%s`: a source ends with a name", src);
  if (fstatat (sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return cordon_error_set (err, errno, "Could not find the file %s", src);
  if (contents && !S_ISDIR (st.st_mode))
    return cordon_error_set (err, ENOTDIR, "`%s`: not a directory", src);

  /* Into an existing directory: DST/NAME (or DST itself for SRC/.).  */
  dfd = open_path (w, !src_in, dst, O_PATH | O_DIRECTORY);
  if (dfd >= 0)
    {
      if (contents)
        {
          cleanup_close int sd = open_child (sdir, ".", O_RDONLY | O_DIRECTORY);
          cleanup_close int nd = -1;
          if (sd < 0)
            return cordon_error_set (err, -sd, "open `%s`", src);
          as_writer (w);
          nd = open_child (dfd, ".", O_RDONLY | O_DIRECTORY);
          as_reader (w);
          if (nd < 0)
            return cordon_error_set (err, -nd, "open `%s`", dst);
          return copy_children (w, sd, nd, 0, err);
        }
      return copy_entry (w, sdir, sname, dfd, strcmp (sname, ".") ? sname : "root", 0, err);
    }
  if (dfd != -ENOTDIR && dfd != -ENOENT)
    return cordon_error_set (err, -dfd, "`%s`", dst);
  if (dfd == -ENOTDIR && S_ISDIR (st.st_mode))
    return cordon_error_set (err, ENOTDIR, "cannot copy directory `%s` onto `%s`, which is not a directory", src, dst);
  if (dfd == -ENOENT && dst[strlen (dst) - 1] == '/')
    return cordon_error_set (err, ENOENT, "destination directory `%s` does not exist", dst);
  dfd = -1;
  /* As DST: its parent must exist.  */
  ddir = open_source (w, !src_in, dst, &dname, err);
  if (ddir < 0)
    return ddir;
  if (strcmp (dname, ".") == 0 || strcmp (dname, "..") == 0)
    return cordon_error_set (err, EINVAL, "`%s`: not a destination", dst);
  if (contents)
    {
      cleanup_close int sd = open_child (sdir, ".", O_RDONLY | O_DIRECTORY);
      cleanup_close int nd = -1;
      if (sd < 0)
        return cordon_error_set (err, -sd, "open `%s`", src);
      nd = open_dest_dir (w, ddir, dname, err);
      if (nd < 0)
        return nd;
      return copy_children (w, sd, nd, 0, err);
    }
  return copy_entry (w, sdir, sname, ddir, dname, 0, err);
}

int
sandbox_copy_in (struct sandbox_copy *c, const char *src, const char *dst, struct cordon_error *err)
{
  struct walk w = { .c = c, .into_sandbox = true };

  return copy_top (&w, src, dst, err);
}

int
sandbox_copy_out (struct sandbox_copy *c, const char *src, const char *dst, struct cordon_error *err)
{
  struct walk w = { .c = c, .into_sandbox = false };

  return copy_top (&w, src, dst, err);
}
