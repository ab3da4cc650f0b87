// type: http_proxy in front of real HTTP services started here (node:http servers, some of them
// hostile): what reaches the service (path, query, headers, body, the principal as a mapped
// header) and what comes back (status, headers as API Gateway remaps them, body), connection
// reuse counted on the service's side, and every failure: refused, hanging, resetting, closing
// mid-answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { writeFileSync, readFileSync, mkdirSync, chmodSync, rmSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startGateway, startNginx, call, curl, metric, waitFor, keyPair, jwk, mint, tempDir, accessLogFor,
  jwtAuthorizer,
} from './harness.mjs';

// An upstream that answers every request with what it received, as JSON, and counts the
// connections it accepted.
function echoUpstream() {
  const up = { connections: 0 };
  up.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url.startsWith('/big/')) {
        const size = Number(req.url.slice(5));
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.alloc(size, 'b'));
      }
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-upstream', 'echo');
      res.setHeader('server', 'echo/1.0');
      res.setHeader('www-authenticate', 'Basic realm="x"');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.statusCode = Number(req.headers['x-want-status'] ?? 200);
      res.end(JSON.stringify({
        method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders,
        bodyLength: body.length, body: body.length <= 1024 ? body.toString() : undefined,
      }));
    });
  });
  up.server.on('connection', () => { up.connections += 1; });
  return up;
}

// A TCP server that does `behave(socket)` with each connection: hang, reset, half an answer.
function rawUpstream(behave) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => behave(socket));
  });
  return { server };
}

const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));

let gw;
let echo;
let echo2;
let key;
const ports = {};

before(async () => {
  echo = echoUpstream();
  ports.echo = await listen(echo.server);
  echo2 = echoUpstream();
  ports.echo2 = await listen(echo2.server);
  const hang = rawUpstream(() => {});
  ports.hang = await listen(hang.server);
  const reset = rawUpstream((s) => s.resetAndDestroy());
  ports.reset = await listen(reset.server);
  const half = rawUpstream((s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part of it');
    setTimeout(() => s.destroy(), 50);
  });
  ports.half = await listen(half.server);
  const garbage = rawUpstream((s) => s.end('this is not HTTP\r\n\r\n'));
  ports.garbage = await listen(garbage.server);
  // An answer with API Gateway's own id headers, a field its Connection header names (before and
  // after it), and no Content-Type.
  const ids = rawUpstream((s) => s.end('HTTP/1.1 200 OK\r\nx-hop-before: 1\r\n' +
    'x-amzn-RequestId: upstream-id\r\nx-amz-apigw-id: upstream-apigw\r\n' +
    'Connection: close, X-Hop-Before, x-hop-after\r\nx-hop-after: 2\r\nx-kept: 3\r\n' +
    'Content-Length: 2\r\n\r\nok'));
  ports.ids = await listen(ids.server);
  // A port nothing listens on: bound, then closed.
  const closed = net.createServer();
  ports.refused = await listen(closed);
  await new Promise((r) => closed.close(r));
  echo.others = [hang, reset, half, garbage, ids];

  key = await keyPair('RS256');
  const dir = tempDir();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(key, 'k1')] }));
  const proxy = (path, uri, extra = '', auth = 'none') => `
  - path: ${path}
    method: ANY
    auth: ${auth}
    integration:
      type: http_proxy
      uri: ${uri}${extra}`;
  gw = await startGateway(`api:
  name: proxy
  listen: 127.0.0.1:0
  stage_variables: {echo: "127.0.0.1:${ports.echo}", tenant: acme}
admin: {listen: 127.0.0.1:0}
authorizers:
${jwtAuthorizer()}routes:${proxy('/svc/{proxy+}', 'http://${stageVariables.echo}/base/{proxy}?from=gw')}${proxy('/users/{id}', `http://127.0.0.1:${ports.echo}/users/{id}`, `
      request_parameters:
        integration.request.header.x-user-id: context.authorizer.principalId
        integration.request.header.x-scope: context.authorizer.claims.scope
        integration.request.querystring.tenant: stageVariables.tenant
        integration.request.header.x-static: "'fixed'"
        integration.request.header.x-id-from-path: method.request.path.id
        integration.request.header.x-name: context.authorizer.claims.name`, 'jwt')}${proxy('/big/{n}', `http://127.0.0.1:${ports.echo}/big/{n}`)}${proxy('/refused', `http://127.0.0.1:${ports.refused}/`)}${proxy('/hang', `http://127.0.0.1:${ports.hang}/`, `
      timeout_ms: 300`)}${proxy('/reset', `http://127.0.0.1:${ports.reset}/`)}${proxy('/half', `http://127.0.0.1:${ports.half}/`)}${proxy('/garbage', `http://127.0.0.1:${ports.garbage}/`)}${proxy('/ids', `http://127.0.0.1:${ports.ids}/`)}${proxy('/pool/{proxy+}', '/pool/{proxy}', `
      targets: [http://127.0.0.1:${ports.echo}, http://127.0.0.1:${ports.refused}, http://127.0.0.1:${ports.echo2}]
      cool_down_ms: 600000`)}
`, { dir, deadlineMs: 30000 });
});

