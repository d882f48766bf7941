// Availability configurations and mailbox export jobs through the AWS SDK
// for JavaScript v3. Runs as workmail.test.mjs does (same settings); each
// test uses its own account. The suites' server makes no outbound call and
// runs an export job for five minutes, so every job here is RUNNING or
// CANCELLED.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CancelMailboxExportJobCommand,
  CreateAvailabilityConfigurationCommand,
  CreateOrganizationCommand,
  CreateUserCommand,
  DeleteAvailabilityConfigurationCommand,
  DescribeMailboxExportJobCommand,
  EntityNotFoundException,
  InvalidParameterException,
  LimitExceededException,
  ListAvailabilityConfigurationsCommand,
  ListMailboxExportJobsCommand,
  NameAvailabilityException,
  RegisterToWorkMailCommand,
  ResourceNotFoundException,
  StartMailboxExportJobCommand,
  TestAvailabilityConfigurationCommand,
  UpdateAvailabilityConfigurationCommand,
  WorkMailClient,
  paginateListAvailabilityConfigurations,
  paginateListMailboxExportJobs,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODELED = { EntityNotFoundException, InvalidParameterException, LimitExceededException, NameAvailabilityException, ResourceNotFoundException };
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
const NOT_TESTED = 'This workmaild makes no outbound calls (start it with --availability-test-calls to allow them), so the EWS provider was not tested.';
const EWS = { EwsEndpoint: 'https://mail.partner.example/EWS/Exchange.asmx', EwsUsername: 'svc', EwsPassword: 'Free-Busy-Passw0rd' };

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
  const id = (await c.send(new CreateUserCommand({ OrganizationId: org, Name: name, DisplayName: name }))).UserId;
  await c.send(new RegisterToWorkMailCommand({ OrganizationId: org, EntityId: id, Email: `${name}@${alias}.awsapps.com` }));
  return id;
}

