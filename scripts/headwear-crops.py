#!/usr/bin/env python3
"""Which appearance-network crop should the headwear head read? (issue 17)

Reads the embeddings `examples/appearance_map.rs` dumped (head crop, crown crop, then any HATS
crops) and prints, per feature set, the nested-CV AUC of a logistic head (L2 chosen by inner CV,
folds grouped by content hash, as `photocheck calibrate` does) and how many eyewear/mask photos
without headwear score above the out-of-fold EER threshold.

    HATS="-0.1:1.0" cargo run --release --example appearance_map -- /tmp/crops \
        ../shared/dev-photos/*.* ../shared/dev-photos-extra/*.* ../shared/london-dev/ready/*.jpg \
        ../shared/london-dev/raw/*.jpg
    python3 scripts/headwear-crops.py /tmp/crops [LABEL] [--hard-negative-cost C] [--signals TSV]
        # needs numpy and scikit-learn; C: weight of the eyewear/mask photos without the label
        # in the fit (hard negatives; 1 = as calibrate fits). Measured 2026-12-03 on head + crown,
        # 1018 photos: C 1 -> 2 nested AUC 0.960 -> 0.959, pooled EER 0.126 -> 0.109, eyewear/mask
        # flagged at the EER cut 86.3 -> 59.0 of 340; calibrate with C 2 gave nested 0.964 -> 0.959
        # and a short-cropped London head failing HW001 again, so calibrate does not weight.

--signals TSV adds the hand-made head features of `examples/headwear_probe.rs` (forehead, crown
and the band above the forehead as skin shares, the crown's texture and brightness against the
skin, the person's height above the forehead, the frame cutting it, person beyond the crown's
sides) and compares head + crown, the features alone, and head + crown + features. Measured
2026-12-04: nested AUC 0.960, 0.790, 0.961; eyewear/mask flagged 86.3, 151.7, 85.0 of 340.

Each extra crop (HATS, then PAINT) is tried alone, beside the head crop, beside the crown crop
and beside both. With PAINT="-0.12:0.12,-0.12:1.3" (2026-12-04, stop 36, folds by content hash):
crown + the head crop painted from the brows down gave nested AUC 0.965, pooled EER 0.098,
eyewear/mask flagged 56.3 of 340 (head + crown: 0.960, 0.126, 86.3). Stop 37 groups a London
person's photos in one fold and counts the studio portraits over the cut: see the README's
headwear section for why the painted crop is still not shipped.
--mirror reads a dump made with MIRROR=1 (the last two crops are the head and crown crops' mirror
images) and compares the plain crops, their mirrors, each averaged with its mirror, and a fit on
both readings scored as their mean logit. Measured 2026-12-06 (stop 56), 1018 photos, London
persons grouped (the analysis built with the averages and the heads refit by `calibrate` gave
nested AUC headwear 0.964 -> 0.967; not kept, see the README's headwear section):

    head + crown                              nested AUC 0.966, EER 0.100, eyewear/mask 69.3/340, London 0.7/179
    head + crown mirrored                     0.967, 0.094, 61.3, 2.3
    head + crown mirror-averaged              0.969, 0.092, 61.0, 2.3 (042 only: 042_03, its ready twin, 042_08)
    head + crown fit on both (mean logit)     0.969, 0.095, 64.0, 2.3
    ears_covered, head crop → mirror-averaged 0.943 → 0.950 (web photos only: 140)
    glasses, head crop → mirror-averaged      0.986 → 0.987, EER 0.051 → 0.048

`--only "head + crown,crown + extra crop 1"` runs just those sets (about 4 min each).

London portraits count as headwear/mask/sunglasses 0 (the studio set has none); their folds group
a person's photos (neutral and smiling, ready and original), so a twin never sits on the other
side.
"""
import csv
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedGroupKFold

args = sys.argv[1:]
signals_tsv = None
if "--signals" in args:
    at = args.index("--signals")
    signals_tsv = args[at + 1]
    del args[at : at + 2]
cost = 1.0
if "--hard-negative-cost" in args:
    at = args.index("--hard-negative-cost")
    cost = float(args[at + 1])
    del args[at : at + 2]
