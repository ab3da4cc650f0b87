// Test harness: starts the real gatehouse binary on ephemeral ports with a config written to a
// temporary directory, and stops it afterwards. Tokens come from jose, an implementation we did
// not write.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const binary = process.env.GATEHOUSE_BIN || join(repoRoot, 'build/gatehouse');

export const ISSUER = 'https://issuer.test/';
export const AUDIENCE = 'https://api.test';

// Every directory made here goes when the test process exits, whatever became of its test (a
// failed one, a killed gateway, a directory kept between two starts).
const madeDirs = new Set();
process.on('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-it-'));
  madeDirs.add(dir);
  return dir;
}

// Starts gatehouse with `yaml` (written to dir/gatehouse.yaml). Resolves once it listens.
// `keepDir: true` leaves the directory in place on stop() (to start again on the same data);
// `spawnOptions` go to child_process.spawn (e.g. uid/gid to run as another user); `wrap` is a
// command that execs gatehouse with limits of its own (e.g. ['prlimit', '--nofile=64']).
// `args` follow `serve -c <config>` (e.g. ['--port', '8081']); `bin` is another gatehouse binary
// (an installed one).
// `deadlineMs` bounds every wait for the process: for the listening line here, and for its exit
// in stop() and kill(); past it gatehouse is killed (SIGKILL) and the wait fails saying what did
// not happen. Without it those waits take as long as gatehouse does.
export async function startGateway(yaml, { dir: given, env = {}, keepDir = false,
  spawnOptions = {}, wrap = [], deadlineMs = 0, args = [], bin = binary } = {}) {
  const dir = given ?? tempDir();
  const configPath = join(dir, 'gatehouse.yaml');
  writeFileSync(configPath, yaml);
  const argv = [...wrap, bin, 'serve', '-c', configPath, ...args];
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...spawnOptions,
  });
  const gw = { child, dir, configPath, stdout: '', stderr: '', accessLog: [] };
  // `promise`, unless deadlineMs passes first: then gatehouse is killed and the wait fails.
  const bounded = (promise, what) => {
    if (!deadlineMs) return promise;
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`gatehouse ${what} within ${deadlineMs} ms (killed it): ` +
          gw.stderr.slice(-4000)));
      }, deadlineMs);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  };
  const listening = new Promise((resolveListening, reject) => {
    child.stdout.on('data', (chunk) => {
      gw.stdout += chunk;
      for (const line of chunk.toString().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line);
          if (rec.event === 'listening') {
            gw.port = rec.api_port;
            gw.adminPort = rec.admin_port;
            gw.url = `http://127.0.0.1:${rec.api_port}`;
            gw.adminUrl = `http://127.0.0.1:${rec.admin_port}`;
            gw.dynamodbPort = rec.dynamodb_port;
            gw.dynamodbUrl = `http://127.0.0.1:${rec.dynamodb_port}`;
            resolveListening();
          } else if (rec.request_id) {
            gw.accessLog.push(rec);
          }
        } catch { /* partial line */ }
      }
    });
    child.stderr.on('data', (chunk) => { gw.stderr += chunk; });
    child.on('exit', (code) => reject(new Error(`gatehouse exited with ${code}: ${gw.stderr}`)));
  });
  try {
    await bounded(listening, 'did not report listening');
  } catch (err) {
    // A start that failed leaves nothing behind in a directory made here.
    if (!given && !keepDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  gw.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  gw.stop = async () => {
    const terminated = running();
    if (terminated) child.kill('SIGTERM');
    const result = await bounded(gw.exited, 'did not exit after SIGTERM');
    if (terminated && (result.code !== 0 || result.signal)) {
      // An unclean shutdown: what gatehouse said on the way out, for the failure report.
      const at = gw.stderr.lastIndexOf('received SIGTERM');
      const tail = at >= 0 ? gw.stderr.slice(Math.max(0, at - 30)) : gw.stderr.slice(-4000);
      process.stderr.write(`gatehouse stopped with ${JSON.stringify(result)}:\n${tail.slice(0, 20000)}\n`);
    }
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
    return result;
  };
  // Kills the process (SIGKILL by default: a crash) and waits for it; the directory stays.
  gw.kill = async (signal = 'SIGKILL') => {
    if (running()) child.kill(signal);
    return bounded(gw.exited, `did not exit after ${signal}`);
  };
  return gw;
}

// fetch, with the answer read: { status, headers, text, json }.
export async function call(gw, method, path, { headers = {}, body, token } = {}) {
  const res = await fetch(gw.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// A request with a bearer token to `target` (a started gateway, or any { url }), `body` sent as
// JSON when given. Resolves as call() does.
export function sendJson(target, token, method, path, body) {
  return call(target, method, path, { token,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
}

// Runs `gatehouse serve -c configPath` for a start that is expected to fail, and resolves with
// its exit code and output. Should it listen after all, it is stopped and `listened` is true.
// `wrap` as for startGateway.
export function runServe(configPath, { env = {}, timeoutMs = 15000, wrap = [] } = {}) {
  return new Promise((resolveRun) => {
    const argv = [...wrap, binary, 'serve', '-c', configPath];
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '', listened: false };
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => {
      out.stdout += chunk;
      if (!out.listened && out.stdout.includes('"event":"listening"')) {
        out.listened = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => { out.stderr += chunk; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, ...out });
    });
  });
}

// Runs the gatehouse CLI (`token`, `keys rotate`, `check`, ...) and resolves with its exit code
// and output; never rejects on a non-zero exit.
export function runCli(args, env = {}) {
  return new Promise((resolveRun) => {
    execFile(binary, args, { env: { ...process.env, ...env }, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolveRun({ code, signal: err?.signal ?? null, stdout, stderr });
      });
  });
}

// Polls `fn` until it returns a truthy value, which it resolves with; throws `message` when the
// deadline passes first.
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 50,
  message = 'condition not reached in time' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// The value of one series of gatehouse's /metrics, e.g. metric(gw, 'gatehouse_requests_total',
// { route: '/echo', status: '200' }); labels in the order gatehouse writes them. A series that
// does not exist throws (with the names that do), so a misspelled name or label never reads as 0.
export async function metric(gw, name, labels = {}) {
  const text = await (await fetch(`${gw.adminUrl}/metrics`)).text();
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const want = pairs ? `${name}{${pairs}}` : name;
  const line = text.split('\n').find((l) => l.startsWith(`${want} `));
  if (line === undefined) {
    const known = [...new Set(text.split('\n').filter((l) => l.startsWith(name))
      .map((l) => l.slice(0, l.lastIndexOf(' '))))];
    throw new Error(`no series ${want} in /metrics; ${name} has: ${known.join(' ') || 'none'}`);
  }
  return Number(line.slice(want.length + 1));
}

// Waits until the access log holds a line for `requestId` (it is flushed every 20 ms).
export async function accessLogFor(gw, requestId, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rec = gw.accessLog.find((r) => r.request_id === requestId);
    if (rec) return rec;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no access log line for ${requestId}`);
}

export function curl(args) {
  return new Promise((resolveCurl, reject) => {
    execFile('curl', ['-s', '-S', '-i', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && err.code !== 0 && !stdout) return reject(new Error(stderr || err.message));
      // Skip interim 1xx responses (100 Continue).
      while (/^HTTP\/1\.1 1\d\d /.test(stdout)) stdout = stdout.slice(stdout.indexOf('\r\n\r\n') + 4);
      const split = stdout.indexOf('\r\n\r\n');
      const head = stdout.slice(0, split).split('\r\n');
      const status = Number(head[0].split(' ')[1]);
      const headers = {};
      for (const h of head.slice(1)) {
        const i = h.indexOf(':');
        headers[h.slice(0, i).toLowerCase()] = h.slice(i + 1).trim();
      }
      resolveCurl({ status, headers, body: stdout.slice(split + 4) });
    });
  });
}

// Key pairs for every algorithm, as jose generates them.
export async function keyPair(alg, opts = {}) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...opts });
  return { alg, publicKey, privateKey };
}

export async function jwk(pair, kid) {
  return { ...(await jose.exportJWK(pair.publicKey)), kid, alg: pair.alg, use: 'sig' };
}

export async function mint(pair, { kid, claims = {}, header = {}, iss = ISSUER, aud = AUDIENCE,
  expiresIn = '1h', sub = 'user-1' } = {}) {
  let builder = new jose.SignJWT({ scope: 'read write', ...claims })
    .setProtectedHeader({ alg: pair.alg, typ: 'JWT', ...(kid ? { kid } : {}), ...header })
    .setIssuedAt()
    .setSubject(sub);
  if (iss !== null) builder = builder.setIssuer(iss);
  if (aud !== null) builder = builder.setAudience(aud);
  if (expiresIn !== null) builder = builder.setExpirationTime(expiresIn);
  return builder.sign(pair.privateKey);
}

// One entry of an `authorizers:` section: a jwt authorizer accepting what mint() signs (ISSUER,
// AUDIENCE) with the keys `keys` gives.
export function jwtAuthorizer(name = 'jwt', keys = '{jwks_file: jwks.json}') {
  return `  ${name}:\n    type: jwt\n    issuer: "${ISSUER}"\n    audiences: ["${AUDIENCE}"]\n    keys: ${keys}\n`;
}

// A config with one JWT authorizer over `keysYaml`, a mock echo route, a scoped route and a
// public route.
export function gatewayYaml({ keysYaml, algorithms = ['RS256'], extra = '', cacheTtl = 300,
  authorizerExtra = '' }) {
  return `api:
  name: it
  stage: test
  listen: 127.0.0.1:0
  default_authorizer: jwt
authorizers:
  jwt:
    type: jwt
    issuer: "${ISSUER}"
    audiences: ["${AUDIENCE}"]
    algorithms: [${algorithms.join(', ')}]
    leeway_s: 0
    cache_ttl_s: ${cacheTtl}
${authorizerExtra}    keys:
${keysYaml}
routes:
  - path: /echo
    method: ANY
    integration:
      type: mock
      body: '{"principal":"$context.authorizer.principalId","scope":"$context.authorizer.claims.scope"}'
  - path: /items/{id}
    methods: [GET, DELETE]
    scopes: [admin]
    integration:
      type: mock
      body: '{"item":"ok"}'
  - path: /public
    method: GET
    auth: none
    integration:
      type: mock
      body: '{"public":true}'
admin:
  listen: 127.0.0.1:0
${extra}`;
}

export const DEMO_CLIENT = 'blog-demo';
export const DEMO_SECRET = 'integration-demo-secret';
export const BLOG_AUDIENCE = 'https://blog-api';
export const BLOG_ISSUER = 'https://blog.gatehouse.local/';

// The blog demo's shape: the embedded issuer, the JWT authorizer trusting it, a users table and
// the five CRUD routes. The client secret comes from BLOG_DEMO_CLIENT_SECRET (pass `env`).
// `authorizersExtra` adds authorizers after `jwt` (indented as map entries of `authorizers:`).
export function blogYaml({ issuerExtra = '', clientExtra = '', tableExtra = '', routeExtra = '',
  extra = '', authorizerExtra = '', authorizersExtra = '', ownerOnly = false } = {}) {
  return `api:
  name: blog
  stage: Lab
  listen: 127.0.0.1:0
  default_authorizer: jwt
data_dir: data
issuer:
  issuer_url: ${BLOG_ISSUER}
${issuerExtra}  clients:
    ${DEMO_CLIENT}:
      secret: {env: BLOG_DEMO_CLIENT_SECRET}
      audiences: [${BLOG_AUDIENCE}]
      scopes: [read:users, write:users]
${clientExtra}authorizers:
  jwt:
    type: jwt
    audiences: [${BLOG_AUDIENCE}]
${authorizerExtra}    keys: {issuer: self}
${authorizersExtra}tables:
  users:
    key: id
${tableExtra}routes:
  - path: /resource
    methods: [GET, POST]
    integration: {type: crud, table: users, owner_only: ${ownerOnly}}
  - path: /resource/{id}
    methods: [GET, PUT, DELETE]
    integration: {type: crud, table: users, owner_only: ${ownerOnly}}
${routeExtra}admin:
  listen: 127.0.0.1:0
access_log:
  path: "off"
${extra}`;
}

export const blogEnv = { BLOG_DEMO_CLIENT_SECRET: DEMO_SECRET };

// A token from the gateway's embedded issuer for the demo client.
export async function issuerToken(gw, { clientId = DEMO_CLIENT, secret = DEMO_SECRET,
  audience = BLOG_AUDIENCE, scope } = {}) {
  const res = await fetch(`${gw.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: clientId, client_secret: secret, audience,
      grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

// Runs `workers` loops of `attempt(worker, seq)` against `gw` and SIGKILLs it once `targetAcks`
// writes were acknowledged, or once `loadMs` passed with at least `minAcks`, so every run kills a
// loaded gateway. `attempt` returns `{ ack }` for an acknowledged write (also one answered just
// after the kill), or `{ problem }` for an unexpected answer, which ends that worker; a request that
// throws ends it too, counted as a problem only before the kill (after it, in-flight requests may
// or may not have been stored). Returns the acks, the problems and the gateway's exit.
export async function loadUntilKilled(gw, { workers, targetAcks, minAcks, loadMs }, attempt) {
  const acks = [];
  const problems = [];
  let killed = false;
  let timeUp = false;
  const maybeKill = () => {
    if (killed || !(acks.length >= targetAcks || (timeUp && acks.length >= minAcks))) return;
    killed = true;
    gw.child.kill('SIGKILL');
  };
  const timer = setTimeout(() => { timeUp = true; maybeKill(); }, loadMs);
  const worker = async (w) => {
    for (let seq = 0; !killed; seq++) {
      let outcome;
      try {
        outcome = await attempt(w, seq);
      } catch (err) {
        if (!killed) problems.push(`worker ${w} seq ${seq}: ${err.cause?.code ?? err.message}`);
        return;
      }
      if (outcome.ack === undefined) {
        if (!killed) problems.push(`worker ${w} seq ${seq}: ${outcome.problem}`);
        return;
      }
      acks.push(outcome.ack);
      maybeKill();
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  clearTimeout(timer);
  return { acks, problems, exit: await gw.exited };
}

// Starts Debian's nginx (nginx-light) with `conf` written to prefix/nginx.conf, in the
// foreground (the config says `daemon off`); stop() ends it gracefully (SIGQUIT).
export async function startNginx(prefix, conf) {
  mkdirSync(prefix, { recursive: true });
  const confPath = join(prefix, 'nginx.conf');
  writeFileSync(confPath, conf);
  const child = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', confPath],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    stop: async () => { if (child.exitCode === null) child.kill('SIGQUIT'); await exited; },
    stderr: () => stderr + (() => { try { return readFileSync(join(prefix, 'error.log'), 'utf8'); } catch { return ''; } })(),
  };
}
