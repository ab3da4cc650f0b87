// BatchGetItem's 16 MB answer: past it, the keys not read come back in UnprocessedKeys, grouped by
// table, and asking again for them gets the rest.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, caller, assertOk, createTable, keySchema } from './dynamodb_fixture.mjs';

const S = (s) => ({ S: s });
const ITEMS = 44;            // of ~399 KB: 17.5 MB in all, more than one answer holds
const PAD = 'x'.repeat(399 * 1024);

describe('BatchGetItem past 16 MB', () => {
  let gw;
  let call;
  before(async () => {
    gw = await startDynamo();
    call = caller(gw.dynamodbUrl);
    await createTable(call, { TableName: 'big', ...keySchema('pk:S') });
    for (let i = 0; i < ITEMS; i++)
      assertOk(await call('PutItem', { TableName: 'big', Item: { pk: S(`k${i}`), pad: S(PAD) } }));
  });
  after(async () => {
    assert.equal((await gw.stop()).code, 0);
  });

  it('answers what fits and names the rest, which a second call reads', async () => {
    const keys = Array.from({ length: ITEMS }, (_, i) => ({ pk: S(`k${i}`) }));
    const first = assertOk(await call('BatchGetItem', { RequestItems: { big: { Keys: keys,
      ProjectionExpression: '#k, #p', ExpressionAttributeNames: { '#k': 'pk', '#p': 'pad' } } } }));
    const got = first.Responses.big.length;
    const left = first.UnprocessedKeys.big?.Keys ?? [];
    assert.ok(got > 0 && got < ITEMS, `${got} items in the first answer`);
    assert.equal(got + left.length, ITEMS, 'every key is answered or left');
    assert.ok(got * PAD.length <= 17 * 1024 * 1024, 'the answer stays near 16 MB');
    // The rest is named with what was asked of the table, so sending it back asks the same.
    assert.equal(first.UnprocessedKeys.big.ProjectionExpression, '#k, #p');
    assert.deepEqual(first.UnprocessedKeys.big.ExpressionAttributeNames, { '#k': 'pk', '#p': 'pad' });
    const second = assertOk(await call('BatchGetItem', { RequestItems: first.UnprocessedKeys }));
    assert.equal(second.Responses.big.length, left.length);
    assert.deepEqual(second.UnprocessedKeys, {});
    const all = new Set([...first.Responses.big, ...second.Responses.big].map((i) => i.pk.S));
    assert.equal(all.size, ITEMS);
  });
});
