// The conformance scenario through the AWS SDK for JavaScript v3
// (@aws-sdk/client-workmail, the exact version package.json pins).
//
// Run against a fresh workmaild with WORKMAILD_ENDPOINT set to its URL:
//
//	cd clients/js && npm ci && node --test
//
// Each test uses its own account (the access key id), so tests neither see
// nor depend on one another and each list is exactly what its test made.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, test } from 'node:test';

import {
  CreateIdentityCenterApplicationCommand,
  CreateOrganizationCommand,
  CreateUserCommand,
  DeleteIdentityCenterApplicationCommand,
  DeleteIdentityProviderConfigurationCommand,
  DeleteOrganizationCommand,
  DeletePersonalAccessTokenCommand,
  DescribeIdentityProviderConfigurationCommand,
  DescribeOrganizationCommand,
  DescribeUserCommand,
  EntityNotFoundException,
  GetPersonalAccessTokenMetadataCommand,
  InvalidParameterException,
  ListOrganizationsCommand,
  ListPersonalAccessTokensCommand,
  ListUsersCommand,
  NameAvailabilityException,
  OrganizationNotFoundException,
  OrganizationStateException,
  PutIdentityProviderConfigurationCommand,
  RegisterToWorkMailCommand,
  ResourceNotFoundException,
  UpdateUserCommand,
  WorkMailClient,
  paginateListOrganizations,
} from '@aws-sdk/client-workmail';

const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const OTHER_INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-fedcba0987654321';
const UNKNOWN_ORG = 'm-' + '0'.repeat(32);
const ENUM_MODES = '[IDENTITY_PROVIDER_ONLY, IDENTITY_PROVIDER_AND_DIRECTORY]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IDP_USER = '12345678-1234-1234-1234-123456789012'; // an Identity Store user id
const MODELED = {
  EntityNotFoundException,
  InvalidParameterException,
  NameAvailabilityException,
  OrganizationNotFoundException,
  OrganizationStateException,
  ResourceNotFoundException,
};
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';

before(() => {
  // Fail, never skip: a missing setting or a stale install is a broken run.
  assert.ok(process.env.WORKMAILD_ENDPOINT, 'WORKMAILD_ENDPOINT is not set');
  const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url))).dependencies['@aws-sdk/client-workmail'];
  const installed = createRequire(import.meta.url)('@aws-sdk/client-workmail/package.json').version;
  assert.equal(installed, pinned, 'node_modules is stale: run npm ci in clients/js');
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

async function createOrg(c, alias) {
  const out = body(await c.send(new CreateOrganizationCommand({ Alias: alias })));
  assert.deepEqual(Object.keys(out), ['OrganizationId']);
  assert.match(out.OrganizationId, /^m-[0-9a-f]{32}$/);
  return out.OrganizationId;
}

async function createApp(c, input = {}) {
  const out = body(await c.send(new CreateIdentityCenterApplicationCommand({ Name: 'WorkMail', InstanceArn: INSTANCE_ARN, ...input })));
  assert.deepEqual(Object.keys(out), ['ApplicationArn']);
  return out.ApplicationArn;
}

test('organization lifecycle', async () => {
  const account = '333300000001';
  const c = client(account);
  const start = Date.now();
  const org = await createOrg(c, 'js-lifecycle');
  const end = Date.now();

  const { CompletedDate, ...got } = body(await c.send(new DescribeOrganizationCommand({ OrganizationId: org })));
  assert.ok(CompletedDate instanceof Date);
  assert.ok(start <= CompletedDate.getTime() && CompletedDate.getTime() <= end, CompletedDate.toISOString());
  assert.deepEqual(got, {
    OrganizationId: org,
    Alias: 'js-lifecycle',
    State: 'Active',
    DirectoryType: 'WorkMailDirectory',
    DefaultMailDomain: 'js-lifecycle.awsapps.com',
    ARN: `arn:aws:workmail:${region}:${account}:organization/${org}`,
    InteroperabilityEnabled: false,
  });
  assert.deepEqual(body(await c.send(new ListOrganizationsCommand({}))), {
    OrganizationSummaries: [{ OrganizationId: org, Alias: 'js-lifecycle', DefaultMailDomain: 'js-lifecycle.awsapps.com', State: 'Active' }],
  });
  await rejects(c.send(new CreateOrganizationCommand({ Alias: 'js-lifecycle' })), 'NameAvailabilityException',
    'Organization alias js-lifecycle is already in use.');

  assert.deepEqual(body(await c.send(new DeleteOrganizationCommand({ OrganizationId: org, DeleteDirectory: false }))),
    { OrganizationId: org, State: 'Deleted' });
  assert.equal((await c.send(new DescribeOrganizationCommand({ OrganizationId: org }))).State, 'Deleted');
  assert.deepEqual(body(await c.send(new ListOrganizationsCommand({}))), { OrganizationSummaries: [] });
  await rejects(c.send(new DeleteOrganizationCommand({ OrganizationId: org, DeleteDirectory: false })),
    'OrganizationStateException', `Organization ${org} is not Active, state: Deleted`);
});

