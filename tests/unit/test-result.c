/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/result.h"

Test (result, json_has_the_documented_fields)
{
  struct cordon_error err = { 0 };
  struct sandbox_result r = { .status = RESULT_RUNTIME_ERROR, .exit_code = 3, .network = "none" };
  char *json = NULL;
  size_t len;

  r.layers[LAYER_SECCOMP] = LAYER_STATE_ENFORCED;
  r.layers[LAYER_LANDLOCK] = LAYER_STATE_UNAVAILABLE;
  r.layer_reasons[LAYER_LANDLOCK] = "no landlock";
  cr_assert_eq (result_to_json (&r, &json, &len, &err), 0);
  cr_assert (strstr (json, "\"status\": \"runtime-error\""), "%s", json);
  cr_assert (strstr (json, "\"exit_code\": 3"), "%s", json);
  cr_assert (strstr (json, "\"signal\": null"), "%s", json);
  cr_assert (strstr (json, "\"seccomp\": \"enforced\""), "%s", json);
  cr_assert (strstr (json, "\"landlock\": \"unavailable\""), "%s", json);
  cr_assert (strstr (json, "\"landlock\": \"no landlock\""), "%s", json);
  cr_assert (strstr (json, "\"network\": \"none\""), "%s", json);
  free (json);
}

Test (result, a_sandbox_error_claims_no_layer)
{
  struct cordon_error err = { 0 };
  struct sandbox_result r = { .status = RESULT_SANDBOX_ERROR, .exit_code = 125, .network = "none" };
  char *json = NULL;
  size_t len;

  r.error = strdup ("mount failed");
  cr_assert_eq (result_to_json (&r, &json, &len, &err), 0);
  cr_assert (strstr (json, "\"status\": \"sandbox-error\""));
  cr_assert (strstr (json, "\"error\": \"mount failed\""));
  cr_assert_null (strstr (json, "enforced"), "%s", json);
  free (json);
  result_release (&r);
}

Test (result, names)
{
  cr_assert_str_eq (result_status_name (RESULT_SIGNAL), "signal");
  cr_assert_str_eq (result_layer_name (LAYER_READONLY_ROOT), "readonly_root");
  cr_assert_str_eq (result_layer_state_name (LAYER_STATE_DISABLED), "disabled");
}
