/* SPDX-License-Identifier: Apache-2.0 */
/* cordon-probe: the attacker the integration tests put inside a sandbox.
 * One static binary (no libcordon, no shared libraries: it must run in an
 * empty root), one subcommand per attempt:
 *
 *   cordon-probe TEST [ARGS]
 *
 * Detail lines start with "# ".  The last line is `TEST: ok` when the
 * attempt succeeded (the attack worked, or for the property checks
 * caps-empty, nnp, seccomp-mode, fds, cwd: the property holds), or
 * `TEST: blocked (reason)` when it did not.  Exit status: 0 ok, 1 blocked,
 * 2 usage error.
 *
 * Some attempts pass arguments the kernel rejects, so that nothing happens
 * even where the attempt gets through (kexec, module): for those, only
 * EPERM, EACCES and ENOSYS (the answers of seccomp, capabilities and
 * sysctls) count as blocked; any other error means the syscall reached the
 * code it attacks and is reported as `ok (reached: strerror)`.  */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

enum
{
  PROBE_OK = 0,
  PROBE_BLOCKED = 1,
  PROBE_USAGE = 2,
};

struct probe
{
  const char *name;
  int n_args;
  int (*run) (const char *name, char **args);
  const char *help;
};

static int
probe_ok (const char *name)
{
  printf ("%s: ok\n", name);
  return PROBE_OK;
}

static int
probe_blocked (const char *name, const char *why)
{
  printf ("%s: blocked (%s)\n", name, why);
  return PROBE_BLOCKED;
}

/* A plain attempt: success is ok, any error is blocked.  */
static int
probe_result (const char *name, long r, int errnum)
{
  return r >= 0 ? probe_ok (name) : probe_blocked (name, strerror (errnum));
}

/* An attempt with arguments the kernel refuses: reaching the syscall's own
 * checks counts as ok.  */
static int
probe_reach (const char *name, long r, int errnum)
{
  if (r >= 0)
    return probe_ok (name);
  if (errnum == EPERM || errnum == EACCES || errnum == ENOSYS)
    return probe_blocked (name, strerror (errnum));
  printf ("%s: ok (reached: %s)\n", name, strerror (errnum));
  return PROBE_OK;
}

