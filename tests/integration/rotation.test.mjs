// Signing keys over time: `gatehouse keys rotate` reaches a running gateway without a restart (old tokens keep working for the grace, or stop at once without one), a key file others can read stops the start, and a jwks_file authorizer next to the issuer's accepts tokens jose signs.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { startGateway, blogYaml, blogEnv, issuerToken, runCli, runServe, waitFor, tempDir,
  keyPair, jwk, mint, DEMO_CLIENT, BLOG_AUDIENCE, BLOG_ISSUER, ISSUER, AUDIENCE } from './harness.mjs';

const kidOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid;

async function jwksKids(gw) {
  const res = await fetch(`${gw.url}/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  return (await res.json()).keys.map((k) => k.kid);
}

function get(gw, path, token) {
  return fetch(gw.url + path, { headers: { authorization: `Bearer ${token}` } });
}

async function rotate(gw) {
  const out = await runCli(['keys', 'rotate', '-c', gw.configPath], blogEnv);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, '');
  const line = JSON.parse(out.stdout);
  assert.deepEqual(Object.keys(line), ['event', 'kid', 'previous_key_grace_s']);
  assert.equal(line.event, 'rotated');
  assert.match(line.kid, /^[\w-]{43}$/);
  return line;
}

describe('key rotation with the default grace', () => {
  let gw;
  // The decision cache is off, so every request below verifies its token's signature.
  before(async () => {
    gw = await startGateway(blogYaml({ authorizerExtra: '    cache_ttl_s: 0\n' }), { env: blogEnv });
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  test('a new key becomes active while the old one keeps verifying', async () => {
    const tokenA = await issuerToken(gw);
    const oldKid = kidOf(tokenA);
    assert.deepEqual(await jwksKids(gw), [oldKid]);
    assert.equal((await get(gw, '/resource', tokenA)).status, 200);

    const rotated = await rotate(gw);
    assert.notEqual(rotated.kid, oldKid);
    assert.equal(rotated.previous_key_grace_s, 86400);

    const kids = await waitFor(async () => {
      const k = await jwksKids(gw);
      return k.length === 2 ? k : null;
    }, { timeoutMs: 10000, message: 'the JWKS never showed the rotated key' });
    assert.deepEqual([...kids].sort(), [oldKid, rotated.kid].sort());

    const tokenB = await issuerToken(gw);
    assert.equal(kidOf(tokenB), rotated.kid, 'new tokens are signed with the new key');
    const JWKS = jose.createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
    for (const token of [tokenA, tokenB]) {
      await jose.jwtVerify(token, JWKS, { issuer: BLOG_ISSUER, audience: BLOG_AUDIENCE });
    }

    const oldRes = await get(gw, '/resource', tokenA);
    assert.equal(oldRes.status, 200, 'the old token is inside the grace');
    assert.deepEqual(await oldRes.json(), { items: [] });
    const created = await fetch(`${gw.url}/resource`, { method: 'POST',
      headers: { authorization: `Bearer ${tokenB}`, 'content-type': 'application/json' },
      body: '{"after":"rotation"}' });
    assert.equal(created.status, 201);
    assert.equal((await created.json()).createdBy, `${DEMO_CLIENT}@clients`);

    // The CLI signs with the new key too.
    const cli = await runCli(['token', '-c', gw.configPath, '--client', DEMO_CLIENT], blogEnv);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(kidOf(cli.stdout.trim()), rotated.kid);
    assert.equal((await get(gw, '/resource', cli.stdout.trim())).status, 200);

    // The certificate served is the active key's.
    const pem = await (await fetch(`${gw.url}/pem`)).text();
    const certKey = await jose.exportJWK(await jose.importX509(pem, 'RS256', { extractable: true }));
    assert.equal(await jose.calculateJwkThumbprint(certKey), rotated.kid);
  });
});

// With the decision cache off, and on (the default 300 s): a token used before the rotation is
// refused once its key is gone; its cached decision went with the key.
for (const cache of ['    cache_ttl_s: 0\n', '']) {
  describe(`key rotation with rotation_grace_s: 0, decision cache ${cache ? 'off' : 'on'}`, () => {
    let gw;
    before(async () => {
      gw = await startGateway(blogYaml({ issuerExtra: '  rotation_grace_s: 0\n',
        authorizerExtra: cache }), { env: blogEnv });
    });
    after(async () => {
      const { code } = await gw.stop();
      assert.equal(code, 0);
    });

    test('the old key leaves the JWKS and its tokens are refused', async () => {
      const tokenA = await issuerToken(gw);
      const oldKid = kidOf(tokenA);
      assert.equal((await get(gw, '/resource', tokenA)).status, 200);
      assert.equal((await get(gw, '/resource', tokenA)).status, 200, 'twice: a cache hit when on');

      const rotated = await rotate(gw);
      assert.equal(rotated.previous_key_grace_s, 0);
      await waitFor(async () => {
        const k = await jwksKids(gw);
        return k.length === 1 && k[0] === rotated.kid;
      }, { timeoutMs: 10000, message: 'the JWKS never switched to the new key' });
      assert.deepEqual(await jwksKids(gw), [rotated.kid]);

      // The authorizer takes the issuer's key set over within a second of the issuer's poll.
      const refused = await waitFor(async () => {
        const res = await get(gw, '/resource', tokenA);
        return res.status === 401 ? res : null;
      }, { timeoutMs: 5000, message: `a token signed by ${oldKid} was still accepted` });
      assert.equal(await refused.text(), '{"message":"Unauthorized"}');
      assert.equal(refused.headers.get('x-amzn-errortype'), 'UnauthorizedException');

      const tokenB = await issuerToken(gw);
      assert.equal(kidOf(tokenB), rotated.kid);
      const ok = await get(gw, '/resource', tokenB);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { items: [] });
      await assert.rejects(jose.jwtVerify(tokenA,
        jose.createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`))),
      { code: 'ERR_JWKS_NO_MATCHING_KEY' });
    });
  });
}