after(async () => {
  await gw?.stop();
  echo?.server.close();
  echo2?.server.close();
  for (const o of echo?.others ?? []) o.server.close();
});

test('the path keeps its encoding, the query passes, the body and the method too', async () => {
  const res = await call(gw, 'POST', '/svc/a%3Fb/c%20d/%C3%A9?x=1&y=%C3%A9&x=2', {
    headers: { 'content-type': 'text/plain' }, body: 'payload',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.method, 'POST');
  assert.equal(res.json.url, '/base/a%3Fb/c%20d/%C3%A9?from=gw&x=1&y=%C3%A9&x=2');
  assert.equal(res.json.body, 'payload');
  assert.equal(res.json.headers['content-type'], 'text/plain');
  assert.equal(res.json.headers.host, `127.0.0.1:${ports.echo}`);
});

test('an encoded separator in a path parameter is refused before anything is sent', async () => {
  const before = await metric(gw, 'gatehouse_upstream_requests_total', { upstream: `http://127.0.0.1:${ports.echo}` });
  // /base/{proxy} must not become /base/../secret at a service that decodes before resolving.
  for (const path of ['/svc/..%2Fsecret', '/svc/a%2fb', '/svc/..%5Csecret', '/users/1%2F..%2Fadmin']) {
    const res = await call(gw, 'GET', path);
    assert.equal(res.status, 400, path);
    const line = await accessLogFor(gw, res.headers.get('x-amzn-requestid'));
    assert.equal(line.error, 'encoded_separator', path);
  }
  assert.equal(await metric(gw, 'gatehouse_upstream_requests_total', { upstream: `http://127.0.0.1:${ports.echo}` }), before);
});

test('hop-by-hop headers stay here, X-Forwarded-* are added, end-to-end headers pass', async () => {
  // curl: fetch refuses to send hop-by-hop headers at all.
  const hdrs = {
    'x-custom': 'kept', 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'https',
    'x-forwarded-port': '443', connection: 'keep-alive, x-private', 'x-private': 'hop only',
    te: 'trailers', 'proxy-authorization': 'Basic eDp5', via: '1.1 elsewhere',
    authorization: 'Bearer for-the-service',
  };
  const raw = await curl([`${gw.url}/svc/h`, ...Object.entries(hdrs).flatMap(([k, v]) => ['-H', `${k}: ${v}`])]);
  assert.equal(raw.status, 200, raw.body);
  const res = { json: JSON.parse(raw.body) };
  const h = res.json.headers;
  assert.equal(h['x-custom'], 'kept');
  assert.equal(h.authorization, 'Bearer for-the-service');
  assert.equal(h['x-forwarded-for'], '198.51.100.1, 127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.equal(h['x-forwarded-port'], String(gw.port));
  for (const gone of ['x-private', 'te', 'proxy-authorization', 'via']) {
    assert.equal(h[gone], undefined, gone);
  }
});

test('the response: status, body and headers pass; Server, Date, WWW-Authenticate are remapped', async () => {
  const res = await call(gw, 'GET', '/svc/s', { headers: { 'x-want-status': '418' } });
  assert.equal(res.status, 418);
  assert.equal(res.headers.get('x-upstream'), 'echo');
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('x-amzn-remapped-server'), 'echo/1.0');
  assert.equal(res.headers.get('x-amzn-remapped-www-authenticate'), 'Basic realm="x"');
  assert.ok(res.headers.get('x-amzn-remapped-date'));
  assert.equal(res.headers.get('www-authenticate'), null);
  assert.equal(res.headers.get('set-cookie'), 'a=1, b=2');
  assert.match(res.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/);
});

test("the service's own request id is remapped, what its Connection names is dropped, a missing Content-Type defaulted", async () => {
  const res = await call(gw, 'GET', '/ids');
  assert.equal(res.status, 200);
  assert.equal(res.text, 'ok');
  assert.match(res.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get('x-amzn-remapped-x-amzn-requestid'), 'upstream-id');
  // Not an id API Gateway remaps: the service's passes, and the gateway adds none beside it.
  assert.equal(res.headers.get('x-amz-apigw-id'), 'upstream-apigw');
  assert.equal(res.headers.get('x-hop-before'), null);
  assert.equal(res.headers.get('x-hop-after'), null);
  assert.equal(res.headers.get('x-kept'), '3');
  assert.equal(res.headers.get('x-amzn-remapped-connection'), 'close, X-Hop-Before, x-hop-after');
  assert.equal(res.headers.get('x-amzn-remapped-content-length'), '2');
  assert.equal(res.headers.get('content-type'), 'application/json');
});

test('the principal reaches the service as a mapped header; forged ones are replaced, not merged', async () => {
  const token = await mint(key, { kid: 'k1', sub: 'alice', claims: { scope: 'read write' } });
  const res = await call(gw, 'GET', '/users/42?tenant=evil&keep=1', {
    token,
    headers: { 'x-user-id': 'mallory', 'X-User-Id': 'mallory-again', 'x-scope': 'admin' },
  });
  assert.equal(res.status, 200, res.text);
  const h = res.json.headers;
  assert.equal(h['x-user-id'], 'alice');
  assert.equal(h['x-scope'], 'read write');
  assert.equal(h['x-static'], 'fixed');
  assert.equal(h['x-id-from-path'], '42');
  assert.equal(res.json.rawHeaders.filter((n) => n.toLowerCase() === 'x-user-id').length, 1);
  assert.equal(res.json.url, '/users/42?keep=1&tenant=acme');
  // Without a token the service is never asked.
  const before = echo.connections;
  assert.equal((await call(gw, 'GET', '/users/42', { headers: { 'x-user-id': 'mallory' } })).status, 401);
  assert.equal(echo.connections, before);
});

test('a mapped value with a line break is never sent: it would add headers of its own', async () => {
  const before = echo.connections;
  const requests = await metric(gw, 'gatehouse_upstream_requests_total', { upstream: `http://127.0.0.1:${ports.echo}` });
  const token = await mint(key, { kid: 'k1', sub: 'eve', claims: { name: 'Eve\r\nX-Admin: true' } });
  const res = await call(gw, 'GET', '/users/7', { token });
  assert.equal(res.status, 500);
  assert.equal(res.text, '{"message": "Internal server error"}');
  const line = await accessLogFor(gw, res.headers.get('x-amzn-requestid'));
  assert.equal(line.error, 'mapped_value_invalid');
  assert.equal(echo.connections, before);
  assert.equal(await metric(gw, 'gatehouse_upstream_requests_total', { upstream: `http://127.0.0.1:${ports.echo}` }), requests);
  assert.match(gw.stderr, /the value mapped to header x-name holds a control character/);
});

test('connections are reused: many requests, few connections on the service side', async () => {
  const before = echo.connections;
  for (let i = 0; i < 50; i += 1) assert.equal((await call(gw, 'GET', `/svc/r${i}`)).status, 200);
  // One I/O thread per core, each with its own pool; sequential requests need one each at most.
  assert.ok(echo.connections - before <= 2, `${echo.connections - before} connections for 50 requests`);
  assert.equal(await metric(gw, 'gatehouse_upstream_results_total',
    { upstream: `http://127.0.0.1:${ports.echo}`, result: 'answered' }) >= 50, true);
});

test('large bodies pass both ways', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 'a');
  const up = await call(gw, 'PUT', '/svc/upload', { body: big });
  assert.equal(up.status, 200);
  assert.equal(up.json.bodyLength, big.length);
  const down = await fetch(`${gw.url}/big/${8 * 1024 * 1024}`);
  assert.equal(down.status, 200);
  assert.equal((await down.arrayBuffer()).byteLength, 8 * 1024 * 1024);
  // Streamed, an answer is not held whole: past API Gateway's 10 MB it still passes.
  const over = await fetch(`${gw.url}/big/${11 * 1024 * 1024}`);
  assert.equal(over.status, 200);
  assert.equal((await over.arrayBuffer()).byteLength, 11 * 1024 * 1024);
});

