/* SPDX-License-Identifier: Apache-2.0 */
/* The host probes that ask the kernel: namespaces, the mount API, overlayfs,
 * openat2, clone3, pidfds and close_range (seccomp and Landlock are in
 * host-probe-filters.c).  Anything that creates a namespace runs in a forked
 * child, which the parent maps exactly as the runner would (the caller's own
 * id when rootless, the unprivileged root range when root), so a probe that
 * passes means `cordon run` can do the same step.  */
#include "sandbox/host-probe-private.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"

/* A probe child that has not answered by then is stuck in the kernel or in
 * a filter; `cordon check` must still finish.  */
#define PROBE_CHILD_TIMEOUT_S 10

/* The reply a probe child sends back over its pipe.  */
struct probe_reply
{
  int state;
  char detail[HOST_LAYER_DETAIL_MAX];
};

static int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      p += n;
      len -= (size_t)n;
    }
  return 0;
}

/* Returns the number of bytes read (short at end of file) or -errno.  */
static ssize_t
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, p + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        break;
      got += (size_t)n;
    }
  return (ssize_t)got;
}

static int
write_proc_file (pid_t pid, const char *file, const char *content)
{
  char path[64];
  cleanup_close int fd = -1;

  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  return write_all (fd, content, strlen (content));
}

/* Writes the child's id maps from the parent, as the runner does.  Rootless,
 * setgroups must be denied before an unprivileged gid_map is accepted.  */
static int
probe_write_maps (const struct host_probe_ctx *ctx, pid_t pid, const char **failed)
{
  char uid_line[64];
  char gid_line[64];
  int r;

  if (ctx->root)
    {
      snprintf (uid_line, sizeof uid_line, "0 %u %u\n", ctx->map_start, ctx->map_size);
      snprintf (gid_line, sizeof gid_line, "0 %u %u\n", ctx->map_start, ctx->map_size);
    }
  else
    {
      snprintf (uid_line, sizeof uid_line, "0 %u 1\n", (unsigned)ctx->uid);
      snprintf (gid_line, sizeof gid_line, "0 %u 1\n", (unsigned)ctx->gid);
      *failed = "setgroups";
      r = write_proc_file (pid, "setgroups", "deny");
      if (r < 0)
        return r;
    }
  *failed = "uid_map";
  r = write_proc_file (pid, "uid_map", uid_line);
  if (r < 0)
    return r;
  *failed = "gid_map";
  return write_proc_file (pid, "gid_map", gid_line);
}

static _Noreturn void
probe_child (const struct host_probe_ctx *ctx, bool userns, host_probe_fn fn, int ready_fd, int go_fd, int reply_fd)
{
  struct host_layer layer = { .state = HOST_LAYER_MISSING };
  struct probe_reply reply;
  char c;

  alarm (PROBE_CHILD_TIMEOUT_S);
  if (userns)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        {
          host_layer_set (&layer, HOST_LAYER_MISSING, "unshare(CLONE_NEWUSER): %s", strerror (errno));
          (void)write_all (ready_fd, "x", 1);
          goto send;
        }
      if (write_all (ready_fd, "u", 1) < 0 || read_all (go_fd, &c, 1) != 1 || c != 'y')
        _exit (1); /* the parent reports why */
      /* Writing the maps does not change our credentials: as root we are
       * still host uid 0, which the range does not map.  Become container
       * root (the range's first id), as the runner's init does.  */
      if ((ctx->root && setgroups (0, NULL) < 0) || setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        {
          host_layer_set (&layer, HOST_LAYER_MISSING, "become root of the new user namespace: %s", strerror (errno));
          goto send;
        }
    }
  fn (ctx, &layer);
send:
  memset (&reply, 0, sizeof reply);
  reply.state = layer.state;
  memcpy (reply.detail, layer.detail, sizeof reply.detail);
  (void)write_all (reply_fd, &reply, sizeof reply);
  _exit (0);
}

static void
close_pair (int p[2])
{
  cleanup_closep (&p[0]);
  cleanup_closep (&p[1]);
}