describe('key files others can read', () => {
  test('stop the start with exit code 2, the file named and chmod 600 suggested', async () => {
    const gw = await startGateway(blogYaml(), { env: blogEnv, keepDir: true });
    const { code } = await gw.stop();
    assert.equal(code, 0);
    const keyDir = join(gw.dir, 'data', 'issuer-keys');
    const keyFiles = readdirSync(keyDir).filter((f) => f.endsWith('.key.pem'));
    assert.equal(keyFiles.length, 1);
    const keyFile = join(keyDir, keyFiles[0]);
    chmodSync(keyFile, 0o644);

    const run = await runServe(gw.configPath, { env: blogEnv });
    assert.equal(run.listened, false);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.ok(run.stderr.includes(`key file '${keyFile}'`), run.stderr);
    assert.ok(run.stderr.includes('(mode 0644)'), run.stderr);
    assert.ok(run.stderr.includes(`chmod 600 ${keyFile}`), run.stderr);

    // The suggested fix works.
    chmodSync(keyFile, 0o600);
    const again = await startGateway(blogYaml(), { env: blogEnv, dir: gw.dir });
    assert.equal((await get(again, '/resource', await issuerToken(again))).status, 200);
    assert.equal((await again.stop()).code, 0);
  });
});

describe('a jwks_file authorizer next to the issuer', () => {
  let gw;
  let pair;
  before(async () => {
    pair = await keyPair('ES256');
    const dir = tempDir();
    writeFileSync(join(dir, 'partner-jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'partner-1')] }));
    gw = await startGateway(blogYaml({
      authorizersExtra: `  partner:
    type: jwt
    issuer: "${ISSUER}"
    audiences: ["${AUDIENCE}"]
    algorithms: [ES256]
    keys:
      jwks_file: partner-jwks.json
`,
      routeExtra: `  - path: /partner/resource
    methods: [GET, POST]
    auth: partner
    integration: {type: crud, table: users}
  - path: /partner/resource/{id}
    methods: [GET, PUT, DELETE]
    auth: partner
    integration: {type: crud, table: users}
`,
    }), { dir, env: blogEnv });
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  test('a token jose signs with the file\'s key is accepted by the CRUD routes', async () => {
    const token = await mint(pair, { kid: 'partner-1', sub: 'partner-app' });
    const res = await fetch(`${gw.url}/partner/resource`, { method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"name":"from a partner"}' });
    assert.equal(res.status, 201);
    const item = await res.json();
    assert.equal(item.name, 'from a partner');
    assert.equal(item.createdBy, 'partner-app');
    assert.equal(res.headers.get('location'), `/partner/resource/${item.id}`);

    const got = await get(gw, `/partner/resource/${item.id}`, token);
    assert.equal(got.status, 200);
    assert.deepEqual(await got.json(), item);
    // The same table behind the issuer-trusting routes.
    const viaIssuer = await get(gw, `/resource/${item.id}`, await issuerToken(gw));
    assert.equal(viaIssuer.status, 200);
    assert.deepEqual(await viaIssuer.json(), item);
  });

  test('each authorizer accepts only its own tokens', async () => {
    const partnerToken = await mint(pair, { kid: 'partner-1' });
    const issued = await issuerToken(gw);
    for (const [path, token] of [['/resource', partnerToken], ['/partner/resource', issued]]) {
      const res = await get(gw, path, token);
      assert.equal(res.status, 401, path);
      assert.equal(await res.text(), '{"message":"Unauthorized"}');
    }
    const other = await keyPair('ES256');
    const forged = await get(gw, '/partner/resource', await mint(other, { kid: 'partner-1' }));
    assert.equal(forged.status, 401);
  });
});
