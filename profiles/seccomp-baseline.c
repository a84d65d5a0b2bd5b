/* SPDX-License-Identifier: Apache-2.0 */
/* cordon's baseline seccomp filter, built as data (struct cordon_seccomp).
 *
 * Shape: default ERRNO(ENOSYS), so that a syscall we have not heard of looks
 * like an old kernel and libc falls back (glibc tries clone3, then clone);
 * an ALLOW rule listing the ordinary syscalls; ERRNO(EPERM) for the kernel
 * attack surface a sandbox never needs, so that a program that probes for
 * it sees "not permitted" rather than "missing".
 *
 * libseccomp lets an unconditional rule for a syscall override every
 * conditional one, and takes one comparison per argument per rule.  So a
 * syscall that is allowed except for some argument values (clone, unshare,
 * ioctl) is never in the plain allow-list: it gets ALLOW rules that cover
 * exactly the complement of the refused values, next to the EPERM rules.
 *
 * Arguments the kernel declares as `unsigned int` (ioctl's request,
 * personality) are compared on their low 32 bits only (MASKED_EQ with a
 * 32-bit mask): the kernel truncates the register, so a full 64-bit compare
 * of a deny rule could be bypassed by setting high bits (0x100005412 is
 * TIOCSTI to the kernel).  */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/cleanup.h"
#include "profiles/seccomp-baseline.h"

/* Ordinary syscalls, allowed whatever their arguments.  Generous on
 * purpose: shells, busybox, python, gcc, make, git and language runtimes
 * must work.  Names missing on an architecture are skipped when compiled;
 * 32-bit names matter for the x86/arm compat filters.  */
/* clang-format off */
static const char *const baseline_allowed[] = {
  "_llseek", "_newselect", "accept", "accept4", "access", "alarm", "arch_prctl", "arm_fadvise64_64",
  "arm_sync_file_range", "bind", "breakpoint", "brk", "cacheflush", "cachestat", "capget", "capset", "chdir",
  "chmod", "chown", "chown32",
  /* chroot needs CAP_SYS_CHROOT, which the default drops; a profile that
   * grants the capability means it (build tools, package managers).  */
  "chroot", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
  "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
  "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
  "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
  "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown",
  "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
  "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
  "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat",
  "get_mempolicy", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
  "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
  "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
  "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt",
  "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
  "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
  "io_pgetevents_time64", "io_setup", "io_submit", "ioprio_get", "ioprio_set", "ipc", "kcmp", "kill",
  "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
  "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lsm_get_self_attr",
  "lsm_list_modules", "lstat", "lstat64", "madvise", "map_shadow_stack", "mbind", "membarrier", "memfd_create",
  "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap",
  "mmap2",
  /* modify_ldt: 16-bit code under wine and some JITs; Docker allows it.  */
  "modify_ldt", "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
  "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd",
  "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open", "openat", "openat2", "pause",
  "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
  "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
  "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
  "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
  "renameat", "renameat2", "restart_syscall", "riscv_flush_icache", "rmdir", "rseq", "rt_sigaction",
  "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
  "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
  "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
  "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
  "sched_yield",
  /* seccomp: a workload may stack stricter filters of its own (browsers,
   * systemd); a filter can only ever take permissions away.  */
  "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
  "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy", "set_mempolicy_home_node", "set_robust_list",
  "set_thread_area", "set_tid_address", "set_tls", "setdomainname", "setfsgid", "setfsgid32", "setfsuid",
  "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
  /* sethostname/setdomainname act on the sandbox's own UTS namespace and
   * need CAP_SYS_ADMIN there.  */
  "sethostname", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
  "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32",
  "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaction", "sigaltstack", "signal", "signalfd",
  "signalfd4", "sigpending", "sigprocmask", "sigreturn", "sigsuspend", "socket", "socketcall", "socketpair",
  "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
  "sync_file_range2", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
  "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
  "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
  "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
  "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
};

/* Refused with EPERM: kernel attack surface (the source of most container
 * escapes and local root exploits) and host-global state that a sandbox
 * must never touch.  Most also need a capability, which is dropped; the
 * filter still holds if a profile grants one.  */
