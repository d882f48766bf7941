"""The conformance scenario through boto3 (Debian's python3-boto3).

Run against a fresh workmaild with WORKMAILD_ENDPOINT set to its URL and
AWS_DATA_PATH pointing at a directory that holds
workmail/2017-10-01/{service-2.json,paginators-1.json}:

    /usr/bin/python3 -m unittest discover -s clients/python -v

Each test uses its own account (the access key id), so tests neither see
nor depend on one another and each list is exactly what its test made.
"""

import datetime
import json
import os
import re
import time
import unittest
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
OTHER_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-fedcba0987654321"
UNKNOWN_ORG = "m-" + "0" * 32
ENUM_MODES = "[IDENTITY_PROVIDER_ONLY, IDENTITY_PROVIDER_AND_DIRECTORY]"
IDP_USER = "12345678-1234-1234-1234-123456789012"  # an Identity Store user id
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def setUpModule():
    # Fail, never skip: a missing setting is a broken test run.
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")


def region():
    return os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def new_client(account):
    """A WorkMail client whose access key id is the account. One attempt per
    call, so every call is exactly one request."""
    return boto3.session.Session().client(
        "workmail",
        endpoint_url=os.environ["WORKMAILD_ENDPOINT"],
        region_name=region(),
        aws_access_key_id=account,
        aws_secret_access_key="conformance-secret",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def issue_token(account, org, user):
    """Asks workmaild's own endpoint for a personal access token (WorkMail
    has no API for it) and returns its id."""
    req = urllib.request.Request(
        os.environ["WORKMAILD_ENDPOINT"] + "/_workmaild/tokens", method="POST",
        data=json.dumps({"Account": account, "Region": region(), "OrganizationId": org, "User": user,
                         "Name": "laptop", "Scopes": ["IMAP", "SMTP"]}).encode())
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)["PersonalAccessTokenId"]


def body(response):
    """The response without boto3's ResponseMetadata."""
    out = dict(response)
    out.pop("ResponseMetadata", None)
    return out


def epoch_ms(dt):
    return round(dt.timestamp() * 1000)


