// Function workers' lives against the real binary, on the fixture gateway (functions_fixture.mjs):
// every way a handler can fail (crash, hang past either timeout, a bad result, a throw, a module
// that fails to load, throttling) with the pool serving again afterwards; N workers at once; the
// environment a worker starts with. Then gatehouse going away: SIGKILL, and SIGTERM as soon as it
// listens (SIGTERM after a full scenario is in function_integration.test.mjs).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startGateway, waitFor, accessLogFor, call, metric, DEMO_SECRET } from './harness.mjs';
import { FIXTURES, RIC_COMMAND, haveRic, q, DEADLINE_MS, procStat, descendants, alive, stopCleanly,
  startFixtureGateway } from './functions_fixture.mjs';

const INTERNAL_ERROR = '{"message": "Internal server error"}';
const TIMED_OUT = '{"message": "Endpoint request timed out"}';

// A process's environment as /proc shows it; null once it is gone.
function workerEnviron(pid) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

// =============================================================================================
// Handler failures, concurrency and the workers' environment, on the fixture gateway.

describe('function authorizers and integrations', () => {
  let gw;
  before(async () => {
    ({ gw } = await startFixtureGateway());
  });
  after(async () => { await stopCleanly(gw); });

  // ------------------------------------------------------------------------------------------
  describe('failures, each followed by a normal request', () => {
    const ok = async (path = '/fail?mode=ok') => {
      const r = await call(gw, 'GET', path);
      assert.equal(r.status, 200, `the pool serves again: ${r.text}`);
      return r.json?.pid;
    };
    const expect502 = async (path) => {
      const r = await call(gw, 'GET', path);
      assert.equal(r.status, 502, `${path}: ${r.text}`);
      assert.equal(r.text, INTERNAL_ERROR);
      assert.equal(r.headers.get('x-amzn-errortype'), 'InternalServerErrorException');
      return r;
    };

    test('handler crash mid-invocation (process.exit(1)): 502, a new worker serves the next one', async () => {
      const before = await ok();
      const r = await expect502('/fail?mode=crash');
      assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error, 'worker_crashed');
      const after = await ok();
      assert.notEqual(after, before, 'the crashed worker was replaced');
      assert.equal(alive(before), false);
    });

    test('hang past the function timeout_s: 502, the worker is replaced', async () => {
      const before = await ok();
      const r = await expect502('/fail?mode=hang');
      assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error, 'function_timeout');
      const after = await ok();
      assert.notEqual(after, before);
    });

    test("hang past the route's timeout_ms: 504 Endpoint request timed out", async () => {
      const r = await call(gw, 'GET', '/fail-fast?mode=hang');
      assert.equal(r.status, 504, r.text);
      assert.equal(r.text, TIMED_OUT);
      assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error,
        'integration_timeout');
      // The function runs on until its own timeout (1 s) stops it; the next request waits for
      // the replacement worker.
      await ok();
    });

    for (const [mode, what, reason] of [['string', 'returns a bare string', 'not_object'],
      ['unknown-key', 'returns an object with an unknown key', 'unknown_key'],
      ['bad-status', 'returns a non-numeric statusCode', 'bad_status_code'],
      ['throw', 'throws (a function error)'],
      ['too-large', 'returns a response over 6 MB', 'response_too_large']]) {
      test(`a handler that ${what}: 502, the same worker serves the next one`, async () => {
        const before = await ok();
        const r = await expect502(`/fail?mode=${mode}`);
        assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error,
          mode === 'throw' ? 'function_error' : reason);
        assert.equal(await ok(), before);
      });
    }

    test('a function error is logged: errorType and errorMessage, the request id and the invocation id, never the event',
      async () => {
        const r = await expect502('/fail?mode=throw');
        const id = r.headers.get('x-amzn-requestid');
        const line = await waitFor(() => gw.stderr.split('\n').find((l) => l.includes(`request ${id}:`)));
        assert.match(line, new RegExp(`request ${id}: function '[^']+' invocation [0-9a-f-]{36} failed `
          + '\\(function_error\\): Error "handler failed"$'));
        assert.ok(!line.includes('queryStringParameters'), line);
      });

    test('init error (the module throws at load): 502 for each request, other routes unaffected', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await expect502('/initfail');
        assert.equal((await accessLogFor(gw, r.headers.get('x-amzn-requestid'))).error, 'init_failed');
      }
      await ok();
    });

    test('an eagerly started function whose init keeps failing: still 502, within the route timeout',
      async () => {
        // Let the worker fail a few times: the restart delay doubles from 100 ms (3.2 s after the
        // sixth failure), which exceeds this route's timeout_ms of 1000.
        await waitFor(() => (gw.stderr.match(/function initfail_eager: worker failed to start/g) ?? [])
          .length >= 6, { timeoutMs: 15000, message: 'initfail_eager: not 6 failed starts in 15 s' });
        await expect502('/initfail-eager');
      });

    test('/readyz is 503 while a function cannot start its workers, naming it', async () => {
      // Both init-throws functions have failed by now (the lazy one on its requests above).
      const r = await fetch(gw.adminUrl + '/readyz');
      assert.equal(r.status, 503);
      const body = await r.json();
      assert.equal(body.status, 'not_ready');
      for (const name of ['initfail', 'initfail_eager']) assert.ok(body.functions.includes(name), JSON.stringify(body));
      assert.ok(!body.functions.includes('failures'), 'a function whose workers run is not named');
      assert.equal(await metric(gw, 'gatehouse_function_failing_to_start', { function: 'initfail_eager' }), 1);
      assert.equal(await metric(gw, 'gatehouse_function_failing_to_start', { function: 'failures' }), 0);
    });

    test('throttling: concurrency 1 and max_queue 1 with slow requests: exactly one 429', async () => {
      const started = () => (gw.stderr.match(/failures: slow in/g) ?? []).length;
      const n = started();
      const first = call(gw, 'GET', '/slow?mode=slow&ms=1500');
      await waitFor(() => started() > n,  // the worker is busy with the first
        { message: 'the first slow request never reached the worker' });
      const [second, third] = await Promise.all([call(gw, 'GET', '/slow?mode=slow&ms=10'),
        call(gw, 'GET', '/slow?mode=slow&ms=10')]);
      const statuses = [second.status, third.status].sort();
      assert.deepEqual(statuses, [200, 429], `${second.text} ${third.text}`);
      const refused = second.status === 429 ? second : third;
      assert.equal(refused.text, '{"message":"Too Many Requests"}');
      assert.equal((await accessLogFor(gw, refused.headers.get('x-amzn-requestid'))).error, 'throttled');
      assert.equal((await first).status, 200);
      await ok('/slow?mode=ok');
    });
  });

  // ------------------------------------------------------------------------------------------
  test('concurrency: N workers serve N requests at the same time', async () => {
    const N = 4;
    const tag = `t${Date.now()}`;
    const results = await Promise.all(Array.from({ length: N },
      () => call(gw, 'GET', `/parallel?tag=${tag}&n=${N}`)));
    for (const r of results) assert.equal(r.status, 200, r.text);
    const pids = results.map((r) => r.json.pid);
    assert.equal(new Set(pids).size, N, `distinct worker processes: ${pids}`);
    for (const r of results) assert.ok(r.json.seen >= N, `all ${N} were running at once: ${r.text}`);
    for (const pid of pids) assert.equal(procStat(pid)?.ppid, gw.child.pid, 'a child of gatehouse');
  });

  // ------------------------------------------------------------------------------------------
  describe("the workers' environment", () => {
    let workerEnv;
    before(async () => {
      const r = await call(gw, 'GET', '/env');
      assert.equal(r.status, 200, r.text);
      workerEnv = r.json.env;
    });

    test('the Lambda variables', () => {
      assert.equal(workerEnv.AWS_LAMBDA_FUNCTION_NAME, 'env');
      assert.equal(workerEnv._HANDLER, 'handlers.env');
      assert.equal(workerEnv.LAMBDA_TASK_ROOT, FIXTURES);
      assert.match(workerEnv.AWS_LAMBDA_RUNTIME_API, /^127\.0\.0\.1:\d+$/);
      const port = Number(workerEnv.AWS_LAMBDA_RUNTIME_API.split(':')[1]);
      assert.ok(port > 0 && port !== gw.port && port !== gw.adminPort, 'an endpoint of its own');
      assert.equal(workerEnv.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
      assert.equal(workerEnv.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(workerEnv.AWS_REGION, 'us-east-1');
      assert.equal(workerEnv.AWS_DEFAULT_REGION, 'us-east-1');
      assert.equal(workerEnv.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env');
      assert.equal(workerEnv.TZ, ':UTC', "not gatehouse's TZ");
      assert.equal(workerEnv.PATH, process.env.PATH);
    });

    test('the configured variables: literals as written, {env}, {file}, {issuer: certificate}', async () => {
      assert.equal(workerEnv.GREETING, 'hello');
      assert.equal(workerEnv.DEBUG, 'true');
      assert.equal(workerEnv.RATIO, '0.50');
      assert.equal(workerEnv.FROM_ENV, 'passed on');
      assert.equal(workerEnv.FROM_FILE, 'from a file');
      const pem = await (await fetch(`${gw.url}/pem`)).text();
      assert.match(workerEnv.CERT, /^-----BEGIN CERTIFICATE-----\n/);
      assert.equal(workerEnv.CERT.trim(), pem.trim(), "the issuer's signing certificate");
    });

    test("gatehouse's own environment does not reach the function", () => {
      assert.equal(workerEnv.BLOG_DEMO_CLIENT_SECRET, undefined);
      assert.equal(workerEnv.FIXTURE_NOT_PASSED, undefined);
      assert.ok(!Object.values(workerEnv).includes(DEMO_SECRET), 'the secret is in no variable');
    });

    test('a configured TZ or LANG replaces the default: once, with the configured value',
      async () => {
        const r = await call(gw, 'GET', '/envtz');
        assert.equal(r.status, 200, r.text);
        const environ = workerEnviron(r.json.pid);
        assert.ok(environ, 'the worker is running');
        assert.deepEqual(environ.filter((e) => /^(TZ|LANG)=/.test(e)).sort(),
          ['LANG=C.UTF-8', 'TZ=Europe/Paris']);
        assert.equal(r.json.env.TZ, 'Europe/Paris');
        assert.equal(r.json.env.LANG, 'C.UTF-8');
      });
  });
});

// =============================================================================================
// gatehouse going away: SIGKILL, and SIGTERM as soon as it listens.

describe('gatehouse going away', () => {
  const yaml = (withRic) => `api: {name: shutdown, stage: test, listen: 127.0.0.1:0}
functions:
  echo:
    runtime: node
    handler: handlers.echo
    working_dir: ${q(FIXTURES)}
    concurrency: 2
${withRic ? `  ric:
    command: ${RIC_COMMAND}
    handler: handlers.echo
    working_dir: ${q(FIXTURES)}
    concurrency: 1
` : ''}routes:
  - {path: /echo, method: GET, auth: none, integration: {type: function, function: echo}}
${withRic ? `  - {path: /ric, method: GET, auth: none, integration: {type: function, function: ric}}
` : ''}admin: {listen: 127.0.0.1:0}
access_log: {path: "off"}
`;

  test('SIGKILL: the workers die too (PR_SET_PDEATHSIG), the official client included', async () => {
    const gw = await startGateway(yaml(haveRic), { deadlineMs: DEADLINE_MS });
    try {
      assert.equal((await call(gw, 'GET', '/echo')).status, 200);
      if (haveRic) assert.equal((await call(gw, 'GET', '/ric')).status, 200);
      const workers = descendants(gw.child.pid);
      const direct = workers.filter((pid) => procStat(pid)?.ppid === gw.child.pid);
      assert.equal(direct.length, haveRic ? 3 : 2, `one process per worker: ${direct}`);
      assert.deepEqual(await gw.kill('SIGKILL'), { code: null, signal: 'SIGKILL' });
      await waitFor(() => workers.every((pid) => !alive(pid)),
        { message: `still running: ${workers.filter(alive)}` });
    } finally {
      await gw.stop();
    }
  });

  test('SIGTERM right after the listening line: a graceful exit 0',
    async () => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const gw = await startGateway(yaml(false), { deadlineMs: DEADLINE_MS });
        const workers = descendants(gw.child.pid);
        assert.deepEqual(await gw.stop(), { code: 0, signal: null }, `attempt ${attempt}`);
        await waitFor(() => workers.every((pid) => !alive(pid)),
          { message: `attempt ${attempt}: a worker outlived gatehouse` });
      }
    });
});
