/* SPDX-License-Identifier: Apache-2.0 */
/* sandbox_run: validate the spec, prepare what only the host side can
 * (id maps, the seccomp program, mount points, bind sources as root), clone
 * init into the new namespaces, and hand over to the monitor.  */
#include "sandbox/container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/userns.h"
#include "sandbox/idmap.h"
#include "sandbox/init.h"
#include "sandbox/landlock.h"
#include "sandbox/limits.h"
#include "sandbox/monitor.h"
#include "sandbox/output.h"
#include "sandbox/pty.h"
#include "sandbox/apparmor.h"
#include "sandbox/overlay.h"
#include "sandbox/rootfs.h"
#include "sandbox/seccomp-cache.h"
#include "sandbox/seccomp-learn.h"
#include "sandbox/seccomp-notify.h"
#include "sandbox/seccomp.h"
#include "sandbox/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  int flag;
  enum layer layer;
} ns_layers[] = {
  { CLONE_NEWUSER, LAYER_USER_NS },     { CLONE_NEWNS, LAYER_MOUNT_NS },  { CLONE_NEWPID, LAYER_PID_NS },
  { CLONE_NEWNET, LAYER_NET_NS },       { CLONE_NEWIPC, LAYER_IPC_NS },   { CLONE_NEWUTS, LAYER_UTS_NS },
  { CLONE_NEWCGROUP, LAYER_CGROUP_NS }, { CLONE_NEWTIME, LAYER_TIME_NS },
};

/* Per-run resources the monitor holds; released on every path.  */
struct run_state
{
  int rootfd;
  int devnull;
  int sync[2];
  int sigfd;
  int pidfd;
  int overlay_fd; /* as root: the image root the monitor mounted */
  char **bind_paths; /* spec->n_mounts entries */
  int *bind_fds;     /* spec->n_mounts entries */
  size_t n_mounts;
  struct cordon_bpf bpf;
  struct cordon_bpf notify_bpf; /* report_denied: bpf with ERRNO turned into NOTIFY */
  int notify_sock[2];           /* the workload hands its listener to the monitor on it */
  struct pty_relay pty;
  bool has_pty;
  struct limits_plan limits;
  struct output_relay output;
  bool has_output;
  sigset_t old_mask;
  bool mask_saved;
};

static void
run_state_release (struct run_state *s)
{
  int *fds[] = { &s->rootfd, &s->devnull,        &s->sync[0],        &s->sync[1],
                 &s->sigfd,  &s->pidfd,          &s->notify_sock[0], &s->notify_sock[1],
                 &s->overlay_fd };

  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      if (s->bind_paths)
        free (s->bind_paths[i]);
      if (s->bind_fds && s->bind_fds[i] >= 0)
        close (s->bind_fds[i]);
    }
  free (s->bind_paths);
  free (s->bind_fds);
  s->bind_paths = NULL;
  s->bind_fds = NULL;
  seccomp_bpf_free (&s->bpf);
  seccomp_bpf_free (&s->notify_bpf);
  limits_plan_release (&s->limits);
  if (s->has_output)
    output_relay_close (&s->output);
  if (s->has_pty)
    pty_relay_close (&s->pty);
  if (s->mask_saved)
    sigprocmask (SIG_SETMASK, &s->old_mask, NULL);
}

static int
validate_spec (const struct cordon_spec *spec, struct cordon_error *err)
{
  if (spec->process.args == NULL || spec->process.args[0] == NULL)
    return cordon_error_set (err, EINVAL, "no command to run (process.args is empty)");
  if (spec->root_path == NULL)
    return cordon_error_set (err, EINVAL, "no root filesystem (root.path)");
  if (!spec_has_namespace (spec, CLONE_NEWUSER))
    return cordon_error_set (err, EINVAL,
                             "linux.namespaces: cordon always uses a user namespace; add {\"type\": \"user\"}");
  if (!spec_has_namespace (spec, CLONE_NEWNS))
    return cordon_error_set (err, EINVAL,
                             "linux.namespaces: cordon always uses a mount namespace; add {\"type\": \"mount\"}");
  if (!spec_has_namespace (spec, CLONE_NEWPID))
    return cordon_error_set (err, EINVAL,
                             "linux.namespaces: cordon always uses a pid namespace; add {\"type\": \"pid\"}");
  for (size_t i = 0; i < spec->n_namespaces; i++)
    if (spec->namespaces[i].path != NULL)
      return cordon_error_set (err, ENOTSUP, "linux.namespaces: joining an existing namespace (`%s`) is not supported",
                               spec->namespaces[i].path);
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].destination == NULL || spec->mounts[i].destination[0] != '/')
      return cordon_error_set (err, EINVAL, "mounts[%zu]: destination must be an absolute path", i);
  return 0;
}

