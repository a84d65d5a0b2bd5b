/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/fd-util.h"

void
pty_relay_init (struct pty_relay *pty, bool relay_stdin)
{
  pty->master = -1;
  pty->raw = false;
  pty->stdin_open = relay_stdin;
}

static void
pty_relay_start (struct pty_relay *pty)
{
  struct termios raw;

  if (!pty->stdin_open || !isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &pty->saved) < 0)
    return;
  raw = pty->saved;
  cfmakeraw (&raw);
  if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0)
    pty->raw = true;
}

void
pty_relay_attach (struct pty_relay *pty, int master)
{
  if (pty->master >= 0)
    close (pty->master);
  pty->master = master;
  pty_relay_resize (pty);
  pty_relay_start (pty);
}

void
pty_relay_resize (struct pty_relay *pty)
{
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (pty->master, TIOCSWINSZ, &ws);
}

bool
pty_relay_master_ready (struct pty_relay *pty)
{
  char buf[8192];
  ssize_t r = read (pty->master, buf, sizeof buf);

  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (r <= 0)
    return false; /* EIO: every slave fd is closed */
  return fd_write_all (STDOUT_FILENO, buf, (size_t)r);
}

void
pty_relay_stdin_ready (struct pty_relay *pty)
{
  char buf[8192];
  ssize_t r = read (STDIN_FILENO, buf, sizeof buf);

  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (r <= 0)
    {
      /* End of our input: the terminal's EOF character tells the workload.  */
      char eof = 4;
      fd_write_all (pty->master, &eof, 1);
      pty->stdin_open = false;
      return;
    }
  fd_write_all (pty->master, buf, (size_t)r);
}

void
pty_relay_close (struct pty_relay *pty)
{
  if (pty->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &pty->saved);
  pty->raw = false;
  if (pty->master >= 0)
    close (pty->master);
  pty->master = -1;
}
