/* SPDX-License-Identifier: Apache-2.0 */
/* cordon network connect|disconnect NETWORK SANDBOX, as `docker network`:
 * a running sandbox joins or leaves a bridge network.  The kernel and
 * lease work is netpolicy/connect.c; here: finding the sandbox, its
 * network namespace and monitor, the refusals, its state and audit.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "netpolicy/cidr.h"
#include "netpolicy/connect.h"
#include "netpolicy/holder.h"

/* Docker's words, for the sandboxes that share the host's network.  */
#define HOST_REFUSAL "container cannot be disconnected from host network or connected to host network"

struct connect_target
{
  struct state_root root;
  struct sandbox_state st;
  char display[STATE_NAME_MAX + 1];
  bool running;
};

static int
target_open (const char *root_dir, const char *ref, struct connect_target *t, struct cordon_error *err)
{
  int r = lifecycle_open (root_dir, ref, &t->root, &t->st, err);

  if (r < 0)
    return r;
  snprintf (t->display, sizeof t->display, "%.*s", t->st.name ? STATE_NAME_MAX : STATE_SHORT_ID,
            t->st.name ? t->st.name : t->st.id);
  t->running = t->st.status == STATE_RUNNING && t->st.init_pid > 0 && state_monitor_alive (&t->st);
  return 0;
}

static void
target_close (struct connect_target *t)
{
  state_release (&t->st);
  state_root_close (&t->root);
}

/* Rootless, /proc/INIT/ns/net is refused to the user who owns the sandbox:
 * init is not dumpable, and its memory belongs to the host's user
 * namespace, where the user has no CAP_SYS_PTRACE.  The workload's is
 * the same namespace (it cannot leave it: no CAP_SYS_ADMIN), and its
 * memory belongs to the sandbox's user namespace, over which the network
 * holder's root has every capability.  Found again once open: still
 * init's child, so in the sandbox.  */
static int
netns_of_workload (const struct sandbox_state *st, struct cordon_error *err)
{
  pid_t w = lifecycle_find_workload (st->init_pid);
  cleanup_close int fd = -1;
  char path[64];

  if (w <= 0)
    return cordon_error_set (err, ESRCH, "sandbox %.12s: its workload is gone", st->id);
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)w);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "sandbox %.12s: its network namespace", st->id);
  if (lifecycle_find_workload (st->init_pid) != w || state_proc_start_time (st->init_pid) != st->init_start)
    return cordon_error_set (err, ESRCH, "sandbox %.12s: its workload is gone", st->id);
  return steal_fd (&fd);
}

/* The sandbox's network namespace, checked to be its init's: the start
 * time is read again once the namespace is open, so a pid reused since
 * cannot hand us another process's.  */
static int
open_netns (const struct sandbox_state *st, struct cordon_error *err)
{
  cleanup_close int fd = -1;
  struct stat ours, theirs;
  char path[64];

  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)st->init_pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == EACCES)
    return netns_of_workload (st, err);
  if (fd < 0 || state_proc_start_time (st->init_pid) != st->init_start)
    return cordon_error_set (err, fd < 0 ? errno : ESRCH, "sandbox %.12s: its network namespace", st->id);
  /* --network host (or a spec without a network namespace): ours.  */
  if (fstat (fd, &theirs) < 0 || stat ("/proc/self/ns/net", &ours) < 0)
    return cordon_error_set (err, errno, "sandbox %.12s: its network namespace", st->id);
  if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
    return cordon_error_set (err, 0, HOST_REFUSAL);
  return steal_fd (&fd);
}

/* Docker's refusals of the modes that have no bridge network to join.  */
static int
check_mode (const struct sandbox_state *st, const char *network, struct cordon_error *err)
{
  const char *mode = st->network_mode;

  if (strcmp (network, "host") == 0 || (mode && strcmp (mode, "host") == 0))
    return cordon_error_set (err, 0, HOST_REFUSAL);
  if (strcmp (network, "none") == 0 || (mode && strcmp (mode, "none") == 0))
    return cordon_error_set (err, 0,
                             "container cannot be connected to multiple networks with one of the networks in "
                             "private (none) mode (sandbox %.12s runs with --network none)",
                             st->id);
  return 0;
}

