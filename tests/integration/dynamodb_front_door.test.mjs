// The DynamoDB listener's HTTP front door: health check, methods and content types, JSON and
// X-Amz-Target errors, authentication (presence checks, and SigV4 verification when credentials
// are configured), the order of those checks, and the headers every answer carries
// (x-amzn-RequestId, x-amz-crc32, CORS). Expected answers are DynamoDB's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDynamo, rawRequest, assertError, assertOk, crc32, signedRequest, v3Client, amzDate,
  errorType, JSON_10 } from './dynamodb_fixture.mjs';

const HEALTH = 'healthy: dynamodb.us-east-1.amazonaws.com ';
const UNKNOWN_OP_XML = '<UnknownOperationException/>\n';
const PAGE_NOT_FOUND = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" ' +
  '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" ' +
  'xml:lang="en" lang="en">\n<head>\n  <title>Page Not Found</title>\n</head>\n<body>Page Not Found</body>\n</html>';
const REQUEST_ID = /^[0-9A-Z]{52}$/;

function assertCommonHeaders(r) {
  assert.match(r.headers.get('x-amzn-requestid') ?? '', REQUEST_ID, 'x-amzn-RequestId');
  assert.equal(r.headers.get('x-amz-crc32'), String(crc32(r.bytes)), 'x-amz-crc32 is the CRC32 of the body');
}

function assertNotFound(r) {
  assert.equal(r.status, 404, r.text);
  assert.ok([UNKNOWN_OP_XML, PAGE_NOT_FOUND].includes(r.text), JSON.stringify(r.text));
  assertCommonHeaders(r);
}

