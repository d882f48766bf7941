"""The conformance scenario through the AWS CLI v2 (Debian's awscli).

Drives the `aws` binary (WORKMAILD_AWS_CLI, default /usr/bin/aws) and
checks its JSON output, exit status and error text exactly. Python standard
library only. Run against a fresh workmaild with WORKMAILD_ENDPOINT set to
its URL and AWS_DATA_PATH pointing at a directory that holds
workmail/2017-10-01/{service-2.json,paginators-1.json}:

    /usr/bin/python3 -m unittest discover -s clients/cli -v

Each test uses its own account (the access key id), so tests neither see
nor depend on one another and each list is exactly what its test made.
"""

import datetime
import json
import os
import re
import subprocess
import unittest
import urllib.request

INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
OTHER_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-fedcba0987654321"
UNKNOWN_ORG = "m-" + "0" * 32
IDP_USER = "12345678-1234-1234-1234-123456789012"  # an Identity Store user id
ENUM_MODES = "[IDENTITY_PROVIDER_ONLY, IDENTITY_PROVIDER_AND_DIRECTORY]"

# The CLI's exit statuses: 254 is an error answered by the service, 252 a
# command line the CLI refused before sending anything.
EXIT_SERVICE_ERROR = 254
EXIT_PARAM_ERROR = 252


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


def issue_token(account, org, user):
    """Asks workmaild's own endpoint for a personal access token (WorkMail
    has no API for it) and returns its id."""
    req = urllib.request.Request(
        os.environ["WORKMAILD_ENDPOINT"] + "/_workmaild/tokens", method="POST",
        data=json.dumps({"Account": account, "Region": region(), "OrganizationId": org, "User": user,
                         "Name": "laptop", "Scopes": ["IMAP", "SMTP"]}).encode())
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)["PersonalAccessTokenId"]


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr.strip()

    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else None


