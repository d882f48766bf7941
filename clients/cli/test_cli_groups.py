"""The groups scenario through the AWS CLI v2 (Debian's awscli).

Drives the `aws` binary (WORKMAILD_AWS_CLI, default /usr/bin/aws) and
checks its JSON output, exit status and error text exactly. Python standard
library only. Run against a fresh workmaild with WORKMAILD_ENDPOINT set to
its URL and AWS_DATA_PATH pointing at a directory that holds
workmail/2017-10-01/{service-2.json,paginators-1.json}:

    /usr/bin/python3 -m unittest discover -s clients/cli -v

Each test uses its own account (the access key id).
"""

import json
import os
import subprocess
import unittest

EXIT_SERVICE_ERROR = 254  # an error answered by the service


def aws_cli():
    return os.environ.get("WORKMAILD_AWS_CLI") or "/usr/bin/aws"


def setUpModule():
    # Fail, never skip: a missing setting or CLI is a broken test run.
    for name in ("WORKMAILD_ENDPOINT", "AWS_DATA_PATH"):
        if not os.environ.get(name):
            raise RuntimeError(name + " is not set; see the module docstring")
    version = subprocess.run([aws_cli(), "--version"], capture_output=True, text=True, check=True).stdout
    if not version.startswith("aws-cli/2."):
        raise RuntimeError("%s is not the AWS CLI v2: %s" % (aws_cli(), version.strip()))


class GroupsCLI(unittest.TestCase):
    account = None  # set by each test: the access key id, hence the account

    def aws(self, *args):
        """Runs `aws workmail ARGS` against workmaild as self.account."""
        env = dict(os.environ,
                   AWS_ACCESS_KEY_ID=self.account,
                   AWS_SECRET_ACCESS_KEY="conformance-secret",
                   AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
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

    def test_groups(self):
        self.account = "141400000004"
        org = self.ok("create-organization", "--alias", "cli-groups")["OrganizationId"]
        o = ("--organization-id", org)

        # Terraform's create: CreateGroup, RegisterToWorkMail, DescribeGroup until ENABLED.
        created = self.ok("create-group", *o, "--name", "Support")
        self.assertEqual(list(created), ["GroupId"])
        gid = created["GroupId"]
        self.assertEqual(self.ok("describe-group", *o, "--group-id", gid),
                         {"GroupId": gid, "Name": "Support", "State": "DISABLED", "HiddenFromGlobalAddressList": False})
        self.fails("MailDomainNotFoundException",
                   "The domain example.com of support@example.com is not found in organization %s." % org,
                   "register-to-work-mail", *o, "--entity-id", gid, "--email", "support@example.com")
        self.assertIsNone(self.ok("register-to-work-mail", *o, "--entity-id", gid, "--email", "support@cli-groups.awsapps.com"))
        got = self.ok("describe-group", *o, "--group-id", "support@cli-groups.awsapps.com")
        self.assertEqual((got["State"], got["Email"]), ("ENABLED", "support@cli-groups.awsapps.com"))
        self.assertIsNone(self.ok("update-group", *o, "--group-id", gid, "--hidden-from-global-address-list"))
        self.assertTrue(self.ok("describe-group", *o, "--group-id", gid)["HiddenFromGlobalAddressList"])

        # Members: a user and a nested group.
        ann = self.ok("create-user", *o, "--name", "ann", "--display-name", "Ann")["UserId"]
        tier2 = self.ok("create-group", *o, "--name", "Support Tier 2")["GroupId"]
        self.fails("NameAvailabilityException",
                   "The name support is already used by another user, group or resource in organization %s." % org,
                   "create-group", *o, "--name", "support")
        self.ok("associate-member-to-group", *o, "--group-id", "Support", "--member-id", "ann")
        self.ok("associate-member-to-group", *o, "--group-id", gid, "--member-id", tier2)
        self.fails("InvalidParameterException",
                   "Group %s is a member of group %s, directly or through other groups: adding %s to %s would make a cycle." % (tier2, gid, gid, tier2),
                   "associate-member-to-group", *o, "--group-id", tier2, "--member-id", gid)
        # The CLI's paginator walks every page, one item each.
        members = self.ok("list-group-members", *o, "--group-id", gid, "--page-size", "1")["Members"]
        self.assertEqual(sorted((m["Id"], m["Name"], m["Type"], m["State"]) for m in members),
                         sorted([(ann, "ann", "USER", "DISABLED"), (tier2, "Support Tier 2", "GROUP", "DISABLED")]))
        groups = self.ok("list-groups", *o, "--filters", "NamePrefix=support", "--page-size", "1")["Groups"]
        self.assertEqual([g["Name"] for g in groups], ["Support", "Support Tier 2"])
        disabled = self.ok("list-groups", *o, "--filters", "State=DISABLED")["Groups"]
        self.assertEqual([g["Id"] for g in disabled], [tier2])
        # ListGroupsForEntity has no paginator in the CLI: one page and a NextToken.
        page = self.ok("list-groups-for-entity", *o, "--entity-id", ann, "--max-results", "1")
        self.assertEqual(page, {"Groups": [{"GroupId": gid, "GroupName": "Support"}]})
        self.assertEqual(self.ok("describe-entity", *o, "--email", "SUPPORT@cli-groups.awsapps.com"),
                         {"EntityId": gid, "Name": "Support", "Type": "GROUP"})
        self.fails("EntityNotFoundException",
                   "No user, group or resource has the address nobody@cli-groups.awsapps.com in organization %s." % org,
                   "describe-entity", *o, "--email", "nobody@cli-groups.awsapps.com")
        self.ok("disassociate-member-from-group", *o, "--group-id", gid, "--member-id", ann)
        self.assertEqual(self.ok("list-groups-for-entity", *o, "--entity-id", ann), {"Groups": []})

        # Terraform's destroy: deregister, wait for DISABLED, delete, wait for DELETED.
        self.fails("EntityStateException", "Group %s is ENABLED: deregister it from WorkMail before deleting it." % gid,
                   "delete-group", *o, "--group-id", gid)
        self.ok("deregister-from-work-mail", *o, "--entity-id", gid)
        self.assertEqual(self.ok("describe-group", *o, "--group-id", gid)["State"], "DISABLED")
        self.ok("delete-group", *o, "--group-id", gid)
        self.assertEqual(self.ok("describe-group", *o, "--group-id", gid)["State"], "DELETED")
        self.fails("EntityNotFoundException", "Group Support does not exist in organization %s." % org,
                   "describe-group", *o, "--group-id", "Support")
        self.assertEqual(self.ok("list-group-members", *o, "--group-id", tier2), {"Members": []})
        self.assertEqual(self.ok("list-groups-for-entity", *o, "--entity-id", tier2), {"Groups": []})


if __name__ == "__main__":
    unittest.main()
