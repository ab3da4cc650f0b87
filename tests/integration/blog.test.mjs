// The seed's scenario, step by step, against the real binary: the blog API with the embedded
// issuer, the JWT authorizer trusting it, and the users table in a real SQLite file.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, blogYaml, blogEnv, curl, DEMO_CLIENT, DEMO_SECRET, BLOG_AUDIENCE,
  BLOG_ISSUER } from './harness.mjs';

describe('the seed scenario', () => {
  let gw;
  let token;
  let created;
  const user = '{"name":"Yev","email":"yev@example.com"}';

  before(async () => { gw = await startGateway(blogYaml(), { env: blogEnv }); });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  test('step 1: the table lives in a SQLite file under the data directory', () => {
    assert.ok(existsSync(join(gw.dir, 'data', 'dynamodb.db')));
  });

  test('step 2: POST without a token is 401 {"message":"Unauthorized"}', async () => {
    // Exactly the scenario's curl: no content type given, so curl sends its form default.
    const r = await curl(['-X', 'POST', `${gw.url}/resource`, '-d', user]);
    assert.equal(r.status, 401);
    assert.equal(r.body, '{"message":"Unauthorized"}');
    assert.equal(r.headers['x-amzn-errortype'], 'UnauthorizedException');
    const list = await curl([`${gw.url}/resource`, '-H', 'authorization: Bearer x.y.z']);
    assert.equal(list.status, 401, 'nothing was stored either: the handler never ran');
  });

  test('step 3: the embedded issuer grants a client_credentials token', async () => {
    const r = await curl(['-X', 'POST', `${gw.url}/oauth/token`, '-H', 'content-type: application/json',
      '-d', JSON.stringify({ client_id: DEMO_CLIENT, client_secret: DEMO_SECRET,
        audience: BLOG_AUDIENCE, grant_type: 'client_credentials' })]);
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    const body = JSON.parse(r.body);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 86400);
    assert.match(body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    token = body.access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
    assert.equal(claims.iss, BLOG_ISSUER);
    assert.equal(claims.aud, BLOG_AUDIENCE);
  });

  test('step 4: the same POST with the token is 201 with the stored item and its id', async () => {
    const r = await curl(['-X', 'POST', `${gw.url}/resource`, '-d', user,
      '-H', `Authorization: Bearer ${token}`]);
    assert.equal(r.status, 201, r.body);
    created = JSON.parse(r.body);
    assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(created.name, 'Yev');
    assert.equal(created.email, 'yev@example.com');
    assert.equal(created.createdBy, `${DEMO_CLIENT}@clients`);
    assert.match(created.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(r.headers.location, `/resource/${created.id}`);
  });

  test('step 5: GET /resource with the token lists the new user', async () => {
    const r = await curl([`${gw.url}/resource`, '-H', `Authorization: Bearer ${token}`]);
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body);
    assert.deepEqual(body.items.map((i) => i.id), [created.id]);
    assert.deepEqual(body.items[0], created);
    assert.equal(body.next, undefined);
  });

  test('the item routes: GET, PUT, DELETE, then 404', async () => {
    const auth = ['-H', `Authorization: Bearer ${token}`];
    const url = `${gw.url}/resource/${created.id}`;
    let r = await curl([url, ...auth]);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), created);

    r = await curl(['-X', 'PUT', url, ...auth, '-H', 'content-type: application/json',
      '-d', '{"name":"Yevhen","email":"yev@example.com"}']);
    assert.equal(r.status, 200, r.body);
    const updated = JSON.parse(r.body);
    assert.equal(updated.name, 'Yevhen');
    assert.equal(updated.createdAt, created.createdAt);
    assert.equal(updated.createdBy, created.createdBy);
    assert.ok(updated.updatedAt >= created.updatedAt);

    r = await curl(['-X', 'DELETE', url, ...auth]);
    assert.equal(r.status, 204);
    assert.equal(r.body, '');
    r = await curl([url, ...auth]);
    assert.equal(r.status, 404);
    assert.match(JSON.parse(r.body).message, /no item with id/);
    r = await curl(['-X', 'DELETE', url, ...auth]);
    assert.equal(r.status, 404);
  });
});
