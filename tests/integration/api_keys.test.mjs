// API keys and usage plans over real requests: a route that requires a key refuses none, a wrong
// one or two of them (403 INVALID_API_KEY), and holds each key to its plan's quota (429
// QUOTA_EXCEEDED) and throttle (429 THROTTLED); with api_key_source: authorizer the key is the
// Lambda authorizer's usageIdentifierKey. Keys come from the environment, never the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, call, curl, metric, tempDir } from './harness.mjs';

const KEY_A = 'a'.repeat(24);  // plan "quota": 2 a day
const KEY_B = 'b'.repeat(24);  // plan "burst": 1 at once
let gw;
let viaAuthorizer;

before(async () => {
  const env = { GH_IT_KEY_A: KEY_A, GH_IT_KEY_B: KEY_B };
  const plans = `usage_plans:
  quota:
    quota: {limit: 2, period: day}
    api_keys: {partner-a: {value: {env: GH_IT_KEY_A}}}
  burst:
    throttle: {rate: 0.001, burst: 1}
    api_keys: {partner-b: {value: {env: GH_IT_KEY_B}}}
`;
  gw = await startGateway(`api: {name: keys, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
${plans}routes:
  - {path: /keyed, method: GET, auth: none, api_key_required: true, integration: {type: mock, body: '{"ok":true}'}}
  - {path: /open, method: GET, auth: none, integration: {type: mock}}
`, { env, deadlineMs: 30000 });

  // A TOKEN authorizer that names the key for the token "with-key", none for the others.
  const dir = tempDir();
  writeFileSync(join(dir, 'auth.js'), `exports.handler = async (event) => ({
  principalId: 'caller',
  policyDocument: {Version: '2012-10-17', Statement: [
    {Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn}]},
  ...(event.authorizationToken === 'with-key' ? {usageIdentifierKey: ${JSON.stringify(KEY_A)}} : {}),
});
`);
  viaAuthorizer = await startGateway(`api: {name: keys2, listen: 127.0.0.1:0, api_key_source: authorizer}
admin: {listen: 127.0.0.1:0}
functions:
  auth: {runtime: node, handler: auth.handler, working_dir: ${JSON.stringify(dir)}}
authorizers:
  fa: {type: token, function: auth, cache_ttl_s: 0}
${plans}routes:
  - {path: /keyed, method: GET, auth: fa, api_key_required: true, integration: {type: mock, body: '{"ok":true}'}}
`, { dir, env, deadlineMs: 60000 });
});

after(async () => {
  await gw?.stop();
  await viaAuthorizer?.stop();
});

test('no key, a wrong one or two of them: 403 Forbidden', async () => {
  for (const headers of [{}, { 'x-api-key': 'c'.repeat(24) }, { 'x-api-key': KEY_A.slice(1) }]) {
    const res = await call(gw, 'GET', '/keyed', { headers });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.equal(res.text, '{"message":"Forbidden"}');
    assert.equal(res.headers.get('x-amzn-errortype'), 'ForbiddenException');
  }
  // Two keys, even both valid, are none.
  const two = await curl(['-H', `x-api-key: ${KEY_A}`, '-H', `x-api-key: ${KEY_B}`, `${gw.url}/keyed`]);
  assert.equal(two.status, 403);
  assert.equal(await metric(gw, 'gatehouse_api_key_invalid_total'), 4);
  // A route that needs no key ignores one.
  assert.equal((await call(gw, 'GET', '/open', { headers: { 'x-api-key': 'nonsense' } })).status, 200);
});

test("each key is held to its plan: a quota, then a throttle", async () => {
  for (let i = 0; i < 2; i += 1) {
    const res = await call(gw, 'GET', '/keyed', { headers: { 'x-api-key': KEY_A } });
    assert.equal(res.status, 200, `request ${i}: ${res.text}`);
  }
  const over = await call(gw, 'GET', '/keyed', { headers: { 'x-api-key': KEY_A } });
  assert.equal(over.status, 429);
  assert.equal(over.text, '{"message":"Limit Exceeded"}');
  assert.equal(over.headers.get('x-amzn-errortype'), 'LimitExceededException');
  assert.equal((await call(gw, 'GET', '/keyed', { headers: { 'x-api-key': KEY_B } })).status, 200);
  const throttled = await call(gw, 'GET', '/keyed', { headers: { 'x-api-key': KEY_B } });
  assert.equal(throttled.status, 429);
  assert.equal(throttled.text, '{"message":"Too Many Requests"}');
  assert.equal(await metric(gw, 'gatehouse_api_key_requests_total',
    { api_key: 'partner-a', plan: 'quota', result: 'allowed' }), 2);
  assert.equal(await metric(gw, 'gatehouse_api_key_requests_total',
    { api_key: 'partner-a', plan: 'quota', result: 'quota_exceeded' }), 1);
  assert.equal(await metric(gw, 'gatehouse_api_key_requests_total',
    { api_key: 'partner-b', plan: 'burst', result: 'throttled' }), 1);
  // The key's value appears nowhere in what gatehouse says.
  assert.ok(!gw.stdout.includes(KEY_A) && !gw.stderr.includes(KEY_A));
});

test("with api_key_source: authorizer, the key is the authorizer's usageIdentifierKey", async () => {
  const ok = await call(viaAuthorizer, 'GET', '/keyed', { headers: { authorization: 'with-key' } });
  assert.equal(ok.status, 200, ok.text);
  // The header is not read there; an authorizer that names no key lets nothing through.
  const none = await call(viaAuthorizer, 'GET', '/keyed',
    { headers: { authorization: 'no-key', 'x-api-key': KEY_A } });
  assert.equal(none.status, 403);
  assert.equal(none.text, '{"message":"Forbidden"}');
});
