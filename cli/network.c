/* SPDX-License-Identifier: Apache-2.0 */
/* cordon network create|ls|inspect|rm|prune, as `docker network`.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/json-gen.h"
#include "common/strv.h"
#include "netpolicy/attach.h"
#include "netpolicy/holder.h"
#include "netpolicy/ipam.h"
#include "netpolicy/link.h"
#include "netpolicy/network.h"
#include "netpolicy/nft.h"

static const char network_usage[]
    = "Usage: cordon network COMMAND [OPTIONS]\n"
      "\n"
      "Bridge networks for sandboxes (cordon run --network NAME; see cordon-network(1)).\n"
      "\n"
      "  create [--subnet CIDR] [--internal] NAME   a new network and its bridge (rootless: in\n"
      "                                             the user's network namespace, cordon-netns)\n"
      "  ls [-q]                                    the networks\n"
      "  inspect NAME...                            a network and its sandboxes, as JSON\n"
      "  rm NAME...                                 remove networks no sandbox uses\n"
      "  prune [-f]                                 clean what killed monitors left; remove\n"
      "                                             the networks no sandbox uses\n"
      "  connect [--ip ADDR] [--alias NAME]... NETWORK SANDBOX\n"
      "                                             a running sandbox joins another network\n"
      "                                             (as ethN; the first keeps the default route)\n"
      "  disconnect [-f] NETWORK SANDBOX            it leaves one (-f: even if it is not running)\n"
      "\n"
      "      --root DIR   the state directory (networks/ in it)\n";

struct net_cli
{
  const char *root;
  struct network_store store;
};

static int
usage_error (const char *fmt, const char *arg)
{
  fprintf (stderr, "cordon: network: ");
  fprintf (stderr, fmt, arg);
  fprintf (stderr, " (see cordon network --help)\n");
  return EXIT_USAGE;
}

static int
cmd_create (struct net_cli *c, int argc, char **argv)
{
  static const struct option opts[] = {
    { "subnet", required_argument, NULL, 's' },
    { "internal", no_argument, NULL, 'i' },
    { "driver", required_argument, NULL, 'd' },
    { "root", required_argument, NULL, 'r' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  struct network_config cfg;
  const char *subnet = NULL;
  bool internal = false;
  int ch, r;

  optind = 1;
  while ((ch = getopt_long (argc, argv, "+d:", opts, NULL)) != -1)
    switch (ch)
      {
      case 's':
        subnet = optarg;
        break;
      case 'i':
        internal = true;
        break;
      case 'd':
        if (strcmp (optarg, "bridge") != 0)
          return usage_error ("--driver `%s`: only bridge", optarg);
        break;
      case 'r':
        c->root = optarg;
        break;
      default:
        return usage_error ("create: unknown or incomplete option `%s`", argv[optind - 1]);
      }
  if (optind + 1 != argc)
    return usage_error ("create takes one NAME%s", "");
  r = network_store_open (c->root, &c->store, &err);
  /* Rootless: into the user's network namespace, where the bridge goes.  */
  if (r >= 0)
    r = netns_holder_enter (&c->store, true, &err);
  if (r >= 0)
    r = network_create (&c->store, argv[optind], subnet, internal, &cfg, &err);
  if (r < 0)
    return cli_fail (&err);
  /* The bridge and its rules exist from now on (a run makes them again
   * if they went missing).  */
  r = network_bridge_up (&cfg, &err);
  if (r < 0)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      network_remove (&c->store, cfg.name, &ignored);
      network_config_release (&cfg);
      return cli_fail (&err);
    }
  printf ("%s\n", cfg.id);
  network_config_release (&cfg);
  return 0;
}

static int
cmd_ls (struct net_cli *c, int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  struct network_config *all = NULL;
  bool quiet = argc > 1 && (strcmp (argv[1], "-q") == 0 || strcmp (argv[1], "--quiet") == 0);
  size_t n = 0;

  if (argc > 2 || (argc == 2 && !quiet))
    return usage_error ("ls: unknown option `%s`", argv[1]);
  if (network_store_open (c->root, &c->store, &err) < 0 || network_load_all (&c->store, &all, &n, &err) < 0)
    return cli_fail (&err);
  if (!quiet)
    printf ("%-16s %-24s %-8s %-18s %-15s %s\n", "NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY", "INTERNAL");
  for (size_t i = 0; i < n; i++)
    {
      char subnet[NET_CIDR_STRLEN], gw[NET_ADDR_STRLEN];
      net_format_cidr (&all[i].subnet, subnet);
      net_format_ipv4 (all[i].gateway, gw);
      if (quiet)
        printf ("%s\n", all[i].name);
      else
        printf ("%-16.12s %-24s %-8s %-18s %-15s %s\n", all[i].id, all[i].name, "bridge", subnet, gw,
                all[i].internal ? "true" : "false");
    }
  network_configs_free (all, n);
  return 0;
}

