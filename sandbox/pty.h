/* SPDX-License-Identifier: Apache-2.0 */
/* `-t`: the workload gets a new pseudo-terminal as its controlling terminal;
 * the monitor relays between it and the caller's terminal (in raw mode).
 * The workload never holds the caller's terminal, so it cannot inject input
 * there (TIOCSTI).  */
#ifndef CORDON_SANDBOX_PTY_H
#define CORDON_SANDBOX_PTY_H

#include <stdbool.h>
#include <termios.h>

#include "common/error.h"

struct pty_relay
{
  int master;           /* -1 until init sends it */
  bool raw;             /* the caller's terminal was put in raw mode */
  bool stdin_open;      /* still relaying our stdin */
  struct termios saved; /* to restore */
};

void pty_relay_init (struct pty_relay *pty, bool relay_stdin);
/* Takes the master init allocated in the sandbox's devpts: sizes the
 * terminal like ours and puts ours in raw mode.  */
void pty_relay_attach (struct pty_relay *pty, int master);
/* Copies the caller's window size to the terminal (and on SIGWINCH).  */
void pty_relay_resize (struct pty_relay *pty);
/* Moves what is ready: stdin -> master, master -> stdout.  Returns false when
 * the master has closed (the workload's side is gone).  */
bool pty_relay_master_ready (struct pty_relay *pty);
void pty_relay_stdin_ready (struct pty_relay *pty);
void pty_relay_close (struct pty_relay *pty);

#endif
