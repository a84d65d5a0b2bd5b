/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/run-network.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "netpolicy/connect.h"
#include "netpolicy/egress-netns.h"
#include "netpolicy/holder.h"
#include "netpolicy/publish.h"
#include "sandbox/spec-edit.h"
#include "sandbox/state.h"

static int
on_namespaces (void *data, pid_t init_pid, struct cordon_error *err)
{
  struct run_network *n = data;
  char path[64];
  int r;

  /* A restart is a new namespace: the old one's refusals are not read,
   * and it is let go first (its veths with it).  */
  if (n->have_netns)
    close (n->netns_fd);
  n->have_netns = false;
  r = network_attach_netns (&n->att, init_pid, err);
  if (r < 0)
    return r;
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)init_pid);
  n->netns_fd = open (path, O_RDONLY | O_CLOEXEC);
  if (n->netns_fd < 0)
    return cordon_error_set (err, errno, "open %s", path);
  n->have_netns = true;
  /* Before SYNC_GO: the workload never runs without its policy.  */
  if (n->egress_on && (r = egress_netns_apply (n->netns_fd, &n->egress, err)) < 0)
    return r;
  /* After a restart, the networks `network connect` gave it too.  */
  if (n->started && (r = network_rejoin_all (&n->att.store, n->att.id, n->att.cfg.name, n->netns_fd, err)) < 0)
    return cordon_error_wrap (err, "after a restart, its connected networks");
  n->started = true;
  return 0;
}

const char *
run_network_flag (const struct run_args *a)
{
  const char *net = NULL;

  for (size_t i = 0; i < a->n_flags; i++)
    if (a->flags[i].opt == OPT_NETWORK)
      net = a->flags[i].arg;
  return net;
}

static int
collect (const struct run_args *a, struct network_request *req, char ***names, char ***hosts, char ***ports,
         struct cordon_error *err)
{
  bool user_defined = strcmp (req->network, NETWORK_DEFAULT) != 0;

  /* Docker's --name is the sandbox's name on a user-defined network.  */
  if (user_defined && a->name && strv_append (names, a->name) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < a->n_flags; i++)
    {
      const struct flag *f = &a->flags[i];
      switch (f->opt)
        {
        case OPT_IP:
          if (net_parse_ipv4 (f->arg, &req->ip) < 0)
            return cordon_error_set (err, EINVAL, "--ip `%s`: expected an IPv4 address", f->arg);
          if (!user_defined)
            return cordon_error_set (err, EINVAL,
                                     "--ip: user specified IP address is supported on user defined networks only");
          break;
        case OPT_DNS_NAME:
          if (!user_defined)
            return cordon_error_set (err, EINVAL, "--dns-name: names are supported on user defined networks only");
          if (!network_name_valid (f->arg))
            return cordon_error_set (err, EINVAL, "--dns-name `%s`: not a valid host name", f->arg);
          if (strv_append (names, f->arg) < 0)
            return cordon_error_set (err, ENOMEM, "out of memory");
          break;
        case OPT_ADD_HOST:
          if (strv_append (hosts, f->arg) < 0)
            return cordon_error_set (err, ENOMEM, "out of memory");
          break;
        case OPT_EGRESS_ALLOW:
          break; /* run_network_prepare: resolved once the network is known */
        case 'p':
          {
            struct net_port np;
            char canon[PUBLISH_STRLEN];
            int r = publish_parse (f->arg, &np, err);

            if (r < 0)
              return r;
            /* Two of one run: the same refusal as another sandbox's.  */
            for (char **q = *ports; *q; q++)
              {
                struct net_port o;
                if (publish_parse (*q, &o, err) >= 0 && publish_conflict (&np, &o))
                  return cordon_error_set (err, EADDRINUSE, "-p %s: host port %u is given twice", f->arg, np.host_port);
              }
            publish_format (&np, canon);
            if (strv_append (ports, canon) < 0)
              return cordon_error_set (err, ENOMEM, "out of memory");
            break;
          }
        default:
          break;
        }
    }
  return 0;
}

static bool
has_network_flags (const struct run_args *a)
{
  for (size_t i = 0; i < a->n_flags; i++)
    if (a->flags[i].opt == OPT_IP || a->flags[i].opt == OPT_DNS_NAME || a->flags[i].opt == OPT_ADD_HOST
        || a->flags[i].opt == OPT_EGRESS_ALLOW || a->flags[i].opt == 'p')
      return true;
  return false;
}

/* Rootless: the host's ports are bound here, in the host's namespace,
 * then this process (the sandbox's monitor to be) moves into the network
 * holder's namespaces for good (netpolicy/holder.h).  */
static int
enter_holder (struct run_network *n, const struct run_args *a, char *const *ports, struct cordon_error *err)
{
  struct network_store store = { .dfd = -1 };
  int r;

  r = forward_listen (ports, &n->fwd, err);
  if (r >= 0)
    r = network_store_open (a->root, &store, err);
  if (r >= 0)
    r = netns_holder_enter (&store, true, err);
  network_store_close (&store);
  return r < 0 ? r : 0;
}

int
run_network_prepare (struct run_network *n, const struct run_args *a, struct cordon_spec *spec, const char *id,
                     struct sandbox_options *opts, struct cordon_error *err)
{
  const char *net = run_network_flag (a);
  cleanup_strv char **names = NULL, **hosts = NULL, **ports = NULL;
  char fresh[STATE_ID_HEX + 1];
  struct network_request req = { 0 };
  const char *ro[] = { "bind", "ro", "nosuid", "nodev", "noexec", NULL };
  int r;

