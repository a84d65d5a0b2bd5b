/* SPDX-License-Identifier: Apache-2.0 */
/* The host report: subordinate-id parsing, the root range rule, the cgroup
 * path parser, the readiness rule, and the probes on this (development)
 * host, which has every layer cordon needs.  */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/host-probe.h"

static char *
write_temp (const char *content)
{
  char *path = strdup ("/tmp/cordon-test-subid-XXXXXX");
  int fd = mkstemp (path);
  cr_assert (fd >= 0);
  cr_assert_eq (write (fd, content, strlen (content)), (ssize_t)strlen (content));
  close (fd);
  return path;
}

Test (subid, finds_user_by_name)
{
  char *f = write_temp ("alice:100000:65536\nbob:165536:65536\n");
  uint32_t s = 0, n = 0;

  cr_assert_eq (host_subid_range (f, 1001, "bob", &s, &n), 0);
  cr_assert_eq (s, 165536);
  cr_assert_eq (n, 65536);
  unlink (f);
  free (f);
}

Test (subid, finds_user_by_uid_and_takes_the_first)
{
  char *f = write_temp ("# comment\n\n1001:200000:1000\nbob:165536:65536\n");
  uint32_t s = 0, n = 0;

  cr_assert_eq (host_subid_range (f, 1001, "bob", &s, &n), 0);
  cr_assert_eq (s, 200000);
  cr_assert_eq (n, 1000);
  unlink (f);
  free (f);
}

Test (subid, skips_malformed_and_overflowing_entries)
{
  char *f = write_temp ("bob:-1:10\nbob:1x:10\nbob:4294967295:2\nbob:5:0\nbob:7\nbob:300:+5\nbob:4294967295:1\n");
  uint32_t s = 0, n = 0;

  /* Only the last line is well formed and ends exactly at 2^32.  */
  cr_assert_eq (host_subid_range (f, 42, "bob", &s, &n), 0);
  cr_assert_eq (s, 4294967295u);
  cr_assert_eq (n, 1);
  unlink (f);
  free (f);
}

Test (subid, no_match_and_no_file_are_enoent)
{
  char *f = write_temp ("alice:100000:65536\n");
  uint32_t s = 7, n = 7;

  cr_assert_eq (host_subid_range (f, 1001, "bob", &s, &n), -ENOENT);
  cr_assert_eq (host_subid_range (f, 1001, NULL, &s, &n), -ENOENT);
  cr_assert_eq (s, 7, "outputs untouched on no match");
  cr_assert_eq (host_subid_range ("/nonexistent/subuid", 1001, "bob", &s, &n), -ENOENT);
  unlink (f);
  free (f);
}

Test (idmap, root_range_defaults_without_an_entry)
{
  char *f = write_temp ("alice:100000:65536\n");
  uint32_t s = 0, n = 0;

  cr_assert_eq (host_idmap_root_range_from (f, &s, &n), 0);
  cr_assert_eq (s, 1000000000u);
  cr_assert_eq (n, 65536);
  cr_assert_eq (host_idmap_root_range_from ("/nonexistent/subuid", &s, &n), 0);
  cr_assert_eq (s, HOST_IDMAP_DEFAULT_START);
  unlink (f);
  free (f);
}

Test (idmap, root_range_uses_the_first_65536_of_roots_entry)
{
  char *f = write_temp ("alice:100000:65536\nroot:2000000:1000000\n");
  char *g = write_temp ("0:3000000:1000\n");
  uint32_t s = 0, n = 0;

  cr_assert_eq (host_idmap_root_range_from (f, &s, &n), 1);
  cr_assert_eq (s, 2000000);
  cr_assert_eq (n, 65536);
  cr_assert_eq (host_idmap_root_range_from (g, &s, &n), 1, "root matched by uid 0 too");
  cr_assert_eq (s, 3000000);
  cr_assert_eq (n, 1000, "a shorter entry is used as is");
  unlink (f);
  unlink (g);
  free (f);
  free (g);
}

