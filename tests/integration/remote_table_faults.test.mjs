// Crud tables on a remote DynamoDB that misbehaves. A scripted HTTP server in this process plays
// the remote: it keeps the table's items and serves DescribeTable, GetItem, PutItem, DeleteItem and
// Scan as DynamoDB does, unless the test's script answers an operation otherwise (an error, a late
// answer). The cases are those of the docs: an endpoint that is down at start or goes away, one that
// answers too late, throttling and 5xx answers (retried within timeout_ms), and a signature the
// remote starts refusing. Bounds here are the tests' own deadlines, never expectations of speed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { startGateway, blogYaml, blogEnv, issuerToken, accessLogFor, waitFor, tempDir, sendJson } from './harness.mjs';

const KEY_ID = 'AKIDFAULTS';
const SECRET = 'faults-secret-9f2c/never+shown';
const creds = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET };
const DDB = 'com.amazonaws.dynamodb.v20120810#';
const TIMED_OUT = '{"message": "Endpoint request timed out"}';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// What DynamoDB answers in these cases (status, __type, message).
const THROTTLED = { status: 400, type: `${DDB}ProvisionedThroughputExceededException`,
  message: 'The level of configured provisioned throughput for the table was exceeded. '
    + 'Consider increasing your provisioning level with the UpdateTable API.' };
const THROTTLING = { status: 400, type: 'com.amazon.coral.availability#ThrottlingException',
  message: 'Rate of requests exceeds the allowed throughput.' };
const INTERNAL = { status: 500, type: `${DDB}InternalServerError`, message: 'Internal server error' };
const UNAVAILABLE = { status: 503, type: 'com.amazon.coral.availability#ServiceUnavailableException',
  message: 'Service Unavailable' };
const BAD_SIGNATURE = { status: 400, type: 'com.amazon.coral.service#InvalidSignatureException',
  message: 'The request signature we calculated does not match the signature you provided. '
    + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' };
const UNKNOWN_KEY = { status: 400, type: 'com.amazon.coral.service#UnrecognizedClientException',
  message: 'The security token included in the request is invalid.' };

// The conditions gatehouse's crud calls use: `attribute_exists(#n)`, `attribute_not_exists(#n)`
// and `#n = :v`, joined by AND.
function conditionHolds(item, body) {
  if (!body.ConditionExpression) return true;
  const names = body.ExpressionAttributeNames ?? {};
  const values = body.ExpressionAttributeValues ?? {};
  return body.ConditionExpression.split(' AND ').every((part) => {
    let m = /^attribute_(not_)?exists\((#\w+)\)$/.exec(part.trim());
    if (m) return (item?.[names[m[2]]] !== undefined) === !m[1];
    m = /^(#\w+) = (:\w+)$/.exec(part.trim());
    if (m) return item?.[names[m[1]]] !== undefined && JSON.stringify(item[names[m[1]]]) === JSON.stringify(values[m[2]]);
    throw new Error(`the scripted remote does not know the condition ${part}`);
  });
}

// The scripted remote. `items` is the table (id → DynamoDB item); `seen` lists every request as
// {op, body, authorization}; `script(op, body)` may return an error answer ({status, type, message}),
// {delayMs} (carried out, then answered that late), {carriedOut: error} (carried out, then
// answered with the error, as a 5xx may be), or nothing to serve the request at once.
// Writes happen when the answer goes out, as a late DynamoDB answer's write does.
async function startScripted(port = 0) {
  const remote = { items: new Map(), seen: [], script: () => undefined, sockets: new Set() };
  const answer = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': `req-${remote.seen.length}`, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const serve = (op, body) => {
    const key = body.Key?.id?.S ?? body.Item?.id?.S;
    const old = remote.items.get(key);
    switch (op) {
      case 'DescribeTable':
        return [200, { Table: { TableName: body.TableName, TableStatus: 'ACTIVE',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          ItemCount: remote.items.size, BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } } }];
      case 'GetItem':
        return [200, old ? { Item: old } : {}];
      case 'PutItem':
      case 'DeleteItem':
        if (!conditionHolds(old, body)) {
          return [400, { __type: `${DDB}ConditionalCheckFailedException`, message: 'The conditional request failed' }];
        }
        if (op === 'PutItem') remote.items.set(key, body.Item);
        else remote.items.delete(key);
        return [200, {}];
      case 'Scan': {
        const keys = [...remote.items.keys()].sort();
        const from = body.ExclusiveStartKey ? keys.findIndex((k) => k > body.ExclusiveStartKey.id.S) : 0;
        const page = (from < 0 ? [] : keys.slice(from, from + (body.Limit ?? 1e9)));
        const out = { Items: page.map((k) => remote.items.get(k)).filter((i) => conditionHolds(i,
          { ...body, ConditionExpression: body.FilterExpression })) };
        out.Count = out.Items.length;
        out.ScannedCount = page.length;
        if (body.Limit && page.length === body.Limit) out.LastEvaluatedKey = { id: { S: page.at(-1) } };
        return [200, out];
      }
      default:
        return [400, { __type: 'com.amazon.coral.service#UnknownOperationException' }];
    }
  };
  remote.server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', async () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace('DynamoDB_20120810.', '');
      const body = JSON.parse(text || '{}');
      remote.seen.push({ op, body, authorization: req.headers.authorization });
      const scripted = remote.script(op, body);
      if (scripted?.delayMs) await sleep(scripted.delayMs);
      if (scripted?.status) return answer(res, scripted.status, { __type: scripted.type, message: scripted.message });
      const [status, out] = serve(op, body);
      if (scripted?.carriedOut) {
        const e = scripted.carriedOut;
        return answer(res, e.status, { __type: e.type, message: e.message });
      }
      answer(res, status, out);
    });
  });
  remote.server.on('connection', (s) => {
    remote.sockets.add(s);
    s.on('close', () => remote.sockets.delete(s));
  });
  // Stops listening and drops every connection, kept-alive ones too: the endpoint is gone.
  remote.close = () => new Promise((r) => {
    remote.server.close(() => r());
    for (const s of remote.sockets) s.destroy();
  });
  remote.listen = (p) => new Promise((r, reject) => {
    remote.server.once('error', reject);
    remote.server.listen(p, '127.0.0.1', () => {
      remote.port = remote.server.address().port;
      remote.url = `http://127.0.0.1:${remote.port}`;
      r();
    });
  });
  await remote.listen(port);
  // Requests of one operation seen since `from` (an index into `seen`).
  remote.count = (op, from = 0) => remote.seen.slice(from).filter((s) => s.op === op).length;
  return remote;
}

