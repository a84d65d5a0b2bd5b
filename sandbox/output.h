/* SPDX-License-Identifier: Apache-2.0 */
/* The output cap: the workload's stdout and stderr are pipes that the
 * monitor copies to their destinations, counting.  Past the cap nothing more
 * is copied and the run ends (the disk is never the limit: a program that
 * writes forever is stopped within one pipe buffer).  */
#ifndef CORDON_SANDBOX_OUTPUT_H
#define CORDON_SANDBOX_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "sandbox/log.h"

struct output_relay
{
  int read_fd[2];  /* pipes from the workload's stdout, stderr; -1 at EOF */
  int write_fd[2]; /* the workload's ends, closed by the monitor after the start */
  int dest_fd[2];  /* where the bytes go (not owned unless owns_dest) */
  bool owns_dest[2];
  uint64_t limit; /* 0: no cap */
  uint64_t total;
  bool over; /* the cap was passed: the monitor ends the run */
  struct log_writer *log; /* set: both streams go to this log instead of dest_fd (not owned) */
};

/* Pipes for stdout and stderr to `dest` (fds; -1 keeps 1 and 2).  */
int output_relay_open (struct output_relay *o, uint64_t limit, int dest_out, int dest_err, struct cordon_error *err);
/* Copies what is ready on stream `i` (0 stdout, 1 stderr); false at EOF.  */
bool output_relay_ready (struct output_relay *o, int i);
/* Copies everything left until EOF (after the sandbox is gone).  */
void output_relay_drain (struct output_relay *o);
void output_relay_close (struct output_relay *o);

#endif
