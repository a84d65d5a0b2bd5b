/* SPDX-License-Identifier: Apache-2.0 */
/* cordon run: Docker's flags turned into one OCI spec, then sandbox_run.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "cli/run-args.h"
#include "cli/run-audit.h"
#include "cli/run-detach.h"
#include "cli/run-network.h"
#include "cli/run.h"
#include "common/cleanup.h"
#include "netpolicy/network.h"
#include "profiles/profile.h"
#include "profiles/seccomp-baseline.h"
#include "profiles/seccomp-docker.h"
#include "cli/run-image.h"
#include "sandbox/apparmor.h"
#include "sandbox/container.h"
#include "sandbox/landlock.h"
#include "sandbox/passwd.h"
#include "sandbox/spec-edit.h"
#include "image/volume.h"

static int apply_limit_flag (struct cordon_spec *spec, const struct flag *f, struct cordon_error *err);

static int
apply_flag (struct cordon_spec *spec, const struct flag *f, struct cordon_error *err)
{
  switch (f->opt)
    {
    case 'v':
      return spec_add_volume (spec, f->arg, err);
    case OPT_MOUNT:
      return spec_add_mount_arg (spec, f->arg, err);
    case OPT_TMPFS:
      return spec_add_tmpfs (spec, f->arg, err);
    case 'e':
      return spec_set_env (spec, f->arg, err);
    case OPT_ENV_FILE:
      return spec_load_env_file (spec, f->arg, err);
    case 'w':
      if (f->arg[0] != '/')
        return cordon_error_set (err, EINVAL, "-w `%s`: the working directory must be absolute", f->arg);
      return spec_set_string (&spec->process.cwd, f->arg, err);
    case 'h':
      if (strlen (f->arg) > 64)
        return cordon_error_set (err, EINVAL, "-h `%s`: a host name has at most 64 characters", f->arg);
      return spec_set_string (&spec->hostname, f->arg, err);
    case OPT_GROUP_ADD:
      return spec_add_group (spec, f->arg, err);
    case OPT_NETWORK:
      if (strcmp (f->arg, "none") == 0)
        {
          if (!spec_has_namespace (spec, CLONE_NEWNET))
            return cordon_error_set (err, EINVAL, "--network none: the config has no network namespace");
          return 0;
        }
      if (strcmp (f->arg, "host") == 0)
        return spec_remove_namespace (spec, CLONE_NEWNET);
      /* A bridge network: the sandbox keeps its own namespace, and its
       * monitor adds eth0 to it (cli/run-network.c).  */
      if (!network_name_valid (f->arg))
        return cordon_error_set (err, EINVAL, "--network `%s`: expected none, host, bridge or a network name",
                                 f->arg);
      if (!spec_has_namespace (spec, CLONE_NEWNET))
        return cordon_error_set (err, EINVAL, "--network %s: the config has no network namespace", f->arg);
      return 0;
    case OPT_IP:
    case 'p':
    case OPT_ADD_HOST:
    case OPT_EGRESS_ALLOW:
    case OPT_DNS_NAME:
      return 0; /* the network's, applied by run_network_prepare */
    case OPT_CAP_ADD:
      return spec_cap_add (spec, f->arg, err);
    case OPT_CAP_DROP:
      return spec_cap_drop (spec, f->arg, err);
    default:
      return apply_limit_flag (spec, f, err);
    }
}

static int
bad_value (const struct flag *f, const char *what, struct cordon_error *err)
{
  return cordon_error_set (err, EINVAL, "--%s `%s`: expected %s", run_option_name (f->opt), f->arg, what);
}

