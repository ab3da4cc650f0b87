// A handler as SDK v2 templates write it: DocumentClient with .promise(), no endpoint in the code.
const AWS = require('aws-sdk');

const documents = new AWS.DynamoDB.DocumentClient();

exports.handler = async (event) => {
  const { pk } = event.pathParameters;
  const r = await documents.query({
    TableName: process.env.TABLE_NAME,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': 'pk' },
    ExpressionAttributeValues: { ':pk': pk },
  }).promise();
  await documents.update({
    TableName: process.env.TABLE_NAME,
    Key: { pk, sk: r.Items[0].sk },
    UpdateExpression: 'SET #n = #n + :one',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':one': 0.2 },
  }).promise();
  return { statusCode: 200, body: JSON.stringify(r.Items) };
};
