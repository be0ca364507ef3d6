//! Masks and lower-face covering: masks, scarves or a hand over the mouth fail.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, HeadSlot, Rule, RuleSpec, Score};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const MK001: &str = "MK001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "mask",
    codes: &[CodeInfo {
        code: MK001,
        name: "no_mask",
        summary: "No mask or covering over nose and mouth (mask classifier probability)",
        summary_zh: "口鼻未被口罩等遮挡（口罩分类器概率）",
        unit: "probability",
        head: Some(HeadSlot { label: "mask", signal: true, crown: false }),
        eval: Some(EvalLabel { label: "mask", violation: true, score: Score::Measured, with: &[] }),
    }],
    build: |v| build_with(v, |c| Mask { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_mask_probability: f64,
}

pub struct Mask {
    c: Config,
}

impl Rule for Mask {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let t = Threshold::max(self.c.max_mask_probability);
        // Without a confirmed face the appearance network still ran on the detector's box, so a
        // mask (the usual reason the mesh gives up) is still named.
        let Some(det) = a.face.as_ref().and_then(|f| a.faces.get(f.detection)).or(a.faces.first()) else {
            return vec![Finding::not_assessed(MK001, "probability", t, no_face())];
        };
        let Some(mask) = a.appearance.as_ref().map(|m| &m.output) else {
            return vec![Finding::not_assessed(
                MK001,
                "probability",
                t,
                Text::new("口罩检测未能运行", "The mask classifier could not run"),
            )];
        };
        let region = Region::Box { x: det.x, y: det.y + det.height * 0.45, width: det.width, height: det.height * 0.6 };
        let pass = Text::new("口鼻未被遮挡", "Nose and mouth are uncovered");
        let fail = Text::new(
            "口鼻被遮挡（口罩、围巾或手）：请摘下口罩，露出完整面部",
            "The nose and mouth are covered (mask, scarf or hand): take it off and show your whole face",
        );
        let hand = Finding::measured(MK001, round(mask.p_mask as f64, 3), "probability", t, pass.clone(), fail.clone());
        vec![ctx.decide("mask", hand, pass, fail, Some(a.to_original(region)))]
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn without_the_appearance_network_the_mask_is_not_assessed() {
        // A face but no appearance-network output: never a pass (the photo goes to review).
        let f = run(&portrait(0.0, 0.0, 0.0).build(), "mask");
        assert_eq!(outcome(&f, "MK001"), NotAssessed, "{f:?}");
    }
}
