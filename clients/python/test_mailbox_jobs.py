"""Availability configurations and mailbox export jobs through boto3.

Runs as test_workmail.py does (same settings, same harness); each test uses
its own account. The suites' server makes no outbound call and runs an
export job for five minutes, so every job here is RUNNING or CANCELLED.
"""

import datetime
import unittest

import test_workmail as base

setUpModule = base.setUpModule
body = base.body
region = base.region

NOT_TESTED = ("This workmaild makes no outbound calls (start it with --availability-test-calls to allow them), "
              "so the EWS provider was not tested.")
EWS = {"EwsEndpoint": "https://mail.partner.example/EWS/Exchange.asmx", "EwsUsername": "svc", "EwsPassword": "Free-Busy-Passw0rd"}


def export_input(org, account, entity):
    return dict(OrganizationId=org, EntityId=entity, Description="archive",
                RoleArn="arn:aws:iam::%s:role/workmail-export" % account,
                KmsKeyArn="arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (region(), account),
                S3BucketName="exports", S3Prefix="mail")


class MailboxJobs(unittest.TestCase):
    client = base.Scenario.client
    assertAPIError = base.Scenario.assertAPIError
    create_org = base.Scenario.create_org

    def mailbox_user(self, c, org, alias, name):
        user = body(c.create_user(OrganizationId=org, Name=name, DisplayName=name))["UserId"]
        c.register_to_work_mail(OrganizationId=org, EntityId=user, Email="%s@%s.awsapps.com" % (name, alias))
        return user

    def test_availability_configurations(self):
        account = "111100000131"
        c = self.client(account)
        org = self.create_org(c, "py-avail")
        lambda_arn = "arn:aws:lambda:%s:%s:function:availability" % (region(), account)
        self.assertEqual(body(c.create_availability_configuration(OrganizationId=org, DomainName="partner.example", EwsProvider=EWS)), {})
        c.create_availability_configuration(OrganizationId=org, DomainName="lambda.example", LambdaProvider={"LambdaArn": lambda_arn})
        self.assertAPIError(c.create_availability_configuration, "NameAvailabilityException",
                            "An availability configuration for the domain partner.example already exists in organization %s." % org,
                            OrganizationId=org, DomainName="PARTNER.example", EwsProvider=EWS)
        self.assertAPIError(c.create_availability_configuration, "InvalidParameterException",
                            "Exactly one provider, EwsProvider or LambdaProvider, must be given.",
                            OrganizationId=org, DomainName="both.example", EwsProvider=EWS, LambdaProvider={"LambdaArn": lambda_arn})

        # boto3's paginator, one configuration a page; the password is never listed.
        pages = list(c.get_paginator("list_availability_configurations").paginate(
            OrganizationId=org, PaginationConfig={"PageSize": 1}))
        listed = [item for page in pages for item in page["AvailabilityConfigurations"]]
        for item in listed:
            self.assertIsInstance(item.pop("DateCreated"), datetime.datetime)
            self.assertIsInstance(item.pop("DateModified"), datetime.datetime)
        self.assertEqual(listed, [
            {"DomainName": "lambda.example", "ProviderType": "LAMBDA", "LambdaProvider": {"LambdaArn": lambda_arn}},
            {"DomainName": "partner.example", "ProviderType": "EWS",
             "EwsProvider": {"EwsEndpoint": EWS["EwsEndpoint"], "EwsUsername": "svc"}},
        ])

        self.assertEqual(body(c.test_availability_configuration(OrganizationId=org, DomainName="partner.example")),
                         {"TestPassed": False, "FailureReason": NOT_TESTED})
        self.assertEqual(body(c.test_availability_configuration(OrganizationId=org, EwsProvider=EWS)),
                         {"TestPassed": False, "FailureReason": NOT_TESTED})
        self.assertEqual(body(c.test_availability_configuration(OrganizationId=org, DomainName="lambda.example")),
                         {"TestPassed": False, "FailureReason":
                          "workmaild cannot invoke Lambda functions, so the Lambda provider %s was not tested." % lambda_arn})
        self.assertAPIError(c.test_availability_configuration, "ResourceNotFoundException",
                            "No availability configuration exists for the domain unknown.example in organization %s." % org,
                            OrganizationId=org, DomainName="unknown.example")

        self.assertEqual(body(c.update_availability_configuration(OrganizationId=org, DomainName="lambda.example", EwsProvider=EWS)), {})
        for _ in range(2):
            self.assertEqual(body(c.delete_availability_configuration(OrganizationId=org, DomainName="partner.example")), {})
        listed = body(c.list_availability_configurations(OrganizationId=org))["AvailabilityConfigurations"]
        self.assertEqual([(i["DomainName"], i["ProviderType"], i["EwsProvider"]) for i in listed],
                         [("lambda.example", "EWS", {"EwsEndpoint": EWS["EwsEndpoint"], "EwsUsername": "svc"})])
        self.assertAPIError(c.update_availability_configuration, "ResourceNotFoundException",
                            "No availability configuration exists for the domain partner.example in organization %s." % org,
                            OrganizationId=org, DomainName="partner.example", EwsProvider=EWS)

    def test_mailbox_export(self):
        account = "111100000132"
        c = self.client(account)
        org = self.create_org(c, "py-export")
        alice = self.mailbox_user(c, org, "py-export", "alice")
        job = body(c.start_mailbox_export_job(**export_input(org, account, "alice")))["JobId"]
        self.assertRegex(job, base.UUID)
        got = body(c.describe_mailbox_export_job(OrganizationId=org, JobId=job))
        self.assertIsInstance(got.pop("StartTime"), datetime.datetime)
        self.assertLess(got.pop("EstimatedProgress"), 100)
        self.assertEqual(got, {
            "EntityId": alice, "Description": "archive",
            "RoleArn": "arn:aws:iam::%s:role/workmail-export" % account,
            "KmsKeyArn": "arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (region(), account),
            "S3BucketName": "exports", "S3Prefix": "mail", "S3Path": "mail/%s.zip" % job, "State": "RUNNING",
        })
        self.assertAPIError(c.start_mailbox_export_job, "LimitExceededException",
                            "The mailbox of %s has an export job started in the last 24 hours (%s): one job per mailbox per 24 hours." % (alice, job),
                            **export_input(org, account, alice))
        for _ in range(2):
            self.assertEqual(body(c.cancel_mailbox_export_job(OrganizationId=org, JobId=job)), {})
        jobs = body(c.list_mailbox_export_jobs(OrganizationId=org))["Jobs"]
        self.assertEqual(len(jobs), 1)
        self.assertIsInstance(jobs[0].pop("EndTime"), datetime.datetime)
        jobs[0].pop("StartTime")
        jobs[0].pop("EstimatedProgress")
        self.assertEqual(jobs[0], {"JobId": job, "EntityId": alice, "Description": "archive", "S3BucketName": "exports",
                                   "S3Path": "mail/%s.zip" % job, "State": "CANCELLED"})
        self.assertAPIError(c.describe_mailbox_export_job, "EntityNotFoundException",
                            "Mailbox export job no-such-job does not exist in organization %s." % org,
                            OrganizationId=org, JobId="no-such-job")
        self.assertAPIError(c.cancel_mailbox_export_job, "EntityNotFoundException",
                            "Mailbox export job no-such-job does not exist in organization %s." % org,
                            OrganizationId=org, JobId="no-such-job")
        group = body(c.create_group(OrganizationId=org, Name="team"))["GroupId"]
        self.assertAPIError(c.start_mailbox_export_job, "EntityNotFoundException",
                            "Entity %s does not exist in organization %s." % (group, org),
                            **export_input(org, account, group))

    def test_export_limit(self):
        account = "111100000133"
        c = self.client(account)
        org = self.create_org(c, "py-exports")
        jobs = []
        for i in range(10):
            user = self.mailbox_user(c, org, "py-exports", "user%02d" % i)
            jobs.append(body(c.start_mailbox_export_job(**export_input(org, account, user)))["JobId"])
        last = self.mailbox_user(c, org, "py-exports", "last")
        self.assertAPIError(c.start_mailbox_export_job, "LimitExceededException",
                            "Organization %s has 10 running mailbox export jobs, the most it may have." % org,
                            **export_input(org, account, last))
        # No paginator for this list: page by hand.
        listed, token = [], None
        while True:
            page = body(c.list_mailbox_export_jobs(OrganizationId=org, MaxResults=4, **({"NextToken": token} if token else {})))
            self.assertLessEqual(len(page["Jobs"]), 4)
            listed += [j["JobId"] for j in page["Jobs"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(listed), sorted(jobs))


if __name__ == "__main__":
    unittest.main()