// A gateway with the users table on `url`; its access log goes to stdout (gw.accessLog).
function gatewayOn(url, timeoutMs, dir = tempDir()) {
  const yaml = blogYaml({ tableExtra: `    backend: dynamodb\n    region: us-east-1\n    endpoint: ${url}\n`
    + `    timeout_ms: ${timeoutMs}\n` }).replace('access_log:\n  path: "off"', 'access_log:\n  path: "-"');
  return startGateway(yaml, { dir, env: { ...blogEnv, ...creds }, deadlineMs: 20000 });
}

const client = (gw, token) => (method, path, body) => sendJson(gw, token, method, path, body);

// Neither the answer nor anything gatehouse printed holds the secret.
function assertNoSecret(gw, ...answers) {
  for (const a of answers) assert.ok(!a.text.includes(SECRET), `the secret in an answer: ${a.text}`);
  assert.ok(!gw.stdout.includes(SECRET), 'the secret on stdout');
  assert.ok(!gw.stderr.includes(SECRET), 'the secret on stderr');
}

// A gateway on a fresh scripted remote for the enclosing describe, handed to `use` with a client
// holding a token once started; both stopped after the describe.
function onScriptedRemote(timeoutMs, use) {
  let remote;
  let gw;
  before(async () => {
    remote = await startScripted();
    gw = await gatewayOn(remote.url, timeoutMs);
    use(remote, gw, client(gw, await issuerToken(gw)));
  });
  after(async () => {
    if (gw) await gw.stop();
    if (remote) await remote.close();
  });
}

