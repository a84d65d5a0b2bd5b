/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "sandbox/sync.h"

/* Signals init passes on to the workload.  */
static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

/* `report_fd` is the monitor's socket, or after an OCI start the start
 * command's connection.  */
__attribute__ ((noreturn)) static void
init_fail (int report_fd, int exit_code, struct cordon_error *err)
{
  struct sync_msg msg = { .type = SYNC_FAILED, .exit_code = exit_code };

  snprintf (msg.text, sizeof msg.text, "%s", err->msg ? err->msg : "sandbox setup failed");
  sync_send (report_fd, &msg, -1);
  _exit (exit_code);
}

static int
become_container_root (const struct init_context *ctx, struct cordon_error *err)
{
  /* As root, our host uid 0 has no mapping: switch to the namespace's root
   * so that nothing we create belongs to an unmapped (host) id.  */
  if (setresgid (0, 0, 0) < 0)
    return cordon_error_set (err, errno, "setresgid 0");
  if (!ctx->idmap->deny_setgroups && setgroups (0, NULL) < 0)
    return cordon_error_set (err, errno, "setgroups");
  if (setresuid (0, 0, 0) < 0)
    return cordon_error_set (err, errno, "setresuid 0");
  return 0;
}

static int
die_with_monitor (const struct init_context *ctx, struct cordon_error *err)
{
  struct pollfd pfd = { .fd = ctx->sync_fd, .events = POLLIN };

  /* An OCI container outlives `cordon create`: it is held by whoever
   * reaps it (conmon, a subreaper), and ended by `cordon kill|delete`.  */
  if (ctx->oci)
    return 0;
  /* Set after the credential change, which clears it.  If the monitor died
   * before this point, its end of the socket is closed: check once.  */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    return cordon_error_set (err, errno, "prctl PR_SET_PDEATHSIG");
  if (poll (&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
    _exit (125);
  return 0;
}

static int
bring_up_loopback (struct cordon_error *err)
{
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (fd < 0)
    return cordon_error_set (err, errno, "socket for lo");
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return cordon_error_set (err, errno, "lo: SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    return cordon_error_set (err, errno, "lo: SIOCSIFFLAGS");
  return 0;
}

/* init is a fork of the CLI: its /proc/1/cmdline would show the workload
 * cordon's whole command line (host paths, -e KEY=VALUE secrets).  The
 * arguments live in our own memory, contiguous from argv[0]: blank them.  */
static void
hide_command_line (void)
{
  char buf[65536];
  ssize_t n = fd_read_small ("/proc/self/cmdline", 0, buf, sizeof buf);
  static const char name[] = "cordon-init";

  if (n <= 0 || program_invocation_name == NULL)
    return;
  memset (program_invocation_name, 0, (size_t) n);
  if ((size_t) n > sizeof name)
    memcpy (program_invocation_name, name, sizeof name);
  prctl (PR_SET_NAME, name, 0, 0, 0);
}

static int
init_build (const struct init_context *ctx, struct cordon_error *err)
{
  int r;

  hide_command_line ();
  r = become_container_root (ctx, err);
  if (r < 0)
    return r;
  r = die_with_monitor (ctx, err);
  if (r < 0)
    return r;
  /* Not dumpable: nothing in the sandbox may ptrace init or open its
   * /proc/1/exe, which is the cordon binary on the host (CVE-2019-5736).  */
  if (prctl (PR_SET_DUMPABLE, 0) < 0)
    return cordon_error_set (err, errno, "prctl PR_SET_DUMPABLE");
  r = rootfs_setup (&ctx->rootfs, err);
  if (r < 0)
    return r;
  r = rootfs_apply_path_policies (ctx->spec, err);
  if (r < 0)
    return r;
  if (ctx->has_utsns && ctx->spec->hostname && sethostname (ctx->spec->hostname, strlen (ctx->spec->hostname)) < 0)
    return cordon_error_set (err, errno, "sethostname `%s`", ctx->spec->hostname);
  if (ctx->has_netns)
    return bring_up_loopback (err);
  return 0;
}

/* -t: the terminal is allocated inside the sandbox's own devpts, so that
 * the workload sees it under /dev/pts; the monitor gets the master.  */
static int
open_terminal (const struct init_context *ctx, struct cordon_error *err)
{
  cleanup_close int master = -1;
  struct sync_msg msg = { .type = SYNC_TERMINAL };
  char name[64];
  int slave;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return cordon_error_set (err, errno, "open /dev/ptmx");
  if (unlockpt (master) < 0 || ptsname_r (master, name, sizeof name) != 0)
    return cordon_error_set (err, errno, "set up the terminal");
  slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return cordon_error_set (err, errno, "open `%s`", name);
  if (sync_send (ctx->sync_fd, &msg, master) < 0)
    {
      close (slave);
      return cordon_error_set (err, errno, "send the terminal to the monitor");
    }
  return slave;
}

static int
block_signals (sigset_t *set, struct cordon_error *err)
{
  int fd;

  sigemptyset (set);
  sigaddset (set, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
    sigaddset (set, forwarded_signals[i]);
  if (sigprocmask (SIG_BLOCK, set, NULL) < 0)
    return cordon_error_set (err, errno, "sigprocmask");
  fd = signalfd (-1, set, SFD_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "signalfd");
  return fd;
}

/* After the workload is started, init needs nothing but the right to signal
 * it: drop every capability but CAP_KILL, from every set.  */
static int
init_drop_privileges (struct cordon_error *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2] = { { 0 } };

  for (int cap = 0; cap <= 63; cap++)
    if (cap != CAP_KILL && prctl (PR_CAPBSET_DROP, cap) < 0 && errno != EINVAL)
      return cordon_error_set (err, errno, "drop capability %d", cap);
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return cordon_error_set (err, errno, "clear ambient capabilities");
  data[0].effective = data[0].permitted = 1u << CAP_KILL;
  if (syscall (SYS_capset, &hdr, data) < 0)
    return cordon_error_set (err, errno, "capset");
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return cordon_error_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  return 0;
}

/* Reads the workload's exec report: EOF means execve succeeded (the pipe is
 * close-on-exec).  */
static int
read_exec_report (int fd, struct exec_report *report)
{
  ssize_t r;

  do
    r = read (fd, report, sizeof *report);
  while (r < 0 && errno == EINTR);
  if (r <= 0)
    return 0;
  report->text[sizeof report->text - 1] = '\0';
  return 1;
}

__attribute__ ((noreturn)) static void
init_supervise (const struct init_context *ctx, int sigfd, pid_t workload, bool oci)
{
  struct signalfd_siginfo si;
  struct sync_msg msg = { .type = SYNC_EXITED };

  for (;;)
    {
      ssize_t r = read (sigfd, &si, sizeof si);
      if (r < 0 && errno == EINTR)
        continue;
      if (r != sizeof si)
        _exit (125);
      if (si.ssi_signo != SIGCHLD)
        {
          kill (workload, (int)si.ssi_signo);
          continue;
        }
      /* As pid 1, init inherits every orphan: reap them all.  */
      for (;;)
        {
          int status;
          pid_t pid = waitpid (-1, &status, WNOHANG);
          if (pid <= 0)
            break;
          if (pid != workload)
            continue;
          if (WIFSIGNALED (status))
            {
              msg.signal = WTERMSIG (status);
              msg.exit_code = 128 + msg.signal;
            }
          else
            msg.exit_code = WEXITSTATUS (status);
          /* An OCI container's status is init's (conmon waits for it): the
           * workload's code, 128+N for a signal, as a shell reports it.  */
          if (oci)
            _exit (msg.exit_code);
          sync_send (ctx->sync_fd, &msg, -1);
          /* Our exit ends the pid namespace: the kernel kills whatever the
           * workload left running.  */
          _exit (0);
        }
    }
}

/* OCI: the sandbox is built; tell `cordon create`, then wait for `cordon
 * start`.  Returns the start command's connection, where the outcome of the
 * start is reported.  The startContainer hooks run here, in the
 * container, before the workload exists.  */
static int
oci_wait_start (const struct init_context *ctx, struct cordon_error *err)
{
  struct sync_msg msg = { .type = SYNC_CREATED };
  cleanup_free char *state = malloc (65536);
  int conn;
  ssize_t n;

  if (state == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (sync_send (ctx->sync_fd, &msg, -1) < 0)
    return cordon_error_set (err, errno, "report the sandbox created");
  close (ctx->sync_fd);
  do
    conn = accept4 (ctx->oci_start_fd, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    _exit (125); /* nobody to tell */
  /* One start: a second one finds no listener.  */
  close (ctx->oci_start_fd);
  do
    n = recv (conn, state, 65535, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    _exit (125);
  state[n] = '\0';
  if (ctx->oci_hooks && oci_hooks_run (ctx->oci_hooks, OCI_HOOK_START_CONTAINER, state, err) < 0)
    init_fail (conn, 125, err);
  return conn;
}

void
init_main (const struct init_context *ctx)
{
  cleanup_error struct cordon_error err = { 0 };
  struct sync_msg msg;
  struct exec_report report;
  sigset_t set;
  int errpipe[2];
  int sigfd;
  int tty = -1;
  int report_fd = ctx->sync_fd;
  pid_t pid;

  if (sync_recv (ctx->sync_fd, &msg, NULL) <= 0 || msg.type != SYNC_GO)
    _exit (125); /* the monitor failed or is gone; it reports why */

  if (init_build (ctx, &err) < 0)
    init_fail (report_fd, 125, &err);
  if (ctx->spec->process.terminal)
    {
      tty = open_terminal (ctx, &err);
      if (tty < 0)
        init_fail (report_fd, 125, &err);
    }
  if (ctx->oci)
    {
      report_fd = oci_wait_start (ctx, &err);
      if (report_fd < 0)
        init_fail (ctx->sync_fd, 125, &err);
    }
  sigfd = block_signals (&set, &err);
  if (sigfd < 0)
    init_fail (report_fd, 125, &err);
  if (pipe2 (errpipe, O_CLOEXEC) < 0)
    {
      cordon_error_set (&err, errno, "pipe");
      init_fail (report_fd, 125, &err);
    }
  pid = fork ();
  if (pid < 0)
    {
      cordon_error_set (&err, errno, "fork the workload");
      init_fail (report_fd, 125, &err);
    }
  if (pid == 0)
    {
      close (errpipe[0]);
      close (sigfd);
      workload_main (ctx, errpipe[1], tty);
    }
  close (errpipe[1]);
  if (ctx->oci)
    {
      /* The caller's stdio (conmon's pipes) belong to the workload: init
       * holding them would keep a reader from seeing the end.  */
      (void)fd_stdio_to_devnull ();
    }
  {
    /* What init keeps of the host: nothing but its line to the monitor.  */
    int keep[] = { report_fd, sigfd, errpipe[0] };
    int rc = fd_close_all_except (keep, 3);
    if (rc < 0)
      {
        kill (pid, SIGKILL);
        cordon_error_set (&err, -rc, "close_range");
        init_fail (report_fd, 125, &err);
      }
  }

  if (read_exec_report (errpipe[0], &report))
    {
      cordon_error_set (&err, 0, "%s", report.text);
      waitpid (pid, NULL, 0);
      init_fail (report_fd, report.exit_code, &err);
    }
  close (errpipe[0]);
  if (init_drop_privileges (&err) < 0)
    {
      kill (pid, SIGKILL);
      init_fail (report_fd, 125, &err);
    }
  msg = (struct sync_msg){ .type = SYNC_STARTED };
  if (sync_send (report_fd, &msg, -1) < 0 && !ctx->oci)
    _exit (125);
  if (ctx->oci)
    close (report_fd);
  init_supervise (ctx, sigfd, pid, ctx->oci);
}
