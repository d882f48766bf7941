// Rooms, equipment and their delegates through the AWS SDK for JavaScript
// v3 (@aws-sdk/client-workmail, the exact version package.json pins).
//
// Run against a fresh workmaild with WORKMAILD_ENDPOINT set to its URL:
//
//	cd clients/js && npm ci && node --test
//
// Each test uses its own account (the access key id), so tests neither see
// nor depend on one another and each list is exactly what its test made.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  AssociateDelegateToResourceCommand,
  CreateOrganizationCommand,
  CreateResourceCommand,
  CreateUserCommand,
  DeleteOrganizationCommand,
  DeleteResourceCommand,
  DeleteUserCommand,
  DeregisterFromWorkMailCommand,
  DescribeResourceCommand,
  DisassociateDelegateFromResourceCommand,
  EmailAddressInUseException,
  EntityAlreadyRegisteredException,
  EntityNotFoundException,
  EntityStateException,
  InvalidConfigurationException,
  InvalidParameterException,
  ListResourceDelegatesCommand,
  ListResourcesCommand,
  MailDomainNotFoundException,
  NameAvailabilityException,
  OrganizationNotFoundException,
  OrganizationStateException,
  RegisterToWorkMailCommand,
  UnsupportedOperationException,
  UpdateResourceCommand,
  WorkMailClient,
  paginateListResourceDelegates,
  paginateListResources,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RESOURCE_ID = /^r-[0-9a-f]{32}$/;
const UNKNOWN_ORG = 'm-' + '0'.repeat(32);
const UNKNOWN_RESOURCE = 'r-' + '0'.repeat(32);
// WorkMail's booking options for a new resource.
const DEFAULT_BOOKING = { AutoAcceptRequests: true, AutoDeclineRecurringRequests: false, AutoDeclineConflictingRequests: true };
// Requests answered by a delegate: only possible while the resource has one.
const MANUAL_BOOKING = { AutoAcceptRequests: false, AutoDeclineRecurringRequests: true, AutoDeclineConflictingRequests: false };
const MODELED = {
  EmailAddressInUseException,
  EntityAlreadyRegisteredException,
  EntityNotFoundException,
  EntityStateException,
  InvalidConfigurationException,
  InvalidParameterException,
  MailDomainNotFoundException,
  NameAvailabilityException,
  OrganizationNotFoundException,
  OrganizationStateException,
  UnsupportedOperationException,
};
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';

before(() => {
  // Fail, never skip: a missing setting is a broken run.
  assert.ok(process.env.WORKMAILD_ENDPOINT, 'WORKMAILD_ENDPOINT is not set');
});

// client is a WorkMail client whose access key id is the account. One
// attempt per call, so every call is exactly one request.
function client(account) {
  return new WorkMailClient({
    endpoint: process.env.WORKMAILD_ENDPOINT,
    region,
    credentials: { accessKeyId: account, secretAccessKey: 'conformance-secret' },
    maxAttempts: 1,
  });
}

// body is an output without the SDK's $metadata.
function body(out) {
  const { $metadata, ...rest } = out;
  assert.equal($metadata.httpStatusCode, 200);
  assert.match($metadata.requestId, UUID);
  return rest;
}

// rejects checks that the call fails with exactly this modeled error.
async function rejects(promise, name, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof MODELED[name], `${err.name} is not an instance of ${name}: ${err.message}`);
    assert.equal(err.name, name);
    assert.equal(err.message, message);
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.$metadata.requestId, UUID);
    return true;
  });
}

async function createOrg(c, alias, input = {}) {
  const { OrganizationId } = body(await c.send(new CreateOrganizationCommand({ Alias: alias, ...input })));
  return OrganizationId;
}

async function createResource(c, org, Name, Type, input = {}) {
  const out = body(await c.send(new CreateResourceCommand({ OrganizationId: org, Name, Type, ...input })));
  assert.deepEqual(Object.keys(out), ['ResourceId']);
  assert.match(out.ResourceId, RESOURCE_ID);
  return out.ResourceId;
}

async function createUser(c, org, Name) {
  return (await c.send(new CreateUserCommand({ OrganizationId: org, Name, DisplayName: Name }))).UserId;
}

// delegates walks ListResourceDelegates with the SDK's paginator.
async function delegates(c, org, resource, pageSize = 100) {
  const all = [];
  for await (const page of paginateListResourceDelegates({ client: c, pageSize }, { OrganizationId: org, ResourceId: resource })) {
    assert.ok(page.Delegates.length <= pageSize);
    all.push(...page.Delegates);
  }
  return all;
}

