/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile explain NAME|FILE [--syscall NAME]: the resolved profile in
 * plain words, and for one syscall which rule decides it.  */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/commands.h"
#include "cli/profile.h"
#include "common/cleanup.h"
#include "profiles/profile-eval.h"
#include "profiles/profile.h"
#include "sandbox/caps.h"

static void
print_rule (const struct cordon_seccomp_rule *r, size_t i)
{
  char act[64], cond[96];

  printf ("    rule %zu (syscalls[%zu]): %s", i, r->source_index,
          seccomp_action_describe (r->action, r->has_errno_ret ? r->errno_ret : EPERM, act, sizeof act));
  for (size_t k = 0; k < r->n_args; k++)
    {
      seccomp_arg_describe (&r->args[k], cond, sizeof cond);
      printf ("%s%s", k ? " and " : " when ", cond);
    }
  putchar ('\n');
}

static void
explain_syscall (const struct cordon_profile *p, const char *name)
{
  const struct cordon_seccomp *s = p->seccomp;
  struct seccomp_decision d;
  char act[64];

  if (p->seccomp_unconfined || s == NULL)
    {
      printf ("%s: allowed: the profile has no seccomp filter\n", name);
      return;
    }
  if (!seccomp_name_known (name))
    printf ("note: `%s` is not a syscall of this architecture\n", name);
  seccomp_decide (s, name, &d);
  switch (d.kind)
    {
    case DECISION_DEFAULT:
      printf ("%s: %s, by the default action (no rule names it)\n", name,
              seccomp_action_describe (d.action, d.errno_ret, act, sizeof act));
      break;
    case DECISION_RULE:
      printf ("%s: %s, by rule %zu (syscalls[%zu]), whatever the arguments\n", name,
              seccomp_action_describe (d.action, d.errno_ret, act, sizeof act), d.rule, s->rules[d.rule].source_index);
      break;
    case DECISION_ARGUMENTS:
      printf ("%s: decided by its arguments, the first matching rule wins:\n", name);
      for (size_t i = 0; i < s->n_rules; i++)
        for (char **n = s->rules[i].names; n && *n; n++)
          if (strcmp (*n, name) == 0)
            print_rule (&s->rules[i], i);
      printf ("    otherwise: %s (the default action)\n",
              seccomp_action_describe (s->default_action, s->has_default_errno_ret ? s->default_errno_ret : EPERM, act,
                                       sizeof act));
      break;
    }
  if (p->report_denied && !seccomp_action_runs (d.action))
    printf ("    refused calls are reported (report_denied)\n");
}

/* "allowed", "refused (errno EPERM)" or "depends on arguments".  */
static const char *
verdict (const struct cordon_seccomp *s, const char *name, const uint64_t *args, char *buf, size_t size)
{
  struct seccomp_decision d;
  char act[64];

  if (s == NULL)
    return "allowed";
  if (args)
    seccomp_decide_args (s, name, args, &d);
  else
    seccomp_decide (s, name, &d);
  if (d.kind == DECISION_ARGUMENTS)
    return "depends on its arguments";
  if (seccomp_action_runs (d.action))
    return "allowed";
  snprintf (buf, size, "refused (%s)", seccomp_action_describe (d.action, d.errno_ret, act, sizeof act));
  return buf;
}

static void
explain_network (const struct cordon_seccomp *s)
{
  static const struct
  {
    int family;
    const char *name;
  } families[] = { { AF_UNIX, "unix" },       { AF_INET, "inet" },     { AF_INET6, "inet6" },
                   { AF_NETLINK, "netlink" }, { AF_PACKET, "packet" }, { AF_VSOCK, "vsock" } };
  char buf[96];

  printf ("  sockets:");
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    {
      uint64_t args[6] = { (uint64_t)families[i].family };
      printf (" %s %s;", families[i].name, verdict (s, "socket", args, buf, sizeof buf));
    }
  printf ("\n    (the sandbox's network namespace still decides what a socket reaches)\n");
}

