// Mobile device access through the AWS SDK for JavaScript v3: rules, their
// effect and overrides. Runs as workmail.test.mjs does (same settings);
// each test uses its own account.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CreateMobileDeviceAccessRuleCommand,
  CreateOrganizationCommand,
  CreateUserCommand,
  DeleteMobileDeviceAccessOverrideCommand,
  DeleteMobileDeviceAccessRuleCommand,
  DeleteUserCommand,
  DeregisterFromWorkMailCommand,
  EntityNotFoundException,
  EntityStateException,
  GetMobileDeviceAccessEffectCommand,
  GetMobileDeviceAccessOverrideCommand,
  InvalidParameterException,
  LimitExceededException,
  ListMobileDeviceAccessOverridesCommand,
  ListMobileDeviceAccessRulesCommand,
  PutMobileDeviceAccessOverrideCommand,
  RegisterToWorkMailCommand,
  ResourceNotFoundException,
  UpdateMobileDeviceAccessRuleCommand,
  WorkMailClient,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODELED = {
  EntityNotFoundException, EntityStateException, InvalidParameterException, LimitExceededException, ResourceNotFoundException,
};
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

async function mailboxUser(c, org, alias, name) {
  const { UserId } = await c.send(new CreateUserCommand({ OrganizationId: org, Name: name, DisplayName: name }));
  await c.send(new RegisterToWorkMailCommand({ OrganizationId: org, EntityId: UserId, Email: `${name}@${alias}.awsapps.com` }));
  return UserId;
}

async function rules(c, org) {
  return body(await c.send(new ListMobileDeviceAccessRulesCommand({ OrganizationId: org }))).Rules;
}

async function effect(c, org, device) {
  const out = body(await c.send(new GetMobileDeviceAccessEffectCommand({ OrganizationId: org, ...device })));
  return [out.Effect, out.MatchedRules.map((m) => `${m.MobileDeviceAccessRuleId} ${m.Name}`)];
}

test('mobile device access rules and their effect', async () => {
  const c = client('333300000111');
  const org = await createOrg(c, 'js-mobile');
  const [def, ...none] = await rules(c, org);
  assert.deepEqual(none, []);
  const { DateCreated, DateModified, ...rest } = def;
  assert.ok(DateCreated instanceof Date && DateModified instanceof Date);
  assert.deepEqual(rest, { MobileDeviceAccessRuleId: 'default', Name: 'default', Description: 'Default WorkMail Rule', Effect: 'ALLOW' });

  const input = {
    OrganizationId: org, ClientToken: 'js-token-1', Name: 'OldAndroid', Effect: 'DENY',
    DeviceTypes: ['Android'], DeviceOperatingSystems: ['Android 8', 'Android 9'],
  };
  const { MobileDeviceAccessRuleId: old } = body(await c.send(new CreateMobileDeviceAccessRuleCommand(input)));
  assert.match(old, UUID);
  assert.equal((await c.send(new CreateMobileDeviceAccessRuleCommand(input))).MobileDeviceAccessRuleId, old);
  await rejects(c.send(new CreateMobileDeviceAccessRuleCommand({ ...input, Name: 'other' })), 'InvalidParameterException',
    'ClientToken js-token-1 was already used for CreateMobileDeviceAccessRule with different parameters.');

  assert.deepEqual(await effect(c, org, { DeviceType: 'android', DeviceOperatingSystem: 'Android 8.1.0' }), ['DENY', [`${old} OldAndroid`]]);
  assert.deepEqual(await effect(c, org, { DeviceType: 'Android', DeviceOperatingSystem: 'Android 10' }), ['ALLOW', ['default default']]);
  // A Not-condition needs the property reported.
  const { MobileDeviceAccessRuleId: noOutlook } = await c.send(new CreateMobileDeviceAccessRuleCommand({
    OrganizationId: org, Name: 'NotOutlook', Effect: 'DENY', NotDeviceUserAgents: ['Outlook'],
  }));
  assert.deepEqual(await effect(c, org, { DeviceUserAgent: 'iOS/14.2 (18B92) exchangesyncd/1.0' }), ['DENY', [`${noOutlook} NotOutlook`]]);
  assert.deepEqual(await effect(c, org, { DeviceUserAgent: 'outlook-iOS/2.0' }), ['ALLOW', ['default default']]);
  assert.deepEqual(await effect(c, org, {}), ['ALLOW', ['default default']]);

  // Update replaces the whole rule.
  body(await c.send(new UpdateMobileDeviceAccessRuleCommand({
    OrganizationId: org, MobileDeviceAccessRuleId: old, Name: 'NoModel', Effect: 'DENY', DeviceModels: ['$NONE'],
  })));
  const updated = (await rules(c, org)).find((r) => r.MobileDeviceAccessRuleId === old);
  assert.deepEqual([updated.Name, updated.DeviceTypes, updated.DeviceModels], ['NoModel', undefined, ['$NONE']]);
  assert.deepEqual(await effect(c, org, { DeviceUserAgent: 'Outlook' }), ['DENY', [`${old} NoModel`]]);
  await rejects(c.send(new UpdateMobileDeviceAccessRuleCommand({
    OrganizationId: org, MobileDeviceAccessRuleId: 'missing', Name: 'x', Effect: 'DENY',
  })), 'EntityNotFoundException', `Mobile device access rule missing does not exist in organization ${org}.`);

  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteMobileDeviceAccessRuleCommand({ OrganizationId: org, MobileDeviceAccessRuleId: 'default' }))), {});
  }
  assert.deepEqual((await rules(c, org)).map((r) => r.Name), ['NoModel', 'NotOutlook']);
  for (let i = 0; i < 8; i++) {
    await c.send(new CreateMobileDeviceAccessRuleCommand({ OrganizationId: org, Name: `rule ${i}`, Effect: 'ALLOW' }));
  }
  await rejects(c.send(new CreateMobileDeviceAccessRuleCommand({ OrganizationId: org, Name: 'eleventh', Effect: 'ALLOW' })),
    'LimitExceededException', `Organization ${org} already has 10 mobile device access rules, the most it may have.`);
});

