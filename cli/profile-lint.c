/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile lint FILE [--strict]: what the parser refuses (errors with
 * line:column), and what it accepts but an author should look at again
 * (warnings): syscall names this architecture does not have, rules that can
 * never match, and grants that open the kernel's attack surface.  */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/profile.h"
#include "common/cleanup.h"
#include "common/json-locate.h"
#include "common/json.h"
#include "profiles/profile-eval.h"
#include "profiles/profile.h"
#include "sandbox/caps.h"
#include "sandbox/spec-seccomp.h"

struct lint
{
  const char *file; /* where the seccomp policy is written */
  const char *text;
  size_t len;
  const char *prefix; /* "seccomp." inline, "" in a policy file of its own */
  const char *profile_file;
  const char *profile_text;
  size_t profile_len;
  unsigned errors;
  unsigned warnings;
};

static void __attribute__ ((format (printf, 6, 7)))
report (struct lint *l, bool warning, const char *file, const char *text, const char *path, const char *fmt, ...)
{
  struct json_position pos = { 0, 0 };
  size_t len = text == l->text ? l->len : l->profile_len;
  va_list ap;

  if (path && text && json_locate_path (text, len, path, &pos))
    printf ("%s:%u:%u: ", file, pos.line, pos.column);
  else
    printf ("%s: ", file);
  printf ("%s: ", warning ? "warning" : "error");
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  if (warning)
    l->warnings++;
  else
    l->errors++;
}

static void
rule_path (const struct lint *l, const struct cordon_seccomp_rule *r, char *buf, size_t size)
{
  snprintf (buf, size, "%ssyscalls[%zu]", l->prefix, r->source_index);
}

static void
name_path (const struct lint *l, const struct cordon_seccomp_rule *r, size_t k, char *buf, size_t size)
{
  struct json_position pos;

  snprintf (buf, size, "%ssyscalls[%zu].names[%zu]", l->prefix, r->source_index, k);
  if (!json_locate_path (l->text, l->len, buf, &pos))
    snprintf (buf, size, "%ssyscalls[%zu]", l->prefix, r->source_index);
}

/* Conditions of one rule that no value satisfies together.  */
static const char *
contradiction (const struct cordon_seccomp_rule *r)
{
  for (size_t i = 0; i < r->n_args; i++)
    {
      const struct cordon_seccomp_arg *a = &r->args[i];
      if (a->op == SECCOMP_OP_MASKED_EQ && (a->value_two & ~a->value) != 0)
        return "a MASKED_EQ value has bits outside its mask";
      if (a->op == SECCOMP_OP_LT && a->value == 0)
        return "an argument below 0 (unsigned)";
      for (size_t j = 0; j < i; j++)
        {
          const struct cordon_seccomp_arg *b = &r->args[j];
          if (a->index != b->index)
            continue;
          if (a->op == SECCOMP_OP_EQ && b->op == SECCOMP_OP_EQ && a->value != b->value)
            return "two different values required of one argument";
          if ((a->op == SECCOMP_OP_EQ && b->op == SECCOMP_OP_NE && a->value == b->value)
              || (a->op == SECCOMP_OP_NE && b->op == SECCOMP_OP_EQ && a->value == b->value))
            return "an argument required equal and not equal to one value";
          if ((a->op == SECCOMP_OP_GT && b->op == SECCOMP_OP_LT && a->value + 1 >= b->value)
              || (a->op == SECCOMP_OP_LT && b->op == SECCOMP_OP_GT && b->value + 1 >= a->value))
            return "an argument range that is empty";
        }
    }
  return NULL;
}

static bool
rule_has (const struct cordon_seccomp_rule *r, const char *name)
{
  for (char **n = r->names; n && *n; n++)
    if (strcmp (*n, name) == 0)
      return true;
  return false;
}

