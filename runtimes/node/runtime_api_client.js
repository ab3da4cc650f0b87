// The Runtime API client of gatehouse's Node.js runtime (bootstrap.js): HTTP/1.1 over one
// keep-alive connection, for the four calls of a protocol whose server is gatehouse itself.
//
// Why not node:http: an invocation costs two exchanges with the gateway, and on a busy core each
// exchange is a wake-up of both processes. This client sends a result and the next GET /next in
// one write (HTTP/1.1 pipelining), and gatehouse answers both in one write (the 202 with the next
// event), so an invocation wakes each side once. It also skips node:http's agent, header
// validation and parser for answers whose shape is known: a status line, header fields and a
// Content-Length body.
//
//   const api = createRuntimeApiClient('127.0.0.1', 9001);
//   const { written, answers } = api.send([{ method: 'POST', path, headers, body }, { method: 'GET', path }]);
//   await written;                      // the requests have left the process
//   const [posted, next] = await Promise.all(answers);   // { status, headers, body }, in order
//
// Limits: an answer's head may not exceed 64 KiB nor its body 64 MiB (an event is at most
// API Gateway's 10 MiB payload, base64-encoded); chunked or unframed answers are refused. Any
// such protocol error, and the connection closing or failing, rejects every answer still
// awaited with an Error whose `connectionLost` is true, and the next send() connects again.
//
// The socket keeps the event loop alive only while answers are awaited: while a handler runs it
// is unref'ed, so the handler's own work alone decides when the event loop is empty (Lambda's
// callbackWaitsForEmptyEventLoop).
'use strict';

const net = require('node:net');

const API_PREFIX = '/2018-06-01/runtime';
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

function connectionLost(message) {
  const err = new Error(message);
  err.connectionLost = true;
  return err;
}

// "HTTP/1.1 202 Accepted\r\nContent-Type: ...\r\n..." (without the blank line) -> the answer's
// status, its fields by lower-case name, its body length and whether the server closes after it.
function parseHead(text) {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]);
  if (!status) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) throw new Error(`malformed header field: ${JSON.stringify(lines[i].slice(0, 80))}`);
    const name = lines[i].slice(0, colon).toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  if ('transfer-encoding' in headers) throw new Error('a chunked answer (only Content-Length framing is expected)');
  const length = Number(headers['content-length']);
  if (!/^\d+$/.test(headers['content-length'] || '') || length > MAX_BODY_BYTES) {
    throw new Error(`an answer without a usable Content-Length (${headers['content-length']})`);
  }
  const close = /(^|,)\s*close\s*(,|$)/i.test(headers.connection || '');
  return { status: Number(status[1]), headers, length, close };
}

function createRuntimeApiClient(host, port) {
  const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  let socket = null;
  const awaited = [];  // { resolve, reject } per request sent, in order
  // The answer being read: the bytes of its head so far, then its head and body pieces.
  let headBytes = EMPTY;
  let head = null;
  let pieces = [];
  let bodyBytes = 0;

  function resetReader() {
    headBytes = EMPTY;
    head = null;
    pieces = [];
    bodyBytes = 0;
  }

  // Every awaited answer fails; the socket is let go and the next send() connects again.
  function fail(s, err) {
    if (socket !== s) return;
    socket = null;
    s.destroy();
    resetReader();
    for (const waiter of awaited.splice(0)) waiter.reject(err);
  }

  function complete(s) {
    const answer = { status: head.status, headers: head.headers,
      body: Buffer.concat(pieces, bodyBytes).toString('utf8') };
    const closes = head.close;
    resetReader();
    const waiter = awaited.shift();
    if (!waiter) return fail(s, connectionLost('the Runtime API sent an answer nobody asked for'));
    waiter.resolve(answer);
    if (closes) return fail(s, connectionLost('the Runtime API closed the connection'));
    if (awaited.length === 0) s.unref();
    return undefined;
  }

  function onData(s, chunk) {
    while (socket === s) {
      if (!head) {
        headBytes = headBytes.length ? Buffer.concat([headBytes, chunk]) : chunk;
        const end = headBytes.indexOf(HEAD_END);
        if (end < 0) {
          if (headBytes.length > MAX_HEAD_BYTES) fail(s, connectionLost('an answer head over 64 KiB'));
          return;
        }
        try {
          head = parseHead(headBytes.toString('latin1', 0, end));
        } catch (err) {
          fail(s, connectionLost(`a malformed Runtime API answer: ${err.message}`));
          return;
        }
        chunk = headBytes.subarray(end + HEAD_END.length);
        headBytes = EMPTY;
      }
      const take = Math.min(head.length - bodyBytes, chunk.length);
      if (take > 0) {
        pieces.push(take === chunk.length ? chunk : chunk.subarray(0, take));
        bodyBytes += take;
        chunk = chunk.subarray(take);
      }
      if (bodyBytes < head.length) return;
      complete(s);
      if (chunk.length === 0) return;
    }
  }

  function connect() {
    const s = net.connect({ host, port });
    s.setNoDelay(true);
    s.on('data', (chunk) => onData(s, chunk));
    s.on('error', (err) => fail(s, connectionLost(`the Runtime API connection failed: ${err.message}`)));
    s.on('close', () => fail(s, connectionLost('the Runtime API closed the connection')));
    socket = s;
    return s;
  }

  function encode({ method, path, headers = {}, body }) {
    let text = `${method} ${API_PREFIX}${path} HTTP/1.1\r\nHost: ${hostHeader}\r\n`;
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
    if (body === undefined) return `${text}\r\n`;
    return `${text}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }

  // Sends the requests in one write. `written` settles once they have left the process (it
  // rejects if the write fails); `answers` hold one promise per request.
  function send(requests) {
    const s = socket || connect();
    s.ref();
    const answers = requests.map(() => new Promise((resolve, reject) => awaited.push({ resolve, reject })));
    const written = new Promise((resolve, reject) => {
      s.write(requests.map(encode).join(''), (err) => (err ? reject(err) : resolve()));
    });
    return { written, answers };
  }

  return { send };
}

module.exports = { createRuntimeApiClient, API_PREFIX };
