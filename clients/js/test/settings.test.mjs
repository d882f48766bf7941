// Organization settings through the AWS SDK for JavaScript v3: the
// retention policy, email monitoring, inbound DMARC and tags. Runs as
// workmail.test.mjs does (same settings); each test uses its own account.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CreateOrganizationCommand,
  DeleteEmailMonitoringConfigurationCommand,
  DeleteOrganizationCommand,
  DeleteRetentionPolicyCommand,
  DescribeEmailMonitoringConfigurationCommand,
  DescribeInboundDmarcSettingsCommand,
  DescribeOrganizationCommand,
  EntityNotFoundException,
  GetDefaultRetentionPolicyCommand,
  InvalidParameterException,
  LimitExceededException,
  ListTagsForResourceCommand,
  PutEmailMonitoringConfigurationCommand,
  PutInboundDmarcSettingsCommand,
  PutRetentionPolicyCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  WorkMailClient,
} from '@aws-sdk/client-workmail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MODELED = {
  EntityNotFoundException, InvalidParameterException, LimitExceededException, ResourceNotFoundException, TooManyTagsException,
};
const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
const SLR = 'role/aws-service-role/events.workmail.amazonaws.com/AWSServiceRoleForAmazonWorkMailEvents';

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

test('retention policy: put, replace, refuse, delete', async () => {
  const c = client('333300000121');
  const org = await createOrg(c, 'js-retention');
  const get = () => c.send(new GetDefaultRetentionPolicyCommand({ OrganizationId: org }));
  const put = (input) => c.send(new PutRetentionPolicyCommand({ OrganizationId: org, ...input }));
  await rejects(get(), 'EntityNotFoundException', `Organization ${org} has no retention policy.`);
  const folders = [
    { Name: 'DELETED_ITEMS', Action: 'PERMANENTLY_DELETE', Period: 30 },
    { Name: 'INBOX', Action: 'NONE' },
  ];
  assert.deepEqual(body(await put({ Name: 'standard', FolderConfigurations: folders })), {});
  const { Id, ...rest } = body(await get());
  assert.match(Id, UUID);
  assert.deepEqual(rest, { Name: 'standard', FolderConfigurations: folders });

  await put({ Id, Name: 'strict', Description: 'a week', FolderConfigurations: [{ Name: 'JUNK_EMAIL', Action: 'DELETE', Period: 7 }] });
  assert.deepEqual(body(await get()), {
    Id, Name: 'strict', Description: 'a week', FolderConfigurations: [{ Name: 'JUNK_EMAIL', Action: 'DELETE', Period: 7 }],
  });
  await rejects(put({ Id: 'second', Name: 'second', FolderConfigurations: [] }), 'LimitExceededException',
    `Organization ${org} already has retention policy ${Id}; an organization has one retention policy.`);
  await rejects(put({ Name: 'twice', FolderConfigurations: [{ Name: 'DRAFTS', Action: 'NONE' }, { Name: 'DRAFTS', Action: 'NONE' }] }),
    'InvalidParameterException', 'Folder DRAFTS is configured more than once; give each folder one configuration.');
  await rejects(put({ Name: 'noperiod', FolderConfigurations: [{ Name: 'SENT_ITEMS', Action: 'DELETE' }] }),
    'InvalidParameterException', 'Folder SENT_ITEMS has action DELETE but no Period; actions other than NONE need a period in days.');
  for (const id of ['other', Id, Id]) {
    assert.deepEqual(body(await c.send(new DeleteRetentionPolicyCommand({ OrganizationId: org, Id: id }))), {});
  }
  await rejects(get(), 'EntityNotFoundException', `Organization ${org} has no retention policy.`);
});

