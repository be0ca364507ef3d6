//! decode → analyse → rules → report. The one entry point every front end calls.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::analysis::{analyse, Analysis};
use crate::decode::{decode, DecodeLimits};
use crate::error::{InputError, ModelError};
use crate::models::ModelSet;
use crate::profile::Profile;
use crate::report::*;
use crate::rules::{Context, Finding, REGISTRY};

/// Per-request options.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// The date the photo is judged on (the 6-month rule); "now" for live checks.
    pub as_of: DateTime<Utc>,
    pub lang: Lang,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { as_of: Utc::now(), lang: Lang::ZhCn }
    }
}

/// Models and profile, loaded once and shared by every thread.
#[derive(Clone)]
pub struct Checker {
    pub models: Arc<ModelSet>,
    pub profile: Arc<Profile>,
    pub limits: DecodeLimits,
}

impl Checker {
    pub fn new(models: Arc<ModelSet>, profile: Arc<Profile>) -> Checker {
        Checker { models, profile, limits: DecodeLimits::default() }
    }

    /// Checks a file; unreadable files give an error report, never an `Err`.
    pub fn check_path(&self, path: &Path, opts: &CheckOptions) -> Report {
        self.check_path_keeping_analysis(path, opts).0
    }

    pub fn check_bytes(&self, name: &str, bytes: &[u8], opts: &CheckOptions) -> Report {
        self.check_bytes_keeping_analysis(name, bytes, opts).0
    }

    /// Like [`Checker::check_path`], also handing back the analysis (for drawing annotated
    /// thumbnails without decoding the photo twice).
    pub fn check_path_keeping_analysis(&self, path: &Path, opts: &CheckOptions) -> (Report, Option<Analysis>) {
        let name = path_name(path);
        match read_regular_file(path, self.limits.max_file_bytes) {
            Ok(bytes) => self.check_bytes_keeping_analysis(&name, &bytes, opts),
            Err(err) => (self.error_report(&name, None, &err, opts), None),
        }
    }

    pub fn check_bytes_keeping_analysis(&self, name: &str, bytes: &[u8], opts: &CheckOptions) -> (Report, Option<Analysis>) {
        self.check_bytes_until(name, bytes, opts, None)
    }

    /// Like [`Checker::check_bytes`], but gives up at the first stage boundary past `deadline`
    /// (an error report of kind `timeout`), so a caller that has stopped waiting does not keep a
    /// worker busy with the rest of the analysis.
    pub fn check_bytes_within(&self, name: &str, bytes: &[u8], opts: &CheckOptions, deadline: Instant) -> Report {
        self.check_bytes_until(name, bytes, opts, Some(deadline)).0
    }

    fn check_bytes_until(&self, name: &str, bytes: &[u8], opts: &CheckOptions, deadline: Option<Instant>) -> (Report, Option<Analysis>) {
        let started = Instant::now();
        let late = || deadline.is_some_and(|d| Instant::now() >= d);
        let timed_out = |stage: &str| self.failure(name, None, "timeout", format!("the time budget ran out {stage}"), opts);
        if late() {
            return (timed_out("before the check started"), None);
        }
        let sha = hex_sha256(bytes);
        let photo = match decode(bytes, &self.limits) {
            Ok(p) => p,
            Err(e) => return (self.error_report(name, Some(sha), &e, opts), None),
        };
        if late() {
            return (timed_out("after decoding"), None);
        }
        let decode_ms = started.elapsed().as_secs_f64() * 1000.0;
        let analysis = match analyse(&self.models, photo) {
            Ok(a) => a,
            Err(e) => return (self.model_error_report(name, Some(sha), &e, opts), None),
        };
        let mut report = self.judge(name, Some(sha), &analysis, opts);
        report.timings_ms.decode_ms = decode_ms;
        report.timings_ms.total_ms = started.elapsed().as_secs_f64() * 1000.0;
        (report, Some(analysis))
    }

    /// Checks the upload, and crops it to the profile's geometry when that can help: when it was
    /// approved (the crop is the archive-size photo) or when nothing but its framing (the
    /// geometry checks, the aspect ratio) kept it from approval. The crop is re-checked as a
    /// photo of its own; the report's `crop` says what came of it, and the crop's JPEG (at
    /// `size`, EXIF capture date only) comes back when its re-check approves it.
    pub fn check_and_crop(&self, name: &str, bytes: &[u8], opts: &CheckOptions, size: (u32, u32)) -> (Report, Option<Vec<u8>>) {
        let (mut report, analysis) = self.check_bytes_keeping_analysis(name, bytes, opts);
        let Some(a) = analysis else { return (report, None) };
        let jpeg = self.crop_checked(&mut report, &a, bytes, opts, size);
        (report, jpeg)
    }

