/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's seccomp profile format (`--security-opt seccomp=FILE`).  */
#ifndef CORDON_PROFILES_SECCOMP_DOCKER_H
#define CORDON_PROFILES_SECCOMP_DOCKER_H

#include <stddef.h>
#include <stdint.h>

#include "sandbox/spec.h"

#define SECCOMP_PROFILE_MAX_BYTES (1u << 20)

/* Reads a Docker (or plain OCI) seccomp profile.  Rules whose `includes` /
 * `excludes` do not hold for this host and `kept_caps` are dropped, as Docker
 * does.  */
int seccomp_docker_load (const char *path, uint64_t kept_caps, struct cordon_seccomp **out, struct cordon_error *err);
int seccomp_docker_parse (const char *text, size_t len, uint64_t kept_caps, struct cordon_seccomp **out,
                          struct cordon_error *err);

#endif
