#!/usr/bin/env python3
"""Splits a labels.csv into a fitting part and a held-out part by photo content (sha256), so
copies of one photo never sit on both sides. Standard library only.

    scripts/split-labels.py LABELS.csv PHOTOS_DIR OUT_DIR [--held-every 3]

Writes OUT_DIR/fit.csv and OUT_DIR/held.csv (same columns). A photo goes to held.csv when the
first 32 bits of its sha256 are divisible by --held-every (default 3: about a third). Used for the
before/after of refitting the heads (calibrate on dev + fit.csv, eval both profiles on held.csv).
"""
import argparse
import csv
import hashlib
import os

parser = argparse.ArgumentParser()
parser.add_argument("labels")
parser.add_argument("photos")
parser.add_argument("out")
parser.add_argument("--held-every", type=int, default=3)
args = parser.parse_args()

with open(args.labels, newline="") as f:
    reader = csv.DictReader(f)
    fields = reader.fieldnames
    rows = list(reader)
fit, held = [], []
for row in rows:
    with open(os.path.join(args.photos, row["file"]), "rb") as photo:
        digest = hashlib.sha256(photo.read()).hexdigest()
    (held if int(digest[:8], 16) % args.held_every == 0 else fit).append(row)
os.makedirs(args.out, exist_ok=True)
for name, part in (("fit.csv", fit), ("held.csv", held)):
    with open(os.path.join(args.out, name), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(part)
print(f"{len(fit)} to fit, {len(held)} held out")
