// Shared by the function suites (function_authorizers, authorizer_cache, function_integration and
// worker_lifecycle .test.mjs): where the fixture functions live (functions/gateway/:
// authorizers.js, handlers.js, init-throws.js), the answers gatehouse gives for authorizer
// outcomes, readers for what the fixture authorizers record and for /proc, and the fixture
// gateway: every fixture function with the authorizers and routes those suites call.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, tempDir, repoRoot, DEMO_CLIENT, DEMO_SECRET, BLOG_AUDIENCE } from './harness.mjs';

const here = join(repoRoot, 'tests/integration');
export const FIXTURES = join(here, 'functions/gateway');
export const NODE_MODULES = join(here, 'node_modules');
// The official client, resolved from this directory's node_modules whatever the worker's working
// directory is (npx --prefix); aws-lambda-ric reads _HANDLER and loads it from its cwd.
export const RIC_COMMAND = `[npx, --no-install, --prefix, ${JSON.stringify(here)}, aws-lambda-ric]`;
export const haveRic = existsSync(join(NODE_MODULES, 'aws-lambda-ric/package.json')) &&
  existsSync(join(NODE_MODULES, 'jsonwebtoken/package.json'));
export const ricSkip = haveRic ? false : 'aws-lambda-ric / jsonwebtoken not installed (npm ci in tests/integration)';

export const q = (s) => JSON.stringify(s);  // a YAML double-quoted scalar
export const env = { BLOG_DEMO_CLIENT_SECRET: DEMO_SECRET };
export const CLF_TIME = /^\d\d\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d\d:\d\d:\d\d \+0000$/;
export const UNAUTHORIZED = '{"message":"Unauthorized"}';
export const EXPLICIT_DENY = '{"Message":"User is not authorized to access this resource with an explicit deny"}';
export const IMPLICIT_DENY = '{"Message":"User is not authorized to access this resource"}';

// How long a gatehouse of these suites may take to listen or to exit (pass it as startGateway's
// deadlineMs): well above the 10 s of api.shutdown_grace_ms's default.
export const DEADLINE_MS = 30000;

// The invocations a fixture authorizer recorded: [{ pid, event }], in order.
export function invocations(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Process bookkeeping from /proc: parent pid and state of a process, its whole subtree.
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}
export function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (!st) continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push(Number(name));
  }
  const out = [];
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
// Alive: signalable and not a zombie (an orphan's zombie may wait for a reaper that never comes).
export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const st = procStat(pid);
  return st !== null && st.state !== 'Z';
}

export const issuerSection = `issuer:
  issuer_url: https://blog.gatehouse.local/
  algorithm: RS256
  clients:
    ${DEMO_CLIENT}:
      secret: {env: BLOG_DEMO_CLIENT_SECRET}
      audiences: [${BLOG_AUDIENCE}]
      scopes: [read:users, write:users]
      token_lifetime_s: 86400
`;

// Stops gatehouse (within DEADLINE_MS when started with it) and asserts a clean exit.
export async function stopCleanly(gw) {
  const res = await gw.stop();
  assert.deepEqual(res, { code: 0, signal: null }, gw.stderr.slice(-3000));
}

// The fixture gateway: every fixture function, the authorizers over them (and a JWT one) and the
// routes the function suites call, with the embedded issuer. No stage variables here. The
// recording authorizers write to `counterFile` (counter), `arnFile` (arnonly) and `modesFile`
// (modes). Stop it with stopCleanly().
export const FIXTURE_STAGE = 'prod';
export const FIXTURE_ARN = `arn:aws:execute-api:us-east-1:123456789012:gatehouse/${FIXTURE_STAGE}`;
const fn = (handler, extra = '') => `
    runtime: node
    handler: ${handler}
    working_dir: ${q(FIXTURES)}
    concurrency: 1${extra}`;

