// Identity confusion, tried as an attacker would: the real binary, a Node.js Lambda authorizer
// (REQUEST with a header source, REQUEST with a query-string source, TOKEN) with API Gateway's
// default cache (300 s), the built-in JWT authorizer, a crud table and an echo handler behind
// them. A request whose identity source is sent twice (the same header, a case variant, a query
// parameter under an encoded name) is refused with 401 before any cache lookup: no value that an
// authorizer did not judge Allow ever gets a 2xx, and nothing is written with it. What the
// integration receives is the very value that was judged. (Rule: docs/aws-compatibility.md §1.1.)
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, curl, accessLogFor, issuerToken, tempDir, repoRoot, runCli, DEMO_CLIENT,
  DEMO_SECRET, BLOG_AUDIENCE } from './harness.mjs';

const FIXTURES = join(repoRoot, 'tests/integration/functions/gateway');
const q = (s) => JSON.stringify(s);
const UNAUTHORIZED = '{"message":"Unauthorized"}';
// The one credential the gatekeeper authorizer allows (random per run: nothing else can know it).
const VALID = `valid-${randomBytes(8).toString('hex')}`;
const POISON = 'poison';

function identityYaml(dir) {
  return `api: {name: ident, stage: Lab, listen: 127.0.0.1:0}
data_dir: data
issuer:
  issuer_url: https://blog.gatehouse.local/
  clients:
    ${DEMO_CLIENT}:
      secret: {env: BLOG_DEMO_CLIENT_SECRET}
      audiences: [${BLOG_AUDIENCE}]
      scopes: [read:users]
functions:
  gatekeeper:
    runtime: node
    handler: authorizers.gatekeeper
    working_dir: ${q(FIXTURES)}
    concurrency: 1
    environment:
      VALID_CREDENTIAL: ${q(VALID)}
      INVOCATIONS_FILE: ${q(join(dir, 'invocations.jsonl'))}
  echo:
    runtime: node
    handler: handlers.echo
    working_dir: ${q(FIXTURES)}
    concurrency: 1
authorizers:
  by_header:
    type: request
    function: gatekeeper
    identity_source: method.request.header.Authorization
    cache_ttl_s: 300
  by_query:
    type: request
    function: gatekeeper
    identity_source: method.request.querystring.token
    cache_ttl_s: 300
  by_key:
    type: request
    function: gatekeeper
    identity_source: method.request.header.X-Api-Key
    cache_ttl_s: 300
  no_sources:
    type: request
    function: gatekeeper
    cache_ttl_s: 0
  by_token:
    type: token
    function: gatekeeper
    identity_source: method.request.header.Authorization
    cache_ttl_s: 300
  jwt:
    type: jwt
    audiences: [${BLOG_AUDIENCE}]
    keys: {issuer: self}
tables:
  users: {key: id}
routes:
  - {path: /h/resource, methods: [GET, POST], auth: by_header, integration: {type: crud, table: users}}
  - {path: /q/resource, methods: [GET, POST], auth: by_query, integration: {type: crud, table: users}}
  - {path: /t/resource, methods: [GET, POST], auth: by_token, integration: {type: crud, table: users}}
  - {path: /k/resource, methods: [GET, POST], auth: by_key, integration: {type: crud, table: users}}
  - {path: /n/resource, methods: [GET, POST], auth: no_sources, integration: {type: crud, table: users}}
  - {path: /j/resource, methods: [GET, POST], auth: jwt, integration: {type: crud, table: users}}
  - {path: /h/echo, method: GET, auth: by_header, integration: {type: function, function: echo}}
  - {path: /q/echo, method: GET, auth: by_query, integration: {type: function, function: echo}}
  - {path: /t/echo, method: GET, auth: by_token, integration: {type: function, function: echo}}
  - {path: /j/echo, method: GET, auth: jwt, integration: {type: function, function: echo}}
admin: {listen: 127.0.0.1:0}
`;
}

