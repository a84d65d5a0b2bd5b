/* SPDX-License-Identifier: Apache-2.0 */
/* The state root and its directories: create, load (and reconcile with the
 * kernel), save atomically, list, look up, remove.  */
#include "sandbox/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/hex.h"
#include "common/strv.h"
#include "common/userns.h"

static char *
default_root (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  char *out = NULL;

  /* Root of the host; root of a user namespace (rootless podman runs its
   * runtime in one) is a user, whose runtime directory it keeps.  */
  if (userns_host_root ())
    return strdup ("/run/cordon");
  if (xdg && xdg[0] == '/')
    {
      if (asprintf (&out, "%s/cordon", xdg) < 0)
        return NULL;
      return out;
    }
  if (asprintf (&out, "/tmp/cordon-%u", (unsigned)geteuid ()) < 0)
    return NULL;
  return out;
}

int
state_root_open (const char *override, struct state_root *root, struct cordon_error *err)
{
  cleanup_free char *path = override ? strdup (override) : default_root ();
  cleanup_close int fd = -1;
  struct stat sb;

  root->dfd = -1;
  root->path = NULL;
  if (path == NULL)
    return cordon_error_set (err, ENOMEM, "state root");
  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    return cordon_error_set (err, errno, "state root `%s`", path);
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "state root `%s`", path);
  if (fstat (fd, &sb) < 0)
    return cordon_error_set (err, errno, "state root `%s`", path);
  /* /tmp is shared: a directory planted there by another user would let
   * them forge or read our sandboxes' state.  */
  if (sb.st_uid != geteuid () || (sb.st_mode & 022))
    return cordon_error_set (err, EPERM, "state root `%s`: not owned by us, or writable by others", path);
  root->dfd = steal_fd (&fd);
  root->path = steal_pointer (&path);
  return 0;
}

void
state_root_close (struct state_root *root)
{
  if (root->dfd >= 0)
    close (root->dfd);
  free (root->path);
  root->dfd = -1;
  root->path = NULL;
}

static int
lock_at (int dfd, const char *path, const char *what, struct cordon_error *err)
{
  int fd = openat (dfd, path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "lock `%s`", what);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return cordon_error_set (err, e, "flock `%s`", what);
      }
  return fd;
}

int
state_root_lock (const struct state_root *root, struct cordon_error *err)
{
  return lock_at (root->dfd, ".lock", root->path, err);
}

int
state_lock (const struct state_root *root, const char *id, struct cordon_error *err)
{
  char path[STATE_ID_HEX + 16];

  snprintf (path, sizeof path, "%s/lock", id);
  return lock_at (root->dfd, path, id, err);
}

int
state_new_id (char id[STATE_ID_HEX + 1])
{
  uint8_t raw[STATE_ID_HEX / 2];

  if (getrandom (raw, sizeof raw, 0) != (ssize_t)sizeof raw)
    return -EIO;
  hex_encode (raw, sizeof raw, id);
  id[STATE_ID_HEX] = '\0';
  return 0;
}

bool
state_name_valid (const char *name)
{
  size_t n = strlen (name);

  if (n < 2 || n > STATE_NAME_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

static bool
is_id (const char *s)
{
  if (strlen (s) != STATE_ID_HEX)
    return false;
  return strspn (s, "0123456789abcdef") == STATE_ID_HEX;
}

int
state_list (const struct state_root *root, char ***ids, struct cordon_error *err)
{
  cleanup_strv char **out = calloc (1, sizeof *out);
  int fd = openat (root->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;

  if (out == NULL)
    {
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, ENOMEM, "state list");
    }
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, e, "read `%s`", root->path);
    }
  while ((de = readdir (d)) != NULL)
    if (is_id (de->d_name) && strv_append (&out, de->d_name) < 0)
      {
        closedir (d);
        return cordon_error_set (err, ENOMEM, "state list");
      }
  closedir (d);
  *ids = steal_pointer (&out);
  return 0;
}

