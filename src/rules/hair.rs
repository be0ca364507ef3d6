//! Hair: ears must be visible (long hair beside the face hides them), and hair must not cover
//! the eyebrows or eyes.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, HeadSlot, Rule, RuleSpec, Score};
use crate::analysis::face_frame::{pixel, ycbcr};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const HR001: &str = "HR001";
pub const HR002: &str = "HR002";

pub static SPEC: RuleSpec = RuleSpec {
    family: "hair",
    codes: &[
        CodeInfo {
            code: HR001,
            name: "ears_visible",
            summary: "Background visible beside the face at ear height (hair does not hide the ears)",
            summary_zh: "耳部高度处面部两侧可见背景（头发未遮挡耳朵）",
            unit: "fraction",
            head: Some(HeadSlot { label: "ears_covered", signal: true, crown: false }),
            eval: Some(EvalLabel { label: "ears_covered", violation: true, score: Score::LowerIsViolation, with: &[] }),
        },
        CodeInfo {
            code: HR002,
            name: "brows_visible",
            summary: "Forehead band above the brows as bright as the skin (no fringe over brows or eyes)",
            summary_zh: "眉毛上方额头区域与皮肤亮度一致（刘海未遮挡眉眼）",
            unit: "ratio",
            head: Some(HeadSlot { label: "hair_over_brows", signal: true, crown: false }),
            eval: Some(EvalLabel { label: "hair_over_brows", violation: true, score: Score::LowerIsViolation, with: &[] }),
        },
    ],
    build: |v| build_with(v, |c| Hair { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Background share beside the face at ear height; below it the ears count as covered.
    pub min_ear_background: f64,
    /// A box must be at least this much inside the image to be judged.
    pub min_box_inside: f64,
    /// Brow-band luma over skin luma; below it hair covers the brows.
    pub min_brow_brightness: f64,
}

pub struct Hair {
    c: Config,
}

const EAR_S: (f32, f32) = (0.55, 0.75);
const EAR_T: (f32, f32) = (0.35, 0.65);
const BROW: (f32, f32, f32, f32) = (-0.3, 0.3, 0.03, 0.12);

impl Rule for Hair {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let (t_ear, t_brow) = (Threshold::min(c.min_ear_background), Threshold::min(c.min_brow_brightness));
        let Some(frame) = a.face_frame else {
            return vec![
                Finding::not_assessed(HR001, "fraction", t_ear, no_face()),
                Finding::not_assessed(HR002, "ratio", t_brow, no_face()),
            ];
        };
        let mut out = Vec::new();
        let ear_pass = Text::new("双耳露出", "The ears are visible");
        let ear_fail = Text::new("头发遮住了耳朵：请将头发拢到耳后，露出双耳", "Hair covers the ears: tuck your hair behind your ears");
        let ear_polygon = frame.polygon(-EAR_S.1, EAR_S.1, EAR_T.0, EAR_T.1);

        let mut shares = Vec::new();
        let mut cut = false;
        for (s0, s1) in [(-EAR_S.1, -EAR_S.0), (EAR_S.0, EAR_S.1)] {
            let (pts, asked) = frame.samples(a.image(), s0, s1, EAR_T.0, EAR_T.1);
            if (pts.len() as f64) < c.min_box_inside * asked as f64 {
                cut = true;
                break;
            }
            shares.push(pts.iter().filter(|p| a.person.at(p.x, p.y) < 0.5).count() as f64 / pts.len() as f64);
        }
        if cut {
            out.push(Finding::not_assessed(
                HR001,
                "fraction",
                t_ear,
                Text::new("耳朵区域超出画面，无法评估", "The ear regions are outside the photo"),
            ));
        } else {
            let share = shares.iter().sum::<f64>() / shares.len() as f64;
            out.push(Finding::measured(HR001, round(share, 3), "fraction", t_ear, ear_pass.clone(), ear_fail.clone()));
        }
        let hand = out.pop().expect("one HR001 finding was pushed");
        out.push(ctx.decide("ears_covered", hand, ear_pass, ear_fail, Some(a.to_original(Region::Polygon { points: ear_polygon }))));

        let brow_pass = Text::new("眉毛和眼睛未被头发遮挡", "Hair does not cover the brows or eyes");
        let brow_fail = Text::new(
            "头发遮住了眉毛或眼睛：请将刘海拨开，露出眉毛",
            "Hair covers the eyebrows or eyes: move your fringe aside so the brows are visible",
        );
        let brows = match a.skin {
            Some(skin) => {
                let (pts, _) = frame.samples(a.image(), BROW.0, BROW.1, BROW.2, BROW.3);
                let ys: Vec<f32> = pts.iter().map(|p| ycbcr(pixel(a.image(), *p)).0).collect();
                match crate::imaging::quantile(&ys, 0.5) {
                    Some(y) => Finding::measured(
                        HR002,
                        round((y / skin.y.max(1.0)) as f64, 3),
                        "ratio",
                        t_brow,
                        brow_pass.clone(),
                        brow_fail.clone(),
                    ),
                    None => {
                        Finding::not_assessed(HR002, "ratio", t_brow, Text::new("额头区域超出画面", "The forehead is outside the photo"))
                    }
                }
            }
            None => Finding::not_assessed(
                HR002,
                "ratio",
                t_brow,
                Text::new("未能测得肤色参考，无法评估", "No skin reference could be measured, so this could not be assessed"),
            ),
        };
        let brow_region = a.to_original(Region::Polygon { points: frame.polygon(BROW.0, BROW.1, BROW.2, BROW.3) });
        out.push(ctx.decide("hair_over_brows", brows, brow_pass, brow_fail, Some(brow_region)));
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn a_fringe_over_the_brows_and_hair_over_the_ears() {
        let clear = run(&portrait(0.0, 0.0, 0.0).build(), "hair");
        assert_eq!(outcome(&clear, "HR002"), Pass, "{clear:?}");
        assert_eq!(outcome(&clear, "HR001"), Pass, "{clear:?}");
        // Where the face frame puts the brows and the ears on this portrait.
        let frame = portrait(0.0, 0.0, 0.0).build().face_frame.expect("a face frame");
        let (top, brows) = (frame.point(0.0, -0.1).y as u32, frame.point(0.0, 0.14).y as u32);
        let half = (0.4 * frame.width) as u32;
        let fringe = run(
            &portrait(0.0, 0.0, 0.0).paint([40, 30, 25], move |x, y| (top..brows).contains(&y) && x.abs_diff(300) < half).build(),
            "hair",
        );
        assert_eq!(outcome(&fringe, "HR002"), Fail, "{fringe:?}");
        let (ear_top, ear_bottom) = (frame.point(0.0, 0.3).y as u32, frame.point(0.0, 0.7).y as u32);
        let (inner, outer) = ((0.45 * frame.width) as u32, (0.9 * frame.width) as u32);
        let ears = run(
            &portrait(0.0, 0.0, 0.0)
                .paint([40, 30, 25], move |x, y| (ear_top..ear_bottom).contains(&y) && (inner..outer).contains(&x.abs_diff(300)))
                .person(|_, _| 1.0)
                .build(),
            "hair",
        );
        assert_eq!(outcome(&ears, "HR001"), Fail, "{ears:?}");
    }
}
