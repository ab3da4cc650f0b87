// http_proxy bodies pass through as they arrive, both ways: a gigabyte up and down with the
// gateway's memory flat, the first bytes of an answer at the client while the service still
// writes, a request body at the service while the client still sends, and what happens when
// either side stops half-way (the client's limit, a client that goes away, a client refused
// before it sent its body).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  startGateway, metric, waitFor, keyPair, jwk, mint, tempDir, accessLogFor, jwtAuthorizer,
} from './harness.mjs';

const GB = 1_000_000_000;
const PIECE = Buffer.alloc(256 * 1024, 'g');

// Writes `total` bytes to `stream` as it drains, then ends it; `sent` says how far it got.
function pump(stream, total) {
  const progress = { sent: 0 };
  const more = () => {
    while (progress.sent < total) {
      const n = Math.min(PIECE.length, total - progress.sent);
      progress.sent += n;
      if (!stream.write(n === PIECE.length ? PIECE : PIECE.subarray(0, n))) return stream.once('drain', more);
    }
    return stream.end();
  };
  more();
  return progress;
}

// Resolvable from outside: the service waits on these for the test's go-ahead.
function signal() {
  let fire;
  const fired = new Promise((r) => { fire = r; });
  return { fired, fire };
}

// The service. /sink counts what it receives; /source/<n> sends n bytes (with a length unless
// ?chunked), pacing itself by the socket; /trickle sends "first", waits for the test, then
// "second"; /await-body reports the first piece of the body, then waits for the end.
const svc = {
  received: [], firstPiece: signal(), sendSecond: signal(), sourceClosed: signal(), aborted: 0,
};
function service() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/sink') {
      let bytes = 0;
      let first = true;
      req.on('data', (c) => {
        bytes += c.length;
        if (first) { first = false; svc.firstPiece.fire(c.length); }
      });
      req.on('aborted', () => { svc.aborted += 1; });
      req.on('end', () => {
        svc.received.push(bytes);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, chunked: req.headers['transfer-encoding'] === 'chunked',
          length: req.headers['content-length'] ?? null }));
      });
      return;
    }
    req.resume();
    if (url.pathname.startsWith('/source/')) {
      const total = Number(url.pathname.slice(8));
      const headers = { 'content-type': 'application/octet-stream' };
      if (!url.searchParams.has('chunked')) headers['content-length'] = String(total);
      res.writeHead(200, headers);
      const progress = pump(res, total);
      res.on('close', () => svc.sourceClosed.fire(progress.sent));
      return undefined;
    }
    if (url.pathname === '/slow') {
      setTimeout(() => res.end('slow'), 300);
      return;
    }
    if (url.pathname === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      svc.sendSecond.fired.then(() => res.end('second\n'));
      return;
    }
    res.writeHead(404);
    res.end();
  });
}

// The peak resident memory of `pid` while `work` runs (sampled every 50 ms), in bytes.
async function peakRss(pid, work) {
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  let peak = rss();
  const timer = setInterval(() => { peak = Math.max(peak, rss()); }, 50);
  try {
    const result = await work();
    return { peak, result };
  } finally {
    clearInterval(timer);
  }
}

// curl, run without blocking this process's event loop (the service lives in it).
function curlAsync(args, { input } = {}) {
  return new Promise((resolve) => {
    const child = execFile('curl', ['-sS', ...args], { encoding: 'utf8', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => resolve({ code: err?.code ?? 0, stdout, stderr }));
    // curl may be done (a 413, a 401) before it read all of its input.
    child.stdin.on('error', () => {});
    if (input) input(child.stdin);
  });
}

// A gateway of its own (`api` takes `apiLine`) with the public /open/{proxy+} route.
function openGateway(apiLine) {
  return startGateway(`api:
  name: own
  listen: 127.0.0.1:0
  ${apiLine}
admin: {listen: 127.0.0.1:0}
routes:
  - path: /open/{proxy+}
    method: ANY
    auth: none
    integration: {type: http_proxy, uri: "${base}/{proxy}"}
`);
}

let gw;
let upstream;
let key;
let base;

before(async () => {
  upstream = service();
  const port = await new Promise((r) => upstream.listen(0, '127.0.0.1', () => r(upstream.address().port)));
  base = `http://127.0.0.1:${port}`;
  key = await keyPair('RS256');
  const dir = tempDir();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(key, 'k1')] }));
  gw = await startGateway(`api:
  name: stream
  listen: 127.0.0.1:0
  limits: {max_body_bytes: 1073741824, body_timeout_ms: 300000}
admin: {listen: 127.0.0.1:0}
authorizers:
${jwtAuthorizer()}routes:
  - path: /open/{proxy+}
    method: ANY
    auth: none
    integration: {type: http_proxy, uri: "${base}/{proxy}", timeout_ms: 10000}
  - path: /guarded/{proxy+}
    method: ANY
    auth: jwt
    integration: {type: http_proxy, uri: "${base}/{proxy}"}
`, { dir, deadlineMs: 30000 });
});

