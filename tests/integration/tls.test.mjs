// api.tls with real TLS clients: curl, `openssl s_client` and Node's https. Protocol versions
// (1.2 and 1.3 served, 1.1 refused, a 1.3-only listener), SNI choosing between two certificates,
// mutual TLS (no certificate, one from another CA, a good one whose subject reaches templates,
// request mappings, Lambda events and a request authorizer's identity), plain HTTP sent to the TLS
// port, a handshake that never comes, certificates read again at a reload, and the start refused
// for a key that is not the certificate's or that is encrypted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, runServe, tempDir, metric, waitFor } from './harness.mjs';
import { FIXTURES, q, invocations, DEADLINE_MS } from './functions_fixture.mjs';

const dir = tempDir();
const file = (name) => join(dir, name);
const openssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

// P-256 keys: quick to make. A CA for servers, one for clients, and one that signed a client
// certificate the gateway must not accept.
function makeCa(name) {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=gatehouse test ${name}`]);
}
function makeLeaf(name, ca, subject, { san, serial }) {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const ext = san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n';
  writeFileSync(file(`${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`,
    '-set_serial', String(serial), '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

let gw;        // TLS 1.2+, two certificates, mutual TLS required
let optional;  // TLS 1.3 only, mutual TLS optional
let upstream;
let seenByService = [];
const authFile = file('auth.jsonl');

const caPem = () => readFileSync(file('server-ca.pem'));
const clientCert = () => ({ cert: readFileSync(file('client.pem')), key: readFileSync(file('client.key')) });

// A request over Node's https, the server verified against the test CA as `servername`.
function get(port, path, { servername = 'api.example.test', cert, key, headers = {}, maxVersion } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, servername, ca: caPem(), cert, key,
      headers, maxVersion, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body,
        protocol: res.socket.getProtocol?.() }));
    });
    req.on('error', reject);
    req.end();
  });
}

// `openssl s_client` against the port: its whole output and exit code, stdin closed (it handshakes,
// prints what it got and leaves).
function sClient(port, args) {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args],
      { encoding: 'utf8', timeout: 15000, cwd: dir }, (err, stdout, stderr) =>
        resolve({ code: err ? err.code : 0, out: `${stdout}\n${stderr}` }));
    child.stdin.end();
  });
}

function curlTls(args) {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-S', '--max-time', '10', ...args], { encoding: 'utf8', cwd: dir },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

const tlsYaml = ({ name, port = 0, tls, extra = '' }) => `api:
  name: ${name}
  listen: 127.0.0.1:${port}
  limits: {header_timeout_ms: 1000}
  tls:
${tls}
admin: {listen: 127.0.0.1:0}
${extra}`;

before(async () => {
  makeCa('server-ca');
  makeCa('client-ca');
  makeCa('rogue-ca');
  makeLeaf('api', 'server-ca', '/CN=api.example.test',
    { san: 'DNS:api.example.test,DNS:localhost,IP:127.0.0.1', serial: 1001 });
  makeLeaf('other', 'server-ca', '/CN=other wildcard', { san: 'DNS:*.other.test', serial: 1002 });
  makeLeaf('client', 'client-ca', '/C=US/O=Example Corp/CN=client one', { serial: 4660 });
  makeLeaf('rogue', 'rogue-ca', '/CN=client one', { serial: 4661 });

  upstream = http.createServer((req, res) => {
    seenByService.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end('{"svc":true}');
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));

  const fn = (handler, env = '') => `
    runtime: node
    handler: ${handler}
    working_dir: ${q(FIXTURES)}
    concurrency: 1${env}`;
  gw = await startGateway(tlsYaml({
    name: 'tls',
    tls: `    certificates:
      - {certificate: api.pem, key: api.key}
      - {certificate: other.pem, key: other.key}
    mutual_tls: {truststore: client-ca.pem}`,
    extra: `functions:
  echo:${fn('handlers.echo')}
  recorder:${fn('authorizers.recorder', `
    environment: {INVOCATIONS_FILE: ${q(authFile)}}`)}
authorizers:
  bycert:
    type: request
    function: recorder
    identity_source: [context.identity.clientCert.serialNumber]
    cache_ttl_s: 300
routes:
  - path: /hello
    method: GET
    auth: none
    integration: {type: mock, body: '{"subject":"$context.identity.clientCert.subjectDN","serial":"$context.identity.clientCert.serialNumber"}'}
  - {path: /echo, method: GET, auth: none, integration: {type: function, function: echo}}
  - {path: /bycert, method: GET, auth: bycert, integration: {type: mock, body: ok}}
  - path: /svc
    method: GET
    auth: none
    integration:
      type: http_proxy
      uri: http://127.0.0.1:${upstream.address().port}/
      request_parameters:
        integration.request.header.X-Client-Subject: context.identity.clientCert.subjectDN
`,
  }), { dir, deadlineMs: DEADLINE_MS });
  // The second gateway reads the same files, from a directory of its own (a reload test changes
  // them).
  const optionalDir = tempDir();
  for (const f of ['api.pem', 'api.key', 'client-ca.pem']) copyFileSync(file(f), join(optionalDir, f));
  optional = await startGateway(tlsYaml({
    name: 'tls13',
    tls: `    certificates: [{certificate: api.pem, key: api.key}]
    min_version: "1.3"
    mutual_tls: {truststore: client-ca.pem, required: false}`,
    extra: `routes:
  - {path: /hello, method: GET, auth: none, integration: {type: mock, body: 'subject=$context.identity.clientCert.subjectDN'}}
`,
  }), { dir: optionalDir, deadlineMs: DEADLINE_MS });
});

after(async () => {
  await gw?.stop();
  await optional?.stop();
  upstream?.close();
});

test('curl over HTTPS: the certificate verifies for the name asked, and mutual TLS passes with a client certificate', async () => {
  const url = `https://api.example.test:${gw.port}/hello`;
  const r = await curlTls(['--cacert', 'server-ca.pem', '--resolve', `api.example.test:${gw.port}:127.0.0.1`,
    '--cert', 'client.pem', '--key', 'client.key', url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { subject: 'C=US,O=Example Corp,CN=client one', serial: '4660' });
  // Closed after the answer (close_notify, then the connection's end): the answer is whole.
  for (const close of [['-H', 'Connection: close'], ['--http1.0']]) {
    const c = await curlTls(['--cacert', 'server-ca.pem', '--resolve', `api.example.test:${gw.port}:127.0.0.1`,
      '--cert', 'client.pem', '--key', 'client.key', ...close, url]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).serial, '4660');
  }
});

