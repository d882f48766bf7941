"""Organization settings through boto3: the retention policy, email
monitoring, inbound DMARC and tags.

Runs as test_workmail.py does (same settings, same harness); each test uses
its own account.
"""

import unittest

import test_workmail as base

setUpModule = base.setUpModule
body = base.body

SLR = "role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents"
NOT_AN_ORG = "is not a WorkMail organization; only organizations (arn:aws:workmail:<region>:<account>:organization/<id>) carry tags."


class Settings(unittest.TestCase):
    client = base.Scenario.client
    assertAPIError = base.Scenario.assertAPIError
    create_org = base.Scenario.create_org

    def test_retention_policy(self):
        c = self.client("111100000121")
        org = self.create_org(c, "py-retention")
        self.assertAPIError(c.get_default_retention_policy, "EntityNotFoundException",
                            "Organization %s has no retention policy." % org, OrganizationId=org)
        folders = [{"Name": "DELETED_ITEMS", "Action": "PERMANENTLY_DELETE", "Period": 30},
                   {"Name": "INBOX", "Action": "NONE"}]
        self.assertEqual(body(c.put_retention_policy(OrganizationId=org, Name="standard", FolderConfigurations=folders)), {})
        got = body(c.get_default_retention_policy(OrganizationId=org))
        self.assertRegex(got.pop("Id"), base.UUID)
        self.assertEqual(got, {"Name": "standard", "FolderConfigurations": folders})
        policy = body(c.get_default_retention_policy(OrganizationId=org))["Id"]

        c.put_retention_policy(OrganizationId=org, Id=policy, Name="strict", Description="a week",
                               FolderConfigurations=[{"Name": "JUNK_EMAIL", "Action": "DELETE", "Period": 7}])
        self.assertEqual(body(c.get_default_retention_policy(OrganizationId=org)), {
            "Id": policy, "Name": "strict", "Description": "a week",
            "FolderConfigurations": [{"Name": "JUNK_EMAIL", "Action": "DELETE", "Period": 7}]})
        self.assertAPIError(c.put_retention_policy, "LimitExceededException",
                            "Organization %s already has retention policy %s; an organization has one retention policy." % (org, policy),
                            OrganizationId=org, Id="second", Name="second", FolderConfigurations=[])
        self.assertAPIError(c.put_retention_policy, "InvalidParameterException",
                            "Folder SENT_ITEMS is configured more than once; give each folder one configuration.",
                            OrganizationId=org, Name="twice", FolderConfigurations=[
                                {"Name": "SENT_ITEMS", "Action": "NONE"}, {"Name": "SENT_ITEMS", "Action": "DELETE", "Period": 1}])
        self.assertAPIError(c.put_retention_policy, "InvalidParameterException",
                            "Folder DRAFTS has action PERMANENTLY_DELETE but no Period; actions other than NONE need a period in days.",
                            OrganizationId=org, Name="noperiod", FolderConfigurations=[{"Name": "DRAFTS", "Action": "PERMANENTLY_DELETE"}])
        for ident in ("other", policy, policy):
            self.assertEqual(body(c.delete_retention_policy(OrganizationId=org, Id=ident)), {})
        self.assertAPIError(c.get_default_retention_policy, "EntityNotFoundException",
                            "Organization %s has no retention policy." % org, OrganizationId=org)

    def test_email_monitoring_and_dmarc(self):
        account = "111100000122"
        c = self.client(account)
        org = self.create_org(c, "py-monitoring")
        self.assertAPIError(c.describe_email_monitoring_configuration, "ResourceNotFoundException",
                            "Organization %s has no email monitoring configuration." % org, OrganizationId=org)
        logs = "arn:aws:logs:%s:%s:log-group:/aws/workmail/emailevents/py-monitoring:*" % (base.region(), account)
        self.assertEqual(body(c.put_email_monitoring_configuration(OrganizationId=org, LogGroupArn=logs)), {})
        self.assertEqual(body(c.describe_email_monitoring_configuration(OrganizationId=org)),
                         {"LogGroupArn": logs, "RoleArn": "arn:aws:iam::%s:%s" % (account, SLR)})
        role = "arn:aws:iam::%s:role/WorkMailEvents" % account
        c.put_email_monitoring_configuration(OrganizationId=org, LogGroupArn=logs, RoleArn=role)
        self.assertEqual(body(c.describe_email_monitoring_configuration(OrganizationId=org)), {"LogGroupArn": logs, "RoleArn": role})
        other = "arn:aws:logs:%s:999988887777:log-group:x:*" % base.region()
        self.assertAPIError(c.put_email_monitoring_configuration, "InvalidParameterException",
                            "LogGroupArn %s must name a log group in account %s and region %s." % (other, account, base.region()),
                            OrganizationId=org, LogGroupArn=other)
        user = "arn:aws:iam::%s:user/alice" % account
        self.assertAPIError(c.put_email_monitoring_configuration, "InvalidParameterException",
                            "RoleArn %s is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)." % user,
                            OrganizationId=org, LogGroupArn=logs, RoleArn=user)
        for _ in range(2):
            self.assertEqual(body(c.delete_email_monitoring_configuration(OrganizationId=org)), {})
        self.assertAPIError(c.describe_email_monitoring_configuration, "ResourceNotFoundException",
                            "Organization %s has no email monitoring configuration." % org, OrganizationId=org)

        self.assertEqual(body(c.describe_inbound_dmarc_settings(OrganizationId=org)), {"Enforced": True})
        self.assertEqual(body(c.put_inbound_dmarc_settings(OrganizationId=org, Enforced=False)), {})
        self.assertEqual(body(c.describe_inbound_dmarc_settings(OrganizationId=org)), {"Enforced": False})

    def test_tags(self):
        c = self.client("111100000123")
        org = self.create_org(c, "py-tags")
        arn = body(c.describe_organization(OrganizationId=org))["ARN"]
        self.assertEqual(body(c.list_tags_for_resource(ResourceARN=arn)), {"Tags": []})
        self.assertEqual(body(c.tag_resource(ResourceARN=arn, Tags=[{"Key": "priority", "Value": "1"}, {"Key": "Owner", "Value": "mail"}])), {})
        c.tag_resource(ResourceARN=arn, Tags=[{"Key": "priority", "Value": "2"}])
        self.assertEqual(body(c.list_tags_for_resource(ResourceARN=arn)),
                         {"Tags": [{"Key": "Owner", "Value": "mail"}, {"Key": "priority", "Value": "2"}]})
        self.assertAPIError(c.tag_resource, "InvalidParameterException",
                            "Tag key AWS:team starts with aws:, which is reserved for AWS.",
                            ResourceARN=arn, Tags=[{"Key": "AWS:team", "Value": "x"}])
        self.assertAPIError(c.tag_resource, "InvalidParameterException", "Tag key k is given more than once.",
                            ResourceARN=arn, Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
        many = [{"Key": "k%02d" % i, "Value": ""} for i in range(49)]
        self.assertAPIError(c.tag_resource, "TooManyTagsException",
                            "Resource %s would have 51 tags; a resource can have up to 50 user-applied tags." % arn,
                            ResourceARN=arn, Tags=many)
        self.assertEqual(body(c.untag_resource(ResourceARN=arn, TagKeys=["priority", "absent"])), {})
        c.tag_resource(ResourceARN=arn, Tags=many)
        self.assertEqual(len(body(c.list_tags_for_resource(ResourceARN=arn))["Tags"]), 50)

        other = self.client("111100000124")
        self.assertAPIError(other.tag_resource, "ResourceNotFoundException",
                            "Resource %s not found in account 111100000124, region %s." % (arn, base.region()),
                            ResourceARN=arn, Tags=[{"Key": "k", "Value": "v"}])
        user = arn.replace(":organization/", ":user/")
        self.assertAPIError(c.list_tags_for_resource, "ResourceNotFoundException", "Resource %s %s" % (user, NOT_AN_ORG), ResourceARN=user)
        c.delete_organization(OrganizationId=org, DeleteDirectory=True)
        for call, kwargs in ((c.list_tags_for_resource, {}), (c.untag_resource, {"TagKeys": ["k00"]})):
            self.assertAPIError(call, "ResourceNotFoundException", "Resource %s not found." % arn, ResourceARN=arn, **kwargs)


if __name__ == "__main__":
    unittest.main()
