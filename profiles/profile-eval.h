/* SPDX-License-Identifier: Apache-2.0 */
/* What a seccomp policy decides for one syscall, read from the policy
 * itself (not its BPF): for explain, diff and lint.  libseccomp's rule: an
 * unconditional rule for a syscall decides it whatever other rules say;
 * otherwise the rules with argument conditions decide, and what none of
 * them matches gets the default action.  */
#ifndef CORDON_PROFILES_PROFILE_EVAL_H
#define CORDON_PROFILES_PROFILE_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/spec.h"

enum seccomp_decision_kind
{
  DECISION_DEFAULT,   /* no rule names it */
  DECISION_RULE,      /* an unconditional rule */
  DECISION_ARGUMENTS, /* rules with argument conditions, then the default */
};

struct seccomp_decision
{
  enum seccomp_decision_kind kind;
  size_t rule; /* DECISION_RULE: index in s->rules */
  enum cordon_seccomp_action action;
  uint32_t errno_ret; /* ERRNO: the errno (EPERM when unset) */
};

/* The decision for `name` without looking at arguments.  */
void seccomp_decide (const struct cordon_seccomp *s, const char *name, struct seccomp_decision *out);

/* The decision for `name` called with `args`.  */
void seccomp_decide_args (const struct cordon_seccomp *s, const char *name, const uint64_t args[6],
                          struct seccomp_decision *out);

/* Whether `rule`'s argument conditions hold for `args`.  */
bool seccomp_rule_matches (const struct cordon_seccomp_rule *rule, const uint64_t args[6]);

/* "allow", "errno EPERM", "kill-process", ... into `buf`.  */
const char *seccomp_action_describe (enum cordon_seccomp_action action, uint32_t errno_ret, char *buf, size_t size);

/* True for ALLOW and LOG: the syscall runs.  */
bool seccomp_action_runs (enum cordon_seccomp_action action);

/* One argument condition in words: "arg0 & 0x10000000 == 0".  */
void seccomp_arg_describe (const struct cordon_seccomp_arg *a, char *buf, size_t size);

/* Whether the name is a syscall of the native or its compat architecture.  */
bool seccomp_name_known (const char *name);

#endif
