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
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/proctree.h"
#include "sandbox/seccomp-notify.h"
#include "sandbox/sync.h"

static const int monitor_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

/* Why the monitor killed the sandbox, if it did.  */
enum kill_reason
{
  KILL_NONE,
  KILL_WALL,
  KILL_CPU,
  KILL_MEMORY,
  KILL_OUTPUT,
};

struct watch
{
  int wall_fd; /* timerfd at the wall-clock deadline, or -1 */
  int poll_fd; /* periodic timerfd for sampling, or -1 */
  enum kill_reason killed;
  uint64_t cpu_us;   /* last sample */
  uint64_t rss_peak; /* polled peak of the whole tree (no cgroup) */
};

struct init_report
{
  bool started;
  bool failed;
  bool exited;
  int exit_code;
  int signal;
  char text[sizeof ((struct sync_msg *)0)->text];
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
      if (m->on_started)
        m->on_started (m->on_started_data, m->init_pid, m->pidfd);
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
      syscall (SYS_pidfd_send_signal, m->pidfd, (int)si.ssi_signo, NULL, 0);
    }
}

static void
kill_sandbox (struct monitor *m, struct watch *w, enum kill_reason why)
{
  if (w->killed == KILL_NONE)
    w->killed = why;
  /* SIGKILL to init ends the pid namespace: every process inside dies.  */
  syscall (SYS_pidfd_send_signal, m->pidfd, SIGKILL, NULL, 0);
}

static int
arm_timer (uint64_t first_ms, uint64_t every_ms)
{
  struct itimerspec its = {
    .it_value = { (time_t)(first_ms / 1000), (long)(first_ms % 1000) * 1000000 },
    .it_interval = { (time_t)(every_ms / 1000), (long)(every_ms % 1000) * 1000000 },
  };
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

  if (fd < 0)
    return -errno;
  if (timerfd_settime (fd, 0, &its, NULL) < 0)
    {
      int e = errno;
      close (fd);
      return -e;
    }
  return fd;
}

/* One sample: CPU time of the whole sandbox (the cgroup's, or the process
 * tree's), and without a cgroup its resident memory.  */
static void
sample (struct monitor *m, struct watch *w)
{
  const struct limits_plan *plan = m->limits;
  struct proctree_sample ps;
  int64_t cg_cpu = cgroup_cpu_usage_us (&plan->cgroup);
  uint64_t tick;

  while (read (w->poll_fd, &tick, sizeof tick) > 0)
    ;
  if (cg_cpu >= 0)
    w->cpu_us = (uint64_t)cg_cpu;
  if (cg_cpu < 0 || plan->memory_poll_bytes)
    {
      if (proctree_sample (m->init_pid, &ps) < 0)
        return;
      if (cg_cpu < 0)
        w->cpu_us = ps.cpu_us;
      if (ps.rss_bytes > w->rss_peak)
        w->rss_peak = ps.rss_bytes;
      if (plan->memory_poll_bytes && ps.rss_bytes > plan->memory_poll_bytes)
        kill_sandbox (m, w, KILL_MEMORY);
    }
  if (plan->cpu_time_us && w->cpu_us >= plan->cpu_time_us)
    kill_sandbox (m, w, KILL_CPU);
}

/* report_denied and profile learn: the listener arrives once, then each
 * notification is answered at once (the workload waits for it).  */
static void
notify_ready (struct monitor *m, int *listener, bool listener_event, struct sandbox_result *result)
{
  if (!listener_event)
    {
      struct sync_msg msg;
      int fd = -1;
      if (sync_recv (m->notify_sock, &msg, &fd) <= 0 || msg.type != SYNC_LISTENER || fd < 0 || *listener >= 0)
        {
          if (fd >= 0)
            close (fd);
          close (m->notify_sock);
          m->notify_sock = -1;
          return;
        }
      *listener = fd;
      return;
    }
  if ((m->learn ? seccomp_learn_answer (*listener, m->learn) : seccomp_notify_answer (*listener, m->plain_bpf, result))
      < 0)
    {
      close (*listener);
      *listener = -1;
    }
}

