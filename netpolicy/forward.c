/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/forward.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"

/* Each direction of a TCP connection goes through a pipe with splice: the
 * bytes are never copied to user space (0.63x of direct loopback with
 * read and send through a 64 KiB buffer, see bench/published-port).  */
#define FORWARD_PIPE_BYTES (1u << 20)

/* ---- binding, in the host's namespace -------------------------------- */

int
forward_listen (char *const *ports, struct port_forwarder *f, struct cordon_error *err)
{
  *f = (struct port_forwarder){ 0 };
  return publish_hold_ports (ports, true, &f->hold, err);
}

/* ---- the forwarder process ------------------------------------------- */

struct pipe_buf
{
  int fd[2]; /* a pipe: [0] read, [1] write */
  size_t len, cap;
  bool eof; /* the reading side ended; shut down writing when drained */
};

struct tcp_conn
{
  int fd[2]; /* 0: the client, on the host; 1: the sandbox */
  bool connecting;
  struct pipe_buf to[2]; /* to[i]: bytes waiting to be written to fd[i] */
};

struct udp_client
{
  int listen_index;
  struct sockaddr_in from;
  int fd; /* connected to the sandbox's port */
  time_t last;
};

struct forwarder
{
  const struct port_forwarder *f;
  uint32_t ip;
  struct tcp_conn conns[FORWARD_MAX_CONNECTIONS];
  size_t n_conns;
  struct udp_client clients[FORWARD_MAX_UDP_CLIENTS];
  size_t n_clients;
};