int
host_probe_in_child (const struct host_probe_ctx *ctx, bool userns, host_probe_fn fn, struct host_layer *layer,
                     struct cordon_error *err)
{
  int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, rep[2] = { -1, -1 };
  struct probe_reply reply;
  const char *failed = NULL;
  int map_error = 0;
  int status = 0;
  ssize_t n;
  pid_t pid;
  char c;

  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0 || pipe2 (rep, O_CLOEXEC) < 0)
    {
      int saved = errno;
      close_pair (ready), close_pair (go), close_pair (rep);
      return cordon_error_set (err, saved, "pipe for the `%s` probe", layer->name);
    }
  pid = fork ();
  if (pid < 0)
    {
      int saved = errno;
      close_pair (ready), close_pair (go), close_pair (rep);
      return cordon_error_set (err, saved, "fork for the `%s` probe", layer->name);
    }
  if (pid == 0)
    {
      close (ready[0]), close (go[1]), close (rep[0]);
      probe_child (ctx, userns, fn, ready[1], go[0], rep[1]);
    }
  cleanup_closep (&ready[1]), cleanup_closep (&go[0]), cleanup_closep (&rep[1]);

  if (userns && read_all (ready[0], &c, 1) == 1 && c == 'u')
    {
      map_error = probe_write_maps (ctx, pid, &failed);
      (void)write_all (go[1], map_error < 0 ? "n" : "y", 1);
    }
  n = read_all (rep[0], &reply, sizeof reply);
  close_pair (ready), close_pair (go), close_pair (rep);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;

  if (map_error < 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "write /proc/PID/%s for a new user namespace: %s", failed,
                    strerror (-map_error));
  else if (n == (ssize_t)sizeof reply)
    {
      reply.detail[sizeof reply.detail - 1] = '\0';
      host_layer_set (layer, (enum host_layer_state)reply.state, "%s", reply.detail);
    }
  else if (WIFSIGNALED (status))
    host_layer_set (layer, HOST_LAYER_MISSING, "probe child killed by signal %d (%s)", WTERMSIG (status),
                    WTERMSIG (status) == SIGALRM ? "timed out" : strsignal (WTERMSIG (status)));
  else
    host_layer_set (layer, HOST_LAYER_MISSING, "probe child exited with status %d without an answer",
                    WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  return 0;
}

/* ---- user namespace ---------------------------------------------------- */

static void
probe_userns_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  (void)ctx;
  if (getuid () != 0 || getgid () != 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "id maps written but the child is uid %u gid %u, not root",
                    (unsigned)getuid (), (unsigned)getgid ());
  else
    host_layer_set (layer, HOST_LAYER_OK, "ok");
}

/* Why unprivileged users may not get a user namespace, or "" when nothing
 * restricts them.  */
static void
userns_restrictions (char *buf, size_t len)
{
  char v[32];

  buf[0] = '\0';
  if (host_read_file ("/proc/sys/user/max_user_namespaces", v, sizeof v) > 0 && strcmp (v, "0") == 0)
    snprintf (buf, len, "user.max_user_namespaces=0");
  else if (host_read_file ("/proc/sys/kernel/unprivileged_userns_clone", v, sizeof v) > 0 && strcmp (v, "0") == 0)
    snprintf (buf, len, "kernel.unprivileged_userns_clone=0");
  else if (host_read_file ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", v, sizeof v) > 0
           && strcmp (v, "1") == 0)
    snprintf (buf, len, "kernel.apparmor_restrict_unprivileged_userns=1 (needs an AppArmor profile with userns)");
}

static int
probe_userns (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err)
{
  struct host_layer *layer = host_report_add (report, "user-namespace", true);
  char why[160];
  char max[32] = "?";
  int r;

  r = host_probe_in_child (ctx, true, probe_userns_fn, layer, err);
  if (r < 0)
    return r;
  userns_restrictions (why, sizeof why);
  (void)host_read_file ("/proc/sys/user/max_user_namespaces", max, sizeof max);
  if (layer->state != HOST_LAYER_OK)
    {
      if (why[0] != '\0')
        host_layer_set (layer, HOST_LAYER_MISSING, "%.150s; restricted by %s", layer->detail, why);
      else if (strstr (layer->detail, strerror (ENOSPC)) != NULL)
        host_layer_set (layer, HOST_LAYER_MISSING,
                        "%.150s; user.max_user_namespaces (%s here) or nesting depth reached", layer->detail, max);
    }
  else if (!ctx->root)
    host_layer_set (layer, HOST_LAYER_OK, "unprivileged user namespaces allowed (user.max_user_namespaces=%s)", max);
  else if (why[0] != '\0')
    host_layer_set (layer, HOST_LAYER_OK, "user namespaces work as root; unprivileged users restricted by %s", why);
  else
    host_layer_set (layer, HOST_LAYER_OK, "user namespaces work; unprivileged users allowed too (max %s)", max);
  return 0;
}

