"""The groups scenario through boto3 (Debian's python3-boto3).

Run against a fresh workmaild with WORKMAILD_ENDPOINT set to its URL and
AWS_DATA_PATH pointing at a directory that holds
workmail/2017-10-01/{service-2.json,paginators-1.json}:

    /usr/bin/python3 -m unittest discover -s clients/python -v

Each test uses its own account (the access key id), so tests neither see
nor depend on one another.
"""

import os
import re
import unittest

import boto3
import botocore.config
import botocore.exceptions

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def setUpModule():
    # Fail, never skip: a missing setting is a broken test run.
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")


def new_client(account):
    """A WorkMail client whose access key id is the account; one attempt a call."""
    return boto3.session.Session().client(
        "workmail",
        endpoint_url=os.environ["WORKMAILD_ENDPOINT"],
        region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="conformance-secret",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


class Groups(unittest.TestCase):
    def assertAPIError(self, call, code, message, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kwargs)
        err = cm.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (code, message))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def setUp(self):
        self.c = new_client(self.account)
        self.org = self.c.create_organization(Alias=self.alias)["OrganizationId"]

    def group(self, name, **kwargs):
        gid = self.c.create_group(OrganizationId=self.org, Name=name, **kwargs)["GroupId"]
        self.assertRegex(gid, UUID)
        return gid

    def user(self, name):
        return self.c.create_user(OrganizationId=self.org, Name=name, DisplayName=name)["UserId"]

    def describe(self, ident):
        out = self.c.describe_group(OrganizationId=self.org, GroupId=ident)
        out.pop("ResponseMetadata")
        return out


class TestTerraformGroup(Groups):
    """Terraform's aws_workmail_group: create, register, wait; destroy."""
    account, alias = "141400000002", "py-tf"

    def test_terraform_sequence(self):
        c, org = self.c, self.org
        gid = self.group("tf-group")
        self.assertEqual(self.describe(gid), {"GroupId": gid, "Name": "tf-group", "State": "DISABLED",
                                              "HiddenFromGlobalAddressList": False})
        c.register_to_work_mail(OrganizationId=org, EntityId=gid, Email="tf-group@py-tf.awsapps.com")
        got = self.describe(gid)
        self.assertEqual(got["State"], "ENABLED")
        self.assertEqual(got["Email"], "tf-group@py-tf.awsapps.com")
        self.assertIn("EnabledDate", got)
        self.assertAPIError(c.delete_group, "EntityStateException",
                            "Group %s is ENABLED: deregister it from WorkMail before deleting it." % gid,
                            OrganizationId=org, GroupId=gid)
        c.deregister_from_work_mail(OrganizationId=org, EntityId=gid)
        self.assertEqual(self.describe(gid)["State"], "DISABLED")
        c.delete_group(OrganizationId=org, GroupId=gid)
        self.assertEqual(self.describe(gid)["State"], "DELETED")
        c.delete_group(OrganizationId=org, GroupId=gid)  # again: nothing to do
        self.assertAPIError(c.describe_group, "EntityNotFoundException",
                            "Group tf-group does not exist in organization %s." % org,
                            OrganizationId=org, GroupId="tf-group")


