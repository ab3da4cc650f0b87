// One small scenario through four independent DynamoDB clients — the AWS SDK for JavaScript v3
// (low-level client and DocumentClient), the SDK v2 DocumentClient, the AWS CLI and boto3 — each
// reading what another wrote. The listener verifies signatures here, so every client's SigV4
// signing is exercised too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { startDynamo, REGION } from './dynamodb_fixture.mjs';

const require = createRequire(import.meta.url);
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

const KEY_ID = 'AKIDCLIENTS';
const SECRET = 'clients-secret-key/with+chars';
const TABLE = 'clients';
const AWS_CLI = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';

function run(file, args, env = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 60000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

// The AWS CLI with this gateway's endpoint and credentials and no user configuration.
function cli(url, args, secret = SECRET) {
  return run(AWS_CLI, ['dynamodb', ...args, '--endpoint-url', url, '--output', 'json'], {
    AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: secret, AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1', HOME: '/nonexistent',
  });
}

// boto3 steps: each step is [name, operation] run by the script below; results come back as JSON.
const BOTO3_SCRIPT = String.raw`
import sys, json, decimal, base64
import boto3
from boto3.dynamodb.conditions import Key
from botocore.config import Config
from botocore.exceptions import ClientError
url, key_id, secret, table_name = sys.argv[1:5]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
res = boto3.resource("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key_id,
                     aws_secret_access_key=secret, config=cfg)
table = res.Table(table_name)
out = {}
def plain(v):
    if isinstance(v, decimal.Decimal): return {"decimal": str(v)}
    if isinstance(v, set): return sorted((plain(x) for x in v), key=json.dumps)
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list): return [plain(x) for x in v]
    if hasattr(v, "value"): return {"binary": base64.b64encode(v.value).decode()}
    return v
out["cli_item"] = plain(table.get_item(Key={"pk": "u#3", "sk": 1}, ConsistentRead=True).get("Item"))
table.put_item(Item={"pk": "u#4", "sk": 1, "pi": decimal.Decimal("3.14"), "exact": decimal.Decimal("12345678901234567890.123456789"),
                     "blob": b"\x00\x01\xfe\xff", "flags": {"x", "y"}, "nested": {"l": [1, "two", None, True]}})
q = table.query(KeyConditionExpression=Key("pk").eq("u#1"), ConsistentRead=True)
out["query_u1"] = {"count": q["Count"], "sks": [str(i["sk"]) for i in q["Items"]]}
try:
    table.put_item(Item={"pk": "u#4", "sk": 1}, ConditionExpression="attribute_not_exists(pk)")
    out["conditional"] = "written"
except ClientError as e:
    out["conditional"] = e.response["Error"]["Code"]
    out["conditional_status"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
bad = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key_id,
                   aws_secret_access_key="wrong", config=cfg)
try:
    bad.list_tables()
    out["wrong_secret"] = "accepted"
except ClientError as e:
    out["wrong_secret"] = e.response["Error"]["Code"]
print(json.dumps(out))
`;

describe('DynamoDB through four clients', () => {
  let gw;
  let url;
  let v3;
  let doc3;
  let doc2;
  before(async () => {
    gw = await startDynamo({ credentials: { accessKeyId: KEY_ID, secretEnv: 'DDB_CLIENTS_SECRET' },
      env: { DDB_CLIENTS_SECRET: SECRET } });
    url = gw.dynamodbUrl;
    const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
    v3 = new DynamoDBClient({ region: REGION, endpoint: url, maxAttempts: 1,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET } });
    doc3 = DynamoDBDocumentClient.from(v3, { marshallOptions: { removeUndefinedValues: true },
      unmarshallOptions: { wrapNumbers: true } });
    const AWS = require('aws-sdk');
    doc2 = new AWS.DynamoDB.DocumentClient({ region: REGION, endpoint: url, maxRetries: 0,
      credentials: new AWS.Credentials(KEY_ID, SECRET) });
  });
  after(async () => {
    v3?.destroy();
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  it('SDK v3 creates the table and sees it ACTIVE', async () => {
    const { CreateTableCommand, DescribeTableCommand, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
    const out = await v3.send(new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }] }));
    assert.equal(out.TableDescription.TableName, TABLE);
    for (let i = 0; i < 200; i++) {
      const d = await v3.send(new DescribeTableCommand({ TableName: TABLE }));
      if (d.Table.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const d = await v3.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.equal(d.Table.TableStatus, 'ACTIVE');
    assert.equal(d.Table.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual((await v3.send(new ListTablesCommand({}))).TableNames, [TABLE]);
  });

  it('SDK v3 DocumentClient writes; SDK v2 DocumentClient reads the same values', async () => {
    const { PutCommand } = require('@aws-sdk/lib-dynamodb');
    await doc3.send(new PutCommand({ TableName: TABLE, Item: { pk: 'u#1', sk: 1, name: 'Ada', ratio: 0.1,
      tags: new Set(['b', 'a']), profile: { langs: ['en', 'fr'], age: 36, active: true, note: null } } }));
    await doc3.send(new PutCommand({ TableName: TABLE, Item: { pk: 'u#1', sk: 2, name: 'Ada (second)' } }));
    const got = await doc2.get({ TableName: TABLE, Key: { pk: 'u#1', sk: 1 }, ConsistentRead: true }).promise();
    const item = got.Item;
    assert.equal(item.name, 'Ada');
    assert.equal(item.ratio, 0.1);
    assert.equal(item.sk, 1);
    assert.equal(item.tags.type, 'String');
    assert.deepEqual([...item.tags.values].sort(), ['a', 'b']);
    assert.deepEqual(item.profile, { langs: ['en', 'fr'], age: 36, active: true, note: null });
  });

  it('SDK v2 DocumentClient updates with ADD and SET and writes a new item', async () => {
    const out = await doc2.update({ TableName: TABLE, Key: { pk: 'u#1', sk: 1 },
      UpdateExpression: 'ADD visits :one, tags :more SET #n = :name, profile.age = profile.age + :one',
      ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':one': 1, ':name': 'Ada L.',
        ':more': doc2.createSet(['c']) }, ReturnValues: 'UPDATED_NEW' }).promise();
    assert.equal(out.Attributes.visits, 1);
    assert.equal(out.Attributes.name, 'Ada L.');
    assert.equal(out.Attributes.profile.age, 37);
    assert.deepEqual([...out.Attributes.tags.values].sort(), ['a', 'b', 'c']);
    await doc2.put({ TableName: TABLE, Item: { pk: 'u#2', sk: 1, city: 'Zürich', scores: [1.5, -2, 1e20] } }).promise();
  });

  it('the AWS CLI reads what SDK v2 wrote', async () => {
    const r = await cli(url, ['get-item', '--table-name', TABLE, '--consistent-read', '--key',
      JSON.stringify({ pk: { S: 'u#2' }, sk: { N: '1' } })]);
    assert.equal(r.code, 0, r.stderr);
    const item = JSON.parse(r.stdout).Item;
    assert.deepEqual(item.city, { S: 'Zürich' });
    assert.deepEqual(item.scores, { L: [{ N: '1.5' }, { N: '-2' }, { N: '100000000000000000000' }] });
  });

  it('the AWS CLI writes and queries', async () => {
    const put = await cli(url, ['put-item', '--table-name', TABLE, '--item', JSON.stringify({ pk: { S: 'u#3' }, sk: { N: '1' },
      n: { N: '0042.500' }, ok: { BOOL: true }, ns: { NS: ['1', '2'] }, nothing: { NULL: true } })]);
    assert.equal(put.code, 0, put.stderr);
    const q = await cli(url, ['query', '--table-name', TABLE, '--key-condition-expression', 'pk = :p',
      '--expression-attribute-values', JSON.stringify({ ':p': { S: 'u#1' } }), '--no-scan-index-forward']);
    assert.equal(q.code, 0, q.stderr);
    const out = JSON.parse(q.stdout);
    assert.equal(out.Count, 2);
    assert.deepEqual(out.Items.map((i) => i.sk.N), ['2', '1']);
    assert.deepEqual(out.Items[1].name, { S: 'Ada L.' });
  });

  it('the AWS CLI reports a failed condition', async () => {
    const r = await cli(url, ['put-item', '--table-name', TABLE, '--condition-expression', 'attribute_not_exists(pk)',
      '--item', JSON.stringify({ pk: { S: 'u#3' }, sk: { N: '1' } })]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ConditionalCheckFailedException/);
    assert.match(r.stderr, /The conditional request failed/);
  });

  let boto;
  it('boto3 reads what the CLI wrote, writes, queries, and sees failures by their codes', async () => {
    const r = await run(PYTHON, ['-c', BOTO3_SCRIPT, url, KEY_ID, SECRET, TABLE], { HOME: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_EC2_METADATA_DISABLED: 'true' });
    assert.equal(r.code, 0, r.stderr);
    boto = JSON.parse(r.stdout);
    assert.deepEqual(boto.cli_item, { pk: 'u#3', sk: { decimal: '1' }, n: { decimal: '42.5' }, ok: true,
      ns: [{ decimal: '1' }, { decimal: '2' }], nothing: null });
    assert.deepEqual(boto.query_u1, { count: 2, sks: ['1', '2'] });
    assert.equal(boto.conditional, 'ConditionalCheckFailedException');
    assert.equal(boto.conditional_status, 400);
    assert.equal(boto.wrong_secret, 'InvalidSignatureException');
  });

  it('SDK v3 DocumentClient reads what boto3 wrote, numbers exact', async () => {
    assert.ok(boto, 'the boto3 step ran');
    const { GetCommand } = require('@aws-sdk/lib-dynamodb');
    const { Item } = await doc3.send(new GetCommand({ TableName: TABLE, Key: { pk: 'u#4', sk: 1 }, ConsistentRead: true }));
    assert.equal(Item.pi.value, '3.14');
    assert.equal(Item.exact.value, '12345678901234567890.123456789');
    assert.deepEqual([...Item.blob], [0, 1, 254, 255]);
    assert.deepEqual([...Item.flags].sort(), ['x', 'y']);
    assert.equal(Item.nested.l[1], 'two');
    assert.equal(Item.nested.l[2], null);
    assert.equal(Item.nested.l[3], true);
    assert.equal(Item.nested.l[0].value, '1');
  });

  it('SDK v3 paginates a Scan over everything the four clients wrote', async () => {
    const { paginateScan } = require('@aws-sdk/lib-dynamodb');
    const keys = [];
    let pages = 0;
    for await (const page of paginateScan({ client: doc3, pageSize: 2 }, { TableName: TABLE })) {
      pages++;
      keys.push(...page.Items.map((i) => `${i.pk}/${i.sk.value}`));
    }
    assert.deepEqual(keys.sort(), ['u#1/1', 'u#1/2', 'u#2/1', 'u#3/1', 'u#4/1']);
    assert.ok(pages >= 3, `pages: ${pages}`);
  });

  it('SDK v3 and v2 surface a failed condition as ConditionalCheckFailedException, v3 with the old item', async () => {
    const { UpdateCommand } = require('@aws-sdk/lib-dynamodb');
    await assert.rejects(doc3.send(new UpdateCommand({ TableName: TABLE, Key: { pk: 'u#1', sk: 1 },
      UpdateExpression: 'SET #n = :n', ConditionExpression: '#n = :other', ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':n': 'x', ':other': 'nobody' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    (e) => {
      assert.equal(e.name, 'ConditionalCheckFailedException');
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.deepEqual(e.Item.name, { S: 'Ada L.' });
      return true;
    });
    await assert.rejects(doc2.delete({ TableName: TABLE, Key: { pk: 'u#2', sk: 1 }, ConditionExpression: 'attribute_not_exists(city)' })
      .promise(), (e) => e.code === 'ConditionalCheckFailedException' && e.statusCode === 400);
    const still = await doc2.get({ TableName: TABLE, Key: { pk: 'u#2', sk: 1 }, ConsistentRead: true }).promise();
    assert.equal(still.Item.city, 'Zürich');
  });

  it('SDK v2 deletes, and the CLI no longer finds the item', async () => {
    const out = await doc2.delete({ TableName: TABLE, Key: { pk: 'u#2', sk: 1 }, ReturnValues: 'ALL_OLD' }).promise();
    assert.equal(out.Attributes.city, 'Zürich');
    const r = await cli(url, ['get-item', '--table-name', TABLE, '--key', JSON.stringify({ pk: { S: 'u#2' }, sk: { N: '1' } })]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '');
  });
});
