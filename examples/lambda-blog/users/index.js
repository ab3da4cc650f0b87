// The blog's users service as a Lambda proxy handler over a DynamoDB table, written the way
// serverless templates write it: the AWS SDK v3 DocumentClient, the table's name from an
// environment variable, no endpoint or credentials in the code (gatehouse hands the function its
// DynamoDB endpoint as AWS_ENDPOINT_URL_DYNAMODB, as Lambda hands it a role), and a table keyed by
// `pk` and `sk`. The routes are those of gatehouse's built-in CRUD integration:
//
//   POST   /resource       201 the item, Location: /resource/<id>; 400 for a body that is not
//                          a JSON object
//   GET    /resource       200 {"items": [...]}, oldest first
//   GET    /resource/{id}  200 the item, or 404
//   PUT    /resource/{id}  200 the item with the body's attributes, or 404 (400 as POST)
//   DELETE /resource/{id}  204, or 404
//
// Items get an `id` (a UUID), `createdBy` (the authorizer's principalId), `createdAt` and
// `updatedAt`; a body cannot set those four. In the table an item is {pk: "USER#<id>", sk:
// "PROFILE", ...}; conditions keep a POST from overwriting and a PUT or DELETE from touching an
// item that is not there.
'use strict';

const crypto = require('node:crypto');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand,
  ScanCommand } = require('@aws-sdk/lib-dynamodb');

const TABLE = process.env.USERS_TABLE;
if (!TABLE) throw new Error('USERS_TABLE is not set');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}),
  { marshallOptions: { removeUndefinedValues: true } });

const SERVICE_FIELDS = new Set(['id', 'createdBy', 'createdAt', 'updatedAt']);
const key = (id) => ({ pk: `USER#${id}`, sk: 'PROFILE' });

const json = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const notFound = () => json(404, { message: 'Not Found' });
const invalidBody = () => json(400, { message: 'Invalid request body' });
const conditionFailed = (err) => err && err.name === 'ConditionalCheckFailedException';

// The request body as a JSON object, or null when it is missing or anything else.
function parseBody(event) {
  if (typeof event.body !== 'string') return null;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

// What a client may set: everything except the fields the service owns (and the table's keys).
function attributes(body) {
  const out = {};
  for (const [name, value] of Object.entries(body)) {
    if (!SERVICE_FIELDS.has(name) && name !== 'pk' && name !== 'sk') out[name] = value;
  }
  return out;
}

// The item as the API shows it: without the table's keys.
function shown(item) {
  const { pk, sk, ...rest } = item;  // eslint-disable-line no-unused-vars
  return rest;
}

async function listItems() {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await documents.send(new ScanCommand({ TableName: TABLE, Limit: 100,
      ExclusiveStartKey }));
    items.push(...page.Items.filter((i) => i.sk === 'PROFILE').map(shown));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

module.exports.handler = async (event) => {
  const id = event.pathParameters ? event.pathParameters.id : undefined;
  const principal = event.requestContext?.authorizer?.principalId ?? null;

  switch (`${event.httpMethod} ${event.resource}`) {
    case 'GET /resource':
      return json(200, { items: await listItems() });

    case 'POST /resource': {
      const body = parseBody(event);
      if (!body) return invalidBody();
      const now = new Date().toISOString();
      const item = { id: crypto.randomUUID(), ...attributes(body), createdBy: principal,
        createdAt: now, updatedAt: now };
      await documents.send(new PutCommand({ TableName: TABLE, Item: { ...key(item.id), ...item },
        ConditionExpression: 'attribute_not_exists(pk)' }));
      return json(201, item, { Location: `/resource/${item.id}` });
    }

    case 'GET /resource/{id}': {
      const r = await documents.send(new GetCommand({ TableName: TABLE, Key: key(id) }));
      return r.Item ? json(200, shown(r.Item)) : notFound();
    }

    case 'PUT /resource/{id}': {
      const body = parseBody(event);
      if (!body) return invalidBody();
      const old = (await documents.send(new GetCommand({ TableName: TABLE, Key: key(id) }))).Item;
      if (!old) return notFound();
      // SET the body's attributes, REMOVE the ones it left out, with placeholders for names
      // and values (any attribute name is safe, reserved words included).
      const names = { '#updatedAt': 'updatedAt', '#createdAt': 'createdAt' };
      const values = { ':updatedAt': new Date().toISOString(), ':createdAt': old.createdAt };
      const set = ['#updatedAt = :updatedAt'];
      const remove = [];
      const given = attributes(body);
      Object.keys(given).forEach((name, i) => {
        names[`#a${i}`] = name;
        values[`:a${i}`] = given[name];
        set.push(`#a${i} = :a${i}`);
      });
      Object.keys(attributes(old)).filter((name) => !(name in given)).forEach((name, i) => {
        names[`#r${i}`] = name;
        remove.push(`#r${i}`);
      });
      try {
        const r = await documents.send(new UpdateCommand({
          TableName: TABLE,
          Key: key(id),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND #createdAt = :createdAt',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }));
        return json(200, shown(r.Attributes));
      } catch (err) {
        if (conditionFailed(err)) return notFound();  // deleted (or re-created) meanwhile
        throw err;
      }
    }

    case 'DELETE /resource/{id}': {
      try {
        await documents.send(new DeleteCommand({ TableName: TABLE, Key: key(id),
          ConditionExpression: 'attribute_exists(pk)' }));
      } catch (err) {
        if (conditionFailed(err)) return notFound();
        throw err;
      }
      return { statusCode: 204, headers: {}, body: '' };
    }

    default:
      return notFound();
  }
};
