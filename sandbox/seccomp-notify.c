/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/seccomp-notify.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sandbox/seccomp-cache.h"

uint32_t
seccomp_bpf_run (const struct cordon_bpf *bpf, const struct seccomp_data *data)
{
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
  const unsigned char *d = (const unsigned char *)data;

  for (size_t pc = 0; pc < bpf->n_insns; pc++)
    {
      const struct sock_filter *f = &bpf->insns[pc];
      uint32_t k = f->k, src = BPF_SRC (f->code) == BPF_X ? x : k;

      switch (BPF_CLASS (f->code))
        {
        case BPF_LD:
          if (f->code == (BPF_LD | BPF_W | BPF_ABS))
            {
              if (k > sizeof *data - 4 || k % 4)
                return SECCOMP_RET_KILL_PROCESS;
              memcpy (&a, d + k, 4);
            }
          else if (f->code == (BPF_LD | BPF_W | BPF_LEN))
            a = sizeof *data;
          else if (f->code == (BPF_LD | BPF_IMM))
            a = k;
          else if (f->code == (BPF_LD | BPF_MEM) && k < BPF_MEMWORDS)
            a = mem[k];
          else
            return SECCOMP_RET_KILL_PROCESS;
          break;
        case BPF_LDX:
          if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
            x = sizeof *data;
          else if (f->code == (BPF_LDX | BPF_IMM))
            x = k;
          else if (f->code == (BPF_LDX | BPF_MEM) && k < BPF_MEMWORDS)
            x = mem[k];
          else
            return SECCOMP_RET_KILL_PROCESS;
          break;
        case BPF_ST:
        case BPF_STX:
          if (k >= BPF_MEMWORDS)
            return SECCOMP_RET_KILL_PROCESS;
          mem[k] = BPF_CLASS (f->code) == BPF_ST ? a : x;
          break;
        case BPF_ALU:
          switch (BPF_OP (f->code))
            {
            case BPF_ADD:
              a += src;
              break;
            case BPF_SUB:
              a -= src;
              break;
            case BPF_MUL:
              a *= src;
              break;
            case BPF_DIV:
              if (src == 0)
                return SECCOMP_RET_KILL_PROCESS;
              a /= src;
              break;
            case BPF_MOD:
              if (src == 0)
                return SECCOMP_RET_KILL_PROCESS;
              a %= src;
              break;
            case BPF_AND:
              a &= src;
              break;
            case BPF_OR:
              a |= src;
              break;
            case BPF_XOR:
              a ^= src;
              break;
            case BPF_LSH:
              a = src < 32 ? a << src : 0;
              break;
            case BPF_RSH:
              a = src < 32 ? a >> src : 0;
              break;
            case BPF_NEG:
              a = -a;
              break;
            default:
              return SECCOMP_RET_KILL_PROCESS;
            }
          break;
        case BPF_JMP:
          {
            bool t;
            if (BPF_OP (f->code) == BPF_JA)
              {
                pc += k;
                continue;
              }
            switch (BPF_OP (f->code))
              {
              case BPF_JEQ:
                t = a == src;
                break;
              case BPF_JGT:
                t = a > src;
                break;
              case BPF_JGE:
                t = a >= src;
                break;
              case BPF_JSET:
                t = (a & src) != 0;
                break;
              default:
                return SECCOMP_RET_KILL_PROCESS;
              }
            pc += t ? f->jt : f->jf;
            break;
          }
        case BPF_RET:
          return BPF_RVAL (f->code) == BPF_A ? a : k;
        case BPF_MISC:
          if (BPF_MISCOP (f->code) == BPF_TAX)
            x = a;
          else
            a = x;
          break;
        default:
          return SECCOMP_RET_KILL_PROCESS;
        }
    }
  return SECCOMP_RET_KILL_PROCESS; /* fell off the end: the kernel refuses such programs */
}