static void
lint_rules (struct lint *l, const struct cordon_seccomp *s)
{
  char path[512];

  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct cordon_seccomp_rule *r = &s->rules[i];
      const char *why = contradiction (r);

      rule_path (l, r, path, sizeof path);
      if (why)
        report (l, true, l->file, l->text, path, "this rule can never match: %s", why);
      if (r->action == s->default_action
          && (r->action != SECCOMP_ACTION_ERRNO
              || (r->has_errno_ret ? r->errno_ret : EPERM)
                     == (s->has_default_errno_ret ? s->default_errno_ret : EPERM)))
        report (l, true, l->file, l->text, path, "this rule does what defaultAction does: it has no effect");
      for (size_t k = 0; r->names && r->names[k]; k++)
        {
          const char *name = r->names[k];
          name_path (l, r, k, path, sizeof path);
          if (!seccomp_name_known (name))
            report (l, true, l->file, l->text, path,
                    "`%s` is not a syscall of this architecture (or of this libseccomp)", name);
          for (size_t j = 0; j < i; j++)
            if (rule_has (&s->rules[j], name) && s->rules[j].n_args == 0)
              {
                report (l, true, l->file, l->text, path,
                        "`%s` can never reach this rule: syscalls[%zu] already decides it whatever the arguments", name,
                        s->rules[j].source_index);
                break;
              }
          if (r->n_args == 0)
            for (size_t j = 0; j < i; j++)
              if (rule_has (&s->rules[j], name) && s->rules[j].n_args > 0)
                {
                  report (l, true, l->file, l->text, path,
                          "`%s` has no argument condition here: the conditions of syscalls[%zu] are never looked at",
                          name, s->rules[j].source_index);
                  break;
                }
        }
    }
}

struct danger
{
  const char *name;
  const char *why;
};

static const struct danger dangerous_syscalls[] = {
  { "bpf", "eBPF is a large kernel attack surface (verifier bugs are local root)" },
  { "ptrace", "lets the workload read and change other processes' memory" },
  { "process_vm_writev", "writes other processes' memory" },
  { "mount", "changes the mount table the sandbox was built from" },
  { "keyctl", "kernel keyrings are not namespaced: keys of other containers and the host" },
  { "add_key", "kernel keyrings are not namespaced" },
  { "request_key", "kernel keyrings are not namespaced" },
  { "io_uring_setup", "io_uring performs operations that seccomp never sees, and is a frequent exploit target" },
  { "io_uring_enter", "io_uring performs operations that seccomp never sees" },
  { "io_uring_register", "io_uring performs operations that seccomp never sees" },
  { "perf_event_open", "perf is a large kernel attack surface and leaks addresses" },
  { "userfaultfd", "userfaultfd makes kernel races easy to win" },
  { "kexec_load", "replaces the running kernel" },
  { "init_module", "loads kernel code" },
  { "finit_module", "loads kernel code" },
  { "open_by_handle_at", "opens any inode of a filesystem, beyond the root (the shocker escape)" },
  { "setns", "joins other namespaces" },
};

static void
lint_dangerous (struct lint *l, const struct cordon_seccomp *s)
{
  static const uint64_t newuser[6] = { CLONE_NEWUSER, CLONE_NEWUSER, 0, 0, 0, 0 };
  struct seccomp_decision d;
  char path[512];

  for (size_t i = 0; i < sizeof dangerous_syscalls / sizeof dangerous_syscalls[0]; i++)
    {
      const struct danger *g = &dangerous_syscalls[i];
      seccomp_decide (s, g->name, &d);
      if (!seccomp_action_runs (d.action) || d.kind == DECISION_ARGUMENTS)
        continue;
      if (d.kind == DECISION_RULE)
        rule_path (l, &s->rules[d.rule], path, sizeof path);
      else
        snprintf (path, sizeof path, "%sdefaultAction", l->prefix);
      report (l, true, l->file, l->text, path, "allows `%s`: %s", g->name, g->why);
    }
  for (const char *const *n = (const char *const[]){ "clone", "unshare", NULL }; *n; n++)
    {
      seccomp_decide_args (s, *n, newuser, &d);
      if (!seccomp_action_runs (d.action))
        continue;
      if (d.kind == DECISION_RULE)
        rule_path (l, &s->rules[d.rule], path, sizeof path);
      else
        snprintf (path, sizeof path, "%sdefaultAction", l->prefix);
      report (l, true, l->file, l->text, path,
              "allows `%s` with CLONE_NEWUSER: a new user namespace hands the workload every capability over "
              "new namespaces, the key to most unprivileged kernel exploits",
              *n);
    }
  seccomp_decide (s, "personality", &d);
  if (seccomp_action_runs (d.action) && d.kind != DECISION_ARGUMENTS)
    {
      if (d.kind == DECISION_RULE)
        rule_path (l, &s->rules[d.rule], path, sizeof path);
      else
        snprintf (path, sizeof path, "%sdefaultAction", l->prefix);
      report (l, true, l->file, l->text, path,
              "allows `personality` without an argument filter: READ_IMPLIES_EXEC and ADDR_NO_RANDOMIZE weaken "
              "the workload's own exploit mitigations");
    }
  if (seccomp_action_runs (s->default_action))
    {
      snprintf (path, sizeof path, "%sdefaultAction", l->prefix);
      report (l, true, l->file, l->text, path,
              "the default action allows every syscall not listed: a deny-list misses the next new syscall");
    }
}

