/* SPDX-License-Identifier: Apache-2.0 */
#include "profiles/profile-eval.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

static bool
rule_names (const struct cordon_seccomp_rule *r, const char *name)
{
  for (char **n = r->names; n && *n; n++)
    if (strcmp (*n, name) == 0)
      return true;
  return false;
}

static void
set_action (struct seccomp_decision *out, enum cordon_seccomp_action action, bool has_errno, uint32_t errno_ret)
{
  out->action = action;
  out->errno_ret = action == SECCOMP_ACTION_ERRNO ? (has_errno ? errno_ret : EPERM) : errno_ret;
}

void
seccomp_decide (const struct cordon_seccomp *s, const char *name, struct seccomp_decision *out)
{
  bool conditional = false;

  *out = (struct seccomp_decision){ .kind = DECISION_DEFAULT };
  set_action (out, s->default_action, s->has_default_errno_ret, s->default_errno_ret);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct cordon_seccomp_rule *r = &s->rules[i];
      if (!rule_names (r, name))
        continue;
      if (r->n_args == 0)
        {
          out->kind = DECISION_RULE;
          out->rule = i;
          set_action (out, r->action, r->has_errno_ret, r->errno_ret);
          return;
        }
      conditional = true;
    }
  if (conditional)
    out->kind = DECISION_ARGUMENTS;
}

bool
seccomp_rule_matches (const struct cordon_seccomp_rule *rule, const uint64_t args[6])
{
  for (size_t k = 0; k < rule->n_args; k++)
    {
      const struct cordon_seccomp_arg *a = &rule->args[k];
      uint64_t v = a->index < 6 ? args[a->index] : 0;
      bool ok;

      switch (a->op)
        {
        case SECCOMP_OP_NE:
          ok = v != a->value;
          break;
        case SECCOMP_OP_LT:
          ok = v < a->value;
          break;
        case SECCOMP_OP_LE:
          ok = v <= a->value;
          break;
        case SECCOMP_OP_EQ:
          ok = v == a->value;
          break;
        case SECCOMP_OP_GE:
          ok = v >= a->value;
          break;
        case SECCOMP_OP_GT:
          ok = v > a->value;
          break;
        case SECCOMP_OP_MASKED_EQ:
          ok = (v & a->value) == a->value_two;
          break;
        default:
          ok = false;
        }
      if (!ok)
        return false;
    }
  return true;
}

void
seccomp_decide_args (const struct cordon_seccomp *s, const char *name, const uint64_t args[6],
                     struct seccomp_decision *out)
{
  seccomp_decide (s, name, out);
  if (out->kind != DECISION_ARGUMENTS)
    return;
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct cordon_seccomp_rule *r = &s->rules[i];
      if (rule_names (r, name) && seccomp_rule_matches (r, args))
        {
          out->kind = DECISION_RULE;
          out->rule = i;
          set_action (out, r->action, r->has_errno_ret, r->errno_ret);
          return;
        }
    }
  out->kind = DECISION_DEFAULT;
  set_action (out, s->default_action, s->has_default_errno_ret, s->default_errno_ret);
}

const char *
seccomp_action_describe (enum cordon_seccomp_action action, uint32_t errno_ret, char *buf, size_t size)
{
  switch (action)
    {
    case SECCOMP_ACTION_ALLOW:
      snprintf (buf, size, "allow");
      break;
    case SECCOMP_ACTION_ERRNO:
      snprintf (buf, size, "errno %s (%u)", strerrorname_np ((int)errno_ret) ?: "?", errno_ret);
      break;
    case SECCOMP_ACTION_KILL_THREAD:
      snprintf (buf, size, "kill the thread");
      break;
    case SECCOMP_ACTION_KILL_PROCESS:
      snprintf (buf, size, "kill the process");
      break;
    case SECCOMP_ACTION_TRAP:
      snprintf (buf, size, "SIGSYS");
      break;
    case SECCOMP_ACTION_TRACE:
      snprintf (buf, size, "trace");
      break;
    case SECCOMP_ACTION_LOG:
      snprintf (buf, size, "allow and log");
      break;
    case SECCOMP_ACTION_NOTIFY:
      snprintf (buf, size, "notify a supervisor");
      break;
    }
  return buf;
}

bool
seccomp_action_runs (enum cordon_seccomp_action action)
{
  return action == SECCOMP_ACTION_ALLOW || action == SECCOMP_ACTION_LOG;
}

void
seccomp_arg_describe (const struct cordon_seccomp_arg *a, char *buf, size_t size)
{
  static const char *const ops[] = {
    [SECCOMP_OP_NE] = "!=", [SECCOMP_OP_LT] = "<",  [SECCOMP_OP_LE] = "<=",
    [SECCOMP_OP_EQ] = "==", [SECCOMP_OP_GE] = ">=", [SECCOMP_OP_GT] = ">",
  };

  if (a->op == SECCOMP_OP_MASKED_EQ)
    snprintf (buf, size, "arg%u & %#llx == %#llx", a->index, (unsigned long long)a->value,
              (unsigned long long)a->value_two);
  else
    snprintf (buf, size, "arg%u %s %#llx", a->index, (size_t)a->op < 6 ? ops[a->op] : "?",
              (unsigned long long)a->value);
}

bool
seccomp_name_known (const char *name)
{
  uint32_t native = seccomp_arch_native ();
  uint32_t arches[] = { native, native == SCMP_ARCH_X86_64    ? SCMP_ARCH_X86
                                : native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM
                                                              : native };

  for (size_t i = 0; i < 2; i++)
    if (seccomp_syscall_resolve_name_arch (arches[i], name) != __NR_SCMP_ERROR)
      return true;
  return false;
}