test('ListOrganizations paginator walked to the end', async () => {
  const c = client('333300000002');
  const orgs = [];
  for (let i = 0; i < 5; i++) orgs.push(await createOrg(c, `js-page-${i}`));
  orgs.sort();

  const pages = [];
  for await (const page of paginateListOrganizations({ client: c, pageSize: 1 }, {})) pages.push(page);
  assert.equal(pages.length, 5);
  for (const page of pages.slice(0, -1)) assert.equal(typeof page.NextToken, 'string');
  assert.equal(pages.at(-1).NextToken, undefined);
  const walked = pages.flatMap((p) => p.OrganizationSummaries);
  assert.deepEqual(walked.map((s) => s.OrganizationId), orgs);
  assert.deepEqual(walked.map((s) => s.Alias).sort(), [0, 1, 2, 3, 4].map((i) => `js-page-${i}`));

  await rejects(c.send(new ListOrganizationsCommand({ NextToken: 'not-a-token' })), 'InvalidParameterException',
    'The NextToken is invalid or was issued for a different request.');
  await rejects(c.send(new ListOrganizationsCommand({ MaxResults: 101 })), 'InvalidParameterException',
    "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  // The JavaScript SDK checks no constraint; the server checks them all.
  await rejects(c.send(new ListOrganizationsCommand({ MaxResults: 0 })), 'InvalidParameterException',
    "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
});

test('Identity Center application', async () => {
  const account = '333300000003';
  const c = client(account);
  const arn = await createApp(c);
  assert.match(arn, new RegExp(`^arn:aws:sso::${account}:application/ssoins-1234567890abcdef/apl-[a-zA-Z0-9]{16}$`));

  const again = await createApp(c, { Name: 'Idem', ClientToken: 'js-token-1' });
  assert.equal(await createApp(c, { Name: 'Idem', ClientToken: 'js-token-1' }), again);
  assert.notEqual(again, arn);
  await rejects(c.send(new CreateIdentityCenterApplicationCommand({ Name: 'Changed', InstanceArn: INSTANCE_ARN, ClientToken: 'js-token-1' })),
    'InvalidParameterException', 'ClientToken js-token-1 was already used for CreateIdentityCenterApplication with different parameters.');
  await rejects(c.send(new CreateIdentityCenterApplicationCommand({ Name: 'has space', InstanceArn: INSTANCE_ARN })),
    'InvalidParameterException',
    "1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@-]+$");

  assert.deepEqual(body(await c.send(new DeleteIdentityCenterApplicationCommand({ ApplicationArn: again }))), {});
  assert.deepEqual(body(await c.send(new DeleteIdentityCenterApplicationCommand({ ApplicationArn: again }))), {});
});

test('identity-provider configuration: Put, Describe, Delete and their errors', async () => {
  const c = client('333300000004');
  const org = await createOrg(c, 'js-idp');
  const app = await createApp(c);
  const missing = `Organization ${org} has no identity provider configuration.`;
  const describe = () => c.send(new DescribeIdentityProviderConfigurationCommand({ OrganizationId: org }));
  const put = (override = {}) => c.send(new PutIdentityProviderConfigurationCommand({
    OrganizationId: org,
    AuthenticationMode: 'IDENTITY_PROVIDER_ONLY',
    IdentityCenterConfiguration: { InstanceArn: INSTANCE_ARN, ApplicationArn: app },
    PersonalAccessTokenConfiguration: { Status: 'ACTIVE', LifetimeInDays: 30 },
    ...override,
  }));
  await rejects(describe(), 'ResourceNotFoundException', missing);

  await rejects(put({ AuthenticationMode: 'BOGUS' }), 'InvalidParameterException',
    `1 validation error detected: Value 'BOGUS' at 'authenticationMode' failed to satisfy constraint: Member must satisfy enum value set: ${ENUM_MODES}`);
  await rejects(put({ PersonalAccessTokenConfiguration: { Status: 'ACTIVE', LifetimeInDays: 0 } }), 'InvalidParameterException',
    "1 validation error detected: Value '0' at 'personalAccessTokenConfiguration.lifetimeInDays' failed to satisfy constraint: Member must have value greater than or equal to 1");
  await rejects(put({ PersonalAccessTokenConfiguration: { Status: 'ACTIVE', LifetimeInDays: 3654 } }), 'InvalidParameterException',
    "1 validation error detected: Value '3654' at 'personalAccessTokenConfiguration.lifetimeInDays' failed to satisfy constraint: Member must have value less than or equal to 3653");
  const unknownApp = app.slice(0, -16) + '0'.repeat(16);
  await rejects(put({ IdentityCenterConfiguration: { InstanceArn: INSTANCE_ARN, ApplicationArn: unknownApp } }), 'ResourceNotFoundException',
    `Identity Center application ${unknownApp} does not exist in this account and region.`);
  await rejects(put({ IdentityCenterConfiguration: { InstanceArn: OTHER_INSTANCE_ARN, ApplicationArn: app } }), 'InvalidParameterException',
    `InstanceArn ${OTHER_INSTANCE_ARN} is not the Identity Center instance of application ${app} (${INSTANCE_ARN}).`);
  await rejects(put({ OrganizationId: UNKNOWN_ORG }), 'OrganizationNotFoundException', `Organization ${UNKNOWN_ORG} does not exist.`);
  await rejects(describe(), 'ResourceNotFoundException', missing);

  assert.deepEqual(body(await put()), {});
  assert.deepEqual(body(await describe()), {
    AuthenticationMode: 'IDENTITY_PROVIDER_ONLY',
    IdentityCenterConfiguration: { InstanceArn: INSTANCE_ARN, ApplicationArn: app },
    PersonalAccessTokenConfiguration: { Status: 'ACTIVE', LifetimeInDays: 30 },
  });
  assert.deepEqual(body(await put({ AuthenticationMode: 'IDENTITY_PROVIDER_AND_DIRECTORY', PersonalAccessTokenConfiguration: { Status: 'INACTIVE' } })), {});
  assert.deepEqual(body(await describe()), {
    AuthenticationMode: 'IDENTITY_PROVIDER_AND_DIRECTORY',
    IdentityCenterConfiguration: { InstanceArn: INSTANCE_ARN, ApplicationArn: app },
    PersonalAccessTokenConfiguration: { Status: 'INACTIVE' },
  });
  await rejects(c.send(new DeleteIdentityCenterApplicationCommand({ ApplicationArn: app })), 'OrganizationStateException',
    `Application ${app} is used by the identity provider configuration of organization ${org}; delete that configuration first.`);

  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteIdentityProviderConfigurationCommand({ OrganizationId: org }))), {});
    await rejects(describe(), 'ResourceNotFoundException', missing);
  }

  await c.send(new DeleteOrganizationCommand({ OrganizationId: org, DeleteDirectory: false }));
  const deleted = `Organization ${org} is not Active, state: Deleted`;
  await rejects(describe(), 'OrganizationStateException', deleted);
  await rejects(c.send(new DeleteIdentityProviderConfigurationCommand({ OrganizationId: org })), 'OrganizationStateException', deleted);
  await rejects(put(), 'OrganizationStateException', deleted);
});