static char *
join_base (const char *base, const char *path)
{
  char *out = NULL;

  if (path[0] == '/' || base == NULL)
    return strdup (path);
  if (asprintf (&out, "%s/%s", base, path) < 0)
    return NULL;
  return out;
}

static int
open_root (const struct cordon_spec *spec, const struct sandbox_options *opts, struct cordon_error *err)
{
  cleanup_free char *path = join_base (opts->base_dir, spec->root_path);
  int fd;

  if (path == NULL)
    return cordon_error_set (err, ENOMEM, "root path");
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "root filesystem `%s`", path);
  return fd;
}

static bool
mount_is_bind (const struct cordon_mount *m)
{
  if (m->type && strcmp (m->type, "bind") == 0)
    return true;
  for (char **o = m->options; o && *o; o++)
    if (strcmp (*o, "bind") == 0 || strcmp (*o, "rbind") == 0)
      return true;
  return false;
}

/* Bind sources become absolute, existing paths: the sandbox resolves them
 * from another working directory, and a missing source is the caller's
 * mistake, reported now with its name.  */
static int
resolve_bind_sources (const struct cordon_spec *spec, const struct sandbox_options *opts, struct run_state *s,
                      struct cordon_error *err)
{
  s->n_mounts = spec->n_mounts;
  s->bind_paths = calloc (spec->n_mounts + 1, sizeof *s->bind_paths);
  s->bind_fds = calloc (spec->n_mounts + 1, sizeof *s->bind_fds);
  if (s->bind_paths == NULL || s->bind_fds == NULL)
    return cordon_error_set (err, ENOMEM, "mounts");
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct cordon_mount *m = &spec->mounts[i];
      cleanup_free char *joined = NULL;

      s->bind_fds[i] = -1;
      if (!mount_is_bind (m))
        continue;
      if (m->source == NULL)
        return cordon_error_set (err, EINVAL, "mount `%s`: a bind mount needs a source", m->destination);
      joined = join_base (opts->base_dir, m->source);
      if (joined == NULL)
        return cordon_error_set (err, ENOMEM, "mount source");
      s->bind_paths[i] = realpath (joined, NULL);
      if (s->bind_paths[i] == NULL)
        return cordon_error_set (err, errno, "mount `%s`: source `%s`", m->destination, m->source);
    }
  return 0;
}