after(async () => {
  await gw?.stop();
  upstream?.closeAllConnections();
  upstream?.close();
});

test('a gigabyte up (chunked) and down (with a length) passes with the gateway\'s memory flat', async () => {
  const pid = gw.child.pid;
  const before = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  const up = await peakRss(pid, () => curlAsync(['-T', '-', '-X', 'PUT', `${gw.url}/open/sink`], {
    input: (stdin) => pump(stdin, GB),
  }));
  assert.equal(up.result.code, 0, up.result.stderr);
  assert.deepEqual(JSON.parse(up.result.stdout), { bytes: GB, chunked: true, length: null });

  const down = await peakRss(pid, () => curlAsync(['-o', '/dev/null', '-w', '%{http_code} %{size_download}',
    `${gw.url}/open/source/${GB}`]));
  assert.equal(down.result.code, 0, down.result.stderr);
  assert.equal(down.result.stdout, `200 ${GB}`);
  // A piece each way per exchange, whatever the size: far below what a buffered gigabyte takes.
  for (const [what, peak] of [['upload', up.peak], ['download', down.peak]]) {
    assert.ok(peak - before < 64 * 1024 * 1024,
      `${what}: RSS grew from ${before} to ${peak} bytes`);
  }
});

test('with a length the request body passes with it; the service sees no chunks', async () => {
  const size = 3 * 1024 * 1024 + 7;
  const out = await curlAsync(['--data-binary', '@-', '-H', 'content-type: application/octet-stream',
    `${gw.url}/open/sink`], { input: (stdin) => stdin.end(Buffer.alloc(size, 'x')) });
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { bytes: size, chunked: false, length: String(size) });
  // A chunked answer reaches an HTTP/1.1 client chunked, an HTTP/1.0 one until the connection's end.
  for (const flag of ['--http1.1', '--http1.0']) {
    const res = await curlAsync([flag, '-D', '-', '-o', '/dev/null', '-w', '%{size_download}',
      `${gw.url}/open/source/${size}?chunked`]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`${size}$`));
    if (flag === '--http1.1') assert.match(res.stdout, /transfer-encoding: chunked/i);
    else assert.match(res.stdout, /connection: close/i);
  }
});

test('the answer\'s first bytes reach the client while the service still writes', async () => {
  // The service sends "second" only once the client has read "first": a gateway that held the
  // answer whole would wait for ever here.
  const res = await fetch(`${gw.url}/open/trickle`);
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const { value } = await reader.read();
  assert.equal(Buffer.from(value).toString(), 'first\n');
  svc.sendSecond.fire();
  let rest = '';
  for (;;) {
    const { done, value: more } = await reader.read();
    if (done) break;
    rest += Buffer.from(more).toString();
  }
  assert.equal(rest, 'second\n');
});

test('the request body reaches the service while the client still sends', async () => {
  svc.firstPiece = signal();
  const req = http.request(`${gw.url}/open/sink`, { method: 'POST' });
  const answer = new Promise((resolve) => req.on('response', (res) => {
    let text = '';
    res.on('data', (c) => { text += c; });
    res.on('end', () => resolve({ status: res.statusCode, text }));
  }));
  req.write(Buffer.alloc(100 * 1024, 'a'));
  // The rest is sent only once the service holds the first part.
  assert.ok(await svc.firstPiece.fired > 0);
  req.end(Buffer.alloc(10, 'z'));
  const res = await answer;
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text).bytes, 100 * 1024 + 10);
});

test('a client that goes away mid-download closes the service\'s connection, and is logged', async () => {
  svc.sourceClosed = signal();
  const res = await fetch(`${gw.url}/open/source/${GB}`);
  const id = res.headers.get('x-amzn-requestid');
  const reader = res.body.getReader();
  await reader.read();
  await reader.cancel();
  // The service's response is torn down long before its gigabyte.
  const sent = await svc.sourceClosed.fired;
  assert.ok(sent < GB, `the service sent ${sent} bytes`);
  const line = await waitFor(() => gw.accessLog.find((r) => r.request_id === id));
  assert.equal(line.status, 200);
  assert.equal(line.error, 'client_closed');
  assert.equal(line.upstream, base);
});

