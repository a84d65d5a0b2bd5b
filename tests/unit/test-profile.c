/* SPDX-License-Identifier: Apache-2.0 */
/* The profile parser: strict keys with line:column, the checks on each
 * field, inheritance, and the built-in profiles (default's seccomp is the
 * baseline filter, rule for rule).  */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "profiles/profile-eval.h"
#include "profiles/profile.h"
#include "profiles/seccomp-baseline.h"
#include "sandbox/seccomp-cache.h"

static struct cordon_profile *
parse_ok (const char *text)
{
  struct cordon_error err = { 0 };
  struct cordon_profile *p = NULL;
  int r = profile_parse (text, strlen (text), "t.json", &p, &err);
  cr_assert_eq (r, 0, "%s", err.msg ? err.msg : "");
  return p;
}

static char *
parse_fail (const char *text)
{
  struct cordon_error err = { 0 };
  struct cordon_profile *p = NULL;
  int r = profile_parse (text, strlen (text), "t.json", &p, &err);
  cr_assert_lt (r, 0);
  cr_assert_null (p);
  cr_assert_not_null (err.msg);
  return err.msg;
}

Test (profile, minimal)
{
  cleanup_profile struct cordon_profile *p = parse_ok ("{\"name\": \"x\"}");
  cr_assert_str_eq (p->name, "x");
  cr_assert_null (p->seccomp);
  cr_assert_not (p->has_capabilities);
}

Test (profile, unknown_key_has_line_and_column)
{
  cleanup_free char *m = parse_fail ("{\n  \"name\": \"x\",\n    \"seccom\": {}\n}");
  cr_assert (strstr (m, "t.json:3:5: seccom: unknown key") != NULL, "%s", m);
}

Test (profile, syntax_error_has_line_and_column)
{
  cleanup_free char *m = parse_fail ("{\n  \"name\": \"x\",,\n}");
  cr_assert (strncmp (m, "t.json:2:", 9) == 0, "%s", m);
}

Test (profile, nested_errors_are_located)
{
  cleanup_free char *m = parse_fail ("{\"name\": \"x\",\n \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                     " \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                                     "   {\"names\": [\"x\"], \"acton\": 1}]}}");
  cr_assert (strstr (m, "t.json:4:21: seccomp.syscalls[1].acton: unknown key") != NULL, "%s", m);
}

