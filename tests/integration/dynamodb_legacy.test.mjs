// DynamoDB's legacy (non-expression) parameters, still sent by older code: Expected and
// ConditionalOperator, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter and
// AttributesToGet, with the semantics the DynamoDB developer guide's LegacyConditionalParameters
// pages give them, and DynamoDB's refusal of requests that mix them with expressions.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, caller, assertError, assertValidation, assertOk, createTable, keySchema } from
  './dynamodb_fixture.mjs';

const S = (s) => ({ S: s });
const N = (n) => ({ N: n });

describe('DynamoDB legacy parameters', () => {
  let gw;
  let call;
  before(async () => {
    gw = await startDynamo();
    call = caller(gw.dynamodbUrl);
    await createTable(call, { TableName: 'legacy', ...keySchema('pk:S', 'sk:N') });
    for (const [sk, color, n] of [[1, 'red', 5], [2, 'blue', 7], [3, 'red', 9]]) {
      assertOk(await call('PutItem', { TableName: 'legacy',
        Item: { pk: S('p'), sk: N(String(sk)), color: S(color), n: N(String(n)) } }));
    }
  });
  after(async () => {
    assert.equal((await gw.stop()).code, 0);
  });

  it('Expected: Exists false guards a put, a Value compares', async () => {
    const item = { pk: S('p'), sk: N('1'), color: S('green') };
    const refused = await call('PutItem', { TableName: 'legacy', Item: item,
      Expected: { pk: { Exists: false } } });
    assertError(refused, 'ConditionalCheckFailedException', 'The conditional request failed');
    assertOk(await call('PutItem', { TableName: 'legacy', Item: { ...item, n: N('5') },
      Expected: { color: { Value: S('red') } } }));
    const got = assertOk(await call('GetItem', { TableName: 'legacy', Key: { pk: S('p'), sk: N('1') } }));
    assert.deepEqual(got.Item.color, S('green'));
    // Two entries ORed: one holds.
    assertOk(await call('DeleteItem', { TableName: 'legacy', Key: { pk: S('p'), sk: N('9') },
      Expected: { color: { ComparisonOperator: 'NULL' }, n: { ComparisonOperator: 'GT', AttributeValueList: [N('100')] } },
      ConditionalOperator: 'OR' }));
  });

  it('AttributeUpdates: PUT, ADD to a number and a set, DELETE', async () => {
    const r = assertOk(await call('UpdateItem', { TableName: 'legacy', Key: { pk: S('p'), sk: N('2') },
      AttributeUpdates: {
        color: { Action: 'PUT', Value: S('cyan') },
        n: { Action: 'ADD', Value: N('0.5') },
        tags: { Action: 'ADD', Value: { SS: ['a', 'b'] } },
      },
      ReturnValues: 'ALL_NEW' }));
    assert.deepEqual(r.Attributes.color, S('cyan'));
    assert.deepEqual(r.Attributes.n, N('7.5'));
    assert.deepEqual(r.Attributes.tags.SS.sort(), ['a', 'b']);
    const removed = assertOk(await call('UpdateItem', { TableName: 'legacy', Key: { pk: S('p'), sk: N('2') },
      AttributeUpdates: { color: { Action: 'DELETE' }, tags: { Action: 'DELETE', Value: { SS: ['a'] } } },
      ReturnValues: 'ALL_NEW' }));
    assert.equal(removed.Attributes.color, undefined);
    assert.deepEqual(removed.Attributes.tags, { SS: ['b'] });
  });

  it('KeyConditions, QueryFilter and AttributesToGet read a query', async () => {
    const r = assertOk(await call('Query', { TableName: 'legacy',
      KeyConditions: {
        pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('p')] },
        sk: { ComparisonOperator: 'BETWEEN', AttributeValueList: [N('1'), N('3')] },
      },
      QueryFilter: { color: { ComparisonOperator: 'EQ', AttributeValueList: [S('red')] } },
      AttributesToGet: ['sk', 'color'] }));
    assert.equal(r.ScannedCount, 3);
    assert.deepEqual(r.Items, [{ sk: N('3'), color: S('red') }]);
  });

  it('a QueryFilter on a key attribute is refused with its own text', async () => {
    const r = await call('Query', { TableName: 'legacy',
      KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('p')] } },
      QueryFilter: { sk: { ComparisonOperator: 'GT', AttributeValueList: [N('1')] } } });
    assertValidation(r, 'QueryFilter can only contain non-primary key attributes: Primary key attribute: sk');
  });

  it('ScanFilter with NOT_CONTAINS is false on a missing attribute', async () => {
    const r = assertOk(await call('Scan', { TableName: 'legacy',
      ScanFilter: { tags: { ComparisonOperator: 'NOT_CONTAINS', AttributeValueList: [S('zzz')] } } }));
    // Only the item that has tags (sk 2) can not contain "zzz".
    assert.deepEqual(r.Items.map((i) => i.sk.N), ['2']);
  });

  it('mixing legacy and expression parameters is refused with both lists', async () => {
    const r = await call('Query', { TableName: 'legacy',
      KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('p') },
      QueryFilter: { color: { ComparisonOperator: 'EQ', AttributeValueList: [S('red')] } } });
    assertValidation(r, 'Can not use both expression and non-expression parameters in the same '
      + 'request: Non-expression parameters: {QueryFilter} Expression parameters: '
      + '{KeyConditionExpression}');
    const wrongCount = await call('Scan', { TableName: 'legacy',
      ScanFilter: { n: { ComparisonOperator: 'EQ', AttributeValueList: [] } } });
    assertValidation(wrongCount, 'One or more parameter values were invalid: Invalid number of '
      + 'argument(s) for the EQ ComparisonOperator');
  });
});