static void
fill_layers (const struct cordon_spec *spec, bool time_ns, bool seccomp, int landlock, const char *apparmor_reason,
             const struct cgroup *cg,
             struct sandbox_result *result)
{
  for (size_t i = 0; i < sizeof ns_layers / sizeof ns_layers[0]; i++)
    {
      bool on = ns_layers[i].flag == CLONE_NEWTIME ? time_ns : spec_has_namespace (spec, ns_layers[i].flag);
      result->layers[ns_layers[i].layer] = on ? LAYER_STATE_ENFORCED : LAYER_STATE_DISABLED;
    }
  if (spec_has_namespace (spec, CLONE_NEWTIME) && !time_ns)
    {
      result->layers[LAYER_TIME_NS] = LAYER_STATE_UNAVAILABLE;
      result->layer_reasons[LAYER_TIME_NS] = "the kernel has no time namespaces";
    }
  result->layers[LAYER_READONLY_ROOT] = LAYER_STATE_ENFORCED;
  result->layers[LAYER_CAPABILITIES] = LAYER_STATE_ENFORCED;
  result->layers[LAYER_NO_NEW_PRIVS] = LAYER_STATE_ENFORCED;
  result->layers[LAYER_SECCOMP] = seccomp ? LAYER_STATE_ENFORCED : LAYER_STATE_DISABLED;
  if (landlock > 0)
    result->layers[LAYER_LANDLOCK] = LAYER_STATE_ENFORCED;
  else if (spec->cordon.landlock_unconfined)
    result->layers[LAYER_LANDLOCK] = LAYER_STATE_DISABLED;
  else
    {
      result->layers[LAYER_LANDLOCK] = LAYER_STATE_UNAVAILABLE;
      result->layer_reasons[LAYER_LANDLOCK] = "Landlock is not enabled in this kernel";
    }
  if (spec->process.apparmor_profile == NULL)
    {
      result->layers[LAYER_APPARMOR] = LAYER_STATE_DISABLED;
      result->layer_reasons[LAYER_APPARMOR] = "no AppArmor profile asked for";
    }
  else if (apparmor_reason)
    {
      result->layers[LAYER_APPARMOR] = LAYER_STATE_UNAVAILABLE;
      result->layer_reasons[LAYER_APPARMOR] = apparmor_reason;
    }
  else
    result->layers[LAYER_APPARMOR] = LAYER_STATE_ENFORCED;
  if (cg->mode != CGROUP_NONE)
    result->layers[LAYER_CGROUP_LIMITS] = LAYER_STATE_ENFORCED;
  else if (cg->why_none)
    {
      result->layers[LAYER_CGROUP_LIMITS] = LAYER_STATE_UNAVAILABLE;
      result->layer_reasons[LAYER_CGROUP_LIMITS] = cg->why_none;
    }
  else
    {
      result->layers[LAYER_CGROUP_LIMITS] = LAYER_STATE_DISABLED;
      result->layer_reasons[LAYER_CGROUP_LIMITS] = "no limit asked for needs a cgroup";
    }
}

static unsigned long long
clone_flags_for (const struct cordon_spec *spec)
{
  unsigned long long flags = 0;

  for (size_t i = 0; i < sizeof ns_layers / sizeof ns_layers[0]; i++)
    if (spec_has_namespace (spec, ns_layers[i].flag))
      flags |= (unsigned long long)ns_layers[i].flag;
  return flags;
}

static pid_t
clone_init (unsigned long long flags, int *pidfd, int cgroup_fd)
{
  struct clone_args args = {
    .flags = flags | CLONE_PIDFD,
    .pidfd = (uint64_t)(uintptr_t)pidfd,
    .exit_signal = SIGCHLD,
  };

  /* cgroup v2: init is born in the sandbox's cgroup (and its cgroup
   * namespace is rooted there); nothing runs outside it even briefly.  */
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t)cgroup_fd;
    }
  return (pid_t)syscall (SYS_clone3, &args, sizeof args);
}

/* Starts init with the root directory as its working directory (see
 * rootfs_setup); restores ours after.  */
static pid_t
spawn_init (const struct init_context *ctx, struct run_state *s, unsigned long long *flags, struct cordon_error *err)
{
  cleanup_close int savedcwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  pid_t pid;

  if (savedcwd < 0)
    return cordon_error_set (err, errno, "open the working directory");
  if (fchdir (s->rootfd) < 0)
    return cordon_error_set (err, errno, "fchdir to the root filesystem");
  pid = clone_init (*flags, &s->pidfd, s->limits.cgroup.v2_fd);
  if (pid < 0 && errno == EINVAL && (*flags & CLONE_NEWTIME))
    {
      *flags &= ~(unsigned long long)CLONE_NEWTIME;
      pid = clone_init (*flags, &s->pidfd, s->limits.cgroup.v2_fd);
    }
  if (pid == 0)
    {
      close (s->sync[0]);
      init_main (ctx);
    }
  if (pid < 0)
    {
      int saved = errno;
      if (fchdir (savedcwd) < 0)
        abort ();
      return cordon_error_set (err, saved, "clone3 into new namespaces");
    }
  if (fchdir (savedcwd) < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return cordon_error_set (err, errno, "restore the working directory");
    }
  return pid;
}

static int
open_output_file (const char *path, const char *what, struct cordon_error *err)
{
  int fd;

  if (path == NULL)
    return -1;
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    return cordon_error_set (err, errno, "%s `%s`", what, path);
  return fd;
}