Test (idmap, describe_names_the_mapping)
{
  struct host_idmap single = { .mode = HOST_IDMAP_SINGLE, .host_uid = 1000 };
  struct host_idmap sub = { .mode = HOST_IDMAP_SUBORDINATE, .host_uid = 1000, .sub_start = 100000, .sub_size = 65536 };
  struct host_idmap root = { .mode = HOST_IDMAP_ROOT_RANGE, .sub_start = 1000000000, .sub_size = 65536 };
  char buf[256];

  host_idmap_describe (&single, buf, sizeof buf);
  cr_assert_str_eq (buf, "container root = uid 1000 (single mapping)");
  host_idmap_describe (&sub, buf, sizeof buf);
  cr_assert_str_eq (buf, "container root = uid 1000, with subordinate ids 100000-165535");
  host_idmap_describe (&root, buf, sizeof buf);
  cr_assert_str_eq (buf, "container ids 0-65535 map to host ids 1000000000-1000065535 (default range)");
}

Test (cgroup, v2_path_from_proc_self_cgroup)
{
  char *p;

  p = host_cgroup_v2_path ("12:pids:/x\n0::/user.slice/user-1000.slice/session-2.scope\n");
  cr_assert_str_eq (p, "/user.slice/user-1000.slice/session-2.scope");
  free (p);
  p = host_cgroup_v2_path ("0::/");
  cr_assert_str_eq (p, "/");
  free (p);
  cr_assert_null (host_cgroup_v2_path ("4:memory:/a\n3:cpu:/\n"));
  cr_assert_null (host_cgroup_v2_path (""));
}

Test (report, ready_only_when_no_required_layer_is_missing)
{
  struct host_report r = { .n_layers = 2 };

  r.layers[0] = (struct host_layer){ .name = "seccomp", .state = HOST_LAYER_OK, .required = true };
  r.layers[1] = (struct host_layer){ .name = "apparmor", .state = HOST_LAYER_MISSING, .required = false };
  cr_assert (host_report_ready (&r));
  r.layers[0].state = HOST_LAYER_LIMITED;
  cr_assert (host_report_ready (&r), "limited still holds");
  r.layers[0].state = HOST_LAYER_MISSING;
  cr_assert_not (host_report_ready (&r));
  cr_assert_eq (host_report_find (&r, "apparmor"), &r.layers[1]);
  cr_assert_null (host_report_find (&r, "selinux"));
  cr_assert_str_eq (host_layer_state_name (HOST_LAYER_LIMITED), "limited");
}

/* The development and CI hosts run a 6.x kernel with user namespaces,
 * seccomp and Landlock: the probes must say so, with reasons.  */
Test (probe, this_host_has_what_cordon_needs, .timeout = 60)
{
  struct cordon_error err = { 0 };
  struct host_report r;
  const struct host_layer *l;
  static const char *const required[]
      = { "user-namespace", "namespaces", "network-namespace", "mount-api", "openat2", "seccomp" };

  cr_assert_eq (host_probe_all (&r, &err), 0, "%s", err.msg ? err.msg : "");
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    {
      l = host_report_find (&r, required[i]);
      cr_assert_not_null (l, "layer %s reported", required[i]);
      cr_assert (l->required, "%s is required", required[i]);
      cr_assert_eq (l->state, HOST_LAYER_OK, "%s: %s", required[i], l->detail);
    }
  cr_assert (host_report_ready (&r));
  l = host_report_find (&r, "landlock");
  cr_assert_not_null (l);
  cr_assert_eq (l->state, HOST_LAYER_OK, "landlock: %s", l->detail);
  cr_assert_geq (r.landlock_abi, 1);
  cr_assert_not_null (strstr (l->detail, "ABI "));
  for (size_t i = 0; i < r.n_layers; i++)
    cr_assert (r.layers[i].detail[0] != '\0' && strcmp (r.layers[i].detail, "not probed") != 0, "%s has a reason",
               r.layers[i].name);
  if (geteuid () == 0)
    cr_assert_eq (r.idmap.mode, HOST_IDMAP_ROOT_RANGE, "root maps into a range, never onto itself");
  else
    cr_assert_eq (r.idmap.host_uid, getuid ());
}