test('TLS 1.2 and 1.3 are served, TLS 1.1 is not', async () => {
  const cert = ['-cert', 'client.pem', '-key', 'client.key'];
  const v13 = await sClient(gw.port, ['-tls1_3', ...cert]);
  assert.match(v13.out, /New, TLSv1\.3, Cipher is TLS_/);
  const v12 = await sClient(gw.port, ['-tls1_2', ...cert]);
  assert.match(v12.out, /New, TLSv1\.2, Cipher is ECDHE-/);
  const v11 = await sClient(gw.port, ['-tls1_1', ...cert]);
  assert.notEqual(v11.code, 0);
  assert.doesNotMatch(v11.out, /New, TLSv1\.1/);
  // A client's renegotiation is refused (it could make the server redo handshakes at will).
  const reneg = await new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${gw.port}`, '-tls1_2', ...cert],
      { encoding: 'utf8', timeout: 15000, cwd: dir }, (err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
    child.stdin.write('R\n');
    setTimeout(() => child.stdin.end(), 1000);
  });
  assert.match(reneg, /RENEGOTIATING/);
  assert.match(reneg, /no renegotiation/);
  // curl limited to TLS 1.2 makes a whole request.
  const r = await curlTls(['--cacert', 'server-ca.pem', '--tlsv1.2', '--tls-max', '1.2',
    '--cert', 'client.pem', '--key', 'client.key', '-o', '/dev/null', '-w', '%{http_code}',
    `https://127.0.0.1:${gw.port}/hello`]);
  assert.equal(r.stdout, '200', r.stderr);
});

// `openssl s_client` sending one request and reading its answer: the output and whether the
// session was resumed.
function sClientRequest(port, args) {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args],
      { encoding: 'utf8', timeout: 15000, cwd: dir }, (err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
    child.stdin.end('GET /hello HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n');
  });
}

test('a TLS 1.3 session resumes from the ticket sent with the first answer, client certificate included', async () => {
  const cert = ['-cert', 'client.pem', '-key', 'client.key', '-tls1_3'];
  const first = await sClientRequest(gw.port, [...cert, '-sess_out', 'session.pem']);
  assert.match(first, /New, TLSv1\.3/);
  assert.match(first, /"serial":"4660"/);
  const resumed = await sClientRequest(gw.port, ['-tls1_3', '-sess_in', 'session.pem']);
  assert.match(resumed, /Reused, TLSv1\.3/);
  // The resumed session carries the certificate verified when it was made.
  assert.match(resumed, /"subject":"C=US,O=Example Corp,CN=client one"/);
});

