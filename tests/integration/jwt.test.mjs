// The built-in JWT authorizer end to end: the real binary, tokens minted by jose.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { startGateway, gatewayYaml, keyPair, jwk, mint, tempDir, curl, accessLogFor,
  ISSUER, AUDIENCE } from './harness.mjs';

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const HMAC_SECRET = 'integration-test-hmac-secret-0123456789abcdef';

describe('JWT authorizer', () => {
  let gw;
  const pairs = {};
  let other; // a key the gateway does not know

  before(async () => {
    for (const alg of ALGS) {
      pairs[alg] = await keyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
    }
    other = await keyPair('RS256');
    const dir = tempDir();
    const jwks = { keys: await Promise.all(ALGS.map((alg) => jwk(pairs[alg], `k-${alg}`))) };
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
    gw = await startGateway(gatewayYaml({
      keysYaml: '      jwks_file: jwks.json',
      algorithms: ALGS,
    }), { dir });
  });
  // Every credential sent to this gateway (valid or refused), checked against all it printed.
  const sent = new Set();
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0, 'graceful shutdown exits 0');
    // Nothing gatehouse wrote (access log and logs on stdout, logs on stderr, the shutdown
    // included) holds a token or any part of one that could be replayed or verified offline.
    assert.ok(sent.size >= 20, `credentials recorded: ${sent.size}`);
    for (const credential of sent) {
      for (const part of credential.split(/[ .]/).filter((p) => p.length >= 16)) {
        assert.ok(!gw.stdout.includes(part), `stdout holds part of a credential: ${part}`);
        assert.ok(!gw.stderr.includes(part), `stderr holds part of a credential: ${part}`);
      }
    }
  });

  const get = (path, headers = {}) => {
    if (headers.authorization) sent.add(headers.authorization);
    return fetch(gw.url + path, { headers });
  };
  const bearer = (t) => ({ authorization: `Bearer ${t}` });

  for (const alg of ALGS) {
    test(`a valid ${alg} token passes and the integration sees the principal`, async () => {
      const token = await mint(pairs[alg], { kid: `k-${alg}`, sub: `sub-${alg}` });
      const res = await get('/echo', bearer(token));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { principal: `sub-${alg}`, scope: 'read write' });
      assert.match(res.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/);
    });
  }

  // Each case: a request that must be refused with 401 before the integration runs.
  const refused = {
    'no Authorization header': async () => ({}),
    'an empty Authorization header': async () => ({ authorization: '' }),
    'the Basic scheme': async () => ({ authorization: 'Basic dXNlcjpwYXNz' }),
    'an expired token': async () => bearer(await mint(pairs.RS256, { kid: 'k-RS256',
      expiresIn: Math.floor(Date.now() / 1000) - 60 })),
    'a not-yet-valid token': async () => bearer(await mint(pairs.RS256, { kid: 'k-RS256',
      claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })),
    'a wrong issuer': async () => bearer(await mint(pairs.RS256, { kid: 'k-RS256',
      iss: 'https://evil.test/' })),
    'a wrong audience': async () => bearer(await mint(pairs.RS256, { kid: 'k-RS256',
      aud: 'https://other-api' })),
    'a token without exp': async () => bearer(await mint(pairs.RS256, { kid: 'k-RS256',
      expiresIn: null })),
    'a bad signature': async () => {
      const t = await mint(pairs.RS256, { kid: 'k-RS256' });
      const [h, p, s] = t.split('.');
      const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      return bearer(`${h}.${p}.${flipped}`);
    },
    'a payload changed after signing': async () => {
      const t = await mint(pairs.RS256, { kid: 'k-RS256' });
      const [h, , s] = t.split('.');
      const p = jose.base64url.encode(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin',
        exp: Math.floor(Date.now() / 1000) + 3600 }));
      return bearer(`${h}.${p}.${s}`);
    },
    'alg none': async () => {
      const t = new jose.UnsecuredJWT({ sub: 'x' }).setIssuer(ISSUER).setAudience(AUDIENCE)
        .setExpirationTime('1h').encode();
      return bearer(t);
    },
    'HS256 signed with the RSA public key (key confusion)': async () => {
      const spki = await jose.exportSPKI(pairs.RS256.publicKey);
      const secret = new TextEncoder().encode(spki);
      const t = await new jose.SignJWT({ scope: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: 'k-RS256' })
        .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('attacker').setExpirationTime('1h')
        .sign(secret);
      return bearer(t);
    },
    'an unknown kid': async () => bearer(await mint(other, { kid: 'k-unknown' })),
    'a token signed by an unknown key under a known kid': async () =>
      bearer(await mint(other, { kid: 'k-RS256' })),
    'garbage': async () => ({ authorization: 'Bearer not.a.jwt' }),
  };
  for (const [name, headers] of Object.entries(refused)) {
    test(`${name} is refused with 401 and the integration never runs`, async () => {
      const res = await get('/echo', await headers());
      assert.equal(res.status, 401);
      assert.equal(await res.text(), '{"message":"Unauthorized"}');
      assert.equal(res.headers.get('x-amzn-errortype'), 'UnauthorizedException');
      const rec = await accessLogFor(gw, res.headers.get('x-amzn-requestid'));
      assert.equal(rec.status, 401);
      assert.equal(rec.integration_us, 0);
      assert.equal(rec.principal, '');
      assert.notEqual(rec.error, '', 'the internal reason is logged');
    });
  }

  test('the internal reason is logged but never sent to the client', async () => {
    const token = await mint(pairs.RS256, { kid: 'k-RS256', aud: 'https://other-api' });
    const res = await get('/echo', bearer(token));
    const body = await res.text();
    assert.equal(body, '{"message":"Unauthorized"}');
    const rec = await accessLogFor(gw, res.headers.get('x-amzn-requestid'));
    assert.equal(rec.error, 'audience_mismatch');
    assert.ok(!JSON.stringify(gw.accessLog).includes(token), 'tokens never reach the log');
  });

  test('a token without the route\'s scope gets 403', async () => {
    const token = await mint(pairs.RS256, { kid: 'k-RS256' });
    const res = await get('/items/7', bearer(token));
    assert.equal(res.status, 403);
    assert.equal(await res.text(),
      '{"Message":"User is not authorized to access this resource"}');
    const ok = await get('/items/7', bearer(await mint(pairs.RS256, { kid: 'k-RS256',
      claims: { scope: 'read admin' } })));
    assert.equal(ok.status, 200);
    const scp = await get('/items/7', bearer(await mint(pairs.ES256, { kid: 'k-ES256',
      claims: { scope: undefined, scp: ['admin'] } })));
    assert.equal(scp.status, 200);
  });

  test('a route that does not exist gets 403 Missing Authentication Token', async () => {
    const res = await get('/nope');
    assert.equal(res.status, 403);
    assert.equal(await res.text(), '{"message":"Missing Authentication Token"}');
    const wrongMethod = await fetch(gw.url + '/public', { method: 'POST' });
    assert.equal(wrongMethod.status, 403);
  });

  test('a public route needs no token', async () => {
    const res = await get('/public');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { public: true });
  });

  test('a second request with the same token is a cache hit', async () => {
    const token = await mint(pairs.RS256, { kid: 'k-RS256', sub: 'cached' });
    const first = await get('/echo', bearer(token));
    const second = await get('/echo', bearer(token));
    assert.equal(second.status, 200);
    const r1 = await accessLogFor(gw, first.headers.get('x-amzn-requestid'));
    const r2 = await accessLogFor(gw, second.headers.get('x-amzn-requestid'));
    assert.equal(r1.cache, 'miss');
    assert.equal(r2.cache, 'hit');
  });

  test('curl sees the same answers', async () => {
    const token = await mint(pairs.RS256, { kid: 'k-RS256' });
    const ok = await curl(['-H', `Authorization: Bearer ${token}`, gw.url + '/echo']);
    assert.equal(ok.status, 200);
    const no = await curl([gw.url + '/echo']);
    assert.equal(no.status, 401);
    assert.equal(no.body, '{"message":"Unauthorized"}');
  });

  test('metrics count requests by route and status', async () => {
    const res = await fetch(gw.adminUrl + '/metrics');
    const text = await res.text();
    assert.match(text, /gatehouse_requests_total\{route="\/echo",method="ANY",status="200"\} [1-9]/);
    assert.match(text, /gatehouse_requests_total\{route="\/echo",method="ANY",status="401"\} [1-9]/);
    assert.match(text, /gatehouse_authorizer_cache_hits_total\{authorizer="jwt"\} [1-9]/);
    assert.equal((await fetch(gw.adminUrl + '/healthz')).status, 200);
    assert.equal((await fetch(gw.adminUrl + '/readyz')).status, 200);
  });
});

describe('JWT authorizer with an HMAC secret', () => {
  let gw;
  before(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret'), HMAC_SECRET, { mode: 0o600 });
    gw = await startGateway(gatewayYaml({
      keysYaml: `      hmac_secret: {file: ${join(dir, 'secret')}}`,
      algorithms: ['HS256'],
    }), { dir });
  });
  after(async () => { await gw.stop(); });

  test('an HS256 token with the shared secret passes; another secret does not', async () => {
    const good = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER)
      .setAudience(AUDIENCE).setSubject('hs').setExpirationTime('1h')
      .sign(new TextEncoder().encode(HMAC_SECRET));
    assert.equal((await fetch(gw.url + '/echo', { headers: { authorization: `Bearer ${good}` } }))
      .status, 200);
    const bad = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER)
      .setAudience(AUDIENCE).setSubject('hs').setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    assert.equal((await fetch(gw.url + '/echo', { headers: { authorization: `Bearer ${bad}` } }))
      .status, 401);
  });
});