describe('DynamoDB front door', () => {
  let gw;
  let url;
  before(async () => {
    gw = await startDynamo();
    url = gw.dynamodbUrl;
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  describe('health check and routing', () => {
    it('GET / answers the health line, 42 bytes with its trailing space', async () => {
      const r = await rawRequest(url, { method: 'GET', auth: false });
      assert.equal(r.status, 200);
      assert.equal(r.text, HEALTH);
      assert.equal(r.bytes.length, 42);
      assert.equal(r.headers.get('content-length'), '42');
      assertCommonHeaders(r);
    });

    it('GET on any path, signed or not, is the same health check', async () => {
      for (const [path, auth] of [['/some/where', false], ['/?x=1', true], ['/shell', true]]) {
        const r = await rawRequest(url, { method: 'GET', path, auth });
        assert.equal(r.status, 200, path);
        assert.equal(r.text, HEALTH, path);
      }
    });

    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      it(`${method} is 404 with DynamoDB's not-found body`, async () => {
        const r = await rawRequest(url, { method, op: 'ListTables', body: '{}' });
        assertNotFound(r);
      });
    }

    it('the XML not-found body has the CRC DynamoDB sends for it', async () => {
      const r = await rawRequest(url, { method: 'PUT', op: 'ListTables', body: '{}' });
      if (r.text === UNKNOWN_OP_XML) assert.equal(r.headers.get('x-amz-crc32'), '3552371480');
      else assert.equal(r.headers.get('x-amz-crc32'), '2548615100');
    });

    for (const ct of ['whatever', 'application/x-amz-json-1.1', 'application/jsonasdf', 'text/plain']) {
      it(`POST with Content-Type ${ct} is 404`, async () => {
        assertNotFound(await rawRequest(url, { op: 'ListTables', body: '{}', contentType: ct }));
      });
    }

    it('POST with a body and no Content-Type is 404', async () => {
      assertNotFound(await rawRequest(url, { op: 'ListTables', body: '{}', contentType: null }));
    });

    for (const ct of ['application/json;', '  application/json  ;   asfd', 'application/json;blahblah',
      'application/x-amz-json-1.0; charset=utf-8']) {
      it(`Content-Type ${JSON.stringify(ct)} is accepted`, async () => {
        const r = await rawRequest(url, { op: 'ListTables', body: '{}', contentType: ct });
        assert.equal(r.status, 200, r.text);
        assert.ok(Array.isArray(r.json.TableNames));
      });
    }

    it('the answer\'s Content-Type echoes the request\'s JSON flavour', async () => {
      const a = await rawRequest(url, { op: 'ListTables', body: '{}', contentType: JSON_10 });
      assert.equal(a.headers.get('content-type'), 'application/x-amz-json-1.0');
      const b = await rawRequest(url, { op: 'ListTables', body: '{}', contentType: 'application/json' });
      assert.equal(b.headers.get('content-type'), 'application/json');
      const c = await rawRequest(url, { op: 'Nope', body: '{}', contentType: 'application/json' });
      assert.equal(c.headers.get('content-type'), 'application/json');
    });
  });

  describe('JSON and X-Amz-Target', () => {
    for (const body of ['{', '{"a":}', 'not json', '[1,2', '{"TableName":"x"']) {
      it(`malformed JSON ${JSON.stringify(body)} is a SerializationException without a message`, async () => {
        const r = await rawRequest(url, { op: 'ListTables', body });
        assert.equal(r.status, 400);
        assert.equal(r.text, '{"__type":"com.amazon.coral.service#SerializationException"}');
        assert.equal(r.headers.get('x-amz-crc32'), '3948637019');
        assertCommonHeaders(r);
      });
    }

    for (const [name, target] of [['no X-Amz-Target', undefined], ['target whatever', 'whatever'],
      ['a misspelt operation', 'DynamoDB_20120810.ListTable'], ['an unknown version', 'DynamoDB_20990101.ListTables'],
      ['the prefix alone', 'DynamoDB_20120810.']]) {
      it(`${name} is an UnknownOperationException without a message`, async () => {
        const r = await rawRequest(url, { rawTarget: target, body: '{}' });
        assert.equal(r.status, 400);
        assert.equal(r.text, '{"__type":"com.amazon.coral.service#UnknownOperationException"}');
        assert.equal(r.headers.get('x-amz-crc32'), '1368724161');
        assertCommonHeaders(r);
      });
    }

    it('an empty body after authentication is a SerializationException', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: '' });
      assert.equal(r.status, 400);
      assert.equal(r.text, '{"__type":"com.amazon.coral.service#SerializationException"}');
    });

    it('a member of the wrong JSON type is a SerializationException with a capital-M Message', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: { Limit: 'five' } });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.__type, errorType('SerializationException'));
      assert.equal(typeof r.json.Message, 'string', r.text);
      assert.equal(r.json.message, undefined, r.text);
    });

    it('unknown members are ignored', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: { Whatever: 1, Other: { a: [1] } } });
      assert.ok(Array.isArray(assertOk(r).TableNames));
    });
  });

  describe('authentication presence checks', () => {
    it('no Authorization is MissingAuthenticationTokenException', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: '{}', auth: false });
      assert.equal(r.status, 400);
      assert.equal(r.text, '{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException",' +
        '"message":"Request is missing Authentication Token"}');
      assert.equal(r.headers.get('x-amz-crc32'), '2088342776');
      assertCommonHeaders(r);
    });

    for (const header of ['AWS4', 'Bearer abc', 'AWS AKID:sig']) {
      it(`Authorization ${JSON.stringify(header)} (not AWS4-) is MissingAuthenticationTokenException`, async () => {
        const r = await rawRequest(url, { op: 'ListTables', body: '{}', auth: false,
          headers: { authorization: header } });
        assertError(r, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token');
      });
    }

    it('"AWS4-" alone lists every missing part', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: '{}', auth: false,
        headers: { authorization: 'AWS4-' } });
      assertError(r, 'IncompleteSignatureException',
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' " +
        "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires " +
        "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-");
    });

    for (const header of ['AWS4- Signature=b Credential=a', 'AWS4- Signature=b,Credential=a',
      'AWS4- Signature=b, Credential=a']) {
      it(`${JSON.stringify(header)} with a Date misses only SignedHeaders`, async () => {
        const r = await rawRequest(url, { op: 'ListTables', body: '{}', auth: false,
          headers: { authorization: header, date: new Date().toUTCString() } });
        assertError(r, 'IncompleteSignatureException',
          `Authorization header requires 'SignedHeaders' parameter. Authorization=${header}`);
      });
    }

    it('an Authorization header together with X-Amz-Algorithm in the query is refused', async () => {
      const r = await rawRequest(url, { path: '/?X-Amz-Algorithm=AWS4-HMAC-SHA256', op: 'ListTables', body: '{}' });
      assertError(r, 'InvalidSignatureException',
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
    });
  });

  describe('order of the checks', () => {
    it('content type before JSON', async () => {
      assertNotFound(await rawRequest(url, { op: 'ListTables', body: '{', contentType: 'text/plain' }));
    });
    it('JSON before target', async () => {
      const r = await rawRequest(url, { rawTarget: 'whatever', body: '{' });
      assertError(r, 'SerializationException');
    });
    it('target before authentication', async () => {
      const r = await rawRequest(url, { rawTarget: 'whatever', body: '{}', auth: false });
      assertError(r, 'UnknownOperationException');
    });
    it('authentication before the empty body', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: '', auth: false });
      assertError(r, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token');
    });
    it('authentication before operation validation', async () => {
      const r = await rawRequest(url, { op: 'DescribeTable', body: {}, auth: false });
      assertError(r, 'MissingAuthenticationTokenException');
    });
  });

  describe('headers on every answer', () => {
    it('request ids are 52 upper-case alphanumerics and differ per request', async () => {
      const seen = new Set();
      const answers = await Promise.all([
        rawRequest(url, { method: 'GET', auth: false }),
        rawRequest(url, { op: 'ListTables', body: '{}' }),
        rawRequest(url, { op: 'DescribeTable', body: { TableName: 'does-not-exist' } }),
        rawRequest(url, { method: 'PUT', body: '{}' }),
        rawRequest(url, { op: 'ListTables', body: '{' }),
        rawRequest(url, { op: 'ListTables', body: '{}', auth: false }),
        rawRequest(url, { method: 'OPTIONS', auth: false, headers: { origin: 'http://a.test' } }),
      ]);
      for (const r of answers) {
        assertCommonHeaders(r);
        seen.add(r.headers.get('x-amzn-requestid'));
      }
      assert.equal(seen.size, answers.length);
    });

    it('x-amz-crc32 covers non-ASCII bodies byte for byte', async () => {
      const r = await rawRequest(url, { op: 'DescribeTable', body: { TableName: 'ünïcödé' } });
      assert.equal(r.status, 400);
      assertCommonHeaders(r);
    });
  });

  describe('CORS', () => {
    it('a preflight with Origin is 200, empty, and echoes what was asked', async () => {
      const r = await rawRequest(url, { method: 'OPTIONS', auth: false, headers: {
        origin: 'http://app.test', 'access-control-request-headers': 'content-type,x-amz-target,authorization',
        'access-control-request-method': 'POST' } });
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.headers.get('access-control-allow-headers'), 'content-type,x-amz-target,authorization');
      assert.equal(r.headers.get('access-control-allow-methods'), 'POST');
      assert.equal(r.headers.get('access-control-max-age'), '172800');
      assert.equal(r.headers.get('content-length'), '0');
      assertCommonHeaders(r);
    });

    it('OPTIONS without Origin is 404', async () => {
      assertNotFound(await rawRequest(url, { method: 'OPTIONS', auth: false }));
    });

    it('with an Origin, ordinary answers and errors allow any origin', async () => {
      for (const r of [
        await rawRequest(url, { op: 'ListTables', body: '{}', headers: { origin: 'http://app.test' } }),
        await rawRequest(url, { op: 'ListTables', body: '{', headers: { origin: 'http://app.test' } }),
        await rawRequest(url, { op: 'ListTables', body: '{}', auth: false, headers: { origin: 'http://app.test' } }),
      ]) {
        assert.equal(r.headers.get('access-control-allow-origin'), '*', r.text);
      }
    });

    it('without an Origin no CORS header is added', async () => {
      const r = await rawRequest(url, { op: 'ListTables', body: '{}' });
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    });
  });
});

