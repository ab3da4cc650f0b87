// The embedded OAuth2 issuer against independent peers: every token endpoint error, both body encodings and both client authentications, rate limiting, the JWKS, certificate and discovery documents checked with jose, the `gatehouse token` command, and ES256/EdDSA keys end to end.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, blogYaml, blogEnv, issuerToken, runCli, runServe, tempDir, DEMO_CLIENT,
  DEMO_SECRET, BLOG_AUDIENCE, BLOG_ISSUER } from './harness.mjs';

// A client whose id and secret need form-urlencoding in HTTP Basic (RFC 6749 §2.3.1).
const SVC_CLIENT = 'svc.two~x';
const SVC_SECRET = 'p:a+s s/ü&=?';
const REPORTS_AUDIENCE = 'https://reports-api';
const DISABLED_CLIENT = 'disabled-client';
const DISABLED_SECRET = 'disabled-client-secret';
const OTHER_CLIENT = 'other-client';
const OTHER_SECRET = 'other-client-secret';
const SECRETS = [DEMO_SECRET, SVC_SECRET, DISABLED_SECRET, OTHER_SECRET];
const env = { ...blogEnv, SVC_SECRET, DISABLED_SECRET, OTHER_SECRET };

const clientsYaml = `    ${SVC_CLIENT}:
      secret: {env: SVC_SECRET}
      audiences: [${BLOG_AUDIENCE}, ${REPORTS_AUDIENCE}]
    ${DISABLED_CLIENT}:
      secret: {env: DISABLED_SECRET}
      audiences: [${BLOG_AUDIENCE}]
      grant_types: []
    ${OTHER_CLIENT}:
      secret: {env: OTHER_SECRET}
      audiences: [${BLOG_AUDIENCE}]
      scopes: [read:users]
`;

function limitsYaml(perClient, perPeer) {
  return `  max_failures_per_client: ${perClient}
  max_failures_per_peer: ${perPeer}
  rate_limit_window_s: 60
`;
}

// application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for Basic credentials.
const formEncode = (s) => new URLSearchParams({ v: s }).toString().slice(2);
const basicHeader = (id, secret, encode = true) => `Basic ${Buffer.from(
  encode ? `${formEncode(id)}:${formEncode(secret)}` : `${id}:${secret}`).toString('base64')}`;

