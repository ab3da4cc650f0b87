// The front door (docs/security.md): each attack a tester made against the built binary, repeated
// with its neighbours, and the gateway still serving afterwards. The attacker here is the test
// process: a local process that is not a worker, a client of the API, a function's response.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { startGateway, runServe, repoRoot, metric, tempDir, runCli, waitFor, call, ISSUER,
  AUDIENCE } from './harness.mjs';

const FIXTURES = join(repoRoot, 'tests/integration/functions/front_door');
const q = (s) => JSON.stringify(s);
const INTERNAL_ERROR = '{"message": "Internal server error"}';

// GET with node:http, which reads header blocks up to 64 KiB (fetch stops at 16 KiB).
function get(gw, path) {
  return new Promise((resolve, reject) => {
    http.get(gw.url + path, { agent: false, maxHeaderSize: 65536 }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', reject);
  });
}

// Connects to 127.0.0.1:port, writes `request`, and resolves with every byte read until the
// other side closes (or 5 s pass: then `timedOut`).
function rawExchange(port, request, { waitMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; socket.destroy(); }, waitMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (c) => { data += c; });
    socket.on('error', () => {});
    socket.on('close', () => { clearTimeout(timer); resolve({ data, timedOut }); });
  });
}

// =============================================================================================
// 1. A worker's Runtime API endpoint answers its worker only.

