/* SPDX-License-Identifier: Apache-2.0 */
/* cordon create --bundle DIR [--pid-file F] [--console-socket S] ID: the
 * OCI runtime's create.  The sandbox is built and stopped before the
 * workload exists; its init waits on start.sock for `cordon start`.  This
 * process exits once the container is created: init is the container
 * process (the pid written to --pid-file) and is reparented to the nearest
 * subreaper, as runc's init is (conmon, for podman).  The workload gets
 * our stdin, stdout and stderr, which conmon reads through pipes.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/oci.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/json.h"
#include "common/strv.h"
#include "profiles/seccomp-baseline.h"
#include "sandbox/container.h"
#include "sandbox/spec.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static const char create_usage[]
    = "Usage: cordon create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--preserve-fds N] ID\n"
      "\n"
      "The OCI runtime's create: builds container ID from the bundle DIR (default: the\n"
      "current directory) and stops before its process runs; `cordon start ID` runs it.\n"
      "--no-pivot and --no-new-keyring are accepted (cordon always pivots; see\n"
      "doc/oci-runtime.md).\n";

struct create_args
{
  const char *bundle;
  const char *pid_file;
  const char *console_socket;
  const char *root;
  const char *id;
  int preserve_fds;
};

struct create_run
{
  const struct create_args *a;
  struct state_root root;
  struct sandbox_state st;
  struct oci_hooks hooks;
  struct cordon_spec *spec;
  char *bundle; /* absolute */
  int dirfd;    /* the container's state directory */
  int start_fd;
  int console_error; /* set by on_created */
  struct cordon_error created_err;
};