static void
explain_seccomp (const struct cordon_seccomp *s)
{
  size_t allowed = 0, refused = 0, conditional = 0;
  char act[64], b1[96], b2[96], b3[96];
  uint64_t newuser[6] = { CLONE_NEWUSER, CLONE_NEWUSER };
  uint64_t plain_fork[6] = { 0x11 /* SIGCHLD */ };

  for (size_t i = 0; i < s->n_rules; i++)
    {
      size_t n = 0;
      for (char **p = s->rules[i].names; p && *p; p++)
        n++;
      if (s->rules[i].n_args)
        conditional += n;
      else if (seccomp_action_runs (s->rules[i].action))
        allowed += n;
      else
        refused += n;
    }
  printf ("Seccomp: %zu rules; %zu syscall names allowed outright, %zu refused outright, %zu decided by "
          "arguments; any other syscall: %s\n",
          s->n_rules, allowed, refused, conditional,
          seccomp_action_describe (s->default_action, s->has_default_errno_ret ? s->default_errno_ret : EPERM, act,
                                   sizeof act));
  printf ("\nWhat the workload can and cannot do:\n");
  explain_network (s);
  printf ("  processes: fork %s; clone (threads, fork) %s; clone3 %s\n", verdict (s, "fork", NULL, b1, sizeof b1),
          verdict (s, "clone", plain_fork, b2, sizeof b2), verdict (s, "clone3", NULL, b3, sizeof b3));
  printf ("  ptrace: %s; process_vm_readv: %s\n", verdict (s, "ptrace", NULL, b1, sizeof b1),
          verdict (s, "process_vm_readv", NULL, b2, sizeof b2));
  printf ("  namespaces: new user namespace by clone %s, by unshare %s; setns %s\n",
          verdict (s, "clone", newuser, b1, sizeof b1), verdict (s, "unshare", newuser, b2, sizeof b2),
          verdict (s, "setns", NULL, b3, sizeof b3));
  printf ("  mounts: mount %s; fsopen %s; open_tree %s\n", verdict (s, "mount", NULL, b1, sizeof b1),
          verdict (s, "fsopen", NULL, b2, sizeof b2), verdict (s, "open_tree", NULL, b3, sizeof b3));
  printf ("  kernel keyring: keyctl %s; add_key %s\n", verdict (s, "keyctl", NULL, b1, sizeof b1),
          verdict (s, "add_key", NULL, b2, sizeof b2));
  printf ("  kernel attack surface: bpf %s; io_uring_setup %s; perf_event_open %s\n",
          verdict (s, "bpf", NULL, b1, sizeof b1), verdict (s, "io_uring_setup", NULL, b2, sizeof b2),
          verdict (s, "perf_event_open", NULL, b3, sizeof b3));
}

static void
explain_profile (const struct cordon_profile *p)
{
  printf ("Profile %s (%s)\n", p->name, p->source);
  if (p->description)
    printf ("  %s\n", p->description);
  printf ("\n");
  if (p->seccomp_unconfined || p->seccomp == NULL)
    printf ("Seccomp: none; every syscall reaches the kernel\n\nWhat the workload can and cannot do:\n");
  else
    explain_seccomp (p->seccomp);
  switch (p->landlock)
    {
    case PROFILE_LANDLOCK_UNCONFINED:
      printf ("  file writes: no Landlock; limited by the mounts (the root is read-only) and permissions\n");
      break;
    case PROFILE_LANDLOCK_RULES:
      printf ("  file reads (Landlock): ");
      if (p->landlock_read == NULL)
        printf ("the whole root");
      for (char **r = p->landlock_read; r && *r; r++)
        printf ("%s%s", r == p->landlock_read ? "" : ", ", *r);
      printf ("\n  file writes (Landlock): ");
      if (p->landlock_write == NULL)
        printf ("the writable mounts of the mount plan");
      for (char **w = p->landlock_write; w && *w; w++)
        printf ("%s%s", w == p->landlock_write ? "" : ", ", *w);
      printf (" (and only where the mount is writable)\n");
      break;
    default:
      printf ("  file writes (Landlock, from the mount plan): only under writable mounts (tmpfs, rw volumes);\n"
              "    the root and read-only volumes cannot be written even with capabilities\n");
    }
  printf ("  capabilities: ");
  if (p->capabilities == 0)
    printf ("none");
  for (int c = 0, first = 1; c < 64; c++)
    if ((p->capabilities >> c) & 1)
      {
        printf ("%s%s", first ? "" : ", ", caps_to_name (c) ? caps_to_name (c) : "?");
        first = 0;
      }
  printf ("\n  AppArmor: %s\n", p->apparmor ? p->apparmor : "none asked");
  printf ("  no_new_privs: always (setuid binaries do not raise privileges)\n");
  printf ("\nRequired layers (cordon refuses to run without them): ");
  if (p->required == 0)
    printf ("none (every layer best-effort)");
  for (int i = 0, first = 1; i < PROFILE_LAYER__COUNT; i++)
    if (p->required & (1u << i))
      {
        printf ("%s%s", first ? "" : ", ", profile_layer_name ((enum profile_layer)i));
        first = 0;
      }
  printf ("\nRefused syscalls are %s\n", p->report_denied
                                             ? "reported (report_denied): counted in the result and the audit log"
                                             : "not reported (report_denied is off)");
}

int
cli_profile_explain (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *p = NULL;
  const char *what = NULL, *syscall_name = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0)
        {
          fputs ("Usage: cordon profile explain NAME|FILE [--syscall NAME]\n\n"
                 "What a workload under the profile can and cannot do; with --syscall, which\n"
                 "rule decides that syscall and with which action.\n",
                 stdout);
          return 0;
        }
      if (strcmp (argv[i], "--syscall") == 0 && i + 1 < argc)
        syscall_name = argv[++i];
      else if (strncmp (argv[i], "--syscall=", 10) == 0)
        syscall_name = argv[i] + 10;
      else if (what == NULL && argv[i][0] != '-')
        what = argv[i];
      else
        {
          fputs ("Usage: cordon profile explain NAME|FILE [--syscall NAME]\n", stderr);
          return EXIT_USAGE;
        }
    }
  if (what == NULL)
    {
      fputs ("Usage: cordon profile explain NAME|FILE [--syscall NAME]\n", stderr);
      return EXIT_USAGE;
    }
  if (profile_resolve (what, &p, &err) < 0)
    return cli_fail (&err);
  if (syscall_name)
    explain_syscall (p, syscall_name);
  else
    explain_profile (p);
  return 0;
}
