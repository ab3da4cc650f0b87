// Functions in scale-out: a function whose {table: name} is a remote table gets the remote's
// endpoint as AWS_ENDPOINT_URL_DYNAMODB, the remote table's own name and the key gatehouse signs
// with (as Lambda hands a function its role's), so an unchanged SDK v3 handler writes where the
// crud routes read, even beside the gateway's own DynamoDB listener.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startGateway, issuerToken, blogEnv, blogYaml } from './harness.mjs';
import { startDynamo, caller, v3Client } from './dynamodb_fixture.mjs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';

const dir = join(import.meta.dirname, 'functions/dynamodb');

describe('a function on a remote table', () => {
  let remote;
  let gw;
  before(async () => {
    // The remote verifies signatures: the function must sign with the key gatehouse resolved.
    remote = await startDynamo({ credentials: { accessKeyId: 'AKIDREMOTE', secretEnv: 'REMOTE_SECRET' },
      env: { REMOTE_SECRET: 'remote-secret' } });
    gw = await startGateway(blogYaml({
      tableExtra: `    backend: dynamodb
    region: us-east-1
    endpoint: ${remote.dynamodbUrl}
    table: users_v2
    create: true
`,
      routeExtra: `  - {path: /by-function, method: POST, auth: none, integration: {type: function, function: writer}}
`,
      extra: `dynamodb: {listen: 127.0.0.1:0}
functions:
  writer:
    runtime: node
    handler: by_id.handler
    working_dir: ${dir}
    concurrency: 1
    environment: {TABLE_NAME: {table: users}}
`,
    }), { env: { ...blogEnv, AWS_ACCESS_KEY_ID: 'AKIDREMOTE', AWS_SECRET_ACCESS_KEY: 'remote-secret' },
      deadlineMs: 30000 });
  });
  after(async () => {
    if (gw) assert.equal((await gw.stop()).code, 0);
    if (remote) await remote.stop();
  });

  it('the function writes to the remote table by its remote name, and the crud routes read it', async () => {
    const res = await fetch(`${gw.url}/by-function`, { method: 'POST', body: JSON.stringify({ text: 'hi' }) });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    const answer = JSON.parse(text);
    assert.equal(answer.endpoint, remote.dynamodbUrl);
    assert.notEqual(answer.endpoint, gw.dynamodbUrl);
    assert.equal(answer.table, 'users_v2');
    assert.equal(answer.accessKeyId, 'AKIDREMOTE');
    assert.equal(answer.item.text, 'hi');
    // The remote holds it; the gateway's own listener has no such table.
    const sdk = v3Client(remote.dynamodbUrl, { accessKeyId: 'AKIDREMOTE', secretAccessKey: 'remote-secret' });
    const { Item } = await sdk.send(new GetItemCommand({ TableName: 'users_v2', Key: { id: { S: answer.item.id } } }));
    assert.deepEqual(Item.text, { S: 'hi' });
    const local = await caller(gw.dynamodbUrl)('ListTables', {});
    assert.ok(!JSON.parse(local.text).TableNames.includes('users_v2'), local.text);
    const token = await issuerToken(gw);
    const got = await fetch(`${gw.url}/resource/${answer.item.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(got.status, 200);
    assert.equal((await got.json()).text, 'hi');
  });
});