    /// The crop half of [`Checker::check_and_crop`], for a photo already checked (`report`,
    /// `a`, from `bytes`): fills `report.crop` and returns the crop's JPEG when it is approved.
    pub fn crop_checked(&self, report: &mut Report, a: &Analysis, bytes: &[u8], opts: &CheckOptions, size: (u32, u32)) -> Option<Vec<u8>> {
        let framing_only = report
            .checks
            .iter()
            .filter(|c| c.mandatory && c.outcome != Outcome::Pass)
            .all(|c| c.rule == crate::rules::geometry::SPEC.family || c.code == crate::rules::image_quality::IQ002);
        if !framing_only || report.verdict == Verdict::Error {
            return None;
        }
        let geometry = crate::crop::geometry_config(&self.profile)?;
        let plan = crate::crop::plan(a, &geometry, size.0 as f64 / size.1.max(1) as f64);
        let rect = match plan {
            None => return None,
            Some(crate::crop::CropPlan::NoRoom(sides)) => {
                report.crop = Some(CropSummary {
                    status: CropStatus::NoRoom,
                    rect: None,
                    output: None,
                    verdict: None,
                    failed: Vec::new(),
                    review: Vec::new(),
                    message: crate::crop::no_room_advice(&sides).get(opts.lang).to_string(),
                    sides,
                    jpeg_base64: None,
                });
                return None;
            }
            Some(crate::crop::CropPlan::Fits(rect)) => rect,
        };
        // The upload decoded again (a few ms) rather than kept: the analysis works on a smaller copy.
        let Ok(photo) = decode(bytes, &self.limits) else { return None };
        let date = photo.exif.capture_date.as_ref().map(|d| d.local.format("%Y:%m:%d %H:%M:%S").to_string());
        let cut = crate::crop::cut(&photo.rgb, rect);
        // The archive JPEG carries no profile: it holds the colours shown.
        let cut = match &photo.colour {
            Some(conversion) => conversion.apply(&cut).ok()?,
            None => cut,
        };
        drop(photo);
        // Re-checked at the cut's own resolution (the archive size is below the upload minimum).
        let after = self.check_bytes(&report.file.clone(), &crate::crop::encode_jpeg(&cut, date.as_deref()), opts);
        let approved = after.verdict == Verdict::Approve;
        let status = match (approved, report.verdict == Verdict::Approve) {
            (true, true) => CropStatus::Normalised,
            (true, false) => CropStatus::Fixable,
            (false, _) => CropStatus::NotFixed,
        };
        let message = match status {
            CropStatus::Fixable => Text::new(
                "构图可自动修正：已按规格裁剪，裁剪后的照片合格",
                "The framing can be fixed: cropped to the specification, the cropped photo passes",
            ),
            CropStatus::Normalised => Text::new("已按规格裁剪为档案照片尺寸", "Cropped to the archive photo's size"),
            _ => Text::new("裁剪后的照片仍不合格：请按提示重新拍摄", "The cropped photo still does not pass: retake the photo as advised"),
        };
        report.crop = Some(CropSummary {
            status,
            rect: Some(rect),
            output: approved.then_some(CropSize { width: size.0, height: size.1 }),
            verdict: Some(after.verdict),
            failed: after.failed.clone(),
            review: after.review.clone(),
            sides: Vec::new(),
            message: message.get(opts.lang).to_string(),
            jpeg_base64: None,
        });
        approved.then(|| crate::crop::encode_jpeg(&crate::crop::scale_to(&cut, size), date.as_deref()))
    }

