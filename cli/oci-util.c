/* SPDX-License-Identifier: Apache-2.0 */
/* What the OCI runtime commands share: lookup by exact id, the status from
 * the kernel, the state JSON, pid files and the console socket.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/oci.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "sandbox/spec.h"

int
oci_open (const char *root_override, const char *id, struct state_root *root, struct sandbox_state *st,
          struct cordon_error *err)
{
  char found[STATE_ID_HEX + 1];
  int r;

  r = state_root_open (root_override, root, err);
  if (r < 0)
    return r;
  r = state_lookup (root, id, found, err);
  if (r >= 0)
    r = state_load (root, found, st, err);
  /* OCI ids are exact: no prefix, and only containers made by `create`.  */
  if (r >= 0 && (st->name == NULL || strcmp (st->name, id) != 0 || st->bundle == NULL))
    {
      state_release (st);
      r = cordon_error_set (err, ENOENT, "container `%s` does not exist", id);
    }
  else if (r < 0)
    {
      cordon_error_release (err);
      r = cordon_error_set (err, ENOENT, "container `%s` does not exist", id);
    }
  if (r < 0)
    state_root_close (root);
  return r;
}

enum oci_status
oci_status_of (const struct sandbox_state *st)
{
  uint64_t now;

  if (st->init_pid <= 0)
    return st->status == STATE_CREATED ? OCI_CREATING : OCI_STOPPED;
  now = state_proc_start_time (st->init_pid);
  if (now == 0 || now != st->init_start)
    return OCI_STOPPED;
  return st->started ? OCI_RUNNING : OCI_CREATED;
}

const char *
oci_status_name (enum oci_status status)
{
  static const char *const names[] = { "creating", "created", "running", "stopped" };
  return names[status];
}

int
oci_state_json (const struct sandbox_state *st, enum oci_status status, const char *annotations_json, bool pretty,
                char **out, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (pretty);
  size_t len;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  yajl_gen_map_open (g);
  jg_kv_str (g, "ociVersion", "1.0.2");
  jg_kv_str (g, "id", st->name);
  jg_kv_str (g, "status", oci_status_name (status));
  jg_kv_i64 (g, "pid", status == OCI_STOPPED ? 0 : st->init_pid);
  jg_kv_str (g, "bundle", st->bundle);
  jg_str (g, "annotations");
  if (annotations_json && annotations_json[0] == '{')
    yajl_gen_number (g, annotations_json, strlen (annotations_json)); /* verbatim: it is JSON we wrote */
  else
    {
      yajl_gen_map_open (g);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  return jg_finish (g, out, &len, err);
}

int
oci_load_hooks (const struct state_root *root, const struct sandbox_state *st, struct oci_hooks *hooks,
                struct cordon_error *err)
{
  cleanup_free char *path = state_path (root, st->id, OCI_CONFIG_FILE);
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  memset (hooks, 0, sizeof *hooks);
  if (path == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = json_read_file (path, SPEC_MAX_FILE_BYTES, &text, &len, err);
  if (r < 0)
    return r;
  return oci_hooks_parse (text, len, hooks, err);
}

void
oci_remove_cgroups (const struct state_root *root, const struct sandbox_state *st)
{
  cleanup_free char *path = state_path (root, st->id, OCI_CGROUPS_FILE);
  char buf[8192], *line, *save = NULL;

  if (path == NULL || fd_read_small (path, 0, buf, sizeof buf) <= 0)
    return;
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    /* Only what create wrote: a cordon-* directory under a cgroup mount.  */
    if (strncmp (line, "/sys/fs/cgroup/", 15) == 0 && strstr (line, "/cordon-") && !strstr (line, "/../"))
      rmdir (line);
}

int
oci_write_pid_file (const char *path, pid_t pid, struct cordon_error *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = -1;
  char text[32];
  int n = snprintf (text, sizeof text, "%d", (int)pid);

  if (asprintf (&tmp, "%s.cordon-tmp", path) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 || !fd_write_all (fd, text, (size_t)n))
    return cordon_error_set (err, errno ? errno : EIO, "--pid-file `%s`", path);
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return cordon_error_set (err, e, "--pid-file `%s`", path);
    }
  return 0;
}

int
oci_send_console (const char *path, int fd, struct cordon_error *err)
{
  cleanup_close int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  static char name[] = "/dev/ptmx";
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control = { 0 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  if (sock < 0)
    return cordon_error_set (err, errno, "--console-socket: socket");
  if (strlen (path) >= sizeof addr.sun_path)
    return cordon_error_set (err, ENAMETOOLONG, "--console-socket `%s`", path);
  strcpy (addr.sun_path, path);
  if (connect (sock, (struct sockaddr *)&addr, sizeof addr) < 0)
    return cordon_error_set (err, errno, "--console-socket `%s`", path);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  if (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    return cordon_error_set (err, errno, "--console-socket `%s`: send the terminal", path);
  return 0;
}
