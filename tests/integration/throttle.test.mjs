// Throttling (api.throttle, a route's throttle) over real requests: the burst passes, the next
// one is 429 THROTTLED before any authorizer work, each route and method has its own bucket, a
// bucket refills at its rate, the response is overridable, and /metrics counts the 429s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startGateway, call, metric, waitFor, keyPair, jwk, mint, tempDir, jwtAuthorizer,
} from './harness.mjs';

let gw;
let key;

before(async () => {
  key = await keyPair('RS256');
  const dir = tempDir();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(key, 'k1')] }));
  gw = await startGateway(`api:
  name: throttled
  listen: 127.0.0.1:0
  default_authorizer: jwt
  throttle: {rate: 0.001, burst: 3}
admin: {listen: 127.0.0.1:0}
authorizers:
${jwtAuthorizer()}routes:
  - {path: /burst, methods: [GET, POST], integration: {type: mock, body: '{"ok":true}'}}
  - {path: /other, method: GET, auth: none, integration: {type: mock}}
  - {path: /closed, method: GET, auth: none, throttle: {rate: 0, burst: 0}, integration: {type: mock}}
  - {path: /refills, method: GET, auth: none, throttle: {rate: 0.5, burst: 1}, integration: {type: mock}}
gateway_responses:
  THROTTLED: {body: '{"error":"slow down"}'}
`, { dir, deadlineMs: 30000 });
});

after(async () => {
  await gw?.stop();
});

test('the burst passes, then 429 THROTTLED, before the authorizer is asked', async () => {
  const token = await mint(key, { kid: 'k1' });
  for (let i = 0; i < 3; i += 1) {
    const res = await call(gw, 'GET', '/burst', { token });
    assert.equal(res.status, 200, `request ${i}: ${res.text}`);
  }
  const refused = await call(gw, 'GET', '/burst', { token });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
  assert.equal(refused.text, '{"error":"slow down"}');  // the configured override
  // Without a token: throttled all the same, never 401: the authorizer is not reached.
  assert.equal((await call(gw, 'GET', '/burst')).status, 429);
  assert.equal(await metric(gw, 'gatehouse_requests_total', { route: '/burst', method: 'GET', status: '429' }), 2);
});

test('each route and method has its own bucket', async () => {
  const token = await mint(key, { kid: 'k1' });
  // POST /burst is another method of the same route: a full bucket of its own.
  assert.equal((await call(gw, 'POST', '/burst', { token })).status, 200);
  for (let i = 0; i < 3; i += 1) assert.equal((await call(gw, 'GET', '/other')).status, 200, `request ${i}`);
  assert.equal((await call(gw, 'GET', '/other')).status, 429);
  // A burst of 0 refuses everything.
  assert.equal((await call(gw, 'GET', '/closed')).status, 429);
});

test('a bucket refills at its rate', async () => {
  assert.equal((await call(gw, 'GET', '/refills')).status, 200);
  assert.equal((await call(gw, 'GET', '/refills')).status, 429);
  // One token every 2 s: back within that; waited for, not timed.
  await waitFor(async () => (await call(gw, 'GET', '/refills')).status === 200,
    { timeoutMs: 10000, intervalMs: 200, message: 'the bucket did not refill' });
});
