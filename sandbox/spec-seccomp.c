/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/spec-seccomp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "sandbox/caps.h"

static const struct
{
  const char *name;
  enum cordon_seccomp_action action;
} action_names[] = {
  { "SCMP_ACT_ALLOW", SECCOMP_ACTION_ALLOW },
  { "SCMP_ACT_ERRNO", SECCOMP_ACTION_ERRNO },
  { "SCMP_ACT_KILL", SECCOMP_ACTION_KILL_THREAD },
  { "SCMP_ACT_KILL_THREAD", SECCOMP_ACTION_KILL_THREAD },
  { "SCMP_ACT_KILL_PROCESS", SECCOMP_ACTION_KILL_PROCESS },
  { "SCMP_ACT_TRAP", SECCOMP_ACTION_TRAP },
  { "SCMP_ACT_TRACE", SECCOMP_ACTION_TRACE },
  { "SCMP_ACT_LOG", SECCOMP_ACTION_LOG },
  { "SCMP_ACT_NOTIFY", SECCOMP_ACTION_NOTIFY },
};

static const char *const op_names[] = {
  [SECCOMP_OP_NE] = "SCMP_CMP_NE",
  [SECCOMP_OP_LT] = "SCMP_CMP_LT",
  [SECCOMP_OP_LE] = "SCMP_CMP_LE",
  [SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
  [SECCOMP_OP_GE] = "SCMP_CMP_GE",
  [SECCOMP_OP_GT] = "SCMP_CMP_GT",
  [SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

int
seccomp_action_from_name (const char *name, enum cordon_seccomp_action *out)
{
  for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
    if (strcmp (name, action_names[i].name) == 0)
      {
        *out = action_names[i].action;
        return 0;
      }
  return -EINVAL;
}

const char *
seccomp_action_name (enum cordon_seccomp_action action)
{
  /* KILL_THREAD is written under its explicit name.  */
  for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
    if (action_names[i].action == action && strcmp (action_names[i].name, "SCMP_ACT_KILL") != 0)
      return action_names[i].name;
  return "SCMP_ACT_KILL_PROCESS";
}

int
seccomp_op_from_name (const char *name, enum cordon_seccomp_op *out)
{
  for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
    if (strcmp (name, op_names[i]) == 0)
      {
        *out = (enum cordon_seccomp_op)i;
        return 0;
      }
  return -EINVAL;
}

const char *
seccomp_op_name (enum cordon_seccomp_op op)
{
  return (size_t)op < sizeof op_names / sizeof op_names[0] ? op_names[op] : "SCMP_CMP_EQ";
}

static int
parse_action (yajl_val v, const char *where, enum cordon_seccomp_action *out, struct cordon_error *err)
{
  if (v == NULL || !YAJL_IS_STRING (v) || seccomp_action_from_name (v->u.string, out) < 0)
    return cordon_error_set (err, EINVAL, "%s: expected a seccomp action (SCMP_ACT_...)", where);
  return 0;
}

static int
parse_args (yajl_val v, const struct json_limits *limits, const char *where, struct cordon_seccomp_rule *rule,
            struct cordon_error *err)
{
  int r = json_want_array (v, limits, where, err);

  if (r < 0)
    return r;
  if (v->u.array.len > 6)
    return cordon_error_set (err, E2BIG, "%s: at most 6 argument conditions", where);
  rule->args = calloc (v->u.array.len + 1, sizeof *rule->args);
  if (rule->args == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  for (size_t i = 0; i < v->u.array.len; i++, rule->n_args++)
    {
      yajl_val a = v->u.array.values[i], op;
      struct cordon_seccomp_arg *arg = &rule->args[i];
      char at[256];
      uint32_t index;

      json_path (at, sizeof at, "%s[%zu]", where, i);
      if ((r = json_want_object (a, at, err)) < 0)
        return r;
      json_path (at, sizeof at, "%s[%zu].index", where, i);
      if ((r = json_u32 (json_get (a, "index"), at, &index, err)) < 0)
        return r;
      if (index > 5)
        return cordon_error_set (err, EINVAL, "%s: an argument index is 0 to 5", at);
      arg->index = index;
      json_path (at, sizeof at, "%s[%zu].value", where, i);
      if ((r = json_u64 (json_get (a, "value"), at, &arg->value, err)) < 0)
        return r;
      if (json_get (a, "valueTwo"))
        {
          json_path (at, sizeof at, "%s[%zu].valueTwo", where, i);
          if ((r = json_u64 (json_get (a, "valueTwo"), at, &arg->value_two, err)) < 0)
            return r;
        }
      json_path (at, sizeof at, "%s[%zu].op", where, i);
      op = json_get (a, "op");
      if (op == NULL || !YAJL_IS_STRING (op) || seccomp_op_from_name (op->u.string, &arg->op) < 0)
        return cordon_error_set (err, EINVAL, "%s: expected an operator (SCMP_CMP_...)", at);
    }
  return 0;
}

static const char *
native_arch (void)
{
#if defined(__x86_64__)
  return "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
  return "SCMP_ARCH_AARCH64";
#elif defined(__i386__)
  return "SCMP_ARCH_X86";
#else
  return "";
#endif
}

static bool
kernel_at_least (const char *version)
{
  struct utsname u;
  unsigned a = 0, b = 0, x = 0, y = 0;

  if (uname (&u) < 0 || sscanf (u.release, "%u.%u", &a, &b) < 1 || sscanf (version, "%u.%u", &x, &y) < 1)
    return false;
  return a > x || (a == x && b >= y);
}

/* Docker's `includes` and `excludes`: does the rule apply here?  */
static int
docker_rule_applies (yajl_val rule, const struct json_limits *limits, const char *where,
                     const struct seccomp_parse_options *opts, bool *applies, struct cordon_error *err)
{
  static const char *const keys[] = { "includes", "excludes" };

  *applies = true;
  for (int k = 0; k < 2; k++)
    {
      yajl_val cond = json_get (rule, keys[k]);
      bool include = k == 0;
      cleanup_strv char **caps = NULL;
      cleanup_strv char **arches = NULL;
      char at[256];
      int r;

      if (cond == NULL)
        continue;
      json_path (at, sizeof at, "%s.%s", where, keys[k]);
      if ((r = json_want_object (cond, at, err)) < 0)
        return r;
      if (json_get (cond, "caps"))
        {
          json_path (at, sizeof at, "%s.%s.caps", where, keys[k]);
          if ((r = json_strv (json_get (cond, "caps"), limits, at, &caps, err)) < 0)
            return r;
          for (char **c = caps; *c; c++)
            {
              int cap = caps_from_name (*c);
              bool kept = cap >= 0 && cap < 64 && (opts->kept_caps & (1ull << cap));
              if (include && !kept)
                *applies = false;
              if (!include && kept)
                *applies = false;
            }
        }
      if (json_get (cond, "arches"))
        {
          bool listed = false;
          json_path (at, sizeof at, "%s.%s.arches", where, keys[k]);
          if ((r = json_strv (json_get (cond, "arches"), limits, at, &arches, err)) < 0)
            return r;
          for (char **a = arches; *a; a++)
            if (strcmp (*a, native_arch ()) == 0 || strcmp (*a, native_arch () + strlen ("SCMP_ARCH_")) == 0
                || (strcmp (*a, "amd64") == 0 && strcmp (native_arch (), "SCMP_ARCH_X86_64") == 0))
              listed = true;
          if (include ? !listed : listed)
            *applies = false;
        }
      if (json_get (cond, "minKernel") && include)
        {
          cleanup_free char *v = NULL;
          json_path (at, sizeof at, "%s.%s.minKernel", where, keys[k]);
          if ((r = json_string (json_get (cond, "minKernel"), limits, at, &v, err)) < 0)
            return r;
          if (!kernel_at_least (v))
            *applies = false;
        }
    }
  return 0;
}

static int
parse_rule (yajl_val v, const struct json_limits *limits, const char *where, const struct seccomp_parse_options *opts,
            struct cordon_seccomp_rule *rule, bool *applies, struct cordon_error *err)
{
  char at[256];
  int r;

  if ((r = json_want_object (v, where, err)) < 0)
    return r;
  *applies = true;
  if (opts->docker && (r = docker_rule_applies (v, limits, where, opts, applies, err)) < 0)
    return r;
  json_path (at, sizeof at, "%s.names", where);
  if (json_get (v, "names"))
    r = json_strv (json_get (v, "names"), limits, at, &rule->names, err);
  else if (opts->docker && json_get (v, "name"))
    {
      cleanup_free char *name = NULL;
      json_path (at, sizeof at, "%s.name", where);
      r = json_string (json_get (v, "name"), limits, at, &name, err);
      if (r >= 0 && strv_append (&rule->names, name) < 0)
        r = cordon_error_set (err, ENOMEM, "%s", at);
    }
  else
    r = cordon_error_set (err, EINVAL, "%s: no syscall names", at);
  if (r < 0)
    return r;
  json_path (at, sizeof at, "%s.action", where);
  if ((r = parse_action (json_get (v, "action"), at, &rule->action, err)) < 0)
    return r;
  if (json_get (v, "errnoRet"))
    {
      json_path (at, sizeof at, "%s.errnoRet", where);
      if ((r = json_u32 (json_get (v, "errnoRet"), at, &rule->errno_ret, err)) < 0)
        return r;
      rule->has_errno_ret = true;
    }
  if (json_get (v, "args") && !YAJL_IS_NULL (json_get (v, "args")))
    {
      json_path (at, sizeof at, "%s.args", where);
      if ((r = parse_args (json_get (v, "args"), limits, at, rule, err)) < 0)
        return r;
    }
  return 0;
}

/* Docker's archMap: the native architecture and its sub-architectures.  */
static int
docker_architectures (yajl_val map, const struct json_limits *limits, const char *where, char ***out,
                      struct cordon_error *err)
{
  int r = json_want_array (map, limits, where, err);

  if (r < 0)
    return r;
  for (size_t i = 0; i < map->u.array.len; i++)
    {
      yajl_val e = map->u.array.values[i];
      cleanup_free char *arch = NULL;
      cleanup_strv char **subs = NULL;
      char at[256];

      json_path (at, sizeof at, "%s[%zu].architecture", where, i);
      if ((r = json_string (json_get (e, "architecture"), limits, at, &arch, err)) < 0)
        return r;
      if (strcmp (arch, native_arch ()) != 0)
        continue;
      if (strv_append (out, arch) < 0)
        return cordon_error_set (err, ENOMEM, "%s", where);
      if (json_get (e, "subArchitectures"))
        {
          json_path (at, sizeof at, "%s[%zu].subArchitectures", where, i);
          if ((r = json_strv (json_get (e, "subArchitectures"), limits, at, &subs, err)) < 0)
            return r;
          for (char **s = subs; *s; s++)
            if (strv_append (out, *s) < 0)
              return cordon_error_set (err, ENOMEM, "%s", where);
        }
    }
  return 0;
}

static int
parse_seccomp (yajl_val node, const struct json_limits *limits, const char *where,
               const struct seccomp_parse_options *opts, struct cordon_seccomp *s, struct cordon_error *err)
{
  yajl_val rules;
  char at[256];
  int r;

  if ((r = json_want_object (node, where, err)) < 0)
    return r;
  json_path (at, sizeof at, "%s.defaultAction", where);
  if ((r = parse_action (json_get (node, "defaultAction"), at, &s->default_action, err)) < 0)
    return r;
  if (json_get (node, "defaultErrnoRet"))
    {
      json_path (at, sizeof at, "%s.defaultErrnoRet", where);
      if ((r = json_u32 (json_get (node, "defaultErrnoRet"), at, &s->default_errno_ret, err)) < 0)
        return r;
      s->has_default_errno_ret = true;
    }
  if (json_get (node, "architectures") && !YAJL_IS_NULL (json_get (node, "architectures")))
    {
      json_path (at, sizeof at, "%s.architectures", where);
      if ((r = json_strv (json_get (node, "architectures"), limits, at, &s->architectures, err)) < 0)
        return r;
    }
  else if (opts->docker && json_get (node, "archMap"))
    {
      json_path (at, sizeof at, "%s.archMap", where);
      if ((r = docker_architectures (json_get (node, "archMap"), limits, at, &s->architectures, err)) < 0)
        return r;
    }
  if (json_get (node, "flags") && !YAJL_IS_NULL (json_get (node, "flags")))
    {
      json_path (at, sizeof at, "%s.flags", where);
      if ((r = json_strv (json_get (node, "flags"), limits, at, &s->flags, err)) < 0)
        return r;
    }
  rules = json_get (node, "syscalls");
  if (rules == NULL || YAJL_IS_NULL (rules))
    return 0;
  json_path (at, sizeof at, "%s.syscalls", where);
  if ((r = json_want_array (rules, limits, at, err)) < 0)
    return r;
  s->rules = calloc (rules->u.array.len + 1, sizeof *s->rules);
  if (s->rules == NULL)
    return cordon_error_set (err, ENOMEM, "%s", at);
  for (size_t i = 0; i < rules->u.array.len; i++)
    {
      struct cordon_seccomp_rule *rule = &s->rules[s->n_rules];
      bool applies;

      json_path (at, sizeof at, "%s.syscalls[%zu]", where, i);
      s->n_rules++; /* counted first, so that seccomp_spec_free frees a partial rule */
      if ((r = parse_rule (rules->u.array.values[i], limits, at, opts, rule, &applies, err)) < 0)
        return r;
      rule->source_index = i;
      if (!applies)
        {
          strv_free (rule->names);
          free (rule->args);
          memset (rule, 0, sizeof *rule);
          s->n_rules--;
        }
    }
  return 0;
}

int
seccomp_from_json (yajl_val node, const struct json_limits *limits, const char *where,
                   const struct seccomp_parse_options *opts, struct cordon_seccomp **out, struct cordon_error *err)
{
  struct cordon_seccomp *s = calloc (1, sizeof *s);
  int r;

  if (s == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  r = parse_seccomp (node, limits, where, opts, s, err);
  if (r < 0)
    {
      seccomp_spec_free (s);
      return r;
    }
  *out = s;
  return 0;
}
