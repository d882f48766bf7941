"""Mobile device access through the AWS CLI v2: rules, their effect, and
overrides.

Runs as test_cli.py does (same settings, same harness); each test uses its
own account.
"""

import unittest

import test_cli as base

setUpModule = base.setUpModule


class MobileDeviceAccess(unittest.TestCase):
    account = None
    aws = base.Scenario.aws
    ok = base.Scenario.ok
    fails = base.Scenario.fails
    create_org = base.Scenario.create_org

    def mailbox_user(self, org, alias, name):
        user = self.ok("create-user", "--organization-id", org, "--name", name, "--display-name", name)["UserId"]
        self.ok("register-to-work-mail", "--organization-id", org, "--entity-id", user, "--email", "%s@%s.awsapps.com" % (name, alias))
        return user

    def rules(self, org):
        return self.ok("list-mobile-device-access-rules", "--organization-id", org)["Rules"]

    def effect(self, org, *device):
        got = self.ok("get-mobile-device-access-effect", "--organization-id", org, *device)
        return got["Effect"], [(m["MobileDeviceAccessRuleId"], m["Name"]) for m in got["MatchedRules"]]

    def test_rules(self):
        self.account = "222200000111"
        org = self.create_org("cli-mobile")
        # A new organization has the default ALLOW rule.
        [default] = self.rules(org)
        self.assertEqual({k: v for k, v in default.items() if not k.startswith("Date")},
                         {"MobileDeviceAccessRuleId": "default", "Name": "default", "Description": "Default WorkMail Rule", "Effect": "ALLOW"})
        self.assertEqual(self.effect(org, "--device-type", "iPhone"), ("ALLOW", [("default", "default")]))

        args = ["create-mobile-device-access-rule", "--organization-id", org, "--client-token", "cli-token-1",
                "--name", "BlockAllAndroid", "--effect", "DENY", "--device-types", "android"]
        block = self.ok(*args)["MobileDeviceAccessRuleId"]
        self.assertRegex(block, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(self.ok(*args)["MobileDeviceAccessRuleId"], block)  # a retry
        self.fails("InvalidParameterException",
                   "ClientToken cli-token-1 was already used for CreateMobileDeviceAccessRule with different parameters.",
                   *args[:-1], "ipad")
        self.assertEqual([r["Name"] for r in self.rules(org)], ["default", "BlockAllAndroid"])
        self.assertEqual(self.effect(org, "--device-type", "Android", "--device-model", "Pixel 4"), ("DENY", [(block, "BlockAllAndroid")]))
        self.assertEqual(self.effect(org, "--device-type", "iPad"), ("ALLOW", [("default", "default")]))

        # Only the latest iOS: the default rule goes, a prefix rule comes.
        self.assertIsNone(self.ok("delete-mobile-device-access-rule", "--organization-id", org, "--mobile-device-access-rule-id", "default"))
        latest = self.ok("create-mobile-device-access-rule", "--organization-id", org, "--name", "AllowLatestiOS", "--effect", "ALLOW",
                         "--device-operating-systems", "iOS 14.3")["MobileDeviceAccessRuleId"]
        self.assertEqual(self.effect(org, "--device-operating-system", "ios 14.3.1 18D61"), ("ALLOW", [(latest, "AllowLatestiOS")]))
        self.assertEqual(self.effect(org, "--device-operating-system", "iOS 12.3.1 16F203"), ("DENY", []))
        # Update replaces the whole rule.
        self.assertIsNone(self.ok("update-mobile-device-access-rule", "--organization-id", org, "--mobile-device-access-rule-id", latest,
                                  "--name", "AllowLatestiOS", "--effect", "ALLOW", "--device-operating-systems", "iOS 14.4", "$NONE"))
        [_, rule] = self.rules(org)
        self.assertEqual(rule["DeviceOperatingSystems"], ["iOS 14.4", "$NONE"])
        self.assertEqual(self.effect(org, "--device-operating-system", "iOS 14.3.1"), ("DENY", []))
        self.assertEqual(self.effect(org, "--device-type", "iPhone"), ("ALLOW", [(latest, "AllowLatestiOS")]))
        self.fails("EntityNotFoundException", "Mobile device access rule 1a2b3c4d does not exist in organization %s." % org,
                   "update-mobile-device-access-rule", "--organization-id", org, "--mobile-device-access-rule-id", "1a2b3c4d",
                   "--name", "x", "--effect", "DENY")
        for _ in range(2):
            self.assertIsNone(self.ok("delete-mobile-device-access-rule", "--organization-id", org, "--mobile-device-access-rule-id", block))

        # Ten rules at most.
        for i in range(8):
            self.ok("create-mobile-device-access-rule", "--organization-id", org, "--name", "rule %d" % i, "--effect", "ALLOW",
                    "--not-device-user-agents", "Outlook")
        self.assertEqual(len(self.rules(org)), 9)
        self.ok("create-mobile-device-access-rule", "--organization-id", org, "--name", "tenth", "--effect", "DENY")
        # The CLI takes LimitExceededException for throttling and retries it
        # (standard mode, 3 attempts), as it would against WorkMail.
        r = self.aws("create-mobile-device-access-rule", "--organization-id", org, "--name", "eleventh", "--effect", "DENY")
        self.assertEqual(r.stderr, "An error occurred (LimitExceededException) when calling the CreateMobileDeviceAccessRule operation "
                         "(reached max retries: 2): Organization %s already has 10 mobile device access rules, the most it may have." % org)
        self.assertEqual(r.code, base.EXIT_SERVICE_ERROR)
        self.assertEqual(len(self.rules(org)), 10)

    def test_overrides(self):
        self.account = "222200000112"
        org = self.create_org("cli-overrides")
        alice = self.mailbox_user(org, "cli-overrides", "alice")
        bob = self.mailbox_user(org, "cli-overrides", "bob")
        idle = self.ok("create-user", "--organization-id", org, "--name", "idle", "--display-name", "idle")["UserId"]
        self.assertIsNone(self.ok("put-mobile-device-access-override", "--organization-id", org, "--user-id", "alice@cli-overrides.awsapps.com",
                                  "--device-id", "6APMEKPHCP2ND42VIJ4BR8ECDO", "--effect", "DENY"))
        self.ok("put-mobile-device-access-override", "--organization-id", org, "--user-id", "alice",
                "--device-id", "6apmekphcp2nd42vij4br8ecdo", "--effect", "ALLOW", "--description", "MDM approved")
        got = self.ok("get-mobile-device-access-override", "--organization-id", org, "--user-id", alice, "--device-id", "6APMEKPHCP2ND42VIJ4BR8ECDO")
        self.assertEqual({k: v for k, v in got.items() if not k.startswith("Date")},
                         {"UserId": alice, "DeviceId": "6APMEKPHCP2ND42VIJ4BR8ECDO", "Effect": "ALLOW", "Description": "MDM approved"})
        self.assertEqual(set(got) - {"UserId", "DeviceId", "Effect", "Description"}, {"DateCreated", "DateModified"})
        for device in ("BOBPHONE", "BOBTABLET"):
            self.ok("put-mobile-device-access-override", "--organization-id", org, "--user-id", bob, "--device-id", device, "--effect", "DENY")

        # No paginator in botocore: the CLI shows one page and its NextToken.
        first = self.ok("list-mobile-device-access-overrides", "--organization-id", org, "--max-results", "2")
        self.assertEqual(len(first["Overrides"]), 2)
        rest = self.ok("list-mobile-device-access-overrides", "--organization-id", org, "--next-token", first["NextToken"])
        self.assertNotIn("NextToken", rest)
        listed = [(o["UserId"], o["DeviceId"]) for o in first["Overrides"] + rest["Overrides"]]
        self.assertEqual(listed, sorted([(alice, "6APMEKPHCP2ND42VIJ4BR8ECDO"), (bob, "BOBPHONE"), (bob, "BOBTABLET")]))
        by_device = self.ok("list-mobile-device-access-overrides", "--organization-id", org, "--device-id", "bobphone")["Overrides"]
        self.assertEqual([(o["UserId"], o["Effect"]) for o in by_device], [(bob, "DENY")])

        self.fails("EntityStateException", "User %s is DISABLED: register it to WorkMail before overriding its devices' access." % idle,
                   "put-mobile-device-access-override", "--organization-id", org, "--user-id", idle, "--device-id", "IDLE1", "--effect", "ALLOW")
        self.fails("EntityNotFoundException", "User nobody does not exist in organization %s." % org,
                   "get-mobile-device-access-override", "--organization-id", org, "--user-id", "nobody", "--device-id", "X1")
        self.fails("ResourceNotFoundException", "User %s has no mobile device access override for device OTHER." % alice,
                   "get-mobile-device-access-override", "--organization-id", org, "--user-id", alice, "--device-id", "OTHER")
        for _ in range(2):
            self.assertIsNone(self.ok("delete-mobile-device-access-override", "--organization-id", org, "--user-id", bob, "--device-id", "bobtablet"))

        # Bob leaves: deleting him drops his overrides.
        self.ok("deregister-from-work-mail", "--organization-id", org, "--entity-id", bob)
        self.ok("delete-user", "--organization-id", org, "--user-id", bob)
        left = self.ok("list-mobile-device-access-overrides", "--organization-id", org)["Overrides"]
        self.assertEqual([o["UserId"] for o in left], [alice])


if __name__ == "__main__":
    unittest.main()