test('failures as API Gateway answers them, each in the access log', async () => {
  const cases = [
    ['/refused', 502, '{"message": "Internal server error"}', 'upstream_unavailable'],
    ['/reset', 502, '{"message": "Internal server error"}', 'upstream_unavailable'],
    ['/garbage', 502, '{"message": "Internal server error"}', 'upstream_unavailable'],
    ['/hang', 504, '{"message": "Endpoint request timed out"}', 'integration_timeout'],
  ];
  for (const [path, status, body, error] of cases) {
    const res = await call(gw, 'GET', path);
    assert.equal(res.status, status, path);
    assert.equal(res.text, body, path);
    const line = await accessLogFor(gw, res.headers.get('x-amzn-requestid'));
    assert.equal(line.error, error, path);
    assert.equal(line.route, path);
    assert.match(line.upstream, /^http:\/\/127\.0\.0\.1:\d+$/, path);
    assert.ok(line.integration_us > 0, path);
  }
  assert.match(gw.stderr, /http_proxy to http:\/\/127\.0\.0\.1:\d+: cannot connect/);
});

test('an answer cut off mid-body ends the client\'s response cut off, never as complete', async () => {
  // The head (200, content-length: 100) and 15 bytes, then the service closes.
  // (Not spawnSync: the service runs in this process's event loop.)
  const out = await new Promise((r) => execFile('curl', ['-sS', '-D', '-', `${gw.url}/half`],
    { encoding: 'utf8' }, (err, stdout, stderr) => r({ status: err?.code ?? 0, stdout, stderr })));
  assert.equal(out.status, 18, out.stderr);  // curl: partial file
  assert.match(out.stdout, /^HTTP\/1\.1 200 /);
  assert.match(out.stdout, /content-length: 100\r\n/i);
  assert.match(out.stdout, /only part of it$/);
  const id = /x-amzn-requestid: (\S+)/i.exec(out.stdout)[1];
  const line = await accessLogFor(gw, id);
  assert.equal(line.status, 200);
  assert.equal(line.error, 'upstream_cut_off');
  const upstream = `http://127.0.0.1:${ports.half}`;
  assert.equal(await metric(gw, 'gatehouse_upstream_results_total', { upstream, result: 'cut_off' }), 1);
});

