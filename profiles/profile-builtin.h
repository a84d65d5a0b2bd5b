/* SPDX-License-Identifier: Apache-2.0 */
/* The built-in profiles (profiles/builtin/NAME.json), compiled in by
 * tools/embed-profiles.py so that they work from the build directory and
 * without an installation.  */
#ifndef CORDON_PROFILES_PROFILE_BUILTIN_H
#define CORDON_PROFILES_PROFILE_BUILTIN_H

#include <stddef.h>

struct profile_builtin
{
  const char *name;
  const char *text;
  size_t len;
};

/* Ends with a { NULL } entry.  */
extern const struct profile_builtin profile_builtins[];

#endif
