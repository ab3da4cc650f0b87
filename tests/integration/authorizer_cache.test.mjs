// Authorizer caching for function authorizers, on the fixture gateway (functions_fixture.mjs): one
// invocation per token within the TTL, a cached Deny, cache_scope identity and method, a TTL of
// 0, failures and Unauthorized never cached, tokens refused before any invocation. The REQUEST
// authorizer's cache key is tested with its identity sources (function_authorizers.test.mjs).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { metric, call } from './harness.mjs';
import { UNAUTHORIZED, EXPLICIT_DENY, IMPLICIT_DENY, FIXTURE_ARN as ARN, invocations, stopCleanly,
  startFixtureGateway } from './functions_fixture.mjs';

// The invocations of a fixture authorizer (its INVOCATIONS_FILE) for one bearer token.
const tokenCalls = (file, token) => invocations(file)
  .filter((r) => r.event.authorizationToken === `Bearer ${token}`);

describe('function authorizers and integrations', () => {
  let gw;
  let counterFile;
  let arnFile;
  let modesFile;
  before(async () => {
    ({ gw, counterFile, arnFile, modesFile } = await startFixtureGateway());
  });
  after(async () => { await stopCleanly(gw); });

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
});
