// DynamoDB item operations: PutItem, GetItem, DeleteItem, UpdateItem. Value round trips, exact
// decimal numbers, sets, key and value validation, item size, update expressions, conditions,
// ReturnValues and ReturnConsumedCapacity. Expected answers are what real DynamoDB sends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, caller, assertError, assertValidation, assertOk, createTable, keySchema,
  maybeEnveloped } from './dynamodb_fixture.mjs';

const INVALID = 'One or more parameter values were invalid: ';
const S = (s) => ({ S: s });
const N = (n) => ({ N: n });

describe('DynamoDB items', () => {
  let gw;
  let call;
  const put = (Item, extra = {}) => call('PutItem', { TableName: 'items', Item, ...extra });
  const get = (pk, extra = {}) => call('GetItem', { TableName: 'items', Key: { pk: S(pk) }, ConsistentRead: true, ...extra });
  const update = (pk, extra) => call('UpdateItem', { TableName: 'items', Key: { pk: S(pk) }, ...extra });
  const itemOf = async (pk) => assertOk(await get(pk)).Item;

  before(async () => {
    gw = await startDynamo();
    call = caller(gw.dynamodbUrl);
    await createTable(call, { TableName: 'items', ...keySchema('pk:S') });
    await createTable(call, { TableName: 'numkeys', ...keySchema('n:N') });
    await createTable(call, { TableName: 'composite', ...keySchema('pk:S', 'sk:S') });
    await createTable(call, { TableName: 'binkeys', ...keySchema('b:B') });
    await createTable(call, { TableName: 'indexed', ...keySchema('pk:S'),
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'gsk', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'gsk', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' } }] });
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  describe('values round trip', () => {
    it('every type comes back as written', async () => {
      const item = { pk: S('all'), s: S('héllo ✓'), n: N('42'), b: { B: Buffer.from([0, 1, 254, 255]).toString('base64') },
        t: { BOOL: true }, f: { BOOL: false }, z: { NULL: true }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2.5'] },
        bs: { BS: ['AQ==', 'Ag=='] }, l: { L: [S('x'), N('1'), { L: [] }, { M: {} }] },
        m: { M: { deep: { M: { deeper: { L: [{ BOOL: false }] } } }, e: S('') } }, empty: S('') };
      assert.deepEqual(assertOk(await put(item)), {});
      const got = await itemOf('all');
      assert.deepEqual({ ...got, ss: undefined, ns: undefined, bs: undefined },
        { ...item, ss: undefined, ns: undefined, bs: undefined });
      assert.deepEqual(new Set(got.ss.SS), new Set(['a', 'b']));
      assert.deepEqual(new Set(got.ns.NS), new Set(['1', '2.5']));
      assert.deepEqual(new Set(got.bs.BS), new Set(['AQ==', 'Ag==']));
    });

    it('GetItem of a missing item is {}', async () => {
      const r = await get('never-written');
      assert.equal(r.status, 200);
      assert.equal(r.text, '{}');
    });

    it('PutItem replaces the whole item', async () => {
      await put({ pk: S('repl'), a: S('1'), b: S('2') });
      await put({ pk: S('repl'), c: S('3') });
      assert.deepEqual(await itemOf('repl'), { pk: S('repl'), c: S('3') });
    });

    it('ProjectionExpression on GetItem picks attributes, nested paths and list elements', async () => {
      await put({ pk: S('proj'), a: S('1'), b: S('2'), m: { M: { x: N('1'), y: N('2') } }, l: { L: [S('l0'), S('l1')] } });
      const r = assertOk(await get('proj', { ProjectionExpression: 'a, m.y, l[1], #n', ExpressionAttributeNames: { '#n': 'nope' } }));
      assert.deepEqual(r.Item, { a: S('1'), m: { M: { y: N('2') } }, l: { L: [S('l1')] } });
    });

    it('GetItem projection errors come without the envelope', async () => {
      assertValidation(await get('proj', { ProjectionExpression: '' }), 'Invalid ProjectionExpression: The expression can not be empty;');
      assertValidation(await get('proj', { ProjectionExpression: '#a' }),
        'Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #a');
      assertValidation(await get('proj', { ProjectionExpression: 'a, a.b' }),
        'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]');
    });

    it('DeleteItem removes the item, and deleting a missing item is fine', async () => {
      await put({ pk: S('del'), a: S('1') });
      assert.deepEqual(assertOk(await call('DeleteItem', { TableName: 'items', Key: { pk: S('del') } })), {});
      assert.equal((await get('del')).text, '{}');
      assert.deepEqual(assertOk(await call('DeleteItem', { TableName: 'items', Key: { pk: S('del') } })), {});
    });
  });

  describe('numbers', () => {
    const canonical = [['0042.1200', '42.12'], ['1e2', '100'], ['1E2', '100'], ['-0.50', '-0.5'], ['.5', '0.5'],
      ['5.', '5'], ['1.50e1', '15'], ['+7', '7'], ['12345678901234567890123456789012345678', '12345678901234567890123456789012345678'],
      ['0.00000000000000000000000000000000000001', '0.00000000000000000000000000000000000001'],
      ['1E125', `1${'0'.repeat(125)}`]];
    for (const [written, read] of canonical) {
      it(`${written} is stored as ${read}`, async () => {
        await put({ pk: S(`num-${written}`), v: N(written) });
        assert.deepEqual((await itemOf(`num-${written}`)).v, N(read));
      });
    }

    it('numerically equal key values are one key (1000, 1e3, 1000.0)', async () => {
      assertOk(await call('PutItem', { TableName: 'numkeys', Item: { n: N('1000'), v: S('first') } }));
      assertOk(await call('PutItem', { TableName: 'numkeys', Item: { n: N('1e3'), v: S('second') } }));
      const r = assertOk(await call('GetItem', { TableName: 'numkeys', Key: { n: N('1000.0') } }));
      assert.deepEqual(r.Item, { n: N('1000'), v: S('second') });
      assert.equal(assertOk(await call('Scan', { TableName: 'numkeys' })).Count, 1);
    });

    const bad = [
      ['abc', 'The parameter cannot be converted to a numeric value: abc'],
      [' 1', 'The parameter cannot be converted to a numeric value:  1'],
      ['0x10', 'The parameter cannot be converted to a numeric value: 0x10'],
      ['1e', 'The parameter cannot be converted to a numeric value: 1e'],
      ['NaN', 'The parameter cannot be converted to a numeric value: NaN'],
      ['1.2.3', 'The parameter cannot be converted to a numeric value: 1.2.3'],
      ['1e126', 'Number overflow. Attempting to store a number with magnitude larger than supported range'],
      ['-1e126', 'Number overflow. Attempting to store a number with magnitude larger than supported range'],
      ['1e-131', 'Number underflow. Attempting to store a number with magnitude smaller than supported range'],
      ['1234567890123456789012345678901234567891', 'Attempting to store more than 38 significant digits in a Number'],
    ];
    for (const [n, message] of bad) {
      it(`PutItem with N ${JSON.stringify(n)}`, async () => {
        assertValidation(await put({ pk: S('badnum'), v: N(n) }), message);
      });
    }

    it('GetItem gives number errors without the envelope', async () => {
      assertValidation(await call('GetItem', { TableName: 'numkeys', Key: { n: N('abc') } }),
        'The parameter cannot be converted to a numeric value: abc');
    });

    it('a bad number is refused before the table is looked up', async () => {
      assertValidation(await call('PutItem', { TableName: 'no_such_table', Item: { pk: S('x'), v: N('abc') } }),
        'The parameter cannot be converted to a numeric value: abc');
    });
  });

  describe('attribute value validation (PutItem)', () => {
    const cases = [
      ['an empty AttributeValue', { v: {} }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
      ['an unknown type', { v: { X: 'a' } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
      ['an empty value nested in a map', { v: { M: { a: {} } } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
      ['an empty value nested in a list', { v: { L: [{}] } }, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
      ['two types', { v: { S: 'a', N: '1' } }, 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'],
      ['NULL false', { v: { NULL: false } }, `${INVALID}Null attribute value types must have the value of true`],
      ['an empty SS', { v: { SS: [] } }, `${INVALID}An string set  may not be empty`],
      ['an empty NS', { v: { NS: [] } }, `${INVALID}An number set  may not be empty`],
      ['an empty BS', { v: { BS: [] } }, `${INVALID}Binary sets should not be empty`],
      ['a duplicate in SS', { v: { SS: ['a', 'b', 'b'] } }, `${INVALID}Input collection ["a", "b", "b"] contains duplicates.`],
      ['a duplicate in NS', { v: { NS: ['1', '2', '1'] } }, `${INVALID}Input collection contains duplicates.`],
    ];
    for (const [name, attrs, message] of cases) {
      it(name, async () => {
        assertValidation(await put({ pk: S('v'), ...attrs }), message);
      });
    }

    it('nesting far beyond 32 levels is refused; 20 levels are fine', async () => {
      const nest = (depth) => {
        let v = S('leaf');
        for (let i = 0; i < depth; i++) v = i % 2 ? { L: [v] } : { M: { k: v } };
        return v;
      };
      assertOk(await put({ pk: S('deep20'), v: nest(20) }));
      assert.deepEqual((await itemOf('deep20')).v, nest(20));
      assertValidation(await put({ pk: S('deep40'), v: nest(40) }),
        maybeEnveloped('Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit'));
    });
  });

  describe('keys', () => {
    it('PutItem without the key attribute', async () => {
      assertValidation(await put({ other: S('x') }), maybeEnveloped(`${INVALID}Missing the key pk in the item`));
    });

    it('PutItem with the key of the wrong type', async () => {
      assertValidation(await put({ pk: N('1') }), maybeEnveloped(`${INVALID}Type mismatch for key pk expected: S actual: N`));
    });

    const mismatches = [
      ['a missing key attribute', {}],
      ['an extra attribute', { pk: S('a'), x: S('b') }],
      ['the wrong type', { pk: N('1') }],
      ['a wrong name', { other: S('a') }],
      ['a list', { pk: { L: [S('a')] } }],
      ['a string set', { pk: { SS: ['a'] } }],
    ];
    for (const [name, Key] of mismatches) {
      it(`GetItem and DeleteItem with ${name}`, async () => {
        const m = 'The provided key element does not match the schema';
        assertValidation(await call('GetItem', { TableName: 'items', Key }), m);
        assertValidation(await call('DeleteItem', { TableName: 'items', Key }), m);
      });
    }

    it('a composite key without its sort key', async () => {
      assertValidation(await call('GetItem', { TableName: 'composite', Key: { pk: S('a') } }),
        'The provided key element does not match the schema');
    });

    it('an empty string key', async () => {
      const m = 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk';
      assertValidation(await call('GetItem', { TableName: 'items', Key: { pk: S('') } }), m);
      assertValidation(await put({ pk: S('') }), m);
    });

    it('an empty binary key', async () => {
      assertValidation(await call('PutItem', { TableName: 'binkeys', Item: { b: { B: '' } } }),
        'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: b');
    });

    it('a hash key of 2048 bytes is fine, 2049 is too long (reads too)', async () => {
      assertOk(await put({ pk: S('h'.repeat(2048)) }));
      assert.deepEqual((await itemOf('h'.repeat(2048))).pk, S('h'.repeat(2048)));
      const m = `${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`;
      assertValidation(await call('GetItem', { TableName: 'items', Key: { pk: S('h'.repeat(2049)) } }), m);
      assertValidation(await put({ pk: S('h'.repeat(2049)) }), maybeEnveloped(m));
    });

    it('a multi-byte hash key is measured in UTF-8 bytes', async () => {
      assertValidation(await call('GetItem', { TableName: 'items', Key: { pk: S('é'.repeat(1025)) } }),
        `${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`);
    });

    it('a range key of 1024 bytes is fine, 1025 is too long', async () => {
      assertOk(await call('PutItem', { TableName: 'composite', Item: { pk: S('a'), sk: S('r'.repeat(1024)) } }));
      assertValidation(await call('GetItem', { TableName: 'composite', Key: { pk: S('a'), sk: S('r'.repeat(1025)) } }),
        `${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
    });

    it('an index key of the wrong type', async () => {
      assertValidation(await call('PutItem', { TableName: 'indexed', Item: { pk: S('a'), gsk: N('1') } }),
        maybeEnveloped(`${INVALID}Type mismatch for Index Key gsk Expected: S Actual: N IndexName: byG`));
    });

    it('an empty string index key', async () => {
      assertValidation(await call('PutItem', { TableName: 'indexed', Item: { pk: S('a'), gsk: S('') } }),
        maybeEnveloped('One or more parameter values are not valid. A value specified for a secondary index key is not supported. ' +
          'The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: gsk'));
    });

    it('an UpdateExpression setting an index key to an empty string, alone and in a transaction', async () => {
      const m = 'One or more parameter values are not valid. The update expression attempted to update a secondary index key ' +
        'to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty string value.';
      const Update = { TableName: 'indexed', Key: { pk: S('u-empty') }, UpdateExpression: 'SET gsk = :e',
        ExpressionAttributeValues: { ':e': S('') } };
      assertValidation(await call('UpdateItem', Update), maybeEnveloped(m));
      // An empty key value fails the whole transaction, not one action.
      assertValidation(await call('TransactWriteItems', { TransactItems: [{ Update }] }), m);
      assert.deepEqual(assertOk(await call('GetItem', { TableName: 'indexed', Key: { pk: S('u-empty') } })), {},
        'nothing was written');
    });

    it('attribute names: 65535 bytes are fine, 65536 are refused wherever a name is given', async () => {
      const ok = 'n'.repeat(65535);
      const long = 'n'.repeat(65536);
      const m = `${INVALID}An attribute name is 65536 bytes long; the limit is 65535`;
      assertOk(await put({ pk: S('names'), [ok]: N('1') }));
      assertValidation(await put({ pk: S('names'), [long]: N('1') }), m);
      assertValidation(await get('names', { ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': long } }), m);
      assertValidation(await get('names', { AttributesToGet: [long] }), m);
      assertValidation(await update('names', { AttributeUpdates: { [long]: { Action: 'PUT', Value: N('2') } } }), m);
    });

    it('item operations refuse table names of 1 or 2 characters', async () => {
      assertValidation(await call('GetItem', { TableName: 'xx', Key: { pk: S('a') } }),
        'TableName must be at least 3 characters long and at most 255 characters long');
    });

    it('a missing table is found missing before the key is checked', async () => {
      for (const [op, body] of [['GetItem', { Key: { nope: N('1') } }], ['PutItem', { Item: { nope: N('1') } }],
        ['DeleteItem', { Key: { pk: S('a') } }], ['UpdateItem', { Key: { pk: S('a') } }]]) {
        assertError(await call(op, { TableName: 'no_such_table', ...body }), 'ResourceNotFoundException',
          'Requested resource not found');
      }
    });
  });

  describe('item size', () => {
    // pk "k" (2 + 1 bytes) + attribute name "d" (1 byte) + the string.
    it('409,600 bytes are accepted, 409,601 are not', async () => {
      assertOk(await put({ pk: S('k'), d: S('x'.repeat(409596)) }));
      const r = await put({ pk: S('k'), d: S('x'.repeat(409597)) });
      assertValidation(r, maybeEnveloped('Item size has exceeded the maximum allowed size'));
      assert.equal((await itemOf('k')).d.S.length, 409596, 'the accepted item is still there');
    });

    it('UpdateItem setting a value larger than the limit', async () => {
      const r = await update('grow', { UpdateExpression: 'SET e = :e', ExpressionAttributeValues: { ':e': S('y'.repeat(409700)) } });
      assertValidation(r, maybeEnveloped('Item size to update has exceeded the maximum allowed size'));
      assert.equal((await get('grow')).text, '{}');
    });

    it('a transaction of more than 4 MB of items is refused whole; 4 MB pass', async () => {
      // 12 items of 350,000-byte strings are 4.2 MB; of 340,000-byte strings, under 4 MB (4,194,304 bytes).
      const puts = (n, len) => Array.from({ length: n }, (_, i) => ({ Put: { TableName: 'items',
        Item: { pk: S(`t${i}`), d: S('x'.repeat(len)) } } }));
      const big = puts(12, 350000);
      const r = await call('TransactWriteItems', { TransactItems: big });
      assertValidation(r, /^The items of the transaction total \d+ bytes, more than the 4 MB DynamoDB allows in one transaction$/);
      for (const { Put } of big) assert.deepEqual(assertOk(await call('GetItem', { TableName: 'items', Key: { pk: Put.Item.pk } })), {});
      assertOk(await call('TransactWriteItems', { TransactItems: puts(12, 340000) }));
    });
  });

  describe('UpdateItem', () => {
    it('an update that only removes leaves a missing item missing; an empty one creates it', async () => {
      const removals = [{ UpdateExpression: 'REMOVE a' }, { UpdateExpression: 'REMOVE a.b, c[0]' },
        { UpdateExpression: 'DELETE s :v', ExpressionAttributeValues: { ':v': { SS: ['x'] } } },
        { AttributeUpdates: { a: { Action: 'DELETE' } } }];
      for (const extra of removals) {
        assert.deepEqual(assertOk(await update('gone', { ...extra, ReturnValues: 'ALL_NEW' })), {}, JSON.stringify(extra));
        assert.deepEqual(assertOk(await get('gone')), {}, JSON.stringify(extra));
      }
      assertOk(await update('made', { AttributeUpdates: {} }));
      assert.deepEqual(await itemOf('made'), { pk: S('made') });
    });

    it('SET creates the item; ALL_NEW returns it', async () => {
      const r = assertOk(await update('u1', { UpdateExpression: 'SET a = :a, #b = :b', ExpressionAttributeNames: { '#b': 'b' },
        ExpressionAttributeValues: { ':a': S('x'), ':b': N('1') }, ReturnValues: 'ALL_NEW' }));
      assert.deepEqual(r.Attributes, { pk: S('u1'), a: S('x'), b: N('1') });
    });

    it('arithmetic is exact decimal', async () => {
      await put({ pk: S('u2'), n: N('0.1'), big: N('99999999999999999999999999999999999998') });
      const r = assertOk(await update('u2', { UpdateExpression: 'SET n = n + :p2, big = big + :one, m = :three - n',
        ExpressionAttributeValues: { ':p2': N('0.2'), ':one': N('1'), ':three': N('3') }, ReturnValues: 'UPDATED_NEW' }));
      assert.deepEqual(r.Attributes, { n: N('0.3'), big: N('99999999999999999999999999999999999999'), m: N('2.9') });
    });

    it('if_not_exists and list_append', async () => {
      await put({ pk: S('u3'), l: { L: [S('b')] } });
      const r = assertOk(await update('u3', {
        UpdateExpression: 'SET c = if_not_exists(c, :zero) + :one, l = list_append(:front, l), l2 = list_append(if_not_exists(l2, :empty), :front)',
        ExpressionAttributeValues: { ':zero': N('0'), ':one': N('1'), ':front': { L: [S('a')] }, ':empty': { L: [] } },
        ReturnValues: 'ALL_NEW' }));
      assert.deepEqual(r.Attributes, { pk: S('u3'), c: N('1'), l: { L: [S('a'), S('b')] }, l2: { L: [S('a')] } });
      const again = assertOk(await update('u3', { UpdateExpression: 'SET c = if_not_exists(c, :zero) + :one, l = list_append(l, :end)',
        ExpressionAttributeValues: { ':zero': N('0'), ':one': N('1'), ':end': { L: [S('c')] } }, ReturnValues: 'UPDATED_NEW' }));
      assert.deepEqual(again.Attributes, { c: N('2'), l: { L: [S('a'), S('b'), S('c')] } });
    });

    it('REMOVE attributes and list elements; every right-hand side sees the old item', async () => {
      await put({ pk: S('u4'), a: S('1'), b: S('2'), l: { L: [S('x'), S('y'), S('z')] } });
      const r = assertOk(await update('u4', { UpdateExpression: 'SET c = b REMOVE a, b, l[0], l[2]', ReturnValues: 'ALL_NEW' }));
      assert.deepEqual(r.Attributes, { pk: S('u4'), c: S('2'), l: { L: [S('y')] } });
    });

    it('ADD to numbers and sets, DELETE from sets; an emptied set disappears', async () => {
      await put({ pk: S('u5'), n: N('5'), ss: { SS: ['a', 'b'] } });
      assertOk(await update('u5', { UpdateExpression: 'ADD n :d, ss :more, fresh :d, ns :nums',
        ExpressionAttributeValues: { ':d': N('-7.5'), ':more': { SS: ['c'] }, ':nums': { NS: ['1', '2'] } } }));
      const mid = await itemOf('u5');
      assert.deepEqual(mid.n, N('-2.5'));
      assert.deepEqual(mid.fresh, N('-7.5'));
      assert.deepEqual(new Set(mid.ss.SS), new Set(['a', 'b', 'c']));
      assert.deepEqual(new Set(mid.ns.NS), new Set(['1', '2']));
      assertOk(await update('u5', { UpdateExpression: 'DELETE ss :gone, ns :all',
        ExpressionAttributeValues: { ':gone': { SS: ['a', 'zzz'] }, ':all': { NS: ['1', '2'] } } }));
      const end = await itemOf('u5');
      assert.deepEqual(new Set(end.ss.SS), new Set(['b', 'c']));
      assert.equal(end.ns, undefined);
    });

    it('nested map paths and appending past the end of a list', async () => {
      await put({ pk: S('u6'), m: { M: { a: { M: {} } } }, l: { L: [N('0'), N('1')] } });
      const r = assertOk(await update('u6', { UpdateExpression: 'SET m.a.b = :v, m.c = :v, l[10] = :v, l[0] = :w',
        ExpressionAttributeValues: { ':v': S('v'), ':w': S('w') }, ReturnValues: 'ALL_NEW' }));
      assert.deepEqual(r.Attributes, { pk: S('u6'), m: { M: { a: { M: { b: S('v') } }, c: S('v') } },
        l: { L: [S('w'), N('1'), S('v')] } });
    });

    it('SET below a missing map is refused', async () => {
      await put({ pk: S('u7'), m: { M: {} } });
      assertValidation(await update('u7', { UpdateExpression: 'SET m.x.y = :v', ExpressionAttributeValues: { ':v': S('v') } }),
        maybeEnveloped('The document path provided in the update expression is invalid for update'));
    });

    it('ReturnValues UPDATED_OLD, ALL_OLD and NONE', async () => {
      await put({ pk: S('u8'), a: S('1'), b: S('2') });
      const uo = assertOk(await update('u8', { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': S('3') },
        ReturnValues: 'UPDATED_OLD' }));
      assert.deepEqual(uo.Attributes, { a: S('1') });
      const ao = assertOk(await update('u8', { UpdateExpression: 'REMOVE b', ReturnValues: 'ALL_OLD' }));
      assert.deepEqual(ao.Attributes, { pk: S('u8'), a: S('3'), b: S('2') });
      const none = await update('u8', { UpdateExpression: 'SET c = :v', ExpressionAttributeValues: { ':v': S('4') }, ReturnValues: 'NONE' });
      assert.equal(none.text, '{}');
    });

    it('the key cannot be updated', async () => {
      assertValidation(await update('u9', { UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': S('x') } }),
        `${INVALID}Cannot update attribute pk. This attribute is part of the key`);
    });

    it('an addition that overflows', async () => {
      await put({ pk: S('u10'), n: N('9e125') });
      assertValidation(await update('u10', { UpdateExpression: 'SET n = n + :n', ExpressionAttributeValues: { ':n': N('9e125') } }),
        maybeEnveloped('Number overflow. Attempting to store a number with magnitude larger than supported range'));
    });

    const exprErrors = [
      ['an empty UpdateExpression', { UpdateExpression: '' }, 'Invalid UpdateExpression: The expression can not be empty;'],
      ['a syntax error', { UpdateExpression: 'INVALID SYNTAX' }, 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"'],
      ['an undefined value', { UpdateExpression: 'SET a = :v' }, 'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v'],
      ['an unused value', { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': S('1'), ':unused': S('2') } },
        'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}'],
      ['an unused name', { UpdateExpression: 'SET a = :v', ExpressionAttributeNames: { '#a': 'a' }, ExpressionAttributeValues: { ':v': S('1') } },
        'Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}'],
      ['a reserved word', { UpdateExpression: 'SET abOrT = :v', ExpressionAttributeValues: { ':v': S('1') } },
        'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrT'],
      ['two SET sections', { UpdateExpression: 'SET a = :v SET b = :v', ExpressionAttributeValues: { ':v': S('1') } },
        'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'],
      // Current AWS appends the operand type set; the older text without it is dynalite's.
      ['ADD of a string', { UpdateExpression: 'ADD a :v', ExpressionAttributeValues: { ':v': S('1') } },
        'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND'],
      ['if_not_exists with one operand', { UpdateExpression: 'SET a = if_not_exists(a)' },
        'Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1'],
      ['if_not_exists on a value', { UpdateExpression: 'SET a = if_not_exists(:v, a)', ExpressionAttributeValues: { ':v': S('1') } },
        'Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists'],
      ['an unknown function', { UpdateExpression: 'SET a = whatever(:v)', ExpressionAttributeValues: { ':v': S('1') } },
        'Invalid UpdateExpression: Invalid function name; function: whatever'],
      ['the same path twice', { UpdateExpression: 'SET a = :v, a = :v', ExpressionAttributeValues: { ':v': S('1') } },
        'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]'],
      ['values without expressions', { ExpressionAttributeValues: { ':v': S('1') } },
        'ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null'],
      ['names without expressions', { ExpressionAttributeNames: { '#a': 'a' } },
        'ExpressionAttributeNames can only be specified when using expressions'],
      ['empty ExpressionAttributeValues', { UpdateExpression: 'SET a = b', ExpressionAttributeValues: {} },
        'ExpressionAttributeValues must not be empty'],
      ['empty ExpressionAttributeNames', { UpdateExpression: 'SET a = b', ExpressionAttributeNames: {} },
        'ExpressionAttributeNames must not be empty'],
      ['an invalid name key', { UpdateExpression: 'SET a = b', ExpressionAttributeNames: { a: 'a' } },
        'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'],
      ['an invalid value key', { UpdateExpression: 'SET a = b', ExpressionAttributeValues: { a: S('1') } },
        'ExpressionAttributeValues contains invalid key: Syntax error; key: "a"'],
      ['an empty set in a value', { UpdateExpression: 'ADD s :v', ExpressionAttributeValues: { ':v': { SS: [] } } },
        `ExpressionAttributeValues contains invalid value: ${INVALID}An string set  may not be empty for key :v`],
    ];
    for (const [name, extra, message] of exprErrors) {
      it(`${name} is refused`, async () => {
        assertValidation(await update('bad', extra), message);
        assert.equal((await get('bad')).text, '{}', 'nothing was written');
      });
    }

    it('expression errors come before the table lookup', async () => {
      assertValidation(await call('UpdateItem', { TableName: 'no_such_table', Key: { pk: S('a') }, UpdateExpression: 'SET a = :v' }),
        `Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v`);
    });
  });

  describe('conditions', () => {
    const CCF = 'The conditional request failed';
    before(async () => {
      await put({ pk: S('c1'), n: N('10'), s: S('hello world'), l: { L: [N('1'), N('2')] }, ss: { SS: ['x', 'y'] } });
    });

    it('a failing condition is ConditionalCheckFailedException and writes nothing', async () => {
      const r = await put({ pk: S('c1'), other: S('x') }, { ConditionExpression: 'attribute_not_exists(pk)' });
      assertError(r, 'ConditionalCheckFailedException', CCF);
      assert.equal(r.json.Item, undefined);
      assert.deepEqual((await itemOf('c1')).n, N('10'));
    });

    it('ReturnValuesOnConditionCheckFailure ALL_OLD carries the old item', async () => {
      const r = await update('c1', { UpdateExpression: 'SET n = :v', ConditionExpression: 'n > :v',
        ExpressionAttributeValues: { ':v': N('100') }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
      assertError(r, 'ConditionalCheckFailedException', CCF);
      assert.deepEqual(r.json.Item.n, N('10'));
      assert.deepEqual(r.json.Item.pk, S('c1'));
    });

    it('ALL_OLD with no item to fail on carries no Item', async () => {
      const r = await call('DeleteItem', { TableName: 'items', Key: { pk: S('c-none') }, ConditionExpression: 'attribute_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
      assertError(r, 'ConditionalCheckFailedException', CCF);
      assert.equal(r.json.Item, undefined);
    });

    const passing = [
      ['attribute_exists(s) AND NOT attribute_exists(nope)', {}],
      ['begins_with(s, :p)', { ':p': S('hell') }],
      ['contains(s, :w) AND contains(ss, :x) AND contains(l, :one)', { ':w': S('o w'), ':x': S('x'), ':one': N('1') }],
      ['size(s) = :eleven AND size(l) < :three', { ':eleven': N('11'), ':three': N('3') }],
      ['attribute_type(n, :N)', { ':N': S('N') }],
      ['n BETWEEN :lo AND :hi', { ':lo': N('9.99999999999999999999999999999999999'), ':hi': N('10') }],
      ['n IN (:a, :b)', { ':a': N('1'), ':b': N('10.0') }],
      ['n <> :a OR s = :a', { ':a': N('11') }],
      ['(n >= :a) AND (l[1] = :b)', { ':a': N('1e1'), ':b': N('2') }],
    ];
    for (const [cond, values] of passing) {
      it(`holds: ${cond}`, async () => {
        const r = await update('c1', { UpdateExpression: 'SET touched = :t', ConditionExpression: cond,
          ExpressionAttributeValues: { ...values, ':t': { BOOL: true } } });
        assertOk(r);
      });
    }

    const failing = [
      ['n > :v', { ':v': N('10') }],
      ['n < :v', { ':v': N('9.99999999999999999999999999999999999') }],
      ['begins_with(s, :p)', { ':p': S('world') }],
      ['attribute_type(n, :S)', { ':S': S('S') }],
      ['s = :n', { ':n': N('10') }],
    ];
    for (const [cond, values] of failing) {
      it(`fails: ${cond}`, async () => {
        assertError(await update('c1', { UpdateExpression: 'SET touched = :t', ConditionExpression: cond,
          ExpressionAttributeValues: { ...values, ':t': { BOOL: false } } }), 'ConditionalCheckFailedException', CCF);
      });
    }

    it('a condition error is a validation error, not a failed check', async () => {
      assertValidation(await put({ pk: S('c1') }, { ConditionExpression: '' }),
        `Invalid ConditionExpression: The expression can not be empty;`);
      assertValidation(await put({ pk: S('c1') }, { ConditionExpression: 'a = :v' }),
        `Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v`);
    });

    it('ReturnValuesOnConditionCheckFailure outside [ALL_OLD, NONE]', async () => {
      assertValidation(await put({ pk: S('c1') }, { ReturnValuesOnConditionCheckFailure: 'ALL_NEW' }));
    });
  });

  describe('ReturnValues on PutItem and DeleteItem', () => {
    it('ALL_OLD returns the replaced item, or nothing for a new one', async () => {
      const first = await put({ pk: S('rv'), a: S('1') }, { ReturnValues: 'ALL_OLD' });
      assert.equal(first.text, '{}');
      const second = assertOk(await put({ pk: S('rv'), a: S('2') }, { ReturnValues: 'ALL_OLD' }));
      assert.deepEqual(second.Attributes, { pk: S('rv'), a: S('1') });
      const del = assertOk(await call('DeleteItem', { TableName: 'items', Key: { pk: S('rv') }, ReturnValues: 'ALL_OLD' }));
      assert.deepEqual(del.Attributes, { pk: S('rv'), a: S('2') });
    });

    it('other ReturnValues are refused on PutItem and DeleteItem', async () => {
      for (const rv of ['ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']) {
        assertValidation(await put({ pk: S('rv2') }, { ReturnValues: rv }), `ReturnValues can only be ALL_OLD or NONE`);
        assertValidation(await call('DeleteItem', { TableName: 'items', Key: { pk: S('rv2') }, ReturnValues: rv }),
          `ReturnValues can only be ALL_OLD or NONE`);
      }
    });

    it('a value outside the enum, listed with the others as DynamoDB lists them', async () => {
      const rv = "Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: " +
        '[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]';
      assertValidation(await put({ pk: S('rv3') }, { ReturnValues: 'INVALID' }), `1 validation error detected: ${rv}`);
      assertValidation(await update('rv3', { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': S('1') },
        ReturnValues: 'INVALID' }), `1 validation error detected: ${rv}`);
      const rcc = "Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: " +
        '[INDEXES, TOTAL, NONE]';
      const ricm = "Value 'INVALID' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: " +
        '[SIZE, NONE]';
      assertValidation(await put({ pk: S('rv3') }, { ReturnValues: 'INVALID', ReturnConsumedCapacity: 'INVALID',
        ReturnItemCollectionMetrics: 'INVALID' }), `3 validation errors detected: ${rv}; ${rcc}; ${ricm}`);
      assertValidation(await call('DeleteItem', { TableName: 'items', Key: { pk: S('rv3') }, ReturnValues: 'INVALID',
        ReturnConsumedCapacity: 'INVALID' }), `2 validation errors detected: ${rcc}; ${rv}`);
    });

    it('the table name: empty, of other characters, missing', async () => {
      assertValidation(await call('PutItem', { TableName: '', Item: { pk: S('x') } }),
        "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1");
      assertValidation(await call('DeleteItem', { TableName: 'x!', Key: { pk: S('x') } }),
        "1 validation error detected: Value 'x!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      assertValidation(await call('UpdateItem', { Key: { pk: S('x') } }),
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    });
  });

  describe('ReturnConsumedCapacity', () => {
    it('NONE or absent: no ConsumedCapacity', async () => {
      assert.equal(assertOk(await put({ pk: S('cc0') }, { ReturnConsumedCapacity: 'NONE' })).ConsumedCapacity, undefined);
      assert.equal(assertOk(await put({ pk: S('cc0') })).ConsumedCapacity, undefined);
    });

    it('TOTAL on writes: one unit per KB, rounded up', async () => {
      assert.deepEqual(assertOk(await put({ pk: S('cc1') }, { ReturnConsumedCapacity: 'TOTAL' })).ConsumedCapacity,
        { TableName: 'items', CapacityUnits: 1 });
      assert.deepEqual(assertOk(await put({ pk: S('cc2'), d: S('x'.repeat(1500)) }, { ReturnConsumedCapacity: 'TOTAL' }))
        .ConsumedCapacity, { TableName: 'items', CapacityUnits: 2 });
      assert.deepEqual(assertOk(await call('DeleteItem', { TableName: 'items', Key: { pk: S('cc-none') },
        ReturnConsumedCapacity: 'TOTAL' })).ConsumedCapacity, { TableName: 'items', CapacityUnits: 1 });
    });

    it('TOTAL on reads: half a unit per 4 KB eventually consistent, one strongly', async () => {
      await put({ pk: S('cc3'), d: S('x'.repeat(5000)) });
      const cc = async (pk, consistent) => assertOk(await call('GetItem', { TableName: 'items', Key: { pk: S(pk) },
        ConsistentRead: consistent, ReturnConsumedCapacity: 'TOTAL' })).ConsumedCapacity;
      assert.deepEqual(await cc('cc-missing', false), { TableName: 'items', CapacityUnits: 0.5 });
      assert.deepEqual(await cc('cc-missing', true), { TableName: 'items', CapacityUnits: 1 });
      assert.deepEqual(await cc('cc3', false), { TableName: 'items', CapacityUnits: 1 });
      assert.deepEqual(await cc('cc3', true), { TableName: 'items', CapacityUnits: 2 });
    });

    it('INDEXES splits the table and the indexes written', async () => {
      const indexed = assertOk(await call('PutItem', { TableName: 'indexed', Item: { pk: S('i1'), gsk: S('g') },
        ReturnConsumedCapacity: 'INDEXES' })).ConsumedCapacity;
      assert.deepEqual(indexed, { TableName: 'indexed', CapacityUnits: 2, Table: { CapacityUnits: 1 },
        GlobalSecondaryIndexes: { byG: { CapacityUnits: 1 } } });
      const sparse = assertOk(await call('PutItem', { TableName: 'indexed', Item: { pk: S('i2') },
        ReturnConsumedCapacity: 'INDEXES' })).ConsumedCapacity;
      assert.deepEqual(sparse, { TableName: 'indexed', CapacityUnits: 1, Table: { CapacityUnits: 1 } });
    });

    it('a value outside the enum', async () => {
      assertValidation(await call('GetItem', { TableName: 'items', Key: { pk: S('x') }, ReturnConsumedCapacity: 'INVALID' }),
        "1 validation error detected: Value 'INVALID' at 'returnConsumedCapacity' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]');
    });
  });
});
