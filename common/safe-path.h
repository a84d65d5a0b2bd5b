/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution that a hostile tree cannot redirect: every path that comes
 * from a user, a bundle or an image is resolved with openat2(2) and
 * RESOLVE_IN_ROOT, so that `..` and absolute symlinks stay inside `rootfd`
 * (CVE-2021-30465, CVE-2018-15664 class), and magic links are refused.  */
#ifndef CORDON_COMMON_SAFE_PATH_H
#define CORDON_COMMON_SAFE_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

/* openat2(rootfd, path, flags|O_CLOEXEC, mode, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS).
 * Returns the fd or -errno (no error message: callers decide what failed).  */
int safe_openat_in_root (int rootfd, const char *path, int flags, mode_t mode);

/* Opens the mount point `path` (absolute, inside `rootfd`) as an O_PATH fd.
 * Intermediate symlinks resolve inside the root; a final component that is a
 * symlink is refused (ELOOP), because mounting onto it is how a hostile tree
 * redirects a mount.  When missing and `create` is set, it is created: a
 * directory, or an empty file when `as_file`.  */
int safe_open_mount_point (int rootfd, const char *path, bool create, bool as_file, struct cordon_error *err);

/* Splits "/a/b/c" into a heap copy of the parent ("/a/b") and a pointer to the
 * last component inside `path`.  Returns NULL for "/" or an empty path.  */
char *safe_path_split (const char *path, const char **last);

/* True when `path` is absolute, has no "." or ".." component and no empty
 * component other than a trailing slash.  */
bool safe_path_is_clean (const char *path);

#endif