/* stdout/stderr go through the monitor when they are capped or written to
 * files; otherwise the workload writes to ours directly (no copy).  */
static int
prepare_output (const struct cordon_spec *spec, const struct sandbox_options *opts, struct run_state *s,
                struct cordon_error *err)
{
  int out = -1, errfd = -1;
  int r;

  if (spec->process.terminal || opts->oci
      || (!s->limits.output_bytes && !opts->stdout_path && !opts->stderr_path && !opts->log))
    return 0;
  out = open_output_file (opts->stdout_path, "--stdout", err);
  if (opts->stdout_path && out < 0)
    return out;
  errfd = open_output_file (opts->stderr_path, "--stderr", err);
  if (opts->stderr_path && errfd < 0)
    {
      if (out >= 0)
        close (out);
      return errfd;
    }
  s->has_output = true;
  r = output_relay_open (&s->output, s->limits.output_bytes, out, errfd, err);
  s->output.log = opts->log;
  return r;
}

static void
sandbox_name (char *buf, size_t size)
{
  unsigned char raw[8] = { 0 };

  if (getrandom (raw, sizeof raw, 0) != (ssize_t)sizeof raw)
    {
      struct timespec ts;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      memcpy (raw, &ts.tv_nsec, sizeof ts.tv_nsec < sizeof raw ? sizeof ts.tv_nsec : sizeof raw);
    }
  snprintf (buf, size, "cordon-%02x%02x%02x%02x%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3], raw[4], raw[5],
            raw[6], raw[7]);
}

static int
prepare (const struct cordon_spec *spec, const struct sandbox_options *opts, struct run_state *s,
         struct idmap_plan *idmap, struct sandbox_result *result, struct cordon_error *err)
{
  const struct cordon_seccomp *filter = NULL;
  int r;

  char name[64];

  r = validate_spec (spec, err);
  if (r < 0)
    return r;
  sandbox_name (name, sizeof name);
  r = limits_plan_prepare (spec, name, &s->limits, result, err);
  if (r < 0)
    return r;
  if (opts->oci && s->limits.poll)
    return cordon_error_set (err, ENOTSUP,
                             "a limit this host can only enforce from cordon's monitor (no usable cgroup): an OCI "
                             "container keeps no monitor");
  r = idmap_plan_for_spec (spec, idmap, err);
  if (r < 0)
    return r;
  if (spec->cordon.seccomp_mode == SECCOMP_MODE_SPEC)
    filter = spec->seccomp;
  else if (spec->cordon.seccomp_mode == SECCOMP_MODE_BASELINE)
    {
      filter = opts->baseline_seccomp;
      if (filter == NULL)
        return cordon_error_set (err, EINVAL, "no baseline seccomp filter given");
    }
  if (opts->learn)
    {
      /* The listener crosses to the monitor on this pair; the filter lets
       * the workload's sendmsg on exactly its end through.  */
      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->notify_sock) < 0)
        return cordon_error_set (err, errno, "socketpair");
      r = seccomp_learn_compile (s->notify_sock[1], &s->notify_bpf, err);
      if (r < 0)
        return r;
    }
  else if (filter)
    {
      bool hit;
      r = seccomp_filter_compile_cached (filter, NULL, &s->bpf, &hit, err);
      if (r < 0)
        return r;
      if (spec->cordon.report_denied)
        {
          r = seccomp_notify_compile (filter, &s->bpf, &s->notify_bpf, err);
          if (r < 0)
            return r;
          if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->notify_sock) < 0)
            return cordon_error_set (err, errno, "socketpair");
        }
    }
  s->rootfd = open_root (spec, opts, err);
  if (s->rootfd < 0)
    return s->rootfd;
  r = resolve_bind_sources (spec, opts, s, err);
  if (r < 0)
    return r;
  r = rootfs_prepare_mount_points (spec, s->rootfd, (const char *const *)s->bind_paths, err);
  if (r < 0)
    return r;
  if (userns_can_mount ())
    {
      r = rootfs_open_bind_sources (spec, (const char *const *)s->bind_paths, s->bind_fds, err);
      if (r < 0)
        return r;
      /* Root's store is not reachable by the sandbox's mapped root: the
       * overlay is mounted here, with our credentials, and attached inside.
       * Rootless, the sandbox mounts it in its own user namespace.  */
      if (opts->overlay)
        {
          s->overlay_fd = overlay_mount (opts->overlay, err);
          if (s->overlay_fd < 0)
            return s->overlay_fd;
        }
    }
  if (spec->process.terminal)
    {
      pty_relay_init (&s->pty, opts->keep_stdin);
      s->has_pty = true;
    }
  else if (opts->stdin_path)
    {
      s->devnull = open (opts->stdin_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
      if (s->devnull < 0)
        return cordon_error_set (err, errno, "--stdin `%s`", opts->stdin_path);
    }
  else if (!opts->keep_stdin && !opts->oci)
    {
      s->devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (s->devnull < 0)
        return cordon_error_set (err, errno, "open /dev/null");
    }
  r = prepare_output (spec, opts, s, err);
  if (r < 0)
    return r;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->sync) < 0)
    return cordon_error_set (err, errno, "socketpair");
  s->sigfd = monitor_block_signals (&s->old_mask, err);
  if (s->sigfd < 0)
    return s->sigfd;
  s->mask_saved = true;
  return 0;
}

