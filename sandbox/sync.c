/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/sync.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

int
sync_send (int fd, const struct sync_msg *msg)
{
  ssize_t w;

  do
    w = send (fd, msg, sizeof *msg, MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return -errno;
  return w == (ssize_t) sizeof *msg ? 0 : -EIO;
}

int
sync_recv (int fd, struct sync_msg *msg)
{
  ssize_t r;

  do
    r = recv (fd, msg, sizeof *msg, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -errno;
  if (r == 0)
    return 0;
  if (r != (ssize_t) sizeof *msg)
    return -EPROTO;
  msg->text[sizeof msg->text - 1] = '\0';
  return 1;
}
