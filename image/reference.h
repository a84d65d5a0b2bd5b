/* SPDX-License-Identifier: Apache-2.0 */
/* Docker image references: "busybox" is docker.io/library/busybox:latest,
 * "name:tag", "name@sha256:<hex>", "host[:port]/path[:tag]".  Parsed with
 * Docker's grammar (distribution/reference): lower-case path components
 * separated by [._-]/__, tags [\w][\w.-]{0,127}, 255 bytes at most.  */
#ifndef CORDON_IMAGE_REFERENCE_H
#define CORDON_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "common/error.h"

struct image_reference
{
  char *domain;   /* "docker.io", "example.com:5000" */
  char *path;     /* "library/busybox" */
  char *tag;      /* NULL when only a digest was given; "latest" by default */
  char *digest;   /* "sha256:<hex>" or NULL */
  bool name_only; /* the text had neither tag nor digest ("latest" was supplied):
                   * signature identities need to know (matchExact refuses them) */
};

void image_reference_release (struct image_reference *ref);

/* Parses and normalises `text`.  A name without a domain gets docker.io, a
 * single docker.io component gets library/, a reference with neither tag
 * nor digest gets "latest".  */
int image_reference_parse (const char *text, struct image_reference *out, struct cordon_error *err);

/* "docker.io/library/busybox" */
char *image_reference_repository (const struct image_reference *ref);
/* "docker.io/library/busybox:latest" or "...@sha256:..." (tag wins when both,
 * then "@digest" is appended) */
char *image_reference_string (const struct image_reference *ref);
/* The short form Docker prints: "busybox:latest", "example.com/x/y:1".  */
char *image_reference_familiar (const struct image_reference *ref);

#endif