test('email monitoring and inbound DMARC', async () => {
  const account = '333300000122';
  const c = client(account);
  const org = await createOrg(c, 'js-monitoring');
  const describe = () => c.send(new DescribeEmailMonitoringConfigurationCommand({ OrganizationId: org }));
  const put = (input) => c.send(new PutEmailMonitoringConfigurationCommand({ OrganizationId: org, ...input }));
  await rejects(describe(), 'ResourceNotFoundException', `Organization ${org} has no email monitoring configuration.`);
  const logs = `arn:aws:logs:${region}:${account}:log-group:/aws/workmail/emailevents/js-monitoring:*`;
  assert.deepEqual(body(await put({ LogGroupArn: logs })), {});
  assert.deepEqual(body(await describe()), { LogGroupArn: logs, RoleArn: `arn:aws:iam::${account}:${SLR}` });
  const role = `arn:aws:iam::${account}:role/WorkMailEvents`;
  await put({ LogGroupArn: logs, RoleArn: role });
  assert.deepEqual(body(await describe()), { LogGroupArn: logs, RoleArn: role });
  const east = `arn:aws:logs:us-east-1:${account}:log-group:x:*`;
  await rejects(put({ LogGroupArn: east }), 'InvalidParameterException',
    `LogGroupArn ${east} must name a log group in account ${account} and region ${region}.`);
  const foreign = 'arn:aws:iam::999988887777:role/x';
  await rejects(put({ LogGroupArn: logs, RoleArn: foreign }), 'InvalidParameterException',
    `RoleArn ${foreign} must name a role in account ${account}.`);
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(body(await c.send(new DeleteEmailMonitoringConfigurationCommand({ OrganizationId: org }))), {});
  }
  await rejects(describe(), 'ResourceNotFoundException', `Organization ${org} has no email monitoring configuration.`);

  const dmarc = async () => body(await c.send(new DescribeInboundDmarcSettingsCommand({ OrganizationId: org })));
  assert.deepEqual(await dmarc(), { Enforced: true });
  assert.deepEqual(body(await c.send(new PutInboundDmarcSettingsCommand({ OrganizationId: org, Enforced: false }))), {});
  assert.deepEqual(await dmarc(), { Enforced: false });
});

test('tags on an organization ARN', async () => {
  const c = client('333300000123');
  const org = await createOrg(c, 'js-tags');
  const { ARN } = await c.send(new DescribeOrganizationCommand({ OrganizationId: org }));
  const tag = (Tags, cl = c) => cl.send(new TagResourceCommand({ ResourceARN: ARN, Tags }));
  const list = async () => body(await c.send(new ListTagsForResourceCommand({ ResourceARN: ARN })));
  assert.deepEqual(await list(), { Tags: [] });
  assert.deepEqual(body(await tag([{ Key: 'priority', Value: '1' }, { Key: 'Owner', Value: 'mail' }])), {});
  await tag([{ Key: 'priority', Value: '2' }, { Key: 'empty', Value: '' }]);
  assert.deepEqual(await list(), {
    Tags: [{ Key: 'Owner', Value: 'mail' }, { Key: 'empty', Value: '' }, { Key: 'priority', Value: '2' }],
  });
  await rejects(tag([{ Key: 'aws:team', Value: 'x' }]), 'InvalidParameterException',
    'Tag key aws:team starts with aws:, which is reserved for AWS.');
  const many = Array.from({ length: 48 }, (_, i) => ({ Key: `k${String(i).padStart(2, '0')}`, Value: 'v' }));
  await rejects(tag(many), 'TooManyTagsException',
    `Resource ${ARN} would have 51 tags; a resource can have up to 50 user-applied tags.`);
  assert.deepEqual(body(await c.send(new UntagResourceCommand({ ResourceARN: ARN, TagKeys: ['empty', 'absent'] }))), {});
  await tag(many);
  assert.equal((await list()).Tags.length, 50);

  await rejects(tag([{ Key: 'k', Value: 'v' }], client('333300000124')), 'ResourceNotFoundException',
    `Resource ${ARN} not found in account 333300000124, region ${region}.`);
  await c.send(new DeleteOrganizationCommand({ OrganizationId: org, DeleteDirectory: false }));
  await rejects(c.send(new ListTagsForResourceCommand({ ResourceARN: ARN })), 'ResourceNotFoundException', `Resource ${ARN} not found.`);
  await rejects(c.send(new UntagResourceCommand({ ResourceARN: ARN, TagKeys: ['k00'] })), 'ResourceNotFoundException',
    `Resource ${ARN} not found.`);
});
