#!/usr/bin/env bash
# Side by side on this machine: the Python + onnxruntime peer (../shared/peers, the same model
# chain without rules) against `photocheck check` with every rule, both using every core, on the
# upload corpus (120 photos at 600x800) and the phone corpus (20 at 3024x4032) the peer's
# make_corpus.py makes from the dev photos. Whole process (model load included), median of 3.
# Needs ../shared (not in a fresh clone) and python3 with venv; writes under target/peer/.
#   scripts/compare-peer.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
runs="${1:-3}"
[ -d "$shared/peers" ] || { echo "needs $shared/peers"; exit 2; }
work=target/peer
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet onnxruntime numpy pillow
fi
[ -d "$work/corpus/upload" ] || "$work/venv/bin/python" "$shared/peers/make_corpus.py" "$shared/dev-photos" "$work/corpus" >/dev/null
cargo build --release --quiet
bin=target/release/photocheck

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

printf '%-8s %6s %12s %12s %12s %10s\n' corpus photos peer_s "peer+text_s" photocheck_s ratio
for corpus in upload phone; do
  files=("$work"/corpus/"$corpus"/*.jpg)
  n=${#files[@]}
  peer=$(for _ in $(seq "$runs"); do seconds "$work/venv/bin/python" "$shared/peers/ort_chain.py" "$shared/models" "${files[@]}" --procs 2; done | median)
  peer_text=$(for _ in $(seq "$runs"); do seconds "$work/venv/bin/python" "$shared/peers/ort_chain.py" "$shared/models" "${files[@]}" --procs 2 --text 192; done | median)
  ours=$(for _ in $(seq "$runs"); do seconds "$bin" check --as-of 2026-11-25 --format json "${files[@]}"; done | median)
  printf '%-8s %6d %12.2f %12.2f %12.2f %9.2fx\n' "$corpus" "$n" "$peer" "$peer_text" "$ours" "$(echo "$peer / $ours" | bc -l)"
done
