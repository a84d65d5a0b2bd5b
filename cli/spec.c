/* SPDX-License-Identifier: Apache-2.0 */
/* cordon spec: a default OCI config.json, as `crun spec` / `runc spec` give.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/cleanup.h"
#include "sandbox/spec.h"

static const char spec_usage[] = "Usage: cordon spec [--rootless] [--bundle DIR]\n"
                                 "\n"
                                 "Prints a default OCI config.json (every namespace, a read-only root,\n"
                                 "no capabilities, cordon's baseline seccomp filter) on stdout, or\n"
                                 "writes DIR/config.json with --bundle (never over an existing one).\n"
                                 "\n"
                                 "      --rootless     include uid/gid mappings for the calling user\n"
                                 "  -b, --bundle DIR   write DIR/config.json\n"
                                 "      --help         this text\n";

int
cli_spec (int argc, char **argv)
{
  static const struct option options[] = {
    { "rootless", no_argument, NULL, 'r' },
    { "bundle", required_argument, NULL, 'b' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  cleanup_spec struct cordon_spec *spec = NULL;
  cleanup_free char *json = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  const char *bundle = NULL;
  bool rootless = false;
  size_t len;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "b:", options, NULL)) != -1)
    switch (c)
      {
      case 'r':
        rootless = true;
        break;
      case 'b':
        bundle = optarg;
        break;
      case 'H':
        fputs (spec_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: spec: unknown option `%s`\n%s", argv[optind - 1], spec_usage);
        return EXIT_USAGE;
      }
  if (optind < argc)
    {
      fprintf (stderr, "cordon: spec: unexpected argument `%s`\n", argv[optind]);
      return EXIT_USAGE;
    }
  if (spec_new_default (rootless, &spec, &err) < 0 || spec_to_json (spec, &json, &len, &err) < 0)
    return cli_fail (&err);
  if (bundle == NULL)
    {
      if (fwrite (json, 1, len, stdout) != len || fputc ('\n', stdout) == EOF || fflush (stdout) == EOF)
        {
          cordon_error_set (&err, errno, "write the config");
          return cli_fail (&err);
        }
      return 0;
    }
  if (asprintf (&path, "%s/config.json", bundle) < 0)
    {
      cordon_error_set (&err, ENOMEM, "out of memory");
      return cli_fail (&err);
    }
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    {
      cordon_error_set (&err, errno, "create `%s`", path);
      return cli_fail (&err);
    }
  if (write (fd, json, len) != (ssize_t)len || write (fd, "\n", 1) != 1)
    {
      cordon_error_set (&err, errno, "write `%s`", path);
      unlink (path);
      return cli_fail (&err);
    }
  return 0;
}
