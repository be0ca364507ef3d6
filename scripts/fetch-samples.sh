#!/usr/bin/env bash
# Extracts the public-domain sample portraits from their PyPI wheels into sample_photos/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip download --quiet --no-deps --only-binary=:all: 'matplotlib==3.11.2' 'scikit-image==0.26.0' -d "$work"
python3 - "$work" "$root/sample_photos" <<'PY'
import glob, sys, zipfile
work, dest = sys.argv[1], sys.argv[2]
for pattern, member, name in [("matplotlib-*.whl", "matplotlib/mpl-data/sample_data/grace_hopper.jpg", "grace_hopper.jpg"),
                              ("scikit_image-*.whl", "skimage/data/astronaut.png", "astronaut.png")]:
    wheel = glob.glob(f"{work}/{pattern}")[0]
    with zipfile.ZipFile(wheel) as z, open(f"{dest}/{name}", "wb") as out:
        out.write(z.read(member))
PY
(cd "$root/sample_photos" && sha256sum grace_hopper.jpg astronaut.png)