static int
load_raw (const struct state_root *root, const char *id, struct sandbox_state *st, struct cordon_error *err)
{
  char path[STATE_ID_HEX + 16];
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  snprintf (path, sizeof path, "%s/state.json", id);
  fd = openat (root->dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cordon_error_set (err, errno, "sandbox %.12s: state.json", id);
  r = fd_read_all (fd, STATE_MAX_FILE_BYTES, &text, &len);
  if (r < 0)
    return cordon_error_set (err, -r, "sandbox %.12s: state.json", id);
  r = state_parse (text, len, st, err);
  if (r < 0)
    return cordon_error_wrap (err, "sandbox %.12s", id);
  if (strcmp (st->id, id) != 0)
    {
      state_release (st);
      return cordon_error_set (err, EINVAL, "sandbox %.12s: state.json names another id", id);
    }
  return 0;
}

int
state_load (const struct state_root *root, const char *id, struct sandbox_state *st, struct cordon_error *err)
{
  cleanup_close int lock = -1;
  int r = load_raw (root, id, st, err);

  if (r < 0 || !state_reconcile (st))
    return r;
  /* The monitor may have written its end just before it exited: decide
   * again under the lock it writes with, from what is on disk, and record
   * the verdict once (the first reader's time is the best we know).  */
  state_release (st);
  lock = state_lock (root, id, err);
  if (lock < 0)
    return lock;
  r = load_raw (root, id, st, err);
  if (r < 0)
    return r;
  if (state_reconcile (st))
    {
      cleanup_error struct cordon_error ignored = { 0 };
      state_save (root, st, &ignored);
    }
  return 0;
}

int
state_save (const struct state_root *root, const struct sandbox_state *st, struct cordon_error *err)
{
  cleanup_free char *json = NULL;
  cleanup_close int fd = -1;
  char tmp[STATE_ID_HEX + 32], path[STATE_ID_HEX + 16];
  size_t len;
  int r;

  r = state_to_json (st, true, &json, &len, err);
  if (r < 0)
    return r;
  snprintf (tmp, sizeof tmp, "%s/.state.json.%d", st->id, (int)getpid ());
  snprintf (path, sizeof path, "%s/state.json", st->id);
  fd = openat (root->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cordon_error_set (err, errno, "sandbox %.12s: write state", st->id);
  /* No fsync: the state root is a tmpfs (/run, $XDG_RUNTIME_DIR) and state
   * does not outlive a reboot anyway; rename makes the update atomic.  */
  if (!fd_write_all (fd, json, len) || !fd_write_all (fd, "\n", 1))
    {
      r = cordon_error_set (err, errno ? errno : EIO, "sandbox %.12s: write state", st->id);
      unlinkat (root->dfd, tmp, 0);
      return r;
    }
  if (renameat (root->dfd, tmp, root->dfd, path) < 0)
    {
      r = cordon_error_set (err, errno, "sandbox %.12s: write state", st->id);
      unlinkat (root->dfd, tmp, 0);
      return r;
    }
  return 0;
}

/* Under the root lock: is `name` used by another sandbox?  */
static int
name_owner (const struct state_root *root, const char *name, char owner[STATE_ID_HEX + 1], struct cordon_error *err)
{
  cleanup_strv char **ids = NULL;
  int r = state_list (root, &ids, err);

  if (r < 0)
    return r;
  for (char **p = ids; *p; p++)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      struct sandbox_state other;
      bool same;

      if (load_raw (root, *p, &other, &ignored) < 0)
        continue;
      same = other.name && strcmp (other.name, name) == 0;
      state_release (&other);
      if (same)
        {
          memcpy (owner, *p, STATE_ID_HEX + 1);
          return 1;
        }
    }
  return 0;
}

int
state_create (const struct state_root *root, struct sandbox_state *st, struct cordon_error *err)
{
  cleanup_close int lock = state_root_lock (root, err);
  char owner[STATE_ID_HEX + 1];
  int r;

  if (lock < 0)
    return lock;
  if (st->name)
    {
      if (!state_name_valid (st->name))
        return cordon_error_set (err, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                 st->name);
      r = name_owner (root, st->name, owner, err);
      if (r < 0)
        return r;
      if (r > 0)
        return cordon_error_set (err, EEXIST,
                                 "Conflict. The container name \"/%s\" is already in use by container \"%s\". You "
                                 "have to remove (or rename) that container to be able to reuse that name.",
                                 st->name, owner);
    }
  if (mkdirat (root->dfd, st->id, 0700) < 0)
    return cordon_error_set (err, errno, "sandbox directory `%s/%s`", root->path, st->id);
  r = state_save (root, st, err);
  if (r < 0)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      state_remove (root, st->id, &ignored);
    }
  return r;
}