  n->active = false;
  if (net == NULL || strcmp (net, "none") == 0 || strcmp (net, "host") == 0)
    {
      if (has_network_flags (a))
        return cordon_error_set (err, EINVAL,
                                 "--ip, --dns-name, --add-host, -p and --egress-allow need --network bridge or NAME");
      return 0;
    }
  if (id == NULL)
    {
      if (state_new_id (fresh) < 0)
        return cordon_error_set (err, EIO, "getrandom");
      id = fresh;
    }
  names = calloc (1, sizeof *names);
  hosts = calloc (1, sizeof *hosts);
  ports = calloc (1, sizeof *ports);
  if (names == NULL || hosts == NULL || ports == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  req.network = net;
  req.id = id;
  r = collect (a, &req, &names, &hosts, &ports, err);
  if (r < 0)
    return r;
  /* Egress is denied unless the profile allows it ("network": {"egress":
   * "allow"}); the profile's list and --egress-allow are the exceptions,
   * and --egress-allow narrows even an allowing profile.  Host names are
   * resolved here, on the host, once: the sandbox's policy does not follow
   * later DNS changes.  */
  n->egress_on = !spec->cordon.egress_allow_all;
  for (char **e = spec->cordon.egress_allow; e && *e && r >= 0; e++)
    r = egress_policy_add (&n->egress, *e, err);
  for (size_t i = 0; i < a->n_flags && r >= 0; i++)
    if (a->flags[i].opt == OPT_EGRESS_ALLOW)
      {
        n->egress_on = true;
        r = egress_policy_add (&n->egress, a->flags[i].arg, err);
      }
  if (r < 0)
    return r;
  req.names = names;
  req.hosts = hosts;
  req.ports = ports;
  req.forwarded = netns_holder_needed ();
  if (req.forwarded)
    {
      r = enter_holder (n, a, ports, err);
      if (r < 0)
        return r;
    }
  r = network_attach_prepare (a->root, &req, &n->att, err);
  if (r >= 0 && n->egress_on)
    egress_policy_set_peers (&n->egress, n->att.cfg.subnet.addr, n->att.cfg.subnet.prefix, n->att.cfg.gateway);
  if (r >= 0)
    r = forward_start (&n->fwd, n->att.ip, err);
  if (r < 0)
    {
      network_attach_release (&n->att);
      return r;
    }
  n->active = true;
  r = spec_add_mount (spec, "/etc/hosts", "bind", n->att.hosts_path, ro, err);
  if (r < 0)
    return r;
  opts->on_namespaces = on_namespaces;
  opts->on_namespaces_data = n;
  opts->network_name = n->att.cfg.name;
  return 0;
}

void
run_network_audit_denials (struct run_network *n, struct audit_log *log, const char *sandbox_id)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free struct egress_denial *d = NULL;
  cleanup_free struct audit_event *evs = NULL;
  cleanup_free char *datas = NULL;
  const size_t data_len = 160;
  size_t nd = 0, k = 0;
  uint64_t total = 0, remembered = 0;

  if (!n->have_netns || !n->egress_on || log == NULL)
    return;
  if (egress_netns_denials (n->netns_fd, &d, &nd, &total, &err) < 0)
    {
      fprintf (stderr, "cordon: egress refusals not audited: %s\n", err.msg);
      return;
    }
  if (total == 0)
    return;
  evs = calloc (nd + 1, sizeof *evs);
  datas = calloc (nd + 1, data_len);
  if (evs == NULL || datas == NULL)
    {
      fprintf (stderr, "cordon: egress refusals not audited: out of memory\n");
      return;
    }
  for (size_t i = 0; i < nd; i++)
    {
      char *data = datas + k * data_len;
      snprintf (data, data_len, "{\"destination\":\"%s\",\"protocol\":\"%s\",\"port\":%u,\"packets\":%" PRIu64 "}",
                d[i].dest, d[i].proto, d[i].port, d[i].packets);
      remembered += d[i].packets;
      evs[k++] = (struct audit_event){ .event = "policy-denied", .sandbox = sandbox_id, .data_json = data };
    }
  /* The rest: IPv6 (no address in the set), and whatever came after the
   * set was full.  */
  snprintf (datas + k * data_len, data_len,
            "{\"denied_packets\":%" PRIu64 ",\"destinations\":%zu,\"not_recorded_packets\":%" PRIu64 ",\"limit\":%d}",
            total, nd, total > remembered ? total - remembered : 0, EGRESS_DENIED_MAX);
  evs[k] = (struct audit_event){ .event = "policy-denied-summary",
                                 .sandbox = sandbox_id,
                                 .data_json = datas + k * data_len };
  k++;
  if (audit_log_append_many (log, evs, k, true, &err) < 0)
    fprintf (stderr, "cordon: egress refusals not audited: %s\n", err.msg);
}

void
run_network_release (struct run_network *n)
{
  forward_release (&n->fwd);
  if (n->have_netns)
    close (n->netns_fd);
  n->have_netns = false;
  egress_policy_release (&n->egress);
  n->egress_on = false;
  if (n->active)
    network_attach_release (&n->att);
  n->active = false;
}
