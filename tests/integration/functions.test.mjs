// Lambda functions run by the gateway itself (functions:, token/request authorizers, function
// integrations), against the real binary: the seed's Node.js authorizer and users handler
// (examples/lambda-blog) through gatehouse's runtime and through the official runtime client
// (aws-lambda-ric, an implementation we did not write); authorizer caching; the TOKEN, REQUEST and
// proxy events field by field; the proxy response mapping; every failure mode with the pool
// healthy afterwards; concurrency; shutdown; the workers' environment.
// Fixture functions live in functions/gateway/ (authorizers.js, handlers.js, init-throws.js).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, curl, waitFor, accessLogFor, issuerToken, tempDir, repoRoot, metric, call,
  DEMO_CLIENT, DEMO_SECRET, BLOG_AUDIENCE } from './harness.mjs';

const here = join(repoRoot, 'tests/integration');
const FIXTURES = join(here, 'functions/gateway');
const SEED = join(repoRoot, 'examples/lambda-blog');
const NODE_MODULES = join(here, 'node_modules');
// The official client, resolved from this directory's node_modules whatever the worker's working
// directory is (npx --prefix); aws-lambda-ric reads _HANDLER and loads it from its cwd.
const RIC_COMMAND = `[npx, --no-install, --prefix, ${JSON.stringify(here)}, aws-lambda-ric]`;
const haveRic = existsSync(join(NODE_MODULES, 'aws-lambda-ric/package.json')) &&
  existsSync(join(NODE_MODULES, 'jsonwebtoken/package.json'));
const ricSkip = haveRic ? false : 'aws-lambda-ric / jsonwebtoken not installed (npm ci in tests/integration)';

const q = (s) => JSON.stringify(s);  // a YAML double-quoted scalar
const PRINCIPAL = `${DEMO_CLIENT}@clients`;
const env = { BLOG_DEMO_CLIENT_SECRET: DEMO_SECRET };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLF_TIME = /^\d\d\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d\d:\d\d:\d\d \+0000$/;
const INTERNAL_ERROR = '{"message": "Internal server error"}';
const TIMED_OUT = '{"message": "Endpoint request timed out"}';
const UNAUTHORIZED = '{"message":"Unauthorized"}';
const AUTHORIZER_ERROR = '{"message":null}';
const EXPLICIT_DENY = '{"Message":"User is not authorized to access this resource with an explicit deny"}';
const IMPLICIT_DENY = '{"Message":"User is not authorized to access this resource"}';

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

// The invocations a fixture authorizer recorded: [{ pid, event }], in order.
function invocations(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
const tokenCalls = (file, token) => invocations(file)
  .filter((r) => r.event.authorizationToken === `Bearer ${token}`);


// Process bookkeeping from /proc: parent pid and state of a process, its whole subtree.
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}
function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (!st) continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(Number(name));
  }
  const out = [];
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
// Alive: signalable and not a zombie (an orphan's zombie may wait for a reaper that never comes).
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const st = procStat(pid);
  return st !== null && st.state !== 'Z';
}
function workerEnviron(pid) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

const issuerSection = `issuer:
  issuer_url: https://blog.gatehouse.local/
  algorithm: RS256
  clients:
    ${DEMO_CLIENT}:
      secret: {env: BLOG_DEMO_CLIENT_SECRET}
      audiences: [${BLOG_AUDIENCE}]
      scopes: [read:users, write:users]
      token_lifetime_s: 86400
`;

// =============================================================================================
// 1. The seed scenario (examples/lambda-blog/gatehouse.yaml and gatehouse.ric.yaml, with a
//    temporary data directory and port 0), then SIGTERM.

// The example's configuration, with the functions run by `runtime` ('bootstrap': runtime: node;
// 'ric': the official client). The authorizer's jsonwebtoken comes from this directory's
// node_modules (NODE_PATH), so the test does not need `npm ci` in examples/lambda-blog.
function seedYaml(runtime, usersDir) {
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
  users:
    ${run('index.handler')}
    working_dir: ${q(join(SEED, 'users'))}
    environment: {USERS_DIR: ${q(usersDir)}}
authorizers:
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
        gw = await startGateway(seedYaml(runtime, join(dir, 'users')), { dir, env });
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
          { function: 'users', result: 'crash' }), 0);
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
        assert.deepEqual(await gw.exited, { code: 0, signal: null });
        await waitFor(() => children.every((pid) => !alive(pid)),
          { message: `still running: ${children.filter(alive)}` });
      });
    });
}

// =============================================================================================
// 3. The TOKEN and REQUEST authorizer events, field by field, and REQUEST identity sources; the
//    proxy event's stageVariables. A fixture authorizer records every event it gets.

