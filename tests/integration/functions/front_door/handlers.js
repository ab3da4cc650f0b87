// Lambda proxy handlers (payload 1.0) for front_door.test.mjs: responses an attacker can steer
// through a handler that reflects its input, and a worker that misuses its own Runtime API.
'use strict';

const http = require('node:http');

// GET /reflect?header_bytes=N&values=K&status=S: K values of N bytes in X-Reflect (one value: a
// single header; more: multiValueHeaders), with status S.
exports.reflect = async (event) => {
  const q = event.queryStringParameters || {};
  const bytes = Number(q.header_bytes || 0);
  const values = Number(q.values || 1);
  const value = 'a'.repeat(bytes);
  const response = { statusCode: q.status === undefined ? 200 : Number(q.status), body: 'reflected' };
  if (q.name_bytes) response.headers = { ['N'.repeat(Number(q.name_bytes))]: '1' };
  else if (values === 1) response.headers = { 'X-Reflect': value };
  else response.multiValueHeaders = { 'X-Reflect': Array(values).fill(value) };
  return response;
};

// Its own endpoint and pid, as an attacker would find them in /proc.
exports.whoami = async () => ({
  statusCode: 200,
  body: JSON.stringify({ runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API, pid: process.pid }),
});

// Asks its own endpoint for the next event while this one runs: what does it answer?
exports.secondNext = async () => {
  const answer = await new Promise((resolve, reject) => {
    const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
    http.get({ host, port, path: '/2018-06-01/runtime/invocation/next', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
  return { statusCode: 200, body: JSON.stringify(answer) };
};

// A TOKEN authorizer with a policy on paths: every file is allowed except Bob's (explicit Deny),
// as "Allow .../GET/files/*, Deny .../GET/files/bob/*". Principal: the token.
exports.filesPolicy = async (event) => {
  const api = event.methodArn.split('/').slice(0, 2).join('/');  // arn:...:api-id/stage
  return {
    principalId: event.authorizationToken,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${api}/GET/files/*` },
        { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${api}/GET/files/bob/*` },
      ],
    },
  };
};

// What the handler was asked for.
exports.echo = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ path: event.path, pathParameters: event.pathParameters }),
});
