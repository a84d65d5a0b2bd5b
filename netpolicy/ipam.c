/* SPDX-License-Identifier: Apache-2.0 */
/* ipam.json: parse, write, allocate.  Every string in it ends up in a
 * sandbox's /etc/hosts, so names and host entries are checked on the way
 * in as well as on the way out.  */
#include "netpolicy/ipam.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "common/strv.h"
#include "netpolicy/publish.h"
#include "sandbox/state.h"

static const struct json_limits ipam_limits = {
  .max_bytes = IPAM_MAX_FILE_BYTES,
  .max_items = IPAM_MAX_LEASES,
  .max_string = 256,
};

void
ipam_lease_release (struct ipam_lease *l)
{
  strv_free (l->names);
  strv_free (l->hosts);
  strv_free (l->ports);
  l->names = l->hosts = l->ports = NULL;
}

void
ipam_release (struct ipam_table *t)
{
  for (size_t i = 0; i < t->n; i++)
    ipam_lease_release (&t->leases[i]);
  free (t->leases);
  t->leases = NULL;
  t->n = 0;
}

/* A host name as /etc/hosts can carry it (and as Docker accepts one).  */
static bool
host_name_valid (const char *s)
{
  return network_name_valid (s);
}

static bool
host_entry_valid (const char *s)
{
  const char *colon = strrchr (s, ':');
  char name[65];
  uint32_t ip;
  size_t len;

  if (colon == NULL || (len = (size_t)(colon - s)) == 0 || len >= sizeof name)
    return false;
  memcpy (name, s, len);
  name[len] = '\0';
  return host_name_valid (name) && net_parse_ipv4 (colon + 1, &ip) == 0;
}

int
ipam_to_json (const struct ipam_table *t, char **out, size_t *len, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (false);

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "ipam.json");
  yajl_gen_map_open (g);
  jg_kv_i64 (g, "version", 1);
  jg_str (g, "leases");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < t->n; i++)
    {
      const struct ipam_lease *l = &t->leases[i];
      char ip[NET_ADDR_STRLEN];

      net_format_ipv4 (l->ip, ip);
      yajl_gen_map_open (g);
      jg_kv_str (g, "ip", ip);
      jg_kv_str (g, "id", l->id);
      jg_kv_strv (g, "names", l->names);
      jg_kv_strv (g, "hosts", l->hosts);
      jg_kv_strv (g, "ports", l->ports);
      jg_kv_i64 (g, "pid", l->pid);
      jg_kv_u64 (g, "start", l->start);
      if (l->veth[0])
        jg_kv_str (g, "veth", l->veth);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  return jg_finish (g, out, len, err);
}