describe('a remote endpoint that is down', () => {
  it('at start: gatehouse does not start, and says which endpoint it could not reach', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${probe.address().port}`;
    await new Promise((r) => probe.close(r));
    // A start that fails leaves its directory: this test removes it.
    const dir = tempDir();
    try {
      await assert.rejects(gatewayOn(url, 300, dir), (e) => {
        assert.match(e.message, /gatehouse exited with [1-9]/);
        assert.ok(e.message.includes(`cannot use the remote table 'users' at ${url}: cannot connect to ${url}`), e.message);
        assert.ok(!e.message.includes(SECRET));
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mid-run: 503 while it is gone, and the table works again once it is back on its port', async () => {
    const remote = await startScripted();
    const gw = await gatewayOn(remote.url, 400);
    try {
      const req = client(gw, await issuerToken(gw));
      const before = await req('POST', '/resource', { when: 'before' });
      assert.equal(before.status, 201, before.text);

      await remote.close();
      const down = await Promise.all([req('GET', `/resource/${before.json.id}`),
        req('POST', '/resource', { when: 'down' }), req('GET', '/resource')]);
      for (const r of down) {
        assert.equal(r.status, 503, r.text);
        assert.match(r.json.message, new RegExp(`^Service Unavailable: cannot connect to ${remote.url}`));
      }
      assertNoSecret(gw, ...down);

      await remote.listen(remote.port);
      const back = await req('GET', `/resource/${before.json.id}`);
      assert.equal(back.status, 200, back.text);
      assert.equal(back.text, before.text);
      const after = await req('POST', '/resource', { when: 'after' });
      assert.equal(after.status, 201, after.text);
      // The POST refused while the endpoint was gone wrote nothing.
      const list = await req('GET', '/resource');
      assert.deepEqual(list.json.items.map((i) => i.when).sort(), ['after', 'before']);
    } finally {
      await gw.stop();
      await remote.close();
    }
  });
});

describe('a remote endpoint that answers after timeout_ms', () => {
  const TIMEOUT = 300;
  let remote;
  let gw;
  let req;
  onScriptedRemote(TIMEOUT, (r, g, q) => { remote = r; gw = g; req = q; });

  it('504 Endpoint request timed out, as API Gateway answers an integration that is late', async () => {
    assert.equal((await req('POST', '/resource', { id: 'late-read', v: 1 })).status, 201);
    remote.script = (op) => (op === 'GetItem' || op === 'Scan' ? { delayMs: TIMEOUT * 2 } : undefined);
    try {
      for (const path of ['/resource/late-read', '/resource']) {
        const r = await req('GET', path);
        assert.equal(r.status, 504, `${path}: ${r.text}`);
        assert.equal(r.text, TIMED_OUT);
        assert.equal(r.headers.get('content-type'), 'application/json');
      }
    } finally {
      remote.script = () => undefined;
    }
    // The next request is not handed the late answer of an earlier one.
    const fresh = await req('GET', '/resource/late-read');
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json.v, 1);
  });

  it('nothing is reported written that was not: a late write is 504, every 201 is on the remote', async () => {
    // Late and prompt writes alternate, so a late answer still on its way could be mistaken for
    // the next write's; each 201 must find its own item already stored.
    remote.script = (op, body) => (op === 'PutItem' && body.Item.late?.BOOL ? { delayMs: TIMEOUT * 2 } : undefined);
    const answers = [];
    try {
      for (let i = 0; i < 6; i++) {
        const late = i % 2 === 0;
        const r = await req('POST', '/resource', { n: i, late });
        if (r.status === 201) {
          const stored = remote.items.get(r.json.id);
          assert.ok(stored, `201 for ${r.json.id} (n ${i}), which the remote does not hold`);
          assert.deepEqual(stored.n, { N: String(i) }, `201 for n ${i} is another write's`);
          assert.equal(r.json.n, i);
        }
        answers.push({ late, r });
      }
      for (const { late, r } of answers) {
        if (late) {
          assert.equal(r.status, 504, r.text);
          assert.equal(r.text, TIMED_OUT);
        } else {
          assert.equal(r.status, 201, r.text);
        }
      }
      // The late writes land after their 504s ("a write that timed out may have happened");
      // once they did, everything on the remote is one of the writes sent, and nothing else.
      await waitFor(() => [...remote.items.values()].filter((i) => i.late?.BOOL).length === 3,
        { timeoutMs: 5000, message: 'the late writes did not land' });
    } finally {
      remote.script = () => undefined;
    }
    const list = await req('GET', '/resource?limit=1000');
    assert.equal(list.status, 200, list.text);
    const ns = list.json.items.filter((i) => typeof i.n === 'number').map((i) => i.n).sort();
    assert.deepEqual(ns, [0, 1, 2, 3, 4, 5]);
  });
});