    /// Runs the profile's rules over an analysis and assembles the report.
    pub fn judge(&self, name: &str, sha256: Option<String>, a: &Analysis, opts: &CheckOptions) -> Report {
        let t = Instant::now();
        let ctx = Context { analysis: a, as_of: opts.as_of, heads: &self.profile.heads };
        let mut checks = Vec::new();
        for (spec, rule) in &self.profile.rules {
            for finding in rule.evaluate(&ctx) {
                let severity = self.profile.severity_of(finding.code);
                if severity == Severity::Off {
                    continue;
                }
                let info = spec.code(finding.code);
                debug_assert!(info.is_some(), "rule {} emitted undeclared code {}", spec.family, finding.code);
                let band = finding.band.or_else(|| self.profile.band_for(finding.code, finding.threshold));
                let (outcome, message) = settle(&finding, band, severity, opts.lang);
                checks.push(CheckResult {
                    code: finding.code,
                    rule: spec.family,
                    name: info.map(|i| i.name).unwrap_or(""),
                    outcome,
                    severity,
                    mandatory: severity == Severity::Fail,
                    measured: finding.measured,
                    unit: finding.unit,
                    threshold: finding.threshold,
                    band,
                    message,
                    region: if outcome == Outcome::Pass { None } else { finding.region },
                });
            }
        }
        let (verdict, failed, review) = decide(&checks);
        let mut timings = a.timings.clone();
        timings.rules_ms = t.elapsed().as_secs_f64() * 1000.0;
        Report {
            schema: SCHEMA,
            file: name.to_string(),
            sha256,
            verdict,
            lang: opts.lang,
            profile: self.profile_ref(),
            as_of: opts.as_of.to_rfc3339(),
            image: Some(ImageSummary {
                format: a.source.format.to_string(),
                width: a.original_width,
                height: a.original_height,
                color: a.source.color.clone(),
                bits_per_channel: a.source.bits_per_channel,
                orientation_applied: a.source.orientation_applied,
                file_bytes: a.source.file_bytes,
                exif: ExifSummary::from(&a.exif),
                colour_profile: a.source.colour_profile.clone(),
            }),
            faces: face_summaries(a),
            checks,
            failed,
            review,
            error: None,
            crop: None,
            timings_ms: timings,
        }
    }

    fn profile_ref(&self) -> ProfileRef {
        ProfileRef { name: self.profile.name.clone(), version: self.profile.version.clone() }
    }

    pub fn error_report(&self, name: &str, sha256: Option<String>, err: &InputError, opts: &CheckOptions) -> Report {
        self.failure(name, sha256, err.kind(), err.to_string(), opts)
    }

    fn model_error_report(&self, name: &str, sha256: Option<String>, err: &ModelError, opts: &CheckOptions) -> Report {
        self.failure(name, sha256, "analysis_error", err.to_string(), opts)
    }

    fn failure(&self, name: &str, sha256: Option<String>, kind: &str, message: String, opts: &CheckOptions) -> Report {
        Report {
            schema: SCHEMA,
            file: name.to_string(),
            sha256,
            verdict: Verdict::Error,
            lang: opts.lang,
            profile: self.profile_ref(),
            as_of: opts.as_of.to_rfc3339(),
            image: None,
            faces: Vec::new(),
            checks: Vec::new(),
            failed: Vec::new(),
            review: Vec::new(),
            error: Some(ErrorInfo { kind: kind.to_string(), message: localized_error(kind, &message, opts.lang), detail: message }),
            crop: None,
            timings_ms: Default::default(),
        }
    }
}

