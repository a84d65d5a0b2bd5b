/* SPDX-License-Identifier: Apache-2.0 */
/* Messages between the monitor and init over a SOCK_SEQPACKET pair: one
 * struct a message, so a short read is a protocol error, not a partial one.  */
#ifndef CORDON_SANDBOX_SYNC_H
#define CORDON_SANDBOX_SYNC_H

#include <stdint.h>

enum sync_type
{
  SYNC_GO = 1,   /* monitor -> init: the id maps are written */
  SYNC_STARTED,  /* init -> monitor: the workload was executed */
  SYNC_FAILED,   /* init -> monitor: setup or exec failed; see exit_code and text */
  SYNC_EXITED,   /* init -> monitor: the workload's main process ended */
  SYNC_TERMINAL, /* init -> monitor: the terminal's master, as SCM_RIGHTS */
  SYNC_LISTENER, /* workload -> monitor: its seccomp listener, as SCM_RIGHTS (report_denied) */
  SYNC_CREATED,  /* init -> monitor (OCI create): the sandbox is built; init now waits for start */
};

struct sync_msg
{
  uint32_t type;
  int32_t exit_code; /* SYNC_FAILED: 125, 126 or 127; SYNC_EXITED: the exit status */
  int32_t signal;    /* SYNC_EXITED: the signal that killed it, or 0 */
  int32_t pad;
  char text[1024]; /* SYNC_FAILED: what failed */
};

/* Sends `msg`, and `pass_fd` with it unless it is -1.  */
int sync_send (int fd, const struct sync_msg *msg, int pass_fd);
/* Returns 1 on a message, 0 on EOF (the peer is gone), -errno on error.  A
 * passed fd lands in *passed_fd (close-on-exec), else it is set to -1.  */
int sync_recv (int fd, struct sync_msg *msg, int *passed_fd);

#endif