/* Re-reads state.json under its lock and adds or removes `network` in its
 * list: the monitor (and pause) may have written meanwhile.  */
static int
record (const struct connect_target *t, const char *network, bool add, struct cordon_error *err)
{
  cleanup_close int lock = state_lock (&t->root, t->st.id, err);
  struct sandbox_state now;
  int r;

  if (lock < 0)
    return lock;
  r = state_load (&t->root, t->st.id, &now, err);
  if (r < 0)
    return r;
  if (add && !strv_contains (now.networks, network))
    r = strv_append (&now.networks, network) < 0 ? cordon_error_set (err, ENOMEM, "out of memory") : 0;
  if (!add)
    strv_remove (now.networks, network);
  if (r >= 0)
    r = state_save (&t->root, &now, err);
  state_release (&now);
  return r;
}

static int
connect_names (const struct connect_target *t, const char *network, char **aliases, char ***names,
               struct cordon_error *err)
{
  /* As `run`: names on user-defined networks only, its --name among them.  */
  if (strcmp (network, NETWORK_DEFAULT) == 0)
    {
      if (aliases && aliases[0])
        return cordon_error_set (err, 0,
                                 "network-scoped alias is supported only for containers in user defined networks");
      return 0;
    }
  *names = calloc (1, sizeof **names);
  if (*names == NULL || (t->st.name && strv_append (names, t->st.name) < 0))
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (char **p = aliases; p && *p; p++)
    {
      if (!network_name_valid (*p))
        return cordon_error_set (err, EINVAL, "--alias `%s`: not a valid host name", *p);
      if (!strv_contains (*names, *p) && strv_append (names, *p) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  return 0;
}

static int
do_connect (const char *root_dir, const char *network, const char *ref, uint32_t ip, char **aliases, char **argv,
            struct cordon_error *err)
{
  struct connect_target t;
  struct network_store store = { .dfd = -1 };
  cleanup_strv char **names = NULL;
  cleanup_close int nsfd = -1;
  struct network_endpoint ep;
  int r;

  r = target_open (root_dir, ref, &t, err);
  if (r < 0)
    return r;
  r = check_mode (&t.st, network, err);
  if (r >= 0 && !t.running)
    r = cordon_error_set (err, 0, "sandbox %s is not running", t.display);
  if (r >= 0 && ip && strcmp (network, NETWORK_DEFAULT) == 0)
    r = cordon_error_set (err, 0, "--ip: user specified IP address is supported on user defined networks only");
  if (r >= 0)
    r = connect_names (&t, network, aliases, &names, err);
  if (r >= 0)
    r = network_store_open (root_dir, &store, err);
  /* Rootless: into the user's network namespace (netpolicy/holder.h)
   * first, whose root may open the namespaces of the sandboxes made in it
   * (the user may not: the sandbox's init is not dumpable).  */
  if (r >= 0)
    r = netns_holder_enter (&store, true, err);
  if (r >= 0 && (nsfd = open_netns (&t.st, err)) < 0)
    r = nsfd;
  if (r >= 0)
    {
      /* The lease is the monitor's: it is reaped when the monitor dies,
       * as the lease of the network the sandbox started on.  */
      struct network_endpoint_request req = {
        .network = network,
        .id = t.st.id,
        .display = t.display,
        .ip = ip,
        .names = names,
        .owner_pid = t.st.monitor_pid,
        .owner_start = t.st.monitor_start,
        .netns_fd = nsfd,
      };
      r = network_connect (&store, &req, &ep, err);
    }
  if (r >= 0 && (r = record (&t, network, true, err)) < 0)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      network_disconnect (&store, network, t.st.id, t.display, false, &ignored);
    }
  if (r >= 0)
    {
      char addr[NET_ADDR_STRLEN], data[256];
      net_format_ipv4 (ep.ip, addr);
      snprintf (data, sizeof data, "{\"network\":\"%s\",\"ip\":\"%s\",\"interface\":\"%s\",\"veth\":\"%s\"}",
                network, addr, ep.ifname, ep.veth);
      lifecycle_audit (&t.st, "network-connect", argv, data);
    }
  network_store_close (&store);
  target_close (&t);
  return r;
}

static int
do_disconnect (const char *root_dir, const char *network, const char *ref, bool force, char **argv,
               struct cordon_error *err)
{
  struct connect_target t;
  struct network_store store = { .dfd = -1 };
  bool first;
  int r;

