// Differential tests: the same requests against gatehouse and against dynalite (an independent
// DynamoDB emulator, run in-process), asserting that both answer alike. Only cases where
// dynalite's answer is what DynamoDB answers (by the API reference and recorded DynamoDB answers)
// are listed.
//
// Known differences between dynalite 4.0.0 and current DynamoDB, deliberately left out:
// - Query's member-constraint texts in DynamoDB's newer form (`Value at 'Limit'` without the
//   value): dynalite has only the older wording;
// - empty-key texts: DynamoDB says `…values are not valid…`, dynalite `…values were invalid…`;
// - numbers: the empty-N text `…numeric value: ` and duplicate-set renderings (`["a", "b"]`);
// - CreateTable with a 1- or 2-character name: dynalite's bespoke `TableName must be at least 3
//   characters long…`;
// - ResourceInUseException for an existing table: dynalite 4.0.0 sends an empty message;
// - table descriptions: dynalite's TableId is not a UUID, its account is 000000000000, and it echoes
//   AttributeDefinitions and NonKeyAttributes unsorted;
// - Query's ExclusiveStartKey with the wrong attributes: DynamoDB says `The provided starting key
//   is invalid`, dynalite adds `: The provided key element does not match the schema`;
// - Select checks dynalite lacks (ALL_PROJECTED_ATTRIBUTES without an index, ProjectionExpression with
//   COUNT / ALL_ATTRIBUTES), ReturnValuesOnConditionCheckFailure, ReturnItemCollectionMetrics,
//   DescribeEndpoints and DescribeLimits (UnknownOperationException in dynalite 4.0.0);
// - x-amzn-RequestId format and CreateTable's TableStatus timing (createTableMs) are not compared.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, startDynalite, rawRequest, caller, createTable, keySchema } from './dynamodb_fixture.mjs';

const S = (s) => ({ S: s });
const N = (n) => ({ N: n });
const PT = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
const AD = (...specs) => specs.map((s) => ({ AttributeName: s.split(':')[0], AttributeType: s.split(':')[1] }));
const HASH = (name) => ({ AttributeName: name, KeyType: 'HASH' });
const RANGE = (name) => ({ AttributeName: name, KeyType: 'RANGE' });
const ct = (extra) => ({ TableName: 'dtab', KeySchema: [HASH('a')], AttributeDefinitions: AD('a:S'), ProvisionedThroughput: PT, ...extra });
const qry = (extra) => ({ TableName: 'dqry', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('p') }, ...extra });

// What is compared: status, error type and message; or for successes, the parts named by `pick`.
function errorOf(r) {
  return { status: r.status, type: r.json?.__type, message: r.json?.message ?? r.json?.Message };
}
const sortSets = (v) => {
  if (Array.isArray(v)) return v.map(sortSets);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = ['SS', 'NS', 'BS'].includes(k) ? [...x].sort() : sortSets(x);
    return out;
  }
  return v;
};

