#!/usr/bin/env bash
# Starts the blog demo (examples/blog) and prints the scenario's curl commands, ready to paste.
# Usage: scripts/run-demo.sh BUILD_DIR PORT ADMIN_PORT   (make run sets them)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
port=${2:-8080}
admin_port=${3:-9090}
base="http://127.0.0.1:$port"
secret=${BLOG_DEMO_CLIENT_SECRET:?set BLOG_DEMO_CLIENT_SECRET (make run sets a demo value)}
body='{"name":"Yev","email":"yev@example.com"}'

cat <<MSG
gatehouse: starting the blog demo (examples/blog/gatehouse.yaml) on $base
In another terminal, try the scenario:

# 1. No token: 401, and the handler never runs.
curl -i -X POST $base/resource -H 'content-type: application/json' -d '$body'

# 2. A token from the embedded issuer (client_credentials, as with Auth0).
curl -s -X POST $base/oauth/token -H 'content-type: application/json' \\
  -d '{"client_id":"blog-demo","client_secret":"$secret","audience":"https://blog-api","grant_type":"client_credentials"}'

# 3. Keep it in a variable.
TOKEN=\$(curl -s -X POST $base/oauth/token -H 'content-type: application/json' \\
  -d '{"client_id":"blog-demo","client_secret":"$secret","audience":"https://blog-api","grant_type":"client_credentials"}' \\
  | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')

# 4. The same POST with the token: 201 and the stored item with its id.
curl -i -X POST $base/resource -H "Authorization: Bearer \$TOKEN" -H 'content-type: application/json' -d '$body'

# 5. The list, including the new user.
curl -s $base/resource -H "Authorization: Bearer \$TOKEN"

# 6. The same table through DynamoDB's API (Debian's AWS CLI, apt-get install awscli; any
#    credentials).
AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=us-east-1 \\
  aws dynamodb scan --endpoint-url http://127.0.0.1:8000 --table-name users

More: GET/PUT/DELETE $base/resource/<id>; keys at $base/.well-known/jwks.json;
metrics at http://127.0.0.1:$admin_port/metrics. Stop with Ctrl-C.

MSG
exec "$build/gatehouse" serve -c examples/blog/gatehouse.yaml --port "$port" --admin-port "$admin_port"