static int
parse_lease (yajl_val v, size_t i, struct ipam_lease *l, struct cordon_error *err)
{
  cleanup_free char *ip = NULL, *id = NULL;
  char where[64];
  yajl_val x;
  int64_t pid;
  int r;

  json_path (where, sizeof where, "ipam.json: leases[%zu]", i);
  if ((r = json_want_object (v, where, err)) < 0)
    return r;
  if ((r = json_string (json_get (v, "ip"), &ipam_limits, where, &ip, err)) < 0
      || (r = json_string (json_get (v, "id"), &ipam_limits, where, &id, err)) < 0)
    return r;
  if (net_parse_ipv4 (ip, &l->ip) < 0)
    return cordon_error_set (err, EINVAL, "%s.ip: not an IPv4 address", where);
  if (strlen (id) != IPAM_ID_HEX || strspn (id, "0123456789abcdef") != IPAM_ID_HEX)
    return cordon_error_set (err, EINVAL, "%s.id: expected %d lowercase hex digits", where, IPAM_ID_HEX);
  memcpy (l->id, id, IPAM_ID_HEX + 1);
  if ((x = json_get (v, "names")) && !YAJL_IS_NULL (x) && (r = json_strv (x, &ipam_limits, where, &l->names, err)) < 0)
    return r;
  if ((x = json_get (v, "hosts")) && !YAJL_IS_NULL (x) && (r = json_strv (x, &ipam_limits, where, &l->hosts, err)) < 0)
    return r;
  if ((x = json_get (v, "ports")) && !YAJL_IS_NULL (x) && (r = json_strv (x, &ipam_limits, where, &l->ports, err)) < 0)
    return r;
  if (strv_length (l->names) > IPAM_MAX_NAMES || strv_length (l->hosts) > IPAM_MAX_NAMES
      || strv_length (l->ports) > IPAM_MAX_NAMES)
    return cordon_error_set (err, E2BIG, "%s: too many names", where);
  for (char **p = l->names; p && *p; p++)
    if (!host_name_valid (*p))
      return cordon_error_set (err, EINVAL, "%s.names: `%s` is not a host name", where, *p);
  for (char **p = l->hosts; p && *p; p++)
    if (!host_entry_valid (*p))
      return cordon_error_set (err, EINVAL, "%s.hosts: expected NAME:IPv4", where);
  /* Each becomes nftables text: only what publish_parse accepts.  */
  for (char **p = l->ports; p && *p; p++)
    {
      struct net_port np;
      if (publish_parse (*p, &np, err) < 0)
        return cordon_error_wrap (err, "%s.ports", where);
    }
  if ((r = json_i64 (json_get (v, "pid"), where, &pid, err)) < 0)
    return r;
  if (pid < 0 || pid > INT32_MAX)
    return cordon_error_set (err, ERANGE, "%s.pid: out of range", where);
  l->pid = (pid_t)pid;
  if ((x = json_get (v, "start")) && (r = json_u64 (x, where, &l->start, err)) < 0)
    return r;
  if ((x = json_get (v, "veth")) && !YAJL_IS_NULL (x))
    {
      cleanup_free char *veth = NULL;
      const size_t pre = strlen (NETWORK_VETH_PREFIX);

      if ((r = json_string (x, &ipam_limits, where, &veth, err)) < 0)
        return r;
      /* A name we delete on the host: only one we could have made.  */
      if (strlen (veth) != pre + 10 || strncmp (veth, NETWORK_VETH_PREFIX, pre) != 0
          || strspn (veth + pre, "0123456789abcdef") != 10)
        return cordon_error_set (err, EINVAL, "%s.veth: expected %s and 10 hex digits", where, NETWORK_VETH_PREFIX);
      memcpy (l->veth, veth, pre + 11);
    }
  return 0;
}

static int
cmp_lease_ip (const void *a, const void *b)
{
  uint32_t x = (*(const struct ipam_lease *const *)a)->ip, y = (*(const struct ipam_lease *const *)b)->ip;

  return x < y ? -1 : x > y;
}

static int
cmp_lease_id (const void *a, const void *b)
{
  return strcmp ((*(const struct ipam_lease *const *)a)->id, (*(const struct ipam_lease *const *)b)->id);
}

/* Two leases of one address or one id: the file was not ours.  Sorted, so
 * that a file of many leases costs n log n, not n squared.  */
static int
check_unique (const struct ipam_table *t, struct cordon_error *err)
{
  cleanup_free const struct ipam_lease **v = calloc (t->n + 1, sizeof *v);

  if (v == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < t->n; i++)
    v[i] = &t->leases[i];
  qsort (v, t->n, sizeof *v, cmp_lease_ip);
  for (size_t i = 1; i < t->n; i++)
    if (v[i]->ip == v[i - 1]->ip)
      return cordon_error_set (err, EINVAL, "ipam.json: two leases of one address");
  qsort (v, t->n, sizeof *v, cmp_lease_id);
  for (size_t i = 1; i < t->n; i++)
    if (strcmp (v[i]->id, v[i - 1]->id) == 0)
      return cordon_error_set (err, EINVAL, "ipam.json: two leases of one id");
  return 0;
}

