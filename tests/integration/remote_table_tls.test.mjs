// A remote table over HTTPS: the endpoint's certificate is verified against the CA store
// (SSL_CERT_FILE here points at a throwaway CA made with openssl), including its name. A Node
// HTTPS server in front of a second gatehouse's DynamoDB listener plays the endpoint.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { startGateway, runServe, blogYaml, blogEnv, issuerToken, tempDir, sendJson } from './harness.mjs';
import { startDynamo } from './dynamodb_fixture.mjs';

const creds = { AWS_ACCESS_KEY_ID: 'AKIDTLS', AWS_SECRET_ACCESS_KEY: 'tls-secret' };
const remoteTable = (endpoint) =>
  `    backend: dynamodb\n    region: us-east-1\n    endpoint: ${endpoint}\n    create: true\n    timeout_ms: 3000\n`;

// A CA and a certificate it signed for 127.0.0.1 only (no DNS name), and a second CA that signed
// nothing gatehouse sees.
function makeCertificates(dir) {
  const sh = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`,
      '-days', '1', '-subj', `/CN=gatehouse test ${ca}`]);
  }
  sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  sh(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf']);
}

// HTTPS in front of `target` (an http origin): each request forwarded as it came.
function tlsProxy(dir, target) {
  const seen = { requests: 0 };
  const server = https.createServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) },
    (req, res) => {
      seen.requests++;
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => { res.writeHead(502); res.end(); });
      req.pipe(upstream);
    });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ port: server.address().port, seen, close: () => new Promise((r) => server.close(r)) })));
}

describe('a remote table over HTTPS', () => {
  let remote;
  let proxy;
  let dir;
  before(async () => {
    dir = tempDir();
    makeCertificates(dir);
    remote = await startDynamo();
    proxy = await tlsProxy(dir, remote.dynamodbUrl);
  });
  after(async () => {
    if (proxy) await proxy.close();
    if (remote) await remote.stop();
  });

  it('a certificate from a trusted CA for the endpoint\'s address: the table works over TLS', async () => {
    const gw = await startGateway(blogYaml({ tableExtra: remoteTable(`https://127.0.0.1:${proxy.port}`) }),
      { env: { ...blogEnv, ...creds, SSL_CERT_FILE: join(dir, 'ca.pem') }, deadlineMs: 20000 });
    try {
      const token = await issuerToken(gw);
      const created = await sendJson(gw, token, 'POST', '/resource', { over: 'tls' });
      assert.equal(created.status, 201, created.text);
      const got = await sendJson(gw, token, 'GET', `/resource/${created.json.id}`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.json.over, 'tls');
      assert.ok(proxy.seen.requests >= 3, `${proxy.seen.requests} requests reached the TLS endpoint`);
    } finally {
      await gw.stop();
    }
  });

  it('a certificate from a CA the store does not hold stops the start, naming the endpoint', async () => {
    const gwDir = tempDir();
    const config = join(gwDir, 'gatehouse.yaml');
    writeFileSync(config, blogYaml({ tableExtra: remoteTable(`https://127.0.0.1:${proxy.port}`) }));
    const r = await runServe(config, { env: { ...blogEnv, ...creds, SSL_CERT_FILE: join(dir, 'other-ca.pem') } });
    assert.equal(r.listened, false);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`https://127\\.0\\.0\\.1:${proxy.port}`));
    assert.match(r.stderr, /certificate/i);
    assert.ok(!r.stderr.includes('tls-secret'));
  });

  it('a certificate for another name stops the start', async () => {
    const gwDir = tempDir();
    const config = join(gwDir, 'gatehouse.yaml');
    // The certificate names 127.0.0.1 only; localhost is the same address under another name.
    writeFileSync(config, blogYaml({ tableExtra: remoteTable(`https://localhost:${proxy.port}`) }));
    const r = await runServe(config, { env: { ...blogEnv, ...creds, SSL_CERT_FILE: join(dir, 'ca.pem') } });
    assert.equal(r.listened, false);
    assert.match(r.stderr, new RegExp(`https://localhost:${proxy.port}`));
    assert.match(r.stderr, /certificate/i);
  });
});
