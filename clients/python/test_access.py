"""Access control rules and impersonation roles through boto3, with the
shared evaluation table internal/policy/access_cases.json.

Runs as test_workmail.py does (same settings, same harness); each test uses
its own account.
"""

import json
import os
import unittest

import botocore.exceptions

import test_workmail as base

setUpModule = base.setUpModule
body = base.body

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "policy", "access_cases.json")
RULE_LISTS = ("IpRanges", "NotIpRanges", "Actions", "NotActions")
ID_LISTS = ("UserIds", "NotUserIds", "ImpersonationRoleIds", "NotImpersonationRoleIds")
ACTIONS = "ActiveSync, AutoDiscover, EWS, IMAP, SMTP, WindowsOutlook, WebMail"


def read_cases():
    with open(CASES) as f:
        return json.load(f)


class Access(unittest.TestCase):
    client = base.Scenario.client
    assertAPIError = base.Scenario.assertAPIError
    create_org = base.Scenario.create_org

    def create_user(self, c, org, name):
        return body(c.create_user(OrganizationId=org, Name=name, DisplayName=name))["UserId"]

    def mailbox_user(self, c, org, alias, name):
        user = self.create_user(c, org, name)
        c.register_to_work_mail(OrganizationId=org, EntityId=user, Email="%s@%s.awsapps.com" % (name, alias))
        return user

    def create_role(self, c, org, name, rules=()):
        return body(c.create_impersonation_role(OrganizationId=org, Name=name, Type="FULL_ACCESS", Rules=list(rules)))["ImpersonationRoleId"]

    def error_code(self, call, **kwargs):
        try:
            call(**kwargs)
        except botocore.exceptions.ClientError as err:
            return err.response["Error"]["Code"]
        return None

    def test_case_table(self):
        c = self.client("111100000101")
        tab = read_cases()
        org = self.create_org(c, "py-acl")
        ids = {}
        for u in tab["users"]:
            ids[u] = self.mailbox_user(c, org, "py-acl", u)
        for u in tab["disabledUsers"]:
            ids[u] = self.create_user(c, org, u)
        for r in tab["roles"]:
            ids[r] = self.create_role(c, org, r)

        for case in tab["access"]:
            for rule in c.list_access_control_rules(OrganizationId=org)["Rules"]:
                c.delete_access_control_rule(OrganizationId=org, Name=rule["Name"])
            for rule in case["rules"]:
                args = {k: rule[k] for k in RULE_LISTS if k in rule}
                args.update({k: [ids.get(n, n) for n in rule[k]] for k in ID_LISTS if k in rule})
                c.put_access_control_rule(OrganizationId=org, Name=rule["Name"], Effect=rule["Effect"], Description="table rule", **args)
            for check in case["checks"]:
                args = {"OrganizationId": org, "IpAddress": check["ip"], "Action": check["action"]}
                if "user" in check:
                    args["UserId"] = ids.get(check["user"], check["user"])
                if "role" in check:
                    args["ImpersonationRoleId"] = ids.get(check["role"], check["role"])
                with self.subTest(case=case["name"], check=check):
                    if "error" in check:
                        self.assertEqual(self.error_code(c.get_access_control_effect, **args), check["error"])
                    else:
                        got = body(c.get_access_control_effect(**args))
                        self.assertEqual(got, {"Effect": check["effect"], "MatchedRules": check["matched"]})

        role = self.create_role(c, org, "table")
        for case in tab["impersonation"]:
            rules = []
            for r in case["rules"]:
                rule = {"ImpersonationRuleId": r["ImpersonationRuleId"], "Name": r["Name"], "Effect": r["Effect"]}
                for k in ("TargetUsers", "NotTargetUsers"):
                    if k in r:
                        rule[k] = [ids.get(n, n) for n in r[k]]
                rules.append(rule)
            c.update_impersonation_role(OrganizationId=org, ImpersonationRoleId=role, Name="table", Type="READ_ONLY", Rules=rules)
            names = {r["ImpersonationRuleId"]: r["Name"] for r in case["rules"]}
            for check in case["checks"]:
                args = {"OrganizationId": org, "ImpersonationRoleId": role, "TargetUser": ids.get(check["target"], check["target"])}
                with self.subTest(case=case["name"], check=check):
                    if "error" in check:
                        self.assertEqual(self.error_code(c.get_impersonation_role_effect, **args), check["error"])
                    else:
                        got = body(c.get_impersonation_role_effect(**args))
                        self.assertEqual(got, {"Type": "READ_ONLY", "Effect": check["effect"],
                                               "MatchedRules": [{"ImpersonationRuleId": m, "Name": names[m]} for m in check["matched"]]})

    def test_access_control_rules(self):
        c = self.client("111100000102")
        org = self.create_org(c, "py-acl-rules")
        rules = body(c.list_access_control_rules(OrganizationId=org))["Rules"]
        self.assertEqual(len(rules), 1)
        self.assertEqual({k: v for k, v in rules[0].items() if not k.startswith("Date")},
                         {"Name": "default", "Effect": "ALLOW", "Description": "Default WorkMail Rule"})
        self.assertEqual(rules[0]["DateCreated"].timestamp(), 0)
        for i in range(9):
            c.put_access_control_rule(OrganizationId=org, Name="rule-%d" % i, Effect="DENY", Description="d", Actions=["IMAP"])
        self.assertAPIError(c.put_access_control_rule, "LimitExceededException",
                            "Organization %s has 10 access control rules, the most it may have." % org,
                            OrganizationId=org, Name="one-too-many", Effect="DENY", Description="d")
        c.put_access_control_rule(OrganizationId=org, Name="rule-0", Effect="ALLOW", Description="now", NotActions=["WebMail"])
        rules = body(c.list_access_control_rules(OrganizationId=org))["Rules"]
        self.assertEqual([r["Name"] for r in rules], ["default"] + ["rule-%d" % i for i in range(9)])
        self.assertEqual((rules[1]["Effect"], rules[1]["NotActions"], "Actions" in rules[1]), ("ALLOW", ["WebMail"], False))
        self.assertAPIError(c.put_access_control_rule, "InvalidParameterException", "Action Pop is not one of %s." % ACTIONS,
                            OrganizationId=org, Name="bad", Effect="DENY", Description="d", Actions=["Pop"])
        self.assertAPIError(c.put_access_control_rule, "EntityNotFoundException",
                            "User nobody-in-this-org does not exist in organization %s." % org,
                            OrganizationId=org, Name="rule-1", Effect="DENY", Description="d", UserIds=["nobody-in-this-org"])
        self.assertAPIError(c.get_access_control_effect, "InvalidParameterException",
                            "Exactly one of UserId and ImpersonationRoleId must be given.",
                            OrganizationId=org, IpAddress="192.0.2.1", Action="IMAP")
        for _ in range(2):
            self.assertEqual(body(c.delete_access_control_rule(OrganizationId=org, Name="default")), {})
        self.assertEqual(len(c.list_access_control_rules(OrganizationId=org)["Rules"]), 9)

    def test_impersonation_roles(self):
        c = self.client("111100000103")
        org = self.create_org(c, "py-imp")
        alice = self.mailbox_user(c, org, "py-imp", "alice")
        role = body(c.create_impersonation_role(OrganizationId=org, Name="auditor", Type="READ_ONLY", Description="reads mail",
                                                Rules=[{"ImpersonationRuleId": "alice", "Effect": "ALLOW", "TargetUsers": ["alice"]}]))
        role_id = role["ImpersonationRoleId"]
        self.assertRegex(role_id, base.UUID)
        got = body(c.get_impersonation_role(OrganizationId=org, ImpersonationRoleId=role_id))
        self.assertEqual({k: v for k, v in got.items() if not k.startswith("Date")},
                         {"ImpersonationRoleId": role_id, "Name": "auditor", "Type": "READ_ONLY", "Description": "reads mail",
                          "Rules": [{"ImpersonationRuleId": "alice", "Effect": "ALLOW", "TargetUsers": [alice]}]})
        for i in range(2):
            self.create_role(c, org, "filler")
        # botocore has no paginator for ListImpersonationRoles: page by hand.
        listed, token = [], None
        while True:
            args = {"OrganizationId": org, "MaxResults": 1}
            if token:
                args["NextToken"] = token
            page = c.list_impersonation_roles(**args)
            self.assertLessEqual(len(page["Roles"]), 1)
            listed += [r["ImpersonationRoleId"] for r in page["Roles"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(len(listed), 3)
        self.assertEqual(listed, sorted(listed))
        self.assertIn(role_id, listed)

        assumed = body(c.assume_impersonation_role(OrganizationId=org, ImpersonationRoleId=role_id))
        self.assertEqual(assumed["ExpiresIn"], 900)
        self.assertTrue(assumed["Token"].startswith("wmimp_"))
        self.assertAPIError(c.get_impersonation_role_effect, "ResourceNotFoundException",
                            "Impersonation role no-such-role does not exist in organization %s." % org,
                            OrganizationId=org, ImpersonationRoleId="no-such-role", TargetUser=alice)
        self.assertAPIError(c.create_impersonation_role, "InvalidParameterException",
                            "ImpersonationRuleId r is used by more than one rule of the role.",
                            OrganizationId=org, Name="dup", Type="FULL_ACCESS",
                            Rules=[{"ImpersonationRuleId": "r", "Effect": "ALLOW"}, {"ImpersonationRuleId": "r", "Effect": "DENY"}])
        for _ in range(2):
            self.assertEqual(body(c.delete_impersonation_role(OrganizationId=org, ImpersonationRoleId=role_id)), {})
        self.assertAPIError(c.assume_impersonation_role, "ResourceNotFoundException",
                            "Impersonation role %s does not exist in organization %s." % (role_id, org),
                            OrganizationId=org, ImpersonationRoleId=role_id)


if __name__ == "__main__":
    unittest.main()
