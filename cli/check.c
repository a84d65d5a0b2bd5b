/* SPDX-License-Identifier: Apache-2.0 */
/* `cordon check [--json]`: which confinement layers hold on this host.
 * Exit 0 when every layer cordon needs holds, 1 when one does not, 125 when
 * the probing itself failed.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "sandbox/limits.h"
#include "cli/commands.h"
#include "sandbox/host-probe.h"

static void
check_usage (FILE *out)
{
  fprintf (out, "Usage: cordon check [--json]\n\n"
                "Test, for real, which confinement layers hold on this host: user and other\n"
                "namespaces, the mount API, openat2, overlayfs, seccomp, Landlock, AppArmor,\n"
                "cgroups, subordinate ids, and how container ids map.  Nothing on the host is\n"
                "changed; namespaces are created in short-lived child processes.\n\n"
                "Options:\n"
                "  --json     print the report as JSON\n"
                "  -h, --help print this help\n\n"
                "Exit status: 0 when every required layer holds, 1 when one does not,\n"
                "125 when the check itself failed.\n");
}

static const char *
idmap_mode_name (enum host_idmap_mode mode)
{
  switch (mode)
    {
    case HOST_IDMAP_SUBORDINATE:
      return "subordinate";
    case HOST_IDMAP_ROOT_RANGE:
      return "root-range";
    case HOST_IDMAP_SINGLE:
    default:
      return "single";
    }
}

static void
print_table (const struct host_report *report, bool ready)
{
  char idmap[256];

  printf ("%-18s %-8s %s\n", "LAYER", "STATE", "DETAIL");
  for (size_t i = 0; i < report->n_layers; i++)
    {
      const struct host_layer *l = &report->layers[i];
      printf ("%-18s %-8s %s%s\n", l->name, host_layer_state_name (l->state), l->detail,
              l->required && l->state == HOST_LAYER_MISSING ? " [required]" : "");
    }
  printf ("\nLIMIT              ENFORCED BY\n");
  for (int i = 0; i < LIMIT__COUNT; i++)
    printf ("%-18s %s\n", result_limit_name ((enum limit)i),
            result_limit_mechanism_name (limits_host_mechanism ((enum limit)i)));
  host_idmap_describe (&report->idmap, idmap, sizeof idmap);
  printf ("\nuid %u; id mapping: %s\n", (unsigned)report->uid, idmap);
  printf ("%s\n", ready ? "cordon can run sandboxes on this host."
                        : "cordon cannot run sandboxes here: a required layer is missing.");
}

#define GEN_STR(g, s) yajl_gen_string ((g), (const unsigned char *)(s), strlen (s))

static int
print_json (const struct host_report *report, bool ready)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  char idmap[256];
  size_t len;

  if (g == NULL)
    return -1;
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_map_open (g);
  GEN_STR (g, "layers");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < report->n_layers; i++)
    {
      const struct host_layer *l = &report->layers[i];
      yajl_gen_map_open (g);
      GEN_STR (g, "name");
      GEN_STR (g, l->name);
      GEN_STR (g, "state");
      GEN_STR (g, host_layer_state_name (l->state));
      GEN_STR (g, "detail");
      GEN_STR (g, l->detail);
      GEN_STR (g, "required");
      yajl_gen_bool (g, l->required);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  GEN_STR (g, "limits");
  yajl_gen_map_open (g);
  for (int i = 0; i < LIMIT__COUNT; i++)
    {
      GEN_STR (g, result_limit_name ((enum limit)i));
      GEN_STR (g, result_limit_mechanism_name (limits_host_mechanism ((enum limit)i)));
    }
  yajl_gen_map_close (g);
  GEN_STR (g, "uid");
  yajl_gen_integer (g, report->uid);
  GEN_STR (g, "landlock_abi");
  yajl_gen_integer (g, report->landlock_abi);
  GEN_STR (g, "idmap");
  yajl_gen_map_open (g);
  GEN_STR (g, "mode");
  GEN_STR (g, idmap_mode_name (report->idmap.mode));
  GEN_STR (g, "container_root");
  yajl_gen_integer (g, report->idmap.mode == HOST_IDMAP_ROOT_RANGE ? report->idmap.sub_start : report->idmap.host_uid);
  if (report->idmap.mode != HOST_IDMAP_SINGLE)
    {
      GEN_STR (g, "start");
      yajl_gen_integer (g, report->idmap.sub_start);
      GEN_STR (g, "size");
      yajl_gen_integer (g, report->idmap.sub_size);
    }
  if (report->idmap.mode == HOST_IDMAP_ROOT_RANGE)
    {
      GEN_STR (g, "source");
      GEN_STR (g, report->idmap.from_subuid ? "/etc/subuid" : "default");
    }
  host_idmap_describe (&report->idmap, idmap, sizeof idmap);
  GEN_STR (g, "description");
  GEN_STR (g, idmap);
  yajl_gen_map_close (g);
  GEN_STR (g, "ready");
  yajl_gen_bool (g, ready);
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return -1;
    }
  fwrite (buf, 1, len, stdout);
  yajl_gen_free (g);
  return 0;
}

int
cli_check (int argc, char **argv)
{
  static const struct option options[] = {
    { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct cordon_error err = { 0 };
  struct host_report report;
  bool json = false;
  bool ready;
  int c;

  optind = 1;
  while ((c = getopt_long (argc, argv, "h", options, NULL)) != -1)
    switch (c)
      {
      case 'j':
        json = true;
        break;
      case 'h':
        check_usage (stdout);
        return 0;
      default:
        check_usage (stderr);
        return EXIT_USAGE;
      }
  if (optind < argc)
    {
      fprintf (stderr, "cordon check: unexpected argument '%s'\n", argv[optind]);
      check_usage (stderr);
      return EXIT_USAGE;
    }
  /* Flush before the probes fork, so no buffered output is written twice.  */
  fflush (stdout);
  if (host_probe_all (&report, &err) < 0)
    return cli_fail (&err);
  ready = host_report_ready (&report);
  if (json)
    {
      if (print_json (&report, ready) < 0)
        {
          cordon_error_set (&err, ENOMEM, "generate JSON");
          return cli_fail (&err);
        }
    }
  else
    print_table (&report, ready);
  if (fflush (stdout) != 0)
    {
      cordon_error_set (&err, errno, "write the report");
      return cli_fail (&err);
    }
  return ready ? 0 : 1;
}