function exportInput(org, account, entity) {
  return {
    OrganizationId: org, EntityId: entity, Description: 'archive',
    RoleArn: `arn:aws:iam::${account}:role/workmail-export`,
    KmsKeyArn: `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    S3BucketName: 'exports', S3Prefix: 'mail',
  };
}

test('availability configurations: create, test, list, update, delete', async () => {
  const account = '333300000131';
  const c = client(account);
  const org = await createOrg(c, 'js-avail');
  const LambdaArn = `arn:aws:lambda:${region}:${account}:function:availability`;
  const create = (DomainName, provider) => c.send(new CreateAvailabilityConfigurationCommand({ OrganizationId: org, DomainName, ...provider }));
  assert.deepEqual(body(await create('partner.example', { EwsProvider: EWS })), {});
  await create('lambda.example', { LambdaProvider: { LambdaArn } });
  await rejects(create('Partner.Example', { EwsProvider: EWS }), 'NameAvailabilityException',
    `An availability configuration for the domain partner.example already exists in organization ${org}.`);
  await rejects(create('none.example', {}), 'InvalidParameterException', 'Exactly one provider, EwsProvider or LambdaProvider, must be given.');

  // The SDK's paginator, one configuration a page; no password is listed.
  const listed = [];
  for await (const page of paginateListAvailabilityConfigurations({ client: c, pageSize: 1 }, { OrganizationId: org })) {
    assert.ok(page.AvailabilityConfigurations.length <= 1);
    for (const { DateCreated, DateModified, ...item } of page.AvailabilityConfigurations) {
      assert.ok(DateCreated instanceof Date && DateModified instanceof Date);
      listed.push(item);
    }
  }
  assert.deepEqual(listed, [
    { DomainName: 'lambda.example', ProviderType: 'LAMBDA', LambdaProvider: { LambdaArn } },
    { DomainName: 'partner.example', ProviderType: 'EWS', EwsProvider: { EwsEndpoint: EWS.EwsEndpoint, EwsUsername: 'svc' } },
  ]);

  const testIt = (input) => c.send(new TestAvailabilityConfigurationCommand({ OrganizationId: org, ...input }));
  assert.deepEqual(body(await testIt({ DomainName: 'partner.example' })), { TestPassed: false, FailureReason: NOT_TESTED });
  assert.deepEqual(body(await testIt({ LambdaProvider: { LambdaArn } })),
    { TestPassed: false, FailureReason: `workmaild cannot invoke Lambda functions, so the Lambda provider ${LambdaArn} was not tested.` });
  await rejects(testIt({ DomainName: 'unknown.example' }), 'ResourceNotFoundException',
    `No availability configuration exists for the domain unknown.example in organization ${org}.`);

  assert.deepEqual(body(await c.send(new UpdateAvailabilityConfigurationCommand({ OrganizationId: org, DomainName: 'lambda.example', EwsProvider: EWS }))), {});
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteAvailabilityConfigurationCommand({ OrganizationId: org, DomainName: 'partner.example' }))), {});
  }
  const left = (await c.send(new ListAvailabilityConfigurationsCommand({ OrganizationId: org }))).AvailabilityConfigurations;
  assert.deepEqual(left.map((i) => [i.DomainName, i.ProviderType, i.EwsProvider]),
    [['lambda.example', 'EWS', { EwsEndpoint: EWS.EwsEndpoint, EwsUsername: 'svc' }]]);
  await rejects(c.send(new UpdateAvailabilityConfigurationCommand({ OrganizationId: org, DomainName: 'partner.example', EwsProvider: EWS })),
    'ResourceNotFoundException', `No availability configuration exists for the domain partner.example in organization ${org}.`);
});

test('mailbox export: start, describe, the mailbox limit, cancel, list', async () => {
  const account = '333300000132';
  const c = client(account);
  const org = await createOrg(c, 'js-export');
  const alice = await mailboxUser(c, org, 'js-export', 'alice');
  const { JobId } = body(await c.send(new StartMailboxExportJobCommand(exportInput(org, account, 'alice'))));
  assert.match(JobId, UUID);
  const { StartTime, EstimatedProgress, ...described } = body(await c.send(new DescribeMailboxExportJobCommand({ OrganizationId: org, JobId })));
  assert.ok(StartTime instanceof Date);
  assert.ok(EstimatedProgress >= 0 && EstimatedProgress < 100);
  assert.deepEqual(described, {
    EntityId: alice, Description: 'archive',
    RoleArn: `arn:aws:iam::${account}:role/workmail-export`,
    KmsKeyArn: `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    S3BucketName: 'exports', S3Prefix: 'mail', S3Path: `mail/${JobId}.zip`, State: 'RUNNING',
  });
  await rejects(c.send(new StartMailboxExportJobCommand(exportInput(org, account, alice))), 'LimitExceededException',
    `The mailbox of ${alice} has an export job started in the last 24 hours (${JobId}): one job per mailbox per 24 hours.`);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new CancelMailboxExportJobCommand({ OrganizationId: org, JobId }))), {});
  }
  const { Jobs } = body(await c.send(new ListMailboxExportJobsCommand({ OrganizationId: org })));
  assert.equal(Jobs.length, 1);
  assert.ok(Jobs[0].EndTime instanceof Date);
  assert.deepEqual([Jobs[0].JobId, Jobs[0].State, Jobs[0].S3Path], [JobId, 'CANCELLED', `mail/${JobId}.zip`]);
  await rejects(c.send(new CancelMailboxExportJobCommand({ OrganizationId: org, JobId: 'no-such-job' })), 'EntityNotFoundException',
    `Mailbox export job no-such-job does not exist in organization ${org}.`);
  await rejects(c.send(new StartMailboxExportJobCommand(exportInput(org, account, 'nobody'))), 'EntityNotFoundException',
    `Entity nobody does not exist in organization ${org}.`);
  await rejects(c.send(new StartMailboxExportJobCommand({ ...exportInput(org, account, alice), RoleArn: `arn:aws:iam::${account}:user/admin` })),
    'InvalidParameterException', `RoleArn arn:aws:iam::${account}:user/admin must name an IAM role (role/<name>).`);
});

test('mailbox export: ten running jobs per organization', async () => {
  const account = '333300000133';
  const c = client(account);
  const org = await createOrg(c, 'js-exports');
  const started = [];
  for (let i = 0; i < 10; i++) {
    const user = await mailboxUser(c, org, 'js-exports', `user${i}`);
    started.push((await c.send(new StartMailboxExportJobCommand(exportInput(org, account, user)))).JobId);
  }
  const last = await mailboxUser(c, org, 'js-exports', 'last');
  await rejects(c.send(new StartMailboxExportJobCommand(exportInput(org, account, last))), 'LimitExceededException',
    `Organization ${org} has 10 running mailbox export jobs, the most it may have.`);
  const listed = [];
  for await (const page of paginateListMailboxExportJobs({ client: c, pageSize: 4 }, { OrganizationId: org })) {
    assert.ok(page.Jobs.length <= 4);
    listed.push(...page.Jobs.map((j) => j.JobId));
  }
  assert.deepEqual(listed.sort(), started.sort());
});
