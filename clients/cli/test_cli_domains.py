"""The aliases and mail domains scenario through the AWS CLI v2 (Debian's awscli).

Drives the `aws` binary (WORKMAILD_AWS_CLI, default /usr/bin/aws) and
checks its JSON output, exit status and error text exactly. Python standard
library only. Run against a fresh workmaild (started with its default
--domain-verification-delay of 0, so a registered domain is VERIFIED at
once) with WORKMAILD_ENDPOINT set to its URL and AWS_DATA_PATH pointing at
a directory that holds workmail/2017-10-01/{service-2.json,paginators-1.json}:

    /usr/bin/python3 -m unittest discover -s clients/cli -v

Each test uses its own account (the access key id).
"""

import json
import os
import re
import subprocess
import unittest
import urllib.error
import urllib.request

EXIT_SERVICE_ERROR = 254  # an error answered by the service


def aws_cli():
    return os.environ.get("WORKMAILD_AWS_CLI") or "/usr/bin/aws"


def region():
    return os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def setUpModule():
    # Fail, never skip: a missing setting or CLI is a broken test run.
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")
    version = subprocess.run([aws_cli(), "--version"], capture_output=True, text=True, check=True).stdout
    if not version.startswith("aws-cli/2."):
        raise RuntimeError("%s is not the AWS CLI v2: %s" % (aws_cli(), version.strip()))


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


