//! `photocheck calibrate`: fits the learned heads of a profile from an operator's labelled photos.
//!
//! For every label column a head can decide (see [`crate::heads::attributes`]) with enough
//! examples of both classes, it tries each feature set (the face-box or head-crop embedding, the
//! rule's own hand-made signal, or an embedding with the signal) and each L2 strength in k-fold
//! cross-validation, keeps the best by out-of-fold AUC, picks the threshold for the target from
//! those out-of-fold scores, refits on everything and records the provenance.

pub mod fit;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::analysis::AppearanceCrop;
use crate::eval::{label_value, read_labels, EvalError};
use crate::heads::{embedding_feature, Attribute, Head, Inputs, Provenance, EMBEDDING_LEN};
use crate::pipeline::{CheckOptions, Checker};
use crate::report::{Outcome, Verdict};
use fit::{
    auc_and_eer, choose_review_below, choose_threshold, fit_logistic, grouped_stratified_folds, out_of_fold_grid, Standardiser, Target,
};

/// One labelled folder: a labels CSV and the folder its `file` names are relative to.
#[derive(Debug, Clone)]
pub struct LabelledFolder {
    pub labels: PathBuf,
    pub photos: PathBuf,
}

pub struct CalibrateOptions {
    /// Every labelled folder fitted on together.
    pub sources: Vec<LabelledFolder>,
    pub check: CheckOptions,
    pub target: Target,
    pub folds: usize,
    /// k-fold CV is repeated with seeds seed, seed+1, …; each photo's out-of-fold score is the
    /// mean over repeats (one split of a few dozen positives is noisy: ±0.03 AUC).
    pub repeats: usize,
    pub seed: u64,
    /// Fewer examples than this in either class and the column is refused.
    pub min_per_class: usize,
    /// L2 strengths tried per feature set (on standardised features).
    pub l2_grid: Vec<f64>,
    /// When no embedding head beats the check's hand-made signal, keep the base profile's
    /// threshold rather than re-thresholding the signal for the label (useful when the label is
    /// narrower than the rule: "light top" vs the notice's "dark clothing").
    pub keep_hand_thresholds: bool,
    /// Fit each head's review band: p(violation) at or below the lower cut-off passes clearly,
    /// chosen so that at most this share of out-of-fold violations does; between it and the
    /// threshold the photo goes to a person. `None`: no band.
    pub max_false_approve: Option<f64>,
    /// The band's cost limit: at most this share of compliant photos in it (the cut-off moves up
    /// past what `max_false_approve` asked when needed).
    pub max_review_share: f64,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            sources: Vec::new(),
            check: CheckOptions::default(),
            target: Target::Eer,
            folds: 5,
            repeats: 3,
            seed: 20261126,
            min_per_class: 15,
            l2_grid: vec![0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0],
            keep_hand_thresholds: false,
            max_false_approve: None,
            max_review_share: 0.05,
        }
    }
}

/// What one labelled photo contributes: its content hash, the appearance embedding and every
/// check's hand-made measured value.
#[derive(Debug, Clone)]
pub struct Sample {
    pub sha256: String,
    pub embedding: Option<Vec<f32>>,
    /// The crown crop's embedding (see [`crate::analysis::CROWN_CROP_CENTRE_T`]).
    pub crown: Option<Vec<f32>>,
    pub signals: BTreeMap<&'static str, f64>,
}