static int
connect_sandbox (const struct forwarder *w, const struct net_port *p)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (p->port), .sin_addr.s_addr = htonl (w->ip) };
  int fd = socket (AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
pipe_close (struct pipe_buf *b)
{
  if (b->fd[0] >= 0)
    close (b->fd[0]);
  if (b->fd[1] >= 0)
    close (b->fd[1]);
  b->fd[0] = b->fd[1] = -1;
}

static bool
pipe_open (struct pipe_buf *b)
{
  int cap;

  *b = (struct pipe_buf){ .fd = { -1, -1 } };
  if (pipe2 (b->fd, O_CLOEXEC | O_NONBLOCK) < 0)
    return false;
  /* Bigger than the default 64 KiB when the limit allows (1 MiB is the
   * default pipe-max-size for unprivileged users).  */
  cap = fcntl (b->fd[1], F_SETPIPE_SZ, FORWARD_PIPE_BYTES);
  if (cap < 0)
    cap = fcntl (b->fd[1], F_GETPIPE_SZ);
  b->cap = cap > 0 ? (size_t)cap : 65536;
  return true;
}

static void
conn_close (struct forwarder *w, size_t i)
{
  struct tcp_conn *c = &w->conns[i];

  if (c->fd[0] >= 0)
    close (c->fd[0]);
  if (c->fd[1] >= 0)
    close (c->fd[1]);
  pipe_close (&c->to[0]);
  pipe_close (&c->to[1]);
  w->conns[i] = w->conns[--w->n_conns];
}

static void
tcp_accept (struct forwarder *w, size_t li)
{
  while (w->n_conns < FORWARD_MAX_CONNECTIONS)
    {
      struct tcp_conn *c = &w->conns[w->n_conns];
      int client = accept4 (w->f->hold.fds[li], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      bool piped;

      if (client < 0)
        return;
      *c = (struct tcp_conn){ .fd = { client, connect_sandbox (w, &w->f->hold.ports[li]) }, .connecting = true };
      piped = pipe_open (&c->to[0]) && pipe_open (&c->to[1]);
      w->n_conns++;
      /* The sandbox is not listening (yet), or no fd is left: the client
       * sees the connection closed, as with a closed port.  */
      if (c->fd[1] < 0 || !piped)
        conn_close (w, w->n_conns - 1);
    }
}

/* Moves what fd[from] has into the pipe to[1-from], and the pipe out to
 * fd[1-from].  False when the connection is over.  */
static bool
pump (struct tcp_conn *c, int from, short revents_from, short revents_to)
{
  int dst = 1 - from;
  struct pipe_buf *b = &c->to[dst];

  if ((revents_from & (POLLIN | POLLHUP | POLLERR)) && !b->eof && b->len < b->cap)
    {
      ssize_t n = splice (c->fd[from], NULL, b->fd[1], NULL, b->cap - b->len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0)
        b->len += (size_t)n;
      else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        b->eof = true;
    }
  if (b->len > 0 && (revents_to & POLLOUT || revents_from))
    {
      ssize_t n = splice (b->fd[0], NULL, c->fd[dst], NULL, b->len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0)
        b->len -= (size_t)n;
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        return false;
    }
  if (b->eof && b->len == 0)
    shutdown (c->fd[dst], SHUT_WR);
  return true;
}

static bool
tcp_step (struct tcp_conn *c, const struct pollfd *p)
{
  if (c->connecting)
    {
      int e = 0;
      socklen_t len = sizeof e;
      if (!(p[1].revents & (POLLOUT | POLLERR | POLLHUP)))
        return true;
      if (getsockopt (c->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e != 0)
        return false;
      c->connecting = false;
    }
  if (!pump (c, 0, p[0].revents, p[1].revents) || !pump (c, 1, p[1].revents, p[0].revents))
    return false;
  /* A side that hung up for good, with nothing left to give the other:
   * nothing more can reach it either (and poll would keep saying so).  */
  for (int side = 0; side < 2; side++)
    if ((p[side].revents & (POLLHUP | POLLERR)) && c->to[1 - side].eof && c->to[1 - side].len == 0)
      return false;
  return !(c->to[0].eof && c->to[1].eof && c->to[0].len == 0 && c->to[1].len == 0);
}

static short
tcp_events (const struct tcp_conn *c, int side)
{
  short ev = 0;

  if (side == 1 && c->connecting)
    return POLLOUT;
  if (!c->to[1 - side].eof && c->to[1 - side].len < c->to[1 - side].cap)
    ev |= POLLIN;
  if (c->to[side].len > 0)
    ev |= POLLOUT;
  return ev;
}

static void
udp_from_host (struct forwarder *w, size_t li, time_t now)
{
  char buf[65536];

  for (;;)
    {
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      struct udp_client *c = NULL;
      ssize_t n = recvfrom (w->f->hold.fds[li], buf, sizeof buf, 0, (struct sockaddr *)&from, &len);

      if (n < 0)
        return;
      for (size_t i = 0; i < w->n_clients && c == NULL; i++)
        if (w->clients[i].listen_index == (int)li && w->clients[i].from.sin_addr.s_addr == from.sin_addr.s_addr
            && w->clients[i].from.sin_port == from.sin_port)
          c = &w->clients[i];
      if (c == NULL)
        {
          int fd;
          if (w->n_clients == FORWARD_MAX_UDP_CLIENTS || (fd = connect_sandbox (w, &w->f->hold.ports[li])) < 0)
            continue;
          c = &w->clients[w->n_clients++];
          *c = (struct udp_client){ .listen_index = (int)li, .from = from, .fd = fd };
        }
      c->last = now;
      (void)!send (c->fd, buf, (size_t)n, MSG_NOSIGNAL);
    }
}

static void
udp_from_sandbox (struct forwarder *w, struct udp_client *c, time_t now)
{
  char buf[65536];
  ssize_t n;

  while ((n = recv (c->fd, buf, sizeof buf, 0)) >= 0)
    {
      c->last = now;
      (void)!sendto (w->f->hold.fds[c->listen_index], buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&c->from,
                     sizeof c->from);
    }
}

static void
udp_expire (struct forwarder *w, time_t now)
{
  for (size_t i = 0; i < w->n_clients;)
    if (now - w->clients[i].last > FORWARD_UDP_IDLE_SECONDS)
      {
        close (w->clients[i].fd);
        w->clients[i] = w->clients[--w->n_clients];
      }
    else
      i++;
}

static _Noreturn void
forwarder_loop (struct forwarder *w)
{
  size_t cap = w->f->hold.n + 2 * FORWARD_MAX_CONNECTIONS + FORWARD_MAX_UDP_CLIENTS;
  struct pollfd *p = calloc (cap, sizeof *p);

  if (p == NULL)
    _exit (1);
  for (;;)
    {
      size_t k = 0, first_conn, first_client, n_conns, n_clients;
      time_t now;

      for (size_t i = 0; i < w->f->hold.n; i++)
        p[k++] = (struct pollfd){ .fd = w->f->hold.fds[i], .events = POLLIN };
      first_conn = k;
      n_conns = w->n_conns;
      for (size_t i = 0; i < n_conns; i++)
        {
          p[k++] = (struct pollfd){ .fd = w->conns[i].fd[0], .events = tcp_events (&w->conns[i], 0) };
          p[k++] = (struct pollfd){ .fd = w->conns[i].fd[1], .events = tcp_events (&w->conns[i], 1) };
        }
      first_client = k;
      n_clients = w->n_clients;
      for (size_t i = 0; i < n_clients; i++)
        p[k++] = (struct pollfd){ .fd = w->clients[i].fd, .events = POLLIN };
      if (poll (p, k, 5000) < 0 && errno != EINTR)
        _exit (1);
      now = time (NULL);
      /* Connections and clients first, backwards: closing one moves the
       * last into its slot, which was already handled.  */
      for (size_t i = n_conns; i-- > 0;)
        if (!tcp_step (&w->conns[i], &p[first_conn + 2 * i]))
          conn_close (w, i);
      for (size_t i = n_clients; i-- > 0;)
        if (p[first_client + i].revents & POLLIN)
          udp_from_sandbox (w, &w->clients[i], now);
      for (size_t i = 0; i < w->f->hold.n; i++)
        if (p[i].revents & POLLIN)
          {
            if (w->f->hold.ports[i].udp)
              udp_from_host (w, i, now);
            else
              tcp_accept (w, i);
          }
      udp_expire (w, now);
    }
}

int
forward_start (struct port_forwarder *f, uint32_t ip, struct cordon_error *err)
{
  pid_t parent = getpid ();
  pid_t pid;

  if (f->hold.n == 0)
    return 0;
  pid = fork ();
  if (pid < 0)
    return cordon_error_set (err, errno, "fork the port forwarder");
  if (pid == 0)
    {
      struct forwarder *w = calloc (1, sizeof *w);
      struct rlimit nofile;

      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
        _exit (1);
      /* A socket in 0-2 (our stdio was closed) moves up before /dev/null
       * takes those.  */
      for (size_t i = 0; i < f->hold.n; i++)
        if (f->hold.fds[i] < 3 && (f->hold.fds[i] = fcntl (f->hold.fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
          _exit (1);
      if (fd_stdio_to_devnull () < 0)
        _exit (1);
      /* It holds no lock, log or pipe of its parent's.  */
      if (fd_close_all_except (f->hold.fds, f->hold.n) < 0)
        _exit (1);
      /* Six fds a connection (two sockets, two pipes): more than the
       * usual soft limit of 1024 at the most connections.  */
      if (getrlimit (RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max)
        {
          nofile.rlim_cur = nofile.rlim_max;
          (void)!setrlimit (RLIMIT_NOFILE, &nofile);
        }
      prctl (PR_SET_NAME, "cordon-ports");
      signal (SIGPIPE, SIG_IGN);
      signal (SIGTERM, SIG_DFL);
      if (w == NULL)
        _exit (1);
      w->f = f;
      w->ip = ip;
      forwarder_loop (w);
    }
  f->pid = pid;
  return 0;
}

void
forward_release (struct port_forwarder *f)
{
  if (f->pid > 0)
    {
      kill (f->pid, SIGKILL);
      while (waitpid (f->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  publish_hold_release (&f->hold);
  *f = (struct port_forwarder){ 0 };
}