describe('functions', () => {
  let gw;
  before(async () => {
    gw = await startGateway(`api: {name: door, stage: test, listen: 127.0.0.1:0}
functions:
  reflect: {runtime: node, handler: handlers.reflect, working_dir: ${q(FIXTURES)}, concurrency: 1}
  whoami: {runtime: node, handler: handlers.whoami, working_dir: ${q(FIXTURES)}, concurrency: 1}
  second: {runtime: node, handler: handlers.secondNext, working_dir: ${q(FIXTURES)}, concurrency: 1}
  files_policy: {runtime: node, handler: handlers.filesPolicy, working_dir: ${q(FIXTURES)}}
  echo: {runtime: node, handler: handlers.echo, working_dir: ${q(FIXTURES)}}
authorizers:
  files: {type: token, function: files_policy, cache_ttl_s: 300, cache_scope: method}
routes:
  - {path: "/files/{owner}/{name}", method: GET, auth: files, integration: {type: function, function: echo}}
  - {path: "/files/{owner}/{name}/meta", method: GET, auth: files, integration: {type: function, function: echo}}
  - {path: "/open/{name}", method: GET, auth: none, integration: {type: function, function: echo}}
  - {path: /reflect, method: GET, auth: none, integration: {type: function, function: reflect}}
  - {path: /whoami, method: GET, auth: none, integration: {type: function, function: whoami}}
  - {path: /second, method: GET, auth: none, integration: {type: function, function: second}}
admin: {listen: 127.0.0.1:0}
access_log: {path: "off"}
`);
  });
  after(async () => { await gw?.stop(); });

  test("another local process cannot take a worker's events, answer them, or hold its endpoint",
    async () => {
      const me = await call(gw, 'GET', '/whoami');
      assert.equal(me.status, 200, me.text);
      const port = Number(me.json.runtimeApi.split(':')[1]);
      const next = 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n';
      // More connections than the endpoint allows, each closed unread: no event, no 4xx either.
      const knocks = await Promise.all(Array.from({ length: 70 }, () => rawExchange(port, next)));
      for (const k of knocks) assert.deepEqual(k, { data: '', timedOut: false });
      // A forged answer under any id is not even parsed.
      const forged = await rawExchange(port, 'POST /2018-06-01/runtime/invocation/' +
        '00000000-0000-4000-8000-000000000000/response HTTP/1.1\r\nHost: x\r\n' +
        'Content-Length: 2\r\n\r\n{}');
      assert.deepEqual(forged, { data: '', timedOut: false });
      // The worker still gets its events and its answers reach the client.
      const again = await call(gw, 'GET', '/whoami');
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.pid, me.json.pid, 'the same worker, never replaced');
      assert.equal(await metric(gw, 'gatehouse_function_runtime_api_refused_total',
        { function: 'whoami' }), 71);
      assert.match(gw.stderr, /function whoami: refused a Runtime API connection from 127\.0\.0\.1:\d+/);
    });

  test('a worker asking for the next event while one runs gets 403 InvalidStateTransition',
    async () => {
      const r = await call(gw, 'GET', '/second');
      assert.equal(r.status, 200, r.text);
      const answer = r.json;
      assert.equal(answer.status, 403);
      assert.equal(JSON.parse(answer.body).errorType, 'InvalidStateTransition');
      assert.equal((await call(gw, 'GET', '/second')).status, 200, 'and it goes on serving');
    });

  test('request ids are UUIDv4, distinct, and not a function of the previous one', async () => {
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push((await call(gw, 'GET', '/nowhere')).headers.get('x-amzn-requestid'));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  // ------------------------------------------------------------------------------------------
  // 3. Method ARNs cannot be steered.

  test("an encoded '/' or '\\' cannot move a method ARN's segments: 400 before the authorizer",
    async () => {
      const auth = { authorization: 'carol' };
      assert.equal((await call(gw, 'GET', '/files/alice/report', { headers: auth })).status, 200);
      assert.equal((await call(gw, 'GET', '/files/bob/secret', { headers: auth })).status, 403,
        'the explicit Deny');
      for (const path of ['/files/alice/..%2Fbob%2Fsecret', '/files/alice/..%2fbob%2fsecret',
        '/files/alice/%2e%2e%2Fbob%2Fsecret', '/files/alice/x%2Fmeta', '/files/alice/x%5Cmeta',
        '/files/alice%2F..%2Fbob/secret', '/files/alice/a%5c..%5cbob']) {
        const r = await call(gw, 'GET', path, { headers: auth });
        assert.equal(r.status, 400, `${path}: ${r.text}`);
      }
      // Dot segments are refused whatever their spelling, with or without an authorizer.
      for (const path of ['/files/alice/../bob', '/files/alice/%2e%2e/bob', '/files/./bob/x']) {
        const r = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: carol\r\nConnection: close\r\n\r\n`);
        assert.match(r.data, /^HTTP\/1\.1 400 /, path);
      }
      // Where no authorizer judges the path, the value is the handler's business, as received.
      const open = await call(gw, 'GET', '/open/a%2Fb');
      assert.equal(open.status, 200, open.text);
      assert.equal(open.json.pathParameters.name, 'a%2Fb');
    });

  // ------------------------------------------------------------------------------------------
  // 2. No response can take the process down; 5. no 1xx as a final answer.

  test('a header block over 32 KiB from a function is 502, and the gateway lives on', async () => {
    for (const path of ['/reflect?header_bytes=70000', '/reflect?header_bytes=40000',
      '/reflect?header_bytes=40000&values=2', '/reflect?header_bytes=20000&values=2',
      '/reflect?name_bytes=70000']) {
      const r = await get(gw, path);
      assert.equal(r.status, 502, `${path}: ${r.text}`);
      assert.equal(r.text, INTERNAL_ERROR);
    }
    const fits = await get(gw, '/reflect?header_bytes=30000');
    assert.equal(fits.status, 200, fits.text);
    assert.equal(fits.headers['x-reflect'].length, 30000);
    assert.equal(gw.child.exitCode, null, 'still running');
  });

  test('a function answering 1xx gets 502; the connection stays in step', async () => {
    for (const status of [100, 101, 102, 103, 199]) {
      const r = await call(gw, 'GET', `/reflect?status=${status}`);
      assert.equal(r.status, 502, `${status}: ${r.text}`);
    }
    // Two requests pipelined on one connection: two answers, each to its own request.
    const both = await rawExchange(gw.port,
      'GET /reflect?status=100 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /reflect?status=201 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { waitMs: 10000 });
    const statuses = [...both.data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [502, 201]);
  });
});

// =============================================================================================
// 4. owner_only never pools principals; 6. stored JSON stays JSON.

describe('tables', () => {
  const SECRET = 'front-door-test-hmac-secret-0123456789abcdef';
  const key = new TextEncoder().encode(SECRET);
  const yaml = (routes) => `api: {name: door, stage: test, listen: 127.0.0.1:0, default_authorizer: jwt}
data_dir: data
authorizers:
  jwt:
    type: jwt
    issuer: "${ISSUER}"
    audiences: ["${AUDIENCE}"]
    algorithms: [HS256]
    keys: {hmac_secret: {file: secret}}
  other:
    type: jwt
    issuer: "${ISSUER}"
    audiences: ["${AUDIENCE}"]
    algorithms: [HS256]
    keys: {hmac_secret: {file: secret}}
tables:
  notes: {key: id}
routes:
${routes}
admin: {listen: 127.0.0.1:0}
access_log: {path: "off"}
`;
  const ownerRoutes = `  - {path: /notes, methods: [GET, POST], integration: {type: crud, table: notes, owner_only: true}}
  - {path: "/notes/{id}", methods: [GET, PUT, DELETE], integration: {type: crud, table: notes, owner_only: true}}`;
  // A token with `sub` as given; `undefined`: no sub claim at all.
  const token = (sub) => {
    let b = new jose.SignJWT({ scope: 'read' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('1h');
    if (sub !== undefined) b = b.setSubject(sub);
    return b.sign(key);
  };
  let gw;
  before(async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret'), SECRET, { mode: 0o600 });
    gw = await startGateway(yaml(ownerRoutes), { dir });
  });
  after(async () => { await gw?.stop(); });

  const as = async (sub, method, path, body) => call(gw, method, path, {
    headers: { authorization: `Bearer ${await token(sub)}`, 'content-type': 'application/json' },
    body,
  });

  test('owner_only: a caller without a principal (no sub, or sub "") is 403, never an owner',
    async () => {
      const mine = await as('alice', 'POST', '/notes', '{"text":"alice\'s"}');
      assert.equal(mine.status, 201, mine.text);
      for (const sub of [undefined, '']) {
        for (const [method, path, body] of [['POST', '/notes', '{"text":"x"}'], ['GET', '/notes'],
          ['GET', `/notes/${mine.json.id}`], ['DELETE', `/notes/${mine.json.id}`]]) {
          const r = await as(sub, method, path, body);
          assert.equal(r.status, 403, `${JSON.stringify(sub)} ${method} ${path}: ${r.text}`);
        }
      }
      const list = await as('alice', 'GET', '/notes');
      assert.deepEqual(list.json.items.map((i) => i.id), [mine.json.id], 'nothing was pooled');
    });

  test('owner_only is the table\'s: check refuses a route without it, or with another authorizer',
    async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'secret'), SECRET, { mode: 0o600 });
      const mixes = {
        'not owner_only': `${ownerRoutes}
  - {path: /all-notes, method: GET, integration: {type: crud, table: notes}}`,
        'another authorizer': `${ownerRoutes}
  - {path: /other-notes, method: GET, auth: other, integration: {type: crud, table: notes, owner_only: true}}`,
      };
      for (const [what, routes] of Object.entries(mixes)) {
        const path = join(dir, `${what.replace(/ /g, '-')}.yaml`);
        writeFileSync(path, yaml(routes));
        const r = await runCli(['check', '-c', path]);
        assert.equal(r.code, 2, `${what}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /table 'notes' is (served owner_only by routes\[0\] but not by routes\[2\]|owner_only, and its routes use two authorizers)/, what);
      }
    });

  test('a number beyond a double (1e400) is 400; what is stored stays JSON', async () => {
    for (const body of ['{"n":1e400}', '{"n":-1E+400}', '{"deep":[{"n":1e999}]}']) {
      const r = await as('alice', 'POST', '/notes', body);
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.match(r.json.message, /number out of range/);
    }
    const list = await as('alice', 'GET', '/notes');
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes('Infinity'));
  });
});

