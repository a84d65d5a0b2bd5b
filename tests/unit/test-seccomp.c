/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp: the baseline compiles and, loaded into a child, refuses what it
 * must and allows what ordinary programs need; custom filters keep their
 * argument conditions, errno values and kill actions.  Every check runs
 * the syscall in a forked child under the filter and reports its result
 * over a pipe.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profiles/seccomp-baseline.h"
#include "sandbox/seccomp.h"

typedef long (*attempt_fn) (void);

/* The syscall's result as the program sees it: the value, or -errno.  */
static long
result_of (long r)
{
  return r < 0 ? -errno : r;
}

static void
compile_baseline (struct cordon_bpf *bpf)
{
  struct cordon_error err = { 0 };
  struct cordon_seccomp *baseline = NULL;

  cr_assert_eq (seccomp_baseline_new (&baseline, &err), 0, "%s", err.msg);
  cr_assert_eq (seccomp_filter_compile (baseline, bpf, &err), 0, "%s", err.msg);
  seccomp_spec_free (baseline);
}

/* Runs `fn` in a child under `bpf` (NULL: unfiltered).  Returns the wait
 * status; *result gets what fn returned when the child got that far.  */
static int
run_filtered (const struct cordon_bpf *bpf, attempt_fn fn, long *result)
{
  int fds[2];
  pid_t pid;
  int status = 0;

  cr_assert_eq (pipe2 (fds, O_CLOEXEC), 0);
  pid = fork ();
  cr_assert (pid >= 0);
  if (pid == 0)
    {
      struct cordon_error err = { 0 };
      long r;
      close (fds[0]);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (100);
      if (bpf != NULL && seccomp_bpf_install (bpf, &err) < 0)
        _exit (101);
      r = fn ();
      if (write (fds[1], &r, sizeof r) != sizeof r)
        _exit (102);
      _exit (0);
    }
  close (fds[1]);
  *result = LONG_MIN;
  if (read (fds[0], result, sizeof *result) != sizeof *result)
    *result = LONG_MIN;
  close (fds[0]);
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  return status;
}

static long
expect_result (const struct cordon_bpf *bpf, attempt_fn fn, const char *what)
{
  long r;
  int status = run_filtered (bpf, fn, &r);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s: child did not finish (status 0x%x)", what, status);
  return r;
}