class DomainsCLI(unittest.TestCase):
    account = None  # set by each test: the access key id, hence the account

    def aws(self, *args):
        """Runs `aws workmail ARGS` against workmaild as self.account."""
        env = dict(os.environ,
                   AWS_ACCESS_KEY_ID=self.account,
                   AWS_SECRET_ACCESS_KEY="conformance-secret",
                   AWS_DEFAULT_REGION=region(),
                   AWS_PAGER="")
        cmd = [aws_cli(), "workmail", *args, "--endpoint-url", os.environ["WORKMAILD_ENDPOINT"], "--output", "json"]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)

    def ok(self, *args):
        r = self.aws(*args)
        self.assertEqual(r.returncode, 0, "aws %s: %s" % (" ".join(args), r.stderr))
        self.assertEqual(r.stderr.strip(), "")
        return json.loads(r.stdout) if r.stdout.strip() else None

    def fails(self, code, message, *args):
        """The command exits 254 with exactly the CLI's line for this error."""
        r = self.aws(*args)
        op = "".join(part.capitalize() for part in args[0].split("-"))
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr.strip(), "An error occurred (%s) when calling the %s operation: %s" % (code, op, message))
        self.assertEqual(r.returncode, EXIT_SERVICE_ERROR)

    def start(self, account, alias):
        """A new organization of account; returns its id, the --organization-id
        arguments and its test domain."""
        self.account = account
        org = self.ok("create-organization", "--alias", alias)["OrganizationId"]
        return org, ("--organization-id", org), alias + ".awsapps.com"

    def domains(self, o, page_size="1"):
        """ListMailDomains page by page (the CLI has no paginator for it, so it
        shows one page and its NextToken): (name, default) pairs."""
        out, token = [], ()
        while True:
            page = self.ok("list-mail-domains", *o, "--max-results", page_size, *token)
            self.assertLessEqual(len(page["MailDomains"]), int(page_size))
            out += [(d["DomainName"], d["DefaultDomain"]) for d in page["MailDomains"]]
            if "NextToken" not in page:
                return out
            token = ("--next-token", page["NextToken"])

    def aliases(self, o, entity):
        """ListAliases through the CLI's paginator, one alias a page."""
        return self.ok("list-aliases", *o, "--entity-id", entity, "--page-size", "1")["Aliases"]

    def assertRecords(self, records, domain):
        """The eight records WorkMail asks to publish, in its order."""
        self.assertEqual([sorted(r) for r in records], [["Hostname", "Type", "Value"]] * 8)
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

    def test_terraform_domain(self):
        """Terraform's aws_workmail_domain and aws_workmail_default_domain,
        ListMailDomains, and what DeregisterMailDomain refuses."""
        org, o, test = self.start("222200000061", "cli-domains")
        self.assertEqual(self.domains(o), [(test, True)])
        self.assertEqual(self.ok("get-mail-domain", *o, "--domain-name", test),
                         {"Records": [], "IsTestDomain": True, "IsDefault": True,
                          "OwnershipVerificationStatus": "VERIFIED", "DkimVerificationStatus": "VERIFIED"})

        self.assertIsNone(self.ok("register-mail-domain", *o, "--domain-name", "Mail.Example.com"))
        # Terraform polls GetMailDomain until VERIFIED; with the default delay of 0 the first answer is.
        got = self.ok("get-mail-domain", *o, "--domain-name", "MAIL.example.com")
        self.assertRecords(got.pop("Records"), "mail.example.com")
        self.assertEqual(got, {"IsTestDomain": False, "IsDefault": False,
                               "OwnershipVerificationStatus": "VERIFIED", "DkimVerificationStatus": "VERIFIED"})
        self.assertIsNone(self.ok("update-default-mail-domain", *o, "--domain-name", "mail.example.com"))
        self.assertEqual(self.ok("describe-organization", *o)["DefaultMailDomain"], "mail.example.com")
        self.ok("register-mail-domain", *o, "--domain-name", "second.example.net")
        self.assertEqual(self.domains(o), sorted([("mail.example.com", True), (test, False), ("second.example.net", False)]))

        ann = self.ok("create-user", *o, "--name", "ann", "--display-name", "Ann")["UserId"]
        self.ok("register-to-work-mail", *o, "--entity-id", ann, "--email", "ann@mail.example.com")

        # Another organization of the account: the domain is taken, and not its own.
        other = self.ok("create-organization", "--alias", "cli-domains-other")["OrganizationId"]
        p = ("--organization-id", other)
        self.fails("MailDomainInUseException", "The domain mail.example.com is in use by another organization in your account.",
                   "register-mail-domain", *p, "--domain-name", "MAIL.example.com")
        self.fails("MailDomainNotFoundException", "The domain mail.example.com is not found in organization %s." % other,
                   "get-mail-domain", *p, "--domain-name", "mail.example.com")
        self.fails("MailDomainNotFoundException", "The domain mail.example.com is not found in organization %s." % other,
                   "update-default-mail-domain", *p, "--domain-name", "mail.example.com")
        bob = self.ok("create-user", *p, "--name", "bob", "--display-name", "Bob")["UserId"]
        self.fails("MailDomainNotFoundException",
                   "The domain mail.example.com of bob@mail.example.com is not found in organization %s." % other,
                   "register-to-work-mail", *p, "--entity-id", bob, "--email", "bob@mail.example.com")

        # Terraform's destroy, and what DeregisterMailDomain refuses.
        self.fails("InvalidParameterException",
                   "The domain %s is the test domain of organization %s and cannot be deregistered." % (test, org),
                   "deregister-mail-domain", *o, "--domain-name", test)
        self.fails("InvalidParameterException",
                   "The domain mail.example.com is the default mail domain of organization %s: make another domain the default first." % org,
                   "deregister-mail-domain", *o, "--domain-name", "Mail.example.com")
        self.ok("update-default-mail-domain", *o, "--domain-name", test)
        in_use = "The domain mail.example.com is in use by ann@mail.example.com: remove every email address of WorkMail entities on it first."
        self.fails("MailDomainInUseException", in_use, "deregister-mail-domain", *o, "--domain-name", "mail.example.com")
        # A new primary address keeps the old one as an alias, still on the domain.
        self.ok("update-primary-email-address", *o, "--entity-id", ann, "--email", "ann@" + test)
        self.assertEqual(self.aliases(o, ann), ["ann@mail.example.com"])
        self.ok("delete-alias", *o, "--entity-id", ann, "--alias", "ann@mail.example.com")
        self.assertIsNone(self.ok("deregister-mail-domain", *o, "--domain-name", "mail.example.com"))
        self.assertEqual(self.domains(o, "100"), sorted([(test, True), ("second.example.net", False)]))
        # Freed, the domain can go to the other organization.
        self.ok("register-mail-domain", *p, "--domain-name", "mail.example.com")

    def test_domain_verification(self):
        """PENDING and FAILED set through workmaild's endpoint, and what an
        unverified domain refuses."""
        org, o, test = self.start("222200000062", "cli-verify")
        self.ok("register-mail-domain", *o, "--domain-name", "new.example.com")
        self.assertEqual(set_verification(self.account, org, "New.Example.com", "PENDING", "PENDING"),
                         (200, {"OwnershipVerificationStatus": "PENDING", "DkimVerificationStatus": "PENDING"}))
        got = self.ok("get-mail-domain", *o, "--domain-name", "new.example.com")
        self.assertRecords(got.pop("Records"), "new.example.com")
        self.assertEqual(got, {"IsTestDomain": False, "IsDefault": False,
                               "OwnershipVerificationStatus": "PENDING", "DkimVerificationStatus": "PENDING"})
        self.fails("MailDomainStateException",
                   "The domain new.example.com must be verified before it can be the default domain; its ownership verification status is PENDING.",
                   "update-default-mail-domain", *o, "--domain-name", "new.example.com")
        pending = "The domain new.example.com must be verified before it can be used; its ownership verification status is PENDING."
        team = self.ok("create-group", *o, "--name", "team")["GroupId"]
        self.fails("MailDomainStateException", pending, "register-to-work-mail", *o, "--entity-id", team, "--email", "team@new.example.com")
        self.ok("register-to-work-mail", *o, "--entity-id", team, "--email", "team@" + test)
        self.fails("MailDomainStateException", pending, "create-alias", *o, "--entity-id", team, "--alias", "t@new.example.com")
        self.fails("MailDomainStateException", pending,
                   "update-primary-email-address", *o, "--entity-id", team, "--email", "team@new.example.com")

        self.assertEqual(set_verification(self.account, org, "new.example.com", ownership="FAILED"),
                         (200, {"OwnershipVerificationStatus": "FAILED", "DkimVerificationStatus": "PENDING"}))
        got = self.ok("get-mail-domain", *o, "--domain-name", "new.example.com")
        self.assertEqual((got["OwnershipVerificationStatus"], got["DkimVerificationStatus"]), ("FAILED", "PENDING"))
        self.fails("MailDomainStateException",
                   "The domain new.example.com must be verified before it can be used; its ownership verification status is FAILED.",
                   "create-alias", *o, "--entity-id", team, "--alias", "t@new.example.com")

        # The DNS checks pass: Terraform's poll ends, and the domain takes addresses.
        self.assertEqual(set_verification(self.account, org, "new.example.com", "VERIFIED", "VERIFIED"),
                         (200, {"OwnershipVerificationStatus": "VERIFIED", "DkimVerificationStatus": "VERIFIED"}))
        self.assertEqual(self.ok("get-mail-domain", *o, "--domain-name", "new.example.com")["DkimVerificationStatus"], "VERIFIED")
        self.ok("update-default-mail-domain", *o, "--domain-name", "new.example.com")
        self.ok("update-primary-email-address", *o, "--entity-id", team, "--email", "team@new.example.com")
        self.assertEqual(self.ok("describe-group", *o, "--group-id", team)["Email"], "team@new.example.com")
        self.assertEqual(self.aliases(o, team), ["team@" + test])

        self.assertEqual(set_verification(self.account, org, test, ownership="FAILED"),
                         (400, {"__type": "InvalidParameterException",
                                "Message": "The domain %s is the test domain of organization %s, which is always verified." % (test, org)}))
        self.assertEqual(set_verification(self.account, org, "unknown.example.com", ownership="VERIFIED"),
                         (400, {"__type": "MailDomainNotFoundException",
                                "Message": "The domain unknown.example.com is not found in organization %s." % org}))

    def test_aliases(self):
        """Aliases of a user and a group, UpdatePrimaryEmailAddress,
        DescribeEntity by alias, and addresses taken by every kind of entity."""
        org, o, test = self.start("222200000063", "cli-aliases")
        self.ok("register-mail-domain", *o, "--domain-name", "example.org")
        ann = self.ok("create-user", *o, "--name", "ann", "--display-name", "Ann")["UserId"]
        self.ok("register-to-work-mail", *o, "--entity-id", ann, "--email", "ann@" + test)
        team = self.ok("create-group", *o, "--name", "team")["GroupId"]
        self.ok("register-to-work-mail", *o, "--entity-id", team, "--email", "team@" + test)
        room = self.ok("create-resource", *o, "--name", "room-1", "--type", "ROOM")["ResourceId"]
        self.ok("register-to-work-mail", *o, "--entity-id", room, "--email", "room-1@" + test)

        self.assertIsNone(self.ok("create-alias", *o, "--entity-id", ann, "--alias", "Ann.Smith@example.org"))
        self.ok("create-alias", *o, "--entity-id", ann, "--alias", "a@" + test)
        self.assertEqual(self.aliases(o, ann), by_address("a@" + test, "Ann.Smith@example.org"))
        self.assertEqual(self.ok("describe-entity", *o, "--email", "ANN.SMITH@example.org"),
                         {"EntityId": ann, "Name": "ann", "Type": "USER"})
        self.ok("create-alias", *o, "--entity-id", team, "--alias", "Crew@example.org")
        self.assertEqual(self.ok("describe-entity", *o, "--email", "crew@example.org"),
                         {"EntityId": team, "Name": "team", "Type": "GROUP"})

        # Addresses taken: the entity's own primary, a group's, a resource's, an alias.
        self.fails("EmailAddressInUseException", "The email address ann@%s is the primary address of entity %s." % (test, ann),
                   "create-alias", *o, "--entity-id", ann, "--alias", "ann@" + test)
        in_use = "The email address %s is already used by another user, group or resource."
        for taken in ("TEAM@" + test, "room-1@" + test):
            self.fails("EmailAddressInUseException", in_use % taken, "create-alias", *o, "--entity-id", ann, "--alias", taken)
        self.fails("EmailAddressInUseException", in_use % ("A@" + test), "create-alias", *o, "--entity-id", team, "--alias", "A@" + test)
        self.fails("MailDomainNotFoundException",
                   "The domain nowhere.example of ann@nowhere.example is not found in organization %s." % org,
                   "create-alias", *o, "--entity-id", ann, "--alias", "ann@nowhere.example")

        # UpdatePrimaryEmailAddress: to its own alias (they swap), to a new address, not to one in use.
        self.assertIsNone(self.ok("update-primary-email-address", *o, "--entity-id", ann, "--email", "Ann.Smith@example.org"))
        self.assertEqual(self.ok("describe-user", *o, "--user-id", ann)["Email"], "Ann.Smith@example.org")
        self.assertEqual(self.aliases(o, ann), by_address("a@" + test, "ann@" + test))
        self.ok("update-primary-email-address", *o, "--entity-id", "ann", "--email", "ann.new@example.org")
        self.assertEqual(self.aliases(o, ann), by_address("a@" + test, "Ann.Smith@example.org", "ann@" + test))
        self.fails("EmailAddressInUseException", in_use % "Crew@example.org",
                   "update-primary-email-address", *o, "--entity-id", ann, "--email", "Crew@example.org")

        # DeleteAlias: an alias goes (named in another case), the primary address stays.
        self.assertIsNone(self.ok("delete-alias", *o, "--entity-id", ann, "--alias", "A@" + test))
        self.assertEqual(self.aliases(o, ann), by_address("Ann.Smith@example.org", "ann@" + test))
        self.fails("InvalidParameterException",
                   "The email address ANN.NEW@example.org is the primary address of entity %s and cannot be deleted as an alias." % ann,
                   "delete-alias", *o, "--entity-id", ann, "--alias", "ANN.NEW@example.org")
        self.fails("EntityNotFoundException", "No user, group or resource has the address a@%s in organization %s." % (test, org),
                   "describe-entity", *o, "--email", "a@" + test)


if __name__ == "__main__":
    unittest.main()
