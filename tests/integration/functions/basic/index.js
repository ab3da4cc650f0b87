// Handlers in the styles aws-lambda-ric 4.x accepts (async, promise, synchronous with two
// parameters): node_bootstrap.test.mjs runs each under runtimes/node/bootstrap.js and under the
// official client and compares what they post to the Runtime API.
'use strict';

// The event, the context's fields and the environment the runtime sets, as the result.
exports.echo = async (event, context) => ({
  event,
  context: {
    awsRequestId: context.awsRequestId,
    invokedFunctionArn: context.invokedFunctionArn,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingInRange: context.getRemainingTimeInMillis() > 0 &&
      context.getRemainingTimeInMillis() <= 30000,
  },
  traceId: process.env._X_AMZN_TRACE_ID ?? null,
});

exports.returnsUndefined = async () => {};

exports.returnsPromise = (event) => Promise.resolve({ promised: event.n });

exports.throwsUnauthorized = async () => {
  throw new Error('Unauthorized');
};

exports.rejectsWithString = async () => {
  throw 'Unauthorized';  // eslint-disable-line no-throw-literal
};

exports.syncResult = (event) => ({ statusCode: 200, body: JSON.stringify({ sync: event.n }) });

exports.syncThrows = () => {
  null.property;  // eslint-disable-line no-unused-expressions
};

class AuthError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AuthError';
  }
}
exports.customError = async () => {
  throw new AuthError('token expired');
};

exports.circular = async () => {
  const a = { name: 'loop' };
  a.self = a;
  return a;
};

exports.notAFunction = 42;
