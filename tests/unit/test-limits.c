/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/limits.h"
#include "sandbox/output.h"
#include "sandbox/proctree.h"
#include "sandbox/spec-edit.h"

static struct cordon_spec *
new_spec (void)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = NULL;

  cr_assert_eq (spec_new_default (false, &spec, &err), 0);
  return spec;
}

Test (limits, monitor_limits_need_no_cgroup)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();
  struct sandbox_result result = { 0 };
  struct limits_plan plan;

  spec->cordon.limits.wall_time_ms = 1500;
  spec->cordon.limits.output_bytes = 4096;
  cr_assert_eq (spec_set_rlimit (spec, RLIMIT_FSIZE, 1 << 20, 1 << 20, &err), 0);
  cr_assert_eq (limits_plan_prepare (spec, "cordon-unit", &plan, &result, &err), 0, "%s", err.msg);
  cr_assert_eq (plan.cgroup.mode, CGROUP_NONE, "wall time and output need no cgroup");
  cr_assert_eq (plan.wall_time_ms, 1500);
  cr_assert_eq (plan.output_bytes, 4096);
  cr_assert_eq (result.limits[LIMIT_WALL_TIME].mechanism, LIMIT_MECH_MONITOR);
  cr_assert_eq (result.limits[LIMIT_OUTPUT].mechanism, LIMIT_MECH_MONITOR);
  cr_assert_eq (result.limits[LIMIT_FSIZE].mechanism, LIMIT_MECH_RLIMIT);
  cr_assert_eq (result.limits[LIMIT_FSIZE].value, 1 << 20);
  cr_assert_eq (result.limits[LIMIT_MEMORY].mechanism, LIMIT_MECH_NONE, "not asked for: not reported");
  limits_plan_release (&plan);
  spec_free (spec);
}

Test (limits, every_requested_limit_is_reported)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();
  struct sandbox_result result = { 0 };
  struct limits_plan plan;

  spec->resources.memory_limit = 64 << 20;
  spec->resources.pids_limit = 32;
  spec->resources.cpu_quota = 50000;
  spec->resources.cpu_period = 100000;
  spec->cordon.limits.cpu_time_ms = 2000;
  cr_assert_eq (limits_plan_prepare (spec, "cordon-unit-report", &plan, &result, &err), 0, "%s", err.msg);
  for (int l = LIMIT_MEMORY; l <= LIMIT_CPU_TIME; l++)
    if (l != LIMIT_CPU_SHARES && l != LIMIT_CPUSET)
      cr_assert_neq (result.limits[l].mechanism, LIMIT_MECH_NONE, "%s is not reported", result_limit_name (l));
  if (plan.cgroup.mode == CGROUP_NONE)
    {
      cr_assert_eq (result.limits[LIMIT_CPUS].mechanism, LIMIT_MECH_UNAVAILABLE, "never dropped silently");
      cr_assert_eq (result.limits[LIMIT_MEMORY].mechanism, LIMIT_MECH_RLIMIT_MONITOR);
      cr_assert_eq (plan.memory_poll_bytes, 64 << 20);
    }
  else
    cr_assert_eq (result.limits[LIMIT_CPUS].value, 500, "half a CPU, in thousandths");
  cr_assert_eq (plan.cpu_time_us, 2000000);
  limits_plan_release (&plan);
  spec_free (spec);
}

Test (limits, output_relay_keeps_exactly_the_limit)
{
  struct cordon_error err = { 0 };
  struct output_relay o;
  char buf[100];
  int sink[2];
  ssize_t n;

  cr_assert_eq (pipe (sink), 0);
  cr_assert_eq (output_relay_open (&o, 10, sink[1], -1, &err), 0);
  cr_assert_eq (write (o.write_fd[0], "0123456789abcdef", 16), 16);
  close (o.write_fd[0]);
  o.write_fd[0] = -1;
  output_relay_ready (&o, 0);
  cr_assert (o.over);
  cr_assert_eq (o.total, 10);
  n = read (sink[0], buf, sizeof buf);
  cr_assert_eq (n, 10);
  cr_assert_eq (memcmp (buf, "0123456789", 10), 0);
  output_relay_close (&o);
  close (sink[0]);
}

Test (limits, proctree_sums_a_process_tree)
{
  struct proctree_sample s;
  pid_t child = fork ();

  if (child == 0)
    {
      /* A child with a grandchild, in a process group of their own so that
       * both die together: both must be counted.  */
      setpgid (0, 0);
      if (fork () == 0)
        pause ();
      pause ();
      _exit (0);
    }
  setpgid (child, child);
  usleep (100000);
  cr_assert_eq (proctree_sample (child, &s), 0);
  cr_assert_geq (s.n_procs, 2, "counted %u", s.n_procs);
  cr_assert_gt (s.rss_bytes, 0);
  kill (-child, SIGKILL);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  cr_assert_lt (proctree_sample (child, &s), 0, "a reaped process has no tree");
}