test('several targets: taken in turn, one that refuses connections skipped, nothing lost', async () => {
  const refused = `http://127.0.0.1:${ports.refused}`;
  const failures = () => metric(gw, 'gatehouse_upstream_results_total', { upstream: refused, result: 'upstream_unavailable' });
  const failedBefore = await failures();  // the /refused route shares its pool and counters
  const seen = { [ports.echo]: 0, [ports.echo2]: 0 };
  for (let i = 0; i < 9; i += 1) {
    const res = await call(gw, 'GET', `/pool/item/${i}`);
    // The refusing target is never an answer: the request went on to the next one, unsent.
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.url, `/pool/item/${i}`);
    seen[res.json.headers.host.split(':')[1]] += 1;
    const line = await accessLogFor(gw, res.headers.get('x-amzn-requestid'));
    assert.equal(line.upstream, `http://${res.json.headers.host}`);
  }
  // Turns go round the three; the one cooling down passes its turn on.
  assert.ok(seen[ports.echo] >= 3 && seen[ports.echo2] >= 3, JSON.stringify(seen));
  assert.equal(await metric(gw, 'gatehouse_upstream_cooling_down', { upstream: refused }), 1);
  assert.equal(await metric(gw, 'gatehouse_upstream_cooling_down', { upstream: `http://127.0.0.1:${ports.echo}` }), 0);
  // Only one connection was ever tried to it: skipped while cooling down.
  assert.equal(await failures(), failedBefore + 1);
});

