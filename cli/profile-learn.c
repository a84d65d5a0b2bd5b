/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile learn [RUN OPTIONS] -- COMMAND: runs COMMAND as cordon run
 * would, but under the learning filter (sandbox/seccomp-learn.h), then
 * writes the smallest profile that lets it run (profiles/profile-learn.h)
 * and says what `strict` would refuse of what it did.  */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/profile.h"
#include "cli/run.h"
#include "common/cleanup.h"
#include "profiles/profile-eval.h"
#include "profiles/profile-learn.h"
#include "profiles/profile.h"

static const char learn_usage[] = "Usage: cordon profile learn --rootfs DIR|--image REF [--from PROFILE] [-o FILE]\n"
                                  "                            [--name NAME] [RUN OPTIONS] -- COMMAND [ARG...]\n"
                                  "\n"
                                  "Runs COMMAND in a sandbox as cordon run does, with every syscall it makes\n"
                                  "recorded (and let through: the other layers still confine it), then writes\n"
                                  "the smallest profile that lets it run: exactly the syscalls it made, the\n"
                                  "socket families, clone/unshare namespace flags and personalities it used,\n"
                                  "ENOSYS for anything else.  On stderr: what `strict` would refuse of it.\n"
                                  "\n"
                                  "      --from PROFILE   capabilities, Landlock and AppArmor of the run and of\n"
                                  "                       the profile written (default: none, the mount plan)\n"
                                  "  -o, --output FILE    write the profile there (default: stdout, after the\n"
                                  "                       command's own output)\n"
                                  "      --name NAME      the profile's name (default: FILE's name, or learned)\n"
                                  "RUN OPTIONS are cordon run's (-v, -e, -w, -u, --tmpfs, limits, ...), but not\n"
                                  "--profile or --security-opt seccomp=.\n"
                                  "\n"
                                  "Exit status: the command's; 125 when cordon failed (no profile is written).\n";

/* A profile name from -o's file name: "build.json" -> "build".  */
static void
name_from_output (const char *output, char *buf, size_t size)
{
  cleanup_free char *copy = strdup (output);
  const char *base = copy ? basename (copy) : "learned";
  size_t n;

  snprintf (buf, size, "%s", base);
  n = strlen (buf);
  if (n > 5 && strcmp (buf + n - 5, ".json") == 0)
    buf[n - 5] = '\0';
  for (char *p = buf; *p; p++)
    if (strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *p) == NULL)
      *p = '-';
  if (buf[0] == '\0' || buf[0] == '.')
    snprintf (buf, size, "learned");
}

static char *
join_command (char **argv)
{
  size_t len = 1;
  char *s;

  for (char **a = argv; a && *a; a++)
    len += strlen (*a) + 1;
  s = calloc (1, len);
  for (char **a = argv; s && a && *a; a++)
    {
      if (a != argv)
        strcat (s, " ");
      strcat (s, *a);
    }
  return s;
}

static const char *
family_name (uint64_t family)
{
  switch (family)
    {
    case AF_UNIX:
      return "AF_UNIX";
    case AF_INET:
      return "AF_INET";
    case AF_INET6:
      return "AF_INET6";
    case AF_NETLINK:
      return "AF_NETLINK";
    case AF_PACKET:
      return "AF_PACKET";
    default:
      return NULL;
    }
}

/* What `other` refuses of what `learned` allows: each rule of the learned
 * profile is tried with the arguments it lets through, and `other`
 * decides them as cordon profile diff and explain do.  Returns how many were refused.  */
static unsigned
explain_against (const struct cordon_profile *learned, const struct cordon_profile *other)
{
  unsigned refused = 0;

  if (other->seccomp_unconfined || other->seccomp == NULL)
    return 0;
  for (size_t i = 0; i < learned->seccomp->n_rules; i++)
    {
      const struct cordon_seccomp_rule *r = &learned->seccomp->rules[i];
      uint64_t args[6] = { 0 };

      /* For clone and unshare (arg0 & REFUSED == 0) the namespace flags
       * that pass: those the command used.  */
      if (r->n_args && r->args[0].op == SECCOMP_OP_MASKED_EQ)
        args[r->args[0].index] = r->args[0].value_two | (SECCOMP_LEARN_NS_FLAGS & ~r->args[0].value);
      else if (r->n_args)
        args[r->args[0].index] = r->args[0].value;
      for (char **n = r->names; n && *n; n++)
        {
          struct seccomp_decision d;
          char act[64], what[96];

          seccomp_decide_args (other->seccomp, *n, args, &d);
          if (seccomp_action_runs (d.action))
            continue;
          if (r->n_args && strcmp (*n, "socket") == 0 && family_name (args[0]))
            snprintf (what, sizeof what, "socket(%s)", family_name (args[0]));
          else if (r->n_args)
            snprintf (what, sizeof what, "%s(arg%u=%#llx)", *n, r->args[0].index,
                      (unsigned long long)args[r->args[0].index]);
          else
            snprintf (what, sizeof what, "%s", *n);
          fprintf (stderr, "  %s: %s%s\n", what, seccomp_action_describe (d.action, d.errno_ret, act, sizeof act),
                   d.kind == DECISION_DEFAULT ? " (its default action)" : "");
          refused++;
        }
    }
  return refused;
}

