/* SPDX-License-Identifier: Apache-2.0 */
/* cordon run's usage text, option table and argument parsing.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run-args.h"
#include "sandbox/spec-edit.h"

static const char run_usage[]
    = "Usage: cordon run --rootfs DIR [OPTIONS] -- COMMAND [ARG...]\n"
      "       cordon run --image REF [OPTIONS] [-- COMMAND [ARG...]]\n"
      "       cordon run --bundle DIR [OPTIONS] [-- COMMAND [ARG...]]\n"
      "\n"
      "Runs COMMAND in a new sandbox: every namespace, a read-only root, no\n"
      "capabilities, no_new_privs and a seccomp filter, unless asked otherwise.\n"
      "\n"
      "Root:\n"
      "      --rootfs DIR            the root filesystem (mounted read-only)\n"
      "      --bundle DIR            an OCI bundle: DIR/config.json and its root\n"
      "      --image REF             an imported image (cordon image import), verified\n"
      "                              against the trust policy; its layers become a\n"
      "                              read-only overlay root\n"
      "      --read-write            with --image: a writable layer on top, discarded after\n"
      "      --keep                  with --image: keep the run's layer directory\n"
      "      --store DIR, --policy FILE  the image store and trust policy (see cordon image)\n"
      "Mounts:\n"
      "  -v, --volume SRC:DST[:ro|rw] bind a host path, or a named volume (cordon volume)\n"
      "      --mount type=bind|tmpfs,source=..,target=..[,readonly][,tmpfs-size=N]\n"
      "      --tmpfs DST[:OPTIONS]    a tmpfs (OPTIONS like size=64m,mode=1777)\n"
      "      --read-only             accepted for Docker compatibility: always on\n"
      "Process:\n"
      "  -e, --env KEY=VALUE|KEY     set an environment variable\n"
      "      --env-file FILE         read KEY=VALUE lines\n"
      "  -w, --workdir DIR           working directory inside the sandbox\n"
      "  -u, --user USER[:GROUP]     a name or number of the root's /etc/passwd\n"
      "      --group-add GROUP       a supplementary group\n"
      "      --entrypoint CMD        run CMD with COMMAND as its arguments\n"
      "  -h, --hostname NAME         the sandbox's host name (default: cordon)\n"
      "  -i, --interactive           keep stdin (otherwise /dev/null)\n"
      "  -t, --tty                   give the workload a new terminal\n"
      "Lifecycle (see cordon-lifecycle(1)):\n"
      "  -d, --detach                run in the background: print the sandbox's id and\n"
      "                              return; the output goes to its log (cordon logs)\n"
      "      --name NAME             a unique name for the detached sandbox\n"
      "      --rm                    remove the detached sandbox when it exits\n"
      "      --restart no|on-failure[:N]  run it again when it fails (at most N times)\n"
      "      --root DIR              the state directory (default: $XDG_RUNTIME_DIR/cordon,\n"
      "                              /run/cordon as root)\n"
      "Confinement:\n"
      "      --profile NAME|FILE     a security profile (default: default; see cordon profile list)\n"
      "      --network none|host|bridge|NAME   none (default): loopback only; bridge or a\n"
      "                              network from cordon network create (see cordon-network(1))\n"
      "      --ip ADDR               the sandbox's address on its network\n"
      "  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|udp]\n"
      "                              publish a port on the host (HOSTIP 127.0.0.1 unless given)\n"
      "      --dns-name ALIAS        another name the sandbox has on its network\n"
      "      --add-host NAME:IP      a line in the sandbox's /etc/hosts\n"
      "      --egress-allow CIDR|IP:PORT|HOST:PORT  egress beyond the network: only there\n"
      "                              (repeatable; denied by default unless the\n"
    "                              profile allows; every refusal is audited)\n"
      "      --cap-add CAP|ALL       keep a capability (default: none)\n"
      "      --cap-drop CAP|ALL      drop a capability\n"
      "      --security-opt seccomp=FILE|unconfined\n"
      "      --security-opt landlock=unconfined  (default: Landlock from the mount plan)\n"
      "      --security-opt apparmor=NAME|unconfined\n"
      "      --security-opt no-new-privileges  (always on)\n"
      "Limits (sizes take b, k, m, g; times are seconds):\n"
      "  -m, --memory SIZE           memory of the whole sandbox\n"
      "      --memory-swap SIZE|-1   memory+swap (default: no swap)\n"
      "      --pids-limit N          processes and threads\n"
      "      --cpus N                CPU share, e.g. 1.5 (needs a cgroup)\n"
      "      --cpu-shares N, --cpuset-cpus LIST   (need a cgroup)\n"
      "      --cpu-time S            CPU seconds of the sandbox, then killed\n"
      "      --wall-time S           wall-clock seconds, then killed\n"
      "      --output-limit SIZE     stdout+stderr kept; then the run ends\n"
      "      --fsize SIZE, --nofile N, --stack SIZE\n"
      "      --ulimit NAME=SOFT[:HARD]\n"
      "      --stdin FILE, --stdout FILE, --stderr FILE\n"
      "Output:\n"
      "      --result FILE           write the result JSON to FILE (- for stdout)\n"
      "      --audit-log FILE        the audit log (default: ~/.local/state/cordon/audit.log,\n"
      "                              /var/log/cordon/audit.log as root)\n"
      "      --audit required|best-effort  refuse (default) or run when it cannot be written\n"
      "      --audit-key FILE        HMAC-SHA256 checkpoints after each exit (verify --key)\n"
      "      --audit-rotate-size SIZE  start a new file past SIZE (default 64m)\n"
      "      --audit-syslog          also send each record to syslog\n"
      "  -q, --quiet                 print nothing but errors\n"
      "      --help                  this text\n"
      "\n"
      "Exit status: the command's; 125 when cordon failed, 126 when COMMAND\n"
      "cannot be executed, 127 when it is not found, 128+N when killed by signal N.\n";



static const struct option run_options[] = {
  { "rootfs", required_argument, NULL, OPT_ROOTFS },
  { "bundle", required_argument, NULL, OPT_BUNDLE },
  { "volume", required_argument, NULL, 'v' },
  { "mount", required_argument, NULL, OPT_MOUNT },
  { "tmpfs", required_argument, NULL, OPT_TMPFS },
  { "read-only", no_argument, NULL, OPT_READ_ONLY },
  { "env", required_argument, NULL, 'e' },
  { "env-file", required_argument, NULL, OPT_ENV_FILE },
  { "workdir", required_argument, NULL, 'w' },
  { "user", required_argument, NULL, 'u' },
  { "group-add", required_argument, NULL, OPT_GROUP_ADD },
  { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
  { "hostname", required_argument, NULL, 'h' },
  { "interactive", no_argument, NULL, 'i' },
  { "tty", no_argument, NULL, 't' },
  { "network", required_argument, NULL, OPT_NETWORK },
  { "net", required_argument, NULL, OPT_NETWORK },
  { "ip", required_argument, NULL, OPT_IP },
  { "publish", required_argument, NULL, 'p' },
  { "add-host", required_argument, NULL, OPT_ADD_HOST },
  { "egress-allow", required_argument, NULL, OPT_EGRESS_ALLOW },
  { "dns-name", required_argument, NULL, OPT_DNS_NAME },
  { "network-alias", required_argument, NULL, OPT_DNS_NAME },
  { "cap-add", required_argument, NULL, OPT_CAP_ADD },
  { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
  { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
  { "result", required_argument, NULL, OPT_RESULT },
  { "quiet", no_argument, NULL, 'q' },
  { "help", no_argument, NULL, OPT_HELP },
  { "memory", required_argument, NULL, 'm' },
  { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
  { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
  { "cpus", required_argument, NULL, OPT_CPUS },
  { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
  { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
  { "cpu-time", required_argument, NULL, OPT_CPU_TIME },
  { "wall-time", required_argument, NULL, OPT_WALL_TIME },
  { "output-limit", required_argument, NULL, OPT_OUTPUT_LIMIT },
  { "fsize", required_argument, NULL, OPT_FSIZE },
  { "nofile", required_argument, NULL, OPT_NOFILE },
  { "stack", required_argument, NULL, OPT_STACK },
  { "ulimit", required_argument, NULL, OPT_ULIMIT },
  { "stdin", required_argument, NULL, OPT_STDIN },
  { "stdout", required_argument, NULL, OPT_STDOUT },
  { "stderr", required_argument, NULL, OPT_STDERR },
  { "audit-log", required_argument, NULL, OPT_AUDIT_LOG },
  { "audit", required_argument, NULL, OPT_AUDIT },
  { "audit-key", required_argument, NULL, OPT_AUDIT_KEY },
  { "audit-rotate-size", required_argument, NULL, OPT_AUDIT_ROTATE },
  { "audit-syslog", no_argument, NULL, OPT_AUDIT_SYSLOG },
  { "image", required_argument, NULL, OPT_IMAGE },
  { "store", required_argument, NULL, OPT_STORE },
  { "policy", required_argument, NULL, OPT_POLICY },
  { "read-write", no_argument, NULL, OPT_READ_WRITE },
  { "keep", no_argument, NULL, OPT_KEEP },
  { "profile", required_argument, NULL, OPT_PROFILE },
  { "detach", no_argument, NULL, 'd' },
  { "name", required_argument, NULL, OPT_NAME },
  { "rm", no_argument, NULL, OPT_RM },
  { "root", required_argument, NULL, OPT_ROOT },
  { "restart", required_argument, NULL, OPT_RESTART },
  /* cordon profile learn's own (refused by run).  */
  { "from", required_argument, NULL, OPT_FROM },
  { "output", required_argument, NULL, 'o' },
  { NULL, 0, NULL, 0 },
};

