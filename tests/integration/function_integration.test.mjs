// Function integrations against the real binary. The seed scenario (examples/lambda-blog: its
// Node.js token authorizer and users handler) through gatehouse's runtime and through the official
// runtime client (aws-lambda-ric, an implementation we did not write), from the first request to
// SIGTERM; then, on the fixture gateway (functions_fixture.mjs), the proxy event field by field
// and the mapping of the proxy response.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startGateway, curl, waitFor, accessLogFor, issuerToken, tempDir, repoRoot, metric, call,
  DEMO_CLIENT, binary } from './harness.mjs';
import { NODE_MODULES, RIC_COMMAND, ricSkip, q, env, CLF_TIME, UNAUTHORIZED, DEADLINE_MS,
  FIXTURE_STAGE as STAGE, procStat, descendants, alive, issuerSection, stopCleanly,
  startFixtureGateway } from './functions_fixture.mjs';

const SEED = join(repoRoot, 'examples/lambda-blog');
const PRINCIPAL = `${DEMO_CLIENT}@clients`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A raw exchange (node:http), for response headers that appear more than once and for bytes.
function raw(gw, path) {
  return new Promise((resolve, reject) => {
    http.get(gw.url + path, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

// The header lines named `name` (any case) of a raw exchange, in order.
function headerLines(r, name) {
  const out = [];
  for (let i = 0; i < r.rawHeaders.length; i += 2) {
    if (r.rawHeaders[i].toLowerCase() === name.toLowerCase()) out.push(r.rawHeaders[i + 1]);
  }
  return out;
}

// `promise`, or a failure saying `message` once `ms` have passed.
function within(promise, ms, message) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// =============================================================================================
// The seed scenario (examples/lambda-blog/gatehouse.yaml and gatehouse.ric.yaml, with a temporary
// data directory and port 0), then SIGTERM.

// The seed's users handler (`run`: how its worker runs) and its table, at the end of `functions:`.
function usersYaml(run) {
  return `  users:
    ${run}
    working_dir: ${q(join(SEED, 'users'))}
    environment:
      USERS_TABLE: {table: users}
      NODE_PATH: ${q(NODE_MODULES)}
dynamodb: {listen: 127.0.0.1:0}
tables:
  users: {key: {pk: S, sk: S}}
`;
}

// The example's configuration, with the functions run by `runtime` ('bootstrap': runtime: node;
// 'ric': the official client). The authorizer's jsonwebtoken comes from this directory's
// node_modules (NODE_PATH), so the test does not need `npm ci` in examples/lambda-blog.
function seedYaml(runtime) {
  const ric = runtime === 'ric';
  const run = (handler) => (ric ? `command: ${RIC_COMMAND}
    handler: ${handler}
    concurrency: 1` : `runtime: node
    handler: ${handler}`);
  return `api: {name: blog, stage: Lab, listen: 127.0.0.1:0, default_authorizer: lambda}
data_dir: data
${issuerSection}functions:
  authorizer:
    ${run(ric ? 'adapter.handler' : 'index.handler')}
    working_dir: ${q(join(SEED, 'authorizer'))}
    environment:
      AUTH0_CLIENT_ID: https://blog-api
      AUTH0_CLIENT_PUBLIC_KEY: {issuer: certificate}
      NODE_PATH: ${q(NODE_MODULES)}
${usersYaml(run('index.handler'))}authorizers:
  lambda:
    type: token
    function: authorizer
    identity_source: method.request.header.Authorization
    cache_ttl_s: 300
    cache_scope: method
routes:
  - {path: /resource, methods: [GET, POST], integration: {type: function, function: users}}
  - {path: "/resource/{id}", methods: [GET, PUT, DELETE], integration: {type: function, function: users}}
admin: {listen: 127.0.0.1:0}
`;
}

for (const runtime of ['bootstrap', 'ric']) {
  const label = runtime === 'ric' ? 'aws-lambda-ric' : "gatehouse's Node.js runtime";
  describe(`the seed scenario: Node authorizer and handler through ${label}`,
    { skip: runtime === 'ric' ? ricSkip : false }, () => {
      let gw;
      let token;
      let item;
      const json = { 'content-type': 'application/json' };
      before(async () => {
        const dir = tempDir();
        gw = await startGateway(seedYaml(runtime), { dir, env,
          deadlineMs: DEADLINE_MS });
      });
      after(async () => { await gw?.stop(); });

      test('no token: 401, neither the authorizer nor the handler runs', async () => {
        const r = await call(gw, 'POST', '/resource', { headers: json, body: '{"name":"Ada"}' });
        assert.equal(r.status, 401);
        assert.equal(r.text, UNAUTHORIZED);
        assert.equal(r.headers.get('x-amzn-errortype'), 'UnauthorizedException');
        const rec = await accessLogFor(gw, r.headers.get('x-amzn-requestid'));
        assert.equal(rec.error, 'token_missing');
        assert.equal(rec.integration_us, 0);
        assert.equal(await metric(gw, 'gatehouse_authorizer_function_invocations_total',
          { authorizer: 'lambda' }), 0);
      });

      test('a token the authorizer rejects: 401 from the function, the handler never runs', async () => {
        const r = await call(gw, 'POST', '/resource', { token: 'not-a-jwt', headers: json,
          body: '{"name":"Ada"}' });
        assert.equal(r.status, 401);
        assert.equal(r.text, UNAUTHORIZED);
        const rec = await accessLogFor(gw, r.headers.get('x-amzn-requestid'));
        assert.equal(rec.integration_us, 0);
        assert.equal(await metric(gw, 'gatehouse_authorizer_function_invocations_total',
          { authorizer: 'lambda' }), 1);
        // The seed logs why; the gateway prefixes the line with the function's name.
        await waitFor(() => /\[authorizer [^\]]+\] .*Token invalid\. JsonWebTokenError: jwt malformed/
          .test(gw.stderr), { message: `no authorizer log line in: ${gw.stderr}` });
      });

      test('POST /oauth/token grants a token; GET /resource lists nothing yet', async () => {
        token = await issuerToken(gw);
        const r = await call(gw, 'GET', '/resource', { token });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { items: [] }, 'the refused POSTs stored nothing');
      });

      test('POST /resource with the token: 201 with the item and its id', async () => {
        const r = await call(gw, 'POST', '/resource', { token, headers: json,
          body: '{"name":"Ada","email":"ada@example.com"}' });
        assert.equal(r.status, 201, r.text);
        item = r.json;
        assert.match(item.id, UUID);
        assert.equal(item.name, 'Ada');
        assert.equal(item.email, 'ada@example.com');
        assert.equal(item.createdBy, PRINCIPAL, 'requestContext.authorizer.principalId reached the handler');
        assert.equal(r.headers.get('location'), `/resource/${item.id}`);
        assert.equal(r.headers.get('content-type'), 'application/json');
      });

      test('GET /resource: 200 with the item', async () => {
        const r = await call(gw, 'GET', '/resource', { token });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { items: [item] });
      });

      test('GET, PUT and DELETE /resource/{id}', async () => {
        let r = await call(gw, 'GET', `/resource/${item.id}`, { token });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, item);

        r = await call(gw, 'PUT', `/resource/${item.id}`, { token, headers: json,
          body: '{"name":"Ada L."}' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.id, item.id);
        assert.equal(r.json.name, 'Ada L.');
        assert.equal(r.json.email, undefined, 'PUT replaces the attributes');
        assert.equal(r.json.createdAt, item.createdAt);
        const replaced = r.json;
        r = await call(gw, 'GET', `/resource/${item.id}`, { token });
        assert.deepEqual(r.json, replaced);

        r = await call(gw, 'DELETE', `/resource/${item.id}`, { token });
        assert.equal(r.status, 204, r.text);
        assert.equal(r.text, '');
        r = await call(gw, 'GET', `/resource/${item.id}`, { token });
        assert.equal(r.status, 404, r.text);
        r = await call(gw, 'GET', '/resource', { token });
        assert.deepEqual(r.json, { items: [] });
      });

      test('/metrics exports the worker pools: invocations, results, workers, durations', async () => {
        const users = { function: 'users' };
        const invoked = await metric(gw, 'gatehouse_function_invocations_total', users);
        assert.ok(invoked >= 8, `users invocations: ${invoked}`);
        assert.equal(await metric(gw, 'gatehouse_function_results_total',
          { function: 'users', result: 'success' }), invoked);
        assert.equal(await metric(gw, 'gatehouse_function_results_total',
          { function: 'users', result: 'worker_crashed' }), 0);
        assert.ok(await metric(gw, 'gatehouse_function_workers', users) >= 1);
        assert.ok(await metric(gw, 'gatehouse_function_worker_starts_total', users) >= 1);
        assert.equal(await metric(gw, 'gatehouse_function_init_failures_total', users), 0);
        assert.equal(await metric(gw, 'gatehouse_function_busy_workers', users), 0);
        assert.equal(await metric(gw, 'gatehouse_function_queued_invocations', users), 0);
        assert.equal(await metric(gw, 'gatehouse_function_duration_seconds_count', users), invoked);
        assert.equal(await metric(gw, 'gatehouse_function_queue_wait_seconds_count', users), invoked);
        assert.ok(await metric(gw, 'gatehouse_function_invocations_total',
          { function: 'authorizer' }) >= 1);
      });

      test('SIGTERM: every worker process exits and gatehouse exits 0', async () => {
        const children = descendants(gw.child.pid);
        // One process per worker (npx runs the client under it, in the worker's process group).
        const direct = children.filter((pid) => procStat(pid)?.ppid === gw.child.pid);
        assert.ok(direct.length >= 2, `workers of both functions: ${direct}`);
        gw.child.kill('SIGTERM');
        assert.deepEqual(await within(gw.exited, DEADLINE_MS,
          `gatehouse still running ${DEADLINE_MS} ms after SIGTERM`), { code: 0, signal: null });
        await waitFor(() => children.every((pid) => !alive(pid)),
          { message: `still running: ${children.filter(alive)}` });
      });
    });
}

// =============================================================================================
// A runtime client in another language on the same endpoints: the C++ example authorizer
// (examples/cpp-authorizer: Boost.Beast, which waits for each answer) in front of the seed's users
// handler under gatehouse's Node.js runtime (which sends each outcome with its next /next).

const cppAuthorizer = join(dirname(binary), 'examples/cpp-authorizer/gatehouse-example-authorizer');
describe('the seed\'s users handler behind the C++ example authorizer', {
  skip: existsSync(cppAuthorizer) ? false : `not built: ${cppAuthorizer}`,
}, () => {
  let gw;
  let token;
  before(async () => {
    gw = await startGateway(`api: {name: blog, stage: Lab, listen: 127.0.0.1:0, default_authorizer: cpp}
data_dir: data
${issuerSection}functions:
  authorizer:
    command: [${q(cppAuthorizer)}]
    concurrency: 1
    environment:
      AUTH0_CLIENT_ID: https://blog-api
      AUTH0_CLIENT_PUBLIC_KEY: {issuer: certificate}
${usersYaml('runtime: node\n    handler: index.handler\n    concurrency: 1')}authorizers:
  cpp: {type: token, function: authorizer, identity_source: method.request.header.Authorization, cache_ttl_s: 0}
routes:
  - {path: /resource, methods: [GET, POST], integration: {type: function, function: users}}
admin: {listen: 127.0.0.1:0}
`, { dir: tempDir(), env, deadlineMs: DEADLINE_MS });
    token = await issuerToken(gw);
  });
  after(async () => { await stopCleanly(gw); });

  test('POST and GET /resource, each authorized by the C++ function; a bad token is 401', async () => {
    const json = { 'content-type': 'application/json' };
    const r = await call(gw, 'POST', '/resource', { token, headers: json, body: '{"name":"Ada"}' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.createdBy, PRINCIPAL);
    for (let i = 0; i < 5; i++) {
      const list = await call(gw, 'GET', '/resource', { token });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json, { items: [r.json] });
    }
    const refused = await call(gw, 'GET', '/resource', { token: `${token}x` });
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.text, UNAUTHORIZED);
    // Every request went to the authorizer (no cache), each through one worker that kept serving.
    assert.equal(await metric(gw, 'gatehouse_function_invocations_total', { function: 'authorizer' }), 7);
    assert.equal(await metric(gw, 'gatehouse_function_worker_starts_total', { function: 'authorizer' }), 1);
    assert.equal(await metric(gw, 'gatehouse_function_worker_starts_total', { function: 'users' }), 1);
  });
});

