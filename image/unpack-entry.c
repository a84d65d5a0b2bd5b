/* SPDX-License-Identifier: Apache-2.0 */
/* One tar entry becomes one object in the layer directory, created with
 * *at() calls relative to its parent's fd, never following a symlink in the
 * last component; whiteouts become overlay whiteouts.  The rules and the
 * attacks they answer: ../shared/docs/images-and-signatures.md §2.3, §3.1.  */
#include "image/unpack-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

#define MAX_XATTRS 128
#define MAX_XATTR_VALUE (64 * 1024)
#define MAX_SYMLINK_TARGET 4095

struct entry_info
{
  const char *path; /* normalised, for messages */
  const char *name; /* last component */
  mode_t mode;      /* permission bits, setuid/setgid already stripped */
  bool chown;
  uid_t uid;
  gid_t gid;
  struct timespec times[2];
};

int
unpack_entry_fail (struct cordon_error *err, int errnum, const char *path, const char *what)
{
  char q[256];

  return cordon_error_set (err, errnum, "layer entry `%s`: %s", unpack_name_quote (path, q, sizeof q), what);
}

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* Overlay control xattrs in layer data would be honoured by the overlay
 * mount (userxattr): a forged whiteout, opaque dir, redirect or metacopy.
 * Refuse the layer before anything of the entry is written.  */
static int
entry_check_xattrs (struct archive_entry *entry, const char *path, bool *has_user, struct cordon_error *err)
{
  const char *name;
  const void *value;
  size_t size;
  int n = archive_entry_xattr_reset (entry);

  *has_user = false;
  if (n > MAX_XATTRS)
    return unpack_entry_fail (err, E2BIG, path, "too many xattrs");
  while (archive_entry_xattr_next (entry, &name, &value, &size) == ARCHIVE_OK)
    {
      if (name == NULL)
        return unpack_entry_fail (err, EINVAL, path, "xattr without a name");
      if (has_prefix (name, "user.overlay.") || has_prefix (name, "trusted.overlay."))
        return unpack_entry_fail (err, EPERM, path, "overlay xattr in layer data");
      if (size > MAX_XATTR_VALUE)
        return unpack_entry_fail (err, E2BIG, path, "xattr value over 64 KiB");
      if (has_prefix (name, "user."))
        *has_user = true;
    }
  return 0;
}

/* user.* xattrs are kept; security.* (file capabilities, SELinux labels),
 * trusted.* and system.* (ACLs) are dropped and counted.  `fd` < 0: the
 * object cannot carry user xattrs (a symlink), so they are dropped too.  */
static int
entry_apply_xattrs (struct unpack_ctx *ctx, struct archive_entry *entry, int fd, const char *path,
                    struct cordon_error *err)
{
  const char *name;
  const void *value;
  size_t size;

  archive_entry_xattr_reset (entry);
  while (archive_entry_xattr_next (entry, &name, &value, &size) == ARCHIVE_OK)
    {
      if (fd < 0 || !has_prefix (name, "user."))
        {
          ctx->stats->stripped++;
          continue;
        }
      if (fsetxattr (fd, name, value, size, 0) < 0)
        return unpack_entry_fail (err, errno, path, "set xattr");
    }
  return 0;
}

static int
entry_read_info (struct unpack_ctx *ctx, struct archive_entry *entry, const char *path, const char *name, bool is_dir,
                 struct entry_info *info, struct cordon_error *err)
{
  mode_t perm = archive_entry_perm (entry) & 07777;
  mode_t strip = is_dir ? S_ISUID : (S_ISUID | S_ISGID); /* setgid on dirs only inherits the group */

  info->path = path;
  info->name = name;
  if (perm & strip)
    {
      perm &= ~strip;
      ctx->stats->stripped++;
    }
  info->mode = perm;
  info->chown = ctx->owner_uid >= 0;
  if (info->chown)
    {
      la_int64_t uid = archive_entry_uid (entry), gid = archive_entry_gid (entry);

      /* The sandbox maps 65536 ids; an id beyond them has no owner there. */
      if (uid < 0 || uid > 65535 || gid < 0 || gid > 65535)
        return unpack_entry_fail (err, ERANGE, path, "uid or gid beyond 65535");
      info->uid = (uid_t)(ctx->owner_uid + uid);
      info->gid = (gid_t)(ctx->owner_gid + gid);
    }
  if (archive_entry_mtime_is_set (entry))
    {
      info->times[0].tv_sec = info->times[1].tv_sec = archive_entry_mtime (entry);
      info->times[0].tv_nsec = info->times[1].tv_nsec = archive_entry_mtime_nsec (entry);
    }
  else
    info->times[0].tv_nsec = info->times[1].tv_nsec = UTIME_OMIT;
  return 0;
}

