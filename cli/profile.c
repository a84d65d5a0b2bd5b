/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile list|show|lint|explain|diff.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/profile.h"
#include "common/cleanup.h"
#include "config.h"
#include "profiles/profile.h"

static const char profile_usage[]
    = "Usage: cordon profile COMMAND [ARGS]\n"
      "\n"
      "Security profiles: seccomp, capabilities, Landlock and AppArmor in one\n"
      "JSON file (doc/profiles.md).  NAME is a built-in or installed profile,\n"
      "FILE a path (anything with a '/' or ending in .json).\n"
      "\n"
      "Commands:\n"
      "  list                      the built-in and installed profiles\n"
      "  show NAME|FILE            the profile resolved (inheritance applied), as JSON\n"
      "  lint FILE [--strict]      schema errors, unknown syscalls, dead rules, dangerous grants\n"
      "  explain NAME|FILE [--syscall NAME]  what a workload can and cannot do\n"
      "  diff A B                  what one allows and the other does not\n"
      "  apparmor [--template T] NAME          an AppArmor profile made from a template\n"
      "  install-apparmor [--template T] NAME|FILE  (root) write and load it (apparmor_parser)\n"
      "  learn [OPTIONS] -- CMD    run CMD and write the smallest profile it runs under\n"
      "\n"
      "Exit status: 0 fine, 1 lint found errors (or warnings with --strict),\n"
      "2 usage error, 125 the profile cannot be read; learn exits with CMD's status.\n";

static int
profile_list (int argc, char **argv)
{
  (void)argv;
  if (argc > 1)
    {
      fputs (argc > 1 && strcmp (argv[1], "--help") == 0 ? "Usage: cordon profile list\n" : profile_usage,
             argc > 1 && strcmp (argv[1], "--help") == 0 ? stdout : stderr);
      return argc > 1 && strcmp (argv[1], "--help") == 0 ? 0 : EXIT_USAGE;
    }
  for (size_t i = 0; profile_builtin_name (i); i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      cleanup_profile struct cordon_profile *p = NULL;
      const char *name = profile_builtin_name (i);

      if (profile_load (name, &p, &err) < 0)
        {
          printf ("%-10s (unreadable: %s)\n", name, err.msg);
          continue;
        }
      printf ("%-10s %s\n", name, p->description ? p->description : "");
    }
  printf ("\nInstalled in %s/profiles; a file there overrides the built-in one.\n", CORDON_DATADIR);
  return 0;
}

static int
profile_show (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *p = NULL;
  cleanup_free char *json = NULL;

  if (argc == 2 && strcmp (argv[1], "--help") == 0)
    {
      fputs ("Usage: cordon profile show NAME|FILE\n\nPrints the profile with its inheritance resolved.\n", stdout);
      return 0;
    }
  if (argc != 2)
    {
      fputs ("Usage: cordon profile show NAME|FILE\n", stderr);
      return EXIT_USAGE;
    }
  if (profile_resolve (argv[1], &p, &err) < 0 || profile_to_json (p, &json, &err) < 0)
    return cli_fail (&err);
  printf ("%s\n", json);
  return 0;
}

int
cli_profile (int argc, char **argv)
{
  static const struct
  {
    const char *name;
    int (*run) (int argc, char **argv);
  } subs[] = {
    { "list", profile_list },           { "show", profile_show },     { "lint", cli_profile_lint },
    { "explain", cli_profile_explain }, { "diff", cli_profile_diff },
    { "apparmor", cli_profile_apparmor }, { "install-apparmor", cli_profile_install_apparmor },
    { "learn", cli_profile_learn },
  };

  if (argc < 2)
    {
      fputs (profile_usage, stderr);
      return EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (profile_usage, stdout);
      return 0;
    }
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    if (strcmp (argv[1], subs[i].name) == 0)
      return subs[i].run (argc - 1, argv + 1);
  fprintf (stderr, "cordon profile: unknown command `%s`\n\n%s", argv[1], profile_usage);
  return EXIT_USAGE;
}
