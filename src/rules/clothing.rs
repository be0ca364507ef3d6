//! Clothing: the notice asks for dark clothing; a white or light top against the white backdrop
//! fails. Revealing clothing (much skin below the neck) is a warning.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, HeadSlot, Rule, RuleSpec, Score};
use crate::analysis::face_frame::{pixel, ycbcr};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const CL001: &str = "CL001";
pub const CL002: &str = "CL002";

pub static SPEC: RuleSpec = RuleSpec {
    family: "clothing",
    codes: &[
        CodeInfo {
            code: CL001,
            name: "dark_clothing",
            summary: "Share of the visible top (person, not skin) that is dark",
            summary_zh: "可见上衣（人物区域中非皮肤部分）为深色的比例",
            unit: "fraction",
            head: Some(HeadSlot { label: "clothing_light", signal: true, crown: false }),
            eval: Some(EvalLabel { label: "clothing_light", violation: true, score: Score::LowerIsViolation, with: &[] }),
        },
        CodeInfo {
            code: CL002,
            name: "covered_shoulders",
            summary: "Share of skin in the chest and shoulder area (revealing clothing)",
            summary_zh: "胸部和肩部皮肤比例（衣着暴露）",
            unit: "fraction",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Clothing { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A clothing sample is dark below this luma.
    pub dark_luma: f32,
    pub min_dark_share: f64,
    pub min_samples: usize,
    pub max_skin_share: f64,
}

pub struct Clothing {
    c: Config,
}

/// The top: three face widths wide, from just below the chin to about 2.5 face heights down.
const TOP: (f32, f32, f32, f32) = (-1.5, 1.5, 1.2, 2.5);
/// Neckline and upper chest.
const CHEST: (f32, f32, f32, f32) = (-0.9, 0.9, 1.15, 1.8);

impl Rule for Clothing {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let (t_dark, t_skin) = (Threshold::min(c.min_dark_share), Threshold::max(c.max_skin_share));
        let (Some(frame), Some(skin)) = (a.face_frame, a.skin) else {
            return vec![
                Finding::not_assessed(CL001, "fraction", t_dark, no_face()),
                Finding::not_assessed(CL002, "fraction", t_skin, no_face()),
            ];
        };
        let person = |p: crate::imaging::Point| a.person.at(p.x, p.y) >= 0.5;
        let (top, _) = frame.samples(a.image(), TOP.0, TOP.1, TOP.2, TOP.3);
        let cloth: Vec<[u8; 3]> =
            top.iter().filter(|p| person(**p)).map(|p| pixel(a.image(), *p)).filter(|px| !skin.is_skin(*px)).collect();
        let region = Some(a.to_original(Region::Polygon { points: frame.polygon(TOP.0, TOP.1, TOP.2, TOP.3) }));
        let mut out = Vec::new();
        let pass = Text::new("衣着为深色", "Clothing is dark");
        let hand = if cloth.len() < c.min_samples {
            Finding::not_assessed(
                CL001,
                "fraction",
                t_dark,
                Text::new("照片中衣着部分太少，无法评估", "Too little clothing is visible to judge it"),
            )
        } else {
            let dark = cloth.iter().filter(|px| ycbcr(**px).0 < c.dark_luma).count() as f64 / cloth.len() as f64;
            Finding::measured(CL001, round(dark, 3), "fraction", t_dark, pass.clone(), Text::new("", ""))
        };
        // The measured colour makes the advice concrete; a head may also judge a top the hand-made
        // share could not (too few samples), so the colour is taken over what there is.
        let n = cloth.len().max(1) as u32;
        let mean = |k: usize| cloth.iter().map(|px| px[k] as u32).sum::<u32>() / n;
        let fail = if cloth.is_empty() {
            Text::new(
                "衣着颜色过浅：请穿深色上衣重新拍摄，避免白色或浅色衣服",
                "The clothing is too light: wear a dark top, not white or light colours, and retake",
            )
        } else {
            Text::new(
                format!("衣着颜色过浅（平均 RGB {},{},{}）：请穿深色上衣重新拍摄，避免白色或浅色衣服", mean(0), mean(1), mean(2)),
                format!(
                    "The clothing is too light (average RGB {},{},{}): wear a dark top, not white or light colours, and retake",
                    mean(0),
                    mean(1),
                    mean(2)
                ),
            )
        };
        let hand = if hand.outcome == crate::report::Outcome::Fail { Finding { message: fail.clone(), ..hand } } else { hand };
        out.push(ctx.decide("clothing_light", hand, pass, fail, region));
        let (chest, _) = frame.samples(a.image(), CHEST.0, CHEST.1, CHEST.2, CHEST.3);
        let body: Vec<[u8; 3]> = chest.iter().filter(|p| person(**p)).map(|p| pixel(a.image(), *p)).collect();
        if body.len() < c.min_samples {
            out.push(Finding::not_assessed(
                CL002,
                "fraction",
                t_skin,
                Text::new("照片中胸肩部分太少，无法评估", "Too little of the shoulders is visible to judge it"),
            ));
        } else {
            let share = body.iter().filter(|px| skin.is_skin(**px)).count() as f64 / body.len() as f64;
            out.push(
                Finding::measured(
                    CL002,
                    round(share, 3),
                    "fraction",
                    t_skin,
                    Text::new("衣着得体", "Shoulders and chest are covered"),
                    Text::new(
                        "衣着暴露（肩部或胸部露出较多皮肤）：请穿有领或遮住肩膀的上衣",
                        "Too much skin is visible below the neck: wear a top that covers the shoulders",
                    ),
                )
                .with_region_if_failed(Some(a.to_original(Region::Polygon { points: frame.polygon(CHEST.0, CHEST.1, CHEST.2, CHEST.3) }))),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn dark_top_passes_white_top_fails() {
        let dark = run(&portrait(0.0, 0.0, 0.0).build(), "clothing");
        assert_eq!(outcome(&dark, "CL001"), Pass, "{:?}", dark[0]);
        let white = run(&portrait(0.0, 0.0, 0.0).paint([235, 235, 232], |_, y| y > 620).build(), "clothing");
        assert_eq!(outcome(&white, "CL001"), Fail, "{:?}", white[0]);
    }
}
