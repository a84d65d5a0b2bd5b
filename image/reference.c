/* SPDX-License-Identifier: Apache-2.0 */
/* Docker references, after distribution/reference (regexp.go, normalize.go)
 * without regular expressions: the grammar is small enough to walk by hand,
 * and a hand walk cannot backtrack exponentially on hostile names.  The
 * reference is used for policy scopes and signature identities, so two
 * spellings of one image ("busybox", "docker.io/library/busybox:latest")
 * must normalise to one string.  */
#include "image/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/digest.h"

#define REFERENCE_NAME_MAX 255 /* distribution's NameTotalLengthMax */
#define REFERENCE_TAG_MAX 128
#define REFERENCE_TEXT_MAX (REFERENCE_NAME_MAX + 1 + REFERENCE_TAG_MAX + 1 + DIGEST_SHA256_LEN)

void
image_reference_release (struct image_reference *ref)
{
  free (ref->domain);
  free (ref->path);
  free (ref->tag);
  free (ref->digest);
  memset (ref, 0, sizeof *ref);
}

static bool
reference_is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
reference_is_alnum (char c)
{
  return reference_is_lower_alnum (c) || (c >= 'A' && c <= 'Z');
}

static bool
reference_is_word (char c)
{
  return reference_is_alnum (c) || c == '_';
}

/* [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*  */
static bool
reference_component_is_valid (const char *s, size_t n)
{
  size_t i = 0;

  for (;;)
    {
      size_t start = i;
      while (i < n && reference_is_lower_alnum (s[i]))
        i++;
      if (i == start)
        return false;
      if (i == n)
        return true;
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
      else if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else
        return false;
    }
}

/* remoteName: path components separated by '/'.  */
static bool
reference_path_is_valid (const char *s, size_t n)
{
  size_t start = 0;

  for (size_t i = 0; i <= n; i++)
    if (i == n || s[i] == '/')
      {
        if (!reference_component_is_valid (s + start, i - start))
          return false;
        start = i + 1;
      }
  return true;
}

/* (?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]) joined by '.', or
 * \[[a-fA-F0-9:]+\]; then an optional :[0-9]+.  */
