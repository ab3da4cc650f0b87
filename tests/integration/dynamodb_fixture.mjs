// Shared pieces of the DynamoDB API tests: a config with the DynamoDB listener, raw JSON 1.0
// requests (so status, headers and bodies can be checked byte for byte), error assertions with
// DynamoDB's namespaces, SigV4 signing by the SDK's own signer, and SDK clients bound to a gateway.
// Expected texts in the tests come from what real DynamoDB answers, not from gatehouse.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { startGateway } from './harness.mjs';

const require = createRequire(import.meta.url);

// The hash interface the SDK's signer takes (a key makes it an HMAC).
class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', Buffer.from(secret)) : createHash('sha256'); }
  update(data) { this.h.update(typeof data === 'string' ? Buffer.from(data) : data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

export const REGION = 'us-east-1';
export const TARGET_PREFIX = 'DynamoDB_20120810.';
export const JSON_10 = 'application/x-amz-json-1.0';

// DynamoDB's error namespaces.
const SERVICE = 'com.amazon.coral.service#';
const VALIDATE = 'com.amazon.coral.validate#';
const DDB = 'com.amazonaws.dynamodb.v20120810#';
const NAMESPACE = {
  SerializationException: SERVICE,
  UnknownOperationException: SERVICE,
  MissingAuthenticationTokenException: SERVICE,
  IncompleteSignatureException: SERVICE,
  InvalidSignatureException: SERVICE,
  UnrecognizedClientException: SERVICE,
  AccessDeniedException: SERVICE,
  ValidationException: VALIDATE,
};
export function errorType(name) {
  return (NAMESPACE[name] ?? DDB) + name;
}

// CRC32 of a body, as the x-amz-crc32 header carries it (unsigned decimal).
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32(bytes) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf);
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A config whose only purpose is the DynamoDB listener; `credentials` turns on signature checks.
export function ddbYaml({ credentials } = {}) {
  const creds = credentials
    ? `\n  credentials: {access_key_id: ${credentials.accessKeyId}, secret_access_key: {env: ${credentials.secretEnv}}}`
    : '';
  return `api: {name: t, listen: 127.0.0.1:0}
admin: {listen: 127.0.0.1:0}
data_dir: data
dynamodb:
  listen: 127.0.0.1:0${creds}
access_log:
  path: "off"
routes:
  - {path: /, method: GET, auth: none, integration: {type: mock}}
`;
}

export function startDynamo(opts = {}) {
  return startGateway(ddbYaml(opts), { env: opts.env ?? {}, deadlineMs: 20000 });
}

// Starts dynalite (an independent DynamoDB emulator) in-process on an ephemeral port.
export async function startDynalite() {
  const dynalite = require('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stop: () => new Promise((r) => server.close(() => r())) };
}

export function amzDate(d = new Date()) {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// A well-formed (unverified) SigV4 header set, for a listener that checks no signatures.
export function fakeAuth(keyId = 'AKIDTEST') {
  const date = amzDate();
  return {
    'x-amz-date': date,
    authorization: `AWS4-HMAC-SHA256 Credential=${keyId}/${date.slice(0, 8)}/${REGION}/dynamodb/aws4_request, ` +
      'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + '0'.repeat(64),
  };
}

// One HTTP exchange with the listener at `url`. `body` may be an object (sent as JSON) or a
// string; `auth: false` sends no signature; `target` is the operation (prefix added) or, with
// `rawTarget`, the header as given; `contentType: null` sends none.
export async function rawRequest(url, { method = 'POST', path = '/', op, rawTarget, body, auth = true,
  contentType = JSON_10, headers = {} } = {}) {
  const h = {};
  if (contentType !== null && method !== 'GET' && method !== 'OPTIONS') h['content-type'] = contentType;
  if (op !== undefined) h['x-amz-target'] = TARGET_PREFIX + op;
  if (rawTarget !== undefined) h['x-amz-target'] = rawTarget;
  if (auth) Object.assign(h, fakeAuth());
  Object.assign(h, headers);
  for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url + path, { method, headers: h, body: payload });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json, bytes };
}

// call(op, body) → the parsed exchange, against one listener.
export function caller(url) {
  return (op, body = {}) => rawRequest(url, { op, body });
}

// Asserts a 400 error answer of `name` with exactly `message` (string or RegExp). `message:
// undefined` checks the type only.
export function assertError(r, name, message) {
  assert.equal(r.status, name === 'InternalServerError' ? 500 : 400, `${r.status} ${r.text}`);
  assert.ok(r.json, `not JSON: ${r.text}`);
  assert.equal(r.json.__type, errorType(name), r.text);
  if (message === undefined) return;
  const got = r.json.message ?? r.json.Message;
  if (message instanceof RegExp) assert.match(got ?? '', message, r.text);
  else assert.equal(got, message, r.text);
}
export const assertValidation = (r, message) => assertError(r, 'ValidationException', message);

export function assertOk(r) {
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json && typeof r.json === 'object', r.text);
  return r.json;
}

// Optional "1 validation error detected: " envelope, for texts whose wrapping the sources leave
// open.
export function maybeEnveloped(text) {
  const esc = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(1 validation error detected: )?${esc}$`);
}

// Key schema / attribute definition helpers: keys('pk:S', 'sk:N').
export function keySchema(...specs) {
  const ks = specs.map((s, i) => ({ AttributeName: s.split(':')[0], KeyType: i === 0 ? 'HASH' : 'RANGE' }));
  const ad = specs.map((s) => ({ AttributeName: s.split(':')[0], AttributeType: s.split(':')[1] }));
  return { KeySchema: ks, AttributeDefinitions: ad };
}

// Creates a table (PAY_PER_REQUEST unless the definition says otherwise) and waits until
// DescribeTable reports it ACTIVE.
export async function createTable(call, def) {
  const body = { BillingMode: def.ProvisionedThroughput ? undefined : 'PAY_PER_REQUEST', ...def };
  assertOk(await call('CreateTable', body));
  await waitActive(call, def.TableName);
}

export async function waitActive(call, name) {
  for (let i = 0; i < 200; i++) {
    const r = await call('DescribeTable', { TableName: name });
    if (r.status === 200 && r.json.Table.TableStatus === 'ACTIVE' &&
      (r.json.Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return r.json.Table;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`table ${name} did not become ACTIVE`);
}

// SigV4 headers for a JSON 1.0 request, from the SDK's own signer (an implementation we did not
// write).
export async function signHeaders(url, { op, body = {}, accessKeyId, secretAccessKey, date = new Date() }) {
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'dynamodb', region: REGION, sha256: Sha256,
    credentials: { accessKeyId, secretAccessKey } });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port),
    path: '/', headers: { host: u.host, 'content-type': JSON_10, 'x-amz-target': TARGET_PREFIX + op },
    body: JSON.stringify(body) }, { signingDate: date });
  return signed.headers;
}

// A signed request; `sendBody` (default: the signed body) is what actually goes on the wire.
export async function signedRequest(url, { op, body = {}, sendBody = body, ...keys }) {
  const headers = await signHeaders(url, { op, body, ...keys });
  const res = await fetch(url + '/', { method: 'POST', headers, body: JSON.stringify(sendBody) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const TEST_CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };

export function v3Client(url, credentials = TEST_CREDENTIALS) {
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
  return new DynamoDBClient({ region: REGION, endpoint: url, credentials, maxAttempts: 1 });
}