/* Docker's limit flags, onto linux.resources, cordon.limits and rlimits.  */
static int
apply_limit_flag (struct cordon_spec *spec, const struct flag *f, struct cordon_error *err)
{
  struct cordon_resources *res = &spec->resources;
  uint64_t v;
  char *end;
  double d;

  switch (f->opt)
    {
    case 'm':
      if (spec_parse_size (f->arg, &v) < 0 || v < (1u << 20))
        return bad_value (f, "a size of at least 1m", err);
      res->memory_limit = v;
      return 0;
    case OPT_MEMORY_SWAP:
      if (strcmp (f->arg, "-1") == 0)
        res->memory_swap = -1;
      else if (spec_parse_size (f->arg, &v) < 0 || v > INT64_MAX)
        return bad_value (f, "a size or -1", err);
      else
        res->memory_swap = (int64_t)v;
      return 0;
    case OPT_PIDS_LIMIT:
      v = strtoull (f->arg, &end, 10);
      if (*f->arg < '1' || *f->arg > '9' || *end || v > INT64_MAX)
        return bad_value (f, "a positive number", err);
      res->pids_limit = (int64_t)v;
      return 0;
    case OPT_CPUS:
      d = strtod (f->arg, &end);
      if (*end || !(d > 0 && d <= 1024))
        return bad_value (f, "a number of CPUs such as 0.5 or 2", err);
      res->cpu_period = 100000;
      res->cpu_quota = (uint64_t)(d * 100000 + 0.5);
      return 0;
    case OPT_CPU_SHARES:
      v = strtoull (f->arg, &end, 10);
      if (*f->arg < '1' || *f->arg > '9' || *end || v > 262144)
        return bad_value (f, "a number from 2 to 262144", err);
      res->cpu_shares = v;
      return 0;
    case OPT_CPUSET_CPUS:
      if (f->arg[0] == '\0' || strspn (f->arg, "0123456789,-") != strlen (f->arg))
        return bad_value (f, "a CPU list such as 0-1,3", err);
      return spec_set_string (&res->cpuset_cpus, f->arg, err);
    case OPT_CPU_TIME:
      if (spec_parse_seconds (f->arg, &spec->cordon.limits.cpu_time_ms) < 0)
        return bad_value (f, "seconds", err);
      return 0;
    case OPT_WALL_TIME:
      if (spec_parse_seconds (f->arg, &spec->cordon.limits.wall_time_ms) < 0)
        return bad_value (f, "seconds", err);
      return 0;
    case OPT_OUTPUT_LIMIT:
      if (spec_parse_size (f->arg, &spec->cordon.limits.output_bytes) < 0 || spec->cordon.limits.output_bytes == 0)
        return bad_value (f, "a size", err);
      return 0;
    case OPT_FSIZE:
      if (spec_parse_size (f->arg, &v) < 0)
        return bad_value (f, "a size", err);
      return spec_set_rlimit (spec, RLIMIT_FSIZE, v, v, err);
    case OPT_NOFILE:
      v = strtoull (f->arg, &end, 10);
      if (*f->arg < '0' || *f->arg > '9' || *end || v > (1u << 20))
        return bad_value (f, "a number of files", err);
      return spec_set_rlimit (spec, RLIMIT_NOFILE, v, v, err);
    case OPT_STACK:
      if (spec_parse_size (f->arg, &v) < 0)
        return bad_value (f, "a size", err);
      return spec_set_rlimit (spec, RLIMIT_STACK, v, v, err);
    case OPT_ULIMIT:
      return spec_add_ulimit (spec, f->arg, err);
    default:
      return cordon_error_set (err, EINVAL, "run: unhandled option");
    }
}

