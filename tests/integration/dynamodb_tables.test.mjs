// DynamoDB control plane: CreateTable (shapes, indexes, billing modes, DynamoDB's validation texts
// and their order), DescribeTable, ListTables paging, DeleteTable, DescribeEndpoints and
// DescribeLimits. Expected answers are what real DynamoDB sends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, caller, assertError, assertValidation, assertOk, waitActive } from './dynamodb_fixture.mjs';

const AD = (...specs) => specs.map((s) => ({ AttributeName: s.split(':')[0], AttributeType: s.split(':')[1] }));
const HASH = (name) => ({ AttributeName: name, KeyType: 'HASH' });
const RANGE = (name) => ({ AttributeName: name, KeyType: 'RANGE' });
const PT = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INVALID = 'One or more parameter values were invalid: ';

// A valid PROVISIONED hash-key table definition with `extra` merged over it.
const def = (extra = {}) => ({ TableName: 'valid_t', KeySchema: [HASH('a')], AttributeDefinitions: AD('a:S'),
  ProvisionedThroughput: PT, ...extra });
// A valid LSI / GSI on a table keyed (a, b).
const lsi = (name, extra = {}) => ({ IndexName: name, KeySchema: [HASH('a'), RANGE('c')],
  Projection: { ProjectionType: 'ALL' }, ...extra });
const gsi = (name, extra = {}) => ({ IndexName: name, KeySchema: [HASH('c')], Projection: { ProjectionType: 'ALL' },
  ProvisionedThroughput: PT, ...extra });
const withIndexes = (extra) => def({ KeySchema: [HASH('a'), RANGE('b')], AttributeDefinitions: AD('a:S', 'b:S', 'c:S'),
  ...extra });