test('a client refused by the authorizer never sends its body (100-continue), nor reaches the service', async () => {
  const before = svc.received.length;
  const out = await curlAsync(['-H', 'Expect: 100-continue', '-H', 'content-type: application/octet-stream',
    '--data-binary', '@-', '-w', '\n%{http_code} %{size_upload}', `${gw.url}/guarded/sink`],
  { input: (stdin) => stdin.end(Buffer.alloc(4 * 1024 * 1024, 'q')) });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /\n401 0$/);
  // With a token, the same body goes through after the 100 Continue.
  const token = await mint(key, { kid: 'k1' });
  const ok = await curlAsync(['-H', 'Expect: 100-continue', '-H', `authorization: Bearer ${token}`,
    '--data-binary', '@-', '-w', '\n%{http_code} %{size_upload}', `${gw.url}/guarded/sink`],
  { input: (stdin) => stdin.end(Buffer.alloc(4 * 1024 * 1024, 'q')) });
  assert.match(ok.stdout, new RegExp(`\\n200 ${4 * 1024 * 1024}$`), ok.stderr);
  assert.equal(svc.received.length, before + 1);
});

test('a chunked body past the listener\'s limit is refused mid-way; the service never gets it whole', async () => {
  const small = await openGateway('limits: {max_body_bytes: 1048576}');
  try {
    const before = svc.received.length;
    const aborted = svc.aborted;
    const out = await curlAsync(['-T', '-', '-X', 'POST', '-w', '\n%{http_code}', `${small.url}/open/sink`], {
      input: (stdin) => { stdin.write(Buffer.alloc(700 * 1024, 'a')); stdin.end(Buffer.alloc(700 * 1024, 'b')); },
    });
    assert.match(out.stdout, /\n413$/, out.stderr);
    assert.match(out.stdout, /^{"message":"Request Too Long"}/);
    await waitFor(() => svc.aborted > aborted);
    assert.equal(svc.received.length, before);
    // The access log is flushed every 20 ms.
    const line = await waitFor(() => small.accessLog.find((r) => r.error === 'body_too_large'));
    assert.equal(line.status, 413);
  } finally {
    await small.stop();
  }
});

test('pipelined after a streamed body, the next request is read and answered in order; HEAD keeps the length', async () => {
  const socket = net.connect(gw.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.on('data', (c) => { text += c; });
  socket.write('POST /open/sink HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello'
    + 'HEAD /open/source/1234 HTTP/1.1\r\nhost: x\r\n\r\n'
    + 'GET /open/source/3 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  await new Promise((r) => socket.once('close', r));
  const answers = text.split(/(?=HTTP\/1\.1 )/);
  assert.equal(answers.length, 3, text);
  assert.match(answers[0], /^HTTP\/1\.1 200 [\s\S]*"bytes":5/);
  assert.match(answers[1], /^HTTP\/1\.1 200 [\s\S]*content-length: 1234\r\n/i);
  assert.ok(answers[1].endsWith('\r\n\r\n'), 'HEAD: no body');
  assert.match(answers[2], /^HTTP\/1\.1 200 [\s\S]*\r\n\r\nggg$/);
});

test('a body framed two ways (Content-Length and chunked) is refused, never passed on', async () => {
  const before = svc.received.length;
  for (const head of [
    'POST /open/sink HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nhello',
    'POST /open/sink HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n0\r\n\r\nhello',
  ]) {
    const socket = net.connect(gw.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let text = '';
    socket.on('data', (c) => { text += c; });
    socket.on('error', () => {});
    socket.write(head);
    await new Promise((r) => socket.once('close', r));
    assert.match(text, /^HTTP\/1\.1 400 /, text);
    assert.equal(text.match(/HTTP\/1\.1/g).length, 1, text);
  }
  assert.equal(svc.received.length, before);
});

test('a pipelined request\'s 100 Continue comes after the answers before it, never between', async () => {
  const socket = net.connect(gw.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.on('data', (c) => { text += c; });
  // The first answer takes 300 ms; the second request waits for its go-ahead meanwhile.
  socket.write('GET /open/slow HTTP/1.1\r\nhost: x\r\n\r\n'
    + 'POST /open/sink HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n');
  await waitFor(() => text.includes('100 Continue'));
  assert.match(text, /^HTTP\/1\.1 200 [\s\S]*\r\n\r\nslowHTTP\/1\.1 100 Continue\r\n\r\n$/);
  socket.write('hello');
  await waitFor(() => text.includes('"bytes":5'));
  socket.end();
});

test('a download still streaming when the shutdown grace ends: gatehouse still exits cleanly', async () => {
  const quick = await openGateway('shutdown_grace_ms: 200');
  svc.sendSecond = signal();  // /trickle sends its first line, then waits: the body never ends
  const res = await fetch(`${quick.url}/open/trickle`);
  const reader = res.body.getReader();
  assert.equal(Buffer.from((await reader.read()).value).toString(), 'first\n');
  const result = await quick.stop();
  // Torn down with the I/O threads after the gateway, the body's end is not logged (nor crashes).
  assert.deepEqual(result, { code: 0, signal: null });
  await reader.read().catch(() => {});
  svc.sendSecond.fire();
});
