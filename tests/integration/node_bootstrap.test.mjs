// The function runtimes against the AWS Lambda Runtime API, without the gateway: an in-test
// Runtime API server (node:http) hands events to a runtime process and records what it posts.
// Our Node.js runtime (runtimes/node/bootstrap.js) runs the same handlers as the official client
// (aws-lambda-ric 4.0.2, an implementation we did not write), and both must post the same
// documents: byte for byte where nothing depends on the process, otherwise the same errorType,
// errorMessage and first trace line, and the same user-code frames. Where the two differ on
// purpose (callback handlers, crashes), the tests pin both behaviours down.
// Also here: the examples' functions (examples/lambda-blog) under both runtimes, and the C++
// example authorizer (examples/cpp-authorizer; set GATEHOUSE_EXAMPLE_AUTHORIZER to its binary).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { binary, repoRoot, waitFor } from './harness.mjs';
import { startDynamo, caller, keySchema } from './dynamodb_fixture.mjs';

const require = createRequire(import.meta.url);
const here = join(repoRoot, 'tests/integration');
const FUNCTIONS = join(here, 'functions');
const BOOTSTRAP = join(repoRoot, 'runtimes/node/bootstrap.js');
const RIC = join(here, 'node_modules/aws-lambda-ric/index.mjs');
const haveRic = existsSync(RIC);
const ricSkip = haveRic ? false : 'aws-lambda-ric is not installed (npm ci in tests/integration)';
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:fixture';

// ---------------------------------------------------------------------------------------------
// A Runtime API endpoint for one worker, answering as Lambda (and the gateway) does.

class RuntimeApi {
  constructor() {
    this.queue = [];         // invocations waiting for a GET /next
    this.pendingNext = [];   // GET /next exchanges waiting for an invocation
    this.outcomes = new Map();  // request id → resolve
    this.posts = [];         // every POST: { path, headers, body }
    this.connections = 0;
    this.nextCount = 0;
    // holdPostAnswers: a POST's 202 waits for the runtime's next GET /next, as the gateway holds
    // it for a runtime that pipelines; nextBeforePostAnswer counts the GETs that came meanwhile.
    this.holdPostAnswers = false;
    this.heldReplies = [];
    this.nextBeforePostAnswer = 0;
    this.initError = new Promise((resolve) => { this.resolveInitError = resolve; });
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', () => { this.connections += 1; });
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  stop() {
    for (const res of this.pendingNext) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }

  // Queues an event; resolves with { kind: 'response' | 'error', body, headers } when the
  // runtime posts the outcome.
  invoke(event, { requestId = randomUUID(), deadlineMs = Date.now() + 30000,
    traceId = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
    extraHeaders = {}, rawBody } = {}) {
    const outcome = new Promise((resolve) => this.outcomes.set(requestId, resolve));
    const headers = {
      'Lambda-Runtime-Aws-Request-Id': requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': ARN,
      ...(traceId ? { 'Lambda-Runtime-Trace-Id': traceId } : {}),
      'Content-Type': 'application/json',
      ...extraHeaders,
    };
    this.queue.push({ headers, body: rawBody ?? JSON.stringify(event) });
    this.dispatch();
    return outcome;
  }

  dispatch() {
    while (this.queue.length && this.pendingNext.length) {
      const inv = this.queue.shift();
      const res = this.pendingNext.shift();
      // Framed by Content-Length, as Lambda's Runtime API and the gateway frame every answer.
      res.writeHead(200, { ...inv.headers, 'Content-Length': Buffer.byteLength(inv.body) });
      res.end(inv.body);
    }
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url;
      const reply = (status, doc) => {
        const text = JSON.stringify(doc);
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        this.nextCount += 1;
        if (this.heldReplies.length) this.nextBeforePostAnswer += 1;
        for (const send of this.heldReplies.splice(0)) send();
        this.pendingNext.push(res);
        this.dispatch();
        return;
      }
      if (req.method !== 'POST') return reply(405, { errorMessage: 'Method Not Allowed', errorType: 'MethodNotAllowed' });
      this.posts.push({ path: url, headers: req.headers, body });
      if (url === '/2018-06-01/runtime/init/error') {
        this.resolveInitError({ body, headers: req.headers });
        return reply(202, { status: 'OK' });
      }
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      const resolve = m && this.outcomes.get(decodeURIComponent(m[1]));
      if (!resolve) return reply(400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
      this.outcomes.delete(decodeURIComponent(m[1]));
      resolve({ kind: m[2], body, headers: req.headers });
      if (this.holdPostAnswers) return this.heldReplies.push(() => reply(202, { status: 'OK' }));
      return reply(202, { status: 'OK' });
    });
  }
}

// The environment the gateway gives a worker (docs/functions.md).
function lambdaEnv(port, dir, handler, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? '/root',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: dir,
    AWS_LAMBDA_FUNCTION_NAME: 'fixture',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fixture',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/24/[$LATEST]0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...extra,
  };
}

const RUNTIMES = {
  ours: [BOOTSTRAP],
  ric: [RIC],
};