describe('identity sources sent twice, in every spelling, never get in', () => {
  let gw, dir, jwt;
  const invocations = () => {
    const file = join(dir, 'invocations.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  };
  // curl with exactly these header lines (curl sends each -H line as given, repeats included).
  const get = (path, headers = []) =>
    curl([...headers.flatMap((h) => ['-H', h]), `${gw.url}${path}`]);
  const post = (path, headers, body) => curl(['-X', 'POST', '-H', 'content-type: application/json',
    ...headers.flatMap((h) => ['-H', h]), '-d', JSON.stringify(body), `${gw.url}${path}`]);
  const refusedAsRepeated = async (r) => {
    assert.equal(r.status, 401, r.body);
    assert.equal(r.body, UNAUTHORIZED);
    const rec = await accessLogFor(gw, r.headers['x-amzn-requestid']);
    assert.equal(rec.error, 'identity_repeated');
    assert.equal(rec.cache, '', 'refused before the cache');
    assert.equal(rec.integration_us, 0);
  };

  before(async () => {
    dir = tempDir();
    gw = await startGateway(identityYaml(dir), { dir,
      env: { BLOG_DEMO_CLIENT_SECRET: DEMO_SECRET } });
    jwt = await issuerToken(gw);
  });
  after(async () => {
    // Nothing was ever written by a request that no authorizer judged Allow.
    const list = await get('/h/resource', [`Authorization: Bearer ${VALID}`]);
    assert.equal(list.status, 200);
    const names = JSON.parse(list.body).items.map((i) => i.name);
    assert.ok(!names.includes('poisoned'), `items: ${names}`);
    await gw.stop();
  });

  for (const [kind, prefix] of [['REQUEST (header source)', '/h'], ['TOKEN', '/t']]) {
    describe(kind, () => {
      test('step 1: a token the authorizer refuses is 401', async () => {
        const r = await get(`${prefix}/resource`, ['Authorization: Bearer not-a-token']);
        assert.equal(r.status, 401);
        assert.equal(r.body, UNAUTHORIZED);
      });

      test('step 2: poison and valid in one request, in either order or casing: 401, not invoked', async () => {
        const before = invocations();
        for (const headers of [
          [`Authorization: Bearer ${POISON}`, `Authorization: Bearer ${VALID}`],
          [`Authorization: Bearer ${VALID}`, `Authorization: Bearer ${POISON}`],
          [`Authorization: Bearer ${VALID}`, `authorization: Bearer ${POISON}`],
          [`AUTHORIZATION: Bearer ${POISON}`, `authorization: Bearer ${VALID}`],
          [`Authorization: Bearer ${VALID}`, 'Authorization;'],  // curl's spelling of an empty header
        ]) {
          await refusedAsRepeated(await get(`${prefix}/resource`, headers));
          await refusedAsRepeated(await post(`${prefix}/resource`, headers, { name: 'poisoned' }));
        }
        assert.equal(invocations(), before, 'the authorizer never ran');
      });

      test('step 3: the poisoned value alone is judged by the authorizer: 401, for every request', async () => {
        for (let i = 0; i < 3; i++) {
          const r = await get(`${prefix}/resource`, [`Authorization: Bearer ${POISON}`]);
          assert.equal(r.status, 401, r.body);
          const rec = await accessLogFor(gw, r.headers['x-amzn-requestid']);
          assert.equal(rec.error, 'function_unauthorized');
          const w = await post(`${prefix}/resource`, [`Authorization: Bearer ${POISON}`], { name: 'poisoned' });
          assert.equal(w.status, 401, w.body);
        }
      });

      test('the valid value alone is allowed, then served from the cache; poison still is not', async () => {
        const first = await post(`${prefix}/resource`, [`Authorization: Bearer ${VALID}`], { name: 'ok' });
        assert.equal(first.status, 201, first.body);
        const before = invocations();
        const second = await get(`${prefix}/resource`, [`authorization: Bearer ${VALID}`]);
        assert.equal(second.status, 200);
        assert.equal((await accessLogFor(gw, second.headers['x-amzn-requestid'])).cache, 'hit');
        assert.equal(invocations(), before);
        assert.equal((await get(`${prefix}/resource`, [`Authorization: Bearer ${POISON}`])).status, 401);
        await refusedAsRepeated(await get(`${prefix}/resource`,
          [`Authorization: Bearer ${POISON}`, `Authorization: Bearer ${VALID}`]));
      });

      test('the handler receives exactly the value that was judged', async () => {
        const r = await get(`${prefix}/echo`, [`Authorization: Bearer ${VALID}`]);
        assert.equal(r.status, 200, r.body);
        const event = JSON.parse(r.body);
        assert.equal(event.headers.Authorization, `Bearer ${VALID}`);
        assert.deepEqual(event.multiValueHeaders.Authorization, [`Bearer ${VALID}`]);
        assert.equal(event.requestContext.authorizer.principalId, 'gatekeeper-user');
        await refusedAsRepeated(await get(`${prefix}/echo`,
          [`Authorization: Bearer ${VALID}`, `Authorization: Bearer forged-admin-token`]));
      });
    });
  }

  describe('REQUEST (query-string source)', () => {
    test('step 1: a token the authorizer refuses is 401', async () => {
      assert.equal((await get('/q/resource?token=not-a-token')).status, 401);
    });

    test('step 2: the parameter twice, also under an encoded name: 401, not invoked', async () => {
      const before = invocations();
      for (const query of [`token=${POISON}&token=${VALID}`, `token=${VALID}&token=${POISON}`,
        `token=${POISON}&%74oken=${VALID}`, `%74oken=${VALID}&token=${POISON}`,
        `t%6Fken=${POISON}&token=${VALID}`, `token=${VALID}&token`]) {
        await refusedAsRepeated(await get(`/q/resource?${query}`));
        await refusedAsRepeated(await post(`/q/resource?${query}`, [], { name: 'poisoned' }));
      }
      assert.equal(invocations(), before);
    });

    test('step 3: the poisoned value alone is 401; the valid one is allowed and cached', async () => {
      for (let i = 0; i < 2; i++) {
        assert.equal((await get(`/q/resource?token=${POISON}`)).status, 401);
        assert.equal((await post(`/q/resource?token=${POISON}`, [], { name: 'poisoned' })).status, 401);
      }
      const ok = await get(`/q/resource?token=${VALID}`);
      assert.equal(ok.status, 200);
      const again = await get(`/q/resource?%74oken=${VALID}`);
      assert.equal(again.status, 200);
      assert.equal((await accessLogFor(gw, again.headers['x-amzn-requestid'])).cache, 'hit',
        'an encoded name is the same parameter, and the same identity');
      assert.equal((await get(`/q/resource?token=${POISON}`)).status, 401);
    });

    test('the handler receives exactly the value that was judged', async () => {
      const r = await get(`/q/echo?token=${VALID}&tenant=acme&%74enant=globex`);
      assert.equal(r.status, 200, r.body);
      const event = JSON.parse(r.body);
      assert.equal(event.queryStringParameters.token, VALID);
      assert.deepEqual(event.multiValueQueryStringParameters.token, [VALID]);
    });
  });

  describe('REQUEST (a header source with a dash)', () => {
    test('the same name with underscores beside it (X_Api_Key, merged by CGI-style adapters): 401, not invoked', async () => {
      const before = invocations();
      for (const headers of [['X-Api-Key: valid', 'X_Api_Key: forged'], ['x_api_key: forged', 'X-Api-Key: valid'],
        ['X_Api_Key: forged']]) {
        await refusedAsRepeated(await get('/k/resource', headers));
        await refusedAsRepeated(await post('/k/resource', headers, { name: 'poisoned' }));
      }
      assert.equal(invocations(), before);
    });
  });

  describe('REQUEST without identity sources (cache off)', () => {
    test('the function judges every request, repeated headers included, and nothing is cached', async () => {
      const before = invocations();
      assert.equal((await get('/n/resource', [`Authorization: Bearer ${VALID}`])).status, 200);
      assert.equal((await get('/n/resource', [`Authorization: Bearer ${VALID}`])).status, 200);
      assert.equal((await get('/n/resource', [`Authorization: Bearer ${POISON}`])).status, 401);
      // No source, so no identity rule: the function sees both values and judges the last.
      const both = await get('/n/resource', [`Authorization: Bearer ${VALID}`, `Authorization: Bearer ${POISON}`]);
      assert.equal(both.status, 401);
      assert.equal(invocations(), before + 4, 'one invocation per request');
    });
  });

  describe('the built-in JWT authorizer', () => {
    test('two Authorization headers, one of them valid, in either order: 401', async () => {
      for (const headers of [[`Authorization: Bearer ${jwt}`, 'Authorization: Bearer forged-admin-token'],
        ['Authorization: Bearer forged-admin-token', `authorization: Bearer ${jwt}`]]) {
        await refusedAsRepeated(await get('/j/echo', headers));
        await refusedAsRepeated(await post('/j/resource', headers, { name: 'poisoned' }));
      }
    });

    test('one valid token: the handler sees that token and its subject', async () => {
      const r = await get('/j/echo', [`Authorization: Bearer ${jwt}`]);
      assert.equal(r.status, 200, r.body);
      const event = JSON.parse(r.body);
      assert.equal(event.headers.Authorization, `Bearer ${jwt}`);
      assert.equal(event.requestContext.authorizer.principalId, `${DEMO_CLIENT}@clients`);
    });
  });
});

test('a header authorizers never see (Connection, Content-Length) cannot be an identity source', async () => {
  const dir = tempDir();
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, `api: {name: x, listen: 127.0.0.1:0}
functions: {auth: {command: [/bin/true]}}
authorizers:
  a: {type: request, function: auth, identity_source: method.request.header.Content-Length}
routes:
  - {path: /, method: GET, auth: a, integration: {type: mock}}
`);
  const out = await runCli(['check', '-c', config]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /gatehouse\.yaml:4:6: authorizers\.a\.identity_source: the Content-Length header is not passed to authorizers .* name another header/);
});