/// A path as text: UTF-8 as it is, any other byte shown as `\xNN` (never replaced by `�`, so two
/// different non-UTF-8 names never print the same).
pub fn path_name(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Reads a file, refusing anything but a regular file (a FIFO would block for ever, a device
/// like /dev/zero never ends) and stopping at `limit` + 1 bytes whatever the file claims.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let io = |source| InputError::Io { path: path.to_path_buf(), source };
    // stat, not open: opening a FIFO blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(io)?;
    let ft = meta.file_type();
    if !ft.is_file() {
        #[cfg(unix)]
        let what = {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                "a named pipe"
            } else if ft.is_char_device() || ft.is_block_device() {
                "a device"
            } else if ft.is_socket() {
                "a socket"
            } else if ft.is_dir() {
                "a directory"
            } else {
                "not a file"
            }
        };
        #[cfg(not(unix))]
        let what = if ft.is_dir() { "a directory" } else { "not a file" };
        return Err(InputError::NotRegularFile { path: path.to_path_buf(), what });
    }
    if meta.len() > limit {
        return Err(InputError::FileTooLarge { bytes: meta.len(), limit });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Should the path have been swapped for a FIFO since the stat, do not wait for a writer.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(0o4000); // O_NONBLOCK
    }
    let file = options.open(path).map_err(io)?;
    if !file.metadata().map_err(io)?.file_type().is_file() {
        return Err(InputError::NotRegularFile { path: path.to_path_buf(), what: "not a file" });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::FileTooLarge { bytes: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// A finding's final outcome and message once its uncertainty band and the profile's severity
/// apply. A measured value inside the band is `uncertain` whatever side of the limit it lies on;
/// a rule whose own decision disagrees with its threshold (it decided on more than the one
/// value) keeps that decision.
pub fn settle(finding: &Finding, band: Option<Band>, severity: Severity, lang: Lang) -> (Outcome, String) {
    let mut outcome = finding.outcome;
    if let (Some(band), Some(v), Outcome::Pass | Outcome::Fail) = (band, finding.measured, outcome) {
        if finding.threshold.admits(v) == (outcome == Outcome::Pass) {
            outcome = band.classify(v);
        }
    }
    let mut message = finding.message.get(lang).to_string();
    if outcome == Outcome::Uncertain {
        let what = finding.if_failed.as_ref().unwrap_or(&finding.message).get(lang);
        // The rule's own doubt (a possible second face, print it cannot rule out) says why
        // itself; a value in the band is close to the limit.
        let own_doubt = finding.outcome == Outcome::Uncertain;
        message = match (lang, own_doubt) {
            (Lang::ZhCn, false) => format!("需人工审核（测量值接近限值）：{what}"),
            (Lang::ZhCn, true) => format!("需人工审核：{what}"),
            (Lang::En, false) => format!("A person must check this (the value is close to the limit): {what}"),
            (Lang::En, true) => format!("A person must check this: {what}"),
        };
    }
    if outcome == Outcome::Fail && severity == Severity::Warn {
        outcome = Outcome::Warn;
    }
    (outcome, message)
}

/// The verdict from the settled checks: reject when a mandatory check failed; review when none
/// failed but a mandatory one is uncertain or could not be assessed; approve only when every
/// mandatory check passed clearly. Also returns the failed codes and the codes behind a review.
pub fn decide(checks: &[CheckResult]) -> (Verdict, Vec<&'static str>, Vec<&'static str>) {
    let failed: Vec<&'static str> = checks.iter().filter(|c| c.outcome == Outcome::Fail).map(|c| c.code).collect();
    let review: Vec<&'static str> =
        checks.iter().filter(|c| c.mandatory && matches!(c.outcome, Outcome::Uncertain | Outcome::NotAssessed)).map(|c| c.code).collect();
    let verdict = if !failed.is_empty() {
        Verdict::Reject
    } else if !review.is_empty() || !checks.iter().any(|c| c.mandatory) {
        // A profile with nothing mandatory has decided nothing: a person looks.
        Verdict::Review
    } else {
        Verdict::Approve
    };
    (verdict, failed, review)
}

/// The applicant-facing sentence for an unreadable upload, in the report's language only; the
/// technical detail (the decoder's or the OS's English wording) goes to `error.detail`.
fn localized_error(kind: &str, detail: &str, lang: Lang) -> String {
    match (crate::error::kind_info(kind), lang) {
        (Some(k), Lang::ZhCn) => k.zh.to_string(),
        (None, Lang::ZhCn) => "照片无法处理：请重新上传".to_string(),
        // English readers get the specific reason, which is already English.
        (_, Lang::En) => detail.to_string(),
    }
}

fn face_summaries(a: &Analysis) -> Vec<FaceSummary> {
    a.faces
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let primary = a.face.as_ref().filter(|f| f.detection == i).map(|f| PrimaryFace {
                pose: f.pose,
                eye_aspect_ratio: [0, 1].map(|e| f.refined.as_ref().map(|r| r.eye_aspect_ratio(e))),
                landmarks: f.mesh.points.iter().map(|p| crate::imaging::Point::new(p[0] * a.scale, p[1] * a.scale)).collect(),
                eye_contours: f
                    .refined
                    .iter()
                    .flat_map(|r| [r.eye_outline(0), r.eye_outline(1)])
                    .map(|outline| outline.iter().map(|p| crate::imaging::Point::new(p.x * a.scale, p.y * a.scale)).collect())
                    .collect(),
            });
            FaceSummary { score: d.score, region: a.to_original(Region::Box { x: d.x, y: d.y, width: d.width, height: d.height }), primary }
        })
        .collect()
}

/// Parses an as-of date: YYYY-MM-DD (taken at noon UTC) or RFC 3339.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD or RFC 3339)"))
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The README's rules table, made from the declarations (`photocheck rules --format markdown`).
pub fn rule_table_markdown() -> String {
    let mut s = String::from("| code | rule | check |\n|---|---|---|\n");
    for (code, family, _, summary) in rule_table() {
        // A summary may hold a `|` (an absolute value): escaped, it stays in its cell.
        let summary = summary.replace('|', "\\|");
        s.push_str(&format!("| {code} | {family} | {summary} |\n"));
    }
    s
}

/// The rules table: every code with its family and summary, in report order.
pub fn rule_table() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    rule_table_in(Lang::En)
}