test('a listener with min_version "1.3" refuses TLS 1.2', async () => {
  const v12 = await sClient(optional.port, ['-tls1_2']);
  assert.notEqual(v12.code, 0);
  assert.doesNotMatch(v12.out, /New, TLSv1\.2/);
  const r = await get(optional.port, '/hello', { maxVersion: 'TLSv1.2' }).catch((e) => e);
  assert.ok(r instanceof Error, 'a TLS 1.2 client must be refused');
  const ok = await get(optional.port, '/hello');
  assert.equal(ok.status, 200);
  assert.equal(ok.protocol, 'TLSv1.3');
});

test('SNI picks the certificate: exact name, wildcard, and the first one for no name or an unknown one', async () => {
  const cert = ['-cert', 'client.pem', '-key', 'client.key', '-CAfile', 'server-ca.pem'];
  const subject = (out) => out.match(/subject=(.*)/)?.[1];
  assert.match(subject((await sClient(gw.port, ['-servername', 'api.example.test', ...cert])).out), /CN ?= ?api\.example\.test/);
  assert.match(subject((await sClient(gw.port, ['-servername', 'www.other.test', ...cert])).out), /CN ?= ?other wildcard/);
  // A wildcard covers one label only.
  assert.match(subject((await sClient(gw.port, ['-servername', 'a.b.other.test', ...cert])).out), /CN ?= ?api\.example\.test/);
  assert.match(subject((await sClient(gw.port, ['-servername', 'unknown.test', ...cert])).out), /CN ?= ?api\.example\.test/);
  assert.match(subject((await sClient(gw.port, ['-noservername', ...cert])).out), /CN ?= ?api\.example\.test/);
  // Names compare case-insensitively; curl verifies what it got for the name it asked.
  const r = await curlTls(['--cacert', 'server-ca.pem', '--resolve', `WWW.Other.Test:${gw.port}:127.0.0.1`,
    '--cert', 'client.pem', '--key', 'client.key', '-o', '/dev/null', '-w', '%{http_code}',
    `https://WWW.Other.Test:${gw.port}/hello`]);
  assert.equal(r.stdout, '200', r.stderr);
});

test('mutual TLS: no client certificate, or one from another CA, fails the handshake', async () => {
  const before = await metric(gw, 'gatehouse_tls_handshake_errors_total', { listener: 'api' });
  const none = await curlTls(['--cacert', 'server-ca.pem', `https://127.0.0.1:${gw.port}/hello`]);
  assert.notEqual(none.code, 0);
  assert.equal(none.stdout, '');
  const rogue = await curlTls(['--cacert', 'server-ca.pem', '--cert', 'rogue.pem', '--key', 'rogue.key',
    `https://127.0.0.1:${gw.port}/hello`]);
  assert.notEqual(rogue.code, 0);
  assert.equal(rogue.stdout, '');
  // Whichever certificate SNI chooses, the client certificate is asked for alike.
  const other = await curlTls(['--cacert', 'server-ca.pem', '--resolve', `www.other.test:${gw.port}:127.0.0.1`,
    `https://www.other.test:${gw.port}/hello`]);
  assert.notEqual(other.code, 0);
  assert.equal(other.stdout, '');
  const s = await sClient(gw.port, ['-cert', 'rogue.pem', '-key', 'rogue.key', '-tls1_2']);
  assert.match(s.out, /alert|error/i);
  // Node's client alike.
  await assert.rejects(get(gw.port, '/hello'));
  await waitFor(async () => (await metric(gw, 'gatehouse_tls_handshake_errors_total', { listener: 'api' })) >= before + 5);
});