/* -u USER[:GROUP] by name or number, looked up in the sandbox's root.  */
static int
apply_user (struct cordon_spec *spec, int rootfd, const char *arg, struct cordon_error *err)
{
  cleanup_free char *user = strdup (arg);
  struct passwd_entry pw = { 0 };
  char *group;
  int r;

  if (user == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  group = strchr (user, ':');
  if (group)
    *group++ = '\0';
  r = passwd_lookup_user (rootfd, user, &pw);
  if (r == 0)
    {
      spec->process.uid = pw.uid;
      spec->process.gid = pw.gid;
      free (pw.home);
    }
  else
    {
      r = spec_set_user (spec, user, err);
      if (r < 0)
        return cordon_error_wrap (err, "-u: no user `%s` in the root's /etc/passwd", user);
    }
  if (group)
    {
      uint32_t gid;
      if (passwd_lookup_group (rootfd, group, &gid) < 0)
        return cordon_error_set (err, ENOENT, "-u `%s`: no group `%s` in the root's /etc/group", arg, group);
      spec->process.gid = gid;
    }
  return 0;
}

/* Docker's environment: what the config and -e give, plus PATH, HOME,
 * HOSTNAME, and TERM with -t; never the caller's.  */
static int
apply_default_env (struct cordon_spec *spec, int rootfd, bool tty, struct cordon_error *err)
{
  struct passwd_entry pw = { 0 };
  const char *home = spec->process.uid == 0 ? "/root" : "/";
  int r;

  if (passwd_lookup_uid (rootfd, spec->process.uid, &pw) == 0)
    home = pw.home;
  r = spec_default_env (spec, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", err);
  if (r >= 0)
    r = spec_default_env (spec, "HOME", home, err);
  if (r >= 0 && spec->hostname)
    r = spec_default_env (spec, "HOSTNAME", spec->hostname, err);
  if (r >= 0 && tty)
    r = spec_default_env (spec, "TERM", "xterm", err);
  free (pw.home);
  return r;
}

/* Refuses a run in which a layer the profile requires is beyond this host.
 * A layer turned off by a flag (seccomp=unconfined) is the caller's
 * explicit choice, as in Docker, and is reported `disabled`.  */
static int
check_required (const struct cordon_profile *p, const struct cordon_spec *spec, struct cordon_error *err)
{
  for (int i = 0; i < PROFILE_LAYER__COUNT; i++)
    {
      const char *why = NULL;

      if (!(p->required & (1u << i)))
        continue;
      switch ((enum profile_layer)i)
        {
        case PROFILE_LAYER_SECCOMP:
          if (spec->cordon.seccomp_mode != SECCOMP_MODE_UNCONFINED && prctl (PR_GET_SECCOMP) < 0)
            why = "this kernel has no seccomp";
          break;
        case PROFILE_LAYER_LANDLOCK:
          if (!spec->cordon.landlock_unconfined && landlock_abi () <= 0)
            why = "this kernel has no Landlock (or it is not in the lsm= list)";
          break;
        case PROFILE_LAYER_APPARMOR:
          if (spec->process.apparmor_profile == NULL)
            why = "no AppArmor profile is given (apparmor=unconfined?)";
          else
            why = apparmor_unavailable_reason (spec->process.apparmor_profile);
          break;
        case PROFILE_LAYER_CAPABILITIES:
        case PROFILE_LAYER__COUNT:
          break;
        }
      if (why)
        return cordon_error_set (err, 0,
                                 "profile `%s` requires the %s layer, which cannot be enforced: %s; refusing to run",
                                 p->name, profile_layer_name ((enum profile_layer)i), why);
    }
  return 0;
}

static int
build_spec (struct run_args *a, struct cordon_profile **profile, struct cordon_seccomp **owned_filter,
            struct cordon_spec **out, struct cordon_error *err)
{
  cleanup_spec struct cordon_spec *spec = NULL;
  cleanup_close int rootfd = -1;
  cleanup_free char *config = NULL;
  int r;

  if (a->bundle)
    {
      if (asprintf (&config, "%s/config.json", a->bundle) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
      r = spec_load_file (config, &spec, err);
    }
  else
    {
      r = spec_new_default (false, &spec, err);
      if (r >= 0 && a->ri)
        r = run_image_apply (a->ri, spec, a->entrypoint, a->command, err);
      else if (r >= 0)
        r = spec_set_string (&spec->root_path, a->rootfs, err);
    }
  if (r < 0)
    return r;
  /* The profile first: --cap-add, --cap-drop and --security-opt then edit
   * what it set, as Docker's flags edit Docker's defaults.  A bundle keeps
   * its own confinement unless a profile is asked for.  */
  if (a->profile || a->rootfs || a->ri)
    {
      r = profile_resolve (a->profile ? a->profile : "default", profile, err);
      if (r >= 0)
        r = profile_apply (*profile, spec, err);
      if (r < 0)
        return r;
    }
  for (size_t i = 0; i < a->n_flags; i++)
    {
      if (a->flags[i].opt == 'v' && volume_arg_is_named (a->flags[i].arg))
        r = run_volumes_add (&a->volumes, a->image.store, spec, a->flags[i].arg, err);
      else
        r = apply_flag (spec, &a->flags[i], err);
      if (r < 0)
        return r;
    }
  if (a->ri)
    ; /* the image's command, with Docker's precedence (run_image_apply) */
  else if (a->entrypoint)
    r = spec_set_entrypoint (spec, a->entrypoint, a->command, err);
  else if (a->command[0])
    r = spec_set_args (spec, a->command, err);
  if (r < 0)
    return r;
  spec->process.terminal = a->tty;

  if (a->landlock_unconfined)
    spec->cordon.landlock_unconfined = true;
  if (a->seccomp_unconfined)
    spec->cordon.seccomp_mode = SECCOMP_MODE_UNCONFINED;
  else if (a->seccomp_file)
    {
      r = seccomp_docker_load (a->seccomp_file, spec->process.caps_bounding, owned_filter, err);
      if (r < 0)
        return cordon_error_wrap (err, "--security-opt seccomp=%s", a->seccomp_file);
      seccomp_spec_free (spec->seccomp);
      spec->seccomp = *owned_filter;
      *owned_filter = NULL;
      spec->cordon.seccomp_mode = SECCOMP_MODE_SPEC;
    }
  if (a->apparmor)
    {
      free (spec->process.apparmor_profile);
      spec->process.apparmor_profile = NULL;
      if (strcmp (a->apparmor, "unconfined") != 0 && spec_set_string (&spec->process.apparmor_profile, a->apparmor, err) < 0)
        return -ENOMEM;
    }
  if (*profile)
    {
      r = check_required (*profile, spec, err);
      if (r < 0)
        return r;
    }

  {
    cleanup_free char *root = NULL;
    if (a->bundle && spec->root_path[0] != '/')
      {
        if (asprintf (&root, "%s/%s", a->bundle, spec->root_path) < 0)
          return cordon_error_set (err, ENOMEM, "out of memory");
      }
    if (a->ri)
      rootfd = fcntl (a->ri->passwd_root, F_DUPFD_CLOEXEC, 3);
    else
      rootfd = open (root ? root : spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
      return cordon_error_set (err, errno, "%s %s", a->bundle ? "root.path" : "--rootfs",
                               root ? root : spec->root_path);
  }
  if (a->user == NULL && a->ri && a->ri->cfg.user && a->ri->cfg.user[0])
    a->user = a->ri->cfg.user;
  if (a->user)
    {
      r = apply_user (spec, rootfd, a->user, err);
      if (r < 0)
        return r;
    }
  if (a->rootfs || a->ri)
    {
      r = apply_default_env (spec, rootfd, a->tty, err);
      if (r < 0)
        return r;
    }
  *out = steal_pointer (&spec);
  return 0;
}

static void
report (const struct run_args *a, const struct sandbox_result *result)
{
  if (a->quiet)
    return;
  if (result->status == RESULT_RUNTIME_ERROR && result->error)
    fprintf (stderr, "cordon: %s\n", result->error);
  else if (result->status == RESULT_SIGNAL)
    fprintf (stderr, "cordon: killed by signal %d (%s)\n", result->signal, sigabbrev_np (result->signal) ?: "?");
  else if (result->status >= RESULT_TIME_LIMIT)
    fprintf (stderr, "cordon: %s (cpu %.3f s, wall %.3f s)\n", result_status_name (result->status),
             result->cpu_user + result->cpu_system, result->wall_time);
  for (int i = 0; i < LIMIT__COUNT; i++)
    if (result->limits[i].mechanism == LIMIT_MECH_UNAVAILABLE)
      fprintf (stderr, "cordon: warning: limit %s was not enforced: %s\n", result_limit_name (i),
               result->limits[i].note ? result->limits[i].note : "unavailable here");
}

/* The image goes into the audit log and the result: which one, and which
 * key verified it.  */
static void
record_image (struct run_audit *audit, const struct run_image *ri, struct sandbox_result *result)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *json = NULL;
  const char *name = ri->name ? ri->name : ri->rec->id;

  if (run_image_describe (ri, &json, &err) >= 0)
    run_audit_image (audit, name, json);
  result->image.name = strdup (name);
  result->image.id = strdup (ri->rec->id);
  result->image.manifest = ri->rec->manifest ? strdup (ri->rec->manifest) : NULL;
  result->image.key = ri->verdict.key ? strdup (ri->verdict.key) : NULL;
  result->image.policy = ri->policy_source ? strdup (ri->policy_source) : NULL;
}

/* --restart on-failure[:N]: the workload failed, and may be run again.  */
static bool
should_restart (const struct run_args *a, struct run_detach *d, const struct sandbox_result *result)
{
  if (a->restart_max == 0 || result->exit_code == 0 || result->status == RESULT_SANDBOX_ERROR)
    return false;
  if (a->restart_max > 0 && d->st.restart_count >= a->restart_max)
    return false;
  /* Docker's back-off: 100 ms, doubling, here at most 2 s.  */
  {
    unsigned shift = d->st.restart_count < 5 ? (unsigned)d->st.restart_count : 5;
    unsigned ms = 100u << shift;
    struct timespec ts = { .tv_sec = (time_t)(ms > 2000 ? 2 : ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
    if (ms > 2000)
      ts.tv_nsec = 0;
    nanosleep (&ts, NULL);
  }
  return run_detach_restarting (d, result->exit_code);
}

static int
run_main (int argc, char **argv, struct run_learn *learn, const struct run_lifecycle *lc)
{
  cleanup_error struct cordon_error err = { 0 };
  struct run_args a = { .learn = learn };
  cleanup_spec struct cordon_spec *spec = NULL;
  struct cordon_seccomp *owned_filter = NULL;
  struct cordon_seccomp *baseline = NULL;
  cleanup_profile struct cordon_profile *profile = NULL;
  struct sandbox_result result = { 0 };
  struct sandbox_options opts = { 0 };
  struct run_audit audit = { 0 };
  struct run_image image = { .record_lock = -1, .passwd_root = -1 };
  struct run_detach detach = { .root = { .dfd = -1 } };
  struct run_network net = { 0 };
  bool detached = false;
  bool ran = false;
  int exit_code;
  int r;

  /* The monitor copies output to our stdout: a reader that goes away (as
   * `| head` does) must end the copy, not kill the monitor mid-run.  The
   * workload starts with every signal at its default.  */
  signal (SIGPIPE, SIG_IGN);
  /* create and start are run -d in two steps.  */
  a.detach = lc != NULL;
  r = run_parse_args (argc, argv, &a, &err);
  if (r < 0)
    {
      free (a.flags);
      fprintf (stderr, "cordon: %s\n", err.msg);
      return EXIT_CORDON_FAILED;
    }
  if (a.image.ref)
    {
      r = run_image_open (&image, &a.image, &err);
      if (r >= 0)
        a.ri = &image;
    }
  if (r >= 0)
    r = build_spec (&a, &profile, &owned_filter, &spec, &err);
  if (r >= 0 && learn)
    {
      /* The run is named for what it was in the result and the audit log:
       * not a run under its --from profile's filter.  */
      r = spec_set_string (&spec->cordon.profile, "learn", &err);
    }
  if (r >= 0 && spec->cordon.seccomp_mode == SECCOMP_MODE_BASELINE)
    r = seccomp_baseline_new (&baseline, &err);
  if (r >= 0 && a.detach)
    {
      cleanup_free char *audit_path = a.audit_log ? strdup (a.audit_log) : audit_default_path ();
      detach.name = a.name;
      detach.auto_remove = a.auto_remove;
      detach.root_override = a.root;
      detach.adopt_id = lc ? lc->start_id : NULL;
      detach.volumes = a.volumes.names;
      detach.restart = a.restart;
      detach.network = run_network_flag (&a);
      r = run_detach_prepare (&detach, spec, a.image.ref, a.bundle, audit_path, &err);
      /* How to run it again: cordon start (after create, or once it ended).  */
      if (r >= 0 && detach.adopt_id == NULL)
        {
          r = run_detach_record_args (&detach, argv, lc && lc->create_only, &err);
          if (r < 0)
            run_detach_abort (&detach);
        }
      if (r >= 0)
        {
          detached = true;
          memcpy (audit.id, detach.st.id, sizeof audit.id);
        }
    }
  /* Recorded before anything runs; even a refused run leaves a record.  */
  {
    cleanup_error struct cordon_error aerr = { 0 };
    if (run_audit_begin (&audit, a.audit_log, a.audit_best_effort, &a.audit_opts, argv, r >= 0 ? spec : NULL, &aerr)
        < 0)
      {
        fprintf (stderr, "cordon: %s\n", aerr.msg);
        if (detached)
          run_detach_abort (&detach);
        run_volumes_release (&a.volumes);
        free (a.flags);
        seccomp_spec_free (baseline);
        seccomp_spec_free (owned_filter);
        run_image_close (&image);
        return EXIT_CORDON_FAILED;
      }
  }
  if (a.ri)
    record_image (&audit, a.ri, &result);
  if (detached && lc && lc->create_only)
    {
      /* cordon create: recorded, not run; start forks the monitor.  */
      printf ("%s\n", detach.st.id);
      log_writer_close (&detach.log);
      audit_log_close (audit.log);
      state_release (&detach.st);
      state_root_close (&detach.root);
      result_release (&result);
      run_image_close (&image);
      run_volumes_release (&a.volumes);
      seccomp_spec_free (baseline);
      seccomp_spec_free (owned_filter);
      free (a.flags);
      return 0;
    }
  if (detached)
    {
      int cli_exit = -1;
      r = run_detach_fork (&detach, &cli_exit, &err);
      if (r == 0 || cli_exit >= 0)
        {
          /* The CLI's side: the monitor owns the run and its records.  */
          if (r == 0)
            {
              if (!(lc && lc->start_id))
                printf ("%s\n", detach.st.id);
            }
          else
            fprintf (stderr, "cordon: %s\n", err.msg);
          audit_log_close (audit.log);
          state_release (&detach.st);
          state_root_close (&detach.root);
          result_release (&result);
          run_image_close (&image);
          run_volumes_release (&a.volumes);
          seccomp_spec_free (baseline);
          seccomp_spec_free (owned_filter);
          free (a.flags);
          return r == 0 ? 0 : cli_exit;
        }
      if (r < 0)
        run_detach_abort (&detach);
      else
        {
          opts.log = &detach.log;
          opts.on_started = run_detach_started;
          opts.on_started_data = &detach;
        }
      detached = r > 0;
    }
  /* In the monitor (the CLI, or the detached monitor): the lease names the
   * process whose death frees it.  */
  if (r >= 0)
    r = run_network_prepare (&net, &a, spec, detached ? detach.st.id : NULL, &opts, &err);
  if (r >= 0)
    {
      opts.base_dir = a.bundle;
      opts.keep_stdin = a.interactive;
      opts.stdin_path = a.stdin_path;
      opts.stdout_path = a.stdout_path;
      opts.stderr_path = a.stderr_path;
      opts.baseline_seccomp = baseline;
      opts.overlay = a.ri ? &a.ri->plan : NULL;
      opts.learn = learn ? learn->learned : NULL;
      result.profile = spec->cordon.profile;
      r = sandbox_run (spec, &opts, &result, &err);
      ran = r >= 0;
      while (detached && ran && should_restart (&a, &detach, &result))
        {
          char data[64];
          snprintf (data, sizeof data, "{\"exit_code\":%d,\"restart_count\":%d}", result.exit_code,
                    detach.st.restart_count);
          lifecycle_audit (&detach.st, "restart", NULL, data);
          result_release (&result);
          result = (struct sandbox_result){ 0 };
          if (a.ri)
            record_image (&audit, a.ri, &result);
          result.profile = spec->cordon.profile;
          r = sandbox_run (spec, &opts, &result, &err);
          ran = r >= 0;
        }
    }
  else
    {
      result.status = RESULT_SANDBOX_ERROR;
      result.exit_code = EXIT_CORDON_FAILED;
      result.error = err.msg ? strdup (err.msg) : NULL;
    }
  if (r < 0)
    fprintf (stderr, "cordon: %s\n", err.msg ? err.msg : "sandbox failed");
  else
    report (&a, &result);
  exit_code = result.exit_code;
  if (learn)
    learn->ran = ran && result.status != RESULT_SANDBOX_ERROR;
  run_network_audit_denials (&net, audit.log, audit.id);
  run_audit_end (&audit, &result, ran, &result);
  if (a.result_path)
    {
      cleanup_error struct cordon_error werr = { 0 };
      if (result_write_file (&result, a.result_path, &werr) < 0)
        {
          fprintf (stderr, "cordon: %s\n", werr.msg);
          if (exit_code == 0)
            exit_code = EXIT_CORDON_FAILED;
        }
    }
  /* Before the state says exited: whoever starts next on this network
   * finds the address and the name free.  */
  run_network_release (&net);
  if (detached)
    run_detach_finish (&detach, &result);
  result_release (&result);
  run_image_close (&image);
  run_volumes_release (&a.volumes);
  seccomp_spec_free (baseline);
  seccomp_spec_free (owned_filter);
  free (a.flags);
  return exit_code;
}

int
cli_run (int argc, char **argv)
{
  return run_main (argc, argv, NULL, NULL);
}

int
cli_run_lifecycle (int argc, char **argv, const struct run_lifecycle *lc)
{
  return run_main (argc, argv, NULL, lc);
}

int
cli_run_learning (int argc, char **argv, struct run_learn *learn)
{
  return run_main (argc, argv, learn, NULL);
}
