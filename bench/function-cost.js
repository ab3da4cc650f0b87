// The CPU cost of the example functions' own code, per invocation, with no gateway around them:
// examples/lambda-blog's authorizer and users handler called directly in this one Node process,
// one invocation at a time. bench/run.sh runs it on the server's CPU and subtracts it from the
// function cases' CPU per request, which leaves what the gateway and its runtime add (gatehouse:
// the gateway, the Runtime API exchanges and the workers' bootstrap; serverless-offline: its
// HTTP server, event building and authorizer handling).
//
// The users handler lists a DynamoDB table through the SDK, as it does under both gateways: the
// table is served by the DynamoDB API at ENDPOINT (case g's gatehouse). That server's CPU per call
// is part of what the function costs wherever it runs, so with TABLE_SERVER_PID it is measured
// too (its /proc/PID/stat over the same calls) and reported on its own line.
//
// Usage: node bench/function-cost.js LAMBDA_DIR PEM_FILE TOKEN ENDPOINT TABLE [TABLE_SERVER_PID]
//          [ITERATIONS]
// Prints `name cpu_us wall_us` lines: authorizer, users_get (the list with one item: the handler
// and the SDK, in this process) and, with TABLE_SERVER_PID, table_get (the table server's CPU per
// list). The table is emptied of nothing: give it one of its own, which gets the one listed item.
// Writes are left out: an item's fsyncs cost a different amount of CPU one at a time than under
// load.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const [lambdaDir, pemFile, token, endpoint, table, serverPidArg, iterationsArg] = process.argv.slice(2);
if (!table) {
  process.stderr.write('usage: node function-cost.js LAMBDA_DIR PEM_FILE TOKEN ENDPOINT TABLE ' +
    '[TABLE_SERVER_PID] [ITERATIONS]\n');
  process.exit(2);
}
const iterations = Number(iterationsArg || 2000);
const serverPid = serverPidArg ? Number(serverPidArg) : 0;

// The environment the functions read when they are loaded, as bench/run.sh gives them.
process.env.AUTH0_CLIENT_ID = 'https://blog-api';
process.env.AUTH0_CLIENT_PUBLIC_KEY = fs.readFileSync(pemFile, 'utf8');
process.env.USERS_TABLE = table;
process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
process.env.AWS_REGION = process.env.AWS_REGION || 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = process.env.AWS_ACCESS_KEY_ID || 'bench-dummy';
process.env.AWS_SECRET_ACCESS_KEY = process.env.AWS_SECRET_ACCESS_KEY || 'bench-dummy';

// utime + stime of a process, in µs (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms on
// Linux's usual USER_HZ of 100).
function processCpuUs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10000;
}

const authorizer = require(path.resolve(lambdaDir, 'authorizer/index.js'));
const users = require(path.resolve(lambdaDir, 'users/index.js'));

const context = { functionName: 'bench', getRemainingTimeInMillis: () => 3000 };
const tokenEvent = {
  type: 'TOKEN',
  authorizationToken: `Bearer ${token}`,
  methodArn: 'arn:aws:execute-api:us-east-1:123456789012:bench/Lab/GET/resource',
};
const authorize = () => new Promise((resolve, reject) => {
  const result = authorizer.handler(tokenEvent, context, (err, value) => (err ? reject(err) : resolve(value)));
  if (result && typeof result.then === 'function') result.then(resolve, reject);
});
const proxyEvent = (httpMethod, body) => ({
  resource: '/resource', path: '/resource', httpMethod, headers: {}, queryStringParameters: null,
  pathParameters: null, stageVariables: null, isBase64Encoded: false, body,
  requestContext: { authorizer: { principalId: 'blog-demo@clients' }, httpMethod, resourcePath: '/resource' },
});
const getEvent = proxyEvent('GET', null);
const postEvent = proxyEvent('POST', '{"name":"Yev","email":"yev@example.com"}');  // the listed item
const call = (event) => async () => {
  const res = await users.handler(event, context);
  if (!res || res.statusCode >= 300) throw new Error(`users answered ${res && res.statusCode}`);
};

// serverName: also report the table server's CPU per call under that name.
async function measure(name, fn, serverName) {
  for (let i = 0; i < Math.min(300, iterations); i++) await fn();  // warm-up (JIT)
  const server0 = serverName && serverPid ? processCpuUs(serverPid) : 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  console.log(`${name} ${((cpu.user + cpu.system) / iterations).toFixed(1)} ${(wall / iterations).toFixed(1)}`);
  if (serverName && serverPid) {
    const server = (processCpuUs(serverPid) - server0) / iterations;
    console.log(`${serverName} ${server.toFixed(1)} ${(wall / iterations).toFixed(1)}`);
  }
}

(async () => {
  const check = await authorize();
  if (!check || !check.principalId) throw new Error('the authorizer did not allow the token');
  await call(postEvent)();  // the one listed item, as in the benchmark
  await measure('authorizer', authorize);
  await measure('users_get', call(getEvent), 'table_get');
})().catch((err) => {
  process.stderr.write(`function-cost: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
