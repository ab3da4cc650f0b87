// DynamoDB reads of many items: Query (key conditions, order, Select, Limit and paging, filters,
// projections, local and global secondary indexes) and Scan (paging, parallel segments,
// filters), with DynamoDB's validation texts. Expected answers are what real DynamoDB sends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, caller, assertError, assertValidation, assertOk, createTable, keySchema } from './dynamodb_fixture.mjs';

const S = (s) => ({ S: s });
const N = (n) => ({ N: n });
const INVALID = 'One or more parameter values were invalid: ';
// p1's sort keys in numeric order, with their LSI key, and whether they carry the GSI key.
const P1 = [['-10', 'e', true], ['-1.5', 'd', false], ['0', 'c', true], ['2', 'b', true], ['10', 'a', false], ['100', 'f', true]];

describe('DynamoDB queries and scans', () => {
  let gw;
  let call;
  const query = (extra) => call('Query', { TableName: 'qtab', KeyConditionExpression: 'pk = :p',
    ExpressionAttributeValues: { ':p': S('p1'), ...(extra.ExpressionAttributeValues ?? {}) }, ...omit(extra, 'ExpressionAttributeValues') });
  const sks = (r) => r.Items.map((i) => i.sk.N);
  let total = 0;

  before(async () => {
    gw = await startDynamo();
    call = caller(gw.dynamodbUrl);
    await createTable(call, {
      TableName: 'qtab', ...keySchema('pk:S', 'sk:N'),
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'lsk', AttributeType: 'S' }, { AttributeName: 'gpk', AttributeType: 'S' },
        { AttributeName: 'gsk', AttributeType: 'N' }],
      LocalSecondaryIndexes: [{ IndexName: 'byLsk', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'lsk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
      GlobalSecondaryIndexes: [
        { IndexName: 'byG', KeySchema: [{ AttributeName: 'gpk', KeyType: 'HASH' }, { AttributeName: 'gsk', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['x'] } },
        { IndexName: 'byGpk', KeySchema: [{ AttributeName: 'gpk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    });
    await createTable(call, { TableName: 'qstr', ...keySchema('pk:S', 'sk:S') });
    await createTable(call, { TableName: 'scan', ...keySchema('id:N') });
    for (const [i, [sk, lsk, inG]] of P1.entries()) {
      const item = { pk: S('p1'), sk: N(sk), lsk: S(lsk), x: N(String(i)), y: S(`y${i}`), m: { M: { a: N(String(i)), b: S('b') } },
        l: { L: [S('l0'), S(`l1-${i}`)] } };
      if (inG) Object.assign(item, { gpk: S('g'), gsk: N(String(100 - i * 10)) });
      assertOk(await call('PutItem', { TableName: 'qtab', Item: item }));
    }
    for (const sk of ['1', '2', '3']) assertOk(await call('PutItem', { TableName: 'qtab', Item: { pk: S('p2'), sk: N(sk) } }));
    for (const sk of ['c', 'ab', 'a', 'abc', 'ba', 'b', 'ac']) {
      assertOk(await call('PutItem', { TableName: 'qstr', Item: { pk: S('s'), sk: S(sk) } }));
    }
    for (let i = 0; i < 57; i++) {
      assertOk(await call('PutItem', { TableName: 'scan', Item: { id: N(String(i)), even: { BOOL: i % 2 === 0 }, padstr: S('p'.repeat(i)) } }));
      total++;
    }
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  describe('Query results', () => {
    it('returns a partition in numeric sort-key order with Count and ScannedCount', async () => {
      const r = assertOk(await query({}));
      assert.deepEqual(sks(r), P1.map(([sk]) => sk));
      assert.equal(r.Count, 6);
      assert.equal(r.ScannedCount, 6);
      assert.equal(r.LastEvaluatedKey, undefined);
    });

    it('ScanIndexForward false reverses the order', async () => {
      assert.deepEqual(sks(assertOk(await query({ ScanIndexForward: false }))), P1.map(([sk]) => sk).reverse());
    });

    it('an empty partition gives Count 0 and an empty Items list', async () => {
      const r = assertOk(await query({ ExpressionAttributeValues: { ':p': S('none') } }));
      assert.deepEqual(r, { Count: 0, Items: [], ScannedCount: 0 });
    });

    const ranges = [
      ['sk < :v', { ':v': N('0') }, ['-10', '-1.5']],
      ['sk <= :v', { ':v': N('0') }, ['-10', '-1.5', '0']],
      ['sk > :v', { ':v': N('2') }, ['10', '100']],
      ['sk >= :v', { ':v': N('2.0') }, ['2', '10', '100']],
      ['sk = :v', { ':v': N('1e1') }, ['10']],
      ['sk BETWEEN :a AND :b', { ':a': N('-1.5'), ':b': N('10') }, ['-1.5', '0', '2', '10']],
    ];
    for (const [cond, values, expected] of ranges) {
      it(`range condition ${cond}`, async () => {
        const r = assertOk(await query({ KeyConditionExpression: `pk = :p AND ${cond}`, ExpressionAttributeValues: values }));
        assert.deepEqual(sks(r), expected);
      });
    }

    it('begins_with and byte order on a string sort key', async () => {
      const q = (cond, values) => call('Query', { TableName: 'qstr', KeyConditionExpression: `pk = :p${cond}`,
        ExpressionAttributeValues: { ':p': S('s'), ...values } });
      assert.deepEqual(assertOk(await q('', {})).Items.map((i) => i.sk.S), ['a', 'ab', 'abc', 'ac', 'b', 'ba', 'c']);
      assert.deepEqual(assertOk(await q(' AND begins_with(sk, :b)', { ':b': S('ab') })).Items.map((i) => i.sk.S), ['ab', 'abc']);
      assert.deepEqual(assertOk(await q(' AND sk BETWEEN :a AND :b', { ':a': S('ab'), ':b': S('b') })).Items.map((i) => i.sk.S),
        ['ab', 'abc', 'ac', 'b']);
    });

    it('names and values through ExpressionAttributeNames', async () => {
      const r = assertOk(await call('Query', { TableName: 'qtab', KeyConditionExpression: '#p = :p AND #s > :z',
        ExpressionAttributeNames: { '#p': 'pk', '#s': 'sk' }, ExpressionAttributeValues: { ':p': S('p2'), ':z': N('1') } }));
      assert.deepEqual(sks(r), ['2', '3']);
    });

    it('FilterExpression: Count after the filter, ScannedCount before it', async () => {
      const r = assertOk(await query({ FilterExpression: 'x >= :two AND attribute_exists(gpk)', ExpressionAttributeValues: { ':two': N('2') } }));
      assert.deepEqual(sks(r), ['0', '2', '100']);
      assert.equal(r.Count, 3);
      assert.equal(r.ScannedCount, 6);
    });

    it('Select COUNT answers counts without Items', async () => {
      const r = assertOk(await query({ Select: 'COUNT' }));
      assert.deepEqual(r, { Count: 6, ScannedCount: 6 });
    });

    it('ReturnConsumedCapacity TOTAL: a small read costs half a unit, or one when consistent', async () => {
      const cc = async (extra) => assertOk(await query({ ExpressionAttributeValues: { ':p': S('p2') }, ReturnConsumedCapacity: 'TOTAL',
        ...extra })).ConsumedCapacity;
      assert.deepEqual(await cc({}), { TableName: 'qtab', CapacityUnits: 0.5 });
      assert.deepEqual(await cc({ ConsistentRead: true }), { TableName: 'qtab', CapacityUnits: 1 });
    });

    it('ProjectionExpression with names, nested map paths and list elements', async () => {
      const r = assertOk(await query({ KeyConditionExpression: 'pk = :p AND sk = :z', ExpressionAttributeValues: { ':z': N('0') },
        ProjectionExpression: '#y, m.a, l[1]', ExpressionAttributeNames: { '#y': 'y' } }));
      assert.deepEqual(r.Items, [{ y: S('y2'), m: { M: { a: N('2') } }, l: { L: [S('l1-2')] } }]);
    });
  });

  describe('Query paging', () => {
    it('Limit pages through the partition with LastEvaluatedKey', async () => {
      const seen = [];
      let start;
      let pages = 0;
      for (;;) {
        const r = assertOk(await query({ Limit: 4, ...(start ? { ExclusiveStartKey: start } : {}) }));
        pages++;
        seen.push(...sks(r));
        if (!r.LastEvaluatedKey) break;
        assert.deepEqual(r.LastEvaluatedKey, { pk: S('p1'), sk: r.Items.at(-1).sk });
        start = r.LastEvaluatedKey;
      }
      assert.deepEqual(seen, P1.map(([sk]) => sk));
      assert.equal(pages, 2);
    });

    it('a Limit reached exactly at the end still returns LastEvaluatedKey, then an empty page', async () => {
      const r = assertOk(await query({ Limit: 6 }));
      assert.equal(r.Count, 6);
      assert.deepEqual(r.LastEvaluatedKey, { pk: S('p1'), sk: N('100') });
      const next = assertOk(await query({ Limit: 6, ExclusiveStartKey: r.LastEvaluatedKey }));
      assert.deepEqual(next.Items, []);
      assert.equal(next.LastEvaluatedKey, undefined);
    });

    it('Limit counts items evaluated before the filter', async () => {
      const r = assertOk(await query({ Limit: 3, FilterExpression: 'attribute_exists(gpk)' }));
      assert.equal(r.ScannedCount, 3);
      assert.deepEqual(sks(r), ['-10', '0']);
      assert.deepEqual(r.LastEvaluatedKey, { pk: S('p1'), sk: N('0') });
    });

    it('paging backwards', async () => {
      const r = assertOk(await query({ Limit: 2, ScanIndexForward: false }));
      assert.deepEqual(sks(r), ['100', '10']);
      const next = assertOk(await query({ Limit: 2, ScanIndexForward: false, ExclusiveStartKey: r.LastEvaluatedKey }));
      assert.deepEqual(sks(next), ['2', '0']);
    });
  });

  describe('Query on indexes', () => {
    it('a GSI holds only items with its key, ordered by its sort key', async () => {
      const r = assertOk(await call('Query', { TableName: 'qtab', IndexName: 'byG', KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': S('g') } }));
      assert.deepEqual(r.Items.map((i) => i.gsk.N), ['50', '70', '80', '100']);
      assert.deepEqual(Object.keys(r.Items[0]).sort(), ['gpk', 'gsk', 'pk', 'sk', 'x'], 'INCLUDE projects keys and x');
    });

    it('a GSI page\'s LastEvaluatedKey holds index and table keys', async () => {
      const r = assertOk(await call('Query', { TableName: 'qtab', IndexName: 'byG', KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': S('g') }, Limit: 1 }));
      assert.deepEqual(r.LastEvaluatedKey, { gpk: S('g'), gsk: N('50'), pk: S('p1'), sk: N('100') });
      const next = assertOk(await call('Query', { TableName: 'qtab', IndexName: 'byG', KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': S('g') }, Limit: 1, ExclusiveStartKey: r.LastEvaluatedKey }));
      assert.deepEqual(next.Items.map((i) => i.gsk.N), ['70']);
    });

    it('an LSI orders the partition by its own key and projects keys only', async () => {
      const r = assertOk(await query({ IndexName: 'byLsk' }));
      assert.deepEqual(r.Items.map((i) => i.lsk.S), ['a', 'b', 'c', 'd', 'e', 'f']);
      assert.deepEqual(Object.keys(r.Items[0]).sort(), ['lsk', 'pk', 'sk']);
    });

    it('an LSI fetches non-projected attributes when asked for them', async () => {
      const r = assertOk(await query({ IndexName: 'byLsk', Select: 'ALL_ATTRIBUTES', Limit: 1 }));
      assert.deepEqual(r.Items[0].y, S('y4'));
    });

    it('an LSI fetches the non-projected attributes a projection names, from the table', async () => {
      const byProjection = assertOk(await query({ IndexName: 'byLsk', ProjectionExpression: 'lsk, y', Limit: 1 }));
      assert.deepEqual(byProjection.Items, [{ lsk: S('a'), y: S('y4') }]);
      const legacy = assertOk(await call('Query', { TableName: 'qtab', IndexName: 'byLsk', Select: 'SPECIFIC_ATTRIBUTES',
        AttributesToGet: ['y'], KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('p1')] } }, Limit: 1 }));
      assert.deepEqual(legacy.Items, [{ y: S('y4') }]);
    });

    it('ALL_PROJECTED_ATTRIBUTES on an index', async () => {
      const r = assertOk(await call('Query', { TableName: 'qtab', IndexName: 'byG', KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': S('g') }, Select: 'ALL_PROJECTED_ATTRIBUTES', Limit: 1 }));
      assert.deepEqual(Object.keys(r.Items[0]).sort(), ['gpk', 'gsk', 'pk', 'sk', 'x']);
    });

    it('a hash-only GSI answers every item of the index key', async () => {
      const r = assertOk(await call('Query', { TableName: 'qtab', IndexName: 'byGpk', KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': S('g') } }));
      assert.equal(r.Count, 4);
      assert.deepEqual(new Set(sks(r)), new Set(['-10', '0', '2', '100']));
    });
  });

  describe('ReturnItemCollectionMetrics', () => {
    const metricsOf = (pk) => ({ ItemCollectionKey: { pk: S(pk) }, SizeEstimateRangeGB: [0, 1] });
    it('SIZE reports the collection of a table with a local index, for each kind of write', async () => {
      const size = { ReturnItemCollectionMetrics: 'SIZE' };
      const put = assertOk(await call('PutItem', { TableName: 'qtab', Item: { pk: S('c1'), sk: N('1') }, ...size }));
      assert.deepEqual(put, { ItemCollectionMetrics: metricsOf('c1') });
      const upd = assertOk(await call('UpdateItem', { TableName: 'qtab', Key: { pk: S('c1'), sk: N('1') },
        UpdateExpression: 'SET lsk = :l', ExpressionAttributeValues: { ':l': S('z') }, ReturnValues: 'UPDATED_NEW', ...size }));
      assert.deepEqual(upd, { Attributes: { lsk: S('z') }, ItemCollectionMetrics: metricsOf('c1') });
      const batch = assertOk(await call('BatchWriteItem', { RequestItems: {
        qtab: [{ PutRequest: { Item: { pk: S('c2'), sk: N('1') } } }, { DeleteRequest: { Key: { pk: S('c1'), sk: N('1') } } }],
        qstr: [{ PutRequest: { Item: { pk: S('c3'), sk: S('1') } } }] }, ...size }));
      assert.deepEqual(batch, { UnprocessedItems: {}, ItemCollectionMetrics: { qtab: [metricsOf('c2'), metricsOf('c1')] } });
      const tx = assertOk(await call('TransactWriteItems', { TransactItems: [
        { Put: { TableName: 'qtab', Item: { pk: S('c4'), sk: N('1') } } },
        { ConditionCheck: { TableName: 'qtab', Key: { pk: S('c2'), sk: N('1') }, ConditionExpression: 'attribute_exists(pk)' } }],
      ...size }));
      assert.deepEqual(tx, { ItemCollectionMetrics: { qtab: [metricsOf('c4')] } });
      const del = assertOk(await call('DeleteItem', { TableName: 'qtab', Key: { pk: S('c4'), sk: N('1') }, ...size }));
      assert.deepEqual(del, { ItemCollectionMetrics: metricsOf('c4') });
    });

    it('a table without a local index reports none; NONE reports none', async () => {
      assert.deepEqual(assertOk(await call('PutItem', { TableName: 'qstr', Item: { pk: S('c5'), sk: S('1') },
        ReturnItemCollectionMetrics: 'SIZE' })), {});
      assert.deepEqual(assertOk(await call('PutItem', { TableName: 'qtab', Item: { pk: S('c5'), sk: N('1') },
        ReturnItemCollectionMetrics: 'NONE' })), {});
      for (const k of ['c2', 'c5']) assertOk(await call('DeleteItem', { TableName: 'qtab', Key: { pk: S(k), sk: N('1') } }));
      assertOk(await call('DeleteItem', { TableName: 'qstr', Key: { pk: S('c3'), sk: S('1') } }));
      assertOk(await call('DeleteItem', { TableName: 'qstr', Key: { pk: S('c5'), sk: S('1') } }));
    });
  });

  describe('Query validation', () => {
    const cases = [
      ['no key condition', { KeyConditionExpression: undefined, ExpressionAttributeValues: undefined },
        'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.'],
      ['an empty key condition', { KeyConditionExpression: '', ExpressionAttributeValues: undefined },
        'Invalid KeyConditionExpression: The expression can not be empty;'],
      ['OR in a key condition', { KeyConditionExpression: 'pk = :p OR sk = :z', ExpressionAttributeValues: { ':p': S('p1'), ':z': N('1') } },
        'Invalid operator used in KeyConditionExpression: OR'],
      ['a condition without the hash key', { KeyConditionExpression: 'sk = :z', ExpressionAttributeValues: { ':z': N('1') } },
        'Query condition missed key schema element: pk'],
      ['a non-EQ hash condition', { KeyConditionExpression: 'pk > :p', ExpressionAttributeValues: { ':p': S('p1') } },
        'Query key condition not supported'],
      ['two conditions on one key', { KeyConditionExpression: 'pk = :p AND pk = :p', ExpressionAttributeValues: { ':p': S('p1') } },
        'KeyConditionExpressions must only contain one condition per key'],
      ['two attribute names in one condition', { KeyConditionExpression: 'pk = sk', ExpressionAttributeValues: undefined },
        'Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition'],
      ['a value of the wrong type', { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': N('1') } },
        `${INVALID}Condition parameter type does not match schema type`],
      ['BETWEEN with bounds reversed', { KeyConditionExpression: 'pk = :p AND sk BETWEEN :b AND :a',
        ExpressionAttributeValues: { ':p': S('p1'), ':a': N('1'), ':b': N('2') } },
      'Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ' +
        'lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}'],
      ['a filter on a key attribute', { FilterExpression: 'sk > :z', ExpressionAttributeValues: { ':p': S('p1'), ':z': N('1') } },
        'Filter Expression can only contain non-primary key attributes: Primary key attribute: sk'],
      ['an undefined filter value', { FilterExpression: 'x = :nope' },
        'Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :nope'],
      ['an unused name', { ExpressionAttributeNames: { '#unused': 'x' } },
        'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}'],
      ['a reserved word in the projection', { ProjectionExpression: 'name' },
        'Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name'],
      ['overlapping projection paths', { ProjectionExpression: 'm, m.a' },
        'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, a]'],
      ['an unknown index', { IndexName: 'nope' }, 'The table does not have the specified index: nope'],
      ['ConsistentRead on a GSI', { IndexName: 'byGpk', KeyConditionExpression: 'gpk = :p', ConsistentRead: true },
        'Consistent reads are not supported on global secondary indexes'],
      ['ALL_ATTRIBUTES on a GSI that does not project all', { IndexName: 'byG', KeyConditionExpression: 'gpk = :p', Select: 'ALL_ATTRIBUTES' },
        `${INVALID}Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL`],
      ['ALL_PROJECTED_ATTRIBUTES without an index', { Select: 'ALL_PROJECTED_ATTRIBUTES' },
        'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName'],
      ['SPECIFIC_ATTRIBUTES without a projection', { Select: 'SPECIFIC_ATTRIBUTES' },
        'Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES'],
      ['ALL_ATTRIBUTES with a projection', { Select: 'ALL_ATTRIBUTES', ProjectionExpression: 'x' },
        'Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES'],
      ['ALL_ATTRIBUTES with AttributesToGet', { KeyConditionExpression: undefined, ExpressionAttributeValues: undefined,
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('p1')] } }, Select: 'ALL_ATTRIBUTES', AttributesToGet: ['x'] },
      'Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES'],
      ['a QueryFilter operator outside the enum, quoted', { KeyConditionExpression: undefined, ExpressionAttributeValues: undefined,
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('p1')] } },
        QueryFilter: { x: { ComparisonOperator: 'DOG', AttributeValueList: [N('1')] } } },
      "1 validation error detected: Value 'DOG' at 'queryFilter.x.member.comparisonOperator' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]'],
      ['COUNT with a projection', { Select: 'COUNT', ProjectionExpression: 'x' },
        'Cannot specify the ProjectionExpression when choosing to get only the Count'],
      ['Limit 0', { Limit: 0 },
        "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      ['an invalid Select', { Select: 'hi' }, /^1 validation error detected: .*Member must satisfy enum value set: \[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES\]$/],
      ['values with legacy KeyConditions', { KeyConditionExpression: undefined, KeyConditions: { pk: { ComparisonOperator: 'EQ',
        AttributeValueList: [S('p1')] } }, ExpressionAttributeValues: { ':x': S('1') } },
      'ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null'],
      // Enums are listed in the older form, with their value, also where ranges use the newer.
      ['an invalid ReturnConsumedCapacity', { ReturnConsumedCapacity: 'INVALID' },
        "1 validation error detected: Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"],
      ['a start key of other attributes', { ExclusiveStartKey: { pk: S('p1'), other: N('1') } }, 'The provided starting key is invalid'],
      ['a start key of the wrong types', { ExclusiveStartKey: { pk: S('p1'), sk: S('1') } }, 'The provided key element does not match the schema'],
      ['a start key from another partition', { ExclusiveStartKey: { pk: S('p2'), sk: N('1') } },
        'The provided starting key is outside query boundaries based on provided conditions'],
    ];
    for (const [name, extra, message] of cases) {
      it(name, async () => {
        const body = { TableName: 'qtab', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('p1') }, ...extra };
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        assertValidation(await call('Query', body), message);
      });
    }

    it('a missing table', async () => {
      assertError(await call('Query', { TableName: 'no_such_table', KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': S('p1') } }), 'ResourceNotFoundException', 'Requested resource not found');
    });
  });

  describe('Scan', () => {
    const ids = (items) => items.map((i) => Number(i.id.N));

    it('returns every item once with Count and ScannedCount', async () => {
      const r = assertOk(await call('Scan', { TableName: 'scan' }));
      assert.equal(r.Count, total);
      assert.equal(r.ScannedCount, total);
      assert.deepEqual(ids(r.Items).sort((a, b) => a - b), [...Array(total).keys()]);
      assert.equal(r.LastEvaluatedKey, undefined);
    });

    it('Limit and ExclusiveStartKey page through everything exactly once', async () => {
      const seen = [];
      let start;
      for (let i = 0; i < 100; i++) {
        const r = assertOk(await call('Scan', { TableName: 'scan', Limit: 10, ...(start ? { ExclusiveStartKey: start } : {}) }));
        assert.ok(r.Count <= 10);
        seen.push(...ids(r.Items));
        if (!r.LastEvaluatedKey) break;
        assert.deepEqual(Object.keys(r.LastEvaluatedKey), ['id']);
        start = r.LastEvaluatedKey;
      }
      assert.deepEqual(seen.sort((a, b) => a - b), [...Array(total).keys()]);
    });

    it('parallel segments are disjoint and cover the table', async () => {
      const all = [];
      for (let segment = 0; segment < 4; segment++) {
        let start;
        for (let i = 0; i < 100; i++) {
          const r = assertOk(await call('Scan', { TableName: 'scan', Segment: segment, TotalSegments: 4, Limit: 7,
            ...(start ? { ExclusiveStartKey: start } : {}) }));
          all.push(...ids(r.Items));
          if (!r.LastEvaluatedKey) break;
          start = r.LastEvaluatedKey;
        }
      }
      assert.deepEqual(all.sort((a, b) => a - b), [...Array(total).keys()]);
    });

    it('a segment continues only from a key of its own', async () => {
      const first = assertOk(await call('Scan', { TableName: 'scan', Segment: 0, TotalSegments: 4, Limit: 1 }));
      const foreign = assertOk(await call('Scan', { TableName: 'scan', Segment: 1, TotalSegments: 4, Limit: 1 }));
      assertOk(await call('Scan', { TableName: 'scan', Segment: 0, TotalSegments: 4, ExclusiveStartKey: first.LastEvaluatedKey }));
      assertValidation(await call('Scan', { TableName: 'scan', Segment: 0, TotalSegments: 4, ExclusiveStartKey: foreign.LastEvaluatedKey }),
        'The provided Exclusive start key does not map to the provided Segment and TotalSegments values.');
    });

    it('one segment of one is the whole table', async () => {
      assert.equal(assertOk(await call('Scan', { TableName: 'scan', Segment: 0, TotalSegments: 1 })).Count, total);
    });

    it('FilterExpression with Select COUNT', async () => {
      const r = assertOk(await call('Scan', { TableName: 'scan', FilterExpression: 'even = :t AND id < :ten',
        ExpressionAttributeValues: { ':t': { BOOL: true }, ':ten': N('10') }, Select: 'COUNT' }));
      assert.deepEqual(r, { Count: 5, ScannedCount: total });
    });

    it('a filter with size() and a projection', async () => {
      const r = assertOk(await call('Scan', { TableName: 'scan', FilterExpression: 'size(padstr) > :n',
        ExpressionAttributeValues: { ':n': N('53') }, ProjectionExpression: 'id' }));
      assert.deepEqual(ids(r.Items).sort((a, b) => a - b), [54, 55, 56]);
      assert.deepEqual(Object.keys(r.Items[0]), ['id']);
    });

    it('a Scan of a sparse GSI sees only the items with its key', async () => {
      const r = assertOk(await call('Scan', { TableName: 'qtab', IndexName: 'byG' }));
      assert.equal(r.Count, 4);
    });

    const cases = [
      ['TotalSegments without Segment', { TotalSegments: 2 },
        'The Segment parameter is required but was not present in the request when parameter TotalSegments is present'],
      ['Segment without TotalSegments', { Segment: 0 },
        'The TotalSegments parameter is required but was not present in the request when Segment parameter is present'],
      ['Segment equal to TotalSegments', { Segment: 5, TotalSegments: 5 },
        'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 5 is not less than TotalSegments: 5'],
      ['Segment -1', { Segment: -1, TotalSegments: 2 },
        "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"],
      ['Limit 0', { Limit: 0 },
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      ['a start key of other attributes', { ExclusiveStartKey: { nope: N('1') } },
        'The provided starting key is invalid: The provided key element does not match the schema'],
      ['SPECIFIC_ATTRIBUTES without a projection', { Select: 'SPECIFIC_ATTRIBUTES' },
        'Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES'],
      ['ALL_PROJECTED_ATTRIBUTES without an index', { Select: 'ALL_PROJECTED_ATTRIBUTES' },
        'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName'],
      ['values without expressions', { ExpressionAttributeValues: { ':v': N('1') } },
        'ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null'],
      ['an empty filter', { FilterExpression: '' }, 'Invalid FilterExpression: The expression can not be empty;'],
      ['redundant parentheses', { FilterExpression: '((id = :v))', ExpressionAttributeValues: { ':v': N('1') } },
        'Invalid FilterExpression: The expression has redundant parentheses;'],
      ['an unknown function', { FilterExpression: 'whatever(id)' }, 'Invalid FilterExpression: Invalid function name; function: whatever'],
      ['size() as a condition', { FilterExpression: 'size(id)' },
        'Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size'],
      ['a reserved word', { FilterExpression: 'abOrT = :v', ExpressionAttributeValues: { ':v': N('1') } },
        'Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT'],
      ['an unused value', { FilterExpression: 'id = :v', ExpressionAttributeValues: { ':v': N('1'), ':w': N('2') } },
        'Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}'],
    ];
    for (const [name, extra, message] of cases) {
      it(name, async () => {
        assertValidation(await call('Scan', { TableName: 'scan', ...extra }), message);
      });
    }

    it('a missing table', async () => {
      assertError(await call('Scan', { TableName: 'no_such_table' }), 'ResourceNotFoundException', 'Requested resource not found');
    });
  });
});

function omit(obj, key) {
  const { [key]: _, ...rest } = obj;
  return rest;
}
