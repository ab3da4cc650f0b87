// Lambda proxy handlers (payload 1.0) for the function suites (functions_fixture.mjs).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Answers with the event it received, as JSON.
exports.echo = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(event),
});

// Response mapping: /respond/{mode}.
exports.respond = async (event) => {
  switch (event.pathParameters.mode) {
    case 'headers':
      return {
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-Single': 'one', 'X-Flag': true },
        multiValueHeaders: { 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT'],
          'X-Multi': ['x', 'y'] },
        body: 'created',
      };
    case 'binary':
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/octet-stream' },
        body: Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28]).toString('base64'),
        isBase64Encoded: true,
      };
    case 'string-status':
      return { statusCode: '202', body: 'accepted' };
    default:
      return { statusCode: 404, body: 'no such mode' };
  }
};

// Every way a handler can fail, chosen by ?mode=..., and mode=ok for a normal answer.
exports.failures = async (event) => {
  const mode = event.queryStringParameters?.mode ?? 'ok';
  console.log(`failures: ${mode} in ${process.pid}`);
  switch (mode) {
    case 'ok': return { statusCode: 200, body: JSON.stringify({ pid: process.pid }) };
    case 'crash': process.exit(1); // eslint-disable-line no-fallthrough
    case 'hang': await sleep(60000); return { statusCode: 200, body: 'too late' };
    case 'slow': await sleep(Number(event.queryStringParameters.ms)); return { statusCode: 200, body: 'slow' };
    case 'string': return 'justAString';
    case 'unknown-key': return { statusCode: 200, body: 'x', extra: 1 };
    case 'bad-status': return { statusCode: 'two hundred', body: 'x' };
    case 'throw': throw new Error('handler failed');
    // Over the Runtime API's 6 MB: the gateway refuses the POST (413) and closes its connection.
    case 'too-large': return { statusCode: 200, body: 'x'.repeat(7 * 1024 * 1024) };
    default: return { statusCode: 400, body: `unknown mode ${mode}` };
  }
};

// Waits until `n` invocations tagged `tag` are running at the same time (each appends a line
// to BARRIER_DIR/<tag> and polls it), at least 300 ms, at most 5 s; answers with its pid.
exports.parallel = async (event) => {
  const { tag, n } = event.queryStringParameters;
  const file = path.join(process.env.BARRIER_DIR, tag.replace(/[^a-z0-9-]/gi, ''));
  fs.appendFileSync(file, `${process.pid}\n`);
  const started = Date.now();
  await sleep(300);
  let seen = 0;
  while (Date.now() - started < 5000) {
    seen = fs.readFileSync(file, 'utf8').trim().split('\n').length;
    if (seen >= Number(n)) break;
    await sleep(20);
  }
  return { statusCode: 200, body: JSON.stringify({ pid: process.pid, seen }) };
};

// The worker's pid and its environment, whole.
exports.env = async () => ({ statusCode: 200, body: JSON.stringify({ pid: process.pid, env: process.env }) });