static long
try_keyctl (void)
{
  return result_of (syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}
static long
try_add_key (void)
{
  return result_of (syscall (SYS_add_key, "user", "cordon-test", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}
static long
try_unshare_user (void)
{
  return result_of (unshare (CLONE_NEWUSER));
}
static long
try_unshare_nothing (void)
{
  return result_of (unshare (0));
}
static long
try_clone_newuser (void)
{
  long r = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (r == 0)
    _exit (0);
  return result_of (r);
}
static long
try_syscall_1000 (void)
{
  return result_of (syscall (1000));
}
static long
try_clone3 (void)
{
  return result_of (syscall (SYS_clone3, NULL, 0));
}
static long
try_getpid (void)
{
  return result_of (syscall (SYS_getpid)) == getpid () ? 0 : -1;
}
static long
try_write (void)
{
  int fds[2];
  char c = 0;
  if (pipe (fds) < 0)
    return -errno;
  if (write (fds[1], "w", 1) != 1)
    return -errno;
  if (read (fds[0], &c, 1) != 1)
    return -errno;
  return c == 'w' ? 0 : -1;
}
static long
try_fork_and_wait (void)
{
  int status;
  pid_t pid = fork ();
  if (pid < 0)
    return -errno;
  if (pid == 0)
    _exit (7);
  if (waitpid (pid, &status, 0) != pid)
    return -errno;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}
static long
try_tiocsti (void)
{
  return result_of (syscall (SYS_ioctl, 0, TIOCSTI, "x"));
}
/* The kernel reads ioctl's request as an unsigned int: high bits must not
 * get TIOCSTI past the filter.  */
static long
try_tiocsti_high_bits (void)
{
  return result_of (syscall (SYS_ioctl, 0, (1UL << 32) | TIOCSTI, "x"));
}
static long
try_fionread (void)
{
  int fds[2], n = -1;
  if (pipe (fds) < 0 || write (fds[1], "abc", 3) != 3)
    return -errno;
  if (ioctl (fds[0], FIONREAD, &n) < 0)
    return -errno;
  return n;
}
static long
try_personality_query (void)
{
  return result_of (personality (0xffffffff)) >= 0 ? 0 : -1;
}
static long
try_personality_exec (void)
{
  return result_of (personality (READ_IMPLIES_EXEC));
}
static long
try_ptrace (void)
{
  return result_of (syscall (SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
}
static long
try_bpf (void)
{
  return result_of (syscall (SYS_bpf, 0, NULL, 0));
}
static long
try_io_uring (void)
{
  return result_of (syscall (SYS_io_uring_setup, 1, NULL));
}
static long
try_mount (void)
{
  return result_of (mount ("none", "/tmp", "tmpfs", 0, NULL));
}
static long
try_getppid (void)
{
  return result_of (syscall (SYS_getppid));
}
static long
try_personality_8 (void)
{
  return result_of (syscall (SYS_personality, 8));
}
static long
try_personality_0 (void)
{
  return result_of (syscall (SYS_personality, 0));
}

Test (seccomp, baseline_compiles_within_the_kernel_limit)
{
  struct cordon_bpf bpf = { 0 };

  compile_baseline (&bpf);
  cr_assert_gt (bpf.n_insns, 0);
  cr_assert_leq (bpf.n_insns, 4096);
  cr_assert_eq (bpf.flags, 0);
  seccomp_bpf_free (&bpf);
  cr_assert_null (bpf.insns);
}

Test (seccomp, baseline_refuses_attack_surface_with_eperm)
{
  struct cordon_bpf bpf = { 0 };

  compile_baseline (&bpf);
  cr_assert_eq (expect_result (&bpf, try_keyctl, "keyctl"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_add_key, "add_key"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_unshare_user, "unshare"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_clone_newuser, "clone"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_ptrace, "ptrace"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_bpf, "bpf"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_io_uring, "io_uring_setup"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_mount, "mount"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_tiocsti, "TIOCSTI"), -EPERM);
  cr_assert_eq (expect_result (&bpf, try_tiocsti_high_bits, "TIOCSTI|1<<32"), -EPERM);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, baseline_answers_unknown_syscalls_with_enosys)
{
  struct cordon_bpf bpf = { 0 };

  compile_baseline (&bpf);
  cr_assert_eq (expect_result (&bpf, try_syscall_1000, "syscall 1000"), -ENOSYS);
  /* clone3's flags are out of the filter's reach; glibc falls back to clone */
  cr_assert_eq (expect_result (&bpf, try_clone3, "clone3"), -ENOSYS);
  cr_assert_eq (expect_result (&bpf, try_personality_exec, "personality"), -ENOSYS);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, baseline_allows_ordinary_programs)
{
  struct cordon_bpf bpf = { 0 };

  compile_baseline (&bpf);
  cr_assert_eq (expect_result (&bpf, try_getpid, "getpid"), 0);
  cr_assert_eq (expect_result (&bpf, try_write, "write"), 0);
  cr_assert_eq (expect_result (&bpf, try_fork_and_wait, "fork"), 7);
  cr_assert_eq (expect_result (&bpf, try_unshare_nothing, "unshare(0)"), 0);
  cr_assert_eq (expect_result (&bpf, try_fionread, "FIONREAD"), 3);
  cr_assert_eq (expect_result (&bpf, try_personality_query, "personality query"), 0);
  seccomp_bpf_free (&bpf);
}

#if defined(__x86_64__)
/* A 64-bit process can still make 32-bit syscalls with int 0x80; the x86
 * part of the filter must answer them the same way.  */
static long
int80 (long nr, long a, long b)
{
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
  return ret;
}
static long
try_int80_getpid (void)
{
  return int80 (20 /* i386 getpid */, 0, 0) == getpid () ? 0 : -1;
}
static long
try_int80_keyctl (void)
{
  return int80 (288 /* i386 keyctl */, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING);
}

Test (seccomp, baseline_filters_32bit_syscalls_too)
{
  struct cordon_bpf bpf = { 0 };
  long r;
  int status = run_filtered (NULL, try_int80_getpid, &r);

  if (!WIFEXITED (status) || r != 0)
    cr_skip_test ("this kernel has no 32-bit syscall emulation");
  compile_baseline (&bpf);
  cr_assert_eq (expect_result (&bpf, try_int80_getpid, "int 0x80 getpid"), 0);
  cr_assert_eq (expect_result (&bpf, try_int80_keyctl, "int 0x80 keyctl"), -EPERM);
  seccomp_bpf_free (&bpf);
}
#endif

static char *names_personality[] = { "personality", NULL };
static char *names_getppid[] = { "no_such_syscall_anywhere", "getppid", NULL };

Test (seccomp, custom_rule_with_argument_condition)
{
  struct cordon_seccomp_arg arg = { .index = 0, .op = SECCOMP_OP_NE, .value = 0 };
  struct cordon_seccomp_rule rule = {
    .names = names_personality,
    .action = SECCOMP_ACTION_ERRNO,
    .has_errno_ret = true,
    .errno_ret = EACCES,
    .args = &arg,
    .n_args = 1,
  };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .rules = &rule, .n_rules = 1 };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), 0, "%s", err.msg);
  cr_assert_geq (expect_result (&bpf, try_personality_0, "personality(0)"), 0);
  cr_assert_eq (expect_result (&bpf, try_personality_8, "personality(8)"), -EACCES);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, masked_eq_takes_mask_then_value)
{
  /* OCI: value is the mask, valueTwo the value: deny when (arg0 & 0xf) == 8 */
  struct cordon_seccomp_arg arg = { .index = 0, .op = SECCOMP_OP_MASKED_EQ, .value = 0xf, .value_two = 8 };
  struct cordon_seccomp_rule rule = {
    .names = names_personality,
    .action = SECCOMP_ACTION_ERRNO,
    .args = &arg,
    .n_args = 1,
  };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .rules = &rule, .n_rules = 1 };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), 0, "%s", err.msg);
  /* no errnoRet: EPERM, as OCI says */
  cr_assert_eq (expect_result (&bpf, try_personality_8, "personality(8)"), -EPERM);
  cr_assert_geq (expect_result (&bpf, try_personality_0, "personality(0)"), 0);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, unknown_syscall_names_are_skipped)
{
  struct cordon_seccomp_rule rule = { .names = names_getppid, .action = SECCOMP_ACTION_ERRNO };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .rules = &rule, .n_rules = 1 };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), 0, "%s", err.msg);
  cr_assert_eq (expect_result (&bpf, try_getppid, "getppid"), -EPERM);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, kill_process_kills_the_child_with_sigsys)
{
  struct cordon_seccomp_rule rule = { .names = names_getppid, .action = SECCOMP_ACTION_KILL_PROCESS };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .rules = &rule, .n_rules = 1 };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };
  long r;
  int status;

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), 0, "%s", err.msg);
  status = run_filtered (&bpf, try_getppid, &r);
  cr_assert (WIFSIGNALED (status), "status 0x%x", status);
  cr_assert_eq (WTERMSIG (status), SIGSYS);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, rule_equal_to_default_is_skipped)
{
  struct cordon_seccomp_rule rule = { .names = names_getppid, .action = SECCOMP_ACTION_ALLOW };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .rules = &rule, .n_rules = 1 };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), 0, "%s", err.msg);
  cr_assert_eq (expect_result (&bpf, try_getppid, "getppid"), getpid ());
  seccomp_bpf_free (&bpf);
}

