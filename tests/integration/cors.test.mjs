// api.cors with real browser-style exchanges (curl sending what a browser sends): preflights
// answered before routing and authorization, every answer to an allowed origin carrying the
// policy's headers (the authorizer's 401 and a service's answer included), an integration's own
// CORS headers replaced, other origins given none, and a reload changing the policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, curl, keyPair, jwk, mint, tempDir, jwtAuthorizer } from './harness.mjs';

const APP = 'https://app.example';
let gw;
let key;
let upstream;

function config(origins, upstreamPort) {
  return `api:
  name: cors
  listen: 127.0.0.1:0
  default_authorizer: jwt
  cors:
    allow_origins: ${JSON.stringify(origins)}
    allow_methods: [GET, POST, DELETE]
    allow_headers: [authorization, content-type]
    expose_headers: [x-request-id]
    max_age_s: 600
admin: {listen: 127.0.0.1:0}
authorizers:
${jwtAuthorizer()}routes:
  - {path: /items, method: GET, integration: {type: mock, body: '{"items":[]}'}}
  - path: /svc
    method: GET
    auth: none
    integration: {type: http_proxy, uri: "http://127.0.0.1:${upstreamPort}/"}
`;
}

before(async () => {
  // A service that sets CORS headers of its own, which the policy replaces.
  upstream = http.createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-methods', 'PUT');
    res.setHeader('content-type', 'application/json');
    res.end('{"svc":true}');
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  key = await keyPair('RS256');
  const dir = tempDir();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(key, 'k1')] }));
  gw = await startGateway(config([APP, 'http://*'], upstream.address().port), { dir, deadlineMs: 30000 });
});

after(async () => {
  await gw?.stop();
  upstream?.close();
});

const preflight = (origin, path = '/items', method = 'DELETE', headers = 'authorization') =>
  curl(['-X', 'OPTIONS', '-H', `Origin: ${origin}`, '-H', `Access-Control-Request-Method: ${method}`,
    '-H', `Access-Control-Request-Headers: ${headers}`, `${gw.url}${path}`]);

test('a preflight from an allowed origin is answered without credentials, whatever the route', async () => {
  // No OPTIONS route exists, and /items needs a token: the preflight carries none.
  const res = await preflight(APP);
  assert.equal(res.status, 204);
  assert.equal(res.headers['access-control-allow-origin'], APP);
  assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, DELETE');
  assert.equal(res.headers['access-control-allow-headers'], 'authorization, content-type');
  assert.equal(res.headers['access-control-allow-credentials'], undefined);
  assert.equal(res.headers['access-control-max-age'], '600');
  assert.equal(res.headers.vary, 'Origin');
  assert.equal(res.body, '');
  // Any http:// origin, by the scheme's wildcard; a path that matches no route alike.
  const other = await preflight('http://localhost:3000', '/nowhere');
  assert.equal(other.status, 204);
  assert.equal(other.headers['access-control-allow-origin'], 'http://localhost:3000');
});

test('a preflight from another origin gets no CORS header, and the browser stops there', async () => {
  for (const origin of ['https://evil.example', 'https://app.example.evil', 'null']) {
    const res = await preflight(origin);
    assert.equal(res.status, 204, origin);
    assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
    assert.equal(res.headers['access-control-allow-methods'], undefined, origin);
  }
});

test("the authorizer's 401 and the integration's 200 carry the policy's headers", async () => {
  const refused = await curl(['-H', `Origin: ${APP}`, `${gw.url}/items`]);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers['access-control-allow-origin'], APP);
  assert.equal(refused.headers['access-control-expose-headers'], 'x-request-id');
  const token = await mint(key, { kid: 'k1' });
  const ok = await curl(['-H', `Origin: ${APP}`, '-H', `Authorization: Bearer ${token}`, `${gw.url}/items`]);
  assert.equal(ok.status, 200);
  assert.equal(ok.body, '{"items":[]}');
  assert.equal(ok.headers['access-control-allow-origin'], APP);
  // An unknown route's 403 too: a browser can read why it failed.
  const missing = await curl(['-H', `Origin: ${APP}`, `${gw.url}/nowhere`]);
  assert.equal(missing.status, 403);
  assert.equal(missing.headers['access-control-allow-origin'], APP);
});

test("a service's own CORS headers are replaced by the policy's", async () => {
  const res = await curl(['-H', `Origin: ${APP}`, `${gw.url}/svc`]);
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"svc":true}');
  assert.equal(res.headers['access-control-allow-origin'], APP);
  assert.equal(res.headers['access-control-allow-methods'], undefined);
  const other = await curl(['-H', 'Origin: https://evil.example', `${gw.url}/svc`]);
  assert.equal(other.headers['access-control-allow-origin'], undefined);
});

test('without an Origin, or an OPTIONS that is no preflight, nothing CORS happens', async () => {
  const plain = await curl([`${gw.url}/svc`]);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['access-control-allow-origin'], undefined);
  // OPTIONS without Access-Control-Request-Method is routed like any request: no OPTIONS route.
  const options = await curl(['-X', 'OPTIONS', '-H', `Origin: ${APP}`, `${gw.url}/items`]);
  assert.equal(options.status, 403);
  assert.equal(options.headers['access-control-allow-origin'], APP);
});

test('a reload changes the policy', async () => {
  writeFileSync(gw.configPath, config(['https://new.example'], upstream.address().port));
  const res = await fetch(`${gw.adminUrl}/reload`, { method: 'POST' });
  assert.equal(res.status, 200, await res.text());
  assert.equal((await preflight(APP)).headers['access-control-allow-origin'], undefined);
  const now = await preflight('https://new.example');
  assert.equal(now.headers['access-control-allow-origin'], 'https://new.example');
  assert.equal((await preflight('http://localhost:3000')).headers['access-control-allow-origin'], undefined);
});
