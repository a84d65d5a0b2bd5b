/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime commands other than create and exec: start, state, kill,
 * delete, list, ps, features.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "cli/oci.h"
#include "common/cleanup.h"
#include "common/json-gen.h"
#include "config.h"
#include "sandbox/sync.h"

/* Options every OCI command takes; returns the index of the first operand,
 * or -EXIT_USAGE (after printing), or -1000 for --help.  */
static int
parse_common (int argc, char **argv, const char *usage, const char **root, bool *force, bool *all, const char **format)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'R' },   { "force", no_argument, NULL, 'f' }, { "all", no_argument, NULL, 'a' },
    { "format", required_argument, NULL, 'F' }, { "help", no_argument, NULL, 'H' },  { NULL, 0, NULL, 0 },
  };
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+faF:", options, NULL)) != -1)
    switch (c)
      {
      case 'R':
        *root = optarg;
        break;
      case 'f':
        if (force == NULL)
          goto bad;
        *force = true;
        break;
      case 'a':
        if (all == NULL)
          goto bad;
        *all = true;
        break;
      case 'F':
        if (format == NULL || (strcmp (optarg, "json") != 0 && strcmp (optarg, "table") != 0))
          goto bad;
        *format = optarg;
        break;
      case 'H':
        fputs (usage, stdout);
        return -1000;
      default:
        goto bad;
      }
  return optind;
bad:
  fprintf (stderr, "cordon: unknown or incomplete option `%s`\n%s", argv[optind - 1], usage);
  return -EXIT_USAGE;
}

#define PARSE_OR_RETURN(expr)                                                                                          \
  ({                                                                                                                   \
    int _i = (expr);                                                                                                   \
    if (_i == -1000)                                                                                                   \
      return 0;                                                                                                        \
    if (_i < 0)                                                                                                        \
      return EXIT_USAGE;                                                                                               \
    _i;                                                                                                                \
  })

static void
warn (struct cordon_error *err)
{
  fprintf (stderr, "cordon: warning: %s\n", err->msg ? err->msg : "?");
  cordon_error_release (err);
}

/* ---- start ---- */

