/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities: names round-trip, and caps_apply (in a forked child, as
 * root) leaves exactly the listed capabilities in every set, before and
 * after execve.  Root-only checks are skipped for other users.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/caps.h"

#define BIT(cap) (UINT64_C (1) << (cap))

struct cap_sets
{
  unsigned long long inh, prm, eff, bnd, amb;
  unsigned int uid, gid;
  int n_groups;
};

/* Parses the Cap*, Uid, Gid and Groups lines of a /proc/PID/status text.  */
static void
parse_status (const char *text, struct cap_sets *s)
{
  const char *line = text;

  memset (s, 0xff, sizeof *s);
  s->n_groups = -1;
  while (line && *line)
    {
      unsigned int a;
      sscanf (line, "CapInh:\t%llx", &s->inh);
      sscanf (line, "CapPrm:\t%llx", &s->prm);
      sscanf (line, "CapEff:\t%llx", &s->eff);
      sscanf (line, "CapBnd:\t%llx", &s->bnd);
      sscanf (line, "CapAmb:\t%llx", &s->amb);
      sscanf (line, "Uid:\t%u", &s->uid);
      sscanf (line, "Gid:\t%u", &s->gid);
      if (strncmp (line, "Groups:", 7) == 0)
        {
          const char *p = line + 7;
          int n = 0, used;
          while (sscanf (p, "%u%n", &a, &used) == 1)
            {
              n++;
              p += used;
            }
          s->n_groups = n;
        }
      line = strchr (line, '\n');
      if (line)
        line++;
    }
}

/* In a child: caps_apply(process), then either copy /proc/self/status to
 * the pipe, or (with `exec`) execve cat on it, so that the sets after
 * execve are what is checked.  Returns the wait status; `text` gets the
 * status file or the caps_apply error.  */
static int
apply_in_child (const struct cordon_process *process, bool exec, char *text, size_t size)
{
  int fds[2];
  pid_t pid;
  int status;
  size_t got = 0;
  ssize_t n;

  cr_assert_eq (pipe (fds), 0);
  pid = fork ();
  cr_assert (pid >= 0);
  if (pid == 0)
    {
      struct cordon_error err = { 0 };
      char buf[8192];
      int fd;

      close (fds[0]);
      if (caps_apply (process, true, &err) < 0)
        {
          dprintf (fds[1], "error: %s", err.msg);
          _exit (3);
        }
      if (exec)
        {
          char *argv[] = { "cat", "/proc/self/status", NULL };
          char *envp[] = { NULL };
          dup2 (fds[1], 1);
          execve ("/bin/cat", argv, envp);
          _exit (4);
        }
      fd = open ("/proc/self/status", O_RDONLY);
      if (fd < 0)
        _exit (5);
      n = read (fd, buf, sizeof buf);
      if (n <= 0 || write (fds[1], buf, (size_t)n) != n)
        _exit (6);
      _exit (0);
    }
  close (fds[1]);
  while (got + 1 < size && (n = read (fds[0], text + got, size - 1 - got)) > 0)
    got += (size_t)n;
  text[got] = '\0';
  close (fds[0]);
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  return status;
}

static void
require_root (void)
{
  if (geteuid () != 0)
    cr_skip_test ("needs root");
}

