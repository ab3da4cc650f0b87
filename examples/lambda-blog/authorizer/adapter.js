// The seed's authorizer (index.js) behind an async signature, for runtime clients that no longer
// run callback handlers: aws-lambda-ric 4.x, the client of AWS's Node.js 24 runtime, refuses
// three-parameter handlers at init (Runtime.CallbackHandlerDeprecated). gatehouse.ric.yaml runs
// this file; `runtime: node` and AWS's Node.js 16-22 runtimes run index.js directly.
//
// callback('Unauthorized') becomes a rejection with the string 'Unauthorized', which the client
// reports exactly as a callback error: {"errorType":"string","errorMessage":"Unauthorized",...}.
const { promisify } = require('node:util');
const { handler } = require('./index.js');

const authorize = promisify(handler);

module.exports.handler = async (event, context) => authorize(event, context);
