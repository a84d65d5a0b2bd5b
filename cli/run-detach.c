/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/run-detach.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "common/strv.h"
#include "sandbox/freezer.h"

/* What the monitor tells the CLI, once.  */
struct detach_report
{
  int exit_code; /* 0: the workload runs */
  char text[1000];
};

static void save_state (struct run_detach *d);

/* `cordon start` of a sandbox `create` made (or one that ended): the same
 * id and directory, its state reset under its lock; a second start loses.  */
static int
adopt (struct run_detach *d, struct cordon_error *err)
{
  cleanup_close int lock = state_lock (&d->root, d->adopt_id, err);
  struct sandbox_state old;
  int r;

  if (lock < 0)
    return lock;
  r = state_load (&d->root, d->adopt_id, &old, err);
  if (r < 0)
    return r;
  if ((old.status == STATE_CREATED && !old.pending_start) || (old.status == STATE_RUNNING && state_monitor_alive (&old)))
    {
      state_release (&old);
      return cordon_error_set (err, EALREADY, "sandbox %.12s is already running", d->adopt_id);
    }
  memcpy (d->st.id, old.id, sizeof d->st.id);
  d->st.name = steal_pointer (&old.name);
  d->st.created = old.created;
  d->st.auto_remove = old.auto_remove;
  state_release (&old);
  return 0;
}

/* How it is networked, for `cordon inspect` and `network connect`: the
 * --network as given (none when its spec has a network namespace and no
 * --network, host when it has none), and the bridge network it starts on.  */