test('mobile device access overrides', async () => {
  const c = client('333300000112');
  const org = await createOrg(c, 'js-overrides');
  const alice = await mailboxUser(c, org, 'js-overrides', 'alice');
  const bob = await mailboxUser(c, org, 'js-overrides', 'bob');
  const devices = ['A1', 'A2', 'A3', 'A4', 'A5'];
  for (const d of devices) {
    assert.deepEqual(body(await c.send(new PutMobileDeviceAccessOverrideCommand({
      OrganizationId: org, UserId: 'alice', DeviceId: d, Effect: 'DENY', Description: `lost ${d}`,
    }))), {});
  }
  await c.send(new PutMobileDeviceAccessOverrideCommand({ OrganizationId: org, UserId: bob, DeviceId: 'a1', Effect: 'ALLOW' }));
  const got = body(await c.send(new GetMobileDeviceAccessOverrideCommand({ OrganizationId: org, UserId: 'alice@js-overrides.awsapps.com', DeviceId: 'a3' })));
  assert.ok(got.DateCreated instanceof Date && got.DateModified instanceof Date);
  assert.deepEqual([got.UserId, got.DeviceId, got.Effect, got.Description], [alice, 'A3', 'DENY', 'lost A3']);

  // No paginator for this list: page by hand.
  const listed = [];
  let NextToken;
  do {
    const out = body(await c.send(new ListMobileDeviceAccessOverridesCommand({ OrganizationId: org, UserId: alice, MaxResults: 2, NextToken })));
    assert.ok(out.Overrides.length <= 2);
    listed.push(...out.Overrides.map((o) => o.DeviceId));
    NextToken = out.NextToken;
  } while (NextToken);
  assert.deepEqual(listed, devices);
  const byDevice = body(await c.send(new ListMobileDeviceAccessOverridesCommand({ OrganizationId: org, DeviceId: 'A1' }))).Overrides;
  assert.deepEqual(byDevice.map((o) => `${o.UserId} ${o.DeviceId} ${o.Effect}`).sort(), [`${alice} A1 DENY`, `${bob} a1 ALLOW`].sort());

  await rejects(c.send(new GetMobileDeviceAccessOverrideCommand({ OrganizationId: org, UserId: bob, DeviceId: 'A2' })),
    'ResourceNotFoundException', `User ${bob} has no mobile device access override for device A2.`);
  await rejects(c.send(new PutMobileDeviceAccessOverrideCommand({ OrganizationId: org, UserId: 'nobody', DeviceId: 'A2', Effect: 'DENY' })),
    'EntityNotFoundException', `User nobody does not exist in organization ${org}.`);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteMobileDeviceAccessOverrideCommand({ OrganizationId: org, UserId: alice, DeviceId: 'a5' }))), {});
  }

  await c.send(new DeregisterFromWorkMailCommand({ OrganizationId: org, EntityId: alice }));
  await rejects(c.send(new PutMobileDeviceAccessOverrideCommand({ OrganizationId: org, UserId: alice, DeviceId: 'A9', Effect: 'DENY' })),
    'EntityStateException', `User ${alice} is DISABLED: register it to WorkMail before overriding its devices' access.`);
  await c.send(new DeleteUserCommand({ OrganizationId: org, UserId: alice }));
  const left = body(await c.send(new ListMobileDeviceAccessOverridesCommand({ OrganizationId: org }))).Overrides;
  assert.deepEqual(left.map((o) => o.UserId), [bob]);
});
