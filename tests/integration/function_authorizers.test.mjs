// Function authorizers against the real binary. The TOKEN and REQUEST events, field by field, and
// REQUEST identity sources, on a gateway with stage variables whose fixture authorizer records
// every event it gets (the proxy event's stageVariables too); then what each result of an
// authorizer function becomes (Allow, Deny, Unauthorized, errors, hangs, crashes, a callback-style
// authorizer, a module that fails to load), on the fixture gateway (functions_fixture.mjs).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startGateway, curl, tempDir, metric, call } from './harness.mjs';
import { FIXTURES, q, env, CLF_TIME, UNAUTHORIZED, EXPLICIT_DENY, IMPLICIT_DENY, DEADLINE_MS,
  invocations, stopCleanly, startFixtureGateway } from './functions_fixture.mjs';

const AUTHORIZER_ERROR = '{"message":null}';

// =============================================================================================
// The TOKEN and REQUEST authorizer events, field by field, and REQUEST identity sources; the
// proxy event's stageVariables. A fixture authorizer records every event it gets.

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
`, { dir, env, deadlineMs: DEADLINE_MS });
  });
  after(async () => { await stopCleanly(gw); });

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
// Authorizer functions that deny, fail or misbehave, each followed by a request it allows.

describe('function authorizers and integrations', () => {
  let gw;
  before(async () => {
    ({ gw } = await startFixtureGateway());
  });
  after(async () => { await stopCleanly(gw); });

  describe('failures, each followed by a normal request', () => {
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
});
