/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

static int
check (const char *text, char **msg)
{
  struct cordon_error err = { 0 };
  int r = json_check_unique_keys (text, strlen (text), "t.json", &err);

  *msg = err.msg;
  return r;
}

Test (json_unique, accepts)
{
  static const char *const ok[] = {
    "{}",
    "[]",
    "1",
    "\"s\"",
    "null",
    "{\"a\":1,\"b\":2}",
    "{\"a\":{\"a\":1},\"b\":{\"a\":2}}",
    "[{\"a\":1},{\"a\":1}]",
    "{\"a\":[{\"b\":1,\"c\":2}],\"aa\":1,\"\":0}",
    "{\"a\\u0062\":1,\"ab\\u0000\":2}",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      char *msg = NULL;
      cr_assert_eq (check (ok[i], &msg), 0, "%s: %s", ok[i], msg);
    }
}

Test (json_unique, duplicates)
{
  static const char *const dup[] = {
    "{\"a\":1,\"a\":2}",       "{\"x\":{\"b\":1,\"c\":[],\"b\":null}}", "[1,{\"k\":1,\"z\":1,\"k\":1}]",
    "{\"a\":1,\"\\u0061\":2}", /* one key, two spellings */
    "{\"\":1,\"\":2}",
  };
  for (size_t i = 0; i < sizeof dup / sizeof dup[0]; i++)
    {
      char *msg = NULL;
      cr_assert_lt (check (dup[i], &msg), 0, "%s accepted", dup[i]);
      cr_assert_not_null (strstr (msg, "duplicate key"), "%s", msg);
      free (msg);
    }
}

Test (json_unique, names_the_key)
{
  char *msg = NULL;

  cr_assert_lt (check ("{\"critical\":{\"type\":1,\"type\":2}}", &msg), 0);
  cr_assert_str_eq (msg, "t.json: duplicate key \"type\"");
  free (msg);
}

Test (json_unique, invalid_json)
{
  static const char *const bad[] = { "", "{", "{\"a\":1,}", "{\"a\":1} x", "{a:1}", "[1,2", "// c\n{}" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char *msg = NULL;
      cr_assert_lt (check (bad[i], &msg), 0, "%s accepted", bad[i]);
      cr_assert_not_null (msg);
      free (msg);
    }
}

Test (json_unique, depth)
{
  char deep[2 * JSON_MAX_DEPTH + 3];
  char *msg = NULL;

  memset (deep, '[', JSON_MAX_DEPTH);
  memset (deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
  deep[2 * JSON_MAX_DEPTH] = '\0';
  cr_assert_eq (check (deep, &msg), 0, "%s", msg);
  memset (deep, '[', JSON_MAX_DEPTH + 1);
  memset (deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
  deep[2 * JSON_MAX_DEPTH + 2] = '\0';
  cr_assert_lt (check (deep, &msg), 0);
  cr_assert_not_null (strstr (msg, "nested"), "%s", msg);
  free (msg);
}

Test (json_unique, many_keys)
{
  size_t n = 20000, len = 0;
  char *text = malloc (n * 16 + 16);

  text[len++] = '{';
  for (size_t i = 0; i < n; i++)
    len += (size_t)sprintf (text + len, "%s\"k%zu\":1", i ? "," : "", i);
  text[len++] = '}';
  text[len] = '\0';
  char *msg = NULL;
  cr_assert_eq (check (text, &msg), 0, "%s", msg);
  /* the same key again, last */
  len--;
  len += (size_t)sprintf (text + len, ",\"k7\":2}");
  cr_assert_lt (check (text, &msg), 0);
  cr_assert_not_null (strstr (msg, "\"k7\""), "%s", msg);
  free (msg);
  free (text);
}
