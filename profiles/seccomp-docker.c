/* SPDX-License-Identifier: Apache-2.0 */
#include "profiles/seccomp-docker.h"

#include <errno.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "sandbox/spec-seccomp.h"

static const struct json_limits profile_limits = {
  .max_bytes = SECCOMP_PROFILE_MAX_BYTES,
  .max_items = SPEC_MAX_ITEMS,
  .max_string = 4096,
};

int
seccomp_docker_parse (const char *text, size_t len, uint64_t kept_caps, struct cordon_seccomp **out,
                      struct cordon_error *err)
{
  struct seccomp_parse_options opts = { .docker = true, .kept_caps = kept_caps };
  cleanup_json yajl_val tree = NULL;
  int r;

  r = json_parse (text, len, &profile_limits, "seccomp profile", &tree, err);
  if (r < 0)
    return r;
  return seccomp_from_json (tree, &profile_limits, "seccomp profile", &opts, out, err);
}

int
seccomp_docker_load (const char *path, uint64_t kept_caps, struct cordon_seccomp **out, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  r = json_read_file (path, SECCOMP_PROFILE_MAX_BYTES, &text, &len, err);
  if (r < 0)
    return r;
  return seccomp_docker_parse (text, len, kept_caps, out, err);
}
