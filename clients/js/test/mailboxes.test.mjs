// Mailboxes through the AWS SDK for JavaScript v3: details, quotas and
// permissions. Runs as workmail.test.mjs does (same settings); each test
// uses its own account.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CreateOrganizationCommand,
  CreateUserCommand,
  DeleteMailboxPermissionsCommand,
  DeleteUserCommand,
  DeregisterFromWorkMailCommand,
  EntityNotFoundException,
  EntityStateException,
  GetMailboxDetailsCommand,
  InvalidParameterException,
  ListMailboxPermissionsCommand,
  PutMailboxPermissionsCommand,
  RegisterToWorkMailCommand,
  UpdateMailboxQuotaCommand,
  WorkMailClient,
  paginateListMailboxPermissions,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODELED = { EntityNotFoundException, EntityStateException, InvalidParameterException };
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';

function client(account) {
  assert.ok(process.env.WORKMAILD_ENDPOINT, 'WORKMAILD_ENDPOINT is not set');
  return new WorkMailClient({
    endpoint: process.env.WORKMAILD_ENDPOINT,
    region,
    credentials: { accessKeyId: account, secretAccessKey: 'conformance-secret' },
    maxAttempts: 1,
  });
}

function body(out) {
  const { $metadata, ...rest } = out;
  assert.equal($metadata.httpStatusCode, 200);
  assert.match($metadata.requestId, UUID);
  return rest;
}

async function rejects(promise, name, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof MODELED[name], `${err.name} is not an instance of ${name}: ${err.message}`);
    assert.equal(err.message, message);
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 400);
    return true;
  });
}

async function createOrg(c, alias) {
  return (await c.send(new CreateOrganizationCommand({ Alias: alias }))).OrganizationId;
}

async function createUser(c, org, name) {
  return (await c.send(new CreateUserCommand({ OrganizationId: org, Name: name, DisplayName: name }))).UserId;
}

async function mailboxUser(c, org, alias, name) {
  const id = await createUser(c, org, name);
  await c.send(new RegisterToWorkMailCommand({ OrganizationId: org, EntityId: id, Email: `${name}@${alias}.awsapps.com` }));
  return id;
}

// listPermissions walks the SDK's paginator one grant a page.
async function listPermissions(c, org, entity) {
  const all = [];
  for await (const page of paginateListMailboxPermissions({ client: c, pageSize: 1 }, { OrganizationId: org, EntityId: entity })) {
    assert.ok(page.Permissions.length <= 1);
    all.push(...page.Permissions);
  }
  return all;
}

const byGrantee = (a, b) => (a.GranteeId < b.GranteeId ? -1 : 1);

test('mailbox details and quota', async () => {
  const c = client('333300000051');
  const org = await createOrg(c, 'js-quota');
  const alice = await createUser(c, org, 'alice');
  await rejects(c.send(new GetMailboxDetailsCommand({ OrganizationId: org, UserId: alice })), 'EntityNotFoundException',
    `User ${alice} has no mailbox: it is DISABLED and was never registered to WorkMail.`);
  await rejects(c.send(new UpdateMailboxQuotaCommand({ OrganizationId: org, UserId: alice, MailboxQuota: 100 })), 'EntityStateException',
    `User ${alice} is DISABLED: only the mailbox of a user registered to WorkMail has a quota to change.`);
  await c.send(new RegisterToWorkMailCommand({ OrganizationId: org, EntityId: alice, Email: 'alice@js-quota.awsapps.com' }));
  assert.deepEqual(body(await c.send(new GetMailboxDetailsCommand({ OrganizationId: org, UserId: 'alice@js-quota.awsapps.com' }))),
    { MailboxQuota: 51200, MailboxSize: 0 });
  assert.deepEqual(body(await c.send(new UpdateMailboxQuotaCommand({ OrganizationId: org, UserId: 'alice', MailboxQuota: 1024 }))), {});
  assert.equal((await c.send(new GetMailboxDetailsCommand({ OrganizationId: org, UserId: alice }))).MailboxQuota, 1024);
  await rejects(c.send(new UpdateMailboxQuotaCommand({ OrganizationId: org, UserId: alice, MailboxQuota: 51201 })), 'InvalidParameterException',
    'MailboxQuota 51201 is larger than the maximum mailbox size, 51200 MB.');
  await rejects(c.send(new GetMailboxDetailsCommand({ OrganizationId: org, UserId: 'nobody' })), 'EntityNotFoundException',
    `Entity nobody does not exist in organization ${org}.`);
});

test('mailbox permissions: share, replace, remove, and a deleted user', async () => {
  const c = client('333300000052');
  const org = await createOrg(c, 'js-shared');
  const alice = await mailboxUser(c, org, 'js-shared', 'alice');
  const bob = await mailboxUser(c, org, 'js-shared', 'bob');
  const carol = await mailboxUser(c, org, 'js-shared', 'carol');
  const put = (EntityId, GranteeId, PermissionValues) =>
    c.send(new PutMailboxPermissionsCommand({ OrganizationId: org, EntityId, GranteeId, PermissionValues }));
  assert.deepEqual(body(await put('alice', 'bob@js-shared.awsapps.com', ['SEND_AS', 'FULL_ACCESS'])), {});
  await put(alice, carol, ['SEND_ON_BEHALF']);
  assert.deepEqual(await listPermissions(c, org, alice), [
    { GranteeId: bob, GranteeType: 'USER', PermissionValues: ['FULL_ACCESS', 'SEND_AS'] },
    { GranteeId: carol, GranteeType: 'USER', PermissionValues: ['SEND_ON_BEHALF'] },
  ].sort(byGrantee));

  // Put replaces bob's set; Delete removes carol's, twice.
  await put(alice, bob, ['SEND_ON_BEHALF']);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteMailboxPermissionsCommand({ OrganizationId: org, EntityId: alice, GranteeId: carol }))), {});
  }
  assert.deepEqual(body(await c.send(new ListMailboxPermissionsCommand({ OrganizationId: org, EntityId: alice }))),
    { Permissions: [{ GranteeId: bob, GranteeType: 'USER', PermissionValues: ['SEND_ON_BEHALF'] }] });

  await rejects(put(alice, 'alice', ['SEND_AS']), 'InvalidParameterException', `Entity ${alice} cannot be granted permissions on its own mailbox.`);
  await rejects(put(alice, 'nobody', ['SEND_AS']), 'EntityNotFoundException', `Entity nobody does not exist in organization ${org}.`);

  // Bob leaves: deregistered, his mailbox cannot be shared; deleted, his grants go.
  await c.send(new DeregisterFromWorkMailCommand({ OrganizationId: org, EntityId: bob }));
  await rejects(put(bob, alice, ['SEND_AS']), 'EntityStateException', `Entity ${bob} is DISABLED: register it to WorkMail before sharing its mailbox.`);
  await c.send(new DeleteUserCommand({ OrganizationId: org, UserId: bob }));
  assert.deepEqual(await listPermissions(c, org, alice), []);
  await rejects(c.send(new ListMailboxPermissionsCommand({ OrganizationId: org, EntityId: bob })), 'EntityNotFoundException',
    `Entity ${bob} is deleted.`);
});