/// The rules table with the summaries in `lang`.
pub fn rule_table_in(lang: Lang) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    REGISTRY
        .iter()
        .flat_map(|s| s.codes.iter().map(move |c| (c.code, s.family, c.name, if lang == Lang::ZhCn { c.summary_zh } else { c.summary })))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(outcome: Outcome, measured: Option<f64>, threshold: Threshold) -> Finding {
        Finding {
            code: "PO001",
            outcome,
            measured,
            unit: "deg",
            threshold,
            band: None,
            message: Text::new("好", "fine"),
            if_failed: Some(Text::new("转头", "turned")),
            region: None,
        }
    }

    fn result(code: &'static str, outcome: Outcome, mandatory: bool) -> CheckResult {
        CheckResult {
            code,
            rule: "test",
            name: "test",
            outcome,
            severity: if mandatory { Severity::Fail } else { Severity::Warn },
            mandatory,
            measured: None,
            unit: "",
            threshold: Threshold::default(),
            band: None,
            message: String::new(),
            region: None,
        }
    }

    #[test]
    fn values_in_the_band_are_uncertain_on_either_side_of_the_limit() {
        let t = Threshold::range(-5.0, 5.0);
        let band = Some(Band::around(t, 1.5, 1.5));
        let cases = [
            (0.0, Outcome::Pass),
            (3.4, Outcome::Pass),
            (3.6, Outcome::Uncertain),
            (5.0, Outcome::Uncertain),
            (6.4, Outcome::Uncertain),
            (6.6, Outcome::Fail),
            (-7.0, Outcome::Fail),
        ];
        for (v, want) in cases {
            let f = finding(if t.admits(v) { Outcome::Pass } else { Outcome::Fail }, Some(v), t);
            let (got, message) = settle(&f, band, Severity::Fail, Lang::En);
            assert_eq!(got, want, "{v}");
            if got == Outcome::Uncertain {
                assert!(message.contains("turned") && message.contains("person"), "{message}");
            }
        }
        // Without a band the threshold alone decides.
        assert_eq!(settle(&finding(Outcome::Pass, Some(4.9), t), None, Severity::Fail, Lang::En).0, Outcome::Pass);
        // A warning check fails as a warning; not assessed stays not assessed.
        assert_eq!(settle(&finding(Outcome::Fail, Some(9.0), t), band, Severity::Warn, Lang::En).0, Outcome::Warn);
        assert_eq!(settle(&finding(Outcome::NotAssessed, None, t), band, Severity::Fail, Lang::En).0, Outcome::NotAssessed);
        // A rule that decided on more than its one value keeps its decision.
        assert_eq!(settle(&finding(Outcome::Fail, Some(0.0), t), band, Severity::Fail, Lang::En).0, Outcome::Fail);
    }

    #[test]
    fn review_says_close_to_the_limit_only_for_a_value_in_the_band() {
        let t = Threshold::range(-5.0, 5.0);
        let band = Some(Band::around(t, 1.5, 1.5));
        let (_, in_band) = settle(&finding(Outcome::Pass, Some(4.0), t), band, Severity::Fail, Lang::En);
        assert_eq!(in_band, "A person must check this (the value is close to the limit): turned");
        // The rule's own doubt, whatever the value.
        let (outcome, doubted) = settle(&finding(Outcome::Uncertain, Some(0.0), t), band, Severity::Fail, Lang::ZhCn);
        assert_eq!((outcome, doubted.as_str()), (Outcome::Uncertain, "需人工审核：转头"));
    }

    #[test]
    fn approve_only_when_every_mandatory_check_passed_clearly() {
        use Outcome::*;
        let all_pass = [result("A", Pass, true), result("B", Pass, true), result("W", Warn, false)];
        assert_eq!(decide(&all_pass).0, Verdict::Approve);
        for open in [Uncertain, NotAssessed] {
            let checks = [result("A", Pass, true), result("B", open, true)];
            let (v, failed, review) = decide(&checks);
            assert_eq!((v, failed.len(), review), (Verdict::Review, 0, vec!["B"]), "{open:?}");
            // The same outcome on a warning check does not hold the photo back.
            assert_eq!(decide(&[result("A", Pass, true), result("B", open, false)]).0, Verdict::Approve);
        }
        let failing = [result("A", Fail, true), result("B", NotAssessed, true), result("C", Uncertain, true)];
        let (v, failed, review) = decide(&failing);
        assert_eq!((v, failed, review), (Verdict::Reject, vec!["A"], vec!["B", "C"]));
        // Nothing mandatory decided nothing: never an approval.
        assert_eq!(decide(&[result("W", Pass, false)]).0, Verdict::Review);
        assert_eq!(decide(&[]).0, Verdict::Review);
    }
}
