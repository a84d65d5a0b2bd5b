/* SPDX-License-Identifier: Apache-2.0 */
/* AppArmor for the workload: the monitor checks that the host enforces
 * AppArmor and that the profile is loaded (else the layer is unavailable,
 * or the run refused when a profile requires it); the workload asks for the
 * profile with aa_change_onexec (libapparmor) after no_new_privs and before
 * Landlock (which would deny the write to /proc/self/attr), so the exec
 * enters it.  */
#ifndef CORDON_SANDBOX_APPARMOR_H
#define CORDON_SANDBOX_APPARMOR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* True when AppArmor is enabled and its securityfs is there.  */
bool apparmor_host_enabled (void);

/* 1 when `profile` is loaded, 0 when not, -errno when the list cannot be
 * read.  */
int apparmor_profile_loaded (const char *profile);

/* Why `profile` cannot be enforced here (a static string), or NULL when it
 * can.  */
const char *apparmor_unavailable_reason (const char *profile);

/* The exec that follows runs under `profile`.  */
int apparmor_change_onexec (const char *profile, struct cordon_error *err);

#endif
