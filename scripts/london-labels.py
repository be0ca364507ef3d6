#!/usr/bin/env python3
"""Turns ../shared/london-dev/labels.csv into a labels file `photocheck calibrate` can fit on: one
row per licence-ready portrait (`file` = the `ready_file` column, relative to london-dev/ready), with
the head labels the studio set implies. Standard library only.

    scripts/london-labels.py ../shared/london-dev/labels.csv OUT.csv [--persons even|odd|all] [--folder ready|raw]

The London set has no hats, masks or sunglasses (studio portraits taken for research, every one
looked at), so headwear, mask and sunglasses are 0 on every row; glasses, eyes_open, ears_covered
and hair_over_brows come from the labeller's columns. `--persons even|odd` keeps the people with an
even or odd number only (both photos of a person always on the same side): the two halves are how
the gate is measured out of sample (fit the heads on one half, judge the gate on the other).
`--folder raw` lists the 96 studio originals instead (`file` relative to london-dev/raw) with the
absent attributes only (headwear, mask, sunglasses 0): the same people before ID framing, which
the shipped heads also see as negatives (short-cropped hair on the crown crop is not a cap). The
labeller's columns are left out there: fitted on the originals too, the hair_over_brows head sent
3 of the 42 compliant ready portraits to review.
"""
import argparse
import csv

parser = argparse.ArgumentParser()
parser.add_argument("labels")
parser.add_argument("out")
parser.add_argument("--persons", choices=["even", "odd", "all"], default="all")
parser.add_argument("--folder", choices=["ready", "raw"], default="ready")
args = parser.parse_args()
column = "ready_file" if args.folder == "ready" else "file"

CARRIED = ["compliant", "glasses", "eyes_open", "ears_covered", "hair_over_brows"]
ABSENT = ["headwear", "mask", "sunglasses"]
with open(args.labels, newline="") as f:
    rows = [r for r in csv.DictReader(f) if r.get(column)]
kept = []
for row in rows:
    person = int(row["file"].split("_")[0])
    if args.persons != "all" and (person % 2 == 0) != (args.persons == "even"):
        continue
    out = {"file": row[column], "person": f"{person:03}"}
    if args.folder == "ready":
        out.update({c: row[c] for c in CARRIED})
    out.update({c: "0" for c in ABSENT})
    kept.append(out)
with open(args.out, "w", newline="") as f:
    carried = CARRIED if args.folder == "ready" else []
    writer = csv.DictWriter(f, fieldnames=["file", "person"] + carried + ABSENT)
    writer.writeheader()
    writer.writerows(kept)
print(f"{len(kept)} {args.folder} portraits ({args.persons} persons)")
