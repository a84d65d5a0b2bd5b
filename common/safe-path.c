/* SPDX-License-Identifier: Apache-2.0 */
#include "common/safe-path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int
safe_openat_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (unsigned long long)(flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;

  do
    fd = (int)syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN); /* a concurrent rename: RESOLVE_IN_ROOT asks to retry */
  return fd < 0 ? -errno : fd;
}

char *
safe_path_split (const char *path, const char **last)
{
  size_t len = strlen (path);
  const char *slash;
  char *parent;

  while (len > 1 && path[len - 1] == '/')
    len--;
  if (len == 0 || (len == 1 && path[0] == '/'))
    return NULL;
  slash = memrchr (path, '/', len);
  if (slash == NULL)
    {
      *last = path;
      return strdup (".");
    }
  *last = slash + 1;
  parent = strndup (path, slash == path ? 1 : (size_t)(slash - path));
  return parent;
}

bool
safe_path_is_clean (const char *path)
{
  const char *p = path;

  if (path == NULL || path[0] != '/')
    return false;
  while (*p)
    {
      const char *end;
      size_t n;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      end = strchrnul (p, '/');
      n = (size_t)(end - p);
      if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return false;
      p = end;
    }
  return true;
}

static int
create_mount_point (int rootfd, const char *path, bool as_file, struct cordon_error *err)
{
  cleanup_free char *parent = NULL;
  cleanup_close int parentfd = -1;
  cleanup_close int fd = -1;
  const char *last = NULL;
  int r;

  parent = safe_path_split (path, &last);
  if (parent == NULL)
    return cordon_error_set (err, EINVAL, "mount point `%s`", path);
  /* Parents are created as directories, one level at a time, each resolved
   * again inside the root.  */
  parentfd = safe_openat_in_root (rootfd, parent, O_PATH | O_DIRECTORY, 0);
  if (parentfd == -ENOENT)
    {
      r = create_mount_point (rootfd, parent, false, err);
      if (r < 0)
        return r;
      parentfd = safe_openat_in_root (rootfd, parent, O_PATH | O_DIRECTORY, 0);
    }
  if (parentfd < 0)
    return cordon_error_set (err, -parentfd, "mount point `%s`: open `%s`", path, parent);

  if (as_file)
    {
      /* O_PATH fds cannot be used with openat(O_CREAT); reopen the parent.  */
      cleanup_close int dirfd = openat (parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return cordon_error_set (err, errno, "mount point `%s`: open `%s`", path, parent);
      fd = openat (dirfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        return cordon_error_set (err, errno, "create mount point `%s`", path);
    }
  else
    {
      cleanup_close int dirfd = openat (parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return cordon_error_set (err, errno, "mount point `%s`: open `%s`", path, parent);
      if (mkdirat (dirfd, last, 0755) < 0 && errno != EEXIST)
        return cordon_error_set (err, errno, "create mount point `%s`", path);
    }
  return 0;
}

int
safe_open_mount_point (int rootfd, const char *path, bool create, bool as_file, struct cordon_error *err)
{
  struct stat st;
  int fd;
  int r;

  fd = safe_openat_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0);
  if (fd == -ENOENT && create)
    {
      r = create_mount_point (rootfd, path, as_file, err);
      if (r < 0)
        return r;
      fd = safe_openat_in_root (rootfd, path, O_PATH | O_NOFOLLOW, 0);
    }
  if (fd < 0)
    return cordon_error_set (err, -fd, "mount point `%s`", path);
  if (fstat (fd, &st) < 0)
    {
      r = cordon_error_set (err, errno, "stat mount point `%s`", path);
      close (fd);
      return r;
    }
  if (S_ISLNK (st.st_mode))
    {
      close (fd);
      return cordon_error_set (err, ELOOP, "mount point `%s` is a symlink (refused: a symlink can redirect a mount)",
                               path);
    }
  return fd;
}
