/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/oci-hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "common/strv.h"
#include "sandbox/spec.h"

static const char *const kind_names[OCI_HOOK__COUNT] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static const struct json_limits hook_limits = {
  .max_bytes = SPEC_MAX_FILE_BYTES,
  .max_items = SPEC_MAX_ITEMS,
  .max_string = SPEC_MAX_STRING,
};

const char *
oci_hook_kind_name (enum oci_hook_kind kind)
{
  return kind < OCI_HOOK__COUNT ? kind_names[kind] : "?";
}

static int
parse_one (yajl_val v, const char *where, struct oci_hook *h, struct cordon_error *err)
{
  char at[256];
  yajl_val f;
  int r;

  if ((r = json_want_object (v, where, err)) < 0)
    return r;
  json_path (at, sizeof at, "%s.path", where);
  if ((r = json_string (json_get (v, "path"), &hook_limits, at, &h->path, err)) < 0)
    return r;
  if (h->path[0] != '/')
    return cordon_error_set (err, EINVAL, "%s: must be an absolute path", at);
  if ((f = json_get (v, "args")) && !YAJL_IS_NULL (f))
    {
      json_path (at, sizeof at, "%s.args", where);
      if ((r = json_strv (f, &hook_limits, at, &h->args, err)) < 0)
        return r;
    }
  if ((f = json_get (v, "env")) && !YAJL_IS_NULL (f))
    {
      json_path (at, sizeof at, "%s.env", where);
      if ((r = json_strv (f, &hook_limits, at, &h->env, err)) < 0)
        return r;
    }
  if ((f = json_get (v, "timeout")) && !YAJL_IS_NULL (f))
    {
      uint32_t t;
      json_path (at, sizeof at, "%s.timeout", where);
      if ((r = json_u32 (f, at, &t, err)) < 0)
        return r;
      if (t == 0 || t > 86400)
        return cordon_error_set (err, EINVAL, "%s: must be 1..86400 seconds", at);
      h->timeout = (int)t;
    }
  return 0;
}

static int
parse_annotations (yajl_val v, struct oci_hooks *hooks, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (false);
  size_t len;
  int r;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  yajl_gen_map_open (g);
  if (v && !YAJL_IS_NULL (v))
    {
      if ((r = json_want_object (v, "config.json: annotations", err)) < 0)
        return r;
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          if (!YAJL_IS_STRING (v->u.object.values[i]))
            return cordon_error_set (err, EINVAL, "config.json: annotations.%s: expected a string",
                                     v->u.object.keys[i]);
          jg_kv_str (g, v->u.object.keys[i], YAJL_GET_STRING (v->u.object.values[i]));
        }
    }
  yajl_gen_map_close (g);
  return jg_finish (g, &hooks->annotations_json, &len, err);
}

