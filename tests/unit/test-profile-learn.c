/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile learn's two halves without a sandbox: what the monitor
 * records of each syscall, the learning filter's answers, and the profile
 * written from a record (round-tripped through the parser, then judged by
 * the same evaluator as explain and diff).  */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "common/cleanup.h"
#include "profiles/profile-eval.h"
#include "profiles/profile-learn.h"
#include "profiles/profile.h"
#include "sandbox/seccomp-learn.h"
#include "sandbox/seccomp-notify.h"

static const uint64_t no_args[6] = { 0 };

static void
add (struct seccomp_learned *l, const char *name, uint64_t arg0)
{
  uint64_t args[6] = { arg0 };
  seccomp_learned_add (l, name, args);
}

/* A record of a small shell pipeline: files, a fork, a unix socket.  */
static struct seccomp_learned *
sample (void)
{
  struct seccomp_learned *l = calloc (1, sizeof *l);

  cr_assert_not_null (l);
  add (l, "openat", 0);
  add (l, "read", 0);
  add (l, "read", 0);
  add (l, "write", 1);
  add (l, "clone", SIGCHLD | CLONE_NEWNS);
  add (l, "socket", AF_UNIX);
  add (l, "socket", 0xffffffff00000000ull | AF_INET6); /* upper half ignored */
  add (l, "personality", 0xffffffff);
  return l;
}

static struct cordon_profile *
learned_profile (const struct seccomp_learned *l, const struct cordon_profile *from)
{
  struct profile_learn_options opts = { .name = "t", .command = "sh -c 'ls'", .from = from };
  struct cordon_error err = { 0 };
  struct cordon_profile *p = NULL;
  cleanup_free char *json = NULL;
  struct cordon_profile *parsed = NULL;

  cr_assert_eq (profile_from_learned (l, &opts, &p, &err), 0, "%s", err.msg ? err.msg : "");
  cr_assert_eq (profile_to_json (p, &json, &err), 0);
  profile_free (p);
  /* What is judged is what a user would load: the written JSON.  */
  cr_assert_eq (profile_parse (json, strlen (json), "learned.json", &parsed, &err), 0, "%s\n%s", err.msg ? err.msg : "",
                json);
  return parsed;
}

static bool
runs (const struct cordon_profile *p, const char *name, uint64_t arg0)
{
  uint64_t args[6] = { arg0 };
  struct seccomp_decision d;

  seccomp_decide_args (p->seccomp, name, args, &d);
  return seccomp_action_runs (d.action);
}

Test (learn, record_dedups_and_keeps_arguments)
{
  cleanup_free struct seccomp_learned *l = sample ();

  cr_assert_eq (l->n_names, 6);
  cr_assert_str_eq (l->names[0], "openat");
  cr_assert (seccomp_learned_has (l, "clone"));
  cr_assert_not (seccomp_learned_has (l, "keyctl"));
  cr_assert_eq (l->clone_ns, CLONE_NEWNS);
  cr_assert_eq (l->socket_families, (1ull << AF_UNIX) | (1ull << AF_INET6));
  cr_assert_not (l->socket_any);
  cr_assert_eq (l->n_personalities, 1);
  cr_assert_eq (l->personalities[0], 0xffffffffu);
}

Test (learn, record_overflow_is_counted)
{
  cleanup_free struct seccomp_learned *l = calloc (1, sizeof *l);
  char name[32];

  for (int i = 0; i < SECCOMP_LEARN_MAX_NAMES + 3; i++)
    {
      snprintf (name, sizeof name, "s%d", i);
      seccomp_learned_add (l, name, no_args);
    }
  cr_assert_eq (l->n_names, SECCOMP_LEARN_MAX_NAMES);
  cr_assert_eq (l->names_dropped, 3);
}

Test (learn, profile_allows_exactly_what_was_seen)
{
  cleanup_free struct seccomp_learned *l = sample ();
  cleanup_profile struct cordon_profile *p = learned_profile (l, NULL);
  struct seccomp_decision d;

  cr_assert_str_eq (p->name, "t");
  cr_assert_null (p->inherits);
  cr_assert (strstr (p->description, "sh -c 'ls'") != NULL);
  cr_assert_eq (p->seccomp->default_action, SECCOMP_ACTION_ERRNO);
  cr_assert_eq (p->seccomp->default_errno_ret, ENOSYS);
  for (const char *const *n
       = (const char *const[]){ "openat", "read", "write", "execve", "close", "exit_group", "rt_sigreturn", NULL };
       *n; n++)
    cr_assert (runs (p, *n, 0), "%s", *n);
  for (const char *const *n = (const char *const[]){ "keyctl", "ptrace", "mount", "unlink", "clone3", NULL }; *n; n++)
    {
      seccomp_decide (p->seccomp, *n, &d);
      cr_assert_eq (d.kind, DECISION_DEFAULT, "%s", *n);
      cr_assert_not (seccomp_action_runs (d.action), "%s", *n);
    }
  /* The first rule's names are sorted: a diff of two learned profiles
   * stays readable.  */
  for (size_t i = 1; p->seccomp->rules[0].names[i]; i++)
    cr_assert_lt (strcmp (p->seccomp->rules[0].names[i - 1], p->seccomp->rules[0].names[i]), 0);
}