// [name, operation, body, pick?]: pick(json) selects what must agree on a 200.
const cases = [
  // CreateTable texts
  ['CreateTable: RCU out of bounds', 'CreateTable', ct({ ProvisionedThroughput: { ReadCapacityUnits: 1000000000001, WriteCapacityUnits: 1 } })],
  ['CreateTable: PROVISIONED without throughput', 'CreateTable', ct({ ProvisionedThroughput: undefined })],
  ['CreateTable: empty ProvisionedThroughput', 'CreateTable', ct({ ProvisionedThroughput: {} })],
  ['CreateTable: WCU 0', 'CreateTable', ct({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 0 } })],
  ['CreateTable: empty KeySchema', 'CreateTable', ct({ KeySchema: [] })],
  ['CreateTable: attribute type SS', 'CreateTable', ct({ AttributeDefinitions: AD('a:SS') })],
  ['CreateTable: key not defined', 'CreateTable', ct({ AttributeDefinitions: AD('b:S') })],
  ['CreateTable: range key not defined', 'CreateTable', ct({ KeySchema: [HASH('a'), RANGE('b')], AttributeDefinitions: AD('b:S') })],
  ['CreateTable: hash and range of one name', 'CreateTable', ct({ KeySchema: [HASH('a'), HASH('a')], AttributeDefinitions: AD('a:S', 'b:S') })],
  ['CreateTable: two HASH', 'CreateTable', ct({ KeySchema: [HASH('a'), HASH('b')], AttributeDefinitions: AD('a:S', 'b:S') })],
  ['CreateTable: RANGE first', 'CreateTable', ct({ KeySchema: [RANGE('a'), HASH('b')], AttributeDefinitions: AD('a:S', 'b:S') })],
  ['CreateTable: unused definition', 'CreateTable', ct({ AttributeDefinitions: AD('a:S', 'b:S') })],
  ['CreateTable: empty LSI list', 'CreateTable', ct({ LocalSecondaryIndexes: [] })],
  ['CreateTable: empty GSI list', 'CreateTable', ct({ GlobalSecondaryIndexes: [] })],
  ['CreateTable: LSI on a hash-only table', 'CreateTable', ct({ AttributeDefinitions: AD('a:S', 'c:S'),
    LocalSecondaryIndexes: [{ IndexName: 'abc', KeySchema: [HASH('a'), RANGE('c')], Projection: { ProjectionType: 'ALL' } }] })],
  ['CreateTable: duplicate index name', 'CreateTable', ct({ KeySchema: [HASH('a'), RANGE('b')], AttributeDefinitions: AD('a:S', 'b:S', 'c:S'),
    GlobalSecondaryIndexes: [1, 2].map(() => ({ IndexName: 'abc', KeySchema: [HASH('c')], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: PT })) })],
  ['CreateTable: ALL with NonKeyAttributes', 'CreateTable', ct({ KeySchema: [HASH('a'), RANGE('b')], AttributeDefinitions: AD('a:S', 'b:S', 'c:S'),
    GlobalSecondaryIndexes: [{ IndexName: 'abc', KeySchema: [HASH('c')], Projection: { ProjectionType: 'ALL', NonKeyAttributes: ['x'] }, ProvisionedThroughput: PT }] })],
  ['DescribeTable: name outside the pattern', 'DescribeTable', { TableName: 'abc;' }],
  ['DescribeTable: missing table', 'DescribeTable', { TableName: 'nowhere' }],
  ['DeleteTable: missing table', 'DeleteTable', { TableName: 'nowhere' }],
  ['ListTables: Limit 0', 'ListTables', { Limit: 0 }],
  ['ListTables: Limit 101', 'ListTables', { Limit: 101 }],
  ['ListTables: all', 'ListTables', {}, (j) => j],
  ['ListTables: first page', 'ListTables', { Limit: 2 }, (j) => j],
  ['ListTables: after a name that does not exist', 'ListTables', { ExclusiveStartTableName: 'dqry0', Limit: 1 }, (j) => j],
  ['ListTables: last page exactly', 'ListTables', { ExclusiveStartTableName: 'dqry', Limit: 1 }, (j) => j],
  // Items
  ['GetItem: a miss is {}', 'GetItem', { TableName: 'dtab2', Key: { pk: S('missing') } }, (j) => j],
  ['GetItem: every type round trips', 'GetItem', { TableName: 'dtab2', Key: { pk: S('all') }, ConsistentRead: true }, (j) => sortSets(j)],
  ['GetItem: canonical numbers', 'GetItem', { TableName: 'dtab2', Key: { pk: S('nums') } }, (j) => j],
  ['GetItem: projection', 'GetItem', { TableName: 'dtab2', Key: { pk: S('all') }, ProjectionExpression: 'm.xy, l[1], s' }, (j) => j],
  ['GetItem: a reserved word (INNER) in a projection', 'GetItem', { TableName: 'dtab2', Key: { pk: S('all') }, ProjectionExpression: 'm.inner' }],
  ['GetItem: key of the wrong type', 'GetItem', { TableName: 'dtab2', Key: { pk: N('1') } }],
  ['GetItem: key with an extra attribute', 'GetItem', { TableName: 'dtab2', Key: { pk: S('a'), x: S('b') } }],
  ['GetItem: missing table', 'GetItem', { TableName: 'nowhere', Key: { pk: S('a') } }],
  ['GetItem: hash key over 2048 bytes', 'GetItem', { TableName: 'dtab2', Key: { pk: S('h'.repeat(2049)) } }],
  ['GetItem: a key without its sort key', 'GetItem', { TableName: 'dqry', Key: { pk: S('p') } }],
  ['GetItem: number not numeric', 'GetItem', { TableName: 'dqry', Key: { pk: S('p'), sk: N('abc') } }],
  ['GetItem: too many digits', 'GetItem', { TableName: 'dqry', Key: { pk: S('p'), sk: N('1234567890123456789012345678901234567891') } }],
  ['UpdateItem: the key is not updatable', 'UpdateItem', { TableName: 'dtab2', Key: { pk: S('upd') }, UpdateExpression: 'SET pk = :v',
    ExpressionAttributeValues: { ':v': S('x') } }],
  ['UpdateItem: arithmetic, list_append, ADD', 'UpdateItem', { TableName: 'dtab2', Key: { pk: S('upd') },
    UpdateExpression: 'SET n = if_not_exists(n, :z) + :d, l = list_append(if_not_exists(l, :e), :l) ADD ss :ss',
    ExpressionAttributeValues: { ':z': N('0'), ':d': N('0.1'), ':e': { L: [] }, ':l': { L: [S('x')] }, ':ss': { SS: ['b', 'a'] } },
    ReturnValues: 'ALL_NEW' }, (j) => sortSets(j)],
  ['PutItem: a failed condition', 'PutItem', { TableName: 'dtab2', Item: { pk: S('all') }, ConditionExpression: 'attribute_not_exists(pk)' }],
  ['DeleteItem: ALL_OLD', 'DeleteItem', { TableName: 'dtab2', Key: { pk: S('gone') }, ReturnValues: 'ALL_OLD' }, (j) => j],
  // Query
  ['Query: a partition in order', 'Query', qry({}), (j) => j],
  ['Query: backwards with Limit', 'Query', qry({ ScanIndexForward: false, Limit: 2 }), (j) => j],
  ['Query: a range and a filter', 'Query', qry({ KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', FilterExpression: 'x <> :x',
    ExpressionAttributeValues: { ':p': S('p'), ':a': N('-1'), ':b': N('10'), ':x': S('odd') } }), (j) => j],
  ['Query: COUNT', 'Query', qry({ Select: 'COUNT' }), (j) => j],
  ['Query: a GSI', 'Query', { TableName: 'dqry', IndexName: 'byX', KeyConditionExpression: 'x = :x', ExpressionAttributeValues: { ':x': S('even') } },
    (j) => ({ ...j, Items: j.Items.map((i) => i.sk.N).sort() })],
  ['Query: no key condition', 'Query', { TableName: 'dqry' }],
  ['Query: no hash key', 'Query', qry({ KeyConditionExpression: 'sk = :p', ExpressionAttributeValues: { ':p': N('1') } })],
  ['Query: OR', 'Query', qry({ KeyConditionExpression: 'pk = :p OR sk = :s', ExpressionAttributeValues: { ':p': S('p'), ':s': N('1') } })],
  ['Query: two conditions on one key', 'Query', qry({ KeyConditionExpression: 'pk = :p AND pk = :p' })],
  ['Query: non-EQ hash condition', 'Query', qry({ KeyConditionExpression: 'pk > :p' })],
  ['Query: two attribute names in one condition', 'Query', qry({ KeyConditionExpression: 'pk = sk', ExpressionAttributeValues: undefined })],
  ['Query: value of the wrong type', 'Query', qry({ ExpressionAttributeValues: { ':p': N('1') } })],
  ['Query: BETWEEN reversed', 'Query', qry({ KeyConditionExpression: 'pk = :p AND sk BETWEEN :b AND :a',
    ExpressionAttributeValues: { ':p': S('p'), ':a': N('1'), ':b': N('2') } })],
  ['Query: filter on a key attribute', 'Query', qry({ FilterExpression: 'sk > :p', ExpressionAttributeValues: { ':p': S('p') } })],
  ['Query: unknown index', 'Query', qry({ IndexName: 'nope' })],
  ['Query: ConsistentRead on a GSI', 'Query', { TableName: 'dqry', IndexName: 'byX', KeyConditionExpression: 'x = :x',
    ExpressionAttributeValues: { ':x': S('even') }, ConsistentRead: true }],
  ['Query: ALL_ATTRIBUTES on a KEYS_ONLY GSI', 'Query', { TableName: 'dqry', IndexName: 'byX', KeyConditionExpression: 'x = :x',
    ExpressionAttributeValues: { ':x': S('even') }, Select: 'ALL_ATTRIBUTES' }],
  ['Query: start key outside the partition', 'Query', qry({ ExclusiveStartKey: { pk: S('other'), sk: N('1') } })],
  ['Query: missing table', 'Query', qry({ TableName: 'nowhere' })],
  // Scan and expression texts
  ['Scan: TotalSegments without Segment', 'Scan', { TableName: 'dqry', TotalSegments: 2 }],
  ['Scan: Segment without TotalSegments', 'Scan', { TableName: 'dqry', Segment: 1 }],
  ['Scan: Segment not below TotalSegments', 'Scan', { TableName: 'dqry', Segment: 5, TotalSegments: 5 }],
  ['Scan: Segment -1', 'Scan', { TableName: 'dqry', Segment: -1, TotalSegments: 2 }],
  ['Scan: Limit 0', 'Scan', { TableName: 'dqry', Limit: 0 }],
  ['Scan: start key of other attributes', 'Scan', { TableName: 'dqry', ExclusiveStartKey: { nope: S('x') } }],
  ['Scan: empty filter', 'Scan', { TableName: 'dqry', FilterExpression: '' }],
  ['Scan: redundant parentheses', 'Scan', { TableName: 'dqry', FilterExpression: '((x = :v))', ExpressionAttributeValues: { ':v': S('x') } }],
  ['Scan: unknown function', 'Scan', { TableName: 'dqry', FilterExpression: 'whatever(x)' }],
  ['Scan: size() as a condition', 'Scan', { TableName: 'dqry', FilterExpression: 'size(x)' }],
  ['Scan: reserved word', 'Scan', { TableName: 'dqry', FilterExpression: 'abOrT = :v', ExpressionAttributeValues: { ':v': S('x') } }],
  ['Scan: unused value', 'Scan', { TableName: 'dqry', FilterExpression: 'x = :v', ExpressionAttributeValues: { ':v': S('x'), ':w': S('y') } }],
  ['Scan: undefined value', 'Scan', { TableName: 'dqry', FilterExpression: 'x = :v' }],
  ['Scan: a filter over the table', 'Scan', { TableName: 'dqry', FilterExpression: 'x = :x', ExpressionAttributeValues: { ':x': S('even') } },
    (j) => ({ ...j, Items: j.Items.map((i) => `${i.pk.S}/${i.sk.N}`).sort() })],
];

