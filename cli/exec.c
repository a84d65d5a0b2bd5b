/* SPDX-License-Identifier: Apache-2.0 */
/* cordon exec: a command in a running sandbox, as `docker exec` runs one.
 *
 * It joins every namespace of the sandbox through a pidfd on init (one
 * setns, the user namespace first, as the kernel orders them), the
 * sandbox's cgroup, then forks into its pid namespace and confines the new
 * process exactly as the workload was (workload_main: new session, the
 * workload's rlimits, identity and capabilities, working directory inside,
 * no_new_privs, Landlock, every other fd closed, the same seccomp program
 * from the cache).  Nothing of the host crosses but stdio: setns into the
 * mount namespace leaves the host's root and cwd behind, and close_range
 * drops every other descriptor before execve.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "cli/oci.h"
#include "common/json.h"
#include "sandbox/caps.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "profiles/seccomp-baseline.h"
#include "sandbox/idmap.h"
#include "sandbox/init.h"
#include "sandbox/landlock.h"
#include "sandbox/passwd.h"
#include "sandbox/pty.h"
#include "sandbox/seccomp-cache.h"
#include "sandbox/spec-edit.h"
#include "sandbox/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char exec_usage[] = "Usage: cordon exec [OPTIONS] ID|NAME [--] COMMAND [ARG...]\n"
                                 "\n"
                                 "Runs COMMAND in a running sandbox, in all its namespaces and under the\n"
                                 "same confinement as its workload (capabilities, no_new_privs, seccomp,\n"
                                 "Landlock, rlimits, cgroup).\n"
                                 "\n"
                                 "  -i, --interactive      keep stdin (otherwise /dev/null)\n"
                                 "  -t, --tty              a new terminal, inside the sandbox\n"
                                 "  -u, --user USER[:GROUP]  a name or number of the sandbox's /etc/passwd\n"
                                 "  -e, --env KEY=VALUE    set an environment variable\n"
                                 "  -w, --workdir DIR      working directory inside (default: the workload's)\n"
                                 "      --root DIR         the state directory\n"
                                 "\n"
                                 "The OCI runtime's exec flags are accepted too: --process FILE, -d/--detach,\n"
                                 "--pid-file FILE, --console-socket SOCKET, --cwd DIR, --cap CAP,\n"
                                 "--preserve-fds N (doc/oci-runtime.md).\n"
                                 "\n"
                                 "Exit status: the command's; 125 when cordon failed, 126 when COMMAND\n"
                                 "cannot be executed, 127 when it is not found.\n";

static const int ns_flags[] = { CLONE_NEWUSER, CLONE_NEWNS,     CLONE_NEWPID, CLONE_NEWNET,
                                CLONE_NEWIPC,  CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWTIME };

struct exec_args
{
  bool interactive;
  bool tty;
  const char *user;
  const char *workdir;
  const char *root;
  const char *ref;
  char **env; /* -e, in order (points into argv) */
  size_t n_env;
  char **command;
  /* The OCI runtime's exec (runc's flags, as conmon passes them).  */
  const char *process_file; /* --process: the whole process object */
  bool detach;              /* -d: return once it runs; it is reparented to the nearest subreaper */
  const char *pid_file;
  const char *console_socket; /* with a terminal: the master goes there instead of being relayed */
  char **caps;                /* --cap, added to every set */
  size_t n_caps;
  int preserve_fds;
};

/* Everything decided on the host side, before any namespace is joined.  */
struct exec_plan
{
  struct cordon_spec *spec;
  struct cordon_bpf bpf;
  struct idmap_plan idmap;
  struct cordon_rlimit rlimits[RLIM_NLIMITS];
  size_t n_rlimits;
  int pidfd;     /* init, or the workload when init cannot be joined */
  int cgroup_fd; /* the sandbox's cgroup.procs, or -1 */
  int stdin_fd;  /* /dev/null without -i */
  unsigned long ns;
};

