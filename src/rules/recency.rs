//! Recency: the photo was taken within the last six months, from the EXIF capture date.

use chrono::{DateTime, Months, Utc};
use serde::Deserialize;

use super::{build_with, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::exif::ExifStatus;
use crate::report::{Outcome, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const DT001: &str = "DT001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "recency",
    codes: &[CodeInfo {
        code: DT001,
        name: "capture_date",
        summary: "EXIF capture date within the allowed age, not in the future",
        summary_zh: "EXIF 拍摄日期在允许期限内且不晚于今天",
        unit: "days",
        ..CodeInfo::NONE
    }],
    build: |v| build_with(v, |c| Recency { c }),
};

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MissingDate {
    /// Not assessed: a mandatory DT001 then sends the photo to review.
    Review,
    Warn,
    Fail,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_age_months: u32,
    /// Clock and time-zone slack before a date counts as in the future.
    pub future_tolerance_days: f64,
    pub missing_date: MissingDate,
}

pub struct Recency {
    c: Config,
}

impl Recency {
    /// Age limit in days as of a date: calendar months back from it.
    fn max_age_days(&self, as_of: DateTime<Utc>) -> f64 {
        let earliest = as_of.checked_sub_months(Months::new(self.c.max_age_months)).unwrap_or(as_of);
        (as_of - earliest).num_seconds() as f64 / 86_400.0
    }
}

impl Rule for Recency {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let exif = &ctx.analysis.exif;
        let threshold = Threshold::range(-self.c.future_tolerance_days, round(self.max_age_days(ctx.as_of), 2));
        let Some(date) = exif.capture_date.as_ref() else {
            let why = match (&exif.status, &exif.invalid_date) {
                (ExifStatus::Corrupt { .. }, _) => {
                    ("照片的 EXIF 信息已损坏，无法读取拍摄日期", "The photo's EXIF data is damaged, so its capture date cannot be read")
                }
                (_, Some(_)) => ("照片的拍摄日期无效", "The photo's capture date is invalid"),
                _ => ("照片没有拍摄日期（EXIF）", "The photo has no capture date (EXIF)"),
            };
            let outcome = match self.c.missing_date {
                MissingDate::Review => Outcome::NotAssessed,
                MissingDate::Warn => Outcome::Warn,
                MissingDate::Fail => Outcome::Fail,
            };
            return vec![Finding {
                code: DT001,
                outcome,
                measured: None,
                unit: "days",
                threshold,
                band: None,
                if_failed: None,
                message: Text::new(
                    format!("{}：请上传相机或手机直接拍摄的原始照片", why.0),
                    format!("{}: upload the original photo straight from the camera or phone", why.1),
                ),
                region: None,
            }];
        };
        let age_days = (ctx.as_of - date.instant()).num_seconds() as f64 / 86_400.0;
        let taken = date.local.format("%Y-%m-%d");
        let fail = if age_days < 0.0 {
            Text::new(
                format!("拍摄日期 {taken} 晚于今天：请检查设备时间并上传真实拍摄的照片"),
                format!("The capture date {taken} is in the future: check the device clock and upload a genuine photo"),
            )
        } else {
            Text::new(
                format!("照片拍摄于 {taken}，已超过 {} 个月：请上传近 {} 个月内拍摄的照片", self.c.max_age_months, self.c.max_age_months),
                format!(
                    "The photo was taken on {taken}, more than {} months ago: upload a photo taken within the last {} months",
                    self.c.max_age_months, self.c.max_age_months
                ),
            )
        };
        vec![Finding::measured(
            DT001,
            round(age_days, 2),
            "days",
            threshold,
            Text::new(format!("拍摄于 {taken}，在有效期内"), format!("Taken on {taken}, recent enough")),
            fail,
        )]
    }
}