class TestGroupMembers(Groups):
    """A team list with people and a nested team, listed and looked up."""
    account, alias = "141400000003", "py-groups"

    def test_members_and_lists(self):
        c, org = self.c, self.org
        sales, emea = self.group("sales"), self.group("sales-emea", HiddenFromGlobalAddressList=True)
        ann, ben = self.user("ann"), self.user("ben")
        self.assertAPIError(c.create_group, "NameAvailabilityException",
                            "The name ANN is already used by another user, group or resource in organization %s." % org,
                            OrganizationId=org, Name="ANN")
        c.register_to_work_mail(OrganizationId=org, EntityId=ann, Email="ann@py-groups.awsapps.com")
        c.register_to_work_mail(OrganizationId=org, EntityId="sales", Email="sales@py-groups.awsapps.com")
        self.assertAPIError(c.register_to_work_mail, "EmailAddressInUseException",
                            "The email address sales@py-groups.awsapps.com is already used by another user, group or resource.",
                            OrganizationId=org, EntityId=emea, Email="sales@py-groups.awsapps.com")
        c.update_group(OrganizationId=org, GroupId=sales, HiddenFromGlobalAddressList=True)
        self.assertTrue(self.describe(sales)["HiddenFromGlobalAddressList"])

        c.associate_member_to_group(OrganizationId=org, GroupId=sales, MemberId="ann@py-groups.awsapps.com")
        c.associate_member_to_group(OrganizationId=org, GroupId=sales, MemberId=emea)
        c.associate_member_to_group(OrganizationId=org, GroupId="sales-emea", MemberId="ben")
        c.associate_member_to_group(OrganizationId=org, GroupId="sales-emea", MemberId="ben")  # again: no change
        self.assertAPIError(c.associate_member_to_group, "InvalidParameterException",
                            "Group %s cannot be a member of itself." % sales,
                            OrganizationId=org, GroupId=sales, MemberId=sales)

        members = [m for page in c.get_paginator("list_group_members").paginate(
            OrganizationId=org, GroupId=sales, PaginationConfig={"PageSize": 1}) for m in page["Members"]]
        members.sort(key=lambda m: m["Name"])
        self.assertEqual([(m["Id"], m["Name"], m["Type"], m["State"]) for m in members],
                         [(ann, "ann", "USER", "ENABLED"), (emea, "sales-emea", "GROUP", "DISABLED")])
        self.assertIn("EnabledDate", members[0])

        groups = [g for page in c.get_paginator("list_groups").paginate(
            OrganizationId=org, Filters={"NamePrefix": "SALES"}, PaginationConfig={"PageSize": 1}) for g in page["Groups"]]
        self.assertEqual([g["Name"] for g in groups], ["sales", "sales-emea"])
        self.assertEqual(set(groups[0]), {"Id", "Name", "Email", "State", "EnabledDate"})
        enabled = c.list_groups(OrganizationId=org, Filters={"State": "ENABLED"})["Groups"]
        self.assertEqual([g["Id"] for g in enabled], [sales])
        by_email = c.list_groups(OrganizationId=org, Filters={"PrimaryEmailPrefix": "sal"})["Groups"]
        self.assertEqual([g["Id"] for g in by_email], [sales])
        self.assertAPIError(c.list_groups, "InvalidParameterException",
                            "ListGroups takes one filter per request; 2 were given.",
                            OrganizationId=org, Filters={"NamePrefix": "s", "State": "ENABLED"})

        # ListGroupsForEntity has no paginator: page by hand.
        seen, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            page = c.list_groups_for_entity(OrganizationId=org, EntityId=emea, MaxResults=1, **kwargs)
            seen += page["Groups"]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, [{"GroupId": sales, "GroupName": "sales"}])
        out = c.list_groups_for_entity(OrganizationId=org, EntityId="ben", Filters={"GroupNamePrefix": "nope"})
        self.assertEqual(out["Groups"], [])

        entity = c.describe_entity(OrganizationId=org, Email="SALES@py-groups.awsapps.com")
        entity.pop("ResponseMetadata")
        self.assertEqual(entity, {"EntityId": sales, "Name": "sales", "Type": "GROUP"})
        entity = c.describe_entity(OrganizationId=org, Email="ann@py-groups.awsapps.com")
        self.assertEqual((entity["EntityId"], entity["Type"]), (ann, "USER"))
        self.assertAPIError(c.describe_entity, "EntityNotFoundException",
                            "No user, group or resource has the address nobody@py-groups.awsapps.com in organization %s." % org,
                            OrganizationId=org, Email="nobody@py-groups.awsapps.com")

        c.disassociate_member_from_group(OrganizationId=org, GroupId=emea, MemberId=ben)
        self.assertEqual(c.list_group_members(OrganizationId=org, GroupId=emea)["Members"], [])
        # Deleting ann takes her out of sales.
        c.deregister_from_work_mail(OrganizationId=org, EntityId=ann)
        c.delete_user(OrganizationId=org, UserId=ann)
        self.assertEqual([m["Id"] for m in c.list_group_members(OrganizationId=org, GroupId=sales)["Members"]], [emea])
        self.assertAPIError(c.list_groups_for_entity, "EntityStateException", "Entity %s is deleted." % ann,
                            OrganizationId=org, EntityId=ann)


if __name__ == "__main__":
    unittest.main()
