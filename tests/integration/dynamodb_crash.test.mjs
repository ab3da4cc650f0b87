// Crash safety of the DynamoDB API: under a concurrent load of PutItem, BatchWriteItem and
// TransactWriteItems, gatehouse is SIGKILLed three times on the same data directory. After each
// restart every acknowledged write is there, and no transaction is half applied: its two items
// exist together or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startGateway, tempDir, loadUntilKilled } from './harness.mjs';
import { ddbYaml, caller } from './dynamodb_fixture.mjs';

const CYCLES = 3;
const WORKERS = 24;
const TARGET_ACKS = 600;  // kill once this many requests of the cycle were acknowledged...
const LOAD_MS = 2000;     // ...or once this long has passed,
const MIN_ACKS = 60;      // but not before this many.
const S = (s) => ({ S: s });

// One request of worker `w`: a put, a batch of two puts, or a transaction of two puts whose items
// share `pair`. Returns the operation, its body and the keys it writes.
function request(cycle, w, seq) {
  const id = (suffix) => `c${cycle}-w${w}-s${seq}${suffix}`;
  switch (seq % 3) {
    case 0:
      return { op: 'PutItem', keys: [id('')], body: { TableName: 'items', Item: { pk: S(id('')), v: S('put') } } };
    case 1:
      return { op: 'BatchWriteItem', keys: [id('a'), id('b')], body: { RequestItems: { items: [
        { PutRequest: { Item: { pk: S(id('a')), v: S('batch') } } },
        { PutRequest: { Item: { pk: S(id('b')), v: S('batch') } } }] } } };
    default:
      return { op: 'TransactWriteItems', keys: [id('x'), id('y')], pair: id(''), body: {
        ClientRequestToken: id(''),
        TransactItems: [
          { Put: { TableName: 'items', Item: { pk: S(id('x')), pair: S(id('')) } } },
          { Put: { TableName: 'items', Item: { pk: S(id('y')), pair: S(id('')) },
            ConditionExpression: 'attribute_not_exists(pk)' } }] } };
  }
}

// Runs WORKERS loops of the three kinds of write and SIGKILLs gatehouse while they run. Returns
// the acknowledged requests, the transactions' pairs sent, and anything unexpected before the kill.
async function loadAndKill(gw, cycle) {
  const call = caller(gw.dynamodbUrl);
  const pairs = [];
  const result = await loadUntilKilled(gw,
    { workers: WORKERS, targetAcks: TARGET_ACKS, minAcks: MIN_ACKS, loadMs: LOAD_MS },
    async (w, seq) => {
      const r = request(cycle, w, seq);
      if (r.pair) pairs.push(r.pair);
      const res = await call(r.op, r.body);
      return res.status === 200 ? { ack: r } : { problem: `${r.op}: ${res.status} ${res.text}` };
    });
  return { ...result, pairs };
}

// Every item of the table, by key.
async function scanAll(gw) {
  const call = caller(gw.dynamodbUrl);
  const items = new Map();
  let ExclusiveStartKey;
  do {
    const r = await call('Scan', { TableName: 'items', ExclusiveStartKey });
    assert.equal(r.status, 200, r.text);
    for (const item of r.json.Items) items.set(item.pk.S, item);
    ExclusiveStartKey = r.json.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

test('acknowledged writes survive SIGKILL and no transaction is half applied, three times over',
  { timeout: 180000 }, async (t) => {
    const dir = tempDir();
    const acked = [];
    const pairs = [];
    let gw;
    try {
      for (let cycle = 0; cycle <= CYCLES; cycle++) {
        gw = await startGateway(ddbYaml(), { dir, keepDir: true, deadlineMs: 20000 });
        if (cycle === 0) {
          const created = await caller(gw.dynamodbUrl)('CreateTable', { TableName: 'items',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' });
          assert.equal(created.status, 200, created.text);
        }
        const items = await scanAll(gw);
        for (const r of acked) {
          for (const key of r.keys) assert.ok(items.has(key), `${r.op} of ${key} was acknowledged`);
        }
        for (const pair of pairs) {
          const x = items.has(`${pair}x`);
          const y = items.has(`${pair}y`);
          assert.equal(x, y, `transaction ${pair} is half applied`);
        }
        t.diagnostic(`start ${cycle}: ${items.size} items, ${acked.length} acknowledged requests`);
        if (cycle === CYCLES) {
          assert.equal((await gw.stop()).code, 0);
          break;
        }
        const { acks, problems, pairs: sent, exit } = await loadAndKill(gw, cycle);
        assert.deepEqual(problems.slice(0, 5), [], `${problems.length} requests failed before the kill`);
        assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
        assert.ok(acks.length >= MIN_ACKS, `cycle ${cycle}: only ${acks.length} acknowledged`);
        acked.push(...acks);
        pairs.push(...sent);
      }
    } finally {
      if (gw) await gw.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
