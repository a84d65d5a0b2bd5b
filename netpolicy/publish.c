/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/publish.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "netpolicy/cidr.h"
#include "netpolicy/nft.h"

static int
parse_port (const char *s, size_t len, uint16_t *out)
{
  unsigned v = 0;

  if (len == 0 || len > 5)
    return -EINVAL;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -EINVAL;
      v = v * 10 + (unsigned)(s[i] - '0');
    }
  if (v == 0 || v > 65535)
    return -EINVAL;
  *out = (uint16_t)v;
  return 0;
}

int
publish_parse (const char *s, struct net_port *p, struct cordon_error *err)
{
  const char *slash = strchr (s, '/');
  const char *last, *first;
  size_t len = slash ? (size_t)(slash - s) : strlen (s);
  char ip[NET_ADDR_STRLEN];

  *p = (struct net_port){ .host_ip = PUBLISH_LOOPBACK };
  if (slash && strcmp (slash + 1, "udp") == 0)
    p->udp = true;
  else if (slash && strcmp (slash + 1, "tcp") != 0)
    return cordon_error_set (err, EINVAL, "-p `%s`: the protocol is tcp or udp", s);
  last = memrchr (s, ':', len);
  if (last == NULL)
    return cordon_error_set (err, EINVAL, "-p `%s`: expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]", s);
  first = memrchr (s, ':', (size_t)(last - s));
  if (first)
    {
      size_t iplen = (size_t)(first - s);
      if (iplen == 0 || iplen >= sizeof ip)
        return cordon_error_set (err, EINVAL, "-p `%s`: expected an IPv4 host address", s);
      memcpy (ip, s, iplen);
      ip[iplen] = '\0';
      if (net_parse_ipv4 (ip, &p->host_ip) < 0)
        return cordon_error_set (err, EINVAL, "-p `%s`: expected an IPv4 host address", s);
    }
  first = first ? first + 1 : s;
  if (parse_port (first, (size_t)(last - first), &p->host_port) < 0
      || parse_port (last + 1, (size_t)(s + len - last - 1), &p->port) < 0)
    return cordon_error_set (err, EINVAL, "-p `%s`: ports are 1 to 65535 (ranges are not supported)", s);
  return 0;
}

void
publish_format (const struct net_port *p, char buf[PUBLISH_STRLEN])
{
  char ip[NET_ADDR_STRLEN];

  net_format_ipv4 (p->host_ip, ip);
  snprintf (buf, PUBLISH_STRLEN, "%s:%u:%u/%s", ip, p->host_port, p->port, p->udp ? "udp" : "tcp");
}

bool
publish_conflict (const struct net_port *a, const struct net_port *b)
{
  return a->udp == b->udp && a->host_port == b->host_port
         && (a->host_ip == 0 || b->host_ip == 0 || a->host_ip == b->host_ip);
}

int
publish_render (const char *id, const struct network_config *cfg, uint32_t ip, char *const *ports, char **out,
                struct cordon_error *err)
{
  char *buf = NULL;
  size_t size = 0;
  char to[NET_ADDR_STRLEN];
  FILE *f = open_memstream (&buf, &size);
  int r = 0;

  if (f == NULL)
    return cordon_error_set (err, errno, "open_memstream");
  net_format_ipv4 (ip, to);
  /* Add then delete, as the network's table: gone whether it was or not.  */
  fprintf (f, "table ip cordon-p-%.10s\ndelete table ip cordon-p-%.10s\n", id, id);
  if (ports && ports[0])
    {
      static const char *const hooks[] = { "prerouting", "output" };

      fprintf (f, "table ip cordon-p-%.10s {\n", id);
      for (size_t h = 0; h < 2; h++)
        {
          /* -100: dstnat, which nft 1.0 names in prerouting only.  */
          fprintf (f, "  chain %s {\n    type nat hook %s priority -100; policy accept;\n", hooks[h], hooks[h]);
          for (char *const *p = ports; *p && r == 0; p++)
            {
              struct net_port np;
              char hip[NET_ADDR_STRLEN], match[64];

              r = publish_parse (*p, &np, err);
              if (r < 0)
                break;
              net_format_ipv4 (np.host_ip, hip);
              if (np.host_ip == 0)
                snprintf (match, sizeof match, "fib daddr type local");
              else
                snprintf (match, sizeof match, "ip daddr %s", hip);
              fprintf (f, "    %s %s dport %u dnat to %s:%u\n", match, np.udp ? "udp" : "tcp", np.host_port, to,
                       np.port);
            }
          fputs ("  }\n", f);
        }
      /* Loopback traffic keeps its source through DNAT; the sandbox could
       * not answer 127.0.0.1 (its own), so it sees the bridge's address.  */
      fprintf (f,
               "  chain postrouting {\n"
               "    type nat hook postrouting priority srcnat; policy accept;\n"
               "    oifname \"%s\" ip saddr 127.0.0.0/8 ip daddr %s masquerade\n"
               "  }\n"
               "}\n",
               cfg->bridge, to);
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return cordon_error_set (err, ENOMEM, "nftables ruleset");
    }
  if (r < 0)
    {
      free (buf);
      return r;
    }
  *out = buf;
  return 0;
}