// Starts a runtime process (`ours`, `ric`, or an argv) for `handler` in `dir` with its own
// Runtime API.
async function startRuntime(runtime, dir, handler, env = {}) {
  const api = await new RuntimeApi().start();
  const argv = Array.isArray(runtime) ? runtime : [process.execPath, ...RUNTIMES[runtime]];
  const child = spawn(argv[0], argv.slice(1), {
    cwd: dir,
    env: lambdaEnv(api.port, dir, handler, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const w = { api, child, stdout: '', stderr: '' };
  child.stdout.on('data', (c) => { w.stdout += c; });
  child.stderr.on('data', (c) => { w.stderr += c; });
  w.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  w.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await w.exited;
    api.stop();
  };
  return w;
}

// Whichever comes first: the invocation's outcome, an init error, the process exiting, or a
// time limit.
async function settle(w, invocation, timeoutMs = 10000) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  const result = await Promise.race([
    invocation,
    w.api.initError.then((e) => ({ kind: 'init-error', ...e })),
    w.exited.then((e) => ({ kind: 'exit', ...e })),
    timeout,
  ]);
  clearTimeout(timer);
  return result;
}

// One invocation of `handler` in a fresh process; the outcome plus how the process ended if it
// did (init errors: the exit code).
async function runOnce(runtime, dir, handler, event = {}, { env, invokeOptions } = {}) {
  const w = await startRuntime(runtime, dir, handler, env);
  try {
    const outcome = await settle(w, w.api.invoke(event, invokeOptions));
    if (outcome.kind === 'init-error') {
      // Let a process that is going to exit do so, to see its code.
      const exit = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r(null), 1500))]);
      outcome.exit = exit;
    }
    outcome.stderr = w.stderr;
    outcome.stdout = w.stdout;
    return outcome;
  } finally {
    await w.stop();
  }
}

