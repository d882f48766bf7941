"""Mail delivery through real Postfix and Dovecot, routed by workmaild:
messages sent with Python's smtplib (submission, and incoming SMTP) and
read with imaplib, the directory set up through boto3.

Run by clients/mail_test.go, which starts workmaild with a socketmap and a
mail stack as root (Postfix) wired to it, and sets:

    WORKMAILD_ENDPOINT   workmaild's URL
    AWS_DATA_PATH        the WorkMail model for boto3
    MAIL_IMAP, MAIL_SUBMISSION, MAIL_SMTP  HOST:PORT of the stack's IMAP,
                         submission and incoming SMTP listeners

Every user logs in with its directory password (its organization has no
identity-provider configuration). Each test uses its own account and
organization, so the tests run at once.
"""

import email
import imaplib
import os
import smtplib
import time
import unittest
import uuid

import boto3
import botocore.config

PASSWORD = "Directory-Passw0rd!"
DELIVERY_TIMEOUT = 20  # seconds a delivered message may take to show


def setUpModule():
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH", "MAIL_IMAP", "MAIL_SUBMISSION", "MAIL_SMTP"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")


def address(name):
    host, port = os.environ[name].rsplit(":", 1)
    return host, int(port)


class Delivery(unittest.TestCase):
    def setUp(self):
        methods = sorted(n for n in dir(type(self)) if n.startswith("test_"))
        self.n = methods.index(self._testMethodName) + 1
        self.account = "55550000%04d" % self.n
        self.c = boto3.session.Session().client(
            "workmail", endpoint_url=os.environ["WORKMAILD_ENDPOINT"],
            region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            aws_access_key_id=self.account, aws_secret_access_key="mail-secret",
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
        self.addCleanup(self.c.close)
        alias = "deliver-%02d" % self.n
        self.domain = alias + ".awsapps.com"
        self.org = self.c.create_organization(Alias=alias)["OrganizationId"]

    # --- the directory ---

    def addr(self, name):
        return "%s@%s" % (name, self.domain)

    def user(self, name):
        uid = self.c.create_user(OrganizationId=self.org, Name=name, DisplayName=name, Password=PASSWORD)["UserId"]
        self.c.register_to_work_mail(OrganizationId=self.org, EntityId=uid, Email=self.addr(name))
        return uid

    def group(self, name, *members):
        gid = self.c.create_group(OrganizationId=self.org, Name=name)["GroupId"]
        self.c.register_to_work_mail(OrganizationId=self.org, EntityId=gid, Email=self.addr(name))
        for m in members:
            self.c.associate_member_to_group(OrganizationId=self.org, GroupId=gid, MemberId=m)
        return gid

    # --- the mail clients ---

    def message(self, sender, to):
        """A message with a subject of its own; returns (subject, bytes)."""
        subject = "test %s" % uuid.uuid4()
        body = "From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nHello.\r\n" % (sender, to, subject)
        return subject, body.encode()

    def send(self, login, sender, recipients, server="MAIL_SUBMISSION"):
        """Sends a message from sender to recipients, logged in as login
        (None: incoming SMTP, no login). Returns the subject; an SMTP
        refusal raises smtplib's exception."""
        subject, body = self.message(sender, ", ".join(recipients))
        host, port = address(server)
        with smtplib.SMTP(host, port, timeout=30) as s:
            s.ehlo("client.example")
            if login is not None:
                s.login(login, PASSWORD)
            refused = s.sendmail(sender, recipients, body)
            self.assertEqual(refused, {}, "some recipients were refused")
        return subject

    def assertRefused(self, code, login, sender, recipient, server="MAIL_SUBMISSION", want=""):
        """The message is refused with code, at MAIL FROM or RCPT TO."""
        with self.assertRaises((smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)) as cm:
            self.send(login, sender, [recipient], server)
        e = cm.exception
        if isinstance(e, smtplib.SMTPRecipientsRefused):
            got_code, text = e.recipients[recipient]
        else:
            got_code, text = e.smtp_code, e.smtp_error
        self.assertEqual(got_code, code, text)
        self.assertIn(want, text.decode())

    def mailboxes(self, login):
        """The names of the mailboxes login's IMAP LIST shows."""
        host, port = address("MAIL_IMAP")
        conn = imaplib.IMAP4(host, port, timeout=30)
        try:
            conn.login(login, PASSWORD)
            typ, data = conn.list()
            self.assertEqual(typ, "OK", data)
            conn.logout()
            return [line.decode().rsplit(' "/" ', 1)[1].strip('"') for line in data]
        except BaseException:
            conn.shutdown()
            raise

    def subjects(self, login, mailbox="INBOX"):
        """The subjects of every message in a mailbox of login's."""
        host, port = address("MAIL_IMAP")
        conn = imaplib.IMAP4(host, port, timeout=30)
        try:
            conn.login(login, PASSWORD)
            typ, data = conn.select('"%s"' % mailbox, readonly=True)
            self.assertEqual(typ, "OK", data)
            typ, data = conn.search(None, "ALL")
            out = []
            for num in data[0].split():
                typ, msg = conn.fetch(num, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                out.append(email.message_from_bytes(msg[0][1])["Subject"])
            conn.logout()
            return out
        except BaseException:
            conn.shutdown()
            raise

    def assertDelivered(self, login, subject, times=1):
        """subject shows in login's INBOX, times times, within the timeout."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while True:
            got = self.subjects(login).count(subject)
            if got >= times or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(got, times, "%s in %s's INBOX" % (subject, login))

    def assertNotDelivered(self, login, subject):
        self.assertNotIn(subject, self.subjects(login))

    # --- the tests ---

    def test_user_to_user_and_alias(self):
        alice, bob = self.user("alice"), self.user("bob")
        self.c.create_alias(OrganizationId=self.org, EntityId=bob, Alias=self.addr("robert"))
        s1 = self.send(self.addr("alice"), self.addr("alice"), [self.addr("bob")])
        s2 = self.send(self.addr("alice"), self.addr("alice"), [self.addr("Robert")])
        self.assertDelivered(self.addr("bob"), s1)
        self.assertDelivered(self.addr("bob"), s2)
        # Logged in by the alias, bob reads the same mailbox.
        self.assertIn(s1, self.subjects(self.addr("robert")))
        self.assertNotDelivered(self.addr("alice"), s1)

    def test_group_expands_to_enabled_members_once(self):
        u1, u2, u3, u4 = (self.user(n) for n in ("one", "two", "three", "four"))
        inner = self.group("inner", u2, u4)
        self.group("team", u1, u2, u3, inner)
        self.c.deregister_from_work_mail(OrganizationId=self.org, EntityId=u3)
        subject = self.send(self.addr("one"), self.addr("one"), [self.addr("team")])
        for name in ("one", "two", "four"):
            self.assertDelivered(self.addr(name), subject)  # two: once, though in both groups
        # three was disabled when the message came: enabled again, its
        # mailbox holds nothing of it.
        self.c.register_to_work_mail(OrganizationId=self.org, EntityId=u3, Email=self.addr("three"))
        self.assertNotDelivered(self.addr("three"), subject)

    def test_unknown_and_deregistered_addresses_are_refused(self):
        self.user("alice")
        erin = self.user("erin")
        self.c.deregister_from_work_mail(OrganizationId=self.org, EntityId=erin)
        for recipient in (self.addr("nobody"), self.addr("erin")):
            self.assertRefused(550, self.addr("alice"), self.addr("alice"), recipient, want="User unknown")
            self.assertRefused(550, None, "someone@example.net", recipient, server="MAIL_SMTP", want="User unknown")

    def test_send_as(self):
        alice, bob, carol = self.user("alice"), self.user("bob"), self.user("carol")
        sales = self.group("sales", alice)
        self.c.put_mailbox_permissions(OrganizationId=self.org, EntityId=sales, GranteeId=bob, PermissionValues=["SEND_AS"])
        self.c.put_mailbox_permissions(OrganizationId=self.org, EntityId=alice, GranteeId=carol, PermissionValues=["FULL_ACCESS"])
        subject = self.send(self.addr("bob"), self.addr("sales"), [self.addr("alice")])
        self.assertDelivered(self.addr("alice"), subject)
        # No SEND_AS: refused at MAIL FROM, whatever other right is held.
        self.assertRefused(553, self.addr("carol"), self.addr("sales"), self.addr("alice"), want="not owned by user")
        self.assertRefused(553, self.addr("carol"), self.addr("alice"), self.addr("bob"), want="not owned by user")
        self.assertRefused(553, self.addr("alice"), self.addr("bob"), self.addr("carol"), want="not owned by user")
        # Revoked, it stops at once.
        self.c.delete_mailbox_permissions(OrganizationId=self.org, EntityId=sales, GranteeId=bob)
        self.assertRefused(553, self.addr("bob"), self.addr("sales"), self.addr("alice"), want="not owned by user")

    def submit(self, login, envelope, headers, recipient):
        """Submits a message with the given header lines (From, Sender);
        returns its subject, or raises smtplib's exception."""
        subject = "test %s" % uuid.uuid4()
        body = "".join("%s: %s\r\n" % h for h in headers) + "To: %s\r\nSubject: %s\r\n\r\nHello.\r\n" % (recipient, subject)
        host, port = address("MAIL_SUBMISSION")
        with smtplib.SMTP(host, port, timeout=30) as s:
            s.login(login, PASSWORD)
            s.sendmail(envelope, [recipient], body.encode())
        return subject

    def test_header_senders(self):
        alice, bob, carol = self.user("alice"), self.user("bob"), self.user("carol")
        self.c.put_mailbox_permissions(OrganizationId=self.org, EntityId=alice, GranteeId=carol, PermissionValues=["SEND_ON_BEHALF"])
        # Alice's own envelope, someone else's From: refused after the headers.
        with self.assertRaises(smtplib.SMTPDataError) as cm:
            self.submit(self.addr("alice"), self.addr("alice"), [("From", "Bob <%s>" % self.addr("bob"))], self.addr("carol"))
        self.assertEqual(cm.exception.smtp_code, 550)
        self.assertIn("not an address you may send as", cm.exception.smtp_error.decode())
        # SEND_ON_BEHALF: From alice with carol as the Sender.
        subject = self.submit(self.addr("carol"), self.addr("carol"),
                              [("From", self.addr("alice")), ("Sender", self.addr("carol"))], self.addr("bob"))
        self.assertDelivered(self.addr("bob"), subject)
        with self.assertRaises(smtplib.SMTPDataError) as cm:
            self.submit(self.addr("carol"), self.addr("carol"), [("From", self.addr("alice"))], self.addr("bob"))
        self.assertIn("needs a Sender", cm.exception.smtp_error.decode())
        # bob holds nothing on alice.
        with self.assertRaises(smtplib.SMTPDataError):
            self.submit(self.addr("bob"), self.addr("bob"), [("From", self.addr("alice")), ("Sender", self.addr("bob"))], self.addr("carol"))

    def test_new_primary_email_keeps_the_mailbox(self):
        dave = self.user("dave")
        before = self.send(None, "someone@example.net", [self.addr("dave")], server="MAIL_SMTP")
        self.assertDelivered(self.addr("dave"), before)
        self.c.update_primary_email_address(OrganizationId=self.org, EntityId=dave, Email=self.addr("david"))
        self.c.update_user(OrganizationId=self.org, UserId=dave, DisplayName="David")
        after = self.send(None, "someone@example.net", [self.addr("david")], server="MAIL_SMTP")
        self.assertDelivered(self.addr("david"), after)
        self.assertIn(before, self.subjects(self.addr("david")))

    def test_quota_and_mailbox_size(self):
        alice, bob = self.user("alice"), self.user("bob")
        self.assertEqual(self.c.get_mailbox_details(OrganizationId=self.org, UserId=bob)["MailboxSize"], 0)
        self.c.update_mailbox_quota(OrganizationId=self.org, UserId=bob, MailboxQuota=1)
        filler = "x" * 1000 + "\r\n"
        sent = []
        for _ in range(3):  # about 700 KiB each: the first fits in 1 MB
            subject, body = self.message(self.addr("alice"), self.addr("bob"))
            host, port = address("MAIL_SUBMISSION")
            with smtplib.SMTP(host, port, timeout=30) as smtp:
                smtp.login(self.addr("alice"), PASSWORD)
                smtp.sendmail(self.addr("alice"), [self.addr("bob")], body + (filler * 700).encode())
            sent.append(subject)
        self.assertDelivered(self.addr("bob"), sent[0])
        # The others come back to alice: bob's mailbox is full.
        self.assertDelivered(self.addr("alice"), "Undelivered Mail Returned to Sender", times=2)
        got = self.subjects(self.addr("bob"))
        self.assertNotIn(sent[1], got)
        self.assertNotIn(sent[2], got)

        details = self.c.get_mailbox_details(OrganizationId=self.org, UserId=bob)
        self.assertEqual(details["MailboxQuota"], 1)
        self.assertGreater(details["MailboxSize"], 0.6)
        self.assertLess(details["MailboxSize"], 1.0)
        # Deregistered, bob keeps his mailbox, and its size is still told.
        self.c.deregister_from_work_mail(OrganizationId=self.org, EntityId=bob)
        self.assertEqual(self.c.get_mailbox_details(OrganizationId=self.org, UserId=bob)["MailboxSize"], details["MailboxSize"])

    def test_full_access_opens_the_mailbox_over_imap(self):
        alice, bob, carol = self.user("alice"), self.user("bob"), self.user("carol")
        assistants = self.group("assistants", carol)
        subject = self.send(None, "someone@example.net", [self.addr("alice")], server="MAIL_SMTP")
        self.assertDelivered(self.addr("alice"), subject)
        shared = "Shared/" + self.addr("alice")
        self.assertNotIn(shared, self.mailboxes(self.addr("bob")))

        self.c.put_mailbox_permissions(OrganizationId=self.org, EntityId=alice, GranteeId=bob, PermissionValues=["FULL_ACCESS"])
        self.assertIn(shared, self.mailboxes(self.addr("bob")))
        self.assertEqual(self.subjects(self.addr("bob"), shared), [subject])
        self.assertNotIn(subject, self.subjects(self.addr("bob")))  # not in his own INBOX
        # SEND_AS alone opens nothing; FULL_ACCESS through a group does.
        self.c.put_mailbox_permissions(OrganizationId=self.org, EntityId=alice, GranteeId=carol, PermissionValues=["SEND_AS"])
        self.assertNotIn(shared, self.mailboxes(self.addr("carol")))
        self.c.put_mailbox_permissions(OrganizationId=self.org, EntityId=alice, GranteeId=assistants, PermissionValues=["FULL_ACCESS"])
        self.assertEqual(self.subjects(self.addr("carol"), shared), [subject])
        # Revoked: gone from the next session.
        self.c.delete_mailbox_permissions(OrganizationId=self.org, EntityId=alice, GranteeId=bob)
        self.assertNotIn(shared, self.mailboxes(self.addr("bob")))

    def test_incoming_mail_only_for_the_stacks_domains(self):
        self.user("alice")
        subject = self.send(None, "someone@example.net", [self.addr("alice")], server="MAIL_SMTP")
        self.assertDelivered(self.addr("alice"), subject)
        self.assertRefused(554, None, "someone@example.net", "someone@example.org", server="MAIL_SMTP", want="Relay access denied")
        self.assertRefused(554, self.addr("alice"), self.addr("alice"), "someone@example.org", want="Relay access denied")


if __name__ == "__main__":
    unittest.main()
