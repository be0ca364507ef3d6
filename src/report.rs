//! The report: the stable contract every front end prints or serves.
//! Schema `photocheck.report/2`; see README "Report schema". Within a version fields are only
//! ever added; /2 added the `review` verdict, the `uncertain` outcome, `band`, `mandatory` and
//! `review` (the codes that sent the photo to a person).

use serde::{Deserialize, Serialize};

use crate::imaging::Point;

pub const SCHEMA: &str = "photocheck.report/2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" | "zh-hans" => Ok(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Ok(Lang::En),
            other => Err(format!("unsupported language '{other}' (use zh-CN or en)")),
        }
    }
}

/// A message in both languages; the report carries the one asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text { zh: zh.into(), en: en.into() }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Measured and admitted by the check's clear-pass limit.
    Pass,
    /// Measured and beyond the check's clear-fail limit (or failed outright).
    Fail,
    /// Failed, but the profile makes this check a warning.
    Warn,
    /// Measured inside the uncertainty band around the limit: a person must look.
    Uncertain,
    /// Could not be measured (no face, a model could not run, no EXIF date…): never a pass.
    NotAssessed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Fail,
    Warn,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct Threshold {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Threshold {
    pub fn min(v: f64) -> Self {
        Threshold { min: Some(v), max: None }
    }
    pub fn max(v: f64) -> Self {
        Threshold { min: None, max: Some(v) }
    }
    pub fn range(min: f64, max: f64) -> Self {
        Threshold { min: Some(min), max: Some(max) }
    }
    pub fn admits(&self, v: f64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
    /// The limits moved outward by `by` (inward when negative); a range never inverts.
    pub fn widened(&self, by: f64) -> Threshold {
        let mut t = Threshold { min: self.min.map(|m| m - by), max: self.max.map(|m| m + by) };
        if let (Some(a), Some(b)) = (t.min, t.max) {
            if a > b {
                let mid = (a + b) / 2.0;
                t = Threshold { min: Some(mid), max: Some(mid) };
            }
        }
        t
    }
}

/// The uncertainty band around a check's threshold: a value admitted by `pass_within` passes
/// clearly, one not admitted by `fail_outside` fails clearly, anything between is `uncertain`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Band {
    pub pass_within: Threshold,
    pub fail_outside: Threshold,
}

impl Band {
    /// A band of `pass` below and `fail` beyond each limit of `threshold` (in its units).
    pub fn around(threshold: Threshold, pass: f64, fail: f64) -> Band {
        Band { pass_within: threshold.widened(-pass.max(0.0)), fail_outside: threshold.widened(fail.max(0.0)) }
    }
    pub fn classify(&self, v: f64) -> Outcome {
        if self.pass_within.admits(v) {
            Outcome::Pass
        } else if self.fail_outside.admits(v) {
            Outcome::Uncertain
        } else {
            Outcome::Fail
        }
    }
}

/// Where a finding is, in original (upright) image pixels, so a report can draw it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Region {
    Box { x: f32, y: f32, width: f32, height: f32 },
    Polygon { points: Vec<Point> },
}

