/* SPDX-License-Identifier: Apache-2.0 */
/* cordon run: Docker's flags turned into one OCI spec, then sandbox_run.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/run-audit.h"
#include "cli/run-detach.h"
#include "common/cleanup.h"
#include "profiles/profile.h"
#include "profiles/seccomp-baseline.h"
#include "profiles/seccomp-docker.h"
#include "cli/run-image.h"
#include "sandbox/container.h"
#include "sandbox/landlock.h"
#include "sandbox/passwd.h"
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
      "  -v, --volume SRC:DST[:ro|rw] bind a host path\n"
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
      "      --root DIR              the state directory (default: $XDG_RUNTIME_DIR/cordon,\n"
      "                              /run/cordon as root)\n"
      "Confinement:\n"
      "      --profile NAME|FILE     a security profile (default: default; see cordon profile list)\n"
      "      --network none|host     none (default): loopback only\n"
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

enum
{
  OPT_ROOTFS = 256,
  OPT_BUNDLE,
  OPT_MOUNT,
  OPT_TMPFS,
  OPT_READ_ONLY,
  OPT_ENV_FILE,
  OPT_GROUP_ADD,
  OPT_ENTRYPOINT,
  OPT_NETWORK,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_SECURITY_OPT,
  OPT_RESULT,
  OPT_HELP,
  OPT_MEMORY_SWAP,
  OPT_PIDS_LIMIT,
  OPT_CPUS,
  OPT_CPU_SHARES,
  OPT_CPUSET_CPUS,
  OPT_CPU_TIME,
  OPT_WALL_TIME,
  OPT_OUTPUT_LIMIT,
  OPT_FSIZE,
  OPT_NOFILE,
  OPT_STACK,
  OPT_ULIMIT,
  OPT_STDIN,
  OPT_STDOUT,
  OPT_STDERR,
  OPT_AUDIT_LOG,
  OPT_AUDIT,
  OPT_AUDIT_KEY,
  OPT_AUDIT_ROTATE,
  OPT_AUDIT_SYSLOG,
  OPT_IMAGE,
  OPT_STORE,
  OPT_POLICY,
  OPT_READ_WRITE,
  OPT_KEEP,
  OPT_PROFILE,
  OPT_NAME,
  OPT_RM,
  OPT_ROOT,
};

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
  { NULL, 0, NULL, 0 },
};

/* A flag with its argument, kept in order: they are applied to the spec
 * once it exists (after --rootfs or --bundle is known).  */
struct flag
{
  int opt;
  const char *arg;
};

struct run_args
{
  struct run_image_options image;
  struct run_image *ri; /* with --image, once opened */
  const char *rootfs;
  const char *bundle;
  const char *result_path;
  const char *entrypoint;
  const char *user;
  const char *seccomp_file;
  const char *profile;  /* --profile; NULL: `default` with --rootfs, the config's own with --bundle */
  const char *apparmor; /* --security-opt apparmor=NAME */
  const char *stdin_path;
  const char *stdout_path;
  const char *stderr_path;
  const char *audit_log;
  bool audit_best_effort;
  struct audit_options audit_opts;
  uint8_t audit_key[AUDIT_KEY_MAX];
  bool seccomp_unconfined;
  bool landlock_unconfined;
  bool quiet;
  bool interactive;
  bool tty;
  bool detach;
  bool auto_remove;
  const char *name;
  const char *root;
  struct flag *flags;
  size_t n_flags;
  char **command; /* points into argv */
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

static int
parse_args (int argc, char **argv, struct run_args *a, struct cordon_error *err)
{
  int c;

  a->flags = calloc ((size_t)argc + 1, sizeof *a->flags);
  if (a->flags == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+v:e:w:u:h:m:itqd", run_options, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ROOTFS:
          a->rootfs = optarg;
          break;
        case OPT_BUNDLE:
          a->bundle = optarg;
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
        case 'd':
          a->detach = true;
          break;
        case OPT_NAME:
          a->name = optarg;
          break;
        case OPT_RM:
          a->auto_remove = true;
          break;
        case OPT_ROOT:
          a->root = optarg;
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
          a->profile = optarg;
          break;
        case OPT_HELP:
          fputs (run_usage, stdout);
          exit (0);
        case '?':
          return cordon_error_set (err, EINVAL, "run: unknown or incomplete option `%s` (see cordon run --help)",
                                   argv[optind - 1]);
        default:
          a->flags[a->n_flags++] = (struct flag){ c, optarg };
          break;
        }
    }
  a->command = argv + optind;
  if ((a->rootfs != NULL) + (a->bundle != NULL) + (a->image.ref != NULL) != 1)
    return cordon_error_set (err, EINVAL, "run: give exactly one of --rootfs DIR, --bundle DIR or --image REF");
  if ((a->image.read_write || a->image.keep) && a->image.ref == NULL)
    return cordon_error_set (err, EINVAL, "run: --read-write and --keep go with --image");
  if (a->rootfs && a->command[0] == NULL && a->entrypoint == NULL)
    return cordon_error_set (err, EINVAL, "run: no command given (cordon run --rootfs DIR -- COMMAND)");
  if (a->detach && (a->tty || a->interactive))
    return cordon_error_set (err, EINVAL, "run: -d does not take -t or -i yet (use cordon exec for a shell)");
  if (a->detach && (a->stdout_path || a->stderr_path || a->stdin_path))
    return cordon_error_set (err, EINVAL, "run: with -d the output goes to the sandbox's log (cordon logs)");
  if (a->name && !a->detach)
    return cordon_error_set (err, EINVAL, "run: --name names a detached sandbox (-d)");
  if (a->seccomp_file && a->seccomp_unconfined)
    return cordon_error_set (err, EINVAL, "--security-opt: seccomp given twice");
  return 0;
}