Test (seccomp, flags_map_to_seccomp_filter_flags)
{
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .flags = flags };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), 0, "%s", err.msg);
  cr_assert_eq (bpf.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  seccomp_bpf_free (&bpf);
}

Test (seccomp, bad_flag_and_bad_arch_are_named_in_the_error)
{
  char *flags[] = { "SECCOMP_FILTER_FLAG_BOGUS", NULL };
  char *arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11", NULL };
  struct cordon_seccomp filter = { .default_action = SECCOMP_ACTION_ALLOW, .flags = flags };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), -EINVAL);
  cr_assert (strstr (err.msg, "SECCOMP_FILTER_FLAG_BOGUS") != NULL, "%s", err.msg);
  cordon_error_release (&err);

  filter.flags = NULL;
  filter.architectures = arches;
  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), -EINVAL);
  cr_assert (strstr (err.msg, "SCMP_ARCH_PDP11") != NULL, "%s", err.msg);
  cordon_error_release (&err);
}

Test (seccomp, errno_ret_out_of_range_is_refused)
{
  struct cordon_seccomp filter = {
    .default_action = SECCOMP_ACTION_ERRNO,
    .has_default_errno_ret = true,
    .default_errno_ret = 70000,
  };
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };

  cr_assert_eq (seccomp_filter_compile (&filter, &bpf, &err), -EINVAL);
  cr_assert (strstr (err.msg, "70000") != NULL, "%s", err.msg);
  cordon_error_release (&err);
}
