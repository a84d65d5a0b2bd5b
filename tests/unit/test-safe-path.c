/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safe-path.h"

Test (safe_path, clean_paths)
{
  cr_assert (safe_path_is_clean ("/"));
  cr_assert (safe_path_is_clean ("/a/b"));
  cr_assert (safe_path_is_clean ("/a/b/"));
  cr_assert (safe_path_is_clean ("/a/.hidden"));
  cr_assert_not (safe_path_is_clean ("a/b"));
  cr_assert_not (safe_path_is_clean ("/a/../b"));
  cr_assert_not (safe_path_is_clean ("/a/./b"));
  cr_assert_not (safe_path_is_clean (".."));
  cr_assert_not (safe_path_is_clean (NULL));
}

Test (safe_path, split)
{
  const char *last = NULL;
  char *parent = safe_path_split ("/a/b/c", &last);

  cr_assert_str_eq (parent, "/a/b");
  cr_assert_str_eq (last, "c");
  free (parent);
  parent = safe_path_split ("/a", &last);
  cr_assert_str_eq (parent, "/");
  cr_assert_str_eq (last, "a");
  free (parent);
  cr_assert_null (safe_path_split ("/", &last));
}

static char root[] = "/tmp/cordon-unit-root.XXXXXX";
static char outside[] = "/tmp/cordon-unit-out.XXXXXX";

static void
setup (void)
{
  cr_assert_not_null (mkdtemp (root));
  cr_assert_not_null (mkdtemp (outside));
}

static void
teardown (void)
{
  char cmd[256];
  snprintf (cmd, sizeof cmd, "rm -rf %s %s", root, outside);
  cr_assert_eq (system (cmd), 0);
}

Test (safe_path, symlinks_resolve_inside_the_root, .init = setup, .fini = teardown)
{
  char link[512], target[512];
  int rootfd = open (root, O_PATH | O_DIRECTORY);
  int fd;

  /* An absolute symlink to a host directory resolves inside the root.  */
  snprintf (link, sizeof link, "%s/escape", root);
  cr_assert_eq (symlink (outside, link), 0);
  snprintf (target, sizeof target, "%s/file", outside);
  close (open (target, O_CREAT | O_WRONLY, 0600));
  fd = safe_openat_in_root (rootfd, "/escape/file", O_RDONLY, 0);
  cr_assert_eq (fd, -ENOENT, "the host file must not be reachable: %d", fd);
  fd = safe_openat_in_root (rootfd, "/../../../../escape/file", O_RDONLY, 0);
  cr_assert_eq (fd, -ENOENT);
  close (rootfd);
}

Test (safe_path, a_symlinked_mount_point_is_refused, .init = setup, .fini = teardown)
{
  struct cordon_error err = { 0 };
  char link[512];
  int rootfd = open (root, O_PATH | O_DIRECTORY);
  int fd;

  snprintf (link, sizeof link, "%s/evil", root);
  cr_assert_eq (symlink (outside, link), 0);
  fd = safe_open_mount_point (rootfd, "/evil", true, false, &err);
  cr_assert_lt (fd, 0);
  cr_assert (strstr (err.msg, "symlink") != NULL, "%s", err.msg);
  cordon_error_release (&err);
  close (rootfd);
}

Test (safe_path, missing_mount_points_are_created_inside, .init = setup, .fini = teardown)
{
  struct cordon_error err = { 0 };
  char path[512];
  struct stat st;
  int rootfd = open (root, O_PATH | O_DIRECTORY);
  int fd;

  fd = safe_open_mount_point (rootfd, "/a/b/file", true, true, &err);
  cr_assert_geq (fd, 0, "%s", err.msg);
  close (fd);
  snprintf (path, sizeof path, "%s/a/b/file", root);
  cr_assert_eq (stat (path, &st), 0);
  cr_assert (S_ISREG (st.st_mode));
  close (rootfd);
}

Test (safe_path, a_dangling_symlink_parent_creates_nothing_outside, .init = setup, .fini = teardown)
{
  struct cordon_error err = { 0 };
  char link[512], path[512];
  struct stat st;
  int rootfd = open (root, O_PATH | O_DIRECTORY);
  int fd;

  /* /parent points at a host directory: inside the root that path does not
   * exist, so the mount point is refused rather than created anywhere.  */
  snprintf (link, sizeof link, "%s/parent", root);
  cr_assert_eq (symlink (outside, link), 0);
  fd = safe_open_mount_point (rootfd, "/parent/sub/file", true, true, &err);
  cr_assert_lt (fd, 0);
  cordon_error_release (&err);
  snprintf (path, sizeof path, "%s/sub", outside);
  cr_assert_neq (stat (path, &st), 0, "nothing may be created outside the root");
  close (rootfd);
}
