/* SPDX-License-Identifier: Apache-2.0 */
/* Without cgroups, the monitor measures the sandbox by walking init's
 * descendants in /proc: their resident memory and CPU time, plus what init
 * has reaped.  That is how rootless runs get an aggregate CPU limit and a
 * memory peak.  */
#ifndef CORDON_SANDBOX_PROCTREE_H
#define CORDON_SANDBOX_PROCTREE_H

#include <stdint.h>
#include <sys/types.h>

struct proctree_sample
{
  uint64_t rss_bytes; /* sum over live processes */
  uint64_t cpu_us;    /* live processes' utime+stime, plus init's reaped children */
  unsigned int n_procs;
};

/* Samples the tree rooted at `init` (init itself included).  Returns 0, or
 * -errno when init is gone.  */
int proctree_sample (pid_t init, struct proctree_sample *out);

#endif
