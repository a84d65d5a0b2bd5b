/* SPDX-License-Identifier: Apache-2.0 */
/* The workload's last steps, in the order the design fixes: new session and
 * stdio, working directory, user and capabilities, no_new_privs, close every
 * other fd, seccomp, execve.  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "sandbox/caps.h"
#include "sandbox/init.h"
#include "sandbox/apparmor.h"
#include "sandbox/landlock.h"
#include "sandbox/sync.h"

__attribute__ ((noreturn)) static void
workload_fail (int errfd, int exit_code, const char *fmt, ...)
{
  struct exec_report report = { .exit_code = exit_code };
  va_list ap;
  ssize_t w;

  va_start (ap, fmt);
  vsnprintf (report.text, sizeof report.text, fmt, ap);
  va_end (ap);
  w = write (errfd, &report, sizeof report);
  (void)w;
  _exit (exit_code);
}

static void
reset_signals (void)
{
  sigset_t none;

  /* init blocked the signals it forwards; the workload starts clean.  */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

/* Resource limits last before the identity switch: an rlimit applies to the
 * workload and what it starts, not to init.  */
static int
apply_rlimits (const struct cordon_rlimit *rl, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      struct rlimit lim = { .rlim_cur = rl[i].soft, .rlim_max = rl[i].hard };
      if (setrlimit ((__rlimit_resource_t)rl[i].resource, &lim) < 0)
        return -errno;
    }
  return 0;
}

static int
setup_stdio (const struct init_context *ctx, int tty)
{
  if (tty >= 0)
    {
      for (int fd = 0; fd < 3; fd++)
        if (dup2 (tty, fd) < 0)
          return -errno;
      if (ioctl (0, TIOCSCTTY, 0) < 0)
        return -errno;
      return 0;
    }
  if (ctx->stdin_fd >= 0 && dup2 (ctx->stdin_fd, 0) < 0)
    return -errno;
  if (ctx->stdout_fd >= 0 && dup2 (ctx->stdout_fd, 1) < 0)
    return -errno;
  if (ctx->stderr_fd >= 0 && dup2 (ctx->stderr_fd, 2) < 0)
    return -errno;
  return 0;
}

static const char *
env_lookup (char *const *env, const char *name)
{
  size_t n = strlen (name);

  for (; env && *env; env++)
    if (strncmp (*env, name, n) == 0 && (*env)[n] == '=')
      return *env + n + 1;
  return NULL;
}

/* execvpe() searches the PATH of the calling process; the workload's PATH is
 * the one in its own environment.  */
__attribute__ ((noreturn)) static void
exec_workload (const struct cordon_process *process, int errfd)
{
  const char *file = process->args[0];
  const char *path;
  int saw_eacces = 0;
  int last = ENOENT;

  if (strchr (file, '/') != NULL)
    {
      execve (file, process->args, process->env);
      last = errno;
      workload_fail (errfd, last == ENOENT || last == ENOTDIR ? 127 : 126, "exec `%s`: %s", file, strerror (last));
    }
  path = env_lookup (process->env, "PATH");
  if (path == NULL)
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (*path)
    {
      const char *end = strchrnul (path, ':');
      char full[4096];
      int n;

      if (end == path)
        n = snprintf (full, sizeof full, "%s", file); /* an empty entry means the cwd */
      else
        n = snprintf (full, sizeof full, "%.*s/%s", (int)(end - path), path, file);
      if (n > 0 && (size_t)n < sizeof full)
        {
          execve (full, process->args, process->env);
          if (errno == EACCES)
            saw_eacces = 1;
          else if (errno != ENOENT && errno != ENOTDIR)
            last = errno;
        }
      path = *end ? end + 1 : end;
    }
  if (saw_eacces)
    last = EACCES;
  workload_fail (errfd, last == ENOENT ? 127 : 126, "exec `%s`: %s", file,
                 last == ENOENT ? "command not found" : strerror (last));
}

void
workload_main (const struct init_context *ctx, int errfd, int tty)
{
  const struct cordon_process *process = &ctx->spec->process;
  cleanup_error struct cordon_error err = { 0 };
  int keep[] = { errfd, ctx->notify_fd };
  int r;

  reset_signals ();
  /* A new session with no controlling terminal from the host: the workload
   * cannot push input into the caller's terminal (TIOCSTI).  */
  if (setsid () < 0)
    workload_fail (errfd, 125, "setsid: %s", strerror (errno));
  r = setup_stdio (ctx, tty);
  if (r < 0)
    workload_fail (errfd, 125, "set up stdio: %s", strerror (-r));
  r = apply_rlimits (process->rlimits, process->n_rlimits);
  if (r >= 0)
    r = apply_rlimits (ctx->extra_rlimits, ctx->n_extra_rlimits);
  if (r < 0)
    workload_fail (errfd, 125, "setrlimit: %s", strerror (-r));
  r = caps_apply (process, !ctx->idmap->deny_setgroups, &err);
  if (r < 0)
    workload_fail (errfd, 125, "%s", err.msg);
  if (chdir (process->cwd ? process->cwd : "/") < 0)
    workload_fail (errfd, 125, "working directory `%s`: %s", process->cwd, strerror (errno));
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    workload_fail (errfd, 125, "prctl PR_SET_NO_NEW_PRIVS: %s", strerror (errno));
  /* Before Landlock, which would deny the write to /proc/self/attr; after
   * no_new_privs, which AppArmor allows for a move from unconfined.  */
  if (ctx->apparmor_profile && apparmor_change_onexec (ctx->apparmor_profile, &err) < 0)
    workload_fail (errfd, 125, "%s", err.msg);
  if (ctx->landlock_abi > 0 && landlock_apply (ctx->spec, ctx->landlock_abi, &err) < 0)
    workload_fail (errfd, 125, "%s", err.msg);
  /* Only stdio crosses into the workload (and the fds the OCI caller asked
   * to preserve): no host fd, no runner fd.  */
  for (int fd = 3; fd < 3 + ctx->preserve_fds; fd++)
    if (fcntl (fd, F_SETFD, 0) < 0)
      workload_fail (errfd, 125, "--preserve-fds: fd %d: %s", fd, strerror (errno));
  r = fd_close_from_except (3u + (unsigned int)ctx->preserve_fds, keep, ctx->notify_fd >= 0 ? 2 : 1);
  if (r < 0)
    workload_fail (errfd, 125, "close_range: %s", strerror (-r));
  if (ctx->bpf != NULL && (r = seccomp_bpf_install (ctx->bpf, &err)) < 0)
    workload_fail (errfd, 125, "%s", err.msg);
  if (ctx->notify_fd >= 0)
    {
      /* The listener answers our own refused syscalls: it must reach the
       * monitor before we make one, and never stay with us.  sendmsg and
       * close were checked to be allowed by the filter.  */
      struct sync_msg msg = { .type = SYNC_LISTENER };
      if (r <= 0 || sync_send (ctx->notify_fd, &msg, r) < 0)
        {
          int e = errno;
          /* With no listener left, a notifying syscall fails (ENOSYS) rather
           * than waiting forever for an answer nobody will give.  */
          if (r > 0)
            close (r);
          workload_fail (errfd, 125, "hand the seccomp listener to the monitor: %s", strerror (e));
        }
      close (r);
      close (ctx->notify_fd);
    }
  exec_workload (process, errfd);
}