static int
probe_keyctl (const char *name, char **args)
{
  (void)args;
  long r = syscall (SYS_add_key, "user", "cordon-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */);
  return probe_result (name, r, errno);
}

static int
probe_socket_family (const char *name, int family)
{
  int fd = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int e = errno;
  if (fd >= 0)
    close (fd);
  return probe_result (name, fd, e);
}

static int
probe_socket_inet (const char *name, char **args)
{
  (void)args;
  return probe_socket_family (name, AF_INET);
}

static int
probe_socket_unix (const char *name, char **args)
{
  (void)args;
  return probe_socket_family (name, AF_UNIX);
}

/* N refused syscalls in a row (add_key), for the notify path's cost and
 * counts: ok when every one failed with the same errno.  */
static int
probe_denied_loop (const char *name, char **args)
{
  long n = atol (args[0]);
  int first = 0;
  for (long i = 0; i < n; i++)
    {
      long r = syscall (SYS_add_key, "user", "cordon-probe", "x", 1, -2);
      if (r >= 0)
        return probe_blocked (name, "add_key worked");
      if (i == 0)
        first = errno;
      else if (errno != first)
        return probe_blocked (name, "the errno changed between calls");
    }
  printf ("# %ld calls, errno %d (%s)\n", n, first, strerror (first));
  return probe_ok (name);
}

static int
probe_bpf (const char *name, char **args)
{
  /* r0 = 0; exit: the smallest valid socket filter */
  struct bpf_insn insns[] = {
    { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
    { .code = BPF_JMP | BPF_EXIT },
  };
  union bpf_attr attr;
  (void)args;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = (unsigned long)insns;
  attr.insn_cnt = 2;
  attr.license = (unsigned long)"GPL";
  long r = syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  return probe_result (name, r, errno);
}

static int
probe_perf (const char *name, char **args)
{
  struct perf_event_attr attr;
  (void)args;
  memset (&attr, 0, sizeof attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = sizeof attr;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  long r = syscall (SYS_perf_event_open, &attr, 0, -1, -1, 0);
  return probe_result (name, r, errno);
}

static int
probe_userfaultfd (const char *name, char **args)
{
  (void)args;
  long r = syscall (SYS_userfaultfd, O_CLOEXEC);
  if (r < 0 && errno == EPERM) /* vm.unprivileged_userfaultfd=0: user-mode-only faults are still allowed */
    r = syscall (SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
  return probe_result (name, r, errno);
}

static int
probe_io_uring (const char *name, char **args)
{
  struct io_uring_params params;
  (void)args;
  memset (&params, 0, sizeof params);
  long r = syscall (SYS_io_uring_setup, 1, &params);
  return probe_result (name, r, errno);
}

static int
probe_kexec (const char *name, char **args)
{
  (void)args;
  /* Bad architecture flags: the kernel checks CAP_SYS_BOOT and
   * kexec_load_disabled first, then refuses these with EINVAL, so nothing
   * is loaded or unloaded even on a host.  */
  long r = syscall (SYS_kexec_load, 0, 0, NULL, 0x7fff0000UL);
  return probe_reach (name, r, errno);
}

static int
probe_module (const char *name, char **args)
{
  (void)args;
  /* No image: past the capability check the kernel fails with EFAULT or
   * EINVAL.  */
  long r = syscall (SYS_init_module, NULL, 0, "");
  int e = errno;
  printf ("# init_module: %s\n", r < 0 ? strerror (e) : "loaded");
  return probe_reach (name, r, e);
}

static int
probe_ptrace (const char *name, char **args)
{
  pid_t child;
  long r;
  int e;
  (void)args;
  child = fork ();
  if (child < 0)
    return probe_blocked (name, strerror (errno));
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  r = ptrace (PTRACE_ATTACH, child, NULL, NULL);
  e = errno;
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  return probe_result (name, r, e);
}

static int
probe_personality (const char *name, char **args)
{
  (void)args;
  long r = syscall (SYS_personality, READ_IMPLIES_EXEC);
  return probe_result (name, r, errno);
}

static int
probe_unshare_user (const char *name, char **args)
{
  (void)args;
  long r = unshare (CLONE_NEWUSER);
  return probe_result (name, r, errno);
}

/* The child of a raw clone exits at once; the parent reaps it.  */
static int
probe_reap (const char *name, long r, int errnum)
{
  if (r == 0)
    _exit (0);
  if (r > 0)
    waitpid ((pid_t)r, NULL, 0);
  return probe_result (name, r, errnum);
}

static int
probe_clone_newuser (const char *name, char **args)
{
  (void)args;
#if defined(__s390__) || defined(__s390x__)
  long r = syscall (SYS_clone, 0, CLONE_NEWUSER | SIGCHLD, 0, 0, 0);
#else
  long r = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
#endif
  return probe_reap (name, r, errno);
}

static int
probe_clone3 (const char *name, char **args)
{
  struct clone_args ca;
  (void)args;
  memset (&ca, 0, sizeof ca);
  ca.flags = CLONE_NEWUSER;
  ca.exit_signal = SIGCHLD;
  long r = syscall (SYS_clone3, &ca, sizeof ca);
  return probe_reap (name, r, errno);
}

static int
probe_open_by_handle (const char *name, char **args)
{
  struct
  {
    struct file_handle fh;
    unsigned char bytes[MAX_HANDLE_SZ];
  } h;
  int mount_id, root, fd;
  (void)args;
  h.fh.handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at (AT_FDCWD, "/", &h.fh, &mount_id, 0) < 0)
    return probe_blocked (name, strerror (errno));
  root = open ("/", O_RDONLY | O_DIRECTORY);
  if (root < 0)
    return probe_blocked (name, strerror (errno));
  fd = open_by_handle_at (root, &h.fh, O_RDONLY);
  return probe_result (name, fd, errno);
}

static int
probe_unknown_syscall (const char *name, char **args)
{
  (void)args;
  long r = syscall (1000);
  return probe_result (name, r, errno);
}

static int
probe_tiocsti (const char *name, char **args)
{
  (void)args;
  long r = ioctl (0, TIOCSTI, "x");
  int e = errno;
  if (r < 0 && e == EIO) /* dev.tty.legacy_tiocsti=0 */
    return probe_blocked (name, strerror (e));
  return probe_reach (name, r, e);
}

static int
probe_mount (const char *name, char **args)
{
  (void)args;
  long r = mount ("tmpfs", "/tmp", "tmpfs", 0, "size=1m");
  int e = errno;
  if (r == 0)
    umount2 ("/tmp", MNT_DETACH);
  return probe_result (name, r, e);
}

static int
probe_sethostname (const char *name, char **args)
{
  char host[256] = "";
  (void)args;
  /* Set it to what it is: a success changes nothing.  */
  if (gethostname (host, sizeof host - 1) < 0)
    return probe_blocked (name, strerror (errno));
  long r = sethostname (host, strlen (host));
  return probe_result (name, r, errno);
}

/* Prints the /proc/self/status lines starting with `prefix` and returns
 * how many had a value other than `want` (NULL: just print).  */
static int
probe_status_lines (const char *const *prefixes, const char *want, int *found)
{
  char line[512];
  int mismatches = 0;
  FILE *f = fopen ("/proc/self/status", "re");
  *found = 0;
  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    for (const char *const *p = prefixes; *p; p++)
      if (strncmp (line, *p, strlen (*p)) == 0)
        {
          const char *v = line + strlen (*p);
          (*found)++;
          printf ("# %s", line);
          while (*v == '\t' || *v == ' ')
            v++;
          if (want && strncmp (v, want, strlen (want)) != 0)
            mismatches++;
        }
  fclose (f);
  return mismatches;
}

static int
probe_status_check (const char *name, const char *const *prefixes, int n_expected, const char *want)
{
  int found;
  int bad = probe_status_lines (prefixes, want, &found);
  if (bad < 0)
    return probe_blocked (name, strerror (errno));
  if (found != n_expected)
    return probe_blocked (name, "missing from /proc/self/status");
  return bad == 0 ? probe_ok (name) : probe_blocked (name, "not as expected");
}

static int
probe_caps_empty (const char *name, char **args)
{
  static const char *const caps[] = { "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", NULL };
  (void)args;
  return probe_status_check (name, caps, 5, "0000000000000000");
}

static int
probe_nnp (const char *name, char **args)
{
  static const char *const nnp[] = { "NoNewPrivs:", NULL };
  (void)args;
  return probe_status_check (name, nnp, 1, "1");
}

static int
probe_seccomp_mode (const char *name, char **args)
{
  static const char *const mode[] = { "Seccomp:", NULL };
  (void)args;
  return probe_status_check (name, mode, 1, "2");
}

static int
probe_read (const char *name, char **args)
{
  char buf[4096];
  int fd = open (args[0], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return probe_blocked (name, strerror (errno));
  ssize_t n = read (fd, buf, sizeof buf);
  return probe_result (name, n, errno);
}

static int
probe_write (const char *name, char **args)
{
  static const char data[] = "cordon-probe was here\n";
  int fd = open (args[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return probe_blocked (name, strerror (errno));
  ssize_t n = write (fd, data, sizeof data - 1);
  int e = errno;
  if (close (fd) < 0 && n >= 0)
    return probe_blocked (name, strerror (errno));
  return probe_result (name, n, e);
}

static void
probe_try_open (const char *path, int flags, const char *how)
{
  char target[512];
  ssize_t n = readlink (path, target, sizeof target - 1);
  int fd = open (path, flags | O_CLOEXEC);
  target[n > 0 ? n : 0] = '\0';
  printf ("# %s %s (-> %s): %s\n", how, path, n > 0 ? target : "?", fd >= 0 ? "ok" : strerror (errno));
  if (fd >= 0)
    close (fd);
}

/* CVE-2019-5736: a container overwrote the runtime's binary through
 * /proc/<runtime pid>/exe.  The attack is the write.  */
static int
probe_exe (const char *name, char **args)
{
  (void)args;
  probe_try_open ("/proc/1/exe", O_RDONLY, "read");
  probe_try_open ("/proc/self/exe", O_RDONLY, "read");
  int fd = open ("/proc/1/exe", O_WRONLY | O_CLOEXEC);
  return probe_result (name, fd, errno);
}

/* Only stdio may cross into the sandbox.  */
static int
probe_fds (const char *name, char **args)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  int extra = 0;
  (void)args;
  if (d == NULL)
    return probe_blocked (name, strerror (errno));
  printf ("# fds:");
  while ((e = readdir (d)) != NULL)
    {
      int fd;
      if (e->d_name[0] == '.')
        continue;
      fd = atoi (e->d_name);
      printf (" %d", fd);
      if (fd > 2 && fd != dirfd (d))
        extra++;
    }
  printf ("\n");
  closedir (d);
  return extra == 0 ? probe_ok (name) : probe_blocked (name, "fds beyond stdio are open");
}

/* CVE-2024-21626: a working directory left outside the root shows as
 * "(unreachable)/..." or fails with ENOENT.  */
static int
probe_cwd (const char *name, char **args)
{
  char cwd[4096];
  (void)args;
  if (getcwd (cwd, sizeof cwd) == NULL)
    return probe_blocked (name, strerror (errno));
  printf ("# cwd: %s\n", cwd);
  return cwd[0] == '/' ? probe_ok (name) : probe_blocked (name, "outside the root");
}

static int
probe_connect (const char *name, char **args)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int port = atoi (args[1]);
  int fd;
  memset (&ss, 0, sizeof ss);
  if (inet_pton (AF_INET, args[0], &((struct sockaddr_in *)&ss)->sin_addr) == 1)
    {
      ss.ss_family = AF_INET;
      ((struct sockaddr_in *)&ss)->sin_port = htons ((uint16_t)port);
      len = sizeof (struct sockaddr_in);
    }
  else if (inet_pton (AF_INET6, args[0], &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
    {
      ss.ss_family = AF_INET6;
      ((struct sockaddr_in6 *)&ss)->sin6_port = htons ((uint16_t)port);
      len = sizeof (struct sockaddr_in6);
    }
  else
    {
      fprintf (stderr, "cordon-probe: connect takes a numeric address, not `%s`\n", args[0]);
      return PROBE_USAGE;
    }
  fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return probe_blocked (name, strerror (errno));
  int r = connect (fd, (struct sockaddr *)&ss, len);
  return probe_result (name, r, errno);
}

static int
probe_ps (const char *name, char **args)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  int n = 0;
  (void)args;
  if (d == NULL)
    return probe_blocked (name, strerror (errno));
  printf ("# pids:");
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
      {
        printf (" %s", e->d_name);
        n++;
      }
  printf ("\n# count: %d\n", n);
  closedir (d);
  return probe_ok (name);
}

static int
probe_uid (const char *name, char **args)
{
  gid_t groups[256];
  int n = getgroups (256, groups);
  (void)args;
  printf ("# uid=%u euid=%u gid=%u egid=%u groups=", getuid (), geteuid (), getgid (), getegid ());
  for (int i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", groups[i]);
  printf ("\n");
  return probe_ok (name);
}

static int
probe_mknod (const char *name, char **args)
{
  const char *path = args[0] ? args[0] : "/tmp/cordon-probe-null";
  long r = mknod (path, S_IFCHR | 0600, makedev (1, 3));
  int e = errno;
  if (r == 0)
    unlink (path);
  return probe_result (name, r, e);
}

/* The classic breakout: chroot into a subdirectory while keeping the cwd
 * outside it, walk up, chroot("."): escapes a chroot, not a pivot_root in a
 * mount namespace.  ok when "/" afterwards is another directory.  */
static int
probe_chroot_escape (const char *name, char **args)
{
  const char *dir = "/tmp/cordon-probe-chroot";
  struct stat before, after;
  (void)args;
  if (stat ("/", &before) < 0)
    return probe_blocked (name, strerror (errno));
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return probe_blocked (name, strerror (errno));
  if (chroot (dir) < 0)
    {
      int e = errno;
      rmdir (dir);
      return probe_blocked (name, strerror (e));
    }
  for (int i = 0; i < 64; i++)
    if (chdir ("..") < 0)
      return probe_blocked (name, strerror (errno));
  if (chroot (".") < 0)
    return probe_blocked (name, strerror (errno));
  if (stat ("/", &after) < 0)
    return probe_blocked (name, strerror (errno));
  rmdir (dir);
  printf ("# root before %lu:%lu after %lu:%lu\n", (unsigned long)before.st_dev, (unsigned long)before.st_ino,
          (unsigned long)after.st_dev, (unsigned long)after.st_ino);
  if (before.st_dev == after.st_dev && before.st_ino == after.st_ino)
    return probe_blocked (name, "chroot worked but / is still the sandbox root");
  return probe_ok (name);
}

static int
probe_setuid0 (const char *name, char **args)
{
  (void)args;
  printf ("# uid before: %u\n", getuid ());
  int r = setresuid (0, 0, 0);
  return probe_result (name, r, errno);
}

/* A UDP server for published-port tests (busybox nc has no -u): answers
 * each datagram with "udp-" and what it got, until killed.  */
static int
probe_udp_echo (const char *name, char **args)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t)atoi (args[0])) };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    return probe_blocked (name, strerror (errno));
  for (;;)
    {
      char buf[1024] = "udp-";
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t n = recvfrom (fd, buf + 4, sizeof buf - 4, 0, (struct sockaddr *)&from, &len);

      if (n < 0)
        return probe_blocked (name, strerror (errno));
      sendto (fd, buf, (size_t)n + 4, 0, (struct sockaddr *)&from, len);
    }
}

static int
probe_kill_pid1 (const char *name, char **args)
{
  (void)args;
  if (kill (1, SIGKILL) < 0)
    return probe_blocked (name, strerror (errno));
  /* A namespace's init ignores SIGKILL from inside: kill() succeeds and
   * nothing happens.  Look again.  */
  usleep (100 * 1000);
  if (kill (1, 0) == 0)
    return probe_blocked (name, "pid 1 survived");
  return probe_ok (name);
}

static const struct probe probes[] = {
  { "keyctl", 0, probe_keyctl, "add a key to the process keyring" },
  { "socket-inet", 0, probe_socket_inet, "socket(AF_INET, SOCK_STREAM)" },
  { "socket-unix", 0, probe_socket_unix, "socket(AF_UNIX, SOCK_STREAM)" },
  { "denied-loop", 1, probe_denied_loop, "N: add_key N times; ok when each fails alike" },
  { "bpf", 0, probe_bpf, "load a socket filter eBPF program" },
  { "perf", 0, probe_perf, "perf_event_open a cpu-clock counter on self" },
  { "userfaultfd", 0, probe_userfaultfd, "create a userfaultfd" },
  { "io_uring", 0, probe_io_uring, "io_uring_setup" },
  { "kexec", 0, probe_kexec, "reach kexec_load (with bad flags)" },
  { "module", 0, probe_module, "reach init_module (with no image)" },
  { "ptrace", 0, probe_ptrace, "PTRACE_ATTACH to a child" },
  { "personality", 0, probe_personality, "personality(READ_IMPLIES_EXEC)" },
  { "unshare-user", 0, probe_unshare_user, "unshare(CLONE_NEWUSER)" },
  { "clone-newuser", 0, probe_clone_newuser, "raw clone(CLONE_NEWUSER)" },
  { "clone3", 0, probe_clone3, "raw clone3(CLONE_NEWUSER)" },
  { "open-by-handle", 0, probe_open_by_handle, "name_to_handle_at + open_by_handle_at on /" },
  { "unknown-syscall", 0, probe_unknown_syscall, "syscall(1000)" },
  { "tiocsti", 0, probe_tiocsti, "ioctl(0, TIOCSTI)" },
  { "mount", 0, probe_mount, "mount a tmpfs on /tmp" },
  { "sethostname", 0, probe_sethostname, "sethostname (to its current value)" },
  { "caps-empty", 0, probe_caps_empty, "ok when every capability set is empty" },
  { "nnp", 0, probe_nnp, "ok when no_new_privs is set" },
  { "seccomp-mode", 0, probe_seccomp_mode, "ok when a seccomp filter is in force" },
  { "read", 1, probe_read, "FILE: open and read it" },
  { "write", 1, probe_write, "FILE: create or truncate it and write to it" },
  { "exe", 0, probe_exe, "open /proc/1/exe for writing" },
  { "fds", 0, probe_fds, "ok when only stdio is open" },
  { "cwd", 0, probe_cwd, "ok when the cwd is inside the root" },
  { "connect", 2, probe_connect, "ADDRESS PORT: TCP connect" },
  { "ps", 0, probe_ps, "list the pids visible in /proc" },
  { "uid", 0, probe_uid, "print uid, gid and groups" },
  { "mknod", -1, probe_mknod, "[PATH]: create a char device (1,3)" },
  { "chroot-escape", 0, probe_chroot_escape, "chroot breakout" },
  { "setuid0", 0, probe_setuid0, "setresuid(0, 0, 0)" },
  { "kill-pid1", 0, probe_kill_pid1, "kill(1, SIGKILL)" },
  { "udp-echo", 1, probe_udp_echo, "PORT: answer each datagram, until killed" },
};

static int
usage (void)
{
  fprintf (stderr, "usage: cordon-probe TEST [ARGS]\n\ntests:\n");
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
    fprintf (stderr, "  %-16s %s\n", probes[i].name, probes[i].help);
  return PROBE_USAGE;
}

int
main (int argc, char **argv)
{
  /* Unbuffered: a probe that kills us must not lose its detail lines.  */
  setvbuf (stdout, NULL, _IONBF, 0);
  if (argc < 2)
    return usage ();
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
    {
      const struct probe *p = &probes[i];
      int n = argc - 2;
      if (strcmp (argv[1], p->name) != 0)
        continue;
      if (p->n_args >= 0 ? n != p->n_args : n > 1)
        return usage ();
      return p->run (p->name, argv + 2);
    }
  return usage ();
}