static int apply_limit_flag (struct cordon_spec *spec, const struct flag *f, struct cordon_error *err);

static int
apply_flag (struct cordon_spec *spec, const struct flag *f, struct cordon_error *err)
{
  switch (f->opt)
    {
    case 'v':
      return spec_add_volume (spec, f->arg, err);
    case OPT_MOUNT:
      return spec_add_mount_arg (spec, f->arg, err);
    case OPT_TMPFS:
      return spec_add_tmpfs (spec, f->arg, err);
    case 'e':
      return spec_set_env (spec, f->arg, err);
    case OPT_ENV_FILE:
      return spec_load_env_file (spec, f->arg, err);
    case 'w':
      if (f->arg[0] != '/')
        return cordon_error_set (err, EINVAL, "-w `%s`: the working directory must be absolute", f->arg);
      return spec_set_string (&spec->process.cwd, f->arg, err);
    case 'h':
      if (strlen (f->arg) > 64)
        return cordon_error_set (err, EINVAL, "-h `%s`: a host name has at most 64 characters", f->arg);
      return spec_set_string (&spec->hostname, f->arg, err);
    case OPT_GROUP_ADD:
      return spec_add_group (spec, f->arg, err);
    case OPT_NETWORK:
      if (strcmp (f->arg, "none") == 0)
        {
          if (!spec_has_namespace (spec, CLONE_NEWNET))
            return cordon_error_set (err, EINVAL, "--network none: the config has no network namespace");
          return 0;
        }
      if (strcmp (f->arg, "host") == 0)
        return spec_remove_namespace (spec, CLONE_NEWNET);
      return cordon_error_set (err, EINVAL, "--network `%s`: not supported yet (none, host)", f->arg);
    case OPT_CAP_ADD:
      return spec_cap_add (spec, f->arg, err);
    case OPT_CAP_DROP:
      return spec_cap_drop (spec, f->arg, err);
    default:
      return apply_limit_flag (spec, f, err);
    }
}

static int
bad_value (const struct flag *f, const char *what, struct cordon_error *err)
{
  const struct option *o = run_options;

  while (o->name && o->val != f->opt)
    o++;
  return cordon_error_set (err, EINVAL, "--%s `%s`: expected %s", o->name ? o->name : "?", f->arg, what);
}

