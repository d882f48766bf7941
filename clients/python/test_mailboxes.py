"""Mailboxes through boto3: details, quotas and permissions.

Runs as test_workmail.py does (same settings, same harness); each test uses
its own account.
"""

import unittest

import test_workmail as base

setUpModule = base.setUpModule
body = base.body


class Mailboxes(unittest.TestCase):
    client = base.Scenario.client
    assertAPIError = base.Scenario.assertAPIError
    create_org = base.Scenario.create_org

    def create_user(self, c, org, name):
        return body(c.create_user(OrganizationId=org, Name=name, DisplayName=name))["UserId"]

    def mailbox_user(self, c, org, alias, name):
        user = self.create_user(c, org, name)
        self.assertEqual(body(c.register_to_work_mail(OrganizationId=org, EntityId=user, Email="%s@%s.awsapps.com" % (name, alias))), {})
        return user

    def list_permissions(self, c, org, entity):
        """Walks boto3's paginator one grant a page."""
        pages = list(c.get_paginator("list_mailbox_permissions").paginate(
            OrganizationId=org, EntityId=entity, PaginationConfig={"PageSize": 1}))
        for page in pages[:-1]:
            self.assertIn("NextToken", page)
        self.assertNotIn("NextToken", pages[-1])
        return [p for page in pages for p in page["Permissions"]]

    def test_mailbox_quota(self):
        c = self.client("111100000051")
        org = self.create_org(c, "py-quota")
        alice = self.create_user(c, org, "alice")
        self.assertAPIError(c.get_mailbox_details, "EntityNotFoundException",
                            "User %s has no mailbox: it is DISABLED and was never registered to WorkMail." % alice,
                            OrganizationId=org, UserId=alice)
        self.assertAPIError(c.update_mailbox_quota, "EntityStateException",
                            "User %s is DISABLED: only the mailbox of a user registered to WorkMail has a quota to change." % alice,
                            OrganizationId=org, UserId=alice, MailboxQuota=100)
        c.register_to_work_mail(OrganizationId=org, EntityId=alice, Email="alice@py-quota.awsapps.com")
        got = body(c.get_mailbox_details(OrganizationId=org, UserId="alice@py-quota.awsapps.com"))
        self.assertEqual(got, {"MailboxQuota": 51200, "MailboxSize": 0.0})
        self.assertEqual(body(c.update_mailbox_quota(OrganizationId=org, UserId="alice", MailboxQuota=1024)), {})
        self.assertEqual(body(c.get_mailbox_details(OrganizationId=org, UserId=alice))["MailboxQuota"], 1024)
        self.assertAPIError(c.update_mailbox_quota, "InvalidParameterException",
                            "MailboxQuota 51201 is larger than the maximum mailbox size, 51200 MB.",
                            OrganizationId=org, UserId=alice, MailboxQuota=51201)
        self.assertAPIError(c.update_mailbox_quota, "EntityNotFoundException",
                            "Entity nobody does not exist in organization %s." % org,
                            OrganizationId=org, UserId="nobody", MailboxQuota=1)

    def test_mailbox_permissions(self):
        c = self.client("111100000052")
        org = self.create_org(c, "py-shared")
        alice = self.mailbox_user(c, org, "py-shared", "alice")
        bob = self.mailbox_user(c, org, "py-shared", "bob")
        carol = self.mailbox_user(c, org, "py-shared", "carol")
        self.assertEqual(body(c.put_mailbox_permissions(OrganizationId=org, EntityId="alice", GranteeId="bob@py-shared.awsapps.com",
                                                        PermissionValues=["SEND_AS", "FULL_ACCESS"])), {})
        c.put_mailbox_permissions(OrganizationId=org, EntityId=alice, GranteeId=carol, PermissionValues=["SEND_ON_BEHALF"])
        self.assertEqual(self.list_permissions(c, org, alice), sorted([
            {"GranteeId": bob, "GranteeType": "USER", "PermissionValues": ["FULL_ACCESS", "SEND_AS"]},
            {"GranteeId": carol, "GranteeType": "USER", "PermissionValues": ["SEND_ON_BEHALF"]},
        ], key=lambda p: p["GranteeId"]))

        # Put replaces bob's set (an empty set removes it); Delete removes carol's, twice.
        c.put_mailbox_permissions(OrganizationId=org, EntityId=alice, GranteeId=bob, PermissionValues=["SEND_ON_BEHALF"])
        for _ in range(2):
            self.assertEqual(body(c.delete_mailbox_permissions(OrganizationId=org, EntityId=alice, GranteeId=carol)), {})
        self.assertEqual(self.list_permissions(c, org, alice),
                         [{"GranteeId": bob, "GranteeType": "USER", "PermissionValues": ["SEND_ON_BEHALF"]}])
        c.put_mailbox_permissions(OrganizationId=org, EntityId=carol, GranteeId=alice, PermissionValues=["SEND_AS"])
        c.put_mailbox_permissions(OrganizationId=org, EntityId=carol, GranteeId=alice, PermissionValues=[])
        self.assertEqual(body(c.list_mailbox_permissions(OrganizationId=org, EntityId=carol)), {"Permissions": []})

        self.assertAPIError(c.put_mailbox_permissions, "InvalidParameterException",
                            "Entity %s cannot be granted permissions on its own mailbox." % alice,
                            OrganizationId=org, EntityId=alice, GranteeId="alice", PermissionValues=["SEND_AS"])
        self.assertAPIError(c.put_mailbox_permissions, "EntityNotFoundException",
                            "Entity nobody does not exist in organization %s." % org,
                            OrganizationId=org, EntityId="nobody", GranteeId=bob, PermissionValues=["SEND_AS"])

        # Bob leaves: deregistered, his mailbox cannot be shared; deleted, his grants go.
        c.deregister_from_work_mail(OrganizationId=org, EntityId=bob)
        self.assertAPIError(c.put_mailbox_permissions, "EntityStateException",
                            "Entity %s is DISABLED: register it to WorkMail before sharing its mailbox." % bob,
                            OrganizationId=org, EntityId=bob, GranteeId=alice, PermissionValues=["SEND_AS"])
        c.delete_user(OrganizationId=org, UserId=bob)
        self.assertEqual(self.list_permissions(c, org, alice), [])
        self.assertAPIError(c.list_mailbox_permissions, "EntityNotFoundException", "Entity %s is deleted." % bob,
                            OrganizationId=org, EntityId=bob)


if __name__ == "__main__":
    unittest.main()