static int
parse_args (int argc, char **argv, struct exec_args *a, struct cordon_error *err)
{
  static const struct option options[] = {
    { "interactive", no_argument, NULL, 'i' },   { "tty", no_argument, NULL, 't' },
    { "user", required_argument, NULL, 'u' },    { "env", required_argument, NULL, 'e' },
    { "workdir", required_argument, NULL, 'w' }, { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },          { "cwd", required_argument, NULL, 'w' },
    { "process", required_argument, NULL, 'p' }, { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, 'P' }, { "console-socket", required_argument, NULL, 'C' },
    { "cap", required_argument, NULL, 'c' },     { "preserve-fds", required_argument, NULL, 'F' },
    { "no-new-privs", no_argument, NULL, 'N' },  { "apparmor", required_argument, NULL, 'A' },
    { "process-label", required_argument, NULL, 'L' }, { NULL, 0, NULL, 0 },
  };
  int c;

  a->env = calloc ((size_t)argc + 1, sizeof *a->env);
  a->caps = calloc ((size_t)argc + 1, sizeof *a->caps);
  if (a->env == NULL || a->caps == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+itu:e:w:p:dc:", options, NULL)) != -1)
    switch (c)
      {
      case 'i':
        a->interactive = true;
        break;
      case 't':
        a->tty = true;
        break;
      case 'u':
        a->user = optarg;
        break;
      case 'e':
        a->env[a->n_env++] = optarg;
        break;
      case 'w':
        if (optarg[0] != '/')
          return cordon_error_set (err, EINVAL, "exec: -w `%s`: expected an absolute path", optarg);
        a->workdir = optarg;
        break;
      case 'R':
        a->root = optarg;
        break;
      case 'p':
        a->process_file = optarg;
        break;
      case 'd':
        a->detach = true;
        break;
      case 'P':
        a->pid_file = optarg;
        break;
      case 'C':
        a->console_socket = optarg;
        break;
      case 'c':
        a->caps[a->n_caps++] = optarg;
        break;
      case 'F':
        {
          char *end;
          long n = strtol (optarg, &end, 10);
          if (*end || n < 0 || n > 1024)
            return cordon_error_set (err, EINVAL, "exec: --preserve-fds: not a count: %s", optarg);
          a->preserve_fds = (int)n;
        }
        break;
      case 'N': /* always: cordon sets no_new_privs on everything it runs */
      case 'A': /* the sandbox's own profile applies */
      case 'L': /* no SELinux */
        break;
      case 'H':
        fputs (exec_usage, stdout);
        exit (0);
      default:
        return cordon_error_set (err, EINVAL, "exec: unknown or incomplete option `%s` (see cordon exec --help)",
                                 argv[optind - 1]);
      }
  if (optind >= argc)
    return cordon_error_set (err, EINVAL, "exec: no sandbox given (cordon exec ID -- COMMAND)");
  a->ref = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  /* The OCI runtime is always given the caller's stdio.  */
  if (a->process_file || a->detach || a->console_socket)
    a->interactive = true;
  if (a->process_file)
    return 0;
  if (optind >= argc)
    return cordon_error_set (err, EINVAL, "exec: no command given (cordon exec ID -- COMMAND)");
  a->command = argv + optind;
  return 0;
}

/* The rlimits the workload runs with now, which include those of the limits
 * plan (RLIMIT_CPU, RLIMIT_NPROC, ... when no cgroup holds them).  */
static int
copy_rlimits (pid_t workload, struct exec_plan *p, struct cordon_error *err)
{
  for (int r = 0; r < RLIM_NLIMITS; r++)
    {
      struct rlimit lim;
      if (prlimit (workload, (__rlimit_resource_t)r, NULL, &lim) < 0)
        return cordon_error_set (err, errno, "read the workload's rlimits");
      p->rlimits[p->n_rlimits++] = (struct cordon_rlimit){ r, lim.rlim_cur, lim.rlim_max };
    }
  return 0;
}

/* The cgroup init was born in (cgroup v2): the command joins it, so that
 * the sandbox's memory and pids limits count it too.  */
static int
open_cgroup (pid_t init_pid, struct cordon_error *err)
{
  char path[64], buf[4096], *line, *save = NULL;
  cleanup_free char *procs = NULL;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/cgroup", (int)init_pid);
  if (fd_read_small (path, 0, buf, sizeof buf) <= 0)
    return -1;
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, "0::/", 4) == 0)
      break;
  if (line == NULL || asprintf (&procs, "/sys/fs/cgroup%s/cgroup.procs", line + 3) < 0)
    return -1;
  fd = open (procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno != EACCES && errno != EPERM && errno != ENOENT)
    return cordon_error_set (err, errno, "%s", procs);
  return fd;
}