static int
parse_security_opt (struct run_args *a, const char *arg, struct cordon_error *err)
{
  if (strncmp (arg, "seccomp=", 8) == 0 || strncmp (arg, "seccomp:", 8) == 0)
    {
      if (strcmp (arg + 8, "unconfined") == 0)
        a->seccomp_unconfined = true;
      else
        a->seccomp_file = arg + 8;
      return 0;
    }
  if (strcmp (arg, "landlock=unconfined") == 0 || strcmp (arg, "landlock:unconfined") == 0)
    {
      a->landlock_unconfined = true;
      return 0;
    }
  if (strncmp (arg, "apparmor=", 9) == 0 || strncmp (arg, "apparmor:", 9) == 0)
    {
      if (arg[9] == '\0')
        return cordon_error_set (err, EINVAL, "--security-opt `%s`: expected apparmor=NAME", arg);
      a->apparmor = arg + 9;
      return 0;
    }
  if (strcmp (arg, "no-new-privileges") == 0 || strcmp (arg, "no-new-privileges=true") == 0
      || strcmp (arg, "no-new-privileges:true") == 0)
    return 0;
  if (strncmp (arg, "no-new-privileges", 17) == 0)
    return cordon_error_set (err, EINVAL, "--security-opt `%s`: no_new_privs is always on and cannot be turned off",
                             arg);
  return cordon_error_set (err, EINVAL,
                           "--security-opt `%s`: not supported (seccomp=FILE|unconfined, landlock=unconfined, apparmor=NAME, no-new-privileges)", arg);
}

