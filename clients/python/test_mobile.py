"""Mobile device access through boto3: rules, their effect, and overrides.

Runs as test_workmail.py does (same settings, same harness); each test uses
its own account.
"""

import datetime
import json
import os
import unittest

import test_workmail as base

setUpModule = base.setUpModule
body = base.body

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "internal", "policy", "testdata", "mobile-cases.json")
CONDITIONS = ("DeviceTypes", "NotDeviceTypes", "DeviceModels", "NotDeviceModels",
              "DeviceOperatingSystems", "NotDeviceOperatingSystems", "DeviceUserAgents", "NotDeviceUserAgents")
PROPERTIES = {"Type": "DeviceType", "Model": "DeviceModel", "OperatingSystem": "DeviceOperatingSystem", "UserAgent": "DeviceUserAgent"}


class MobileDeviceAccess(unittest.TestCase):
    client = base.Scenario.client
    assertAPIError = base.Scenario.assertAPIError
    create_org = base.Scenario.create_org

    def mailbox_user(self, c, org, alias, name):
        user = body(c.create_user(OrganizationId=org, Name=name, DisplayName=name))["UserId"]
        c.register_to_work_mail(OrganizationId=org, EntityId=user, Email="%s@%s.awsapps.com" % (name, alias))
        return user

    def test_evaluation_table(self):
        """The evaluation table of internal/policy, every check that names
        no user or device, through GetMobileDeviceAccessEffect."""
        c = self.client("111100000111")
        with open(CASES) as f:
            cases = json.load(f)
        for n, case in enumerate(cases):
            with self.subTest(case["Name"]):
                org = self.create_org(c, "py-table-%d" % n)
                for rule in body(c.list_mobile_device_access_rules(OrganizationId=org))["Rules"]:
                    c.delete_mobile_device_access_rule(OrganizationId=org, MobileDeviceAccessRuleId=rule["MobileDeviceAccessRuleId"])
                ids = {}
                for rule in case["Rules"]:
                    conditions = {k: rule[k] for k in CONDITIONS if k in rule}
                    ids[rule["ID"]] = c.create_mobile_device_access_rule(
                        OrganizationId=org, Name=rule["ID"], Effect=rule["Effect"], **conditions)["MobileDeviceAccessRuleId"]
                for check in case["Checks"]:
                    if check.get("UserID") or check.get("DeviceID"):
                        continue
                    device = {PROPERTIES[k]: v for k, v in check["Device"].items()}
                    got = body(c.get_mobile_device_access_effect(OrganizationId=org, **device))
                    self.assertEqual(got, {"Effect": check["Effect"],
                                           "MatchedRules": [{"MobileDeviceAccessRuleId": ids[m], "Name": m} for m in check["Matched"]]},
                                     "%s %s" % (case["Name"], device))

    def test_rules(self):
        c = self.client("111100000112")
        org = self.create_org(c, "py-mobile")
        [default] = body(c.list_mobile_device_access_rules(OrganizationId=org))["Rules"]
        self.assertIsInstance(default.pop("DateCreated"), datetime.datetime)
        self.assertIsInstance(default.pop("DateModified"), datetime.datetime)
        self.assertEqual(default, {"MobileDeviceAccessRuleId": "default", "Name": "default",
                                   "Description": "Default WorkMail Rule", "Effect": "ALLOW"})

        kwargs = dict(OrganizationId=org, ClientToken="py-token-1", Name="DefaultDenyAll", Effect="DENY", Description="MDM decides")
        deny_all = body(c.create_mobile_device_access_rule(**kwargs))["MobileDeviceAccessRuleId"]
        self.assertEqual(body(c.create_mobile_device_access_rule(**kwargs))["MobileDeviceAccessRuleId"], deny_all)
        self.assertAPIError(c.create_mobile_device_access_rule, "InvalidParameterException",
                            "ClientToken py-token-1 was already used for CreateMobileDeviceAccessRule with different parameters.",
                            **dict(kwargs, Effect="ALLOW"))
        self.assertEqual(body(c.get_mobile_device_access_effect(OrganizationId=org, DeviceType="iPhone")),
                         {"Effect": "DENY", "MatchedRules": [{"MobileDeviceAccessRuleId": deny_all, "Name": "DefaultDenyAll"}]})

        # The default rule can be edited like any other: it keeps its id.
        self.assertEqual(body(c.update_mobile_device_access_rule(OrganizationId=org, MobileDeviceAccessRuleId="default",
                                                                 Name="iPhones", Effect="ALLOW", DeviceTypes=["iphone"])), {})
        rules = body(c.list_mobile_device_access_rules(OrganizationId=org))["Rules"]
        self.assertEqual([(r["MobileDeviceAccessRuleId"], r["Name"], r.get("DeviceTypes")) for r in rules],
                         [("default", "iPhones", ["iphone"]), (deny_all, "DefaultDenyAll", None)])
        self.assertGreaterEqual(rules[0]["DateModified"], rules[0]["DateCreated"])
        self.assertAPIError(c.update_mobile_device_access_rule, "EntityNotFoundException",
                            "Mobile device access rule nope does not exist in organization %s." % org,
                            OrganizationId=org, MobileDeviceAccessRuleId="nope", Name="x", Effect="DENY")
        for _ in range(2):
            self.assertEqual(body(c.delete_mobile_device_access_rule(OrganizationId=org, MobileDeviceAccessRuleId=deny_all)), {})
        self.assertEqual(body(c.get_mobile_device_access_effect(OrganizationId=org, DeviceType="IPHONE")),
                         {"Effect": "ALLOW", "MatchedRules": [{"MobileDeviceAccessRuleId": "default", "Name": "iPhones"}]})
        self.assertEqual(body(c.get_mobile_device_access_effect(OrganizationId=org)), {"Effect": "DENY", "MatchedRules": []})

        for i in range(9):
            c.create_mobile_device_access_rule(OrganizationId=org, Name="rule %d" % i, Effect="ALLOW", NotDeviceModels=["HTC"])
        self.assertAPIError(c.create_mobile_device_access_rule, "LimitExceededException",
                            "Organization %s already has 10 mobile device access rules, the most it may have." % org,
                            OrganizationId=org, Name="eleventh", Effect="DENY")
        self.assertEqual(len(body(c.list_mobile_device_access_rules(OrganizationId=org))["Rules"]), 10)

    def test_overrides(self):
        c = self.client("111100000113")
        org = self.create_org(c, "py-overrides")
        alice = self.mailbox_user(c, org, "py-overrides", "alice")
        bob = self.mailbox_user(c, org, "py-overrides", "bob")
        for user, device in ((alice, "AlicePhone"), (bob, "BobPhone"), (bob, "SharedPad"), (alice, "SharedPad")):
            self.assertEqual(body(c.put_mobile_device_access_override(OrganizationId=org, UserId=user, DeviceId=device, Effect="ALLOW")), {})
        got = body(c.get_mobile_device_access_override(OrganizationId=org, UserId="alice@py-overrides.awsapps.com", DeviceId="alicephone"))
        self.assertEqual(got.pop("DateCreated"), got.pop("DateModified"))
        self.assertEqual(got, {"UserId": alice, "DeviceId": "AlicePhone", "Effect": "ALLOW"})

        # Paging by hand: botocore has no paginator for this list.
        listed, token = [], None
        while True:
            page = body(c.list_mobile_device_access_overrides(OrganizationId=org, MaxResults=1, **({"NextToken": token} if token else {})))
            self.assertLessEqual(len(page["Overrides"]), 1)
            listed += [(o["UserId"], o["DeviceId"]) for o in page["Overrides"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(listed, sorted([(alice, "AlicePhone"), (alice, "SharedPad"), (bob, "BobPhone"), (bob, "SharedPad")]))
        shared = body(c.list_mobile_device_access_overrides(OrganizationId=org, DeviceId="SHAREDPAD"))["Overrides"]
        self.assertEqual([o["UserId"] for o in shared], sorted([alice, bob]))
        mine = body(c.list_mobile_device_access_overrides(OrganizationId=org, UserId="bob", DeviceId="sharedpad"))["Overrides"]
        self.assertEqual([(o["UserId"], o["DeviceId"]) for o in mine], [(bob, "SharedPad")])

        self.assertAPIError(c.get_mobile_device_access_override, "ResourceNotFoundException",
                            "User %s has no mobile device access override for device Nothing." % alice,
                            OrganizationId=org, UserId=alice, DeviceId="Nothing")
        self.assertAPIError(c.list_mobile_device_access_overrides, "EntityNotFoundException",
                            "User nobody does not exist in organization %s." % org, OrganizationId=org, UserId="nobody")
        self.assertAPIError(c.delete_mobile_device_access_override, "EntityNotFoundException",
                            "User nobody does not exist in organization %s." % org, OrganizationId=org, UserId="nobody", DeviceId="X")
        for _ in range(2):
            self.assertEqual(body(c.delete_mobile_device_access_override(OrganizationId=org, UserId=alice, DeviceId="sharedpad")), {})

        c.deregister_from_work_mail(OrganizationId=org, EntityId=bob)
        self.assertAPIError(c.put_mobile_device_access_override, "EntityStateException",
                            "User %s is DISABLED: register it to WorkMail before overriding its devices' access." % bob,
                            OrganizationId=org, UserId=bob, DeviceId="BobPhone", Effect="DENY")
        c.delete_user(OrganizationId=org, UserId=bob)
        left = body(c.list_mobile_device_access_overrides(OrganizationId=org))["Overrides"]
        self.assertEqual([(o["UserId"], o["DeviceId"]) for o in left], [(alice, "AlicePhone")])


if __name__ == "__main__":
    unittest.main()
