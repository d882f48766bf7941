"""Mailboxes through the AWS CLI v2: details, quotas and permissions.

Runs as test_cli.py does (same settings, same harness); each test uses its
own account.
"""

import unittest

import test_cli as base

setUpModule = base.setUpModule


class Mailboxes(unittest.TestCase):
    account = None
    aws = base.Scenario.aws
    ok = base.Scenario.ok
    fails = base.Scenario.fails
    create_org = base.Scenario.create_org

    def create_user(self, org, name):
        return self.ok("create-user", "--organization-id", org, "--name", name, "--display-name", name)["UserId"]

    def mailbox_user(self, org, alias, name):
        user = self.create_user(org, name)
        self.assertIsNone(self.ok("register-to-work-mail", "--organization-id", org, "--entity-id", user,
                                  "--email", "%s@%s.awsapps.com" % (name, alias)))
        return user

    def test_mailbox_quota(self):
        self.account = "222200000051"
        org = self.create_org("cli-quota")
        alice = self.create_user(org, "alice")
        self.fails("EntityNotFoundException", "User %s has no mailbox: it is DISABLED and was never registered to WorkMail." % alice,
                   "get-mailbox-details", "--organization-id", org, "--user-id", alice)
        self.fails("EntityStateException",
                   "User %s is DISABLED: only the mailbox of a user registered to WorkMail has a quota to change." % alice,
                   "update-mailbox-quota", "--organization-id", org, "--user-id", alice, "--mailbox-quota", "100")
        self.ok("register-to-work-mail", "--organization-id", org, "--entity-id", alice, "--email", "alice@cli-quota.awsapps.com")
        self.assertEqual(self.ok("get-mailbox-details", "--organization-id", org, "--user-id", "alice@cli-quota.awsapps.com"),
                         {"MailboxQuota": 51200, "MailboxSize": 0})
        self.assertIsNone(self.ok("update-mailbox-quota", "--organization-id", org, "--user-id", "alice", "--mailbox-quota", "1024"))
        self.assertEqual(self.ok("get-mailbox-details", "--organization-id", org, "--user-id", alice),
                         {"MailboxQuota": 1024, "MailboxSize": 0})
        self.fails("InvalidParameterException", "MailboxQuota 51201 is larger than the maximum mailbox size, 51200 MB.",
                   "update-mailbox-quota", "--organization-id", org, "--user-id", alice, "--mailbox-quota", "51201")
        self.fails("EntityNotFoundException", "Entity nobody does not exist in organization %s." % org,
                   "get-mailbox-details", "--organization-id", org, "--user-id", "nobody")

    def test_mailbox_permissions(self):
        self.account = "222200000052"
        org = self.create_org("cli-shared")
        alice = self.mailbox_user(org, "cli-shared", "alice")
        bob = self.mailbox_user(org, "cli-shared", "bob")
        carol = self.mailbox_user(org, "cli-shared", "carol")
        self.assertIsNone(self.ok("put-mailbox-permissions", "--organization-id", org, "--entity-id", "alice",
                                  "--grantee-id", "bob@cli-shared.awsapps.com", "--permission-values", "SEND_AS", "FULL_ACCESS"))
        self.ok("put-mailbox-permissions", "--organization-id", org, "--entity-id", alice,
                "--grantee-id", carol, "--permission-values", "SEND_ON_BEHALF")
        # The CLI walks the pages itself, one grant each.
        listed = self.ok("list-mailbox-permissions", "--organization-id", org, "--entity-id", alice, "--page-size", "1")
        self.assertEqual(listed, {"Permissions": sorted([
            {"GranteeId": bob, "GranteeType": "USER", "PermissionValues": ["FULL_ACCESS", "SEND_AS"]},
            {"GranteeId": carol, "GranteeType": "USER", "PermissionValues": ["SEND_ON_BEHALF"]},
        ], key=lambda p: p["GranteeId"])})
        first = self.ok("list-mailbox-permissions", "--organization-id", org, "--entity-id", alice, "--max-items", "1")
        self.assertEqual(len(first["Permissions"]), 1)
        self.assertIn("NextToken", first)

        # Put replaces bob's set; Delete removes carol's, twice.
        self.ok("put-mailbox-permissions", "--organization-id", org, "--entity-id", alice,
                "--grantee-id", bob, "--permission-values", "SEND_ON_BEHALF")
        for _ in range(2):
            self.assertIsNone(self.ok("delete-mailbox-permissions", "--organization-id", org, "--entity-id", alice, "--grantee-id", carol))
        self.assertEqual(self.ok("list-mailbox-permissions", "--organization-id", org, "--entity-id", alice),
                         {"Permissions": [{"GranteeId": bob, "GranteeType": "USER", "PermissionValues": ["SEND_ON_BEHALF"]}]})

        self.fails("InvalidParameterException", "Entity %s cannot be granted permissions on its own mailbox." % alice,
                   "put-mailbox-permissions", "--organization-id", org, "--entity-id", alice, "--grantee-id", "alice",
                   "--permission-values", "SEND_AS")
        self.fails("EntityNotFoundException", "Entity nobody does not exist in organization %s." % org,
                   "delete-mailbox-permissions", "--organization-id", org, "--entity-id", alice, "--grantee-id", "nobody")

        # Bob leaves: deregistered, his mailbox cannot be shared; deleted, his grants go.
        self.ok("deregister-from-work-mail", "--organization-id", org, "--entity-id", bob)
        self.fails("EntityStateException", "Entity %s is DISABLED: register it to WorkMail before sharing its mailbox." % bob,
                   "put-mailbox-permissions", "--organization-id", org, "--entity-id", bob, "--grantee-id", alice,
                   "--permission-values", "SEND_AS")
        self.ok("delete-user", "--organization-id", org, "--user-id", bob)
        self.assertEqual(self.ok("list-mailbox-permissions", "--organization-id", org, "--entity-id", alice), {"Permissions": []})
        self.fails("EntityNotFoundException", "Entity %s is deleted." % bob,
                   "list-mailbox-permissions", "--organization-id", org, "--entity-id", bob)


if __name__ == "__main__":
    unittest.main()
