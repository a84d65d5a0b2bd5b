/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/userns.h"
#include "image/import.h"

int
image_policy_load (const char *path, struct trust_policy **out, struct cordon_error *err)
{
  cleanup_free char *user = NULL;
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");

  if (path)
    return trust_policy_load (path, out, err);
  if (!userns_host_root ())
    {
      int n = -1;
      if (xdg && xdg[0] == '/')
        n = asprintf (&user, "%s/cordon/policy.json", xdg);
      else if (home && home[0] == '/')
        n = asprintf (&user, "%s/.config/cordon/policy.json", home);
      if (n >= 0 && access (user, F_OK) == 0)
        return trust_policy_load (user, out, err);
    }
  if (access ("/etc/cordon/policy.json", F_OK) == 0)
    return trust_policy_load ("/etc/cordon/policy.json", out, err);
  return trust_policy_builtin (out, err);
}
