// Reloading the configuration while serving: SIGHUP and POST /reload on the admin listener, under
// load, with good and broken files; decision caches kept for unchanged authorizers and dropped for
// changed ones; a rotated jwks_file; changes that need a restart; a new function that cannot
// start; /metrics across reloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  startGateway, call, waitFor, metric, keyPair, jwk, mint, tempDir, jwtAuthorizer,
} from './harness.mjs';
import { FIXTURES, q, stopCleanly, DEADLINE_MS, invocations } from './functions_fixture.mjs';

// The node function `hello` answers its environment; GREETING tells one definition from another.
function helloYaml({ greeting = 'one', extraRoutes = '', extraFunctions = '', api = '' } = {}) {
  return `api:
  name: reloads
  listen: 127.0.0.1:0
${api}data_dir: data
admin: {listen: 127.0.0.1:0}
functions:
  hello:
    runtime: node
    handler: handlers.env
    working_dir: ${q(FIXTURES)}
    concurrency: 2
    environment: {GREETING: ${greeting}}
${extraFunctions}routes:
  - {path: /a, method: GET, auth: none, integration: {type: mock, body: '{"route":"a"}'}}
  - {path: /env, method: GET, auth: none, integration: {type: function, function: hello}}
${extraRoutes}`;
}

async function reloadOverHttp(gw) {
  const res = await fetch(`${gw.adminUrl}/reload`, { method: 'POST' });
  return { status: res.status, json: await res.json() };
}

// The pids of gatehouse's own children (its function workers).
function children(gw) {
  try {
    return execFileSync('pgrep', ['-P', String(gw.child.pid)], { encoding: 'utf8' })
      .split('\n').filter(Boolean).map(Number);
  } catch {
    return [];  // pgrep exits 1 when there are none
  }
}

async function greeting(gw) {
  const res = await call(gw, 'GET', '/env');
  assert.equal(res.status, 200, res.text);
  return res.json.env.GREETING;
}

