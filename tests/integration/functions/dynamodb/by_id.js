// A handler as SDK v3 templates write it, for a table keyed by `id`: POST stores the body under a
// new id and reads it back; every answer says where the SDK was pointed, so a test can tell the
// remote DynamoDB from the gateway's own listener.
const { randomUUID } = require('node:crypto');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require('@aws-sdk/lib-dynamodb');

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = process.env.TABLE_NAME;

exports.handler = async (event) => {
  const item = { ...JSON.parse(event.body), id: randomUUID() };
  await client.send(new PutCommand({ TableName: TABLE, Item: item }));
  const got = await client.send(new GetCommand({ TableName: TABLE, Key: { id: item.id } }));
  return {
    statusCode: 201,
    body: JSON.stringify({
      item: got.Item,
      table: TABLE,
      endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? null,
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? null,
    }),
  };
};