/* Docker's limit flags, onto linux.resources, cordon.limits and rlimits.  */
static int
apply_limit_flag (struct cordon_spec *spec, const struct flag *f, struct cordon_error *err)
{
  struct cordon_resources *res = &spec->resources;
  uint64_t v;
  char *end;
  double d;

  switch (f->opt)
    {
    case 'm':
      if (spec_parse_size (f->arg, &v) < 0 || v < (1u << 20))
        return bad_value (f, "a size of at least 1m", err);
      res->memory_limit = v;
      return 0;
    case OPT_MEMORY_SWAP:
      if (strcmp (f->arg, "-1") == 0)
        res->memory_swap = -1;
      else if (spec_parse_size (f->arg, &v) < 0 || v > INT64_MAX)
        return bad_value (f, "a size or -1", err);
      else
        res->memory_swap = (int64_t)v;
      return 0;
    case OPT_PIDS_LIMIT:
      v = strtoull (f->arg, &end, 10);
      if (*f->arg < '1' || *f->arg > '9' || *end || v > INT64_MAX)
        return bad_value (f, "a positive number", err);
      res->pids_limit = (int64_t)v;
      return 0;
    case OPT_CPUS:
      d = strtod (f->arg, &end);
      if (*end || !(d > 0 && d <= 1024))
        return bad_value (f, "a number of CPUs such as 0.5 or 2", err);
      res->cpu_period = 100000;
      res->cpu_quota = (uint64_t)(d * 100000 + 0.5);
      return 0;
    case OPT_CPU_SHARES:
      v = strtoull (f->arg, &end, 10);
      if (*f->arg < '1' || *f->arg > '9' || *end || v > 262144)
        return bad_value (f, "a number from 2 to 262144", err);
      res->cpu_shares = v;
      return 0;
    case OPT_CPUSET_CPUS:
      if (f->arg[0] == '\0' || strspn (f->arg, "0123456789,-") != strlen (f->arg))
        return bad_value (f, "a CPU list such as 0-1,3", err);
      return spec_set_string (&res->cpuset_cpus, f->arg, err);
    case OPT_CPU_TIME:
      if (spec_parse_seconds (f->arg, &spec->cordon.limits.cpu_time_ms) < 0)
        return bad_value (f, "seconds", err);
      return 0;
    case OPT_WALL_TIME:
      if (spec_parse_seconds (f->arg, &spec->cordon.limits.wall_time_ms) < 0)
        return bad_value (f, "seconds", err);
      return 0;
    case OPT_OUTPUT_LIMIT:
      if (spec_parse_size (f->arg, &spec->cordon.limits.output_bytes) < 0 || spec->cordon.limits.output_bytes == 0)
        return bad_value (f, "a size", err);
      return 0;
    case OPT_FSIZE:
      if (spec_parse_size (f->arg, &v) < 0)
        return bad_value (f, "a size", err);
      return spec_set_rlimit (spec, RLIMIT_FSIZE, v, v, err);
    case OPT_NOFILE:
      v = strtoull (f->arg, &end, 10);
      if (*f->arg < '0' || *f->arg > '9' || *end || v > (1u << 20))
        return bad_value (f, "a number of files", err);
      return spec_set_rlimit (spec, RLIMIT_NOFILE, v, v, err);
    case OPT_STACK:
      if (spec_parse_size (f->arg, &v) < 0)
        return bad_value (f, "a size", err);
      return spec_set_rlimit (spec, RLIMIT_STACK, v, v, err);
    case OPT_ULIMIT:
      return spec_add_ulimit (spec, f->arg, err);
    default:
      return cordon_error_set (err, EINVAL, "run: unhandled option");
    }
}