int
ipam_parse (const char *text, size_t len, struct ipam_table *t, struct cordon_error *err)
{
  cleanup_json yajl_val root = NULL;
  yajl_val leases;
  int r;

  *t = (struct ipam_table){ 0 };
  r = json_parse (text, len, &ipam_limits, "ipam.json", &root, err);
  if (r < 0)
    return r;
  if ((r = json_want_object (root, "ipam.json", err)) < 0)
    return r;
  leases = json_get (root, "leases");
  if ((r = json_want_array (leases, &ipam_limits, "ipam.json: leases", err)) < 0)
    return r;
  t->leases = calloc (leases->u.array.len + 1, sizeof *t->leases);
  if (t->leases == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < leases->u.array.len; i++)
    {
      r = parse_lease (leases->u.array.values[i], i, &t->leases[t->n], err);
      t->n++;
      if (r < 0)
        {
          ipam_release (t);
          return r;
        }
    }
  r = check_unique (t, err);
  if (r < 0)
    ipam_release (t);
  return r;
}

int
ipam_lock (int netdfd, struct cordon_error *err)
{
  int fd = openat (netdfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "ipam lock");
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int e = errno;
        close (fd);
        return cordon_error_set (err, e, "ipam lock");
      }
  return fd;
}

int
ipam_load (int netdfd, struct ipam_table *t, struct cordon_error *err)
{
  cleanup_close int fd = openat (netdfd, "ipam.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  *t = (struct ipam_table){ 0 };
  if (fd < 0)
    return errno == ENOENT ? 0 : cordon_error_set (err, errno, "ipam.json");
  r = fd_read_all (fd, IPAM_MAX_FILE_BYTES, &text, &len);
  if (r < 0)
    return cordon_error_set (err, -r, "ipam.json");
  return ipam_parse (text, len, t, err);
}

int
ipam_save (int netdfd, const struct ipam_table *t, struct cordon_error *err)
{
  cleanup_free char *json = NULL;
  cleanup_close int fd = -1;
  size_t len;
  int r;

  r = ipam_to_json (t, &json, &len, err);
  if (r < 0)
    return r;
  fd = openat (netdfd, ".ipam.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || !fd_write_all (fd, json, len) || !fd_write_all (fd, "\n", 1)
      || renameat (netdfd, ".ipam.json.tmp", netdfd, "ipam.json") < 0)
    return cordon_error_set (err, errno ? errno : EIO, "write ipam.json");
  return 0;
}

static const struct ipam_lease *
find_ip (const struct ipam_table *t, uint32_t ip)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->leases[i].ip == ip)
      return &t->leases[i];
  return NULL;
}