static int
connect_start (const struct state_root *root, const struct sandbox_state *st, struct cordon_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int dfd = openat (root->dfd, st->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  int fd;

  if (dfd < 0)
    return cordon_error_set (err, errno, "container %s", st->name);
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dfd, OCI_START_SOCKET);
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cordon_error_set (err, errno, "socket");
  if (connect (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_error_set (err, e, "container %s: its init does not wait for start", st->name);
    }
  return fd;
}

static int
start_container (const struct state_root *root, struct sandbox_state *st, const struct oci_hooks *hooks,
                 struct cordon_error *err)
{
  cleanup_free char *state = NULL;
  cleanup_close int fd = -1;
  cleanup_close int lock = -1;
  struct sync_msg msg;
  int r;

  r = oci_state_json (st, OCI_CREATED, hooks->annotations_json, false, &state, err);
  if (r < 0)
    return r;
  fd = connect_start (root, st, err);
  if (fd < 0)
    return fd;
  if (send (fd, state, strlen (state), MSG_NOSIGNAL) < 0)
    return cordon_error_set (err, errno, "container %s: start", st->name);
  r = sync_recv (fd, &msg, NULL);
  if (r <= 0)
    return cordon_error_set (err, r < 0 ? -r : EPIPE, "container %s: init exited during start", st->name);
  if (msg.type == SYNC_FAILED)
    {
      msg.text[sizeof msg.text - 1] = '\0';
      return cordon_error_set (err, 0, "container %s: %s", st->name, msg.text);
    }
  lock = state_lock (root, st->id, err);
  if (lock < 0)
    return lock;
  st->status = STATE_RUNNING;
  st->started = (int64_t)time (NULL);
  return state_save (root, st, err);
}

static const char start_usage[] = "Usage: cordon start ID\n\nStarts the process of a created OCI container.\n";

int
cli_oci_start (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  const char *root_dir = NULL;
  struct state_root root;
  struct sandbox_state st;
  struct oci_hooks hooks = { 0 };
  enum oci_status status;
  int i = PARSE_OR_RETURN (parse_common (argc, argv, start_usage, &root_dir, NULL, NULL, NULL));
  int r;

  if (i != argc - 1)
    {
      fputs (start_usage, stderr);
      return EXIT_USAGE;
    }
  r = oci_open (root_dir, argv[i], &root, &st, &err);
  if (r < 0)
    return cli_fail (&err);
  status = oci_status_of (&st);
  if (status != OCI_CREATED)
    r = cordon_error_set (&err, EINVAL, "cannot start container %s: it is %s", st.name, oci_status_name (status));
  if (r >= 0)
    r = oci_load_hooks (&root, &st, &hooks, &err);
  if (r >= 0)
    r = start_container (&root, &st, &hooks, &err);
  if (r >= 0)
    {
      cleanup_free char *state = NULL;
      cleanup_error struct cordon_error herr = { 0 };
      /* poststart: a failure is a warning; the container runs.  */
      if (oci_state_json (&st, OCI_RUNNING, hooks.annotations_json, false, &state, &herr) < 0
          || oci_hooks_run (&hooks, OCI_HOOK_POSTSTART, state, &herr) < 0)
        warn (&herr);
    }
  oci_hooks_release (&hooks);
  state_release (&st);
  state_root_close (&root);
  return r < 0 ? cli_fail (&err) : 0;
}

/* ---- state ---- */

static const char state_usage[] = "Usage: cordon state ID\n\nPrints the OCI state of container ID as JSON.\n";

int
cli_oci_state (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *out = NULL;
  const char *root_dir = NULL;
  struct state_root root;
  struct sandbox_state st;
  struct oci_hooks hooks = { 0 };
  int i = PARSE_OR_RETURN (parse_common (argc, argv, state_usage, &root_dir, NULL, NULL, NULL));
  int r;

  if (i != argc - 1)
    {
      fputs (state_usage, stderr);
      return EXIT_USAGE;
    }
  r = oci_open (root_dir, argv[i], &root, &st, &err);
  if (r < 0)
    return cli_fail (&err);
  r = oci_load_hooks (&root, &st, &hooks, &err);
  if (r >= 0)
    r = oci_state_json (&st, oci_status_of (&st), hooks.annotations_json, true, &out, &err);
  if (r >= 0)
    printf ("%s\n", out);
  oci_hooks_release (&hooks);
  state_release (&st);
  state_root_close (&root);
  return r < 0 ? cli_fail (&err) : 0;
}

/* The pid namespace of the container, as /proc/PID/ns/pid reads: init's,
 * or (init is not dumpable: rootless, its ns links are not ours to read)
 * its workload's.  */
static int
container_pidns (const struct sandbox_state *st, char *buf, size_t size)
{
  pid_t pids[2] = { st->init_pid, lifecycle_find_workload (st->init_pid) };
  char path[64];

  for (int i = 0; i < 2; i++)
    {
      ssize_t n;
      if (pids[i] <= 0)
        continue;
      snprintf (path, sizeof path, "/proc/%d/ns/pid", (int)pids[i]);
      n = readlink (path, buf, size - 1);
      if (n > 0)
        {
          buf[n] = '\0';
          return 0;
        }
    }
  return -ESRCH;
}

/* ---- kill ---- */

/* Every process in init's pid namespace (--all).  */
static int
signal_all (const struct sandbox_state *st, int sig, struct cordon_error *err)
{
  char path[64], want[64], got[64];
  cleanup_close int fd = -1;
  DIR *d;
  struct dirent *e;
  ssize_t n;

  if (container_pidns (st, want, sizeof want) < 0)
    return cordon_error_set (err, ESRCH, "container %s: its pid namespace", st->name);
  fd = lifecycle_pidfd (st->init_pid, st->init_start);
  if (fd < 0)
    return cordon_error_set (err, -fd, "container %s", st->name);
  d = opendir ("/proc");
  if (d == NULL)
    return cordon_error_set (err, errno, "/proc");
  while ((e = readdir (d)) != NULL)
    {
      int pid = atoi (e->d_name);
      if (pid <= 0 || pid == st->init_pid)
        continue;
      snprintf (path, sizeof path, "/proc/%d/ns/pid", pid);
      n = readlink (path, got, sizeof got - 1);
      if (n < 0)
        continue;
      got[n] = '\0';
      if (strcmp (got, want) == 0)
        kill (pid, sig);
    }
  closedir (d);
  /* init last (its end ends the namespace), through its pidfd.  */
  if (syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 && errno != ESRCH)
    return cordon_error_set (err, errno, "container %s: signal %d", st->name, sig);
  return 0;
}

static const char kill_usage[] = "Usage: cordon kill [--all] ID [SIGNAL]\n\n"
                                 "Sends SIGNAL (default TERM) to OCI container ID; --all: to all its processes.\n";

int
cli_oci_kill (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  const char *root_dir = NULL;
  bool all = false;
  struct state_root root;
  struct sandbox_state st;
  enum oci_status status;
  int sig = SIGTERM;
  int i = PARSE_OR_RETURN (parse_common (argc, argv, kill_usage, &root_dir, NULL, &all, NULL));
  int r;

  if (i != argc - 1 && i != argc - 2)
    {
      fputs (kill_usage, stderr);
      return EXIT_USAGE;
    }
  if (i == argc - 2 && (sig = lifecycle_parse_signal (argv[i + 1])) < 0)
    {
      fprintf (stderr, "cordon: kill: invalid signal: %s\n", argv[i + 1]);
      return EXIT_USAGE;
    }
  r = oci_open (root_dir, argv[i], &root, &st, &err);
  if (r < 0)
    return cli_fail (&err);
  status = oci_status_of (&st);
  if (status != OCI_CREATED && status != OCI_RUNNING)
    r = cordon_error_set (&err, ESRCH, "container %s is not running", st.name);
  else if (all)
    r = signal_all (&st, sig, &err);
  else if (status == OCI_CREATED)
    {
      /* Before start only init exists, and it ignores what it has no
       * handler for: a created container is killed whole.  */
      int fd = lifecycle_pidfd (st.init_pid, st.init_start);
      r = fd < 0 ? cordon_error_set (&err, -fd, "container %s", st.name) : 0;
      if (fd >= 0 && syscall (SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
        r = cordon_error_set (&err, errno, "container %s: kill", st.name);
      if (fd >= 0)
        close (fd);
    }
  else
    r = lifecycle_signal (&st, sig, &err);
  state_release (&st);
  state_root_close (&root);
  return r < 0 ? cli_fail (&err) : 0;
}

/* ---- delete ---- */

static void
wait_gone (const struct sandbox_state *st, int timeout_ms)
{
  for (int waited = 0; waited < timeout_ms; waited += 10)
    {
      uint64_t now = state_proc_start_time (st->init_pid);
      if (now == 0 || now != st->init_start)
        return;
      struct timespec ts = { 0, 10 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
}

static const char delete_usage[] = "Usage: cordon delete [--force] ID\n\n"
                                   "Deletes OCI container ID (created or stopped; running with --force).\n";

int
cli_oci_delete (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  const char *root_dir = NULL;
  bool force = false;
  struct state_root root;
  struct sandbox_state st;
  struct oci_hooks hooks = { 0 };
  enum oci_status status;
  int i = PARSE_OR_RETURN (parse_common (argc, argv, delete_usage, &root_dir, &force, NULL, NULL));
  int r;

  if (i != argc - 1)
    {
      fputs (delete_usage, stderr);
      return EXIT_USAGE;
    }
  r = oci_open (root_dir, argv[i], &root, &st, &err);
  if (r < 0)
    {
      /* podman deletes with --force what may already be gone.  */
      if (force)
        return 0;
      return cli_fail (&err);
    }
  status = oci_status_of (&st);
  if (status == OCI_RUNNING && !force)
    r = cordon_error_set (&err, EBUSY, "cannot delete container %s: it is running (use --force)", st.name);
  if (r >= 0 && (status == OCI_RUNNING || status == OCI_CREATED))
    {
      int fd = lifecycle_pidfd (st.init_pid, st.init_start);
      if (fd >= 0)
        {
          syscall (SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
          close (fd);
        }
      wait_gone (&st, 5000);
    }
  if (r >= 0)
    {
      cleanup_error struct cordon_error herr = { 0 };
      cleanup_free char *state = NULL;
      cleanup_close int lock __attribute__ ((unused)) = state_root_lock (&root, &herr);

      if (oci_load_hooks (&root, &st, &hooks, &herr) < 0
          || oci_state_json (&st, OCI_STOPPED, hooks.annotations_json, false, &state, &herr) < 0)
        warn (&herr);
      oci_remove_cgroups (&root, &st);
      r = state_remove (&root, st.id, &err);
      /* poststop: after the container is deleted; a failure is a warning.  */
      if (state && oci_hooks_run (&hooks, OCI_HOOK_POSTSTOP, state, &herr) < 0)
        warn (&herr);
    }
  oci_hooks_release (&hooks);
  state_release (&st);
  state_root_close (&root);
  return r < 0 ? cli_fail (&err) : 0;
}

/* ---- list ---- */

static const char list_usage[] = "Usage: cordon list [--format table|json]\n\nLists OCI containers.\n";

int
cli_oci_list (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_jgen yajl_gen g = jg_new (false);
  const char *root_dir = NULL, *format = "table";
  struct state_root root;
  char **ids = NULL;
  int i = PARSE_OR_RETURN (parse_common (argc, argv, list_usage, &root_dir, NULL, NULL, &format));
  bool json = strcmp (format, "json") == 0;
  int r;

  if (i != argc || g == NULL)
    {
      fputs (list_usage, stderr);
      return EXIT_USAGE;
    }
  r = state_root_open (root_dir, &root, &err);
  if (r < 0)
    return cli_fail (&err);
  r = state_list (&root, &ids, &err);
  if (r < 0)
    {
      state_root_close (&root);
      return cli_fail (&err);
    }
  if (json)
    yajl_gen_array_open (g);
  else
    printf ("%-24s %-8s %-10s %s\n", "ID", "PID", "STATUS", "BUNDLE");
  for (char **id = ids; id && *id; id++)
    {
      cleanup_error struct cordon_error lerr = { 0 };
      struct sandbox_state st = { 0 };
      enum oci_status status;

      if (state_load (&root, *id, &st, &lerr) < 0)
        continue;
      if (st.name && st.bundle && st.init_pid > 0)
        {
          status = oci_status_of (&st);
          if (json)
            {
              yajl_gen_map_open (g);
              jg_kv_str (g, "ociVersion", "1.0.2");
              jg_kv_str (g, "id", st.name);
              jg_kv_i64 (g, "pid", status == OCI_STOPPED ? 0 : st.init_pid);
              jg_kv_str (g, "status", oci_status_name (status));
              jg_kv_str (g, "bundle", st.bundle);
              jg_kv_str (g, "rootfs", st.rootfs);
              jg_kv_i64 (g, "created", st.created);
              jg_kv_str (g, "owner", "");
              yajl_gen_map_close (g);
            }
          else
            printf ("%-24s %-8d %-10s %s\n", st.name, status == OCI_STOPPED ? 0 : (int)st.init_pid,
                    oci_status_name (status), st.bundle);
        }
      state_release (&st);
    }
  for (char **id = ids; id && *id; id++)
    free (*id);
  free (ids);
  state_root_close (&root);
  if (json)
    {
      cleanup_free char *out = NULL;
      size_t len;
      yajl_gen_array_close (g);
      if (jg_finish (g, &out, &len, &err) < 0)
        return cli_fail (&err);
      printf ("%s\n", out);
    }
  return 0;
}

/* ---- ps ---- */

static const char ps_usage[] = "Usage: cordon ps [--format table|json] ID\n\n"
                               "Lists the host pids of OCI container ID's processes.\n";

int
cli_oci_ps (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  const char *root_dir = NULL, *format = "table";
  struct state_root root;
  struct sandbox_state st;
  char path[64], want[64], got[64];
  bool first = true;
  DIR *d;
  struct dirent *e;
  ssize_t n;
  int i = PARSE_OR_RETURN (parse_common (argc, argv, ps_usage, &root_dir, NULL, NULL, &format));
  bool json = strcmp (format, "json") == 0;

  if (i != argc - 1)
    {
      fputs (ps_usage, stderr);
      return EXIT_USAGE;
    }
  if (oci_open (root_dir, argv[i], &root, &st, &err) < 0)
    return cli_fail (&err);
  n = oci_status_of (&st) == OCI_STOPPED || container_pidns (&st, want, sizeof want) < 0 ? -1 : 1;
  fputs (json ? "[" : "PID\tCMD\n", stdout);
  d = n > 0 ? opendir ("/proc") : NULL;
  while (d && (e = readdir (d)) != NULL)
    {
      int pid = atoi (e->d_name);
      char comm[64] = "";
      if (pid <= 0)
        continue;
      snprintf (path, sizeof path, "/proc/%d/ns/pid", pid);
      n = readlink (path, got, sizeof got - 1);
      if (n >= 0)
        got[n] = '\0';
      if (pid != st.init_pid && (n < 0 || strcmp (got, want) != 0))
        continue;
      if (json)
        printf ("%s%d", first ? "" : ",", pid);
      else
        {
          FILE *f;
          snprintf (path, sizeof path, "/proc/%d/comm", pid);
          f = fopen (path, "re");
          if (f && fgets (comm, sizeof comm, f))
            comm[strcspn (comm, "\n")] = '\0';
          if (f)
            fclose (f);
          printf ("%d\t%s\n", pid, comm);
        }
      first = false;
    }
  if (d)
    closedir (d);
  if (json)
    puts ("]");
  state_release (&st);
  state_root_close (&root);
  return 0;
}

/* ---- features ---- */

int
cli_oci_features (int argc, char **argv)
{
  static const char *const hooks[]
      = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };
  static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts", NULL };
  static const char *const mount_options[]
      = { "bind",   "rbind",  "ro",      "rw",       "nosuid",      "suid",       "nodev",   "dev",
          "noexec", "exec",   "noatime", "relatime", "strictatime", "nodiratime", "private", "rprivate",
          "slave",  "rslave", "shared",  "rshared",  "tmpcopyup",   NULL };
  static const char *const actions[]
      = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
          "SCMP_ACT_TRAP",  "SCMP_ACT_TRACE", "SCMP_ACT_LOG",  "SCMP_ACT_NOTIFY",      NULL };
  static const char *const operators[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
                                           "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };
  static const char *const archs[]
      = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", NULL };
  cleanup_error struct cordon_error err = { 0 };
  cleanup_jgen yajl_gen g = jg_new (true);
  cleanup_free char *out = NULL;
  size_t len;

  if (argc > 1 && strcmp (argv[1], "--help") == 0)
    {
      puts ("Usage: cordon features\n\nPrints what this runtime supports, as `runc features` does.");
      return 0;
    }
  if (g == NULL)
    return EXIT_CORDON_FAILED;
  yajl_gen_map_open (g);
  jg_kv_str (g, "ociVersionMin", "1.0.0");
  jg_kv_str (g, "ociVersionMax", "1.1.0");
  jg_kv_strv (g, "hooks", (char *const *)hooks);
  jg_kv_strv (g, "mountOptions", (char *const *)mount_options);
  jg_str (g, "linux");
  yajl_gen_map_open (g);
  jg_kv_strv (g, "namespaces", (char *const *)namespaces);
  jg_str (g, "cgroup");
  yajl_gen_map_open (g);
  jg_kv_bool (g, "v1", true);
  jg_kv_bool (g, "v2", true);
  jg_kv_bool (g, "systemd", false);
  jg_kv_bool (g, "systemdUser", false);
  yajl_gen_map_close (g);
  jg_str (g, "seccomp");
  yajl_gen_map_open (g);
  jg_kv_bool (g, "enabled", true);
  jg_kv_strv (g, "actions", (char *const *)actions);
  jg_kv_strv (g, "operators", (char *const *)operators);
  jg_kv_strv (g, "archs", (char *const *)archs);
  yajl_gen_map_close (g);
  jg_str (g, "apparmor");
  yajl_gen_map_open (g);
  jg_kv_bool (g, "enabled", true);
  yajl_gen_map_close (g);
  jg_str (g, "selinux");
  yajl_gen_map_open (g);
  jg_kv_bool (g, "enabled", false);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  jg_str (g, "annotations");
  yajl_gen_map_open (g);
  jg_kv_str (g, "org.opencontainers.runtime-spec.features.cordon.version", CORDON_VERSION);
  jg_kv_str (g, "org.opencontainers.runtime-spec.features.cordon.user-namespace", "always");
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  if (jg_finish (g, &out, &len, &err) < 0)
    return cli_fail (&err);
  printf ("%s\n", out);
  return 0;
}
