// The aliases and mail domains scenario through the AWS SDK for
// JavaScript v3 (@aws-sdk/client-workmail, the exact version package.json
// pins).
//
// Run against a fresh workmaild (started with its default
// --domain-verification-delay of 0, so a registered domain is VERIFIED at
// once) with WORKMAILD_ENDPOINT set to its URL:
//
//	cd clients/js && npm ci && node --test
//
// Each test uses its own account (the access key id).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  CreateAliasCommand,
  CreateGroupCommand,
  CreateOrganizationCommand,
  CreateResourceCommand,
  CreateUserCommand,
  DeleteAliasCommand,
  DeregisterMailDomainCommand,
  DescribeEntityCommand,
  DescribeGroupCommand,
  DescribeOrganizationCommand,
  DescribeUserCommand,
  EmailAddressInUseException,
  EntityNotFoundException,
  EntityStateException,
  GetMailDomainCommand,
  InvalidParameterException,
  ListAliasesCommand,
  ListMailDomainsCommand,
  MailDomainInUseException,
  MailDomainNotFoundException,
  MailDomainStateException,
  RegisterMailDomainCommand,
  RegisterToWorkMailCommand,
  UpdateDefaultMailDomainCommand,
  UpdatePrimaryEmailAddressCommand,
  WorkMailClient,
  paginateListAliases,
} from '@aws-sdk/client-workmail';

const MODELED = {
  EmailAddressInUseException,
  EntityNotFoundException,
  EntityStateException,
  InvalidParameterException,
  MailDomainInUseException,
  MailDomainNotFoundException,
  MailDomainStateException,
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

// setVerification tells workmaild's own endpoint what the DNS checks found
// (workmaild cannot look at DNS) and returns the status and JSON answer.
async function setVerification(account, org, domain, ownership = '', dkim = '') {
  const resp = await fetch(`${process.env.WORKMAILD_ENDPOINT}/_workmaild/mail-domains/verification`, {
    method: 'POST',
    body: JSON.stringify({ Account: account, Region: region, OrganizationId: org, DomainName: domain,
      OwnershipVerificationStatus: ownership, DkimVerificationStatus: dkim }),
  });
  return [resp.status, await resp.json()];
}

// byAddress sorts addresses as ListAliases does: without regard to case.
function byAddress(...addresses) {
  const key = (a) => a.toLowerCase();
  return addresses.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// start creates an organization and returns what the tests use of it.
async function start(account, alias) {
  const c = client(account);
  const { OrganizationId: org } = await c.send(new CreateOrganizationCommand({ Alias: alias }));
  const o = { OrganizationId: org };
  return {
    c, org, o, test: `${alias}.awsapps.com`,
    domain: async (DomainName) => body(await c.send(new GetMailDomainCommand({ ...o, DomainName }))),
    // ListMailDomains has no paginator: page by hand, [name, default] pairs.
    domains: async (MaxResults = 1, OrganizationId = org) => {
      const all = [];
      let NextToken;
      do {
        const page = body(await c.send(new ListMailDomainsCommand({ OrganizationId, MaxResults, NextToken })));
        assert.ok(page.MailDomains.length <= MaxResults);
        all.push(...page.MailDomains.map((d) => [d.DomainName, d.DefaultDomain]));
        NextToken = page.NextToken;
      } while (NextToken);
      return all;
    },
    aliases: async (EntityId) => {
      const all = [];
      for await (const page of paginateListAliases({ client: c, pageSize: 1 }, { ...o, EntityId })) all.push(...page.Aliases);
      return all;
    },
    user: async (Name, Email) => {
      const { UserId } = await c.send(new CreateUserCommand({ ...o, Name, DisplayName: Name }));
      if (Email) await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: UserId, Email }));
      return UserId;
    },
  };
}