static const struct
{
  int cap;
  const char *why;
} dangerous_caps[] = {
  { CAP_SYS_ADMIN, "the catch-all capability: mounts, namespaces, bpf, and most container escapes" },
  { CAP_SYS_PTRACE, "trace and read any process of the sandbox" },
  { CAP_SYS_MODULE, "load kernel modules" },
  { CAP_SYS_RAWIO, "raw I/O ports and memory" },
  { CAP_NET_ADMIN, "configure the network stack, a large kernel attack surface" },
  { CAP_DAC_READ_SEARCH, "open_by_handle_at: any inode of a filesystem" },
  { CAP_BPF, "load eBPF programs" },
  { CAP_PERFMON, "perf events" },
  { CAP_SYS_BOOT, "reboot and kexec" },
};

static void
lint_caps (struct lint *l, const struct cordon_profile *p)
{
  if (!p->has_capabilities)
    return;
  for (int c = 0; c < 64; c++)
    {
      if (!((p->capabilities >> c) & 1))
        continue;
      for (size_t i = 0; i < sizeof dangerous_caps / sizeof dangerous_caps[0]; i++)
        if (dangerous_caps[i].cap == c)
          {
            report (l, true, l->profile_file, l->profile_text, "capabilities", "grants %s: %s", caps_to_name (c),
                    dangerous_caps[i].why);
          }
    }
}

int
cli_profile_lint (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *p = NULL;
  cleanup_profile struct cordon_profile *resolved = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *sc_text = NULL;
  struct lint l = { 0 };
  const char *file = NULL;
  bool strict = false;
  size_t len;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0)
        {
          fputs ("Usage: cordon profile lint FILE [--strict]\n\n"
                 "Errors: what cordon refuses to load (with line:column).  Warnings: syscall\n"
                 "names unknown to this architecture, rules that never match, dangerous grants.\n"
                 "--strict: warnings count as errors.  Exit 0 clean, 1 errors.\n",
                 stdout);
          return 0;
        }
      if (strcmp (argv[i], "--strict") == 0)
        strict = true;
      else if (file == NULL)
        file = argv[i];
      else
        file = NULL, i = argc;
    }
  if (file == NULL)
    {
      fputs ("Usage: cordon profile lint FILE [--strict]\n", stderr);
      return EXIT_USAGE;
    }
  if (json_read_file (file, PROFILE_MAX_BYTES, &text, &len, &err) < 0)
    return cli_fail (&err);
  if (profile_parse (text, len, file, &p, &err) < 0)
    {
      printf ("%s\n", err.msg);
      return 1;
    }
  l.profile_file = file;
  l.profile_text = text;
  l.profile_len = len;
  if (p->seccomp_file && strcmp (p->seccomp_file, file) != 0)
    {
      if (json_read_file (p->seccomp_file, PROFILE_MAX_BYTES, &sc_text, &l.len, &err) < 0)
        return cli_fail (&err);
      l.file = p->seccomp_file;
      l.text = sc_text;
      l.prefix = "";
    }
  else
    {
      l.file = file;
      l.text = text;
      l.len = len;
      l.prefix = p->seccomp_file ? "" : "seccomp.";
    }
  if (profile_resolve_loaded (p, &resolved, &err) < 0)
    report (&l, false, file, text, "inherits", "%s", err.msg);
  if (p->seccomp)
    {
      lint_rules (&l, p->seccomp);
      lint_dangerous (&l, p->seccomp);
    }
  lint_caps (&l, p);
  if (p->seccomp_unconfined)
    report (&l, true, file, text, "seccomp", "seccomp is unconfined: every syscall reaches the kernel");
  if (p->landlock == PROFILE_LANDLOCK_UNCONFINED)
    report (&l, true, file, text, "landlock", "Landlock is off: file access is limited by mounts and permissions only");
  printf ("%s: %u error%s, %u warning%s\n", file, l.errors, l.errors == 1 ? "" : "s", l.warnings,
          l.warnings == 1 ? "" : "s");
  return l.errors > 0 || (strict && l.warnings > 0) ? 1 : 0;
}