/* --restart no|on-failure[:N], Docker's policies that end (always and
 * unless-stopped would need a daemon to start them again at boot).  */
static int
parse_restart (struct run_args *a, const char *arg, struct cordon_error *err)
{
  char *end;
  long n;

  a->restart = arg;
  if (strcmp (arg, "no") == 0)
    a->restart_max = 0;
  else if (strcmp (arg, "on-failure") == 0)
    a->restart_max = -1;
  else if (strncmp (arg, "on-failure:", 11) == 0 && arg[11] >= '0' && arg[11] <= '9'
           && (n = strtol (arg + 11, &end, 10), *end == '\0') && n >= 0 && n <= 1000000)
    a->restart_max = (int)n;
  else
    return cordon_error_set (err, EINVAL, "--restart `%s`: expected no or on-failure[:N] (always and "
                                          "unless-stopped need a daemon, which cordon has not)", arg);
  return 0;
}

int
run_parse_args (int argc, char **argv, struct run_args *a, struct cordon_error *err)
{
  const char *cmd = a->learn ? "profile learn" : "run";
  int c;

  a->flags = calloc ((size_t)argc + 1, sizeof *a->flags);
  if (a->flags == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, a->learn ? "+v:e:w:u:h:m:itqo:" : "+v:e:w:u:h:m:p:itqd", run_options, NULL))
         != -1)
    {
      /* --name names the learned profile for learn, the sandbox for run -d.  */
      if (a->learn == NULL && (c == OPT_FROM || c == 'o'))
        c = '?';
      if (a->learn && (c == 'd' || c == OPT_RM || c == OPT_ROOT || c == OPT_RESTART))
        c = '?';
      switch (c)
        {
        case OPT_FROM:
          a->learn->from = optarg;
          break;
        case 'o':
          a->learn->output = optarg;
          break;
        case OPT_ROOTFS:
          a->rootfs = optarg;
          break;
        case OPT_BUNDLE:
          a->bundle = optarg;
          break;
        case 'd':
          a->detach = true;
          break;
        case OPT_NAME:
          if (a->learn)
            a->learn->name = optarg;
          else
            a->name = optarg;
          break;
        case OPT_RM:
          a->auto_remove = true;
          break;
        case OPT_ROOT:
          a->root = optarg;
          break;
        case OPT_RESTART:
          if (parse_restart (a, optarg, err) < 0)
            return -EINVAL;
          break;
        case OPT_IMAGE:
          a->image.ref = optarg;
          break;
        case OPT_STORE:
          a->image.store = optarg;
          break;
        case OPT_POLICY:
          a->image.policy = optarg;
          break;
        case OPT_READ_WRITE:
          a->image.read_write = true;
          break;
        case OPT_KEEP:
          a->image.keep = true;
          break;
        case OPT_RESULT:
          a->result_path = optarg;
          break;
        case OPT_ENTRYPOINT:
          a->entrypoint = optarg;
          break;
        case 'u':
          a->user = optarg;
          break;
        case 'q':
          a->quiet = true;
          break;
        case 'i':
          a->interactive = true;
          break;
        case 't':
          a->tty = true;
          break;
        case OPT_READ_ONLY:
          break;
        case OPT_STDIN:
          a->stdin_path = optarg;
          break;
        case OPT_STDOUT:
          a->stdout_path = optarg;
          break;
        case OPT_STDERR:
          a->stderr_path = optarg;
          break;
        case OPT_AUDIT_LOG:
          a->audit_log = optarg;
          break;
        case OPT_AUDIT_KEY:
          if (audit_read_key (optarg, a->audit_key, &a->audit_opts.key_len, err) < 0)
            return -EINVAL;
          a->audit_opts.key = a->audit_key;
          break;
        case OPT_AUDIT_ROTATE:
          if (spec_parse_size (optarg, &a->audit_opts.rotate_size) < 0 || a->audit_opts.rotate_size < 4096)
            return cordon_error_set (err, EINVAL, "--audit-rotate-size `%s`: expected a size of at least 4k", optarg);
          break;
        case OPT_AUDIT_SYSLOG:
          a->audit_opts.syslog = true;
          break;
        case OPT_AUDIT:
          if (strcmp (optarg, "best-effort") == 0)
            a->audit_best_effort = true;
          else if (strcmp (optarg, "required") != 0)
            return cordon_error_set (err, EINVAL, "--audit `%s`: expected required or best-effort", optarg);
          break;
        case OPT_SECURITY_OPT:
          if (parse_security_opt (a, optarg, err) < 0)
            return -EINVAL;
          break;
        case OPT_PROFILE:
          if (a->learn)
            return cordon_error_set (err, EINVAL, "profile learn: --profile: the seccomp filter is learned; "
                                                  "--from PROFILE gives the other layers");
          a->profile = optarg;
          break;
        case OPT_HELP:
          fputs (run_usage, stdout);
          exit (0);
        case '?':
          return cordon_error_set (err, EINVAL, "%s: unknown or incomplete option `%s` (see cordon %s --help)", cmd,
                                   argv[optind - 1], cmd);
        default:
          a->flags[a->n_flags++] = (struct flag){ c, optarg };
          break;
        }
    }
  a->command = argv + optind;
  if (a->learn)
    {
      if (a->bundle)
        return cordon_error_set (err, EINVAL, "profile learn: give --rootfs DIR or --image REF (not --bundle)");
      if (a->seccomp_file || a->seccomp_unconfined)
        return cordon_error_set (err, EINVAL, "profile learn: --security-opt seccomp: the filter is learned");
      a->profile = a->learn->from;
      a->learn->command = a->command;
    }
  if ((a->rootfs != NULL) + (a->bundle != NULL) + (a->image.ref != NULL) != 1)
    return cordon_error_set (err, EINVAL, "%s: give exactly one of --rootfs DIR, --bundle DIR or --image REF", cmd);
  if ((a->image.read_write || a->image.keep) && a->image.ref == NULL)
    return cordon_error_set (err, EINVAL, "run: --read-write and --keep go with --image");
  if (a->rootfs && a->command[0] == NULL && a->entrypoint == NULL)
    return cordon_error_set (err, EINVAL, "%s: no command given (cordon %s --rootfs DIR -- COMMAND)", cmd, cmd);
  if (a->detach && (a->tty || a->interactive))
    return cordon_error_set (err, EINVAL, "run: -d does not take -t or -i yet (use cordon exec for a shell)");
  if (a->detach && (a->stdout_path || a->stderr_path || a->stdin_path))
    return cordon_error_set (err, EINVAL, "run: with -d the output goes to the sandbox's log (cordon logs)");
  if (a->restart_max != 0 && !a->detach)
    return cordon_error_set (err, EINVAL, "run: --restart goes with -d (the detached monitor restarts it)");
  if (a->restart_max != 0 && a->auto_remove)
    return cordon_error_set (err, EINVAL, "Conflicting options: --restart and --rm");
  if (a->name && !a->detach)
    return cordon_error_set (err, EINVAL, "run: --name names a detached sandbox (-d)");
  if (a->seccomp_file && a->seccomp_unconfined)
    return cordon_error_set (err, EINVAL, "--security-opt: seccomp given twice");
  return 0;
}


const char *
run_option_name (int opt)
{
  for (const struct option *o = run_options; o->name; o++)
    if (o->val == opt)
      return o->name;
  return "?";
}
