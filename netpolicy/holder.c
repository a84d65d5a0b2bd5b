/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/holder.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/userns.h"
#include "netpolicy/attach.h"
#include "sandbox/idmap.h"
#include "sandbox/state.h"

/* Dot names: network_list skips them (a network may be called holder).  */
#define HOLDER_RECORD ".holder"
#define HOLDER_LOCK ".holder.lock"
#define HOLDER_PROGRAM "cordon-netns"

bool
netns_holder_needed (void)
{
  return !userns_host_root ();
}

void
netns_holder_release (struct netns_holder *h)
{
  if (h->userns_fd >= 0)
    close (h->userns_fd);
  if (h->netns_fd >= 0)
    close (h->netns_fd);
  h->userns_fd = h->netns_fd = -1;
}

static int
lock_holder (const struct network_store *s, struct cordon_error *err)
{
  int fd = openat (s->dfd, HOLDER_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "open %s/%s", s->path, HOLDER_LOCK);
  if (flock (fd, LOCK_EX) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_error_set (err, e, "lock %s/%s", s->path, HOLDER_LOCK);
    }
  return fd;
}

int
netns_holder_record_parse (const char *text, size_t len, struct netns_holder *h)
{
  char buf[HOLDER_RECORD_MAX + 1], outside[HOLDER_OUTSIDE_MAX], end;
  long long pid, opid;
  uint64_t start;

  if (len == 0 || len > HOLDER_RECORD_MAX || memchr (text, '\0', len))
    return -EINVAL;
  memcpy (buf, text, len);
  buf[len] = '\0';
  /* One line, and nothing after it.  */
  if (strchr (buf, '\n') != buf + len - 1)
    return -EINVAL;
  if (sscanf (buf, "%lld %" SCNu64 " %15s %lld%c", &pid, &start, outside, &opid, &end) != 5 || end != '\n'
      || pid <= 1 || pid > INT32_MAX || start == 0 || opid < 0 || opid > INT32_MAX
      || (strcmp (outside, "pasta") != 0 && strcmp (outside, "slirp4netns") != 0 && strcmp (outside, "none") != 0))
    return -EINVAL;
  h->pid = (pid_t)pid;
  h->start = start;
  snprintf (h->outside, sizeof h->outside, "%s", outside);
  h->outside_pid = (pid_t)opid;
  return 0;
}

int
netns_holder_record_format (const struct netns_holder *h, char buf[HOLDER_RECORD_MAX + 1])
{
  return snprintf (buf, HOLDER_RECORD_MAX + 1, "%d %" PRIu64 " %s %d\n", (int)h->pid, h->start, h->outside,
                   (int)h->outside_pid);
}

/* The record, if there is one naming a live holder; its namespaces open.  */
static int
load_live (const struct network_store *s, struct netns_holder *h)
{
  char buf[HOLDER_RECORD_MAX + 1], path[64];
  cleanup_close int fd = openat (s->dfd, HOLDER_RECORD, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct netns_holder rec = { 0 };
  ssize_t n;
  pid_t pid;
  uint64_t start;

  *h = (struct netns_holder){ .userns_fd = -1, .netns_fd = -1 };
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf);
  if (n <= 0 || netns_holder_record_parse (buf, (size_t)n, &rec) < 0)
    return 0;
  pid = rec.pid;
  start = rec.start;
  /* Dead or not, the outside link it had (see netns_outside_stop).  */
  memcpy (h->outside, rec.outside, sizeof h->outside);
  h->outside_pid = rec.outside_pid;
  if (state_proc_start_time (pid) != start)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/ns/user", pid);
  h->userns_fd = open (path, O_RDONLY | O_CLOEXEC);
  snprintf (path, sizeof path, "/proc/%d/ns/net", pid);
  h->netns_fd = open (path, O_RDONLY | O_CLOEXEC);
  /* Checked again once open: the pid was not recycled in between.  */
  if (h->userns_fd < 0 || h->netns_fd < 0 || state_proc_start_time (pid) != start)
    {
      netns_holder_release (h);
      return 0;
    }
  h->pid = pid;
  h->start = start;
  return 1;
}

static int
save_record (const struct network_store *s, const struct netns_holder *h, struct cordon_error *err)
{
  char text[HOLDER_RECORD_MAX + 1];
  int n = netns_holder_record_format (h, text);
  cleanup_close int fd = openat (s->dfd, HOLDER_RECORD ".new", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                                 0600);

  if (fd < 0 || !fd_write_all (fd, text, (size_t)n))
    return cordon_error_set (err, errno ? errno : EIO, "write %s/%s", s->path, HOLDER_RECORD);
  if (renameat (s->dfd, HOLDER_RECORD ".new", s->dfd, HOLDER_RECORD) < 0)
    return cordon_error_set (err, errno, "rename %s/%s", s->path, HOLDER_RECORD);
  return 0;
}