static const char *const baseline_refused[] = {
  /* kernel keyrings are not namespaced */
  "add_key", "keyctl", "request_key",
  /* eBPF, perf and userfaultfd: a large, exploit-rich kernel surface */
  "bpf", "perf_event_open", "userfaultfd",
  /* io_uring bypasses seccomp for the operations it performs */
  "io_uring_enter", "io_uring_register", "io_uring_setup",
  /* kernel code */
  "create_module", "delete_module", "finit_module", "get_kernel_syms", "init_module", "kexec_file_load",
  "kexec_load", "query_module",
  /* other processes' memory; pidfd_getfd steals their fds */
  "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace",
  /* file handles open any inode of the filesystem, beyond the root
   * (the "shocker" escape) */
  "name_to_handle_at", "open_by_handle_at",
  /* the mount table: the sandbox's view is built before the workload runs */
  "fsconfig", "fsmount", "fsopen", "fspick", "listmount", "mount", "mount_setattr", "move_mount", "open_tree",
  "pivot_root", "statmount", "umount", "umount2",
  /* namespaces: joining one, and (see the clone/unshare rules) creating a
   * user namespace, which unlocks the rest of the kernel's capabilities */
  "setns",
  /* host-global state */
  "acct", "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64", "quotactl",
  "quotactl_fd", "reboot", "settimeofday", "stime", "swapoff", "swapon", "syslog", "vhangup",
  /* obsolete or raw-hardware interfaces */
  "_sysctl", "afs_syscall", "ioperm", "iopl", "lookup_dcookie", "migrate_pages", "move_pages", "nfsservctl",
  "sysfs", "uselib", "ustat", "vm86", "vm86old",
};

/* clang-format on */

/* personality values Docker allows: PER_LINUX, PER_LINUX32, UNAME26 and
 * their combination, and 0xffffffff (query).  Anything else (notably
 * READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE) falls to the default action.  */
