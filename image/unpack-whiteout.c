/* SPDX-License-Identifier: Apache-2.0 */
/* `.wh.` entries in overlay-lowerdir form (rootless, mounted with userxattr):
 * `.wh.<name>` becomes a 0/0 character device `<name>` (mknod of 0/0 needs no
 * privilege since Linux 5.8), `.wh..wh..opq` becomes user.overlay.opaque=y
 * on its directory.  Whiteouts only hide lower layers: an entry of this layer
 * with the same name wins, whatever the order.  */
#include "image/unpack-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

static bool
unpack_is_opaque (const struct unpack_ctx *ctx, const char *dir)
{
  for (size_t i = 0; i < ctx->n_opaque; i++)
    if (strcmp (ctx->opaque[i], dir) == 0)
      return true;
  return false;
}

static int
unpack_add_opaque (struct unpack_ctx *ctx, const char *dir)
{
  if (ctx->n_opaque == ctx->cap_opaque)
    {
      size_t cap = ctx->cap_opaque ? ctx->cap_opaque * 2 : 16;
      char **n = reallocarray (ctx->opaque, cap, sizeof *n);

      if (n == NULL)
        return -ENOMEM;
      ctx->opaque = n;
      ctx->cap_opaque = cap;
    }
  ctx->opaque[ctx->n_opaque] = strdup (dir);
  if (ctx->opaque[ctx->n_opaque] == NULL)
    return -ENOMEM;
  ctx->n_opaque++;
  return 0;
}

/* Whiteouts made earlier in a directory that has just become opaque: the
 * opaque xattr already hides every lower child, and a plain whiteout inside
 * an opaque directory is listed by readdir yet cannot be stat'ed
 * (fuse-overlayfs#306).  Every 0/0 device in the layer is one of ours:
 * device entries in layer data are refused.  */
static int
unpack_drop_whiteouts (int dirfd, const char *path, struct cordon_error *err)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;
  DIR *dir;
  int r = 0;

  if (fd < 0)
    return unpack_entry_fail (err, errno, path, "open opaque directory");
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return unpack_entry_fail (err, errno, path, "open opaque directory");
    }
  for (errno = 0; (de = readdir (dir)) != NULL; errno = 0)
    {
      struct stat st;

      if (de->d_type != DT_CHR && de->d_type != DT_UNKNOWN)
        continue;
      if (fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          r = unpack_entry_fail (err, errno, path, "stat in opaque directory");
          break;
        }
      if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0) && unlinkat (fd, de->d_name, 0) < 0)
        {
          r = unpack_entry_fail (err, errno, path, "remove whiteout in opaque directory");
          break;
        }
    }
  if (r == 0 && errno != 0)
    r = unpack_entry_fail (err, errno, path, "read opaque directory");
  closedir (dir);
  return r;
}

static int
unpack_opaque (struct unpack_ctx *ctx, const char *parent, const char *path, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  int parentfd, r;

  parentfd = unpack_parent_open (ctx, parent, path, err);
  if (parentfd < 0)
    return parentfd;
  if (unpack_is_opaque (ctx, parent))
    return 0;
  /* fsetxattr needs a real fd, not the O_PATH one.  */
  fd = openat (parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return unpack_entry_fail (err, errno, path, "open directory");
  if (fsetxattr (fd, "user.overlay.opaque", "y", 1, 0) < 0)
    return unpack_entry_fail (err, errno, path,
                              errno == ENOTSUP ? "set user.overlay.opaque (the image store's filesystem has no user "
                                                 "xattrs: put the store on ext4, xfs, btrfs or tmpfs >= 6.6 with "
                                                 "--store)"
                                               : "set user.overlay.opaque");
  r = unpack_drop_whiteouts (fd, path, err);
  if (r < 0)
    return r;
  if (unpack_add_opaque (ctx, parent) < 0)
    return unpack_entry_fail (err, ENOMEM, path, "remember opaque directory");
  ctx->stats->opaque_dirs++;
  return 0;
}

int
unpack_whiteout (struct unpack_ctx *ctx, struct archive_entry *entry, const char *parent, const char *name,
                 const char *path, struct cordon_error *err)
{
  const char *target = name + strlen (WHITEOUT_PREFIX);
  int parentfd, r;

  /* Content and mode of a whiteout are irrelevant (the data is skipped),
   * but its type is not: a directory or link named .wh.* is no whiteout. */
  if (archive_entry_hardlink (entry) != NULL || archive_entry_filetype (entry) != AE_IFREG)
    return unpack_entry_fail (err, EPERM, path, "whiteout that is not a regular file");
  if (strcmp (name, WHITEOUT_OPAQUE) == 0)
    r = unpack_opaque (ctx, parent, path, err);
  else if (target[0] == '\0' || strcmp (target, ".") == 0 || strcmp (target, "..") == 0)
    return unpack_entry_fail (err, EPERM, path, "whiteout of an empty, `.` or `..` name");
  else if (strncmp (name, WHITEOUT_META_PREFIX, strlen (WHITEOUT_META_PREFIX)) == 0)
    r = 0; /* AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): no file of the image */
  else if (unpack_is_opaque (ctx, parent))
    r = 0; /* the opaque directory hides the lower entry already */
  else
    {
      parentfd = unpack_parent_open (ctx, parent, path, err);
      if (parentfd < 0)
        return parentfd;
      /* EEXIST: this layer has the name itself, which hides the lower one;
       * the whiteout must not delete the layer's own entry.  */
      if (mknodat (parentfd, target, S_IFCHR | 0000, makedev (0, 0)) == 0)
        ctx->stats->whiteouts++;
      else if (errno != EEXIST)
        return unpack_entry_fail (err, errno, path, "create whiteout device");
      r = 0;
    }
  if (r < 0)
    return r;
  return unpack_data_skip (ctx, path, err);
}