/* OCI create: init reports the sandbox built (after the terminal's master,
 * when there is one), or why it failed.  Then init is left on its own.  */
static int
wait_created (const struct sandbox_options *opts, struct run_state *s, pid_t pid, struct cordon_error *err)
{
  cleanup_close int terminal = -1;

  for (;;)
    {
      struct sync_msg msg;
      int fd = -1;
      int r = sync_recv (s->sync[0], &msg, &fd);

      if (r > 0 && msg.type == SYNC_TERMINAL && fd >= 0 && terminal < 0)
        {
          terminal = fd;
          continue;
        }
      if (fd >= 0)
        close (fd);
      if (r > 0 && msg.type == SYNC_CREATED)
        break;
      if (r > 0 && msg.type == SYNC_FAILED)
        {
          msg.text[sizeof msg.text - 1] = '\0';
          r = cordon_error_set (err, 0, "%s", msg.text);
        }
      else
        r = cordon_error_set (err, r < 0 ? -r : EPROTO, "the sandbox's init exited before it was created");
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return r;
    }
  if (opts->oci_on_created)
    opts->oci_on_created (opts->oci_data, pid, terminal, &s->limits.cgroup);
  /* The cgroup stays with the container (`cordon delete` removes it).  */
  cgroup_forget (&s->limits.cgroup);
  return 0;
}

static int
sandbox_run_state (const struct cordon_spec *spec, const struct sandbox_options *opts, struct run_state *s,
                   struct sandbox_result *result, struct cordon_error *err)
{
  struct idmap_plan idmap;
  unsigned long long flags;
  struct sync_msg go = { .type = SYNC_GO };
  struct monitor m = { 0 };
  pid_t pid;
  int r;

  clock_gettime (CLOCK_MONOTONIC, &m.started);
  r = prepare (spec, opts, s, &idmap, result, err);
  if (r < 0)
    return r;

