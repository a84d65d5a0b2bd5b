/* SPDX-License-Identifier: Apache-2.0 */
/* Published ports (`run -p [HOSTIP:]HOSTPORT:PORT[/tcp|udp]`), as root:
 * nftables DNAT from the host's address and port to the sandbox's, in a
 * table of the sandbox's own (`ip cordon-p-` and 10 digits of its id, as
 * its veth), so that adding and removing its rules touches nothing else,
 * and a stale lease names the table to remove.
 *
 * The default host address is 127.0.0.1, not Docker's 0.0.0.0: a port is
 * reachable from the host only unless the user names an address.  DNAT of
 * loopback traffic to the bridge needs route_localnet on the bridge; the
 * network's table drops what arrives on the bridge for 127.0.0.0/8, which
 * route_localnet would otherwise let a sandbox reach (CVE-2020-8558).  */
#ifndef CORDON_NETPOLICY_PUBLISH_H
#define CORDON_NETPOLICY_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netpolicy/network.h"

#define PUBLISH_LOOPBACK 0x7f000001u
/* "255.255.255.255:65535:65535/udp" */
#define PUBLISH_STRLEN 40

struct net_port
{
  uint32_t host_ip; /* 0: every local address */
  uint16_t host_port;
  uint16_t port;
  bool udp;
};

/* Parses a -p argument; also the canonical form ipam.json keeps.  */
int publish_parse (const char *s, struct net_port *p, struct cordon_error *err);
void publish_format (const struct net_port *p, char buf[PUBLISH_STRLEN]);
/* Same protocol and host port on overlapping host addresses.  */
bool publish_conflict (const struct net_port *a, const struct net_port *b);

/* The sandbox's table's text (heap): its rules when `ports` (canonical
 * strings) are given, else only its removal.  Exposed for tests.  */
int publish_render (const char *id, const struct network_config *cfg, uint32_t ip, char *const *ports, char **out,
                    struct cordon_error *err);
/* Adds the rules (replacing any table of that id) and turns on
 * route_localnet on the bridge when a port is on loopback.  */
int publish_apply (const char *id, const struct network_config *cfg, uint32_t ip, char *const *ports,
                   struct cordon_error *err);
/* Removes the sandbox's table; one that is gone is fine.  */
int publish_remove (const char *id, struct cordon_error *err);

/* The host's side of the ports, as docker-proxy holds it: a socket bound to
 * each HOSTIP:HOSTPORT with its protocol (no SO_REUSEADDR, not listening:
 * the DNAT rules take the traffic before it could reach it).  Binding is
 * the check that no host process has the port (EADDRINUSE: refused, rather
 * than the process silently shadowed); holding it, for as long as the
 * sandbox publishes the port, keeps any from taking it later.  Kept by the
 * monitor; close-on-exec, and the sandbox's init closes what it inherits.  */
struct publish_hold
{
  int *fds;
  struct net_port *ports; /* fds[i] is ports[i]'s */
  size_t n;
};

/* A socket bound to the host side of `p` (`arg`, the -p text, for the
 * messages); with `listener`, also non-blocking and, for TCP, listening
 * (the rootless forwarder's, netpolicy/forward.h).  */
int publish_bind_port (const struct net_port *p, const char *arg, bool listener, struct cordon_error *err);

/* Binds every port of `ports` (canonical -p strings), as
 * publish_bind_port does with `listener`.  All or none: on error nothing
 * is held.  */
int publish_hold_ports (char *const *ports, bool listener, struct publish_hold *h, struct cordon_error *err);
void publish_hold_release (struct publish_hold *h);

#endif
