// Key sources over the network: a JWKS URL and an OpenID discovery URL served by local test
// servers (HTTP and HTTPS with a test CA), key rotation, and fetch failures.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, gatewayYaml, keyPair, jwk, mint, tempDir } from './harness.mjs';

// A JWKS server whose key set the test can swap.
function jwksServer(makeServer) {
  const state = { jwks: { keys: [] }, hits: 0, fail: false };
  const handler = (req, res) => {
    state.hits++;
    if (state.fail) {
      res.writeHead(503);
      return res.end('down');
    }
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ issuer: 'https://issuer.test/',
        jwks_uri: `${state.base}/jwks.json` }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(state.jwks));
  };
  const server = makeServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    state.server = server;
    state.port = server.address().port;
    resolve(state);
  }));
}

async function waitFor(fn, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('JWKS URL', () => {
  let gw, srv, k1, k2;
  before(async () => {
    k1 = await keyPair('RS256');
    k2 = await keyPair('RS256');
    srv = await jwksServer((h) => http.createServer(h));
    srv.base = `http://127.0.0.1:${srv.port}`;
    srv.jwks = { keys: [await jwk(k1, 'key-1')] };
    gw = await startGateway(gatewayYaml({
      keysYaml: `      jwks_url: ${srv.base}/jwks.json\n      refetch_min_interval_s: 1`,
    }));
    await waitFor(async () => (await fetch(gw.adminUrl + '/readyz')).status === 200);
  });
  after(async () => {
    await gw.stop();
    srv.server.close();
  });

  const call = (t) => fetch(gw.url + '/echo', { headers: { authorization: `Bearer ${t}` } });

  test('tokens verify against the fetched key set', async () => {
    assert.equal((await call(await mint(k1, { kid: 'key-1' }))).status, 200);
  });

  test('the gateway follows a key rotation (unknown kid triggers a refetch)', async () => {
    srv.jwks = { keys: [await jwk(k2, 'key-2')] };
    const token = await mint(k2, { kid: 'key-2' });
    // Past refetch_min_interval_s, the request with the new kid waits for the refetch and passes.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await call(token)).status, 200);
    const metrics = await (await fetch(gw.adminUrl + '/metrics')).text();
    assert.match(metrics, /gatehouse_jwks_kid_miss_refetch_total\{authorizer="jwt"\} [1-9]/);
  });

  test('a failing JWKS server keeps the last good key set', async () => {
    srv.fail = true;
    await new Promise((r) => setTimeout(r, 1100));  // past refetch_min_interval_s
    const token = await mint(k2, { kid: 'key-2', sub: 'after-failure' });
    assert.equal((await call(token)).status, 200);
    // An unknown kid while the server is down: refused, and the old keys still work.
    assert.equal((await call(await mint(k1, { kid: 'key-9' }))).status, 401);
    assert.equal((await call(token)).status, 200);
    // The failed refetch is logged once, with the URL and the reason; the recovery too.
    const url = `${srv.base}/jwks.json`;
    await waitFor(() => gw.stderr.includes('authorizer jwt: key fetch failed'));
    const line = gw.stderr.split('\n').find((l) => l.includes('key fetch failed'));
    assert.ok(line.includes(url), line);
    assert.match(line, /503/);
    assert.match(line, /verifying with the last key set fetched/);
    srv.fail = false;
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await call(await mint(k1, { kid: 'key-8' }))).status, 401);
    await waitFor(() => gw.stderr.includes(`authorizer jwt: keys fetched from ${url} again after 1 failed fetch`));
    assert.equal(gw.stderr.split('\n').filter((l) => l.includes('key fetch failed')).length, 1);
  });
});

describe('OpenID discovery over HTTPS', () => {
  let srv, dir, k1;
  before(async () => {
    dir = tempDir();
    // A throwaway CA and a server certificate for 127.0.0.1, made with openssl for this test.
    const sh = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-days', '1', '-subj', '/CN=gatehouse test CA']);
    sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr',
      '-subj', '/CN=127.0.0.1']);
    execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > ext.cnf'], { cwd: dir });
    sh(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf']);
    k1 = await keyPair('ES256');
    srv = await jwksServer((h) => https.createServer({
      key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) }, h));
    srv.base = `https://127.0.0.1:${srv.port}`;
    srv.jwks = { keys: [await jwk(k1, 'ec-1')] };
  });
  after(() => srv.server.close());

  test('keys are found through the discovery document when the CA is trusted', async () => {
    const gw = await startGateway(gatewayYaml({
      keysYaml: `      discovery_url: ${srv.base}/.well-known/openid-configuration`,
      algorithms: ['ES256'],
    }), { env: { SSL_CERT_FILE: join(dir, 'ca.pem') } });
    try {
      await waitFor(async () => (await fetch(gw.adminUrl + '/readyz')).status === 200);
      const res = await fetch(gw.url + '/echo', {
        headers: { authorization: `Bearer ${await mint(k1, { kid: 'ec-1' })}` } });
      assert.equal(res.status, 200);
    } finally {
      await gw.stop();
    }
  });

  test('an untrusted certificate is refused: no keys, requests fail closed with 500', async () => {
    const gw = await startGateway(gatewayYaml({
      keysYaml: `      jwks_url: ${srv.base}/jwks.json`,
      algorithms: ['ES256'],
    }));
    try {
      const hitsBefore = srv.hits;
      await waitFor(async () => /jwks_fetch_failed_total\{authorizer="jwt"\} [1-9]/
        .test(await (await fetch(gw.adminUrl + '/metrics')).text()));
      assert.equal(srv.hits, hitsBefore, 'no request got past the TLS handshake');
      assert.equal((await fetch(gw.adminUrl + '/readyz')).status, 503);
      const res = await fetch(gw.url + '/echo', {
        headers: { authorization: `Bearer ${await mint(k1, { kid: 'ec-1' })}` } });
      assert.equal(res.status, 500);
      assert.equal(await res.text(), '{"message":null}');
      // The operator learns why from the log: the URL, the TLS failure, and what it means.
      await waitFor(() => gw.stderr.includes('key fetch failed'));
      const line = gw.stderr.split('\n').find((l) => l.includes('key fetch failed'));
      assert.ok(line.includes(`${srv.base}/jwks.json`), line);
      assert.match(line, /certificate|handshake|verify/i, line);
      assert.match(line, /no keys yet/);
    } finally {
      await gw.stop();
    }
  });
});
