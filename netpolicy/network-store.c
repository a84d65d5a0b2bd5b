/* SPDX-License-Identifier: Apache-2.0 */
/* The networks/ directory: create, load, list and remove definitions.  */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/hex.h"
#include "common/strv.h"
#include "netpolicy/network.h"
#include "sandbox/state.h"

/* Where auto-chosen subnets come from: away from Docker's 172.17+ and
 * podman's 10.88/10.89, which may share the host.  A user-defined network
 * gets a /24 of 10.213.0.0/16; the default network a /16 of 10.212.0.0 to
 * 10.223.0.0, the first that is free on this host when it is made (another
 * state root's default network, or anything else, may hold 10.212), never
 * the user-defined networks' 10.213.  */
struct subnet_pool
{
  uint32_t first, last; /* the first and the last candidate */
  unsigned prefix;
  bool skip_user_pool;
  const char *full; /* the error when none is free */
};

#define USER_POOL 0x0ad50000u /* 10.213.0.0/16 */

static const struct subnet_pool user_pool = {
  .first = USER_POOL,
  .last = USER_POOL | 0xff00u,
  .prefix = 24,
  .full = "no free /24 left in 10.213.0.0/16; give --subnet",
};

static const struct subnet_pool default_pool = {
  .first = 0x0ad40000u, /* 10.212.0.0/16 */
  .last = 0x0adf0000u,  /* 10.223.0.0/16 */
  .prefix = 16,
  .skip_user_pool = true,
  .full = "no free /16 left in 10.212.0.0 to 10.223.0.0 for the default network: every one overlaps a host route "
          "or address",
};

