/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/seccomp-learn.h"
#include "sandbox/seccomp-notify.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int
seccomp_learn_compile (int handover_fd, struct cordon_bpf *out, struct cordon_error *err)
{
  /* What the workload calls after installing the filter and before the
   * monitor holds the listener: a notification then would wait on the
   * workload itself.  exit and exit_group too, so that a workload that
   * fails to hand the listener over still ends.  */
  char *bootstrap[] = { "close", "exit", "exit_group", NULL };
  char *sendmsg_name[] = { "sendmsg", NULL };
  char *clone3_name[] = { "clone3", NULL };
  struct cordon_seccomp_arg on_handover = { .index = 0, .value = (uint64_t)handover_fd, .op = SECCOMP_OP_EQ };
  struct cordon_seccomp_rule rules[] = {
    { .names = bootstrap, .action = SECCOMP_ACTION_ALLOW },
    { .names = sendmsg_name, .action = SECCOMP_ACTION_ALLOW, .args = &on_handover, .n_args = 1 },
    { .names = clone3_name, .action = SECCOMP_ACTION_ERRNO, .has_errno_ret = true, .errno_ret = ENOSYS },
  };
  struct cordon_seccomp filter = {
    .default_action = SECCOMP_ACTION_NOTIFY,
    .rules = rules,
    .n_rules = sizeof rules / sizeof rules[0],
  };
  int r;

  if (handover_fd < 0)
    return cordon_error_set (err, EBADF, "learn: no fd to hand the listener over on");
  r = seccomp_filter_compile (&filter, out, err);
  if (r < 0)
    return cordon_error_wrap (err, "learn: the learning filter");
  out->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return 0;
}

bool
seccomp_learned_has (const struct seccomp_learned *l, const char *name)
{
  for (size_t i = 0; i < l->n_names; i++)
    if (strcmp (l->names[i], name) == 0)
      return true;
  return false;
}

static void
add_personality (struct seccomp_learned *l, uint32_t persona)
{
  for (size_t i = 0; i < l->n_personalities; i++)
    if (l->personalities[i] == persona)
      return;
  if (l->n_personalities == SECCOMP_LEARN_MAX_PERSONALITIES)
    l->personality_any = true;
  else
    l->personalities[l->n_personalities++] = persona;
}

void
seccomp_learned_add (struct seccomp_learned *l, const char *name, const uint64_t args[6])
{
  if (strcmp (name, "clone") == 0)
    l->clone_ns |= args[0] & SECCOMP_LEARN_NS_FLAGS;
  else if (strcmp (name, "unshare") == 0)
    {
      l->unshare_ns |= args[0] & SECCOMP_LEARN_NS_FLAGS;
      l->unshare_other |= (args[0] & ~SECCOMP_LEARN_NS_FLAGS) != 0;
    }
  else if (strcmp (name, "socket") == 0)
    {
      /* The family is an int: the upper half of the register is noise.  */
      uint32_t family = (uint32_t)args[0];
      if (family < 64)
        l->socket_families |= 1ull << family;
      else
        l->socket_any = true;
    }
  else if (strcmp (name, "personality") == 0)
    add_personality (l, (uint32_t)args[0]);
  if (seccomp_learned_has (l, name))
    return;
  if (l->n_names == SECCOMP_LEARN_MAX_NAMES || strlen (name) >= sizeof l->names[0])
    {
      l->names_dropped++;
      return;
    }
  snprintf (l->names[l->n_names++], sizeof l->names[0], "%s", name);
}

static void
record (struct seccomp_learned *l, const struct seccomp_notif *req)
{
  cleanup_free char *name = seccomp_syscall_resolve_num_arch (
      req->data.arch == AUDIT_ARCH_I386 ? SCMP_ARCH_X86 : SCMP_ARCH_NATIVE, req->data.nr);
  uint64_t args[6];

  l->calls++;
  if (name == NULL)
    {
      /* A number without a name cannot go in a profile.  */
      l->names_dropped++;
      return;
    }
  memcpy (args, req->data.args, sizeof args);
  seccomp_learned_add (l, name, args);
}

int
seccomp_learn_answer (int listener, struct seccomp_learned *learned)
{
  cleanup_free struct seccomp_notif *req = NULL;
  cleanup_free struct seccomp_notif_resp *resp = NULL;
  int r = seccomp_listener_receive (listener, &req, &resp);

  if (r <= 0)
    return r;
  record (learned, req);
  /* CONTINUE: the kernel runs the syscall as if no filter had been asked.
   * The monitor decides nothing from the call's memory (which the workload
   * could change under it); it only takes names and register values.  */
  resp->id = req->id;
  resp->val = 0;
  resp->error = 0;
  resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}