static int
parse_args (int argc, char **argv, struct create_args *a)
{
  static const struct option options[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "pid-file", required_argument, NULL, 'p' },
    { "console-socket", required_argument, NULL, 'c' },
    { "preserve-fds", required_argument, NULL, 'f' },
    { "no-pivot", no_argument, NULL, 'P' },
    { "no-new-keyring", no_argument, NULL, 'K' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+b:", options, NULL)) != -1)
    switch (c)
      {
      case 'b':
        a->bundle = optarg;
        break;
      case 'p':
        a->pid_file = optarg;
        break;
      case 'c':
        a->console_socket = optarg;
        break;
      case 'f':
        {
          char *end;
          long n = strtol (optarg, &end, 10);
          if (*end || n < 0 || n > 1024)
            {
              fprintf (stderr, "cordon: create: --preserve-fds: not a count: %s\n", optarg);
              return EXIT_USAGE;
            }
          a->preserve_fds = (int)n;
        }
        break;
      case 'P':
      case 'K':
        break;
      case 'R':
        a->root = optarg;
        break;
      case 'H':
        fputs (create_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: create: unknown or incomplete option `%s`\n%s", argv[optind - 1], create_usage);
        return EXIT_USAGE;
      }
  if (optind != argc - 1)
    {
      fputs (create_usage, stderr);
      return EXIT_USAGE;
    }
  a->id = argv[optind];
  return -1;
}

/* Joins a namespace the config names by path (podman's network namespace)
 * here, before init is cloned: init inherits it, and its entry leaves the
 * spec.  The user, mount and pid namespaces are always cordon's own.  */
static int
join_namespace_paths (struct cordon_spec *spec, struct cordon_error *err)
{
  for (size_t i = 0; i < spec->n_namespaces;)
    {
      struct cordon_namespace *ns = &spec->namespaces[i];
      cleanup_close int fd = -1;
      int type = ns->type;

      if (ns->path == NULL)
        {
          i++;
          continue;
        }
      if (type != CLONE_NEWNET && type != CLONE_NEWIPC && type != CLONE_NEWUTS)
        return cordon_error_set (err, ENOTSUP, "linux.namespaces: joining a %s namespace (`%s`) is not supported",
                                 spec_namespace_name (type), ns->path);
      fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return cordon_error_set (err, errno, "linux.namespaces: `%s`", ns->path);
      if (setns (fd, type) < 0)
        return cordon_error_set (err, errno, "linux.namespaces: join `%s`", ns->path);
      spec_remove_namespace (spec, type);
    }
  return 0;
}

/* The config an engine writes for runc, made into one cordon runs.  */
static int
adapt_spec (struct cordon_spec *spec, struct cordon_error *err)
{
  struct statfs sfs;
  int r;

  r = join_namespace_paths (spec, err);
  if (r < 0)
    return r;
  /* cordon always runs a sandbox in a user namespace.  As host root its
   * ids are an unprivileged range (never host root); inside an engine's
   * user namespace (rootless podman) they are that namespace's own.  */
  if (!spec_has_namespace (spec, CLONE_NEWUSER))
    {
      struct cordon_namespace *ns = realloc (spec->namespaces, (spec->n_namespaces + 1) * sizeof *ns);
      if (ns == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
      spec->namespaces = ns;
      /* Without mappings, idmap_plan_for_spec maps an engine's user
       * namespace's own ids through.  */
      spec->namespaces[spec->n_namespaces++] = (struct cordon_namespace){ .type = CLONE_NEWUSER };
    }
  /* A cgroup v1 hierarchy cannot be mounted from a user namespace: the
   * container gets no /sys/fs/cgroup then (doc/oci-runtime.md).  */
  if (statfs ("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
    for (size_t i = 0; i < spec->n_mounts;)
      {
        struct cordon_mount *m = &spec->mounts[i];
        if (m->type && (strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0))
          {
            free (m->destination);
            free (m->type);
            free (m->source);
            strv_free (m->options);
            memmove (m, m + 1, (spec->n_mounts - i - 1) * sizeof *m);
            spec->n_mounts--;
          }
        else
          i++;
      }
  return 0;
}

static char *
state_text (struct create_run *c, pid_t pid, enum oci_status status)
{
  cleanup_error struct cordon_error err = { 0 };
  char *out = NULL;
  pid_t saved = c->st.init_pid;

  c->st.init_pid = pid;
  if (oci_state_json (&c->st, status, c->hooks.annotations_json, false, &out, &err) < 0)
    out = NULL;
  c->st.init_pid = saved;
  return out;
}

/* The createContainer hooks in the container's namespaces (joined through
 * init's pidfd before init has built its root, so the path still resolves
 * in the runtime's view), as the container's root.  */
static int
run_create_container_hooks (struct create_run *c, int pidfd, const char *state, struct cordon_error *err)
{
  int status;
  pid_t pid;

  if (c->hooks.n[OCI_HOOK_CREATE_CONTAINER] == 0)
    return 0;
  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    return cordon_error_set (err, errno, "fork");
  if (pid == 0)
    {
      cleanup_error struct cordon_error cerr = { 0 };
      int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
      if (spec_has_namespace (c->spec, CLONE_NEWNET))
        flags |= CLONE_NEWNET;
      if (setns (pidfd, flags) < 0)
        {
          fprintf (stderr, "cordon: createContainer hooks: join the container: %s\n", strerror (errno));
          _exit (125);
        }
      _exit (oci_hooks_run (&c->hooks, OCI_HOOK_CREATE_CONTAINER, state, &cerr) < 0
                 ? (fprintf (stderr, "cordon: %s\n", cerr.msg), 1)
                 : 0);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "waitpid");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return cordon_error_set (err, EIO, "a createContainer hook failed");
  return 0;
}

static int
on_spawned (void *data, pid_t pid, int pidfd, struct cordon_error *err)
{
  struct create_run *c = data;
  cleanup_free char *state = state_text (c, pid, OCI_CREATING);
  int r;

  if (state == NULL)
    return cordon_error_set (err, ENOMEM, "state");
  r = oci_hooks_run (&c->hooks, OCI_HOOK_PRESTART, state, err);
  if (r >= 0)
    r = oci_hooks_run (&c->hooks, OCI_HOOK_CREATE_RUNTIME, state, err);
  if (r >= 0)
    r = run_create_container_hooks (c, pidfd, state, err);
  return r;
}

static void
save_cgroups (struct create_run *c, const struct cgroup *cg)
{
  cleanup_close int fd = openat (c->dirfd, OCI_CGROUPS_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const char *paths[CG1__COUNT + 1];
  size_t n = 0;

  if (fd < 0)
    return;
  if (cg->v2_path)
    paths[n++] = cg->v2_path;
  for (int i = 0; i < CG1__COUNT; i++)
    if (cg->v1_paths[i])
      paths[n++] = cg->v1_paths[i];
  for (size_t i = 0; i < n; i++)
    if (!fd_write_all (fd, paths[i], strlen (paths[i])) || !fd_write_all (fd, "\n", 1))
      return;
}

static void
on_created (void *data, pid_t pid, int terminal, const struct cgroup *cg)
{
  struct create_run *c = data;
  cleanup_close int lock = -1;

  c->st.init_pid = pid;
  c->st.init_start = state_proc_start_time (pid);
  /* Init is the container: readers reconcile against it as they would
   * against a monitor.  */
  c->st.monitor_pid = pid;
  c->st.monitor_start = c->st.init_start;
  save_cgroups (c, cg);
  lock = state_lock (&c->root, c->st.id, &c->created_err);
  if (lock < 0 || state_save (&c->root, &c->st, &c->created_err) < 0)
    {
      c->console_error = -1;
      return;
    }
  if (c->a->console_socket)
    {
      if (terminal < 0)
        c->console_error = cordon_error_set (&c->created_err, EINVAL, "--console-socket: process.terminal is false");
      else
        c->console_error = oci_send_console (c->a->console_socket, terminal, &c->created_err);
    }
  else if (terminal >= 0)
    c->console_error
        = cordon_error_set (&c->created_err, EINVAL, "process.terminal is true: --console-socket is needed");
  if (c->console_error >= 0 && c->a->pid_file)
    c->console_error = oci_write_pid_file (c->a->pid_file, pid, &c->created_err);
}

static int
open_start_socket (struct create_run *c, struct cordon_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return cordon_error_set (err, errno, "socket");
  /* Through the directory's fd: the state root's path may be longer than
   * sun_path allows.  */
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", c->dirfd, OCI_START_SOCKET);
  if (bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (fd, 4) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_error_set (err, e, "container %s: %s", c->a->id, OCI_START_SOCKET);
    }
  return fd;
}

static int
prepare (struct create_run *c, struct cordon_error *err)
{
  cleanup_free char *config_path = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *spec_text = NULL;
  size_t len, spec_len;
  int r;

  c->bundle = realpath (c->a->bundle ? c->a->bundle : ".", NULL);
  if (c->bundle == NULL)
    return cordon_error_set (err, errno, "--bundle `%s`", c->a->bundle ? c->a->bundle : ".");
  if (asprintf (&config_path, "%s/config.json", c->bundle) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = json_read_file (config_path, SPEC_MAX_FILE_BYTES, &text, &len, err);
  if (r < 0)
    return r;
  r = spec_parse (text, len, &c->spec, err);
  if (r >= 0)
    r = oci_hooks_parse (text, len, &c->hooks, err);
  if (r >= 0)
    r = adapt_spec (c->spec, err);
  if (r < 0)
    return r;
  if (!state_name_valid (c->a->id))
    return cordon_error_set (err, EINVAL, "invalid container id `%s`: [a-zA-Z0-9][a-zA-Z0-9_.-]+", c->a->id);

  r = state_root_open (c->a->root, &c->root, err);
  if (r < 0)
    return r;
  if (state_new_id (c->st.id) < 0)
    return cordon_error_set (err, EIO, "getrandom");
  c->st.status = STATE_CREATED;
  c->st.exit_code = -1;
  c->st.created = (int64_t)time (NULL);
  if ((c->st.name = strdup (c->a->id)) == NULL || (c->st.bundle = strdup (c->bundle)) == NULL
      || (c->st.command = strv_copy (c->spec->process.args)) == NULL
      || (c->spec->root_path && (c->st.rootfs = strdup (c->spec->root_path)) == NULL))
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = state_create (&c->root, &c->st, err);
  if (r < 0)
    {
      c->st.id[0] = '\0'; /* not ours to remove */
      return r;
    }
  c->dirfd = openat (c->root.dfd, c->st.id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (c->dirfd < 0)
    return cordon_error_set (err, errno, "container %s", c->a->id);
  /* The config as given (hooks, annotations) and as run (for exec).  */
  r = spec_to_json (c->spec, &spec_text, &spec_len, err);
  if (r < 0)
    return r;
  {
    cleanup_close int f1 = openat (c->dirfd, OCI_CONFIG_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    cleanup_close int f2 = openat (c->dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (f1 < 0 || f2 < 0 || !fd_write_all (f1, text, len) || !fd_write_all (f2, spec_text, spec_len))
      return cordon_error_set (err, errno ? errno : EIO, "container %s: write its config", c->a->id);
  }
  c->start_fd = open_start_socket (c, err);
  return c->start_fd < 0 ? c->start_fd : 0;
}

int
cli_oci_create (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  struct create_args a = { 0 };
  struct create_run c = { .a = &a, .root = { .dfd = -1 }, .dirfd = -1, .start_fd = -1 };
  struct cordon_seccomp *baseline = NULL;
  struct sandbox_result result = { 0 };
  int r;

  r = parse_args (argc, argv, &a);
  if (r >= 0)
    return r;
  signal (SIGPIPE, SIG_IGN);
  r = prepare (&c, &err);
  if (r >= 0 && c.spec->cordon.seccomp_mode == SECCOMP_MODE_BASELINE)
    r = seccomp_baseline_new (&baseline, &err);
  if (r >= 0)
    {
      struct sandbox_options opts = {
        .base_dir = c.bundle,
        .keep_stdin = true,
        .baseline_seccomp = baseline,
        .oci = true,
        .oci_start_fd = c.start_fd,
        .oci_hooks = &c.hooks,
        .preserve_fds = a.preserve_fds,
        .oci_on_spawned = on_spawned,
        .oci_on_created = on_created,
        .oci_data = &c,
      };
      r = sandbox_run (c.spec, &opts, &result, &err);
      if (r >= 0 && c.console_error < 0)
        {
          /* Created, but the caller cannot use it: take it down.  */
          cleanup_error struct cordon_error ignored = { 0 };
          kill (c.st.init_pid, SIGKILL);
          r = -1;
          cordon_error_release (&err);
          err = c.created_err;
          c.created_err = ignored;
        }
    }
  if (r < 0 && c.st.id[0] && c.root.dfd >= 0)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      state_remove (&c.root, c.st.id, &ignored);
    }
  result_release (&result);
  seccomp_spec_free (baseline);
  oci_hooks_release (&c.hooks);
  spec_free (c.spec);
  free (c.bundle);
  cordon_error_release (&c.created_err);
  if (c.start_fd >= 0)
    close (c.start_fd);
  if (c.dirfd >= 0)
    close (c.dirfd);
  state_release (&c.st);
  if (c.root.dfd >= 0)
    state_root_close (&c.root);
  if (r < 0)
    return cli_fail (&err);
  return 0;
}
