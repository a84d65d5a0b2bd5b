/* SPDX-License-Identifier: Apache-2.0 */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/commands.h"
#include "config.h"

int
cli_version (int argc, char **argv)
{
  const struct scmp_version *sv = seccomp_version ();
  struct utsname u;

  if (argc > 1 && strcmp (argv[1], "--help") == 0)
    {
      printf ("Usage: cordon version\n\nPrints cordon's version, the OCI runtime-spec version it speaks,\n"
              "and the versions of the libraries and kernel it runs with.\n");
      return 0;
    }
  printf ("cordon version %s\n", CORDON_VERSION);
  printf ("spec: 1.0.2\n");
  if (sv)
    printf ("libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
  if (uname (&u) == 0)
    printf ("kernel: %s %s\n", u.release, u.machine);
  return 0;
}
