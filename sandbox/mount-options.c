/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/mount-options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"

struct attr_word
{
  const char *name;
  uint64_t set;
  uint64_t clr;
};

static const struct attr_word attr_words[] = {
  { "ro", MOUNT_ATTR_RDONLY, 0 },
  { "rw", 0, MOUNT_ATTR_RDONLY },
  { "nosuid", MOUNT_ATTR_NOSUID, 0 },
  { "suid", 0, MOUNT_ATTR_NOSUID },
  { "nodev", MOUNT_ATTR_NODEV, 0 },
  { "dev", 0, MOUNT_ATTR_NODEV },
  { "noexec", MOUNT_ATTR_NOEXEC, 0 },
  { "exec", 0, MOUNT_ATTR_NOEXEC },
  { "noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
  { "relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
  { "strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
  { "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
  { "diratime", 0, MOUNT_ATTR_NODIRATIME },
  { "nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
  { "symfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
};

/* Options that only say how propagation or remounting should work: cordon
 * makes every mount private, so they have nothing to do.  */
static const char *const ignored_words[] = {
  "private",    "rprivate",
  "slave",      "rslave",
  "shared",     "rshared",
  "unbindable", "runbindable",
  "defaults",   "newinstance" /* devpts always gets a new instance in a user namespace */,
  "sync",       "async",
  "dirsync",    "nomand",
  "iversion",   "noiversion",
  "tmpcopyup",  "copy-symlink",
  "z",          "Z",
  "U",          "idmap",
  "ridmap",
};

int
mount_options_parse (const struct cordon_mount *mount, struct mount_options *out, struct cordon_error *err)
{
  memset (out, 0, sizeof *out);
  out->recursive = true;
  out->is_bind = mount->type != NULL && strcmp (mount->type, "bind") == 0;

  for (char **o = mount->options; o && *o; o++)
    {
      bool done = false;

      if (strcmp (*o, "bind") == 0)
        {
          out->is_bind = true;
          out->recursive = false;
          continue;
        }
      if (strcmp (*o, "rbind") == 0)
        {
          out->is_bind = true;
          out->recursive = true;
          continue;
        }
      for (size_t i = 0; i < sizeof attr_words / sizeof attr_words[0] && !done; i++)
        if (strcmp (*o, attr_words[i].name) == 0)
          {
            out->attr_set = (out->attr_set & ~attr_words[i].clr) | attr_words[i].set;
            out->attr_clr |= attr_words[i].clr;
            out->attr_clr &= ~attr_words[i].set;
            if (attr_words[i].clr == MOUNT_ATTR__ATIME)
              out->attr_clr |= MOUNT_ATTR__ATIME;
            done = true;
          }
      for (size_t i = 0; i < sizeof ignored_words / sizeof ignored_words[0] && !done; i++)
        if (strcmp (*o, ignored_words[i]) == 0)
          done = true;
      if (done)
        continue;
      if (out->n_fs_params >= MOUNT_MAX_FS_PARAMS)
        return cordon_error_set (err, E2BIG, "mount `%s`: too many options", mount->destination);
      out->fs_params[out->n_fs_params++] = *o;
    }

  if (out->is_bind && out->n_fs_params > 0)
    return cordon_error_set (err, EINVAL, "mount `%s`: option `%s` is not valid for a bind mount", mount->destination,
                             out->fs_params[0]);
  return 0;
}

int
mount_options_fsconfig (int fsfd, const char *param, struct cordon_error *err)
{
  const char *eq = strchr (param, '=');
  int r;

  if (eq == NULL)
    r = fsconfig (fsfd, FSCONFIG_SET_FLAG, param, NULL, 0);
  else
    {
      cleanup_free char *key = strndup (param, (size_t)(eq - param));
      if (key == NULL)
        return cordon_error_set (err, ENOMEM, "mount option");
      r = fsconfig (fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
    }
  if (r < 0)
    return cordon_error_set (err, errno, "mount option `%s`", param);
  return 0;
}