int
state_remove (const struct state_root *root, const char *id, struct cordon_error *err)
{
  cleanup_close int dfd = -1;
  DIR *d;
  struct dirent *de;

  if (!is_id (id))
    return cordon_error_set (err, EINVAL, "`%s`: not a sandbox id", id);
  dfd = openat (root->dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return errno == ENOENT ? 0 : cordon_error_set (err, errno, "sandbox %.12s", id);
  /* Only regular files are ever written here: remove what is there (the
   * known files and any temporary file of a writer that died).  */
  d = fdopendir (dfd);
  if (d == NULL)
    return cordon_error_set (err, errno, "sandbox %.12s", id);
  dfd = -1;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0 && unlinkat (dirfd (d), de->d_name, 0) < 0
        && errno != ENOENT)
      {
        int e = errno;
        closedir (d);
        return cordon_error_set (err, e, "sandbox %.12s: remove %s", id, de->d_name);
      }
  closedir (d);
  if (unlinkat (root->dfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return cordon_error_set (err, errno, "sandbox %.12s: remove the directory", id);
  return 0;
}

int
state_lookup (const struct state_root *root, const char *ref, char id[STATE_ID_HEX + 1], struct cordon_error *err)
{
  cleanup_strv char **ids = NULL;
  size_t n_prefix = 0;
  size_t reflen = strlen (ref);
  int r;

  if (reflen == 0)
    return cordon_error_set (err, 0, "No such sandbox: %s", ref);
  r = state_list (root, &ids, err);
  if (r < 0)
    return r;
  for (char **p = ids; *p; p++)
    if (strcmp (*p, ref) == 0)
      {
        memcpy (id, *p, STATE_ID_HEX + 1);
        return 0;
      }
  if (state_name_valid (ref))
    {
      char owner[STATE_ID_HEX + 1];
      r = name_owner (root, ref, owner, err);
      if (r < 0)
        return r;
      if (r > 0)
        {
          memcpy (id, owner, STATE_ID_HEX + 1);
          return 0;
        }
    }
  for (char **p = ids; *p; p++)
    if (strncmp (*p, ref, reflen) == 0)
      {
        if (n_prefix++ == 0)
          memcpy (id, *p, STATE_ID_HEX + 1);
      }
  if (n_prefix == 1)
    return 0;
  if (n_prefix > 1)
    return cordon_error_set (err, 0, "multiple IDs found with provided prefix: %s", ref);
  return cordon_error_set (err, 0, "No such sandbox: %s", ref);
}

char *
state_path (const struct state_root *root, const char *id, const char *file)
{
  char *out = NULL;

  if (asprintf (&out, "%s/%s/%s", root->path, id, file) < 0)
    return NULL;
  return out;
}

uint64_t
state_proc_start_time (pid_t pid)
{
  char path[64], buf[1024];
  const char *p;
  unsigned long long start = 0;
  ssize_t n;

  if (pid <= 0)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  n = fd_read_small (path, 0, buf, sizeof buf);
  if (n <= 0)
    return 0;
  /* comm may hold spaces and parentheses: the fields start after the last
   * ')'.  starttime is field 22; after ") " comes field 3.  */
  p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p++;
  /* A zombie is gone for our purposes: nothing may have reaped it yet (a
   * container's pid 1 that does not wait), but it runs nothing.  */
  if (p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X'))
    return 0;
  for (int field = 3; field < 22 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL || sscanf (p, " %llu", &start) != 1)
    return 0;
  return start;
}

bool
state_monitor_alive (const struct sandbox_state *st)
{
  uint64_t now;

  if (st->monitor_pid <= 0)
    return false;
  now = state_proc_start_time (st->monitor_pid);
  return now != 0 && now == st->monitor_start;
}

bool
state_reconcile (struct sandbox_state *st)
{
  char *reason = NULL;

  if (st->status != STATE_RUNNING && st->status != STATE_CREATED)
    return false;
  /* `cordon create` made it: no monitor yet, by design.  */
  if (st->status == STATE_CREATED && st->pending_start && st->monitor_pid == 0)
    return false;
  if (state_monitor_alive (st))
    return false;
  /* The CLI writes `created` before it forks the monitor, which then
   * writes its own pid: give it that moment.  */
  if (st->status == STATE_CREATED && st->monitor_pid == 0 && (int64_t)time (NULL) - st->created < 10)
    return false;
  /* init dies with its monitor (PR_SET_PDEATHSIG): nothing runs now.  */
  if (asprintf (&reason, "the monitor (pid %d) is gone without recording an exit; the sandbox was killed with it",
                (int)st->monitor_pid)
      < 0)
    reason = NULL;
  free (st->reason);
  st->reason = reason;
  st->status = STATE_STOPPED;
  if (st->exit_code < 0)
    st->exit_code = 137;
  if (st->finished == 0)
    st->finished = (int64_t)time (NULL);
  return true;
}
