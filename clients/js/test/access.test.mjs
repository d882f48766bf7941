// Access control rules and impersonation roles through the AWS SDK for
// JavaScript v3, with the shared evaluation table
// internal/policy/access_cases.json. Runs as workmail.test.mjs does (same
// settings); each test uses its own account.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  AssumeImpersonationRoleCommand,
  CreateImpersonationRoleCommand,
  CreateOrganizationCommand,
  CreateUserCommand,
  DeleteAccessControlRuleCommand,
  DeleteImpersonationRoleCommand,
  EntityNotFoundException,
  GetAccessControlEffectCommand,
  GetImpersonationRoleCommand,
  GetImpersonationRoleEffectCommand,
  InvalidParameterException,
  LimitExceededException,
  ListAccessControlRulesCommand,
  ListImpersonationRolesCommand,
  PutAccessControlRuleCommand,
  RegisterToWorkMailCommand,
  ResourceNotFoundException,
  UpdateImpersonationRoleCommand,
  WorkMailClient,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODELED = { EntityNotFoundException, InvalidParameterException, LimitExceededException, ResourceNotFoundException };
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
const CASES = JSON.parse(readFileSync(new URL('../../../internal/policy/access_cases.json', import.meta.url)));
const ACTIONS = 'ActiveSync, AutoDiscover, EWS, IMAP, SMTP, WindowsOutlook, WebMail';

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

// errorName is the error a call fails with, or null.
async function errorName(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    return err.name;
  }
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

async function createRole(c, org, name, Rules = []) {
  return (await c.send(new CreateImpersonationRoleCommand({ OrganizationId: org, Name: name, Type: 'FULL_ACCESS', Rules }))).ImpersonationRoleId;
}

test('the shared access control case table', async () => {
  const c = client('333300000101');
  const org = await createOrg(c, 'js-acl');
  const ids = {};
  const id = (n) => ids[n] ?? n;
  const all = (list) => list && list.map(id);
  for (const u of CASES.users) ids[u] = await mailboxUser(c, org, 'js-acl', u);
  for (const u of CASES.disabledUsers) ids[u] = await createUser(c, org, u);
  for (const r of CASES.roles) ids[r] = await createRole(c, org, r);

  for (const tc of CASES.access) {
    for (const r of (await c.send(new ListAccessControlRulesCommand({ OrganizationId: org }))).Rules) {
      await c.send(new DeleteAccessControlRuleCommand({ OrganizationId: org, Name: r.Name }));
    }
    for (const r of tc.rules) {
      await c.send(new PutAccessControlRuleCommand({
        OrganizationId: org, Name: r.Name, Effect: r.Effect, Description: 'table rule',
        IpRanges: r.IpRanges, NotIpRanges: r.NotIpRanges, Actions: r.Actions, NotActions: r.NotActions,
        UserIds: all(r.UserIds), NotUserIds: all(r.NotUserIds),
        ImpersonationRoleIds: all(r.ImpersonationRoleIds), NotImpersonationRoleIds: all(r.NotImpersonationRoleIds),
      }));
    }
    for (const ch of tc.checks) {
      const cmd = new GetAccessControlEffectCommand({
        OrganizationId: org, IpAddress: ch.ip, Action: ch.action,
        UserId: ch.user && id(ch.user), ImpersonationRoleId: ch.role && id(ch.role),
      });
      const what = `${tc.name}: ${JSON.stringify(ch)}`;
      if (ch.error) {
        assert.equal(await errorName(c.send(cmd)), ch.error, what);
      } else {
        assert.deepEqual(body(await c.send(cmd)), { Effect: ch.effect, MatchedRules: ch.matched }, what);
      }
    }
  }

  const role = await createRole(c, org, 'table');
  for (const tc of CASES.impersonation) {
    const Rules = tc.rules.map((r) => ({
      ImpersonationRuleId: r.ImpersonationRuleId, Name: r.Name, Effect: r.Effect,
      TargetUsers: all(r.TargetUsers), NotTargetUsers: all(r.NotTargetUsers),
    }));
    await c.send(new UpdateImpersonationRoleCommand({ OrganizationId: org, ImpersonationRoleId: role, Name: 'table', Type: 'READ_ONLY', Rules }));
    const names = Object.fromEntries(tc.rules.map((r) => [r.ImpersonationRuleId, r.Name]));
    for (const ch of tc.checks) {
      const cmd = new GetImpersonationRoleEffectCommand({ OrganizationId: org, ImpersonationRoleId: role, TargetUser: id(ch.target) });
      const what = `${tc.name}: ${JSON.stringify(ch)}`;
      if (ch.error) {
        assert.equal(await errorName(c.send(cmd)), ch.error, what);
      } else {
        assert.deepEqual(body(await c.send(cmd)), {
          Type: 'READ_ONLY', Effect: ch.effect,
          MatchedRules: ch.matched.map((m) => ({ ImpersonationRuleId: m, Name: names[m] })),
        }, what);
      }
    }
  }
});

