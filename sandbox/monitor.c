/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/monitor.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sync.h"

static const int monitor_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

struct init_report
{
  bool started;
  bool failed;
  bool exited;
  int exit_code;
  int signal;
  char text[sizeof ((struct sync_msg *) 0)->text];
};

int
monitor_block_signals (sigset_t *old, struct cordon_error *err)
{
  sigset_t set;
  int fd;

  sigemptyset (&set);
  for (size_t i = 0; i < sizeof monitor_signals / sizeof monitor_signals[0]; i++)
    sigaddset (&set, monitor_signals[i]);
  if (sigprocmask (SIG_BLOCK, &set, old) < 0)
    return cordon_error_set (err, errno, "sigprocmask");
  fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return cordon_error_set (err, errno, "signalfd");
  return fd;
}

static void
take_message (struct monitor *m, struct init_report *rep, const struct sync_msg *msg, int passed_fd)
{
  switch (msg->type)
    {
    case SYNC_TERMINAL:
      if (m->pty && passed_fd >= 0)
        {
          pty_relay_attach (m->pty, passed_fd);
          return;
        }
      break;
    case SYNC_STARTED:
      rep->started = true;
      break;
    case SYNC_FAILED:
      rep->failed = true;
      rep->exit_code = msg->exit_code;
      memcpy (rep->text, msg->text, sizeof rep->text);
      break;
    case SYNC_EXITED:
      rep->exited = true;
      rep->exit_code = msg->exit_code;
      rep->signal = msg->signal;
      break;
    default:
      break;
    }
  if (passed_fd >= 0)
    close (passed_fd);
}

static void
forward_signal (struct monitor *m)
{
  struct signalfd_siginfo si;

  while (read (m->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGWINCH && m->pty)
        {
          pty_relay_resize (m->pty);
          continue;
        }
      /* init forwards it to the workload; a failure means init is gone.  */
      syscall (SYS_pidfd_send_signal, m->pidfd, (int) si.ssi_signo, NULL, 0);
    }
}

static int
monitor_loop (struct monitor *m, struct init_report *rep)
{
  bool sync_open = true;
  bool master_open = true;

  for (;;)
    {
      struct pollfd pfd[5];
      nfds_t n = 0;
      int i_pid, i_sync = -1, i_sig, i_master = -1, i_stdin = -1;

      pfd[n] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
      i_pid = (int) n++;
      pfd[n] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
      i_sig = (int) n++;
      if (sync_open)
        {
          pfd[n] = (struct pollfd){ .fd = m->sync_fd, .events = POLLIN };
          i_sync = (int) n++;
        }
      if (m->pty && m->pty->master >= 0 && master_open)
        {
          pfd[n] = (struct pollfd){ .fd = m->pty->master, .events = POLLIN };
          i_master = (int) n++;
          if (m->pty->stdin_open)
            {
              pfd[n] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
              i_stdin = (int) n++;
            }
        }
      if (poll (pfd, n, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      if (pfd[i_sig].revents & POLLIN)
        forward_signal (m);
      if (i_sync >= 0 && pfd[i_sync].revents)
        {
          struct sync_msg msg;
          int passed_fd;
          int r = sync_recv (m->sync_fd, &msg, &passed_fd);
          if (r <= 0)
            sync_open = false;
          else
            take_message (m, rep, &msg, passed_fd);
        }
      if (i_master >= 0 && pfd[i_master].revents && !pty_relay_master_ready (m->pty))
        master_open = false;
      if (i_stdin >= 0 && pfd[i_stdin].revents)
        pty_relay_stdin_ready (m->pty);
      if (pfd[i_pid].revents & POLLIN)
        return 0;
    }
}

/* Messages init sent just before it exited are still queued.  */
static void
drain_messages (struct monitor *m, struct init_report *rep)
{
  struct sync_msg msg;
  int passed_fd;

  /* init is gone, so its end is closed: this ends at EOF.  */
  while (sync_recv (m->sync_fd, &msg, &passed_fd) > 0)
    take_message (m, rep, &msg, passed_fd);
  if (m->pty && m->pty->master >= 0)
    while (pty_relay_master_ready (m->pty))
      {
        struct pollfd pfd = { .fd = m->pty->master, .events = POLLIN };
        if (poll (&pfd, 1, 0) <= 0)
          break;
      }
}

static double
timeval_seconds (struct timeval tv)
{
  return (double) tv.tv_sec + (double) tv.tv_usec / 1e6;
}

int
monitor_wait (struct monitor *m, struct sandbox_result *result, struct cordon_error *err)
{
  struct init_report rep = { 0 };
  struct rusage ru;
  struct timespec now;
  int status;
  int r;

  r = monitor_loop (m, &rep);
  if (r < 0)
    return cordon_error_set (err, -r, "monitor: poll");
  while (wait4 (m->init_pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "monitor: wait4");
  drain_messages (m, &rep);

  clock_gettime (CLOCK_MONOTONIC, &now);
  result->wall_time = (double) (now.tv_sec - m->started.tv_sec) + (double) (now.tv_nsec - m->started.tv_nsec) / 1e9;
  /* wait4 on init covers the workload too: init reaped it.  */
  result->cpu_user = timeval_seconds (ru.ru_utime);
  result->cpu_system = timeval_seconds (ru.ru_stime);
  result->peak_rss_kib = ru.ru_maxrss;

  if (rep.exited)
    {
      result->exit_code = rep.exit_code;
      result->signal = rep.signal;
      result->status = rep.signal ? RESULT_SIGNAL : rep.exit_code == 0 ? RESULT_OK : RESULT_RUNTIME_ERROR;
      return 0;
    }
  if (rep.failed)
    {
      result->exit_code = rep.exit_code;
      free (result->error);
      result->error = strdup (rep.text);
      if (rep.exit_code == 126 || rep.exit_code == 127)
        {
          /* The sandbox held; the command was not there or not executable.  */
          result->status = RESULT_RUNTIME_ERROR;
          return 0;
        }
      result->status = RESULT_SANDBOX_ERROR;
      return cordon_error_set (err, 0, "%s", rep.text);
    }
  if (WIFSIGNALED (status))
    {
      /* init itself was killed (from outside: the OOM killer, or kill -9 of
       * init's pid): the workload died with it.  */
      result->signal = WTERMSIG (status);
      result->exit_code = 128 + result->signal;
      result->status = RESULT_SIGNAL;
      return 0;
    }
  result->status = RESULT_SANDBOX_ERROR;
  result->exit_code = 125;
  return cordon_error_set (err, 0, "the sandbox's init exited (status %d) before the workload started",
                           WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}
