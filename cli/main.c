/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "sandbox/state.h"
#include "cli/oci.h"
#include "common/fd-util.h"
#include "netpolicy/holder.h"
#include "config.h"

struct command
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "run", cli_run, "run a command in a new sandbox" },
  { "create", cli_create, "record a sandbox without running it (start runs it); with --bundle, the OCI create" },
  { "start", cli_start, "start created or ended sandboxes, detached (an OCI container: its start)" },
  { "exec", cli_exec, "run a command in a running detached sandbox" },
  { "cp", cli_cp, "copy files between a sandbox and the host" },
  { "pause", cli_pause, "freeze every process of a sandbox (cgroup freezer)" },
  { "resume", cli_resume, "thaw a paused sandbox" },
  { "unpause", cli_resume, "the same as resume" },
  { "stats", cli_stats, "CPU, memory and pids of a running sandbox" },
  { "ps", cli_ps, "list detached sandboxes" },
  { "inspect", cli_inspect, "print a sandbox's state as JSON" },
  { "logs", cli_logs, "print a detached sandbox's output" },
  { "attach", cli_attach, "follow a detached sandbox's output until it ends" },
  { "stop", cli_stop, "stop a sandbox (SIGTERM, then SIGKILL)" },
  { "kill", cli_kill, "send a signal to a sandbox's workload" },
  { "wait", cli_wait, "wait until a sandbox ends; print its exit code" },
  { "rm", cli_rm, "remove sandboxes" },
  { "network", cli_network, "create and manage bridge networks" },
  { "spec", cli_spec, "print a default OCI config.json" },
  { "check", cli_check, "report which confinement layers hold on this host" },
  { "audit", cli_audit, "verify and read the audit log" },
  { "volume", cli_volume, "create, list, inspect and remove named volumes" },
  { "system", cli_system, "disk usage (df) and cleanup (prune)" },
  { "image", cli_image, "import, verify, sign and manage images" },
  { "profile", cli_profile, "list, show, lint, explain and diff security profiles" },
  { "version", cli_version, "print the version" },
  { "state", cli_oci_state, "OCI runtime: print a container's state" },
  { "delete", cli_oci_delete, "OCI runtime: delete a container" },
  { "list", cli_oci_list, "OCI runtime: list containers" },
  { "features", cli_oci_features, "OCI runtime: print the supported features" },
};

/* The OCI runtime's forms of kill, ps and exec share their names with the
 * Docker-style commands: `kill [--all] ID SIGNAL`, `ps ID`, `exec --process
 * F ...` (and runc's other exec flags) are the OCI ones.  */
static bool
has_arg (int argc, char **argv, const char *const *names)
{
  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    for (const char *const *n = names; *n; n++)
      if (strcmp (argv[i], *n) == 0 || (strncmp (argv[i], *n, strlen (*n)) == 0 && argv[i][strlen (*n)] == '='))
        return true;
  return false;
}

/* Is `id` a container made by the OCI create, waiting for start?  */
static bool
oci_container_waits (int argc, char **argv, const char *global_root, const char *id)
{
  const char *root_dir = global_root;
  struct state_root root = { .dfd = -1 };
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *sock = NULL;
  bool waits;

  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "--root") == 0)
      root_dir = argv[i + 1];
  char found[STATE_ID_HEX + 1];

  if (state_root_open (root_dir, &root, &err) < 0)
    return false;
  waits = state_lookup (&root, id, found, &err) >= 0 && asprintf (&sock, "%s/%s", found, OCI_START_SOCKET) >= 0
          && faccessat (root.dfd, sock, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  state_root_close (&root);
  return waits;
}

static int (*oci_form (int argc, char **argv, const char *global_root)) (int, char **)
{
  static const char *const kill_all[] = { "--all", "-a", NULL };
  static const char *const create_oci[] = { "--bundle", "-b", "--pid-file", "--console-socket", NULL };
  static const char *const dashdash[] = { "--", NULL };
  static const char *const docker_root[] = { "--rootfs", "--image", NULL };
  static const char *const attach[] = { "-a", "--attach", NULL };
  static const char *const exec_oci[] = { "--process", "-p", "--detach", "-d", "--pid-file", "--console-socket",
                                          "--preserve-fds", "--cap", "-c", "--cwd", "--process-label",
                                          "--apparmor", "--no-new-privs", NULL };
  int operands = 0, last = 0;

  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-')
      {
        operands++;
        last = i;
      }
    else if (strcmp (argv[i], "--root") == 0 || strcmp (argv[i], "--format") == 0 || strcmp (argv[i], "-s") == 0)
      i++;
  if (strcmp (argv[0], "kill") == 0
      && (has_arg (argc, argv, kill_all) || (operands == 2 && lifecycle_parse_signal (argv[last]) > 0)))
    return cli_oci_kill;
  if (strcmp (argv[0], "ps") == 0 && operands == 1)
    return cli_oci_ps;
  if (strcmp (argv[0], "exec") == 0 && has_arg (argc, argv, exec_oci))
    return cli_exec;
  /* runc's create: an id, the bundle (--bundle, or the working directory)
   * and no command; Docker's create: --rootfs or --image, run's flags and
   * a command.  */
  if (strcmp (argv[0], "create") == 0 && !has_arg (argc, argv, dashdash) && !has_arg (argc, argv, docker_root)
      && (has_arg (argc, argv, create_oci) || operands == 1))
    return cli_oci_create;
  /* start: an OCI container's init waits on its start socket.  */
  if (strcmp (argv[0], "start") == 0 && operands == 1 && !has_arg (argc, argv, attach)
      && oci_container_waits (argc, argv, global_root, argv[last]))
    return cli_oci_start;
  return NULL;
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: cordon COMMAND [OPTIONS]\n\n"
                "A sandbox runner for untrusted workloads.\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'cordon COMMAND --help' for a command's options.\n");
}

