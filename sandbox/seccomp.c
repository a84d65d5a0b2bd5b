/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp: compile a struct cordon_seccomp to BPF with libseccomp (in the
 * monitor, before the sandbox exists) and install the ready program with one
 * seccomp(2) call (in the workload, just before execve).  Splitting the two
 * keeps libseccomp's allocations and parsing out of the process that is
 * about to become hostile, and lets a later cache skip the compile.  */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sandbox/seccomp.h"

/* The kernel refuses longer programs (BPF_MAXINSNS).  */
#define SECCOMP_MAX_INSNS 4096

static void
cleanup_scmp_ctxp (scmp_filter_ctx *ctx)
{
  if (*ctx != NULL)
    seccomp_release (*ctx);
}
#define cleanup_scmp __attribute__ ((cleanup (cleanup_scmp_ctxp)))

static int
seccomp_action_to_scmp (enum cordon_seccomp_action action, bool has_errno_ret, uint32_t errno_ret, uint32_t *out,
                        struct cordon_error *err)
{
  /* The action word keeps 16 bits of data; a larger errno would silently
   * become another one.  */
  if (has_errno_ret && errno_ret > 0xffff)
    return cordon_error_set (err, EINVAL, "seccomp errnoRet %u out of range", errno_ret);
  switch (action)
    {
    case SECCOMP_ACTION_ALLOW:
      *out = SCMP_ACT_ALLOW;
      return 0;
    case SECCOMP_ACTION_ERRNO:
      *out = SCMP_ACT_ERRNO (has_errno_ret ? errno_ret : EPERM);
      return 0;
    case SECCOMP_ACTION_KILL_THREAD:
      *out = SCMP_ACT_KILL_THREAD;
      return 0;
    case SECCOMP_ACTION_KILL_PROCESS:
      *out = SCMP_ACT_KILL_PROCESS;
      return 0;
    case SECCOMP_ACTION_TRAP:
      *out = SCMP_ACT_TRAP;
      return 0;
    case SECCOMP_ACTION_TRACE:
      *out = SCMP_ACT_TRACE (has_errno_ret ? errno_ret : 0);
      return 0;
    case SECCOMP_ACTION_LOG:
      *out = SCMP_ACT_LOG;
      return 0;
    case SECCOMP_ACTION_NOTIFY:
      /* Without a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER, which the
       * caller must ask for and whose fd must never reach the workload) the
       * kernel answers these syscalls with ENOSYS: it fails closed.  */
      *out = SCMP_ACT_NOTIFY;
      return 0;
    }
  return cordon_error_set (err, EINVAL, "unknown seccomp action %d", (int)action);
}

static int
seccomp_op_to_scmp (enum cordon_seccomp_op op, enum scmp_compare *out, struct cordon_error *err)
{
  switch (op)
    {
    case SECCOMP_OP_NE:
      *out = SCMP_CMP_NE;
      return 0;
    case SECCOMP_OP_LT:
      *out = SCMP_CMP_LT;
      return 0;
    case SECCOMP_OP_LE:
      *out = SCMP_CMP_LE;
      return 0;
    case SECCOMP_OP_EQ:
      *out = SCMP_CMP_EQ;
      return 0;
    case SECCOMP_OP_GE:
      *out = SCMP_CMP_GE;
      return 0;
    case SECCOMP_OP_GT:
      *out = SCMP_CMP_GT;
      return 0;
    case SECCOMP_OP_MASKED_EQ:
      *out = SCMP_CMP_MASKED_EQ;
      return 0;
    }
  return cordon_error_set (err, EINVAL, "unknown seccomp operator %d", (int)op);
}

/* "SCMP_ARCH_X86_64" (the OCI spelling) or "x86_64" (libseccomp's).  */
static int
seccomp_arch_from_name (const char *name, uint32_t *out, struct cordon_error *err)
{
  char lower[32];
  const char *p = name;
  size_t i;

  if (strncasecmp (p, "SCMP_ARCH_", 10) == 0)
    p += 10;
  for (i = 0; p[i] != '\0' && i + 1 < sizeof lower; i++)
    lower[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] - 'A' + 'a') : p[i];
  lower[i] = '\0';
  if (p[i] != '\0' || i == 0)
    return cordon_error_set (err, EINVAL, "unknown seccomp architecture `%s`", name);
  *out = seccomp_arch_resolve_name (lower);
  if (*out == 0)
    return cordon_error_set (err, EINVAL, "unknown seccomp architecture `%s`", name);
  return 0;
}

