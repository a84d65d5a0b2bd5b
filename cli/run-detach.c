/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/run-detach.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/strv.h"

/* What the monitor tells the CLI, once.  */
struct detach_report
{
  int exit_code; /* 0: the workload runs */
  char text[1000];
};

int
run_detach_prepare (struct run_detach *d, const struct cordon_spec *spec, const char *image, const char *bundle,
                    const char *audit_log, struct cordon_error *err)
{
  cleanup_free char *config = NULL;
  cleanup_close int fd = -1;
  char path[STATE_ID_HEX + 16];
  size_t len;
  int r;

  d->ready_fd = -1;
  d->log.fd = d->log.dirfd = -1;
  d->st = (struct sandbox_state){ .exit_code = -1, .status = STATE_CREATED };
  r = state_root_open (d->root_override, &d->root, err);
  if (r < 0)
    return r;
  if (state_new_id (d->st.id) < 0)
    return cordon_error_set (err, EIO, "getrandom");
  d->st.created = (int64_t)time (NULL);
  d->st.auto_remove = d->auto_remove;
  if ((d->name && (d->st.name = strdup (d->name)) == NULL)
      || (spec->process.args && (d->st.command = strv_copy (spec->process.args)) == NULL)
      || (image && (d->st.image = strdup (image)) == NULL) || (bundle && (d->st.bundle = strdup (bundle)) == NULL)
      || (!image && spec->root_path && (d->st.rootfs = strdup (spec->root_path)) == NULL)
      || (audit_log && (d->st.audit_log = strdup (audit_log)) == NULL)
      || (d->st.log_path = state_path (&d->root, d->st.id, "log")) == NULL
      || (d->st.result_path = state_path (&d->root, d->st.id, "result.json")) == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = state_create (&d->root, &d->st, err);
  if (r < 0)
    return r;
  /* The spec as run: `cordon exec` applies the same confinement.  */
  r = spec_to_json (spec, &config, &len, err);
  if (r >= 0)
    {
      snprintf (path, sizeof path, "%s/config.json", d->st.id);
      fd = openat (d->root.dfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0 || !fd_write_all (fd, config, len))
        r = cordon_error_set (err, errno ? errno : EIO, "sandbox %.12s: config.json", d->st.id);
    }
  if (r >= 0)
    {
      cleanup_close int dfd = openat (d->root.dfd, d->st.id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (dfd < 0)
        r = cordon_error_set (err, errno, "sandbox %.12s", d->st.id);
      else
        r = log_writer_open (&d->log, dfd, LOG_DEFAULT_MAX, err);
    }
  if (r < 0)
    run_detach_abort (d);
  return r;
}

void
run_detach_abort (struct run_detach *d)
{
  cleanup_error struct cordon_error ignored = { 0 };

  log_writer_close (&d->log);
  if (d->root.dfd >= 0 && d->st.id[0])
    state_remove (&d->root, d->st.id, &ignored);
  state_release (&d->st);
  state_root_close (&d->root);
}

static void
send_report (struct run_detach *d, int exit_code, const char *text)
{
  struct detach_report rep = { .exit_code = exit_code };

  if (d->ready_fd < 0)
    return;
  snprintf (rep.text, sizeof rep.text, "%s", text ? text : "");
  fd_write_all (d->ready_fd, &rep, sizeof rep);
  close (d->ready_fd);
  d->ready_fd = -1;
}

static void
save_state (struct run_detach *d)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_close int lock = state_lock (&d->root, d->st.id, &err);

  if (lock >= 0)
    state_save (&d->root, &d->st, &err);
}

/* The monitor's own side of the fork: no terminal, no caller's pipes (a
 * `$(cordon run -d ...)` would wait for our stdout to close), its pid in
 * the state for the others to find.  */
static int
become_monitor (struct run_detach *d)
{
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

  if (null < 0)
    return -errno;
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (null, fd) < 0)
      {
        close (null);
        return -errno;
      }
  if (null > 2)
    close (null);
  d->st.monitor_pid = getpid ();
  d->st.monitor_start = state_proc_start_time (d->st.monitor_pid);
  save_state (d);
  return 0;
}

static int
wait_report (struct run_detach *d, int fd, int *exit_code, struct cordon_error *err)
{
  struct detach_report rep;
  ssize_t n;

  do
    n = read (fd, &rep, sizeof rep);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof rep)
    {
      *exit_code = 125;
      return cordon_error_set (err, 0, "sandbox %.12s: its monitor exited before the workload started", d->st.id);
    }
  rep.text[sizeof rep.text - 1] = '\0';
  *exit_code = rep.exit_code;
  if (rep.exit_code != 0)
    return cordon_error_set (err, 0, "%s", rep.text[0] ? rep.text : "the sandbox did not start");
  return 0;
}

int
run_detach_fork (struct run_detach *d, int *exit_code, struct cordon_error *err)
{
  int p[2];
  pid_t pid;
  int status, r;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return cordon_error_set (err, errno, "fork the monitor");
    }
  if (pid == 0)
    {
      /* A new session, then a second fork: the monitor is no session
       * leader, can never get a controlling terminal, and is reparented
       * away from the CLI (to init or the nearest subreaper).  */
      close (p[0]);
      if (setsid () < 0)
        _exit (125);
      pid = fork ();
      if (pid != 0)
        _exit (pid < 0 ? 125 : 0);
      d->ready_fd = p[1];
      if (become_monitor (d) < 0)
        _exit (125);
      return 1;
    }
  close (p[1]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      break;
  r = wait_report (d, p[0], exit_code, err);
  close (p[0]);
  log_writer_close (&d->log);
  return r < 0 ? r : 0;
}

void
run_detach_started (void *data, pid_t init_pid, int pidfd)
{
  struct run_detach *d = data;

  (void)pidfd;
  d->started = true;
  d->st.status = STATE_RUNNING;
  d->st.init_pid = init_pid;
  d->st.init_start = state_proc_start_time (init_pid);
  d->st.started = (int64_t)time (NULL);
  save_state (d);
  send_report (d, 0, NULL);
  /* What the CLI needed (the spec's text, the profile, the parser's
   * buffers) is freed; give the pages back: this process stays for the
   * life of the sandbox.  */
  malloc_trim (0);
}

void
run_detach_finish (struct run_detach *d, const struct sandbox_result *result)
{
  cleanup_error struct cordon_error err = { 0 };

  log_writer_close (&d->log);
  if (d->st.auto_remove)
    {
      /* Held until the removal is done.  */
      cleanup_close int lock __attribute__ ((unused)) = state_root_lock (&d->root, &err);
      state_remove (&d->root, d->st.id, &err);
    }
  else
    {
      if (result_write_file (result, d->st.result_path, &err) < 0)
        cordon_error_release (&err);
      d->st.status = STATE_EXITED;
      d->st.exit_code = result->exit_code;
      d->st.finished = (int64_t)time (NULL);
      if (!d->started && result->error)
        {
          free (d->st.reason);
          d->st.reason = strdup (result->error);
        }
      save_state (d);
    }
  /* After the state: the CLI that returns on this report, and whoever it
   * runs next, finds the sandbox as it ended.  */
  if (!d->started)
    send_report (d, result->exit_code ? result->exit_code : 125,
                 result->error ? result->error : "the sandbox did not start");
  state_release (&d->st);
  state_root_close (&d->root);
}
