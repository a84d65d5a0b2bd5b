/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp policy JSON: the OCI `linux.seccomp` object, and Docker's profile
 * format (`--security-opt seccomp=FILE`), which adds `name`, `archMap` and
 * `includes`/`excludes` conditions.  Both become a struct cordon_seccomp.  */
#ifndef CORDON_SANDBOX_SPEC_SECCOMP_H
#define CORDON_SANDBOX_SPEC_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/json.h"
#include "sandbox/spec.h"

struct seccomp_parse_options
{
  bool docker;        /* accept Docker's extensions and resolve them */
  uint64_t kept_caps; /* Docker `includes.caps` / `excludes.caps` test against these */
};

int seccomp_from_json (yajl_val node, const struct json_limits *limits, const char *where,
                       const struct seccomp_parse_options *opts, struct cordon_seccomp **out, struct cordon_error *err);

/* Writes `sc` as an OCI linux.seccomp object.  */
void seccomp_gen_json (yajl_gen g, const struct cordon_seccomp *sc);

/* Action and operator names, both ways.  */
int seccomp_action_from_name (const char *name, enum cordon_seccomp_action *out);
const char *seccomp_action_name (enum cordon_seccomp_action action);
int seccomp_op_from_name (const char *name, enum cordon_seccomp_op *out);
const char *seccomp_op_name (enum cordon_seccomp_op op);

#endif
