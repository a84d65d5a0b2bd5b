/* SPDX-License-Identifier: Apache-2.0 */
/* Normalisation cases after distribution/reference's normalize_test.go.  */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct ref_case
{
  const char *in, *full, *repo, *familiar;
  bool name_only;
};

static const struct ref_case good[] = {
  { "busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox", "busybox:latest", true },
  { "library/busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox", "busybox:latest", true },
  { "docker.io/busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox", "busybox:latest", true },
  { "docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36", "docker.io/library/busybox", "busybox:1.36",
    false },
  { "index.docker.io/busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox", "busybox:latest",
    true },
  { "user/app", "docker.io/user/app:latest", "docker.io/user/app", "user/app:latest", true },
  { "library/a/b", "docker.io/library/a/b:latest", "docker.io/library/a/b", "library/a/b:latest", true },
  { "localhost/x", "localhost/x:latest", "localhost/x", "localhost/x:latest", true },
  { "localhost:5000/x", "localhost:5000/x:latest", "localhost:5000/x", "localhost:5000/x:latest", true },
  { "localhost:5000", "docker.io/library/localhost:5000", "docker.io/library/localhost", "localhost:5000", false },
  { "example.com/a/b:1", "example.com/a/b:1", "example.com/a/b", "example.com/a/b:1", false },
  { "Example.COM:443/a", "Example.COM:443/a:latest", "Example.COM:443/a", "Example.COM:443/a:latest", true },
  { "[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x", "[::1]:5000/x:latest", true },
  { "busybox@sha256:" HEX64, "docker.io/library/busybox@sha256:" HEX64, "docker.io/library/busybox",
    "busybox@sha256:" HEX64, false },
  { "example.com/x:v1@sha256:" HEX64, "example.com/x:v1@sha256:" HEX64, "example.com/x",
    "example.com/x:v1@sha256:" HEX64, false },
  { "x/a_b__c.d-e---f", "docker.io/x/a_b__c.d-e---f:latest", "docker.io/x/a_b__c.d-e---f", "x/a_b__c.d-e---f:latest",
    true },
  /* the familiar form must not turn a path component into a registry */
  { "docker.io/a.b/c", "docker.io/a.b/c:latest", "docker.io/a.b/c", "docker.io/a.b/c:latest", true },
  /* a dot in the first component makes it a registry, whatever follows */
  { "a.b/c", "a.b/c:latest", "a.b/c", "a.b/c:latest", true },
  { "x:Tag_1.2-b", "docker.io/library/x:Tag_1.2-b", "docker.io/library/x", "x:Tag_1.2-b", false },
};

Test (reference, normalisation)
{
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    {
      struct cordon_error err = { 0 };
      struct image_reference ref;
      char *s;

      cr_assert_eq (image_reference_parse (good[i].in, &ref, &err), 0, "%s: %s", good[i].in, err.msg);
      s = image_reference_string (&ref);
      cr_assert_str_eq (s, good[i].full, "%s", good[i].in);
      free (s);
      s = image_reference_repository (&ref);
      cr_assert_str_eq (s, good[i].repo, "%s", good[i].in);
      free (s);
      s = image_reference_familiar (&ref);
      cr_assert_str_eq (s, good[i].familiar, "%s", good[i].in);
      free (s);
      cr_assert_eq (ref.name_only, good[i].name_only, "%s", good[i].in);
      image_reference_release (&ref);
    }
}

Test (reference, fields)
{
  struct cordon_error err = { 0 };
  struct image_reference ref;

  cr_assert_eq (image_reference_parse ("example.com:5000/ns/app@sha256:" HEX64, &ref, &err), 0);
  cr_assert_str_eq (ref.domain, "example.com:5000");
  cr_assert_str_eq (ref.path, "ns/app");
  cr_assert_null (ref.tag);
  cr_assert_str_eq (ref.digest, "sha256:" HEX64);
  image_reference_release (&ref);
}

static const char *const bad[] = {
  "",
  "Busybox",                   /* upper case: "repository name must be lowercase" */
  "docker.io/Library/busybox", /* upper case */
  "example.com/UPPER/x",
  "busybox:",     /* empty tag */
  "busybox:-tag", /* tag starts with '-' */
  "busybox:.tag",
  "busybox:tag!",
  ("busybox:a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789"
   "a123456789a123456789a123456789a1234567890"), /* 129-byte tag */
  "busybox@sha256:abc",
  "busybox@sha512:" HEX64 HEX64,
  "busybox@",
  HEX64, /* an image id, not a name */
  "a//b",
  "/busybox",
  "busybox/",
  "a..b/c/d",
  "a_b.c/d", /* a registry: '_' is not allowed in host names */
  "-a/b",
  "a-/b",
  "example.com:/x",
  "example.com:port/x",
  "-example.com/x",
  "a___b",
  "a__-b",
  "a b",
  "a\tb",
  "busybox:latest:1",
  "[::1/x",
  "[]/x",
  "[zz]:5000/x",
};

Test (reference, rejected)
{
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct cordon_error err = { 0 };
      struct image_reference ref;

      cr_assert_lt (image_reference_parse (bad[i], &ref, &err), 0, "%s accepted", bad[i]);
      cr_assert_not_null (err.msg);
      cordon_error_release (&err);
    }
}

Test (reference, lowercase_message)
{
  struct cordon_error err = { 0 };
  struct image_reference ref;

  cr_assert_lt (image_reference_parse ("docker.io/Busybox", &ref, &err), 0);
  cr_assert_not_null (strstr (err.msg, "must be lowercase"), "%s", err.msg);
  cordon_error_release (&err);
}

Test (reference, name_length)
{
  struct cordon_error err = { 0 };
  struct image_reference ref;
  char name[300];

  /* "example.com/" + path: 255 bytes in all is the most Docker allows.  */
  memset (name, 'a', sizeof name);
  memcpy (name, "example.com/", 12);
  name[255] = '\0';
  cr_assert_eq (image_reference_parse (name, &ref, &err), 0, "%s", err.msg);
  image_reference_release (&ref);
  name[255] = 'a';
  name[256] = '\0';
  cr_assert_lt (image_reference_parse (name, &ref, &err), 0);
  cordon_error_release (&err);
}
