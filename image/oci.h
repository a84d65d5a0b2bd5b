/* SPDX-License-Identifier: Apache-2.0 */
/* OCI image-spec documents (and their Docker schema 2 equivalents): index,
 * manifest, config, descriptors.  Parsed strictly where the spec says MUST
 * (schemaVersion 2, descriptor fields and types, digests validated before
 * any use as a name, rootfs.type "layers"), leniently where it says unknown
 * fields are ignored.  Every document is bounded (4 MiB, as containers/image)
 * and checked for duplicate keys.  */
#ifndef CORDON_IMAGE_OCI_H
#define CORDON_IMAGE_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define OCI_MAX_DOCUMENT (4u << 20)
#define OCI_MAX_LAYERS 128

#define OCI_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"
#define CONTAINERD_NAME_ANNOTATION "io.containerd.image.name"

struct oci_descriptor
{
  char *media_type;
  char *digest;
  int64_t size;
  char *ref_name;   /* annotation org.opencontainers.image.ref.name */
  char *image_name; /* annotation io.containerd.image.name */
  char *kind;       /* annotation "kind" (cosign save: dev.cosignproject.cosign/sigs) */
  char *signature;  /* annotation dev.cosignproject.cosign/signature */
  char *os, *architecture, *variant; /* platform, in indexes */
};

struct oci_index
{
  struct oci_descriptor *manifests;
  size_t n_manifests;
};

struct oci_manifest
{
  struct oci_descriptor config;
  struct oci_descriptor *layers;
  size_t n_layers;
};

struct oci_image_config
{
  char *os, *architecture, *variant;
  char *user, *working_dir, *stop_signal;
  char **env, **entrypoint, **cmd, **exposed_ports;
  char **diff_ids;
  size_t n_diff_ids;
};

bool oci_media_type_is_index (const char *media_type);
bool oci_media_type_is_manifest (const char *media_type);
bool oci_media_type_is_config (const char *media_type);

int oci_index_parse (const char *text, size_t len, const char *what, struct oci_index *out, struct cordon_error *err);
int oci_manifest_parse (const char *text, size_t len, const char *what, struct oci_manifest *out,
                        struct cordon_error *err);
int oci_config_parse (const char *text, size_t len, const char *what, struct oci_image_config *out,
                      struct cordon_error *err);

void oci_descriptor_release (struct oci_descriptor *d);
void oci_index_release (struct oci_index *idx);
void oci_manifest_release (struct oci_manifest *m);
void oci_config_release (struct oci_image_config *c);

static inline void
oci_config_releasep (struct oci_image_config *c)
{
  oci_config_release (c);
}
#define cleanup_oci_config __attribute__ ((cleanup (oci_config_releasep)))

/* The host's GOARCH ("amd64", "arm64", ...).  */
const char *oci_host_architecture (void);

#endif
