"""Rooms, equipment and their delegates through boto3.

Run as test_workmail.py is (its docstring says how); it uses that module's
helpers. Each test uses its own account.
"""

import datetime
import unittest

import botocore.exceptions

from test_workmail import UUID, body, new_client, setUpModule  # noqa: F401 (setUpModule runs here too)

RESOURCE_ID = r"^r-[0-9a-f]{32}$"


class Resources(unittest.TestCase):
    def client(self, account):
        c = new_client(account)
        self.addCleanup(c.close)
        return c

    def assertAPIError(self, call, code, message, **kwargs):
        """call(**kwargs) fails with exactly this code and message, as the
        modeled exception class, over HTTP 400."""
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(**kwargs)
        err = ctx.exception
        self.assertEqual(err.response["Error"]["Code"], code)
        self.assertEqual(err.response["Error"]["Message"], message)
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertRegex(err.response["ResponseMetadata"]["RequestId"], UUID)
        self.assertIsInstance(err, getattr(call.__self__.exceptions, code))

    def test_room_booking_setup(self):
        c = self.client("111100000041")
        org = c.create_organization(Alias="py-rooms")["OrganizationId"]
        room = c.create_resource(OrganizationId=org, Name="board-room", Type="ROOM", Description="12 seats",
                                 HiddenFromGlobalAddressList=True)["ResourceId"]
        self.assertRegex(room, RESOURCE_ID)
        self.assertEqual(body(c.describe_resource(OrganizationId=org, ResourceId="Board-Room")), {
            "ResourceId": room, "Name": "board-room", "Type": "ROOM", "State": "DISABLED", "Description": "12 seats",
            "HiddenFromGlobalAddressList": True,
            "BookingOptions": {"AutoAcceptRequests": True, "AutoDeclineRecurringRequests": False, "AutoDeclineConflictingRequests": True},
        })
        self.assertAPIError(c.register_to_work_mail, "MailDomainNotFoundException",
                            "The domain example.com of board-room@example.com is not found in organization %s." % org,
                            OrganizationId=org, EntityId=room, Email="board-room@example.com")
        c.register_to_work_mail(OrganizationId=org, EntityId=room, Email="board-room@py-rooms.awsapps.com")
        got = body(c.describe_resource(OrganizationId=org, ResourceId="board-room@py-rooms.awsapps.com"))
        self.assertIsInstance(got["EnabledDate"], datetime.datetime)
        self.assertEqual((got["State"], got["Email"]), ("ENABLED", "board-room@py-rooms.awsapps.com"))
        self.assertAPIError(c.register_to_work_mail, "EntityAlreadyRegisteredException",
                            "Resource %s is already registered to WorkMail as board-room@py-rooms.awsapps.com." % room,
                            OrganizationId=org, EntityId=room, Email="other@py-rooms.awsapps.com")

        # Booking requests answered by a delegate instead of automatically.
        manual = {"AutoAcceptRequests": False, "AutoDeclineRecurringRequests": True, "AutoDeclineConflictingRequests": False}
        self.assertAPIError(c.update_resource, "InvalidConfigurationException",
                            "Resource %s must either accept requests automatically or have a delegate to answer them: "
                            "associate a delegate before turning AutoAcceptRequests off." % room,
                            OrganizationId=org, ResourceId=room, BookingOptions=manual)
        user = c.create_user(OrganizationId=org, Name="reception", DisplayName="Reception")["UserId"]
        self.assertEqual(body(c.associate_delegate_to_resource(OrganizationId=org, ResourceId=room, EntityId=user)), {})
        self.assertEqual(body(c.update_resource(OrganizationId=org, ResourceId=room, BookingOptions=manual, Description="")), {})
        got = body(c.describe_resource(OrganizationId=org, ResourceId=room))
        self.assertEqual(got["BookingOptions"], manual)
        self.assertNotIn("Description", got)
        self.assertAPIError(c.associate_delegate_to_resource, "EntityNotFoundException",
                            "No user or group nobody exists in organization %s." % org,
                            OrganizationId=org, ResourceId=room, EntityId="nobody")
        pages = c.get_paginator("list_resource_delegates").paginate(OrganizationId=org, ResourceId=room)
        self.assertEqual([d for p in pages for d in p["Delegates"]], [{"Id": user, "Type": "USER"}])

        # Disassociating takes the delegate away, also the last one; one
        # that is no delegate succeeds.
        for _ in range(2):
            self.assertEqual(body(c.disassociate_delegate_from_resource(OrganizationId=org, ResourceId=room, EntityId="reception")), {})
        self.assertEqual(body(c.list_resource_delegates(OrganizationId=org, ResourceId=room)), {"Delegates": []})
        self.assertEqual(c.describe_resource(OrganizationId=org, ResourceId=room)["BookingOptions"], manual)
        c.associate_delegate_to_resource(OrganizationId=org, ResourceId=room, EntityId=user)

        # Deleting the delegate drops it; tear the room down.
        c.delete_user(OrganizationId=org, UserId=user)
        self.assertEqual(body(c.list_resource_delegates(OrganizationId=org, ResourceId=room)), {"Delegates": []})
        self.assertAPIError(c.delete_resource, "EntityStateException",
                            "Resource %s is ENABLED: deregister it from WorkMail before deleting it." % room,
                            OrganizationId=org, ResourceId=room)
        c.deregister_from_work_mail(OrganizationId=org, EntityId=room)
        self.assertEqual(c.describe_resource(OrganizationId=org, ResourceId=room)["State"], "DISABLED")
        self.assertEqual(body(c.delete_resource(OrganizationId=org, ResourceId="board-room")), {})
        self.assertEqual(c.describe_resource(OrganizationId=org, ResourceId=room)["State"], "DELETED")
        self.assertAPIError(c.update_resource, "EntityStateException", "Resource %s is deleted." % room,
                            OrganizationId=org, ResourceId=room, Description="x")

    def test_list_resources(self):
        c = self.client("111100000042")
        org = c.create_organization(Alias="py-resources", EnableInteroperability=False)["OrganizationId"]
        ids = {}
        for name, kind in [("room-a", "ROOM"), ("room-b", "ROOM"), ("cart-a", "EQUIPMENT"), ("cart-b", "EQUIPMENT"), ("desk", "EQUIPMENT")]:
            ids[name] = c.create_resource(OrganizationId=org, Name=name, Type=kind)["ResourceId"]
        c.register_to_work_mail(OrganizationId=org, EntityId=ids["cart-b"], Email="cart-b@py-resources.awsapps.com")
        paginator = c.get_paginator("list_resources")

        def listed(**kwargs):
            pages = list(paginator.paginate(OrganizationId=org, PaginationConfig={"PageSize": 2}, **kwargs))
            for p in pages:
                self.assertLessEqual(len(p["Resources"]), 2)
            return [r["Id"] for p in pages for r in p["Resources"]]

        self.assertEqual(listed(), sorted(ids.values()))
        self.assertEqual(sorted(listed(Filters={"NamePrefix": "Room-"})), sorted([ids["room-a"], ids["room-b"]]))
        self.assertEqual(listed(Filters={"PrimaryEmailPrefix": "cart"}), [ids["cart-b"]])
        self.assertEqual(listed(Filters={"State": "ENABLED"}), [ids["cart-b"]])
        self.assertEqual(listed(Filters={"State": "DELETED"}), [])
        items = c.list_resources(OrganizationId=org, Filters={"State": "ENABLED"})["Resources"]
        self.assertIsInstance(items[0].pop("EnabledDate"), datetime.datetime)
        self.assertEqual(items, [{"Id": ids["cart-b"], "Email": "cart-b@py-resources.awsapps.com", "Name": "cart-b",
                                  "Type": "EQUIPMENT", "State": "ENABLED"}])
        self.assertAPIError(c.list_resources, "InvalidParameterException",
                            "ListResources takes one filter per request; 2 were given.",
                            OrganizationId=org, Filters={"NamePrefix": "room", "State": "ENABLED"})

        # Interoperability mode refuses resources.
        interop = c.create_organization(Alias="py-interop", EnableInteroperability=True)["OrganizationId"]
        self.assertAPIError(c.create_resource, "UnsupportedOperationException",
                            "Resources can't be created or enabled while organization %s is in interoperability mode." % interop,
                            OrganizationId=interop, Name="room", Type="ROOM")


if __name__ == "__main__":
    unittest.main()
