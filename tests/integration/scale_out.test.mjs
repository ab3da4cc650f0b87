// Scale-out: three gatehouse instances started from examples/scale-out/gatehouse.yaml on their own
// loopback ports, behind nginx with examples/scale-out/nginx.conf, one remote table (a separate
// gatehouse's DynamoDB listener) and one shared issuer key directory. A token from any instance is
// accepted by all. Under a mixed load through nginx, instances are SIGKILLed and restarted on
// their ports; afterwards every acknowledged write is read back from every instance, every listing
// holds each item once, and no create was made twice.
//
// The kill timing can be varied: SCALE_OUT_LOAD_MS (how long the load runs), SCALE_OUT_KILL_MS
// (the pause between kills) and SCALE_OUT_DOWN_MS (how long a killed instance stays down).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startGateway, startNginx, tempDir, waitFor, repoRoot, sendJson, DEMO_SECRET } from './harness.mjs';
import { startDynamo } from './dynamodb_fixture.mjs';

const example = join(repoRoot, 'examples/scale-out');
const LOAD_MS = Number(process.env.SCALE_OUT_LOAD_MS ?? 6000);
const KILL_MS = Number(process.env.SCALE_OUT_KILL_MS ?? 700);
const DOWN_MS = Number(process.env.SCALE_OUT_DOWN_MS ?? 250);
const WORKERS = 6;
// Any key: the remote stand-in checks no signatures.
const env = { BLOG_DEMO_CLIENT_SECRET: DEMO_SECRET, AWS_ACCESS_KEY_ID: 'AKIDSCALE', AWS_SECRET_ACCESS_KEY: 'scale-secret' };

function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePort(port));
    });
  });
}

// The example's files with this run's addresses: the remote endpoint, the shared data directory,
// the load balancer's address, the instances' ports.
function instanceYaml({ endpoint, dataDir, frontUrl }) {
  const yaml = readFileSync(join(example, 'gatehouse.yaml'), 'utf8');
  const out = yaml
    .replace('endpoint: http://127.0.0.1:8000', `endpoint: ${endpoint}`)
    .replace('data_dir: ../../.data/scale-out', `data_dir: ${dataDir}`)
    .replace('public_url: http://127.0.0.1:8080', `public_url: ${frontUrl}`);
  assert.ok(out.includes(endpoint) && out.includes(dataDir) && out.includes(frontUrl),
    'examples/scale-out/gatehouse.yaml no longer has the lines this test rewrites');
  return `${out}access_log:\n  path: "off"\n`;
}

