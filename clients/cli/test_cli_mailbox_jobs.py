"""Availability configurations and mailbox export jobs through the AWS CLI v2.

Runs as test_cli.py does (same settings, same harness); each test uses its
own account. The suites' server makes no outbound call and runs an export
job for five minutes, so every job here is RUNNING or CANCELLED.
"""

import json
import re
import unittest

import test_cli as base

setUpModule = base.setUpModule

NOT_TESTED = ("This workmaild makes no outbound calls (start it with --availability-test-calls to allow them), "
              "so the EWS provider was not tested.")
EWS = {"EwsEndpoint": "https://mail.partner.example/EWS/Exchange.asmx", "EwsUsername": "svc", "EwsPassword": "Free-Busy-Passw0rd"}


class MailboxJobs(unittest.TestCase):
    account = None
    aws = base.Scenario.aws
    ok = base.Scenario.ok
    fails = base.Scenario.fails
    create_org = base.Scenario.create_org

    def fails_throttled(self, code, message, *args):
        """As fails, for an error the CLI retries as throttling
        (LimitExceededException): its line then counts the retries."""
        r = self.aws(*args)
        op = "".join(part.capitalize() for part in args[0].split("-"))
        self.assertEqual(r.stdout, "")
        self.assertRegex(r.stderr, r"^An error occurred \(%s\) when calling the %s operation \(reached max retries: \d+\): %s$"
                         % (code, op, re.escape(message)))
        self.assertEqual(r.code, base.EXIT_SERVICE_ERROR)

    def export_args(self, org, entity):
        return ["start-mailbox-export-job", "--organization-id", org, "--entity-id", entity, "--description", "archive",
                "--role-arn", "arn:aws:iam::%s:role/workmail-export" % self.account,
                "--kms-key-arn", "arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (base.region(), self.account),
                "--s3-bucket-name", "exports", "--s3-prefix", "mail"]

    def test_availability_configurations(self):
        self.account = "222200000131"
        org = self.create_org("cli-avail")
        lambda_arn = "arn:aws:lambda:%s:%s:function:availability" % (base.region(), self.account)
        self.assertIsNone(self.ok("create-availability-configuration", "--organization-id", org, "--domain-name", "partner.example",
                                  "--ews-provider", json.dumps(EWS)))
        self.ok("create-availability-configuration", "--organization-id", org, "--domain-name", "lambda.example",
                "--lambda-provider", "LambdaArn=" + lambda_arn)
        self.fails("NameAvailabilityException",
                   "An availability configuration for the domain partner.example already exists in organization %s." % org,
                   "create-availability-configuration", "--organization-id", org, "--domain-name", "Partner.Example",
                   "--ews-provider", json.dumps(EWS))
        self.fails("InvalidParameterException",
                   "The domain cli-avail.awsapps.com is a mail domain of organization %s: availability providers are for external domains." % org,
                   "create-availability-configuration", "--organization-id", org, "--domain-name", "cli-avail.awsapps.com",
                   "--lambda-provider", "LambdaArn=" + lambda_arn)

        # The CLI walks the pages itself, one configuration each; no password is listed.
        listed = self.ok("list-availability-configurations", "--organization-id", org, "--page-size", "1")["AvailabilityConfigurations"]
        for item in listed:
            self.assertRegex(item.pop("DateCreated"), r"^\d{4}-\d\d-\d\dT")
            self.assertRegex(item.pop("DateModified"), r"^\d{4}-\d\d-\d\dT")
        self.assertEqual(listed, [
            {"DomainName": "lambda.example", "ProviderType": "LAMBDA", "LambdaProvider": {"LambdaArn": lambda_arn}},
            {"DomainName": "partner.example", "ProviderType": "EWS",
             "EwsProvider": {"EwsEndpoint": EWS["EwsEndpoint"], "EwsUsername": "svc"}},
        ])

        self.assertEqual(self.ok("test-availability-configuration", "--organization-id", org, "--domain-name", "partner.example"),
                         {"TestPassed": False, "FailureReason": NOT_TESTED})
        self.fails("InvalidParameterException", "Give either DomainName or one provider, EwsProvider or LambdaProvider.",
                   "test-availability-configuration", "--organization-id", org)

        self.assertIsNone(self.ok("update-availability-configuration", "--organization-id", org, "--domain-name", "partner.example",
                                  "--lambda-provider", "LambdaArn=" + lambda_arn))
        for _ in range(2):
            self.assertIsNone(self.ok("delete-availability-configuration", "--organization-id", org, "--domain-name", "lambda.example"))
        listed = self.ok("list-availability-configurations", "--organization-id", org)["AvailabilityConfigurations"]
        self.assertEqual([(i["DomainName"], i["ProviderType"], i["LambdaProvider"]) for i in listed],
                         [("partner.example", "LAMBDA", {"LambdaArn": lambda_arn})])
        self.fails("ResourceNotFoundException",
                   "No availability configuration exists for the domain lambda.example in organization %s." % org,
                   "update-availability-configuration", "--organization-id", org, "--domain-name", "lambda.example",
                   "--ews-provider", json.dumps(EWS))

    def test_mailbox_export(self):
        self.account = "222200000132"
        org = self.create_org("cli-export")
        alice = self.ok("create-user", "--organization-id", org, "--name", "alice", "--display-name", "Alice")["UserId"]
        self.ok("register-to-work-mail", "--organization-id", org, "--entity-id", alice, "--email", "alice@cli-export.awsapps.com")
        job = self.ok(*self.export_args(org, "alice@cli-export.awsapps.com"))["JobId"]
        got = self.ok("describe-mailbox-export-job", "--organization-id", org, "--job-id", job)
        self.assertRegex(got.pop("StartTime"), r"^\d{4}-\d\d-\d\dT")
        self.assertLess(got.pop("EstimatedProgress"), 100)
        self.assertEqual(got, {
            "EntityId": alice, "Description": "archive",
            "RoleArn": "arn:aws:iam::%s:role/workmail-export" % self.account,
            "KmsKeyArn": "arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (base.region(), self.account),
            "S3BucketName": "exports", "S3Prefix": "mail", "S3Path": "mail/%s.zip" % job, "State": "RUNNING",
        })
        self.fails_throttled("LimitExceededException",
                   "The mailbox of %s has an export job started in the last 24 hours (%s): one job per mailbox per 24 hours." % (alice, job),
                   *self.export_args(org, alice))
        for _ in range(2):
            self.assertIsNone(self.ok("cancel-mailbox-export-job", "--organization-id", org, "--job-id", job))
        jobs = self.ok("list-mailbox-export-jobs", "--organization-id", org)["Jobs"]
        self.assertEqual([(j["JobId"], j["State"], j["S3Path"]) for j in jobs], [(job, "CANCELLED", "mail/%s.zip" % job)])
        self.assertIn("EndTime", jobs[0])
        self.fails("EntityNotFoundException", "Mailbox export job no-such-job does not exist in organization %s." % org,
                   "cancel-mailbox-export-job", "--organization-id", org, "--job-id", "no-such-job")
        self.fails("EntityNotFoundException", "Entity nobody does not exist in organization %s." % org,
                   *self.export_args(org, "nobody"))


if __name__ == "__main__":
    unittest.main()
