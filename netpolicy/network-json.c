/* SPDX-License-Identifier: Apache-2.0 */
/* network.json: written by `network create`, read back as hostile input by
 * every command that uses the network.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "netpolicy/network.h"

#define NETWORK_VERSION 1

static const struct json_limits network_limits = {
  .max_bytes = NETWORK_MAX_FILE_BYTES,
  .max_items = 64,
  .max_string = 256,
};

bool
network_name_valid (const char *name)
{
  size_t len = strlen (name);

  if (len == 0 || len > 64)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

bool
network_name_reserved (const char *name)
{
  return strcmp (name, "none") == 0 || strcmp (name, "host") == 0 || strcmp (name, "default") == 0;
}

int
network_config_to_json (const struct network_config *cfg, bool pretty, char **out, size_t *len,
                        struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (pretty);
  char subnet[NET_CIDR_STRLEN], gw[NET_ADDR_STRLEN];

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "network.json");
  net_format_cidr (&cfg->subnet, subnet);
  net_format_ipv4 (cfg->gateway, gw);
  yajl_gen_map_open (g);
  jg_kv_i64 (g, "version", NETWORK_VERSION);
  jg_kv_str (g, "name", cfg->name);
  jg_kv_str (g, "id", cfg->id);
  jg_kv_str (g, "driver", "bridge");
  jg_kv_str (g, "bridge", cfg->bridge);
  jg_kv_str (g, "subnet", subnet);
  jg_kv_str (g, "gateway", gw);
  jg_kv_bool (g, "internal", cfg->internal);
  jg_kv_bool (g, "names", cfg->names);
  jg_kv_i64 (g, "created", cfg->created);
  yajl_gen_map_close (g);
  return jg_finish (g, out, len, err);
}

static bool
hex_valid (const char *s, size_t n)
{
  if (strlen (s) != n)
    return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

static int
want_string (yajl_val root, const char *key, char **out, struct cordon_error *err)
{
  char where[64];

  snprintf (where, sizeof where, "network.json: %s", key);
  return json_string (json_get (root, key), &network_limits, where, out, err);
}

static int
parse_fields (yajl_val root, struct network_config *cfg, struct cordon_error *err)
{
  cleanup_free char *id = NULL, *bridge = NULL, *subnet = NULL, *gw = NULL, *driver = NULL;
  char expect[sizeof cfg->bridge];
  yajl_val v;
  int64_t version;
  int r;

  if ((r = json_want_object (root, "network.json", err)) < 0)
    return r;
  if ((r = json_i64 (json_get (root, "version"), "network.json: version", &version, err)) < 0)
    return r;
  if (version != NETWORK_VERSION)
    return cordon_error_set (err, EINVAL, "network.json: version %lld is not %d", (long long)version, NETWORK_VERSION);
  if ((r = want_string (root, "name", &cfg->name, err)) < 0 || (r = want_string (root, "id", &id, err)) < 0
      || (r = want_string (root, "bridge", &bridge, err)) < 0 || (r = want_string (root, "subnet", &subnet, err)) < 0
      || (r = want_string (root, "gateway", &gw, err)) < 0 || (r = want_string (root, "driver", &driver, err)) < 0)
    return r;
  if (!network_name_valid (cfg->name))
    return cordon_error_set (err, EINVAL, "network.json: name: not a valid network name");
  if (strcmp (driver, "bridge") != 0)
    return cordon_error_set (err, EINVAL, "network.json: driver: only `bridge` is known");
  if (!hex_valid (id, NETWORK_ID_HEX))
    return cordon_error_set (err, EINVAL, "network.json: id: expected %d lowercase hex digits", NETWORK_ID_HEX);
  memcpy (cfg->id, id, NETWORK_ID_HEX + 1);
  /* The bridge's name follows from the id: a planted file cannot make us
   * attach sandboxes to (or delete) an interface cordon did not make.  */
  snprintf (expect, sizeof expect, NETWORK_BRIDGE_PREFIX "%.8s", cfg->id);
  if (strcmp (bridge, expect) != 0)
    return cordon_error_set (err, EINVAL, "network.json: bridge: expected `%s`", expect);
  memcpy (cfg->bridge, expect, sizeof expect);
  if (net_parse_cidr (subnet, &cfg->subnet) < 0)
    return cordon_error_set (err, EINVAL, "network.json: subnet: expected an IPv4 CIDR with a prefix of 8 to 30");
  if (net_parse_ipv4 (gw, &cfg->gateway) < 0 || cfg->gateway != cfg->subnet.addr + 1)
    return cordon_error_set (err, EINVAL, "network.json: gateway: expected the subnet's first address");
  if ((v = json_get (root, "internal")) && (r = json_bool (v, "network.json: internal", &cfg->internal, err)) < 0)
    return r;
  if ((v = json_get (root, "names")) && (r = json_bool (v, "network.json: names", &cfg->names, err)) < 0)
    return r;
  if ((v = json_get (root, "created")) && (r = json_i64 (v, "network.json: created", &cfg->created, err)) < 0)
    return r;
  if (cfg->created < 0)
    return cordon_error_set (err, ERANGE, "network.json: created: out of range");
  return 0;
}

int
network_config_parse (const char *text, size_t len, struct network_config *cfg, struct cordon_error *err)
{
  cleanup_json yajl_val root = NULL;
  int r;

  *cfg = (struct network_config){ 0 };
  r = json_parse (text, len, &network_limits, "network.json", &root, err);
  if (r >= 0)
    r = json_check_unique_keys (text, len, "network.json", err);
  if (r >= 0)
    r = parse_fields (root, cfg, err);
  if (r < 0)
    network_config_release (cfg);
  return r;
}

void
network_config_release (struct network_config *cfg)
{
  free (cfg->name);
  cfg->name = NULL;
}
