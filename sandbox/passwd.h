/* SPDX-License-Identifier: Apache-2.0 */
/* Looks users and groups up in the sandbox root's /etc/passwd and /etc/group
 * (never the host's), read through openat2 so that a symlink in the root
 * cannot point the lookup at a host file.  */
#ifndef CORDON_SANDBOX_PASSWD_H
#define CORDON_SANDBOX_PASSWD_H

#include <stdint.h>

struct passwd_entry
{
  uint32_t uid;
  uint32_t gid;
  char *home; /* heap */
};

/* By name or by number (a decimal string).  0 when found, -ENOENT when not,
 * another -errno when the file cannot be read.  */
int passwd_lookup_user (int rootfd, const char *user, struct passwd_entry *out);
int passwd_lookup_uid (int rootfd, uint32_t uid, struct passwd_entry *out);
int passwd_lookup_group (int rootfd, const char *group, uint32_t *gid);

#endif
