/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: network.json and ipam.json are read back by every run
 * on a network and may have been left half-written or planted.  The first
 * byte picks the parser; what either accepts must serialise and parse back
 * to the same thing, and every accepted lease must render a hosts file.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netpolicy/hosts.h"
#include "netpolicy/ipam.h"
#include "netpolicy/network.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_config (const char *text, size_t len)
{
  struct cordon_error err = { 0 };
  struct network_config cfg, again;
  char *json = NULL, *json2 = NULL;
  size_t n, n2;

  if (network_config_parse (text, len, &cfg, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return;
    }
  if (network_config_to_json (&cfg, true, &json, &n, &err) < 0 || network_config_parse (json, n, &again, &err) < 0
      || network_config_to_json (&again, true, &json2, &n2, &err) < 0 || n != n2 || memcmp (json, json2, n) != 0)
    abort ();
  free (json);
  free (json2);
  network_config_release (&again);
  network_config_release (&cfg);
}

static void
fuzz_ipam (const char *text, size_t len)
{
  struct cordon_error err = { 0 };
  struct network_config cfg = { .name = (char *)"fuzz", .names = true };
  struct ipam_table t, again;
  char *json = NULL, *json2 = NULL;
  size_t n, n2;

  if (ipam_parse (text, len, &t, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return;
    }
  if (ipam_to_json (&t, &json, &n, &err) < 0 || ipam_parse (json, n, &again, &err) < 0
      || ipam_to_json (&again, &json2, &n2, &err) < 0 || n != n2 || memcmp (json, json2, n) != 0)
    abort ();
  for (size_t i = 0; i < t.n; i++)
    {
      char *hosts = NULL;
      size_t hl;
      struct hosts_view v = { &cfg, &t };
      if (hosts_render (&v, 1, t.leases[i].id, &hosts, &hl, &err) < 0)
        abort ();
      /* Every line is ADDRESS<TAB>NAMES: nothing a lease holds may add one. */
      for (size_t k = 0; k + 1 < hl; k++)
        if (hosts[k] == '\r' || hosts[k] == '\0')
          abort ();
      free (hosts);
    }
  free (json);
  free (json2);
  ipam_release (&again);
  ipam_release (&t);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  if (data[0] & 1)
    fuzz_ipam ((const char *)data + 1, size - 1);
  else
    fuzz_config ((const char *)data + 1, size - 1);
  return 0;
}
