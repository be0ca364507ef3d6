//! No jewellery (不佩戴首饰): no earrings or other ornaments.
//!
//! Reads the analysis's ornament scan (`analysis::ornaments`): earrings beside the earlobes of a
//! colour no skin, hair or white backdrop has (gold, coloured stones, enamel), the glint of a
//! metal or stone stud on the lobe, (since stop 52) a small disc of one even colour set apart
//! from the lobe all round (a black or silver stud, a pearl), and (since stop 53) a thin ring
//! hanging from the lobe (a silver hoop). A stud small or soft at the photo's
//! scale, one at the lobe's edge in the backdrop's colour, and necklaces are not seen: a pass says
//! what was looked for. Without a face frame or on a grey photo the scan cannot run: not
//! assessed (a person looks, the check being mandatory).

use serde::Deserialize;

use super::{build_with, enclosing_box, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score, WhenFound};
use crate::analysis::ornaments::{Ornament, OrnamentLimits};
use crate::report::{Outcome, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const JW001: &str = "JW001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "jewellery",
    codes: &[CodeInfo {
        code: JW001,
        name: "no_jewellery",
        summary: "No earrings or other jewellery (coloured ornaments, the glint of a stud, small discs of one even colour and thin hoops at the earlobes; studs small or soft at the photo's scale and necklaces are not seen)",
        summary_zh: "不佩戴耳环等首饰（耳垂处的彩色饰物、耳钉的反光、颜色均匀的小圆饰和细耳圈；过小或模糊的耳钉和项链无法识别）",
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
    /// A glint counts as a stud from this log-luma contrast over the ring around it (the scan
    /// reports weaker ones too; see `analysis::ornaments`).
    pub min_glint_contrast: f32,
    /// A disc of one colour on the lobe counts from this strength: its smallest colour distance
    /// to what lies around it over its own luma spread (see `analysis::ornaments`).
    pub min_disc_contrast: f32,
    /// A thin ring hanging from the lobe counts from this strength: its weakest contrast round
    /// the ring over the ring's own unevenness (see `analysis::ornaments`).
    pub min_hoop_contrast: f32,
    /// What an ornament found does: `review` (a person looks: the scan goes by colour or a glint
    /// alone) or `fail`.
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
        let limits = OrnamentLimits { glint: self.c.min_glint_contrast, disc: self.c.min_disc_contrast, hoop: self.c.min_hoop_contrast };
        let found: Vec<&Ornament> = a.ornaments.found.iter().filter(|o| o.counts(&limits)).collect();
        let n = found.len();
        let mut finding = Finding::measured(
            JW001,
            n as f64,
            "ornaments",
            t,
            Text::new(
                "耳垂处未发现彩色饰品、耳钉反光、圆形饰物或细耳圈",
                "No coloured ornament, stud's glint, disc or hoop at the earlobes",
            ),
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
    use crate::analysis::ornaments::OrnamentLimits;
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
    fn a_gold_coloured_or_flat_grey_stud_goes_to_review_a_skin_one_is_not_seen() {
        let bare = run(&lobe_with_stud(0.55, [205, 160, 135]).build(), "jewellery");
        assert_eq!(settled(&bare, "JW001"), Pass);
        for (side, colour) in [(0.55, [225, 185, 40]), (-0.55, [40, 120, 200]), (0.5, [30, 160, 60])] {
            let stud = run(&lobe_with_stud(side, colour).build(), "jewellery");
            assert_eq!((outcome(&stud, "JW001"), settled(&stud, "JW001")), (Uncertain, Uncertain), "{colour:?} at s = {side}");
            assert!(stud[0].region.is_some(), "the ornament is drawn");
        }
        // Flat grey metal without a highlight has the colour of hair and shadow, but is a disc of
        // one colour set apart from the lobe all round (since stop 52).
        let silver = run(&lobe_with_stud(0.55, [190, 190, 195]).build(), "jewellery");
        assert_eq!(settled(&silver, "JW001"), Uncertain);
        // A stud out of the zone (on the cheek) is not an earring.
        let cheek = run(&lobe_with_stud(0.2, [225, 185, 40]).build(), "jewellery");
        assert_eq!(settled(&cheek, "JW001"), Pass);
    }

    /// The lobe of `lobe_with_stud` with a ball of `metal` colour and radius `ball` face widths,
    /// and a white highlight of radius `glint` face widths on it (the specular point of a stud).
    fn lobe_with_glint(metal: [u8; 3], ball: f32, glint: f32) -> Builder {
        let f = frame();
        let c = f.point(0.55, 0.6);
        let (rb, rg) = (ball * f.width, glint * f.width);
        lobe_with_stud(0.55, [205, 160, 135])
            .paint(metal, move |x, y| (x as f32 - c.x).hypot(y as f32 - c.y) < rb)
            .paint([250, 250, 250], move |x, y| (x as f32 - c.x).hypot(y as f32 - c.y) < rg)
    }

    #[test]
    fn a_glint_on_the_lobe_goes_to_review_a_broad_highlight_or_one_in_hair_does_not() {
        // A black or a grey metal stud's specular point (a pixel or two across) on the lobe.
        for metal in [[40, 40, 45], [120, 120, 125]] {
            let stud = run(&lobe_with_glint(metal, 0.015, 0.004).build(), "jewellery");
            assert_eq!(settled(&stud, "JW001"), Uncertain, "{metal:?}");
            assert!(stud[0].region.is_some(), "the glint is drawn");
        }
        // A highlight as broad as the ring, fading into the skin: skin's own sheen, not a stud.
        let sheen = run(&lobe_with_soft_spot([250, 245, 240], 0.016).build(), "jewellery");
        assert_eq!(settled(&sheen, "JW001"), Pass);
        // The backdrop seen through dark hair below the lobe: a bright point with no skin around it.
        let f = frame();
        let c = f.point(0.55, 0.6);
        let (rh, rg) = (0.04 * f.width, 0.004 * f.width);
        let hair = lobe_with_stud(0.55, [205, 160, 135])
            .paint([30, 25, 22], move |x, y| (x as f32 - c.x).hypot(y as f32 - c.y) < rh)
            .paint([246, 246, 244], move |x, y| (x as f32 - c.x).hypot(y as f32 - c.y) < rg);
        assert_eq!(settled(&run(&hair.build(), "jewellery"), "JW001"), Pass);
    }

    /// The lobe of `lobe_with_stud` with a round spot of `colour` fading into the skin over
    /// `radius` face widths (a sheen, a shadow): eight steps from skin to `colour`.
    fn lobe_with_soft_spot(colour: [u8; 3], radius: f32) -> Builder {
        let f = frame();
        let c = f.point(0.55, 0.6);
        let skin = [205.0f32, 160.0, 135.0];
        (1..=8).fold(lobe_with_stud(0.55, [205, 160, 135]), |b, k| {
            let w = k as f32 / 8.0;
            let tone: [u8; 3] = std::array::from_fn(|i| (skin[i] + w * (colour[i] as f32 - skin[i])).round() as u8);
            let r = radius * f.width * (1.0 - 0.9 * w);
            b.paint(tone, move |x, y| (x as f32 - c.x).hypot(y as f32 - c.y) < r)
        })
    }

    #[test]
    fn a_flat_disc_on_the_lobe_goes_to_review_whatever_its_colour_a_soft_spot_does_not() {
        // A black stud, a pearl, a silver stud: no colour of their own and no glint, each one even
        // colour with the lobe all round.
        for colour in [[25, 25, 30], [236, 230, 218], [192, 192, 200]] {
            let a = lobe_with_stud(0.55, colour).build();
            assert!(a.ornaments.found.iter().any(|o| o.kind == crate::analysis::ornaments::OrnamentKind::Disc), "{colour:?}");
            assert_eq!(settled(&run(&a, "jewellery"), "JW001"), Uncertain, "{colour:?}");
        }
        // A shadow in the ear or a sheen, fading into the skin around it.
        for colour in [[90, 60, 50], [250, 245, 240]] {
            assert_eq!(settled(&run(&lobe_with_soft_spot(colour, 0.016).build(), "jewellery"), "JW001"), Pass, "{colour:?}");
        }
    }

    /// The shipped profile's limits (profiles/cn-driving-licence-base.toml).
    const SHIPPED: OrnamentLimits = OrnamentLimits { glint: 0.5, disc: 4.5, hoop: 1.8 };

    /// JW001's findings on `a` under a profile section with these limits and `when_found`.
    fn judged(a: &crate::analysis::Analysis, limits: OrnamentLimits, when_found: &str) -> Vec<super::Finding> {
        let OrnamentLimits { glint, disc, hoop } = limits;
        let section: toml::Value = toml::from_str(&format!(
            "max_ornaments = 0\nmin_glint_contrast = {glint}\nmin_disc_contrast = {disc}\nmin_hoop_contrast = {hoop}\nwhen_found = \"{when_found}\""
        ))
        .unwrap();
        let rule = (super::SPEC.build)(section).unwrap();
        let heads = Default::default();
        rule.evaluate(&crate::rules::Context { analysis: a, as_of: crate::rules::tests::as_of(), heads: &heads })
    }

    /// The strongest ornament of `kind` the scan found on `a`.
    fn strongest(a: &crate::analysis::Analysis, kind: crate::analysis::ornaments::OrnamentKind) -> f32 {
        a.ornaments.found.iter().filter(|o| o.kind == kind).map(|o| o.strength).fold(0.0f32, f32::max)
    }

    /// A skin-coloured earlobe at `s` with a ring of `colour` hanging from it: `radius` and
    /// `thickness` in face widths, the ring's top on the lobe.
    fn lobe_with_hoop(s: f32, colour: [u8; 3], radius: f32, thickness: f32) -> Builder {
        let f = frame();
        let lobe = f.point(s, 0.6);
        let (r_lobe, r, t) = (0.04 * f.width, radius * f.width, (thickness * f.width).max(1.5));
        let centre = (lobe.x, lobe.y + r);
        let on_ring = move |x: u32, y: u32| {
            let d = (x as f32 - centre.0).hypot(y as f32 - centre.1);
            d >= r - t && d <= r
        };
        portrait(0.0, 0.0, 0.0)
            .paint([205, 160, 135], move |x, y| (x as f32 - lobe.x).hypot(y as f32 - lobe.y) < r_lobe)
            .paint(colour, on_ring)
    }

    #[test]
    fn a_silver_black_or_gold_hoop_goes_to_review_a_fold_of_skin_does_not() {
        for colour in [[192, 192, 200], [30, 30, 35], [225, 185, 40]] {
            let a = lobe_with_hoop(0.55, colour, 0.035, 0.008).build();
            let hoop = strongest(&a, crate::analysis::ornaments::OrnamentKind::Hoop);
            assert_eq!(settled(&run(&a, "jewellery"), "JW001"), Uncertain, "{colour:?}: hoop {hoop}");
        }
        // A ring of skin's own hue, darker: how a fold of the ear reads.
        let fold = lobe_with_hoop(0.55, [150, 105, 85], 0.035, 0.008).build();
        assert_eq!(strongest(&fold, crate::analysis::ornaments::OrnamentKind::Hoop), 0.0);
        assert_eq!(settled(&run(&fold, "jewellery"), "JW001"), Pass);
    }

    /// Under `limits` the strongest ornament of `kind` on `a` goes to review; with its own limit
    /// just above its strength (`raised`), JW001 passes.
    fn the_limit_decides(
        a: &crate::analysis::Analysis,
        kind: crate::analysis::ornaments::OrnamentKind,
        limits: OrnamentLimits,
        raised: impl Fn(OrnamentLimits, f32) -> OrnamentLimits,
    ) {
        let strength = strongest(a, kind);
        assert_eq!(outcome(&judged(a, limits, "review"), "JW001"), Uncertain, "{kind:?} {strength}");
        let above = raised(limits, strength + 0.01);
        assert_eq!(outcome(&judged(a, above, "review"), "JW001"), Pass, "a limit above the {kind:?}'s strength passes it");
    }

    #[test]
    fn the_profile_says_how_strong_a_hoop_must_be() {
        let a = lobe_with_hoop(0.55, [192, 192, 200], 0.035, 0.008).build();
        the_limit_decides(&a, crate::analysis::ornaments::OrnamentKind::Hoop, SHIPPED, |l, hoop| OrnamentLimits { hoop, ..l });
    }

    #[test]
    fn the_profile_says_how_strong_a_disc_must_be() {
        let a = lobe_with_stud(0.55, [25, 25, 30]).build();
        the_limit_decides(&a, crate::analysis::ornaments::OrnamentKind::Disc, SHIPPED, |l, disc| OrnamentLimits { disc, ..l });
    }

    #[test]
    fn a_profile_can_make_an_ornament_fail() {
        let found = judged(&lobe_with_stud(0.55, [225, 185, 40]).build(), SHIPPED, "fail");
        assert_eq!(outcome(&found, "JW001"), Fail);
        assert!(found[0].message.en.contains("take off all jewellery"), "{:?}", found[0].message);
    }

    #[test]
    fn the_profile_says_how_strong_a_glint_must_be() {
        // Discs out of the way (a limit of 1000): the glint's limit alone decides.
        let a = lobe_with_glint([40, 40, 45], 0.015, 0.004).build();
        let no_discs = OrnamentLimits { disc: 1000.0, ..SHIPPED };
        the_limit_decides(&a, crate::analysis::ornaments::OrnamentKind::Glint, no_discs, |l, glint| OrnamentLimits { glint, ..l });
    }

    #[test]
    fn without_a_face_or_colour_it_is_not_assessed() {
        let none = run(&Builder::new(600, 800, [246, 246, 244]).build(), "jewellery");
        assert_eq!(settled(&none, "JW001"), NotAssessed);
        let grey = portrait(0.0, 0.0, 0.0)
            .paint([160, 160, 160], |x, y| ((x as f32 - 300.0) / 150.0).powi(2) + ((y as f32 - 330.0) / 200.0).powi(2) < 1.0);
        assert_eq!(settled(&run(&grey.build(), "jewellery"), "JW001"), NotAssessed);
    }
}
