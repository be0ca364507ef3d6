#!/usr/bin/env bash
# Load figures for `photocheck serve`, against 127.0.0.1 only, bounded in time.
# Prints: sustained requests/s at saturation, p50/p95/p99 at 50% and 100% of that rate,
# RSS before/after 10,000 requests, and behaviour past saturation (503s, still alive).
# Needs oha (`cargo install oha --locked`, from crates.io) and python3 for the JSON summaries.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v oha >/dev/null || cargo install oha --locked
cargo build --release --quiet
port="${PORT:-18088}"
url="http://127.0.0.1:$port/v1/checks?as_of=2026-11-26"
photo="${PHOTO:-sample_photos/grace_hopper.jpg}"
work="$(mktemp -d)"
./target/release/photocheck serve --listen "127.0.0.1:$port" --queue "${QUEUE:-16}" --timeout-ms 5000 --log-json >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }
run() { # name, then oha args
  local name=$1; shift
  oha --no-tui --output-format json -m POST -T image/jpeg -D "$photo" "$@" "$url" >"$work/$name.json"
  python3 - "$work/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r["summary"]; p = r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
ms = lambda v: "-" if v is None else f"{v * 1000:.1f}"
print(f"{sys.argv[2]:<14} {s['requestsPerSec']:7.1f} req/s  p50 {ms(p.get('p50'))} ms  p95 {ms(p.get('p95'))} ms  p99 {ms(p.get('p99'))} ms  statuses {codes}")
PY
}

run warmup -n 50 -c 2 >/dev/null
run saturation -z 20s -c 4
rate=$(python3 -c "import json;print(json.load(open('$work/saturation.json'))['summary']['requestsPerSec'])")
half=$(python3 -c "print(max(1, round($rate / 2)))")
full=$(python3 -c "print(max(1, round($rate)))")
run "rate_50pct" -z 20s -c 4 -q "$half"
run "rate_100pct" -z 20s -c 4 -q "$full"
echo "RSS before 10,000 requests: $(rss)"
run "10k_requests" -n 10000 -c 4
echo "RSS after 10,000 requests:  $(rss)"
run "overload_c64" -z 10s -c 64
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && echo "after overload: /healthz ok, server alive"
echo "RSS after overload:          $(rss)"
