//! The report: the stable contract every front end prints or serves.
//! Schema `photocheck.report/1`; see README "Report schema". Fields are only ever added.

use serde::{Deserialize, Serialize};

use crate::analysis::{Pose, StageTimings};
use crate::imaging::Point;

pub const SCHEMA: &str = "photocheck.report/1";

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
    Pass,
    Fail,
    Warn,
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
    pub measured: Option<f64>,
    pub unit: &'static str,
    pub threshold: Threshold,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Reject,
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
    pub exif: crate::exif::ExifInfo,
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
    pub pose: Pose,
    pub eye_aspect_ratio: [Option<f32>; 2],
    /// 468 mesh points (x, y) in image pixels.
    pub landmarks: Vec<Point>,
    /// Eye outlines (subject's right, then left).
    pub eye_contours: Vec<Vec<Point>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorInfo {
    pub kind: String,
    pub message: String,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    pub timings_ms: StageTimings,
}

impl Report {
    pub fn check(&self, code: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.code == code)
    }
}
