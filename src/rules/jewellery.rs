//! No jewellery (不佩戴首饰): no earrings or other ornaments.
//!
//! Reads the analysis's ornament scan (`analysis::ornaments`): earrings beside the earlobes of a
//! colour no skin, hair or white backdrop has (gold, coloured stones, enamel). Silver, black,
//! white and pearl studs and necklaces are not seen (their colour is hair's, shadow's or the
//! backdrop's): a pass says what was looked for. Without a face frame or on a grey photo the scan
//! cannot run: not assessed (a person looks, the check being mandatory).

use serde::Deserialize;

use super::{build_with, enclosing_box, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score, WhenFound};
use crate::report::{Outcome, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const JW001: &str = "JW001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "jewellery",
    codes: &[CodeInfo {
        code: JW001,
        name: "no_jewellery",
        summary: "No earrings or other jewellery (coloured ornaments at the earlobes; silver, black and pearl studs are not seen)",
        summary_zh: "不佩戴耳环等首饰（耳垂处的彩色饰物；银色、黑色和珍珠耳钉无法识别）",
        unit: "ornaments",
        // The London labels' `accessories` column (earrings, a nose stud, a necklace).
        eval: Some(EvalLabel { label: "accessories", violation: true, score: Score::Measured, with: &[] }),
        ..CodeInfo::NONE
    }],
    build: |v| build_with(v, |c| Jewellery { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_ornaments: usize,
    /// What an ornament found does: `review` (a person looks: the scan goes by colour alone) or
    /// `fail`.
    pub when_found: WhenFound,
}

pub struct Jewellery {
    c: Config,
}

impl Rule for Jewellery {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let t = Threshold::max(self.c.max_ornaments as f64);
        if !a.ornaments.assessed {
            let why = if a.face_frame.is_none() {
                Text::new("未找到可分析的面部，无法检查耳部饰品", "No face to analyse: earrings could not be looked for")
            } else {
                Text::new("黑白照片无法按颜色识别饰品", "A black-and-white photo: ornaments cannot be told by their colour")
            };
            return vec![Finding::not_assessed(JW001, "ornaments", t, why)];
        }
        let found = &a.ornaments.found;
        let n = found.len();
        let mut finding = Finding::measured(
            JW001,
            n as f64,
            "ornaments",
            t,
            Text::new("耳垂处未发现彩色饰品", "No coloured ornament at the earlobes"),
            Text::new(
                format!("耳部有 {n} 处饰品（耳环、耳钉）：请摘下所有首饰后重新拍摄"),
                format!("{n} ornament(s) at the ears (earrings, studs): take off all jewellery and retake"),
            ),
        );
        if finding.outcome == Outcome::Fail && self.c.when_found == WhenFound::Review {
            // The review sentence is built from `if_failed` (pipeline::settle).
            finding.outcome = Outcome::Uncertain;
            finding.if_failed = Some(Text::new(
                format!("耳部有 {n} 处疑似饰品（耳环、耳钉）：如佩戴首饰，请摘下后重新拍摄"),
                format!("{n} possible ornament(s) at the ears (earrings, studs): if you wear jewellery, take it off and retake"),
            ));
        }
        if let Some(region) = enclosing_box(found.iter().map(|o| (o.x, o.y, o.width, o.height))) {
            finding = finding.with_region_if_failed(Some(a.to_original(region)));
        }
        vec![finding]
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::synthetic::Builder;
    use crate::analysis::FaceFrame;
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run, settled};

    /// The synthetic portrait's face frame (the ear zone is placed from it).
    fn frame() -> FaceFrame {
        portrait(0.0, 0.0, 0.0).build().face_frame.expect("a face frame")
    }

    /// A skin-coloured earlobe beside the face at `s` (face widths from the axis) with a stud of
    /// `colour` on it.
    fn lobe_with_stud(s: f32, colour: [u8; 3]) -> Builder {
        let f = frame();
        let lobe = f.point(s, 0.6);
        let (r_lobe, r_stud) = (0.06 * f.width, 0.015 * f.width);
        portrait(0.0, 0.0, 0.0)
            .paint([205, 160, 135], move |x, y| (x as f32 - lobe.x).hypot(y as f32 - lobe.y) < r_lobe)
            .paint(colour, move |x, y| (x as f32 - lobe.x).hypot(y as f32 - lobe.y) < r_stud)
    }

    #[test]
    fn a_gold_or_coloured_stud_goes_to_review_a_skin_or_grey_one_is_not_seen() {
        let bare = run(&lobe_with_stud(0.55, [205, 160, 135]).build(), "jewellery");
        assert_eq!(settled(&bare, "JW001"), Pass);
        for (side, colour) in [(0.55, [225, 185, 40]), (-0.55, [40, 120, 200]), (0.5, [30, 160, 60])] {
            let stud = run(&lobe_with_stud(side, colour).build(), "jewellery");
            assert_eq!((outcome(&stud, "JW001"), settled(&stud, "JW001")), (Uncertain, Uncertain), "{colour:?} at s = {side}");
            assert!(stud[0].region.is_some(), "the ornament is drawn");
        }
        // Grey metal has the colour of hair and shadow: not looked for (the pass says so).
        let silver = run(&lobe_with_stud(0.55, [190, 190, 195]).build(), "jewellery");
        assert_eq!(settled(&silver, "JW001"), Pass);
        // A stud out of the zone (on the cheek) is not an earring.
        let cheek = run(&lobe_with_stud(0.2, [225, 185, 40]).build(), "jewellery");
        assert_eq!(settled(&cheek, "JW001"), Pass);
    }

    #[test]
    fn a_profile_can_make_an_ornament_fail() {
        let section: toml::Value = toml::from_str("max_ornaments = 0\nwhen_found = \"fail\"").unwrap();
        let rule = (super::SPEC.build)(section).unwrap();
        let heads = Default::default();
        let a = lobe_with_stud(0.55, [225, 185, 40]).build();
        let found = rule.evaluate(&crate::rules::Context { analysis: &a, as_of: crate::rules::tests::as_of(), heads: &heads });
        assert_eq!(outcome(&found, "JW001"), Fail);
        assert!(found[0].message.en.contains("take off all jewellery"), "{:?}", found[0].message);
    }

    #[test]
    fn without_a_face_or_colour_it_is_not_assessed() {
        let none = run(&Builder::new(600, 800, [246, 246, 244]).build(), "jewellery");
        assert_eq!(settled(&none, "JW001"), NotAssessed);
        let grey = portrait(0.0, 0.0, 0.0).paint([160, 160, 160], |x, y| ((x as f32 - 300.0) / 150.0).powi(2) + ((y as f32 - 330.0) / 200.0).powi(2) < 1.0);
        assert_eq!(settled(&run(&grey.build(), "jewellery"), "JW001"), NotAssessed);
    }
}
