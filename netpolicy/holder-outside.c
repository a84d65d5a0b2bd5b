/* SPDX-License-Identifier: Apache-2.0 */
/* The network holder's link to the host's network: pasta (passt) or
 * slirp4netns, each a user-mode TCP/IP stack behind a tap device in the
 * holder's namespace, carrying what the sandboxes send out as the user's
 * own sockets.  Both need /dev/net/tun, opened as the user.  */
#include "netpolicy/holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

#define PASTA_PID_FILE ".holder.pasta.pid"
#define SLIRP_READY_MS 10000

static const char *
find_program (const char *name)
{
  static const char *const pasta[] = { "/usr/bin/pasta", "/usr/local/bin/pasta", "/bin/pasta", NULL };
  static const char *const slirp[] = { "/usr/bin/slirp4netns", "/usr/local/bin/slirp4netns", "/bin/slirp4netns", NULL };

  for (const char *const *p = strcmp (name, "pasta") == 0 ? pasta : slirp; *p; p++)
    if (access (*p, X_OK) == 0)
      return *p;
  return NULL;
}

const char *
netns_outside_tool (const char **path, const char **why)
{
  const char *want = getenv ("CORDON_ROOTLESS_NETWORK");
  int fd;

  *path = NULL;
  if (want && strcmp (want, "none") == 0)
    {
      *why = "CORDON_ROOTLESS_NETWORK=none";
      return "none";
    }
  if (want && *want && strcmp (want, "pasta") != 0 && strcmp (want, "slirp4netns") != 0)
    {
      *why = "CORDON_ROOTLESS_NETWORK is none of pasta, slirp4netns, none";
      return "none";
    }
  /* Either makes a tap device in the holder's namespace: it opens
   * /dev/net/tun as this user (udev makes it 0666; some hosts 0600).  */
  fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      *why = errno == ENOENT ? "no /dev/net/tun" : "/dev/net/tun cannot be opened by this user";
      return "none";
    }
  close (fd);
  if ((want == NULL || !*want || strcmp (want, "pasta") == 0) && (*path = find_program ("pasta")) != NULL)
    {
      *why = "pasta (passt) links the holder's namespace to the host's";
      return "pasta";
    }
  if ((want == NULL || !*want || strcmp (want, "slirp4netns") == 0) && (*path = find_program ("slirp4netns")) != NULL)
    {
      *why = "slirp4netns links the holder's namespace to the host's";
      return "slirp4netns";
    }
  *why = want && *want ? "the tool CORDON_ROOTLESS_NETWORK names is not installed"
                       : "neither pasta (Debian: passt) nor slirp4netns is installed";
  return "none";
}

/* stdio on /dev/null, nothing else of ours open, a session of its own.  */
static int
detach_child (int keep_fd)
{
  /* `keep_fd` to 3 first: it may be 0-2 when our stdio was closed, and
   * /dev/null goes there next.  */
  if (keep_fd >= 0 && keep_fd != 3 && dup2 (keep_fd, 3) < 0)
    return -1;
  if (fd_stdio_to_devnull () < 0)
    return -1;
  if (close_range (keep_fd >= 0 ? 4 : 3, ~0U, 0) < 0)
    return -1;
  return setsid () < 0 ? -1 : 0;
}

static int
wait_exit (pid_t pid, const char *what, struct cordon_error *err)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "waitpid %s", what);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return cordon_error_set (err, EIO, "%s failed (exit status %d)", what,
                             WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  return 0;
}

/* pasta joins the holder's namespaces by its pid, configures an interface
 * with the host's addresses and routes, and forks to the background once
 * ready (after writing its pid).  Nothing is forwarded from the host into
 * the namespace (published ports are cordon's own forwarder's, see
 * netpolicy/forward.h), and --no-map-gw keeps the gateway address from
 * reaching the host's loopback services.  */