test('room booking set-up: addresses, booking options, delegates and the tear-down', async () => {
  const c = client('333300000041');
  const org = await createOrg(c, 'js-rooms');
  const o = { OrganizationId: org };
  const describe = async (ResourceId) => body(await c.send(new DescribeResourceCommand({ ...o, ResourceId })));
  const update = (input) => c.send(new UpdateResourceCommand({ ...o, ...input }));

  const room = await createResource(c, org, 'board-room', 'ROOM', { Description: '12 seats', HiddenFromGlobalAddressList: true });
  // A resource is named by its id, its name (in any case) or its email.
  assert.deepEqual(await describe('Board-Room'), {
    ResourceId: room, Name: 'board-room', Type: 'ROOM', State: 'DISABLED', Description: '12 seats',
    HiddenFromGlobalAddressList: true, BookingOptions: DEFAULT_BOOKING,
  });
  // Users, groups and resources share one namespace of names.
  await rejects(c.send(new CreateResourceCommand({ ...o, Name: 'BOARD-ROOM', Type: 'EQUIPMENT' })), 'NameAvailabilityException',
    `The name BOARD-ROOM is already used by another user, group or resource in organization ${org}.`);
  const reception = await createUser(c, org, 'reception');
  await rejects(c.send(new CreateResourceCommand({ ...o, Name: 'reception', Type: 'ROOM' })), 'NameAvailabilityException',
    `The name reception is already used by another user, group or resource in organization ${org}.`);

  // Registering gives the room its address in a mail domain of the organization.
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: 'board-room@example.com' })),
    'MailDomainNotFoundException', `The domain example.com of board-room@example.com is not found in organization ${org}.`);
  const start = Date.now();
  assert.deepEqual(body(await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: 'board-room', Email: 'board-room@js-rooms.awsapps.com' }))), {});
  const { EnabledDate, ...enabled } = await describe('board-room@js-rooms.awsapps.com');
  assert.ok(EnabledDate instanceof Date);
  assert.ok(start - 1000 <= EnabledDate.getTime() && EnabledDate.getTime() <= Date.now() + 1000, EnabledDate.toISOString());
  assert.deepEqual(enabled, {
    ResourceId: room, Name: 'board-room', Type: 'ROOM', State: 'ENABLED', Email: 'board-room@js-rooms.awsapps.com',
    Description: '12 seats', HiddenFromGlobalAddressList: true, BookingOptions: DEFAULT_BOOKING,
  });
  // The same address again changes nothing; another one is refused.
  assert.deepEqual(body(await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: 'BOARD-ROOM@js-rooms.awsapps.com' }))), {});
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: 'hall@js-rooms.awsapps.com' })),
    'EntityAlreadyRegisteredException', `Resource ${room} is already registered to WorkMail as board-room@js-rooms.awsapps.com.`);
  const projector = await createResource(c, org, 'projector', 'EQUIPMENT');
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: projector, Email: 'board-room@js-rooms.awsapps.com' })),
    'EmailAddressInUseException', 'The email address board-room@js-rooms.awsapps.com is already used by another user, group or resource.');

  // Turning auto-accept off needs a delegate to answer the requests; a
  // refused update changes nothing, not even its other members.
  const refusal = `Resource ${room} must either accept requests automatically or have a delegate to answer them: ` +
    'associate a delegate before turning AutoAcceptRequests off.';
  await rejects(update({ ResourceId: room, BookingOptions: MANUAL_BOOKING, Description: 'changed' }), 'InvalidConfigurationException', refusal);
  // BookingOptions replaces all three options; an option left out is false.
  await rejects(update({ ResourceId: room, BookingOptions: { AutoDeclineConflictingRequests: true } }), 'InvalidConfigurationException', refusal);
  assert.deepEqual(await describe(room), { ...enabled, EnabledDate });
  assert.deepEqual(body(await update({ ResourceId: room, BookingOptions: { AutoAcceptRequests: true } })), {});
  assert.deepEqual((await describe(room)).BookingOptions,
    { AutoAcceptRequests: true, AutoDeclineRecurringRequests: false, AutoDeclineConflictingRequests: false });

  // Delegates: by name or id, twice changes nothing.
  assert.deepEqual(body(await c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: room, EntityId: 'reception' }))), {});
  assert.deepEqual(body(await c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: 'board-room', EntityId: reception }))), {});
  assert.deepEqual(await delegates(c, org, room), [{ Id: reception, Type: 'USER' }]);
  await rejects(c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: room, EntityId: 'nobody' })),
    'EntityNotFoundException', `No user or group nobody exists in organization ${org}.`);
  await rejects(c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: room, EntityId: projector })),
    'InvalidParameterException', `${projector} is a resource: a delegate is a user or a group.`);
  await rejects(c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: UNKNOWN_RESOURCE, EntityId: reception })),
    'EntityNotFoundException', `Resource ${UNKNOWN_RESOURCE} does not exist in organization ${org}.`);

  assert.deepEqual(body(await update({ ResourceId: room, BookingOptions: MANUAL_BOOKING, Description: '', Name: 'main-hall', HiddenFromGlobalAddressList: false })), {});
  const { EnabledDate: _, ...manual } = await describe('main-hall');
  assert.deepEqual(manual, {
    ResourceId: room, Name: 'main-hall', Type: 'ROOM', State: 'ENABLED', Email: 'board-room@js-rooms.awsapps.com',
    HiddenFromGlobalAddressList: false, BookingOptions: MANUAL_BOOKING,
  });
  // The old name is free again.
  await rejects(c.send(new DescribeResourceCommand({ ...o, ResourceId: 'board-room' })), 'EntityNotFoundException',
    `Resource board-room does not exist in organization ${org}.`);

  // Equipment has delegates too. The last delegate may go, even of a
  // resource that does not accept automatically; going twice succeeds.
  const itDesk = await createUser(c, org, 'it-desk');
  for (const who of [itDesk, reception]) {
    assert.deepEqual(body(await c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: projector, EntityId: who }))), {});
  }
  assert.deepEqual(await delegates(c, org, 'projector', 1),
    [{ Id: itDesk, Type: 'USER' }, { Id: reception, Type: 'USER' }].sort((a, b) => a.Id.localeCompare(b.Id)));
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DisassociateDelegateFromResourceCommand({ ...o, ResourceId: room, EntityId: 'reception' }))), {});
  }
  assert.deepEqual(await delegates(c, org, room), []);
  assert.deepEqual((await describe(room)).BookingOptions, MANUAL_BOOKING);
  await rejects(c.send(new DisassociateDelegateFromResourceCommand({ ...o, ResourceId: room, EntityId: 'nobody' })),
    'EntityNotFoundException', `No user or group nobody exists in organization ${org}.`);

  // Deleting a user drops it from every resource's delegates.
  await c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: room, EntityId: reception }));
  await c.send(new DeleteUserCommand({ ...o, UserId: reception }));
  assert.deepEqual(await delegates(c, org, room), []);
  assert.deepEqual(await delegates(c, org, projector), [{ Id: itDesk, Type: 'USER' }]);
  await rejects(c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: room, EntityId: reception })),
    'EntityStateException', `USER ${reception} is deleted.`);

  // The tear-down: deregister, then delete.
  await rejects(c.send(new DeleteResourceCommand({ ...o, ResourceId: room })), 'EntityStateException',
    `Resource ${room} is ENABLED: deregister it from WorkMail before deleting it.`);
  assert.deepEqual(body(await c.send(new DeregisterFromWorkMailCommand({ ...o, EntityId: room }))), {});
  const disabled = await describe(room);
  assert.equal(disabled.State, 'DISABLED');
  assert.ok(disabled.DisabledDate instanceof Date);
  assert.equal(disabled.Email, 'board-room@js-rooms.awsapps.com');
  await rejects(c.send(new DeregisterFromWorkMailCommand({ ...o, EntityId: room })), 'EntityStateException',
    `Resource ${room} is DISABLED, not registered to WorkMail.`);
  for (let i = 0; i < 2; i++) {
    // Deleting a deleted (or unknown) resource succeeds.
    assert.deepEqual(body(await c.send(new DeleteResourceCommand({ ...o, ResourceId: 'main-hall' }))), {});
  }
  assert.deepEqual(body(await c.send(new DeleteResourceCommand({ ...o, ResourceId: UNKNOWN_RESOURCE }))), {});
  assert.equal((await describe(room)).State, 'DELETED');
  const deleted = `Resource ${room} is deleted.`;
  await rejects(update({ ResourceId: room, Description: 'x' }), 'EntityStateException', deleted);
  await rejects(c.send(new ListResourceDelegatesCommand({ ...o, ResourceId: room })), 'EntityStateException', deleted);
  await rejects(c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: room, EntityId: itDesk })), 'EntityStateException', deleted);
  await rejects(c.send(new DisassociateDelegateFromResourceCommand({ ...o, ResourceId: room, EntityId: itDesk })), 'EntityStateException', deleted);
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: 'again@js-rooms.awsapps.com' })), 'EntityStateException', deleted);
  await rejects(c.send(new DescribeResourceCommand({ ...o, ResourceId: 'main-hall' })), 'EntityNotFoundException',
    `Resource main-hall does not exist in organization ${org}.`);
  // Its name and address are free again.
  const hall = await createResource(c, org, 'main-hall', 'ROOM');
  assert.deepEqual(body(await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: hall, Email: 'board-room@js-rooms.awsapps.com' }))), {});
});