static int
enable_route_localnet (const char *bridge, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  char path[96];

  snprintf (path, sizeof path, "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || !fd_write_all (fd, "1\n", 2))
    return cordon_error_set (err, errno ? errno : EIO, "turn on route_localnet on %s", bridge);
  return 0;
}

int
publish_apply (const char *id, const struct network_config *cfg, uint32_t ip, char *const *ports,
               struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  int r;

  for (char *const *p = ports; p && *p; p++)
    {
      struct net_port np;
      r = publish_parse (*p, &np, err);
      if (r < 0)
        return r;
      if ((np.host_ip == 0 || (np.host_ip >> 24) == 127) && (r = enable_route_localnet (cfg->bridge, err)) < 0)
        return r;
    }
  r = publish_render (id, cfg, ip, ports, &text, err);
  if (r < 0)
    return r;
  return nft_run_text (text, NULL, err);
}

int
publish_remove (const char *id, struct cordon_error *err)
{
  struct network_config none = { .bridge = "-" };
  cleanup_free char *text = NULL;
  int r;

  r = publish_render (id, &none, 0, NULL, &text, err);
  if (r < 0)
    return r;
  return nft_run_text (text, NULL, err);
}

int
publish_bind_port (const struct net_port *p, const char *arg, bool listener, struct cordon_error *err)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (p->host_port) };
  const char *proto = p->udp ? "udp" : "tcp";
  char hip[NET_ADDR_STRLEN];
  int fd, e, one = 1;

  sa.sin_addr.s_addr = htonl (p->host_ip);
  fd = socket (AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | (listener ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0)
    return cordon_error_set (err, errno, "-p %s: socket", arg);
  /* A listener's earlier connections in TIME_WAIT must not refuse the
   * port; a live listener still does (SO_REUSEADDR does not share one).  */
  if (listener && !p->udp && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
    {
      e = errno;
      close (fd);
      return cordon_error_set (err, e, "-p %s: SO_REUSEADDR", arg);
    }
  if (bind (fd, (const struct sockaddr *)&sa, sizeof sa) == 0 && (!listener || p->udp || listen (fd, 128) == 0))
    return fd;
  e = errno;
  close (fd);
  net_format_ipv4 (p->host_ip, hip);
  if (e == EADDRNOTAVAIL)
    return cordon_error_set (err, e, "-p %s: %s is not an address of this host", arg, hip);
  if (e == EACCES)
    return cordon_error_set (err, e, "-p %s: host port %u is privileged (below net.ipv4.ip_unprivileged_port_start)",
                             arg, p->host_port);
  /* EADDRINUSE: "...: Address already in use", a host process has it.  */
  return cordon_error_set (err, e, "-p %s: host port %s:%u/%s", arg, hip, p->host_port, proto);
}

int
publish_hold_ports (char *const *ports, bool listener, struct publish_hold *h, struct cordon_error *err)
{
  size_t n = 0;

  *h = (struct publish_hold){ 0 };
  for (char *const *p = ports; p && *p; p++)
    n++;
  if (n == 0)
    return 0;
  h->fds = calloc (n, sizeof *h->fds);
  h->ports = calloc (n, sizeof *h->ports);
  if (h->fds == NULL || h->ports == NULL)
    {
      publish_hold_release (h);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  for (char *const *p = ports; *p; p++)
    {
      int r = publish_parse (*p, &h->ports[h->n], err);

      if (r >= 0)
        r = publish_bind_port (&h->ports[h->n], *p, listener, err);
      if (r < 0)
        {
          publish_hold_release (h);
          return r;
        }
      h->fds[h->n++] = r;
    }
  return 0;
}

void
publish_hold_release (struct publish_hold *h)
{
  for (size_t i = 0; i < h->n; i++)
    close (h->fds[i]);
  free (h->fds);
  free (h->ports);
  *h = (struct publish_hold){ 0 };
}
