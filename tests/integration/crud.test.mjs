// The crud integration over real SQLite files: every error answer, pagination, replace and delete semantics, byte-exact round trips, owner_only with two clients, data that outlives a restart, and a database that is read-only or locked by another process.
// The backend-independent part runs three times: on the embedded store, and with every table on a
// remote DynamoDB (backend: dynamodb) played by another gatehouse's DynamoDB listener and by
// dynalite, so a table moved to a remote answers its clients as it did before.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, blogYaml, blogEnv, issuerToken, curl, waitFor, tempDir, DEMO_CLIENT,
  DEMO_SECRET } from './harness.mjs';
import { startDynamo, startDynalite } from './dynamodb_fixture.mjs';

const PRINCIPAL = `${DEMO_CLIENT}@clients`;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JSON_TYPE = { 'content-type': 'application/json' };

// A client bound to one gateway and token: request(method, path, body, headers) → status,
// headers, text and parsed json.
function client(gw, token) {
  return async (method, path, body, headers = JSON_TYPE) => {
    const res = await fetch(gw.url + path, { method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : headers) },
      body });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  };
}

function assertGatewayError(r, status, message, errorType) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.deepEqual(Object.keys(r.json), ['message']);
  if (message instanceof RegExp) assert.match(r.json.message, message);
  else assert.equal(r.json.message, message);
  if (errorType) assert.equal(r.headers.get('x-amzn-errortype'), errorType);
}

// The attribute part of an item's text: what the service stored, without the metadata.
function attributesText(itemText) {
  const i = itemText.lastIndexOf(',"createdBy":');
  assert.ok(i > 0, itemText);
  return `${itemText.slice(0, i)}}`;
}

const REMOTE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDCRUDSUITE', AWS_SECRET_ACCESS_KEY: 'crud-suite-secret' };

// Where the suite's tables live. start() starts a fresh remote (so no describe sees another's
// items) and gives `table(name)`, the YAML lines that put one table there under the remote name
// `name`, and the environment gatehouse needs for it. `keyOrder`: lists come out in key order,
// which for generated ids (UUIDv7) is creation order.
const remoteTable = (endpoint) => (name) =>
  `    backend: dynamodb\n    region: us-east-1\n    endpoint: ${endpoint}\n    create: true\n    table: ${name}\n`;
const BACKENDS = [
  {
    name: 'embedded',
    keyOrder: true,
    start: async () => ({ table: () => '', env: {}, stop: async () => {} }),
  },
  {
    // gatehouse's own Scan walks a table in key order, as the embedded store lists it.
    name: 'remote gatehouse',
    keyOrder: true,
    start: async () => {
      const remote = await startDynamo();
      return { table: remoteTable(remote.dynamodbUrl), env: REMOTE_CREDENTIALS, stop: () => remote.stop() };
    },
  },
  {
    // dynalite's Scan order is its own (hashed keys), and a remote list page is one Scan page in
    // the remote's order: lists there are checked for completeness and duplicates, not order.
    name: 'dynalite',
    keyOrder: false,
    start: async () => {
      const remote = await startDynalite();
      return { table: remoteTable(remote.url), env: REMOTE_CREDENTIALS, stop: () => remote.stop() };
    },
  },
];

// The users table's settings after blogYaml's `key: id`, then the suite's two other tables.
const tableExtra = (table) => `    max_item_bytes: 4096
${table('users')}  small:
    max_item_bytes: 64
${table('small')}  pages:
    key: id
${table('pages')}`;
const routeExtra = `  - path: /things
    method: ANY
    integration: {type: crud, table: small}
  - path: /things/{id}
    method: ANY
    integration: {type: crud, table: small}
  - path: /pages
    methods: [GET, POST]
    integration: {type: crud, table: pages, default_limit: 7}
  - path: /pages/{id}
    method: GET
    integration: {type: crud, table: pages}
`;