test('organization errors', async () => {
  const c = client('333300000005');
  await rejects(c.send(new DescribeOrganizationCommand({ OrganizationId: UNKNOWN_ORG })), 'OrganizationNotFoundException',
    `Organization ${UNKNOWN_ORG} does not exist.`);
  // Sent as is: every violation is listed, in model order.
  await rejects(c.send(new DescribeOrganizationCommand({ OrganizationId: 'm-0' })), 'InvalidParameterException',
    "2 validation errors detected: Value 'm-0' at 'organizationId' failed to satisfy constraint: Member must have length greater than or equal to 34; " +
    "Value 'm-0' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^m-[0-9a-f]{32}$");
  await rejects(c.send(new DescribeOrganizationCommand({})), 'InvalidParameterException',
    "1 validation error detected: Value null at 'organizationId' failed to satisfy constraint: Member must not be null");

  const org = await createOrg(c, 'js-private');
  await rejects(client('333300000006').send(new DescribeOrganizationCommand({ OrganizationId: org })), 'OrganizationNotFoundException',
    `Organization ${org} does not exist.`);
});

// issueToken asks workmaild's own endpoint for a personal access token
// (WorkMail has no API for it) and returns its id.
async function issueToken(account, org, user) {
  const resp = await fetch(`${process.env.WORKMAILD_ENDPOINT}/_workmaild/tokens`, {
    method: 'POST',
    body: JSON.stringify({ Account: account, Region: region, OrganizationId: org, User: user, Name: 'laptop', Scopes: ['IMAP', 'SMTP'] }),
  });
  assert.equal(resp.status, 200, await resp.clone().text());
  return (await resp.json()).PersonalAccessTokenId;
}