static int
record_network (struct run_detach *d, const struct cordon_spec *spec, struct cordon_error *err)
{
  const char *mode = d->network;
  bool bridge = mode && strcmp (mode, "none") != 0 && strcmp (mode, "host") != 0;

  if (mode == NULL)
    mode = spec_has_namespace (spec, CLONE_NEWNET) ? "none" : "host";
  free (d->st.network_mode);
  strv_free (d->st.networks);
  d->st.networks = NULL;
  d->st.network_mode = strdup (mode);
  if (d->st.network_mode == NULL || (d->st.networks = calloc (2, sizeof *d->st.networks)) == NULL
      || (bridge && (d->st.networks[0] = strdup (d->network)) == NULL))
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

int
run_detach_prepare (struct run_detach *d, const struct cordon_spec *spec, const char *image, const char *bundle,
                    const char *audit_log, struct cordon_error *err)
{
  cleanup_free char *config = NULL;
  cleanup_close int fd = -1;
  char path[STATE_ID_HEX + 16];
  size_t len;
  int r;

  d->ready_fd = -1;
  d->log.fd = d->log.dirfd = -1;
  d->st = (struct sandbox_state){ .exit_code = -1, .status = STATE_CREATED };
  r = state_root_open (d->root_override, &d->root, err);
  if (r < 0)
    return r;
  if (d->adopt_id)
    {
      r = adopt (d, err);
      if (r < 0)
        {
          state_release (&d->st);
          state_root_close (&d->root);
          return r;
        }
    }
  else
    {
      if (state_new_id (d->st.id) < 0)
        return cordon_error_set (err, EIO, "getrandom");
      d->st.created = (int64_t)time (NULL);
      d->st.auto_remove = d->auto_remove;
      if (d->name && (d->st.name = strdup (d->name)) == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  if ((spec->process.args && (d->st.command = strv_copy (spec->process.args)) == NULL)
      || (image && (d->st.image = strdup (image)) == NULL) || (bundle && (d->st.bundle = strdup (bundle)) == NULL)
      || (!image && spec->root_path && (d->st.rootfs = strdup (spec->root_path)) == NULL)
      || (audit_log && (d->st.audit_log = strdup (audit_log)) == NULL)
      || (d->volumes && (d->st.volumes = strv_copy (d->volumes)) == NULL)
      || (d->restart && (d->st.restart = strdup (d->restart)) == NULL)
      || (d->st.log_path = state_path (&d->root, d->st.id, "log")) == NULL
      || (d->st.result_path = state_path (&d->root, d->st.id, "result.json")) == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = record_network (d, spec, err);
  if (r < 0)
    return r;
  if (d->adopt_id)
    {
      /* Started again: the marks of its last run go.  */
      snprintf (path, sizeof path, "%s/no-restart", d->st.id);
      unlinkat (d->root.dfd, path, 0);
      r = state_save (&d->root, &d->st, err);
    }
  else
    r = state_create (&d->root, &d->st, err);
  if (r < 0)
    {
      /* Never remove what we did not create.  */
      if (d->adopt_id)
        {
          state_release (&d->st);
          state_root_close (&d->root);
          return r;
        }
      return r;
    }
  /* The spec as run: `cordon exec` applies the same confinement.  */
  r = spec_to_json (spec, &config, &len, err);
  if (r >= 0)
    {
      snprintf (path, sizeof path, "%s/config.json", d->st.id);
      fd = openat (d->root.dfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0 || !fd_write_all (fd, config, len))
        r = cordon_error_set (err, errno ? errno : EIO, "sandbox %.12s: config.json", d->st.id);
    }
  if (r >= 0)
    {
      cleanup_close int dfd = openat (d->root.dfd, d->st.id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (dfd < 0)
        r = cordon_error_set (err, errno, "sandbox %.12s", d->st.id);
      else
        r = log_writer_open (&d->log, dfd, LOG_DEFAULT_MAX, err);
    }
  if (r < 0)
    run_detach_abort (d);
  return r;
}

int
run_detach_record_args (struct run_detach *d, char *const *argv, bool pending, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (true);
  cleanup_free char *cwd = getcwd (NULL, 0);
  cleanup_free char *json = NULL;
  cleanup_close int fd = -1;
  char path[STATE_ID_HEX + 16];
  size_t len;
  int r;

  if (g == NULL || cwd == NULL)
    return cordon_error_set (err, errno ? errno : ENOMEM, "sandbox %.12s: args.json", d->st.id);
  yajl_gen_map_open (g);
  jg_kv_str (g, "cwd", cwd);
  jg_kv_strv (g, "argv", argv);
  yajl_gen_map_close (g);
  r = jg_finish (g, &json, &len, err);
  if (r < 0)
    return r;
  snprintf (path, sizeof path, "%s/args.json", d->st.id);
  fd = openat (d->root.dfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || !fd_write_all (fd, json, len))
    return cordon_error_set (err, errno ? errno : EIO, "sandbox %.12s: args.json", d->st.id);
  if (!pending)
    return 0;
  d->st.pending_start = true;
  return state_save (&d->root, &d->st, err);
}

int
run_detach_load_args (const struct state_root *root, const char *id, char **cwd, char ***argv,
                      struct cordon_error *err)
{
  static const struct json_limits limits = { .max_bytes = 1u << 20, .max_items = 65536, .max_string = 1u << 16 };
  cleanup_free char *text = NULL;
  cleanup_json yajl_val doc = NULL;
  cleanup_close int fd = -1;
  char path[STATE_ID_HEX + 16];
  size_t len;
  int r;

  snprintf (path, sizeof path, "%s/args.json", id);
  fd = openat (root->dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cordon_error_set (err, errno, "sandbox %.12s: how to start it (args.json)", id);
  r = fd_read_all (fd, limits.max_bytes, &text, &len);
  if (r < 0)
    return cordon_error_set (err, -r, "sandbox %.12s: args.json", id);
  r = json_parse (text, len, &limits, "args.json", &doc, err);
  if (r >= 0)
    r = json_want_object (doc, "args.json", err);
  if (r >= 0)
    r = json_string (json_get (doc, "cwd"), &limits, "args.json: cwd", cwd, err);
  if (r >= 0)
    r = json_strv (json_get (doc, "argv"), &limits, "args.json: argv", argv, err);
  if (r >= 0 && (*argv)[0] == NULL)
    r = cordon_error_set (err, EINVAL, "args.json: argv: empty");
  return r;
}

bool
run_detach_restarting (struct run_detach *d, int exit_code)
{
  char path[STATE_ID_HEX + 16];

  snprintf (path, sizeof path, "%s/no-restart", d->st.id);
  if (faccessat (d->root.dfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return false;
  d->st.restart_count++;
  d->st.exit_code = exit_code;
  save_state (d);
  return true;
}

void
run_detach_abort (struct run_detach *d)
{
  cleanup_error struct cordon_error ignored = { 0 };

  log_writer_close (&d->log);
  if (d->root.dfd >= 0 && d->st.id[0] && !d->adopt_id)
    state_remove (&d->root, d->st.id, &ignored);
  state_release (&d->st);
  state_root_close (&d->root);
}

static void
send_report (struct run_detach *d, int exit_code, const char *text)
{
  struct detach_report rep = { .exit_code = exit_code };

  if (d->ready_fd < 0)
    return;
  snprintf (rep.text, sizeof rep.text, "%s", text ? text : "");
  fd_write_all (d->ready_fd, &rep, sizeof rep);
  close (d->ready_fd);
  d->ready_fd = -1;
}

static void
save_state (struct run_detach *d)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_close int lock = state_lock (&d->root, d->st.id, &err);
  struct sandbox_state now;

  if (lock < 0)
    return;
  /* `network connect` and `disconnect` may have written meanwhile: their
   * list is the one on disk.  */
  if (state_load (&d->root, d->st.id, &now, &err) >= 0)
    {
      strv_free (d->st.networks);
      d->st.networks = steal_pointer (&now.networks);
      state_release (&now);
    }
  cordon_error_release (&err);
  state_save (&d->root, &d->st, &err);
}

/* The monitor's own side of the fork: no terminal, no caller's pipes (a
 * `$(cordon run -d ...)` would wait for our stdout to close), its pid in
 * the state for the others to find.  */
static int
become_monitor (struct run_detach *d)
{
  int r = fd_stdio_to_devnull ();

  if (r < 0)
    return r;
  d->st.monitor_pid = getpid ();
  d->st.monitor_start = state_proc_start_time (d->st.monitor_pid);
  save_state (d);
  return 0;
}

static int
wait_report (struct run_detach *d, int fd, int *exit_code, struct cordon_error *err)
{
  struct detach_report rep;
  ssize_t n;

  do
    n = read (fd, &rep, sizeof rep);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof rep)
    {
      *exit_code = 125;
      return cordon_error_set (err, 0, "sandbox %.12s: its monitor exited before the workload started", d->st.id);
    }
  rep.text[sizeof rep.text - 1] = '\0';
  *exit_code = rep.exit_code;
  if (rep.exit_code != 0)
    return cordon_error_set (err, 0, "%s", rep.text[0] ? rep.text : "the sandbox did not start");
  return 0;
}

int
run_detach_fork (struct run_detach *d, int *exit_code, struct cordon_error *err)
{
  int p[2];
  pid_t pid;
  int status, r;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return cordon_error_set (err, errno, "fork the monitor");
    }
  if (pid == 0)
    {
      /* A new session, then a second fork: the monitor is no session
       * leader, can never get a controlling terminal, and is reparented
       * away from the CLI (to init or the nearest subreaper).  */
      close (p[0]);
      if (setsid () < 0)
        _exit (125);
      pid = fork ();
      if (pid != 0)
        _exit (pid < 0 ? 125 : 0);
      d->ready_fd = p[1];
      if (become_monitor (d) < 0)
        _exit (125);
      return 1;
    }
  close (p[1]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      break;
  r = wait_report (d, p[0], exit_code, err);
  close (p[0]);
  log_writer_close (&d->log);
  return r < 0 ? r : 0;
}

void
run_detach_started (void *data, pid_t init_pid, int pidfd)
{
  struct run_detach *d = data;

  (void)pidfd;
  d->started = true;
  d->st.status = STATE_RUNNING;
  d->st.init_pid = init_pid;
  d->st.init_start = state_proc_start_time (init_pid);
  d->st.started = (int64_t)time (NULL);
  save_state (d);
  send_report (d, 0, NULL);
  /* What the CLI needed (the spec's text, the profile, the parser's
   * buffers) is freed; give the pages back: this process stays for the
   * life of the sandbox.  */
  malloc_trim (0);
}

void
run_detach_finish (struct run_detach *d, const struct sandbox_result *result)
{
  cleanup_error struct cordon_error err = { 0 };

  log_writer_close (&d->log);
  freezer_remove (d->st.id);
  d->st.paused = false;
  if (d->st.auto_remove)
    {
      /* Held until the removal is done.  */
      cleanup_close int lock __attribute__ ((unused)) = state_root_lock (&d->root, &err);
      state_remove (&d->root, d->st.id, &err);
    }
  else
    {
      if (result_write_file (result, d->st.result_path, &err) < 0)
        cordon_error_release (&err);
      d->st.status = STATE_EXITED;
      d->st.exit_code = result->exit_code;
      d->st.finished = (int64_t)time (NULL);
      if (!d->started && result->error)
        {
          free (d->st.reason);
          d->st.reason = strdup (result->error);
        }
      save_state (d);
    }
  /* After the state: the CLI that returns on this report, and whoever it
   * runs next, finds the sandbox as it ended.  */
  if (!d->started)
    send_report (d, result->exit_code ? result->exit_code : 125,
                 result->error ? result->error : "the sandbox did not start");
  state_release (&d->st);
  state_root_close (&d->root);
}
