/* SPDX-License-Identifier: Apache-2.0 */
/* cordon cp: files in and out of a running sandbox, as `docker cp` copies
 * them, through sandbox/copy.h (no sandbox path is ever resolved on the
 * host).  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/json-gen.h"
#include "sandbox/copy.h"

static const char cp_usage[] = "Usage: cordon cp [--root DIR] ID|NAME:SRC DEST\n"
                               "       cordon cp [--root DIR] SRC ID|NAME:DEST\n"
                               "\n"
                               "Copies files, directories (recursively) and symlinks (as symlinks) between\n"
                               "a running sandbox and the host, keeping modes.  SRC/. copies a directory's\n"
                               "contents.  Paths inside resolve inside the sandbox's root, whatever its\n"
                               "symlinks say.  What cp writes inside belongs to the sandbox's root; what\n"
                               "it writes outside, to the caller, without set-user-id or set-group-id bits.\n";

/* "REF:PATH" names the sandbox side when the colon comes before any
 * slash (docker cp's rule: ./a:b is a host path).  */
static char *
split_ref (const char *arg, const char **path)
{
  const char *colon = strchr (arg, ':');
  const char *slash = strchr (arg, '/');

  if (colon == NULL || colon == arg || (slash && slash < colon))
    return NULL;
  *path = colon + 1;
  return strndup (arg, (size_t)(colon - arg));
}

/* The host id the sandbox's 0 maps to, from /proc/PID/uid_map or gid_map.  */
static int64_t
mapped_root (pid_t pid, const char *map)
{
  char path[64], buf[4096];
  unsigned long inside, outside, count;

  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, map);
  if (fd_read_small (path, 0, buf, sizeof buf) <= 0)
    return -1;
  for (char *line = buf; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (sscanf (line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && count > 0)
      return (int64_t)outside;
  return -1;
}

/* The sandbox's root: /proc/PID/root of its init, opened O_PATH while a
 * pidfd pins the process, then checked to be alive: the pid named the
 * process we meant when the root was opened.  */
static int
open_root_of (pid_t pid, uint64_t start)
{
  cleanup_close int pidfd = lifecycle_pidfd (pid, start);
  cleanup_close int fd = -1;
  char path[64];

  if (pidfd < 0)
    return pidfd;
  snprintf (path, sizeof path, "/proc/%d/root", (int)pid);
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  if (syscall (SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
    return -ESRCH;
  return steal_fd (&fd);
}

static int
open_sandbox_root (const struct sandbox_state *st, struct cordon_error *err)
{
  int fd = open_root_of (st->init_pid, st->init_start);

  /* Rootless, init is not dumpable and its memory belongs to the host's
   * user namespace, so /proc/PID/root of init is closed to us; the
   * workload, execve'd inside the sandbox's user namespace, has the same
   * root and is ours to look at.  */
  if (fd == -EACCES || fd == -EPERM)
    {
      pid_t w = lifecycle_find_workload (st->init_pid);
      fd = w > 0 ? open_root_of (w, state_proc_start_time (w)) : -ESRCH;
    }
  if (fd < 0)
    return cordon_error_set (err, -fd, "sandbox %.12s: open its root", st->id);
  return fd;
}

static char *
audit_data (bool into, const char *src, const char *dst, const struct sandbox_copy *c)
{
  cleanup_jgen yajl_gen g = jg_new (false);
  cleanup_error struct cordon_error err = { 0 };
  char *out = NULL;
  size_t len;

  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  jg_kv_str (g, "direction", into ? "in" : "out");
  jg_kv_str (g, "source", src);
  jg_kv_str (g, "destination", dst);
  jg_kv_u64 (g, "files", c->files);
  jg_kv_u64 (g, "directories", c->dirs);
  jg_kv_u64 (g, "symlinks", c->symlinks);
  jg_kv_u64 (g, "skipped", c->skipped);
  yajl_gen_map_close (g);
  if (jg_finish (g, &out, &len, &err) < 0)
    return NULL;
  return out;
}

int
cli_cp (int argc, char **argv)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *src_ref = NULL, *dst_ref = NULL, *data = NULL;
  const char *root_dir = NULL, *src, *dst;
  struct sandbox_copy c = { .rootfd = -1, .fsuid = -1, .fsgid = -1 };
  struct state_root root;
  struct sandbox_state st;
  bool into;
  int r, ch;

  optind = 1;
  opterr = 0;
  while ((ch = getopt_long (argc, argv, "+", options, NULL)) != -1)
    switch (ch)
      {
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (cp_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: cp: unknown or incomplete option `%s`\n%s", argv[optind - 1], cp_usage);
        return EXIT_USAGE;
      }
  if (argc - optind != 2)
    {
      fputs (cp_usage, stderr);
      return EXIT_USAGE;
    }
  src = argv[optind];
  dst = argv[optind + 1];
  src_ref = split_ref (argv[optind], &src);
  dst_ref = split_ref (argv[optind + 1], &dst);
  if ((src_ref == NULL) == (dst_ref == NULL))
    {
      fprintf (stderr, "cordon: cp: one of SRC and DEST (not both) is ID:PATH\n");
      return EXIT_USAGE;
    }
  into = dst_ref != NULL;
  if (*src == '\0' || *dst == '\0')
    {
      fprintf (stderr, "cordon: cp: an empty path\n");
      return EXIT_USAGE;
    }
  r = lifecycle_open (root_dir, into ? dst_ref : src_ref, &root, &st, &err);
  if (r < 0)
    return cli_fail (&err);
  if (!lifecycle_is_running (&st) || st.status != STATE_RUNNING)
    r = cordon_error_set (&err, 0, "sandbox %s is not running", st.id);
  else
    r = c.rootfd = open_sandbox_root (&st, &err);
  if (r >= 0 && geteuid () == 0)
    {
      c.fsuid = mapped_root (st.init_pid, "uid_map");
      c.fsgid = mapped_root (st.init_pid, "gid_map");
      if (c.fsuid < 0 || c.fsgid < 0)
        r = cordon_error_set (&err, EINVAL, "sandbox %.12s: its root maps to no host id", st.id);
    }
  if (r >= 0)
    r = into ? sandbox_copy_in (&c, src, dst, &err) : sandbox_copy_out (&c, src, dst, &err);
  if (r >= 0)
    {
      data = audit_data (into, src, dst, &c);
      lifecycle_audit (&st, "cp", NULL, data);
    }
  if (c.rootfd >= 0)
    close (c.rootfd);
  state_release (&st);
  state_root_close (&root);
  return r < 0 ? cli_fail (&err) : 0;
}