class Scenario(unittest.TestCase):
    account = None  # set by each test: the access key id, hence the account

    def aws(self, *args):
        """Runs `aws workmail ARGS` against workmaild as self.account."""
        env = dict(os.environ,
                   AWS_ACCESS_KEY_ID=self.account,
                   AWS_SECRET_ACCESS_KEY="conformance-secret",
                   AWS_DEFAULT_REGION=region(),
                   AWS_PAGER="")
        cmd = [aws_cli(), "workmail", *args, "--endpoint-url", os.environ["WORKMAILD_ENDPOINT"], "--output", "json"]
        return Result(subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120))

    def ok(self, *args):
        r = self.aws(*args)
        self.assertEqual(r.code, 0, "aws %s: %s" % (" ".join(args), r.stderr))
        self.assertEqual(r.stderr, "")
        return r.json()

    def fails(self, code, message, *args):
        """The command exits 254 with exactly the CLI's line for this error."""
        r = self.aws(*args)
        op = "".join(part.capitalize() for part in args[0].split("-"))
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "An error occurred (%s) when calling the %s operation: %s" % (code, op, message))
        self.assertEqual(r.code, EXIT_SERVICE_ERROR)

    def create_org(self, alias):
        out = self.ok("create-organization", "--alias", alias)
        self.assertEqual(list(out), ["OrganizationId"])
        self.assertRegex(out["OrganizationId"], r"^m-[0-9a-f]{32}$")
        return out["OrganizationId"]

    def create_app(self, *extra, name="WorkMail"):
        out = self.ok("create-identity-center-application", "--name", name, "--instance-arn", INSTANCE_ARN, *extra)
        self.assertEqual(list(out), ["ApplicationArn"])
        return out["ApplicationArn"]

    def test_organization_lifecycle(self):
        self.account = "222200000001"
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        org = self.create_org("cli-lifecycle")
        after = datetime.datetime.now(datetime.timezone.utc)

        got = self.ok("describe-organization", "--organization-id", org)
        # The CLI prints timestamps as ISO 8601 with microseconds and an
        # offset; the server's millisecond precision shows as ...123000.
        completed = got.pop("CompletedDate")
        self.assertRegex(completed, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}000)?\+00:00$")
        self.assertTrue(before <= datetime.datetime.fromisoformat(completed) <= after, completed)
        self.assertEqual(got, {
            "OrganizationId": org,
            "Alias": "cli-lifecycle",
            "State": "Active",
            "DirectoryType": "WorkMailDirectory",
            "DefaultMailDomain": "cli-lifecycle.awsapps.com",
            "ARN": "arn:aws:workmail:%s:%s:organization/%s" % (region(), self.account, org),
            "InteroperabilityEnabled": False,
        })
        self.assertEqual(self.ok("list-organizations"), {"OrganizationSummaries": [{
            "OrganizationId": org,
            "Alias": "cli-lifecycle",
            "DefaultMailDomain": "cli-lifecycle.awsapps.com",
            "State": "Active",
        }]})
        self.fails("NameAvailabilityException", "Organization alias cli-lifecycle is already in use.",
                   "create-organization", "--alias", "cli-lifecycle")

        self.assertEqual(self.ok("delete-organization", "--organization-id", org, "--no-delete-directory"),
                         {"OrganizationId": org, "State": "Deleted"})
        self.assertEqual(self.ok("describe-organization", "--organization-id", org)["State"], "Deleted")
        self.assertEqual(self.ok("list-organizations"), {"OrganizationSummaries": []})
        self.fails("OrganizationStateException", "Organization %s is not Active, state: Deleted" % org,
                   "delete-organization", "--organization-id", org, "--no-delete-directory")

    def test_list_organizations_paginator(self):
        self.account = "222200000002"
        orgs = sorted(self.create_org("cli-page-%d" % i) for i in range(3))

        # The CLI walks every page itself; --page-size 1 makes that 3 requests.
        out = self.ok("list-organizations", "--page-size", "1")
        self.assertEqual(list(out), ["OrganizationSummaries"])
        self.assertEqual([s["OrganizationId"] for s in out["OrganizationSummaries"]], orgs)

        # Resuming with the CLI's own tokens, which wrap the server's.
        walked, token = [], None
        for _ in range(len(orgs)):
            args = ["list-organizations", "--page-size", "1", "--max-items", "1"]
            if token:
                args += ["--starting-token", token]
            page = self.ok(*args)
            walked += page["OrganizationSummaries"]
            token = page.get("NextToken")
        self.assertIsNone(token)
        self.assertEqual([s["OrganizationId"] for s in walked], orgs)

        # The server's own tokens, one page at a time.
        walked, token, pages = [], None, 0
        while True:
            args = ["list-organizations", "--no-paginate", "--max-results", "1"]
            if token:
                args += ["--next-token", token]
            page = self.ok(*args)
            pages += 1
            walked += page["OrganizationSummaries"]
            token = page.get("NextToken")
            if token is None:
                break
        self.assertEqual(pages, 3)
        self.assertEqual([s["OrganizationId"] for s in walked], orgs)

        self.fails("InvalidParameterException", "The NextToken is invalid or was issued for a different request.",
                   "list-organizations", "--no-paginate", "--next-token", "not-a-token")
        # The CLI checks only the minimum of a range; the maximum is the server's.
        self.fails("InvalidParameterException",
                   "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                   "Member must have value less than or equal to 100",
                   "list-organizations", "--no-paginate", "--max-results", "101")

    def test_identity_center_application(self):
        self.account = "222200000003"
        arn = self.create_app()
        self.assertRegex(arn, r"^arn:aws:sso::%s:application/ssoins-1234567890abcdef/apl-[a-zA-Z0-9]{16}$" % self.account)
        again = self.create_app("--client-token", "cli-token-1", name="Idem")
        self.assertEqual(self.create_app("--client-token", "cli-token-1", name="Idem"), again)
        self.assertNotEqual(again, arn)
        self.fails("InvalidParameterException",
                   "ClientToken cli-token-1 was already used for CreateIdentityCenterApplication with different parameters.",
                   "create-identity-center-application", "--name", "Changed", "--instance-arn", INSTANCE_ARN,
                   "--client-token", "cli-token-1")
        self.fails("InvalidParameterException",
                   "1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: "
                   "Member must satisfy regular expression pattern: ^[\\w+=,.@-]+$",
                   "create-identity-center-application", "--name", "has space", "--instance-arn", INSTANCE_ARN)
        # An operation with empty output prints nothing.
        r = self.aws("delete-identity-center-application", "--application-arn", again)
        self.assertEqual((r.code, r.stdout, r.stderr), (0, "", ""))
        r = self.aws("delete-identity-center-application", "--application-arn", again)
        self.assertEqual((r.code, r.stdout, r.stderr), (0, "", ""))

    def test_identity_provider_configuration(self):
        self.account = "222200000004"
        org = self.create_org("cli-idp")
        app = self.create_app()
        missing = "Organization %s has no identity provider configuration." % org
        self.fails("ResourceNotFoundException", missing, "describe-identity-provider-configuration", "--organization-id", org)

        def put(mode="IDENTITY_PROVIDER_ONLY", instance=INSTANCE_ARN, application=app,
                tokens="Status=ACTIVE,LifetimeInDays=30", organization=org):
            return ["put-identity-provider-configuration", "--organization-id", organization,
                    "--authentication-mode", mode,
                    "--identity-center-configuration", "InstanceArn=%s,ApplicationArn=%s" % (instance, application),
                    "--personal-access-token-configuration", tokens]

        self.fails("InvalidParameterException",
                   "1 validation error detected: Value 'BOGUS' at 'authenticationMode' failed to satisfy constraint: "
                   "Member must satisfy enum value set: " + ENUM_MODES, *put(mode="BOGUS"))
        self.fails("InvalidParameterException",
                   "1 validation error detected: Value '3654' at 'personalAccessTokenConfiguration.lifetimeInDays' "
                   "failed to satisfy constraint: Member must have value less than or equal to 3653",
                   *put(tokens="Status=ACTIVE,LifetimeInDays=3654"))
        unknown_app = app[:-16] + "0000000000000000"
        self.fails("ResourceNotFoundException",
                   "Identity Center application %s does not exist in this account and region." % unknown_app,
                   *put(application=unknown_app))
        self.fails("InvalidParameterException",
                   "InstanceArn %s is not the Identity Center instance of application %s (%s)."
                   % (OTHER_INSTANCE_ARN, app, INSTANCE_ARN), *put(instance=OTHER_INSTANCE_ARN))
        self.fails("OrganizationNotFoundException", "Organization %s does not exist." % UNKNOWN_ORG,
                   *put(organization=UNKNOWN_ORG))
        # The CLI refuses a minimum it knows without calling the server.
        r = self.aws(*put(tokens="Status=ACTIVE,LifetimeInDays=0"))
        self.assertEqual(r.code, EXIT_PARAM_ERROR)
        self.assertIn("valid min value: 1", r.stderr)
        self.fails("ResourceNotFoundException", missing, "describe-identity-provider-configuration", "--organization-id", org)

        r = self.aws(*put())
        self.assertEqual((r.code, r.stdout, r.stderr), (0, "", ""))
        self.assertEqual(self.ok("describe-identity-provider-configuration", "--organization-id", org), {
            "AuthenticationMode": "IDENTITY_PROVIDER_ONLY",
            "IdentityCenterConfiguration": {"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
            "PersonalAccessTokenConfiguration": {"Status": "ACTIVE", "LifetimeInDays": 30},
        })
        r = self.aws(*put(mode="IDENTITY_PROVIDER_AND_DIRECTORY", tokens="Status=INACTIVE"))
        self.assertEqual((r.code, r.stderr), (0, ""))
        self.assertEqual(self.ok("describe-identity-provider-configuration", "--organization-id", org), {
            "AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
            "IdentityCenterConfiguration": {"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
            "PersonalAccessTokenConfiguration": {"Status": "INACTIVE"},
        })
        self.fails("OrganizationStateException",
                   "Application %s is used by the identity provider configuration of organization %s; "
                   "delete that configuration first." % (app, org),
                   "delete-identity-center-application", "--application-arn", app)

        for _ in range(2):  # deleting twice succeeds twice
            r = self.aws("delete-identity-provider-configuration", "--organization-id", org)
            self.assertEqual((r.code, r.stdout, r.stderr), (0, "", ""))
            self.fails("ResourceNotFoundException", missing,
                       "describe-identity-provider-configuration", "--organization-id", org)

        self.ok("delete-organization", "--organization-id", org, "--no-delete-directory")
        deleted = "Organization %s is not Active, state: Deleted" % org
        self.fails("OrganizationStateException", deleted, "describe-identity-provider-configuration", "--organization-id", org)
        self.fails("OrganizationStateException", deleted, "delete-identity-provider-configuration", "--organization-id", org)
        self.fails("OrganizationStateException", deleted, *put())

    def test_organization_errors(self):
        self.account = "222200000005"
        self.fails("OrganizationNotFoundException", "Organization %s does not exist." % UNKNOWN_ORG,
                   "describe-organization", "--organization-id", UNKNOWN_ORG)
        bad = "m-" + "Z" * 32  # the right length, so the CLI sends it
        self.fails("InvalidParameterException",
                   "1 validation error detected: Value '%s' at 'organizationId' failed to satisfy constraint: "
                   "Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$" % bad,
                   "describe-organization", "--organization-id", bad)
        r = self.aws("describe-organization", "--organization-id", "m-0")
        self.assertEqual(r.code, EXIT_PARAM_ERROR)
        self.assertIn("Invalid length for parameter OrganizationId, value: 3, valid min length: 34", r.stderr)

        org = self.create_org("cli-private")
        self.account = "222200000006"
        self.fails("OrganizationNotFoundException", "Organization %s does not exist." % org,
                   "describe-organization", "--organization-id", org)

    def test_users_and_personal_access_tokens(self):
        self.account = "222200000007"
        org = self.create_org("cli-users")
        app = self.create_app()
        r = self.aws("put-identity-provider-configuration", "--organization-id", org,
                     "--authentication-mode", "IDENTITY_PROVIDER_ONLY",
                     "--identity-center-configuration", "InstanceArn=%s,ApplicationArn=%s" % (INSTANCE_ARN, app),
                     "--personal-access-token-configuration", "Status=ACTIVE,LifetimeInDays=30")
        self.assertEqual((r.code, r.stderr), (0, ""))
        user = self.ok("create-user", "--organization-id", org, "--name", "alice", "--display-name", "Alice",
                       "--identity-provider-user-id", IDP_USER)["UserId"]
        got = self.ok("describe-user", "--organization-id", org, "--user-id", user)
        self.assertRegex(got.pop("IdentityProviderIdentityStoreId"), r"^d-[0-9a-f]{10}$")
        self.assertEqual(got, {
            "UserId": user, "Name": "alice", "DisplayName": "Alice", "State": "DISABLED", "UserRole": "USER",
            "HiddenFromGlobalAddressList": False, "IdentityProviderUserId": IDP_USER,
        })
        listed = self.ok("list-users", "--organization-id", org, "--filters", "IdentityProviderUserIdPrefix=" + IDP_USER[:8])
        self.assertEqual([(u["Id"], u["IdentityProviderUserId"]) for u in listed["Users"]], [(user, IDP_USER)])
        self.ok("register-to-work-mail", "--organization-id", org, "--entity-id", user, "--email", "alice@cli-users.awsapps.com")

        token = issue_token(self.account, org, "alice")
        out = self.ok("list-personal-access-tokens", "--organization-id", org)
        self.assertEqual(list(out), ["PersonalAccessTokenSummaries"])
        self.assertEqual(len(out["PersonalAccessTokenSummaries"]), 1)
        summary = out["PersonalAccessTokenSummaries"][0]
        created = datetime.datetime.fromisoformat(summary["DateCreated"])
        self.assertEqual(datetime.datetime.fromisoformat(summary["ExpiresTime"]) - created, datetime.timedelta(days=30))
        self.assertEqual({k: v for k, v in summary.items() if k not in ("DateCreated", "ExpiresTime")}, {
            "PersonalAccessTokenId": token, "UserId": user, "Name": "laptop", "Scopes": ["IMAP", "SMTP"],
        })
        self.assertEqual(self.ok("get-personal-access-token-metadata", "--organization-id", org,
                                 "--personal-access-token-id", token), summary)
        self.fails("EntityNotFoundException", "User nobody does not exist in organization %s." % org,
                   "list-personal-access-tokens", "--organization-id", org, "--user-id", "nobody")
        for _ in range(2):  # deleting an unknown token succeeds
            r = self.aws("delete-personal-access-token", "--organization-id", org, "--personal-access-token-id", token)
            self.assertEqual((r.code, r.stdout, r.stderr), (0, "", ""))
        self.fails("ResourceNotFoundException",
                   "Personal access token %s does not exist in organization %s." % (token, org),
                   "get-personal-access-token-metadata", "--organization-id", org, "--personal-access-token-id", token)

        # "" clears the link.
        r = self.aws("update-user", "--organization-id", org, "--user-id", user, "--identity-provider-user-id", "")
        self.assertEqual((r.code, r.stderr), (0, ""))
        got = self.ok("describe-user", "--organization-id", org, "--user-id", user)
        self.assertNotIn("IdentityProviderUserId", got)


if __name__ == "__main__":
    unittest.main()
