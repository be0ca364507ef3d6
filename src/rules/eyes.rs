//! Eyes open: both eyes, from the attention mesh's refined eyelids (the plain mesh's eyelids do not
//! follow a blink, and the iris model's contour reads narrow or drooping lids as open).

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const EY001: &str = "EY001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "eyes",
    codes: &[CodeInfo {
        code: EY001,
        name: "eyes_open",
        summary: "Both eyes open (eye aspect ratio of the less open eye)",
        summary_zh: "双眼睁开（睁得较小一只眼的纵横比）",
        unit: "ratio",
        eval: Some(EvalLabel { label: "eyes_open", violation: false, score: Score::Measured, with: &[] }),
        ..CodeInfo::NONE
    }],
    build: |v| build_with(v, |c| Eyes { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lid opening over eye width of the less open eye.
    pub min_eye_aspect_ratio: f64,
}

pub struct Eyes {
    c: Config,
}

impl Rule for Eyes {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let threshold = Threshold::min(self.c.min_eye_aspect_ratio);
        let Some(face) = a.face.as_ref() else {
            return vec![Finding::not_assessed(EY001, "ratio", threshold, no_face())];
        };
        let Some(refined) = face.refined.as_ref() else {
            return vec![Finding::not_assessed(
                EY001,
                "ratio",
                threshold,
                Text::new("无法定位眼睑，无法评估", "The eyelids could not be located"),
            )];
        };
        let (r, l) = (refined.eye_aspect_ratio(0), refined.eye_aspect_ratio(1));
        let (worst, eye) = if r <= l { (r, 0) } else { (l, 1) };
        vec![Finding::measured(
            EY001,
            round(worst as f64, 3),
            "ratio",
            threshold,
            Text::new("双眼睁开", "Both eyes are open"),
            Text::new(
                "眼睛闭合或半闭（眨眼）：请自然睁大双眼后重新拍摄",
                "An eye is closed or half-closed: keep both eyes open and retake",
            ),
        )
        .with_region_if_failed(Some(a.to_original(Region::Polygon { points: refined.eye_outline(eye) })))]
    }
}
