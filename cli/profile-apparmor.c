/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile apparmor [--template T] NAME: print a generated profile.
 * cordon profile install-apparmor [--template T] NAME|FILE: as root, write
 * it to /etc/apparmor.d/NAME (a FILE is loaded as it is) and load it with
 * apparmor_parser, replacing an older version.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/profile.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "profiles/apparmor-template.h"

static const char apparmor_usage[]
    = "Usage: cordon profile apparmor [--template default|strict] NAME\n"
      "       cordon profile install-apparmor [--template default|strict] NAME|FILE\n"
      "\n"
      "apparmor          prints the AppArmor profile NAME made from a template\n"
      "install-apparmor  (root) writes it to /etc/apparmor.d/NAME and loads it with\n"
      "                  apparmor_parser; a FILE (a path) is loaded as it is\n"
      "A cordon profile or `run --security-opt apparmor=NAME` then applies it.\n";

static int
parse (int argc, char **argv, const char **template_name, const char **name)
{
  static const struct option longopts[] = {
    { "template", required_argument, NULL, 'T' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  *template_name = "default";
  optind = 1;
  while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'T': *template_name = optarg; break;
      case 'h': fputs (apparmor_usage, stdout); exit (0);
      default: fputs (apparmor_usage, stderr); return -1;
      }
  if (optind != argc - 1)
    {
      fputs (apparmor_usage, stderr);
      return -1;
    }
  *name = argv[optind];
  return 0;
}

int
cli_profile_apparmor (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *text = NULL;
  const char *template_name, *name;

  if (parse (argc, argv, &template_name, &name) < 0)
    return EXIT_USAGE;
  if (apparmor_template_render (template_name, name, &text, &err) < 0)
    return cli_fail (&err);
  fputs (text, stdout);
  return 0;
}

static int
load_with_parser (const char *path, struct cordon_error *err)
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return cordon_error_set (err, errno, "fork");
  if (pid == 0)
    {
      /* -r: replace a loaded version; -W: write the cache for the next boot.  */
      execlp ("apparmor_parser", "apparmor_parser", "-r", "-W", path, (char *)NULL);
      fprintf (stderr, "cordon: apparmor_parser: %s (apt-get install apparmor)\n", strerror (errno));
      _exit (127);
    }
  if (waitpid (pid, &status, 0) < 0)
    return cordon_error_set (err, errno, "wait for apparmor_parser");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return cordon_error_set (err, EIO, "apparmor_parser could not load `%s`", path);
  return 0;
}

int
cli_profile_install_apparmor (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *text = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  const char *template_name, *name;

  if (parse (argc, argv, &template_name, &name) < 0)
    return EXIT_USAGE;
  if (geteuid () != 0)
    {
      cordon_error_set (&err, EPERM, "install-apparmor loads kernel policy: run it as root");
      return cli_fail (&err);
    }
  if (strchr (name, '/'))
    return load_with_parser (name, &err) < 0 ? cli_fail (&err) : 0;
  if (apparmor_template_render (template_name, name, &text, &err) < 0)
    return cli_fail (&err);
  if (asprintf (&path, "/etc/apparmor.d/%s", name) < 0)
    return cordon_error_set (&err, ENOMEM, "out of memory"), cli_fail (&err);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 || !fd_write_all (fd, text, strlen (text)))
    {
      cordon_error_set (&err, errno, "write `%s`", path);
      return cli_fail (&err);
    }
  if (load_with_parser (path, &err) < 0)
    return cli_fail (&err);
  printf ("loaded AppArmor profile %s (%s)\n", name, path);
  return 0;
}
