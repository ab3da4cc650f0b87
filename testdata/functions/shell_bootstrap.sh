#!/bin/bash
# A Lambda runtime in bash and curl, for the worker pool's tests: echoes each event back, and
# misbehaves on request ("crash", "hang", "fail", "unauthorized", "garbage" anywhere in the event).
# It is also the shape of the shell `bootstrap` in docs/functions.md.
set -euo pipefail
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
if [ -n "${INIT_FAIL:-}" ]; then
  curl -sS -X POST "$API/init/error" -H "Lambda-Runtime-Function-Error-Type: Runtime.ImportModuleError" \
    -d '{"errorMessage":"Cannot find module","errorType":"Runtime.ImportModuleError"}' >/dev/null
  exit 1
fi
echo "started $AWS_LAMBDA_FUNCTION_NAME handler=${_HANDLER:-}"
HEADERS=$(mktemp)
trap 'rm -f "$HEADERS"' EXIT
while true; do
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d: -f2 | tr -d '[:space:]')
  echo "event $EVENT"
  case "$EVENT" in
    *crash*) exit 3 ;;
    *hang*) sleep 60 ;;
    *second-next*)
      # Asks for another event while this one runs: the endpoint refuses (403), and says why.
      BODY=$(mktemp)
      CODE=$(curl -sS -o "$BODY" -w '%{http_code}' "$API/invocation/next")
      curl -sS -X POST "$API/invocation/$ID/response" -d "{\"code\":$CODE,\"body\":$(cat "$BODY")}" >/dev/null
      rm -f "$BODY" ;;
    *abandon-next*)
      # Answers, then asks for the next event and gives up on it after 0.3 s (its connection
      # closes with the /next waiting); the loop then asks again on a new connection.
      curl -sS -X POST "$API/invocation/$ID/response" --data-binary "$EVENT" >/dev/null
      curl -sS --max-time 0.3 -o /dev/null "$API/invocation/next" || true ;;
    *slow*) sleep 0.5; curl -sS -X POST "$API/invocation/$ID/response" -d "{\"pid\":\"$$\"}" >/dev/null ;;
    *unauthorized*)
      curl -sS -X POST "$API/invocation/$ID/error" -H "Lambda-Runtime-Function-Error-Type: Unhandled" \
        -d '{"errorMessage":"Unauthorized","errorType":"Error","trace":[]}' >/dev/null ;;
    *env*)
      curl -sS -X POST "$API/invocation/$ID/response" \
        -d "{\"name\":\"$AWS_LAMBDA_FUNCTION_NAME\",\"handler\":\"${_HANDLER:-}\",\"root\":\"$LAMBDA_TASK_ROOT\",\"memory\":\"$AWS_LAMBDA_FUNCTION_MEMORY_SIZE\",\"tz\":\"$TZ\",\"secret\":\"${GH_TEST_SECRET:-unset}\",\"custom\":\"${CUSTOM:-}\"}" >/dev/null ;;
    *) curl -sS -X POST "$API/invocation/$ID/response" --data-binary "$EVENT" >/dev/null ;;
  esac
done