test('the client certificate reaches Lambda events as requestContext.identity.clientCert', async () => {
  const r = await get(gw.port, '/echo', clientCert());
  assert.equal(r.status, 200);
  const event = JSON.parse(r.body);
  const c = event.requestContext.identity.clientCert;
  assert.deepEqual(Object.keys(c), ['clientCertPem', 'subjectDN', 'issuerDN', 'serialNumber', 'validity']);
  assert.equal(c.clientCertPem, readFileSync(file('client.pem'), 'utf8'));
  assert.equal(c.subjectDN, 'C=US,O=Example Corp,CN=client one');
  assert.equal(c.issuerDN, 'CN=gatehouse test client-ca');
  assert.equal(c.serialNumber, '4660');
  assert.match(c.validity.notBefore, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
  assert.match(c.validity.notAfter, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
});

test('a request authorizer sees the certificate and caches its decision by it', async () => {
  const first = await get(gw.port, '/bycert', clientCert());
  assert.equal(first.status, 200);
  const second = await get(gw.port, '/bycert', clientCert());
  assert.equal(second.status, 200);
  const calls = invocations(authFile);
  assert.equal(calls.length, 1, 'the second request is answered from the cache (same certificate)');
  assert.equal(calls[0].event.requestContext.identity.clientCert.subjectDN, 'C=US,O=Example Corp,CN=client one');
});

test('an http_proxy service gets X-Forwarded-Proto https and the subject a mapping names', async () => {
  seenByService = [];
  const r = await get(gw.port, '/svc', { ...clientCert(), headers: { 'X-Forwarded-Proto': 'http' } });
  assert.equal(r.status, 200);
  assert.equal(seenByService.length, 1);
  assert.equal(seenByService[0]['x-forwarded-proto'], 'https');
  assert.equal(seenByService[0]['x-client-subject'], 'C=US,O=Example Corp,CN=client one');
});

test('optional mutual TLS: without a certificate the request goes on with none', async () => {
  const without = await get(optional.port, '/hello');
  assert.equal(without.status, 200);
  assert.equal(without.body, 'subject=');
  const withCert = await get(optional.port, '/hello', clientCert());
  assert.equal(withCert.body, 'subject=C=US,O=Example Corp,CN=client one');
});

test('plain HTTP sent to the TLS port is told so, in plain HTTP', async () => {
  const r = await new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${optional.port}/hello`, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body).message, /HTTPS/);
});

test('a client that connects and never handshakes is closed after the head timeout', async () => {
  const before = await metric(optional, 'gatehouse_tls_handshake_errors_total', { listener: 'api' });
  const closed = await new Promise((resolve) => {
    const s = net.connect(optional.port, '127.0.0.1');
    const t0 = Date.now();
    s.on('close', () => resolve(Date.now() - t0));
    s.on('error', () => {});
  });
  assert.ok(closed >= 900, `closed after ${closed} ms`);
  assert.equal(await metric(optional, 'gatehouse_tls_handshake_errors_total', { listener: 'api' }), before + 1);
});

test('a reload reads the certificate files again; a broken one is refused and the old one served', async () => {
  const serial = async () => (await sClient(optional.port, ['-CAfile', 'server-ca.pem', '-showcerts']))
    .out.match(/subject=(.*)/)?.[1];
  assert.match(await serial(), /api\.example\.test/);
  // A renewed certificate for the same key would do; a new subject shows which one is served.
  makeLeaf('renewed', 'server-ca', '/CN=renewed.example.test', { san: 'DNS:renewed.example.test', serial: 2001 });
  copyFileSync(file('renewed.pem'), join(optional.dir, 'api.pem'));
  copyFileSync(file('renewed.key'), join(optional.dir, 'api.key'));
  const ok = await fetch(`${optional.adminUrl}/reload`, { method: 'POST' });
  assert.equal(ok.status, 200, await ok.text());
  assert.match(await serial(), /renewed\.example\.test/);
  // A key that is not the certificate's: refused, naming the file; the renewed one stays.
  copyFileSync(file('other.key'), join(optional.dir, 'api.key'));
  const bad = await fetch(`${optional.adminUrl}/reload`, { method: 'POST' });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /api\.key is not the private key of certificate .*api\.pem/);
  assert.match(await serial(), /renewed\.example\.test/);
  copyFileSync(file('renewed.key'), join(optional.dir, 'api.key'));
});

test('the start is refused for a key that is not the certificate\'s, or an encrypted one, naming the file', async () => {
  const d = tempDir();
  for (const f of ['api.pem', 'other.key', 'api.key']) copyFileSync(file(f), join(d, f));
  const yaml = (key) => tlsYaml({ name: 'bad', tls: `    certificates: [{certificate: api.pem, key: ${key}}]`,
    extra: 'routes:\n  - {path: /x, method: GET, auth: none, integration: {type: mock, body: ok}}\n' });
  writeFileSync(join(d, 'mismatch.yaml'), yaml('other.key'));
  const mismatch = await runServe(join(d, 'mismatch.yaml'));
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /api\.tls\.certificates\[0\]: key .*other\.key is not the private key of certificate .*api\.pem/);
  execFileSync('openssl', ['pkey', '-in', 'api.key', '-out', 'locked.key', '-aes256', '-passout', 'pass:secret'], { cwd: d });
  writeFileSync(join(d, 'locked.yaml'), yaml('locked.key'));
  const locked = await runServe(join(d, 'locked.yaml'));
  assert.equal(locked.code, 2);
  assert.match(locked.stderr, /locked\.key is encrypted/);
  assert.doesNotMatch(locked.stderr, /BEGIN|PRIVATE/);
});
