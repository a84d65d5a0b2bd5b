/* SPDX-License-Identifier: Apache-2.0 */
/* cordon create: Docker's create, `run -d` without the running.  The
 * sandbox is recorded (state `created`, its config, and how to run it)
 * and its named volumes made; `cordon start` runs it.  The OCI runtime's
 * `create --bundle DIR ID` is another command with the same name.  */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/run.h"

static const char create_usage[] = "Usage: cordon create [--name NAME] [RUN OPTIONS] [-- COMMAND [ARG...]]\n"
                                   "\n"
                                   "Records a sandbox without running it, and prints its id; `cordon start ID`\n"
                                   "runs it (detached).  Takes cordon run's options (see cordon run --help),\n"
                                   "but not -d, -i or -t.\n";

int
cli_create (int argc, char **argv)
{
  const struct run_lifecycle lc = { .create_only = true };

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--help") == 0)
        {
          fputs (create_usage, stdout);
          return 0;
        }
      if (strcmp (argv[i], "-d") == 0 || strcmp (argv[i], "--detach") == 0)
        {
          fprintf (stderr, "cordon: create: -d: a created sandbox runs detached when started\n");
          return EXIT_USAGE;
        }
    }
  return cli_run_lifecycle (argc, argv, &lc);
}