// =============================================================================================
// 8. Descriptor exhaustion degrades, it does not spin.

describe('out of file descriptors', () => {
  // CPU time (user + system) of a process so far, in clock ticks.
  const cpuTicks = (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const connect = (port) => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => resolve(s));
    s.on('error', () => resolve(s));
  });

  const yaml = `api: {name: door, stage: test, listen: 127.0.0.1:0}
routes:
  - {path: /ping, method: GET, auth: none, integration: {type: mock, body: '{"pong":true}'}}
admin: {listen: 127.0.0.1:0}
access_log: {path: "off"}
`;
  // Served again once connections go (the listener retries within a second).
  const servedAgain = async (gw) => {
    for (let i = 0; i < 50; i++) {
      try {
        if ((await call(gw, 'GET', '/ping')).status === 200) return true;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  test('max_connections is fitted under the open-files limit, and said once at start', async () => {
    const gw = await startGateway(yaml, { wrap: ['prlimit', '--nofile=200:200'] });
    try {
      const said = gw.stderr.match(/api\.limits\.max_connections 10000 is more than the open-files limit allows \(200, about (\d+) needed by workers, tables and listeners\): serving at most (\d+) connections/);
      assert.ok(said, gw.stderr);
      assert.equal(Number(said[1]) + Number(said[2]), 200);
      // More connections than fit: the surplus waits in the backlog, nothing fails.
      const sockets = await Promise.all(Array.from({ length: 300 }, () => connect(gw.port)));
      for (const s of sockets) s.destroy();
      assert.ok(await servedAgain(gw), 'served again');
      assert.doesNotMatch(gw.stderr, /cannot accept connections/);
    } finally {
      await gw.stop();
    }
  });

  test('an open-files limit too low for the config stops the start with what to raise it to',
    async () => {
      const dir = tempDir();
      const path = join(dir, 'gatehouse.yaml');
      writeFileSync(path, yaml);
      const r = await runServe(path, { wrap: ['prlimit', '--nofile=24:24'] });
      assert.equal(r.listened, false);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^gatehouse: the open-files limit \(24\) is too low for this config: its workers, tables and listeners need about \d+ descriptors, and each connection one more; raise it to at least \d+ \(ulimit -n, or LimitNOFILE= in a systemd unit\)\n$/);
    });

  // The sanitizers' runtimes need descriptors of their own (a pipe per memory check): with none
  // left they report false errors, so this runs on the plain build only.
  test('when accept() itself runs out of descriptors: said once, no spin, service comes back',
    { skip: process.env.ASAN_OPTIONS ? 'not under the sanitizers (they need descriptors too)' : false },
    async () => {
      const gw = await startGateway(yaml, { wrap: ['prlimit', '--nofile=150:150'] });
      try {
        // The admin listener's connections are not counted against the API's: enough of them
        // leave accept() with no descriptor (EMFILE) on both listeners.
        const sockets = await Promise.all(Array.from({ length: 200 }, () => connect(gw.adminPort)));
        sockets.push(...await Promise.all(Array.from({ length: 20 }, () => connect(gw.port))));
        await waitFor(() => /cannot accept connections: Too many open files/.test(gw.stderr),
          { message: 'accept() never ran out of descriptors' });
        const before = cpuTicks(gw.child.pid);
        await new Promise((r) => setTimeout(r, 1000));
        const spent = cpuTicks(gw.child.pid) - before;
        assert.ok(spent < 30, `gatehouse used ${spent} ticks in a second while full: a spin`);
        for (const listener of ['api', 'admin']) {
          const times = gw.stderr.match(new RegExp(`listener ${listener}: cannot accept`, 'g'));
          assert.ok(!times || times.length === 1, `${listener} said it ${times?.length} times`);
        }
        for (const s of sockets) s.destroy();
        assert.ok(await servedAgain(gw), 'served again');
      } finally {
        await gw.stop();
      }
    });
});