/* --log: where errors also go, set once before any command runs.  */
static struct
{
  int fd;
  bool json;
} runtime_log = { -1, false };

int
cli_log_open (const char *path, bool json)
{
  runtime_log.fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  runtime_log.json = json;
  return runtime_log.fd < 0 ? -1 : 0;
}

static void
log_error (const char *msg)
{
  char stamp[64], line[4096];
  struct timespec ts;
  struct tm tm;
  size_t off = 0;
  int n;

  if (runtime_log.fd < 0)
    return;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!runtime_log.json)
    n = snprintf (line, sizeof line, "%s error: %s\n", stamp, msg);
  else
    {
      /* JSON-escaped by hand: the message is ours, but may quote a path.  */
      n = snprintf (line, sizeof line, "{\"level\":\"error\",\"time\":\"%s\",\"msg\":\"", stamp);
      off = n > 0 ? (size_t)n : 0;
      for (const char *p = msg; *p && off + 8 < sizeof line; p++)
        {
          unsigned char c = (unsigned char)*p;
          if (c == '"' || c == '\\')
            off += (size_t)snprintf (line + off, sizeof line - off, "\\%c", c);
          else if (c < 0x20)
            off += (size_t)snprintf (line + off, sizeof line - off, "\\u%04x", c);
          else
            line[off++] = (char)c;
        }
      n = (int)off + snprintf (line + off, sizeof line - off, "\"}\n");
    }
  if (n > 0)
    fd_write_all (runtime_log.fd, line, strlen (line));
}

int
cli_fail (struct cordon_error *err)
{
  log_error (err && err->msg ? err->msg : "unknown error");
  fprintf (stderr, "cordon: %s\n", err && err->msg ? err->msg : "unknown error");
  cordon_error_release (err);
  return EXIT_CORDON_FAILED;
}

/* Global options (`cordon --root DIR ps`) are handed to the command as its
 * own (`ps --root DIR`): one parser per option, in the command's file.  */
static int
run_command (int (*run) (int, char **), int argc, char **argv, const char *root)
{
  char **args;
  int r;

  if (root == NULL)
    return run (argc, argv);
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
  r = run (argc + 2, args);
  free (args);
  return r;
}

/* An option before the command: `--NAME VALUE` or `--NAME=VALUE` when it
 * takes a value.  Returns how many arguments it used, 0 when not it.  */
static int
global_option (int argc, char **argv, const char *name, bool takes_value, const char **value)
{
  size_t n = strlen (name);

  if (strncmp (argv[1], name, n) != 0)
    return 0;
  if (!takes_value)
    return argv[1][n] == '\0' ? 1 : 0;
  if (argv[1][n] == '=')
    {
      *value = argv[1] + n + 1;
      return 1;
    }
  if (argv[1][n] == '\0' && argc >= 3)
    {
      *value = argv[2];
      return 2;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  const char *root = NULL, *log = NULL, *log_format = NULL, *ignored = NULL;

  /* The rootless network holder, re-executed (netpolicy/holder.h).  */
  if (argc == 1 && strcmp (argv[0], "cordon-netns") == 0)
    netns_holder_main ();

  /* runc's and crun's global options, as engines pass them.  --log and
   * --log-format name where errors also go (cli_fail); --systemd-cgroup,
   * --debug, --rootless and --criu are accepted: cordon makes its own
   * cgroup below its own (doc/oci-runtime.md).  */
  while (argc >= 2 && argv[1][0] == '-' && argv[1][1] == '-' && argv[1][2] != '\0')
    {
      int used = global_option (argc, argv, "--root", true, &root);
      if (!used)
        used = global_option (argc, argv, "--log-format", true, &log_format);
      if (!used)
        used = global_option (argc, argv, "--log", true, &log);
      if (!used)
        used = global_option (argc, argv, "--rootless", true, &ignored);
      if (!used)
        used = global_option (argc, argv, "--criu", true, &ignored);
      if (!used)
        used = global_option (argc, argv, "--systemd-cgroup", false, &ignored);
      if (!used)
        used = global_option (argc, argv, "--debug", false, &ignored);
      if (!used)
        break;
      argc -= used;
      argv += used;
    }
  if (log_format && strcmp (log_format, "json") != 0 && strcmp (log_format, "text") != 0)
    {
      fprintf (stderr, "cordon: --log-format: json or text, not `%s`\n", log_format);
      return EXIT_USAGE;
    }
  if (log && cli_log_open (log, log_format && strcmp (log_format, "json") == 0) < 0)
    {
      fprintf (stderr, "cordon: --log `%s`: %s\n", log, strerror (errno));
      return EXIT_CORDON_FAILED;
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
      {
        int (*oci) (int, char **) = oci_form (argc - 1, argv + 1, root);
        return run_command (oci ? oci : commands[i].run, argc - 1, argv + 1, root);
      }
  fprintf (stderr, "cordon: unknown command '%s'\n", argv[1]);
  usage (stderr);
  return EXIT_USAGE;
}
