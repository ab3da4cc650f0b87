// Functions find the table with no code change: a worker gets AWS_ENDPOINT_URL_DYNAMODB and
// credentials (SDK v3 honours them), the Node bootstrap points an SDK v2 DocumentClient at the
// same endpoint, and {table: name} hands a function its table's name. The tables declared under
// tables: exist when the first request arrives.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startGateway, call } from './harness.mjs';
import { v3Client } from './dynamodb_fixture.mjs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';

const dir = join(import.meta.dirname, 'functions/dynamodb');

describe('functions and the DynamoDB store', () => {
  let gw;
  before(async () => {
    gw = await startGateway(`
api: {name: t, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
dynamodb: {listen: 127.0.0.1:0, credentials: {access_key_id: AKIDNOTES, secret_access_key: {env: DDB_SECRET}}}
tables:
  notes:
    key: {pk: S, sk: S}
    indexes:
      by_text: {key: {text: S}, projection: keys_only}
functions:
  v3:
    runtime: node
    handler: v3.handler
    working_dir: ${dir}
    concurrency: 1
    environment: {TABLE_NAME: {table: notes}}
  v2:
    runtime: node
    handler: v2.handler
    working_dir: ${dir}
    concurrency: 1
    environment: {TABLE_NAME: {table: notes}}
routes:
  - {path: /notes, method: POST, auth: none, integration: {type: function, function: v3}}
  - {path: '/notes/{pk}', method: GET, auth: none, integration: {type: function, function: v2}}
`, { env: { DDB_SECRET: 'notes-secret' }, deadlineMs: 30000 });
  });
  after(async () => {
    assert.equal((await gw.stop()).code, 0);
  });

  it('SDK v3 in a function writes through the endpoint it was given, signing with the credentials', async () => {
    const r = await call(gw, 'POST', '/notes', { body: JSON.stringify({ pk: 'a', sk: '1', text: 'hi' }) });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(JSON.parse(r.text), { pk: 'a', sk: '1', text: 'hi', n: 0.1 });
    const again = await call(gw, 'POST', '/notes', { body: JSON.stringify({ pk: 'a', sk: '1', text: 'x' }) });
    assert.equal(again.status, 502, 'the ConditionalCheckFailedException is the function\'s error');
  });

  it('SDK v2 DocumentClient in a function reads and updates the same item, numbers exact', async () => {
    const r = await call(gw, 'GET', '/notes/a');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.text), [{ pk: 'a', sk: '1', text: 'hi', n: 0.1 }]);
    // 0.1 + 0.2 added as decimals: exactly 0.3, read from outside with the configured key.
    const client = v3Client(gw.dynamodbUrl, { accessKeyId: 'AKIDNOTES', secretAccessKey: 'notes-secret' });
    const item = await client.send(new GetItemCommand({ TableName: 'notes', Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
    assert.deepEqual(item.Item.n, { N: '0.3' });
  });
});