function nginxConf({ frontPort, ports }) {
  let conf = readFileSync(join(example, 'nginx.conf'), 'utf8')
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${frontPort};`)
    .replace('access_log access.log;', 'access_log off;');
  ports.forEach((p, i) => { conf = conf.replace(`server 127.0.0.1:${8081 + i} `, `server 127.0.0.1:${p} `); });
  for (const p of ports) assert.ok(conf.includes(`127.0.0.1:${p} `), 'nginx.conf no longer lists 8081..8083');
  return conf;
}

const request = (url, method, path, token, body) => sendJson({ url }, token, method, path, body);

async function tokenFrom(url) {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'blog-demo', client_secret: DEMO_SECRET, audience: 'https://blog-api',
      grant_type: 'client_credentials' }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).access_token;
}

// What a request that got no answer from an instance may end as: nginx's 502 when the instance
// died with the request, or 504 when it did not answer in time. Anything else is a failure.
const LOST_IN_A_KILL = new Set([502, 504]);

describe('three instances behind nginx on one remote table', () => {
  let remote;
  let nginx;
  let front;
  let root;
  const instances = [];  // { port, dir, gw }
  let yaml;

  const startInstance = async (i) => {
    const inst = instances[i];
    inst.gw = await startGateway(yaml, { dir: inst.dir, keepDir: true, env, deadlineMs: 20000,
      args: ['--port', String(inst.port ?? 0), '--admin-port', '0'] });
    inst.port = inst.gw.port;
  };

  before(async () => {
    remote = await startDynamo();
    root = tempDir();
    const frontPort = await freePort();
    front = `http://127.0.0.1:${frontPort}`;
    yaml = instanceYaml({ endpoint: remote.dynamodbUrl, dataDir: join(root, 'shared'), frontUrl: front });
    for (let i = 0; i < 3; i++) {
      instances.push({ dir: join(root, `instance${i}`) });
      mkdirSync(instances[i].dir);
      await startInstance(i);
    }
    nginx = await startNginx(join(root, 'nginx'), nginxConf({ frontPort, ports: instances.map((x) => x.port) }));
    await waitFor(async () => {
      try { return (await fetch(`${front}/.well-known/jwks.json`)).status === 200; } catch { return false; }
    }, { timeoutMs: 10000, message: 'nginx did not start' });
  });

  after(async () => {
    if (nginx) await nginx.stop();
    for (const inst of instances) if (inst.gw) await inst.gw.stop();
    if (remote) await remote.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a token issued by any instance is accepted by every instance', async () => {
    for (const from of instances) {
      const token = await tokenFrom(from.gw.url);
      for (const to of instances) {
        const r = await request(to.gw.url, 'GET', '/resource?limit=1', token);
        assert.equal(r.status, 200, `token from :${from.port} on :${to.port}: ${r.text}`);
      }
    }
    // The discovery document points at the load balancer, whichever instance answers it.
    const discovery = await (await fetch(`${instances[1].gw.url}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.jwks_uri, `${front}/.well-known/jwks.json`);
  });

  it('under load with instances killed and restarted, every acknowledged write is everywhere, once', async (t) => {
    const token = await tokenFrom(front);
    const items = new Map();  // id -> { possible: Set of v, deleted: bool, maybeDeleted: bool, marker }
    const maybeCreated = [];  // markers of creates with no answer
    const problems = [];
    let stop = false;
    let kills = 0;
    let lost = 0;

    const worker = async (w) => {
      const own = [];
      for (let seq = 0; !stop; seq++) {
        const marker = `${w}-${seq}`;
        const pick = own.length ? own[Math.floor(Math.random() * own.length)] : undefined;
        const dice = pick ? Math.random() : 0;
        try {
          if (dice < 0.45) {
            const r = await request(front, 'POST', '/resource', token, { marker, v: 0 });
            if (r.status === 201) {
              items.set(r.json.id, { possible: new Set([0]), deleted: false, maybeDeleted: false, marker });
              own.push(r.json.id);
            } else if (LOST_IN_A_KILL.has(r.status)) {
              maybeCreated.push(marker);
              lost++;
            } else {
              problems.push(`POST ${marker}: ${r.status} ${r.text}`);
            }
          } else if (dice < 0.7) {
            const it = items.get(pick);
            const r = await request(front, 'PUT', `/resource/${pick}`, token, { marker: it.marker, v: seq });
            if (r.status === 200) it.possible = new Set([seq]);
            else if (LOST_IN_A_KILL.has(r.status)) { it.possible.add(seq); lost++; }
            else if (!(r.status === 404 && (it.deleted || it.maybeDeleted))) problems.push(`PUT ${pick}: ${r.status} ${r.text}`);
          } else if (dice < 0.92) {
            // Read-your-writes across instances: the read may reach another instance than the write.
            const it = items.get(pick);
            const r = await request(front, 'GET', `/resource/${pick}`, token);
            if (r.status === 200) {
              if (it.deleted) problems.push(`GET ${pick}: 200 after an acknowledged DELETE`);
              else if (!it.possible.has(r.json.v)) problems.push(`GET ${pick}: v ${r.json.v}, expected one of ${[...it.possible]}`);
            } else if (r.status === 404) {
              if (!it.deleted && !it.maybeDeleted) problems.push(`GET ${pick}: 404 for an acknowledged item`);
            } else if (LOST_IN_A_KILL.has(r.status)) {
              lost++;
            } else {
              problems.push(`GET ${pick}: ${r.status} ${r.text}`);
            }
          } else {
            const it = items.get(pick);
            const r = await request(front, 'DELETE', `/resource/${pick}`, token);
            // A 404 is this DELETE's own effect too: nginx sends a DELETE again to another
            // instance when the first died with it (DELETE is idempotent to nginx), and only this
            // worker touches its items. Either way the item is gone.
            if (r.status === 204 || r.status === 404) { it.deleted = true; own.splice(own.indexOf(pick), 1); }
            else if (LOST_IN_A_KILL.has(r.status)) { it.maybeDeleted = true; lost++; }
            else problems.push(`DELETE ${pick}: ${r.status} ${r.text}`);
          }
        } catch (err) {
          problems.push(`${marker}: ${err.cause?.code ?? err.message}`);
        }
      }
    };

    const killer = async () => {
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      while (!stop) {
        await sleep(KILL_MS);
        if (stop) break;
        const i = Math.floor(Math.random() * instances.length);
        await instances[i].gw.kill('SIGKILL');
        kills++;
        await sleep(DOWN_MS);
        await startInstance(i);
      }
    };

    const timer = new Promise((r) => setTimeout(() => { stop = true; r(); }, LOAD_MS));
    await Promise.all([timer, killer(), ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);

    assert.deepEqual(problems, []);
    assert.ok(kills >= 2, `only ${kills} kills happened`);
    const acked = [...items.entries()];
    assert.ok(acked.length >= 50, `only ${acked.length} creates were acknowledged`);

    // Every instance serves every acknowledged write as acknowledged (or as a later write that got
    // no answer), and nothing deleted.
    for (const inst of instances) {
      for (const [id, it] of acked) {
        const r = await request(inst.gw.url, 'GET', `/resource/${id}`, token);
        if (it.deleted) {
          assert.equal(r.status, 404, `:${inst.port} ${id} was deleted: ${r.text}`);
        } else if (r.status === 404) {
          assert.ok(it.maybeDeleted, `:${inst.port} lost acknowledged item ${id}`);
        } else {
          assert.equal(r.status, 200, r.text);
          assert.ok(it.possible.has(r.json.v), `:${inst.port} ${id}: v ${r.json.v}, expected one of ${[...it.possible]}`);
          assert.equal(r.json.marker, it.marker);
        }
      }
      // A full listing from this instance: each item once, each create once, nothing unknown.
      const seenIds = new Set();
      const seenMarkers = new Set();
      let next;
      do {
        const r = await request(inst.gw.url, 'GET', `/resource?limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`, token);
        assert.equal(r.status, 200, r.text);
        for (const item of r.json.items) {
          assert.ok(!seenIds.has(item.id), `:${inst.port} listed ${item.id} twice`);
          seenIds.add(item.id);
          assert.ok(!seenMarkers.has(item.marker), `:${inst.port}: create ${item.marker} was made twice`);
          seenMarkers.add(item.marker);
          assert.ok(items.has(item.id) || maybeCreated.includes(item.marker),
            `:${inst.port} listed ${item.id} (${item.marker}), which no create made`);
        }
        next = r.json.next;
      } while (next);
      for (const [id, it] of acked) {
        if (!it.deleted && !it.maybeDeleted) assert.ok(seenIds.has(id), `:${inst.port} does not list ${id}`);
      }
    }
    t.diagnostic(`${acked.length} creates acknowledged, ${kills} kills, ${lost} requests lost in a kill`);
  });
});