  r = target_open (root_dir, ref, &t, err);
  if (r < 0)
    return r;
  r = check_mode (&t.st, network, err);
  /* -f: what a sandbox that is not running left is cleaned all the same.  */
  if (r >= 0 && !t.running && !force)
    r = cordon_error_set (err, 0, "sandbox %s is not running", t.display);
  /* Its /etc/hosts is the file of the network it started on, bind-mounted:
   * that one stays while it runs, and follows its other networks.  */
  first = t.running && t.st.network_mode && strcmp (t.st.network_mode, network) == 0;
  if (r >= 0)
    r = network_store_open (root_dir, &store, err);
  if (r >= 0)
    r = netns_holder_enter (&store, true, err);
  if (r >= 0)
    r = network_disconnect (&store, network, t.st.id, t.display, first, err);
  if (r == -ENOENT && force && strv_contains (t.st.networks, network))
    {
      cordon_error_release (err);
      r = 0;
    }
  if (r >= 0)
    r = record (&t, network, false, err);
  if (r >= 0)
    {
      char data[128];
      snprintf (data, sizeof data, "{\"network\":\"%s\",\"force\":%s}", network, force ? "true" : "false");
      lifecycle_audit (&t.st, "network-disconnect", argv, data);
    }
  network_store_close (&store);
  target_close (&t);
  return r;
}

int
cli_network_connect (const char *root_dir, int argc, char **argv)
{
  static const struct option opts[] = {
    { "ip", required_argument, NULL, 'i' },
    { "alias", required_argument, NULL, 'a' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  cleanup_strv char **aliases = calloc (1, sizeof *aliases);
  uint32_t ip = 0;
  int ch;

  if (aliases == NULL)
    {
      cordon_error_set (&err, ENOMEM, "out of memory");
      return cli_fail (&err);
    }
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    switch (ch)
      {
      case 'i':
        if (net_parse_ipv4 (optarg, &ip) < 0)
          {
            fprintf (stderr, "cordon: network connect: --ip `%s`: expected an IPv4 address\n", optarg);
            return EXIT_USAGE;
          }
        break;
      case 'a':
        if (strv_append (&aliases, optarg) < 0)
          {
            cordon_error_set (&err, ENOMEM, "out of memory");
            return cli_fail (&err);
          }
        break;
      default:
        fprintf (stderr, "cordon: network connect: unknown or incomplete option `%s` (see cordon network --help)\n",
                 argv[optind - 1]);
        return EXIT_USAGE;
      }
  if (optind + 2 != argc)
    {
      fputs ("cordon: network connect takes NETWORK SANDBOX (see cordon network --help)\n", stderr);
      return EXIT_USAGE;
    }
  if (do_connect (root_dir, argv[optind], argv[optind + 1], ip, aliases, argv, &err) < 0)
    return cli_fail (&err);
  return 0;
}

int
cli_network_disconnect (const char *root_dir, int argc, char **argv)
{
  static const struct option opts[] = {
    { "force", no_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  bool force = false;
  int ch;

  optind = 1;
  opterr = 0;
  while ((ch = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    switch (ch)
      {
      case 'f':
        force = true;
        break;
      default:
        fprintf (stderr,
                 "cordon: network disconnect: unknown or incomplete option `%s` (see cordon network --help)\n",
                 argv[optind - 1]);
        return EXIT_USAGE;
      }
  if (optind + 2 != argc)
    {
      fputs ("cordon: network disconnect takes NETWORK SANDBOX (see cordon network --help)\n", stderr);
      return EXIT_USAGE;
    }
  if (do_disconnect (root_dir, argv[optind], argv[optind + 1], force, argv, &err) < 0)
    return cli_fail (&err);
  return 0;
}
