#!/usr/bin/env bash
# Checks that every `#include "<area>/..."` respects the dependency table in docs/architecture.md:
# an area may include only itself and the areas listed for it. Linking enforces the same for
# code; this catches header-only leaks that linking cannot see.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [core]="core"
  [observability]="core observability"
  [config]="core config"
  [http]="core http"
  [router]="core router"
  [functions]="core functions"
  [functions/runtime_api]="core http functions functions/runtime_api"
  [functions/pool]="core http functions functions/runtime_api functions/pool"
  [functions/events]="core router functions functions/events"
  [store]="core store"
  [store/sqlite]="core store store/sqlite"
  [auth/jwt]="core auth/jwt"
  [auth/jwks]="core auth/jwt auth/jwks http"
  [auth/policy]="core auth/policy"
  [auth/cache]="core auth/cache"
  [auth/authorizers]="core auth/jwt auth/jwks auth/policy auth/cache auth/authorizers functions functions/events router"
  [auth/stage]="core auth/jwt auth/jwks auth/policy auth/cache auth/authorizers auth/stage functions functions/events router"
  [issuer]="core auth/jwt issuer"
  [gateway]="core observability config http router functions functions/runtime_api functions/pool functions/events store store/sqlite auth/jwt auth/jwks auth/policy auth/cache auth/authorizers auth/stage issuer gateway"
  [cli]="core observability config http router functions functions/runtime_api functions/pool functions/events store store/sqlite auth/jwt auth/jwks auth/policy auth/cache auth/authorizers auth/stage issuer gateway cli"
)

area_of() {  # src/auth/jwt/verify.cc -> auth/jwt ; src/core/x.h -> core
  local rel=${1#src/}
  case "$rel" in
    auth/* | store/*/* | functions/*/*) echo "$rel" | cut -d/ -f1-2 ;;
    *) echo "$rel" | cut -d/ -f1 ;;
  esac
}

bad=0
while IFS= read -r file; do
  area=$(area_of "$file")
  ok_list=${allowed[$area]:-}
  if [ -z "$ok_list" ]; then
    echo "check-includes: $file: area '$area' is not in the dependency table" >&2
    bad=1
    continue
  fi
  while IFS= read -r inc; do
    target=$(area_of "src/$inc")
    case " $ok_list " in
      *" $target "*) ;;
      *) echo "check-includes: $file includes \"$inc\": $area may not depend on $target" >&2; bad=1 ;;
    esac
  done < <(grep -oE '^#include "[a-z_]+(/[a-z_]+)*\.h"' "$file" | sed -E 's/#include "(.*)"/\1/')
done < <(find src -name '*.h' -o -name '*.cc' | sort)
[ $bad -eq 0 ] && echo "include graph ok"
exit $bad
