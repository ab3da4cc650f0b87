# A TOKEN authorizer in bash, for the bootstrap next to it: allows one fixed token.
handler() {
  if [[ $1 == *'"authorizationToken":"Bearer let-me-in"'* ]]; then
    echo '{"principalId":"shell","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}'
  else
    echo '{"errorMessage":"Unauthorized","errorType":"Unauthorized"}'
    return 1
  fi
}