static int
compile_seccomp (const struct cordon_spec *spec, struct cordon_bpf *bpf, struct cordon_error *err)
{
  struct cordon_seccomp *baseline = NULL;
  const struct cordon_seccomp *filter = NULL;
  bool hit;
  int r;

  if (spec->cordon.seccomp_mode == SECCOMP_MODE_UNCONFINED)
    return 0;
  if (spec->cordon.seccomp_mode == SECCOMP_MODE_SPEC)
    filter = spec->seccomp;
  else
    {
      r = seccomp_baseline_new (&baseline, err);
      if (r < 0)
        return r;
      filter = baseline;
    }
  /* The same filter gives the same key: the program the workload runs
   * under comes back from the cache.  */
  r = filter ? seccomp_filter_compile_cached (filter, NULL, bpf, &hit, err) : 0;
  seccomp_spec_free (baseline);
  return r;
}

static int
plan_exec (const struct exec_args *a, const struct sandbox_state *st, const struct state_root *root,
           struct exec_plan *p, struct cordon_error *err)
{
  cleanup_free char *config = state_path (root, st->id, "config.json");
  pid_t workload;
  int r;

  if (config == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = spec_load_file (config, &p->spec, err);
  if (r < 0)
    return r;
  r = idmap_plan_for_spec (p->spec, &p->idmap, err);
  if (r < 0)
    return r;
  if (a->process_file)
    {
      cleanup_free char *text = NULL;
      size_t len;
      r = json_read_file (a->process_file, SPEC_MAX_FILE_BYTES, &text, &len, err);
      if (r >= 0)
        r = spec_parse_process (text, len, p->spec, err);
    }
  else
    r = spec_set_args (p->spec, a->command, err);
  for (size_t i = 0; r >= 0 && i < a->n_caps; i++)
    {
      int cap = caps_from_name (a->caps[i]);
      if (cap < 0)
        r = cordon_error_set (err, EINVAL, "exec: --cap `%s`: unknown capability", a->caps[i]);
      else
        {
          uint64_t bit = 1ull << cap;
          p->spec->process.caps_bounding |= bit;
          p->spec->process.caps_effective |= bit;
          p->spec->process.caps_permitted |= bit;
          p->spec->process.caps_inheritable |= bit;
          p->spec->process.caps_ambient |= bit;
        }
    }
  for (size_t i = 0; r >= 0 && i < a->n_env; i++)
    r = spec_set_env (p->spec, a->env[i], err);
  if (r >= 0 && a->workdir)
    r = spec_set_string (&p->spec->process.cwd, a->workdir, err);
  if (r < 0)
    return r;
  if (!a->process_file)
    p->spec->process.terminal = a->tty;
  r = compile_seccomp (p->spec, &p->bpf, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++)
    if (spec_has_namespace (p->spec, ns_flags[i]))
      p->ns |= (unsigned long)ns_flags[i];
  workload = lifecycle_find_workload (st->init_pid);
  if (workload <= 0)
    return cordon_error_set (err, ESRCH, "sandbox %.12s: its workload is gone", st->id);
  r = copy_rlimits (workload, p, err);
  if (r < 0)
    return r;
  p->pidfd = lifecycle_pidfd (st->init_pid, st->init_start);
  if (p->pidfd < 0)
    return cordon_error_set (err, -p->pidfd, "sandbox %.12s: init", st->id);
  p->cgroup_fd = open_cgroup (st->init_pid, err);
  if (p->cgroup_fd < -1)
    return p->cgroup_fd;
  if (!a->interactive)
    {
      p->stdin_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (p->stdin_fd < 0)
        return cordon_error_set (err, errno, "/dev/null");
    }
  return 0;
}

static int
join_namespaces (struct exec_plan *p, const struct sandbox_state *st)
{
  unsigned long ns = p->ns;

  if (setns (p->pidfd, (int)ns) == 0)
    return 0;
  if (errno == EINVAL && (ns & CLONE_NEWTIME))
    {
      /* A kernel without time namespaces: init was started without one.  */
      ns &= ~(unsigned long)CLONE_NEWTIME;
      if (setns (p->pidfd, (int)ns) == 0)
        return 0;
    }
  if (errno == EPERM)
    {
      /* init is not dumpable (it is a fork of cordon): without
       * CAP_SYS_PTRACE on the host its pidfd cannot be joined.  The workload
       * is in the same namespaces and can be.  */
      pid_t w = lifecycle_find_workload (st->init_pid);
      int fd = w > 0 ? lifecycle_pidfd (w, state_proc_start_time (w)) : -ESRCH;
      if (fd >= 0)
        {
          int r = setns (fd, (int)ns);
          int e = errno;
          close (fd);
          errno = e;
          if (r == 0)
            return 0;
        }
    }
  return -errno;
}

/* -u: looked up in the sandbox's own /etc/passwd, from inside.  */
static int
resolve_user (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_free char *user = strdup (arg);
  struct passwd_entry pw = { 0 };
  char *group;

  if (rootfd < 0 || user == NULL)
    return cordon_error_set (err, errno, "-u");
  group = strchr (user, ':');
  if (group)
    *group++ = '\0';
  if (passwd_lookup_user (rootfd, user, &pw) == 0)
    {
      spec->process.uid = pw.uid;
      spec->process.gid = pw.gid;
      free (pw.home);
    }
  else if (spec_set_user (spec, user, err) < 0)
    return cordon_error_wrap (err, "-u: no user `%s` in the sandbox's /etc/passwd", user);
  if (group)
    {
      uint32_t gid;
      if (passwd_lookup_group (rootfd, group, &gid) < 0)
        return cordon_error_set (err, ENOENT, "-u `%s`: no group `%s` in the sandbox's /etc/group", arg, group);
      spec->process.gid = gid;
    }
  return 0;
}

/* -t: the terminal comes from the sandbox's devpts (we are in its mount
 * namespace); the master goes to the CLI to relay.  */
static int
open_terminal (int sock, struct cordon_error *err)
{
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct sync_msg msg = { .type = SYNC_TERMINAL };
  char name[64];
  int slave;

  if (master < 0 || unlockpt (master) < 0 || ptsname_r (master, name, sizeof name) != 0)
    return cordon_error_set (err, errno, "open a terminal in the sandbox");
  slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return cordon_error_set (err, errno, "open `%s`", name);
  if (sync_send (sock, &msg, master) < 0)
    {
      close (slave);
      return cordon_error_set (err, errno, "send the terminal");
    }
  return slave;
}

__attribute__ ((noreturn)) static void
fail_report (int errfd, int code, const char *msg)
{
  struct exec_report rep = { .exit_code = code };
  ssize_t w;

  snprintf (rep.text, sizeof rep.text, "%s", msg);
  w = write (errfd, &rep, sizeof rep);
  (void)w;
  _exit (code);
}

/* In the sandbox's pid namespace: confine and execute.  */
__attribute__ ((noreturn)) static void
exec_child (const struct exec_args *a, struct exec_plan *p, int errfd, int tty_sock)
{
  cleanup_error struct cordon_error err = { 0 };
  int tty = -1;

  /* The CLI's death must not leave a command running unwatched (unless
   * detached: then its reaper watches it).  */
  if (!a->detach && prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    fail_report (errfd, 125, "prctl PR_SET_PDEATHSIG");
  if (a->user && resolve_user (p->spec, a->user, &err) < 0)
    fail_report (errfd, 125, err.msg);
  if (p->spec->process.terminal && (tty = open_terminal (tty_sock, &err)) < 0)
    fail_report (errfd, 125, err.msg);
  if (tty_sock >= 0)
    close (tty_sock);
  p->spec->process.n_rlimits = 0; /* the workload's own, copied in full below */
  struct init_context ctx = {
    .spec = p->spec,
    .idmap = &p->idmap,
    .bpf = p->bpf.insns ? &p->bpf : NULL,
    .stdin_fd = p->stdin_fd,
    .stdout_fd = -1,
    .stderr_fd = -1,
    .notify_fd = -1,
    .landlock_abi = p->spec->cordon.landlock_unconfined ? 0 : landlock_abi (),
    .extra_rlimits = p->rlimits,
    .n_extra_rlimits = p->n_rlimits,
    .preserve_fds = a->preserve_fds,
  };
  workload_main (&ctx, errfd, tty);
}

/* The joining process: into the cgroup and the namespaces, then a fork into
 * the pid namespace.  It passes the command's status on.  */
__attribute__ ((noreturn)) static void
join_child (const struct exec_args *a, struct exec_plan *p, const struct sandbox_state *st, int errfd, int tty_sock,
            int pid_fd)
{
  int status;
  pid_t pid;
  int r;

  if (!a->detach && prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    fail_report (errfd, 125, "prctl PR_SET_PDEATHSIG");
  if (p->cgroup_fd >= 0 && write (p->cgroup_fd, "0", 1) < 0)
    fail_report (errfd, 125, "join the sandbox's cgroup");
  r = join_namespaces (p, st);
  if (r < 0)
    {
      char msg[256];
      snprintf (msg, sizeof msg, "join the sandbox's namespaces (setns): %s", strerror (-r));
      fail_report (errfd, 125, msg);
    }
  pid = fork ();
  if (pid < 0)
    fail_report (errfd, 125, "fork into the sandbox");
  if (pid == 0)
    exec_child (a, p, errfd, tty_sock);
  if (a->detach)
    {
      /* Its pid (in the host's view: we are still in the host's pid
       * namespace) for --pid-file; then it is orphaned, to the nearest
       * subreaper (conmon).  */
      _exit (write (pid_fd, &pid, sizeof pid) == (ssize_t)sizeof pid ? 0 : 125);
    }
  close (errfd);
  if (tty_sock >= 0)
    close (tty_sock);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      _exit (125);
  _exit (WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status));
}

static void
relay_terminal (int tty_sock, bool relay_stdin)
{
  struct pty_relay pty;
  struct sync_msg msg;
  int master = -1;

  if (sync_recv (tty_sock, &msg, &master) <= 0 || master < 0)
    return;
  pty_relay_init (&pty, relay_stdin);
  pty_relay_attach (&pty, master);
  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = pty.master, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
      nfds_t n = pty.stdin_open ? 2 : 1;
      if (poll (pfd, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (pfd[0].revents && !pty_relay_master_ready (&pty))
        break;
      if (n > 1 && pfd[1].revents)
        pty_relay_stdin_ready (&pty);
    }
  pty_relay_close (&pty);
}

static int
run_exec (const struct exec_args *a, struct exec_plan *p, const struct sandbox_state *st, struct cordon_error *err)
{
  struct exec_report rep;
  int errpipe[2], tty[2] = { -1, -1 }, pidpipe[2] = { -1, -1 };
  pid_t exec_pid = 0;
  bool tty_wanted = p->spec->process.terminal;
  int status;
  ssize_t n;
  pid_t pid;

  if (pipe2 (errpipe, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "pipe");
  if (a->detach && pipe2 (pidpipe, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "pipe");
  if (tty_wanted && socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tty) < 0)
    {
      close (errpipe[0]);
      close (errpipe[1]);
      return cordon_error_set (err, errno, "socketpair");
    }
  pid = fork ();
  if (pid < 0)
    return cordon_error_set (err, errno, "fork");
  if (pid == 0)
    {
      close (errpipe[0]);
      if (tty[0] >= 0)
        close (tty[0]);
      join_child (a, p, st, errpipe[1], tty[1], pidpipe[1]);
    }
  close (errpipe[1]);
  if (pidpipe[1] >= 0)
    close (pidpipe[1]);
  if (tty[1] >= 0)
    close (tty[1]);
  if (tty[0] >= 0 && a->console_socket)
    {
      struct sync_msg msg;
      int master = -1;
      int r = sync_recv (tty[0], &msg, &master) > 0 && master >= 0
                  ? oci_send_console (a->console_socket, master, err)
                  : cordon_error_set (err, EPROTO, "exec: no terminal came from the sandbox");
      if (master >= 0)
        close (master);
      close (tty[0]);
      if (r < 0)
        return r;
    }
  else if (tty[0] >= 0)
    {
      relay_terminal (tty[0], a->interactive);
      close (tty[0]);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "waitpid");
  do
    n = read (errpipe[0], &rep, sizeof rep);
  while (n < 0 && errno == EINTR);
  close (errpipe[0]);
  if (pidpipe[0] >= 0)
    {
      if (read (pidpipe[0], &exec_pid, sizeof exec_pid) != (ssize_t)sizeof exec_pid)
        exec_pid = 0;
      close (pidpipe[0]);
    }
  if (n == (ssize_t)sizeof rep)
    {
      rep.text[sizeof rep.text - 1] = '\0';
      cordon_error_set (err, 0, "%s", rep.text);
      return -rep.exit_code;
    }
  if (a->detach)
    {
      /* Started (the exec report pipe closed on execve).  */
      if (exec_pid <= 0)
        return cordon_error_set (err, ESRCH, "exec: the process did not start");
      if (a->pid_file && oci_write_pid_file (a->pid_file, exec_pid, err) < 0)
        return -125;
      return 0;
    }
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

static void
plan_release (struct exec_plan *p)
{
  spec_free (p->spec);
  seccomp_bpf_free (&p->bpf);
  if (p->pidfd >= 0)
    close (p->pidfd);
  if (p->cgroup_fd >= 0)
    close (p->cgroup_fd);
  if (p->stdin_fd >= 0)
    close (p->stdin_fd);
}

int
cli_exec (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  struct exec_args a = { 0 };
  struct exec_plan p = { .pidfd = -1, .cgroup_fd = -1, .stdin_fd = -1 };
  struct state_root root = { .dfd = -1 };
  struct sandbox_state st = { .exit_code = -1 };
  bool opened = false;
  int r;

  signal (SIGPIPE, SIG_IGN);
  r = parse_args (argc, argv, &a, &err);
  if (r >= 0)
    {
      r = lifecycle_open (a.root, a.ref, &root, &st, &err);
      opened = r >= 0;
    }
  if (r >= 0 && !lifecycle_is_running (&st))
    r = cordon_error_set (&err, 0, "sandbox %s is not running", st.id);
  if (r >= 0)
    r = plan_exec (&a, &st, &root, &p, &err);
  if (r >= 0)
    {
      /* Recorded before it runs, as `run` records `create`.  */
      lifecycle_audit (&st, "exec", a.command, NULL);
      fflush (stdout);
      fflush (stderr);
      r = run_exec (&a, &p, &st, &err);
    }
  plan_release (&p);
  free (a.env);
  free (a.caps);
  if (opened)
    {
      state_release (&st);
      state_root_close (&root);
    }
  if (r < 0)
    {
      int code = err.status == 0 && -r >= 125 && -r <= 127 ? -r : EXIT_CORDON_FAILED;
      fprintf (stderr, "cordon: %s\n", err.msg ? err.msg : "exec failed");
      return code;
    }
  return r;
}
