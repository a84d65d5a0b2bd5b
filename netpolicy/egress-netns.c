/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/egress-netns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "netpolicy/nft.h"

#define NETNS_OUTPUT_MAX (1u << 20)

/* The child's report on the pipe: "0" and nft's output, or "1" and the
 * error's message.  */
static _Noreturn void
child_run (int netns_fd, int out_fd, const char *text, bool want_output)
{
  struct cordon_error err = { 0 };
  char *output = NULL;
  int r;

  if (setns (netns_fd, CLONE_NEWNET) < 0)
    r = cordon_error_set (&err, errno, "join the sandbox's network namespace");
  else
    r = nft_run_text (text, want_output ? &output : NULL, &err);
  if (r < 0)
    {
      const char *m = err.msg ? err.msg : "nftables failed";
      if (!fd_write_all (out_fd, "1", 1) || !fd_write_all (out_fd, m, strlen (m)))
        _exit (2);
      _exit (1);
    }
  if (!fd_write_all (out_fd, "0", 1) || (output && !fd_write_all (out_fd, output, strlen (output))))
    _exit (2);
  _exit (0);
}

/* Reads a pipe to its end (at most NETNS_OUTPUT_MAX), NUL-terminated.  */
static int
read_pipe (int fd, char **out, size_t *len)
{
  cleanup_free char *buf = NULL;
  size_t got = 0, cap = 0;

  for (;;)
    {
      ssize_t n;
      if (cap - got < 4096)
        {
          char *nb;
          if (cap >= NETNS_OUTPUT_MAX)
            return -EFBIG;
          cap = cap ? cap * 2 : 8192;
          nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return -ENOMEM;
          buf = nb;
        }
      n = read (fd, buf + got, cap - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        break;
      got += (size_t)n;
    }
  if (buf == NULL)
    buf = calloc (1, 1);
  if (buf == NULL)
    return -ENOMEM;
  buf[got] = '\0';
  *out = steal_pointer (&buf);
  *len = got;
  return 0;
}

static int
run_in_netns (int netns_fd, const char *text, char **output, struct cordon_error *err)
{
  int fds[2];
  cleanup_close int rd = -1;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  int status = 0;
  pid_t pid;
  int r;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return cordon_error_set (err, errno, "pipe");
  rd = fds[0];
  pid = fork ();
  if (pid < 0)
    {
      r = errno;
      close (fds[1]);
      return cordon_error_set (err, r, "fork");
    }
  if (pid == 0)
    {
      close (fds[0]);
      child_run (netns_fd, fds[1], text, output != NULL);
    }
  close (fds[1]);
  r = read_pipe (rd, &buf, &len);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return cordon_error_set (err, errno, "waitpid");
  if (r < 0)
    return cordon_error_set (err, -r, "read from the nftables helper");
  if (len == 0 || !WIFEXITED (status) || (buf[0] != '0' && buf[0] != '1'))
    return cordon_error_set (err, EIO, "the nftables helper died");
  if (buf[0] == '1')
    {
      r = cordon_error_set (err, 0, "egress policy: %.*s", (int)(len - 1), buf + 1);
      err->status = EPERM;
      return r;
    }
  if (output)
    {
      memmove (buf, buf + 1, len - 1);
      buf[len - 1] = '\0';
      *output = steal_pointer (&buf);
    }
  return 0;
}

int
egress_netns_apply (int netns_fd, const struct egress_policy *p, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  int r = egress_render (p, &text, err);

  if (r < 0)
    return r;
  return run_in_netns (netns_fd, text, NULL, err);
}

int
egress_netns_add_peers (int netns_fd, uint32_t subnet, unsigned prefix, uint32_t gateway, struct cordon_error *err)
{
  cleanup_free char *tables = NULL, *text = NULL;
  int r = run_in_netns (netns_fd, "list tables inet\n", &tables, err);

  /* No table: the sandbox's profile allows egress; nothing to widen.  */
  if (r < 0 || strstr (tables, "table inet " EGRESS_TABLE "\n") == NULL)
    return r < 0 ? r : 0;
  r = egress_render_peers (subnet, prefix, gateway, &text, err);
  if (r < 0)
    return r;
  return run_in_netns (netns_fd, text, NULL, err);
}

int
egress_netns_denials (int netns_fd, struct egress_denial **out, size_t *n, uint64_t *total, struct cordon_error *err)
{
  cleanup_free char *listing = NULL;
  int r = run_in_netns (netns_fd, "list table inet " EGRESS_TABLE "\n", &listing, err);

  if (r < 0)
    return r;
  return egress_parse_listing (listing, out, n, total, err);
}