describe('throttling, 5xx and refused signatures from the remote', () => {
  const TIMEOUT = 400;
  let remote;
  let gw;
  let req;
  onScriptedRemote(TIMEOUT, (r, g, q) => { remote = r; gw = g; req = q; });
  // Answers `op` with `error` the first `times` times (Infinity: always), then serves it.
  const failFirst = (op, error, times) => {
    let left = times;
    remote.script = (o) => (o === op && left-- > 0 ? error : undefined);
  };
  const serveAll = () => { remote.script = () => undefined; };

  for (const [name, error] of [['ProvisionedThroughputExceededException', THROTTLED],
    ['ThrottlingException', THROTTLING], ['500 InternalServerError', INTERNAL], ['503 ServiceUnavailable', UNAVAILABLE]]) {
    it(`${name} a few times, then success: the request succeeds, sent again each time`, async () => {
      const from = remote.seen.length;
      try {
        failFirst('PutItem', error, 2);
        const created = await req('POST', '/resource', { after: name });
        assert.equal(created.status, 201, created.text);
        assert.equal(remote.count('PutItem', from), 3, 'two refused sends and the one that went through');
        assert.deepEqual(remote.items.get(created.json.id).after, { S: name });

        failFirst('GetItem', error, 2);
        const got = await req('GET', `/resource/${created.json.id}`);
        assert.equal(got.status, 200, got.text);
        assert.equal(got.text, created.text);
        assert.equal(remote.count('GetItem', from), 3);
      } finally {
        serveAll();
      }
    });
  }

  for (const [name, error, message] of [
    ['throttling', THROTTLED, 'Service Unavailable: the DynamoDB endpoint is throttling: ProvisionedThroughputExceededException'],
    ['500 InternalServerError', INTERNAL,
      'Service Unavailable: the DynamoDB endpoint answered 500 InternalServerError: Internal server error']]) {
    it(`${name} that goes on: 503 within timeout_ms, after a bounded number of sends`, async () => {
      const from = remote.seen.length;
      try {
        failFirst('GetItem', error, Infinity);
        const r = await req('GET', '/resource/anything');
        assert.equal(r.status, 503, r.text);
        assert.equal(r.text, JSON.stringify({ message }));
        const sends = remote.count('GetItem', from);
        assert.ok(sends >= 2 && sends <= 10, `${sends} sends`);
        // Once the client has its answer, gatehouse sends no more.
        await sleep(300);
        assert.equal(remote.count('GetItem', from), sends, 'sends after the answer');
        assertNoSecret(gw, r);
      } finally {
        serveAll();
      }
    });
  }

  // A 5xx does not say the request was not carried out: sent again, a conditional write finds
  // its own earlier effect. The client must not be told the opposite of what happened.
  it('a create the remote carried out but answered 500 is a 201 for the id gatehouse chose', async () => {
      let left = 1;
      remote.script = (op) => (op === 'PutItem' && left-- > 0 ? { carriedOut: INTERNAL } : undefined);
      let r;
      try {
        r = await req('POST', '/resource', { carried: 'out' });
      } finally {
        serveAll();
      }
      const stored = [...remote.items.values()].filter((i) => i.carried?.S === 'out');
      assert.equal(stored.length, 1);
      // The resend fails its attribute_not_exists condition; the item there is the one written.
      assert.equal(r.status, 201, `${r.text}; the remote holds ${stored[0].id.S}`);
      assert.equal(r.json.id, stored[0].id.S);
    });

  it('a delete the remote carried out but answered 500 is a 204', async () => {
      const created = await req('POST', '/resource', { doomed: true });
      assert.equal(created.status, 201, created.text);
      let left = 1;
      remote.script = (op) => (op === 'DeleteItem' && left-- > 0 ? { carriedOut: INTERNAL } : undefined);
      let r;
      try {
        r = await req('DELETE', `/resource/${created.json.id}`);
      } finally {
        serveAll();
      }
      assert.equal(remote.items.has(created.json.id), false);
      assert.equal(r.status, 204, r.text);
    });

  // One refused request: its answer and its access log line.
  const refusedRead = async (error) => {
    const from = remote.seen.length;
    failFirst('GetItem', error, Infinity);
    let r;
    try {
      r = await req('GET', '/resource/anything');
    } finally {
      serveAll();
    }
    return { r, sends: remote.count('GetItem', from),
      line: await accessLogFor(gw, r.headers.get('x-amzn-requestid')) };
  };

  for (const [name, error] of [['InvalidSignatureException', BAD_SIGNATURE], ['UnrecognizedClientException', UNKNOWN_KEY]]) {
    it(`a signature the remote starts refusing (${name}): 500, not sent again, never the secret`, async () => {
      const { r, sends, line } = await refusedRead(error);
      assert.equal(r.status, 500, r.text);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.equal(sends, 1, 'a refused signature is not sent again');
      assert.match(remote.seen.at(-1).authorization,
        new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY_ID}/\\d{8}/us-east-1/dynamodb/aws4_request, `));
      assert.equal(line.status, 500);
      assertNoSecret(gw, r);
      // The table still works for requests the remote accepts.
      assert.equal((await req('GET', '/resource/anything')).status, 404);
    });

    // "A refused signature answers 500, and the log says why, never with the secret": the client
    // gets API Gateway's answer, not the remote's words.
    it(`a signature the remote starts refusing (${name}): the log says why, the client does not`, async () => {
      const { r, line } = await refusedRead(error);
      assert.equal(r.text, JSON.stringify({ message: 'Internal server error' }));
      assert.ok(`${gw.stdout}${gw.stderr}`.includes(name),
        `the log does not name ${name}; the access log line: ${JSON.stringify(line)}`);
      assertNoSecret(gw, r);
    });
  }
});