Test (caps, names_round_trip)
{
  int last = caps_last_cap ();

  cr_assert_geq (last, CAP_AUDIT_READ);
  for (int cap = 0; cap <= last; cap++)
    {
      const char *name = caps_to_name (cap);
      cr_assert_not_null (name, "cap %d", cap);
      cr_assert_eq (strncmp (name, "CAP_", 4), 0, "%s", name);
      cr_assert_eq (caps_from_name (name), cap, "%s", name);
    }
  cr_assert_eq (caps_from_name ("CAP_NET_RAW"), CAP_NET_RAW);
  cr_assert_eq (caps_from_name ("NET_RAW"), CAP_NET_RAW);
  cr_assert_eq (caps_from_name ("net_raw"), CAP_NET_RAW);
  cr_assert_str_eq (caps_to_name (CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
  cr_assert_eq (caps_from_name ("CAP_BOGUS"), -1);
  cr_assert_eq (caps_from_name (""), -1);
  cr_assert_eq (caps_from_name ("CAP_"), -1);
  cr_assert_eq (caps_from_name (NULL), -1);
  cr_assert_null (caps_to_name (-1));
  cr_assert_null (caps_to_name (1000));
}

Test (caps, last_cap_matches_the_kernel)
{
  FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "r");
  int kernel = -1;

  if (f == NULL)
    cr_skip_test ("no /proc/sys/kernel/cap_last_cap");
  cr_assert_eq (fscanf (f, "%d", &kernel), 1);
  fclose (f);
  /* this build knows the capabilities of kernels up to 6.x */
  cr_assert_eq (caps_last_cap (), kernel < CAP_LAST_CAP ? kernel : CAP_LAST_CAP);
}

Test (caps, empty_sets_leave_nothing_as_root)
{
  struct cordon_process process = { .uid = 0, .gid = 0 };
  struct cap_sets s;
  char text[16384];
  int status;

  require_root ();
  status = apply_in_child (&process, false, text, sizeof text);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s", text);
  parse_status (text, &s);
  cr_assert_eq (s.inh, 0);
  cr_assert_eq (s.prm, 0);
  cr_assert_eq (s.eff, 0);
  cr_assert_eq (s.bnd, 0);
  cr_assert_eq (s.amb, 0);
  cr_assert_eq (s.n_groups, 0, "supplementary groups of the runner leaked");
}

Test (caps, uid0_gets_nothing_back_at_execve)
{
  /* Root's file capabilities are "all": only the bounding set stops execve
   * from handing everything back.  */
  struct cordon_process process = { .uid = 0, .gid = 0 };
  struct cap_sets s;
  char text[16384];
  int status;

  require_root ();
  status = apply_in_child (&process, true, text, sizeof text);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s", text);
  parse_status (text, &s);
  cr_assert_eq (s.uid, 0);
  cr_assert_eq (s.prm, 0);
  cr_assert_eq (s.eff, 0);
  cr_assert_eq (s.bnd, 0);
}

Test (caps, keeps_exactly_net_bind_service_across_uid_switch_and_execve)
{
  uint64_t nbs = BIT (CAP_NET_BIND_SERVICE);
  uint32_t groups[] = { 4242 };
  struct cordon_process process = {
    .uid = 1000,
    .gid = 1000,
    .additional_gids = groups,
    .n_additional_gids = 1,
    .caps_bounding = nbs,
    .caps_effective = nbs,
    .caps_permitted = nbs,
    .caps_inheritable = nbs,
    .caps_ambient = nbs,
  };
  struct cap_sets s;
  char text[16384];
  int status;

  require_root ();
  status = apply_in_child (&process, false, text, sizeof text);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s", text);
  parse_status (text, &s);
  cr_assert_eq (s.uid, 1000);
  cr_assert_eq (s.gid, 1000);
  cr_assert_eq (s.n_groups, 1);
  cr_assert_eq (s.eff, nbs);
  cr_assert_eq (s.prm, nbs);
  cr_assert_eq (s.inh, nbs);
  cr_assert_eq (s.bnd, nbs);
  cr_assert_eq (s.amb, nbs);

  /* a non-root program keeps it after execve only through the ambient set */
  status = apply_in_child (&process, true, text, sizeof text);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s", text);
  parse_status (text, &s);
  cr_assert_eq (s.eff, nbs);
  cr_assert_eq (s.bnd, nbs);
}

Test (caps, effective_outside_permitted_is_refused)
{
  struct cordon_process process = {
    .uid = 0,
    .gid = 0,
    .caps_bounding = BIT (CAP_CHOWN),
    .caps_effective = BIT (CAP_CHOWN),
  };
  char text[4096];
  int status;

  require_root ();
  status = apply_in_child (&process, false, text, sizeof text);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 3, "status 0x%x: %s", status, text);
  cr_assert (strstr (text, "effective") != NULL, "%s", text);
}

Test (caps, dropping_the_bounding_set_needs_privilege)
{
  struct cordon_process process = { .uid = getuid (), .gid = getgid () };
  char text[4096];
  int status;

  if (geteuid () == 0)
    cr_skip_test ("runs as a user without capabilities");
  status = apply_in_child (&process, false, text, sizeof text);
  cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 3, "status 0x%x: %s", status, text);
  cr_assert (strstr (text, "bounding set") != NULL || strstr (text, "setgroups") != NULL, "%s", text);
}
