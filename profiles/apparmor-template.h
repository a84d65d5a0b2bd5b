/* SPDX-License-Identifier: Apache-2.0 */
/* AppArmor profiles for sandboxes, generated from templates: the workload
 * may use its own files, but not the kernel's knobs (/proc/sys writes,
 * sysrq, kcore, /sys/firmware, securityfs), not mount, not ptrace outside
 * its profile, and not the host paths cordon keeps its state in (image
 * store, audit log, caches), should a bind ever expose them.  */
#ifndef CORDON_PROFILES_APPARMOR_TEMPLATE_H
#define CORDON_PROFILES_APPARMOR_TEMPLATE_H

#include "common/error.h"

/* The templates: "default" (what the `default` profile asks for as
 * cordon-default) and "strict" (also no network but unix sockets).  */
const char *const *apparmor_template_names (void);

/* Renders `template` as the profile `name` (a valid AppArmor profile name:
 * [A-Za-z0-9._-], not starting with '.').  Heap text.  */
int apparmor_template_render (const char *template_name, const char *name, char **text, struct cordon_error *err);

#endif
