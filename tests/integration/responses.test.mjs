// Gateway responses customised in config: status, headers and body templates, with the
// DEFAULT_4XX fallback (e.g. CORS headers on every 4xx the gateway itself sends).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, gatewayYaml, keyPair, jwk, mint, tempDir } from './harness.mjs';

describe('gateway_responses overrides', () => {
  let gw, pair;
  before(async () => {
    pair = await keyPair('RS256');
    const dir = tempDir();
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    gw = await startGateway(gatewayYaml({
      keysYaml: '      jwks_file: jwks.json',
      extra: `gateway_responses:
  UNAUTHORIZED:
    headers: {WWW-Authenticate: Bearer}
    body: '{"error":$context.error.messageString,"requestId":"$context.requestId"}'
  DEFAULT_4XX:
    headers: {Access-Control-Allow-Origin: "*"}
  ACCESS_DENIED:
    status: 404
`,
    }), { dir });
  });
  after(async () => { await gw.stop(); });

  test('UNAUTHORIZED renders its template and keeps its status', async () => {
    const res = await fetch(gw.url + '/echo');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(res.headers.get('access-control-allow-origin'), '*', 'DEFAULT_4XX headers apply');
    const id = res.headers.get('x-amzn-requestid');
    assert.deepEqual(await res.json(), { error: 'Unauthorized', requestId: id });
  });

  test('MISSING_AUTHENTICATION_TOKEN falls back to DEFAULT_4XX', async () => {
    const res = await fetch(gw.url + '/nope');
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(await res.text(), '{"message":"Missing Authentication Token"}');
  });

  test('ACCESS_DENIED with another status', async () => {
    const token = await mint(pair, { kid: 'k1' });
    const res = await fetch(gw.url + '/items/1', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 404);
  });
});