int
ipam_add (const struct network_config *cfg, struct ipam_table *t, struct ipam_lease *lease, struct cordon_error *err)
{
  struct ipam_lease *grown;
  char ip[NET_ADDR_STRLEN];
  int r;

  for (char **p = lease->names; p && *p; p++)
    {
      if (!host_name_valid (*p))
        return cordon_error_set (err, EINVAL, "`%s`: not a valid host name", *p);
      for (size_t i = 0; i < t->n; i++)
        for (char **q = t->leases[i].names; q && *q; q++)
          if (strcasecmp (*p, *q) == 0)
            return cordon_error_set (err, EADDRINUSE, "the name %s is taken on network %s", *p, cfg->name);
    }
  for (char **p = lease->hosts; p && *p; p++)
    if (!host_entry_valid (*p))
      return cordon_error_set (err, EINVAL, "--add-host `%s`: expected NAME:IPv4", *p);
  r = ipam_check_ports (t, lease->ports, err);
  if (r < 0)
    return r;
  if (lease->ip != 0)
    {
      net_format_ipv4 (lease->ip, ip);
      if (!net_cidr_contains (&cfg->subnet, lease->ip) || lease->ip < net_cidr_first_host (&cfg->subnet)
          || lease->ip > net_cidr_last_host (&cfg->subnet))
        return cordon_error_set (err, EINVAL, "--ip %s: not a host address of network %s", ip, cfg->name);
      if (find_ip (t, lease->ip))
        return cordon_error_set (err, EADDRINUSE, "--ip %s: the address is in use on network %s", ip, cfg->name);
    }
  else
    {
      for (uint32_t a = net_cidr_first_host (&cfg->subnet); a <= net_cidr_last_host (&cfg->subnet); a++)
        if (find_ip (t, a) == NULL)
          {
            lease->ip = a;
            break;
          }
      if (lease->ip == 0)
        return cordon_error_set (err, ENOSPC, "network %s has no free address", cfg->name);
    }
  if (t->n >= IPAM_MAX_LEASES)
    return cordon_error_set (err, ENOSPC, "network %s has no free address", cfg->name);
  grown = realloc (t->leases, (t->n + 1) * sizeof *t->leases);
  if (grown == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  t->leases = grown;
  t->leases[t->n++] = *lease;
  lease->names = lease->hosts = lease->ports = NULL;
  return 0;
}

int
ipam_check_ports (const struct ipam_table *t, char *const *ports, struct cordon_error *err)
{
  for (char *const *p = ports; p && *p; p++)
    {
      struct net_port a;
      int r = publish_parse (*p, &a, err);

      if (r < 0)
        return r;
      for (size_t i = 0; i < t->n; i++)
        for (char **q = t->leases[i].ports; q && *q; q++)
          {
            struct net_port b;
            if (publish_parse (*q, &b, err) < 0)
              continue;
            if (publish_conflict (&a, &b))
              return cordon_error_set (err, EADDRINUSE, "-p %s: host port %u/%s is already published by sandbox %.12s",
                                       *p, a.host_port, a.udp ? "udp" : "tcp", t->leases[i].id);
          }
    }
  return 0;
}

const struct ipam_lease *
ipam_find (const struct ipam_table *t, const char *id)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp (t->leases[i].id, id) == 0)
      return &t->leases[i];
  return NULL;
}

bool
ipam_remove (struct ipam_table *t, const char *id)
{
  const struct ipam_lease *l = ipam_find (t, id);
  size_t i;

  if (l == NULL)
    return false;
  i = (size_t)(l - t->leases);
  ipam_lease_release (&t->leases[i]);
  memmove (&t->leases[i], &t->leases[i + 1], (t->n - i - 1) * sizeof *t->leases);
  t->n--;
  return true;
}

bool
ipam_lease_stale (const struct ipam_lease *l)
{
  uint64_t start = l->pid > 0 ? state_proc_start_time (l->pid) : 0;

  return start == 0 || (l->start != 0 && start != l->start);
}

int
ipam_take_stale (struct ipam_table *t, struct ipam_table *gone, struct cordon_error *err)
{
  size_t i = 0;

  while (i < t->n)
    {
      struct ipam_lease *grown;

      if (!ipam_lease_stale (&t->leases[i]))
        {
          i++;
          continue;
        }
      grown = realloc (gone->leases, (gone->n + 1) * sizeof *gone->leases);
      if (grown == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
      gone->leases = grown;
      gone->leases[gone->n++] = t->leases[i];
      memmove (&t->leases[i], &t->leases[i + 1], (t->n - i - 1) * sizeof *t->leases);
      t->n--;
    }
  return 0;
}

void
ipam_veth_name (const struct ipam_lease *l, char buf[16])
{
  if (l->veth[0])
    snprintf (buf, 16, "%s", l->veth);
  else
    snprintf (buf, 16, NETWORK_VETH_PREFIX "%.10s", l->id);
}

void
ipam_veth_name_connect (const char *id, const char *network_id, char buf[16])
{
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

  /* Not a secret, only spread: 40 bits make a clash between a host's
   * sandboxes unlikely, and the veth is made with NLM_F_EXCL, so a clash
   * is a refused connect, never another's interface.  */
  for (const char *p = id; *p; p++)
    h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
  h = (h ^ '/') * 0x100000001b3ull;
  for (const char *p = network_id; *p; p++)
    h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
  snprintf (buf, 16, NETWORK_VETH_PREFIX "%010llx", (unsigned long long)(h >> 24));
}
