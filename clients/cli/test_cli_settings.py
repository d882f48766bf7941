"""Organization settings through the AWS CLI v2: the retention policy, email
monitoring, inbound DMARC and tags.

Runs as test_cli.py does (same settings, same harness); each test uses its
own account.
"""

import json
import re
import unittest

import test_cli as base

setUpModule = base.setUpModule

SLR = "role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"


class Settings(unittest.TestCase):
    account = None
    aws = base.Scenario.aws
    ok = base.Scenario.ok
    fails = base.Scenario.fails
    create_org = base.Scenario.create_org

    def test_retention_policy(self):
        self.account = "222200000121"
        org = self.create_org("cli-retention")
        self.fails("EntityNotFoundException", "Organization %s has no retention policy." % org,
                   "get-default-retention-policy", "--organization-id", org)
        self.assertIsNone(self.ok("put-retention-policy", "--organization-id", org, "--name", "standard",
                                  "--folder-configurations", "Name=DELETED_ITEMS,Action=PERMANENTLY_DELETE,Period=30",
                                  "Name=INBOX,Action=NONE"))
        got = self.ok("get-default-retention-policy", "--organization-id", org)
        policy = got.pop("Id")
        self.assertRegex(policy, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(got, {"Name": "standard", "FolderConfigurations": [
            {"Name": "DELETED_ITEMS", "Action": "PERMANENTLY_DELETE", "Period": 30},
            {"Name": "INBOX", "Action": "NONE"}]})
        self.ok("put-retention-policy", "--organization-id", org, "--id", policy, "--name", "strict",
                "--description", "a week", "--folder-configurations", "Name=JUNK_EMAIL,Action=DELETE,Period=7")
        self.assertEqual(self.ok("get-default-retention-policy", "--organization-id", org), {
            "Id": policy, "Name": "strict", "Description": "a week",
            "FolderConfigurations": [{"Name": "JUNK_EMAIL", "Action": "DELETE", "Period": 7}]})
        # The CLI retries LimitExceededException as throttling, and its line
        # then counts the retries.
        r = self.aws("put-retention-policy", "--organization-id", org, "--id", "second", "--name", "second",
                     "--folder-configurations", "Name=INBOX,Action=NONE")
        self.assertEqual((r.code, r.stdout), (base.EXIT_SERVICE_ERROR, ""))
        self.assertRegex(r.stderr, r"^An error occurred \(LimitExceededException\) when calling the PutRetentionPolicy operation"
                         r"( \(reached max retries: \d+\))?: " + re.escape(
                             "Organization %s already has retention policy %s; an organization has one retention policy." % (org, policy)) + "$")
        self.fails("InvalidParameterException", "Folder INBOX is configured more than once; give each folder one configuration.",
                   "put-retention-policy", "--organization-id", org, "--name", "twice",
                   "--folder-configurations", "Name=INBOX,Action=NONE", "Name=INBOX,Action=DELETE,Period=3")
        self.fails("InvalidParameterException",
                   "Folder DRAFTS has action DELETE but no Period; actions other than NONE need a period in days.",
                   "put-retention-policy", "--organization-id", org, "--name", "noperiod",
                   "--folder-configurations", "Name=DRAFTS,Action=DELETE")
        for ident in ("other", policy, policy):
            self.assertIsNone(self.ok("delete-retention-policy", "--organization-id", org, "--id", ident))
        self.fails("EntityNotFoundException", "Organization %s has no retention policy." % org,
                   "get-default-retention-policy", "--organization-id", org)

    def test_email_monitoring_and_dmarc(self):
        self.account = "222200000122"
        org = self.create_org("cli-monitoring")
        self.fails("ResourceNotFoundException", "Organization %s has no email monitoring configuration." % org,
                   "describe-email-monitoring-configuration", "--organization-id", org)
        logs = "arn:aws:logs:%s:%s:log-group:/aws/workmail/emailevents/cli-monitoring:*" % (base.region(), self.account)
        self.assertIsNone(self.ok("put-email-monitoring-configuration", "--organization-id", org, "--log-group-arn", logs))
        self.assertEqual(self.ok("describe-email-monitoring-configuration", "--organization-id", org),
                         {"LogGroupArn": logs, "RoleArn": "arn:aws:iam::%s:%s" % (self.account, SLR)})
        role = "arn:aws:iam::%s:role/WorkMailEvents" % self.account
        self.ok("put-email-monitoring-configuration", "--organization-id", org, "--log-group-arn", logs, "--role-arn", role)
        self.assertEqual(self.ok("describe-email-monitoring-configuration", "--organization-id", org),
                         {"LogGroupArn": logs, "RoleArn": role})
        east = "arn:aws:logs:us-east-1:%s:log-group:x:*" % self.account
        self.fails("InvalidParameterException",
                   "LogGroupArn %s must name a log group in account %s and region %s." % (east, self.account, base.region()),
                   "put-email-monitoring-configuration", "--organization-id", org, "--log-group-arn", east)
        foreign = "arn:aws:iam::999988887777:role/x"
        self.fails("InvalidParameterException", "RoleArn %s must name a role in account %s." % (foreign, self.account),
                   "put-email-monitoring-configuration", "--organization-id", org, "--log-group-arn", logs, "--role-arn", foreign)
        for _ in range(2):
            self.assertIsNone(self.ok("delete-email-monitoring-configuration", "--organization-id", org))
        self.fails("ResourceNotFoundException", "Organization %s has no email monitoring configuration." % org,
                   "describe-email-monitoring-configuration", "--organization-id", org)

        self.assertEqual(self.ok("describe-inbound-dmarc-settings", "--organization-id", org), {"Enforced": True})
        self.assertIsNone(self.ok("put-inbound-dmarc-settings", "--organization-id", org, "--no-enforced"))
        self.assertEqual(self.ok("describe-inbound-dmarc-settings", "--organization-id", org), {"Enforced": False})
        self.ok("put-inbound-dmarc-settings", "--organization-id", org, "--enforced")
        self.assertEqual(self.ok("describe-inbound-dmarc-settings", "--organization-id", org), {"Enforced": True})

    def test_tags(self):
        self.account = "222200000123"
        org = self.create_org("cli-tags")
        arn = self.ok("describe-organization", "--organization-id", org)["ARN"]
        self.assertEqual(self.ok("list-tags-for-resource", "--resource-arn", arn), {"Tags": []})
        self.assertIsNone(self.ok("tag-resource", "--resource-arn", arn, "--tags", "Key=priority,Value=1", "Key=Owner,Value=mail"))
        self.ok("tag-resource", "--resource-arn", arn, "--tags", json.dumps([{"Key": "priority", "Value": "2"}, {"Key": "empty", "Value": ""}]))
        self.assertEqual(self.ok("list-tags-for-resource", "--resource-arn", arn), {"Tags": [
            {"Key": "Owner", "Value": "mail"}, {"Key": "empty", "Value": ""}, {"Key": "priority", "Value": "2"}]})
        self.fails("InvalidParameterException", "Tag key aws:team starts with aws:, which is reserved for AWS.",
                   "tag-resource", "--resource-arn", arn, "--tags", json.dumps([{"Key": "aws:team", "Value": "x"}]))
        many = json.dumps([{"Key": "k%02d" % i, "Value": "v"} for i in range(48)])
        self.fails("TooManyTagsException", "Resource %s would have 51 tags; a resource can have up to 50 user-applied tags." % arn,
                   "tag-resource", "--resource-arn", arn, "--tags", many)
        self.assertIsNone(self.ok("untag-resource", "--resource-arn", arn, "--tag-keys", "empty", "absent"))
        self.ok("tag-resource", "--resource-arn", arn, "--tags", many)
        self.assertEqual(len(self.ok("list-tags-for-resource", "--resource-arn", arn)["Tags"]), 50)

        self.account = "222200000124"
        self.fails("ResourceNotFoundException", "Resource %s not found in account 222200000124, region %s." % (arn, base.region()),
                   "list-tags-for-resource", "--resource-arn", arn)
        self.account = "222200000123"
        self.ok("delete-organization", "--organization-id", org, "--no-delete-directory")
        self.fails("ResourceNotFoundException", "Resource %s not found." % arn,
                   "untag-resource", "--resource-arn", arn, "--tag-keys", "k00")
        self.fails("ResourceNotFoundException", "Resource %s not found." % arn,
                   "tag-resource", "--resource-arn", arn, "--tags", "Key=k,Value=v")


if __name__ == "__main__":
    unittest.main()