/* ---- the holder process ---------------------------------------------- */

/* One message on the socket: "u PID", "m", "r", or "e ERRNO TEXT".  */
static void
say (int fd, const char *fmt, ...)
{
  char buf[256];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  if (n > 0)
    (void)!send (fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, MSG_NOSIGNAL);
}

static int
hear (int fd, char *buf, size_t size, struct cordon_error *err)
{
  ssize_t n;

  do
    n = recv (fd, buf, size - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return cordon_error_set (err, errno, "network holder: recv");
  if (n == 0)
    return cordon_error_set (err, EPIPE, "network holder: it died while starting");
  buf[n] = '\0';
  if (buf[0] == 'e')
    {
      int e = atoi (buf + 2);
      const char *text = strchr (buf + 2, ' ');
      return cordon_error_set (err, e > 0 ? e : EIO, "network holder: %s", text ? text + 1 : "failed");
    }
  return 0;
}

/* The holder's body, after the fork: a fresh session, nothing of the
 * caller's open (its locks and pipes must not live on in here), its own
 * user and network namespaces, forwarding on for the bridges' traffic to
 * the outside link.  Then it becomes `cordon-netns`, a fresh image of
 * cordon that only sleeps: no copy of the caller's memory or command line
 * stays around.  */
static _Noreturn void
holder_child (int sock)
{
  char buf[16];
  int forward;
  pid_t pid;

  if (setsid () < 0)
    _exit (1);
  pid = fork ();
  if (pid != 0)
    _exit (pid < 0 ? 1 : 0); /* the holder is not the caller's child */
  /* The socket to 3 first: it may be 0-2 when the caller's stdio was
   * closed, and /dev/null goes there next.  */
  if (sock != 3 && dup2 (sock, 3) < 0)
    _exit (1);
  sock = 3;
  if (fd_stdio_to_devnull () < 0)
    _exit (1);
  if (close_range (4, ~0U, 0) < 0)
    {
      say (sock, "e %d close_range", errno);
      _exit (1);
    }
  if (unshare (CLONE_NEWUSER | CLONE_NEWNET) < 0)
    {
      say (sock, "e %d unshare a user and a network namespace", errno);
      _exit (1);
    }
  say (sock, "u %d", (int)getpid ());
  if (recv (sock, buf, sizeof buf, 0) <= 0 || buf[0] != 'm')
    _exit (1);
  /* Mapped now, root here: the sysctl is this namespace's own.  */
  forward = open ("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  if (forward < 0 || write (forward, "1", 1) != 1)
    {
      say (sock, "e %d turn on net.ipv4.ip_forward in the holder's namespace", errno);
      _exit (1);
    }
  close (forward);
  if (chdir ("/") < 0)
    _exit (1);
  say (sock, "r");
  close (sock);
  execl ("/proc/self/exe", HOLDER_PROGRAM, (char *)NULL);
  /* No fresh image: sleep as we are.  */
  for (;;)
    pause ();
}

_Noreturn int
netns_holder_main (void)
{
  /* Stopped by SIGTERM (network prune) or SIGKILL; nothing else.  */
  prctl (PR_SET_NAME, HOLDER_PROGRAM);
  signal (SIGHUP, SIG_IGN);
  signal (SIGINT, SIG_IGN);
  signal (SIGQUIT, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  for (;;)
    pause ();
}

/* ---- start, find, join, stop ----------------------------------------- */

static int
spawn (const struct network_store *s, struct netns_holder *h, struct cordon_error *err)
{
  cleanup_error struct cordon_error no_range = { 0 };
  struct idmap_plan plan;
  cleanup_close int sock = -1;
  const char *tool, *path, *why;
  char buf[256];
  int sv[2], status, gpid = 0;
  pid_t pid;
  int r;

  /* The user's subordinate ids too, when there are any: sandboxes on a
   * network may then run as other users, as elsewhere.  */
  if (idmap_plan_user (&plan, true, &no_range) < 0 && idmap_plan_user (&plan, false, err) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return cordon_error_set (err, errno, "socketpair");
  pid = fork ();
  if (pid < 0)
    {
      close (sv[0]);
      close (sv[1]);
      return cordon_error_set (err, errno, "fork");
    }
  if (pid == 0)
    {
      close (sv[0]);
      holder_child (sv[1]);
    }
  close (sv[1]);
  sock = sv[0];
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "waitpid");
  r = hear (sock, buf, sizeof buf, err);
  if (r < 0)
    return r;
  if (sscanf (buf, "u %d", &gpid) != 1 || gpid <= 1)
    return cordon_error_set (err, EPROTO, "network holder: unexpected `%s`", buf);
  h->pid = gpid;
  r = idmap_write (gpid, &plan, err);
  if (r < 0)
    {
      kill (gpid, SIGKILL);
      return cordon_error_wrap (err, "network holder: map ids");
    }
  if (send (sock, "m", 1, MSG_NOSIGNAL) != 1)
    return cordon_error_set (err, errno, "network holder: send");
  r = hear (sock, buf, sizeof buf, err);
  if (r < 0)
    return r;
  h->start = state_proc_start_time (gpid);
  tool = netns_outside_tool (&path, &why);
  snprintf (h->outside, sizeof h->outside, "none");
  if (strcmp (tool, "none") != 0)
    {
      cleanup_error struct cordon_error oerr = { 0 };
      if (netns_outside_start (s, tool, path, h->pid, &h->outside_pid, &oerr) == 0)
        snprintf (h->outside, sizeof h->outside, "%s", tool);
      else
        fprintf (stderr, "cordon: rootless networks have no way out: %s\n", oerr.msg);
    }
  return 0;
}

int
netns_holder_find (const struct network_store *s, struct netns_holder *h, struct cordon_error *err)
{
  cleanup_close int lock = lock_holder (s, err);

  if (lock < 0)
    return lock;
  load_live (s, h);
  return 0;
}

int
netns_holder_ensure (const struct network_store *s, struct netns_holder *h, struct cordon_error *err)
{
  cleanup_close int lock = lock_holder (s, err);
  char path[64];
  int r;

  if (lock < 0)
    return lock;
  if (load_live (s, h))
    return 0;
  netns_outside_stop (h->outside, h->outside_pid);
  *h = (struct netns_holder){ .userns_fd = -1, .netns_fd = -1 };
  r = spawn (s, h, err);
  if (r < 0)
    return r;
  r = save_record (s, h, err);
  if (r < 0)
    return r;
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int)h->pid);
  h->userns_fd = open (path, O_RDONLY | O_CLOEXEC);
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)h->pid);
  h->netns_fd = open (path, O_RDONLY | O_CLOEXEC);
  if (h->userns_fd < 0 || h->netns_fd < 0)
    return cordon_error_set (err, errno, "network holder: open its namespaces");
  return 0;
}