// assertRecords checks the eight records WorkMail asks to publish, in its order.
function assertRecords(records, domain) {
  const d = `${domain}.`;
  assert.deepEqual(records.map((r) => Object.keys(r).sort()), Array(8).fill(['Hostname', 'Type', 'Value']));
  const got = records.map((r) => [r.Type, r.Hostname, r.Value]);
  assert.deepEqual(got[0], ['MX', d, `10 inbound-smtp.${region}.amazonaws.com.`]);
  assert.deepEqual(got[1].slice(0, 2), ['TXT', `_amazonses.${d}`]);
  assert.match(got[1][2], /^[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(got[2], ['CNAME', `autodiscover.${d}`, `autodiscover.mail.${region}.awsapps.com.`]);
  const tokens = got.slice(3, 6).map(([type, host, value]) => {
    const m = /^([a-z2-7]{32})\._domainkey\.(.*)$/.exec(host);
    assert.ok(m && m[2] === d, host);
    assert.deepEqual([type, value], ['CNAME', `${m[1]}.dkim.amazonses.com.`]);
    return m[1];
  });
  assert.equal(new Set(tokens).size, 3);
  assert.deepEqual(got[6], ['TXT', d, 'v=spf1 include:amazonses.com ~all']);
  assert.deepEqual(got[7], ['TXT', `_dmarc.${d}`, 'v=DMARC1;p=quarantine;pct=100;fo=1']);
}

test('mail domains: Terraform\'s sequence, ListMailDomains, what Deregister refuses', async () => {
  const { c, org, o, test: testDomain, domain, domains, aliases, user } = await start('333300000061', 'js-domains');
  assert.deepEqual(await domains(), [[testDomain, true]]);
  assert.deepEqual(await domain(testDomain), {
    Records: [], IsTestDomain: true, IsDefault: true, OwnershipVerificationStatus: 'VERIFIED', DkimVerificationStatus: 'VERIFIED',
  });

  assert.deepEqual(body(await c.send(new RegisterMailDomainCommand({ ...o, DomainName: 'Mail.Example.com' }))), {});
  await c.send(new RegisterMailDomainCommand({ ...o, DomainName: 'mail.example.com' })); // again: no change
  // Terraform polls GetMailDomain until VERIFIED; with the default delay of 0 the first answer is.
  const { Records, ...statuses } = await domain('MAIL.example.com');
  assertRecords(Records, 'mail.example.com');
  assert.deepEqual(statuses, { IsTestDomain: false, IsDefault: false, OwnershipVerificationStatus: 'VERIFIED', DkimVerificationStatus: 'VERIFIED' });
  await c.send(new UpdateDefaultMailDomainCommand({ ...o, DomainName: 'mail.example.com' }));
  assert.equal(body(await c.send(new DescribeOrganizationCommand(o))).DefaultMailDomain, 'mail.example.com');
  assert.equal((await domain('mail.example.com')).IsDefault, true);
  await c.send(new RegisterMailDomainCommand({ ...o, DomainName: 'second.example.net' }));
  const listed = [['mail.example.com', true], [testDomain, false], ['second.example.net', false]].sort();
  assert.deepEqual(await domains(), listed);
  assert.deepEqual(await domains(100), listed);

  const ann = await user('ann', 'ann@mail.example.com');
  assert.deepEqual(body(await c.send(new DescribeEntityCommand({ ...o, Email: 'Ann@Mail.Example.com' }))), { EntityId: ann, Name: 'ann', Type: 'USER' });

  // Another organization of the account: the domain is taken, and not its own.
  const { OrganizationId: other } = await c.send(new CreateOrganizationCommand({ Alias: 'js-domains-other' }));
  const p = { OrganizationId: other };
  await rejects(c.send(new RegisterMailDomainCommand({ ...p, DomainName: 'MAIL.example.com' })), 'MailDomainInUseException',
    'The domain mail.example.com is in use by another organization in your account.');
  await rejects(c.send(new GetMailDomainCommand({ ...p, DomainName: 'mail.example.com' })), 'MailDomainNotFoundException',
    `The domain mail.example.com is not found in organization ${other}.`);
  await rejects(c.send(new UpdateDefaultMailDomainCommand({ ...p, DomainName: 'mail.example.com' })), 'MailDomainNotFoundException',
    `The domain mail.example.com is not found in organization ${other}.`);
  const { UserId: bob } = await c.send(new CreateUserCommand({ ...p, Name: 'bob', DisplayName: 'Bob' }));
  await rejects(c.send(new RegisterToWorkMailCommand({ ...p, EntityId: bob, Email: 'bob@mail.example.com' })), 'MailDomainNotFoundException',
    `The domain mail.example.com of bob@mail.example.com is not found in organization ${other}.`);

  // Terraform's destroy, and what DeregisterMailDomain refuses.
  await rejects(c.send(new DeregisterMailDomainCommand({ ...o, DomainName: testDomain })), 'InvalidParameterException',
    `The domain ${testDomain} is the test domain of organization ${org} and cannot be deregistered.`);
  await rejects(c.send(new DeregisterMailDomainCommand({ ...o, DomainName: 'Mail.example.com' })), 'InvalidParameterException',
    `The domain mail.example.com is the default mail domain of organization ${org}: make another domain the default first.`);
  await c.send(new UpdateDefaultMailDomainCommand({ ...o, DomainName: testDomain }));
  const inUse = 'The domain mail.example.com is in use by ann@mail.example.com: remove every email address of WorkMail entities on it first.';
  await rejects(c.send(new DeregisterMailDomainCommand({ ...o, DomainName: 'mail.example.com' })), 'MailDomainInUseException', inUse);
  // A new primary address keeps the old one as an alias, still on the domain.
  await c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: ann, Email: `ann@${testDomain}` }));
  assert.deepEqual(await aliases(ann), ['ann@mail.example.com']);
  await rejects(c.send(new DeregisterMailDomainCommand({ ...o, DomainName: 'mail.example.com' })), 'MailDomainInUseException', inUse);
  await c.send(new DeleteAliasCommand({ ...o, EntityId: ann, Alias: 'ann@mail.example.com' }));
  assert.deepEqual(body(await c.send(new DeregisterMailDomainCommand({ ...o, DomainName: 'mail.example.com' }))), {});
  await rejects(c.send(new GetMailDomainCommand({ ...o, DomainName: 'mail.example.com' })), 'MailDomainNotFoundException',
    `The domain mail.example.com is not found in organization ${org}.`);
  await c.send(new DeregisterMailDomainCommand({ ...o, DomainName: 'mail.example.com' })); // again: nothing to do
  assert.deepEqual(await domains(), [[testDomain, true], ['second.example.net', false]].sort());
  // Freed, the domain can go to the other organization.
  await c.send(new RegisterMailDomainCommand({ ...p, DomainName: 'mail.example.com' }));
  await c.send(new RegisterToWorkMailCommand({ ...p, EntityId: bob, Email: 'bob@mail.example.com' }));
});