static int
start_pasta (const struct network_store *s, const char *pasta, pid_t holder, pid_t *out, struct cordon_error *err)
{
  cleanup_free char *pidfile = NULL;
  char target[16], buf[32];
  pid_t pid;
  int r;

  if (asprintf (&pidfile, "%s/%s", s->path, PASTA_PID_FILE) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  unlinkat (s->dfd, PASTA_PID_FILE, 0);
  snprintf (target, sizeof target, "%d", (int)holder);
  pid = fork ();
  if (pid < 0)
    return cordon_error_set (err, errno, "fork");
  if (pid == 0)
    {
      if (detach_child (-1) == 0)
        execl (pasta, "pasta", "--config-net", "--quiet", "--no-map-gw", "-t", "none", "-u", "none", "-T", "none",
               "-U", "none", "--pid", pidfile, target, (char *)NULL);
      _exit (127);
    }
  r = wait_exit (pid, "pasta", err);
  if (r < 0)
    return r;
  {
    cleanup_close int fd = openat (s->dfd, PASTA_PID_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
    buf[n > 0 ? n : 0] = '\0';
    *out = atoi (buf);
  }
  unlinkat (s->dfd, PASTA_PID_FILE, 0);
  return 0;
}

/* slirp4netns stays in the foreground: started double-forked (nobody's
 * child), its pid sent back before exec, ready when it writes to
 * --ready-fd.  --disable-host-loopback: the gateway address is not the
 * host's loopback.  Its 10.0.2.0/24 is outside cordon's networks'.  */
static int
start_slirp (const char *slirp, pid_t holder, pid_t *out, struct cordon_error *err)
{
  cleanup_close int ready_r = -1, pid_r = -1;
  char userns[64], netns[64], got = 0;
  int ready[2], pids[2], r;
  struct pollfd p;
  pid_t pid, grandchild = 0;

  snprintf (userns, sizeof userns, "--userns-path=/proc/%d/ns/user", (int)holder);
  snprintf (netns, sizeof netns, "/proc/%d/ns/net", (int)holder);
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "pipe");
  if (pipe2 (pids, O_CLOEXEC) < 0)
    {
      close (ready[0]);
      close (ready[1]);
      return cordon_error_set (err, errno, "pipe");
    }
  ready_r = ready[0];
  pid_r = pids[0];
  pid = fork ();
  if (pid == 0)
    {
      pid_t g = fork ();
      if (g != 0)
        _exit (g < 0 || write (pids[1], &g, sizeof g) != (ssize_t)sizeof g);
      if (detach_child (ready[1]) == 0)
        execl (slirp, "slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=3", userns,
               "--netns-type=path", netns, "tap0", (char *)NULL);
      _exit (127);
    }
  close (ready[1]);
  close (pids[1]);
  if (pid < 0)
    return cordon_error_set (err, errno, "fork");
  r = wait_exit (pid, "slirp4netns", err);
  if (r < 0)
    return r;
  if (read (pid_r, &grandchild, sizeof grandchild) != (ssize_t)sizeof grandchild || grandchild <= 1)
    return cordon_error_set (err, EIO, "slirp4netns: no pid");
  p = (struct pollfd){ .fd = ready_r, .events = POLLIN };
  if (poll (&p, 1, SLIRP_READY_MS) != 1 || read (ready_r, &got, 1) != 1 || got != '1')
    {
      kill (grandchild, SIGKILL);
      return cordon_error_set (err, ETIMEDOUT, "slirp4netns did not become ready");
    }
  *out = grandchild;
  return 0;
}

int
netns_outside_start (const struct network_store *s, const char *tool, const char *path, pid_t holder, pid_t *pid,
                     struct cordon_error *err)
{
  if (strcmp (tool, "pasta") == 0)
    return start_pasta (s, path, holder, pid, err);
  if (strcmp (tool, "slirp4netns") == 0)
    return start_slirp (path, holder, pid, err);
  return cordon_error_set (err, EINVAL, "no outside link `%s`", tool);
}

/* The process `pid` runs `tool` still (pasta is a link to passt, which may
 * run as passt.avx2): a recycled pid is left alone.  */
static bool
runs (pid_t pid, const char *tool)
{
  char path[64], comm[32];

  snprintf (path, sizeof path, "/proc/%d/comm", (int)pid);
  if (fd_read_small (path, 0, comm, sizeof comm) <= 0)
    return false;
  if (strcmp (tool, "pasta") == 0)
    return strncmp (comm, "pasta", 5) == 0 || strncmp (comm, "passt", 5) == 0;
  return strncmp (comm, tool, strlen (tool)) == 0;
}

/* The link holds the namespace open and outlives a holder killed with
 * SIGKILL: stopped with its holder, or when a dead holder is replaced.  */
void
netns_outside_stop (const char *tool, pid_t pid)
{
  if (pid > 1 && strcmp (tool, "none") != 0 && runs (pid, tool))
    kill (pid, SIGTERM);
}
