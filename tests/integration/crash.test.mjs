// Crash safety: every item the gateway acknowledged with 201 survives a SIGKILL in the middle of a concurrent write load, byte for byte, over three kill/restart cycles on the same data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startGateway, blogYaml, blogEnv, issuerToken, tempDir, DEMO_CLIENT, loadUntilKilled } from './harness.mjs';

// JSON text with every object's members in name order, as the store keeps an item's attributes.
function sortedJson(value) {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const CYCLES = 3;
const WORKERS = 32;
const TARGET_ACKS = 1500; // kill once this many writes of the cycle were acknowledged...
const LOAD_MS = 2000; // ...or once this long has passed,
const MIN_ACKS = 100; // but not before this many, so every cycle kills a loaded gateway.
const VERIFY_CONCURRENCY = 32;
const PRINCIPAL = `${DEMO_CLIENT}@clients`;

const payloadKey = (p) => `${p.cycle}/${p.worker}/${p.seq}`;

// The attribute part of an item's text (what was stored), without the metadata.
function attributesText(itemText) {
  const i = itemText.lastIndexOf(',"createdBy":');
  return i < 0 ? null : `${itemText.slice(0, i)}}`;
}

// Runs WORKERS loops of POST /resource against `gw` over keep-alive connections and SIGKILLs the
// gateway while they run. Returns every write answered 201 with a complete body, and anything
// unexpected seen before the kill.
function loadAndKill(gw, token, cycle, sent) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return loadUntilKilled(gw, { workers: WORKERS, targetAcks: TARGET_ACKS, minAcks: MIN_ACKS, loadMs: LOAD_MS },
    async (w, seq) => {
      const payload = { cycle, worker: w, seq, text: `c${cycle} w${w} s${seq}: Zoë ✓ 🦊 "q" \\ \t`,
        nested: { list: [cycle, w, seq, { even: seq % 2 === 0, none: null }], pad: 'x'.repeat(seq % 64) } };
      // Items come back as DynamoDB items: members by name, at every level.
      const stored = sortedJson(payload);
      sent.set(payloadKey(payload), stored);
      const res = await fetch(`${gw.url}/resource`, { method: 'POST', headers, body: JSON.stringify(payload) });
      const text = await res.text();
      // A complete 201 is an acknowledgement, also when it arrives just after the kill.
      if (res.status === 201) return { ack: { id: JSON.parse(text).id, text, stored } };
      return { problem: `${res.status} ${text}` };
    });
}

// Runs fn over items with at most `n` at a time.
async function forEachConcurrently(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

// Checks that every acknowledged item is stored byte-identically, and that the list holds each
// of them plus only whole items that some worker sent (writes in flight at a kill may land).
async function verify(gw, token, acked, sent) {
  const headers = { authorization: `Bearer ${token}` };
  const missing = [];
  const different = [];
  await forEachConcurrently([...acked.values()], VERIFY_CONCURRENCY, async (ack) => {
    const res = await fetch(`${gw.url}/resource/${ack.id}`, { headers });
    const text = await res.text();
    if (res.status !== 200) missing.push(`${ack.id}: ${res.status} ${text}`);
    else if (text !== ack.text) different.push(`${ack.id}: acknowledged ${ack.text}, stored ${text}`);
  });
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged items are missing`);
  assert.deepEqual(different.slice(0, 5), [], `${different.length} acknowledged items changed`);

  const listed = [];
  let next;
  do {
    const res = await fetch(`${gw.url}/resource?limit=1000${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      { headers });
    assert.equal(res.status, 200);
    const page = await res.json();
    listed.push(...page.items);
    next = page.next;
  } while (next !== undefined);
  assert.ok(listed.length >= acked.size, `the list has ${listed.length} items, ${acked.size} were acknowledged`);
  const ids = new Set(listed.map((i) => i.id));
  assert.equal(ids.size, listed.length, 'no item is listed twice');
  const payloads = new Set();
  for (const item of listed) {
    const ack = acked.get(item.id);
    if (ack) assert.deepEqual(item, JSON.parse(ack.text));
    const { id, createdBy, createdAt, updatedAt, ...attributes } = item;
    assert.equal(createdBy, PRINCIPAL);
    const key = payloadKey(attributes);
    assert.equal(sent.get(key), JSON.stringify(attributes), `item ${id} is something a worker sent`);
    assert.ok(!payloads.has(key), `payload ${key} is stored once`);
    payloads.add(key);
  }
  for (const id of acked.keys()) assert.ok(ids.has(id), `${id} is listed`);
  return listed.length;
}

test('acknowledged writes survive SIGKILL under concurrent load, three times over', { timeout: 180000 },
  async (t) => {
    const dir = tempDir();
    const yaml = blogYaml();
    const acked = new Map(); // id -> { id, text, body } of every 201 over all cycles
    const sent = new Map(); // cycle/worker/seq -> the JSON body sent
    let previousToken;
    let gw;
    try {
      for (let cycle = 0; cycle <= CYCLES; cycle++) {
        gw = await startGateway(yaml, { dir, env: blogEnv, keepDir: true });
        if (previousToken) {
          // The signing key outlived the crash too: the last cycle's token still works.
          const res = await fetch(`${gw.url}/resource?limit=1`,
            { headers: { authorization: `Bearer ${previousToken}` } });
          assert.equal(res.status, 200);
        }
        const token = await issuerToken(gw);
        previousToken = token;
        const listed = await verify(gw, token, acked, sent);
        t.diagnostic(`start ${cycle}: ${acked.size} acknowledged items present, ${listed} listed`);
        if (cycle === CYCLES) {
          const { code } = await gw.stop();
          assert.equal(code, 0, 'the last start ends gracefully');
          break;
        }

        const { acks, problems, exit } = await loadAndKill(gw, token, cycle, sent);
        assert.deepEqual(problems.slice(0, 5), [], `${problems.length} writes failed before the kill`);
        assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
        assert.ok(acks.length >= MIN_ACKS, `cycle ${cycle}: only ${acks.length} acknowledged writes`);
        for (const ack of acks) {
          // What was acknowledged is what was sent: the id first, then the attributes by name.
          assert.equal(attributesText(ack.text), `{"id":"${ack.id}",${ack.stored.slice(1)}`);
          assert.ok(!acked.has(ack.id), `id ${ack.id} was handed out twice`);
          acked.set(ack.id, ack);
        }
      }
    } finally {
      if (gw) await gw.kill(); // a no-op unless an assertion left it running
      rmSync(dir, { recursive: true, force: true });
    }
  });
