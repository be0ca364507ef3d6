//! Accuracy measurement on a labelled folder: AUC, EER and the confusion at the profile's
//! threshold, per label column that maps to a check; and the gate itself against `compliant`:
//! approve / review / reject counts, false-approve, false-reject and review rates, and how often
//! each check failed a compliant photo.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::pipeline::{CheckOptions, Checker};
use crate::report::{CheckResult, Outcome, Report, Verdict};
use crate::rules::Score;

pub struct EvalOptions {
    pub labels: PathBuf,
    pub photos: PathBuf,
    /// The labels column naming each photo (rows with it empty are skipped): `file`, or e.g.
    /// `ready_file` for the licence-ready versions of the London portraits.
    pub file_column: String,
    pub check: CheckOptions,
}

/// Label values that mean the photo breaks the notice, by column. A photo with any of them
/// should never be approved.
const VIOLATIONS: &[(&str, bool)] = &[
    ("mask", true),
    ("headwear", true),
    ("sunglasses", true),
    ("glasses", true),
    ("eyes_open", false),
    ("single_face", false),
    ("white_background", false),
    ("ears_covered", true),
    ("hair_over_brows", true),
    ("clothing_light", true),
    ("hand", true),
    ("mouth_open", true),
    ("expression_ok", false),
    ("pose_ok", false),
    ("accessories", true),
];

/// Violations no check covers in full (jewellery: JW001 sees coloured earrings and the glint of a
/// stud, not matt studs or necklaces): a non-compliant photo whose only violations are these is
/// counted apart, since approving it is mostly a missing check, not a wrong one; `[gate]
/// max_uncovered_only_approved` keeps that count from growing.
const UNCOVERED: &[&str] = &["accessories"];

/// The gate against the `compliant` column.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GateResult {
    pub compliant: VerdictCounts,
    /// Non-compliant photos with at least one violation a check covers.
    pub non_compliant: VerdictCounts,
    /// Non-compliant only through a violation no check covers in full (jewellery).
    pub uncovered_only: VerdictCounts,
    /// Approved non-compliant / non-compliant (uncovered-only rows excluded).
    pub false_approve_rate: f64,
    /// Rejected compliant / compliant.
    pub false_reject_rate: f64,
    /// Compliant photos sent to review / compliant.
    pub compliant_review_rate: f64,
    /// Reviews / all photos judged.
    pub review_rate: f64,
    /// Approved compliant / compliant.
    pub compliant_approve_rate: f64,
    /// Per check code: compliant photos it failed, and compliant photos it sent to review.
    pub failed_compliant: BTreeMap<String, usize>,
    pub review_compliant: BTreeMap<String, usize>,
    /// Per violation column: photos with that violation by verdict.
    pub by_violation: BTreeMap<String, VerdictCounts>,
    /// Non-compliant photos that were approved, with their violations.
    pub false_approvals: Vec<FalseApproval>,
}

/// A non-compliant photo the gate approved.
#[derive(Debug, Clone, Serialize)]
pub struct FalseApproval {
    pub file: String,
    pub violations: Vec<String>,
}

impl FalseApproval {
    fn file_name(&self) -> &str {
        Path::new(&self.file).file_name().and_then(|n| n.to_str()).unwrap_or(&self.file)
    }
}

impl std::fmt::Display for FalseApproval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.file, self.violations.join(", "))
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct VerdictCounts {
    pub approve: usize,
    pub review: usize,
    pub reject: usize,
    pub error: usize,
}

impl VerdictCounts {
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Approve => self.approve += 1,
            Verdict::Review => self.review += 1,
            Verdict::Reject => self.reject += 1,
            Verdict::Error => self.error += 1,
        }
    }
    pub fn total(&self) -> usize {
        self.approve + self.review + self.reject + self.error
    }
}

/// How a label column is read off a report: derived from the checks' declarations
/// (`CodeInfo::eval`), never listed twice.
struct Mapping {
    label: &'static str,
    /// The check whose measured value ranks photos (AUC, EER).
    code: &'static str,
    /// Checks that together decide the label at the profile's thresholds (the confusion).
    decided_by: Vec<&'static str>,
    /// Label 1 means a violation (glasses worn), so "predicted 1" is "some check flags it"
    /// (fail, warn or uncertain); otherwise label 1 is the compliant state (eyes open) and
    /// "predicted 1" is "no check flags it".
    violation: bool,
    score: Score,
}

