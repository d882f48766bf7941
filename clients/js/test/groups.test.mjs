// The groups scenario through the AWS SDK for JavaScript v3
// (@aws-sdk/client-workmail, the exact version package.json pins).
//
// Run against a fresh workmaild with WORKMAILD_ENDPOINT set to its URL:
//
//	cd clients/js && npm ci && node --test
//
// Each test uses its own account (the access key id).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  AssociateMemberToGroupCommand,
  CreateGroupCommand,
  CreateOrganizationCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeregisterFromWorkMailCommand,
  DescribeEntityCommand,
  DescribeGroupCommand,
  DisassociateMemberFromGroupCommand,
  EmailAddressInUseException,
  EntityNotFoundException,
  EntityStateException,
  InvalidParameterException,
  ListGroupMembersCommand,
  ListGroupsCommand,
  ListGroupsForEntityCommand,
  NameAvailabilityException,
  RegisterToWorkMailCommand,
  UpdateGroupCommand,
  WorkMailClient,
  paginateListGroupMembers,
  paginateListGroups,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODELED = {
  EmailAddressInUseException,
  EntityNotFoundException,
  EntityStateException,
  InvalidParameterException,
  NameAvailabilityException,
};
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';

before(() => {
  assert.ok(process.env.WORKMAILD_ENDPOINT, 'WORKMAILD_ENDPOINT is not set');
});

function client(account) {
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

test('groups: members, nesting, lists, look-up and Terraform\'s tear-down', async () => {
  const c = client('141400000005');
  const { OrganizationId: org } = await c.send(new CreateOrganizationCommand({ Alias: 'js-groups' }));
  const o = { OrganizationId: org };
  const group = async (Name) => {
    const out = body(await c.send(new CreateGroupCommand({ ...o, Name })));
    assert.match(out.GroupId, UUID);
    return out.GroupId;
  };
  const describe = async (GroupId) => body(await c.send(new DescribeGroupCommand({ ...o, GroupId })));

  const ops = await group('ops');
  const oncall = await group('ops-oncall');
  const { UserId: ann } = await c.send(new CreateUserCommand({ ...o, Name: 'ann', DisplayName: 'Ann' }));
  await rejects(c.send(new CreateGroupCommand({ ...o, Name: 'Ops' })), 'NameAvailabilityException',
    `The name Ops is already used by another user, group or resource in organization ${org}.`);
  assert.deepEqual(await describe(ops), { GroupId: ops, Name: 'ops', State: 'DISABLED', HiddenFromGlobalAddressList: false });

  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: ops, Email: 'ops@js-groups.awsapps.com' }));
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: ann, Email: 'OPS@js-groups.awsapps.com' })),
    'EmailAddressInUseException', 'The email address OPS@js-groups.awsapps.com is already used by another user, group or resource.');
  const enabled = await describe('ops@js-groups.awsapps.com');
  assert.equal(enabled.State, 'ENABLED');
  assert.ok(enabled.EnabledDate instanceof Date);
  await c.send(new UpdateGroupCommand({ ...o, GroupId: ops, HiddenFromGlobalAddressList: true }));
  assert.equal((await describe(ops)).HiddenFromGlobalAddressList, true);

  await c.send(new AssociateMemberToGroupCommand({ ...o, GroupId: 'ops', MemberId: 'ann' }));
  await c.send(new AssociateMemberToGroupCommand({ ...o, GroupId: ops, MemberId: oncall }));
  await c.send(new AssociateMemberToGroupCommand({ ...o, GroupId: oncall, MemberId: ann }));
  await rejects(c.send(new AssociateMemberToGroupCommand({ ...o, GroupId: oncall, MemberId: ops })), 'InvalidParameterException',
    `Group ${oncall} is a member of group ${ops}, directly or through other groups: adding ${ops} to ${oncall} would make a cycle.`);
  await rejects(c.send(new AssociateMemberToGroupCommand({ ...o, GroupId: ops, MemberId: 'nobody' })), 'EntityNotFoundException',
    `Entity nobody does not exist in organization ${org}.`);

  const members = [];
  for await (const page of paginateListGroupMembers({ client: c, pageSize: 1 }, { ...o, GroupId: ops })) members.push(...page.Members);
  members.sort((a, b) => a.Name.localeCompare(b.Name));
  assert.deepEqual(members.map((m) => [m.Id, m.Name, m.Type, m.State]), [[ann, 'ann', 'USER', 'DISABLED'], [oncall, 'ops-oncall', 'GROUP', 'DISABLED']]);

  const listed = [];
  for await (const page of paginateListGroups({ client: c, pageSize: 1 }, { ...o, Filters: { NamePrefix: 'OPS' } })) listed.push(...page.Groups);
  assert.deepEqual(listed.map((g) => g.Name), ['ops', 'ops-oncall']);
  const byState = body(await c.send(new ListGroupsCommand({ ...o, Filters: { State: 'ENABLED' } })));
  assert.deepEqual(byState.Groups.map((g) => [g.Id, g.Email]), [[ops, 'ops@js-groups.awsapps.com']]);

  // ListGroupsForEntity has no paginator: page by hand.
  const mine = [];
  let NextToken;
  do {
    const page = body(await c.send(new ListGroupsForEntityCommand({ ...o, EntityId: ann, MaxResults: 1, NextToken })));
    mine.push(...page.Groups);
    NextToken = page.NextToken;
  } while (NextToken);
  assert.deepEqual(mine.map((g) => g.GroupName).sort(), ['ops', 'ops-oncall']);
  const filtered = body(await c.send(new ListGroupsForEntityCommand({ ...o, EntityId: ann, Filters: { GroupNamePrefix: 'ops-' } })));
  assert.deepEqual(filtered.Groups, [{ GroupId: oncall, GroupName: 'ops-oncall' }]);

  assert.deepEqual(body(await c.send(new DescribeEntityCommand({ ...o, Email: 'Ops@js-groups.awsapps.com' }))),
    { EntityId: ops, Name: 'ops', Type: 'GROUP' });
  await c.send(new DisassociateMemberFromGroupCommand({ ...o, GroupId: oncall, MemberId: ann }));

  // Terraform's destroy.
  await rejects(c.send(new DeleteGroupCommand({ ...o, GroupId: ops })), 'EntityStateException',
    `Group ${ops} is ENABLED: deregister it from WorkMail before deleting it.`);
  await c.send(new DeregisterFromWorkMailCommand({ ...o, EntityId: ops }));
  assert.equal((await describe(ops)).State, 'DISABLED');
  await c.send(new DeleteGroupCommand({ ...o, GroupId: ops }));
  assert.equal((await describe(ops)).State, 'DELETED');
  await rejects(c.send(new DescribeEntityCommand({ ...o, Email: 'ops@js-groups.awsapps.com' })), 'EntityNotFoundException',
    `No user, group or resource has the address ops@js-groups.awsapps.com in organization ${org}.`);
  assert.deepEqual(body(await c.send(new ListGroupsForEntityCommand({ ...o, EntityId: oncall }))).Groups, []);
  assert.deepEqual(body(await c.send(new ListGroupMembersCommand({ ...o, GroupId: oncall }))).Members, []);
  await rejects(c.send(new ListGroupMembersCommand({ ...o, GroupId: ops })), 'EntityStateException', `Group ${ops} is deleted.`);
});
