/* SPDX-License-Identifier: Apache-2.0 */
/* Published ports rootless (`run -p` without root): the host's network
 * namespace takes no nftables rules from an unprivileged user, so the port
 * is a socket cordon binds on the host and a small process (`cordon-ports`)
 * that copies each connection (TCP) or each client's datagrams (UDP) to
 * the sandbox's address, as rootlesskit's builtin port driver does.
 *
 * The sockets are bound in the host's namespace, before the monitor joins
 * the network holder's (netpolicy/holder.h); the forwarder is forked after,
 * so that it connects from inside, where the sandbox's address is
 * reachable.  A socket keeps the namespace it was made in.  A host port
 * already taken is refused when bound, and no one can take it while the
 * sandbox publishes it.
 *
 * pasta's own forwarding (-t/-u) is not used: it is fixed when pasta
 * starts, one pasta serves every sandbox of the user, and it needs
 * /dev/net/tun, which the forwarder does not.  */
#ifndef CORDON_NETPOLICY_FORWARD_H
#define CORDON_NETPOLICY_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "netpolicy/publish.h"

/* At most this many TCP connections and UDP clients at once; more wait
 * (TCP, in the listen queue) or are dropped (UDP).  */
#define FORWARD_MAX_CONNECTIONS 256
#define FORWARD_MAX_UDP_CLIENTS 256
#define FORWARD_UDP_IDLE_SECONDS 60

struct port_forwarder
{
  struct publish_hold hold; /* bound (and, for TCP, listening) sockets in the host's namespace */
  pid_t pid;
};

/* Binds every port of `ports` (canonical -p strings), here.  */
int forward_listen (char *const *ports, struct port_forwarder *f, struct cordon_error *err);
/* Forks the forwarder to `ip` (host order); it dies with its parent.  */
int forward_start (struct port_forwarder *f, uint32_t ip, struct cordon_error *err);
/* Stops the forwarder and closes the sockets.  */
void forward_release (struct port_forwarder *f);

#endif