mirror = "--mirror" in args
if mirror:
    args.remove("--mirror")
only = []
if "--only" in args:
    at = args.index("--only")
    only = args[at + 1].split(",")
    del args[at : at + 2]
prefix = args[0]
label = args[1] if len(args) > 1 else "headwear"
shared = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
index = [line.rstrip("\n").split("\t") for line in open(prefix + ".txt")]
crops = int(index[0][2]) if index else 0
emb = np.fromfile(prefix + ".f32", dtype="<f4").reshape(len(index), crops, 1280)
labels = {}
for folder in ["dev-photos", "dev-photos-extra"]:
    for row in csv.DictReader(open(os.path.join(shared, folder, "labels.csv"))):
        labels[os.path.realpath(os.path.join(shared, folder, row["file"]))] = row
keep, y, groups, rows = [], [], [], []
for i, (path, sha, _, on_mesh) in enumerate(index):
    if "london-dev" in path:
        row = {k: "0" for k in ("headwear", "mask", "sunglasses")}
    else:
        row = labels.get(os.path.realpath(path), {})
    value = row.get(label, "")
    if value in ("0", "1") and on_mesh == "1":
        # A London person's photos (neutral and smiling, ready and original) stay on one side.
        person = os.path.basename(path).removeprefix("id_")[:3] if "london-dev" in path else None
        group = f"london-{person}" if person else sha
        keep.append(i), y.append(int(value)), groups.append(group), rows.append(row)
y = np.array(y)
_, groups = np.unique(groups, return_inverse=True)
features = np.sqrt(np.maximum(emb[keep], 0))
if mirror:
    # MIRROR=1 dumps: the last two crops are the head and crown crops' mirror images. Each
    # embedding averaged with its mirror's (before the square root, as the analysis would).
    both = np.maximum(emb[keep], 0)
    averaged = np.sqrt((both[:, :2] + both[:, crops - 2 :]) / 2)
    sets = {
        "head crop": features[:, 0],
        "head crop mirror-averaged": averaged[:, 0],
        "head + crown": features[:, :2].reshape(len(y), -1),
        "head + crown mirrored": features[:, crops - 2 :].reshape(len(y), -1),
        "head + crown mirror-averaged": averaged.reshape(len(y), -1),
        # Both readings as training rows (the mirror as more data), scored as their mean logit.
        "head + crown fit on both (mean logit)": (features[:, :2].reshape(len(y), -1), features[:, crops - 2 :].reshape(len(y), -1)),
    }
    crops = 2
else:
    sets = {}
sets = sets or {"head crop": features[:, 0], "crown crop": features[:, 1], "head + crown": features[:, :2].reshape(len(y), -1)}
for k in range(2, crops):
    sets[f"head + extra crop {k - 1}"] = features[:, [0, k]].reshape(len(y), -1)
    sets[f"extra crop {k - 1}"] = features[:, k]
    sets[f"crown + extra crop {k - 1}"] = features[:, [1, k]].reshape(len(y), -1)
    sets[f"head + crown + extra crop {k - 1}"] = features[:, [0, 1, k]].reshape(len(y), -1)
if signals_tsv:
    # Hand-made head features from `examples/headwear_probe.rs` (one row per photo), appended to
    # the crops' embeddings: which of them add to the network's view of the head?
    regions = ["crown", "crown_low", "side_l", "side_r", "forehead", "brim_l", "brim_r"]
    stats = ["inside", "person", "skin", "y", "cb", "cr", "mad"]
    probe = {}
    for line in open(signals_tsv):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 6 or parts[1] == "NA":
            continue
        v = list(map(float, parts[1:]))
        r = {"skin_y": v[0], "height": v[3], "cut": v[4]}
        for k, region in enumerate(regions):
            for j, stat in enumerate(stats):
                r[f"{region}.{stat}"] = v[5 + 7 * k + j]
        probe[os.path.realpath(parts[0])] = [
            r["forehead.skin"], r["crown_low.skin"], r["crown.skin"], r["crown.mad"],
            (r["crown.y"] + 10) / (r["skin_y"] + 10), r["height"], r["cut"],
            max(r["brim_l.person"], r["brim_r.person"]),
        ]
    paths = [os.path.realpath(index[i][0]) for i in keep]
    have = np.array([p in probe for p in paths])
    print(f"signals for {have.sum()} of {len(paths)} photos")
    # A region off the image has no median: 0, as for a photo the probe could not read.
    sig = np.nan_to_num(np.array([probe.get(p, [np.nan] * 8) for p in paths], dtype=float))
    sets = {"head + crown": sets["head + crown"], "signals alone": sig, "head + crown + signals": np.hstack([sets["head + crown"], sig])}
