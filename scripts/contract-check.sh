#!/usr/bin/env bash
# The contract the issuance service integrates through, checked with standard tools from PyPI:
#  1. GET /openapi.json of a real `serve` passes openapi-spec-validator;
#  2. /schemas/report.json is what `photocheck schema report` prints, and a valid 2020-12 schema;
#  3. every report the test suite produced (target/tmp/reports/*.jsonl, written by the tests) and
#     a fresh `check`/`audit` run validate against it;
#  4. a client generated from the OpenAPI document by openapi-python-client calls the server on
#     127.0.0.1 (with a bearer token) and reads a verdict, by raw upload and by multipart form.
# Run after `cargo test --release` (CI does). Needs python3 with venv; installs pinned packages
# into target/contract-venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv=target/contract-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "openapi-spec-validator==0.9.0" "jsonschema==4.26.0" "openapi-python-client==0.29.1" "ruff==0.17.6"
fi
cargo build --release --quiet
work="$(mktemp -d)"
port="${PORT:-18093}"
printf 's3cret-token\n' >"$work/token"
./target/release/photocheck serve --listen "127.0.0.1:$port" --token-file "$work/token" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
./target/release/photocheck schema report >"$work/schema.json"
./target/release/photocheck check sample_photos/*.jpg sample_photos/*.png --format json --as-of 2026-11-26 >"$work/check.jsonl" || true
./target/release/photocheck audit sample_photos --out "$work/audit" --as-of 2026-11-26 --quiet || true
PATH="$root/$venv/bin:$PATH" "$venv/bin/python" scripts/contract_check.py "http://127.0.0.1:$port" "$work" s3cret-token