test('mail domains: PENDING and FAILED, and what an unverified domain refuses', async () => {
  const account = '333300000062';
  const { c, org, o, test: testDomain, domain, aliases } = await start(account, 'js-verify');
  await c.send(new RegisterMailDomainCommand({ ...o, DomainName: 'new.example.com' }));
  assert.deepEqual(await setVerification(account, org, 'New.Example.com', 'PENDING', 'PENDING'),
    [200, { OwnershipVerificationStatus: 'PENDING', DkimVerificationStatus: 'PENDING' }]);
  const { Records, ...statuses } = await domain('new.example.com');
  assertRecords(Records, 'new.example.com');
  assert.deepEqual(statuses, { IsTestDomain: false, IsDefault: false, OwnershipVerificationStatus: 'PENDING', DkimVerificationStatus: 'PENDING' });
  await rejects(c.send(new UpdateDefaultMailDomainCommand({ ...o, DomainName: 'new.example.com' })), 'MailDomainStateException',
    'The domain new.example.com must be verified before it can be the default domain; its ownership verification status is PENDING.');
  const pending = 'The domain new.example.com must be verified before it can be used; its ownership verification status is PENDING.';
  const { ResourceId: room } = await c.send(new CreateResourceCommand({ ...o, Name: 'room-1', Type: 'ROOM' }));
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: 'room-1@new.example.com' })), 'MailDomainStateException', pending);
  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: `room-1@${testDomain}` }));
  await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: room, Alias: 'r1@new.example.com' })), 'MailDomainStateException', pending);
  await rejects(c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: room, Email: 'room-1@new.example.com' })), 'MailDomainStateException', pending);

  assert.deepEqual(await setVerification(account, org, 'new.example.com', 'FAILED'),
    [200, { OwnershipVerificationStatus: 'FAILED', DkimVerificationStatus: 'PENDING' }]);
  const failed = await domain('new.example.com');
  assert.deepEqual([failed.OwnershipVerificationStatus, failed.DkimVerificationStatus], ['FAILED', 'PENDING']);
  await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: room, Alias: 'r1@new.example.com' })), 'MailDomainStateException',
    'The domain new.example.com must be verified before it can be used; its ownership verification status is FAILED.');
  await rejects(c.send(new UpdateDefaultMailDomainCommand({ ...o, DomainName: 'new.example.com' })), 'MailDomainStateException',
    'The domain new.example.com must be verified before it can be the default domain; its ownership verification status is FAILED.');

  // The DNS checks pass: Terraform's poll ends, and the domain takes addresses.
  assert.deepEqual(await setVerification(account, org, 'new.example.com', 'VERIFIED', 'VERIFIED'),
    [200, { OwnershipVerificationStatus: 'VERIFIED', DkimVerificationStatus: 'VERIFIED' }]);
  assert.equal((await domain('new.example.com')).OwnershipVerificationStatus, 'VERIFIED');
  await c.send(new UpdateDefaultMailDomainCommand({ ...o, DomainName: 'new.example.com' }));
  assert.equal(body(await c.send(new DescribeOrganizationCommand(o))).DefaultMailDomain, 'new.example.com');
  await c.send(new CreateAliasCommand({ ...o, EntityId: room, Alias: 'r1@new.example.com' }));
  assert.deepEqual(await aliases(room), ['r1@new.example.com']);
  assert.deepEqual(body(await c.send(new DescribeEntityCommand({ ...o, Email: 'R1@new.example.com' }))), { EntityId: room, Name: 'room-1', Type: 'RESOURCE' });

  assert.deepEqual(await setVerification(account, org, testDomain, 'FAILED'), [400, {
    __type: 'InvalidParameterException', Message: `The domain ${testDomain} is the test domain of organization ${org}, which is always verified.` }]);
  assert.deepEqual(await setVerification(account, org, 'unknown.example.com', 'VERIFIED'), [400, {
    __type: 'MailDomainNotFoundException', Message: `The domain unknown.example.com is not found in organization ${org}.` }]);
});