// A CA, a server certificate it signed for svc.test (and no IP), and a client certificate it
// signed, made with openssl for this test.
function makeCertificates(dir) {
  const sh = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '1', '-subj', '/CN=gatehouse proxy test CA']);
  for (const [name, ext] of [['srv', 'subjectAltName=DNS:svc.test\n'], ['client', 'extendedKeyUsage=clientAuth\n']]) {
    sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`,
      '-subj', `/CN=${name}`]);
    writeFileSync(join(dir, `${name}.cnf`), ext);
    sh(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.cnf`]);
  }
}

test('https services: a private CA, the certificate\'s name, a client certificate', async () => {
  const dir = tempDir();
  makeCertificates(dir);
  const pem = (f) => readFileSync(join(dir, f));
  const answer = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ client: req.socket.getPeerCertificate()?.subject?.CN ?? null }));
  };
  const plain = https.createServer({ key: pem('srv.key'), cert: pem('srv.pem') }, answer);
  const mutual = https.createServer({
    key: pem('srv.key'), cert: pem('srv.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true,
  }, answer);
  const plainPort = await listen(plain);
  const mutualPort = await listen(mutual);
  const route = (path, port, tls) => `
  - path: ${path}
    method: GET
    auth: none
    integration:
      type: http_proxy
      uri: https://127.0.0.1:${port}/
${tls ? `      tls: ${tls}\n` : ''}`;
  const proxyGw = await startGateway(`api: {name: tls, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
routes:${route('/trusted', plainPort, '{ca_file: ca.pem, server_name: svc.test}')}${route('/system-cas', plainPort, '{server_name: svc.test}')}${route('/wrong-name', plainPort, '{ca_file: ca.pem}')}${route('/mtls', mutualPort, '{ca_file: ca.pem, server_name: svc.test, client_certificate: client.pem, client_key: client.key}')}${route('/no-client-cert', mutualPort, '{ca_file: ca.pem, server_name: svc.test}')}`, { dir, keepDir: true, deadlineMs: 30000 });
  try {
    const trusted = await call(proxyGw, 'GET', '/trusted');
    assert.equal(trusted.status, 200, trusted.text);
    assert.equal(trusted.json.client, null);
    const mtls = await call(proxyGw, 'GET', '/mtls');
    assert.equal(mtls.status, 200, mtls.text);
    assert.equal(mtls.json.client, 'client');
    for (const path of ['/system-cas', '/wrong-name', '/no-client-cert']) {
      const res = await call(proxyGw, 'GET', path);
      assert.equal(res.status, 502, `${path}: ${res.text}`);
      const line = await accessLogFor(proxyGw, res.headers.get('x-amzn-requestid'));
      assert.equal(line.error, 'upstream_unavailable', path);
    }
    assert.match(proxyGw.stderr, /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
  } finally {
    await proxyGw.stop();
    plain.close();
    mutual.close();
  }
  // A client certificate whose key is another's stops the start, naming the file.
  const bad = await startGateway(`api: {name: tls, listen: 127.0.0.1:0}
routes:${route('/x', plainPort, '{client_certificate: client.pem, client_key: srv.key}')}`, { dir, deadlineMs: 30000 })
    .then((g) => g.stop().then(() => null), (err) => err);
  assert.match(String(bad), /routes\[0\]\.integration\.tls: client key .*srv\.key cannot be used with the certificate .*client\.pem/);
  rmSync(dir, { recursive: true, force: true });
});