static int
seccomp_arch_add_checked (scmp_filter_ctx ctx, uint32_t arch, const char *what, struct cordon_error *err)
{
  int r = seccomp_arch_add (ctx, arch);
  if (r < 0 && r != -EEXIST)
    return cordon_error_set (err, -r, "seccomp: add architecture `%s`", what);
  return 0;
}

/* The native architecture and the compat one its kernel runs: a filter
 * that left out x86 would let a 64-bit process make every 32-bit syscall
 * (int 0x80) unfiltered.  x32 is added only when the filter lists it:
 * without it, libseccomp's x86_64 program already sends every x32 syscall
 * (nr >= 0x40000000) to the bad-arch action, so leaving it out fails
 * closed, most kernels lack x32 anyway, and it doubles the compile time
 * (measured: ~20 ms with x32, ~10 ms without, for the baseline).  */
static int
seccomp_add_architectures (scmp_filter_ctx ctx, const struct cordon_seccomp *filter, struct cordon_error *err)
{
  uint32_t native = seccomp_arch_native ();
  int r;

  if (native == SCMP_ARCH_X86_64)
    {
      r = seccomp_arch_add_checked (ctx, SCMP_ARCH_X86, "x86", err);
      if (r < 0)
        return r;
    }
  else if (native == SCMP_ARCH_AARCH64)
    {
      r = seccomp_arch_add_checked (ctx, SCMP_ARCH_ARM, "arm", err);
      if (r < 0)
        return r;
    }
  for (char **a = filter->architectures; a && *a; a++)
    {
      uint32_t arch;
      r = seccomp_arch_from_name (*a, &arch, err);
      if (r == 0)
        r = seccomp_arch_add_checked (ctx, arch, *a, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
seccomp_flags_from_names (char **names, unsigned int *out, struct cordon_error *err)
{
  static const struct
  {
    const char *name;
    unsigned int flag;
  } known[] = {
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  };

  *out = 0;
  for (char **n = names; n && *n; n++)
    {
      size_t i;
      for (i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp (*n, known[i].name) == 0)
          break;
      if (i == sizeof known / sizeof known[0])
        return cordon_error_set (err, EINVAL, "unknown seccomp flag `%s`", *n);
      *out |= known[i].flag;
    }
  return 0;
}

static int
seccomp_add_rule (scmp_filter_ctx ctx, const struct cordon_seccomp_rule *rule, uint32_t default_action,
                  struct cordon_error *err)
{
  struct scmp_arg_cmp cmps[6];
  uint32_t action;
  int r;

  r = seccomp_action_to_scmp (rule->action, rule->has_errno_ret, rule->errno_ret, &action, err);
  if (r < 0)
    return r;
  /* libseccomp refuses a rule that repeats the default action, and such a
   * rule changes nothing.  */
  if (action == default_action)
    return 0;
  if (rule->n_args > sizeof cmps / sizeof cmps[0])
    return cordon_error_set (err, EINVAL, "seccomp rule with %zu argument conditions (at most 6)", rule->n_args);
  for (size_t i = 0; i < rule->n_args; i++)
    {
      const struct cordon_seccomp_arg *a = &rule->args[i];
      if (a->index > 5)
        return cordon_error_set (err, EINVAL, "seccomp argument index %u out of range", a->index);
      r = seccomp_op_to_scmp (a->op, &cmps[i].op, err);
      if (r < 0)
        return r;
      cmps[i].arg = a->index;
      /* For MASKED_EQ libseccomp wants datum_a = mask, datum_b = value;
       * OCI writes value = mask, valueTwo = value.  */
      cmps[i].datum_a = a->value;
      cmps[i].datum_b = a->value_two;
    }
  for (char **name = rule->names; name && *name; name++)
    {
      int nr = seccomp_syscall_resolve_name (*name);
      /* A name this libseccomp does not know (a newer syscall, a typo in a
       * profile written for another version) is skipped, as Docker does:
       * the default action still answers it.  */
      if (nr == __NR_SCMP_ERROR)
        continue;
      r = seccomp_rule_add_array (ctx, action, nr, (unsigned int)rule->n_args, cmps);
      if (r < 0)
        return cordon_error_set (err, -r, "seccomp: add rule for `%s`", *name);
    }
  return 0;
}

/* libseccomp 2.5 can only export to an fd; a memfd keeps it in memory.  */
static int
seccomp_export_to_memory (scmp_filter_ctx ctx, struct cordon_bpf *out, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  cleanup_free struct sock_filter *insns = NULL;
  struct stat st;
  size_t done = 0;
  int r;

  fd = memfd_create ("cordon-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "memfd_create");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return cordon_error_set (err, -r, "seccomp: export BPF");
  if (fstat (fd, &st) < 0)
    return cordon_error_set (err, errno, "fstat of the exported BPF");
  if (st.st_size <= 0 || st.st_size % (off_t)sizeof (struct sock_filter) != 0)
    return cordon_error_set (err, EINVAL, "seccomp: exported BPF has a bad size %lld", (long long)st.st_size);
  out->n_insns = (size_t)st.st_size / sizeof (struct sock_filter);
  if (out->n_insns > SECCOMP_MAX_INSNS)
    return cordon_error_set (err, E2BIG, "seccomp filter too large: %zu instructions, the kernel takes at most %d",
                             out->n_insns, SECCOMP_MAX_INSNS);
  insns = malloc ((size_t)st.st_size);
  if (insns == NULL)
    return cordon_error_set (err, ENOMEM, "allocate the seccomp program");
  while (done < (size_t)st.st_size)
    {
      ssize_t n = pread (fd, (char *)insns + done, (size_t)st.st_size - done, (off_t)done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return cordon_error_set (err, errno, "read the exported BPF");
      if (n == 0)
        return cordon_error_set (err, EIO, "read the exported BPF: short read");
      done += (size_t)n;
    }
  out->insns = steal_pointer (&insns);
  return 0;
}

int
seccomp_filter_compile (const struct cordon_seccomp *filter, struct cordon_bpf *out, struct cordon_error *err)
{
  cleanup_scmp scmp_filter_ctx ctx = NULL;
  uint32_t default_action;
  unsigned int flags;
  int r;

  memset (out, 0, sizeof *out);
  r = seccomp_action_to_scmp (filter->default_action, filter->has_default_errno_ret, filter->default_errno_ret,
                              &default_action, err);
  if (r < 0)
    return r;
  r = seccomp_flags_from_names (filter->flags, &flags, err);
  if (r < 0)
    return r;
  ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return cordon_error_set (err, ENOMEM, "seccomp_init");
  /* An unknown architecture (a syscall ABI the filter was not written for)
   * kills the whole process rather than one thread.  */
  r = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (r < 0)
    return cordon_error_set (err, -r, "seccomp: set the bad-architecture action");
  /* The workload sets no_new_privs itself, in its own order.  */
  r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (r < 0)
    return cordon_error_set (err, -r, "seccomp: clear the NNP attribute");
  /* A binary tree over syscall numbers: a long allow-list costs O(log n)
   * per syscall instead of O(n).  Older libseccomp lacks it; not fatal.  */
  (void)seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  r = seccomp_add_architectures (ctx, filter, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < filter->n_rules; i++)
    {
      r = seccomp_add_rule (ctx, &filter->rules[i], default_action, err);
      if (r < 0)
        return r;
    }
  r = seccomp_export_to_memory (ctx, out, err);
  if (r < 0)
    return r;
  out->flags = flags;
  return 0;
}

int
seccomp_bpf_install (const struct cordon_bpf *bpf, struct cordon_error *err)
{
  struct sock_fprog prog = {
    .len = (unsigned short)bpf->n_insns,
    .filter = bpf->insns,
  };
  long r;

  if (bpf->n_insns == 0 || bpf->n_insns > SECCOMP_MAX_INSNS)
    return cordon_error_set (err, EINVAL, "seccomp program with %zu instructions", bpf->n_insns);
  r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, bpf->flags, &prog);
  if (r < 0)
    return cordon_error_set (err, errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
  /* With SECCOMP_FILTER_FLAG_NEW_LISTENER this is the notify fd.  */
  return (int)r;
}

void
seccomp_bpf_free (struct cordon_bpf *bpf)
{
  if (bpf == NULL)
    return;
  free (bpf->insns);
  bpf->insns = NULL;
  bpf->n_insns = 0;
  bpf->flags = 0;
}