Test (learn, arguments_become_filters)
{
  cleanup_free struct seccomp_learned *l = sample ();
  cleanup_profile struct cordon_profile *p = learned_profile (l, NULL);

  cr_assert (runs (p, "clone", SIGCHLD));
  cr_assert (runs (p, "clone", SIGCHLD | CLONE_NEWNS));
  cr_assert_not (runs (p, "clone", SIGCHLD | CLONE_NEWUSER));
  cr_assert_not (runs (p, "clone", CLONE_NEWNET));
  cr_assert (runs (p, "socket", AF_UNIX));
  cr_assert (runs (p, "socket", AF_INET6));
  cr_assert_not (runs (p, "socket", AF_INET));
  cr_assert_not (runs (p, "socket", AF_NETLINK));
  cr_assert (runs (p, "personality", 0xffffffff));
  cr_assert_not (runs (p, "personality", 0x0400000 /* READ_IMPLIES_EXEC */));
  cr_assert_not (runs (p, "unshare", 0)); /* never called */
}

Test (learn, unfilterable_arguments_allow_the_syscall)
{
  cleanup_free struct seccomp_learned *l = calloc (1, sizeof *l);
  cleanup_profile struct cordon_profile *p = NULL;

  add (l, "unshare", CLONE_FILES);
  add (l, "socket", 200); /* a family past 63 cannot be a bit */
  p = learned_profile (l, NULL);
  cr_assert (runs (p, "unshare", CLONE_NEWUSER));
  cr_assert (runs (p, "socket", AF_INET));
}

Test (learn, other_layers_default_or_from)
{
  cleanup_free struct seccomp_learned *l = sample ();
  cleanup_profile struct cordon_profile *plain = learned_profile (l, NULL);
  cleanup_profile struct cordon_profile *ci = NULL;
  cleanup_profile struct cordon_profile *from_ci = NULL;
  struct cordon_error err = { 0 };

  cr_assert_eq (plain->capabilities, 0);
  cr_assert_eq (plain->landlock, PROFILE_LANDLOCK_MOUNT_PLAN);
  cr_assert_eq (plain->required, (1u << PROFILE_LAYER_SECCOMP) | (1u << PROFILE_LAYER_CAPABILITIES));
  cr_assert_not (plain->report_denied);
  cr_assert_eq (profile_resolve ("ci", &ci, &err), 0, "%s", err.msg ? err.msg : "");
  from_ci = learned_profile (l, ci);
  cr_assert_neq (ci->capabilities, 0);
  cr_assert_eq (from_ci->capabilities, ci->capabilities);
  cr_assert_eq (from_ci->required, ci->required);
}

Test (learn, filter_notifies_all_but_the_bootstrap)
{
  struct cordon_error err = { 0 };
  struct cordon_bpf bpf = { 0 };
  struct seccomp_data data = { .arch = AUDIT_ARCH_X86_64 };

#if defined(__aarch64__)
  data.arch = AUDIT_ARCH_AARCH64;
#endif
  cr_assert_eq (seccomp_learn_compile (7, &bpf, &err), 0, "%s", err.msg ? err.msg : "");
  cr_assert (bpf.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
  data.nr = SYS_close;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_ALLOW);
  data.nr = SYS_exit_group;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_ALLOW);
  data.nr = SYS_read;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_USER_NOTIF);
  data.nr = SYS_execve;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_USER_NOTIF);
  data.nr = SYS_sendmsg;
  data.args[0] = 7;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_ALLOW);
  data.args[0] = 8;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_USER_NOTIF);
  data.nr = SYS_clone3;
  data.args[0] = 0;
  cr_assert_eq (seccomp_bpf_run (&bpf, &data), SECCOMP_RET_ERRNO | ENOSYS);
  seccomp_bpf_free (&bpf);
  cr_assert_lt (seccomp_learn_compile (-1, &bpf, &err), 0);
  cordon_error_release (&err);
}
