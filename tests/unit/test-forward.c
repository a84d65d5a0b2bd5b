/* SPDX-License-Identifier: Apache-2.0 */
/* netpolicy/forward.c, the rootless published ports' forwarder, on
 * loopback: a "sandbox" server on one port of 127.0.0.1, published on
 * another.  TCP both ways with half-close, several clients at once, UDP
 * answered to each client, a taken port refused, and the process gone
 * after forward_release.  */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netpolicy/forward.h"

/* A socket on 127.0.0.1 at a port the kernel picks.  */
static int
bound (int type, uint16_t *port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sa;
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);

  cr_assert_geq (fd, 0);
  cr_assert_eq (bind (fd, (struct sockaddr *)&sa, sizeof sa), 0);
  cr_assert_eq (getsockname (fd, (struct sockaddr *)&sa, &len), 0);
  if (type == SOCK_STREAM)
    cr_assert_eq (listen (fd, 16), 0);
  *port = ntohs (sa.sin_port);
  return fd;
}

/* A port free now (bound, then closed).  */
static uint16_t
free_port (int type)
{
  uint16_t port;
  close (bound (type, &port));
  return port;
}

static int
connect_to (int type, uint16_t port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);

  cr_assert_geq (fd, 0);
  cr_assert_eq (connect (fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect: %s", strerror (errno));
  return fd;
}

/* The "sandbox": a forked TCP server that answers each connection with
 * "got:" and everything it read until the client shut down writing.  */
static pid_t
tcp_echo_server (int lfd)
{
  pid_t pid = fork ();

  cr_assert_geq (pid, 0);
  if (pid > 0)
    return pid;
  for (;;)
    {
      char buf[4096];
      ssize_t n;
      int c = accept (lfd, NULL, NULL);
      if (c < 0)
        _exit (1);
      if (write (c, "got:", 4) != 4)
        _exit (1);
      while ((n = read (c, buf, sizeof buf)) > 0)
        if (write (c, buf, (size_t)n) != n)
          _exit (1);
      close (c);
    }
}

static pid_t
udp_echo_server (int fd)
{
  pid_t pid = fork ();

  cr_assert_geq (pid, 0);
  if (pid > 0)
    return pid;
  for (;;)
    {
      char buf[512];
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
      if (n < 0)
        _exit (1);
      if (sendto (fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) != n)
        _exit (1);
    }
}

static void
stop (pid_t pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

static size_t
read_all (int fd, char *buf, size_t size)
{
  size_t got = 0;
  ssize_t n;

  while (got < size - 1 && (n = read (fd, buf + got, size - 1 - got)) > 0)
    got += (size_t)n;
  buf[got] = '\0';
  return got;
}

/* Publishes 127.0.0.1:hport to the "sandbox" at 127.0.0.1:sport.  */
static void
publish (struct port_forwarder *f, uint16_t hport, uint16_t sport, const char *proto)
{
  struct cordon_error err = { 0 };
  char spec[64];
  char *ports[] = { spec, NULL };

  snprintf (spec, sizeof spec, "127.0.0.1:%u:%u/%s", hport, sport, proto);
  cr_assert_eq (forward_listen (ports, f, &err), 0, "%s", err.msg);
  cr_assert_eq (forward_start (f, INADDR_LOOPBACK, &err), 0, "%s", err.msg);
  cordon_error_release (&err);
}

Test (forward, tcp)
{
  struct port_forwarder f;
  uint16_t sport, hport = free_port (SOCK_STREAM);
  int lfd = bound (SOCK_STREAM, &sport);
  pid_t srv = tcp_echo_server (lfd);
  char buf[256];
  int a, b;

  publish (&f, hport, sport, "tcp");
  /* Two clients at once, each with its own answer; half-close passes.  */
  a = connect_to (SOCK_STREAM, hport);
  b = connect_to (SOCK_STREAM, hport);
  cr_assert_eq (write (b, "second", 6), 6);
  cr_assert_eq (write (a, "first", 5), 5);
  shutdown (a, SHUT_WR);
  shutdown (b, SHUT_WR);
  read_all (a, buf, sizeof buf);
  cr_assert_str_eq (buf, "got:first");
  read_all (b, buf, sizeof buf);
  cr_assert_str_eq (buf, "got:second");
  close (a);
  close (b);
  /* The port is held: nobody else may listen there meanwhile.  */
  {
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (hport), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_lt (bind (fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq (errno, EADDRINUSE);
    close (fd);
  }
  forward_release (&f);
  cr_assert_eq (f.pid, 0);
  stop (srv);
  close (lfd);
}

Test (forward, tcp_large)
{
  struct port_forwarder f;
  uint16_t sport, hport = free_port (SOCK_STREAM);
  int lfd = bound (SOCK_STREAM, &sport);
  pid_t srv = tcp_echo_server (lfd), writer;
  size_t total = 0;
  const size_t send_bytes = 8u << 20;
  char buf[65536];
  ssize_t n;
  int a;

  publish (&f, hport, sport, "tcp");
  a = connect_to (SOCK_STREAM, hport);
  /* 8 MiB through both directions at once: no byte lost or reordered
   * (every byte is its offset's low bits).  */
  writer = fork ();
  cr_assert_geq (writer, 0);
  if (writer == 0)
    {
      for (size_t off = 0; off < send_bytes; off += sizeof buf)
        {
          for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (char)((off + i) & 0xff);
          if (write (a, buf, sizeof buf) != (ssize_t)sizeof buf)
            _exit (1);
        }
      shutdown (a, SHUT_WR);
      _exit (0);
    }
  while ((n = read (a, buf, sizeof buf)) > 0)
    {
      for (ssize_t i = 0; i < n; i++)
        {
          size_t at = total + (size_t)i;
          if (at >= 4)
            cr_assert_eq ((unsigned char)buf[i], (unsigned char)((at - 4) & 0xff), "byte %zu", at);
        }
      total += (size_t)n;
    }
  cr_assert_eq (total, send_bytes + 4);
  waitpid (writer, NULL, 0);
  close (a);
  forward_release (&f);
  stop (srv);
  close (lfd);
}

Test (forward, udp)
{
  struct port_forwarder f;
  uint16_t sport, hport = free_port (SOCK_DGRAM);
  int sfd = bound (SOCK_DGRAM, &sport);
  pid_t srv = udp_echo_server (sfd);
  char buf[64];
  int a, b;

  publish (&f, hport, sport, "udp");
  a = connect_to (SOCK_DGRAM, hport);
  b = connect_to (SOCK_DGRAM, hport);
  cr_assert_eq (send (a, "ping-a", 6, 0), 6);
  cr_assert_eq (send (b, "ping-b", 6, 0), 6);
  {
    struct pollfd p = { .fd = a, .events = POLLIN };
    cr_assert_eq (poll (&p, 1, 3000), 1, "no answer to a");
  }
  cr_assert_eq (recv (a, buf, sizeof buf, 0), 6);
  cr_assert_eq (memcmp (buf, "ping-a", 6), 0);
  {
    struct pollfd p = { .fd = b, .events = POLLIN };
    cr_assert_eq (poll (&p, 1, 3000), 1, "no answer to b");
  }
  cr_assert_eq (recv (b, buf, sizeof buf, 0), 6);
  cr_assert_eq (memcmp (buf, "ping-b", 6), 0);
  close (a);
  close (b);
  forward_release (&f);
  stop (srv);
  close (sfd);
}

Test (forward, taken_port_refused)
{
  struct cordon_error err = { 0 };
  struct port_forwarder f;
  uint16_t hport;
  int taken = bound (SOCK_STREAM, &hport);
  char spec[64];
  char *ports[] = { spec, NULL };

  snprintf (spec, sizeof spec, "127.0.0.1:%u:80", hport);
  cr_assert_lt (forward_listen (ports, &f, &err), 0);
  cr_assert (strstr (err.msg, "Address already in use") != NULL, "%s", err.msg);
  forward_release (&f);
  close (taken);
  cordon_error_release (&err);
}