test('users and personal access tokens', async () => {
  const account = '333300000007';
  const c = client(account);
  const org = await createOrg(c, 'js-users');
  const app = await createApp(c);
  await c.send(new PutIdentityProviderConfigurationCommand({
    OrganizationId: org,
    AuthenticationMode: 'IDENTITY_PROVIDER_ONLY',
    IdentityCenterConfiguration: { InstanceArn: INSTANCE_ARN, ApplicationArn: app },
    PersonalAccessTokenConfiguration: { Status: 'ACTIVE', LifetimeInDays: 30 },
  }));
  const { UserId: user } = await c.send(new CreateUserCommand({ OrganizationId: org, Name: 'alice', DisplayName: 'Alice', IdentityProviderUserId: IDP_USER }));
  assert.match(user, UUID);
  const { IdentityProviderIdentityStoreId, ...described } = body(await c.send(new DescribeUserCommand({ OrganizationId: org, UserId: user })));
  assert.match(IdentityProviderIdentityStoreId, /^d-[0-9a-f]{10}$/);
  assert.deepEqual(described, {
    UserId: user, Name: 'alice', DisplayName: 'Alice', State: 'DISABLED', UserRole: 'USER',
    HiddenFromGlobalAddressList: false, IdentityProviderUserId: IDP_USER,
  });
  const { Users } = await c.send(new ListUsersCommand({ OrganizationId: org, Filters: { IdentityProviderUserIdPrefix: IDP_USER.slice(0, 8) } }));
  assert.deepEqual(Users.map((u) => [u.Id, u.IdentityProviderUserId]), [[user, IDP_USER]]);
  await c.send(new RegisterToWorkMailCommand({ OrganizationId: org, EntityId: user, Email: 'alice@js-users.awsapps.com' }));

  const token = await issueToken(account, org, 'alice');
  const { PersonalAccessTokenSummaries: summaries } = await c.send(new ListPersonalAccessTokensCommand({ OrganizationId: org }));
  assert.equal(summaries.length, 1);
  const { DateCreated, ExpiresTime, ...summary } = summaries[0];
  assert.equal(ExpiresTime.getTime() - DateCreated.getTime(), 30 * 24 * 3600 * 1000);
  assert.deepEqual(summary, { PersonalAccessTokenId: token, UserId: user, Name: 'laptop', Scopes: ['IMAP', 'SMTP'] });
  assert.deepEqual(body(await c.send(new GetPersonalAccessTokenMetadataCommand({ OrganizationId: org, PersonalAccessTokenId: token }))), summaries[0]);
  await rejects(c.send(new ListPersonalAccessTokensCommand({ OrganizationId: org, UserId: 'nobody' })), 'EntityNotFoundException',
    `User nobody does not exist in organization ${org}.`);
  for (let i = 0; i < 2; i++) {
    // Deleting an unknown token succeeds.
    assert.deepEqual(body(await c.send(new DeletePersonalAccessTokenCommand({ OrganizationId: org, PersonalAccessTokenId: token }))), {});
  }
  await rejects(c.send(new GetPersonalAccessTokenMetadataCommand({ OrganizationId: org, PersonalAccessTokenId: token })), 'ResourceNotFoundException',
    `Personal access token ${token} does not exist in organization ${org}.`);

  // "" clears the link.
  await c.send(new UpdateUserCommand({ OrganizationId: org, UserId: user, IdentityProviderUserId: '' }));
  const cleared = await c.send(new DescribeUserCommand({ OrganizationId: org, UserId: user }));
  assert.equal(cleared.IdentityProviderUserId, undefined);
  assert.equal(cleared.Name, 'alice');
});
