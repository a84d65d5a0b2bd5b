/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/apparmor.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/apparmor.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

bool
apparmor_host_enabled (void)
{
  char buf[8];

  if (fd_read_small ("/sys/module/apparmor/parameters/enabled", 0, buf, sizeof buf) <= 0 || buf[0] != 'Y')
    return false;
  return access ("/sys/kernel/security/apparmor", F_OK) == 0;
}

/* policy/profiles/ has one "NAME.N" directory per loaded profile and, unlike
 * the "profiles" list, can be read without privilege.  */
static int
loaded_in_policy_dir (const char *profile)
{
  DIR *d = opendir ("/sys/kernel/security/apparmor/policy/profiles");
  struct dirent *e;
  size_t n = strlen (profile);
  int found = 0;

  if (d == NULL)
    return -errno;
  while (!found && (e = readdir (d)))
    if (strncmp (e->d_name, profile, n) == 0 && e->d_name[n] == '.' && strspn (e->d_name + n + 1, "0123456789") > 0)
      found = 1;
  closedir (d);
  return found;
}

int
apparmor_profile_loaded (const char *profile)
{
  cleanup_file FILE *f = NULL;
  char line[4096];
  size_t n = strlen (profile);
  int r = loaded_in_policy_dir (profile);

  if (r >= 0)
    return r;
  f = fopen ("/sys/kernel/security/apparmor/profiles", "re");
  if (f == NULL)
    return -errno;
  /* One "NAME (MODE)" line per profile.  */
  while (fgets (line, sizeof line, f))
    if (strncmp (line, profile, n) == 0 && line[n] == ' ' && line[n + 1] == '(')
      return 1;
  return 0;
}

const char *
apparmor_unavailable_reason (const char *profile)
{
  int r;

  if (!apparmor_host_enabled ())
    return "this host does not enforce AppArmor";
  r = apparmor_profile_loaded (profile);
  if (r < 0)
    return "the list of loaded AppArmor profiles cannot be read";
  if (r == 0)
    return "the AppArmor profile is not loaded (as root: cordon profile install-apparmor NAME)";
  return NULL;
}

int
apparmor_change_onexec (const char *profile, struct cordon_error *err)
{
  if (aa_change_onexec (profile) < 0)
    return cordon_error_set (err, errno, "apparmor: change_onexec to `%s`", profile);
  return 0;
}