static int
inspect_one (struct net_cli *c, yajl_gen g, const char *name, struct cordon_error *err)
{
  struct network_config cfg;
  struct ipam_table t = { 0 };
  cleanup_close int dfd = -1;
  char subnet[NET_CIDR_STRLEN], gw[NET_ADDR_STRLEN];
  int r;

  r = network_load (&c->store, name, &cfg, err);
  if (r < 0)
    return r;
  /* What a killed monitor left is not shown as a sandbox on the network.  */
  r = network_reap_stale (&c->store, &cfg, err);
  if (r >= 0 && (dfd = network_open_dir (&c->store, name, err)) < 0)
    r = dfd;
  if (r >= 0)
    {
      cleanup_close int lock = ipam_lock (dfd, err);
      r = lock < 0 ? lock : ipam_load (dfd, &t, err);
    }
  if (r < 0)
    {
      network_config_release (&cfg);
      return r;
    }
  net_format_cidr (&cfg.subnet, subnet);
  net_format_ipv4 (cfg.gateway, gw);
  yajl_gen_map_open (g);
  jg_kv_str (g, "name", cfg.name);
  jg_kv_str (g, "id", cfg.id);
  jg_kv_str (g, "driver", "bridge");
  jg_kv_str (g, "bridge", cfg.bridge);
  jg_kv_str (g, "subnet", subnet);
  jg_kv_str (g, "gateway", gw);
  jg_kv_bool (g, "internal", cfg.internal);
  jg_kv_bool (g, "names", cfg.names);
  jg_kv_i64 (g, "created", cfg.created);
  jg_str (g, "sandboxes");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < t.n; i++)
    {
      char ip[NET_ADDR_STRLEN], veth[16];
      net_format_ipv4 (t.leases[i].ip, ip);
      ipam_veth_name (&t.leases[i], veth);
      yajl_gen_map_open (g);
      jg_kv_str (g, "id", t.leases[i].id);
      jg_kv_str (g, "ip", ip);
      jg_kv_strv (g, "names", t.leases[i].names);
      jg_kv_strv (g, "ports", t.leases[i].ports);
      jg_kv_str (g, "veth", veth);
      jg_kv_i64 (g, "monitor_pid", t.leases[i].pid);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  ipam_release (&t);
  network_config_release (&cfg);
  return 0;
}

static int
cmd_inspect (struct net_cli *c, int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_jgen yajl_gen g = jg_new (true);
  cleanup_free char *text = NULL;
  size_t len;
  int status = 0;

  if (argc < 2)
    return usage_error ("inspect takes a NAME%s", "");
  if (g == NULL || network_store_open (c->root, &c->store, &err) < 0)
    return cli_fail (&err);
  yajl_gen_array_open (g);
  for (int i = 1; i < argc; i++)
    if (inspect_one (c, g, argv[i], &err) < 0)
      {
        fprintf (stderr, "cordon: %s\n", err.msg);
        cordon_error_release (&err);
        status = 1;
      }
  yajl_gen_array_close (g);
  if (jg_finish (g, &text, &len, &err) < 0)
    return cli_fail (&err);
  printf ("%s\n", text);
  return status;
}

static int
cmd_rm (struct net_cli *c, int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  int status = 0;

  if (argc < 2)
    return usage_error ("rm takes a NAME%s", "");
  if (network_store_open (c->root, &c->store, &err) < 0 || netns_holder_enter (&c->store, true, &err) < 0)
    return cli_fail (&err);
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], NETWORK_DEFAULT) == 0)
        {
          fprintf (stderr, "cordon: %s is a pre-defined network and cannot be removed\n", argv[i]);
          status = 1;
        }
      else if (network_remove (&c->store, argv[i], &err) < 0)
        {
          fprintf (stderr, "cordon: %s\n", err.msg);
          cordon_error_release (&err);
          status = 1;
        }
      else
        printf ("%s\n", argv[i]);
    }
  return status;
}

static int
cmd_prune (struct net_cli *c, int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_strv char **removed = NULL;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-f") != 0 && strcmp (argv[i], "--force") != 0)
      return usage_error ("prune: unknown option `%s`", argv[i]);
  if (network_store_open (c->root, &c->store, &err) < 0 || netns_network_prune (&c->store, &removed, &err) < 0)
    return cli_fail (&err);
  if (removed[0])
    printf ("Deleted Networks:\n");
  for (char **p = removed; *p; p++)
    printf ("%s\n", *p);
  return 0;
}

int
cli_network (int argc, char **argv)
{
  struct net_cli c = { .store = { .dfd = -1 } };
  int i = 1, r;

  /* `cordon --root DIR network ...` hands --root first.  */
  while (i + 1 < argc && strcmp (argv[i], "--root") == 0)
    {
      c.root = argv[i + 1];
      i += 2;
    }
  if (i >= argc || strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
    {
      fputs (network_usage, i >= argc ? stderr : stdout);
      return i >= argc ? EXIT_USAGE : 0;
    }
  /* The subcommand's options may carry --root too (parsed there).  */
  for (int j = i + 1; j + 1 < argc; j++)
    if (strcmp (argv[j], "--root") == 0 && strcmp (argv[i], "create") != 0)
      {
        c.root = argv[j + 1];
        memmove (&argv[j], &argv[j + 2], (size_t)(argc - j - 2) * sizeof *argv);
        argc -= 2;
        argv[argc] = NULL;
        j--;
      }
  if (strcmp (argv[i], "create") == 0)
    r = cmd_create (&c, argc - i, argv + i);
  else if (strcmp (argv[i], "ls") == 0 || strcmp (argv[i], "list") == 0)
    r = cmd_ls (&c, argc - i, argv + i);
  else if (strcmp (argv[i], "inspect") == 0)
    r = cmd_inspect (&c, argc - i, argv + i);
  else if (strcmp (argv[i], "rm") == 0 || strcmp (argv[i], "remove") == 0)
    r = cmd_rm (&c, argc - i, argv + i);
  else if (strcmp (argv[i], "prune") == 0)
    r = cmd_prune (&c, argc - i, argv + i);
  else if (strcmp (argv[i], "connect") == 0)
    r = cli_network_connect (c.root, argc - i, argv + i);
  else if (strcmp (argv[i], "disconnect") == 0)
    r = cli_network_disconnect (c.root, argc - i, argv + i);
  else
    r = usage_error ("unknown command `%s`", argv[i]);
  network_store_close (&c.store);
  return r;
}
