// UpdateTable (billing, a global index created on a table with items and deleted, deletion
// protection), UpdateTimeToLive / DescribeTimeToLive and the tag operations, through the wire
// and through the SDK v3, with the texts DynamoDB answers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, caller, assertError, assertValidation, assertOk, createTable, keySchema } from
  './dynamodb_fixture.mjs';

const S = (s) => ({ S: s });

describe('DynamoDB table updates, TTL and tags', () => {
  let gw;
  let call;
  let arn;
  before(async () => {
    gw = await startDynamo();
    call = caller(gw.dynamodbUrl);
    await createTable(call, { TableName: 'books', ...keySchema('pk:S') });
    arn = assertOk(await call('DescribeTable', { TableName: 'books' })).Table.TableArn;
    for (const [pk, author] of [['b1', 'ann'], ['b2', 'bob'], ['b3', 'ann']])
      assertOk(await call('PutItem', { TableName: 'books', Item: { pk: S(pk), author: S(author) } }));
  });
  after(async () => {
    assert.equal((await gw.stop()).code, 0);
  });

  it('UpdateTable with nothing to change is refused, before the table is looked up', async () => {
    const r = await call('UpdateTable', { TableName: 'no_such_table' });
    assertValidation(r, /^At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, /);
    const missing = await call('UpdateTable', { TableName: 'no_such_table', BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } });
    assertError(missing, 'ResourceNotFoundException', 'Requested resource not found: Table: no_such_table not found');
  });

  it('a global index created on a table with items holds them, and is queried; then deleted', async () => {
    const r = assertOk(await call('UpdateTable', { TableName: 'books',
      AttributeDefinitions: [{ AttributeName: 'author', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'by_author',
        KeySchema: [{ AttributeName: 'author', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }] }));
    assert.equal(r.TableDescription.TableStatus, 'UPDATING');
    assert.deepEqual(r.TableDescription.GlobalSecondaryIndexes.map((i) => i.IndexName), ['by_author']);
    const q = assertOk(await call('Query', { TableName: 'books', IndexName: 'by_author',
      KeyConditionExpression: 'author = :a', ExpressionAttributeValues: { ':a': S('ann') } }));
    assert.deepEqual(q.Items.map((i) => i.pk.S).sort(), ['b1', 'b3']);
    const again = await call('UpdateTable', { TableName: 'books',
      AttributeDefinitions: [{ AttributeName: 'author', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'by_author',
        KeySchema: [{ AttributeName: 'author', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }] });
    assertValidation(again, 'Attempting to create an index which already exists');
    assertOk(await call('UpdateTable', { TableName: 'books',
      GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by_author' } }] }));
    const gone = await call('Query', { TableName: 'books', IndexName: 'by_author',
      KeyConditionExpression: 'author = :a', ExpressionAttributeValues: { ':a': S('ann') } });
    assertValidation(gone, 'The table does not have the specified index: by_author');
  });

  it('a new index leaves out items whose key would be empty; its definition is checked as CreateTable checks it', async () => {
    for (const [pk, shelf] of [['s1', 'x'], ['s2', '']])
      assertOk(await call('PutItem', { TableName: 'books', Item: { pk: S(pk), shelf: S(shelf) } }));
    const create = (IndexName, key = 'shelf') => call('UpdateTable', { TableName: 'books',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName, KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' } } }] });
    assertValidation(await create('bad@name'),
      "1 validation error detected: Value 'bad@name' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to " +
      'satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
    const long = 'k'.repeat(256);
    assertValidation(await create('by_long', long),
      `1 validation error detected: Value '${long}' at 'attributeDefinitions.1.member.attributeName' failed to satisfy ` +
      'constraint: Member must have length less than or equal to 255');
    assertOk(await create('by_shelf'));
    const s = assertOk(await call('Scan', { TableName: 'books', IndexName: 'by_shelf' }));
    assert.deepEqual(s.Items, [{ pk: S('s1'), shelf: S('x') }]);
    assertOk(await call('UpdateTable', { TableName: 'books', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by_shelf' } }] }));
    for (const pk of ['s1', 's2']) assertOk(await call('DeleteItem', { TableName: 'books', Key: { pk: S(pk) } }));
  });

  it('billing mode and deletion protection change; a protected table is not deleted', async () => {
    const r = assertOk(await call('UpdateTable', { TableName: 'books', BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 }, DeletionProtectionEnabled: true }));
    assert.deepEqual([r.TableDescription.ProvisionedThroughput.ReadCapacityUnits,
      r.TableDescription.ProvisionedThroughput.WriteCapacityUnits, r.TableDescription.DeletionProtectionEnabled],
    [5, 3, true]);
    const unchanged = await call('UpdateTable', { TableName: 'books',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 } });
    assertValidation(unchanged, 'The provisioned throughput for the table will not change. The requested value equals the ' +
      'current value. Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current ' +
      'WriteCapacityUnits provisioned for the table: 3. Requested WriteCapacityUnits: 3. Refer to the Amazon DynamoDB ' +
      'Developer Guide for current limits and how to request higher limits.');
    const refused = await call('DeleteTable', { TableName: 'books' });
    assertValidation(refused, 'Resource cannot be deleted as it is currently protected against deletion. '
      + 'Disable deletion protection first.');
    assertOk(await call('UpdateTable', { TableName: 'books', BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: false }));
    const described = assertOk(await call('DescribeTable', { TableName: 'books' }));
    assert.equal(described.Table.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(described.Table.DeletionProtectionEnabled, false);
  });

  it('TimeToLive: disabled, enabled, refused twice, described', async () => {
    assert.deepEqual(assertOk(await call('DescribeTimeToLive', { TableName: 'books' })),
      { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    const on = assertOk(await call('UpdateTimeToLive', { TableName: 'books',
      TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } }));
    assert.deepEqual(on, { TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } });
    assertValidation(await call('UpdateTimeToLive', { TableName: 'books',
      TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } }), 'TimeToLive is already enabled');
    assert.deepEqual(assertOk(await call('DescribeTimeToLive', { TableName: 'books' })),
      { TimeToLiveDescription: { AttributeName: 'expires', TimeToLiveStatus: 'ENABLED' } });
    assertValidation(await call('UpdateTimeToLive', { TableName: 'books',
      TimeToLiveSpecification: { AttributeName: '', Enabled: true } }),
    'TimeToLiveSpecification.AttributeName must be non empty');
    assertError(await call('DescribeTimeToLive', { TableName: 'nope_table' }), 'ResourceNotFoundException',
      'Requested resource not found: Table: nope_table not found');
  });

  it('tags: added, replaced, listed, removed; DynamoDB\'s texts for bad input', async () => {
    assert.deepEqual(assertOk(await call('ListTagsOfResource', { ResourceArn: arn })), { Tags: [] });
    const tagged = await call('TagResource', { ResourceArn: arn, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }] });
    assert.equal(tagged.status, 200, tagged.text);
    assert.equal(tagged.text, '');
    assert.equal((await call('TagResource', { ResourceArn: arn, Tags: [{ Key: 'team', Value: 'b' }] })).status, 200);
    assert.deepEqual(assertOk(await call('ListTagsOfResource', { ResourceArn: arn })),
      { Tags: [{ Key: 'team', Value: 'b' }, { Key: 'env', Value: 'dev' }] });
    assert.equal((await call('UntagResource', { ResourceArn: arn, TagKeys: ['team'] })).status, 200);
    assert.deepEqual(assertOk(await call('ListTagsOfResource', { ResourceArn: arn })),
      { Tags: [{ Key: 'env', Value: 'dev' }] });
    assertValidation(await call('TagResource', { ResourceArn: arn, Tags: [] }),
      'Atleast one Tag needs to be provided as Input.');
    assertValidation(await call('UntagResource', { ResourceArn: arn, TagKeys: [] }),
      'Atleast one Tag Key needs to be provided as Input.');
    assertValidation(await call('TagResource', { ResourceArn: 'a:b:c:d:e:f/g', Tags: [] }),
      'Invalid TableArn: Invalid ResourceArn provided as input a:b:c:d:e:f/g');
    const missing = arn.replace(/table\/books$/, 'table/nope_table');
    assertError(await call('ListTagsOfResource', { ResourceArn: missing }), 'ResourceNotFoundException',
      `Requested resource not found: ResourcArn: ${missing} not found`);
    // A table of another account is not this caller's to see.
    const foreign = arn.replace(/:\d{12}:/, ':000000000000:');
    for (const [op, extra] of [['ListTagsOfResource', {}], ['TagResource', { Tags: [{ Key: 'k', Value: 'v' }] }],
      ['UntagResource', { TagKeys: ['k'] }]]) {
      assertError(await call(op, { ResourceArn: foreign, ...extra }), 'AccessDeniedException',
        `User: arn:aws:iam::123456789012:root is not authorized to perform: dynamodb:${op} on resource: ${foreign} ` +
        `because no resource-based policy allows the dynamodb:${op} action`);
    }
  });
});