class Scenario(unittest.TestCase):
    def client(self, account):
        c = new_client(account)
        self.addCleanup(c.close)
        return c

    def assertAPIError(self, call, code, message, **kwargs):
        """call(**kwargs) fails with exactly this code and message, as the
        modeled exception class, over HTTP 400 with a request id."""
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(**kwargs)
        err = ctx.exception
        self.assertEqual(err.response["Error"]["Code"], code)
        self.assertEqual(err.response["Error"]["Message"], message)
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertRegex(err.response["ResponseMetadata"]["RequestId"], UUID)
        modeled = getattr(call.__self__.exceptions, code)
        self.assertIsInstance(err, modeled)

    def create_org(self, c, alias):
        out = body(c.create_organization(Alias=alias))
        self.assertEqual(list(out), ["OrganizationId"])
        self.assertRegex(out["OrganizationId"], r"^m-[0-9a-f]{32}$")
        return out["OrganizationId"]

    def create_app(self, c, name="WorkMail", instance=INSTANCE_ARN, **kwargs):
        out = body(c.create_identity_center_application(Name=name, InstanceArn=instance, **kwargs))
        self.assertEqual(list(out), ["ApplicationArn"])
        return out["ApplicationArn"]

    def test_organization_lifecycle(self):
        account = "111100000001"
        c = self.client(account)
        before = int(time.time() * 1000)
        org = self.create_org(c, "py-lifecycle")
        after = int(time.time() * 1000)

        got = body(c.describe_organization(OrganizationId=org))
        completed = got.pop("CompletedDate")
        self.assertIsInstance(completed, datetime.datetime)
        self.assertIsNotNone(completed.tzinfo)
        # Millisecond precision on the wire: boto3 keeps microseconds, so
        # anything finer would show here.
        self.assertEqual(completed.microsecond % 1000, 0)
        self.assertLessEqual(before, epoch_ms(completed))
        self.assertLessEqual(epoch_ms(completed), after)
        self.assertEqual(got, {
            "OrganizationId": org,
            "Alias": "py-lifecycle",
            "State": "Active",
            "DirectoryType": "WorkMailDirectory",
            "DefaultMailDomain": "py-lifecycle.awsapps.com",
            "ARN": "arn:aws:workmail:%s:%s:organization/%s" % (region(), account, org),
            "InteroperabilityEnabled": False,
        })

        listed = body(c.list_organizations())
        self.assertEqual(listed, {"OrganizationSummaries": [{
            "OrganizationId": org,
            "Alias": "py-lifecycle",
            "DefaultMailDomain": "py-lifecycle.awsapps.com",
            "State": "Active",
        }]})

        self.assertAPIError(c.create_organization, "NameAvailabilityException",
                            "Organization alias py-lifecycle is already in use.", Alias="py-lifecycle")

        out = body(c.delete_organization(OrganizationId=org, DeleteDirectory=False))
        self.assertEqual(out, {"OrganizationId": org, "State": "Deleted"})
        self.assertEqual(c.describe_organization(OrganizationId=org)["State"], "Deleted")
        self.assertEqual(body(c.list_organizations()), {"OrganizationSummaries": []})
        self.assertAPIError(c.delete_organization, "OrganizationStateException",
                            "Organization %s is not Active, state: Deleted" % org,
                            OrganizationId=org, DeleteDirectory=False)

    def test_list_organizations_paginator(self):
        c = self.client("111100000002")
        orgs = sorted(self.create_org(c, "py-page-%d" % i) for i in range(5))
        paginator = c.get_paginator("list_organizations")
        pages = list(paginator.paginate(PaginationConfig={"PageSize": 1}))
        self.assertEqual(len(pages), 5)
        for page in pages[:-1]:
            self.assertIsInstance(page["NextToken"], str)
        self.assertNotIn("NextToken", pages[-1])
        walked = [s for p in pages for s in p["OrganizationSummaries"]]
        self.assertEqual([s["OrganizationId"] for s in walked], orgs)
        aliases = {s["OrganizationId"]: s["Alias"] for s in walked}
        self.assertEqual(sorted(aliases.values()), ["py-page-%d" % i for i in range(5)])

        # boto3's own resumable tokens wrap the server's NextToken.
        first = paginator.paginate(PaginationConfig={"PageSize": 2, "MaxItems": 2}).build_full_result()
        rest = paginator.paginate(PaginationConfig={"PageSize": 2, "StartingToken": first["NextToken"]}).build_full_result()
        self.assertEqual([s["OrganizationId"] for s in first["OrganizationSummaries"] + rest["OrganizationSummaries"]], orgs)

        self.assertAPIError(c.list_organizations, "InvalidParameterException",
                            "The NextToken is invalid or was issued for a different request.",
                            NextToken="not-a-token")
        # botocore checks only the minimum of a range; the maximum is the server's.
        self.assertAPIError(c.list_organizations, "InvalidParameterException",
                            "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
                            "constraint: Member must have value less than or equal to 100",
                            MaxResults=101)

    def test_identity_center_application(self):
        account = "111100000003"
        c = self.client(account)
        arn = self.create_app(c)
        self.assertRegex(arn, r"^arn:aws:sso::%s:application/ssoins-1234567890abcdef/apl-[a-zA-Z0-9]{16}$" % account)

        again = self.create_app(c, name="Idem", ClientToken="py-token-1")
        self.assertEqual(self.create_app(c, name="Idem", ClientToken="py-token-1"), again)
        self.assertNotEqual(again, arn)
        self.assertAPIError(c.create_identity_center_application, "InvalidParameterException",
                            "ClientToken py-token-1 was already used for CreateIdentityCenterApplication "
                            "with different parameters.",
                            Name="Changed", InstanceArn=INSTANCE_ARN, ClientToken="py-token-1")
        self.assertAPIError(c.create_identity_center_application, "InvalidParameterException",
                            "1 validation error detected: Value 'has space' at 'name' failed to satisfy "
                            "constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@-]+$",
                            Name="has space", InstanceArn=INSTANCE_ARN)

        self.assertEqual(body(c.delete_identity_center_application(ApplicationArn=again)), {})
        # Deleting an unknown application succeeds.
        self.assertEqual(body(c.delete_identity_center_application(ApplicationArn=again)), {})

    def test_identity_provider_configuration(self):
        c = self.client("111100000004")
        org = self.create_org(c, "py-idp")
        app = self.create_app(c)
        missing = "Organization %s has no identity provider configuration." % org
        self.assertAPIError(c.describe_identity_provider_configuration, "ResourceNotFoundException",
                            missing, OrganizationId=org)

        def put(**override):
            args = {
                "OrganizationId": org,
                "AuthenticationMode": "IDENTITY_PROVIDER_ONLY",
                "IdentityCenterConfiguration": {"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
                "PersonalAccessTokenConfiguration": {"Status": "ACTIVE", "LifetimeInDays": 30},
            }
            args.update(override)
            return args

        # Declared errors; none of these failed puts may change anything.
        self.assertAPIError(c.put_identity_provider_configuration, "InvalidParameterException",
                            "1 validation error detected: Value 'BOGUS' at 'authenticationMode' failed to "
                            "satisfy constraint: Member must satisfy enum value set: " + ENUM_MODES,
                            **put(AuthenticationMode="BOGUS"))
        self.assertAPIError(c.put_identity_provider_configuration, "InvalidParameterException",
                            "1 validation error detected: Value '3654' at "
                            "'personalAccessTokenConfiguration.lifetimeInDays' failed to satisfy constraint: "
                            "Member must have value less than or equal to 3653",
                            **put(PersonalAccessTokenConfiguration={"Status": "ACTIVE", "LifetimeInDays": 3654}))
        unknown_app = app[:-16] + "0000000000000000"
        self.assertAPIError(c.put_identity_provider_configuration, "ResourceNotFoundException",
                            "Identity Center application %s does not exist in this account and region." % unknown_app,
                            **put(IdentityCenterConfiguration={"InstanceArn": INSTANCE_ARN, "ApplicationArn": unknown_app}))
        self.assertAPIError(c.put_identity_provider_configuration, "InvalidParameterException",
                            "InstanceArn %s is not the Identity Center instance of application %s (%s)."
                            % (OTHER_INSTANCE_ARN, app, INSTANCE_ARN),
                            **put(IdentityCenterConfiguration={"InstanceArn": OTHER_INSTANCE_ARN, "ApplicationArn": app}))
        self.assertAPIError(c.put_identity_provider_configuration, "OrganizationNotFoundException",
                            "Organization %s does not exist." % UNKNOWN_ORG, **put(OrganizationId=UNKNOWN_ORG))
        self.assertAPIError(c.describe_identity_provider_configuration, "ResourceNotFoundException",
                            missing, OrganizationId=org)

        self.assertEqual(body(c.put_identity_provider_configuration(**put())), {})
        self.assertEqual(body(c.describe_identity_provider_configuration(OrganizationId=org)), {
            "AuthenticationMode": "IDENTITY_PROVIDER_ONLY",
            "IdentityCenterConfiguration": {"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
            "PersonalAccessTokenConfiguration": {"Status": "ACTIVE", "LifetimeInDays": 30},
        })
        # Put is a full replace: an omitted LifetimeInDays stays omitted.
        self.assertEqual(body(c.put_identity_provider_configuration(**put(
            AuthenticationMode="IDENTITY_PROVIDER_AND_DIRECTORY",
            PersonalAccessTokenConfiguration={"Status": "INACTIVE"}))), {})
        self.assertEqual(body(c.describe_identity_provider_configuration(OrganizationId=org)), {
            "AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
            "IdentityCenterConfiguration": {"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
            "PersonalAccessTokenConfiguration": {"Status": "INACTIVE"},
        })
        self.assertAPIError(c.delete_identity_center_application, "OrganizationStateException",
                            "Application %s is used by the identity provider configuration of organization %s; "
                            "delete that configuration first." % (app, org), ApplicationArn=app)

        self.assertEqual(body(c.delete_identity_provider_configuration(OrganizationId=org)), {})
        self.assertAPIError(c.describe_identity_provider_configuration, "ResourceNotFoundException",
                            missing, OrganizationId=org)
        self.assertEqual(body(c.delete_identity_provider_configuration(OrganizationId=org)), {})

        c.delete_organization(OrganizationId=org, DeleteDirectory=False)
        deleted = "Organization %s is not Active, state: Deleted" % org
        for call in (c.describe_identity_provider_configuration, c.delete_identity_provider_configuration):
            self.assertAPIError(call, "OrganizationStateException", deleted, OrganizationId=org)
        self.assertAPIError(c.put_identity_provider_configuration, "OrganizationStateException", deleted, **put())

    def test_organization_errors(self):
        c = self.client("111100000005")
        self.assertAPIError(c.describe_organization, "OrganizationNotFoundException",
                            "Organization %s does not exist." % UNKNOWN_ORG, OrganizationId=UNKNOWN_ORG)
        # Of the right length, so botocore's client-side minimum lets it through.
        bad = "m-" + "Z" * 32
        self.assertAPIError(c.describe_organization, "InvalidParameterException",
                            "1 validation error detected: Value '%s' at 'organizationId' failed to satisfy "
                            "constraint: Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$" % bad,
                            OrganizationId=bad)
        # botocore refuses what breaks a minimum before sending anything.
        with self.assertRaises(botocore.exceptions.ParamValidationError):
            c.describe_organization(OrganizationId="m-0")

        # Another account sees nothing of this one.
        org = self.create_org(c, "py-private")
        self.assertAPIError(self.client("111100000006").describe_organization, "OrganizationNotFoundException",
                            "Organization %s does not exist." % org, OrganizationId=org)

    def test_users_and_personal_access_tokens(self):
        account = "111100000007"
        c = self.client(account)
        org = self.create_org(c, "py-users")
        app = self.create_app(c)
        c.put_identity_provider_configuration(
            OrganizationId=org, AuthenticationMode="IDENTITY_PROVIDER_ONLY",
            IdentityCenterConfiguration={"InstanceArn": INSTANCE_ARN, "ApplicationArn": app},
            PersonalAccessTokenConfiguration={"Status": "ACTIVE", "LifetimeInDays": 30})
        user = c.create_user(OrganizationId=org, Name="alice", DisplayName="Alice",
                             IdentityProviderUserId=IDP_USER)["UserId"]
        self.assertRegex(user, UUID)
        got = body(c.describe_user(OrganizationId=org, UserId=user))
        self.assertRegex(got.pop("IdentityProviderIdentityStoreId"), r"^d-[0-9a-f]{10}$")
        self.assertEqual(got, {
            "UserId": user, "Name": "alice", "DisplayName": "Alice", "State": "DISABLED", "UserRole": "USER",
            "HiddenFromGlobalAddressList": False, "IdentityProviderUserId": IDP_USER,
        })
        listed = c.list_users(OrganizationId=org, Filters={"IdentityProviderUserIdPrefix": IDP_USER[:8]})["Users"]
        self.assertEqual([(u["Id"], u["IdentityProviderUserId"]) for u in listed], [(user, IDP_USER)])
        c.register_to_work_mail(OrganizationId=org, EntityId=user, Email="alice@py-users.awsapps.com")

        token = issue_token(account, org, "alice")
        summaries = c.list_personal_access_tokens(OrganizationId=org)["PersonalAccessTokenSummaries"]
        self.assertEqual(len(summaries), 1)
        summary = summaries[0]
        self.assertEqual(summary["ExpiresTime"] - summary["DateCreated"], datetime.timedelta(days=30))
        self.assertEqual({k: v for k, v in summary.items() if k not in ("DateCreated", "ExpiresTime")}, {
            "PersonalAccessTokenId": token, "UserId": user, "Name": "laptop", "Scopes": ["IMAP", "SMTP"],
        })
        self.assertEqual(body(c.get_personal_access_token_metadata(OrganizationId=org, PersonalAccessTokenId=token)), summary)
        self.assertAPIError(c.list_personal_access_tokens, "EntityNotFoundException",
                            "User nobody does not exist in organization %s." % org, OrganizationId=org, UserId="nobody")
        for _ in range(2):  # deleting an unknown token succeeds
            self.assertEqual(body(c.delete_personal_access_token(OrganizationId=org, PersonalAccessTokenId=token)), {})
        self.assertAPIError(c.get_personal_access_token_metadata, "ResourceNotFoundException",
                            "Personal access token %s does not exist in organization %s." % (token, org),
                            OrganizationId=org, PersonalAccessTokenId=token)

        c.update_user(OrganizationId=org, UserId=user, IdentityProviderUserId="")  # "" clears the link
        got = c.describe_user(OrganizationId=org, UserId=user)
        self.assertNotIn("IdentityProviderUserId", got)
        self.assertNotIn("IdentityProviderIdentityStoreId", got)


if __name__ == "__main__":
    unittest.main()
