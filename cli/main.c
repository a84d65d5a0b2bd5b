/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "config.h"

struct command
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "run", cli_run, "run a command in a new sandbox" },
  { "spec", cli_spec, "print a default OCI config.json" },
  { "check", cli_check, "report which confinement layers hold on this host" },
  { "audit", cli_audit, "verify and read the audit log" },
  { "image", cli_image, "import, verify, sign and manage images" },
  { "profile", cli_profile, "list, show, lint, explain and diff security profiles" },
  { "version", cli_version, "print the version" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: cordon COMMAND [OPTIONS]\n\n"
                "A sandbox runner for untrusted workloads.\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'cordon COMMAND --help' for a command's options.\n");
}

int
cli_fail (struct cordon_error *err)
{
  fprintf (stderr, "cordon: %s\n", err && err->msg ? err->msg : "unknown error");
  cordon_error_release (err);
  return EXIT_CORDON_FAILED;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    return cli_version (argc - 1, argv + 1);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "cordon: unknown command '%s'\n", argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}