test('SIGHUP and POST /reload under load: every request answered, new config served, old workers stopped', async () => {
  const gw = await startGateway(helloYaml(), { deadlineMs: DEADLINE_MS });
  try {
    assert.equal(await greeting(gw), 'one');
    const failures = [];
    let answered = 0;
    let loading = true;
    // Eight clients on keep-alive connections, each alternating a mock and a function route
    // that exist in every config below.
    const client = async (n) => {
      while (loading) {
        for (const path of ['/a', '/env']) {
          try {
            const res = await call(gw, 'GET', path);
            if (res.status !== 200) failures.push(`${path} ${res.status} ${res.text}`);
            answered += 1;
          } catch (err) {
            failures.push(`${path} client ${n}: ${err.message}`);
          }
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));

    const steps = [
      { yaml: helloYaml({ greeting: 'two' }), how: 'sighup' },
      { yaml: 'api: [unclosed\n', how: 'post', refused: /gatehouse\.yaml:\d+:\d+: invalid YAML/ },
      { yaml: helloYaml({ greeting: 'three', extraRoutes: '  - {path: /b, method: GET, auth: none, integration: {type: mock, body: \'{"route":"b"}\'}}\n' }), how: 'post' },
      { yaml: helloYaml({ greeting: 'four', extraRoutes: '  - {path: /c, method: GET, auth: nope, integration: {type: mock}}\n' }),
        how: 'post', refused: /gatehouse\.yaml:\d+:\d+: .*nope/ },
      { yaml: helloYaml({ greeting: 'five' }), how: 'sighup' },
    ];
    let expected = 'one';
    for (const step of steps) {
      await new Promise((r) => setTimeout(r, 150));
      writeFileSync(gw.configPath, step.yaml);
      if (step.how === 'post') {
        const res = await reloadOverHttp(gw);
        if (step.refused) {
          assert.equal(res.status, 400, JSON.stringify(res.json));
          assert.equal(res.json.status, 'refused');
          assert.match(res.json.error, step.refused);
        } else {
          assert.equal(res.status, 200, JSON.stringify(res.json));
          assert.equal(res.json.status, 'reloaded');
          assert.match(res.json.message, /functions with new workers: hello/);
          expected = step.yaml.match(/GREETING: (\w+)/)[1];
        }
      } else {
        const before = (gw.stderr.match(/reloaded .*gatehouse\.yaml/g) ?? []).length;
        gw.child.kill('SIGHUP');
        await waitFor(() => (gw.stderr.match(/reloaded .*gatehouse\.yaml/g) ?? []).length > before,
          { timeoutMs: 15000, message: `SIGHUP did not reload: ${gw.stderr.slice(-2000)}` });
        expected = step.yaml.match(/GREETING: (\w+)/)[1];
      }
      assert.equal(await greeting(gw), expected);
    }
    await new Promise((r) => setTimeout(r, 150));
    loading = false;
    await Promise.all(clients);
    assert.deepEqual(failures, []);
    assert.ok(answered > 100, `only ${answered} requests were answered during the reloads`);
    // The last config has no /b; the refused ones left no trace.
    assert.equal((await call(gw, 'GET', '/b')).status, 403);
    assert.match(gw.stderr, /reload refused, still serving the previous configuration: .*invalid YAML/);
    // Every replaced pool's workers were stopped once their requests were done: two remain.
    await waitFor(() => children(gw).length === 2,
      { timeoutMs: 10000, message: `workers left: ${children(gw).length}` });
    assert.equal(await metric(gw, 'gatehouse_function_workers', { function: 'hello' }), 2);
  } finally {
    await stopCleanly(gw);
  }
});

test('a reload keeps the decision cache of an unchanged authorizer and drops a changed one', async () => {
  const dir = tempDir();
  const counter = join(dir, 'counter.jsonl');
  const yaml = ({ ttl = 300, extra = '' } = {}) => helloYaml({
    extraFunctions: `  counter:
    runtime: node
    handler: authorizers.recorder
    working_dir: ${q(FIXTURES)}
    concurrency: 1
    environment: {INVOCATIONS_FILE: ${q(counter)}}
authorizers:
  lambda:
    type: token
    function: counter
    cache_ttl_s: ${ttl}
`,
    extraRoutes: `  - {path: /p, method: GET, auth: lambda, integration: {type: mock, body: '{"p":"$context.authorizer.principalId"}'}}
${extra}`,
  });
  const gw = await startGateway(yaml(), { dir, deadlineMs: DEADLINE_MS });
  try {
    const token = { headers: { authorization: 'Bearer cached-token' } };
    assert.equal((await call(gw, 'GET', '/p', token)).status, 200);
    assert.equal(invocations(counter).length, 1);

    // Another route: the authorizer and its function are unchanged, so the decision is still
    // cached.
    writeFileSync(gw.configPath, yaml({ extra: '  - {path: /q, method: GET, auth: none, integration: {type: mock}}\n' }));
    let res = await reloadOverHttp(gw);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.match(res.json.message, /kept with their decision caches: lambda/);
    assert.match(res.json.message, /unchanged: hello, counter/);
    assert.equal((await call(gw, 'GET', '/p', token)).status, 200);
    assert.equal((await call(gw, 'GET', '/q')).status, 200);
    assert.equal(invocations(counter).length, 1);

    // A changed TTL is another authorizer: its cache starts empty.
    writeFileSync(gw.configPath, yaml({ ttl: 60 }));
    res = await reloadOverHttp(gw);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.match(res.json.message, /authorizers new: lambda/);
    assert.equal((await call(gw, 'GET', '/p', token)).status, 200);
    assert.equal(invocations(counter).length, 2);
    // Counters carry on: the cache hit before the change is still counted.
    assert.equal(await metric(gw, 'gatehouse_requests_total', { route: '/p', method: 'GET', status: '200' }), 3);
  } finally {
    await stopCleanly(gw);
  }
});

test('a rotated jwks_file takes effect on reload; decisions made under the old keys do not survive', async () => {
  const oldKey = await keyPair('RS256');
  const newKey = await keyPair('RS256');
  const dir = tempDir();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(oldKey, 'old')] }));
  const gw = await startGateway(`api: {name: keys, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
authorizers:
${jwtAuthorizer()}routes:
  - {path: /me, method: GET, auth: jwt, integration: {type: mock, body: '{"sub":"$context.authorizer.principalId"}'}}
`, { dir, deadlineMs: DEADLINE_MS });
  try {
    const oldToken = await mint(oldKey, { kid: 'old' });
    const newToken = await mint(newKey, { kid: 'new' });
    assert.equal((await call(gw, 'GET', '/me', { token: oldToken })).status, 200);
    assert.equal((await call(gw, 'GET', '/me', { token: newToken })).status, 401);

    // The key file alone changes (the config is the same file): the reload reads it again.
    writeFileSync(join(gw.dir, 'jwks.json'), JSON.stringify({ keys: [await jwk(newKey, 'new')] }));
    const res = await reloadOverHttp(gw);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.match(res.json.message, /authorizers new: jwt/);
    assert.equal((await call(gw, 'GET', '/me', { token: newToken })).status, 200);
    // The old token's cached Allow went with the old authorizer.
    assert.equal((await call(gw, 'GET', '/me', { token: oldToken })).status, 401);

    // A key file that no longer parses is refused, naming it; the new key keeps working.
    writeFileSync(join(gw.dir, 'jwks.json'), '{"keys": [');
    const bad = await reloadOverHttp(gw);
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /gatehouse\.yaml:\d+:\d+: authorizers\.jwt\.keys: jwks_file/);
    assert.equal((await call(gw, 'GET', '/me', { token: newToken })).status, 200);
  } finally {
    await stopCleanly(gw);
  }
});