// POSTs to the token endpoint. `body`: an object (sent as JSON, or as a form with form: true),
// or a string / Buffer sent as is.
async function tokenRequest(gw, body, { form = false, headers = {}, method = 'POST' } = {}) {
  const h = { ...headers };
  let payload = body;
  if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
    if (form) {
      payload = new URLSearchParams(body).toString();
      h['content-type'] ??= 'application/x-www-form-urlencoded';
    } else {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
  }
  const res = await fetch(`${gw.url}/oauth/token`, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// A JSON token request sent from another loopback address (127.0.0.2): another peer.
function tokenRequestFrom(localAddress, gw, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(`${gw.url}/oauth/token`, { method: 'POST', localAddress, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
    (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const creds = (extra = {}) => ({ grant_type: 'client_credentials', client_id: DEMO_CLIENT,
  client_secret: DEMO_SECRET, ...extra });

// An RFC 6749 §5.2 error: exact status and code, the JSON shape, no caching, WWW-Authenticate only
// after HTTP Basic, and no secret anywhere in the answer.
function assertOAuthError(r, status, error, { basic = false } = {}) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('pragma'), 'no-cache');
  assert.deepEqual(Object.keys(r.json), ['error', 'error_description']);
  assert.equal(r.json.error, error);
  assert.equal(typeof r.json.error_description, 'string');
  assert.notEqual(r.json.error_description, '');
  assert.equal(r.headers.get('www-authenticate'), basic ? 'Basic realm="gatehouse"' : null);
  for (const secret of SECRETS) {
    assert.ok(!r.text.includes(secret), 'the answer never contains a secret');
    assert.ok(!r.text.includes(formEncode(secret)), 'not even form-encoded');
  }
}

function assertTokenResponse(r, { scope } = {}) {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('pragma'), 'no-cache');
  const expectedKeys = ['access_token', 'token_type', 'expires_in', ...(scope === undefined ? [] : ['scope'])];
  assert.deepEqual(Object.keys(r.json).sort(), expectedKeys.sort());
  assert.equal(r.json.token_type, 'Bearer');
  assert.equal(r.json.expires_in, 86400);
  assert.equal(r.json.scope, scope);
  assert.match(r.json.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  return r.json.access_token;
}

const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
const headerOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url'));

function pemOfDer(derBase64) {
  return `-----BEGIN CERTIFICATE-----\n${derBase64.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
}
const derOfPem = (pem) => Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''),
  'base64');

async function getJson(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  return res.json();
}

describe('the token endpoint', () => {
  let gw;
  before(async () => {
    gw = await startGateway(blogYaml({ issuerExtra: limitsYaml(1000, 1000), clientExtra: clientsYaml }),
      { env });
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  describe('invalid_request: 400', () => {
    const cases = {
      'a JSON body without grant_type': () => tokenRequest(gw, { client_id: DEMO_CLIENT,
        client_secret: DEMO_SECRET }),
      'a form body without grant_type': () => tokenRequest(gw, { client_id: DEMO_CLIENT,
        client_secret: DEMO_SECRET }, { form: true }),
      'malformed JSON': () => tokenRequest(gw, `{"grant_type":"client_credentials","client_secret":"${DEMO_SECRET}"`,
        { headers: { 'content-type': 'application/json' } }),
      'a JSON array': () => tokenRequest(gw, JSON.stringify([creds()]),
        { headers: { 'content-type': 'application/json' } }),
      'a JSON parameter that is not a string': () => tokenRequest(gw, creds({ client_id: 7 })),
      'text/plain': () => tokenRequest(gw, JSON.stringify(creds()),
        { headers: { 'content-type': 'text/plain' } }),
      'no content type': () => tokenRequest(gw, Buffer.from(new URLSearchParams(creds()).toString())),
      'a charset other than UTF-8': () => tokenRequest(gw, creds(), { form: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' } }),
      'a bad %-escape in a form body': () => tokenRequest(gw,
        `grant_type=client_credentials&client_id=${DEMO_CLIENT}&client_secret=${DEMO_SECRET}%zz`,
        { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      'a form parameter sent twice': () => tokenRequest(gw,
        `grant_type=client_credentials&grant_type=client_credentials&client_id=${DEMO_CLIENT}&client_secret=${DEMO_SECRET}`,
        { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      'client_id without client_secret': () => tokenRequest(gw, { grant_type: 'client_credentials',
        client_id: DEMO_CLIENT }),
      'client_secret without client_id': () => tokenRequest(gw, { grant_type: 'client_credentials',
        client_secret: DEMO_SECRET }),
      'credentials both in Basic and in the body': () => tokenRequest(gw, creds(),
        { headers: { authorization: basicHeader(DEMO_CLIENT, DEMO_SECRET) } }),
      'a body client_id other than the Basic one': () => tokenRequest(gw,
        { grant_type: 'client_credentials', client_id: SVC_CLIENT },
        { headers: { authorization: basicHeader(DEMO_CLIENT, DEMO_SECRET) } }),
      'Basic credentials without a colon': () => tokenRequest(gw,
        { grant_type: 'client_credentials' },
        { headers: { authorization: `Basic ${Buffer.from(DEMO_SECRET).toString('base64')}` } }),
      'Basic credentials that are not base64': () => tokenRequest(gw,
        { grant_type: 'client_credentials' }, { headers: { authorization: 'Basic !!!not-base64!!!' } }),
      'no audience from a client with several': () => tokenRequest(gw,
        { grant_type: 'client_credentials', client_id: SVC_CLIENT, client_secret: SVC_SECRET }),
    };
    for (const [name, send] of Object.entries(cases)) {
      test(name, async () => assertOAuthError(await send(), 400, 'invalid_request'));
    }

    test('the descriptions say what was wrong without echoing values', async () => {
      let r = await cases['a JSON body without grant_type']();
      assert.equal(r.json.error_description, 'missing grant_type');
      r = await cases['no audience from a client with several']();
      assert.equal(r.json.error_description,
        `audience is required: client '${SVC_CLIENT}' may call several APIs; name one`);
      r = await cases['a bad %-escape in a form body']();
      assert.match(r.json.error_description, /client_secret/);
    });
  });

  describe('invalid_client: 401', () => {
    test('no client credentials at all', async () => {
      assertOAuthError(await tokenRequest(gw, { grant_type: 'client_credentials' }), 401,
        'invalid_client');
    });

    test('a wrong secret in a JSON body, without WWW-Authenticate', async () => {
      const r = await tokenRequest(gw, creds({ client_secret: `${DEMO_SECRET}-wrong` }));
      assertOAuthError(r, 401, 'invalid_client');
      assert.equal(r.json.error_description,
        'client authentication failed: unknown client or wrong secret');
      assert.ok(!r.text.includes(`${DEMO_SECRET}-wrong`));
    });

    test('a wrong secret in a form body', async () => {
      assertOAuthError(await tokenRequest(gw, creds({ client_secret: 'nope' }), { form: true }),
        401, 'invalid_client');
    });

    test('an unknown client gets the same answer as a wrong secret', async () => {
      const unknown = await tokenRequest(gw, creds({ client_id: 'nobody-here' }));
      assertOAuthError(unknown, 401, 'invalid_client');
      const wrong = await tokenRequest(gw, creds({ client_secret: 'nope' }));
      assert.equal(unknown.text, wrong.text);
    });

    test('a wrong secret by HTTP Basic carries WWW-Authenticate', async () => {
      assertOAuthError(await tokenRequest(gw, { grant_type: 'client_credentials' },
        { headers: { authorization: basicHeader(DEMO_CLIENT, 'nope') } }), 401, 'invalid_client',
      { basic: true });
    });

    test('the secret sent in Basic without form-urlencoding does not authenticate', async () => {
      // '+' decodes to a space, so the server sees another secret.
      assertOAuthError(await tokenRequest(gw, { grant_type: 'client_credentials',
        audience: BLOG_AUDIENCE }, { headers: { authorization: basicHeader(SVC_CLIENT, 'p:a+s s/x', false) } }),
      401, 'invalid_client', { basic: true });
    });

    test('an Authorization scheme other than Basic', async () => {
      assertOAuthError(await tokenRequest(gw, creds(),
        { headers: { authorization: 'Bearer abc.def.ghi' } }), 401, 'invalid_client', { basic: true });
    });

    test('a disabled client with a wrong secret learns nothing more', async () => {
      assertOAuthError(await tokenRequest(gw, { grant_type: 'client_credentials',
        client_id: DISABLED_CLIENT, client_secret: 'nope' }), 401, 'invalid_client');
    });
  });

  test('unauthorized_client: 400 for a client with grant_types: []', async () => {
    const r = await tokenRequest(gw, { grant_type: 'client_credentials', client_id: DISABLED_CLIENT,
      client_secret: DISABLED_SECRET });
    assertOAuthError(r, 400, 'unauthorized_client');
    assert.equal(r.json.error_description,
      `client '${DISABLED_CLIENT}' may not use the client_credentials grant`);
  });

  for (const grant of ['password', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
    test(`unsupported_grant_type: 400 for ${grant}`, async () => {
      assertOAuthError(await tokenRequest(gw, creds({ grant_type: grant })), 400,
        'unsupported_grant_type');
    });
  }

  for (const scope of ['admin', 'read:users admin', 'read:users:all']) {
    test(`invalid_scope: 400 for scope '${scope}'`, async () => {
      const r = await tokenRequest(gw, creds({ scope }));
      assertOAuthError(r, 400, 'invalid_scope');
      assert.match(r.json.error_description, /^scope '[^']+' is not allowed for client 'blog-demo'$/);
    });
  }

  test('access_denied: 403 for an audience the client may not call', async () => {
    const r = await tokenRequest(gw, creds({ audience: REPORTS_AUDIENCE }));
    assertOAuthError(r, 403, 'access_denied');
    assert.equal(r.json.error_description,
      `client '${DEMO_CLIENT}' is not allowed to access audience '${REPORTS_AUDIENCE}'`);
  });

  describe('405 with Allow for the wrong method', () => {
    const cases = [
      ['GET', '/oauth/token', 'POST'],
      ['PUT', '/oauth/token', 'POST'],
      ['DELETE', '/oauth/token', 'POST'],
      ['POST', '/.well-known/jwks.json', 'GET'],
      ['PUT', '/.well-known/openid-configuration', 'GET'],
      ['POST', '/pem', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      test(`${method} ${path}`, async () => {
        const res = await fetch(gw.url + path, { method });
        assert.equal(res.status, 405);
        assert.equal(res.headers.get('allow'), allow);
        assert.equal(res.headers.get('content-type'), 'application/json');
        assert.deepEqual(await res.json(), { error: 'method_not_allowed',
          error_description: `method ${method} is not allowed on ${path}; use ${allow}` });
      });
    }
  });

  describe('successful grants', () => {
    test('a JSON body; every scope when none is asked for; the only audience by default', async () => {
      const r = await tokenRequest(gw, { grant_type: 'client_credentials', client_id: DEMO_CLIENT,
        client_secret: DEMO_SECRET });
      const token = assertTokenResponse(r, { scope: 'read:users write:users' });
      const claims = claimsOf(token);
      assert.equal(claims.aud, BLOG_AUDIENCE);
      assert.equal(claims.scope, 'read:users write:users');
      assert.ok(!token.includes(Buffer.from(DEMO_SECRET).toString('base64url')));
    });

    test('a form body (with charset=UTF-8) and a subset of the scopes', async () => {
      const r = await tokenRequest(gw, creds({ scope: 'write:users', audience: BLOG_AUDIENCE }),
        { form: true, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } });
      const token = assertTokenResponse(r, { scope: 'write:users' });
      assert.equal(claimsOf(token).scope, 'write:users');
    });

    test('repeated and extra spaces in scope are collapsed', async () => {
      const r = await tokenRequest(gw, creds({ scope: 'read:users  read:users ' }));
      assert.equal(claimsOf(assertTokenResponse(r, { scope: 'read:users' })).scope, 'read:users');
    });

    test('unknown parameters are ignored and empty ones count as omitted', async () => {
      const r = await tokenRequest(gw, creds({ audience: '', scope: '', resource: 'x' }), { form: true });
      assertTokenResponse(r, { scope: 'read:users write:users' });
    });

    test('HTTP Basic with a form-urlencoded id and secret', async () => {
      const r = await tokenRequest(gw, { grant_type: 'client_credentials', audience: REPORTS_AUDIENCE },
        { form: true, headers: { authorization: basicHeader(SVC_CLIENT, SVC_SECRET) } });
      // The client has no scopes: nothing to grant, so no scope in the answer or the token.
      const token = assertTokenResponse(r);
      const claims = claimsOf(token);
      assert.equal(claims.sub, `${SVC_CLIENT}@clients`);
      assert.equal(claims.azp, SVC_CLIENT);
      assert.equal(claims.aud, REPORTS_AUDIENCE);
      assert.equal(claims.scope, undefined);
    });

    test('HTTP Basic with a JSON body naming the same client_id', async () => {
      const r = await tokenRequest(gw, { grant_type: 'client_credentials', client_id: SVC_CLIENT,
        audience: BLOG_AUDIENCE }, { headers: { authorization: basicHeader(SVC_CLIENT, SVC_SECRET) } });
      assert.equal(claimsOf(assertTokenResponse(r)).aud, BLOG_AUDIENCE);
    });

    test('the tokens are accepted by the API', async () => {
      const token = assertTokenResponse(await tokenRequest(gw, creds({ scope: 'read:users' })),
        { scope: 'read:users' });
      const res = await fetch(`${gw.url}/resource`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { items: [] });
    });
  });

  describe('keys and documents, checked with jose', () => {
    test('a token verifies against the served JWKS with the issuer and audience', async () => {
      const JWKS = jose.createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
      const before = Math.floor(Date.now() / 1000);
      const token = await issuerToken(gw);
      const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS,
        { issuer: BLOG_ISSUER, audience: BLOG_AUDIENCE, algorithms: ['RS256'] });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(protectedHeader.typ, 'JWT');
      assert.deepEqual(Object.keys(payload).sort(),
        ['aud', 'azp', 'exp', 'gty', 'iat', 'iss', 'jti', 'scope', 'sub']);
      assert.equal(payload.sub, `${DEMO_CLIENT}@clients`);
      assert.equal(payload.azp, DEMO_CLIENT);
      assert.equal(payload.gty, 'client-credentials');
      assert.equal(payload.scope, 'read:users write:users');
      assert.equal(payload.exp - payload.iat, 86400);
      assert.ok(payload.iat >= before - 1);
      assert.match(payload.jti, /^[\w-]{16,}$/);

      const jwks = await getJson(`${gw.url}/.well-known/jwks.json`);
      assert.equal(jwks.keys.length, 1);
      const key = jwks.keys[0];
      assert.equal(key.kty, 'RSA');
      assert.equal(key.alg, 'RS256');
      assert.equal(key.use, 'sig');
      assert.equal(protectedHeader.kid, key.kid);
      assert.equal(key.kid, await jose.calculateJwkThumbprint(key));
      assert.equal(jwks.keys.some((k) => 'd' in k || 'p' in k), false, 'no private parts');

      const second = await issuerToken(gw);
      assert.notEqual(claimsOf(second).jti, payload.jti, 'every token has its own jti');
      await assert.rejects(jose.jwtVerify(token, JWKS, { issuer: 'https://other/' }));
      await assert.rejects(jose.jwtVerify(token, JWKS, { audience: REPORTS_AUDIENCE }));
    });

    test('the x5c certificate and /pem hold the JWKS key', async () => {
      const key = (await getJson(`${gw.url}/.well-known/jwks.json`)).keys[0];
      const res = await fetch(`${gw.url}/pem`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/x-pem-file');
      const pem = await res.text();
      assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);

      const fromPem = await jose.exportJWK(await jose.importX509(pem, 'RS256', { extractable: true }));
      const fromX5c = await jose.exportJWK(await jose.importX509(pemOfDer(key.x5c[0]), 'RS256',
        { extractable: true }));
      for (const jwk of [fromPem, fromX5c]) {
        assert.equal(jwk.kty, 'RSA');
        assert.equal(jwk.n, key.n);
        assert.equal(jwk.e, key.e);
      }
      assert.equal(key.x5c.length, 1);
      assert.deepEqual(derOfPem(pem), Buffer.from(key.x5c[0], 'base64'), 'the same certificate');
      assert.equal(key.x5t, createHash('sha1').update(Buffer.from(key.x5c[0], 'base64'))
        .digest('base64url'));
    });

    test('the discovery document points at this listener', async () => {
      const doc = await getJson(`${gw.url}/.well-known/openid-configuration`);
      assert.equal(doc.issuer, BLOG_ISSUER);
      assert.equal(doc.jwks_uri, `http://127.0.0.1:${gw.port}/.well-known/jwks.json`);
      assert.equal(doc.token_endpoint, `http://127.0.0.1:${gw.port}/oauth/token`);
      assert.deepEqual(doc.grant_types_supported, ['client_credentials']);
      assert.deepEqual(doc.token_endpoint_auth_methods_supported.sort(),
        ['client_secret_basic', 'client_secret_post']);
      assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
      // A client that only knows the discovery URL gets a verifying key set from it.
      const token = await issuerToken(gw);
      const { payload } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(doc.jwks_uri)),
        { issuer: doc.issuer, audience: BLOG_AUDIENCE });
      assert.equal(payload.sub, `${DEMO_CLIENT}@clients`);
      // And the advertised token endpoint is the one that answers.
      const r = await fetch(doc.token_endpoint, { method: 'POST',
        headers: { 'content-type': 'application/json' }, body: JSON.stringify(creds()) });
      assert.equal(r.status, 200);
    });
  });

  describe('gatehouse token', () => {
    test('prints a token that jose verifies and the CRUD API accepts', async () => {
      const out = await runCli(['token', '-c', gw.configPath, '--client', DEMO_CLIENT], env);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stderr, '');
      assert.match(out.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const token = out.stdout.trim();
      const JWKS = jose.createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS,
        { issuer: BLOG_ISSUER, audience: BLOG_AUDIENCE });
      const key = (await getJson(`${gw.url}/.well-known/jwks.json`)).keys[0];
      assert.equal(protectedHeader.kid, key.kid);
      assert.equal(payload.sub, `${DEMO_CLIENT}@clients`);
      assert.equal(payload.scope, 'read:users write:users');
      assert.equal(payload.gty, 'client-credentials');

      const res = await fetch(`${gw.url}/resource`, { method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"from":"cli"}' });
      assert.equal(res.status, 201);
      const item = await res.json();
      assert.equal(item.from, 'cli');
      assert.equal(item.createdBy, `${DEMO_CLIENT}@clients`);
      assert.equal(res.headers.get('location'), `/resource/${item.id}`);
    });

    test('--audience and --scope narrow the token', async () => {
      const out = await runCli(['token', '-c', gw.configPath, '--client', SVC_CLIENT,
        '--audience', REPORTS_AUDIENCE], env);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(claimsOf(out.stdout.trim()).aud, REPORTS_AUDIENCE);
      const scoped = await runCli(['token', '-c', gw.configPath, '--client', DEMO_CLIENT,
        '--scope', 'read:users'], env);
      assert.equal(scoped.code, 0, scoped.stderr);
      assert.equal(claimsOf(scoped.stdout.trim()).scope, 'read:users');
      assert.equal(headerOf(scoped.stdout.trim()).alg, 'RS256');
    });

    test('refusals exit 2 with a reason and no token', async () => {
      const cases = [
        [['--client', DEMO_CLIENT, '--scope', 'admin'], env,
          `gatehouse: scope 'admin' is not allowed for client '${DEMO_CLIENT}'\n`],
        [['--client', 'nobody-here'], env,
          `gatehouse: ${gw.configPath} has no issuer client 'nobody-here'\n`],
        [['--client', SVC_CLIENT], env,
          `gatehouse: client '${SVC_CLIENT}' may request several audiences; pick one with --audience\n`],
      ];
      for (const [args, e, stderr] of cases) {
        const out = await runCli(['token', '-c', gw.configPath, ...args], e);
        assert.equal(out.code, 2, args.join(' '));
        assert.equal(out.stdout, '');
        assert.equal(out.stderr, stderr);
      }
      const noSecret = await runCli(['token', '-c', gw.configPath, '--client', DEMO_CLIENT],
        { ...env, BLOG_DEMO_CLIENT_SECRET: '' });
      assert.equal(noSecret.code, 2);
      assert.equal(noSecret.stdout, '');
      assert.match(noSecret.stderr, /BLOG_DEMO_CLIENT_SECRET/);
      for (const secret of SECRETS) assert.ok(!noSecret.stderr.includes(secret));
    });
  });
});