  /* A profile the host cannot enforce is reported (the CLI has already
   * refused a run whose profile requires it).  */
  const char *apparmor_reason
      = spec->process.apparmor_profile ? apparmor_unavailable_reason (spec->process.apparmor_profile) : NULL;
  struct init_context ctx = {
    .spec = spec,
    .idmap = &idmap,
    .bpf = s->notify_bpf.insns ? &s->notify_bpf : s->bpf.insns ? &s->bpf : NULL,
    .notify_fd = s->notify_sock[1],
    .rootfs = { .spec = spec,
                .bind_fds = s->bind_fds,
                .bind_paths = (const char *const *)s->bind_paths,
                .overlay = opts->overlay,
                .overlay_fd = s->overlay_fd,
                .has_netns = spec_has_namespace (spec, CLONE_NEWNET),
                .tmpfs_max_bytes = s->limits.memory_poll_bytes },
    .sync_fd = s->sync[1],
    .stdin_fd = s->devnull,
    .stdout_fd = s->has_output ? s->output.write_fd[0] : -1,
    .stderr_fd = s->has_output ? s->output.write_fd[1] : -1,
    .landlock_abi = spec->cordon.landlock_unconfined ? 0 : landlock_abi (),
    .apparmor_profile = spec->process.apparmor_profile && apparmor_reason == NULL ? spec->process.apparmor_profile : NULL,
    .extra_rlimits = s->limits.extra_rlimits,
    .n_extra_rlimits = s->limits.n_extra_rlimits,
    .has_netns = spec_has_namespace (spec, CLONE_NEWNET),
    .has_utsns = spec_has_namespace (spec, CLONE_NEWUTS),
    .oci = opts->oci,
    .oci_start_fd = opts->oci ? opts->oci_start_fd : -1,
    .oci_hooks = opts->oci_hooks,
    .preserve_fds = opts->preserve_fds,
  };
  flags = clone_flags_for (spec);
  pid = spawn_init (&ctx, s, &flags, err);
  if (pid < 0)
    return pid;
  fill_layers (spec, (flags & CLONE_NEWTIME) != 0, ctx.bpf != NULL, ctx.landlock_abi, apparmor_reason, &s->limits.cgroup,
               result);
  close (s->sync[1]);
  s->sync[1] = -1;
  if (s->notify_sock[1] >= 0)
    {
      close (s->notify_sock[1]);
      s->notify_sock[1] = -1;
    }
  result->report_denied = s->notify_bpf.insns != NULL && opts->learn == NULL;

  r = idmap_write (pid, &idmap, err);
  if (r >= 0 && s->limits.cgroup.mode == CGROUP_V1)
    r = cgroup_enter (&s->limits.cgroup, pid, err);
  if (r >= 0 && opts->oci && opts->oci_on_spawned)
    r = opts->oci_on_spawned (opts->oci_data, pid, s->pidfd, err);
  if (r >= 0 && opts->on_namespaces)
    r = opts->on_namespaces (opts->on_namespaces_data, pid, err);
  if (r >= 0 && sync_send (s->sync[0], &go, -1) < 0)
    r = cordon_error_set (err, errno, "start the sandbox");
  if (r < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return r;
    }
  if (opts->oci)
    return wait_created (opts, s, pid, err);
  if (s->has_output)
    for (int i = 0; i < 2; i++)
      {
        /* Only the sandbox may hold the write ends: EOF then means it is done.  */
        close (s->output.write_fd[i]);
        s->output.write_fd[i] = -1;
      }
  m.init_pid = pid;
  m.limits = &s->limits;
  m.output = s->has_output ? &s->output : NULL;
  m.pidfd = s->pidfd;
  m.sync_fd = s->sync[0];
  m.sigfd = s->sigfd;
  m.pty = s->has_pty ? &s->pty : NULL;
  m.notify_sock = s->notify_sock[0];
  m.plain_bpf = s->notify_bpf.insns && opts->learn == NULL ? &s->bpf : NULL;
  m.learn = opts->learn;
  m.on_started = opts->on_started;
  m.on_started_data = opts->on_started_data;
  return monitor_wait (&m, result, err);
}

int
sandbox_run (const struct cordon_spec *spec, const struct sandbox_options *opts, struct sandbox_result *result,
             struct cordon_error *err)
{
  struct run_state s = { .rootfd = -1,
                         .devnull = -1,
                         .sync = { -1, -1 },
                         .sigfd = -1,
                         .pidfd = -1,
                         .notify_sock = { -1, -1 },
                         .overlay_fd = -1 };
  int r;

  result->status = RESULT_SANDBOX_ERROR;
  result->exit_code = 125;
  result->network = spec_has_namespace (spec, CLONE_NEWNET) ? "none" : "host";
  if (opts->network_name)
    result->network = opts->network_name;
  r = sandbox_run_state (spec, opts, &s, result, err);
  run_state_release (&s);
  if (r < 0)
    {
      result->status = RESULT_SANDBOX_ERROR;
      if (result->exit_code == 0 || result->exit_code < 125)
        result->exit_code = 125;
      if (result->error == NULL && err->msg)
        result->error = strdup (err->msg);
    }
  return r;
}
