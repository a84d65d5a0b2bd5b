/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"

static int
set_string (int fsfd, const char *key, const char *value, struct cordon_error *err)
{
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, key, value, 0) < 0)
    return cordon_error_set (err, errno, "overlay option %s=%s", key, value);
  return 0;
}

/* Overlay takes ':' and ',' in the legacy option as separators and '\' as
 * escape; our store paths never hold them, and refusing beats escaping.  */
static int
check_path (const char *path, struct cordon_error *err)
{
  if (path[0] != '/' || strpbrk (path, ":,\\") != NULL)
    return cordon_error_set (err, EINVAL, "overlay layer path `%s` must be absolute without ':', ',' or '\\'", path);
  return 0;
}

static int
set_lowers_each (int fsfd, char *const *lowers, struct cordon_error *err)
{
  for (size_t i = 0; lowers[i]; i++)
    if (fsconfig (fsfd, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
      return cordon_error_set (err, errno, "overlay layer `%s`", lowers[i]);
  return 0;
}

/* The joined form must fit a page, which bounds the number of layers on
 * kernels before 6.8.  */
static int
set_lowers_joined (int fsfd, char *const *lowers, struct cordon_error *err)
{
  cleanup_free char *joined = NULL;
  size_t len = 0;

  for (size_t i = 0; lowers[i]; i++)
    len += strlen (lowers[i]) + 1;
  if (len > 4000)
    return cordon_error_set (err, E2BIG, "%zu image layers are too many for this kernel's overlay (needs Linux 6.8)",
                             strv_length (lowers));
  joined = calloc (1, len + 1);
  if (joined == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; lowers[i]; i++)
    {
      if (i > 0)
        strcat (joined, ":");
      strcat (joined, lowers[i]);
    }
  return set_string (fsfd, "lowerdir", joined, err);
}

/* One attempt: `each` passes the layers one by one ("lowerdir+", Linux 6.8,
 * no length limit).  Kernels before 6.5 take unknown keys at fsconfig time
 * and refuse them only at create, hence the whole attempt is retried.  */
static int
try_mount (const struct overlay_plan *plan, bool each, struct cordon_error *err)
{
  cleanup_close int fsfd = -1;
  unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  int mfd;
  int r;

  fsfd = fsopen ("overlay", FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return cordon_error_set (err, errno, "fsopen overlay (is overlayfs available?)");
  /* userxattr: opaque markers are user.overlay.* (what an unprivileged
   * unpacker can write); it also keeps trusted.* out of the picture.  No
   * metacopy or redirect_dir: lower layers are untrusted data.  */
  if (fsconfig (fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
    return cordon_error_set (err, errno, "overlay option userxattr (needs Linux 5.11)");
  r = each ? set_lowers_each (fsfd, plan->lowers, err) : set_lowers_joined (fsfd, plan->lowers, err);
  if (r < 0)
    return r;
  if (plan->upper)
    {
      r = set_string (fsfd, "upperdir", plan->upper, err);
      if (r >= 0)
        r = set_string (fsfd, "workdir", plan->work, err);
      if (r < 0)
        return r;
    }
  else
    attrs |= MOUNT_ATTR_RDONLY;
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return cordon_error_set (err, errno, "create the overlay root");
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, attrs);
  if (mfd < 0)
    return cordon_error_set (err, errno, "mount the overlay root");
  return mfd;
}

int
overlay_mount (const struct overlay_plan *plan, struct cordon_error *err)
{
  int r;

  if (plan->lowers == NULL || plan->lowers[0] == NULL)
    return cordon_error_set (err, EINVAL, "an overlay root needs at least one layer");
  for (size_t i = 0; plan->lowers[i]; i++)
    {
      r = check_path (plan->lowers[i], err);
      if (r < 0)
        return r;
    }
  if (plan->upper && (check_path (plan->upper, err) < 0 || check_path (plan->work, err) < 0))
    return cordon_error_code (err);
  r = try_mount (plan, true, err);
  if (r == -EINVAL)
    {
      cordon_error_release (err);
      r = try_mount (plan, false, err);
    }
  return r;
}

void
overlay_plan_release (struct overlay_plan *plan)
{
  cleanup_strvp (&plan->lowers);
  free (plan->upper);
  free (plan->work);
  plan->lowers = NULL;
  plan->upper = plan->work = NULL;
}