describe('rate limiting per client from one address', () => {
  let gw;
  before(async () => {
    gw = await startGateway(blogYaml({ issuerExtra: limitsYaml(3, 1000), clientExtra: clientsYaml }),
      { env });
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  test('after 3 failures from one address the client gets 429 there, even with the right secret',
    async () => {
    for (let i = 0; i < 3; i++) {
      assertOAuthError(await tokenRequest(gw, creds({ client_secret: `wrong-${i}` })), 401,
        'invalid_client');
    }
    const limited = await tokenRequest(gw, creds({ client_secret: 'wrong-3' }));
    assertOAuthError(limited, 429, 'too_many_requests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After ${limited.headers.get('retry-after')}`);
    assert.match(limited.json.error_description, /^too many failed client authentications; retry in \d+ s$/);

    const right = await tokenRequest(gw, creds());
    assertOAuthError(right, 429, 'too_many_requests');
    assert.match(right.headers.get('retry-after'), /^\d+$/);
    const basic = await tokenRequest(gw, { grant_type: 'client_credentials' },
      { form: true, headers: { authorization: basicHeader(DEMO_CLIENT, DEMO_SECRET) } });
    assert.equal(basic.status, 429);
    assert.equal(basic.json.error, 'too_many_requests');
  });

  test('nobody can lock a client out: from another address the right secret still works',
    async () => {
      for (let i = 0; i < 10; i++) {
        const r = await tokenRequestFrom('127.0.0.2', gw, creds({ client_secret: `nope-${i}` }));
        assert.ok([401, 429].includes(r.status), r.text);
      }
      const there = await tokenRequestFrom('127.0.0.2', gw, creds());
      assert.equal(there.status, 429, 'the guessing address is blocked');
      const elsewhere = await tokenRequestFrom('127.0.0.3', gw, creds());
      assert.equal(elsewhere.status, 200, elsewhere.text);
      assert.ok(elsewhere.json.access_token);
    });

  test('other clients from the same address are not limited', async () => {
    const r = await tokenRequest(gw, { grant_type: 'client_credentials', client_id: OTHER_CLIENT,
      client_secret: OTHER_SECRET });
    assertTokenResponse(r, { scope: 'read:users' });
  });
});

describe('rate limiting per peer address', () => {
  let gw;
  before(async () => {
    gw = await startGateway(blogYaml({ issuerExtra: limitsYaml(1000, 4), clientExtra: clientsYaml }),
      { env });
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  test('after 4 failures from one address every client is refused with 429', async () => {
    for (let i = 0; i < 4; i++) {
      assertOAuthError(await tokenRequest(gw, creds({ client_id: `ghost-${i}` })), 401,
        'invalid_client');
    }
    const limited = await tokenRequest(gw, creds({ client_id: 'ghost-4' }));
    assertOAuthError(limited, 429, 'too_many_requests');
    assert.match(limited.headers.get('retry-after'), /^\d+$/);
    for (const [id, secret] of [[DEMO_CLIENT, DEMO_SECRET], [OTHER_CLIENT, OTHER_SECRET]]) {
      const r = await tokenRequest(gw, { grant_type: 'client_credentials', client_id: id,
        client_secret: secret });
      assertOAuthError(r, 429, 'too_many_requests');
    }
  });

  test('the documents are still served', async () => {
    assert.equal((await getJson(`${gw.url}/.well-known/jwks.json`)).keys.length, 1);
  });
});

for (const [alg, kty, crv] of [['ES256', 'EC', 'P-256'], ['EdDSA', 'OKP', 'Ed25519']]) {
  describe(`the issuer with algorithm: ${alg}`, () => {
    let gw;
    before(async () => {
      gw = await startGateway(blogYaml({ issuerExtra: `  algorithm: ${alg}\n` }), { env: blogEnv });
    });
    after(async () => {
      const { code } = await gw.stop();
      assert.equal(code, 0);
    });

    test('token → jose verifies it → 201 on POST /resource', async () => {
      const token = await issuerToken(gw);
      const JWKS = jose.createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS,
        { issuer: BLOG_ISSUER, audience: BLOG_AUDIENCE, algorithms: [alg] });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.sub, `${DEMO_CLIENT}@clients`);

      const jwks = await getJson(`${gw.url}/.well-known/jwks.json`);
      assert.equal(jwks.keys.length, 1);
      const key = jwks.keys[0];
      assert.equal(key.kty, kty);
      assert.equal(key.crv, crv);
      assert.equal(key.alg, alg);
      assert.equal(protectedHeader.kid, key.kid);
      assert.equal(key.kid, await jose.calculateJwkThumbprint(key));

      const cert = await jose.exportJWK(await jose.importX509(await (await fetch(`${gw.url}/pem`)).text(),
        alg, { extractable: true }));
      assert.equal(cert.x, key.x);
      assert.equal(cert.y, key.y);
      const doc = await getJson(`${gw.url}/.well-known/openid-configuration`);
      assert.deepEqual(doc.id_token_signing_alg_values_supported, [alg]);

      const res = await fetch(`${gw.url}/resource`, { method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ alg }) });
      assert.equal(res.status, 201);
      const item = await res.json();
      assert.equal(item.alg, alg);
      const got = await fetch(`${gw.url}/resource/${item.id}`,
        { headers: { authorization: `Bearer ${token}` } });
      assert.equal(got.status, 200);
      assert.deepEqual(await got.json(), item);
    });

    test('the CLI signs with the same key', async () => {
      const out = await runCli(['token', '-c', gw.configPath, '--client', DEMO_CLIENT], blogEnv);
      assert.equal(out.code, 0, out.stderr);
      const token = out.stdout.trim();
      assert.equal(headerOf(token).alg, alg);
      await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`)),
        { issuer: BLOG_ISSUER, audience: BLOG_AUDIENCE });
      const res = await fetch(`${gw.url}/resource`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
    });
  });
}

test('a route on an issuer endpoint is refused by check and by serve alike', async () => {
  const dir = tempDir();
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, blogYaml({ routeExtra: `  - path: /{proxy+}
    method: ANY
    integration: {type: mock}
` }));
  const why = /routes\[2\]\.path: GET \/oauth\/token is an endpoint of the embedded issuer/;
  const checked = await runCli(['check', '-c', config], blogEnv);
  assert.equal(checked.code, 2);
  assert.match(checked.stderr, why);
  const served = await runServe(config, { env: blogEnv });
  assert.equal(served.code, 2);
  assert.match(served.stderr, why);
  rmSync(dir, { recursive: true, force: true });
});