int
network_store_open (const char *root_override, struct network_store *s, struct cordon_error *err)
{
  struct state_root root;
  int r;

  s->dfd = -1;
  s->path = NULL;
  /* The state root's checks (ours, not writable by others) hold for
   * networks/ too: it is made here, 0700, and opened without following.  */
  r = state_root_open (root_override, &root, err);
  if (r < 0)
    return r;
  if (mkdirat (root.dfd, "networks", 0700) < 0 && errno != EEXIST)
    r = cordon_error_set (err, errno, "`%s/networks`", root.path);
  if (r >= 0)
    {
      s->dfd = openat (root.dfd, "networks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s->dfd < 0)
        r = cordon_error_set (err, errno, "`%s/networks`", root.path);
      else if (asprintf (&s->path, "%s/networks", root.path) < 0)
        r = cordon_error_set (err, ENOMEM, "out of memory");
    }
  state_root_close (&root);
  if (r < 0)
    network_store_close (s);
  return r;
}

void
network_store_close (struct network_store *s)
{
  if (s->dfd >= 0)
    close (s->dfd);
  s->dfd = -1;
  free (s->path);
  s->path = NULL;
}

int
network_store_lock (const struct network_store *s, struct cordon_error *err)
{
  int fd = openat (s->dfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "`%s/.lock`", s->path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return cordon_error_set (err, e, "lock `%s`", s->path);
      }
  return fd;
}

int
network_open_dir (const struct network_store *s, const char *name, struct cordon_error *err)
{
  int fd;

  if (!network_name_valid (name))
    return cordon_error_set (err, EINVAL, "`%s`: not a valid network name", name);
  fd = openat (s->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? cordon_error_set (err, ENOENT, "network %s not found", name)
                           : cordon_error_set (err, errno, "network %s", name);
  return fd;
}

int
network_load (const struct network_store *s, const char *name, struct network_config *cfg, struct cordon_error *err)
{
  cleanup_close int dfd = network_open_dir (s, name, err);
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  if (dfd < 0)
    return dfd;
  fd = openat (dfd, "network.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return cordon_error_set (err, errno, "network %s: network.json", name);
  r = fd_read_all (fd, NETWORK_MAX_FILE_BYTES, &text, &len);
  if (r < 0)
    return cordon_error_set (err, -r, "network %s: network.json", name);
  r = network_config_parse (text, len, cfg, err);
  if (r < 0)
    return cordon_error_wrap (err, "network %s", name);
  if (strcmp (cfg->name, name) != 0)
    {
      network_config_release (cfg);
      return cordon_error_set (err, EINVAL, "network %s: network.json names another network", name);
    }
  return 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

int
network_list (const struct network_store *s, char ***names, struct cordon_error *err)
{
  cleanup_strv char **out = calloc (1, sizeof *out);
  int fd = openat (s->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;
  DIR *d;

  if (out == NULL || fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int e = out == NULL ? ENOMEM : errno;
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, e, "read `%s`", s->path);
    }
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && network_name_valid (de->d_name) && strv_append (&out, de->d_name) < 0)
      {
        closedir (d);
        return cordon_error_set (err, ENOMEM, "out of memory");
      }
  closedir (d);
  qsort (out, strv_length (out), sizeof *out, cmp_str);
  *names = steal_pointer (&out);
  return 0;
}

void
network_configs_free (struct network_config *cfgs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    network_config_release (&cfgs[i]);
  free (cfgs);
}

int
network_load_all (const struct network_store *s, struct network_config **cfgs, size_t *n, struct cordon_error *err)
{
  cleanup_strv char **names = NULL;
  struct network_config *out;
  size_t count, k = 0;
  int r;

  r = network_list (s, &names, err);
  if (r < 0)
    return r;
  count = strv_length (names);
  out = calloc (count + 1, sizeof *out);
  if (out == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < count; i++)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      /* A directory half made by a create that died, or damaged: it is not
       * a network (network ls shows it as such; prune removes it).  */
      if (network_load (s, names[i], &out[k], &ignored) >= 0)
        k++;
    }
  *cfgs = out;
  *n = k;
  return 0;
}

/* Destinations of the host's IPv4 routes, from /proc/net/route (the kernel's
 * text: hex in network byte order).  */
static bool
overlaps_host_route (const struct net_cidr *c)
{
  cleanup_file FILE *f = fopen ("/proc/net/route", "re");
  char line[256];

  if (f == NULL)
    return false;
  while (fgets (line, sizeof line, f))
    {
      char ifname[32];
      unsigned dst, gw, flags, refcnt, use, metric, mask;
      struct net_cidr r;

      if (sscanf (line, "%31s %x %x %x %u %u %u %x", ifname, &dst, &gw, &flags, &refcnt, &use, &metric, &mask) != 8
          || mask == 0)
        continue;
      r.addr = __builtin_bswap32 (dst);
      r.prefix = (unsigned)__builtin_popcount (mask);
      if (net_cidr_overlap (c, &r))
        return true;
    }
  return false;
}

/* The host's interfaces' IPv4 addresses, with their prefixes: a /32 (on lo,
 * say) has no route in the main table, and a bridge of another state root
 * keeps its address while its route may be gone.  */
static bool
overlaps_host_address (const struct net_cidr *c)
{
  struct ifaddrs *ifs, *i;
  bool hit = false;

  if (getifaddrs (&ifs) < 0)
    return false;
  for (i = ifs; i && !hit; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && i->ifa_netmask)
      {
        uint32_t addr = ntohl (((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr);
        uint32_t mask = ntohl (((const struct sockaddr_in *)(const void *)i->ifa_netmask)->sin_addr.s_addr);
        struct net_cidr a = { .prefix = (unsigned)__builtin_popcount (mask) };

        a.addr = addr & net_cidr_mask (a.prefix);
        hit = net_cidr_overlap (c, &a);
      }
  freeifaddrs (ifs);
  return hit;
}

/* An auto subnet must not shadow what the host already routes.  */
static bool
overlaps_host (const struct net_cidr *c)
{
  return overlaps_host_route (c) || overlaps_host_address (c);
}

static bool
overlaps_network (const struct net_cidr *c, const struct network_config *cfgs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (net_cidr_overlap (c, &cfgs[i].subnet))
      return true;
  return false;
}

static int
write_config (int dfd, const struct network_config *cfg, struct cordon_error *err)
{
  cleanup_free char *json = NULL;
  cleanup_close int fd = -1;
  size_t len;
  int r;

  r = network_config_to_json (cfg, true, &json, &len, err);
  if (r < 0)
    return r;
  fd = openat (dfd, ".network.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 || !fd_write_all (fd, json, len) || !fd_write_all (fd, "\n", 1)
      || renameat (dfd, ".network.json.tmp", dfd, "network.json") < 0)
    return cordon_error_set (err, errno ? errno : EIO, "network %s: write network.json", cfg->name);
  return 0;
}

/* The first subnet of `pool` that no network of this store and nothing of
 * the host's overlaps.  */
static int
pick_subnet (const struct subnet_pool *pool, const struct network_config *all, size_t n_all, struct net_cidr *out,
             struct cordon_error *err)
{
  const struct net_cidr users = { .addr = USER_POOL, .prefix = 16 };
  uint64_t step = 1ull << (32 - pool->prefix);

  for (uint64_t a = pool->first; a <= pool->last; a += step)
    {
      struct net_cidr c = { .addr = (uint32_t)a, .prefix = pool->prefix };

      if ((pool->skip_user_pool && net_cidr_overlap (&c, &users)) || overlaps_network (&c, all, n_all)
          || overlaps_host (&c))
        continue;
      *out = c;
      return 0;
    }
  return cordon_error_set (err, ENOSPC, "%s", pool->full);
}

/* Under the store lock.  `subnet` NULL: one of `pool`.  */
static int
create_locked (const struct network_store *s, const char *name, const char *subnet, const struct subnet_pool *pool,
               bool internal, bool names, struct network_config *out, struct cordon_error *err)
{
  struct network_config cfg = { .internal = internal, .names = names };
  struct network_config *all = NULL;
  cleanup_close int dfd = -1;
  unsigned char raw[NETWORK_ID_HEX / 2];
  size_t n_all = 0;
  int r;

  if (!network_name_valid (name))
    return cordon_error_set (err, EINVAL, "`%s`: a network name is [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64", name);
  if (faccessat (s->dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return cordon_error_set (err, EEXIST, "network with name %s already exists", name);
  r = network_load_all (s, &all, &n_all, err);
  if (r < 0)
    return r;
  if (subnet)
    {
      if (net_parse_cidr (subnet, &cfg.subnet) < 0)
        r = cordon_error_set (
            err, EINVAL, "--subnet `%s`: expected an IPv4 network such as 10.1.2.0/24 (prefix 8 to 30, no host bits)",
            subnet);
      else if (overlaps_network (&cfg.subnet, all, n_all))
        r = cordon_error_set (err, EEXIST, "--subnet %s overlaps another cordon network", subnet);
    }
  else
    r = pick_subnet (pool, all, n_all, &cfg.subnet, err);
  network_configs_free (all, n_all);
  if (r < 0)
    return r;
  cfg.gateway = cfg.subnet.addr + 1;
  if (getrandom (raw, sizeof raw, 0) != (ssize_t)sizeof raw)
    return cordon_error_set (err, EIO, "getrandom");
  hex_encode (raw, sizeof raw, cfg.id);
  snprintf (cfg.bridge, sizeof cfg.bridge, NETWORK_BRIDGE_PREFIX "%.8s", cfg.id);
  cfg.created = (int64_t)time (NULL);
  cfg.name = strdup (name);
  if (cfg.name == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (mkdirat (s->dfd, name, 0711) < 0)
    r = cordon_error_set (err, errno, "network %s", name);
  if (r >= 0 && (dfd = openat (s->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    r = cordon_error_set (err, errno, "network %s", name);
  /* hosts.d is searchable by the sandbox's users: the files in it are
   * bind-mounted as /etc/hosts.  */
  if (r >= 0 && mkdirat (dfd, "hosts.d", 0711) < 0)
    r = cordon_error_set (err, errno, "network %s: hosts.d", name);
  if (r >= 0)
    r = write_config (dfd, &cfg, err);
  if (r < 0)
    {
      cleanup_error struct cordon_error ignored = { 0 };
      network_remove_dir (s, name, &ignored);
      network_config_release (&cfg);
      return r;
    }
  *out = cfg;
  return 0;
}

int
network_create (const struct network_store *s, const char *name, const char *subnet, bool internal,
                struct network_config *out, struct cordon_error *err)
{
  cleanup_close int lock = -1;

  if (network_name_reserved (name) || strcmp (name, NETWORK_DEFAULT) == 0)
    return cordon_error_set (err, EINVAL, "network name %s is reserved", name);
  lock = network_store_lock (s, err);
  if (lock < 0)
    return lock;
  return create_locked (s, name, subnet, &user_pool, internal, true, out, err);
}

int
network_ensure_default (const struct network_store *s, struct network_config *out, struct cordon_error *err)
{
  cleanup_close int lock = -1;
  int r;

  if (network_load (s, NETWORK_DEFAULT, out, err) >= 0)
    return 0;
  cordon_error_release (err);
  lock = network_store_lock (s, err);
  if (lock < 0)
    return lock;
  r = network_load (s, NETWORK_DEFAULT, out, err);
  if (r >= 0 || r != -ENOENT)
    return r;
  cordon_error_release (err);
  /* Docker's default bridge: no names between its sandboxes.  Its subnet is
   * chosen now, once: its sandboxes' addresses stay those of this /16.  */
  return create_locked (s, NETWORK_DEFAULT, NULL, &default_pool, false, false, out, err);
}

static int
remove_tree_files (int dfd, const char *sub)
{
  cleanup_close int fd = openat (dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct dirent *de;
  DIR *d;

  if (fd < 0)
    return errno == ENOENT ? 0 : -errno;
  d = fdopendir (fd);
  if (d == NULL)
    return -errno;
  fd = -1;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0 && unlinkat (dirfd (d), de->d_name, 0) < 0
        && errno != ENOENT)
      {
        int e = errno;
        closedir (d);
        return -e;
      }
  closedir (d);
  return 0;
}

int
network_remove_dir (const struct network_store *s, const char *name, struct cordon_error *err)
{
  cleanup_close int dfd = -1;
  int r;

  if (!network_name_valid (name))
    return cordon_error_set (err, EINVAL, "`%s`: not a valid network name", name);
  dfd = openat (s->dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return errno == ENOENT ? 0 : cordon_error_set (err, errno, "network %s", name);
  /* Only regular files and hosts.d are ever made here.  */
  r = remove_tree_files (dfd, "hosts.d");
  if (r < 0)
    return cordon_error_set (err, -r, "network %s: remove hosts.d", name);
  if (unlinkat (dfd, "hosts.d", AT_REMOVEDIR) < 0 && errno != ENOENT)
    return cordon_error_set (err, errno, "network %s: remove hosts.d", name);
  r = remove_tree_files (s->dfd, name);
  if (r < 0)
    return cordon_error_set (err, -r, "network %s: remove", name);
  if (unlinkat (s->dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return cordon_error_set (err, errno, "network %s: remove the directory", name);
  return 0;
}
