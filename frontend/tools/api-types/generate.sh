#!/usr/bin/env bash
# The browser app's API types from the server's OpenAPI schema (drf-spectacular → openapi-typescript).
#   frontend/tools/api-types/generate.sh            rewrites frontend/src/api/schema.d.ts
#   frontend/tools/api-types/generate.sh OUT.d.ts   writes elsewhere (the check in tests/frontend/ does)
# Run it (or `make api-types`, or `npm run gen:api` in frontend/) after any change to the API.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$root/frontend/src/api/schema.d.ts}"
python="${PYTHON:-$root/.venv/bin/python}"
generator="$here/node_modules/.bin/openapi-typescript"
[[ -x "$generator" ]] || { echo "openapi-typescript is missing: run \`npm ci\` in frontend/" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && "$python" manage.py spectacular --validate --fail-on-warn --file "$tmp/schema.yml")
"$generator" "$tmp/schema.yml" --output "$tmp/schema.d.ts" --empty-objects-unknown >/dev/null
mv "$tmp/schema.d.ts" "$out"
