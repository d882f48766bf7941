"""Mail-client logins through real Dovecot (IMAP) and Postfix (SMTP
submission), decided by workmaild: Python's imaplib and smtplib against the
stack of scripts/mailstack, set up through boto3.

Run by clients/mail_test.go, which starts workmaild and two mail stacks
and sets:

    WORKMAILD_ENDPOINT   workmaild's URL
    AWS_DATA_PATH        the WorkMail model for boto3
    MAIL_IMAP, MAIL_SUBMISSION            HOST:PORT of the stack wired to workmaild
    MAIL_DOWN_IMAP, MAIL_DOWN_SUBMISSION  HOST:PORT of a stack whose workmaild is down
    MAIL_SUBMISSION_SERVER  postfix or dovecot: who serves submission
    MAIL_ACCOUNT_PREFIX     four digits that start every test's account, so
                            that two runs share one workmaild

Dovecot delays every failed login by about half a second and penalises
repeated failures from one address by seconds more, so every connection
comes from an address of its own, 127.<class>.<test>.<n>. Each test uses
its own account, so the tests run at once.
"""

import imaplib
import itertools
import json
import os
import smtplib
import socket
import time
import unittest
import urllib.request

import boto3
import botocore.config

INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
IDP_USER = "12345678-1234-1234-1234-123456789012"
PASSWORD = "Directory-Passw0rd!"


def setUpModule():
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH", "MAIL_IMAP", "MAIL_SUBMISSION",
                 "MAIL_DOWN_IMAP", "MAIL_DOWN_SUBMISSION", "MAIL_SUBMISSION_SERVER", "MAIL_ACCOUNT_PREFIX"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")


def address(name):
    host, port = os.environ[name].rsplit(":", 1)
    return host, int(port)


def region():
    return os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class SourceIMAP(imaplib.IMAP4):
    """imaplib's client, connecting from a chosen loopback address."""

    def __init__(self, host, port, source):
        self._source = source
        super().__init__(host, port, timeout=30)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self._source, 0))


