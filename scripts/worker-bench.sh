#!/usr/bin/env bash
# Throughput of the queue worker against `check` on the same photos, and a worker's memory under a
# backlog. Needs redis-server and redis-cli (Debian: redis-server). Usage:
#
#   scripts/worker-bench.sh [PHOTO_DIR] [MESSAGES]      (defaults: sample_photos, 1000)
#
# The photos of PHOTO_DIR are cycled into MESSAGES messages with distinct application ids. Three
# runs on the same backlog: one worker with --concurrency 2, two workers with --concurrency 1,
# and `check --jobs 2` on the same MESSAGES files (all rules in every case). Each time includes
# model loading; the peak resident memory (VmHWM) of each worker is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
photos="${1:-sample_photos}"
messages="${2:-1000}"
bin=target/release/photocheck
cargo build --release --quiet
port=$((20000 + RANDOM % 10000))
work="$(mktemp -d)"
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --logfile "$work/redis.log" --dir "$work"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cli() { redis-cli -p "$port" "$@"; }
until cli ping >/dev/null 2>&1; do sleep 0.1; done

mapfile -t files < <(find "$photos" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort)
[ "${#files[@]}" -gt 0 ] || { echo "no photos in $photos" >&2; exit 2; }
mkdir -p "$work/files"
for ((i = 0; i < messages; i++)); do
  ln -s "$(realpath "${files[i % ${#files[@]}]}")" "$work/files/$(printf '%05d' "$i")-$(basename "${files[i % ${#files[@]}]}")"
done

fill() {
  cli flushall >/dev/null
  for f in "$work"/files/*; do
    cli -x xadd photos '*' id "$(basename "$f")" as_of 2026-11-26 photo < "$f" >/dev/null
  done
}

now() { date +%s.%N; }

run_workers() { # N workers, C threads each
  local n=$1 c=$2 start end pids=() peaks=()
  fill
  start=$(now)
  for ((w = 0; w < n; w++)); do
    "$bin" worker --redis "redis://127.0.0.1:$port" --consumer "bench-$w" --concurrency "$c" --as-of 2026-11-26 >/dev/null 2>&1 &
    pids+=($!)
  done
  while [ "$(cli xlen verdicts)" -lt "$messages" ]; do
    sleep 0.05
  done
  end=$(now)
  for p in "${pids[@]}"; do
    peaks+=("$(awk '/VmHWM/ {print $2 / 1024 " MB"}' "/proc/$p/status")")
    kill -TERM "$p"
  done
  wait
  printf '%-34s %7.2f s  %6.1f photos/s  peak RSS: %s\n' "$n worker(s) x --concurrency $c" \
    "$(echo "$end - $start" | bc)" "$(echo "$messages / ($end - $start)" | bc -l)" "${peaks[*]}"
}

echo "$messages photos from $photos ($(nproc) cores)"
start=$(now)
"$bin" check --jobs 2 --as-of 2026-11-26 --format json "$work"/files/* >/dev/null || true
end=$(now)
printf '%-34s %7.2f s  %6.1f photos/s\n' "check --jobs 2" "$(echo "$end - $start" | bc)" "$(echo "$messages / ($end - $start)" | bc -l)"
run_workers 1 2
run_workers 2 1

# Memory under a backlog: the whole backlog waits in Redis while one worker drains it.
fill
"$bin" worker --redis "redis://127.0.0.1:$port" --concurrency 2 --as-of 2026-11-26 >/dev/null 2>&1 &
pid=$!
peak=0
while [ "$(cli xlen verdicts)" -lt "$messages" ]; do
  now_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  [ "$now_kb" -gt "$peak" ] && peak=$now_kb
  sleep 0.2
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"; wait
echo "one worker draining a $messages-message backlog: RSS sampled max $((peak / 1024)) MB, VmHWM $((hwm / 1024)) MB"
