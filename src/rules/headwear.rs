//! Headwear: hats, caps, beanies, hoods, headscarves, helmets, wide headbands fail.
//!
//! No registry ships a hat model, and hand-made colour and edge cues do not hold up (black caps on
//! black hair, crops with no room above the forehead). The check is decided by the profile's
//! learned head (`[heads.headwear]`, fitted by `photocheck calibrate`) on the appearance
//! embedding of the head crop; without one it is not assessed.

use serde::Deserialize;

use super::{build_with, no_face, CodeInfo, Context, EvalLabel, Finding, HeadSlot, Rule, RuleSpec, Score};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const HW001: &str = "HW001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "headwear",
    codes: &[CodeInfo {
        code: HW001,
        name: "no_headwear",
        summary: "No hat, cap, hood, headscarf or headband (learned head on the head-crop embedding)",
        summary_zh: "未戴帽子、头巾、兜帽或发带（头部区域外观特征上的学习模型）",
        unit: "probability",
        head: Some(HeadSlot { label: "headwear", signal: false, crown: true }),
        eval: Some(EvalLabel { label: "headwear", violation: true, score: Score::Measured, with: &[] }),
    }],
    build: |v| build_with(v, |c| Headwear { _c: c }),
};

/// The decision lives in `[heads.headwear]`; this section exists so the rule is listed in every
/// profile and can take options later without a format change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {}

pub struct Headwear {
    _c: Config,
}

/// The part of the head crop a hat would occupy, in face coordinates (see `face_frame`).
const HAT_ZONE: (f32, f32, f32, f32) = (-0.7, 0.7, -0.65, 0.1);

impl Rule for Headwear {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let t = Threshold::max(ctx.heads.get("headwear").map_or(0.5, |h| h.threshold));
        if a.appearance.is_none() {
            return vec![Finding::not_assessed(HW001, "probability", t, no_face())];
        }
        if !ctx.heads.contains_key("headwear") {
            return vec![Finding::not_assessed(
                HW001,
                "probability",
                t,
                Text::new(
                    "当前配置没有帽子检测模型（[heads.headwear]），无法评估",
                    "This profile has no fitted headwear head ([heads.headwear]), so headwear was not assessed",
                ),
            )];
        }
        let why = Text::new("外观模型未能运行，无法评估", "The appearance model could not run, so this could not be assessed");
        let hand = Finding::not_assessed(HW001, "probability", t, why);
        let region = match (a.face_frame, a.appearance.as_ref()) {
            (Some(frame), _) => Region::Polygon { points: frame.polygon(HAT_ZONE.0, HAT_ZONE.1, HAT_ZONE.2, HAT_ZONE.3) },
            // Estimated from the detector: the top third of the head crop.
            (None, Some(crop)) => Region::Box {
                x: crop.centre.x - crop.side / 2.0,
                y: crop.centre.y - crop.side / 2.0,
                width: crop.side,
                height: crop.side / 3.0,
            },
            (None, None) => return vec![hand],
        };
        let region = a.to_original(region);
        vec![ctx.decide(
            "headwear",
            hand,
            Text::new("未佩戴帽子或头饰", "No hat or head covering"),
            Text::new(
                "检测到帽子或头饰（帽子、头巾、发带等）：请摘下后重新拍摄，露出完整头部",
                "A hat or head covering was detected (cap, scarf, hood, headband): take it off and retake the photo",
            ),
            Some(region),
        )]
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn without_a_head_or_the_appearance_network_headwear_is_not_assessed() {
        let f = run(&portrait(0.0, 0.0, 0.0).build(), "headwear");
        assert_eq!(outcome(&f, "HW001"), NotAssessed, "{f:?}");
    }

    /// The shipped head reads the crown crop too: without that crop's embedding HW001 cannot be
    /// decided and must not pass.
    #[test]
    fn the_shipped_head_without_the_crown_crop_is_not_assessed() {
        let profile = crate::profile::Profile::default_profile();
        let heads = &profile.heads;
        assert!(heads.get("headwear").is_some_and(|h| h.inputs.uses_crown()), "the shipped headwear head reads the crown crop");
        let (_, rule) = profile.rules.iter().find(|(s, _)| s.family == "headwear").expect("headwear rule");
        let evaluate = |a: &crate::analysis::Analysis| {
            rule.evaluate(&crate::rules::Context { analysis: a, as_of: crate::rules::tests::as_of(), heads })
        };
        let embedding = vec![0.5; crate::heads::EMBEDDING_LEN];
        let without = portrait(0.0, 0.0, 0.0).appearance(embedding.clone(), None).build();
        assert_eq!(outcome(&evaluate(&without), "HW001"), NotAssessed);
        let with = portrait(0.0, 0.0, 0.0).appearance(embedding.clone(), Some(embedding)).build();
        let f = evaluate(&with);
        assert_ne!(outcome(&f, "HW001"), NotAssessed, "{f:?}");
        assert!(f.iter().any(|f| f.code == "HW001" && f.unit == "probability"), "{f:?}");
    }
}
