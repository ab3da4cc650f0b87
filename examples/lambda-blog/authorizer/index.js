// The seed's authorizer: a TOKEN Lambda authorizer in the shape of the well-known Serverless
// Framework Auth0 example. It checks the bearer token's RS256 signature against the issuer's
// signing certificate and its audience, and answers with a policy that allows the method ARN
// it was called for, or with the error "Unauthorized" (API Gateway's 401).
//
// It runs unchanged on AWS (a Node.js 16-22 runtime) and in gatehouse (runtime: node), where
// the gateway fills AUTH0_CLIENT_PUBLIC_KEY with its embedded issuer's certificate.
const jwt = require('jsonwebtoken');

// Set in the function's environment (gatehouse.yaml).
const AUTH0_CLIENT_ID = process.env.AUTH0_CLIENT_ID;
const AUTH0_CLIENT_PUBLIC_KEY = process.env.AUTH0_CLIENT_PUBLIC_KEY;

// The authorizer's answer: the caller's identity and an IAM policy for the API.
const generatePolicy = (principalId, effect, resource) => {
  const authResponse = {};
  authResponse.principalId = principalId;
  if (effect && resource) {
    const policyDocument = {};
    policyDocument.Version = '2012-10-17';
    policyDocument.Statement = [];
    const statementOne = {};
    statementOne.Action = 'execute-api:Invoke';
    statementOne.Effect = effect;
    statementOne.Resource = resource;
    policyDocument.Statement[0] = statementOne;
    authResponse.policyDocument = policyDocument;
  }
  return authResponse;
};

// The authorizer function (authorizers.lambda in gatehouse.yaml).
module.exports.handler = (event, context, callback) => {
  if (!event.authorizationToken) {
    return callback('Unauthorized');
  }

  const tokenParts = event.authorizationToken.split(' ');
  const tokenValue = tokenParts[1];

  if (!(tokenParts[0].toLowerCase() === 'bearer' && tokenValue)) {
    // No bearer token: 401.
    return callback('Unauthorized');
  }
  const options = {
    audience: AUTH0_CLIENT_ID,
  };

  try {
    jwt.verify(tokenValue, AUTH0_CLIENT_PUBLIC_KEY, options, (verifyError, decoded) => {
      if (verifyError) {
        // Expired, wrong audience, bad signature...: 401. The reason is logged, not returned.
        console.log(`Token invalid. ${verifyError}`);
        return callback('Unauthorized');
      }
      // Valid: allow this method for the token's subject.
      return callback(null, generatePolicy(decoded.sub, 'Allow', event.methodArn));
    });
  } catch (err) {
    console.log(`Token invalid. ${err}`);
    return callback('Unauthorized');
  }
};