int
oci_hooks_parse (const char *text, size_t len, struct oci_hooks *hooks, struct cordon_error *err)
{
  cleanup_json yajl_val tree = NULL;
  yajl_val all;
  int r;

  memset (hooks, 0, sizeof *hooks);
  r = json_parse (text, len, &hook_limits, "config.json", &tree, err);
  if (r < 0)
    return r;
  r = parse_annotations (json_get (tree, "annotations"), hooks, err);
  if (r < 0)
    return r;
  all = json_get (tree, "hooks");
  if (all == NULL || YAJL_IS_NULL (all))
    return 0;
  if ((r = json_want_object (all, "config.json: hooks", err)) < 0)
    return r;
  for (int k = 0; k < OCI_HOOK__COUNT; k++)
    {
      yajl_val list = json_get (all, kind_names[k]);
      char at[128];

      if (list == NULL || YAJL_IS_NULL (list))
        continue;
      json_path (at, sizeof at, "config.json: hooks.%s", kind_names[k]);
      if ((r = json_want_array (list, &hook_limits, at, err)) < 0)
        return r;
      hooks->list[k] = calloc (list->u.array.len + 1, sizeof *hooks->list[k]);
      if (hooks->list[k] == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
      for (size_t i = 0; i < list->u.array.len; i++)
        {
          json_path (at, sizeof at, "config.json: hooks.%s[%zu]", kind_names[k], i);
          hooks->n[k] = i + 1;
          if ((r = parse_one (list->u.array.values[i], at, &hooks->list[k][i], err)) < 0)
            return r;
        }
    }
  return 0;
}

void
oci_hooks_release (struct oci_hooks *hooks)
{
  for (int k = 0; k < OCI_HOOK__COUNT; k++)
    {
      for (size_t i = 0; i < hooks->n[k]; i++)
        {
          free (hooks->list[k][i].path);
          strv_free (hooks->list[k][i].args);
          strv_free (hooks->list[k][i].env);
        }
      free (hooks->list[k]);
      hooks->list[k] = NULL;
      hooks->n[k] = 0;
    }
  free (hooks->annotations_json);
  hooks->annotations_json = NULL;
}

/* In the child: the state on stdin, stdout onto stderr (our stdout may be
 * the container's, read by conmon), nothing else of ours.  */
__attribute__ ((noreturn)) static void
hook_child (const struct oci_hook *h, int in)
{
  static char *const empty[] = { NULL };
  char *fallback[] = { h->path, NULL };
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (dup2 (in, 0) < 0 || dup2 (2, 1) < 0)
    _exit (127);
  execve (h->path, h->args && h->args[0] ? h->args : fallback, h->env ? h->env : empty);
  fprintf (stderr, "cordon: hook `%s`: %s\n", h->path, strerror (errno));
  _exit (127);
}

static int
wait_hook (pid_t pid, int timeout, int *status)
{
  cleanup_close int pidfd = (int)syscall (SYS_pidfd_open, pid, 0);
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

  if (pidfd >= 0 && timeout > 0)
    {
      int n;
      do
        n = poll (&pfd, 1, timeout * 1000);
      while (n < 0 && errno == EINTR);
      if (n == 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, status, 0);
          return -ETIMEDOUT;
        }
    }
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

static int
run_one (const struct oci_hook *h, const char *what, const char *state_json, struct cordon_error *err)
{
  int p[2], status = 0, r;
  size_t len = strlen (state_json);
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "%s hook: pipe", what);
  pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return cordon_error_set (err, errno, "%s hook: fork", what);
    }
  if (pid == 0)
    {
      close (p[1]);
      hook_child (h, p[0]);
    }
  close (p[0]);
  /* A hook that does not read its stdin must not block us: the state is
   * small, and what the pipe does not take is dropped.  */
  if (fcntl (p[1], F_SETFL, O_NONBLOCK) == 0)
    {
      ssize_t w = write (p[1], state_json, len);
      (void)w;
    }
  close (p[1]);
  r = wait_hook (pid, h->timeout, &status);
  if (r == -ETIMEDOUT)
    return cordon_error_set (err, ETIMEDOUT, "%s hook `%s`: killed after %d s", what, h->path, h->timeout);
  if (r < 0)
    return cordon_error_set (err, -r, "%s hook `%s`: wait", what, h->path);
  if (WIFSIGNALED (status))
    return cordon_error_set (err, EIO, "%s hook `%s`: killed by signal %d", what, h->path, WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    return cordon_error_set (err, EIO, "%s hook `%s`: exit status %d", what, h->path, WEXITSTATUS (status));
  return 0;
}

int
oci_hooks_run (const struct oci_hooks *hooks, enum oci_hook_kind kind, const char *state_json, struct cordon_error *err)
{
  for (size_t i = 0; i < hooks->n[kind]; i++)
    {
      int r = run_one (&hooks->list[kind][i], kind_names[kind], state_json, err);
      if (r < 0)
        return r;
    }
  return 0;
}