int
netns_holder_join (const struct netns_holder *h, struct cordon_error *err)
{
  if (setns (h->userns_fd, CLONE_NEWUSER) < 0)
    return cordon_error_set (err, errno, "join the network holder's user namespace");
  if (setns (h->netns_fd, CLONE_NEWNET) < 0)
    return cordon_error_set (err, errno, "join the network holder's network namespace");
  return 0;
}

int
netns_holder_stop (const struct network_store *s, struct cordon_error *err)
{
  cleanup_close int lock = lock_holder (s, err);
  struct netns_holder h;

  if (lock < 0)
    return lock;
  if (load_live (s, &h))
    {
      kill (h.pid, SIGKILL);
      netns_holder_release (&h);
    }
  netns_outside_stop (h.outside, h.outside_pid);
  if (unlinkat (s->dfd, HOLDER_RECORD, 0) < 0 && errno != ENOENT)
    return cordon_error_set (err, errno, "remove %s/%s", s->path, HOLDER_RECORD);
  return 0;
}

int
netns_holder_enter (const struct network_store *s, bool start, struct cordon_error *err)
{
  struct netns_holder h = { .userns_fd = -1, .netns_fd = -1 };
  int r;

  if (!netns_holder_needed ())
    return 0;
  r = start ? netns_holder_ensure (s, &h, err) : netns_holder_find (s, &h, err);
  if (r >= 0 && h.pid == 0)
    r = 0; /* none, and not asked to start one: nothing of ours exists */
  else if (r >= 0)
    r = netns_holder_join (&h, err) < 0 ? -1 : 1;
  netns_holder_release (&h);
  return r;
}

int
netns_network_prune (const struct network_store *s, char ***removed, struct cordon_error *err)
{
  /* Rootless, with a holder started if there is none (its namespace died
   * with the old one; the tables and links to remove are simply absent
   * there), so that prune always runs where it can.  */
  int joined = netns_holder_enter (s, true, err);
  int r;

  if (joined < 0 || network_prune (s, removed, err) < 0)
    return -1;
  /* Then the holder goes too when no sandbox is on a network: prune
   * leaves nothing running (the next run starts it again).  */
  if (joined > 0 && (r = network_store_in_use (s, err)) <= 0 && (r < 0 || netns_holder_stop (s, err) < 0))
    return -1;
  return 0;
}