describe('authorizer events', () => {
  let gw;
  let recorded;
  const STAGE = 'test';
  const ARN = `arn:aws:execute-api:us-east-1:123456789012:gatehouse/${STAGE}`;
  before(async () => {
    const dir = tempDir();
    recorded = join(dir, 'recorder.jsonl');
    gw = await startGateway(`api:
  name: events
  stage: ${STAGE}
  listen: 127.0.0.1:0
  stage_variables: {mode: dev, retries: 3, debug: true}
functions:
  recorder:
    runtime: node
    handler: authorizers.recorder
    working_dir: ${q(FIXTURES)}
    concurrency: 1
    environment: {INVOCATIONS_FILE: ${q(recorded)}}
  echo:
    runtime: node
    handler: handlers.echo
    working_dir: ${q(FIXTURES)}
    concurrency: 1
authorizers:
  tok: {type: token, function: recorder, cache_ttl_s: 0}
  req:
    type: request
    function: recorder
    identity_source: "method.request.header.X-Api-Key, method.request.querystring.tenant, stageVariables.mode, context.httpMethod"
    cache_ttl_s: 0
  req_cached:
    type: request
    function: recorder
    identity_source: [method.request.header.X-Api-Key, context.httpMethod]
    cache_ttl_s: 300
routes:
  - {path: "/resource/{id}", method: GET, auth: tok, integration: {type: function, function: echo}}
  - {path: "/req/items/{id}", methods: [GET, POST], auth: req, integration: {type: function, function: echo}}
  - {path: /req/plain, method: GET, auth: req, integration: {type: mock, body: ok}}
  - {path: /cached, methods: [GET, POST], auth: req_cached, integration: {type: mock, body: ok}}
admin: {listen: 127.0.0.1:0}
`, { dir, env });
  });
  after(async () => {
    const res = await gw.stop();
    assert.deepEqual(res, { code: 0, signal: null }, gw.stderr.slice(-3000));
  });

  test('TOKEN: exactly type, authorizationToken (unmodified) and methodArn with the concrete path', async () => {
    const token = 'Bearer abc.DEF-123_x';
    const r = await curl([`${gw.url}/resource/42`, '-H', `Authorization: ${token}`]);
    assert.equal(r.status, 200, r.body);
    const calls = invocations(recorded).filter((c) => c.event.authorizationToken === token);
    assert.equal(calls.length, 1);
    const { event } = calls[0];
    assert.deepEqual(Object.keys(event), ['type', 'authorizationToken', 'methodArn']);
    assert.deepEqual(event, { type: 'TOKEN', authorizationToken: token,
      methodArn: `${ARN}/GET/resource/42` });
  });

  test('the proxy event carries the stage variables, as strings', async () => {
    const r = await curl([`${gw.url}/resource/7`, '-H', 'Authorization: Bearer stagevars']);
    assert.equal(r.status, 200, r.body);
    const event = JSON.parse(r.body);
    assert.deepEqual(event.stageVariables, { mode: 'dev', retries: '3', debug: 'true' });
    assert.equal(event.requestContext.stage, STAGE);
    assert.equal(event.requestContext.path, `/${STAGE}/resource/7`);
  });

  test('REQUEST: every field of the event, no body', async () => {
    const before = invocations(recorded).length;
    const r = await curl([`${gw.url}/req/items/42?tenant=acme&tag=1&tag=2`,
      '-H', 'X-Api-Key: key-event', '-H', 'X-Multi: a', '-H', 'X-Multi: b',
      '-H', 'User-Agent: fixture-agent/1.0', '-H', 'Accept: */*']);
    assert.equal(r.status, 200, r.body);
    const calls = invocations(recorded).slice(before);
    assert.equal(calls.length, 1);
    const { event } = calls[0];
    assert.deepEqual(Object.keys(event), ['type', 'methodArn', 'resource', 'path', 'httpMethod',
      'headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters',
      'pathParameters', 'stageVariables', 'requestContext']);
    const host = `127.0.0.1:${gw.port}`;
    assert.equal(event.type, 'REQUEST');
    assert.equal(event.methodArn, `${ARN}/GET/req/items/42`);
    assert.equal(event.resource, '/req/items/{id}');
    assert.equal(event.path, '/req/items/42');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.headers, { Host: host, 'X-Api-Key': 'key-event', 'X-Multi': 'b',
      'User-Agent': 'fixture-agent/1.0', Accept: '*/*' });
    assert.deepEqual(event.multiValueHeaders, { Host: [host], 'X-Api-Key': ['key-event'],
      'X-Multi': ['a', 'b'], 'User-Agent': ['fixture-agent/1.0'], Accept: ['*/*'] });
    assert.deepEqual(event.queryStringParameters, { tenant: 'acme', tag: '2' });
    assert.deepEqual(event.multiValueQueryStringParameters, { tenant: ['acme'], tag: ['1', '2'] });
    assert.deepEqual(event.pathParameters, { id: '42' });
    assert.deepEqual(event.stageVariables, { mode: 'dev', retries: '3', debug: 'true' });

    const ctx = event.requestContext;
    assert.deepEqual(Object.keys(ctx).sort(), ['accountId', 'apiId', 'domainName', 'domainPrefix',
      'extendedRequestId', 'httpMethod', 'identity', 'path', 'protocol', 'requestId', 'requestTime',
      'requestTimeEpoch', 'resourceId', 'resourcePath', 'stage'], 'no authorizer key, no extras');
    assert.equal(ctx.path, `/${STAGE}/req/items/42`);
    assert.equal(ctx.accountId, '123456789012');
    assert.equal(ctx.stage, STAGE);
    assert.equal(ctx.requestId, r.headers['x-amzn-requestid']);
    assert.equal(ctx.extendedRequestId, r.headers['x-amz-apigw-id']);
    assert.match(ctx.requestTime, CLF_TIME);
    assert.ok(Number.isInteger(ctx.requestTimeEpoch), String(ctx.requestTimeEpoch));
    assert.equal(ctx.protocol, 'HTTP/1.1');
    assert.equal(ctx.domainName, host);
    assert.equal(ctx.domainPrefix, 'gatehouse');
    assert.equal(ctx.apiId, 'gatehouse');
    assert.equal(ctx.resourcePath, '/req/items/{id}');
    assert.equal(ctx.httpMethod, 'GET');
    assert.equal(typeof ctx.resourceId, 'string');
    assert.ok(ctx.resourceId.length > 0);
    assert.equal(ctx.identity.sourceIp, '127.0.0.1');
    assert.equal(ctx.identity.userAgent, 'fixture-agent/1.0');
    for (const key of ['apiKey', 'apiKeyId', 'accessKey', 'accountId', 'caller', 'user', 'userArn',
      'cognitoAuthenticationProvider', 'cognitoAuthenticationType', 'cognitoIdentityId',
      'cognitoIdentityPoolId', 'principalOrgId']) {
      assert.equal(ctx.identity[key], null, `identity.${key}`);
    }
    assert.equal('body' in event, false);
    assert.equal('isBase64Encoded' in event, false);
  });

  test('REQUEST on a POST with a body: the body is not in the event; no path parameters: null', async () => {
    const before = invocations(recorded).length;
    let r = await curl(['-X', 'POST', `${gw.url}/req/items/9?tenant=acme`, '-H', 'X-Api-Key: key-post',
      '-H', 'content-type: application/json', '-d', '{"secret":"payload"}']);
    assert.equal(r.status, 200, r.body);
    r = await curl([`${gw.url}/req/plain?tenant=acme`, '-H', 'X-Api-Key: key-plain']);
    assert.equal(r.status, 200, r.body);
    const [post, plain] = invocations(recorded).slice(before).map((c) => c.event);
    assert.equal(post.httpMethod, 'POST');
    assert.equal(post.methodArn, `${ARN}/POST/req/items/9`);
    assert.equal('body' in post, false);
    assert.ok(!JSON.stringify(post).includes('payload'));
    assert.equal(plain.pathParameters, null);
    assert.equal(plain.methodArn, `${ARN}/GET/req/plain`);
  });

  test('REQUEST identity sources: a missing or empty header or query value is 401 without invoking', async () => {
    const before = invocations(recorded).length;
    for (const args of [
      [`${gw.url}/req/plain?tenant=acme`],                                  // no X-Api-Key
      [`${gw.url}/req/plain?tenant=acme`, '-H', 'X-Api-Key;'],              // empty X-Api-Key
      [`${gw.url}/req/plain`, '-H', 'X-Api-Key: k'],                        // no tenant
      [`${gw.url}/req/plain?tenant=`, '-H', 'X-Api-Key: k'],                // empty tenant
      [`${gw.url}/req/plain?Tenant=acme`, '-H', 'X-Api-Key: k'],            // query names are case-sensitive
    ]) {
      const r = await curl(args);
      assert.equal(r.status, 401, `${args.join(' ')}: ${r.body}`);
      assert.equal(r.body, UNAUTHORIZED);
    }
    assert.equal(invocations(recorded).length, before, 'the function was never invoked');
    // The header name is case-insensitive; all present: invoked.
    const r = await curl([`${gw.url}/req/plain?tenant=acme`, '-H', 'x-api-key: k']);
    assert.equal(r.status, 200, r.body);
    assert.equal(invocations(recorded).length, before + 1);
  });

  test('REQUEST cache: keyed on every identity source (the header and context.httpMethod)', async () => {
    const calls = (key) => invocations(recorded).filter((c) => c.event.headers?.['X-Api-Key'] === key);
    const get = (key, method = 'GET') => curl(['-X', method, `${gw.url}/cached`, '-H', `X-Api-Key: ${key}`]);
    for (let i = 0; i < 3; i++) assert.equal((await get('key-cache-1')).status, 200);
    assert.equal(calls('key-cache-1').length, 1, 'GET: one invocation, then cache hits');
    assert.equal((await get('key-cache-1', 'POST')).status, 200);
    assert.equal((await get('key-cache-1', 'POST')).status, 200);
    assert.equal(calls('key-cache-1').length, 2, 'another context.httpMethod is another entry');
    assert.equal((await get('key-cache-2')).status, 200);
    assert.equal(calls('key-cache-2').length, 1, 'another header value is another entry');
    assert.equal(await metric(gw, 'gatehouse_authorizer_cache_hits_total', { authorizer: 'req_cached' }), 3);
  });
});

