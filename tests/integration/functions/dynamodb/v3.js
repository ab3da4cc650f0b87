// A handler as SDK v3 templates write it: the table from an environment variable, the client
// with no endpoint or credentials in the code.
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require('@aws-sdk/lib-dynamodb');

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = process.env.TABLE_NAME;

exports.handler = async (event) => {
  const note = JSON.parse(event.body);
  await client.send(new PutCommand({
    TableName: TABLE,
    Item: { pk: note.pk, sk: note.sk, text: note.text, n: 0.1 },
    ConditionExpression: 'attribute_not_exists(pk)',
  }));
  const got = await client.send(new GetCommand({ TableName: TABLE, Key: { pk: note.pk, sk: note.sk } }));
  return { statusCode: 201, body: JSON.stringify(got.Item) };
};