test('aliases: a user\'s and a group\'s, UpdatePrimaryEmailAddress, DescribeEntity, addresses in use', async () => {
  const { c, org, o, test: testDomain, aliases, user } = await start('333300000063', 'js-aliases');
  const t = (local) => `${local}@${testDomain}`;
  await c.send(new RegisterMailDomainCommand({ ...o, DomainName: 'example.org' }));
  const ann = await user('ann', t('ann'));
  const { GroupId: team } = await c.send(new CreateGroupCommand({ ...o, Name: 'team' }));
  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: team, Email: t('team') }));
  const { ResourceId: room } = await c.send(new CreateResourceCommand({ ...o, Name: 'room-1', Type: 'ROOM' }));
  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: room, Email: t('room-1') }));

  assert.deepEqual(body(await c.send(new CreateAliasCommand({ ...o, EntityId: ann, Alias: 'Ann.Smith@example.org' }))), {});
  await c.send(new CreateAliasCommand({ ...o, EntityId: ann, Alias: t('a') }));
  await c.send(new CreateAliasCommand({ ...o, EntityId: ann, Alias: 'ann.smith@EXAMPLE.org' })); // the same alias: no change
  assert.deepEqual(await aliases(ann), byAddress(t('a'), 'Ann.Smith@example.org'));
  const first = body(await c.send(new ListAliasesCommand({ ...o, EntityId: ann, MaxResults: 1 })));
  assert.deepEqual(first.Aliases, byAddress(t('a'), 'Ann.Smith@example.org').slice(0, 1));
  assert.ok(first.NextToken);
  assert.deepEqual(body(await c.send(new DescribeEntityCommand({ ...o, Email: 'ANN.SMITH@example.org' }))), { EntityId: ann, Name: 'ann', Type: 'USER' });
  await c.send(new CreateAliasCommand({ ...o, EntityId: team, Alias: t('crew') }));
  await c.send(new CreateAliasCommand({ ...o, EntityId: team, Alias: 'Crew@example.org' }));
  assert.deepEqual(await aliases(team), byAddress(t('crew'), 'Crew@example.org'));
  assert.deepEqual(body(await c.send(new DescribeEntityCommand({ ...o, Email: 'crew@example.org' }))), { EntityId: team, Name: 'team', Type: 'GROUP' });

  // Addresses taken: the entity's own primary, another entity's of every kind, an alias.
  await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: ann, Alias: t('ann') })), 'EmailAddressInUseException',
    `The email address ${t('ann')} is the primary address of entity ${ann}.`);
  const inUse = (a) => `The email address ${a} is already used by another user, group or resource.`;
  for (const taken of [t('TEAM'), t('room-1'), t('crew')]) {
    await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: ann, Alias: taken })), 'EmailAddressInUseException', inUse(taken));
  }
  await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: team, Alias: t('A') })), 'EmailAddressInUseException', inUse(t('A')));
  const dan = await user('dan');
  await rejects(c.send(new RegisterToWorkMailCommand({ ...o, EntityId: dan, Email: 'Crew@example.org' })), 'EmailAddressInUseException', inUse('Crew@example.org'));
  await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: dan, Alias: t('dan') })), 'EntityStateException',
    `Entity ${dan} is DISABLED: it must be registered to WorkMail (ENABLED) to get an address.`);
  await rejects(c.send(new CreateAliasCommand({ ...o, EntityId: ann, Alias: 'ann@nowhere.example' })), 'MailDomainNotFoundException',
    `The domain nowhere.example of ann@nowhere.example is not found in organization ${org}.`);

  // UpdatePrimaryEmailAddress: to its own alias (they swap), to a new address, not to one in use.
  assert.deepEqual(body(await c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: ann, Email: 'Ann.Smith@example.org' }))), {});
  assert.equal(body(await c.send(new DescribeUserCommand({ ...o, UserId: ann }))).Email, 'Ann.Smith@example.org');
  assert.deepEqual(await aliases(ann), byAddress(t('a'), t('ann')));
  await c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: 'ann', Email: 'ann.new@example.org' }));
  await c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: ann, Email: 'ann.new@example.org' })); // again: no change
  assert.equal(body(await c.send(new DescribeUserCommand({ ...o, UserId: ann }))).Email, 'ann.new@example.org');
  assert.deepEqual(await aliases(ann), byAddress(t('a'), 'Ann.Smith@example.org', t('ann')));
  await rejects(c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: ann, Email: t('crew') })), 'EmailAddressInUseException', inUse(t('crew')));
  await rejects(c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: ann, Email: t('room-1') })), 'EmailAddressInUseException', inUse(t('room-1')));
  await c.send(new UpdatePrimaryEmailAddressCommand({ ...o, EntityId: team, Email: 'team@example.org' }));
  assert.equal(body(await c.send(new DescribeGroupCommand({ ...o, GroupId: team }))).Email, 'team@example.org');
  assert.deepEqual(await aliases(team), byAddress(t('crew'), 'Crew@example.org', t('team')));

  // DeleteAlias: an alias goes, an absent one is no error, the primary address stays.
  assert.deepEqual(body(await c.send(new DeleteAliasCommand({ ...o, EntityId: ann, Alias: t('A') }))), {});
  await c.send(new DeleteAliasCommand({ ...o, EntityId: ann, Alias: t('a') })); // again: nothing to do
  assert.deepEqual(await aliases(ann), byAddress('Ann.Smith@example.org', t('ann')));
  await rejects(c.send(new DeleteAliasCommand({ ...o, EntityId: ann, Alias: 'ANN.NEW@example.org' })), 'InvalidParameterException',
    `The email address ANN.NEW@example.org is the primary address of entity ${ann} and cannot be deleted as an alias.`);
  await rejects(c.send(new DescribeEntityCommand({ ...o, Email: t('a') })), 'EntityNotFoundException',
    `No user, group or resource has the address ${t('a')} in organization ${org}.`);
  await c.send(new RegisterToWorkMailCommand({ ...o, EntityId: dan, Email: t('a') })); // a freed alias is anyone's
  assert.equal(body(await c.send(new DescribeEntityCommand({ ...o, Email: t('a') }))).EntityId, dan);
  assert.deepEqual(await aliases(dan), []);
});
