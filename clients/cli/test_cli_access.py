"""Access control rules and impersonation roles through the AWS CLI v2, with
the shared evaluation table internal/policy/access_cases.json.

Runs as test_cli.py does (same settings, same harness); each test uses its
own account. The CLI retries LimitExceededException as throttling, so the
rule limit is left to the other suites.
"""

import datetime
import json
import os
import unittest

import test_cli as base

setUpModule = base.setUpModule

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "policy", "access_cases.json")
RULE_OPTIONS = {"IpRanges": "--ip-ranges", "NotIpRanges": "--not-ip-ranges", "Actions": "--actions", "NotActions": "--not-actions"}
ID_OPTIONS = {"UserIds": "--user-ids", "NotUserIds": "--not-user-ids",
              "ImpersonationRoleIds": "--impersonation-role-ids", "NotImpersonationRoleIds": "--not-impersonation-role-ids"}


def read_cases():
    with open(CASES) as f:
        return json.load(f)


class Access(unittest.TestCase):
    account = None
    aws = base.Scenario.aws
    ok = base.Scenario.ok
    fails = base.Scenario.fails
    create_org = base.Scenario.create_org

    def create_user(self, org, name):
        return self.ok("create-user", "--organization-id", org, "--name", name, "--display-name", name)["UserId"]

    def mailbox_user(self, org, alias, name):
        user = self.create_user(org, name)
        self.ok("register-to-work-mail", "--organization-id", org, "--entity-id", user, "--email", "%s@%s.awsapps.com" % (name, alias))
        return user

    def create_role(self, org, name, rules="[]", *extra):
        return self.ok("create-impersonation-role", "--organization-id", org, "--name", name, "--type", "FULL_ACCESS",
                       "--rules", rules, *extra)["ImpersonationRoleId"]

    def error_code(self, *args):
        """The error code of a failing command, or None when it succeeds."""
        r = self.aws(*args)
        if r.code == 0:
            return None
        self.assertEqual(r.code, base.EXIT_SERVICE_ERROR, r.stderr)
        return r.stderr.split("(", 1)[1].split(")", 1)[0]

    def directory(self, org, alias, tab, roles=True):
        ids = {}
        for u in tab["users"]:
            ids[u] = self.mailbox_user(org, alias, u)
        for u in tab["disabledUsers"]:
            ids[u] = self.create_user(org, u)
        if roles:
            for r in tab["roles"]:
                ids[r] = self.create_role(org, r)
        return ids

    def run_access_cases(self, alias, cases):
        tab = read_cases()
        org = self.create_org(alias)
        ids = self.directory(org, alias, tab)
        names = ["default"]  # the rules the organization has now
        for case in cases:
            for name in names:
                self.ok("delete-access-control-rule", "--organization-id", org, "--name", name)
            names = [rule["Name"] for rule in case["rules"]]
            for rule in case["rules"]:
                args = ["put-access-control-rule", "--organization-id", org, "--name", rule["Name"], "--effect", rule["Effect"],
                        "--description", "table rule"]
                for member, option in RULE_OPTIONS.items():
                    if member in rule:
                        args += [option, *rule[member]]
                for member, option in ID_OPTIONS.items():
                    if member in rule:
                        args += [option, *[ids.get(n, n) for n in rule[member]]]
                self.assertIsNone(self.ok(*args))
            for check in case["checks"]:
                args = ["get-access-control-effect", "--organization-id", org, "--ip-address", check["ip"], "--action", check["action"]]
                if "user" in check:
                    args += ["--user-id", ids.get(check["user"], check["user"])]
                if "role" in check:
                    args += ["--impersonation-role-id", ids.get(check["role"], check["role"])]
                with self.subTest(case=case["name"], check=check):
                    if "error" in check:
                        self.assertEqual(self.error_code(*args), check["error"])
                    else:
                        self.assertEqual(self.ok(*args), {"Effect": check["effect"], "MatchedRules": check["matched"]})

    # The table in two halves, each in its own account, so that the two run
    # at once (one Python process per aws call makes the CLI slow).
    def test_access_case_table_first_half(self):
        self.account = "222200000101"
        cases = read_cases()["access"]
        self.run_access_cases("cli-acl-1", cases[:len(cases) // 2])

    def test_access_case_table_second_half(self):
        self.account = "222200000105"
        cases = read_cases()["access"]
        self.run_access_cases("cli-acl-2", cases[len(cases) // 2:])

    def test_impersonation_case_table(self):
        self.account = "222200000104"
        tab = read_cases()
        org = self.create_org("cli-imp-table")
        ids = self.directory(org, "cli-imp-table", tab, roles=False)
        role = self.create_role(org, "table")
        for case in tab["impersonation"]:
            rules = []
            for r in case["rules"]:
                rule = {"ImpersonationRuleId": r["ImpersonationRuleId"], "Name": r["Name"], "Effect": r["Effect"]}
                for k in ("TargetUsers", "NotTargetUsers"):
                    if k in r:
                        rule[k] = [ids.get(n, n) for n in r[k]]
                rules.append(rule)
            self.assertIsNone(self.ok("update-impersonation-role", "--organization-id", org, "--impersonation-role-id", role,
                                      "--name", "table", "--type", "READ_ONLY", "--rules", json.dumps(rules)))
            names = {r["ImpersonationRuleId"]: r["Name"] for r in case["rules"]}
            for check in case["checks"]:
                args = ["get-impersonation-role-effect", "--organization-id", org, "--impersonation-role-id", role,
                        "--target-user", ids.get(check["target"], check["target"])]
                with self.subTest(case=case["name"], check=check):
                    if "error" in check:
                        self.assertEqual(self.error_code(*args), check["error"])
                    else:
                        self.assertEqual(self.ok(*args), {"Type": "READ_ONLY", "Effect": check["effect"],
                                                          "MatchedRules": [{"ImpersonationRuleId": m, "Name": names[m]} for m in check["matched"]]})

    def test_access_control_rules(self):
        self.account = "222200000102"
        org = self.create_org("cli-acl-rules")
        rules = self.ok("list-access-control-rules", "--organization-id", org)["Rules"]
        self.assertEqual(len(rules), 1)
        self.assertEqual([datetime.datetime.fromisoformat(rules[0].pop(k)).timestamp() for k in ("DateCreated", "DateModified")], [0, 0])
        self.assertEqual(rules[0], {"Name": "default", "Effect": "ALLOW", "Description": "Default WorkMail Rule"})
        self.ok("put-access-control-rule", "--organization-id", org, "--name", "no-imap", "--effect", "DENY",
                "--description", "no IMAP", "--actions", "IMAP")
        self.ok("put-access-control-rule", "--organization-id", org, "--name", "default", "--effect", "ALLOW",
                "--description", "office", "--ip-ranges", "192.0.2.0/24")
        rules = self.ok("list-access-control-rules", "--organization-id", org)["Rules"]
        self.assertEqual([(r["Name"], r["Description"], r.get("IpRanges"), r.get("Actions")) for r in rules],
                         [("default", "office", ["192.0.2.0/24"], None), ("no-imap", "no IMAP", None, ["IMAP"])])
        self.assertEqual(datetime.datetime.fromisoformat(rules[0]["DateCreated"]).timestamp(), 0)
        self.fails("InvalidParameterException", "Action Pop is not one of ActiveSync, AutoDiscover, EWS, IMAP, SMTP, WindowsOutlook, WebMail.",
                   "put-access-control-rule", "--organization-id", org, "--name", "bad", "--effect", "DENY",
                   "--description", "d", "--not-actions", "Pop")
        self.fails("InvalidParameterException", "ImpersonationRoleId can only be used with Action EWS, not IMAP.",
                   "get-access-control-effect", "--organization-id", org, "--ip-address", "192.0.2.1", "--action", "IMAP",
                   "--impersonation-role-id", "some-role")
        for _ in range(2):
            self.assertIsNone(self.ok("delete-access-control-rule", "--organization-id", org, "--name", "no-imap"))
        self.assertEqual([r["Name"] for r in self.ok("list-access-control-rules", "--organization-id", org)["Rules"]], ["default"])

    def test_impersonation_roles(self):
        self.account = "222200000103"
        org = self.create_org("cli-imp")
        alice = self.mailbox_user(org, "cli-imp", "alice")
        role = self.create_role(org, "auditor", json.dumps([{"ImpersonationRuleId": "alice", "Effect": "ALLOW", "TargetUsers": ["alice"]}]),
                                "--description", "reads mail")
        got = self.ok("get-impersonation-role", "--organization-id", org, "--impersonation-role-id", role)
        self.assertEqual({k: v for k, v in got.items() if not k.startswith("Date")},
                         {"ImpersonationRoleId": role, "Name": "auditor", "Type": "FULL_ACCESS", "Description": "reads mail",
                          "Rules": [{"ImpersonationRuleId": "alice", "Effect": "ALLOW", "TargetUsers": [alice]}]})
        self.create_role(org, "filler")
        # No paginator for ListImpersonationRoles: the CLI shows one page and its NextToken.
        first = self.ok("list-impersonation-roles", "--organization-id", org, "--max-results", "1")
        self.assertEqual(len(first["Roles"]), 1)
        second = self.ok("list-impersonation-roles", "--organization-id", org, "--max-results", "1", "--next-token", first["NextToken"])
        self.assertEqual(len(second["Roles"]), 1)
        self.assertNotIn("NextToken", second)
        self.assertIn(role, [first["Roles"][0]["ImpersonationRoleId"], second["Roles"][0]["ImpersonationRoleId"]])
        assumed = self.ok("assume-impersonation-role", "--organization-id", org, "--impersonation-role-id", role)
        self.assertEqual(assumed["ExpiresIn"], 900)
        self.assertTrue(assumed["Token"].startswith("wmimp_"))
        self.assertEqual(self.ok("get-impersonation-role-effect", "--organization-id", org, "--impersonation-role-id", role,
                                 "--target-user", "alice@cli-imp.awsapps.com"),
                         {"Type": "FULL_ACCESS", "Effect": "ALLOW", "MatchedRules": [{"ImpersonationRuleId": "alice"}]})
        for _ in range(2):
            self.assertIsNone(self.ok("delete-impersonation-role", "--organization-id", org, "--impersonation-role-id", role))
        self.fails("ResourceNotFoundException", "Impersonation role %s does not exist in organization %s." % (role, org),
                   "get-impersonation-role", "--organization-id", org, "--impersonation-role-id", role)


if __name__ == "__main__":
    unittest.main()