/// The rows of every labelled folder, each `file` made a path (its folder joined), and the union
/// of their columns in order of first appearance.
pub fn read_sources(sources: &[LabelledFolder]) -> Result<(Vec<BTreeMap<String, String>>, Vec<String>), EvalError> {
    let (mut rows, mut columns) = (Vec::new(), Vec::<String>::new());
    for source in sources {
        for mut row in read_labels(&source.labels)? {
            if let Some(file) = row.get_mut("file") {
                *file = source.photos.join(&*file).display().to_string();
            }
            rows.push(row);
        }
        let header: Vec<String> = csv::Reader::from_path(&source.labels)
            .and_then(|mut r| r.headers().map(|h| h.iter().map(str::to_string).collect()))
            .map_err(|e| EvalError::Labels { path: source.labels.clone(), message: e.to_string() })?;
        for c in header {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    Ok((rows, columns))
}

/// Runs the pipeline over the labelled photos (rows from [`read_sources`]: `file` is a path);
/// `None` for unreadable ones. The checker's profile must have no heads, so that each check
/// reports its hand-made signal.
pub fn collect(checker: &Checker, rows: &[BTreeMap<String, String>], opts: &CalibrateOptions, done: &AtomicUsize) -> Vec<Option<Sample>> {
    rows.par_iter()
        .map(|row| {
            let file = row.get("file").map(String::as_str).unwrap_or("");
            let (report, analysis) = checker.check_path_keeping_analysis(Path::new(file), &opts.check);
            done.fetch_add(1, Ordering::Relaxed);
            if report.verdict == Verdict::Error {
                return None;
            }
            let appearance = analysis.as_ref().and_then(|a| a.appearance.as_ref()).filter(|m| m.crop == AppearanceCrop::HeadCrop);
            let embedding = appearance.map(|m| m.output.embedding.clone());
            let crown = appearance.and_then(|m| m.crown.clone());
            let signals = report
                .checks
                .iter()
                .filter(|c| c.outcome != Outcome::NotAssessed)
                .filter_map(|c| c.measured.map(|m| (c.code, m)))
                .collect();
            Some(Sample { sha256: report.sha256.clone().unwrap_or_default(), embedding, crown, signals })
        })
        .collect()
}

/// The cross-validated record of one feature set.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub inputs: Inputs,
    pub rows: usize,
    pub l2: f64,
    pub cv_auc: f64,
}

#[derive(Debug, Clone)]
pub enum LabelResult {
    Fitted {
        head: Box<Head>,
        candidates: Vec<Candidate>,
    },
    TooFew {
        positives: usize,
        negatives: usize,
    },
    /// No embedding head beat the hand-made signal and the base threshold was kept.
    HandMade {
        signal_auc: f64,
        best_embedding_auc: f64,
    },
    /// A column no head decides (e.g. `eyes_open`, checked by a dedicated measurement).
    Unmapped,
}

/// Fits every mappable label column. Deterministic for the same samples and options.
pub fn fit_heads(
    rows: &[BTreeMap<String, String>],
    samples: &[Option<Sample>],
    columns: &[String],
    opts: &CalibrateOptions,
    labels_file: &str,
    fitted_on: &str,
) -> Vec<(String, LabelResult)> {
    let ignored = ["file", "source", "license", "compliant"];
    columns
        .par_iter()
        .filter(|c| !ignored.contains(&c.as_str()))
        .map(|column| {
            let Some(attr) = crate::heads::attribute(column) else {
                return (column.clone(), LabelResult::Unmapped);
            };
            let labelled: Vec<(&Sample, bool)> = rows
                .iter()
                .zip(samples)
                .filter_map(|(row, s)| Some((s.as_ref()?, label_value(row.get(column.as_str()).map(String::as_str))?)))
                .collect();
            (column.clone(), fit_one(attr, &labelled, opts, labels_file, fitted_on))
        })
        .collect()
}

fn feature_sets(attr: Attribute) -> Vec<Inputs> {
    // Simplest first: ties keep the earlier set.
    let mut sets = Vec::new();
    if attr.has_signal {
        sets.push(Inputs { embedding: false, signal: true, crown: false });
    }
    sets.push(Inputs { embedding: true, signal: false, crown: false });
    if attr.has_signal {
        sets.push(Inputs { embedding: true, signal: true, crown: false });
    }
    if attr.has_crown {
        sets.push(Inputs { embedding: true, signal: false, crown: true });
        if attr.has_signal {
            sets.push(Inputs { embedding: true, signal: true, crown: true });
        }
    }
    sets
}

/// Feature rows for one feature set; photos missing a required feature are left out (a missing
/// signal beside an embedding is filled with the mean, as [`Head::score`] does).
/// Returns the feature rows, their labels, their indices into `labelled`, and the signal mean.
fn design(labelled: &[(&Sample, bool)], code: &str, inputs: Inputs) -> (Vec<Vec<f64>>, Vec<bool>, Vec<usize>, f64) {
    let present: Vec<f64> = labelled.iter().filter_map(|(s, _)| s.signals.get(code).copied()).collect();
    let signal_mean = if present.is_empty() { 0.0 } else { present.iter().sum::<f64>() / present.len() as f64 };
    let (mut x, mut y, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for (index, (s, label)) in labelled.iter().enumerate() {
        let mut row = Vec::new();
        if inputs.embedding {
            match &s.embedding {
                Some(e) if e.len() == EMBEDDING_LEN => row.extend(e.iter().map(|&v| embedding_feature(v) as f64)),
                _ => continue,
            }
        }
        if inputs.uses_crown() {
            match &s.crown {
                Some(e) if e.len() == EMBEDDING_LEN => row.extend(e.iter().map(|&v| embedding_feature(v) as f64)),
                _ => continue,
            }
        }
        if inputs.signal {
            match (s.signals.get(code), inputs.embedding) {
                (Some(v), _) => row.push(*v),
                (None, true) => row.push(signal_mean),
                (None, false) => continue,
            }
        }
        x.push(row);
        y.push(*label);
        rows.push(index);
    }
    (x, y, rows, signal_mean)
}

fn fit_one(attr: Attribute, labelled: &[(&Sample, bool)], opts: &CalibrateOptions, labels_file: &str, fitted_on: &str) -> LabelResult {
    let positives = labelled.iter().filter(|l| l.1).count();
    let negatives = labelled.len() - positives;
    if positives < opts.min_per_class || negatives < opts.min_per_class {
        return LabelResult::TooFew { positives, negatives };
    }
    let k = opts.folds.clamp(2, opts.min_per_class.max(2));
    let mut candidates = Vec::new();
    let mut best: Option<(f64, Inputs, f64, Vec<f64>)> = None;
    // The most examples any feature set could use (photos without a face have no embedding, some
    // photos no measured signal), for the refusal message.
    let mut usable = (0, 0);
    let code = attr.code;
    for inputs in feature_sets(attr) {
        let (x, y, rows, _) = design(labelled, code, inputs);
        let groups: Vec<&str> = rows.iter().map(|&r| labelled[r].0.sha256.as_str()).collect();
        let (pos, neg) = (y.iter().filter(|b| **b).count(), y.iter().filter(|b| !**b).count());
        if pos.min(neg) > usable.0.min(usable.1) {
            usable = (pos, neg);
        }
        if pos < opts.min_per_class || neg < opts.min_per_class {
            continue;
        }
        let z = Standardiser::fit(&x).apply(&x);
        let splits: Vec<Vec<usize>> =
            (0..opts.repeats.max(1)).map(|r| grouped_stratified_folds(&y, &groups, k, opts.seed.wrapping_add(r as u64))).collect();
        // A single feature needs almost no shrinkage; the grid is for the 1280-value embeddings.
        let grid: Vec<f64> = if inputs.embedding { opts.l2_grid.clone() } else { vec![1e-3] };
        let mut oof_by_l2 = vec![vec![0.0; y.len()]; grid.len()];
        for folds in &splits {
            for (oof, scores) in oof_by_l2.iter_mut().zip(out_of_fold_grid(&z, &y, folds, k, &grid)) {
                for (o, s) in oof.iter_mut().zip(scores) {
                    *o += s / splits.len() as f64;
                }
            }
        }
        for (l2, oof) in grid.into_iter().zip(oof_by_l2) {
            let (auc, _) = auc_and_eer(&oof, &y);
            candidates.push(Candidate { inputs, rows: y.len(), l2, cv_auc: auc });
            // Strictly better only: ties keep the simpler set or the weaker shrinkage tried first.
            if best.as_ref().is_none_or(|b| auc > b.0 + 1e-9) {
                best = Some((auc, inputs, l2, oof));
            }
        }
    }
    let Some((cv_auc, inputs, l2, oof)) = best else {
        return LabelResult::TooFew { positives: usable.0, negatives: usable.1 };
    };
    if opts.keep_hand_thresholds && !inputs.embedding {
        let best_embedding_auc = candidates.iter().filter(|c| c.inputs.embedding).map(|c| c.cv_auc).fold(0.0, f64::max);
        return LabelResult::HandMade { signal_auc: round(cv_auc, 4), best_embedding_auc: round(best_embedding_auc, 4) };
    }
    let (x, y, rows, signal_mean) = design(labelled, code, inputs);
    let hashes: Vec<String> = rows.iter().map(|&r| labelled[r].0.sha256.clone()).collect();
    let (nested_auc, nested_eer) = nested_cv(labelled, attr, opts, k);
    let (_, cv_eer) = auc_and_eer(&oof, &y);
    let choice = choose_threshold(&oof, &y, opts.target);
    let band = opts.max_false_approve.map(|a| choose_review_below(&oof, &y, round(choice.threshold, 4), a, opts.max_review_share));
    let standardiser = Standardiser::fit(&x);
    let model = fit_logistic(&standardiser.apply(&x), &y, l2).unstandardised(&standardiser);
    // The design's column order: head-crop embedding, crown embedding, signal.
    let mut weights = model.weights.iter().map(|&w| w as f32);
    let embedding_weights: Vec<f32> = if inputs.embedding { weights.by_ref().take(EMBEDDING_LEN).collect() } else { Vec::new() };
    let crown_weights: Vec<f32> = if inputs.uses_crown() { weights.by_ref().take(EMBEDDING_LEN).collect() } else { Vec::new() };
    let signal_weight = if inputs.signal { model.weights.last().copied().unwrap_or(0.0) } else { 0.0 };
    let best_per_set = |set: Inputs| candidates.iter().filter(|c| c.inputs == set).map(|c| c.cv_auc).fold(f64::NAN, f64::max);
    let alternatives =
        feature_sets(attr).into_iter().map(|s| (s.name().to_string(), round(best_per_set(s), 4))).filter(|(_, a)| a.is_finite()).collect();
    let head = Head {
        inputs,
        threshold: round(choice.threshold, 4),
        review_below: band.map(|b| b.0),
        bias: model.bias,
        signal_mean: if inputs.signal { signal_mean } else { 0.0 },
        signal_weight,
        embedding_weights,
        crown_weights,
        provenance: Provenance {
            labels_file: labels_file.to_string(),
            training_set_sha256: training_set_hash(&hashes, &y),
            fitted_on: fitted_on.to_string(),
            positives: y.iter().filter(|b| **b).count(),
            negatives: y.iter().filter(|b| !**b).count(),
            folds: k,
            repeats: opts.repeats.max(1),
            seed: opts.seed,
            l2,
            cv_auc: round(cv_auc, 4),
            cv_eer: round(cv_eer, 4),
            nested_cv_auc: round(nested_auc, 4),
            nested_cv_eer: round(nested_eer, 4),
            target: opts.target.describe(),
            threshold_tpr: round(choice.tpr, 4),
            threshold_fpr: round(choice.fpr, 4),
            max_false_approve: opts.max_false_approve,
            band_false_approve: band.map(|b| round(b.1, 4)),
            band_review_share: band.map(|b| round(b.2, 4)),
            alternatives,
        },
    };
    LabelResult::Fitted { head: Box::new(head), candidates }
}

/// Cross-validates the whole fitting procedure, choice of feature set and L2 included: in each
/// outer fold the candidates are compared by inner CV on the training part only, the winner is
/// fitted there and scores the held-out photos. The plain CV AUC of the chosen candidate is the
/// best of up to 13 measured on the same folds, so it flatters a little; this one does not.
/// Each outer fold may pick a different L2 and so score on a different scale: AUC and EER are
/// therefore measured per outer fold and averaged (over folds and `repeats` outer splits).
fn nested_cv(labelled: &[(&Sample, bool)], attr: Attribute, opts: &CalibrateOptions, k: usize) -> (f64, f64) {
    let code = attr.code;
    let all_labels: Vec<bool> = labelled.iter().map(|l| l.1).collect();
    let groups: Vec<&str> = labelled.iter().map(|l| l.0.sha256.as_str()).collect();
    let sets: Vec<StandardisedSet> = feature_sets(attr)
        .into_iter()
        .map(|inputs| {
            let (x, y, rows, _) = design(labelled, code, inputs);
            StandardisedSet { inputs, z: Standardiser::fit(&x).apply(&x), y, rows }
        })
        .collect();
    let mut per_fold = Vec::new();
    for repeat in 0..opts.repeats.max(1) {
        // Seeds of their own, so the outer splits are not the plain CV's splits.
        let outer = grouped_stratified_folds(&all_labels, &groups, k, opts.seed.wrapping_add(0x6e65_7374 + repeat as u64));
        for fold in 0..k {
            if let Some(result) = nested_fold(&sets, &groups, &outer, fold, opts, k) {
                per_fold.push(result);
            }
        }
    }
    let n = per_fold.len().max(1) as f64;
    (per_fold.iter().map(|r| r.0).sum::<f64>() / n, per_fold.iter().map(|r| r.1).sum::<f64>() / n)
}

/// One outer fold of [`nested_cv`]: (AUC, EER) on its held-out photos, `None` when no candidate
/// could be fitted or the held-out photos hold one class only.
/// One feature set's standardised rows, labels and indices into the labelled photos.
struct StandardisedSet {
    inputs: Inputs,
    z: Vec<Vec<f64>>,
    y: Vec<bool>,
    rows: Vec<usize>,
}

fn nested_fold(
    sets: &[StandardisedSet],
    groups: &[&str],
    outer: &[usize],
    fold: usize,
    opts: &CalibrateOptions,
    k: usize,
) -> Option<(f64, f64)> {
    let mut best: Option<(f64, usize, f64)> = None;
    for (set, StandardisedSet { inputs, z, y, rows }) in sets.iter().enumerate() {
        let train: Vec<usize> = (0..y.len()).filter(|&i| outer[rows[i]] != fold).collect();
        let (zt, yt): (Vec<Vec<f64>>, Vec<bool>) = train.iter().map(|&i| (z[i].clone(), y[i])).unzip();
        let pos = yt.iter().filter(|b| **b).count();
        if pos < k || yt.len() - pos < k {
            continue;
        }
        let train_groups: Vec<&str> = train.iter().map(|&i| groups[rows[i]]).collect();
        let inner = grouped_stratified_folds(&yt, &train_groups, k, opts.seed);
        let grid: Vec<f64> = if inputs.embedding { opts.l2_grid.clone() } else { vec![1e-3] };
        for (l2, scores) in grid.iter().copied().zip(out_of_fold_grid(&zt, &yt, &inner, k, &grid)) {
            let (auc, _) = auc_and_eer(&scores, &yt);
            if best.as_ref().is_none_or(|b| auc > b.0 + 1e-9) {
                best = Some((auc, set, l2));
            }
        }
    }
    let (_, set, l2) = best?;
    let StandardisedSet { z, y, rows, .. } = &sets[set];
    let (zt, yt): (Vec<Vec<f64>>, Vec<bool>) = (0..y.len()).filter(|&i| outer[rows[i]] != fold).map(|i| (z[i].clone(), y[i])).unzip();
    let model = fit_logistic(&zt, &yt, l2);
    let (scores, truth): (Vec<f64>, Vec<bool>) =
        (0..y.len()).filter(|&i| outer[rows[i]] == fold).map(|i| (fit::sigmoid(model.logit(&z[i])), y[i])).unzip();
    if !truth.iter().any(|b| *b) || truth.iter().all(|b| *b) {
        return None;
    }
    Some(auc_and_eer(&scores, &truth))
}

/// sha256 over the sorted "content-hash label" lines: the same photos and labels give the same
/// hash whatever their file names or order.
fn training_set_hash(hashes: &[String], y: &[bool]) -> String {
    let mut lines: Vec<String> = hashes.iter().zip(y).map(|(h, l)| format!("{h} {}", u8::from(*l))).collect();
    lines.sort();
    let mut hasher = Sha256::new();
    for l in lines {
        hasher.update(l.as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(transparent)]
    Labels(#[from] EvalError),
    #[error("no label column could be fitted: {0}")]
    NothingFitted(String),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Floors file: `[cv_auc]` table of label = minimum out-of-fold AUC: a head's nested CV AUC (the
/// honest one), or a kept hand-made signal's CV AUC. Returns the breaches.
pub fn check_cv_floors(results: &[(String, LabelResult)], path: &Path) -> Result<Vec<String>, EvalError> {
    crate::eval::floor_breaches(path, "cv_auc", |label| {
        results.iter().find(|(l, _)| l == label).and_then(|(_, r)| match r {
            LabelResult::Fitted { head, .. } => Some(head.provenance.nested_cv_auc),
            LabelResult::HandMade { signal_auc, .. } => Some(*signal_auc),
            _ => None,
        })
    })
}

/// The profile `calibrate` writes: it extends the base and adds (or replaces) the fitted heads.
pub fn render_profile(name: &str, base: &str, version: &str, results: &[(String, LabelResult)], command: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Written by `photocheck calibrate`; refit rather than edit the heads by hand.");
    let _ = writeln!(s, "# {command}");
    let _ = writeln!(s, "# Every threshold and severity comes from the base profile; this file adds the learned heads.");
    for (label, r) in results {
        match r {
            LabelResult::Fitted { head, .. } => {
                let p = &head.provenance;
                let _ = writeln!(
                    s,
                    "#   {label:<16} {:<22} CV AUC {:.3} (nested {:.3})  EER {:.3}  threshold {:.3}  TPR {:.3}  FPR {:.3}  ({}+/{}-)",
                    head.inputs.name(),
                    p.cv_auc,
                    p.nested_cv_auc,
                    p.cv_eer,
                    head.threshold,
                    p.threshold_tpr,
                    p.threshold_fpr,
                    p.positives,
                    p.negatives
                );
            }
            LabelResult::TooFew { positives, negatives } => {
                let _ = writeln!(s, "#   {label:<16} not fitted: too few examples ({positives} positive, {negatives} negative)");
            }
            LabelResult::HandMade { signal_auc, best_embedding_auc } => {
                let _ = writeln!(
                    s,
                    "#   {label:<16} hand-made check kept: signal CV AUC {signal_auc:.3} >= best embedding head {best_embedding_auc:.3}"
                );
            }
            LabelResult::Unmapped => {}
        }
    }
    let _ = writeln!(s, "\n[profile]");
    let _ = writeln!(s, "name = {}", toml_string(name));
    let _ = writeln!(s, "version = {}", toml_string(version));
    let _ = writeln!(s, "extends = {}", toml_string(base));
    let _ = writeln!(s, "description = {}", toml_string(&format!("{base} with attribute heads fitted by photocheck calibrate")));
    for (label, r) in results {
        let LabelResult::Fitted { head, .. } = r else { continue };
        let _ = writeln!(s, "\n[heads.{label}]");
        let crown = if head.inputs.crown { ", crown = true" } else { "" };
        let _ = writeln!(s, "inputs = {{ embedding = {}, signal = {}{crown} }}", head.inputs.embedding, head.inputs.signal);
        // `{:?}` keeps a decimal point on whole numbers, so TOML reads them back as floats.
        let _ = writeln!(s, "threshold = {:?}", head.threshold);
        if let Some(below) = head.review_below {
            let _ = writeln!(s, "review_below = {below:?}");
        }
        let _ = writeln!(s, "bias = {:e}", head.bias);
        if head.inputs.signal {
            let _ = writeln!(s, "signal_mean = {:e}", head.signal_mean);
            let _ = writeln!(s, "signal_weight = {:e}", head.signal_weight);
        }
        for (key, weights) in [("embedding_weights", &head.embedding_weights), ("crown_weights", &head.crown_weights)] {
            if weights.is_empty() {
                continue;
            }
            let _ = writeln!(s, "{key} = [");
            for chunk in weights.chunks(8) {
                let line: Vec<String> = chunk.iter().map(|w| format!("{w:.6e}")).collect();
                let _ = writeln!(s, "  {},", line.join(", "));
            }
            let _ = writeln!(s, "]");
        }
        let p = &head.provenance;
        let _ = writeln!(s, "[heads.{label}.provenance]");
        let _ = writeln!(s, "labels_file = {}", toml_string(&p.labels_file));
        let _ = writeln!(s, "training_set_sha256 = \"{}\"", p.training_set_sha256);
        let _ = writeln!(s, "fitted_on = \"{}\"", p.fitted_on);
        let _ = writeln!(
            s,
            "positives = {}\nnegatives = {}\nfolds = {}\nrepeats = {}\nseed = {}\nl2 = {:?}",
            p.positives, p.negatives, p.folds, p.repeats, p.seed, p.l2
        );
        let _ = writeln!(s, "cv_auc = {:?}\ncv_eer = {:?}", p.cv_auc, p.cv_eer);
        let _ = writeln!(s, "nested_cv_auc = {:?}\nnested_cv_eer = {:?}", p.nested_cv_auc, p.nested_cv_eer);
        let _ = writeln!(s, "target = \"{}\"\nthreshold_tpr = {:?}\nthreshold_fpr = {:?}", p.target, p.threshold_tpr, p.threshold_fpr);
        if let (Some(a), Some(passed), Some(review)) = (p.max_false_approve, p.band_false_approve, p.band_review_share) {
            let _ = writeln!(s, "max_false_approve = {a:?}\nband_false_approve = {passed:?}\nband_review_share = {review:?}");
        }
        let alts: Vec<String> = p.alternatives.iter().map(|(n, a)| format!("[\"{n}\", {a:?}]")).collect();
        let _ = writeln!(s, "alternatives = [{}]", alts.join(", "));
    }
    s
}

fn toml_string(v: &str) -> String {
    toml::Value::String(v.to_string()).to_string()
}

/// The whole command: read labels, analyse, fit, write. Returns the per-label results.
pub fn calibrate(
    checker: &Checker,
    opts: &CalibrateOptions,
    done: &AtomicUsize,
    out: &Path,
    name: &str,
    base: &str,
    command: &str,
) -> Result<Vec<(String, LabelResult)>, CalibrateError> {
    let (rows, columns) = read_sources(&opts.sources)?;
    let samples = collect(checker, &rows, opts, done);
    let fitted_on = opts.check.as_of.format("%Y-%m-%d").to_string();
    let labels_files: Vec<String> = opts.sources.iter().map(|s| s.labels.display().to_string()).collect();
    let results = fit_heads(&rows, &samples, &columns, opts, &labels_files.join(" + "), &fitted_on);
    if !results.iter().any(|(_, r)| matches!(r, LabelResult::Fitted { .. } | LabelResult::HandMade { .. })) {
        let why: Vec<String> = results
            .iter()
            .map(|(l, r)| match r {
                LabelResult::TooFew { positives, negatives } => {
                    format!("{l}: {positives} positive / {negatives} negative, need {} of each", opts.min_per_class)
                }
                LabelResult::Unmapped => format!("{l}: no head decides this column"),
                LabelResult::HandMade { .. } => format!("{l}: the hand-made check was kept"),
                LabelResult::Fitted { .. } => String::new(),
            })
            .collect();
        return Err(CalibrateError::NothingFitted(why.join("; ")));
    }
    let version = opts.check.as_of.format("%Y.%m.%d").to_string();
    let text = render_profile(name, base, &version, &results, command);
    std::fs::write(out, text).map_err(|source| CalibrateError::Write { path: out.to_path_buf(), source })?;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 60 photos with made-up embeddings: the label shifts the first 100 values when
    /// `informative`, otherwise the labels are unrelated to every value.
    fn samples(informative: bool) -> Vec<(Sample, bool)> {
        samples_with(informative, false, 0x1234_5678)
    }

    /// As [`samples`], with a crown embedding too; either crop may carry the label.
    fn samples_with(head_informative: bool, crown_informative: bool, seed: u64) -> Vec<(Sample, bool)> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as f32 / (1u64 << 31) as f32
        };
        (0..60)
            .map(|i| {
                let label = i % 2 == 0;
                let mut embedding: Vec<f32> = (0..EMBEDDING_LEN).map(|_| next()).collect();
                let mut crown: Vec<f32> = (0..EMBEDDING_LEN).map(|_| next()).collect();
                for (values, informative) in [(&mut embedding, head_informative), (&mut crown, crown_informative)] {
                    if informative {
                        for v in values.iter_mut().take(100) {
                            *v += if label { 1.0 } else { 0.0 };
                        }
                    }
                }
                let sample = Sample {
                    sha256: format!("{seed:x}{i:056x}"),
                    embedding: Some(embedding),
                    crown: Some(crown),
                    signals: BTreeMap::new(),
                };
                (sample, label)
            })
            .collect()
    }

    fn nested(informative: bool) -> (f64, f64) {
        let owned = samples(informative);
        let labelled: Vec<(&Sample, bool)> = owned.iter().map(|(s, l)| (s, *l)).collect();
        let opts = CalibrateOptions { l2_grid: vec![1.0, 100.0], repeats: 2, ..Default::default() };
        nested_cv(&labelled, headwear(), &opts, 5)
    }

    fn headwear() -> Attribute {
        crate::heads::attribute("headwear").expect("headwear is a head label")
    }

    #[test]
    fn a_label_seen_only_in_the_crown_crop_is_fitted_on_it() {
        assert!(headwear().has_crown);
        let owned = samples_with(false, true, 7);
        let labelled: Vec<(&Sample, bool)> = owned.iter().map(|(s, l)| (s, *l)).collect();
        let opts = CalibrateOptions { l2_grid: vec![1.0, 100.0], repeats: 1, ..Default::default() };
        let LabelResult::Fitted { head, .. } = fit_one(headwear(), &labelled, &opts, "x.csv", "2026-12-02") else { panic!("not fitted") };
        assert_eq!(head.inputs.name(), "embedding+crown");
        assert!(head.validate().is_ok());
        assert!(head.provenance.nested_cv_auc > 0.9, "{:?}", head.provenance);
        // On photos it never saw, the crown crop decides.
        let fresh = samples_with(false, true, 99);
        let score = |s: &Sample| head.score(s.embedding.as_deref(), s.crown.as_deref(), None).expect("scored");
        let (pos, neg): (Vec<_>, Vec<_>) = fresh.iter().partition(|(_, l)| *l);
        let worst_positive = pos.iter().map(|(s, _)| score(s)).fold(1.0, f64::min);
        let best_negative = neg.iter().map(|(s, _)| score(s)).fold(0.0, f64::max);
        assert!(worst_positive > best_negative, "{worst_positive} vs {best_negative}");
        // A label the crown does not carry is not given crown weights.
        let owned = samples_with(true, false, 11);
        let labelled: Vec<(&Sample, bool)> = owned.iter().map(|(s, l)| (s, *l)).collect();
        let LabelResult::Fitted { head, .. } = fit_one(headwear(), &labelled, &opts, "x.csv", "2026-12-02") else { panic!("not fitted") };
        assert_eq!(head.inputs.name(), "embedding", "{:?}", head.provenance.alternatives);
    }

    #[test]
    fn nested_cv_sees_signal_and_no_signal_for_what_they_are() {
        let (auc, _) = nested(true);
        assert!(auc > 0.9, "informative: {auc}");
        let (auc, _) = nested(false);
        assert!((0.25..0.75).contains(&auc), "random labels: {auc}");
    }
}