async function load(call) {
  await createTable(call, { TableName: 'dtab2', ...keySchema('pk:S') });
  await createTable(call, { TableName: 'dqry', ...keySchema('pk:S', 'sk:N'), AttributeDefinitions: AD('pk:S', 'sk:N', 'x:S'),
    GlobalSecondaryIndexes: [{ IndexName: 'byX', KeySchema: [HASH('x')], Projection: { ProjectionType: 'KEYS_ONLY' } }] });
  const put = (TableName, Item) => call('PutItem', { TableName, Item });
  await put('dtab2', { pk: S('all'), s: S('✓ text'), n: N('-12.5'), b: { B: 'AAEC/w==' }, t: { BOOL: true }, z: { NULL: true },
    ss: { SS: ['y', 'x'] }, ns: { NS: ['3', '1.5'] }, bs: { BS: ['AQ==', 'Ag=='] }, l: { L: [S('a'), N('2'), { L: [] }] },
    m: { M: { xy: { M: { deep: S('d') } }, e: S('') } } });
  await put('dtab2', { pk: S('nums'), a: N('0042.1200'), b: N('1e2'), c: N('-0.50'), d: N('.5'), e: N('12345678901234567890123456789012345678') });
  await put('dtab2', { pk: S('gone'), v: S('old') });
  for (const sk of ['-5', '0', '1', '2.5', '10', '11']) {
    await put('dqry', { pk: S('p'), sk: N(sk), x: S(Number(sk) % 2 === 0 ? 'even' : 'odd') });
  }
  await put('dqry', { pk: S('other'), sk: N('1'), x: S('even') });
}

