// Lambda authorizers for the function suites (functions_fixture.mjs) and identity.test.mjs. Each
// invocation appends one JSON line {"pid","event"} to the file named by INVOCATIONS_FILE (when
// set), so the test can count invocations and read the exact event the gateway sent.
'use strict';

const fs = require('node:fs');

function record(event) {
  if (process.env.INVOCATIONS_FILE) {
    fs.appendFileSync(process.env.INVOCATIONS_FILE, `${JSON.stringify({ pid: process.pid, event })}\n`);
  }
}

const policy = (principalId, effect, resource, context) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  ...(context ? { context } : {}),
});

// Allows every method of every API; the token's text (or, for REQUEST events, the X-Api-Key
// header) decides a few things: a token containing "deny" gets an explicit Deny instead.
exports.recorder = async (event) => {
  record(event);
  const identity = event.authorizationToken ?? event.headers?.['X-Api-Key'] ?? '';
  if (identity.includes('deny')) return policy('user-1', 'Deny', 'arn:aws:execute-api:*');
  return policy('user-1', 'Allow', 'arn:aws:execute-api:*',
    { tenant: 'acme', tier: 3, admin: true, ratio: 0.5 });
};

// The tutorials' policy: allows exactly the method ARN of the request it was called for.
exports.methodArnOnly = async (event) => {
  record(event);
  return policy('user-2', 'Allow', event.methodArn);
};

// Every outcome an authorizer can have, chosen by the token ("Bearer <mode>").
exports.modes = async (event) => {
  record(event);
  const mode = String(event.authorizationToken).replace(/^Bearer /, '');
  switch (mode) {
    case 'ok': return policy('user-3', 'Allow', 'arn:aws:execute-api:*');
    case 'deny': return policy('user-3', 'Deny', 'arn:aws:execute-api:*');
    case 'implicit': return policy('user-3', 'Allow', 'arn:aws:execute-api:us-east-1:123456789012:other/*');
    case 'throw-unauthorized': throw new Error('Unauthorized');
    case 'boom': throw new Error('boom');
    case 'nested': return { ...policy('user-3', 'Allow', 'arn:aws:execute-api:*'), context: { a: { b: 1 } } };
    case 'not-a-policy': return 'Allow';
    case 'hang': await new Promise((resolve) => setTimeout(resolve, 60000)); return null;
    case 'crash': process.exit(1); // eslint-disable-line no-fallthrough
    default: throw new Error(`unknown mode ${mode}`);
  }
};

// A callback-style authorizer, as most published ones are written.
exports.callbackStyle = (event, context, callback) => {
  record(event);
  if (event.authorizationToken === 'Bearer cb-unauthorized') return callback('Unauthorized');
  return callback(null, policy('user-4', 'Allow', 'arn:aws:execute-api:*'));
};

// Allows exactly one credential: `Bearer ${VALID_CREDENTIAL}` as a TOKEN event's token or a
// REQUEST event's Authorization header (any casing of the name), or VALID_CREDENTIAL as its
// `token` query parameter. Anything else is Unauthorized.
exports.gatekeeper = async (event) => {
  record(event);
  const valid = process.env.VALID_CREDENTIAL;
  let shown;
  if (event.type === 'TOKEN') {
    shown = event.authorizationToken;
  } else if (event.queryStringParameters?.token !== undefined) {
    shown = `Bearer ${event.queryStringParameters.token}`;
  } else {
    shown = Object.entries(event.headers ?? {})
      .find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  }
  if (shown !== `Bearer ${valid}`) throw new Error('Unauthorized');
  return policy('gatekeeper-user', 'Allow', 'arn:aws:execute-api:*');
};
