// Crud tables on a remote DynamoDB: a second gatehouse's DynamoDB listener plays the remote
// endpoint. The crud routes create, read, list, replace and delete items there (signed requests,
// as any DynamoDB client sends them); the items are the same ones the remote's own API serves; a
// missing table stops the start unless create: true; an endpoint that goes away is a 5xx, not a
// hang.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, blogYaml, blogEnv, issuerToken, sendJson as send } from './harness.mjs';
import { startDynamo, caller, assertOk } from './dynamodb_fixture.mjs';

const creds = { AWS_ACCESS_KEY_ID: 'AKIDREMOTE', AWS_SECRET_ACCESS_KEY: 'remote-secret' };
const remoteTable = (endpoint, extra = '') =>
  `    backend: dynamodb\n    region: us-east-1\n    endpoint: ${endpoint}\n${extra}`;


describe('crud tables on a remote DynamoDB', () => {
  let remote;
  let remoteCall;
  before(async () => {
    remote = await startDynamo();
    remoteCall = caller(remote.dynamodbUrl);
  });
  after(async () => {
    if (remote) await remote.stop();
  });

  it('a missing remote table stops the start, naming it and how to fix it', async () => {
    const gw = startGateway(blogYaml({ tableExtra: remoteTable(remote.dynamodbUrl) }), { env: { ...blogEnv, ...creds } });
    await assert.rejects(gw, /the remote table 'users' at http:\/\/127\.0\.0\.1:\d+ does not exist; create it, or set create: true/);
  });

  it('create: true creates it; every crud operation goes to the remote table', async () => {
    const gw = await startGateway(blogYaml({ tableExtra: remoteTable(remote.dynamodbUrl, '    create: true\n') }),
      { env: { ...blogEnv, ...creds } });
    try {
      const described = assertOk(await remoteCall('DescribeTable', { TableName: 'users' })).Table;
      assert.deepEqual(described.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
      const token = await issuerToken(gw);
      const created = await send(gw, token, 'POST', '/resource', { name: 'Yev', n: 1.50 });
      assert.equal(created.status, 201, created.text);
      const id = created.json.id;
      // The remote's own API holds the item the REST API made, with its metadata.
      const item = assertOk(await remoteCall('GetItem', { TableName: 'users', Key: { id: { S: id } } })).Item;
      assert.deepEqual(item.name, { S: 'Yev' });
      assert.deepEqual(item.n, { N: '1.5' });
      assert.match(item.createdBy.S, /@clients$/);
      const got = await send(gw, token, 'GET', `/resource/${id}`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.name, 'Yev');
      const replaced = await send(gw, token, 'PUT', `/resource/${id}`, { name: 'Yevhen' });
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(replaced.json.createdAt, created.json.createdAt);
      const listed = await send(gw, token, 'GET', '/resource');
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.json.items.map((i) => i.name), ['Yevhen']);
      assert.equal((await send(gw, token, 'DELETE', `/resource/${id}`)).status, 204);
      assert.equal((await send(gw, token, 'GET', `/resource/${id}`)).status, 404);
      assert.deepEqual(assertOk(await remoteCall('GetItem', { TableName: 'users', Key: { id: { S: id } } })), {});
      // An item written through the remote's API is served by the crud route.
      assertOk(await remoteCall('PutItem', { TableName: 'users', Item: { id: { S: 'from-api' }, v: { N: '7' } } }));
      const fromApi = await send(gw, token, 'GET', '/resource/from-api');
      assert.equal(fromApi.status, 200, fromApi.text);
      assert.equal(fromApi.json.v, 7);
    } finally {
      await gw.stop();
    }
  });

  it('signatures are verified by a remote that requires them: the right key works, a wrong one stops the start', async () => {
    const strict = await startDynamo({ credentials: { accessKeyId: 'AKIDREMOTE', secretEnv: 'REMOTE_SECRET' },
      env: { REMOTE_SECRET: 'remote-secret' } });
    try {
      const ok = await startGateway(blogYaml({ tableExtra: remoteTable(strict.dynamodbUrl, '    create: true\n') }),
        { env: { ...blogEnv, ...creds, AWS_SESSION_TOKEN: '' } });
      const token = await issuerToken(ok);
      assert.equal((await send(ok, token, 'POST', '/resource', { a: 1 })).status, 201);
      await ok.stop();
      const wrong = startGateway(blogYaml({ tableExtra: remoteTable(strict.dynamodbUrl) }),
        { env: { ...blogEnv, AWS_ACCESS_KEY_ID: 'AKIDREMOTE', AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
      await assert.rejects(wrong, (e) => {
        assert.match(e.message, /refused gatehouse's signed request \(InvalidSignatureException\)/);
        assert.ok(!e.message.includes('not-the-secret'));
        return true;
      });
    } finally {
      await strict.stop();
    }
  });

  it('an endpoint that goes away answers 5xx within the timeout, then the table works again', async () => {
    const other = await startDynamo();
    const gw = await startGateway(blogYaml({ tableExtra: remoteTable(other.dynamodbUrl, '    create: true\n    timeout_ms: 800\n') }),
      { env: { ...blogEnv, ...creds } });
    try {
      const token = await issuerToken(gw);
      assert.equal((await send(gw, token, 'GET', '/resource/x')).status, 404);
      await other.stop();
      const down = await send(gw, token, 'GET', '/resource/x');
      assert.ok(down.status === 503 || down.status === 504, down.text);
      assert.ok(!down.text.includes('remote-secret'));
    } finally {
      await gw.stop();
    }
  });
});