/* `name` exists where the entry goes.  Both directories: keep it (the entry
 * only sets attributes; *keep = true).  Otherwise the last entry wins: unlink
 * (a directory with its subtree) so the caller creates afresh with O_EXCL;
 * an existing file is never opened for writing (it may be a hardlink).  */
static int
entry_make_room (int parentfd, const struct entry_info *info, bool new_is_dir, bool new_is_symlink, bool *keep,
                 struct cordon_error *err)
{
  struct stat st;

  *keep = false;
  if (fstatat (parentfd, info->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : unpack_entry_fail (err, errno, info->path, "stat existing");
  if (S_ISDIR (st.st_mode))
    {
      if (new_is_dir)
        {
          *keep = true;
          return 0;
        }
      /* A symlink over a directory of the same layer is the shape of the
       * deferred-fixup attack (CVE-2021-31566); no real layer needs it.  */
      if (new_is_symlink)
        return unpack_entry_fail (err, EPERM, info->path, "symlink replaces a directory of the same layer");
      return layer_remove_tree (parentfd, info->name, err);
    }
  if (unlinkat (parentfd, info->name, 0) < 0)
    return unpack_entry_fail (err, errno, info->path, "replace existing");
  return 0;
}

static int
unpack_reader_fail (struct unpack_ctx *ctx, const char *path, struct cordon_error *err)
{
  char what[300], q[256];

  snprintf (what, sizeof what, "layer entry `%s`", unpack_name_quote (path, q, sizeof q));
  return layer_reader_fail (ctx->reader, what, err);
}

int
unpack_data_skip (struct unpack_ctx *ctx, const char *path, struct cordon_error *err)
{
  if (archive_read_data_skip (ctx->archive) != ARCHIVE_OK)
    {
      if (ctx->reader->err.msg != NULL)
        return unpack_reader_fail (ctx, path, err);
      return unpack_entry_fail (err, EIO, path, archive_error_string (ctx->archive) ?: "tar read error");
    }
  return 0;
}

static int
entry_regular (struct unpack_ctx *ctx, struct archive_entry *entry, int parentfd, const struct entry_info *info,
               struct cordon_error *err)
{
  cleanup_close int fd = -1;
  const void *buf;
  size_t size;
  la_int64_t offset;
  uint64_t written = 0;
  bool keep;
  int r;

  fd = openat (parentfd, info->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    {
      r = entry_make_room (parentfd, info, false, false, &keep, err);
      if (r < 0)
        return r;
      fd = openat (parentfd, info->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    return unpack_entry_fail (err, errno, info->path, "create file");
  for (;;)
    {
      r = archive_read_data_block (ctx->archive, &buf, &size, &offset);
      if (r == ARCHIVE_EOF)
        break;
      if (r != ARCHIVE_OK)
        {
          if (ctx->reader->err.msg != NULL)
            return unpack_reader_fail (ctx, info->path, err);
          return unpack_entry_fail (err, EIO, info->path, archive_error_string (ctx->archive) ?: "tar read error");
        }
      if (offset < 0 || (uint64_t)offset != written)
        return unpack_entry_fail (err, EINVAL, info->path, "file data with holes (sparse)");
      if (size > 0 && !fd_write_all (fd, buf, size))
        return unpack_entry_fail (err, errno, info->path, "write file");
      written += size;
    }
  if (info->chown && fchown (fd, info->uid, info->gid) < 0)
    return unpack_entry_fail (err, errno, info->path, "chown");
  r = entry_apply_xattrs (ctx, entry, fd, info->path, err);
  if (r < 0)
    return r;
  if (fchmod (fd, info->mode) < 0)
    return unpack_entry_fail (err, errno, info->path, "chmod");
  if (futimens (fd, info->times) < 0)
    return unpack_entry_fail (err, errno, info->path, "set mtime");
  return 0;
}

static int
entry_directory (struct unpack_ctx *ctx, struct archive_entry *entry, int parentfd, const struct entry_info *info,
                 unsigned depth, bool has_user_xattrs, struct cordon_error *err)
{
  bool keep = false;
  int r;

  /* 0700 while we fill it: a mode 000 directory with children must stay
   * writable for a rootless unpacker.  The final mode comes last.  */
  if (mkdirat (parentfd, info->name, 0700) < 0)
    {
      if (errno != EEXIST)
        return unpack_entry_fail (err, errno, info->path, "create directory");
      r = entry_make_room (parentfd, info, true, false, &keep, err);
      if (r < 0)
        return r;
      if (!keep && mkdirat (parentfd, info->name, 0700) < 0)
        return unpack_entry_fail (err, errno, info->path, "create directory");
    }
  if (info->chown && fchownat (parentfd, info->name, info->uid, info->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return unpack_entry_fail (err, errno, info->path, "chown");
  if (has_user_xattrs)
    {
      cleanup_close int fd = openat (parentfd, info->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (fd < 0)
        return unpack_entry_fail (err, errno, info->path, "open directory");
      r = entry_apply_xattrs (ctx, entry, fd, info->path, err);
    }
  else
    r = entry_apply_xattrs (ctx, entry, -1, info->path, err);
  if (r < 0)
    return r;
  if (unpack_defer_dir (ctx, info->path, depth, info->mode, &info->times[1]) < 0)
    return unpack_entry_fail (err, ENOMEM, info->path, "remember directory");
  return 0;
}

static int
entry_symlink (struct unpack_ctx *ctx, struct archive_entry *entry, int parentfd, const struct entry_info *info,
               struct cordon_error *err)
{
  const char *target = archive_entry_symlink (entry);
  bool keep;
  int r;

  if (target == NULL)
    target = archive_entry_symlink_utf8 (entry);
  if (target == NULL || target[0] == '\0')
    return unpack_entry_fail (err, EINVAL, info->path, "symlink without a target");
  if (strlen (target) > MAX_SYMLINK_TARGET)
    return unpack_entry_fail (err, ENAMETOOLONG, info->path, "symlink target too long");
  /* Verbatim, absolute targets included: they resolve inside the sandbox at
   * run time, and nothing here ever follows a symlink.  */
  if (symlinkat (target, parentfd, info->name) < 0)
    {
      if (errno != EEXIST)
        return unpack_entry_fail (err, errno, info->path, "create symlink");
      r = entry_make_room (parentfd, info, false, true, &keep, err);
      if (r < 0)
        return r;
      if (symlinkat (target, parentfd, info->name) < 0)
        return unpack_entry_fail (err, errno, info->path, "create symlink");
    }
  if (info->chown && fchownat (parentfd, info->name, info->uid, info->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return unpack_entry_fail (err, errno, info->path, "chown");
  r = entry_apply_xattrs (ctx, entry, -1, info->path, err);
  if (r < 0)
    return r;
  if (utimensat (parentfd, info->name, info->times, AT_SYMLINK_NOFOLLOW) < 0)
    return unpack_entry_fail (err, errno, info->path, "set mtime");
  return 0;
}

/* A hardlink's target must be an earlier non-directory entry of this layer:
 * the layer directory holds nothing else, the target's parent is resolved
 * inside it without symlinks, and linkat(…, 0) does not follow a final
 * symlink.  Devices in the layer are whiteouts: linking to one would forge
 * another.  */
static int
entry_hardlink (struct unpack_ctx *ctx, struct archive_entry *entry, int parentfd, const struct entry_info *info,
                const char *raw_target, struct cordon_error *err)
{
  cleanup_free char *target = NULL;
  cleanup_free char *tparent = NULL;
  cleanup_close int tfd = -1;
  const char *tname;
  char *slash;
  unsigned depth;
  struct stat st;
  bool keep;
  int r;

  r = unpack_name_normalize (raw_target, ctx->limits, &target, &depth, err);
  if (r < 0)
    return cordon_error_wrap (err, "hardlink `%s`", info->path);
  if (target[0] == '\0')
    return unpack_entry_fail (err, EPERM, info->path, "hardlink to the layer root");
  slash = strrchr (target, '/');
  tparent = strndup (target, slash ? (size_t)(slash - target) : 0);
  if (tparent == NULL)
    return unpack_entry_fail (err, ENOMEM, info->path, "hardlink");
  tname = slash ? slash + 1 : target;
  tfd = unpack_openat2 (ctx->root, tparent[0] ? tparent : ".", O_PATH | O_DIRECTORY, UNPACK_RESOLVE);
  if (tfd < 0)
    return unpack_entry_fail (err, -tfd, info->path, "hardlink target is not an earlier entry of the layer");
  if (fstatat (tfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return unpack_entry_fail (err, errno, info->path, "hardlink target is not an earlier entry of the layer");
  if (S_ISDIR (st.st_mode) || S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    return unpack_entry_fail (err, EPERM, info->path, "hardlink target is a directory or a whiteout");
  if (linkat (tfd, tname, parentfd, info->name, 0) < 0)
    {
      if (errno != EEXIST)
        return unpack_entry_fail (err, errno, info->path, "create hardlink");
      r = entry_make_room (parentfd, info, false, false, &keep, err);
      if (r < 0)
        return r;
      if (linkat (tfd, tname, parentfd, info->name, 0) < 0)
        return unpack_entry_fail (err, errno, info->path, "create hardlink");
    }
  (void)entry;
  return unpack_data_skip (ctx, info->path, err);
}

static int
entry_fifo (struct unpack_ctx *ctx, struct archive_entry *entry, int parentfd, const struct entry_info *info,
            struct cordon_error *err)
{
  bool keep;
  int r;

  if (mkfifoat (parentfd, info->name, 0600) < 0)
    {
      if (errno != EEXIST)
        return unpack_entry_fail (err, errno, info->path, "create fifo");
      r = entry_make_room (parentfd, info, false, false, &keep, err);
      if (r < 0)
        return r;
      if (mkfifoat (parentfd, info->name, 0600) < 0)
        return unpack_entry_fail (err, errno, info->path, "create fifo");
    }
  if (info->chown && fchownat (parentfd, info->name, info->uid, info->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return unpack_entry_fail (err, errno, info->path, "chown");
  r = entry_apply_xattrs (ctx, entry, -1, info->path, err);
  if (r < 0)
    return r;
  /* Just created as a FIFO by us in a tree nothing else writes: following
   * is not possible here, and glibc's NOFOLLOW variant needs /proc.  */
  if (fchmodat (parentfd, info->name, info->mode, 0) < 0)
    return unpack_entry_fail (err, errno, info->path, "chmod");
  if (utimensat (parentfd, info->name, info->times, AT_SYMLINK_NOFOLLOW) < 0)
    return unpack_entry_fail (err, errno, info->path, "set mtime");
  return 0;
}

int
unpack_entry (struct unpack_ctx *ctx, struct archive_entry *entry, const char *path, unsigned depth,
              struct cordon_error *err)
{
  cleanup_free char *parent = NULL;
  const char *hardlink = archive_entry_hardlink (entry);
  mode_t type = archive_entry_filetype (entry);
  const char *slash, *name;
  struct entry_info info;
  bool has_user_xattrs;
  la_int64_t size = archive_entry_size (entry);
  int parentfd, r;

  if (archive_entry_sparse_count (entry) > 0)
    return unpack_entry_fail (err, EINVAL, path, "sparse file");
  /* Declared sizes count against the byte limit before anything is
   * written: a bomb is refused at its header, not after filling the disk. */
  if (size < 0 || (uint64_t)size > ctx->limits->max_bytes - ctx->reader->bytes)
    return unpack_entry_fail (err, EFBIG, path, "entry size is over the layer's byte limit");
  if (path[0] == '\0')
    {
      /* The layer root itself ("./"): never replaced, never re-moded; a
       * symlink or file named "." is an attack (CVE-2021-29136).  */
      if (hardlink != NULL || type != AE_IFDIR)
        return unpack_entry_fail (err, EPERM, archive_entry_pathname (entry) ?: ".",
                                  "entry would replace the layer root");
      return unpack_data_skip (ctx, path, err);
    }
  slash = strrchr (path, '/');
  parent = strndup (path, slash ? (size_t)(slash - path) : 0);
  if (parent == NULL)
    return unpack_entry_fail (err, ENOMEM, path, "parent");
  name = slash ? slash + 1 : path;

  if (has_prefix (name, ".wh."))
    return unpack_whiteout (ctx, entry, parent, name, path, err);

  r = entry_check_xattrs (entry, path, &has_user_xattrs, err);
  if (r < 0)
    return r;
  if (hardlink == NULL && (type == AE_IFCHR || type == AE_IFBLK))
    {
      if (type == AE_IFCHR && archive_entry_rdev (entry) == 0)
        return unpack_entry_fail (err, EPERM, path, "character device 0/0 (an overlay whiteout) in layer data");
      return unpack_entry_fail (err, EPERM, path, "device node in layer data");
    }
  if (hardlink == NULL && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO)
    return unpack_entry_fail (err, EPERM, path, "unsupported entry type");
  r = entry_read_info (ctx, entry, path, name, hardlink == NULL && type == AE_IFDIR, &info, err);
  if (r < 0)
    return r;
  parentfd = unpack_parent_open (ctx, parent, path, err);
  if (parentfd < 0)
    return parentfd;
  if (hardlink != NULL)
    return entry_hardlink (ctx, entry, parentfd, &info, hardlink, err);
  switch (type)
    {
    case AE_IFREG:
      return entry_regular (ctx, entry, parentfd, &info, err);
    case AE_IFDIR:
      r = entry_directory (ctx, entry, parentfd, &info, depth, has_user_xattrs, err);
      return r < 0 ? r : unpack_data_skip (ctx, path, err);
    case AE_IFLNK:
      r = entry_symlink (ctx, entry, parentfd, &info, err);
      return r < 0 ? r : unpack_data_skip (ctx, path, err);
    default:
      r = entry_fifo (ctx, entry, parentfd, &info, err);
      return r < 0 ? r : unpack_data_skip (ctx, path, err);
    }
}