/* ---- mount, pid, ipc, uts, cgroup namespaces --------------------------- */

static void
probe_namespaces_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  static const struct
  {
    int flag;
    const char *name;
    bool needed;
  } kinds[] = {
    { CLONE_NEWNS, "mount", true }, { CLONE_NEWPID, "pid", true },        { CLONE_NEWIPC, "ipc", false },
    { CLONE_NEWUTS, "uts", false }, { CLONE_NEWCGROUP, "cgroup", false },
  };
  char absent[64] = "";
  int status = 0;
  pid_t pid;

  (void)ctx;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (unshare (kinds[i].flag) < 0)
      {
        if (kinds[i].needed)
          {
            host_layer_set (layer, HOST_LAYER_MISSING, "unshare %s namespace in a user namespace: %s", kinds[i].name,
                            strerror (errno));
            return;
          }
        strcat (absent, " ");
        strcat (absent, kinds[i].name);
      }
  /* Private first, so the proc mount below cannot propagate to the host.  */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "make / private in a new mount namespace: %s", strerror (errno));
      return;
    }
  /* The first child in the new pid namespace is its pid 1 (cordon's init)
   * and must be able to mount a fresh /proc for it.  */
  pid = fork ();
  if (pid < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "fork into the new pid namespace: %s", strerror (errno));
      return;
    }
  if (pid == 0)
    {
      if (getpid () != 1)
        _exit (255);
      if (mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        _exit (errno & 0xff);
      _exit (0);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status))
    host_layer_set (layer, HOST_LAYER_MISSING, "pid 1 of the new pid namespace died");
  else if (WEXITSTATUS (status) == 255)
    host_layer_set (layer, HOST_LAYER_MISSING, "first process of the new pid namespace is not pid 1");
  else if (WEXITSTATUS (status) != 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "mount proc as pid 1 of a new pid namespace: %s",
                    strerror (WEXITSTATUS (status)));
  else if (absent[0] != '\0')
    host_layer_set (layer, HOST_LAYER_LIMITED, "mount and pid ok, /proc mountable; cannot unshare:%s", absent);
  else
    host_layer_set (layer, HOST_LAYER_OK, "mount, pid, ipc, uts, cgroup in a user namespace; pid 1 mounts /proc");
}

static void
probe_netns_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  struct ifreq ifr;
  cleanup_close int sock = -1;

  (void)ctx;
  if (unshare (CLONE_NEWNET) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "unshare network namespace in a user namespace: %s", strerror (errno));
      return;
    }
  /* An empty network namespace is only useful with its loopback up.  */
  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (sock < 0 || ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    {
      host_layer_set (layer, HOST_LAYER_LIMITED, "namespace created; cannot query loopback: %s", strerror (errno));
      return;
    }
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    host_layer_set (layer, HOST_LAYER_LIMITED, "namespace created; cannot bring loopback up: %s", strerror (errno));
  else
    host_layer_set (layer, HOST_LAYER_OK, "new network namespace in a user namespace, loopback up");
}

static void
probe_timens_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  cleanup_close int fd = -1;

  (void)ctx;
  if (unshare (CLONE_NEWTIME) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "unshare time namespace in a user namespace: %s", strerror (errno));
      return;
    }
  /* Offsets can be set until the first process enters the namespace.  The
   * setresuid that made us container root also made us non-dumpable, which
   * hands our /proc files to host root; take them back first.  */
  if (prctl (PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
    {
      host_layer_set (layer, HOST_LAYER_LIMITED, "namespace created; PR_SET_DUMPABLE: %s", strerror (errno));
      return;
    }
  fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write_all (fd, "monotonic 0 0\n", strlen ("monotonic 0 0\n")) < 0)
    host_layer_set (layer, HOST_LAYER_LIMITED, "namespace created; cannot set clock offsets: %s", strerror (errno));
  else
    host_layer_set (layer, HOST_LAYER_OK, "time namespace in a user namespace, clock offsets settable");
}

/* ---- mounts ------------------------------------------------------------ */

/* Both mount probes start in a private mount namespace of their own: no
 * mount they make can propagate to the host.  */