test('Expect: 100-continue is answered here; the service never sees Expect', async () => {
  const dir = tempDir();
  const file = join(dir, 'upload.bin');
  writeFileSync(file, Buffer.alloc(2 * 1024 * 1024, 'u'));
  // curl sends Expect: 100-continue with a body this large, and waits for the 100.
  const res = await curl(['-T', file, '-H', 'Expect: 100-continue', '-H', 'content-type: application/octet-stream',
    `${gw.url}/svc/continue`]);
  assert.equal(res.status, 200, res.body.slice(0, 200));
  const seen = JSON.parse(res.body);
  assert.equal(seen.method, 'PUT');
  assert.equal(seen.bodyLength, 2 * 1024 * 1024);
  assert.equal(seen.headers.expect, undefined);
  rmSync(dir, { recursive: true, force: true });
});

test('nginx as the service: static files whole, keep-alive reuse counted in its access log', async () => {
  const root = tempDir();
  chmodSync(root, 0o755);  // nginx's workers run as another user and must reach the files
  const prefix = join(root, 'nginx');
  // A free port: bound, then closed for nginx to take.
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  mkdirSync(join(prefix, 'html'), { recursive: true });
  writeFileSync(join(prefix, 'html', 'file.bin'), Buffer.alloc(3 * 1024 * 1024, 'n'));
  const nginx = await startNginx(prefix, `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
events { worker_connections 64; }
http {
  log_format combined_conn '$connection $connection_requests $request';
  access_log ${prefix}/access.log combined_conn;
  client_body_temp_path ${prefix}/tmp;
  proxy_temp_path ${prefix}/tmp;
  fastcgi_temp_path ${prefix}/tmp;
  uwsgi_temp_path ${prefix}/tmp;
  scgi_temp_path ${prefix}/tmp;
  keepalive_requests 1000;
  server {
    listen 127.0.0.1:${port};
    root ${prefix}/html;
  }
}
`);
  const proxyGw = await startGateway(`api: {name: nginx, listen: 127.0.0.1:0, io_threads: 1}
routes:
  - path: /files/{proxy+}
    method: GET
    auth: none
    integration: {type: http_proxy, uri: "http://127.0.0.1:${port}/{proxy}"}
`, { deadlineMs: 30000 });
  try {
    await waitFor(async () => (await call(proxyGw, 'GET', '/files/missing')).status === 404,
      { timeoutMs: 10000, message: 'nginx did not answer 404 for a missing file' });
    for (let i = 0; i < 20; i += 1) {
      const res = await fetch(`${proxyGw.url}/files/file.bin`);
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 3 * 1024 * 1024);
    }
    const lines = await waitFor(() => {
      const text = readFileSync(join(prefix, 'access.log'), 'utf8').trim().split('\n');
      return text.length >= 21 ? text : null;
    }, { message: 'nginx logged fewer requests than were sent' });
    const connections = new Set(lines.map((l) => l.split(' ')[0]));
    assert.equal(connections.size, 1, `21 requests over ${connections.size} connections`);
  } finally {
    await proxyGw.stop();
    await nginx.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