test('changes that need a restart, and a new function that cannot start, are refused; the old config serves on', async () => {
  const gw = await startGateway(helloYaml(), { deadlineMs: DEADLINE_MS });
  try {
    const refusals = [
      [helloYaml({ greeting: 'two', api: '  limits: {max_body_bytes: 1024}\n' }),
        /gatehouse\.yaml:\d+:\d+: api\.limits: the API listener's limits are set once, at start: restart gatehouse to apply this change/],
      [helloYaml({ greeting: 'two', api: '  io_threads: 7\n' }), /api\.io_threads: .*restart gatehouse/],
      [helloYaml({ greeting: 'two' }).replace('admin: {listen: 127.0.0.1:0}', 'admin: {listen: off}'),
        /admin\.listen: listeners are bound once, at start/],
      [helloYaml({ greeting: 'two' }) + 'tables:\n  notes: {}\n', /tables\.notes: a new table; tables are opened once, at start/],
      [helloYaml({
        greeting: 'two',
        extraFunctions: `  broken:
    runtime: node
    handler: init-throws.handler
    working_dir: ${q(FIXTURES)}
    concurrency: 1
`,
        extraRoutes: '  - {path: /broken, method: GET, auth: none, integration: {type: function, function: broken}}\n',
      }), /functions\.broken: its new workers fail to start/],
    ];
    for (const [yaml, why] of refusals) {
      writeFileSync(gw.configPath, yaml);
      const res = await reloadOverHttp(gw);
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.match(res.json.error, why);
      assert.equal(await greeting(gw), 'one');
    }
    assert.equal((await call(gw, 'GET', '/broken')).status, 403);
    // A browser's POST (it carries Origin) cannot reload; GET cannot either.
    const fromPage = await fetch(`${gw.adminUrl}/reload`, { method: 'POST', headers: { origin: 'http://evil.test' } });
    assert.equal(fromPage.status, 403);
    assert.match(await fromPage.text(), /carries Origin/);
    const get = await fetch(`${gw.adminUrl}/reload`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    // The refused function's workers are stopped, the old ones serve on.
    await waitFor(() => children(gw).length === 2,
      { timeoutMs: 10000, message: `workers left: ${children(gw).length}` });
    assert.equal(await greeting(gw), 'one');
  } finally {
    await stopCleanly(gw);
  }
});

test('/metrics after reloads: every series once, counters counting on, the new routes present', async () => {
  const gw = await startGateway(helloYaml(), { deadlineMs: DEADLINE_MS });
  try {
    await waitFor(async () => await metric(gw, 'gatehouse_function_idle_workers', { function: 'hello' }) === 2,
      { timeoutMs: 10000, message: 'the workers did not start' });
    for (let i = 0; i < 3; i += 1) assert.equal((await call(gw, 'GET', '/a')).status, 200);
    writeFileSync(gw.configPath, helloYaml({ extraRoutes: '  - {path: /b, method: GET, auth: none, integration: {type: mock}}\n' }));
    assert.equal((await reloadOverHttp(gw)).status, 200);
    assert.equal((await call(gw, 'GET', '/a')).status, 200);
    assert.equal((await call(gw, 'GET', '/b')).status, 200);
    const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    const series = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.lastIndexOf(' ')));
    assert.deepEqual(series.filter((s, i) => series.indexOf(s) !== i), []);
    const families = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    assert.deepEqual(families.filter((f, i) => families.indexOf(f) !== i), []);
    assert.equal(await metric(gw, 'gatehouse_requests_total', { route: '/a', method: 'GET', status: '200' }), 4);
    assert.equal(await metric(gw, 'gatehouse_requests_total', { route: '/b', method: 'GET', status: '200' }), 1);
    // The function was unchanged: its pool, and its counters, are the same.
    assert.equal(await metric(gw, 'gatehouse_function_worker_starts_total', { function: 'hello' }), 2);
    assert.equal(await metric(gw, 'gatehouse_function_idle_workers', { function: 'hello' }), 2);
    assert.match(text, /gatehouse_function_init_duration_seconds_count\{function="hello"\} 2/);
  } finally {
    await stopCleanly(gw);
  }
});
