// HTTP behaviour of the real binary: limits, timeouts, pipelining, shutdown, and `gatehouse check`.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, gatewayYaml, keyPair, jwk, mint, tempDir, binary, curl, waitFor } from './harness.mjs';

// Sends raw bytes and collects everything until the server closes or `untilCount` responses.
function raw(port, chunks, { untilClose = true, gapMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.on('error', reject);
    sock.on('close', () => resolve(data));
    sock.on('connect', async () => {
      for (const c of chunks) {
        sock.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (!untilClose) setTimeout(() => sock.end(), 300);
    });
  });
}

describe('HTTP server', () => {
  let gw, pair, token;
  before(async () => {
    pair = await keyPair('RS256');
    const dir = tempDir();
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    const yaml = gatewayYaml({ keysYaml: '      jwks_file: jwks.json' }).replace(
      '  default_authorizer: jwt\n',
      '  default_authorizer: jwt\n  shutdown_grace_ms: 5000\n  limits:\n' +
      '    max_body_bytes: 1024\n    max_header_bytes: 2048\n    max_request_line_bytes: 512\n' +
      '    header_timeout_ms: 500\n');
    gw = await startGateway(yaml, { dir });
    token = await mint(pair, { kid: 'k1' });
  });
  after(async () => { await gw.stop(); });

  test('a body over the limit gets 413 with API Gateway\'s REQUEST_TOO_LARGE body', async () => {
    const res = await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`,
      '--data-binary', 'x'.repeat(5000), gw.url + '/echo']);
    assert.equal(res.status, 413);
    assert.equal(res.body, '{"message":"Request Too Long"}');
    assert.equal(res.headers['x-amzn-errortype'], 'RequestTooLongException');
  });

  test('a body within the limit (curl sends Expect: 100-continue past 1 KiB) passes', async () => {
    const res = await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`,
      '-H', 'Expect: 100-continue', '--data-binary', 'y'.repeat(1000), gw.url + '/echo']);
    assert.equal(res.status, 200);
  });

  test('headers over the limit get 431, a long request line 414', async () => {
    const big = await raw(gw.port, [`GET /echo HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(4000)}\r\n\r\n`]);
    assert.match(big, /^HTTP\/1\.1 431 /);
    const long = await raw(gw.port, [`GET /${'a'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    assert.match(long, /^HTTP\/1\.1 414 /);
  });

  test('malformed requests get 400', async () => {
    const bad = await raw(gw.port, ['GET /echo HTTP/1.1\r\nHost x\r\n\r\n']);
    assert.match(bad, /^HTTP\/1\.1 400 /);
  });

  test('a client sending its head one byte at a time is cut off', async () => {
    const head = 'GET /public HTTP/1.1\r\nHost: x\r\n\r\n';
    const started = Date.now();
    const out = await raw(gw.port, head.split(''), { gapMs: 100 });
    assert.equal(out, '', 'no response: the connection was closed before the head completed');
    assert.ok(Date.now() - started < head.length * 100, 'closed before the client finished');
  });

  test('pipelined requests on one connection are answered in order', async () => {
    const reqs = ['GET /public HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'].join('');
    const out = await raw(gw.port, [reqs]);
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200', '401'], out);
  });

  test('SIGTERM drains: the process exits 0', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    const g = await startGateway(gatewayYaml({ keysYaml: '      jwks_file: jwks.json' }), { dir });
    // An idle keep-alive connection must not hold the shutdown up.
    const idle = net.connect(g.port, '127.0.0.1');
    await new Promise((r) => idle.on('connect', r));
    assert.equal((await fetch(g.url + '/public')).status, 200);
    const { code } = await g.stop();
    assert.equal(code, 0);
    idle.destroy();
  });

  // systemd's ExecReload sends SIGHUP: the process must survive it, and say what it did.
  test('SIGHUP does not end the process: it reads the configuration again, and serves on', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    const g = await startGateway(gatewayYaml({ keysYaml: '      jwks_file: jwks.json' }), { dir });
    const said = () => (g.stderr.match(/reloaded .*gatehouse\.yaml: /g) ?? []).length;
    try {
      // One at a time: two signals sent at once may arrive as one.
      for (const n of [1, 2]) {
        g.child.kill('SIGHUP');
        await waitFor(() => said() === n, { timeoutMs: 15000 });
      }
      assert.equal((await fetch(g.url + '/public')).status, 200);
    } finally {
      const { code, signal } = await g.stop();
      assert.deepEqual({ code, signal }, { code: 0, signal: null });
    }
  });
});

function run(args) {
  return new Promise((resolve) => {
    execFile(binary, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

describe('/metrics', () => {
  // Two routes on one path (as API Gateway resources have one method each) are two series each,
  // and no series appears twice: Prometheus drops a scrape with duplicates.
  test('every series is unique: the method joins the route as a label; every metric has one HELP', async () => {
    const g = await startGateway(`api: {name: t, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
routes:
  - {path: /notes, method: GET, auth: none, integration: {type: mock}}
  - {path: /notes, method: POST, auth: none, integration: {type: mock, status: 201}}
  - {path: /any, method: ANY, auth: none, integration: {type: mock}}
`);
    try {
      for (const [method, path] of [['GET', '/notes'], ['POST', '/notes'], ['POST', '/notes'], ['DELETE', '/any']]) {
        await (await fetch(g.url + path, { method })).text();
      }
      await (await fetch(g.url + '/nowhere')).text();
      const text = await (await fetch(g.adminUrl + '/metrics')).text();
      const samples = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' ')));
      const seen = new Set();
      for (const s of samples) {
        assert.ok(!seen.has(s), `${s} appears twice`);
        seen.add(s);
      }
      const value = (series) => Number(text.split('\n').find((l) => l.startsWith(`${series} `)).split(' ')[1]);
      assert.equal(value('gatehouse_requests_total{route="/notes",method="GET",status="200"}'), 1);
      assert.equal(value('gatehouse_requests_total{route="/notes",method="POST",status="201"}'), 2);
      assert.equal(value('gatehouse_requests_total{route="/any",method="ANY",status="200"}'), 1);
      assert.equal(value('gatehouse_requests_total{route="",method="",status="other"}')
        + value('gatehouse_requests_total{route="",method="",status="403"}'), 1);
      assert.equal(value('gatehouse_request_duration_seconds_count{route="/notes",method="POST"}'), 2);
      const names = new Set(samples.map((s) => s.replace(/\{.*$/, '').replace(/_(bucket|sum|count)$/, '')));
      for (const name of names) {
        const help = text.split('\n').filter((l) => l.startsWith(`# HELP ${name} `));
        assert.equal(help.length, 1, `${name}: ${help.length} HELP lines`);
      }
    } finally {
      await g.stop();
    }
  });
});

