// Callback-style handlers and the legacy context methods (aws-lambda-ric 3.x semantics, which
// runtimes/node/bootstrap.js keeps; aws-lambda-ric 4.x refuses three-parameter handlers).
'use strict';

exports.result = (event, context, callback) => {
  callback(null, { principalId: 'user-1', n: event.n });
};

exports.unauthorized = (event, context, callback) => {
  callback('Unauthorized');
};

exports.error = (event, context, callback) => {
  callback(new Error('Unauthorized'));
};

// Two parameters: aws-lambda-ric 4.x loads it, but its context has no fail().
exports.contextFail = (event, context) => {
  context.fail('Unauthorized');
};

exports.contextFailEmpty = (event, context, callback) => {  // eslint-disable-line no-unused-vars
  context.fail();
};

exports.contextSucceed = (event, context, callback) => {  // eslint-disable-line no-unused-vars
  setTimeout(() => context.succeed({ succeeded: true }), 10);
};

exports.contextDone = (event, context, callback) => {  // eslint-disable-line no-unused-vars
  context.done(null, { done: true });
};

// The result waits for the timer: the event loop must be empty first.
exports.waits = (event, context, callback) => {
  setTimeout(() => {}, event.ms);
  callback(null, { waited: true });
};

// The same, without waiting.
exports.doesNotWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, event.ms);
  callback(null, { waited: false });
};

exports.twice = (event, context, callback) => {
  callback(null, 'first');
  callback(null, 'second');
  callback('Unauthorized');
};

exports.neverCalls = (event, context, callback) => {};  // eslint-disable-line no-unused-vars

exports.throwsAfterCallback = (event, context, callback) => {
  callback(null, 'kept');
  throw new Error('ignored: the callback came first');
};
