/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/output.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/fd-util.h"

int
output_relay_open (struct output_relay *o, uint64_t limit, int dest_out, int dest_err, struct cordon_error *err)
{
  int dests[2] = { dest_out, dest_err };

  for (int i = 0; i < 2; i++)
    {
      o->read_fd[i] = o->write_fd[i] = -1;
      o->owns_dest[i] = dests[i] >= 0;
      o->dest_fd[i] = dests[i] >= 0 ? dests[i] : i + 1;
    }
  o->limit = limit;
  o->total = 0;
  o->over = false;
  o->log = NULL;
  for (int i = 0; i < 2; i++)
    {
      int p[2];
      if (pipe2 (p, O_CLOEXEC) < 0)
        return cordon_error_set (err, errno, "output pipe");
      o->read_fd[i] = p[0];
      o->write_fd[i] = p[1];
      if (fcntl (p[0], F_SETFL, O_NONBLOCK) < 0)
        return cordon_error_set (err, errno, "output pipe");
    }
  return 0;
}

bool
output_relay_ready (struct output_relay *o, int i)
{
  char buf[65536];
  ssize_t r = read (o->read_fd[i], buf, sizeof buf);

  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (r <= 0)
    {
      close (o->read_fd[i]);
      o->read_fd[i] = -1;
      return false;
    }
  if (o->limit && o->total + (uint64_t)r > o->limit)
    {
      /* Keep exactly the allowed bytes; the rest is discarded.  */
      size_t keep = o->total < o->limit ? (size_t)(o->limit - o->total) : 0;
      if (o->log)
        log_writer_write (o->log, i, buf, keep);
      else
        fd_write_all (o->dest_fd[i], buf, keep);
      o->total += keep;
      o->over = true;
      return true;
    }
  if (o->log)
    log_writer_write (o->log, i, buf, (size_t)r);
  else
    fd_write_all (o->dest_fd[i], buf, (size_t)r);
  o->total += (uint64_t)r;
  return true;
}

void
output_relay_drain (struct output_relay *o)
{
  for (int i = 0; i < 2; i++)
    if (o->read_fd[i] >= 0)
      {
        fcntl (o->read_fd[i], F_SETFL, 0);
        while (!o->over && o->read_fd[i] >= 0 && output_relay_ready (o, i))
          ;
      }
}

void
output_relay_close (struct output_relay *o)
{
  for (int i = 0; i < 2; i++)
    {
      if (o->read_fd[i] >= 0)
        close (o->read_fd[i]);
      if (o->write_fd[i] >= 0)
        close (o->write_fd[i]);
      if (o->owns_dest[i] && o->dest_fd[i] >= 0)
        close (o->dest_fd[i]);
      o->read_fd[i] = o->write_fd[i] = -1;
      o->owns_dest[i] = false;
    }
}
