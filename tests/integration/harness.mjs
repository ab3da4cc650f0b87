// Test harness: starts the real gatehouse binary on ephemeral ports with a config written to a
// temporary directory, and stops it afterwards. Tokens come from jose, an implementation we did
// not write.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const binary = process.env.GATEHOUSE_BIN || join(repoRoot, 'build/gatehouse');

export const ISSUER = 'https://issuer.test/';
export const AUDIENCE = 'https://api.test';

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'gatehouse-it-'));
}

// Starts gatehouse with `yaml` (written to dir/gatehouse.yaml). Resolves once it listens.
export async function startGateway(yaml, { dir = tempDir(), env = {} } = {}) {
  const configPath = join(dir, 'gatehouse.yaml');
  writeFileSync(configPath, yaml);
  const child = spawn(binary, ['serve', '-c', configPath], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const gw = { child, dir, stdout: '', stderr: '', accessLog: [] };
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
  await listening;
  gw.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  gw.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const result = await gw.exited;
    rmSync(dir, { recursive: true, force: true });
    return result;
  };
  return gw;
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
