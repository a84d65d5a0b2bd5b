/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/lifecycle.h"
#include "cli/commands.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit/audit.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "sandbox/freezer.h"

/* The signals the monitor forwards to init, which passes them on.  */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

int
lifecycle_open (const char *root_override, const char *ref, struct state_root *root, struct sandbox_state *st,
                struct cordon_error *err)
{
  char id[STATE_ID_HEX + 1];
  int r;

  r = state_root_open (root_override, root, err);
  if (r < 0)
    return r;
  r = state_lookup (root, ref, id, err);
  if (r >= 0)
    r = state_load (root, id, st, err);
  if (r < 0)
    state_root_close (root);
  return r;
}

bool
lifecycle_is_running (const struct sandbox_state *st)
{
  return (st->status == STATE_RUNNING || st->status == STATE_CREATED) && state_monitor_alive (st);
}

/* A pidfd on `pid`, then a check that it is still the process started at
 * `start`: from then on the pidfd cannot reach another process.  */
int
lifecycle_pidfd (pid_t pid, uint64_t start)
{
  int fd = (int)syscall (SYS_pidfd_open, pid, 0);

  if (fd < 0)
    return -errno;
  if (start == 0 || state_proc_start_time (pid) != start)
    {
      close (fd);
      return -ESRCH;
    }
  return fd;
}

pid_t
lifecycle_find_workload (pid_t init_pid)
{
  DIR *d = opendir ("/proc");
  struct dirent *de;
  pid_t found = 0;

  if (d == NULL)
    return 0;
  while (found == 0 && (de = readdir (d)) != NULL)
    {
      char path[300], buf[512];
      const char *p;
      int ppid;

      if (!isdigit ((unsigned char)de->d_name[0]))
        continue;
      snprintf (path, sizeof path, "/proc/%s/stat", de->d_name);
      if (fd_read_small (path, 0, buf, sizeof buf) <= 0 || (p = strrchr (buf, ')')) == NULL)
        continue;
      if (sscanf (p, ") %*c %d", &ppid) == 1 && ppid == init_pid)
        found = (pid_t)atoi (de->d_name);
    }
  closedir (d);
  return found;
}

int
lifecycle_signal (const struct sandbox_state *st, int sig, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  bool via_monitor = false;

  if (!lifecycle_is_running (st))
    return cordon_error_set (err, 0, "cannot kill sandbox: %s: sandbox %s is not running", st->id, st->id);
  /* A frozen task handles no signal until thawed (v1): as Docker does for a
   * paused container, thaw it, then signal.  */
  if (st->paused)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      freezer_thaw (st->init_pid, st->id, &ignored);
    }
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    via_monitor |= forwarded[i] == sig;
  if (via_monitor)
    fd = lifecycle_pidfd (st->monitor_pid, st->monitor_start);
  else if (sig == SIGKILL || sig == 0)
    fd = lifecycle_pidfd (st->init_pid, st->init_start);
  else
    {
      pid_t w = lifecycle_find_workload (st->init_pid);
      if (w <= 0)
        return cordon_error_set (err, ESRCH, "sandbox %.12s: its workload is gone", st->id);
      fd = lifecycle_pidfd (w, state_proc_start_time (w));
    }
  if (fd < 0)
    return cordon_error_set (err, -fd, "sandbox %.12s: signal %d", st->id, sig);
  if (syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
    return cordon_error_set (err, errno, "sandbox %.12s: signal %d", st->id, sig);
  return 0;
}

int
lifecycle_wait_monitor (const struct sandbox_state *st, int timeout_ms)
{
  cleanup_close int fd = lifecycle_pidfd (st->monitor_pid, st->monitor_start);
  struct pollfd pfd;
  int r;

  if (fd < 0)
    return 0; /* gone already */
  pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
  do
    r = poll (&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return -ETIMEDOUT;
  return 0;
}

int
lifecycle_parse_signal (const char *text)
{
  char *end;
  long n;

  if (text[0] >= '0' && text[0] <= '9')
    {
      n = strtol (text, &end, 10);
      return *end == '\0' && n > 0 && n < NSIG ? (int)n : -1;
    }
  if (strncasecmp (text, "SIG", 3) == 0)
    text += 3;
  for (int sig = 1; sig < NSIG; sig++)
    {
      const char *name = sigabbrev_np (sig);
      if (name && strcasecmp (name, text) == 0)
        return sig;
    }
  return -1;
}

void
lifecycle_audit (const struct sandbox_state *st, const char *event, char *const *argv, const char *data_json)
{
  cleanup_error struct cordon_error err = { 0 };
  struct audit_log *log = NULL;
  struct audit_event ev = { .event = event, .sandbox = st->id, .argv = argv, .data_json = data_json };

  if (st->audit_log == NULL || audit_log_open (st->audit_log, &log, &err) < 0)
    return;
  if (audit_log_append (log, &ev, true, &err) < 0)
    fprintf (stderr, "cordon: warning: audit: %s\n", err.msg);
  audit_log_close (log);
}

char *
lifecycle_volume_users (const struct state_root *root, const char *name)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_strv char **ids = NULL;
  char *users = NULL;

  if (state_list (root, &ids, &err) < 0)
    return NULL;
  for (char **p = ids; *p; p++)
    {
      struct sandbox_state st;
      bool uses = false;

      if (state_load (root, *p, &st, &err) < 0)
        {
          cordon_error_release (&err);
          continue;
        }
      for (char **v = st.volumes; v && *v; v++)
        uses |= strcmp (*v, name) == 0;
      if (uses)
        {
          char *more = NULL;
          if (asprintf (&more, "%s%s%.12s", users ? users : "", users ? ", " : "", st.id) >= 0)
            {
              free (users);
              users = more;
            }
        }
      state_release (&st);
    }
  return users;
}

void
lifecycle_mark_no_restart (const struct state_root *root, const struct sandbox_state *st)
{
  char path[STATE_ID_HEX + 16];
  int fd;

  if (st->restart == NULL)
    return;
  snprintf (path, sizeof path, "%s/no-restart", st->id);
  fd = openat (root->dfd, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0)
    close (fd);
}

int
lifecycle_each (int argc, char **argv, int first, const char *usage, const char *error_prefix,
                int (*one) (const char *ref, void *data, struct cordon_error *err), void *data)
{
  int status = 0;

  if (first >= argc)
    {
      fputs (usage, stderr);
      return EXIT_USAGE;
    }
  for (int i = first; i < argc; i++)
    {
      cleanup_error struct cordon_error err = { 0 };
      if (one (argv[i], data, &err) < 0)
        {
          fprintf (stderr, "cordon: %s%s\n", error_prefix, err.msg ? err.msg : "failed");
          status = 1;
        }
      else
        printf ("%s\n", argv[i]);
    }
  return status;
}