// The parts of an error document that do not depend on the runtime's own code: the type, the
// message (Node's "Require stack:" names the requiring file, which is the runtime), the first
// trace line, and the frames in the fixtures.
function comparable(body) {
  const doc = JSON.parse(body);
  const stripRequireStack = (s) => (typeof s === 'string' ? s.replace(/\nRequire stack:[\s\S]*$/, '') : s);
  const userFrames = (doc.trace ?? [])
    .filter((line) => line.includes(FUNCTIONS))
    .map((line) => /((?:file:\/\/)?\/[^\s()]+:\d+:\d+)/.exec(line)?.[1]?.replace(/^file:\/\//, ''))
    .filter(Boolean);
  return {
    keys: Object.keys(doc),
    errorType: doc.errorType,
    errorMessage: stripRequireStack(doc.errorMessage),
    traceHead: stripRequireStack(doc.trace?.[0]),
    traceEmpty: (doc.trace ?? []).length === 0,
    userFrames,
  };
}

// ---------------------------------------------------------------------------------------------

describe('our Node.js runtime and aws-lambda-ric post the same documents', { skip: ricSkip }, () => {
  const basic = join(FUNCTIONS, 'basic');

  // [title, dir, handler, event, how to compare]
  const cases = [
    ['an async handler\'s result, with the context and the trace id', basic, 'index.echo',
      { n: 1, text: 'Zoë ✓ 🦊 "q" \\' }, 'bytes'],
    ['a result of undefined is null', basic, 'index.returnsUndefined', {}, 'bytes'],
    ['a promise returned by a plain function', basic, 'index.returnsPromise', { n: 7 }, 'bytes'],
    ['a synchronous handler\'s return value', basic, 'index.syncResult', { n: 3 }, 'bytes'],
    ['a nested handler path in a subdirectory', basic, 'lib/nested.api.v1.handler',
      { path: '/x' }, 'bytes'],
    ['an ES module', join(FUNCTIONS, 'esm'), 'index.handler', { n: 2 }, 'bytes'],
    ['throw new Error("Unauthorized")', basic, 'index.throwsUnauthorized', {}, 'error'],
    ['a promise rejected with the string "Unauthorized"', basic, 'index.rejectsWithString', {},
      'bytes'],
    ['a TypeError thrown synchronously', basic, 'index.syncThrows', {}, 'error'],
    ['an Error subclass with its own name', basic, 'index.customError', {}, 'error'],
    ['a result that JSON cannot represent', basic, 'index.circular', {}, 'error'],
  ];

  for (const [title, dir, handler, event, how] of cases) {
    test(title, async () => {
      // The same request id for both: the echo returns it.
      const invokeOptions = { requestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd' };
      const ours = await runOnce('ours', dir, handler, event, { invokeOptions });
      const ric = await runOnce('ric', dir, handler, event, { invokeOptions });
      assert.equal(ours.kind, ric.kind, `ours: ${ours.kind} ${ours.body ?? ''} ${ours.stderr}\nric: ${ric.kind} ${ric.body ?? ''} ${ric.stderr}`);
      assert.ok(ours.kind === 'response' || ours.kind === 'error', ours.kind);
      if (how === 'bytes') assert.equal(ours.body, ric.body);
      else assert.deepEqual(comparable(ours.body), comparable(ric.body));
      assert.equal(ours.headers['content-type'], 'application/json');
      if (ours.kind === 'error') {
        assert.equal(ours.headers['lambda-runtime-function-error-type'], JSON.parse(ours.body).errorType);
      }
    });
  }

  test('the echo carries the event, the context and the trace id', async () => {
    const out = await runOnce('ours', basic, 'index.echo', { n: 1 });
    assert.deepEqual(JSON.parse(out.body), {
      event: { n: 1 },
      context: {
        awsRequestId: JSON.parse(out.body).context.awsRequestId,
        invokedFunctionArn: ARN,
        functionName: 'fixture',
        functionVersion: '$LATEST',
        memoryLimitInMB: '128',
        logGroupName: '/aws/lambda/fixture',
        logStreamName: '2026/11/24/[$LATEST]0123456789abcdef',
        remainingInRange: true,
      },
      traceId: 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
    });
  });

  test('throw new Error("Unauthorized") gives the document API Gateway turns into 401', async () => {
    const out = await runOnce('ours', basic, 'index.throwsUnauthorized');
    const doc = JSON.parse(out.body);
    assert.deepEqual(Object.keys(doc), ['errorType', 'errorMessage', 'trace']);
    assert.equal(doc.errorType, 'Error');
    assert.equal(doc.errorMessage, 'Unauthorized');
    assert.equal(doc.trace[0], 'Error: Unauthorized');
    assert.match(doc.trace[1], /functions\/basic\/index\.js:\d+:\d+/);
  });

  test('a result JSON cannot represent fails with Runtime.JSONStringifyError', async () => {
    const doc = JSON.parse((await runOnce('ours', basic, 'index.circular')).body);
    assert.equal(doc.errorType, 'Runtime.JSONStringifyError');
    assert.equal(doc.errorMessage, 'Unable to stringify response body');
  });

  // Init failures: POST /runtime/init/error with the client's error types, then a non-zero exit.
  const initCases = [
    ['a module that does not exist: Runtime.ImportModuleError', basic, 'missing.handler',
      'Runtime.ImportModuleError'],
    ['a module requiring a package that is not installed: Runtime.ImportModuleError',
      join(FUNCTIONS, 'init'), 'needs-package.handler', 'Runtime.ImportModuleError'],
    ['a handler that is not exported: Runtime.HandlerNotFound', basic, 'index.nope',
      'Runtime.HandlerNotFound'],
    ['a handler that is not a function: Runtime.HandlerNotFound', basic, 'index.notAFunction',
      'Runtime.HandlerNotFound'],
    ['a module that throws while loading: its own error', join(FUNCTIONS, 'init'),
      'throws-at-load.handler', 'Error'],
    ['a module that does not parse: Runtime.UserCodeSyntaxError', join(FUNCTIONS, 'init'),
      'syntax-error.handler', 'Runtime.UserCodeSyntaxError'],
    ['a handler name with "..": Runtime.MalformedHandlerName', basic, '../basic/index.echo',
      'Runtime.MalformedHandlerName'],
    ['a handler name without a dot: Runtime.MalformedHandlerName', basic, 'index',
      'Runtime.MalformedHandlerName'],
  ];

  for (const [title, dir, handler, errorType] of initCases) {
    test(`init: ${title}`, async () => {
      const ours = await runOnce('ours', dir, handler);
      const ric = await runOnce('ric', dir, handler);
      for (const [who, out] of [['ours', ours], ['ric', ric]]) {
        assert.equal(out.kind, 'init-error', `${who}: ${out.kind} ${out.stderr}`);
        assert.equal(JSON.parse(out.body).errorType, errorType, who);
        assert.equal(out.headers['lambda-runtime-function-error-type'], errorType, who);
        assert.ok(out.exit && out.exit.code !== 0, `${who} exits non-zero: ${JSON.stringify(out.exit)}`);
      }
      const a = comparable(ours.body);
      const b = comparable(ric.body);
      if (errorType === 'Runtime.UserCodeSyntaxError') {
        // The stacks start with the source excerpt Node prints, which differs by loader.
        assert.equal(a.errorMessage, b.errorMessage);
      } else {
        assert.deepEqual(a, b);
      }
      assert.equal(ours.exit.code, 129);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Callback handlers: aws-lambda-ric 3.x semantics in our runtime. aws-lambda-ric 4.x (AWS's
// Node.js 24 runtime) refuses any handler with three parameters at init.

describe('callback handlers', () => {
  const dir = join(FUNCTIONS, 'callback');
  const UNAUTHORIZED = '{"errorType":"string","errorMessage":"Unauthorized","trace":[]}';

  test('callback(null, result) sends the result', async () => {
    const out = await runOnce('ours', dir, 'index.result', { n: 4 });
    assert.equal(out.kind, 'response');
    assert.equal(out.body, '{"principalId":"user-1","n":4}');
  });

  test('callback("Unauthorized") sends the document API Gateway turns into 401', async () => {
    const out = await runOnce('ours', dir, 'index.unauthorized');
    assert.equal(out.kind, 'error');
    assert.equal(out.body, UNAUTHORIZED);
    assert.equal(out.headers['lambda-runtime-function-error-type'], 'string');
  });

  test('callback(new Error("Unauthorized")) sends the Error', async () => {
    const doc = JSON.parse((await runOnce('ours', dir, 'index.error')).body);
    assert.equal(doc.errorType, 'Error');
    assert.equal(doc.errorMessage, 'Unauthorized');
    assert.equal(doc.trace[0], 'Error: Unauthorized');
  });

  test('context.fail("Unauthorized") and context.fail()', async () => {
    assert.equal((await runOnce('ours', dir, 'index.contextFail')).body, UNAUTHORIZED);
    assert.equal((await runOnce('ours', dir, 'index.contextFailEmpty')).body,
      '{"errorType":"string","errorMessage":"handled","trace":[]}');
  });

  test('context.succeed and context.done', async () => {
    assert.equal((await runOnce('ours', dir, 'index.contextSucceed')).body, '{"succeeded":true}');
    assert.equal((await runOnce('ours', dir, 'index.contextDone')).body, '{"done":true}');
  });

  test('the result waits for an empty event loop unless callbackWaitsForEmptyEventLoop is false',
    async () => {
      const ms = 400;
      const w = await startRuntime('ours', dir, 'index.waits');
      try {
        const t = Date.now();
        const waited = await settle(w, w.api.invoke({ ms }));
        assert.equal(waited.body, '{"waited":true}');
        assert.ok(Date.now() - t >= ms - 50, `answered after ${Date.now() - t} ms`);
      } finally {
        await w.stop();
      }
      const v = await startRuntime('ours', dir, 'index.doesNotWait');
      try {
        let t = Date.now();
        const immediate = await settle(v, v.api.invoke({ ms }));
        assert.equal(immediate.body, '{"waited":false}');
        assert.ok(Date.now() - t < ms - 50, `answered after ${Date.now() - t} ms`);
        // The timer of the previous invocation does not hold up the next one either.
        t = Date.now();
        assert.equal((await settle(v, v.api.invoke({ ms: 0 }))).body, '{"waited":false}');
      } finally {
        await v.stop();
      }
    });

  test('only the first call counts; a throw after the callback is ignored', async () => {
    assert.equal((await runOnce('ours', dir, 'index.twice')).body, '"first"');
    assert.equal((await runOnce('ours', dir, 'index.throwsAfterCallback')).body, '"kept"');
  });

  test('a handler that never calls back answers null once nothing is left to run', async () => {
    const out = await runOnce('ours', dir, 'index.neverCalls');
    assert.equal(out.kind, 'response');
    assert.equal(out.body, 'null');
  });

  test('aws-lambda-ric 4.0.2 refuses them at init, and has no context.fail', { skip: ricSkip },
    async () => {
      const init = await runOnce('ric', dir, 'index.unauthorized');
      assert.equal(init.kind, 'init-error');
      assert.equal(JSON.parse(init.body).errorType, 'Runtime.CallbackHandlerDeprecated');
      const fail = await runOnce('ric', dir, 'index.contextFail');
      assert.equal(fail.kind, 'error');
      assert.equal(JSON.parse(fail.body).errorType, 'TypeError');
      assert.equal(JSON.parse(fail.body).errorMessage, 'context.fail is not a function');
    });
});

// ---------------------------------------------------------------------------------------------

describe('our Node.js runtime on the wire', () => {
  const basic = join(FUNCTIONS, 'basic');
  const crash = join(FUNCTIONS, 'crash');

  test('invocations in sequence over one keep-alive connection, each with its own context',
    async () => {
      const w = await startRuntime('ours', basic, 'index.echo');
      try {
        const first = JSON.parse((await settle(w, w.api.invoke({ n: 1 }, { requestId: 'id-1' }))).body);
        assert.equal(first.context.awsRequestId, 'id-1');
        assert.match(first.traceId, /^Root=1-/);
        // No trace id this time: _X_AMZN_TRACE_ID is unset, not left over.
        const second = JSON.parse((await settle(w, w.api.invoke({ n: 2 },
          { requestId: 'id-2', traceId: null }))).body);
        assert.equal(second.context.awsRequestId, 'id-2');
        assert.equal(second.traceId, null);
        for (let i = 3; i <= 20; i++) {
          const out = JSON.parse((await settle(w, w.api.invoke({ n: i }))).body);
          assert.equal(out.event.n, i);
        }
        await waitFor(() => w.api.nextCount === 21, { message: 'no GET /next after the 20th' });
        assert.equal(w.api.connections, 1);
        // HTTP/1.1 keeps the connection open unless a request says otherwise.
        for (const p of w.api.posts) assert.notEqual(p.headers.connection, 'close');
      } finally {
        await w.stop();
      }
    });

  // Each outcome goes out with the next GET /next in one write (HTTP/1.1 pipelining): the
  // runtime does not wait for the POST's answer, which the gateway sends with the next event.
  test('the next GET /next is sent with each outcome, not after its answer', async () => {
    const w = await startRuntime('ours', basic, 'index.echo');
    w.api.holdPostAnswers = true;
    try {
      for (let i = 1; i <= 3; i++) {
        const out = await settle(w, w.api.invoke({ n: i }));
        assert.equal(out.kind, 'response', w.stderr);
        assert.equal(JSON.parse(out.body).event.n, i);
      }
      const failed = await settle(w, w.api.invoke({}, { extraHeaders: { 'Lambda-Runtime-Client-Context': '{bad' } }));
      assert.equal(failed.kind, 'error', w.stderr);
      await waitFor(() => w.api.nextCount === 5, { message: 'no GET /next after the error' });
      assert.equal(w.api.nextBeforePostAnswer, 4);
      assert.equal(w.api.connections, 1);
      assert.equal(w.stderr.includes('answered'), false, w.stderr);
    } finally {
      await w.stop();
    }
  });

  test('getRemainingTimeInMillis counts down to Lambda-Runtime-Deadline-Ms', async () => {
    const w = await startRuntime('ours', basic, 'index.echo');
    try {
      const soon = await settle(w, w.api.invoke({}, { deadlineMs: Date.now() + 60000 }));
      // 60 s away: more than the fixture's 30 s window.
      assert.equal(JSON.parse(soon.body).context.remainingInRange, false);
      const now = await settle(w, w.api.invoke({}, { deadlineMs: Date.now() + 5000 }));
      assert.equal(JSON.parse(now.body).context.remainingInRange, true);
    } finally {
      await w.stop();
    }
  });

  test('client context and identity headers arrive parsed', async () => {
    const w = await startRuntime('ours', basic, 'lib/nested.api.v1.handler');
    try {
      // The nested fixture ignores them; a bad one fails the invocation, not the worker.
      const bad = await settle(w, w.api.invoke({}, {
        extraHeaders: { 'Lambda-Runtime-Client-Context': '{not json' } }));
      assert.equal(bad.kind, 'error');
      assert.match(JSON.parse(bad.body).errorMessage, /^Cannot parse ClientContext as json/);
      const good = await settle(w, w.api.invoke({ path: '/p' }, {
        extraHeaders: { 'Lambda-Runtime-Client-Context': '{"custom":{"a":"1"}}',
          'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"x"}' } }));
      assert.equal(good.body, '{"nested":true,"path":"/p"}');
    } finally {
      await w.stop();
    }
  });

  test('an event that is not JSON fails that invocation only', async () => {
    const w = await startRuntime('ours', basic, 'index.echo');
    try {
      const bad = await settle(w, w.api.invoke(null, { rawBody: '{"truncated":' }));
      assert.equal(bad.kind, 'error');
      assert.equal(JSON.parse(bad.body).errorType, 'SyntaxError');
      assert.equal((await settle(w, w.api.invoke({ n: 1 }))).kind, 'response');
    } finally {
      await w.stop();
    }
  });

  test('an uncaught exception fails the invocation, then the process exits 129', async () => {
    const out = await runOnce('ours', crash, 'index.uncaught');
    assert.equal(out.kind, 'error');
    const doc = JSON.parse(out.body);
    assert.equal(doc.errorType, 'Error');
    assert.equal(doc.errorMessage, 'thrown from a timer');
    const w = await startRuntime('ours', crash, 'index.uncaught');
    try {
      await settle(w, w.api.invoke({}));
      assert.deepEqual(await w.exited, { code: 129, signal: null });
    } finally {
      await w.stop();
    }
  });

  test('an unhandled rejection fails the invocation, then the process exits 128', async () => {
    const w = await startRuntime('ours', crash, 'index.unhandledRejection');
    try {
      const out = await settle(w, w.api.invoke({}));
      assert.equal(out.kind, 'error');
      const doc = JSON.parse(out.body);
      assert.equal(doc.errorType, 'Runtime.UnhandledPromiseRejection');
      assert.equal(doc.errorMessage, 'Error: nobody handles this');
      assert.deepEqual(await w.exited, { code: 128, signal: null });
    } finally {
      await w.stop();
    }
  });

  test('aws-lambda-ric 4.0.2 exits without reporting either', { skip: ricSkip }, async () => {
    for (const handler of ['index.uncaught', 'index.unhandledRejection']) {
      const out = await runOnce('ric', crash, handler);
      assert.equal(out.kind, 'exit', handler);
      assert.equal(out.code, 1, handler);
    }
  });

  test('a promise that never settles ends with Runtime.NodeJsExit and the worker goes on',
    async () => {
      const w = await startRuntime('ours', crash, 'index.neverSettles');
      try {
        const out = await settle(w, w.api.invoke({}));
        assert.equal(out.kind, 'error');
        assert.equal(JSON.parse(out.body).errorType, 'Runtime.NodeJsExit');
        assert.equal((await settle(w, w.api.invoke({}))).kind, 'error');
        assert.equal(w.child.exitCode, null);
      } finally {
        await w.stop();
      }
      // The official client: the process just ends, with 0.
      if (haveRic) {
        const ric = await runOnce('ric', crash, 'index.neverSettles');
        assert.deepEqual([ric.kind, ric.code], ['exit', 0]);
      }
    });

  test('aws-lambda-ric 4.0.2 posts errors without Lambda-Runtime-Function-Error-Type',
    { skip: ricSkip }, async () => {
      // The gateway must take errorType from the document (ours sends both).
      const out = await runOnce('ric', basic, 'index.throwsUnauthorized');
      assert.equal(out.kind, 'error');
      assert.equal(out.headers['lambda-runtime-function-error-type'], undefined);
      assert.ok(out.headers['lambda-runtime-function-xray-error-cause']);
    });
});

test('the bash bootstrap of docs/functions.md serves invocations in a loop', async () => {
  const dir = join(FUNCTIONS, 'shell');
  const w = await startRuntime([join(dir, 'bootstrap')], dir, 'function.handler');
  try {
    for (let i = 0; i < 3; i++) {
      const allowed = await settle(w, w.api.invoke({ type: 'TOKEN', authorizationToken: 'Bearer let-me-in' }));
      assert.equal(allowed.kind, 'response', w.stderr);
      assert.equal(JSON.parse(allowed.body).principalId, 'shell');
      const refused = await settle(w, w.api.invoke({ type: 'TOKEN', authorizationToken: 'Bearer nope' }));
      assert.equal(refused.kind, 'error');
      assert.equal(refused.body, '{"errorMessage":"Unauthorized","errorType":"Unauthorized"}');
    }
  } finally {
    await w.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// The examples' functions (examples/lambda-blog), with a key pair and a self-signed certificate
// made by openssl, and tokens signed by jsonwebtoken.

// Missing only in a checkout whose node_modules predate it: the section is skipped then.
let jwt = null;
try {
  jwt = require('jsonwebtoken');
} catch { /* skipped below */ }
const EXAMPLE = join(repoRoot, 'examples/lambda-blog');
const AUDIENCE = 'https://blog-api';
const SUBJECT = 'blog-demo@clients';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:gatehouse/Lab/POST/resource';

function makeKeys(dir, name) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test',
    '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

// The tokens the authorizers are tried with: [name, authorizationToken, allowed?].
function tokenCases(keys, other) {
  const claims = { scope: 'read:users write:users' };
  const sign = (opts = {}, key = keys.key) => jwt.sign(claims, key, { algorithm: 'RS256',
    audience: AUDIENCE, subject: SUBJECT, issuer: 'https://blog.gatehouse.local/', expiresIn: 3600,
    keyid: 'k1', ...opts });
  const valid = sign();
  const [h, p] = valid.split('.');
  const hs256 = (() => {
    const head = b64url({ alg: 'HS256', typ: 'JWT' });
    const mac = createHmac('sha256', keys.cert).update(`${head}.${p}`).digest('base64url');
    return `${head}.${p}.${mac}`;
  })();
  return [
    ['a valid token', `Bearer ${valid}`, true],
    ['the scheme in lower case', `bearer ${valid}`, true],
    ['an audience list containing the audience', `Bearer ${sign({ audience: ['x', AUDIENCE] })}`, true],
    ['no token', '', false],
    ['another scheme', `Basic ${valid}`, false],
    ['a bare token', valid, false],
    ['garbage', 'Bearer not.a.jwt', false],
    ['another audience', `Bearer ${sign({ audience: 'https://other-api' })}`, false],
    ['an expired token', `Bearer ${sign({ expiresIn: -10 })}`, false],
    ['another key', `Bearer ${sign({}, other.key)}`, false],
    ['a changed payload', `Bearer ${h}.${b64url({ sub: 'admin', aud: AUDIENCE, exp: 4102444800 })}.${valid.split('.')[2]}`, false],
    ['alg none', `Bearer ${b64url({ alg: 'none' })}.${p}.`, false],
    ['HS256 keyed with the certificate', `Bearer ${hs256}`, false],
  ];
}

const tokenEvent = (authorizationToken) => ({ type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN });

// A proxy event (payload 1.0) as the gateway builds it for the users function.
function proxyEvent(httpMethod, resource, { id, body = null, isBase64Encoded = false } = {}) {
  const path = id === undefined ? '/resource' : `/resource/${id}`;
  return {
    resource, path, httpMethod,
    headers: { 'Content-Type': 'application/json', Host: '127.0.0.1:8080' },
    multiValueHeaders: { 'Content-Type': ['application/json'], Host: ['127.0.0.1:8080'] },
    queryStringParameters: null, multiValueQueryStringParameters: null,
    pathParameters: id === undefined ? null : { id },
    stageVariables: null,
    requestContext: { resourcePath: resource, httpMethod, path: `/Lab${path}`, stage: 'Lab',
      accountId: '123456789012', apiId: 'gatehouse', requestId: randomUUID(),
      authorizer: { principalId: SUBJECT, integrationLatency: 2 } },
    body, isBase64Encoded,
  };
}

describe('examples/lambda-blog', { skip: jwt ? false
  : 'jsonwebtoken is not installed (npm ci in tests/integration)' }, () => {
  let tmp;
  let keys;
  let other;
  // jsonwebtoken for the authorizer comes from this directory's node_modules, so the test does
  // not depend on `npm ci` in examples/lambda-blog.
  const nodePath = { NODE_PATH: join(here, 'node_modules') };
  // The users service's table, on gatehouse's DynamoDB API.
  let store;
  const usersEnv = (table) => ({ ...nodePath, USERS_TABLE: table,
    AWS_ENDPOINT_URL_DYNAMODB: store.dynamodbUrl, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
  const createUsersTable = async (table) => {
    const r = await caller(store.dynamodbUrl)('CreateTable', { TableName: table, ...keySchema('pk:S', 'sk:S'),
      BillingMode: 'PAY_PER_REQUEST' });
    assert.equal(r.status, 200, r.text);
  };
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'gatehouse-fn-'));
    keys = makeKeys(tmp, 'issuer');
    other = makeKeys(tmp, 'other');
    store = await startDynamo();
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await store?.stop();
  });

  const runtimes = [
    ['our runtime', 'ours', 'index.handler'],
    ['aws-lambda-ric through adapter.js', 'ric', 'adapter.handler'],
  ];
  for (const [title, runtime, handler] of runtimes) {
    test(`the seed's authorizer under ${title}`, { skip: runtime === 'ric' && ricSkip }, async () => {
      const w = await startRuntime(runtime, join(EXAMPLE, 'authorizer'), handler, {
        ...nodePath, AUTH0_CLIENT_ID: AUDIENCE, AUTH0_CLIENT_PUBLIC_KEY: keys.cert });
      try {
        for (const [name, token, allowed] of tokenCases(keys, other)) {
          const out = await settle(w, w.api.invoke(tokenEvent(token)));
          if (allowed) {
            assert.equal(out.kind, 'response', `${name}: ${out.body}`);
            assert.equal(out.body, JSON.stringify({ principalId: SUBJECT, policyDocument: {
              Version: '2012-10-17',
              Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] } }));
          } else {
            assert.equal(out.kind, 'error', name);
            assert.equal(out.body, '{"errorType":"string","errorMessage":"Unauthorized","trace":[]}', name);
          }
        }
      } finally {
        await w.stop();
      }
    });
  }

  for (const [title, runtime] of [['our runtime', 'ours'], ['aws-lambda-ric', 'ric']]) {
    test(`the users service under ${title}`, { skip: runtime === 'ric' && ricSkip }, async () => {
      const table = `users-${runtime}`;
      await createUsersTable(table);
      const w = await startRuntime(runtime, join(EXAMPLE, 'users'), 'index.handler', usersEnv(table));
      const call = async (...args) => {
        const out = await settle(w, w.api.invoke(proxyEvent(...args)));
        assert.equal(out.kind, 'response', `${out.kind} ${out.body} ${w.stderr}`);
        return JSON.parse(out.body);
      };
      try {
        const created = await call('POST', '/resource', { body: '{"name":"Yev","email":"yev@example.com","id":"mine","createdBy":"mallory"}' });
        assert.equal(created.statusCode, 201);
        const item = JSON.parse(created.body);
        assert.match(item.id, /^[0-9a-f-]{36}$/);
        assert.deepEqual(Object.keys(item), ['id', 'name', 'email', 'createdBy', 'createdAt', 'updatedAt']);
        assert.equal(item.createdBy, SUBJECT);
        assert.equal(item.createdAt, item.updatedAt);
        assert.deepEqual(created.headers, { 'Content-Type': 'application/json', Location: `/resource/${item.id}` });
        // Stored as the template stores it: under its table's keys.
        const stored = await caller(store.dynamodbUrl)('GetItem', { TableName: table,
          Key: { pk: { S: `USER#${item.id}` }, sk: { S: 'PROFILE' } } });
        assert.equal(JSON.parse(stored.text).Item.name.S, 'Yev');

        const b64 = await call('POST', '/resource', { body: Buffer.from('{"name":"Zoë"}').toString('base64'), isBase64Encoded: true });
        assert.equal(b64.statusCode, 201);
        assert.equal(JSON.parse(b64.body).name, 'Zoë');

        for (const body of ['{"name":', '[1,2]', '"text"', 'null', null]) {
          const bad = await call('POST', '/resource', { body });
          assert.deepEqual([bad.statusCode, bad.body], [400, '{"message":"Invalid request body"}'], String(body));
        }

        const list = await call('GET', '/resource');
        assert.equal(list.statusCode, 200);
        assert.deepEqual(JSON.parse(list.body).items.map((i) => i.name), ['Yev', 'Zoë']);

        const got = await call('GET', '/resource/{id}', { id: item.id });
        assert.deepEqual(JSON.parse(got.body), item);

        await new Promise((r) => setTimeout(r, 5));
        const put = await call('PUT', '/resource/{id}', { id: item.id, body: '{"name":"Yevhen"}' });
        assert.equal(put.statusCode, 200);
        const updated = JSON.parse(put.body);
        assert.deepEqual([updated.id, updated.name, updated.email, updated.createdBy, updated.createdAt],
          [item.id, 'Yevhen', undefined, SUBJECT, item.createdAt]);
        assert.ok(updated.updatedAt > item.updatedAt);

        const del = await call('DELETE', '/resource/{id}', { id: item.id });
        assert.deepEqual([del.statusCode, del.body], [204, '']);
        for (const [method, body] of [['GET'], ['PUT', '{}'], ['DELETE']]) {
          const gone = await call(method, '/resource/{id}', { id: item.id, body });
          assert.deepEqual([gone.statusCode, gone.body], [404, '{"message":"Not Found"}'], method);
        }
        const traversal = await call('GET', '/resource/{id}', { id: '../../etc/passwd' });
        assert.equal(traversal.statusCode, 404);
      } finally {
        await w.stop();
      }
    });
  }

  test('two worker processes share the users table', async () => {
    await createUsersTable('users-shared');
    const a = await startRuntime('ours', join(EXAMPLE, 'users'), 'index.handler', usersEnv('users-shared'));
    const b = await startRuntime('ours', join(EXAMPLE, 'users'), 'index.handler', usersEnv('users-shared'));
    try {
      const posts = [];
      for (let i = 0; i < 20; i++) {
        const w = i % 2 ? a : b;
        posts.push(settle(w, w.api.invoke(proxyEvent('POST', '/resource', { body: JSON.stringify({ i }) }))));
      }
      for (const out of await Promise.all(posts)) assert.equal(JSON.parse(out.body).statusCode, 201);
      for (const w of [a, b]) {
        const list = JSON.parse(JSON.parse((await settle(w, w.api.invoke(proxyEvent('GET', '/resource')))).body).body);
        assert.deepEqual(list.items.map((i) => i.i).sort((x, y) => x - y), [...Array(20).keys()]);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  // ---------------------------------------------------------------------------------------------
  // The C++ example authorizer, built by `ninja gatehouse-example-authorizer`.

  // GATEHOUSE_EXAMPLE_AUTHORIZER, else the one built next to the gateway binary, if any.
  const besideGateway = join(dirname(binary), 'examples/cpp-authorizer/gatehouse-example-authorizer');
  const cppBinary = process.env.GATEHOUSE_EXAMPLE_AUTHORIZER ||
    (existsSync(besideGateway) ? besideGateway : undefined);
  describe('examples/cpp-authorizer', { skip: cppBinary ? false
    : 'not built: set GATEHOUSE_EXAMPLE_AUTHORIZER to gatehouse-example-authorizer' }, () => {
    const UNAUTHORIZED = '{"errorMessage":"Unauthorized","errorType":"Unauthorized"}';
    let smallKey;
    before(() => {
      smallKey = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ type: 'spki', format: 'pem' });
    });

    test('allows valid tokens for the whole stage and refuses the rest', async () => {
      const w = await startRuntime([cppBinary], tmp, '', { AUTH0_CLIENT_ID: AUDIENCE, AUTH0_CLIENT_PUBLIC_KEY: keys.cert });
      try {
        const cases = [...tokenCases(keys, other),
          ['a token over 8 KiB', `Bearer ${jwt.sign({ pad: 'x'.repeat(9000) }, keys.key, { algorithm: 'RS256', audience: AUDIENCE, subject: SUBJECT, expiresIn: 60 })}`, false],
          ['no exp', `Bearer ${jwt.sign({ sub: SUBJECT, aud: AUDIENCE }, keys.key, { algorithm: 'RS256', noTimestamp: true })}`, false],
          ['not yet valid', `Bearer ${jwt.sign({}, keys.key, { algorithm: 'RS256', audience: AUDIENCE, subject: SUBJECT, expiresIn: 600, notBefore: 300 })}`, false],
        ];
        for (const [name, token, allowed] of cases) {
          const out = await settle(w, w.api.invoke(tokenEvent(token)));
          if (allowed) {
            assert.equal(out.kind, 'response', `${name}: ${out.body} ${w.stderr}`);
            assert.deepEqual(JSON.parse(out.body), {
              principalId: SUBJECT,
              policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke',
                Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:gatehouse/Lab/*/*' }] },
              context: { scope: 'read:users write:users' },
            }, name);
          } else {
            assert.equal(out.kind, 'error', name);
            assert.equal(out.body, UNAUTHORIZED, name);
            assert.equal(out.headers['lambda-runtime-function-error-type'], 'Unauthorized', name);
          }
        }
        // Events that are not TOKEN events are refused.
        assert.equal((await settle(w, w.api.invoke({ type: 'REQUEST' }))).body, UNAUTHORIZED);
        assert.equal(w.api.connections, 1);
      } finally {
        await w.stop();
      }
    });

    test('takes a public key PEM as well as a certificate', async () => {
      const spki = createPublicKey(keys.cert).export({ type: 'spki', format: 'pem' });
      const [, token] = tokenCases(keys, other)[0];
      const out = await runOnce([cppBinary], tmp, '', tokenEvent(token),
        { env: { AUTH0_CLIENT_ID: AUDIENCE, AUTH0_CLIENT_PUBLIC_KEY: spki } });
      assert.equal(out.kind, 'response');
    });

    for (const [title, env] of [
      ['no key', () => ({ AUTH0_CLIENT_ID: AUDIENCE })],
      ['a key that is not PEM', () => ({ AUTH0_CLIENT_ID: AUDIENCE, AUTH0_CLIENT_PUBLIC_KEY: 'not a key' })],
      ['a key under 2048 bits', () => ({ AUTH0_CLIENT_ID: AUDIENCE, AUTH0_CLIENT_PUBLIC_KEY: smallKey })],
      ['no audience', () => ({ AUTH0_CLIENT_PUBLIC_KEY: keys.cert })],
    ]) {
      test(`reports ${title} as an init error and exits`, async () => {
        const out = await runOnce([cppBinary], tmp, '', {}, { env: env() });
        assert.equal(out.kind, 'init-error');
        assert.equal(JSON.parse(out.body).errorType, 'Function.ConfigurationError');
        assert.equal(out.headers['lambda-runtime-function-error-type'], 'Function.ConfigurationError');
        assert.equal(out.exit.code, 1);
      });
    }
  });
});