static int
monitor_loop (struct monitor *m, struct init_report *rep, struct watch *w, struct sandbox_result *result)
{
  bool sync_open = true;
  bool master_open = true;
  int listener = -1;

  for (;;)
    {
      struct pollfd pfd[11];
      nfds_t n = 0;
      int i_nsock = -1, i_listener = -1;
      int i_pid, i_sync = -1, i_sig, i_master = -1, i_stdin = -1, i_wall = -1, i_poll = -1, i_out[2] = { -1, -1 };

      pfd[n] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
      i_pid = (int)n++;
      pfd[n] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
      i_sig = (int)n++;
      if (sync_open)
        {
          pfd[n] = (struct pollfd){ .fd = m->sync_fd, .events = POLLIN };
          i_sync = (int)n++;
        }
      if (m->pty && m->pty->master >= 0 && master_open)
        {
          pfd[n] = (struct pollfd){ .fd = m->pty->master, .events = POLLIN };
          i_master = (int)n++;
          if (m->pty->stdin_open)
            {
              pfd[n] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
              i_stdin = (int)n++;
            }
        }
      if (w->wall_fd >= 0)
        {
          pfd[n] = (struct pollfd){ .fd = w->wall_fd, .events = POLLIN };
          i_wall = (int)n++;
        }
      if (w->poll_fd >= 0)
        {
          pfd[n] = (struct pollfd){ .fd = w->poll_fd, .events = POLLIN };
          i_poll = (int)n++;
        }
      if (m->notify_sock >= 0)
        {
          pfd[n] = (struct pollfd){ .fd = m->notify_sock, .events = POLLIN };
          i_nsock = (int)n++;
        }
      if (listener >= 0)
        {
          pfd[n] = (struct pollfd){ .fd = listener, .events = POLLIN };
          i_listener = (int)n++;
        }
      for (int k = 0; m->output && k < 2; k++)
        if (m->output->read_fd[k] >= 0 && !m->output->over)
          {
            pfd[n] = (struct pollfd){ .fd = m->output->read_fd[k], .events = POLLIN };
            i_out[k] = (int)n++;
          }
      if (poll (pfd, n, -1) < 0)
        {
          int e = errno;
          if (e == EINTR)
            continue;
          if (listener >= 0)
            close (listener);
          return -e;
        }
      if (pfd[i_sig].revents & POLLIN)
        forward_signal (m);
      if (i_nsock >= 0 && pfd[i_nsock].revents)
        notify_ready (m, &listener, false, result);
      if (i_listener >= 0 && (pfd[i_listener].revents & POLLIN))
        notify_ready (m, &listener, true, result);
      else if (i_listener >= 0 && pfd[i_listener].revents)
        {
          /* POLLHUP: no process is left under the filter.  */
          close (listener);
          listener = -1;
        }
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
      if (i_wall >= 0 && pfd[i_wall].revents)
        {
          kill_sandbox (m, w, KILL_WALL);
          close (w->wall_fd);
          w->wall_fd = -1;
        }
      if (i_poll >= 0 && pfd[i_poll].revents)
        sample (m, w);
      for (int k = 0; k < 2; k++)
        if (i_out[k] >= 0 && pfd[i_out[k]].revents)
          {
            output_relay_ready (m->output, k);
            if (m->output->over)
              kill_sandbox (m, w, KILL_OUTPUT);
          }
      if (pfd[i_pid].revents & POLLIN)
        {
          if (listener >= 0)
            close (listener);
          return 0;
        }
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
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Turns what the monitor saw into a limit verdict, when one applies.  */
static void
limit_verdict (struct monitor *m, const struct watch *w, struct sandbox_result *result)
{
  const struct limits_plan *plan = m->limits;
  struct cgroup_stats cs;
  uint64_t cpu_us = (uint64_t)((result->cpu_user + result->cpu_system) * 1e6);
  enum result_status verdict = result->status;

  cgroup_read_stats (&plan->cgroup, &cs);
  if (cs.have_memory_peak)
    result->memory_peak_bytes = cs.memory_peak;
  else
    {
      /* Without a cgroup: the sampled sum, or the largest single process.  */
      uint64_t one = (uint64_t)result->peak_rss_kib * 1024;
      result->memory_peak_bytes = w->rss_peak > one ? w->rss_peak : one;
    }
  result->pids_limit_reached = cs.pids_max_hits > 0;
  /* A sandbox killed by the monitor never had its processes reaped by init,
   * so wait4 missed their CPU time: take the cgroup's, or the last sample.  */
  if (cs.have_cpu && cs.cpu_usage_us > cpu_us)
    {
      uint64_t split = cs.cpu_user_us + cs.cpu_system_us;
      cpu_us = cs.cpu_usage_us;
      result->cpu_user = split ? (double)cpu_us * ((double)cs.cpu_user_us / (double)split) / 1e6 : (double)cpu_us / 1e6;
      result->cpu_system = (double)cpu_us / 1e6 - result->cpu_user;
    }
  else if (w->cpu_us > cpu_us)
    {
      cpu_us = w->cpu_us;
      result->cpu_user = (double)cpu_us / 1e6 - result->cpu_system;
    }

  switch (w->killed)
    {
    case KILL_WALL:
      verdict = RESULT_WALL_LIMIT;
      break;
    case KILL_CPU:
      verdict = RESULT_TIME_LIMIT;
      break;
    case KILL_MEMORY:
      verdict = RESULT_MEMORY_LIMIT;
      break;
    case KILL_OUTPUT:
      verdict = RESULT_OUTPUT_LIMIT;
      break;
    case KILL_NONE:
      /* The kernel's OOM killer struck inside our cgroup: whatever the main
       * process made of it, the sandbox ran out of memory.  */
      if (cs.oom_kills > 0)
        verdict = RESULT_MEMORY_LIMIT;
      else if (result->status == RESULT_OK)
        break;
      else if (plan->cpu_time_us && (result->signal == SIGXCPU || cpu_us >= plan->cpu_time_us))
        verdict = RESULT_TIME_LIMIT;
      else if (result->signal == SIGXFSZ && result->limits[LIMIT_FSIZE].mechanism != LIMIT_MECH_NONE)
        verdict = RESULT_FSIZE_LIMIT;
      break;
    }
  if (verdict != result->status && w->killed != KILL_NONE)
    {
      /* Killed by us: the status says SIGKILL, as the convention wants.  */
      result->signal = SIGKILL;
      result->exit_code = 128 + SIGKILL;
    }
  result->status = verdict;
  if (m->output)
    {
      result->output_bytes = m->output->total;
      result->output_truncated = m->output->over;
    }
}

int
monitor_wait (struct monitor *m, struct sandbox_result *result, struct cordon_error *err)
{
  struct init_report rep = { 0 };
  struct watch w = { .wall_fd = -1, .poll_fd = -1 };
  struct rusage ru;
  struct timespec now;
  int status;
  int r;

  if (m->limits->wall_time_ms)
    {
      w.wall_fd = arm_timer (m->limits->wall_time_ms, 0);
      if (w.wall_fd < 0)
        return cordon_error_set (err, -w.wall_fd, "monitor: timerfd");
    }
  if (m->limits->poll)
    {
      w.poll_fd = arm_timer (LIMITS_POLL_MS, LIMITS_POLL_MS);
      if (w.poll_fd < 0)
        {
          if (w.wall_fd >= 0)
            close (w.wall_fd);
          return cordon_error_set (err, -w.poll_fd, "monitor: timerfd");
        }
    }
  r = monitor_loop (m, &rep, &w, result);
  if (w.wall_fd >= 0)
    close (w.wall_fd);
  if (w.poll_fd >= 0)
    close (w.poll_fd);
  if (r < 0)
    return cordon_error_set (err, -r, "monitor: poll");
  while (wait4 (m->init_pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "monitor: wait4");
  drain_messages (m, &rep);
  if (m->output)
    output_relay_drain (m->output);
  result->context_switches = (uint64_t)(ru.ru_nvcsw + ru.ru_nivcsw);

  clock_gettime (CLOCK_MONOTONIC, &now);
  result->wall_time = (double)(now.tv_sec - m->started.tv_sec) + (double)(now.tv_nsec - m->started.tv_nsec) / 1e9;
  /* wait4 on init covers the workload too: init reaped it.  */
  result->cpu_user = timeval_seconds (ru.ru_utime);
  result->cpu_system = timeval_seconds (ru.ru_stime);
  result->peak_rss_kib = ru.ru_maxrss;

  if (rep.exited)
    {
      result->exit_code = rep.exit_code;
      result->signal = rep.signal;
      result->status = rep.signal ? RESULT_SIGNAL : rep.exit_code == 0 ? RESULT_OK : RESULT_RUNTIME_ERROR;
      limit_verdict (m, &w, result);
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
      limit_verdict (m, &w, result);
      return 0;
    }
  result->status = RESULT_SANDBOX_ERROR;
  result->exit_code = 125;
  return cordon_error_set (err, 0, "the sandbox's init exited (status %d) before the workload started",
                           WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}