// Starts `backend`'s remote and a gateway whose tables all live there; `yaml(table)` is the
// config, given the backend's table settings. Returns the gateway and a stop() for both.
async function startOn(backend, yaml, env = {}) {
  const remote = await backend.start();
  try {
    const gw = await startGateway(yaml(remote.table), { env: { ...blogEnv, ...remote.env, ...env } });
    return { gw, stop: async () => {
      try {
        return await gw.stop();
      } finally {
        await remote.stop();
      }
    } };
  } catch (err) {
    await remote.stop();
    throw err;
  }
}

const crudIntegration = (backend) => describe(`the crud integration (${backend.name})`, () => {
  let gw;
  let req;
  let stop;
  before(async () => {
    ({ gw, stop } = await startOn(backend,
      (table) => blogYaml({ tableExtra: tableExtra(table), routeExtra })));
    req = client(gw, await issuerToken(gw));
  });
  after(async () => {
    if (!stop) return;
    const { code } = await stop();
    assert.equal(code, 0);
  });

  describe('400 BAD_REQUEST_BODY', () => {
    const cases = [
      ['not JSON', '{"name":', /^the request body is not valid JSON \(.+\)$/],
      ['not JSON either', '{name: "x"}', /^the request body is not valid JSON \(.+\)$/],
      ['an empty body', '', 'the request body is empty; expected a JSON object'],
      ['only white space', ' \n ', 'the request body is empty; expected a JSON object'],
      ['an array', '[{"name":"x"}]', 'the request body must be a JSON object, got an array'],
      ['a string', '"x"', 'the request body must be a JSON object, got a string'],
      ['a number', '42', 'the request body must be a JSON object, got a number'],
      ['null', 'null', 'the request body must be a JSON object, got null'],
      ['createdBy', '{"name":"x","createdBy":"someone-else"}',
        "'createdBy' is set by the service; remove it from the body"],
      ['createdAt', '{"createdAt":"2020-01-01T00:00:00.000Z"}',
        "'createdAt' is set by the service; remove it from the body"],
      ['updatedAt', '{"updatedAt":0}', "'updatedAt' is set by the service; remove it from the body"],
      ['a numeric id', '{"id":5}', "'id' must be a string, got a number"],
      ['an empty id', '{"id":""}', 'id must not be empty'],
      ['an id with a slash', '{"id":"a/b"}', "id must not contain '/'"],
      ['an id with a control character', '{"id":"a\\u0001b"}', 'id must not contain control characters'],
      ['an id over 1024 bytes', JSON.stringify({ id: 'k'.repeat(1025) }), 'id is longer than 1024 bytes'],
    ];
    for (const [name, body, message] of cases) {
      test(`POST with ${name}`, async () => {
        assertGatewayError(await req('POST', '/resource', body), 400, message, 'BadRequestException');
      });
    }

    test('PUT refuses the same bodies and reserved attributes', async () => {
      const created = await req('POST', '/resource', '{"name":"put-target"}');
      assert.equal(created.status, 201);
      const path = `/resource/${created.json.id}`;
      for (const [body, message] of [
        ['{"name":', /^the request body is not valid JSON \(.+\)$/],
        ['[]', 'the request body must be a JSON object, got an array'],
        ['{"createdBy":"x"}', "'createdBy' is set by the service; remove it from the body"],
        ['{"createdAt":"x"}', "'createdAt' is set by the service; remove it from the body"],
        ['{"updatedAt":"x"}', "'updatedAt' is set by the service; remove it from the body"],
      ]) {
        assertGatewayError(await req('PUT', path, body), 400, message, 'BadRequestException');
      }
      const after = await req('GET', path);
      assert.equal(after.text, created.text, 'nothing changed');
    });

    test('PUT with an id other than the path\'s', async () => {
      const created = await req('POST', '/resource', '{"name":"mismatch"}');
      const r = await req('PUT', `/resource/${created.json.id}`, '{"id":"another","name":"x"}');
      assertGatewayError(r, 400,
        "the body's 'id' differs from the one in the path; leave it out or make them equal",
        'BadRequestException');
      const numeric = await req('PUT', `/resource/${created.json.id}`, '{"id":7}');
      assert.equal(numeric.status, 400);
      assert.equal((await req('GET', `/resource/${created.json.id}`)).text, created.text);
    });
  });

  describe('415 and the content types that are JSON', () => {
    test('text/plain is 415 on POST and PUT', async () => {
      const r = await req('POST', '/resource', '{"a":1}', { 'content-type': 'text/plain' });
      assertGatewayError(r, 415,
        'Unsupported Media Type: expected Content-Type: application/json, got text/plain',
        'UnsupportedMediaTypeException');
      const created = await req('POST', '/resource', '{"a":1}');
      const put = await req('PUT', `/resource/${created.json.id}`, '{"a":2}',
        { 'content-type': 'text/plain; charset=utf-8' });
      assertGatewayError(put, 415,
        'Unsupported Media Type: expected Content-Type: application/json, got text/plain');
      const xml = await req('POST', '/resource', '<a/>', { 'content-type': 'application/xml' });
      assert.equal(xml.status, 415);
    });

    test('a form body that is not a JSON object is 415', async () => {
      const r = await req('POST', '/resource', 'name=x&email=y',
        { 'content-type': 'application/x-www-form-urlencoded' });
      assertGatewayError(r, 415, 'Unsupported Media Type: expected Content-Type: application/json, '
        + 'got application/x-www-form-urlencoded');
    });

    test('curl -d with a JSON object (form content type) is read as JSON', async () => {
      const r = await curl(['-X', 'POST', `${gw.url}/resource`, '-d', '{"via":"curl -d"}',
        '-H', `Authorization: Bearer ${await issuerToken(gw)}`]);
      assert.equal(r.status, 201, r.body);
      assert.equal(JSON.parse(r.body).via, 'curl -d');
    });

    test('no content type, a charset parameter and application/*+json are JSON', async () => {
      for (const headers of [{}, { 'content-type': 'application/json; charset=utf-8' },
        { 'content-type': 'Application/JSON' }, { 'content-type': 'application/merge-patch+json' }]) {
        // A Buffer body makes fetch send no Content-Type of its own.
        const r = await req('POST', '/resource', Buffer.from('{"kind":"typed"}'), headers);
        assert.equal(r.status, 201, `${JSON.stringify(headers)}: ${r.text}`);
        assert.equal(r.json.kind, 'typed');
      }
    });
  });

  describe('413 over the table\'s max_item_bytes', () => {
    test('a body over the limit', async () => {
      const r = await req('POST', '/things', JSON.stringify({ x: 'y'.repeat(100) }));
      assertGatewayError(r, 413, 'Request Too Long: the item is 108 bytes; the limit is 64',
        'RequestTooLongException');
    });

    test('a stored item over the limit once its generated id is added', async () => {
      const r = await req('POST', '/things', JSON.stringify({ x: 'y'.repeat(40) }));
      assertGatewayError(r, 413, /the limit is 64$/, 'RequestTooLongException');
    });

    test('an item of exactly the limit is stored; PUT over it is refused', async () => {
      const body = JSON.stringify({ id: 'k', x: 'y'.repeat(47) });
      assert.equal(body.length, 64);
      const r = await req('POST', '/things', body);
      assert.equal(r.status, 201, r.text);
      assert.equal(attributesText(r.text), body);
      const put = await req('PUT', '/things/k', JSON.stringify({ x: 'y'.repeat(60) }));
      assertGatewayError(put, 413, /the limit is 64$/);
      assert.equal((await req('GET', '/things/k')).text, r.text);
    });
  });

  describe('404 and 409', () => {
    test('GET, PUT and DELETE of an id that does not exist', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const r = await req(method, '/resource/no-such-item', method === 'PUT' ? '{"a":1}' : undefined);
        assert.equal(r.status, 404, method);
        assert.equal(r.headers.get('content-type'), 'application/json');
        assert.equal(r.text, '{"message":"no item with id \'no-such-item\'"}');
      }
    });

    test('POST with a client-chosen id, then again: 201, then 409 and the first stays', async () => {
      const first = await req('POST', '/resource', '{"id":"chosen-1","v":1}');
      assert.equal(first.status, 201);
      assert.equal(first.json.id, 'chosen-1');
      assert.equal(first.headers.get('location'), '/resource/chosen-1');
      const second = await req('POST', '/resource', '{"id":"chosen-1","v":2}');
      assert.equal(second.status, 409);
      assert.equal(second.text, '{"message":"an item with id \'chosen-1\' already exists"}');
      assert.equal((await req('GET', '/resource/chosen-1')).text, first.text);
    });

    test('a chosen id that needs encoding gets an encoded Location that leads back to it', async () => {
      const id = 'a b:ü?#%';
      const r = await req('POST', '/resource', JSON.stringify({ id, v: 1 }));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('location'), '/resource/a%20b%3A%C3%BC%3F%23%25');
      const got = await req('GET', r.headers.get('location'));
      assert.equal(got.status, 200);
      assert.equal(got.text, r.text);
    });
  });

  describe('405 with Allow on ANY routes', () => {
    for (const method of ['PATCH', 'DELETE', 'PUT', 'OPTIONS']) {
      test(`${method} on a collection`, async () => {
        const r = await req(method, '/things', method === 'OPTIONS' || method === 'DELETE' ? undefined : '{}');
        assertGatewayError(r, 405, 'Method Not Allowed');
        assert.equal(r.headers.get('allow'), 'GET, POST');
      });
    }
    for (const method of ['PATCH', 'POST', 'OPTIONS']) {
      test(`${method} on an item`, async () => {
        const r = await req(method, '/things/some-id', method === 'OPTIONS' ? undefined : '{}');
        assertGatewayError(r, 405, 'Method Not Allowed');
        assert.equal(r.headers.get('allow'), 'GET, PUT, DELETE');
      });
    }
    test('HEAD gets the status and Allow without a body', async () => {
      const r = await req('HEAD', '/things');
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'GET, POST');
      assert.equal(r.text, '');
    });
    test('a route listing its methods answers others as API Gateway does (403)', async () => {
      const r = await req('PATCH', '/resource/x', '{}');
      assert.equal(r.status, 403);
      assert.equal(r.text, '{"message":"Missing Authentication Token"}');
    });
  });

  describe('400 BAD_REQUEST_PARAMETERS on lists', () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=10x',
      'limit=99999999999999999999']) {
      test(`?${q}`, async () => {
        assertGatewayError(await req('GET', `/resource?${q}`), 400,
          'limit must be an integer from 1 to 1000', 'BadRequestException');
      });
    }
    test('limit=1 and limit=1000 are fine', async () => {
      assert.equal((await req('GET', '/resource?limit=1')).status, 200);
      assert.equal((await req('GET', '/resource?limit=1000')).status, 200);
    });
    // A cursor is strict unpadded base64url of a key; anything else is refused.
    for (const cursor of ['not%20valid!', 'abc%3D', 'A', 'ab%2Fcd', '%00']) {
      test(`?next=${cursor}`, async () => {
        assertGatewayError(await req('GET', `/resource?next=${cursor}`), 400,
          'the cursor is not valid', 'BadRequestException');
      });
    }
  });

  test(`pagination: 25 items in pages of 10 come back complete${
    backend.keyOrder ? ' and in creation order' : ''}`, async () => {
    const ids = [];
    for (let i = 0; i < 25; i++) {
      const r = await req('POST', '/pages', JSON.stringify({ n: i }));
      assert.equal(r.status, 201);
      assert.match(r.json.id, UUID7);
      ids.push(r.json.id);
    }
    const pages = [];
    let next;
    do {
      const r = await req('GET', `/pages?limit=10${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      pages.push(r.json.items);
      next = r.json.next;
      assert.deepEqual(Object.keys(r.json), next === undefined ? ['items'] : ['items', 'next']);
      assert.equal(typeof (next ?? ''), 'string');
    } while (next !== undefined && pages.length < 10);
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    const listed = pages.flat();
    assert.equal(new Set(listed.map((i) => i.id)).size, listed.length, 'no item twice');
    assert.deepEqual(listed.map((i) => i.id).sort(), [...ids].sort(), 'every item exactly once');

    // Without ?limit the route's default_limit (7) applies; the order is the same as with one.
    const first = await req('GET', '/pages');
    assert.equal(first.json.items.length, 7);
    assert.deepEqual(first.json.items, listed.slice(0, 7));
    assert.equal(typeof first.json.next, 'string');

    if (!backend.keyOrder) return;  // the remote's Scan order (see BACKENDS)
    assert.deepEqual(listed.map((i) => i.n), [...Array(25).keys()],
      'items come out in the order they were created');
    assert.deepEqual(listed.map((i) => i.id), ids);
  });

  test(backend.keyOrder ? 'items created one after another list in creation order, also within one millisecond'
    : 'items created one after another are all listed, each once', async () => {
    // Each POST is answered before the next is sent, so "creation order" is unambiguous; at a
    // few hundred requests a second many of them share a millisecond.
    const ids = [];
    for (let i = 0; i < 200; i++) {
      const r = await req('POST', '/things', JSON.stringify({ i }));
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.id);
    }
    const mine = new Set(ids);
    const r = await req('GET', '/things?limit=1000');
    assert.equal(r.status, 200);
    const listed = r.json.items.filter((item) => mine.has(item.id)).map((item) => item.i);
    assert.equal(listed.length, 200);
    if (!backend.keyOrder) {
      // The remote's Scan order (see BACKENDS): every item once.
      assert.deepEqual([...listed].sort((a, b) => a - b), [...Array(200).keys()]);
      return;
    }
    const outOfOrder = listed.filter((n, k) => n !== k).length;
    assert.equal(outOfOrder, 0, `${outOfOrder} of 200 items are listed out of creation order`);
  });

  test('PUT replaces the attributes, keeps createdAt/createdBy and moves updatedAt', async () => {
    const created = await req('POST', '/resource', '{"name":"Ada","email":"ada@example.com"}');
    assert.equal(created.status, 201);
    assert.equal(created.json.createdBy, PRINCIPAL);
    assert.match(created.json.createdAt, ISO_MS);
    assert.equal(created.json.updatedAt, created.json.createdAt);
    const path = `/resource/${created.json.id}`;
    // Let the clock pass the creation millisecond, so a changed updatedAt is visible.
    await waitFor(() => Date.now() > Date.parse(created.json.createdAt) + 1);
    const put = await req('PUT', path, `{"id":"${created.json.id}","name":"Ada L."}`);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(Object.keys(put.json), ['id', 'name', 'createdBy', 'createdAt', 'updatedAt']);
    assert.equal(put.json.name, 'Ada L.');
    assert.equal(put.json.email, undefined, 'a replace, not a merge');
    assert.equal(put.json.createdBy, created.json.createdBy);
    assert.equal(put.json.createdAt, created.json.createdAt);
    assert.match(put.json.updatedAt, ISO_MS);
    assert.ok(put.json.updatedAt > created.json.updatedAt, `${put.json.updatedAt} after ${created.json.updatedAt}`);
    assert.equal((await req('GET', path)).text, put.text);
  });

  test('DELETE answers 204 without a body, then the item is gone', async () => {
    const created = await req('POST', '/resource', '{"name":"short-lived"}');
    const path = `/resource/${created.json.id}`;
    const del = await req('DELETE', path);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await req('GET', path)).status, 404);
    const again = await req('DELETE', path);
    assert.equal(again.status, 404);
    assert.equal(again.text, `{"message":"no item with id '${created.json.id}'"}`);
    const list = await req('GET', '/resource?limit=1000');
    assert.ok(!list.json.items.some((i) => i.id === created.json.id));
  });

  test('unicode and nested JSON come back byte for byte, members in name order', async () => {
    const body = '{"name":"Zoë Ægir 🦊 日本語 עברית","nested":{"list":[1,-2,{"deep":[[[]],{}],"t":true,'
      + '"f":false,"n":null}],"empty":""},"escapes":"tab\\tnl\\nquote\\"back\\\\slash\\u0001",'
      + '"big":12345678901234567890,"neg":-9007199254740993}';
    const r = await req('POST', '/resource', body);
    assert.equal(r.status, 201, r.text);
    // Items are DynamoDB items: the key first, then the attributes (and map members) by name,
    // as DynamoDB orders nothing; every value keeps its bytes, integers all their digits.
    const expected = `{"id":"${r.json.id}","big":12345678901234567890,`
      + '"escapes":"tab\\tnl\\nquote\\"back\\\\slash\\u0001","name":"Zoë Ægir 🦊 日本語 עברית",'
      + '"neg":-9007199254740993,"nested":{"empty":"","list":[1,-2,{"deep":[[[]],{}],"f":false,'
      + '"n":null,"t":true}]}}';
    assert.equal(attributesText(r.text), expected);
    const got = await req('GET', `/resource/${r.json.id}`);
    assert.equal(got.text, r.text);
    const list = await req('GET', '/resource?limit=1000');
    assert.ok(list.text.includes(r.text), 'the list holds the same bytes');
    // \u escapes arrive as the characters they stand for, and the value is unchanged.
    const escaped = await req('POST', '/resource', '{"u":"\\u00e9\\ud83e\\udd8a"}');
    assert.equal(escaped.json.u, 'é🦊');
    assert.equal(attributesText(escaped.text), `{"id":"${escaped.json.id}","u":"é🦊"}`);
    // Non-integer numbers keep their value (their spelling may change).
    const numbers = { half: 1.5, tenth: 0.1, exp: 1e21, small: 1e-100 };
    const n = await req('POST', '/resource', JSON.stringify(numbers));
    assert.equal(n.status, 201);
    for (const [k, v] of Object.entries(numbers)) assert.equal(n.json[k], v, k);
    // A number DynamoDB cannot hold is refused with its message.
    const tiny = await req('POST', '/resource', '{"tiny":5e-324}');
    assertGatewayError(tiny, 400, /^Number underflow\. Attempting to store a number with magnitude smaller than supported range/);
  });

  test('a request whose JSON nests deeper than 32 levels is refused', async () => {
    const deep = `{"a":${'['.repeat(40)}${']'.repeat(40)}}`;
    const r = await req('POST', '/resource', deep);
    assertGatewayError(r, 400, /^the request body is not valid JSON/);
  });
});

const ownerOnly = (backend) => describe(`owner_only with two clients (${backend.name})`, () => {
  const SECOND = 'second-client';
  const SECOND_SECRET = 'second-client-secret';
  let gw;
  let alice;
  let bob;
  let stop;
  before(async () => {
    ({ gw, stop } = await startOn(backend, (table) => blogYaml({ ownerOnly: true,
      tableExtra: table('users'), clientExtra: `    ${SECOND}:
      secret: {env: SECOND_SECRET}
      audiences: [https://blog-api]
` }), { SECOND_SECRET }));
    alice = client(gw, await issuerToken(gw));
    bob = client(gw, await issuerToken(gw, { clientId: SECOND, secret: SECOND_SECRET }));
  });
  after(async () => {
    if (!stop) return;
    const { code } = await stop();
    assert.equal(code, 0);
  });

  test('others\' items answer 404 and lists show only one\'s own', async () => {
    const a = await alice('POST', '/resource', '{"owner":"alice"}');
    assert.equal(a.status, 201);
    assert.equal(a.json.createdBy, PRINCIPAL);
    const b = await bob('POST', '/resource', '{"owner":"bob"}');
    assert.equal(b.status, 201);
    assert.equal(b.json.createdBy, `${SECOND}@clients`);

    const path = `/resource/${a.json.id}`;
    const missing = `{"message":"no item with id '${a.json.id}'"}`;
    for (const [method, body] of [['GET'], ['PUT', '{"owner":"bob"}'], ['DELETE']]) {
      const r = await bob(method, path, body);
      assert.equal(r.status, 404, method);
      assert.equal(r.text, missing);
    }
    assert.equal((await alice('GET', path)).text, a.text, 'untouched by the other client');

    const bobsList = await bob('GET', '/resource');
    assert.deepEqual(bobsList.json, { items: [b.json] });
    const alicesList = await alice('GET', '/resource');
    assert.deepEqual(alicesList.json, { items: [a.json] });

    const put = await alice('PUT', path, '{"owner":"alice","v":2}');
    assert.equal(put.status, 200);
    assert.equal(put.json.createdBy, PRINCIPAL);
    const del = await alice('DELETE', path);
    assert.equal(del.status, 204);
    assert.deepEqual((await alice('GET', '/resource')).json, { items: [] });
    assert.deepEqual((await bob('GET', '/resource')).json, { items: [b.json] });
  });

  test('pagination with owner_only pages through one owner\'s items only', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) {
      mine.push((await alice('POST', '/resource', JSON.stringify({ i }))).json.id);
      assert.equal((await bob('POST', '/resource', JSON.stringify({ i }))).status, 201);
    }
    const seen = [];
    let next;
    do {
      const r = await alice('GET', `/resource?limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      assert.equal(r.status, 200);
      assert.ok(r.json.items.length <= 2);
      seen.push(...r.json.items);
      next = r.json.next;
    } while (next !== undefined && seen.length < 20);
    assert.deepEqual(seen.map((i) => i.id).sort(), [...mine].sort());
    assert.ok(seen.every((i) => i.createdBy === PRINCIPAL));
  });
});

for (const backend of BACKENDS) {
  crudIntegration(backend);
  ownerOnly(backend);
}

// The store's own file from here on: these describes are about the embedded backend only.
describe('data outlives a graceful restart', () => {
  test('items written before a stop are there after a start on the same directory', async () => {
    const dir = tempDir();
    try {
      const yaml = blogYaml();
      let gw = await startGateway(yaml, { dir, env: blogEnv, keepDir: true });
      let req = client(gw, await issuerToken(gw));
      const items = [];
      for (let i = 0; i < 20; i++) {
        const r = await req('POST', '/resource', JSON.stringify({ i, text: `item ${i} ✓` }));
        assert.equal(r.status, 201);
        items.push(r);
      }
      const updated = await req('PUT', `/resource/${items[0].json.id}`, '{"i":0,"text":"changed"}');
      assert.equal(updated.status, 200);
      assert.equal((await req('DELETE', `/resource/${items[1].json.id}`)).status, 204);
      assert.equal((await gw.stop()).code, 0);

      gw = await startGateway(yaml, { dir, env: blogEnv, keepDir: true });
      req = client(gw, await issuerToken(gw));
      assert.equal((await req('GET', `/resource/${items[0].json.id}`)).text, updated.text);
      assert.equal((await req('GET', `/resource/${items[1].json.id}`)).status, 404);
      for (const item of items.slice(2)) {
        assert.equal((await req('GET', `/resource/${item.json.id}`)).text, item.text);
      }
      const list = await req('GET', '/resource?limit=1000');
      assert.equal(list.json.items.length, 19);
      assert.equal((await gw.stop()).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a database file without write permission', () => {
  // root writes to files whatever their mode, so as root the gateway runs as `nobody`.
  const asRoot = process.getuid() === 0;
  const NOBODY = 65534;

  test('serves reads; writes answer 503 database is read-only', async () => {
    const dir = tempDir();
    const spawnOptions = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    try {
      const yaml = blogYaml();
      let gw = await startGateway(yaml, { dir, env: blogEnv, keepDir: true, spawnOptions });
      let req = client(gw, await issuerToken(gw));
      const item = await req('POST', '/resource', '{"before":"chmod"}');
      assert.equal(item.status, 201);
      assert.equal((await gw.stop()).code, 0);

      chmodSync(join(dir, 'data', 'dynamodb.db'), 0o444);
      gw = await startGateway(yaml, { dir, env: blogEnv, keepDir: true, spawnOptions });
      req = client(gw, await issuerToken(gw));
      const list = await req('GET', '/resource');
      assert.equal(list.status, 200);
      assert.deepEqual(list.json, { items: [item.json] });
      assert.equal((await req('GET', `/resource/${item.json.id}`)).text, item.text);

      const unavailable = '{"message":"Service Unavailable: database is read-only"}';
      for (const [method, path, body] of [['POST', '/resource', '{"after":"chmod"}'],
        ['PUT', `/resource/${item.json.id}`, '{"after":"chmod"}'],
        ['DELETE', `/resource/${item.json.id}`]]) {
        const r = await req(method, path, body);
        assert.equal(r.status, 503, `${method}: ${r.text}`);
        assert.equal(r.text, unavailable);
      }
      assert.equal((await req('GET', `/resource/${item.json.id}`)).text, item.text);
      assert.equal((await gw.stop()).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a database locked by another process', () => {
  let sqlite3 = null;
  try {
    sqlite3 = execFileSync('sh', ['-c', 'command -v sqlite3'], { encoding: 'utf8' }).trim() || null;
  } catch { sqlite3 = null; }

  test('writes answer 503 while the lock is held, reads go on, and writes resume after',
    { skip: sqlite3 ? false : 'the sqlite3 command-line shell is not installed' }, async () => {
      const gw = await startGateway(blogYaml(), { env: blogEnv });
      const req = client(gw, await issuerToken(gw));
      const holder = spawn(sqlite3, [join(gw.dir, 'data', 'dynamodb.db')],
        { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      holder.stdout.on('data', (chunk) => { out += chunk; });
      holder.stderr.on('data', (chunk) => { out += chunk; });
      const holderExited = new Promise((r) => holder.on('exit', r));
      try {
        const before = await req('POST', '/resource', '{"before":"lock"}');
        assert.equal(before.status, 201);

        holder.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
        await waitFor(() => out.includes('locked'), { message: `sqlite3 did not take the lock: ${out}` });

        const refused = await req('POST', '/resource', '{"during":"lock"}');
        assert.equal(refused.status, 503, refused.text);
        assert.equal(refused.text, '{"message":"Service Unavailable: database is locked"}');
        const read = await req('GET', '/resource');
        assert.equal(read.status, 200);
        assert.deepEqual(read.json, { items: [before.json] });

        holder.stdin.write("COMMIT;\nSELECT 'released';\n");
        await waitFor(() => out.includes('released'), { message: `sqlite3 did not commit: ${out}` });
        const after = await req('POST', '/resource', '{"after":"lock"}');
        assert.equal(after.status, 201);
        const list = await req('GET', '/resource');
        assert.deepEqual(list.json.items.map((i) => i.id), [before.json.id, after.json.id]);
      } finally {
        holder.stdin.end();
        if (holder.exitCode === null) holder.kill('SIGTERM');
        await holderExited;
        const { code } = await gw.stop();
        assert.equal(code, 0);
      }
    });
});
