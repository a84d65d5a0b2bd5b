/* SPDX-License-Identifier: Apache-2.0 */
#include "profiles/profile-learn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"

const char *const profile_learn_always[] = {
  "close", "execve", "exit", "exit_group", "restart_syscall", "rt_sigreturn", NULL,
};

/* Decided by their own rules, with argument conditions.  clone3 was
 * answered ENOSYS while learning (its flags cannot be filtered); it stays
 * so, under the default action.  */
static const char *const by_arguments[] = { "clone", "unshare", "socket", "personality", "clone3", NULL };

#define LEARN_MAX_RULES (4 + 64 + SECCOMP_LEARN_MAX_PERSONALITIES)

static bool
in_list (const char *const *list, const char *name)
{
  for (; *list; list++)
    if (strcmp (*list, name) == 0)
      return true;
  return false;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* A new rule for `name`: unconditional, or with one condition on arg0.  */
static int
add_rule (struct cordon_seccomp *s, const char *name, bool conditional, enum cordon_seccomp_op op, uint64_t value,
          uint64_t value_two)
{
  struct cordon_seccomp_rule *r = &s->rules[s->n_rules];

  if (s->n_rules == LEARN_MAX_RULES)
    return -E2BIG;
  *r = (struct cordon_seccomp_rule){ .action = SECCOMP_ACTION_ALLOW, .source_index = s->n_rules };
  if (strv_append (&r->names, name) < 0)
    return -ENOMEM;
  s->n_rules++;
  if (!conditional)
    return 0;
  r->args = calloc (1, sizeof *r->args);
  if (r->args == NULL)
    return -ENOMEM;
  *r->args = (struct cordon_seccomp_arg){ .index = 0, .value = value, .value_two = value_two, .op = op };
  r->n_args = 1;
  return 0;
}

/* The namespace flags clone or unshare may use: those seen, and no other.  */
static int
add_namespace_rule (struct cordon_seccomp *s, const char *name, uint64_t seen, bool any)
{
  uint64_t refused = SECCOMP_LEARN_NS_FLAGS & ~seen;

  return add_rule (s, name, !any && refused != 0, SECCOMP_OP_MASKED_EQ, refused, 0);
}

static int
build_seccomp (const struct seccomp_learned *l, struct cordon_seccomp **out)
{
  struct cordon_seccomp *s = calloc (1, sizeof *s);
  struct cordon_seccomp_rule *allow;
  int r = 0;

  if (s == NULL || (s->rules = calloc (LEARN_MAX_RULES + 1, sizeof *s->rules)) == NULL)
    goto nomem;
  s->default_action = SECCOMP_ACTION_ERRNO;
  s->has_default_errno_ret = true;
  s->default_errno_ret = ENOSYS;
  allow = &s->rules[s->n_rules++];
  allow->action = SECCOMP_ACTION_ALLOW;
  for (const char *const *n = profile_learn_always; *n; n++)
    if (strv_append (&allow->names, *n) < 0)
      goto nomem;
  for (size_t i = 0; i < l->n_names; i++)
    if (!in_list (by_arguments, l->names[i]) && !in_list (profile_learn_always, l->names[i])
        && strv_append (&allow->names, l->names[i]) < 0)
      goto nomem;
  qsort (allow->names, strv_length (allow->names), sizeof *allow->names, compare_names);

  if (seccomp_learned_has (l, "clone"))
    r = add_namespace_rule (s, "clone", l->clone_ns, false);
  if (r >= 0 && seccomp_learned_has (l, "unshare"))
    r = add_namespace_rule (s, "unshare", l->unshare_ns, l->unshare_other);
  /* ints in 64-bit registers: only the low half is the argument.  */
  if (r >= 0 && seccomp_learned_has (l, "socket") && l->socket_any)
    r = add_rule (s, "socket", false, SECCOMP_OP_EQ, 0, 0);
  else if (r >= 0 && seccomp_learned_has (l, "socket"))
    for (unsigned family = 0; family < 64 && r >= 0; family++)
      if ((l->socket_families >> family) & 1)
        r = add_rule (s, "socket", true, SECCOMP_OP_MASKED_EQ, 0xffffffffu, family);
  if (r >= 0 && seccomp_learned_has (l, "personality") && l->personality_any)
    r = add_rule (s, "personality", false, SECCOMP_OP_EQ, 0, 0);
  else if (r >= 0 && seccomp_learned_has (l, "personality"))
    for (size_t i = 0; i < l->n_personalities && r >= 0; i++)
      r = add_rule (s, "personality", true, SECCOMP_OP_MASKED_EQ, 0xffffffffu, l->personalities[i]);
  if (r < 0)
    {
      seccomp_spec_free (s);
      return r;
    }
  *out = s;
  return 0;
nomem:
  seccomp_spec_free (s);
  return -ENOMEM;
}

static int
copy_layers (const struct cordon_profile *from, struct cordon_profile *p)
{
  p->has_capabilities = true;
  p->has_required = true;
  p->has_report_denied = true;
  p->report_denied = false;
  if (from == NULL)
    {
      p->capabilities = 0;
      p->landlock = PROFILE_LANDLOCK_MOUNT_PLAN;
      p->required = (1u << PROFILE_LAYER_SECCOMP) | (1u << PROFILE_LAYER_CAPABILITIES);
      return 0;
    }
  p->capabilities = from->capabilities;
  p->landlock = from->landlock == PROFILE_LANDLOCK_UNSET ? PROFILE_LANDLOCK_MOUNT_PLAN : from->landlock;
  p->required = from->required;
  if ((from->landlock_read && (p->landlock_read = strv_copy (from->landlock_read)) == NULL)
      || (from->landlock_write && (p->landlock_write = strv_copy (from->landlock_write)) == NULL)
      || (from->apparmor && (p->apparmor = strdup (from->apparmor)) == NULL))
    return -ENOMEM;
  return 0;
}

int
profile_from_learned (const struct seccomp_learned *l, const struct profile_learn_options *opts,
                      struct cordon_profile **out, struct cordon_error *err)
{
  cleanup_profile struct cordon_profile *p = calloc (1, sizeof *p);
  int r;

  if (p == NULL)
    return cordon_error_set (err, ENOMEM, "learn");
  p->name = strdup (opts->name);
  p->source = strdup ("learned");
  /* The description is bounded like any profile string (4 KiB).  */
  if (asprintf (&p->description, "Learned by cordon profile learn%s%.200s%s%s: the syscalls it made and no other.",
                opts->command ? " from `" : "", opts->command ? opts->command : "",
                opts->command && strlen (opts->command) > 200 ? "..." : "", opts->command ? "`" : "")
      < 0)
    p->description = NULL;
  if (p->name == NULL || p->source == NULL || p->description == NULL || copy_layers (opts->from, p) < 0)
    return cordon_error_set (err, ENOMEM, "learn");
  r = build_seccomp (l, &p->seccomp);
  if (r < 0)
    return cordon_error_set (err, -r, "learn: build the seccomp policy");
  *out = steal_pointer (&p);
  return 0;
}
