/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the OCI documents an import reads from a hostile
 * layout — index.json, manifests, image configs.  The first byte picks the
 * parser; every refusal must say why, and what is accepted must only hold
 * valid digests.  */
#include <stdint.h>
#include <stdlib.h>

#include "image/digest.h"
#include "image/oci.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_descriptor (const struct oci_descriptor *d)
{
  if (!digest_is_valid (d->digest) || d->size < 0 || d->media_type == NULL)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  const char *text = (const char *)data + 1;
  int r;

  if (size < 1)
    return 0;
  size--;
  switch (data[0] % 3)
    {
    case 0:
      {
        struct oci_index idx = { 0 };
        r = oci_index_parse (text, size, "index.json", &idx, &err);
        for (size_t i = 0; r >= 0 && i < idx.n_manifests; i++)
          check_descriptor (&idx.manifests[i]);
        oci_index_release (&idx);
        break;
      }
    case 1:
      {
        struct oci_manifest m = { 0 };
        r = oci_manifest_parse (text, size, "manifest", &m, &err);
        if (r >= 0)
          {
            check_descriptor (&m.config);
            for (size_t i = 0; i < m.n_layers; i++)
              check_descriptor (&m.layers[i]);
          }
        oci_manifest_release (&m);
        break;
      }
    default:
      {
        struct oci_image_config c = { 0 };
        r = oci_config_parse (text, size, "config", &c, &err);
        for (size_t i = 0; r >= 0 && i < c.n_diff_ids; i++)
          if (!digest_is_valid (c.diff_ids[i]))
            abort ();
        oci_config_release (&c);
        break;
      }
    }
  if (r < 0 && err.msg == NULL)
    abort ();
  cordon_error_release (&err);
  return 0;
}