Test (profile, field_checks)
{
  const char *bad[] = {
    "{\"name\": \"x\", \"no_new_privs\": false}",
    "{\"name\": \"x\", \"required\": [\"selinux\"]}",
    "{\"name\": \"x\", \"capabilities\": [\"CAP_NOPE\"]}",
    "{\"name\": \"x\", \"landlock\": \"sometimes\"}",
    "{\"name\": \"x\", \"landlock\": {\"read\": [\"relative\"]}}",
    "{\"name\": \"x\", \"report_denied\": \"yes\"}",
    "{\"name\": \"x\", \"inherits\": \"x\"}",
    "{\"name\": \"x\", \"name\": \"y\"}",
    "{\"description\": \"no name\"}",
    "{\"name\": \"x\", \"seccomp\": 3}",
    "{\"name\": \"x\", \"network\": {\"egress\": \"maybe\"}}",
    "{\"name\": \"x\", \"network\": {\"egress\": \"allow\", \"allow\": [\"10.0.0.0/8\"]}}",
    "{\"name\": \"x\", \"network\": {\"allow\": [\"10.0.0.1/8\"]}}",
    "{\"name\": \"x\", \"network\": {\"allow\": [\"bad host:80\"]}}",
    "{\"name\": \"x\", \"network\": {\"allow\": [\"[2001:db8::1]:80\"]}}",
    "{\"name\": \"x\", \"network\": {\"egres\": \"deny\"}}",
    "[]",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    free (parse_fail (bad[i]));
}

Test (profile, fields)
{
  cleanup_profile struct cordon_profile *p = parse_ok (
      "{\"name\": \"x\", \"capabilities\": [\"CAP_CHOWN\", \"KILL\"], \"required\": [\"seccomp\", \"landlock\"],"
      "\"landlock\": {\"read\": [\"/usr\"], \"write\": [\"/tmp\"]}, \"report_denied\": true, \"apparmor\": \"t\","
      "\"no_new_privs\": true}");
  cr_assert_eq (p->capabilities, (1ull << 0) | (1ull << 5));
  cr_assert_eq (p->required, (1u << PROFILE_LAYER_SECCOMP) | (1u << PROFILE_LAYER_LANDLOCK));
  cr_assert_eq (p->landlock, PROFILE_LANDLOCK_RULES);
  cr_assert_str_eq (p->landlock_read[0], "/usr");
  cr_assert_str_eq (p->landlock_write[0], "/tmp");
  cr_assert (p->report_denied);
  cr_assert_str_eq (p->apparmor, "t");
}

/* "network": egress denied at the root of the chain, a child's mode and
 * list win, host names kept for the run to resolve.  */
Test (profile, network_egress)
{
  struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *def = NULL, *deny = NULL, *allow = NULL, *child = NULL;
  cleanup_profile struct cordon_profile *p = parse_ok (
      "{\"name\": \"x\", \"network\": {\"allow\": [\"10.0.0.0/8\", \"192.0.2.1:53\", \"deb.debian.org:443\"]}}");
  cleanup_profile struct cordon_profile *q = parse_ok ("{\"name\": \"y\", \"network\": {\"egress\": \"allow\"}}");

  cr_assert_eq (p->egress, PROFILE_EGRESS_DENY, "a list means deny but the list");
  cr_assert_str_eq (p->egress_allow[2], "deb.debian.org:443");
  cr_assert_eq (q->egress, PROFILE_EGRESS_ALLOW);
  cr_assert_eq (profile_resolve ("default", &def, &err), 0);
  cr_assert_eq (def->egress, PROFILE_EGRESS_DENY);
  cr_assert_eq (profile_resolve ("grading", &deny, &err), 0);
  cr_assert_eq (deny->egress, PROFILE_EGRESS_DENY, "inherited");
  cr_assert_eq (profile_resolve_loaded (q, &allow, &err), 0);
  cr_assert_eq (allow->egress, PROFILE_EGRESS_ALLOW);
  {
    cleanup_profile struct cordon_profile *c = parse_ok ("{\"name\": \"z\", \"inherits\": \"default\"}");
    cr_assert_eq (profile_resolve_loaded (c, &child, &err), 0, "%s", err.msg);
    cr_assert_eq (child->egress, PROFILE_EGRESS_DENY, "nobody says: deny");
  }
}

Test (profile, bare_seccomp_policy_inherits_default)
{
  cleanup_profile struct cordon_profile *p
      = parse_ok ("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
                  "\"SCMP_ACT_ALLOW\"}]}");
  cr_assert_str_eq (p->inherits, "default");
  cr_assert_not_null (p->seccomp);
  cr_assert_eq (p->seccomp->n_rules, 1);
}

Test (profile, builtins_parse_and_resolve)
{
  for (size_t i = 0; profile_builtin_name (i); i++)
    {
      struct cordon_error err = { 0 };
      cleanup_profile struct cordon_profile *p = NULL;
      int r = profile_resolve (profile_builtin_name (i), &p, &err);
      cr_assert_eq (r, 0, "%s: %s", profile_builtin_name (i), err.msg ? err.msg : "");
      cr_assert_not_null (p->seccomp, "%s has a seccomp filter", p->name);
      cr_assert_null (p->inherits);
    }
}

Test (profile, default_is_the_baseline)
{
  struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *p = NULL;
  struct cordon_seccomp *base = NULL;
  uint8_t a[SECCOMP_CACHE_KEY_SIZE], b[SECCOMP_CACHE_KEY_SIZE];

  cr_assert_eq (profile_resolve ("default", &p, &err), 0);
  cr_assert_eq (seccomp_baseline_new (&base, &err), 0);
  seccomp_cache_key (p->seccomp, a);
  seccomp_cache_key (base, b);
  cr_assert_eq (memcmp (a, b, sizeof a), 0, "default.json and seccomp-baseline.c have drifted apart");
  seccomp_spec_free (base);
}

Test (profile, grading_inherits_strict_and_adds)
{
  struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *p = NULL;
  struct seccomp_decision d;
  uint64_t newuser[6] = { 0x10000000 };

  cr_assert_eq (profile_resolve ("grading", &p, &err), 0);
  seccomp_decide (p->seccomp, "epoll_create1", &d);
  cr_assert (seccomp_action_runs (d.action));
  seccomp_decide (p->seccomp, "keyctl", &d);
  cr_assert_eq (d.action, SECCOMP_ACTION_ERRNO);
  cr_assert_eq (d.errno_ret, EPERM);
  seccomp_decide_args (p->seccomp, "clone", newuser, &d);
  cr_assert_not (seccomp_action_runs (d.action));
  cr_assert (p->report_denied);
}

Test (profile, child_rules_decide_the_syscalls_they_name)
{
  struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *child = parse_ok (
      "{\"name\": \"c\", \"inherits\": \"default\", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\","
      "\"defaultErrnoRet\": 38, \"syscalls\": [{\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_ALLOW\"}]}}");
  cleanup_profile struct cordon_profile *p = NULL;
  struct seccomp_decision d;

  cr_assert_eq (profile_resolve_loaded (child, &p, &err), 0, "%s", err.msg ? err.msg : "");
  seccomp_decide (p->seccomp, "keyctl", &d);
  cr_assert (seccomp_action_runs (d.action));
  seccomp_decide (p->seccomp, "add_key", &d);
  cr_assert_eq (d.action, SECCOMP_ACTION_ERRNO, "the parent's rule for add_key stays");
}

Test (profile, apply_sets_the_spec)
{
  struct cordon_error err = { 0 };
  cleanup_profile struct cordon_profile *p = NULL;
  cleanup_spec struct cordon_spec *spec = NULL;

  cr_assert_eq (spec_new_default (false, &spec, &err), 0);
  cr_assert_eq (profile_resolve ("ci", &p, &err), 0);
  cr_assert_eq (profile_apply (p, spec, &err), 0);
  cr_assert_eq (spec->cordon.seccomp_mode, SECCOMP_MODE_SPEC);
  cr_assert_neq (spec->process.caps_bounding, 0);
  cr_assert_str_eq (spec->cordon.profile, "ci");
}
