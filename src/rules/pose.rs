//! Head pose: facing the camera squarely, head level (ISO/IEC 19794-5 style limits).

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::report::{Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const PO001: &str = "PO001";
pub const PO002: &str = "PO002";
pub const PO003: &str = "PO003";

pub static SPEC: RuleSpec = RuleSpec {
    family: "pose",
    codes: &[
        CodeInfo {
            code: PO001,
            name: "yaw",
            summary: "Head not turned left or right beyond the limit",
            summary_zh: "头部左右转动不超过限值",
            unit: "deg",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: PO002,
            name: "pitch",
            summary: "Head not tilted up or down beyond the limit",
            summary_zh: "头部抬头或低头不超过限值",
            unit: "deg",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: PO003,
            name: "roll",
            summary: "Head not tilted sideways beyond the limit",
            summary_zh: "头部左右歪斜不超过限值",
            unit: "deg",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Pose { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_yaw_deg: f64,
    /// Chin raised (positive pitch) and chin lowered (negative pitch) limits.
    pub max_pitch_up_deg: f64,
    pub max_pitch_down_deg: f64,
    pub max_roll_deg: f64,
}

pub struct Pose {
    c: Config,
}

impl Rule for Pose {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let c = &self.c;
        let Some(p) = ctx.analysis.face.as_ref().and_then(|f| f.pose) else {
            return vec![
                Finding::not_assessed(PO001, "deg", Threshold::range(-c.max_yaw_deg, c.max_yaw_deg), no_face()),
                Finding::not_assessed(PO002, "deg", Threshold::range(-c.max_pitch_down_deg, c.max_pitch_up_deg), no_face()),
                Finding::not_assessed(PO003, "deg", Threshold::range(-c.max_roll_deg, c.max_roll_deg), no_face()),
            ];
        };
        vec![
            Finding::measured(
                PO001,
                round(p.yaw as f64, 1),
                "deg",
                Threshold::range(-c.max_yaw_deg, c.max_yaw_deg),
                Text::new("正对镜头", "Facing the camera"),
                Text::new(
                    format!("头部左右转动约 {:.0}°：请正对镜头，不要侧脸", p.yaw.abs()),
                    format!("The head is turned about {:.0}° sideways: face the camera straight on", p.yaw.abs()),
                ),
            ),
            Finding::measured(
                PO002,
                round(p.pitch as f64, 1),
                "deg",
                Threshold::range(-c.max_pitch_down_deg, c.max_pitch_up_deg),
                Text::new("头部未抬头或低头", "Head is level (not tilted up or down)"),
                Text::new(
                    format!("头部{}约 {:.0}°：请平视镜头", if p.pitch > 0.0 { "上仰" } else { "低下" }, p.pitch.abs()),
                    format!(
                        "The head is tilted {} about {:.0}°: look straight at the camera",
                        if p.pitch > 0.0 { "up" } else { "down" },
                        p.pitch.abs()
                    ),
                ),
            ),
            Finding::measured(
                PO003,
                round(p.roll as f64, 1),
                "deg",
                Threshold::range(-c.max_roll_deg, c.max_roll_deg),
                Text::new("头部端正", "Head is upright"),
                Text::new(
                    format!("头部歪斜约 {:.0}°：请坐正，保持头部端正", p.roll.abs()),
                    format!("The head is tilted about {:.0}° to one side: sit upright and keep your head straight", p.roll.abs()),
                ),
            ),
        ]
    }
}