test('ListResources: the paginator, each filter, one filter per request', async () => {
  const c = client('333300000042');
  const org = await createOrg(c, 'js-resources');
  const o = { OrganizationId: org };
  const ids = {};
  for (const [name, type] of [['room-b', 'ROOM'], ['room-a', 'ROOM'], ['room-c', 'ROOM'], ['cart-b', 'EQUIPMENT'], ['cart-a', 'EQUIPMENT'], ['desk', 'EQUIPMENT']]) {
    ids[name] = await createResource(c, org, name, type);
  }
  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: ids['cart-b'], Email: 'cart-b@js-resources.awsapps.com' }));
  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: ids['room-c'], Email: 'c-room@js-resources.awsapps.com' }));
  await c.send(new DeleteResourceCommand({ ...o, ResourceId: 'desk' }));

  const listed = async (Filters, pageSize = 2) => {
    const pages = [];
    for await (const page of paginateListResources({ client: c, pageSize }, { ...o, Filters })) pages.push(page);
    for (const page of pages.slice(0, -1)) {
      assert.equal(page.Resources.length, pageSize);
      assert.equal(typeof page.NextToken, 'string');
    }
    assert.ok(pages.at(-1).Resources.length <= pageSize);
    assert.equal(pages.at(-1).NextToken, undefined);
    return pages.flatMap((p) => p.Resources);
  };
  const all = await listed();
  // Without a filter, in id order; deleted resources are listed until purged.
  assert.deepEqual(all.map((r) => r.Id), Object.values(ids).sort());
  const byId = Object.fromEntries(all.map((r) => [r.Id, r]));
  const { EnabledDate, ...cart } = byId[ids['cart-b']];
  assert.ok(EnabledDate instanceof Date);
  assert.deepEqual(cart, { Id: ids['cart-b'], Email: 'cart-b@js-resources.awsapps.com', Name: 'cart-b', Type: 'EQUIPMENT', State: 'ENABLED' });
  assert.deepEqual(byId[ids['room-a']], { Id: ids['room-a'], Name: 'room-a', Type: 'ROOM', State: 'DISABLED' });
  const { DisabledDate, ...desk } = byId[ids.desk];
  assert.deepEqual(desk, { Id: ids.desk, Name: 'desk', Type: 'EQUIPMENT', State: 'DELETED' });

  // Prefixes ignore case and list in the order of the value they match.
  assert.deepEqual((await listed({ NamePrefix: 'ROOM-' })).map((r) => r.Name), ['room-a', 'room-b', 'room-c']);
  assert.deepEqual((await listed({ NamePrefix: 'cart' }, 1)).map((r) => r.Name), ['cart-a', 'cart-b']);
  assert.deepEqual((await listed({ PrimaryEmailPrefix: 'C' }, 1)).map((r) => r.Email),
    ['c-room@js-resources.awsapps.com', 'cart-b@js-resources.awsapps.com']);
  assert.deepEqual((await listed({ State: 'ENABLED' }, 1)).map((r) => r.Id), [ids['cart-b'], ids['room-c']].sort());
  assert.deepEqual((await listed({ State: 'DISABLED' })).map((r) => r.Id), [ids['room-a'], ids['room-b'], ids['cart-a']].sort());
  assert.deepEqual((await listed({ State: 'DELETED' })).map((r) => r.Id), [ids.desk]);
  assert.deepEqual(await listed({ NamePrefix: 'nothing' }), []);

  await rejects(c.send(new ListResourcesCommand({ ...o, Filters: { NamePrefix: 'room', State: 'ENABLED' } })), 'InvalidParameterException',
    'ListResources takes one filter per request; 2 were given.');
  await rejects(c.send(new ListResourcesCommand({ ...o, NextToken: 'not-a-token' })), 'InvalidParameterException',
    'The NextToken is invalid or was issued for a different request.');
  // A token belongs to its request: another filter cannot use it.
  const { NextToken } = await c.send(new ListResourcesCommand({ ...o, MaxResults: 1 }));
  await rejects(c.send(new ListResourcesCommand({ ...o, MaxResults: 1, NextToken, Filters: { State: 'ENABLED' } })), 'InvalidParameterException',
    'The NextToken is invalid or was issued for a different request.');
  // The JavaScript SDK checks no constraint; the server checks them all.
  await rejects(c.send(new ListResourcesCommand({ ...o, MaxResults: 101 })), 'InvalidParameterException',
    "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  await rejects(c.send(new ListResourcesCommand({ ...o, Filters: { State: 'GONE' } })), 'InvalidParameterException',
    "1 validation error detected: Value 'GONE' at 'filters.state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, DELETED]");

  // Many delegates, a page at a time.
  const users = [];
  for (let i = 0; i < 5; i++) users.push(await createUser(c, org, `staff-${i}`));
  for (const u of users) await c.send(new AssociateDelegateToResourceCommand({ ...o, ResourceId: ids['room-a'], EntityId: u }));
  const want = users.sort().map((Id) => ({ Id, Type: 'USER' }));
  assert.deepEqual(await delegates(c, org, ids['room-a'], 2), want);
  assert.deepEqual(await delegates(c, org, 'room-a'), want);
});

