// A crud table on a remote DynamoDB is an ordinary DynamoDB table there: what the crud routes
// write, the AWS SDK for JavaScript v3 (low-level client and DocumentClient) and the AWS CLI read
// from the remote, and what they write, the crud routes serve and list. Two remotes: another
// gatehouse's DynamoDB listener (verifying every signature, gatehouse's own included) and dynalite.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { startGateway, blogYaml, blogEnv, issuerToken, DEMO_CLIENT, sendJson as send } from './harness.mjs';
import { startDynamo, startDynalite, v3Client, REGION } from './dynamodb_fixture.mjs';

const require = createRequire(import.meta.url);
const { GetItemCommand, PutItemCommand, ScanCommand } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand, PutCommand } = require('@aws-sdk/lib-dynamodb');

const KEY_ID = 'AKIDPEERS';
const SECRET = 'peers-secret/with+chars';
const CREDENTIALS = { accessKeyId: KEY_ID, secretAccessKey: SECRET };
// The remote table's name differs from the crud table's (`table:`), as a deployment's often does.
const TABLE = 'peer_users';
const AWS_CLI = '/usr/bin/aws';
const PRINCIPAL = `${DEMO_CLIENT}@clients`;

// The AWS CLI against `url`, with these credentials and no user configuration.
function cli(url, args) {
  return new Promise((resolve) => {
    execFile(AWS_CLI, ['dynamodb', ...args, '--endpoint-url', url, '--output', 'json'], {
      encoding: 'utf8', timeout: 60000,
      env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_DEFAULT_REGION: REGION, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1', HOME: '/nonexistent' },
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}


const REMOTES = [
  ['remote gatehouse', async () => {
    const remote = await startDynamo({ credentials: { accessKeyId: KEY_ID, secretEnv: 'PEERS_SECRET' },
      env: { PEERS_SECRET: SECRET } });
    return { url: remote.dynamodbUrl, stop: () => remote.stop() };
  }],
  ['dynalite', startDynalite],
];

for (const [name, startRemote] of REMOTES) {
  describe(`crud items and other DynamoDB clients (${name})`, () => {
    let remote;
    let gw;
    let token;
    let sdk;
    let doc;
    before(async () => {
      remote = await startRemote();
      gw = await startGateway(blogYaml({ tableExtra: `    backend: dynamodb\n    region: us-east-1\n`
        + `    endpoint: ${remote.url}\n    create: true\n    table: ${TABLE}\n` }),
      { env: { ...blogEnv, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: '' } });
      token = await issuerToken(gw);
      sdk = v3Client(remote.url, CREDENTIALS);
      doc = DynamoDBDocumentClient.from(sdk);
    });
    after(async () => {
      sdk?.destroy();
      if (gw) await gw.stop();
      if (remote) await remote.stop();
    });

    it('items the crud routes write are read back by the AWS SDK v3 and the AWS CLI', async () => {
      const created = await send(gw, token, 'POST', '/resource',
        { name: 'Zoë 🦊', n: 1.5, tags: ['a', 'b'], nested: { ok: true, none: null } });
      assert.equal(created.status, 201, created.text);
      const id = created.json.id;
      const expected = {
        id: { S: id }, name: { S: 'Zoë 🦊' }, n: { N: '1.5' },
        tags: { L: [{ S: 'a' }, { S: 'b' }] }, nested: { M: { ok: { BOOL: true }, none: { NULL: true } } },
        createdBy: { S: PRINCIPAL }, createdAt: { S: created.json.createdAt }, updatedAt: { S: created.json.updatedAt },
      };
      const key = { id: { S: id } };
      const got = await sdk.send(new GetItemCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
      assert.deepEqual(got.Item, expected);
      // The DocumentClient reads it as the crud route answered it.
      const plain = await doc.send(new GetCommand({ TableName: TABLE, Key: { id }, ConsistentRead: true }));
      assert.deepEqual(plain.Item, created.json);

      const viaCli = await cli(remote.url, ['get-item', '--table-name', TABLE, '--key', JSON.stringify(key),
        '--consistent-read']);
      assert.equal(viaCli.code, 0, viaCli.stderr);
      assert.deepEqual(JSON.parse(viaCli.stdout).Item, expected);

      // A replace and a delete through the crud routes are what the SDK sees next.
      const replaced = await send(gw, token, 'PUT', `/resource/${id}`, { name: 'Zoë' });
      assert.equal(replaced.status, 200, replaced.text);
      const after = await doc.send(new GetCommand({ TableName: TABLE, Key: { id }, ConsistentRead: true }));
      assert.deepEqual(after.Item, replaced.json);
      assert.equal((await send(gw, token, 'DELETE', `/resource/${id}`)).status, 204);
      const gone = await sdk.send(new GetItemCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
      assert.equal(gone.Item, undefined);
    });

    it('items the AWS SDK v3 and the AWS CLI write are served and listed by the crud routes', async () => {
      const viaRoute = await send(gw, token, 'POST', '/resource', { from: 'route' });
      assert.equal(viaRoute.status, 201, viaRoute.text);
      await sdk.send(new PutItemCommand({ TableName: TABLE, Item: {
        id: { S: 'sdk-1' }, from: { S: 'sdk' }, n: { N: '42' }, list: { L: [{ N: '1' }, { S: 'two' }, { NULL: true }] },
        map: { M: { deep: { M: { t: { BOOL: true } } } } },
      } }));
      await doc.send(new PutCommand({ TableName: TABLE, Item: { id: 'doc-1', from: 'document client', n: -0.25,
        nested: { list: [{ a: 1 }] } } }));
      const put = await cli(remote.url, ['put-item', '--table-name', TABLE, '--item',
        JSON.stringify({ id: { S: 'cli-1' }, from: { S: 'cli' }, n: { N: '-3.25' }, ok: { BOOL: false } })]);
      assert.equal(put.code, 0, put.stderr);

      // Items without the crud metadata read with an empty createdBy and the epoch.
      const meta = { createdBy: '', createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z' };
      const served = {
        'sdk-1': { id: 'sdk-1', from: 'sdk', list: [1, 'two', null], map: { deep: { t: true } }, n: 42, ...meta },
        'doc-1': { id: 'doc-1', from: 'document client', n: -0.25, nested: { list: [{ a: 1 }] }, ...meta },
        'cli-1': { id: 'cli-1', from: 'cli', n: -3.25, ok: false, ...meta },
      };
      for (const [id, item] of Object.entries(served)) {
        const r = await send(gw, token, 'GET', `/resource/${id}`);
        assert.equal(r.status, 200, `${id}: ${r.text}`);
        assert.deepEqual(r.json, item, id);
      }

      // The crud list holds all of them, in pages too, each once; so does the CLI's scan.
      const listed = [];
      let next;
      do {
        const r = await send(gw, token, 'GET', `/resource?limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        listed.push(...r.json.items);
        next = r.json.next;
      } while (next !== undefined && listed.length < 20);
      const want = [viaRoute.json.id, 'cli-1', 'doc-1', 'sdk-1'].sort();
      assert.deepEqual(listed.map((i) => i.id).sort(), want);
      assert.deepEqual(listed.find((i) => i.id === 'sdk-1'), served['sdk-1']);
      const scanned = await sdk.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
      assert.deepEqual(scanned.Items.map((i) => i.id.S).sort(), want);
    });

    // A replace is conditional on the createdBy and createdAt it read, which an item written by
    // another client lacks: the condition asks for their absence.
    it('an item another client wrote can be replaced through the crud route',
      async () => {
        await doc.send(new PutCommand({ TableName: TABLE, Item: { id: 'doc-put', v: 1 } }));
        const r = await send(gw, token, 'PUT', '/resource/doc-put', { v: 2 });
        assert.equal(r.status, 200, r.text);
        const stored = await doc.send(new GetCommand({ TableName: TABLE, Key: { id: 'doc-put' }, ConsistentRead: true }));
        assert.equal(stored.Item.v, 2);
      });
  });
}
