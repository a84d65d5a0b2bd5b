/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "sandbox/host-probe.h"
#include "sandbox/idmap.h"

Test (idmap, root_never_maps_onto_host_root)
{
  uint32_t start, size;

  cr_assert_geq (host_idmap_root_range (&start, &size), 0);
  cr_assert_neq (start, 0);
  cr_assert_geq (size, 1);
}

Test (idmap, rootless_maps_the_caller_once)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = NULL;
  struct idmap_plan plan;

  if (geteuid () == 0)
    cr_skip_test ("rootless only");
  cr_assert_eq (spec_new_default (false, &spec, &err), 0);
  cr_assert_eq (idmap_plan_for_spec (spec, &plan, &err), 0, "%s", err.msg);
  cr_assert_eq (plan.n_uid, 1);
  cr_assert_eq (plan.uid[0].host_id, geteuid ());
  cr_assert_eq (plan.uid[0].size, 1);
  cr_assert (plan.deny_setgroups);
  cr_assert_not (plan.use_helper);
  spec_free (spec);
}

Test (idmap, a_config_mapping_onto_host_root_is_refused)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = NULL;
  struct cordon_id_mapping m = { 0, 0, 1 };
  struct idmap_plan plan;

  cr_assert_eq (spec_new_default (false, &spec, &err), 0);
  spec->uid_mappings = malloc (sizeof m);
  spec->gid_mappings = malloc (sizeof m);
  *spec->uid_mappings = m;
  *spec->gid_mappings = m;
  spec->n_uid_mappings = spec->n_gid_mappings = 1;
  cr_assert_lt (idmap_plan_for_spec (spec, &plan, &err), 0);
  cr_assert (strstr (err.msg, "host root") != NULL, "%s", err.msg);
  cordon_error_release (&err);
  spec_free (spec);
}