impl Region {
    pub fn scaled(&self, s: f32) -> Region {
        match self {
            Region::Box { x, y, width, height } => Region::Box { x: x * s, y: y * s, width: width * s, height: height * s },
            Region::Polygon { points } => Region::Polygon { points: points.iter().map(|p| Point::new(p.x * s, p.y * s)).collect() },
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckResult {
    pub code: &'static str,
    pub rule: &'static str,
    pub name: &'static str,
    pub outcome: Outcome,
    pub severity: Severity,
    /// A mandatory check must pass clearly for the photo to be approved (profile severity
    /// `fail`); the others can only warn.
    pub mandatory: bool,
    pub measured: Option<f64>,
    pub unit: &'static str,
    pub threshold: Threshold,
    /// The uncertainty band around `threshold`, when the profile gives the check one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every mandatory check was assessed and passed clearly.
    Approve,
    /// A mandatory check failed clearly.
    Reject,
    /// No mandatory check failed, but one could not be assessed or lies in its uncertainty
    /// band: a person must look (see `review`).
    Review,
    /// The input could not be read as an image; see `error`.
    Error,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileRef {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImageSummary {
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub color: String,
    pub bits_per_channel: u8,
    pub orientation_applied: u16,
    pub file_bytes: u64,
    pub exif: ExifSummary,
    /// The embedded colour profile (ICC, or a PNG's gAMA and cHRM chunks) and what was done with
    /// it; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour_profile: Option<crate::colour_profile::ColourProfile>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FaceSummary {
    pub score: f32,
    pub region: Region,
    /// Present on the face the rules examined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<PrimaryFace>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrimaryFace {
    /// Absent when the mesh was too degenerate to align.
    pub pose: Option<Pose>,
    /// Lid opening over eye width from the refined eyelids (subject's right, then left); null
    /// when the attention mesh did not confirm the face.
    pub eye_aspect_ratio: [Option<f32>; 2],
    /// 468 mesh points (x, y) in image pixels.
    pub landmarks: Vec<Point>,
    /// Eye outlines (subject's right, then left).
    pub eye_contours: Vec<Vec<Point>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorInfo {
    pub kind: String,
    /// For the applicant, in the report's language.
    pub message: String,
    /// The technical reason (decoder or OS wording, English) for support staff.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub schema: &'static str,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub verdict: Verdict,
    pub lang: Lang,
    pub profile: ProfileRef,
    pub as_of: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageSummary>,
    pub faces: Vec<FaceSummary>,
    pub checks: Vec<CheckResult>,
    /// Codes of failed checks, in report order.
    pub failed: Vec<&'static str>,
    /// Codes of mandatory checks that were uncertain or not assessed, in report order: why a
    /// `review` verdict needs a person.
    pub review: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// The normalised crop, when asked for (`check --crop-dir`, `POST /v1/checks?crop=jpeg`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crop: Option<CropSummary>,
    pub timings_ms: StageTimings,
}

/// What cropping the upload to the profile's geometry gives. `verdict` above is always the
/// upload's own; an issuance service that archives the crop uses `crop.verdict`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CropSummary {
    pub status: CropStatus,
    /// The crop in the upload's upright pixels (inside the image); absent when there is no room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rect: Option<CropRect>,
    /// Size of the delivered crop (the archive photo, 260×378 by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<CropSize>,
    /// The verdict of the crop, re-checked as a photo of its own (never assumed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The crop's failed and review codes.
    pub failed: Vec<&'static str>,
    pub review: Vec<&'static str>,
    /// Sides of the upload without room for the crop (`no_room`).
    pub sides: Vec<Side>,
    /// For the applicant, in the report's language.
    pub message: String,
    /// The crop's JPEG (output size, EXIF capture date only), base64: only in answers to
    /// `POST /v1/checks?crop=jpeg`, and only when the crop is approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jpeg_base64: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CropStatus {
    /// The upload was not approved, only for its framing, and its crop is approved.
    Fixable,
    /// The upload was approved; the crop (archive size) is approved too.
    Normalised,
    /// The crop was re-checked and is not approved (see its codes).
    NotFixed,
    /// No rectangle inside the upload meets the geometry (see `sides`).
    NoRoom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CropSize {
    pub width: u32,
    pub height: u32,
}

/// A rectangle in the upload's (upright) pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CropRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A side of the photo that lacks room for the crop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Top,
    Bottom,
    Left,
    Right,
}

impl Report {
    pub fn check(&self, code: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.code == code)
    }
}

/// Head orientation in degrees. Yaw > 0: the face turns toward the image's right; pitch > 0: chin
/// up; roll > 0: the eye line slopes down to the image's right.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Pose {
    pub yaw: f32,
    pub pitch: f32,
    pub roll: f32,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct StageTimings {
    pub decode_ms: f64,
    pub detect_ms: f64,
    pub mesh_ms: f64,
    /// Always 0 since the attention mesh's irises replaced the iris model; kept because fields
    /// are never removed within a schema version.
    pub iris_ms: f64,
    /// The attention mesh (refined eyelids and lips).
    pub attention_mesh_ms: f64,
    pub appearance_ms: f64,
    pub segment_ms: f64,
    /// Palm detector and, per palm, the hand landmark network.
    pub hands_ms: f64,
    /// The mark scan and the text detector's two passes (the whole photo; the band below the
    /// chin, which runs beside the face's networks).
    pub text_ms: f64,
    /// The tiled search for small second faces (0 when the photo is too plain to hide one).
    #[serde(default)]
    pub small_faces_ms: f64,
    pub rules_ms: f64,
    pub total_ms: f64,
}

/// What the report says about the photo's EXIF. The report owns this type, so a change to the
/// EXIF reader's internals cannot silently change the JSON contract.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExifSummary {
    pub status: ExifStatus,
    pub capture_date: Option<CaptureDate>,
    /// A date tag was present but unreadable (e.g. "0000:00:00 00:00:00").
    pub invalid_date: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub software: Option<String>,
    /// EXIF orientation 1..=8 (1 when absent or invalid).
    pub orientation: u16,
}

/// Serialised as `{"state": "ok" | "missing" | "corrupt", "reason": …}` (the reason only when
/// corrupt): one object shape, which client generators turn into one type.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ExifStatus {
    /// The file has no EXIF block.
    Missing,
    /// EXIF was read.
    Ok,
    /// An EXIF block is present but could not be parsed; the photo is still checked.
    Corrupt { reason: String },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaptureDate {
    /// The local date and time as written by the camera (ISO 8601, no offset).
    pub local: String,
    /// The UTC offset, when the camera recorded one (OffsetTime* tags).
    pub offset: Option<String>,
    /// The tag the date came from: date_time_original, date_time_digitized or date_time.
    pub source: String,
}

impl From<&crate::exif::ExifInfo> for ExifSummary {
    fn from(e: &crate::exif::ExifInfo) -> ExifSummary {
        use crate::exif::{DateSource, ExifStatus as S};
        ExifSummary {
            status: match &e.status {
                S::Missing => ExifStatus::Missing,
                S::Ok => ExifStatus::Ok,
                S::Corrupt { reason } => ExifStatus::Corrupt { reason: reason.clone() },
            },
            capture_date: e.capture_date.as_ref().map(|d| CaptureDate {
                local: d.local.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
                offset: d.offset.clone(),
                source: match d.source {
                    DateSource::DateTimeOriginal => "date_time_original",
                    DateSource::DateTimeDigitized => "date_time_digitized",
                    DateSource::DateTime => "date_time",
                }
                .to_string(),
            }),
            invalid_date: e.invalid_date.clone(),
            make: e.make.clone(),
            model: e.model.clone(),
            software: e.software.clone(),
            orientation: e.orientation,
        }
    }
}
