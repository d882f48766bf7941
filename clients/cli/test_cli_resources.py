"""Rooms, equipment and their delegates through the AWS CLI v2.

Run as test_cli.py is (its docstring says how); it uses that module's
helpers. Each test uses its own account.
"""

import os
import subprocess
import unittest

from test_cli import EXIT_SERVICE_ERROR, Result, aws_cli, region, setUpModule  # noqa: F401 (setUpModule runs here too)

RESOURCE_ID = r"^r-[0-9a-f]{32}$"


class Resources(unittest.TestCase):
    account = None

    def aws(self, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.account, AWS_SECRET_ACCESS_KEY="conformance-secret",
                   AWS_DEFAULT_REGION=region(), AWS_PAGER="")
        cmd = [aws_cli(), "workmail", *args, "--endpoint-url", os.environ["WORKMAILD_ENDPOINT"], "--output", "json"]
        return Result(subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120))

    def ok(self, *args):
        """The command succeeds; its JSON output, None when the answer is empty
        (the CLI prints nothing for `{}`)."""
        r = self.aws(*args)
        self.assertEqual(r.code, 0, "aws %s: %s" % (" ".join(args), r.stderr))
        self.assertEqual(r.stderr, "")
        return r.json()

    def fails(self, code, message, *args):
        r = self.aws(*args)
        op = "".join(part.capitalize() for part in args[0].split("-"))
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "An error occurred (%s) when calling the %s operation: %s" % (code, op, message))
        self.assertEqual(r.code, EXIT_SERVICE_ERROR)

    def test_room_booking_setup(self):
        self.account = "222200000041"
        org = self.ok("create-organization", "--alias", "cli-rooms")["OrganizationId"]
        o = ("--organization-id", org)
        room = self.ok("create-resource", *o, "--name", "board-room", "--type", "ROOM", "--description", "12 seats")["ResourceId"]
        self.assertRegex(room, RESOURCE_ID)
        self.assertEqual(self.ok("describe-resource", *o, "--resource-id", room), {
            "ResourceId": room,
            "Name": "board-room",
            "Type": "ROOM",
            "BookingOptions": {"AutoAcceptRequests": True, "AutoDeclineRecurringRequests": False, "AutoDeclineConflictingRequests": True},
            "State": "DISABLED",
            "Description": "12 seats",
            "HiddenFromGlobalAddressList": False,
        })
        self.fails("NameAvailabilityException",
                   "The name BOARD-ROOM is already used by another user, group or resource in organization %s." % org,
                   "create-resource", *o, "--name", "BOARD-ROOM", "--type", "EQUIPMENT")
        self.assertIsNone(self.ok("register-to-work-mail", *o, "--entity-id", "board-room", "--email", "board-room@cli-rooms.awsapps.com"))
        described = self.ok("describe-resource", *o, "--resource-id", "board-room@cli-rooms.awsapps.com")
        self.assertRegex(described.pop("EnabledDate"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
        self.assertEqual((described["State"], described["Email"]), ("ENABLED", "board-room@cli-rooms.awsapps.com"))

        # Turning auto-accept off: refused without a delegate, then allowed.
        off = ("update-resource", *o, "--resource-id", room,
               "--booking-options", "AutoAcceptRequests=false,AutoDeclineRecurringRequests=true,AutoDeclineConflictingRequests=true")
        self.fails("InvalidConfigurationException",
                   "Resource %s must either accept requests automatically or have a delegate to answer them: "
                   "associate a delegate before turning AutoAcceptRequests off." % room, *off)
        user = self.ok("create-user", *o, "--name", "reception", "--display-name", "Reception")["UserId"]
        self.assertIsNone(self.ok("associate-delegate-to-resource", *o, "--resource-id", room, "--entity-id", "reception"))
        self.assertIsNone(self.ok("associate-delegate-to-resource", *o, "--resource-id", room, "--entity-id", user))
        self.assertIsNone(self.ok(*off))
        self.assertEqual(self.ok("describe-resource", *o, "--resource-id", room)["BookingOptions"],
                         {"AutoAcceptRequests": False, "AutoDeclineRecurringRequests": True, "AutoDeclineConflictingRequests": True})
        self.assertEqual(self.ok("list-resource-delegates", *o, "--resource-id", room),
                         {"Delegates": [{"Id": user, "Type": "USER"}]})
        self.assertIsNone(self.ok("update-resource", *o, "--resource-id", room, "--name", "main-hall", "--hidden-from-global-address-list"))
        self.assertTrue(self.ok("describe-resource", *o, "--resource-id", "main-hall")["HiddenFromGlobalAddressList"])

        # The delegate goes (twice succeeds); the booking options stay.
        for _ in range(2):
            self.assertIsNone(self.ok("disassociate-delegate-from-resource", *o, "--resource-id", room, "--entity-id", "reception"))
        self.assertEqual(self.ok("list-resource-delegates", *o, "--resource-id", room), {"Delegates": []})
        self.assertFalse(self.ok("describe-resource", *o, "--resource-id", room)["BookingOptions"]["AutoAcceptRequests"])

        # Tear-down.
        self.fails("EntityStateException", "Resource %s is ENABLED: deregister it from WorkMail before deleting it." % room,
                   "delete-resource", *o, "--resource-id", room)
        self.assertIsNone(self.ok("deregister-from-work-mail", *o, "--entity-id", room))
        self.assertIsNone(self.ok("delete-resource", *o, "--resource-id", "main-hall"))
        self.assertIsNone(self.ok("delete-resource", *o, "--resource-id", "main-hall"))
        self.assertEqual(self.ok("describe-resource", *o, "--resource-id", room)["State"], "DELETED")
        self.fails("EntityStateException", "Resource %s is deleted." % room,
                   "list-resource-delegates", *o, "--resource-id", room)
        self.fails("EntityNotFoundException", "Resource main-hall does not exist in organization %s." % org,
                   "describe-resource", *o, "--resource-id", "main-hall")

    def test_list_resources(self):
        self.account = "222200000042"
        org = self.ok("create-organization", "--alias", "cli-resources")["OrganizationId"]
        o = ("--organization-id", org)
        rooms = sorted(self.ok("create-resource", *o, "--name", "room-%d" % i, "--type", "ROOM")["ResourceId"] for i in range(3))
        carts = sorted(self.ok("create-resource", *o, "--name", "cart-%d" % i, "--type", "EQUIPMENT")["ResourceId"] for i in range(2))
        self.ok("register-to-work-mail", *o, "--entity-id", carts[0], "--email", "cart@cli-resources.awsapps.com")

        # The CLI walks every page itself.
        out = self.ok("list-resources", *o, "--page-size", "2")
        self.assertEqual([r["Id"] for r in out["Resources"]], sorted(rooms + carts))
        self.assertEqual({r["Type"] for r in out["Resources"]}, {"ROOM", "EQUIPMENT"})
        for filters, want in [
            ("NamePrefix=ROOM", rooms),
            ("PrimaryEmailPrefix=cart@", carts[:1]),
            ("State=ENABLED", carts[:1]),
            ("State=DISABLED", sorted(rooms + carts[1:])),
        ]:
            got = self.ok("list-resources", *o, "--filters", filters, "--page-size", "1")
            self.assertEqual(sorted(r["Id"] for r in got["Resources"]), want, filters)
        self.fails("InvalidParameterException", "ListResources takes one filter per request; 2 were given.",
                   "list-resources", *o, "--filters", "NamePrefix=room,State=ENABLED")

        # The server's own tokens, one page at a time.
        walked, token = [], None
        while True:
            args = ["list-resources", *o, "--no-paginate", "--max-results", "2"]
            if token:
                args += ["--next-token", token]
            page = self.ok(*args)
            walked += [r["Id"] for r in page["Resources"]]
            token = page.get("NextToken")
            if token is None:
                break
        self.assertEqual(walked, sorted(rooms + carts))


if __name__ == "__main__":
    unittest.main()