static bool
reference_domain_is_valid (const char *s, size_t n)
{
  size_t i = 0;

  if (n > 0 && s[0] == '[')
    {
      for (i = 1; i < n && s[i] != ']'; i++)
        if (!(s[i] == ':' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')
              || (s[i] >= 'A' && s[i] <= 'F')))
          return false;
      if (i == 1 || i == n)
        return false;
      i++;
    }
  else
    for (;;)
      {
        size_t start = i;
        while (i < n && (reference_is_alnum (s[i]) || s[i] == '-'))
          i++;
        if (i == start || s[start] == '-' || s[i - 1] == '-')
          return false;
        if (i < n && s[i] == '.')
          {
            i++;
            continue;
          }
        break;
      }
  if (i == n)
    return true;
  if (s[i] != ':' || i + 1 == n)
    return false;
  for (i++; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

/* [\w][\w.-]{0,127}  */
static bool
reference_tag_is_valid (const char *s)
{
  size_t n = strlen (s);

  if (n == 0 || n > REFERENCE_TAG_MAX || !reference_is_word (s[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!reference_is_word (s[i]) && s[i] != '.' && s[i] != '-')
      return false;
  return true;
}

static bool
reference_is_hex64 (const char *s)
{
  size_t i;

  for (i = 0; s[i]; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return i == 64;
}

/* distribution's splitDockerDomain: the first component is a registry when
 * it looks like a host name (a dot or a port), is "localhost", or has
 * upper-case letters (which a repository path cannot).  */
static bool
reference_first_is_domain (const char *name)
{
  const char *slash = strchr (name, '/');
  size_t n;

  if (slash == NULL)
    return false;
  n = (size_t)(slash - name);
  if (memchr (name, '.', n) != NULL || memchr (name, ':', n) != NULL || (n == 9 && memcmp (name, "localhost", 9) == 0))
    return true;
  for (size_t i = 0; i < n; i++)
    if (name[i] >= 'A' && name[i] <= 'Z')
      return true;
  return false;
}

static int
reference_split_domain (const char *name, char **domain, char **path)
{
  const char *slash = strchr (name, '/');
  bool has_domain = reference_first_is_domain (name);

  if (has_domain)
    {
      *domain = strndup (name, (size_t)(slash - name));
      *path = strdup (slash + 1);
    }
  else
    {
      *domain = strdup ("docker.io");
      *path = strdup (name);
    }
  if (*domain == NULL || *path == NULL)
    return -ENOMEM;
  if (strcmp (*domain, "index.docker.io") == 0)
    {
      free (*domain);
      *domain = strdup ("docker.io");
      if (*domain == NULL)
        return -ENOMEM;
    }
  if (strcmp (*domain, "docker.io") == 0 && strchr (*path, '/') == NULL)
    {
      char *p = NULL;
      if (asprintf (&p, "library/%s", *path) < 0)
        return -ENOMEM;
      free (*path);
      *path = p;
    }
  return 0;
}

int
image_reference_parse (const char *text, struct image_reference *out, struct cordon_error *err)
{
  cleanup_free char *name = NULL;
  cleanup_free char *domain = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *tag = NULL;
  cleanup_free char *digest = NULL;
  size_t len;
  char *at, *colon;

  memset (out, 0, sizeof *out);
  if (text == NULL || text[0] == '\0')
    return cordon_error_set (err, 0, "invalid reference format: empty image reference");
  len = strlen (text);
  if (len > REFERENCE_TEXT_MAX)
    return cordon_error_set (err, 0, "invalid reference format: image reference longer than %d bytes",
                             REFERENCE_TEXT_MAX);
  /* Messages quote the reference: it may come from a signature payload.  */
  for (size_t i = 0; i < len; i++)
    if (text[i] <= 0x20 || text[i] >= 0x7f)
      return cordon_error_set (err, 0,
                               "invalid reference format: image reference contains a blank or "
                               "non-printable character");
  if (reference_is_hex64 (text))
    return cordon_error_set (err, 0, "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", text);

  name = strdup (text);
  if (name == NULL)
    return cordon_error_set (err, ENOMEM, "image reference");
  at = strchr (name, '@');
  if (at != NULL)
    {
      *at = '\0';
      if (!digest_is_valid (at + 1))
        return cordon_error_set (err, 0, "invalid reference format: `%s`: digest must be sha256:<64 hex>", text);
      digest = strdup (at + 1);
      if (digest == NULL)
        return cordon_error_set (err, ENOMEM, "image reference");
    }
  /* A ':' after the last '/' starts the tag; one before it is a port.  */
  colon = strrchr (name, ':');
  if (colon != NULL && strchr (colon, '/') == NULL)
    {
      *colon = '\0';
      if (!reference_tag_is_valid (colon + 1))
        return cordon_error_set (err, 0, "invalid reference format: `%s`: invalid tag `%s`", text, colon + 1);
      tag = strdup (colon + 1);
      if (tag == NULL)
        return cordon_error_set (err, ENOMEM, "image reference");
    }
  if (reference_split_domain (name, &domain, &path) < 0)
    return cordon_error_set (err, ENOMEM, "image reference");
  for (const char *p = path; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      return cordon_error_set (err, 0, "invalid reference format: repository name (%s) must be lowercase", path);
  if (!reference_domain_is_valid (domain, strlen (domain)))
    return cordon_error_set (err, 0, "invalid reference format: `%s`: invalid registry `%s`", text, domain);
  if (!reference_path_is_valid (path, strlen (path)))
    return cordon_error_set (err, 0, "invalid reference format: `%s`: invalid repository name `%s`", text, path);
  if (strlen (domain) + 1 + strlen (path) > REFERENCE_NAME_MAX)
    return cordon_error_set (err, 0,
                             "invalid reference format: repository name must not be more than %d "
                             "characters",
                             REFERENCE_NAME_MAX);
  out->name_only = tag == NULL && digest == NULL;
  if (out->name_only)
    {
      tag = strdup ("latest");
      if (tag == NULL)
        return cordon_error_set (err, ENOMEM, "image reference");
    }
  out->domain = steal_pointer (&domain);
  out->path = steal_pointer (&path);
  out->tag = steal_pointer (&tag);
  out->digest = steal_pointer (&digest);
  return 0;
}

char *
image_reference_repository (const struct image_reference *ref)
{
  char *s = NULL;

  if (asprintf (&s, "%s/%s", ref->domain, ref->path) < 0)
    return NULL;
  return s;
}

static char *
reference_with_suffix (const char *name, const struct image_reference *ref)
{
  char *s = NULL;

  if (asprintf (&s, "%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                ref->digest ? ref->digest : "")
      < 0)
    return NULL;
  return s;
}

char *
image_reference_string (const struct image_reference *ref)
{
  cleanup_free char *repo = image_reference_repository (ref);

  if (repo == NULL)
    return NULL;
  return reference_with_suffix (repo, ref);
}

char *
image_reference_familiar (const struct image_reference *ref)
{
  cleanup_free char *repo = NULL;
  const char *name;

  /* "docker.io/busy.box/x" must not read "busy.box/x", which names another
   * registry (Docker's FamiliarString has that ambiguity).  */
  if (strcmp (ref->domain, "docker.io") == 0 && !reference_first_is_domain (ref->path))
    {
      name = ref->path;
      /* "library/busybox" reads "busybox"; "library/a/b" keeps its prefix.  */
      if (strncmp (name, "library/", 8) == 0 && strchr (name + 8, '/') == NULL)
        name += 8;
      return reference_with_suffix (name, ref);
    }
  repo = image_reference_repository (ref);
  if (repo == NULL)
    return NULL;
  return reference_with_suffix (repo, ref);
}