static int
enter_private_mount_ns (const char **step)
{
  *step = "unshare mount namespace";
  if (unshare (CLONE_NEWNS) < 0)
    return -1;
  *step = "make / private";
  return mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

static void
probe_mount_api_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  cleanup_close int fsfd = -1;
  cleanup_close int mfd = -1;
  cleanup_close int tree = -1;
  const char *step;

  (void)ctx;
  if (enter_private_mount_ns (&step) < 0)
    goto fail;
  step = "fsopen tmpfs";
  fsfd = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fsfd < 0)
    goto fail;
  step = "fsconfig create";
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0
      || fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    goto fail;
  step = "fsmount";
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (mfd < 0)
    goto fail;
  step = "mount_setattr read-only";
  if (mount_setattr (mfd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    goto fail;
  /* Recursive: a user namespace may not clone a mount without the mounts
   * locked on top of it.  */
  step = "open_tree clone of /";
  tree = open_tree (AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tree < 0)
    goto fail;
  step = "move_mount onto /tmp";
  if (move_mount (mfd, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    goto fail;
  host_layer_set (layer, HOST_LAYER_OK, "fsopen, fsmount, mount_setattr, open_tree, move_mount in a user namespace");
  return;
fail:
  host_layer_set (layer, HOST_LAYER_MISSING, "%s in a user namespace: %s", step, strerror (errno));
}

static void
probe_overlay_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  static const char *const dirs[] = { "/tmp/l", "/tmp/u", "/tmp/w", "/tmp/m" };
  cleanup_close int fd = -1;
  struct stat st;
  const char *step;

  (void)ctx;
  if (enter_private_mount_ns (&step) < 0)
    goto fail;
  /* A private tmpfs: nothing of the probe reaches the host's /tmp.  */
  step = "mount tmpfs on /tmp";
  if (mount ("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
    goto fail;
  step = "mkdir overlay dirs";
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    if (mkdir (dirs[i], 0755) < 0)
      goto fail;
  /* userxattr: unprivileged overlay keeps its metadata in user.* xattrs.  */
  step = "mount overlay (userxattr)";
  if (mount ("overlay", "/tmp/m", "overlay", MS_NOSUID | MS_NODEV,
             "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w,userxattr")
      < 0)
    goto fail;
  step = "create a file through the overlay";
  fd = open ("/tmp/m/probe", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    goto fail;
  if (stat ("/tmp/u/probe", &st) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "overlay mounted but a new file did not reach the upper dir");
      return;
    }
  host_layer_set (layer, HOST_LAYER_OK, "overlay with userxattr in a user namespace, upper on tmpfs");
  return;
fail:
  host_layer_set (layer, HOST_LAYER_MISSING, "%s in a user namespace: %s", step, strerror (errno));
}

/* ---- syscalls the runner relies on --------------------------------------- */

static void
probe_openat2 (struct host_layer *layer)
{
  static const char *const escapes[] = { "../..", "/" };
  struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  cleanup_close int dfd = -1;
  struct stat root, got;

  dfd = open ("/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || fstat (dfd, &root) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "open /etc to test openat2: %s", strerror (errno));
      return;
    }
  /* With /etc as the root, neither ".." nor "/" may leave it.  */
  for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
    {
      cleanup_close int fd = (int)syscall (SYS_openat2, dfd, escapes[i], &how, sizeof how);
      if (fd < 0)
        {
          host_layer_set (layer, HOST_LAYER_MISSING, "openat2 RESOLVE_IN_ROOT: %s", strerror (errno));
          return;
        }
      if (fstat (fd, &got) < 0 || got.st_dev != root.st_dev || got.st_ino != root.st_ino)
        {
          host_layer_set (layer, HOST_LAYER_MISSING, "openat2 RESOLVE_IN_ROOT let `%s` escape the root", escapes[i]);
          return;
        }
    }
  host_layer_set (layer, HOST_LAYER_OK, "openat2 RESOLVE_IN_ROOT keeps `..` and `/` inside the root");
}

/* struct clone_args as of Linux 5.3 (CLONE_ARGS_SIZE_VER0); declared here
 * because <linux/sched.h> clashes with glibc's <sched.h>.  */
struct probe_clone_args
{
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void
probe_clone3 (struct host_layer *layer)
{
  int pidfd = -1;
  struct probe_clone_args args = {
    .flags = CLONE_PIDFD,
    .pidfd = (uint64_t)(uintptr_t)&pidfd,
    .exit_signal = SIGCHLD,
  };
  siginfo_t info;
  long pid;

  pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "clone3 with CLONE_PIDFD: %s", strerror (errno));
      return;
    }
  if (pid == 0)
    _exit (0);
  cleanup_close int fd = pidfd;
  memset (&info, 0, sizeof info);
  if (fd < 0 || waitid (P_PIDFD, (id_t)fd, &info, WEXITED) < 0)
    {
      while (waitpid ((pid_t)pid, NULL, 0) < 0 && errno == EINTR)
        ;
      host_layer_set (layer, HOST_LAYER_LIMITED, "clone3 works; waiting on its pidfd does not");
      return;
    }
  host_layer_set (layer, HOST_LAYER_OK, "clone3 with CLONE_PIDFD, waitid(P_PIDFD)");
}

static void
probe_pidfd (struct host_layer *layer)
{
  cleanup_close int fd = (int)syscall (SYS_pidfd_open, getpid (), 0);

  if (fd < 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "pidfd_open: %s", strerror (errno));
  else if (syscall (SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0)
    host_layer_set (layer, HOST_LAYER_LIMITED, "pidfd_open works, pidfd_send_signal: %s", strerror (errno));
  else
    host_layer_set (layer, HOST_LAYER_OK, "pidfd_open, pidfd_send_signal");
}

static void
probe_close_range (struct host_layer *layer)
{
  int fd = fcntl (STDERR_FILENO, F_DUPFD, 100);
  int flags;

  if (fd < 0)
    fd = open ("/dev/null", O_RDONLY);
  if (fd < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "no fd to test close_range: %s", strerror (errno));
      return;
    }
  if (close_range ((unsigned)fd, (unsigned)fd, CLOSE_RANGE_CLOEXEC) < 0)
    {
      host_layer_set (layer, HOST_LAYER_LIMITED, "close_range CLOSE_RANGE_CLOEXEC: %s", strerror (errno));
      close (fd);
      return;
    }
  flags = fcntl (fd, F_GETFD);
  if (close_range ((unsigned)fd, (unsigned)fd, 0) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "close_range: %s", strerror (errno));
      close (fd);
      return;
    }
  if (fcntl (fd, F_GETFD) >= 0 || errno != EBADF)
    host_layer_set (layer, HOST_LAYER_MISSING, "close_range returned 0 but left the fd open");
  else if (flags < 0 || !(flags & FD_CLOEXEC))
    host_layer_set (layer, HOST_LAYER_LIMITED, "close_range closes; CLOSE_RANGE_CLOEXEC did not set FD_CLOEXEC");
  else
    host_layer_set (layer, HOST_LAYER_OK, "close_range, with CLOSE_RANGE_CLOEXEC");
}

/* ---- all of them --------------------------------------------------------- */

static int
probe_child_layer (const struct host_probe_ctx *ctx, struct host_report *report, const char *name, bool required,
                   host_probe_fn fn, struct cordon_error *err)
{
  return host_probe_in_child (ctx, true, fn, host_report_add (report, name, required), err);
}

int
host_probe_kernel_layers (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err)
{
  struct host_layer *layer;
  int r;

  r = probe_userns (ctx, report, err);
  if (r == 0)
    r = probe_child_layer (ctx, report, "namespaces", true, probe_namespaces_fn, err);
  if (r == 0)
    r = probe_child_layer (ctx, report, "network-namespace", true, probe_netns_fn, err);
  if (r == 0)
    {
      if (access ("/proc/self/ns/time", F_OK) < 0)
        host_layer_set (host_report_add (report, "time-namespace", false), HOST_LAYER_MISSING,
                        "kernel without time namespaces (no /proc/self/ns/time)");
      else
        r = probe_child_layer (ctx, report, "time-namespace", false, probe_timens_fn, err);
    }
  if (r == 0)
    r = probe_child_layer (ctx, report, "mount-api", true, probe_mount_api_fn, err);
  if (r == 0)
    {
      probe_openat2 (host_report_add (report, "openat2", true));
      r = probe_child_layer (ctx, report, "overlayfs", false, probe_overlay_fn, err);
    }
  if (r == 0)
    {
      probe_clone3 (host_report_add (report, "clone3", false));
      probe_pidfd (host_report_add (report, "pidfd", false));
      layer = host_report_add (report, "close_range", false);
      probe_close_range (layer);
      r = host_probe_seccomp (ctx, report, err);
    }
  if (r == 0)
    r = host_probe_seccomp_notify (ctx, report, err);
  if (r == 0)
    r = host_probe_landlock (ctx, report, err);
  return r;
}