static const uint32_t baseline_personality_allowed[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* ioctl requests refused: TIOCSTI pushes input into a terminal (a shell
 * outside the sandbox reading the same tty runs it); TIOCLINUX can read and
 * write the Linux console.  */
static const uint32_t baseline_ioctl_refused[] = { TIOCSTI, TIOCLINUX };

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

/* Enough for the complement of a few 32-bit values: at most 32 patterns
 * per value.  */
#define BASELINE_MAX_PATTERNS 128
#define COMPLEMENT_MAX_SET 4
_Static_assert(N_ELEMENTS (baseline_ioctl_refused) <= COMPLEMENT_MAX_SET, "complement32 set too large");

struct masked_pattern
{
  uint32_t mask;
  uint32_t value;
};

/* Collects the (mask, value) patterns over the low 32 bits that match
 * exactly the values NOT in `set`: a walk of the binary trie of `set` from
 * bit 31 down, emitting every empty branch.  `set` holds the values that
 * agree with `prefix` on the bits above `bit`.  */
static void
complement32 (const uint32_t *set, size_t n, int bit, uint32_t prefix, struct masked_pattern *out, size_t *n_out)
{
  uint32_t zeros[COMPLEMENT_MAX_SET];
  uint32_t ones[COMPLEMENT_MAX_SET];
  size_t n0 = 0, n1 = 0;

  if (n == 0)
    {
      if (*n_out < BASELINE_MAX_PATTERNS)
        out[(*n_out)++] = (struct masked_pattern){
          .mask = bit == 31 ? 0 : ~0u << (bit + 1),
          .value = prefix,
        };
      return;
    }
  if (bit < 0)
    return; /* a member of the set */
  for (size_t i = 0; i < n && i < N_ELEMENTS (zeros); i++)
    {
      if (set[i] & (1u << bit))
        ones[n1++] = set[i];
      else
        zeros[n0++] = set[i];
    }
  complement32 (zeros, n0, bit - 1, prefix, out, n_out);
  complement32 (ones, n1, bit - 1, prefix | (1u << bit), out, n_out);
}

struct baseline_builder
{
  struct cordon_seccomp *s;
  size_t capacity;
};

static int
baseline_add_rule (struct baseline_builder *b, const char *const *names, size_t n_names,
                   enum cordon_seccomp_action action, int errno_ret, const struct cordon_seccomp_arg *args,
                   size_t n_args, struct cordon_error *err)
{
  struct cordon_seccomp *s = b->s;
  struct cordon_seccomp_rule *rule;

  if (s->n_rules == b->capacity)
    {
      size_t cap = b->capacity ? b->capacity * 2 : 32;
      struct cordon_seccomp_rule *rules = reallocarray (s->rules, cap, sizeof *rules);
      if (rules == NULL)
        return cordon_error_set (err, ENOMEM, "baseline seccomp filter");
      s->rules = rules;
      b->capacity = cap;
    }
  rule = &s->rules[s->n_rules];
  memset (rule, 0, sizeof *rule);
  s->n_rules++; /* counted before filling: seccomp_spec_free releases a half-built rule */
  rule->action = action;
  rule->has_errno_ret = action == SECCOMP_ACTION_ERRNO;
  rule->errno_ret = (uint32_t)errno_ret;
  rule->names = calloc (n_names + 1, sizeof *rule->names);
  if (rule->names == NULL)
    return cordon_error_set (err, ENOMEM, "baseline seccomp filter");
  for (size_t i = 0; i < n_names; i++)
    {
      rule->names[i] = strdup (names[i]);
      if (rule->names[i] == NULL)
        return cordon_error_set (err, ENOMEM, "baseline seccomp filter");
    }
  if (n_args > 0)
    {
      rule->args = calloc (n_args, sizeof *rule->args);
      if (rule->args == NULL)
        return cordon_error_set (err, ENOMEM, "baseline seccomp filter");
      memcpy (rule->args, args, n_args * sizeof *args);
      rule->n_args = n_args;
    }
  return 0;
}

static int
baseline_add_masked (struct baseline_builder *b, const char *name, enum cordon_seccomp_action action, int errno_ret,
                     unsigned int index, uint64_t mask, uint64_t value, struct cordon_error *err)
{
  struct cordon_seccomp_arg arg = {
    .index = index,
    .op = SECCOMP_OP_MASKED_EQ,
    .value = mask,
    .value_two = value,
  };
  return baseline_add_rule (b, &name, 1, action, errno_ret, &arg, 1, err);
}

/* clone and unshare: everything but CLONE_NEWUSER.  A new user namespace
 * hands the workload a full set of capabilities over fresh namespaces,
 * the key to most unprivileged kernel exploits.  Other namespaces need
 * CAP_SYS_ADMIN, which the workload lacks.  */
static int
baseline_add_namespace_rules (struct baseline_builder *b, struct cordon_error *err)
{
#if defined(__s390__) || defined(__s390x__)
  const unsigned int clone_flags_index = 1; /* s390 passes the stack first */
#else
  const unsigned int clone_flags_index = 0;
#endif
  /* clone3 passes its flags in memory, out of the filter's reach: ENOSYS
   * makes glibc fall back to clone, whose flags are checked.  Equal to the
   * default action today; kept so the rule survives a change of default.  */
  static const char *const clone3[] = { "clone3" };
  int r;

  r = baseline_add_masked (b, "clone", SECCOMP_ACTION_ALLOW, 0, clone_flags_index, CLONE_NEWUSER, 0, err);
  if (r == 0)
    r = baseline_add_masked (b, "clone", SECCOMP_ACTION_ERRNO, EPERM, clone_flags_index, CLONE_NEWUSER, CLONE_NEWUSER,
                             err);
  if (r == 0)
    r = baseline_add_masked (b, "unshare", SECCOMP_ACTION_ALLOW, 0, 0, CLONE_NEWUSER, 0, err);
  if (r == 0)
    r = baseline_add_masked (b, "unshare", SECCOMP_ACTION_ERRNO, EPERM, 0, CLONE_NEWUSER, CLONE_NEWUSER, err);
  if (r == 0)
    r = baseline_add_rule (b, clone3, 1, SECCOMP_ACTION_ERRNO, ENOSYS, NULL, 0, err);
  return r;
}

static int
baseline_add_ioctl_rules (struct baseline_builder *b, struct cordon_error *err)
{
  struct masked_pattern patterns[BASELINE_MAX_PATTERNS];
  size_t n = 0;
  int r;

  for (size_t i = 0; i < N_ELEMENTS (baseline_ioctl_refused); i++)
    {
      r = baseline_add_masked (b, "ioctl", SECCOMP_ACTION_ERRNO, EPERM, 1, 0xffffffffu, baseline_ioctl_refused[i], err);
      if (r < 0)
        return r;
    }
  complement32 (baseline_ioctl_refused, N_ELEMENTS (baseline_ioctl_refused), 31, 0, patterns, &n);
  for (size_t i = 0; i < n; i++)
    {
      r = baseline_add_masked (b, "ioctl", SECCOMP_ACTION_ALLOW, 0, 1, patterns[i].mask, patterns[i].value, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
baseline_add_personality_rules (struct baseline_builder *b, struct cordon_error *err)
{
  for (size_t i = 0; i < N_ELEMENTS (baseline_personality_allowed); i++)
    {
      int r = baseline_add_masked (b, "personality", SECCOMP_ACTION_ALLOW, 0, 0, 0xffffffffu,
                                   baseline_personality_allowed[i], err);
      if (r < 0)
        return r;
    }
  return 0;
}

int
seccomp_baseline_new (struct cordon_seccomp **out, struct cordon_error *err)
{
  struct baseline_builder b = { 0 };
  int r;

  b.s = calloc (1, sizeof *b.s);
  if (b.s == NULL)
    return cordon_error_set (err, ENOMEM, "baseline seccomp filter");
  b.s->default_action = SECCOMP_ACTION_ERRNO;
  b.s->has_default_errno_ret = true;
  b.s->default_errno_ret = ENOSYS;

  r = baseline_add_rule (&b, baseline_allowed, N_ELEMENTS (baseline_allowed), SECCOMP_ACTION_ALLOW, 0, NULL, 0, err);
  if (r == 0)
    r = baseline_add_rule (&b, baseline_refused, N_ELEMENTS (baseline_refused), SECCOMP_ACTION_ERRNO, EPERM, NULL, 0,
                           err);
  if (r == 0)
    r = baseline_add_namespace_rules (&b, err);
  if (r == 0)
    r = baseline_add_ioctl_rules (&b, err);
  if (r == 0)
    r = baseline_add_personality_rules (&b, err);
  if (r < 0)
    {
      seccomp_spec_free (b.s);
      return r;
    }
  *out = b.s;
  return 0;
}