covered = np.array([any(r.get(k) == "1" for k in ("glasses", "sunglasses", "mask")) for r in rows]) & (y == 0)
london = np.array(["london-dev" in index[i][0] for i in keep])
if only:
    sets = {k: v for k, v in sets.items() if k in only}
weight = np.where(covered, cost, 1.0)
print(f"{label}: {len(y)} photos, {y.sum()} positive; {covered.sum()} eyewear/mask photos without it (weight {cost})")


class Pair:
    """Two feature matrices indexed together, so the loop below can treat a pair like one."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def __getitem__(self, i):
        return Pair(self.a[i], self.b[i])


def fit_score(xtr, ytr, wtr, xte, l2):
    if isinstance(xtr, Pair):
        # (plain, mirrored): fit on both, score the mean of the two logits.
        both = fit_score_plain(np.vstack([xtr.a, xtr.b]), np.concatenate([ytr, ytr]), np.concatenate([wtr, wtr]), np.vstack([xte.a, xte.b]), l2)
        a, b = both.reshape(2, -1)
        return (a + b) / 2
    return fit_score_plain(xtr, ytr, wtr, xte, l2)


def fit_score_plain(xtr, ytr, wtr, xte, l2):
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
    model = LogisticRegression(C=1.0 / l2, max_iter=3000).fit((xtr - mu) / sd, ytr, sample_weight=wtr)
    return model.decision_function((xte - mu) / sd)


def folds(labels_, groups_, k, seed):
    return StratifiedGroupKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(labels_)), labels_, groups_)


for name, x in sets.items():
    if isinstance(x, tuple):
        x = Pair(*x)
    aucs, flagged, eers, studio = [], [], [], []
    studio_scores = np.zeros(len(y))
    for repeat in range(3):
        pooled = np.zeros(len(y))
        for train, test in folds(y, groups, 5, repeat):
            best = None
            for l2 in [0.1, 1, 10, 100, 1000, 10000]:
                inner = np.zeros(len(train))
                for itr, ite in folds(y[train], groups[train], 4, 100 + repeat):
                    inner[ite] = fit_score(x[train][itr], y[train][itr], weight[train][itr], x[train][ite], l2)
                auc = roc_auc_score(y[train], inner)
                if best is None or auc > best[0]:
                    best = (auc, l2)
            pooled[test] = fit_score(x[train], y[train], weight[train], x[test], best[1])
            aucs.append(roc_auc_score(y[test], pooled[test]))
        fpr, tpr, cut = roc_curve(y, pooled)
        at = np.argmin(abs(fpr - (1 - tpr)))
        flagged.append((pooled[covered] >= cut[at]).sum())
        studio.append((pooled[london] >= cut[at]).sum())
        # How far over the cut each studio portrait scored (logit margin), summed over repeats.
        studio_scores += pooled - cut[at]
        eers.append((fpr[at] + 1 - tpr[at]) / 2)
    print(f"{name:22s} nested AUC {np.mean(aucs):.3f} ± {np.std(aucs):.3f}  EER (pooled) {np.mean(eers):.3f}  eyewear/mask flagged at the EER cut {np.mean(flagged):.1f}/{covered.sum()}, London studio portraits {np.mean(studio):.1f}/{london.sum()}")
    top = np.argsort(-np.where(london, studio_scores, -np.inf))[:5]
    print("    London closest to the cut: " + ", ".join(f"{os.path.basename(index[keep[i]][0])} {studio_scores[i] / 3:+.2f}" for i in top))
