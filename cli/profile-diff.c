/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile diff A B: syscalls (and their argument rules),
 * capabilities and Landlock paths that one profile allows and the other
 * does not.  Every syscall this architecture has is compared, so that a
 * difference of default actions shows too.  */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/profile.h"
#include "common/cleanup.h"
#include "profiles/profile-eval.h"
#include "profiles/profile.h"
#include "sandbox/caps.h"

#define DIFF_MAX_NR 1024

static void
describe (const struct cordon_profile *p, const char *name, struct seccomp_decision *d, char *buf, size_t size)
{
  char act[64];

  if (p->seccomp_unconfined || p->seccomp == NULL)
    {
      d->kind = DECISION_DEFAULT;
      d->action = SECCOMP_ACTION_ALLOW;
      snprintf (buf, size, "allow (no filter)");
      return;
    }
  seccomp_decide (p->seccomp, name, d);
  if (d->kind == DECISION_ARGUMENTS)
    {
      size_t n = 0;
      int w = snprintf (buf, size, "by arguments:");
      for (size_t i = 0; i < p->seccomp->n_rules && w > 0 && (size_t)w < size; i++)
        for (char **nm = p->seccomp->rules[i].names; nm && *nm; nm++)
          if (strcmp (*nm, name) == 0)
            {
              const struct cordon_seccomp_rule *r = &p->seccomp->rules[i];
              char cond[96];
              seccomp_arg_describe (&r->args[0], cond, sizeof cond);
              w += snprintf (buf + w, size - (size_t)w, "%s %s when %s%s", n++ ? ";" : "",
                             seccomp_action_describe (r->action, r->has_errno_ret ? r->errno_ret : 1, act, sizeof act),
                             cond, r->n_args > 1 ? " and ..." : "");
              if (w < 0 || (size_t)w >= size)
                return;
            }
      return;
    }
  seccomp_action_describe (d->action, d->errno_ret, buf, size);
}

static void
list_add (char *list, size_t size, const char *name)
{
  size_t n = strlen (list);
  if (n + strlen (name) + 2 < size)
    snprintf (list + n, size - n, "%s%s", n ? " " : "", name);
}

int
cli_profile_diff (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *a = NULL;
  cleanup_profile struct cordon_profile *b = NULL;
  char only_a[16384], only_b[16384];
  uint32_t arch = seccomp_arch_native ();
  unsigned differences = 0;

  if (argc == 2 && strcmp (argv[1], "--help") == 0)
    {
      fputs ("Usage: cordon profile diff A B\n\n"
             "Syscalls, argument rules, capabilities and Landlock paths that one profile\n"
             "allows and the other does not.  Exit 0 when they confine alike, 1 otherwise.\n",
             stdout);
      return 0;
    }
  if (argc != 3)
    {
      fputs ("Usage: cordon profile diff A B\n", stderr);
      return EXIT_USAGE;
    }
  if (profile_resolve (argv[1], &a, &err) < 0 || profile_resolve (argv[2], &b, &err) < 0)
    return cli_fail (&err);
  only_a[0] = only_b[0] = '\0';
  printf ("--- %s (%s)\n+++ %s (%s)\n", a->name, a->source, b->name, b->source);
  for (int nr = 0; nr < DIFF_MAX_NR; nr++)
    {
      cleanup_free char *name = seccomp_syscall_resolve_num_arch (arch, nr);
      struct seccomp_decision da, db;
      char sa[512], sb[512];

      if (name == NULL)
        continue;
      describe (a, name, &da, sa, sizeof sa);
      describe (b, name, &db, sb, sizeof sb);
      if (strcmp (sa, sb) == 0)
        continue;
      differences++;
      if (da.kind != DECISION_ARGUMENTS && db.kind != DECISION_ARGUMENTS && seccomp_action_runs (da.action)
          && !seccomp_action_runs (db.action))
        list_add (only_a, sizeof only_a, name);
      else if (da.kind != DECISION_ARGUMENTS && db.kind != DECISION_ARGUMENTS && !seccomp_action_runs (da.action)
               && seccomp_action_runs (db.action))
        list_add (only_b, sizeof only_b, name);
      else
        printf ("syscall %s:\n  - %s\n  + %s\n", name, sa, sb);
    }
  if (only_a[0])
    printf ("syscalls allowed only by %s: %s\n", a->name, only_a);
  if (only_b[0])
    printf ("syscalls allowed only by %s: %s\n", b->name, only_b);
  for (int c = 0; c < 64; c++)
    {
      bool in_a = (a->capabilities >> c) & 1, in_b = (b->capabilities >> c) & 1;
      if (in_a != in_b)
        {
          differences++;
          printf ("capability %s: only in %s\n", caps_to_name (c) ? caps_to_name (c) : "?", in_a ? a->name : b->name);
        }
    }
  if (a->landlock != b->landlock)
    {
      static const char *const ll[] = { "mount-plan", "mount-plan", "unconfined", "rules" };
      differences++;
      printf ("landlock: - %s\n          + %s\n", ll[a->landlock], ll[b->landlock]);
    }
  for (int side = 0; side < 2; side++)
    {
      const struct cordon_profile *x = side ? b : a, *y = side ? a : b;
      for (int w = 0; w < 2; w++)
        for (char **p = w ? x->landlock_write : x->landlock_read; p && *p; p++)
          {
            bool found = false;
            for (char **q = w ? y->landlock_write : y->landlock_read; q && *q; q++)
              found |= strcmp (*p, *q) == 0;
            if (!found)
              {
                differences++;
                printf ("landlock %s path %s: only in %s\n", w ? "write" : "read", *p, x->name);
              }
          }
    }
  if (a->required != b->required || a->report_denied != b->report_denied)
    {
      differences++;
      printf ("required layers or report_denied differ (see cordon profile show)\n");
    }
  if (differences == 0)
    printf ("no difference\n");
  return differences ? 1 : 0;
}
