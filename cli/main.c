/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
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
  { "create", cli_create, "record a sandbox without running it (start runs it)" },
  { "start", cli_start, "start created or ended sandboxes, detached" },
  { "exec", cli_exec, "run a command in a running detached sandbox" },
  { "cp", cli_cp, "copy files between a sandbox and the host" },
  { "pause", cli_pause, "freeze every process of a sandbox (cgroup freezer)" },
  { "resume", cli_resume, "thaw a paused sandbox" },
  { "unpause", cli_resume, "the same as resume" },
  { "stats", cli_stats, "CPU, memory and pids of a running sandbox" },
  { "ps", cli_ps, "list detached sandboxes" },
  { "inspect", cli_inspect, "print a sandbox's state as JSON" },
  { "logs", cli_logs, "print a detached sandbox's output" },
  { "stop", cli_stop, "stop a sandbox (SIGTERM, then SIGKILL)" },
  { "kill", cli_kill, "send a signal to a sandbox's workload" },
  { "wait", cli_wait, "wait until a sandbox ends; print its exit code" },
  { "rm", cli_rm, "remove sandboxes" },
  { "spec", cli_spec, "print a default OCI config.json" },
  { "check", cli_check, "report which confinement layers hold on this host" },
  { "audit", cli_audit, "verify and read the audit log" },
  { "volume", cli_volume, "create, list, inspect and remove named volumes" },
  { "system", cli_system, "disk usage (df) and cleanup (prune)" },
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

/* Global options (`cordon --root DIR ps`) are handed to the command as its
 * own (`ps --root DIR`): one parser per option, in the command's file.  */
static int
run_command (const struct command *cmd, int argc, char **argv, const char *root)
{
  char **args;
  int r;

  if (root == NULL)
    return cmd->run (argc, argv);
  args = calloc ((size_t)argc + 3, sizeof *args);
  if (args == NULL)
    {
      fprintf (stderr, "cordon: out of memory\n");
      return EXIT_CORDON_FAILED;
    }
  args[0] = argv[0];
  args[1] = (char *)"--root";
  args[2] = (char *)root;
  for (int i = 1; i < argc; i++)
    args[i + 2] = argv[i];
  r = cmd->run (argc + 2, args);
  free (args);
  return r;
}

int
main (int argc, char **argv)
{
  const char *root = NULL;

  while (argc >= 2 && strncmp (argv[1], "--root", 6) == 0)
    {
      if (argv[1][6] == '=')
        root = argv[1] + 7;
      else if (argv[1][6] == '\0' && argc >= 3)
        {
          root = argv[2];
          argc--;
          argv++;
        }
      else
        break;
      argc--;
      argv++;
    }
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
      return run_command (&commands[i], argc - 1, argv + 1, root);
  fprintf (stderr, "cordon: unknown command '%s'\n", argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}
