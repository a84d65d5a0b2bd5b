/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/safe-path.h"

/* Access rights by ABI (the kernel refuses bits it does not know).  */
#define LL_FS_V1 ((1ull << 13) - 1)
#define LL_REFER (1ull << 13)    /* ABI 2 */
#define LL_TRUNCATE (1ull << 14) /* ABI 3 */
#define LL_IOCTL_DEV (1ull << 15) /* ABI 5 */
#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ull << 1)        /* ABI 6 */

#define LL_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_FILE_ONLY (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)

/* Network rules (ABI 4), spelled out for older headers.  */
#define LL_NET_BIND_TCP (1ull << 0)
#define LL_NET_CONNECT_TCP (1ull << 1)
#define LL_RULE_NET_PORT 2
struct ll_net_port_attr
{
  uint64_t allowed_access;
  uint64_t port;
} __attribute__ ((packed));

/* The attribute as the newest kernels read it; older ones get a prefix.  */
struct ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

int
landlock_abi (void)
{
  long v = syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

  return v > 0 ? (int) v : 0;
}

static uint64_t
handled_fs (int abi)
{
  uint64_t all = LL_FS_V1;

  if (abi >= 2)
    all |= LL_REFER;
  if (abi >= 3)
    all |= LL_TRUNCATE;
  if (abi >= 5)
    all |= LL_IOCTL_DEV;
  return all;
}

static int
add_rule (int ruleset, int fd, uint64_t access, struct cordon_error *err, const char *what)
{
  struct landlock_path_beneath_attr attr = { .allowed_access = access, .parent_fd = fd };

  if (syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) < 0)
    return cordon_error_set (err, errno, "landlock: rule for `%s`", what);
  return 0;
}

static int
add_port_rule (int ruleset, uint16_t port, uint64_t access, struct cordon_error *err)
{
  struct ll_net_port_attr attr = { .allowed_access = access, .port = port };

  if (syscall (SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &attr, 0) < 0)
    return cordon_error_set (err, errno, "landlock: rule for TCP port %u", (unsigned)port);
  return 0;
}

static int
add_path_rule (int ruleset, int rootfd, const char *path, uint64_t access, struct cordon_error *err)
{
  cleanup_close int fd = safe_openat_in_root (rootfd, path, O_PATH, 0);

  struct stat st;

  if (fd < 0)
    return 0; /* a mount point that is not there has nothing to allow */
  /* A file mount (podman's /etc/resolv.conf, /etc/hosts): Landlock takes
   * only file rights on a file, and EINVAL for the directory ones.  */
  if (fstat (fd, &st) == 0 && !S_ISDIR (st.st_mode))
    access &= LL_FILE_ONLY;
  return add_rule (ruleset, fd, access, err, path);
}

static bool
mount_is_writable (const struct cordon_mount *m)
{
  for (char **o = m->options; o && *o; o++)
    if (strcmp (*o, "ro") == 0)
      return false;
  return m->type
         && (strcmp (m->type, "tmpfs") == 0 || strcmp (m->type, "bind") == 0 || strcmp (m->type, "devpts") == 0
             || strcmp (m->type, "mqueue") == 0);
}

int
landlock_apply (const struct cordon_spec *spec, int abi, struct cordon_error *err)
{
  struct ruleset_attr attr = { .handled_access_fs = handled_fs (abi) };
  size_t attr_size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof (uint64_t) : sizeof (uint64_t);
  uint64_t all = attr.handled_access_fs;
  uint64_t no_devices = all & ~(uint64_t) (LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK);
  uint64_t file_rights = LL_FILE_ONLY & all;
  cleanup_close int ruleset = -1;
  cleanup_close int rootfd = -1;
  int r;

  if (abi >= 6)
    attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
  /* TCP ports, when the profile lists them (ABI 4); the attribute is then
   * at least its first two fields.  */
  if (abi >= 4 && spec->cordon.landlock_tcp)
    {
      attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
      if (attr_size < 2 * sizeof (uint64_t))
        attr_size = 2 * sizeof (uint64_t);
    }
  ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, attr_size, 0);
  if (ruleset < 0)
    return cordon_error_set (err, errno, "landlock: create ruleset");
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return cordon_error_set (err, errno, "landlock: open /");
  /* A profile's rules narrow the plan: only the trees it lists are
   * readable, only the ones it lists writable (and a write rule does not
   * make a read-only mount writable).  The root is read-only unless it is
   * an image run with a writable upper (root.readonly false); the mount
   * itself says the same.  */
  if (spec->cordon.landlock_read == NULL)
    r = add_rule (ruleset, rootfd, spec->root_readonly ? LL_READ : no_devices, err, "/");
  else
    {
      r = 0;
      for (char **p = spec->cordon.landlock_read; r >= 0 && *p; p++)
        r = add_path_rule (ruleset, rootfd, *p, LL_READ, err);
    }
  /* Device nodes are binds of the host's: reading, writing and terminal
   * ioctls, never making new ones.  */
  if (r >= 0)
    r = add_path_rule (ruleset, rootfd, "/dev", LL_READ | (file_rights & ~LANDLOCK_ACCESS_FS_EXECUTE), err);
  for (char **p = spec->cordon.landlock_write; r >= 0 && p && *p; p++)
    r = add_path_rule (ruleset, rootfd, *p, no_devices, err);
  for (size_t i = 0; r >= 0 && spec->cordon.landlock_write == NULL && i < spec->n_mounts; i++)
    if (mount_is_writable (&spec->mounts[i]) && strcmp (spec->mounts[i].destination, "/dev") != 0)
      r = add_path_rule (ruleset, rootfd, spec->mounts[i].destination, no_devices, err);
  /* What stdio already points at may be reopened (/dev/stdout).  */
  for (int fd = 0; r >= 0 && fd < 3; fd++)
    {
      struct stat st;
      struct landlock_path_beneath_attr fa = { .allowed_access = file_rights & ~LANDLOCK_ACCESS_FS_EXECUTE,
                                               .parent_fd = fd };
      /* A convenience, not a confinement step: a file the kernel will not
       * take a rule for is simply not reopenable.  */
      if (fstat (fd, &st) == 0 && (S_ISREG (st.st_mode) || S_ISCHR (st.st_mode)))
        syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &fa, 0);
    }
  for (size_t i = 0; r >= 0 && attr.handled_access_net && i < spec->cordon.n_landlock_tcp_bind; i++)
    r = add_port_rule (ruleset, spec->cordon.landlock_tcp_bind[i], LL_NET_BIND_TCP, err);
  for (size_t i = 0; r >= 0 && attr.handled_access_net && i < spec->cordon.n_landlock_tcp_connect; i++)
    r = add_port_rule (ruleset, spec->cordon.landlock_tcp_connect[i], LL_NET_CONNECT_TCP, err);
  if (r < 0)
    return r;
  if (syscall (SYS_landlock_restrict_self, ruleset, 0) < 0)
    return cordon_error_set (err, errno, "landlock: restrict");
  return 0;
}
