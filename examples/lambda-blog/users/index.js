// The blog's users service as a Lambda proxy handler: the routes of gatehouse's built-in CRUD
// integration (GET|POST /resource, GET|PUT|DELETE /resource/{id}), one JSON file per item.
//
//   POST   /resource       201 the item, Location: /resource/<id>; 400 for a body that is not
//                          a JSON object
//   GET    /resource       200 {"items": [...]}, oldest first
//   GET    /resource/{id}  200 the item, or 404
//   PUT    /resource/{id}  200 the item with the body's attributes, or 404 (400 as POST)
//   DELETE /resource/{id}  204, or 404
//
// Items get an `id` (a UUID), `createdBy` (the authorizer's principalId), `createdAt` and
// `updatedAt`; a body cannot set those four.
//
// Storage: the directory USERS_DIR, created if missing. A relative USERS_DIR is relative to the
// function's directory (LAMBDA_TASK_ROOT, which is also the worker's working directory). An item
// is written to a temporary file, flushed to disk and renamed over <id>.json, then the directory
// is flushed: readers in any of the function's worker processes see the old item or the new
// one, never a torn file, and an item answered with 201 or 200 survives a crash. Two writers of
// the same item race (the last rename wins), and a PUT racing a DELETE of the same item may
// bring it back: this example keeps no locks.
'use strict';

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const crypto = require('node:crypto');

if (!process.env.USERS_DIR) throw new Error('USERS_DIR is not set');
const USERS_DIR = path.resolve(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env.USERS_DIR);
fs.mkdirSync(USERS_DIR, { recursive: true, mode: 0o700 });

// The ids this service hands out. Anything else names no item, and never a path.
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const json = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const notFound = () => json(404, { message: 'Not Found' });
const invalidBody = () => json(400, { message: 'Invalid request body' });

// The request body as a JSON object, or null when it is missing or anything else.
function parseBody(event) {
  if (typeof event.body !== 'string') return null;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

// What a client may set: everything except the fields the service owns.
function attributes(body) {
  const { id, createdBy, createdAt, updatedAt, ...rest } = body;  // eslint-disable-line no-unused-vars
  return rest;
}

const itemPath = (id) => path.join(USERS_DIR, `${id}.json`);

async function readItem(id) {
  try {
    return JSON.parse(await fsp.readFile(itemPath(id), 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

// Makes a rename or an unlink in the directory durable.
async function syncDir() {
  const dir = await fsp.open(USERS_DIR, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function writeItem(item) {
  const tmp = path.join(USERS_DIR, `.${item.id}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const file = await fsp.open(tmp, 'wx', 0o600);
  try {
    await file.writeFile(JSON.stringify(item));
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await fsp.rename(tmp, itemPath(item.id));
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await syncDir();
}

async function listItems() {
  const names = (await fsp.readdir(USERS_DIR)).filter((n) => ID.test(n.slice(0, -5)) && n.endsWith('.json'));
  // An item deleted between readdir and readFile is skipped.
  const items = (await Promise.all(names.map((n) => readItem(n.slice(0, -5))))).filter(Boolean);
  return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

module.exports.handler = async (event) => {
  const id = event.pathParameters ? event.pathParameters.id : undefined;
  const principal = event.requestContext?.authorizer?.principalId ?? null;

  switch (`${event.httpMethod} ${event.resource}`) {
    case 'GET /resource':
      return json(200, { items: await listItems() });

    case 'POST /resource': {
      const body = parseBody(event);
      if (!body) return invalidBody();
      const now = new Date().toISOString();
      const item = { id: crypto.randomUUID(), ...attributes(body), createdBy: principal,
        createdAt: now, updatedAt: now };
      await writeItem(item);
      return json(201, item, { Location: `/resource/${item.id}` });
    }

    case 'GET /resource/{id}': {
      const item = ID.test(id) ? await readItem(id) : null;
      return item ? json(200, item) : notFound();
    }

    case 'PUT /resource/{id}': {
      const body = parseBody(event);
      if (!body) return invalidBody();
      const old = ID.test(id) ? await readItem(id) : null;
      if (!old) return notFound();
      const item = { id, ...attributes(body), createdBy: old.createdBy, createdAt: old.createdAt,
        updatedAt: new Date().toISOString() };
      await writeItem(item);
      return json(200, item);
    }

    case 'DELETE /resource/{id}': {
      if (!ID.test(id)) return notFound();
      try {
        await fsp.unlink(itemPath(id));
      } catch (err) {
        if (err.code === 'ENOENT') return notFound();
        throw err;
      }
      await syncDir();
      return { statusCode: 204, headers: {}, body: '' };
    }

    default:
      return notFound();
  }
};