test('access control rules: the default rule, replacing, the limit', async () => {
  const c = client('333300000102');
  const org = await createOrg(c, 'js-acl-rules');
  const { Rules } = body(await c.send(new ListAccessControlRulesCommand({ OrganizationId: org })));
  assert.equal(Rules.length, 1);
  assert.deepEqual(Rules[0], {
    Name: 'default', Effect: 'ALLOW', Description: 'Default WorkMail Rule', DateCreated: new Date(0), DateModified: new Date(0),
  });
  const put = (Name, extra = {}) =>
    c.send(new PutAccessControlRuleCommand({ OrganizationId: org, Name, Effect: 'DENY', Description: `rule ${Name}`, ...extra }));
  for (let i = 0; i < 9; i++) await put(`rule-${i}`, { Actions: ['IMAP'] });
  await rejects(put('one-too-many'), 'LimitExceededException', `Organization ${org} has 10 access control rules, the most it may have.`);
  await put('rule-0', { Effect: 'ALLOW', IpRanges: ['10.0.0.0/8'] });
  const after = (await c.send(new ListAccessControlRulesCommand({ OrganizationId: org }))).Rules;
  assert.deepEqual(after.map((r) => r.Name), ['default', ...Array.from({ length: 9 }, (_, i) => `rule-${i}`)]);
  assert.deepEqual([after[1].Effect, after[1].IpRanges, after[1].Actions], ['ALLOW', ['10.0.0.0/8'], undefined]);
  await rejects(put('bad', { Actions: ['Pop'] }), 'InvalidParameterException', `Action Pop is not one of ${ACTIONS}.`);
  await rejects(put('bad', { NotImpersonationRoleIds: ['no-such-role'] }), 'ResourceNotFoundException',
    `Impersonation role no-such-role does not exist in organization ${org}.`);
  await rejects(c.send(new GetAccessControlEffectCommand({ OrganizationId: org, IpAddress: '192.0.2.1', Action: 'IMAP', UserId: 'nobody-in-this-org' })),
    'EntityNotFoundException', `User nobody-in-this-org does not exist in organization ${org}.`);
  assert.deepEqual(body(await c.send(new DeleteAccessControlRuleCommand({ OrganizationId: org, Name: 'never-there' }))), {});
});

test('impersonation roles: create, get, list by hand, assume, delete', async () => {
  const c = client('333300000103');
  const org = await createOrg(c, 'js-imp');
  const alice = await mailboxUser(c, org, 'js-imp', 'alice');
  const roleId = await createRole(c, org, 'auditor', [{ ImpersonationRuleId: 'alice', Name: 'Alice', Effect: 'ALLOW', TargetUsers: ['alice'] }]);
  assert.match(roleId, UUID);
  const got = body(await c.send(new GetImpersonationRoleCommand({ OrganizationId: org, ImpersonationRoleId: roleId })));
  assert.ok(got.DateCreated instanceof Date && got.DateModified instanceof Date);
  delete got.DateCreated;
  delete got.DateModified;
  assert.deepEqual(got, {
    ImpersonationRoleId: roleId, Name: 'auditor', Type: 'FULL_ACCESS',
    Rules: [{ ImpersonationRuleId: 'alice', Name: 'Alice', Effect: 'ALLOW', TargetUsers: [alice] }],
  });
  await createRole(c, org, 'filler');
  await createRole(c, org, 'filler');
  const listed = [];
  let NextToken;
  do {
    const page = await c.send(new ListImpersonationRolesCommand({ OrganizationId: org, MaxResults: 1, NextToken }));
    assert.ok(page.Roles.length <= 1);
    listed.push(...page.Roles.map((r) => r.ImpersonationRoleId));
    NextToken = page.NextToken;
  } while (NextToken);
  assert.equal(listed.length, 3);
  assert.deepEqual(listed, [...listed].sort());
  assert.ok(listed.includes(roleId));

  const assumed = body(await c.send(new AssumeImpersonationRoleCommand({ OrganizationId: org, ImpersonationRoleId: roleId })));
  assert.equal(assumed.ExpiresIn, 900);
  assert.match(assumed.Token, /^wmimp_[\x21-\x7e]+$/);
  await rejects(c.send(new UpdateImpersonationRoleCommand({ OrganizationId: org, ImpersonationRoleId: roleId, Name: 'auditor', Type: 'FULL_ACCESS',
    Rules: [{ ImpersonationRuleId: 'x', Effect: 'ALLOW', TargetUsers: ['nobody-in-this-org'] }] })),
  'EntityNotFoundException', `User nobody-in-this-org does not exist in organization ${org}.`);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteImpersonationRoleCommand({ OrganizationId: org, ImpersonationRoleId: roleId }))), {});
  }
  await rejects(c.send(new GetImpersonationRoleEffectCommand({ OrganizationId: org, ImpersonationRoleId: roleId, TargetUser: alice })),
    'ResourceNotFoundException', `Impersonation role ${roleId} does not exist in organization ${org}.`);
});