/* -u USER[:GROUP] by name or number, looked up in the sandbox's root.  */
static int
apply_user (struct cordon_spec *spec, int rootfd, const char *arg, struct cordon_error *err)
{
  cleanup_free char *user = strdup (arg);
  struct passwd_entry pw = { 0 };
  char *group;
  int r;

  if (user == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  group = strchr (user, ':');
  if (group)
    *group++ = '\0';
  r = passwd_lookup_user (rootfd, user, &pw);
  if (r == 0)
    {
      spec->process.uid = pw.uid;
      spec->process.gid = pw.gid;
      free (pw.home);
    }
  else
    {
      r = spec_set_user (spec, user, err);
      if (r < 0)
        return cordon_error_wrap (err, "-u: no user `%s` in the root's /etc/passwd", user);
    }
  if (group)
    {
      uint32_t gid;
      if (passwd_lookup_group (rootfd, group, &gid) < 0)
        return cordon_error_set (err, ENOENT, "-u `%s`: no group `%s` in the root's /etc/group", arg, group);
      spec->process.gid = gid;
    }
  return 0;
}

/* Docker's environment: what the config and -e give, plus PATH, HOME,
 * HOSTNAME, and TERM with -t; never the caller's.  */
static int
apply_default_env (struct cordon_spec *spec, int rootfd, bool tty, struct cordon_error *err)
{
  struct passwd_entry pw = { 0 };
  const char *home = spec->process.uid == 0 ? "/root" : "/";
  int r;

  if (passwd_lookup_uid (rootfd, spec->process.uid, &pw) == 0)
    home = pw.home;
  r = spec_default_env (spec, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", err);
  if (r >= 0)
    r = spec_default_env (spec, "HOME", home, err);
  if (r >= 0 && spec->hostname)
    r = spec_default_env (spec, "HOSTNAME", spec->hostname, err);
  if (r >= 0 && tty)
    r = spec_default_env (spec, "TERM", "xterm", err);
  free (pw.home);
  return r;
}

/* Refuses a run in which a layer the profile requires is beyond this host.
 * A layer turned off by a flag (seccomp=unconfined) is the caller's
 * explicit choice, as in Docker, and is reported `disabled`.  */
static int
check_required (const struct cordon_profile *p, const struct cordon_spec *spec, struct cordon_error *err)
{
  for (int i = 0; i < PROFILE_LAYER__COUNT; i++)
    {
      const char *why = NULL;

      if (!(p->required & (1u << i)))
        continue;
      switch ((enum profile_layer)i)
        {
        case PROFILE_LAYER_SECCOMP:
          if (spec->cordon.seccomp_mode != SECCOMP_MODE_UNCONFINED && prctl (PR_GET_SECCOMP) < 0)
            why = "this kernel has no seccomp";
          break;
        case PROFILE_LAYER_LANDLOCK:
          if (!spec->cordon.landlock_unconfined && landlock_abi () <= 0)
            why = "this kernel has no Landlock (or it is not in the lsm= list)";
          break;
        case PROFILE_LAYER_APPARMOR:
          if (spec->process.apparmor_profile == NULL)
            why = "no AppArmor profile is given (apparmor=unconfined?)";
          else if (access ("/sys/kernel/security/apparmor", F_OK) != 0)
            why = "this host has no AppArmor";
          else
            why = "this version of cordon does not apply AppArmor profiles yet";
          break;
        case PROFILE_LAYER_CAPABILITIES:
        case PROFILE_LAYER__COUNT:
          break;
        }
      if (why)
        return cordon_error_set (err, 0,
                                 "profile `%s` requires the %s layer, which cannot be enforced: %s; refusing to run",
                                 p->name, profile_layer_name ((enum profile_layer)i), why);
    }
  return 0;
}

static int
build_spec (struct run_args *a, struct cordon_profile **profile, struct cordon_seccomp **owned_filter,
            struct cordon_spec **out, struct cordon_error *err)
{
  cleanup_spec struct cordon_spec *spec = NULL;
  cleanup_close int rootfd = -1;
  cleanup_free char *config = NULL;
  int r;

  if (a->bundle)
    {
      if (asprintf (&config, "%s/config.json", a->bundle) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
      r = spec_load_file (config, &spec, err);
    }
  else
    {
      r = spec_new_default (false, &spec, err);
      if (r >= 0 && a->ri)
        r = run_image_apply (a->ri, spec, a->entrypoint, a->command, err);
      else if (r >= 0)
        r = spec_set_string (&spec->root_path, a->rootfs, err);
    }
  if (r < 0)
    return r;
  /* The profile first: --cap-add, --cap-drop and --security-opt then edit
   * what it set, as Docker's flags edit Docker's defaults.  A bundle keeps
   * its own confinement unless a profile is asked for.  */
  if (a->profile || a->rootfs || a->ri)
    {
      r = profile_resolve (a->profile ? a->profile : "default", profile, err);
      if (r >= 0)
        r = profile_apply (*profile, spec, err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; i < a->n_flags; i++)
    {
      r = apply_flag (spec, &a->flags[i], err);
      if (r < 0)
        return r;
    }
  if (a->ri)
    ; /* the image's command, with Docker's precedence (run_image_apply) */
  else if (a->entrypoint)
    r = spec_set_entrypoint (spec, a->entrypoint, a->command, err);
  else if (a->command[0])
    r = spec_set_args (spec, a->command, err);
  if (r < 0)
    return r;
  spec->process.terminal = a->tty;

  if (a->landlock_unconfined)
    spec->cordon.landlock_unconfined = true;
  if (a->seccomp_unconfined)
    spec->cordon.seccomp_mode = SECCOMP_MODE_UNCONFINED;
  else if (a->seccomp_file)
    {
      r = seccomp_docker_load (a->seccomp_file, spec->process.caps_bounding, owned_filter, err);
      if (r < 0)
        return cordon_error_wrap (err, "--security-opt seccomp=%s", a->seccomp_file);
      seccomp_spec_free (spec->seccomp);
      spec->seccomp = *owned_filter;
      *owned_filter = NULL;
      spec->cordon.seccomp_mode = SECCOMP_MODE_SPEC;
    }
  if (a->apparmor)
    {
      free (spec->process.apparmor_profile);
      spec->process.apparmor_profile = NULL;
      if (strcmp (a->apparmor, "unconfined") != 0 && spec_set_string (&spec->process.apparmor_profile, a->apparmor, err) < 0)
        return -ENOMEM;
    }
  if (*profile)
    {
      r = check_required (*profile, spec, err);
      if (r < 0)
        return r;
    }

  {
    cleanup_free char *root = NULL;
    if (a->bundle && spec->root_path[0] != '/')
      {
        if (asprintf (&root, "%s/%s", a->bundle, spec->root_path) < 0)
          return cordon_error_set (err, ENOMEM, "out of memory");
      }
    if (a->ri)
      rootfd = fcntl (a->ri->passwd_root, F_DUPFD_CLOEXEC, 3);
    else
      rootfd = open (root ? root : spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
      return cordon_error_set (err, errno, "%s %s", a->bundle ? "root.path" : "--rootfs",
                               root ? root : spec->root_path);
  }
  if (a->user == NULL && a->ri && a->ri->cfg.user && a->ri->cfg.user[0])
    a->user = a->ri->cfg.user;
  if (a->user)
    {
      r = apply_user (spec, rootfd, a->user, err);
      if (r < 0)
        return r;
    }
  if (a->rootfs || a->ri)
    {
      r = apply_default_env (spec, rootfd, a->tty, err);
      if (r < 0)
        return r;
    }
  *out = steal_pointer (&spec);
  return 0;
}

static void
report (const struct run_args *a, const struct sandbox_result *result)
{
  if (a->quiet)
    return;
  if (result->status == RESULT_RUNTIME_ERROR && result->error)
    fprintf (stderr, "cordon: %s\n", result->error);
  else if (result->status == RESULT_SIGNAL)
    fprintf (stderr, "cordon: killed by signal %d (%s)\n", result->signal, sigabbrev_np (result->signal) ?: "?");
  else if (result->status >= RESULT_TIME_LIMIT)
    fprintf (stderr, "cordon: %s (cpu %.3f s, wall %.3f s)\n", result_status_name (result->status),
             result->cpu_user + result->cpu_system, result->wall_time);
  for (int i = 0; i < LIMIT__COUNT; i++)
    if (result->limits[i].mechanism == LIMIT_MECH_UNAVAILABLE)
      fprintf (stderr, "cordon: warning: limit %s was not enforced: %s\n", result_limit_name (i),
               result->limits[i].note ? result->limits[i].note : "unavailable here");
}

/* The image goes into the audit log and the result: which one, and which
 * key verified it.  */
static void
record_image (struct run_audit *audit, const struct run_image *ri, struct sandbox_result *result)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *json = NULL;
  const char *name = ri->name ? ri->name : ri->rec->id;

  if (run_image_describe (ri, &json, &err) >= 0)
    run_audit_image (audit, name, json);
  result->image.name = strdup (name);
  result->image.id = strdup (ri->rec->id);
  result->image.manifest = ri->rec->manifest ? strdup (ri->rec->manifest) : NULL;
  result->image.key = ri->verdict.key ? strdup (ri->verdict.key) : NULL;
  result->image.policy = ri->policy_source ? strdup (ri->policy_source) : NULL;
}

int
cli_run (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  struct run_args a = { 0 };
  cleanup_spec struct cordon_spec *spec = NULL;
  struct cordon_seccomp *owned_filter = NULL;
  struct cordon_seccomp *baseline = NULL;
  cleanup_profile struct cordon_profile *profile = NULL;
  struct sandbox_result result = { 0 };
  struct sandbox_options opts = { 0 };
  struct run_audit audit = { 0 };
  struct run_image image = { .record_lock = -1, .passwd_root = -1 };
  struct run_detach detach = { .root = { .dfd = -1 } };
  bool detached = false;
  bool ran = false;
  int exit_code;
  int r;

  /* The monitor copies output to our stdout: a reader that goes away (as
   * `| head` does) must end the copy, not kill the monitor mid-run.  The
   * workload starts with every signal at its default.  */
  signal (SIGPIPE, SIG_IGN);
  r = parse_args (argc, argv, &a, &err);
  if (r < 0)
    {
      free (a.flags);
      fprintf (stderr, "cordon: %s\n", err.msg);
      return EXIT_CORDON_FAILED;
    }
  if (a.image.ref)
    {
      r = run_image_open (&image, &a.image, &err);
      if (r >= 0)
        a.ri = &image;
    }
  if (r >= 0)
    r = build_spec (&a, &profile, &owned_filter, &spec, &err);
  if (r >= 0 && spec->cordon.seccomp_mode == SECCOMP_MODE_BASELINE)
    r = seccomp_baseline_new (&baseline, &err);
  if (r >= 0 && a.detach)
    {
      cleanup_free char *audit_path = a.audit_log ? strdup (a.audit_log) : audit_default_path ();
      detach.name = a.name;
      detach.auto_remove = a.auto_remove;
      detach.root_override = a.root;
      r = run_detach_prepare (&detach, spec, a.image.ref, a.bundle, audit_path, &err);
      if (r >= 0)
        {
          detached = true;
          memcpy (audit.id, detach.st.id, sizeof audit.id);
        }
    }
  /* Recorded before anything runs; even a refused run leaves a record.  */
  {
    cleanup_error struct cordon_error aerr = { 0 };
    if (run_audit_begin (&audit, a.audit_log, a.audit_best_effort, &a.audit_opts, argv, r >= 0 ? spec : NULL, &aerr)
        < 0)
      {
        fprintf (stderr, "cordon: %s\n", aerr.msg);
        if (detached)
          run_detach_abort (&detach);
        free (a.flags);
        seccomp_spec_free (baseline);
        seccomp_spec_free (owned_filter);
        run_image_close (&image);
        return EXIT_CORDON_FAILED;
      }
  }
  if (a.ri)
    record_image (&audit, a.ri, &result);
  if (detached)
    {
      int cli_exit = -1;
      r = run_detach_fork (&detach, &cli_exit, &err);
      if (r == 0 || cli_exit >= 0)
        {
          /* The CLI's side: the monitor owns the run and its records.  */
          if (r == 0)
            printf ("%s\n", detach.st.id);
          else
            fprintf (stderr, "cordon: %s\n", err.msg);
          audit_log_close (audit.log);
          state_release (&detach.st);
          state_root_close (&detach.root);
          result_release (&result);
          run_image_close (&image);
          seccomp_spec_free (baseline);
          seccomp_spec_free (owned_filter);
          free (a.flags);
          return r == 0 ? 0 : cli_exit;
        }
      if (r < 0)
        run_detach_abort (&detach);
      else
        {
          opts.log = &detach.log;
          opts.on_started = run_detach_started;
          opts.on_started_data = &detach;
        }
      detached = r > 0;
    }
  if (r >= 0)
    {
      opts.base_dir = a.bundle;
      opts.keep_stdin = a.interactive;
      opts.stdin_path = a.stdin_path;
      opts.stdout_path = a.stdout_path;
      opts.stderr_path = a.stderr_path;
      opts.baseline_seccomp = baseline;
      opts.overlay = a.ri ? &a.ri->plan : NULL;
      result.profile = spec->cordon.profile;
      r = sandbox_run (spec, &opts, &result, &err);
      ran = r >= 0;
    }
  else
    {
      result.status = RESULT_SANDBOX_ERROR;
      result.exit_code = EXIT_CORDON_FAILED;
      result.error = err.msg ? strdup (err.msg) : NULL;
    }
  if (r < 0)
    fprintf (stderr, "cordon: %s\n", err.msg ? err.msg : "sandbox failed");
  else
    report (&a, &result);
  exit_code = result.exit_code;
  run_audit_end (&audit, &result, ran, &result);
  if (a.result_path)
    {
      cleanup_error struct cordon_error werr = { 0 };
      if (result_write_file (&result, a.result_path, &werr) < 0)
        {
          fprintf (stderr, "cordon: %s\n", werr.msg);
          if (exit_code == 0)
            exit_code = EXIT_CORDON_FAILED;
        }
    }
  if (detached)
    run_detach_finish (&detach, &result);
  result_release (&result);
  run_image_close (&image);
  seccomp_spec_free (baseline);
  seccomp_spec_free (owned_filter);
  free (a.flags);
  return exit_code;
}