static int
write_profile (const char *json, const char *output, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  size_t len = strlen (json), done = 0;

  if (output == NULL)
    {
      fflush (stdout);
      printf ("%s\n", json);
      return fflush (stdout) == 0 ? 0 : cordon_error_set (err, errno, "write the profile to stdout");
    }
  fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return cordon_error_set (err, errno, "-o `%s`", output);
  while (done < len)
    {
      ssize_t w = write (fd, json + done, len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return cordon_error_set (err, errno, "write `%s`", output);
      done += (size_t)w;
    }
  if (write (fd, "\n", 1) != 1 || close (steal_fd (&fd)) < 0)
    return cordon_error_set (err, errno, "write `%s`", output);
  return 0;
}

static int
learn_finish (const struct run_learn *l, struct cordon_error *err)
{
  cleanup_profile struct cordon_profile *from = NULL;
  cleanup_profile struct cordon_profile *profile = NULL;
  cleanup_profile struct cordon_profile *strict = NULL;
  cleanup_free char *command = join_command (l->command);
  cleanup_free char *json = NULL;
  struct profile_learn_options opts = { .name = NULL };
  char name[65];
  unsigned refused;
  int r;

  if (l->name)
    snprintf (name, sizeof name, "%s", l->name);
  else
    name_from_output (l->output ? l->output : "learned", name, sizeof name);
  if (l->from && (r = profile_resolve (l->from, &from, err)) < 0)
    return r;
  opts = (struct profile_learn_options){ .name = name, .command = command, .from = from };
  if ((r = profile_from_learned (l->learned, &opts, &profile, err)) < 0
      || (r = profile_to_json (profile, &json, err)) < 0 || (r = write_profile (json, l->output, err)) < 0)
    return r;

  fprintf (stderr, "cordon: learned %zu syscalls (%llu calls)%s%s\n", l->learned->n_names,
           (unsigned long long)l->learned->calls, l->output ? "; profile written to " : "", l->output ? l->output : "");
  if (l->learned->names_dropped)
    fprintf (stderr,
             "cordon: warning: %llu calls of syscalls without a name here or past the table of %d were not "
             "recorded: the profile may be too small\n",
             (unsigned long long)l->learned->names_dropped, SECCOMP_LEARN_MAX_NAMES);
  if (profile_resolve ("strict", &strict, err) < 0)
    {
      /* The explanation is a courtesy; the profile is written.  */
      fprintf (stderr, "cordon: warning: no comparison with strict: %s\n", err->msg);
      cordon_error_release (err);
      return 0;
    }
  fprintf (stderr, "cordon: under `strict` this command would be refused:\n");
  refused = explain_against (profile, strict);
  if (refused == 0)
    fprintf (stderr, "  nothing: strict allows every syscall it made\n");
  else
    fprintf (stderr, "  (cordon profile diff strict FILE shows every difference)\n");
  return 0;
}

int
cli_profile_learn (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free struct seccomp_learned *learned = calloc (1, sizeof *learned);
  struct run_learn l = { .learned = learned };
  int code;

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--help") == 0)
      {
        fputs (learn_usage, stdout);
        return 0;
      }
  if (argc < 2)
    {
      fputs (learn_usage, stderr);
      return EXIT_USAGE;
    }
  if (learned == NULL)
    {
      cordon_error_set (&err, ENOMEM, "learn");
      return cli_fail (&err);
    }
  code = cli_run_learning (argc, argv, &l);
  if (!l.ran)
    return code; /* cordon run said why */
  if (learn_finish (&l, &err) < 0)
    return cli_fail (&err);
  return code;
}