describe('DynamoDB signature verification', () => {
  const KEY_ID = 'AKIDGATEHOUSETEST';
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  let gw;
  let url;
  before(async () => {
    gw = await startDynamo({ credentials: { accessKeyId: KEY_ID, secretEnv: 'DDB_SECRET' },
      env: { DDB_SECRET: SECRET } });
    url = gw.dynamodbUrl;
  });
  after(async () => {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  });

  it('the SDK signing with the configured key works', async () => {
    const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    const client = v3Client(url, { accessKeyId: KEY_ID, secretAccessKey: SECRET });
    const out = await client.send(new ListTablesCommand({}));
    assert.deepEqual(out.TableNames, []);
    client.destroy();
  });

  it('a request signed by an independent signer with the right key works', async () => {
    const r = await signedRequest(url, { op: 'ListTables', accessKeyId: KEY_ID, secretAccessKey: SECRET });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { TableNames: [] });
  });

  it('a wrong secret is InvalidSignatureException', async () => {
    const r = await signedRequest(url, { op: 'ListTables', accessKeyId: KEY_ID, secretAccessKey: 'not-the-secret' });
    assertError(r, 'InvalidSignatureException', /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\./);
  });

  it('the SDK reports a wrong secret as InvalidSignatureException', async () => {
    const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
    const client = v3Client(url, { accessKeyId: KEY_ID, secretAccessKey: 'wrong' });
    await assert.rejects(client.send(new ListTablesCommand({})), (e) => e.name === 'InvalidSignatureException');
    client.destroy();
  });

  it('another key id is UnrecognizedClientException', async () => {
    const r = await signedRequest(url, { op: 'ListTables', accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: SECRET });
    assertError(r, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  });

  it('a body changed after signing does not verify', async () => {
    const r = await signedRequest(url, { op: 'ListTables', body: { Limit: 5 }, sendBody: { Limit: 6 },
      accessKeyId: KEY_ID, secretAccessKey: SECRET });
    assertError(r, 'InvalidSignatureException');
  });

  it('a signature older than 15 minutes has expired', async () => {
    const old = new Date(Date.now() - 20 * 60 * 1000);
    const r = await signedRequest(url, { op: 'ListTables', accessKeyId: KEY_ID, secretAccessKey: SECRET, date: old });
    assertError(r, 'InvalidSignatureException',
      new RegExp(`^Signature expired: ${amzDate(old)} is now earlier than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z - 15 min\\.\\)$`));
  });

  it('a signature dated more than 15 minutes ahead is not yet current', async () => {
    const ahead = new Date(Date.now() + 20 * 60 * 1000);
    const r = await signedRequest(url, { op: 'ListTables', accessKeyId: KEY_ID, secretAccessKey: SECRET, date: ahead });
    assertError(r, 'InvalidSignatureException', new RegExp(`^Signature not yet current: ${amzDate(ahead)} is still later than `));
  });

  it('unsigned requests are still MissingAuthenticationTokenException', async () => {
    const r = await rawRequest(url, { op: 'ListTables', body: '{}', auth: false });
    assertError(r, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  });

  it('the health check needs no signature', async () => {
    const r = await rawRequest(url, { method: 'GET', auth: false });
    assert.equal(r.status, 200);
    assert.equal(r.text, HEALTH);
  });
});