export async function startFixtureGateway() {
  const dir = tempDir();
  const counterFile = join(dir, 'counter.jsonl');
  const arnFile = join(dir, 'arnonly.jsonl');
  const modesFile = join(dir, 'modes.jsonl');
  writeFileSync(join(dir, 'value.txt'), 'from a file');
  const gw = await startGateway(`api: {name: fixtures, stage: ${FIXTURE_STAGE}, listen: 127.0.0.1:0}
data_dir: data
${issuerSection}functions:
  counter:${fn('authorizers.recorder', `
    environment: {INVOCATIONS_FILE: ${q(counterFile)}}`)}
  arnonly:${fn('authorizers.methodArnOnly', `
    environment: {INVOCATIONS_FILE: ${q(arnFile)}}`)}
  modes:${fn('authorizers.modes', `
    timeout_s: 1
    environment: {INVOCATIONS_FILE: ${q(modesFile)}}`)}
  callbacks:${fn('authorizers.callbackStyle')}
  authinit:${fn('init-throws.handler', `
    start: lazy`)}
  echo:${fn('handlers.echo')}
  respond:${fn('handlers.respond')}
  failures:${fn('handlers.failures', `
    timeout_s: 1`)}
  slow:${fn('handlers.failures', `
    max_queue: 1`)}
  initfail:${fn('init-throws.handler', `
    start: lazy`)}
  initfail_eager:${fn('init-throws.handler')}
  parallel:
    runtime: node
    handler: handlers.parallel
    working_dir: ${q(FIXTURES)}
    concurrency: 4
    environment: {BARRIER_DIR: ${q(dir)}}
  env:${fn('handlers.env', `
    memory_mb: 256
    environment:
      GREETING: hello
      DEBUG: true
      RATIO: 0.50
      FROM_ENV: {env: FIXTURE_PASSED_ON}
      FROM_FILE: {file: value.txt}
      CERT: {issuer: certificate}`)}
  envtz:${fn('handlers.env', `
    start: lazy
    environment: {TZ: Europe/Paris, LANG: C.UTF-8}`)}
authorizers:
  jwt: {type: jwt, audiences: [${BLOG_AUDIENCE}], keys: {issuer: self}}
  cached: {type: token, function: counter}
  nocache: {type: token, function: counter, cache_ttl_s: 0}
  regexed: {type: token, function: counter, cache_ttl_s: 0, validation_regex: "^Bearer [-0-9a-zA-Z._]+$"}
  arn_identity: {type: token, function: arnonly, cache_ttl_s: 300}
  arn_method: {type: token, function: arnonly, cache_ttl_s: 300, cache_scope: method}
  modes: {type: token, function: modes, cache_ttl_s: 0}
  modes_cached: {type: token, function: modes, cache_ttl_s: 300}
  callbacks: {type: token, function: callbacks, cache_ttl_s: 0}
  broken: {type: token, function: authinit, cache_ttl_s: 0}
routes:
  - {path: /cached, methods: [GET, DELETE], auth: cached, integration: {type: mock, body: ok}}
  - {path: /nocache, method: GET, auth: nocache, integration: {type: mock, body: ok}}
  - {path: /regexed, method: GET, auth: regexed, integration: {type: mock, body: ok}}
  - {path: /identity/resource, method: GET, auth: arn_identity, integration: {type: mock, body: ok}}
  - {path: "/identity/resource/{id}", methods: [GET, DELETE], auth: arn_identity, integration: {type: mock, body: ok}}
  - {path: /method/resource, method: GET, auth: arn_method, integration: {type: mock, body: ok}}
  - {path: "/method/resource/{id}", methods: [GET, DELETE], auth: arn_method, integration: {type: mock, body: ok}}
  - {path: /modes, method: GET, auth: modes, integration: {type: mock, body: '{"principal":"$context.authorizer.principalId"}'}}
  - {path: /modes-cached, method: GET, auth: modes_cached, integration: {type: mock, body: ok}}
  - {path: /callbacks, method: GET, auth: callbacks, integration: {type: mock, body: '{"principal":"$context.authorizer.principalId"}'}}
  - {path: /broken, method: GET, auth: broken, integration: {type: mock, body: ok}}
  - {path: "/echo/{id}", methods: [GET, POST], auth: nocache, integration: {type: function, function: echo}}
  - {path: "/template/{id}", method: GET, auth: nocache, integration: {type: mock, body: '{"path":"$context.path","resourcePath":"$context.resourcePath","resourceId":"$context.resourceId","sourceIp":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","stage":"$context.stage","tenant":"$context.authorizer.tenant","tier":"$context.authorizer.tier"}'}}
  - {path: /jwt/echo, method: GET, auth: jwt, integration: {type: function, function: echo}}
  - {path: /public/echo, methods: [GET, POST], auth: none, integration: {type: function, function: echo}}
  - {path: "/respond/{mode}", method: GET, auth: none, integration: {type: function, function: respond}}
  - {path: /fail, method: GET, auth: none, integration: {type: function, function: failures}}
  - {path: /fail-fast, method: GET, auth: none, integration: {type: function, function: failures, timeout_ms: 300}}
  - {path: /slow, method: GET, auth: none, integration: {type: function, function: slow}}
  - {path: /initfail, method: GET, auth: none, integration: {type: function, function: initfail}}
  - {path: /initfail-eager, method: GET, auth: none, integration: {type: function, function: initfail_eager, timeout_ms: 1000}}
  - {path: /parallel, method: GET, auth: none, integration: {type: function, function: parallel}}
  - {path: /env, method: GET, auth: none, integration: {type: function, function: env}}
  - {path: /envtz, method: GET, auth: none, integration: {type: function, function: envtz}}
admin: {listen: 127.0.0.1:0}
`, { dir, env: { ...env, FIXTURE_PASSED_ON: 'passed on', FIXTURE_NOT_PASSED: 'kept back',
    TZ: 'America/New_York' }, deadlineMs: DEADLINE_MS });
  return { gw, counterFile, arnFile, modesFile };
}
