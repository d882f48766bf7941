"""The aliases and mail domains scenario through boto3 (Debian's python3-boto3).

Run against a fresh workmaild (started with its default
--domain-verification-delay of 0, so a registered domain is VERIFIED at
once) with WORKMAILD_ENDPOINT set to its URL and AWS_DATA_PATH pointing at
a directory that holds workmail/2017-10-01/{service-2.json,paginators-1.json}:

    /usr/bin/python3 -m unittest discover -s clients/python -v

Each test uses its own account (the access key id), so tests neither see
nor depend on one another.
"""

import json
import os
import re
import unittest
import urllib.error
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def setUpModule():
    # Fail, never skip: a missing setting is a broken test run.
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")


def region():
    return os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def new_client(account):
    """A WorkMail client whose access key id is the account; one attempt a call."""
    return boto3.session.Session().client(
        "workmail",
        endpoint_url=os.environ["WORKMAILD_ENDPOINT"],
        region_name=region(),
        aws_access_key_id=account,
        aws_secret_access_key="conformance-secret",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def set_verification(account, org, domain, ownership="", dkim=""):
    """Tells workmaild's own endpoint what the DNS checks found (workmaild
    cannot look at DNS); returns the HTTP status and the JSON answer."""
    req = urllib.request.Request(
        os.environ["WORKMAILD_ENDPOINT"] + "/_workmaild/mail-domains/verification", method="POST",
        data=json.dumps({"Account": account, "Region": region(), "OrganizationId": org, "DomainName": domain,
                         "OwnershipVerificationStatus": ownership, "DkimVerificationStatus": dkim}).encode())
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def by_address(*addresses):
    """Addresses in ListAliases' order: by address, without regard to case."""
    return sorted(addresses, key=str.lower)


def body(response):
    """The response without boto3's ResponseMetadata."""
    out = dict(response)
    out.pop("ResponseMetadata", None)
    return out


class Domains(unittest.TestCase):
    account = alias = None  # set by each class

    def assertAPIError(self, call, code, message, **kwargs):
        """call(**kwargs) fails with exactly this code and message, as the
        modeled exception class, over HTTP 400."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kwargs)
        err = cm.exception
        self.assertEqual((err.response["Error"]["Code"], err.response["Error"]["Message"]), (code, message))
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIsInstance(err, getattr(call.__self__.exceptions, code))

    def setUp(self):
        self.c = new_client(self.account)
        self.addCleanup(self.c.close)
        self.org = self.c.create_organization(Alias=self.alias)["OrganizationId"]
        self.test_domain = self.alias + ".awsapps.com"

    def user(self, name, email=None):
        uid = self.c.create_user(OrganizationId=self.org, Name=name, DisplayName=name)["UserId"]
        if email:
            self.c.register_to_work_mail(OrganizationId=self.org, EntityId=uid, Email=email)
        return uid

    def domain(self, name):
        return body(self.c.get_mail_domain(OrganizationId=self.org, DomainName=name))

    def domains(self, org=None, page_size=1):
        """ListMailDomains page by page (botocore has no paginator for it):
        (name, default) pairs, checking that only the last page lacks a
        NextToken."""
        out, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            page = self.c.list_mail_domains(OrganizationId=org or self.org, MaxResults=page_size, **kwargs)
            self.assertLessEqual(len(page["MailDomains"]), page_size)
            out += [(d["DomainName"], d["DefaultDomain"]) for d in page["MailDomains"]]
            token = page.get("NextToken")
            if not token:
                return out

    def aliases(self, entity):
        """ListAliases through boto3's paginator, one alias a page."""
        return [a for page in self.c.get_paginator("list_aliases").paginate(
            OrganizationId=self.org, EntityId=entity, PaginationConfig={"PageSize": 1}) for a in page["Aliases"]]

    def assertRecords(self, records, domain):
        """The eight records WorkMail asks to publish, in its order."""
        self.assertEqual([set(r) for r in records], [{"Type", "Hostname", "Value"}] * 8)
        got = [(r["Type"], r["Hostname"], r["Value"]) for r in records]
        d = domain + "."
        self.assertEqual(got[0], ("MX", d, "10 inbound-smtp.%s.amazonaws.com." % region()))
        self.assertEqual(got[1][:2], ("TXT", "_amazonses." + d))
        self.assertRegex(got[1][2], r"^[A-Za-z0-9+/]{43}=$")
        self.assertEqual(got[2], ("CNAME", "autodiscover." + d, "autodiscover.mail.%s.awsapps.com." % region()))
        tokens = []
        for typ, host, value in got[3:6]:
            m = re.fullmatch(r"([a-z2-7]{32})\._domainkey\." + re.escape(d), host)
            self.assertIsNotNone(m, host)
            self.assertEqual((typ, value), ("CNAME", m.group(1) + ".dkim.amazonses.com."))
            tokens.append(m.group(1))
        self.assertEqual(len(set(tokens)), 3)
        self.assertEqual(got[6], ("TXT", d, "v=spf1 include:amazonses.com ~all"))
        self.assertEqual(got[7], ("TXT", "_dmarc." + d, "v=DMARC1;p=quarantine;pct=100;fo=1"))


class TestTerraformDomain(Domains):
    """Terraform's aws_workmail_domain and aws_workmail_default_domain,
    ListMailDomains, and what DeregisterMailDomain refuses."""
    account, alias = "111100000061", "py-domains"

    def test_terraform_sequence(self):
        c, org, test = self.c, self.org, self.test_domain
        # The test domain is there from the creation: verified, the default, nothing to publish.
        self.assertEqual(self.domains(), [(test, True)])
        self.assertEqual(self.domain(test), {"Records": [], "IsTestDomain": True, "IsDefault": True,
                                             "OwnershipVerificationStatus": "VERIFIED", "DkimVerificationStatus": "VERIFIED"})

        self.assertEqual(body(c.register_mail_domain(OrganizationId=org, DomainName="Mail.Example.com")), {})
        c.register_mail_domain(OrganizationId=org, DomainName="mail.example.com")  # again: no change
        # Terraform polls GetMailDomain until VERIFIED; with the default delay of 0 the first answer is.
        got = self.domain("mail.example.com")
        self.assertRecords(got.pop("Records"), "mail.example.com")
        self.assertEqual(got, {"IsTestDomain": False, "IsDefault": False,
                               "OwnershipVerificationStatus": "VERIFIED", "DkimVerificationStatus": "VERIFIED"})
        self.assertEqual(self.domain("MAIL.example.COM")["OwnershipVerificationStatus"], "VERIFIED")
        c.update_default_mail_domain(OrganizationId=org, DomainName="mail.example.com")
        self.assertEqual(c.describe_organization(OrganizationId=org)["DefaultMailDomain"], "mail.example.com")
        self.assertTrue(self.domain("mail.example.com")["IsDefault"])
        self.assertFalse(self.domain(test)["IsDefault"])

        c.register_mail_domain(OrganizationId=org, DomainName="second.example.net")
        self.assertEqual(self.domains(), [("mail.example.com", True), (test, False), ("second.example.net", False)])
        self.assertEqual(self.domains(page_size=100), [("mail.example.com", True), (test, False), ("second.example.net", False)])
        first = c.list_mail_domains(OrganizationId=org, MaxResults=2)
        self.assertEqual(len(first["MailDomains"]), 2)
        self.assertIn("NextToken", first)

        # An address on the new domain.
        ann = self.user("ann", "ann@mail.example.com")
        self.assertEqual(body(c.describe_entity(OrganizationId=org, Email="Ann@Mail.Example.com")),
                         {"EntityId": ann, "Name": "ann", "Type": "USER"})

        # Another organization of the account: the domain is taken, and not its own.
        other = c.create_organization(Alias=self.alias + "-other")["OrganizationId"]
        self.assertAPIError(c.register_mail_domain, "MailDomainInUseException",
                            "The domain mail.example.com is in use by another organization in your account.",
                            OrganizationId=other, DomainName="MAIL.example.com")
        self.assertAPIError(c.get_mail_domain, "MailDomainNotFoundException",
                            "The domain mail.example.com is not found in organization %s." % other,
                            OrganizationId=other, DomainName="mail.example.com")
        self.assertAPIError(c.update_default_mail_domain, "MailDomainNotFoundException",
                            "The domain mail.example.com is not found in organization %s." % other,
                            OrganizationId=other, DomainName="mail.example.com")
        bob = c.create_user(OrganizationId=other, Name="bob", DisplayName="Bob")["UserId"]
        self.assertAPIError(c.register_to_work_mail, "MailDomainNotFoundException",
                            "The domain mail.example.com of bob@mail.example.com is not found in organization %s." % other,
                            OrganizationId=other, EntityId=bob, Email="bob@mail.example.com")

        # Terraform's destroy, and what DeregisterMailDomain refuses.
        self.assertAPIError(c.deregister_mail_domain, "InvalidParameterException",
                            "The domain %s is the test domain of organization %s and cannot be deregistered." % (test, org),
                            OrganizationId=org, DomainName=test)
        self.assertAPIError(c.deregister_mail_domain, "InvalidParameterException",
                            "The domain mail.example.com is the default mail domain of organization %s: make another domain the default first." % org,
                            OrganizationId=org, DomainName="Mail.example.com")
        c.update_default_mail_domain(OrganizationId=org, DomainName=test)
        self.assertEqual(c.describe_organization(OrganizationId=org)["DefaultMailDomain"], test)
        self.assertAPIError(c.deregister_mail_domain, "MailDomainInUseException",
                            "The domain mail.example.com is in use by ann@mail.example.com: remove every email address of WorkMail entities on it first.",
                            OrganizationId=org, DomainName="mail.example.com")
        # A new primary address keeps the old one as an alias, still on the domain.
        c.update_primary_email_address(OrganizationId=org, EntityId=ann, Email="ann@" + test)
        self.assertEqual(self.aliases(ann), ["ann@mail.example.com"])
        self.assertAPIError(c.deregister_mail_domain, "MailDomainInUseException",
                            "The domain mail.example.com is in use by ann@mail.example.com: remove every email address of WorkMail entities on it first.",
                            OrganizationId=org, DomainName="mail.example.com")
        c.delete_alias(OrganizationId=org, EntityId=ann, Alias="ann@mail.example.com")
        self.assertEqual(body(c.deregister_mail_domain(OrganizationId=org, DomainName="mail.example.com")), {})
        self.assertAPIError(c.get_mail_domain, "MailDomainNotFoundException",
                            "The domain mail.example.com is not found in organization %s." % org,
                            OrganizationId=org, DomainName="mail.example.com")
        c.deregister_mail_domain(OrganizationId=org, DomainName="mail.example.com")  # again: nothing to do
        self.assertEqual(self.domains(), [(test, True), ("second.example.net", False)])
        # Freed, the domain can go to the other organization.
        c.register_mail_domain(OrganizationId=other, DomainName="mail.example.com")
        c.register_to_work_mail(OrganizationId=other, EntityId=bob, Email="bob@mail.example.com")


class TestDomainVerification(Domains):
    """PENDING and FAILED set through workmaild's endpoint, and what an
    unverified domain refuses."""
    account, alias = "111100000062", "py-verify"

    def test_pending_failed_verified(self):
        c, org, test = self.c, self.org, self.test_domain
        c.register_mail_domain(OrganizationId=org, DomainName="new.example.com")
        self.assertEqual(set_verification(self.account, org, "New.Example.com", "PENDING", "PENDING"),
                         (200, {"OwnershipVerificationStatus": "PENDING", "DkimVerificationStatus": "PENDING"}))
        got = self.domain("new.example.com")
        self.assertRecords(got.pop("Records"), "new.example.com")
        self.assertEqual(got, {"IsTestDomain": False, "IsDefault": False,
                               "OwnershipVerificationStatus": "PENDING", "DkimVerificationStatus": "PENDING"})
        pending = "The domain new.example.com must be verified before it can be used; its ownership verification status is PENDING."
        self.assertAPIError(c.update_default_mail_domain, "MailDomainStateException",
                            "The domain new.example.com must be verified before it can be the default domain; its ownership verification status is PENDING.",
                            OrganizationId=org, DomainName="new.example.com")
        cat = c.create_user(OrganizationId=org, Name="cat", DisplayName="Cat")["UserId"]
        self.assertAPIError(c.register_to_work_mail, "MailDomainStateException", pending,
                            OrganizationId=org, EntityId=cat, Email="cat@new.example.com")
        c.register_to_work_mail(OrganizationId=org, EntityId=cat, Email="cat@" + test)
        self.assertAPIError(c.create_alias, "MailDomainStateException", pending,
                            OrganizationId=org, EntityId=cat, Alias="c@new.example.com")
        self.assertAPIError(c.update_primary_email_address, "MailDomainStateException", pending,
                            OrganizationId=org, EntityId=cat, Email="cat@new.example.com")

        # Ownership FAILED, DKIM left as it is.
        self.assertEqual(set_verification(self.account, org, "new.example.com", ownership="FAILED"),
                         (200, {"OwnershipVerificationStatus": "FAILED", "DkimVerificationStatus": "PENDING"}))
        self.assertEqual((self.domain("new.example.com")["OwnershipVerificationStatus"],
                          self.domain("new.example.com")["DkimVerificationStatus"]), ("FAILED", "PENDING"))
        self.assertAPIError(c.create_alias, "MailDomainStateException",
                            "The domain new.example.com must be verified before it can be used; its ownership verification status is FAILED.",
                            OrganizationId=org, EntityId=cat, Alias="c@new.example.com")
        self.assertAPIError(c.update_default_mail_domain, "MailDomainStateException",
                            "The domain new.example.com must be verified before it can be the default domain; its ownership verification status is FAILED.",
                            OrganizationId=org, DomainName="new.example.com")

        # The DNS checks pass: Terraform's poll ends, and the domain takes addresses.
        self.assertEqual(set_verification(self.account, org, "new.example.com", "VERIFIED", "VERIFIED"),
                         (200, {"OwnershipVerificationStatus": "VERIFIED", "DkimVerificationStatus": "VERIFIED"}))
        self.assertEqual(self.domain("new.example.com")["OwnershipVerificationStatus"], "VERIFIED")
        c.update_default_mail_domain(OrganizationId=org, DomainName="new.example.com")
        self.assertEqual(c.describe_organization(OrganizationId=org)["DefaultMailDomain"], "new.example.com")
        c.create_alias(OrganizationId=org, EntityId=cat, Alias="c@new.example.com")
        self.assertEqual(self.aliases(cat), ["c@new.example.com"])

        # What the endpoint refuses.
        self.assertEqual(set_verification(self.account, org, test, ownership="FAILED"),
                         (400, {"__type": "InvalidParameterException",
                                "Message": "The domain %s is the test domain of organization %s, which is always verified." % (test, org)}))
        self.assertEqual(set_verification(self.account, org, "unknown.example.com", ownership="VERIFIED"),
                         (400, {"__type": "MailDomainNotFoundException",
                                "Message": "The domain unknown.example.com is not found in organization %s." % org}))
        self.assertEqual(set_verification(self.account, org, "new.example.com", ownership="DONE"),
                         (400, {"__type": "InvalidParameterException",
                                "Message": 'Statuses are PENDING, VERIFIED or FAILED, not "DONE" and "".'}))


class TestAliases(Domains):
    """Aliases of a user and a group, UpdatePrimaryEmailAddress, DescribeEntity
    by alias, and addresses taken by every kind of entity."""
    account, alias = "111100000063", "py-aliases"

    def test_aliases(self):
        c, org, test = self.c, self.org, self.test_domain
        c.register_mail_domain(OrganizationId=org, DomainName="example.org")
        ann = self.user("ann", "ann@" + test)
        team = c.create_group(OrganizationId=org, Name="team")["GroupId"]
        c.register_to_work_mail(OrganizationId=org, EntityId=team, Email="team@" + test)
        room = c.create_resource(OrganizationId=org, Name="room-1", Type="ROOM")["ResourceId"]
        c.register_to_work_mail(OrganizationId=org, EntityId=room, Email="room-1@" + test)

        self.assertEqual(body(c.create_alias(OrganizationId=org, EntityId=ann, Alias="Ann.Smith@example.org")), {})
        c.create_alias(OrganizationId=org, EntityId=ann, Alias="a@" + test)
        c.create_alias(OrganizationId=org, EntityId=ann, Alias="ann.smith@EXAMPLE.org")  # the same alias: no change
        self.assertEqual(self.aliases(ann), by_address("a@" + test, "Ann.Smith@example.org"))
        page = c.list_aliases(OrganizationId=org, EntityId=ann, MaxResults=1)
        self.assertEqual(page["Aliases"], by_address("a@" + test, "Ann.Smith@example.org")[:1])
        self.assertIn("NextToken", page)
        self.assertEqual(body(c.describe_entity(OrganizationId=org, Email="ANN.SMITH@example.org")),
                         {"EntityId": ann, "Name": "ann", "Type": "USER"})

        c.create_alias(OrganizationId=org, EntityId=team, Alias="crew@" + test)
        c.create_alias(OrganizationId=org, EntityId=team, Alias="Crew@example.org")
        self.assertEqual(self.aliases(team), by_address("crew@" + test, "Crew@example.org"))
        self.assertEqual(body(c.describe_entity(OrganizationId=org, Email="crew@example.org")),
                         {"EntityId": team, "Name": "team", "Type": "GROUP"})

        # Addresses taken: the entity's own primary, another user's, a group's, a resource's, an alias.
        self.assertAPIError(c.create_alias, "EmailAddressInUseException",
                            "The email address ann@%s is the primary address of entity %s." % (test, ann),
                            OrganizationId=org, EntityId=ann, Alias="ann@" + test)
        in_use = "The email address %s is already used by another user, group or resource."
        for taken in ("TEAM@" + test, "room-1@" + test, "crew@" + test):
            self.assertAPIError(c.create_alias, "EmailAddressInUseException", in_use % taken,
                                OrganizationId=org, EntityId=ann, Alias=taken)
        self.assertAPIError(c.create_alias, "EmailAddressInUseException", in_use % ("A@" + test),
                            OrganizationId=org, EntityId=team, Alias="A@" + test)
        dan = c.create_user(OrganizationId=org, Name="dan", DisplayName="Dan")["UserId"]
        self.assertAPIError(c.register_to_work_mail, "EmailAddressInUseException", in_use % ("Crew@example.org"),
                            OrganizationId=org, EntityId=dan, Email="Crew@example.org")
        self.assertAPIError(c.create_alias, "EntityStateException",
                            "Entity %s is DISABLED: it must be registered to WorkMail (ENABLED) to get an address." % dan,
                            OrganizationId=org, EntityId=dan, Alias="dan@" + test)
        self.assertAPIError(c.create_alias, "MailDomainNotFoundException",
                            "The domain nowhere.example of ann@nowhere.example is not found in organization %s." % org,
                            OrganizationId=org, EntityId=ann, Alias="ann@nowhere.example")

        # UpdatePrimaryEmailAddress: to an alias of the same entity (the two swap)...
        self.assertEqual(body(c.update_primary_email_address(OrganizationId=org, EntityId=ann, Email="Ann.Smith@example.org")), {})
        self.assertEqual(c.describe_user(OrganizationId=org, UserId=ann)["Email"], "Ann.Smith@example.org")
        self.assertEqual(self.aliases(ann), by_address("a@" + test, "ann@" + test))
        # ... to a new address (the old primary becomes an alias) ...
        c.update_primary_email_address(OrganizationId=org, EntityId="ann", Email="ann.new@example.org")
        c.update_primary_email_address(OrganizationId=org, EntityId=ann, Email="ann.new@example.org")  # again: no change
        self.assertEqual(c.describe_user(OrganizationId=org, UserId=ann)["Email"], "ann.new@example.org")
        self.assertEqual(self.aliases(ann), by_address("a@" + test, "Ann.Smith@example.org", "ann@" + test))
        self.assertEqual(body(c.describe_entity(OrganizationId=org, Email="ann@" + test))["EntityId"], ann)
        # ... and not to an address in use.
        self.assertAPIError(c.update_primary_email_address, "EmailAddressInUseException", in_use % ("crew@" + test),
                            OrganizationId=org, EntityId=ann, Email="crew@" + test)
        self.assertAPIError(c.update_primary_email_address, "EmailAddressInUseException", in_use % ("room-1@" + test),
                            OrganizationId=org, EntityId=ann, Email="room-1@" + test)
        self.assertAPIError(c.update_primary_email_address, "MailDomainNotFoundException",
                            "The domain nowhere.example of ann@nowhere.example is not found in organization %s." % org,
                            OrganizationId=org, EntityId=ann, Email="ann@nowhere.example")
        # A group's primary address.
        c.update_primary_email_address(OrganizationId=org, EntityId=team, Email="team@example.org")
        self.assertEqual(c.describe_group(OrganizationId=org, GroupId=team)["Email"], "team@example.org")
        self.assertEqual(self.aliases(team), by_address("crew@" + test, "Crew@example.org", "team@" + test))

        # DeleteAlias: an alias goes, an absent one is no error, the primary address stays.
        self.assertEqual(body(c.delete_alias(OrganizationId=org, EntityId=ann, Alias="A@" + test)), {})
        c.delete_alias(OrganizationId=org, EntityId=ann, Alias="a@" + test)  # again: nothing to do
        self.assertEqual(self.aliases(ann), by_address("Ann.Smith@example.org", "ann@" + test))
        self.assertAPIError(c.delete_alias, "InvalidParameterException",
                            "The email address ANN.NEW@example.org is the primary address of entity %s and cannot be deleted as an alias." % ann,
                            OrganizationId=org, EntityId=ann, Alias="ANN.NEW@example.org")
        self.assertAPIError(c.describe_entity, "EntityNotFoundException",
                            "No user, group or resource has the address a@%s in organization %s." % (test, org),
                            OrganizationId=org, Email="a@" + test)
        # A freed alias is anyone's.
        c.register_to_work_mail(OrganizationId=org, EntityId=dan, Email="a@" + test)
        self.assertEqual(body(c.describe_entity(OrganizationId=org, Email="a@" + test))["EntityId"], dan)
        self.assertEqual(self.aliases(dan), [])


if __name__ == "__main__":
    unittest.main()