describe('gatehouse check', () => {
  test('a valid config prints the route table with public routes marked', async () => {
    const dir = tempDir();
    const pair = await keyPair('RS256');
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    writeFileSync(join(dir, 'g.yaml'), gatewayYaml({ keysYaml: '      jwks_file: jwks.json' }));
    const r = await run(['check', '-c', join(dir, 'g.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/items\/\{id\}\s+jwt\s+admin/);
    assert.match(r.stdout, /\/public\s+none \(PUBLIC\)\s+-\s+mock 200/);
    assert.match(r.stdout, /3 routes, 1 public/);
  });

  test('serve logs the same route table, with each route\'s integration, before it listens', async () => {
    const dir = tempDir();
    const pair = await keyPair('RS256');
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    const g = await startGateway(gatewayYaml({ keysYaml: '      jwks_file: jwks.json' }), { dir });
    try {
      // stderr is another pipe than the stdout line that said it listens: wait for it.
      await waitFor(() => g.stderr.includes('listening on'));
      const table = g.stderr.slice(g.stderr.indexOf('routes:'), g.stderr.indexOf('listening on'));
      assert.match(table, /METHODS\s+PATH\s+AUTHORIZER\s+SCOPES\s+INTEGRATION/);
      assert.match(table, /\/items\/\{id\}\s+jwt\s+admin\s+mock 200/);
      assert.match(table, /3 routes, 1 public/);
    } finally {
      await g.stop();
    }
  });

  test('a broken config names file:line:col and the key path, exit code 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'api:\n  name: x\n  listen: 127.0.0.1:0\nroutes:\n  - path: /a\n' +
      '    method: GET\n    auth: none\n    integration:\n      type: mok\n');
    const r = await run(['check', '-c', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.yaml:9:\d+: routes\[0\]\.integration\.type/);
  });

  test('a config with several errors: check reports each, in the order of the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'several.yaml');
    writeFileSync(file, 'api: {name: x}\nroutes:\n'
      + '  - {path: /a, method: GETT, auth: none, integration: {type: mock}}\n'
      + '  - {path: /b, method: GET, auth: none, integration: {type: mock, body: $context.authoriser.principalID}}\n'
      + '  - {path: /c, method: GET, auth: none, integration: {type: mok}}\n');
    const r = await run(['check', '-c', file]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], 'gatehouse check: 3 errors:');
    assert.match(lines[1], /several\.yaml:3:\d+: routes\[0\]\.method: unknown value 'GETT'/);
    assert.match(lines[2], /several\.yaml:4:\d+: routes\[1\]\.integration\.body: .*did you mean \$context\.authorizer\.principalId\?/);
    assert.match(lines[3], /several\.yaml:5:\d+: routes\[2\]\.integration\.type/);
  });

  test('a route template the router refuses is reported at its line', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad-route.yaml');
    writeFileSync(file, 'api:\n  name: x\nroutes:\n  - path: /a/{id\n    method: GET\n' +
      '    auth: none\n    integration:\n      type: mock\n');
    const r = await run(['check', '-c', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-route\.yaml:4:\d+: routes\[0\]\.path: /);
  });

  test('a route without auth and without a default authorizer is refused (fail closed)', async () => {
    const dir = tempDir();
    const file = join(dir, 'open.yaml');
    writeFileSync(file, 'api:\n  name: x\nroutes:\n  - path: /a\n    method: GET\n' +
      '    integration:\n      type: mock\n');
    const r = await run(['check', '-c', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /open\.yaml:\d+:\d+: routes\[0\]/);
  });
});

describe('method ARN limit', () => {
  test('a path whose method ARN is over 1600 bytes gets 414 before the authorizer runs', async () => {
    const pair = await keyPair('RS256');
    const dir = tempDir();
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(pair, 'k1')] }));
    const gw = await startGateway(gatewayYaml({ keysYaml: '      jwks_file: jwks.json' }), { dir });
    try {
      const token = await mint(pair, { kid: 'k1' });
      const res = await fetch(`${gw.url}/items/${'x'.repeat(1700)}`,
        { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 414);
      const ok = await fetch(`${gw.url}/items/${'x'.repeat(100)}`,
        { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 403, 'a normal length reaches the scope check');
    } finally {
      await gw.stop();
    }
  });
});