// =============================================================================================
// The fixture gateway: caching (2), the proxy event and response (4), failures (5),
// concurrency (6) and the workers' environment (8). No stage variables here.

describe('function authorizers and integrations', () => {
  let gw;
  let dir;
  let counterFile;
  let arnFile;
  let modesFile;
  const STAGE = 'prod';
  const ARN = `arn:aws:execute-api:us-east-1:123456789012:gatehouse/${STAGE}`;
  const fn = (handler, extra = '') => `
    runtime: node
    handler: ${handler}
    working_dir: ${q(FIXTURES)}
    concurrency: 1${extra}`;
  before(async () => {
    dir = tempDir();
    counterFile = join(dir, 'counter.jsonl');
    arnFile = join(dir, 'arnonly.jsonl');
    modesFile = join(dir, 'modes.jsonl');
    writeFileSync(join(dir, 'value.txt'), 'from a file');
    gw = await startGateway(`api: {name: fixtures, stage: ${STAGE}, listen: 127.0.0.1:0}
data_dir: data
${issuerSection}functions:
  counter:${fn('authorizers.recorder', `
    environment: {INVOCATIONS_FILE: ${q(counterFile)}}`)}
  arnonly:${fn('authorizers.methodArnOnly', `
    environment: {INVOCATIONS_FILE: ${q(arnFile)}}`)}
  modes:${fn('authorizers.modes', `
    timeout_s: 1
    environment: {INVOCATIONS_FILE: ${q(modesFile)}}`)}
  callbacks:${fn('authorizers.callbackStyle')}
  authinit:${fn('init-throws.handler', `
    start: lazy`)}
  echo:${fn('handlers.echo')}
  respond:${fn('handlers.respond')}
  failures:${fn('handlers.failures', `
    timeout_s: 1`)}
  slow:${fn('handlers.failures', `
    max_queue: 1`)}
  initfail:${fn('init-throws.handler', `
    start: lazy`)}
  initfail_eager:${fn('init-throws.handler')}
  parallel:
    runtime: node
    handler: handlers.parallel
    working_dir: ${q(FIXTURES)}
    concurrency: 4
    environment: {BARRIER_DIR: ${q(dir)}}
  env:${fn('handlers.env', `
    memory_mb: 256
    environment:
      GREETING: hello
      DEBUG: true
      RATIO: 0.50
      FROM_ENV: {env: FIXTURE_PASSED_ON}
      FROM_FILE: {file: value.txt}
      CERT: {issuer: certificate}`)}
  envtz:${fn('handlers.env', `
    start: lazy
    environment: {TZ: Europe/Paris, LANG: C.UTF-8}`)}
authorizers:
  jwt: {type: jwt, audiences: [${BLOG_AUDIENCE}], keys: {issuer: self}}
  cached: {type: token, function: counter}
  nocache: {type: token, function: counter, cache_ttl_s: 0}
  regexed: {type: token, function: counter, cache_ttl_s: 0, validation_regex: "^Bearer [-0-9a-zA-Z._]+$"}
  arn_identity: {type: token, function: arnonly, cache_ttl_s: 300}
  arn_method: {type: token, function: arnonly, cache_ttl_s: 300, cache_scope: method}
  modes: {type: token, function: modes, cache_ttl_s: 0}
  modes_cached: {type: token, function: modes, cache_ttl_s: 300}
  callbacks: {type: token, function: callbacks, cache_ttl_s: 0}
  broken: {type: token, function: authinit, cache_ttl_s: 0}
routes:
  - {path: /cached, methods: [GET, DELETE], auth: cached, integration: {type: mock, body: ok}}
  - {path: /nocache, method: GET, auth: nocache, integration: {type: mock, body: ok}}
  - {path: /regexed, method: GET, auth: regexed, integration: {type: mock, body: ok}}
  - {path: /identity/resource, method: GET, auth: arn_identity, integration: {type: mock, body: ok}}
  - {path: "/identity/resource/{id}", methods: [GET, DELETE], auth: arn_identity, integration: {type: mock, body: ok}}
  - {path: /method/resource, method: GET, auth: arn_method, integration: {type: mock, body: ok}}
  - {path: "/method/resource/{id}", methods: [GET, DELETE], auth: arn_method, integration: {type: mock, body: ok}}
  - {path: /modes, method: GET, auth: modes, integration: {type: mock, body: '{"principal":"$context.authorizer.principalId"}'}}
  - {path: /modes-cached, method: GET, auth: modes_cached, integration: {type: mock, body: ok}}
  - {path: /callbacks, method: GET, auth: callbacks, integration: {type: mock, body: '{"principal":"$context.authorizer.principalId"}'}}
  - {path: /broken, method: GET, auth: broken, integration: {type: mock, body: ok}}
  - {path: "/echo/{id}", methods: [GET, POST], auth: nocache, integration: {type: function, function: echo}}
  - {path: /jwt/echo, method: GET, auth: jwt, integration: {type: function, function: echo}}
  - {path: /public/echo, methods: [GET, POST], auth: none, integration: {type: function, function: echo}}
  - {path: "/respond/{mode}", method: GET, auth: none, integration: {type: function, function: respond}}
  - {path: /fail, method: GET, auth: none, integration: {type: function, function: failures}}
  - {path: /fail-fast, method: GET, auth: none, integration: {type: function, function: failures, timeout_ms: 300}}
  - {path: /slow, method: GET, auth: none, integration: {type: function, function: slow}}
  - {path: /initfail, method: GET, auth: none, integration: {type: function, function: initfail}}
  - {path: /initfail-eager, method: GET, auth: none, integration: {type: function, function: initfail_eager, timeout_ms: 1000}}
  - {path: /parallel, method: GET, auth: none, integration: {type: function, function: parallel}}
  - {path: /env, method: GET, auth: none, integration: {type: function, function: env}}
  - {path: /envtz, method: GET, auth: none, integration: {type: function, function: envtz}}
admin: {listen: 127.0.0.1:0}
`, { dir, env: { ...env, FIXTURE_PASSED_ON: 'passed on', FIXTURE_NOT_PASSED: 'kept back',
      TZ: 'America/New_York' } });
  });
  after(async () => {
    const res = await gw.stop();
    assert.deepEqual(res, { code: 0, signal: null }, gw.stderr.slice(-3000));
  });

  // ------------------------------------------------------------------------------------------
  describe('authorizer caching', () => {
    test('one invocation for N requests with the same token inside the TTL', async () => {
      const hits = await metric(gw, 'gatehouse_authorizer_cache_hits_total', { authorizer: 'cached' });
      for (let i = 0; i < 5; i++) {
        const r = await call(gw, 'GET', '/cached', { token: 'cache-allow' });
        assert.equal(r.status, 200, r.text);
      }
      assert.equal(tokenCalls(counterFile, 'cache-allow').length, 1);
      assert.equal(await metric(gw, 'gatehouse_authorizer_cache_hits_total', { authorizer: 'cached' }),
        hits + 4);
      // Another token is another entry.
      assert.equal((await call(gw, 'GET', '/cached', { token: 'cache-allow-2' })).status, 200);
      assert.equal(tokenCalls(counterFile, 'cache-allow-2').length, 1);
    });

    test('a cached Deny keeps denying without invoking the function again', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await call(gw, 'GET', '/cached', { token: 'cache-deny' });
        assert.equal(r.status, 403, r.text);
        assert.equal(r.text, EXPLICIT_DENY);
      }
      const r = await call(gw, 'DELETE', '/cached', { token: 'cache-deny' });
      assert.equal(r.status, 403, 'the cached policy denies the other method too');
      assert.equal(tokenCalls(counterFile, 'cache-deny').length, 1);
    });

    test('cache_scope identity: the cached policy is re-evaluated against each method ARN', async () => {
      let r = await call(gw, 'GET', '/identity/resource', { token: 'arn-identity' });
      assert.equal(r.status, 200, r.text);
      r = await call(gw, 'DELETE', '/identity/resource/7', { token: 'arn-identity' });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.text, IMPLICIT_DENY);
      assert.equal(r.headers.get('x-amzn-errortype'), 'AccessDeniedException');
      const calls = tokenCalls(arnFile, 'arn-identity');
      assert.equal(calls.length, 1, 'the second request was answered from the cache');
      assert.equal(calls[0].event.methodArn, `${ARN}/GET/identity/resource`);
      // The first request's method ARN is still allowed from the cache.
      r = await call(gw, 'GET', '/identity/resource', { token: 'arn-identity' });
      assert.equal(r.status, 200, r.text);
      assert.equal(tokenCalls(arnFile, 'arn-identity').length, 1);
    });

    test('cache_scope method: another method ARN invokes the function again and passes', async () => {
      let r = await call(gw, 'GET', '/method/resource', { token: 'arn-method' });
      assert.equal(r.status, 200, r.text);
      r = await call(gw, 'DELETE', '/method/resource/7', { token: 'arn-method' });
      assert.equal(r.status, 200, r.text);
      const calls = tokenCalls(arnFile, 'arn-method');
      assert.deepEqual(calls.map((c) => c.event.methodArn),
        [`${ARN}/GET/method/resource`, `${ARN}/DELETE/method/resource/7`]);
      // Both entries are cached.
      assert.equal((await call(gw, 'GET', '/method/resource', { token: 'arn-method' })).status, 200);
      assert.equal((await call(gw, 'DELETE', '/method/resource/7', { token: 'arn-method' })).status, 200);
      assert.equal(tokenCalls(arnFile, 'arn-method').length, 2);
    });

    test('cache_ttl_s: 0 invokes the function for every request', async () => {
      for (let i = 0; i < 3; i++) {
        assert.equal((await call(gw, 'GET', '/nocache', { token: 'no-cache' })).status, 200);
      }
      assert.equal(tokenCalls(counterFile, 'no-cache').length, 3);
    });

    test('failures and Unauthorized are not cached', async () => {
      for (let i = 0; i < 2; i++) {
        let r = await call(gw, 'GET', '/modes-cached', { token: 'boom' });
        assert.equal(r.status, 500, r.text);
        r = await call(gw, 'GET', '/modes-cached', { token: 'throw-unauthorized' });
        assert.equal(r.status, 401, r.text);
      }
      assert.equal(tokenCalls(modesFile, 'boom').length, 2);
      assert.equal(tokenCalls(modesFile, 'throw-unauthorized').length, 2);
    });

    test('a missing token, and one the validation regex refuses, are 401 without invoking', async () => {
      const before = invocations(counterFile).length;
      for (const headers of [{}, { authorization: '' }, { authorization: 'Bearer two words' },
        { authorization: 'Basic abc' }, { authorization: 'Bearer tok!' }]) {
        const r = await call(gw, 'GET', '/regexed', { headers });
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.equal(r.text, UNAUTHORIZED);
      }
      assert.equal(invocations(counterFile).length, before);
      const r = await call(gw, 'GET', '/regexed', { token: 'good.token-1' });
      assert.equal(r.status, 200, r.text);
      assert.equal(tokenCalls(counterFile, 'good.token-1').length, 1);
    });
  });

  // ------------------------------------------------------------------------------------------
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

  // ------------------------------------------------------------------------------------------
  describe('failures, each followed by a normal request', () => {
    const ok = async (path = '/fail?mode=ok') => {
      const r = await call(gw, 'GET', path);
      assert.equal(r.status, 200, `the pool serves again: ${r.text}`);
      return r.json?.pid;
    };
    const expect502 = async (path) => {
      const r = await call(gw, 'GET', path);
      assert.equal(r.status, 502, `${path}: ${r.text}`);
      assert.equal(r.text, INTERNAL_ERROR);
      assert.equal(r.headers.get('x-amzn-errortype'), 'InternalServerErrorException');
      return r;
    };

    test('handler crash mid-invocation (process.exit(1)): 502, a new worker serves the next one', async () => {
      const before = await ok();
      const r = await expect502('/fail?mode=crash');
      assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error, 'worker_crashed');
      const after = await ok();
      assert.notEqual(after, before, 'the crashed worker was replaced');
      assert.equal(alive(before), false);
    });

    test('hang past the function timeout_s: 502, the worker is replaced', async () => {
      const before = await ok();
      const r = await expect502('/fail?mode=hang');
      assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error, 'function_timeout');
      const after = await ok();
      assert.notEqual(after, before);
    });

    test("hang past the route's timeout_ms: 504 Endpoint request timed out", async () => {
      const r = await call(gw, 'GET', '/fail-fast?mode=hang');
      assert.equal(r.status, 504, r.text);
      assert.equal(r.text, TIMED_OUT);
      assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error,
        'integration_timeout');
      // The function runs on until its own timeout (1 s) stops it; the next request waits for
      // the replacement worker.
      await ok();
    });

    for (const [mode, what, reason] of [['string', 'returns a bare string', 'not_object'],
      ['unknown-key', 'returns an object with an unknown key', 'unknown_key'],
      ['bad-status', 'returns a non-numeric statusCode', 'bad_status_code'],
      ['throw', 'throws (a function error)']]) {
      test(`a handler that ${what}: 502, the same worker serves the next one`, async () => {
        const before = await ok();
        const r = await expect502(`/fail?mode=${mode}`);
        assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error,
          mode === 'throw' ? 'function_error' : reason);
        assert.equal(await ok(), before);
      });
    }

    test('init error (the module throws at load): 502 for each request, other routes unaffected', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await expect502('/initfail');
        assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error, 'init_failed');
      }
      await ok();
    });

    test('an eagerly started function whose init keeps failing: still 502, within the route timeout',
      async () => {
        // Let the worker fail a few times: the restart delay doubles from 100 ms (3.2 s after the
        // sixth failure), which exceeds this route's timeout_ms of 1000.
        await waitFor(() => (gw.stderr.match(/function initfail_eager: worker failed to start/g) ?? [])
          .length >= 6, { timeoutMs: 15000 });
        await expect502('/initfail-eager');
      });

    test('throttling: concurrency 1 and max_queue 1 with slow requests: exactly one 429', async () => {
      const started = () => (gw.stderr.match(/failures: slow in/g) ?? []).length;
      const n = started();
      const first = call(gw, 'GET', '/slow?mode=slow&ms=1500');
      await waitFor(() => started() > n);  // the worker is busy with the first
      const [second, third] = await Promise.all([call(gw, 'GET', '/slow?mode=slow&ms=10'),
        call(gw, 'GET', '/slow?mode=slow&ms=10')]);
      const statuses = [second.status, third.status].sort();
      assert.deepEqual(statuses, [200, 429], `${second.text} ${third.text}`);
      const refused = second.status === 429 ? second : third;
      assert.equal(refused.text, '{"message":"Too Many Requests"}');
      assert.equal((await accessLogFor(gw, refused.headers.get('x-amzn-requestid'))).error, 'throttled');
      assert.equal((await first).status, 200);
      await ok('/slow?mode=ok');
    });

    test('authorizer outcomes by function result', async () => {
      const modes = async (mode) => call(gw, 'GET', '/modes', { token: mode });
      const okAuth = async () => {
        const r = await modes('ok');
        assert.equal(r.status, 200, `the authorizer pool serves again: ${r.text}`);
        assert.deepEqual(r.json, { principal: 'user-3' });
      };
      await okAuth();
      const cases = [
        ['deny', 403, EXPLICIT_DENY, 'AccessDeniedException'],
        ['implicit', 403, IMPLICIT_DENY, 'AccessDeniedException'],
        ['throw-unauthorized', 401, UNAUTHORIZED, 'UnauthorizedException'],
        ['boom', 500, AUTHORIZER_ERROR, 'AuthorizerConfigurationException'],
        ['nested', 500, AUTHORIZER_ERROR, 'AuthorizerConfigurationException'],
        ['not-a-policy', 500, AUTHORIZER_ERROR, 'AuthorizerConfigurationException'],
        ['hang', 500, AUTHORIZER_ERROR, 'AuthorizerConfigurationException'],
        ['crash', 500, AUTHORIZER_ERROR],
      ];
      for (const [mode, status, body, errorType] of cases) {
        const r = await modes(mode);
        assert.equal(r.status, status, `${mode}: ${r.text}`);
        assert.equal(r.text, body, mode);
        if (errorType) assert.equal(r.headers.get('x-amzn-errortype'), errorType, mode);
        await okAuth();
      }
    });

    test("a callback authorizer: callback('Unauthorized') is 401", async () => {
      let r = await call(gw, 'GET', '/callbacks', { token: 'cb-unauthorized' });
      assert.equal(r.status, 401, r.text);
      assert.equal(r.text, UNAUTHORIZED);
      r = await call(gw, 'GET', '/callbacks', { token: 'cb-ok' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { principal: 'user-4' });
    });

    test('an authorizer whose module throws at load: 500', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await call(gw, 'GET', '/broken', { token: 'anything' });
        assert.equal(r.status, 500, r.text);
        assert.equal(r.text, AUTHORIZER_ERROR);
      }
    });
  });

  // ------------------------------------------------------------------------------------------
  test('concurrency: N workers serve N requests at the same time', async () => {
    const N = 4;
    const tag = `t${Date.now()}`;
    const results = await Promise.all(Array.from({ length: N },
      () => call(gw, 'GET', `/parallel?tag=${tag}&n=${N}`)));
    for (const r of results) assert.equal(r.status, 200, r.text);
    const pids = results.map((r) => r.json.pid);
    assert.equal(new Set(pids).size, N, `distinct worker processes: ${pids}`);
    for (const r of results) assert.ok(r.json.seen >= N, `all ${N} were running at once: ${r.text}`);
    for (const pid of pids) assert.equal(procStat(pid)?.ppid, gw.child.pid, 'a child of gatehouse');
  });

  // ------------------------------------------------------------------------------------------
  describe("the workers' environment", () => {
    let workerEnv;
    before(async () => {
      const r = await call(gw, 'GET', '/env');
      assert.equal(r.status, 200, r.text);
      workerEnv = r.json.env;
    });

    test('the Lambda variables', () => {
      assert.equal(workerEnv.AWS_LAMBDA_FUNCTION_NAME, 'env');
      assert.equal(workerEnv._HANDLER, 'handlers.env');
      assert.equal(workerEnv.LAMBDA_TASK_ROOT, FIXTURES);
      assert.match(workerEnv.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
      const port = Number(workerEnv.AWS_LAMBDA_RUNTIME_API.split(':')[1]);
      assert.ok(port > 0 && port !== gw.port && port !== gw.adminPort, 'an endpoint of its own');
      assert.equal(workerEnv.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
      assert.equal(workerEnv.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(workerEnv.AWS_REGION, 'us-east-1');
      assert.equal(workerEnv.AWS_DEFAULT_REGION, 'us-east-1');
      assert.equal(workerEnv.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env');
      assert.equal(workerEnv.TZ, ':UTC', "not gatehouse's TZ");
      assert.equal(workerEnv.PATH, process.env.PATH);
    });

    test('the configured variables: literals as written, {env}, {file}, {issuer: certificate}', async () => {
      assert.equal(workerEnv.GREETING, 'hello');
      assert.equal(workerEnv.DEBUG, 'true');
      assert.equal(workerEnv.RATIO, '0.50');
      assert.equal(workerEnv.FROM_ENV, 'passed on');
      assert.equal(workerEnv.FROM_FILE, 'from a file');
      const pem = await (await fetch(`${gw.url}/pem`)).text();
      assert.match(workerEnv.CERT, /^-----BEGIN CERTIFICATE-----\n/);
      assert.equal(workerEnv.CERT.trim(), pem.trim(), "the issuer's signing certificate");
    });

    test("gatehouse's own environment does not reach the function", () => {
      assert.equal(workerEnv.BLOG_DEMO_CLIENT_SECRET, undefined);
      assert.equal(workerEnv.FIXTURE_NOT_PASSED, undefined);
      assert.ok(!Object.values(workerEnv).includes(DEMO_SECRET), 'the secret is in no variable');
    });

    test('a configured TZ or LANG replaces the default: once, with the configured value',
      async () => {
        const r = await call(gw, 'GET', '/envtz');
        assert.equal(r.status, 200, r.text);
        const environ = workerEnviron(r.json.pid);
        assert.ok(environ, 'the worker is running');
        assert.deepEqual(environ.filter((e) => /^(TZ|LANG)=/.test(e)).sort(),
          ['LANG=C.UTF-8', 'TZ=Europe/Paris']);
        assert.equal(r.json.env.TZ, 'Europe/Paris');
        assert.equal(r.json.env.LANG, 'C.UTF-8');
      });
  });
});

// =============================================================================================
// 7. Shutdown (SIGTERM with the seed above): SIGKILL, and SIGTERM as soon as gatehouse listens.

describe('gatehouse going away', () => {
  const yaml = (withRic) => `api: {name: shutdown, stage: test, listen: 127.0.0.1:0}
functions:
  echo:
    runtime: node
    handler: handlers.echo
    working_dir: ${q(FIXTURES)}
    concurrency: 2
${withRic ? `  ric:
    command: ${RIC_COMMAND}
    handler: handlers.echo
    working_dir: ${q(FIXTURES)}
    concurrency: 1
` : ''}routes:
  - {path: /echo, method: GET, auth: none, integration: {type: function, function: echo}}
${withRic ? `  - {path: /ric, method: GET, auth: none, integration: {type: function, function: ric}}
` : ''}admin: {listen: 127.0.0.1:0}
access_log: {path: "off"}
`;

  test('SIGKILL: the workers die too (PR_SET_PDEATHSIG), the official client included', async () => {
    const gw = await startGateway(yaml(haveRic));
    try {
      assert.equal((await call(gw, 'GET', '/echo')).status, 200);
      if (haveRic) assert.equal((await call(gw, 'GET', '/ric')).status, 200);
      const workers = descendants(gw.child.pid);
      const direct = workers.filter((pid) => procStat(pid)?.ppid === gw.child.pid);
      assert.equal(direct.length, haveRic ? 3 : 2, `one process per worker: ${direct}`);
      assert.deepEqual(await gw.kill('SIGKILL'), { code: null, signal: 'SIGKILL' });
      await waitFor(() => workers.every((pid) => !alive(pid)),
        { message: `still running: ${workers.filter(alive)}` });
    } finally {
      await gw.stop();
    }
  });

  test('SIGTERM right after the listening line: a graceful exit 0',
    async () => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const gw = await startGateway(yaml(false));
        const workers = descendants(gw.child.pid);
        assert.deepEqual(await gw.stop(), { code: 0, signal: null }, `attempt ${attempt}`);
        await waitFor(() => workers.every((pid) => !alive(pid)));
      }
    });
});
