#!/usr/bin/env node
// gatehouse's Node.js runtime: runs an unmodified Lambda handler (`module.exports.handler = ...`)
// in a worker process that speaks the AWS Lambda Runtime API to the gateway.
//
//   AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 _HANDLER=index.handler LAMBDA_TASK_ROOT=/app \
//     node runtimes/node/bootstrap.js
//
// It does what the official Node.js runtime interface client (the npm package aws-lambda-ric)
// does, with no dependencies (its Runtime API client is runtime_api_client.js, beside it):
//   1. init: load the module named by _HANDLER from LAMBDA_TASK_ROOT and find the handler in it;
//      a failure is reported to POST /runtime/init/error, then the process exits (129);
//   2. loop: GET /runtime/invocation/next (a long poll without a timeout), call the handler with
//      the event, a context object and a callback, and report its outcome to
//      POST /runtime/invocation/{id}/response or /runtime/invocation/{id}/error, with the next
//      GET /next sent in the same write (runtime_api_client.js: one wake-up of the gateway and of
//      this process per invocation).
//
// Compatibility, in short (docs/functions.md has the details):
//   - error documents are the client's, byte for byte: {"errorType","errorMessage","trace"};
//     an Error gives its name, message and stack lines, any other value its `typeof` and its
//     string (`callback("Unauthorized")` → {"errorType":"string","errorMessage":"Unauthorized",
//     "trace":[]}, what API Gateway turns into 401 for an authorizer);
//   - async handlers and handlers returning a promise, as aws-lambda-ric 4.x runs them;
//   - callback handlers (three parameters) and context.done/succeed/fail with the semantics of
//     aws-lambda-ric 3.x (the Node.js 16-22 runtimes): a result passed to the callback is sent
//     once the event loop is empty unless context.callbackWaitsForEmptyEventLoop is false.
//     aws-lambda-ric 4.x (the Node.js 24 runtime) refuses such handlers at init; many existing
//     authorizers are written this way, so this runtime keeps them working;
//   - an uncaught exception or unhandled rejection fails the running invocation, then the
//     process exits (129, 128) and the gateway starts a new worker, as with aws-lambda-ric 3.x;
//   - console is left alone: the gateway prefixes every line its workers print with the
//     function's name and the request id.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');
const { createRuntimeApiClient, API_PREFIX } = require('./runtime_api_client.js');

const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

// Exit codes of aws-lambda-ric 3.x: an uncaught exception (also a failed init), an unhandled
// promise rejection. Anything wrong with the Runtime API itself exits with 1.
const EXIT_UNCAUGHT = 129;
const EXIT_UNHANDLED_REJECTION = 128;

// ---------------------------------------------------------------------------------------------
// Errors the runtime reports, with the client's names (errorType "Runtime.ImportModuleError", …).

function runtimeErrorClass(name) {
  return class extends Error {
    constructor(message) {
      super(message);
      this.name = `Runtime.${name}`;
    }
  };
}

const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const PlatformError = runtimeErrorClass('PlatformError');
const JSONStringifyError = runtimeErrorClass('JSONStringifyError');
const NodeJsExit = runtimeErrorClass('NodeJsExit');

// The module could not be found: the message is the original error as a string.
class ImportModuleError extends Error {
  constructor(original) {
    super(String(original));
    this.name = 'Runtime.ImportModuleError';
  }
}

// The module does not parse: the message is the original error as a string, the stack its stack.
class UserCodeSyntaxError extends Error {
  constructor(original) {
    super(String(original));
    this.name = 'Runtime.UserCodeSyntaxError';
    this.stack = original.stack;
  }
}

// `super(reason)` turns the reason into the message as Error(reason) does: an Error reason
// becomes "Error: its message".
class UnhandledPromiseRejection extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'Runtime.UnhandledPromiseRejection';
  }
}