describe('gatehouse and dynalite agree where dynalite matches DynamoDB', () => {
  let gw;
  let dl;
  let gCall;
  let dCall;
  before(async () => {
    gw = await startDynamo();
    dl = await startDynalite();
    gCall = caller(gw.dynamodbUrl);
    dCall = caller(dl.url);
    await Promise.all([load(gCall), load(dCall)]);
  });
  after(async () => {
    await dl?.stop();
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  describe('front door', () => {
    const requests = [
      ['GET /', { method: 'GET', auth: false }],
      ['PUT /', { method: 'PUT', op: 'ListTables', body: '{}' }],
      ['a foreign content type', { op: 'ListTables', body: '{}', contentType: 'text/plain' }],
      ['a content type with parameters', { op: 'ListTables', body: '{}', contentType: 'application/json;blahblah' }],
      ['malformed JSON', { op: 'ListTables', body: '{"a":' }],
      ['an unknown target', { rawTarget: 'DynamoDB_20120810.ListTable', body: '{}' }],
      ['no target', { body: '{}' }],
      ['no Authorization', { op: 'ListTables', body: '{}', auth: false }],
      ['Authorization AWS4-', { op: 'ListTables', body: '{}', auth: false, headers: { authorization: 'AWS4-' } }],
      ['an empty body', { op: 'ListTables', body: '' }],
    ];
    for (const [name, req] of requests) {
      it(name, async () => {
        const [g, d] = await Promise.all([rawRequest(gw.dynamodbUrl, req), rawRequest(dl.url, req)]);
        assert.equal(g.status, d.status, `${g.text} / ${d.text}`);
        assert.equal(g.text, d.text);
        assert.equal(g.headers.get('x-amz-crc32'), d.headers.get('x-amz-crc32'));
      });
    }

    it('a CORS preflight', async () => {
      const req = { method: 'OPTIONS', auth: false, headers: { origin: 'http://a.test', 'access-control-request-headers': 'x-amz-target',
        'access-control-request-method': 'POST' } };
      const [g, d] = await Promise.all([rawRequest(gw.dynamodbUrl, req), rawRequest(dl.url, req)]);
      assert.equal(g.status, d.status);
      assert.equal(g.text, d.text);
      for (const h of ['access-control-allow-origin', 'access-control-allow-headers', 'access-control-allow-methods',
        'access-control-max-age']) {
        assert.equal(g.headers.get(h), d.headers.get(h), h);
      }
    });
  });

  describe('operations', () => {
    for (const [name, op, body, pick] of cases) {
      it(name, async () => {
        const clean = JSON.parse(JSON.stringify(body));
        const [g, d] = await Promise.all([gCall(op, clean), dCall(op, clean)]);
        if (pick) {
          assert.equal(d.status, 200, `dynalite: ${d.text}`);
          assert.equal(g.status, 200, `gatehouse: ${g.text}`);
          assert.deepEqual(pick(g.json), pick(d.json));
        } else {
          assert.equal(d.status, 400, `dynalite: ${d.text}`);
          assert.deepEqual(errorOf(g), errorOf(d));
        }
      });
    }
  });
});