fn mappings() -> Vec<Mapping> {
    crate::rules::declared()
        .filter_map(|(_, c)| {
            c.eval.map(|e| Mapping {
                label: e.label,
                code: c.code,
                decided_by: std::iter::once(c.code).chain(e.with.iter().copied()).collect(),
                violation: e.violation,
                score: e.score,
            })
        })
        .collect()
}

/// The continuous score of a check, oriented so that higher means the label is more likely 1.
fn score_of(score: Score, c: &CheckResult) -> Option<f64> {
    match score {
        Score::Measured => c.measured,
        // A learned head reports p(violation), which already points the right way.
        Score::LowerIsViolation if c.unit == "probability" => c.measured,
        Score::LowerIsViolation => c.measured.map(|v| -v),
        Score::DistanceFromOne => c.measured.map(|n| -(n - 1.0).abs()),
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Confusion {
    fn add(&mut self, label: bool, predicted: bool) {
        match (label, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }
    pub fn tpr(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    pub fn fpr(&self) -> f64 {
        self.fp as f64 / (self.fp + self.tn).max(1) as f64
    }
    pub fn accuracy(&self) -> f64 {
        (self.tp + self.tn) as f64 / (self.tp + self.tn + self.fp + self.fn_).max(1) as f64
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeResult {
    pub label: String,
    pub code: String,
    pub labelled: usize,
    pub positives: usize,
    pub negatives: usize,
    pub not_assessed: usize,
    pub auc: Option<f64>,
    pub eer: Option<f64>,
    /// At the profile's threshold; "positive" = label value 1.
    pub confusion: Confusion,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalResult {
    pub photos: usize,
    pub unreadable: usize,
    pub profile: String,
    pub attributes: Vec<AttributeResult>,
    /// Positive = compliant (1) / approved.
    pub compliance: Confusion,
    /// The gate's three outcomes against `compliant`, when the labels have that column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateResult>,
    pub mean_ms_per_photo: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read labels {path}: {message}")]
    Labels { path: PathBuf, message: String },
    #[error("cannot read floors {path}: {message}")]
    Floors { path: PathBuf, message: String },
}

/// A label cell: "1" and "0" are the classes; anything else (empty, "?") is unknown.
pub fn label_value(cell: Option<&str>) -> Option<bool> {
    match cell {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

pub fn read_labels(path: &Path) -> Result<Vec<BTreeMap<String, String>>, EvalError> {
    let err = |message: String| EvalError::Labels { path: path.to_path_buf(), message };
    let mut reader = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let headers = reader.headers().map_err(|e| err(e.to_string()))?.clone();
    if !headers.iter().any(|h| h == "file") {
        return Err(err("no 'file' column".into()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| err(e.to_string()))?;
        rows.push(headers.iter().zip(record.iter()).map(|(h, v)| (h.to_string(), v.trim().to_string())).collect());
    }
    Ok(rows)
}

pub fn evaluate(checker: &Checker, opts: &EvalOptions) -> Result<EvalResult, EvalError> {
    let mut rows = read_labels(&opts.labels)?;
    if !rows.iter().any(|r| r.contains_key(&opts.file_column)) {
        return Err(EvalError::Labels { path: opts.labels.clone(), message: format!("no '{}' column", opts.file_column) });
    }
    rows.retain(|r| r.get(&opts.file_column).is_some_and(|f| !f.is_empty()));
    let started = std::time::Instant::now();
    let reports: Vec<Report> =
        rows.par_iter().map(|row| checker.check_path(&opts.photos.join(&row[&opts.file_column]), &opts.check)).collect();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(score(&rows, &reports, &checker.profile.name, elapsed_ms))
}

/// Scores reports against label rows (same order).
pub fn score(rows: &[BTreeMap<String, String>], reports: &[Report], profile: &str, elapsed_ms: f64) -> EvalResult {
    let label_of = |row: &BTreeMap<String, String>, col: &str| label_value(row.get(col).map(String::as_str));
    let mut attributes = Vec::new();
    for m in mappings() {
        if !rows.iter().any(|r| r.contains_key(m.label)) {
            continue;
        }
        let mut scored = Vec::new();
        let mut confusion = Confusion::default();
        let (mut labelled, mut not_assessed) = (0, 0);
        for (row, report) in rows.iter().zip(reports) {
            let Some(label) = label_of(row, m.label) else {
                continue;
            };
            labelled += 1;
            let check = report.check(m.code);
            match check.and_then(|c| if c.outcome == Outcome::NotAssessed { None } else { score_of(m.score, c).map(|s| (c, s)) }) {
                Some((_, s)) => {
                    scored.push((s, label));
                    // Anything short of a clear pass flags the photo: a value in the uncertainty band
                    // sends it to a person, so it is not let through.
                    let flagged = |code: &&str| {
                        report.check(code).is_some_and(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn | Outcome::Uncertain))
                    };
                    let predicted = if m.violation { m.decided_by.iter().any(flagged) } else { !m.decided_by.iter().any(flagged) };
                    confusion.add(label, predicted);
                }
                None => not_assessed += 1,
            }
        }
        let (auc, eer) = auc_eer(&scored);
        attributes.push(AttributeResult {
            label: m.label.to_string(),
            code: m.code.to_string(),
            labelled,
            positives: scored.iter().filter(|s| s.1).count(),
            negatives: scored.iter().filter(|s| !s.1).count(),
            not_assessed,
            auc,
            eer,
            confusion,
        });
    }
    let mut compliance = Confusion::default();
    for (row, report) in rows.iter().zip(reports) {
        if let Some(label) = label_of(row, "compliant") {
            if report.verdict != Verdict::Error {
                compliance.add(label, report.verdict == Verdict::Approve);
            }
        }
    }
    let gate = rows.iter().any(|r| label_of(r, "compliant").is_some()).then(|| gate(rows, reports));
    EvalResult {
        photos: reports.len(),
        unreadable: reports.iter().filter(|r| r.verdict == Verdict::Error).count(),
        profile: profile.to_string(),
        attributes,
        compliance,
        gate,
        mean_ms_per_photo: elapsed_ms / reports.len().max(1) as f64,
    }
}

/// The gate's verdicts against the `compliant` column (rows without it are left out).
fn gate(rows: &[BTreeMap<String, String>], reports: &[Report]) -> GateResult {
    let mut g = GateResult::default();
    for (row, report) in rows.iter().zip(reports) {
        let Some(compliant) = label_value(row.get("compliant").map(String::as_str)) else { continue };
        let violations: Vec<&str> = VIOLATIONS
            .iter()
            .filter(|(col, bad)| label_value(row.get(*col).map(String::as_str)) == Some(*bad))
            .map(|(col, _)| *col)
            .collect();
        for v in &violations {
            g.by_violation.entry(v.to_string()).or_default().add(report.verdict);
        }
        if compliant {
            g.compliant.add(report.verdict);
            for c in &report.checks {
                if c.outcome == Outcome::Fail {
                    *g.failed_compliant.entry(c.code.to_string()).or_default() += 1;
                }
            }
            for code in &report.review {
                *g.review_compliant.entry(code.to_string()).or_default() += 1;
            }
        } else if !violations.is_empty() && violations.iter().all(|v| UNCOVERED.contains(v)) {
            g.uncovered_only.add(report.verdict);
        } else {
            g.non_compliant.add(report.verdict);
            if report.verdict == Verdict::Approve {
                g.false_approvals
                    .push(FalseApproval { file: report.file.clone(), violations: violations.iter().map(|v| v.to_string()).collect() });
            }
        }
    }
    let rate = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let judged = g.compliant.total() + g.non_compliant.total() + g.uncovered_only.total();
    g.false_approve_rate = rate(g.non_compliant.approve, g.non_compliant.total());
    g.false_reject_rate = rate(g.compliant.reject, g.compliant.total());
    g.compliant_review_rate = rate(g.compliant.review, g.compliant.total());
    g.compliant_approve_rate = rate(g.compliant.approve, g.compliant.total());
    g.review_rate = rate(g.compliant.review + g.non_compliant.review + g.uncovered_only.review, judged);
    g
}

impl EvalResult {
    /// Floors file: `[auc]` table of label = minimum AUC, and/or `[gate]` limits (see
    /// [`gate_breaches`]). Returns the breaches.
    pub fn check_floors(&self, path: &Path) -> Result<Vec<String>, EvalError> {
        let err = |message: String| EvalError::Floors { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let parsed: toml::Table = text.parse().map_err(|e: toml::de::Error| err(e.to_string()))?;
        let mut breaches = Vec::new();
        if parsed.contains_key("auc") || !parsed.contains_key("gate") {
            breaches.extend(floor_breaches(path, "auc", |label| self.attributes.iter().find(|a| a.label == label).and_then(|a| a.auc))?);
        }
        if let Some(limits) = parsed.get("gate") {
            let limits: GateFloors = limits.clone().try_into().map_err(|e: toml::de::Error| err(format!("[gate]: {}", e.message())))?;
            breaches.extend(gate_breaches(self.gate.as_ref(), &limits));
        }
        Ok(breaches)
    }
}

/// AUC (Mann–Whitney, ties count half) and equal error rate of scores against labels.
pub fn auc_eer(scored: &[(f64, bool)]) -> (Option<f64>, Option<f64>) {
    let pos = scored.iter().filter(|s| s.1).count();
    let neg = scored.len() - pos;
    if pos == 0 || neg == 0 {
        return (None, None);
    }
    let mut sorted: Vec<(f64, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Rank sum with average ranks for ties.
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[i].0 {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += avg_rank * sorted[i..=j].iter().filter(|s| s.1).count() as f64;
        i = j + 1;
    }
    let auc = (rank_sum_pos - (pos * (pos + 1)) as f64 / 2.0) / (pos * neg) as f64;

    // Sweep thresholds "score >= t means positive" over every distinct score.
    let mut best = (f64::MAX, 0.0);
    let mut thresholds: Vec<f64> = sorted.iter().map(|s| s.0).collect();
    thresholds.dedup();
    thresholds.push(f64::INFINITY);
    for t in thresholds {
        let fnr = sorted.iter().filter(|s| s.1 && s.0 < t).count() as f64 / pos as f64;
        let fpr = sorted.iter().filter(|s| !s.1 && s.0 >= t).count() as f64 / neg as f64;
        let gap = (fnr - fpr).abs();
        if gap < best.0 {
            best = (gap, (fnr + fpr) / 2.0);
        }
    }
    (Some(auc), Some(best.1))
}

/// `[gate]` limits of a floors file. Every field is optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateFloors {
    pub min_compliant_approve: Option<f64>,
    pub max_compliant_review: Option<f64>,
    pub max_false_approve: Option<f64>,
    /// No check may fail more than this share of the compliant photos.
    pub max_check_fail_on_compliant: Option<f64>,
    /// Violation columns whose photos must never be approved.
    #[serde(default)]
    pub never_approved: Vec<String>,
    /// False approvals the floors accept, each named by file with the reason written down: any
    /// other false approval still breaches `max_false_approve` and `never_approved`, and an
    /// accepted one that is no longer approved breaches too, so the list only shrinks.
    #[serde(default)]
    pub accepted_false_approvals: Vec<AcceptedFalseApproval>,
    /// At most this many photos non-compliant only through a violation no check covers in full
    /// (jewellery) may be approved: a regression guard for the partial check.
    pub max_uncovered_only_approved: Option<usize>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedFalseApproval {
    /// File name (no folder) of the photo.
    pub file: String,
    pub reason: String,
}

pub fn gate_breaches(gate: Option<&GateResult>, f: &GateFloors) -> Vec<String> {
    let Some(g) = gate else {
        return vec!["gate: the labels have no 'compliant' column, so the gate could not be measured".into()];
    };
    let mut out = Vec::new();
    if let Some(min) = f.min_compliant_approve {
        if g.compliant_approve_rate < min {
            out.push(format!("gate: compliant approved {:.3} < floor {min:.3}", g.compliant_approve_rate));
        }
    }
    if let Some(max) = f.max_compliant_review {
        if g.compliant_review_rate > max {
            out.push(format!("gate: compliant sent to review {:.3} > limit {max:.3}", g.compliant_review_rate));
        }
    }
    let accepted = |fa: &&FalseApproval| f.accepted_false_approvals.iter().any(|a| a.file == fa.file_name());
    let unaccepted: Vec<&FalseApproval> = g.false_approvals.iter().filter(|fa| !accepted(fa)).collect();
    if let Some(max) = f.max_false_approve {
        let rate = if g.non_compliant.total() == 0 { 0.0 } else { unaccepted.len() as f64 / g.non_compliant.total() as f64 };
        if rate > max {
            let list: Vec<String> = unaccepted.iter().map(|fa| fa.to_string()).collect();
            out.push(format!("gate: false approve {rate:.3} > limit {max:.3} ({})", list.join("; ")));
        }
    }
    if let Some(max) = f.max_check_fail_on_compliant {
        let n = g.compliant.total().max(1) as f64;
        for (code, failed) in &g.failed_compliant {
            if *failed as f64 / n > max {
                out.push(format!("gate: {code} failed {failed} of {} compliant photos (> {max:.3})", g.compliant.total()));
            }
        }
    }
    for label in &f.never_approved {
        let approved = unaccepted.iter().filter(|fa| fa.violations.iter().any(|v| v == label)).count();
        if approved > 0 {
            out.push(format!("gate: {approved} photo(s) labelled {label} approved"));
        }
    }
    if let Some(max) = f.max_uncovered_only_approved {
        if g.uncovered_only.approve > max {
            out.push(format!(
                "gate: {} photo(s) non-compliant only through {} approved (> {max})",
                g.uncovered_only.approve,
                UNCOVERED.join(", ")
            ));
        }
    }
    for a in &f.accepted_false_approvals {
        if !g.false_approvals.iter().any(|fa| fa.file_name() == a.file) {
            out.push(format!("gate: {} is accepted as a false approval but was not approved: remove it from the floors", a.file));
        }
    }
    out
}

/// Reads the `[table]` of label = minimum AUC from a floors file and lists every label whose
/// measured AUC (`auc_of`) is missing or below its floor.
pub fn floor_breaches(path: &Path, table: &str, auc_of: impl Fn(&str) -> Option<f64>) -> Result<Vec<String>, EvalError> {
    let err = |message: String| EvalError::Floors { path: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let parsed: toml::Table = text.parse().map_err(|e: toml::de::Error| err(e.to_string()))?;
    let floors = parsed.get(table).and_then(|v| v.as_table()).ok_or_else(|| err(format!("missing [{table}] table")))?;
    let mut breaches = Vec::new();
    for (label, floor) in floors {
        let floor = floor.as_float().ok_or_else(|| err(format!("{label}: floor must be a number")))?;
        match auc_of(label) {
            Some(auc) if auc >= floor => {}
            Some(auc) => breaches.push(format!("{label}: {table} {auc:.3} < floor {floor:.3}")),
            None => breaches.push(format!("{label}: no {table} measured (floor {floor:.3})")),
        }
    }
    Ok(breaches)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate_with(false_approvals: &[(&str, &[&str])], non_compliant: usize) -> GateResult {
        let mut g = GateResult::default();
        g.non_compliant.approve = false_approvals.len();
        g.non_compliant.reject = non_compliant - false_approvals.len();
        g.false_approvals = false_approvals
            .iter()
            .map(|(file, v)| FalseApproval { file: format!("photos/{file}"), violations: v.iter().map(|s| s.to_string()).collect() })
            .collect();
        g
    }

    #[test]
    fn an_accepted_false_approval_is_tolerated_by_name_only_and_must_stay_approved() {
        let floors = GateFloors {
            max_false_approve: Some(0.0),
            never_approved: vec!["mouth_open".into()],
            accepted_false_approvals: vec![AcceptedFalseApproval { file: "a.jpg".into(), reason: "r".into() }],
            ..GateFloors::default()
        };
        assert!(gate_breaches(Some(&gate_with(&[("a.jpg", &["mouth_open"])], 10)), &floors).is_empty());
        let other = gate_breaches(Some(&gate_with(&[("a.jpg", &["mouth_open"]), ("b.jpg", &["mouth_open"])], 10)), &floors);
        assert_eq!(other.len(), 2, "{other:?}");
        assert!(other.iter().all(|b| !b.contains("a.jpg")), "{other:?}");
        let gone = gate_breaches(Some(&gate_with(&[], 10)), &floors);
        assert!(gone.len() == 1 && gone[0].contains("remove it"), "{gone:?}");
    }

    #[test]
    fn approvals_of_uncovered_only_photos_are_capped_when_the_floors_say_so() {
        let mut g = gate_with(&[], 10);
        g.uncovered_only.approve = 2;
        assert!(gate_breaches(Some(&g), &GateFloors::default()).is_empty(), "no cap, no breach");
        let capped = GateFloors { max_uncovered_only_approved: Some(1), ..GateFloors::default() };
        let breaches = gate_breaches(Some(&g), &capped);
        assert!(breaches.len() == 1 && breaches[0].contains("accessories"), "{breaches:?}");
        g.uncovered_only.approve = 1;
        assert!(gate_breaches(Some(&g), &capped).is_empty());
    }

    #[test]
    fn auc_of_perfect_random_and_inverted_scores() {
        let perfect = [(0.1, false), (0.2, false), (0.8, true), (0.9, true)];
        assert_eq!(auc_eer(&perfect), (Some(1.0), Some(0.0)));
        let inverted = [(0.9, false), (0.8, false), (0.2, true), (0.1, true)];
        assert_eq!(auc_eer(&inverted).0, Some(0.0));
        let tied = [(0.5, false), (0.5, true)];
        assert_eq!(auc_eer(&tied).0, Some(0.5));
        assert_eq!(auc_eer(&[(0.5, true)]), (None, None));
    }
}