// The error document for /error and /init/error, exactly as aws-lambda-ric builds it
// (formatError in 4.x, toRapidResponse in 3.x). DEL characters are escaped as the client does.
function errorDocument(error) {
  try {
    if (error instanceof Error || util.types.isNativeError(error)) {
      return {
        errorType: error.name?.replaceAll('\x7F', '%7F'),
        errorMessage: error.message?.replaceAll('\x7F', '%7F'),
        trace: error.stack?.replaceAll('\x7F', '%7F').split('\n') || [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

// One line on stderr, in the client's text format: a label, a tab, the error as JSON.
function logError(label, error) {
  let text;
  try {
    text = JSON.stringify(errorDocument(error));
  } catch {
    text = String(error);
  }
  process.stderr.write(`${label}\t${text}\n`);
}

// A header value Node will send: the error type if it is printable ASCII, else the Runtime
// API's own fallback.
function errorTypeHeader(errorType) {
  return typeof errorType === 'string' && /^[\x21-\x7e][\x20-\x7e]*$/.test(errorType)
    ? errorType : 'Runtime.Unknown';
}

// A result as the response body: undefined is sent as null, like the client does.
function serialize(value) {
  let json;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch {
    throw new JSONStringifyError('Unable to stringify response body');
  }
  // JSON.stringify gives undefined for a function or a symbol: nothing that can be sent.
  if (json === undefined) throw new JSONStringifyError('Unable to stringify response body');
  return json;
}

// ---------------------------------------------------------------------------------------------
// The Runtime API: one keep-alive connection (runtime_api_client.js), no timeouts (the process
// may wait on /next for as long as the function is idle).

function runtimeApiAddress() {
  const value = process.env.AWS_LAMBDA_RUNTIME_API || '';
  const match = /^(.+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535) {
    process.stderr.write(`gatehouse node runtime: AWS_LAMBDA_RUNTIME_API must be host:port, ` +
      `not '${value}'\n`);
    process.exit(1);
  }
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

const address = runtimeApiAddress();
const api = createRuntimeApiClient(address.host, address.port);
const NEXT = { method: 'GET', path: '/invocation/next' };

// A POST's answer: a refusal (e.g. 413 for a response over 6 MB, 403 for a second answer) is
// logged: the gateway has failed the invocation on its side, and the loop goes on.
function checkPosted(apiPath, res) {
  if (res.status < 200 || res.status > 299) {
    process.stderr.write(`gatehouse node runtime: POST ${API_PREFIX}${apiPath} answered ` +
      `${res.status} ${res.body}\n`);
  }
}

// POSTs a document and waits for its answer.
async function post(apiPath, body, headers) {
  const { written, answers } = api.send([{ method: 'POST', path: apiPath, headers, body }]);
  answers[0].catch(() => {});  // awaited below, once written
  await written;
  checkPosted(apiPath, await answers[0]);
}

// The GET /next sent behind the last outcome, for the loop to await.
let nextAnswer = null;

// POSTs an invocation's outcome with the next GET /next behind it, in one write. Resolves once
// both have left the process; the POST's answer comes with the next event (gatehouse holds it
// until then), so it is checked when it comes.
async function postOutcome(apiPath, body, headers) {
  const { written, answers } = api.send([{ method: 'POST', path: apiPath, headers, body }, NEXT]);
  const [posted, next] = answers;
  nextAnswer = next;
  next.catch(() => {});  // awaited by the loop, which retries a /next lost with its connection
  posted.then((res) => checkPosted(apiPath, res), (err) => {
    process.stderr.write(`gatehouse node runtime: POST ${API_PREFIX}${apiPath} got no answer: ` +
      `${err.message}\n`);
  });
  await written;
}

function errorOutcome(error) {
  const doc = errorDocument(error);
  return { body: JSON.stringify(doc), headers: { [ERROR_TYPE_HEADER]: errorTypeHeader(doc.errorType) } };
}

function postInitError(error) {
  const { body, headers } = errorOutcome(error);
  return post('/init/error', body, headers);
}

function postInvocationError(requestId, error) {
  const { body, headers } = errorOutcome(error);
  return post(`/invocation/${encodeURIComponent(requestId)}/error`, body, headers);
}

// ---------------------------------------------------------------------------------------------
// Loading the handler: "index.handler", "dir/file.handler", "file.obj.fn".

// Splits _HANDLER as the client does: the directory part, the module name up to the first dot
// of the last segment, and the (possibly nested) property path after it.
function parseHandler(fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. Use absolute ` +
      'paths when specifying root directories in handler names.');
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString)).replace(/\/$/, '');
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw new MalformedHandlerName('Bad handler');
  return { moduleRoot, moduleName: match[1], handlerPath: match[2] };
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// CommonJS through require; a file that turns out to be an ES module (a .js file under
// "type": "module") through import().
async function requireOrImport(file) {
  try {
    return require(file);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw err;
  }
}

// Tries <root>/<moduleRoot>/<name> as is, then with .js, .mjs and .cjs, then Node's own
// resolution from the task root (a directory with index.js, a package in node_modules). Errors
// are classified as the client classifies them.
async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  try {
    for (const ext of ['', '.js', '.mjs', '.cjs']) {
      const file = base + ext;
      if (!isFile(file)) continue;
      return ext === '.mjs' ? await import(pathToFileURL(file).href) : await requireOrImport(file);
    }
    const resolved = require.resolve(moduleName, { paths: [appRoot, path.join(appRoot, moduleRoot)] });
    return await requireOrImport(resolved);
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserCodeSyntaxError(err);
    if (err && err.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(err);
    throw err;
  }
}

function findIn(object, propertyPath) {
  return propertyPath.split('.').reduce(
    (nested, key) => (nested === null || nested === undefined ? undefined : nested[key]), object);
}

// The AWS SDK for JavaScript v2 ignores AWS_ENDPOINT_URL_DYNAMODB (v3, boto3 and the other SDKs
// honour it). When the handler's own aws-sdk v2 is there, its DynamoDB configuration is pointed
// at that endpoint before the handler loads, so `new AWS.DynamoDB.DocumentClient()` reaches the
// table as on Lambda; an endpoint the handler sets itself still wins. Nothing else is touched.
function pointSdkV2AtDynamoDb(appRoot, moduleRoot) {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) return;
  let sdkPath;
  try {
    sdkPath = require.resolve('aws-sdk', { paths: [path.join(appRoot, moduleRoot), appRoot] });
  } catch {
    return;  // no v2 SDK: nothing to do
  }
  try {
    const AWS = require(sdkPath);
    if (AWS && AWS.config && typeof AWS.config.update === 'function') {
      AWS.config.update({ dynamodb: { endpoint, ...(AWS.config.dynamodb || {}) } });
    }
  } catch (err) {
    // A broken aws-sdk install shows up when the handler itself requires it.
  }
}

async function loadHandler(appRoot, fullHandler) {
  const { moduleRoot, moduleName, handlerPath } = parseHandler(fullHandler);
  pointSdkV2AtDynamoDb(appRoot, moduleRoot);
  const mod = await loadModule(appRoot, moduleRoot, moduleName);
  let handler = findIn(mod, handlerPath);
  // An ES module importing CommonJS, or `export default { handler }`.
  if (!handler && mod !== null && typeof mod === 'object' && 'default' in mod) {
    handler = findIn(mod.default, handlerPath);
  }
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

// ---------------------------------------------------------------------------------------------
// One invocation.

// What runs when the event loop is empty ('beforeExit'): sending a callback's result (when
// callbackWaitsForEmptyEventLoop is true), or ending an invocation whose handler left nothing
// to wait for.
let onEmptyEventLoop = null;
process.on('beforeExit', () => {
  const action = onEmptyEventLoop;
  onEmptyEventLoop = null;
  if (action) action();
});

let phase = 'init';  // 'init' while loading the handler, then 'invoke'
let current = null;  // the invocation in progress: { id, settled, sent }

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

// Runs the handler for one /next answer; resolves once its outcome has been POSTed.
function invoke(handler, next) {
  const headers = next.headers;
  const requestId = headers['lambda-runtime-aws-request-id'];
  const invocation = { id: requestId, settled: false, sent: null };
  current = invocation;

  // The one way out of an invocation: the first outcome is sent, later ones are dropped.
  let finished;
  const sent = new Promise((resolve) => { finished = resolve; });
  const report = (failed, value) => {
    if (invocation.settled) return;
    invocation.settled = true;
    onEmptyEventLoop = null;
    invocation.sent = (async () => {
      const id = encodeURIComponent(requestId);
      if (!failed) {
        let body;
        try {
          body = serialize(value);
        } catch (err) {
          value = err;  // a JSONStringifyError: reported as the invocation's error
        }
        if (body !== undefined) return postOutcome(`/invocation/${id}/response`, body, {});
      }
      logError('Invoke Error', value);
      const { body, headers } = errorOutcome(value);
      return postOutcome(`/invocation/${id}/error`, body, headers);
    })();
    invocation.sent.then(finished, fatalApiError);
  };

  // The callback and the legacy context methods: only the first call of any of them counts.
  let called = false;
  const once = (fn) => (...args) => {
    if (called) return;
    called = true;
    fn(...args);
  };
  let waitForEmptyEventLoop = true;
  const done = (err, result) => {
    if (err !== undefined && err !== null) report(true, err);
    else report(false, result);
  };
  const callback = once((err, result) => {
    if (err !== undefined && err !== null) return report(true, err);
    if (!waitForEmptyEventLoop) return report(false, result);
    // Lambda's classic semantics: the result goes out once the handler's timers, sockets and
    // other pending work are finished.
    onEmptyEventLoop = () => setImmediate(() => report(false, result));
    return undefined;
  });

  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  // X-Ray's SDKs read the trace id from the environment.
  const traceId = headers['lambda-runtime-trace-id'];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;

  try {
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
      succeed: once((result) => done(null, result)),
      fail: once((err) => done(err === undefined || err === null ? 'handled' : err, null)),
      done: once(done),
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: requestId,
      tenantId: headers['lambda-runtime-aws-tenant-id'],
      xRayTraceId: traceId,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    const event = JSON.parse(next.body);
    const result = handler(event, context, callback);

    if (result !== null && (typeof result === 'object' || typeof result === 'function') &&
        typeof result.then === 'function') {
      // A promise settles the invocation; one that never settles while nothing else is left
      // to run would otherwise hang it until its timeout.
      result.then(once((value) => report(false, value)), once((err) => report(true, err)));
      if (!called) {
        onEmptyEventLoop = () => report(true, new NodeJsExit('The handler returned a promise ' +
          'that never settled: the event loop became empty while waiting for it'));
      }
    } else if (handler.length < 3 && result !== undefined) {
      // A synchronous handler's return value is its result (aws-lambda-ric 4.x).
      once(() => report(false, result))();
    } else if (!called) {
      // A handler that returned nothing and has not answered yet: it may still call the
      // callback or context.succeed later. If it never does, the result is null.
      onEmptyEventLoop = () => {
        called = true;
        report(false, null);
      };
    }
  } catch (err) {
    once(() => report(true, err))();
  }
  return sent;
}

// The Runtime API went away or answered nonsense: nothing can be reported any more.
function fatalApiError(err) {
  process.stderr.write(`gatehouse node runtime: the Runtime API failed: ${err && err.message}\n`);
  process.exit(1);
}

// The next event: the GET /next sent with the last outcome, or a new one. A pipelined /next lost
// with its connection (the gateway closes it after refusing an oversized response) is asked
// again on a new one.
async function nextInvocation() {
  const pipelined = nextAnswer;
  nextAnswer = null;
  if (pipelined) {
    try {
      return await pipelined;
    } catch (err) {
      if (!err.connectionLost) throw err;
    }
  }
  const { written, answers } = api.send([NEXT]);
  answers[0].catch(() => {});  // awaited below, once written
  await written;
  return answers[0];
}

async function invokeLoop(handler) {
  for (;;) {
    const next = await nextInvocation();
    if (next.status !== 200) {
      throw new Error(`GET ${API_PREFIX}/invocation/next answered ${next.status} ${next.body}`);
    }
    if (!next.headers['lambda-runtime-aws-request-id']) {
      throw new Error('GET /invocation/next answered without Lambda-Runtime-Aws-Request-Id');
    }
    await invoke(handler, next);
    current = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors nobody caught: during init they fail the init, during an invocation they fail the
// invocation. Either way the process exits; the gateway replaces it.

let dying = false;
async function die(label, error, code) {
  if (dying) return;
  dying = true;
  logError(label, error);
  try {
    if (phase === 'init') {
      await postInitError(error);
    } else if (current && !current.settled) {
      current.settled = true;
      await postInvocationError(current.id, error);
    } else if (current && current.sent) {
      await current.sent;  // the outcome already being sent goes out first
    }
  } catch {
    // Exiting anyway.
  }
  process.exit(code);
}

process.on('uncaughtException', (error) => die('Uncaught Exception', error, EXIT_UNCAUGHT));
process.on('unhandledRejection', (reason) => die('Unhandled Promise Rejection',
  new UnhandledPromiseRejection(reason), EXIT_UNHANDLED_REJECTION));

async function main() {
  let handler;
  try {
    const fullHandler = process.env._HANDLER;
    if (!fullHandler) throw new PlatformError('_HANDLER environment variable is not set');
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), fullHandler);
  } catch (error) {
    logError('Init Error', error);
    try {
      await postInitError(error);
    } catch (err) {
      process.stderr.write(`gatehouse node runtime: could not report the init error: ${err.message}\n`);
    }
    process.exit(EXIT_UNCAUGHT);
  }
  phase = 'invoke';
  await invokeLoop(handler);
}

main().catch(fatalApiError);
