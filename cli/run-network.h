/* SPDX-License-Identifier: Apache-2.0 */
/* cordon run --network NAME|bridge [--ip] [--dns-name] [--add-host]: in the
 * process that will be the sandbox's monitor (the CLI, or the detached
 * monitor), take the lease and bind the sandbox's /etc/hosts before the
 * sandbox exists, give it eth0 between clone and start, and give everything
 * back when it ends.  */
#ifndef CORDON_CLI_RUN_NETWORK_H
#define CORDON_CLI_RUN_NETWORK_H

#include <stdbool.h>

#include "audit/audit.h"
#include "cli/run-args.h"
#include "netpolicy/attach.h"
#include "netpolicy/egress.h"
#include "netpolicy/forward.h"
#include "sandbox/container.h"
#include "sandbox/spec.h"

struct run_network
{
  struct network_attachment att;
  bool active;
  /* -p rootless: the host's sockets and the process that forwards them.  */
  struct port_forwarder fwd;
  /* --egress-allow: the policy, and the sandbox's network namespace held
   * open so that its refusals can still be read once the sandbox ended.  */
  struct egress_policy egress;
  bool egress_on;
  bool have_netns;
  int netns_fd;
  bool started; /* the namespaces were set up once: a later call is a restart */
};

/* The last --network (Docker's rule), or NULL.  */
const char *run_network_flag (const struct run_args *a);

/* Nothing to do (returns 0) unless --network names a bridge network.
 * `id` is the detached sandbox's id, or NULL (a fresh one).  Sets the
 * options' hook and network name.  */
int run_network_prepare (struct run_network *n, const struct run_args *a, struct cordon_spec *spec, const char *id,
                         struct sandbox_options *opts, struct cordon_error *err);

/* Writes the egress policy's refusals to the audit log: one `policy-denied`
 * record per destination it remembered (at most EGRESS_DENIED_MAX), then
 * one `policy-denied-summary` with the count of all.  Best effort: an
 * unreadable table is said on stderr.  */
void run_network_audit_denials (struct run_network *n, struct audit_log *log, const char *sandbox_id);

void run_network_release (struct run_network *n);

#endif
