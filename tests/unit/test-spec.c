/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/seccomp-docker.h"
#include "sandbox/spec.h"

#define MINIMAL_HEAD "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
#define MINIMAL_PROCESS "\"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}"

static void
expect_error (const char *json, const char *needle)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = NULL;

  cr_assert_lt (spec_parse (json, strlen (json), &spec, &err), 0, "accepted: %s", json);
  cr_assert_null (spec);
  cr_assert_not_null (err.msg);
  cr_assert (strstr (err.msg, needle) != NULL, "message `%s` does not name `%s`", err.msg, needle);
  cordon_error_release (&err);
}

Test (spec, default_round_trips)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *a = NULL, *b = NULL;
  char *j1 = NULL, *j2 = NULL;
  size_t n1, n2;

  cr_assert_eq (spec_new_default (true, &a, &err), 0);
  cr_assert_eq (spec_to_json (a, &j1, &n1, &err), 0);
  cr_assert_eq (spec_parse (j1, n1, &b, &err), 0, "%s", err.msg);
  cr_assert_eq (spec_to_json (b, &j2, &n2, &err), 0);
  cr_assert_str_eq (j1, j2);
  cr_assert (spec_has_namespace (b, CLONE_NEWUSER));
  cr_assert_eq (b->n_uid_mappings, 1);
  cr_assert_eq (b->cordon.seccomp_mode, SECCOMP_MODE_BASELINE);
  free (j1);
  free (j2);
  spec_free (a);
  spec_free (b);
}

Test (spec, minimal_config)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *s = NULL;
  const char *json = MINIMAL_HEAD MINIMAL_PROCESS ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}, {\"type\": "
                                                  "\"mount\"}], \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}";

  cr_assert_eq (spec_parse (json, strlen (json), &s, &err), 0, "%s", err.msg);
  cr_assert_str_eq (s->process.args[0], "/bin/true");
  cr_assert (s->process.no_new_privileges, "no_new_privs is forced on");
  cr_assert_eq (s->n_namespaces, 2);
  cr_assert_eq (s->cordon.seccomp_mode, SECCOMP_MODE_SPEC);
  spec_free (s);
}

Test (spec, errors_name_the_field)
{
  expect_error ("{}", "ociVersion");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [1], \"cwd\": \"/\"}}", "process.args[0]");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [], \"cwd\": \"/\"}}", "process.args");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [\"x\"], \"cwd\": \"rel\"}}", "process.cwd");
  expect_error (MINIMAL_HEAD MINIMAL_PROCESS ", \"mounts\": [{\"destination\": \"tmp\"}]}", "mounts[0].destination");
  expect_error (MINIMAL_HEAD MINIMAL_PROCESS ", \"mounts\": [{\"destination\": \"/a/../b\"}]}",
                "mounts[0].destination");
  expect_error (MINIMAL_HEAD MINIMAL_PROCESS ", \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}",
                "linux.namespaces[0].type");
  expect_error (MINIMAL_HEAD MINIMAL_PROCESS
                ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
                "twice");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": {\"uid\": -1}}}",
                "process.user.uid");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": {\"uid\": 99999999999}}}",
                "process.user.uid");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": "
                             "[\"CAP_FLY\"]}}}",
                "capabilities.bounding[0]");
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_X\", "
                             "\"soft\": 1, \"hard\": 1}]}}",
                "rlimits[0].type");
  expect_error (MINIMAL_HEAD MINIMAL_PROCESS ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_BOOM\"}}}",
                "linux.seccomp.defaultAction");
  expect_error (MINIMAL_HEAD MINIMAL_PROCESS ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
                                             "\"size\": 0}]}}",
                "uidMappings[0]");
  expect_error ("{\"ociVersion\": ", "invalid JSON");
}

Test (spec, hostile_input_is_bounded)
{
  char *deep = malloc (200 * 2 + 1);
  char *big;
  size_t n = 0;

  for (int i = 0; i < 200; i++)
    deep[n++] = '[';
  for (int i = 0; i < 200; i++)
    deep[n++] = ']';
  deep[n] = '\0';
  expect_error (deep, "nested");
  free (deep);
  expect_error (MINIMAL_HEAD "\"process\": {\"args\": [\"a\\u0000b\"], \"cwd\": \"/\"}}", "\\u0000");
  big = malloc (SPEC_MAX_FILE_BYTES + 2);
  memset (big, ' ', SPEC_MAX_FILE_BYTES + 1);
  big[SPEC_MAX_FILE_BYTES + 1] = '\0';
  expect_error (big, "larger than");
  free (big);
}

Test (spec, docker_seccomp_includes_and_excludes)
{
  struct cordon_error err = { 0 };
  struct cordon_seccomp *f = NULL;
  const char *json
      = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
        " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]}],"
        " \"syscalls\": ["
        "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
        "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
        "  {\"name\": \"ptrace\", \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
        "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": "
        "8, \"op\": \"SCMP_CMP_EQ\"}]}"
        " ]}";

  cr_assert_eq (seccomp_docker_parse (json, strlen (json), 0, &f, &err), 0, "%s", err.msg);
  cr_assert_eq (f->n_rules, 3, "mount needs CAP_SYS_ADMIN, which is not kept");
  cr_assert_str_eq (f->rules[1].names[0], "ptrace");
  cr_assert_eq (f->rules[2].n_args, 1);
  cr_assert_eq (f->rules[2].args[0].value, 8);
#if defined(__x86_64__)
  cr_assert_str_eq (f->architectures[0], "SCMP_ARCH_X86_64");
  cr_assert_str_eq (f->architectures[1], "SCMP_ARCH_X86");
#endif
  seccomp_spec_free (f);
  cr_assert_eq (seccomp_docker_parse (json, strlen (json), 1ull << 21, &f, &err), 0, "%s", err.msg);
  cr_assert_eq (f->n_rules, 3, "with CAP_SYS_ADMIN: mount in, ptrace out");
  cr_assert_str_eq (f->rules[1].names[0], "mount");
  seccomp_spec_free (f);
}