test('resource errors: organizations, interoperability and validation', async () => {
  const c = client('333300000043');
  await rejects(c.send(new CreateResourceCommand({ OrganizationId: UNKNOWN_ORG, Name: 'room', Type: 'ROOM' })),
    'OrganizationNotFoundException', `Organization ${UNKNOWN_ORG} does not exist.`);
  await rejects(c.send(new ListResourcesCommand({ OrganizationId: UNKNOWN_ORG })),
    'OrganizationNotFoundException', `Organization ${UNKNOWN_ORG} does not exist.`);

  // Interoperability mode refuses resources.
  const interop = await createOrg(c, 'js-rooms-interop', { EnableInteroperability: true });
  await rejects(c.send(new CreateResourceCommand({ OrganizationId: interop, Name: 'room', Type: 'ROOM' })), 'UnsupportedOperationException',
    `Resources can't be created or enabled while organization ${interop} is in interoperability mode.`);

  const org = await createOrg(c, 'js-rooms-errors');
  const o = { OrganizationId: org };
  await rejects(c.send(new CreateResourceCommand({ ...o, Name: 'room', Type: 'CAR' })), 'InvalidParameterException',
    "1 validation error detected: Value 'CAR' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [ROOM, EQUIPMENT]");
  await rejects(c.send(new CreateResourceCommand({ ...o, Name: 'no spaces', Type: 'ROOM' })), 'InvalidParameterException',
    "1 validation error detected: Value 'no spaces' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\-.]+(@[a-zA-Z0-9.\\-]+\\.[a-zA-Z0-9-]{2,})?");
  await rejects(c.send(new DescribeResourceCommand({ ...o, ResourceId: UNKNOWN_RESOURCE })), 'EntityNotFoundException',
    `Resource ${UNKNOWN_RESOURCE} does not exist in organization ${org}.`);
  await rejects(c.send(new UpdateResourceCommand({ ...o, ResourceId: UNKNOWN_RESOURCE, Description: 'x' })), 'EntityNotFoundException',
    `Resource ${UNKNOWN_RESOURCE} does not exist in organization ${org}.`);
  await rejects(c.send(new ListResourceDelegatesCommand({ ...o, ResourceId: UNKNOWN_RESOURCE })), 'EntityNotFoundException',
    `Resource ${UNKNOWN_RESOURCE} does not exist in organization ${org}.`);
  const room = await createResource(c, org, 'room', 'ROOM');
  await createResource(c, org, 'hall', 'ROOM');
  await rejects(c.send(new UpdateResourceCommand({ ...o, ResourceId: room, Name: 'HALL' })), 'NameAvailabilityException',
    `The name HALL is already used by another user, group or resource in organization ${org}.`);
  await rejects(c.send(new UpdateResourceCommand({ ...o, ResourceId: room, Name: 'room@example.com' })), 'MailDomainNotFoundException',
    `The domain example.com of room@example.com is not found in organization ${org}.`);

  await c.send(new DeleteOrganizationCommand({ ...o, DeleteDirectory: false }));
  const gone = `Organization ${org} is not Active, state: Deleted`;
  await rejects(c.send(new DescribeResourceCommand({ ...o, ResourceId: room })), 'OrganizationStateException', gone);
  await rejects(c.send(new DeleteResourceCommand({ ...o, ResourceId: room })), 'OrganizationStateException', gone);
});