// =============================================================================================
// The proxy event and the proxy response, on the fixture gateway.

describe('function authorizers and integrations', () => {
  let gw;
  before(async () => {
    ({ gw } = await startFixtureGateway());
  });
  after(async () => { await stopCleanly(gw); });

  describe('the proxy event (payload 1.0)', () => {
    const EVENT_KEYS = ['resource', 'path', 'httpMethod', 'headers', 'multiValueHeaders',
      'queryStringParameters', 'multiValueQueryStringParameters', 'pathParameters',
      'stageVariables', 'requestContext', 'body', 'isBase64Encoded'];
    const CONTEXT_KEYS = ['accountId', 'apiId', 'domainName', 'domainPrefix', 'extendedRequestId',
      'httpMethod', 'identity', 'path', 'protocol', 'requestId', 'requestTime', 'requestTimeEpoch',
      'resourceId', 'resourcePath', 'stage'];
    const IDENTITY_KEYS = ['accessKey', 'accountId', 'caller', 'cognitoAuthenticationProvider',
      'cognitoAuthenticationType', 'cognitoIdentityId', 'cognitoIdentityPoolId', 'principalOrgId',
      'sourceIp', 'user', 'userAgent', 'userArn'];

    // A mock body's $context variables are read from the same facts as the proxy event.
    test('a template renders what the proxy event carries: path with the stage, the route template, identity, authorizer context', async () => {
      const headers = ['-H', 'Authorization: Bearer proxy-event', '-H', 'User-Agent: fixture-agent/2.0'];
      const echoed = await curl([`${gw.url}/echo/42`, ...headers]);
      const ctx = JSON.parse(echoed.body).requestContext;
      const rendered = await curl([`${gw.url}/template/42`, ...headers]);
      assert.equal(rendered.status, 200, rendered.body);
      const t = JSON.parse(rendered.body);
      assert.equal(t.path, ctx.path.replace('/echo/', '/template/'));
      assert.equal(t.path, `/${STAGE}/template/42`);
      assert.equal(t.resourcePath, '/template/{id}');
      assert.match(t.resourceId, /^[a-z0-9]{6}$/);
      assert.equal(t.sourceIp, ctx.identity.sourceIp);
      assert.equal(t.userAgent, 'fixture-agent/2.0');
      assert.equal(t.stage, ctx.stage);
      assert.equal(t.tenant, ctx.authorizer.tenant);
      assert.equal(t.tier, '3');
    });

    test('with a Lambda authorizer: every field, context values stringified', async () => {
      const host = `127.0.0.1:${gw.port}`;
      const started = Date.now();
      const r = await curl([`${gw.url}/echo/42?expand=true&tag=a&tag=b&q=a%20b%2Bc`,
        '-H', 'Authorization: Bearer proxy-event', '-H', 'X-Custom-Header: One',
        '-H', 'x-lower-case: two', '-H', 'X-Dup: 1', '-H', 'X-Dup: 2',
        '-H', 'User-Agent: fixture-agent/2.0', '-H', 'Accept: application/json']);
      assert.equal(r.status, 200, r.body);
      const event = JSON.parse(r.body);
      assert.deepEqual(Object.keys(event), EVENT_KEYS);
      assert.equal(event.resource, '/echo/{id}');
      assert.equal(event.path, '/echo/42');
      assert.equal(event.httpMethod, 'GET');
      assert.deepEqual(event.headers, { Host: host, 'User-Agent': 'fixture-agent/2.0',
        Accept: 'application/json', Authorization: 'Bearer proxy-event', 'X-Custom-Header': 'One',
        'x-lower-case': 'two', 'X-Dup': '2' }, 'names keep their casing; the last value wins');
      assert.deepEqual(event.multiValueHeaders, { Host: [host], 'User-Agent': ['fixture-agent/2.0'],
        Accept: ['application/json'], Authorization: ['Bearer proxy-event'],
        'X-Custom-Header': ['One'], 'x-lower-case': ['two'], 'X-Dup': ['1', '2'] });
      assert.deepEqual(event.queryStringParameters, { expand: 'true', tag: 'b', q: 'a b+c' });
      assert.deepEqual(event.multiValueQueryStringParameters,
        { expand: ['true'], tag: ['a', 'b'], q: ['a b+c'] });
      assert.deepEqual(event.pathParameters, { id: '42' });
      assert.equal(event.stageVariables, null, 'no stage variables: null');
      assert.equal(event.body, null);
      assert.equal(event.isBase64Encoded, false);

      const ctx = event.requestContext;
      assert.deepEqual(Object.keys(ctx).filter((k) => k !== 'authorizer').sort(), CONTEXT_KEYS);
      assert.equal(ctx.resourcePath, '/echo/{id}');
      assert.equal(ctx.httpMethod, 'GET');
      assert.equal(ctx.path, `/${STAGE}/echo/42`);
      assert.equal(ctx.stage, STAGE);
      assert.equal(ctx.accountId, '123456789012');
      assert.equal(ctx.apiId, 'gatehouse');
      assert.equal(ctx.domainPrefix, 'gatehouse');
      assert.equal(ctx.domainName, host);
      assert.equal(ctx.protocol, 'HTTP/1.1');
      assert.equal(ctx.requestId, r.headers['x-amzn-requestid']);
      assert.equal(ctx.extendedRequestId, r.headers['x-amz-apigw-id']);
      assert.match(ctx.requestTime, CLF_TIME);
      assert.ok(Number.isInteger(ctx.requestTimeEpoch));
      assert.ok(ctx.requestTimeEpoch >= started - 60000 && ctx.requestTimeEpoch <= Date.now() + 60000,
        'epoch milliseconds');
      assert.equal(typeof ctx.resourceId, 'string');
      for (const key of IDENTITY_KEYS) assert.ok(key in ctx.identity, `identity.${key}`);
      assert.equal(ctx.identity.sourceIp, '127.0.0.1');
      assert.equal(ctx.identity.userAgent, 'fixture-agent/2.0');

      const { integrationLatency, ...authorizer } = ctx.authorizer;
      assert.ok(Number.isInteger(integrationLatency) && integrationLatency >= 0,
        `integrationLatency is a number: ${integrationLatency}`);
      assert.deepEqual(authorizer, { principalId: 'user-1', tenant: 'acme', tier: '3',
        admin: 'true', ratio: '0.5' });
    });

    test('with the JWT authorizer: requestContext.authorizer.claims, as strings', async () => {
      const token = await issuerToken(gw);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
      const r = await call(gw, 'GET', '/jwt/echo', { token });
      assert.equal(r.status, 200, r.text);
      const { authorizer } = r.json.requestContext;
      assert.deepEqual(Object.keys(authorizer), ['claims', 'principalId']);
      assert.equal(authorizer.principalId, PRINCIPAL);
      assert.deepEqual(Object.keys(authorizer.claims).sort(), Object.keys(claims).sort());
      for (const [name, value] of Object.entries(claims)) {
        assert.equal(authorizer.claims[name], String(value), `claims.${name}`);
      }
      assert.equal(authorizer.claims.sub, PRINCIPAL);
      assert.match(authorizer.claims.exp, /^\d+$/);
    });

    test('no authorizer: no requestContext.authorizer; a text body as is', async () => {
      const r = await call(gw, 'POST', '/public/echo', {
        headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'héllo wörld ✓' });
      assert.equal(r.status, 200, r.text);
      assert.equal('authorizer' in r.json.requestContext, false);
      assert.equal(r.json.body, 'héllo wörld ✓');
      assert.equal(r.json.isBase64Encoded, false);
      assert.equal(r.json.pathParameters, null);
      assert.equal(r.json.queryStringParameters, null);
      assert.equal(r.json.multiValueQueryStringParameters, null);
      assert.equal(r.json.headers['content-length'], undefined, 'Content-Length is not passed on');
    });

    test('a body that is not UTF-8: base64 with isBase64Encoded true', async () => {
      const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41, 0xc3, 0x28, 0x0a]);
      const r = await call(gw, 'POST', '/public/echo', {
        headers: { 'content-type': 'application/octet-stream' }, body: bytes });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.isBase64Encoded, true);
      assert.equal(r.json.body, bytes.toString('base64'));
      assert.deepEqual(Buffer.from(r.json.body, 'base64'), bytes);
    });

    test('GET: body null', async () => {
      const r = await call(gw, 'GET', '/public/echo');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.body, null);
      assert.equal(r.json.isBase64Encoded, false);
    });
  });

  // ------------------------------------------------------------------------------------------
  describe('the proxy response', () => {
    test('statusCode, headers, multiValueHeaders: two Set-Cookie headers stay separate', async () => {
      const r = await raw(gw, '/respond/headers');
      assert.equal(r.status, 201);
      assert.equal(r.body.toString(), 'created');
      assert.equal(r.headers['content-type'], 'text/plain');
      assert.equal(r.headers['x-single'], 'one');
      assert.equal(r.headers['x-flag'], 'true');
      assert.deepEqual(headerLines(r, 'set-cookie'),
        ['a=1; Path=/', 'b=2; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT']);
      assert.equal(headerLines(r, 'x-multi').join(', '), 'x, y');
    });

    test('isBase64Encoded: the body is decoded to bytes', async () => {
      const r = await raw(gw, '/respond/binary');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/octet-stream');
      assert.deepEqual(r.body, Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28]));
    });

    test('a numeric string statusCode', async () => {
      const r = await raw(gw, '/respond/string-status');
      assert.equal(r.status, 202);
      assert.equal(r.body.toString(), 'accepted');
    });
  });
});