static bool
plain_allows (const struct cordon_bpf *plain, long nr)
{
  struct seccomp_data data = { .nr = (int)nr, .arch = AUDIT_ARCH_X86_64 };

#if defined(__aarch64__)
  data.arch = AUDIT_ARCH_AARCH64;
#endif
  return (seccomp_bpf_run (plain, &data) & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
}

int
seccomp_notify_compile (const struct cordon_seccomp *filter, const struct cordon_bpf *plain, struct cordon_bpf *out,
                        struct cordon_error *err)
{
  struct cordon_seccomp notify = *filter;
  cleanup_free struct cordon_seccomp_rule *rules = NULL;
  bool hit;
  int r;

  if (!plain_allows (plain, SYS_sendmsg) || !plain_allows (plain, SYS_close))
    return cordon_error_set (err, EINVAL,
                             "report_denied: the seccomp policy must allow sendmsg and close (the workload hands "
                             "its notification fd to the monitor with them)");
  /* A shallow copy: the names and conditions are the filter's own.  */
  rules = calloc (filter->n_rules + 1, sizeof *rules);
  if (rules == NULL)
    return cordon_error_set (err, ENOMEM, "report_denied");
  for (size_t i = 0; i < filter->n_rules; i++)
    {
      rules[i] = filter->rules[i];
      if (rules[i].action == SECCOMP_ACTION_ERRNO)
        {
          rules[i].action = SECCOMP_ACTION_NOTIFY;
          rules[i].has_errno_ret = false;
        }
    }
  notify.rules = rules;
  if (notify.default_action == SECCOMP_ACTION_ERRNO)
    {
      notify.default_action = SECCOMP_ACTION_NOTIFY;
      notify.has_default_errno_ret = false;
    }
  r = seccomp_filter_compile_cached (&notify, NULL, out, &hit, err);
  if (r < 0)
    return cordon_error_wrap (err, "report_denied");
  out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return 0;
}

static void
count_denied (struct sandbox_result *result, const struct seccomp_notif *req)
{
  cleanup_free char *name = seccomp_syscall_resolve_num_arch (
      req->data.arch == AUDIT_ARCH_I386 ? SCMP_ARCH_X86 : SCMP_ARCH_NATIVE, req->data.nr);
  char fallback[32];
  const char *n = name;
  struct result_denied *e = NULL;

  if (n == NULL)
    {
      snprintf (fallback, sizeof fallback, "syscall-%d", req->data.nr);
      n = fallback;
    }
  for (size_t i = 0; i < result->n_denied; i++)
    if (strcmp (result->denied[i].syscall, n) == 0)
      e = &result->denied[i];
  if (e == NULL)
    {
      if (result->n_denied == RESULT_MAX_DENIED)
        {
          result->denied_dropped++;
          return;
        }
      e = &result->denied[result->n_denied++];
      snprintf (e->syscall, sizeof e->syscall, "%s", n);
      /* The first call's arguments: what the program was trying.  */
      memcpy (e->args, req->data.args, sizeof e->args);
    }
  e->count++;
}

int
seccomp_listener_receive (int listener, struct seccomp_notif **req_out, struct seccomp_notif_resp **resp_out)
{
  struct seccomp_notif_sizes sizes;
  cleanup_free struct seccomp_notif *req = NULL;
  cleanup_free struct seccomp_notif_resp *resp = NULL;

  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return -errno;
  /* The kernel's structures may be larger than ours.  */
  req = calloc (1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
  resp = calloc (1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
  if (req == NULL || resp == NULL)
    return -ENOMEM;
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
    /* ENOENT: the caller died before we read it; not the listener's end.  */
    return errno == ENOENT || errno == EINTR ? 0 : -errno;
  resp->id = req->id;
  *req_out = steal_pointer (&req);
  *resp_out = steal_pointer (&resp);
  return 1;
}

int
seccomp_notify_answer (int listener, const struct cordon_bpf *plain, struct sandbox_result *result)
{
  cleanup_free struct seccomp_notif *req = NULL;
  cleanup_free struct seccomp_notif_resp *resp = NULL;
  uint32_t ret;
  int r = seccomp_listener_receive (listener, &req, &resp);

  if (r <= 0)
    return r;
  ret = seccomp_bpf_run (plain, &req->data);
  resp->id = req->id;
  resp->val = 0;
  resp->flags = 0;
  /* What the plain filter answers; anything but an errno (it cannot be:
   * only ERRNO actions were turned into NOTIFY) fails closed with EPERM.  */
  resp->error = (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO ? -(int32_t)(ret & SECCOMP_RET_DATA) : -EPERM;
  count_denied (result, req);
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}