describe('DynamoDB tables', () => {
  let gw;
  let call;
  before(async () => {
    gw = await startDynamo();
    call = caller(gw.dynamodbUrl);
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  describe('CreateTable and DescribeTable', () => {
    let createAnswer;
    let indexedAnswer;
    it('a hash-key PAY_PER_REQUEST table: the CreateTable answer', async () => {
      const before = Date.now() / 1000;
      const r = await call('CreateTable', { TableName: 'ppr_hash', KeySchema: [HASH('pk')],
        AttributeDefinitions: AD('pk:S'), BillingMode: 'PAY_PER_REQUEST' });
      const t = assertOk(r).TableDescription;
      createAnswer = t;
      assert.equal(t.TableName, 'ppr_hash');
      assert.deepEqual(t.KeySchema, [HASH('pk')]);
      assert.deepEqual(t.AttributeDefinitions, AD('pk:S'));
      assert.deepEqual(t.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
      assert.equal(t.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
      assert.equal(t.ItemCount, 0);
      assert.equal(t.TableSizeBytes, 0);
      assert.match(t.TableArn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/ppr_hash$/);
      assert.match(t.TableId, UUID4);
      assert.equal(typeof t.CreationDateTime, 'number');
      assert.ok(t.CreationDateTime > before - 300 && t.CreationDateTime < before + 300, `seconds: ${t.CreationDateTime}`);
    });

    it('the CreateTable answer has status CREATING', () => {
      assert.equal(createAnswer.TableStatus, 'CREATING');
    });

    it('DescribeTable then reports it ACTIVE under {Table}, with the same id', async () => {
      const created = await waitActive(call, 'ppr_hash');
      const again = assertOk(await call('DescribeTable', { TableName: 'ppr_hash' })).Table;
      assert.equal(again.TableStatus, 'ACTIVE');
      assert.equal(again.TableId, created.TableId);
      assert.equal(again.TableArn, created.TableArn);
      assert.equal(again.CreationDateTime, created.CreationDateTime);
      assert.equal(again.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
    });

    it('a PROVISIONED hash+range table echoes its throughput and has no BillingModeSummary', async () => {
      const t = assertOk(await call('CreateTable', { TableName: 'prov_range', KeySchema: [HASH('pk'), RANGE('sk')],
        AttributeDefinitions: AD('pk:S', 'sk:N'), ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } }))
        .TableDescription;
      assert.deepEqual(t.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 3, WriteCapacityUnits: 4 });
      assert.equal(t.BillingModeSummary, undefined);
      assert.deepEqual(t.KeySchema, [HASH('pk'), RANGE('sk')]);
      const d = await waitActive(call, 'prov_range');
      assert.deepEqual(d.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 3, WriteCapacityUnits: 4 });
    });

    it('attribute definitions come back sorted by name', async () => {
      const t = assertOk(await call('CreateTable', { TableName: 'sorted_ad', KeySchema: [HASH('zeta'), RANGE('alpha')],
        AttributeDefinitions: AD('zeta:S', 'alpha:N'), BillingMode: 'PAY_PER_REQUEST' })).TableDescription;
      assert.deepEqual(t.AttributeDefinitions.map((a) => a.AttributeName), ['alpha', 'zeta']);
    });

    it('indexes: LSIs and GSIs with their projections, ARNs and counters, in the order submitted', async () => {
      const r = await call('CreateTable', {
        TableName: 'indexed', KeySchema: [HASH('pk'), RANGE('sk')], BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: AD('pk:S', 'sk:S', 'lsk:N', 'gpk:S', 'gsk:B'),
        LocalSecondaryIndexes: [
          { IndexName: 'lsi_keys', KeySchema: [HASH('pk'), RANGE('lsk')], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        GlobalSecondaryIndexes: [
          { IndexName: 'gsi_b', KeySchema: [HASH('gpk'), RANGE('gsk')], Projection: { ProjectionType: 'ALL' } },
          { IndexName: 'gsi_a', KeySchema: [HASH('gpk')],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['zz', 'aa', 'mm'] } }],
      });
      const t = assertOk(r).TableDescription;
      assert.equal(t.LocalSecondaryIndexes.length, 1);
      const l = t.LocalSecondaryIndexes[0];
      assert.equal(l.IndexName, 'lsi_keys');
      assert.deepEqual(l.KeySchema, [HASH('pk'), RANGE('lsk')]);
      assert.deepEqual(l.Projection, { ProjectionType: 'KEYS_ONLY' });
      assert.equal(l.IndexSizeBytes, 0);
      assert.equal(l.ItemCount, 0);
      assert.match(l.IndexArn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/indexed\/index\/lsi_keys$/);
      assert.equal(l.IndexStatus, undefined, 'LSIs carry no status');
      assert.equal(l.ProvisionedThroughput, undefined, 'LSIs carry no throughput');
      assert.deepEqual(t.GlobalSecondaryIndexes.map((g) => g.IndexName), ['gsi_b', 'gsi_a']);
      const [gb, ga] = t.GlobalSecondaryIndexes;
      assert.deepEqual(gb.KeySchema, [HASH('gpk'), RANGE('gsk')]);
      assert.ok(['CREATING', 'ACTIVE'].includes(gb.IndexStatus), gb.IndexStatus);
      assert.equal(gb.ProvisionedThroughput.ReadCapacityUnits, 0);
      assert.equal(gb.ProvisionedThroughput.WriteCapacityUnits, 0);
      assert.equal(gb.ProvisionedThroughput.NumberOfDecreasesToday, 0);
      assert.equal(gb.IndexSizeBytes, 0);
      assert.equal(gb.ItemCount, 0);
      assert.match(gb.IndexArn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/indexed\/index\/gsi_b$/);
      assert.equal(ga.Projection.ProjectionType, 'INCLUDE');
      assert.deepEqual(new Set(ga.Projection.NonKeyAttributes), new Set(['aa', 'mm', 'zz']));
      indexedAnswer = t;
      const d = await waitActive(call, 'indexed');
      assert.deepEqual(d.GlobalSecondaryIndexes.map((g) => [g.IndexName, g.IndexStatus]),
        [['gsi_b', 'ACTIVE'], ['gsi_a', 'ACTIVE']]);
      assert.equal(d.LocalSecondaryIndexes[0].IndexName, 'lsi_keys');
    });

    it('NonKeyAttributes come back sorted', () => {
      assert.deepEqual(indexedAnswer.GlobalSecondaryIndexes[1].Projection.NonKeyAttributes, ['aa', 'mm', 'zz']);
    });

    it('a PROVISIONED table\'s GSI keeps its own throughput', async () => {
      const t = assertOk(await call('CreateTable', withIndexes({ TableName: 'prov_gsi',
        GlobalSecondaryIndexes: [gsi('gsi1', { ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 9 } })] })))
        .TableDescription;
      assert.deepEqual(t.GlobalSecondaryIndexes[0].ProvisionedThroughput,
        { NumberOfDecreasesToday: 0, ReadCapacityUnits: 7, WriteCapacityUnits: 9 });
    });

    it('creating an existing table is ResourceInUseException', async () => {
      const r = await call('CreateTable', { TableName: 'ppr_hash', KeySchema: [HASH('pk')],
        AttributeDefinitions: AD('pk:S'), BillingMode: 'PAY_PER_REQUEST' });
      assertError(r, 'ResourceInUseException', 'Table already exists: ppr_hash');
    });

    it('DescribeTable of a missing table', async () => {
      assertError(await call('DescribeTable', { TableName: 'nope_nope' }), 'ResourceNotFoundException',
        'Requested resource not found: Table: nope_nope not found');
    });

    it('DescribeTable without TableName (either wording DynamoDB has used)', async () => {
      assertValidation(await call('DescribeTable', {}),
        /^The param(e|a)ter '(T|t)ableName' is required but was not present in the request$/);
    });

    it('DescribeTable with a name outside the pattern', async () => {
      assertValidation(await call('DescribeTable', { TableName: 'abc;' }),
        "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
    });
  });

  describe('CreateTable validation', () => {
    const cases = [
      ['no TableName', { KeySchema: [HASH('a')], AttributeDefinitions: AD('a:S'), ProvisionedThroughput: PT },
        "The parameter 'TableName' is required but was not present in the request"],
      ['a 2-character name', def({ TableName: 'ab' }),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"],
      ['WriteCapacityUnits 0', def({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 0 } }),
        "1 validation error detected: Value '0' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      ['WriteCapacityUnits -1', def({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: -1 } }),
        "1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      ['an empty ProvisionedThroughput', def({ ProvisionedThroughput: {} }),
        "2 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null"],
      ['an empty KeySchema', def({ KeySchema: [] }),
        "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"],
      ['attribute type SS', def({ AttributeDefinitions: AD('a:SS') }),
        "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"],
      ['key type Woop', def({ KeySchema: [{ AttributeName: 'a', KeyType: 'Woop' }] }),
        "1 validation error detected: Value 'Woop' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"],
      ['RCU above 1e12', def({ ProvisionedThroughput: { ReadCapacityUnits: 1000000000001, WriteCapacityUnits: 1 } }),
        'Given value 1000000000001 for ReadCapacityUnits is out of bounds'],
      ['RCU above 1e12 and WCU -1 (constraints first)', def({ ProvisionedThroughput: { ReadCapacityUnits: 1000000000001, WriteCapacityUnits: -1 } }),
        "1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"],
      ['PAY_PER_REQUEST with throughput', def({ BillingMode: 'PAY_PER_REQUEST' }),
        `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`],
      ['no throughput and no billing mode', def({ ProvisionedThroughput: undefined }),
        `${INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`],
      ['PROVISIONED without throughput', def({ ProvisionedThroughput: undefined, BillingMode: 'PROVISIONED' }),
        `${INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`],
      ['a key without definition', def({ AttributeDefinitions: AD('b:S') }),
        `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]`],
      ['a range key without definition', def({ KeySchema: [HASH('a'), RANGE('b')], AttributeDefinitions: AD('b:S') }),
        'Invalid KeySchema: Some index key attribute have no definition'],
      ['hash and range of one name', def({ KeySchema: [HASH('a'), HASH('a')], AttributeDefinitions: AD('a:S', 'b:S') }),
        'Both the Hash Key and the Range Key element in the KeySchema have the same name'],
      ['hash and range of one name, defined once', def({ KeySchema: [HASH('a'), RANGE('a')], AttributeDefinitions: AD('a:S') }),
        'Invalid KeySchema: Some index key attribute have no definition'],
      ['two HASH elements', def({ KeySchema: [HASH('a'), HASH('b')], AttributeDefinitions: AD('a:S', 'b:S') }),
        'Invalid KeySchema: The second KeySchemaElement is not a RANGE key type'],
      ['RANGE first', def({ KeySchema: [RANGE('a'), HASH('b')], AttributeDefinitions: AD('a:S', 'b:S') }),
        'Invalid KeySchema: The first KeySchemaElement is not a HASH key type'],
      ['an unused attribute definition', def({ AttributeDefinitions: AD('a:S', 'b:S') }),
        `${INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions`],
      ['an empty LSI list', def({ LocalSecondaryIndexes: [] }), `${INVALID}List of LocalSecondaryIndexes is empty`],
      ['an empty GSI list', def({ GlobalSecondaryIndexes: [] }), `${INVALID}List of GlobalSecondaryIndexes is empty`],
      ['an LSI on a hash-only table', def({ AttributeDefinitions: AD('a:S', 'c:S'), LocalSecondaryIndexes: [lsi('abc')] }),
        `${INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex`],
      ['an LSI with only a HASH key', withIndexes({ LocalSecondaryIndexes: [lsi('abc', { KeySchema: [HASH('a')] })],
        AttributeDefinitions: AD('a:S', 'b:S') }),
        `${INVALID}Index KeySchema does not have a range key for index: abc`],
      ['six LSIs', withIndexes({ LocalSecondaryIndexes: ['lsi1', 'lsi2', 'lsi3', 'lsi4', 'lsi5', 'lsi6'].map((n) => lsi(n)) }),
        `${INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5`],
      ['21 GSIs', withIndexes({ GlobalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => gsi(`gsi${i}`)) }),
        `${INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20`],
      ['two GSIs of one name', withIndexes({ GlobalSecondaryIndexes: [gsi('abc'), gsi('abc')] }),
        `${INVALID}Duplicate index name: abc`],
      ['an LSI and a GSI of one name', withIndexes({ LocalSecondaryIndexes: [lsi('abc')], GlobalSecondaryIndexes: [gsi('abc')] }),
        `${INVALID}Duplicate index name: abc`],
      ['a 2-character index name', withIndexes({ GlobalSecondaryIndexes: [gsi('ab')] }),
        "1 validation error detected: Value 'ab' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"],
      ['an empty Projection', withIndexes({ GlobalSecondaryIndexes: [gsi('abc', { Projection: {} })] }),
        `${INVALID}Unknown ProjectionType: null`],
      ['ALL with NonKeyAttributes', withIndexes({ GlobalSecondaryIndexes: [gsi('abc', { Projection: { ProjectionType: 'ALL', NonKeyAttributes: ['x'] } })] }),
        `${INVALID}ProjectionType is ALL, but NonKeyAttributes is specified`],
      ['KEYS_ONLY with NonKeyAttributes', withIndexes({ LocalSecondaryIndexes: [lsi('abc', { Projection: { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: ['x'] } })] }),
        `${INVALID}ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified`],
      ['INCLUDE without NonKeyAttributes', withIndexes({ GlobalSecondaryIndexes: [gsi('abc', { Projection: { ProjectionType: 'INCLUDE' } })] }),
        `${INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified`],
      ['a PAY_PER_REQUEST GSI with throughput', withIndexes({ ProvisionedThroughput: undefined, BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [gsi('g-a')] }),
        `${INVALID}ProvisionedThroughput should not be specified for index: g-a when BillingMode is PAY_PER_REQUEST`],
      ['a PROVISIONED GSI without throughput', withIndexes({ GlobalSecondaryIndexes: [gsi('g-a', { ProvisionedThroughput: undefined })] }),
        `${INVALID}ProvisionedThroughput is not specified for index: g-a`],
      ['one attribute defined twice', def({ AttributeDefinitions: AD('a:S', 'a:N') }), 'Attribute Name is duplicated: a'],
      ['an attribute definition name of 256 characters', def({ KeySchema: [HASH('short')], AttributeDefinitions: AD(`${'n'.repeat(256)}:S`) }),
        `1 validation error detected: Value '${'n'.repeat(256)}' at 'attributeDefinitions.1.member.attributeName' failed to satisfy ` +
        'constraint: Member must have length less than or equal to 255'],
      ['an index name outside [a-zA-Z0-9_.-]', withIndexes({ GlobalSecondaryIndexes: [gsi('bad@name')] }),
        "1 validation error detected: Value 'bad@name' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+'],
      ['a projected attribute named twice', withIndexes({ GlobalSecondaryIndexes: [gsi('abc', { Projection: { ProjectionType: 'INCLUDE',
        NonKeyAttributes: ['x', 'y', 'x'] } })] }),
      `${INVALID}Duplicate attribute in NonKeyAttributes: x`],
      ['a projected attribute name of 256 characters', withIndexes({ LocalSecondaryIndexes: [lsi('abc', { Projection: {
        ProjectionType: 'INCLUDE', NonKeyAttributes: ['n'.repeat(256)] } })] }),
      `1 validation error detected: Value '${'n'.repeat(256)}' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' ` +
        'failed to satisfy constraint: Member must have length less than or equal to 255'],
    ];
    it('a projected attribute that is not a string is a SerializationException', async () => {
      const r = await call('CreateTable', withIndexes({ GlobalSecondaryIndexes: [gsi('abc', { Projection: { ProjectionType: 'INCLUDE',
        NonKeyAttributes: ['x', 3] } })] }));
      assertError(r, 'SerializationException');
    });

    for (const [name, body, message] of cases) {
      it(name, async () => {
        assertValidation(await call('CreateTable', body), message);
        assertError(await call('DescribeTable', { TableName: 'valid_t' }), 'ResourceNotFoundException');
      });
    }

    it('a bare invalid name aggregates three member errors', async () => {
      const r = await call('CreateTable', { TableName: 'abc;' });
      assertValidation(r);
      const msg = r.json.message;
      assert.ok(msg.startsWith('3 validation errors detected: '), msg);
      assert.deepEqual(new Set(msg.slice('3 validation errors detected: '.length).split('; ')), new Set([
        "Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null",
        "Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value null at 'keySchema' failed to satisfy constraint: Member must not be null",
      ]));
    });

    it('a table name of 255 characters is fine, 256 is not', async () => {
      const long = 'n'.repeat(255);
      assertOk(await call('CreateTable', def({ TableName: long, ProvisionedThroughput: undefined, BillingMode: 'PAY_PER_REQUEST' })));
      assertOk(await call('DeleteTable', { TableName: long }));
      const r = await call('CreateTable', def({ TableName: `${long}n` }));
      assertValidation(r, /^1 validation error detected: Value 'n{256}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255$/);
    });
  });

  describe('ListTables', () => {
    const names = ['lt-b', 'lt-a', 'lt-c', 'lt_d', 'lt.e'];
    let all;
    before(async () => {
      for (const n of names) {
        assertOk(await call('CreateTable', { TableName: n, KeySchema: [HASH('k')], AttributeDefinitions: AD('k:S'),
          BillingMode: 'PAY_PER_REQUEST' }));
      }
      all = assertOk(await call('ListTables', {})).TableNames;
    });

    it('lists every table in byte order and no LastEvaluatedTableName when all fit', async () => {
      for (const n of names) assert.ok(all.includes(n), n);
      const sorted = [...all].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(all, sorted);
      const r = assertOk(await call('ListTables', {}));
      assert.equal(r.LastEvaluatedTableName, undefined);
    });

    it('pages with Limit and ExclusiveStartTableName through every name once', async () => {
      const seen = [];
      let start;
      for (let i = 0; i < 100; i++) {
        const r = assertOk(await call('ListTables', { Limit: 2, ...(start ? { ExclusiveStartTableName: start } : {}) }));
        assert.ok(r.TableNames.length <= 2);
        seen.push(...r.TableNames);
        if (!r.LastEvaluatedTableName) break;
        assert.equal(r.LastEvaluatedTableName, r.TableNames.at(-1));
        start = r.LastEvaluatedTableName;
      }
      assert.deepEqual(seen, all);
    });

    it('ExclusiveStartTableName need not exist: names strictly after it', async () => {
      const r = assertOk(await call('ListTables', { ExclusiveStartTableName: 'lt-b0' }));
      assert.deepEqual(r.TableNames, all.filter((n) => Buffer.compare(Buffer.from(n), Buffer.from('lt-b0')) > 0));
      const exact = assertOk(await call('ListTables', { ExclusiveStartTableName: 'lt-b' }));
      assert.equal(exact.TableNames[0], 'lt-c');
    });

    it('a Limit covering exactly the rest ends without LastEvaluatedTableName', async () => {
      const last = all.at(-1);
      const before = all.at(-2);
      const r = assertOk(await call('ListTables', { ExclusiveStartTableName: before, Limit: 1 }));
      assert.deepEqual(r.TableNames, [last]);
      assert.equal(r.LastEvaluatedTableName, undefined);
    });

    it('Limit 0 and 101 are refused', async () => {
      assertValidation(await call('ListTables', { Limit: 0 }),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
      assertValidation(await call('ListTables', { Limit: 101 }),
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
    });

    it('Limit 100 is fine', async () => {
      assert.ok(Array.isArray(assertOk(await call('ListTables', { Limit: 100 })).TableNames));
    });
  });

  describe('DeleteTable', () => {
    before(async () => {
      assertOk(await call('CreateTable', { TableName: 'doomed', KeySchema: [HASH('k'), RANGE('r')],
        AttributeDefinitions: AD('k:S', 'r:N'), ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 } }));
      await waitActive(call, 'doomed');
      assertOk(await call('PutItem', { TableName: 'doomed', Item: { k: { S: 'x' }, r: { N: '1' } } }));
    });

    it('answers the description with status DELETING, without its schema and creation time', async () => {
      const t = assertOk(await call('DeleteTable', { TableName: 'doomed' })).TableDescription;
      assert.equal(t.TableName, 'doomed');
      assert.equal(t.TableStatus, 'DELETING');
      for (const absent of ['KeySchema', 'AttributeDefinitions', 'CreationDateTime', 'GlobalSecondaryIndexes',
        'LocalSecondaryIndexes']) assert.equal(t[absent], undefined, absent);
      assert.equal(t.ItemCount, 1);
      assert.equal(t.ProvisionedThroughput.ReadCapacityUnits, 2);
      assert.equal(t.ProvisionedThroughput.WriteCapacityUnits, 3);
      assert.match(t.TableArn, /:table\/doomed$/);
    });

    it('afterwards the table is gone for every operation', async () => {
      for (let i = 0; i < 200; i++) {
        const r = await call('DescribeTable', { TableName: 'doomed' });
        if (r.status === 400) break;
        await new Promise((res) => setTimeout(res, 25));
      }
      assertError(await call('DescribeTable', { TableName: 'doomed' }), 'ResourceNotFoundException',
        'Requested resource not found: Table: doomed not found');
      assertError(await call('GetItem', { TableName: 'doomed', Key: { k: { S: 'x' }, r: { N: '1' } } }),
        'ResourceNotFoundException', 'Requested resource not found');
      assert.ok(!assertOk(await call('ListTables', {})).TableNames.includes('doomed'));
    });

    it('a name can be used again, empty', async () => {
      assertOk(await call('CreateTable', { TableName: 'doomed', KeySchema: [HASH('k')], AttributeDefinitions: AD('k:S'),
        BillingMode: 'PAY_PER_REQUEST' }));
      await waitActive(call, 'doomed');
      const s = assertOk(await call('Scan', { TableName: 'doomed' }));
      assert.equal(s.Count, 0);
    });

    it('deleting a missing table', async () => {
      assertError(await call('DeleteTable', { TableName: 'never_was' }), 'ResourceNotFoundException',
        'Requested resource not found: Table: never_was not found');
    });
  });

  describe('DescribeEndpoints and DescribeLimits', () => {
    it('DescribeEndpoints lists the regional endpoint with its cache period', async () => {
      const r = assertOk(await call('DescribeEndpoints', {}));
      assert.ok(Array.isArray(r.Endpoints) && r.Endpoints.length >= 1);
      for (const e of r.Endpoints) {
        assert.equal(typeof e.Address, 'string');
        assert.ok(e.Address.length > 0);
        assert.ok(Number.isInteger(e.CachePeriodInMinutes) && e.CachePeriodInMinutes > 0);
      }
    });

    it('DescribeLimits gives the four account and table maxima', async () => {
      const r = assertOk(await call('DescribeLimits', {}));
      for (const k of ['AccountMaxReadCapacityUnits', 'AccountMaxWriteCapacityUnits', 'TableMaxReadCapacityUnits',
        'TableMaxWriteCapacityUnits']) {
        assert.ok(Number.isInteger(r[k]) && r[k] > 0, `${k}: ${r[k]}`);
      }
      assert.ok(r.AccountMaxReadCapacityUnits >= r.TableMaxReadCapacityUnits);
      assert.ok(r.AccountMaxWriteCapacityUnits >= r.TableMaxWriteCapacityUnits);
    });
  });
});