class MailLogins(unittest.TestCase):
    # Each test's second octet of its source addresses, and its account.
    octet = None

    def setUp(self):
        # Tests run at once, one process each: each test method gets its
        # own third octet and account from its place in its class.
        methods = sorted(n for n in dir(type(self)) if n.startswith("test_"))
        method = methods.index(self._testMethodName) + 1
        self.sources = ("127.%d.%d.%d" % (self.octet, method, n) for n in itertools.count(1))
        self.account = "%s%02d%02d0000" % (os.environ["MAIL_ACCOUNT_PREFIX"], self.octet, method)
        self.c = boto3.session.Session().client(
            "workmail", endpoint_url=os.environ["WORKMAILD_ENDPOINT"], region_name=region(),
            aws_access_key_id=self.account, aws_secret_access_key="mail-secret",
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
        self.addCleanup(self.c.close)

    # --- set-up through the API ---

    def organization(self, alias, mode=None, tokens="ACTIVE"):
        """An organization with, unless mode is None, an Identity Center
        configuration in that mode with personal access tokens in the given
        status."""
        # Addresses are global across accounts: each run's aliases are its own.
        org = self.c.create_organization(Alias=self.run_alias(alias))["OrganizationId"]
        if mode is not None:
            app = self.c.create_identity_center_application(Name="WorkMail", InstanceArn=INSTANCE_ARN)["ApplicationArn"]
            self.configure(org, app, mode, tokens)
        return org

    @staticmethod
    def run_alias(alias):
        return "%s-%s" % (alias, os.environ["MAIL_ACCOUNT_PREFIX"])

    def domain(self, alias):
        return "%s.awsapps.com" % self.run_alias(alias)

    def configure(self, org, app, mode, tokens):
        self.c.put_identity_provider_configuration(
            OrganizationId=org, AuthenticationMode=mode,
            IdentityCenterConfiguration={"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
            PersonalAccessTokenConfiguration={"Status": tokens, "LifetimeInDays": 30})

    def user(self, org, alias, name, linked=True):
        """An ENABLED user name@<alias>.awsapps.com with the directory
        password PASSWORD; linked to an Identity Center user if asked."""
        extra = {"IdentityProviderUserId": IDP_USER} if linked else {}
        uid = self.c.create_user(OrganizationId=org, Name=name, DisplayName=name, Password=PASSWORD, **extra)["UserId"]
        email = "%s@%s" % (name, self.domain(alias))
        self.c.register_to_work_mail(OrganizationId=org, EntityId=uid, Email=email)
        return uid, email

    def token(self, org, user, scopes=("IMAP", "SMTP"), expires_in=""):
        """Issues a personal access token through workmaild's endpoint;
        returns (id, secret)."""
        req = urllib.request.Request(
            os.environ["WORKMAILD_ENDPOINT"] + "/_workmaild/tokens", method="POST",
            data=json.dumps({"Account": self.account, "Region": region(), "OrganizationId": org, "User": user,
                             "Name": "mail", "Scopes": list(scopes), "ExpiresIn": expires_in}).encode())
        with urllib.request.urlopen(req) as resp:
            out = json.load(resp)
        return out["PersonalAccessTokenId"], out["Secret"]

    # --- the mail clients ---

    def imap_login(self, user, secret, server="MAIL_IMAP", source=None):
        """Logs in over IMAP and selects INBOX; returns None on success or
        the server's refusal text."""
        host, port = address(server)
        conn = SourceIMAP(host, port, source or next(self.sources))
        try:
            conn.login(user, secret)
        except imaplib.IMAP4.error as e:
            return str(e)
        finally:
            try:
                conn.shutdown()
            except OSError:
                pass
        return None

    def imap_session(self, user, secret):
        """Logs in over IMAP, selects INBOX and logs out; fails the test
        unless all of it works."""
        host, port = address("MAIL_IMAP")
        conn = SourceIMAP(host, port, next(self.sources))
        try:
            typ, _ = conn.login(user, secret)
            self.assertEqual(typ, "OK")
            typ, data = conn.select("INBOX")
            self.assertEqual(typ, "OK", data)
            typ, _ = conn.logout()
            self.assertEqual(typ, "BYE")
        except BaseException:
            conn.shutdown()
            raise

    def smtp_login(self, user, secret, server="MAIL_SUBMISSION", source=None):
        """Authenticates over SMTP submission with AUTH PLAIN only (login()
        would try LOGIN after a refusal, a second failure Dovecot penalises);
        returns None on success or (code, text) of the refusal."""
        host, port = address(server)
        s = smtplib.SMTP(host, port, timeout=30, source_address=(source or next(self.sources), 0))
        try:
            s.ehlo("client.example")
            s.user, s.password = user, secret
            s.auth("PLAIN", s.auth_plain)
        except smtplib.SMTPResponseException as e:
            return e.smtp_code, e.smtp_error.decode()
        finally:
            # No QUIT: the unprivileged stack's Dovecot submission has no
            # relay and drops the session (421) once the login is done.
            s.close()
        return None

    def assertIMAPRefused(self, user, secret, want="[AUTHENTICATIONFAILED]"):
        got = self.imap_login(user, secret)
        self.assertIsNotNone(got, "IMAP login of %s was accepted" % user)
        self.assertIn(want, got)

    def assertSMTPRefused(self, user, secret, code=535, want=""):
        got = self.smtp_login(user, secret)
        self.assertIsNotNone(got, "SMTP login of %s was accepted" % user)
        self.assertEqual(got[0], code, got)
        self.assertIn(want, got[1])

    def assertBothWork(self, user, secret):
        self.imap_session(user, secret)
        self.assertIsNone(self.smtp_login(user, secret))

    def assertBothRefused(self, user, secret, imap="[AUTHENTICATIONFAILED]", smtp=""):
        self.assertIMAPRefused(user, secret, imap)
        self.assertSMTPRefused(user, secret, 535, smtp)


class TokenLogins(MailLogins):
    octet = 11

    def test_token_over_imap_and_smtp_and_alias(self):
        org = self.organization("mail-token", "IDENTITY_PROVIDER_ONLY")
        uid, email = self.user(org, "mail-token", "alice")
        alias = "ali@" + self.domain("mail-token")
        self.c.create_alias(OrganizationId=org, EntityId=uid, Alias=alias)
        tid, secret = self.token(org, "alice")
        meta = self.c.get_personal_access_token_metadata(OrganizationId=org, PersonalAccessTokenId=tid)
        self.assertNotIn("DateLastUsed", meta)

        self.assertBothWork(email, secret)
        self.assertBothWork(email.upper(), secret)  # any case
        self.assertBothWork(alias, secret)
        meta = self.c.get_personal_access_token_metadata(OrganizationId=org, PersonalAccessTokenId=tid)
        self.assertIn("DateLastUsed", meta)

        # Wrong secrets: a plain failure, never a hint.
        self.assertBothRefused(email, secret + "x")
        self.assertBothRefused("nobody@" + self.domain("mail-token"), secret)
        self.assertBothRefused(email, "")

    def test_token_scopes(self):
        org = self.organization("mail-scope", "IDENTITY_PROVIDER_ONLY")
        _, email = self.user(org, "mail-scope", "bob")
        _, imap_only = self.token(org, "bob", scopes=("IMAP",))
        self.assertIsNone(self.imap_login(email, imap_only))
        self.assertSMTPRefused(email, imap_only)

    def test_expired_token(self):
        org = self.organization("mail-expired", "IDENTITY_PROVIDER_ONLY")
        _, email = self.user(org, "mail-expired", "carol")
        _, secret = self.token(org, "carol", expires_in="2s")
        self.assertIsNone(self.imap_login(email, secret))
        time.sleep(2.5)
        self.assertBothRefused(email, secret, imap="[EXPIRED]", smtp="expired")

    def test_tokens_inactive_then_active(self):
        org = self.organization("mail-inactive", "IDENTITY_PROVIDER_ONLY")
        app = self.c.describe_identity_provider_configuration(OrganizationId=org)["IdentityCenterConfiguration"]["ApplicationArn"]
        _, email = self.user(org, "mail-inactive", "dave")
        _, secret = self.token(org, "dave")
        self.assertBothWork(email, secret)
        self.configure(org, app, "IDENTITY_PROVIDER_ONLY", "INACTIVE")
        self.assertBothRefused(email, secret)
        self.configure(org, app, "IDENTITY_PROVIDER_ONLY", "ACTIVE")
        self.assertBothWork(email, secret)

    def test_deleted_token(self):
        org = self.organization("mail-deleted", "IDENTITY_PROVIDER_ONLY")
        _, email = self.user(org, "mail-deleted", "erin")
        tid, secret = self.token(org, "erin")
        self.assertIsNone(self.imap_login(email, secret))
        self.c.delete_personal_access_token(OrganizationId=org, PersonalAccessTokenId=tid)
        self.assertBothRefused(email, secret)


class UserStates(MailLogins):
    octet = 12

    def test_user_disabled(self):
        org = self.organization("mail-disabled", "IDENTITY_PROVIDER_AND_DIRECTORY")
        uid, email = self.user(org, "mail-disabled", "frank")
        _, secret = self.token(org, "frank")
        self.assertBothWork(email, secret)
        self.assertBothWork(email, PASSWORD)
        self.c.deregister_from_work_mail(OrganizationId=org, EntityId=uid)
        self.assertBothRefused(email, secret)
        self.assertBothRefused(email, PASSWORD)

    def test_user_not_linked(self):
        org = self.organization("mail-unlinked", "IDENTITY_PROVIDER_ONLY")
        uid, email = self.user(org, "mail-unlinked", "grace")
        _, secret = self.token(org, "grace")
        self.assertIsNone(self.imap_login(email, secret))
        self.c.update_user(OrganizationId=org, UserId=uid, IdentityProviderUserId="")
        self.assertBothRefused(email, secret)


class DirectoryPasswords(MailLogins):
    octet = 13

    def test_without_identity_provider(self):
        org = self.organization("mail-nodp")
        _, email = self.user(org, "mail-nodp", "heidi", linked=False)
        self.assertBothWork(email, PASSWORD)
        self.assertBothRefused(email, PASSWORD + "x")

    def test_identity_provider_and_directory(self):
        org = self.organization("mail-and-dir", "IDENTITY_PROVIDER_AND_DIRECTORY")
        _, email = self.user(org, "mail-and-dir", "ivan")
        _, secret = self.token(org, "ivan")
        self.assertBothWork(email, PASSWORD)
        self.assertBothWork(email, secret)

    def test_identity_provider_only(self):
        org = self.organization("mail-idp-only", "IDENTITY_PROVIDER_ONLY")
        _, email = self.user(org, "mail-idp-only", "judy")
        _, secret = self.token(org, "judy")
        self.assertBothRefused(email, PASSWORD)
        self.assertBothWork(email, secret)

    def test_password_reset(self):
        org = self.organization("mail-reset")
        uid, email = self.user(org, "mail-reset", "mallory", linked=False)
        self.c.reset_password(OrganizationId=org, UserId=uid, Password="An0ther-Passw0rd!")
        self.assertBothRefused(email, PASSWORD)
        self.assertBothWork(email, "An0ther-Passw0rd!")


class AccessRules(MailLogins):
    octet = 14

    def test_rule_denies_imap_from_a_range(self):
        org = self.organization("mail-rules", "IDENTITY_PROVIDER_ONLY")
        _, email = self.user(org, "mail-rules", "niaj")
        _, secret = self.token(org, "niaj")
        # 127.14.200.0/24 is this test's denied range; every other source
        # address of the test is outside it.
        self.c.put_access_control_rule(
            OrganizationId=org, Name="no-imap-from-lab", Effect="DENY", Description="no IMAP from the lab",
            Actions=["IMAP"], IpRanges=["127.14.200.0/24"])
        denied = ("127.14.200.%d" % n for n in itertools.count(1))
        got = self.imap_login(email, secret, source=next(denied))
        self.assertIsNotNone(got, "IMAP from the denied range was accepted")
        self.assertIn("[AUTHENTICATIONFAILED]", got)
        self.assertIsNone(self.smtp_login(email, secret, source=next(denied)))
        self.assertIsNone(self.imap_login(email, secret))

        self.c.delete_access_control_rule(OrganizationId=org, Name="no-imap-from-lab")
        self.assertIsNone(self.imap_login(email, secret, source=next(denied)))


class WorkmaildDown(MailLogins):
    octet = 15

    def test_temporary_failure(self):
        # The second stack asks a workmaild that is not running: clients are
        # told to try again later, not that their secret is wrong.
        got = self.imap_login("someone@example.com", "secret", server="MAIL_DOWN_IMAP")
        self.assertIsNotNone(got)
        self.assertIn("[UNAVAILABLE]", got)
        got = self.smtp_login("someone@example.com", "secret", server="MAIL_DOWN_SUBMISSION")
        if os.environ["MAIL_SUBMISSION_SERVER"] == "postfix":
            # Dovecot tells Postfix code=temp_fail, but Postfix 3.7 reads
            # every FAIL as a refusal: 535 with no reason.
            self.assertEqual(got, (535, "5.7.8 Error: authentication failed: (reason unavailable)"))
        else:
            self.assertIsNotNone(got)
            self.assertEqual(got[0], 454, got)
            self.assertIn("Temporary authentication failure", got[1])


if __name__ == "__main__":
    unittest.main()
