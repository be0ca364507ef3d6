//! Eyes open: both eyes, from the attention mesh's refined eyelids (the plain mesh's eyelids do not
//! follow a blink, and the iris model's contour reads narrow or drooping lids as open). EY002
//! reads the photo itself: the meshes place an open eye under anything that covers it, and only
//! a real eye has the white of the eye beside a dark iris (`analysis::eye_detail`).

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, Finding, Rule, RuleSpec, Score};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const EY001: &str = "EY001";
pub const EY002: &str = "EY002";

pub static SPEC: RuleSpec = RuleSpec {
    family: "eyes",
    codes: &[
        CodeInfo {
            code: EY001,
            name: "eyes_open",
            summary: "Both eyes open (eye aspect ratio of the less open eye)",
            summary_zh: "双眼睁开（睁得较小一只眼的纵横比）",
            unit: "ratio",
            eval: Some(EvalLabel { label: "eyes_open", violation: false, score: Score::Measured, with: &[] }),
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: EY002,
            name: "eyes_visible",
            summary: "Both eyes can be seen: light and dark inside each eye's outline (white of the eye, iris), not one colour as under a patch or a sticker (Michelson contrast of the less visible eye)",
            summary_zh: "双眼清晰可见：眼睛轮廓内有明有暗（眼白与虹膜），而非贴片或贴纸那样的单一颜色（较不清晰一只眼的迈克尔逊对比度）",
            unit: "contrast",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Eyes { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Lid opening over eye width of the less open eye.
    pub min_eye_aspect_ratio: f64,
    /// EY002: the less visible eye's contrast inside its outline
    /// (`analysis::eye_detail::eye_contrast`) at least this.
    pub min_eye_contrast: f64,
}

pub struct Eyes {
    c: Config,
}

impl Rule for Eyes {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        vec![self.eyes_open(ctx), self.eyes_visible(ctx)]
    }
}

impl Eyes {
    /// EY001: the less open eye's lid opening.
    fn eyes_open(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        let threshold = Threshold::min(self.c.min_eye_aspect_ratio);
        let Some(face) = a.face.as_ref() else {
            return Finding::not_assessed(EY001, "ratio", threshold, no_face());
        };
        let Some(refined) = face.refined.as_ref() else {
            return Finding::not_assessed(
                EY001,
                "ratio",
                threshold,
                Text::new("无法定位眼睑，无法评估", "The eyelids could not be located"),
            );
        };
        let (r, l) = (refined.eye_aspect_ratio(0), refined.eye_aspect_ratio(1));
        let (worst, eye) = if r <= l { (r, 0) } else { (l, 1) };
        Finding::measured(
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
        .with_region_if_failed(Some(a.to_original(Region::Polygon { points: refined.eye_outline(eye) })))
    }

    /// EY002: the less visible eye's contrast inside its outline. Not assessed without refined
    /// eyelids or with an eye too small or outside the photo (then a mandatory EY002 sends the
    /// photo to review).
    fn eyes_visible(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        let t = Threshold::min(self.c.min_eye_contrast);
        if a.face.is_none() {
            return Finding::not_assessed(EY002, "contrast", t, no_face());
        }
        let (Some(refined), Some([Some(right), Some(left)])) = (a.face.as_ref().and_then(|f| f.refined.as_ref()), a.eye_contrast) else {
            return Finding::not_assessed(
                EY002,
                "contrast",
                t,
                Text::new("无法看清双眼，无法判断眼睛是否被遮挡", "The eyes could not be seen well enough to tell whether one is covered"),
            );
        };
        let (worst, eye) = if right <= left { (right, 0) } else { (left, 1) };
        Finding::measured(
            EY002,
            round(worst as f64, 3),
            "contrast",
            t,
            Text::new("双眼清晰可见", "Both eyes can be seen"),
            Text::new(
                "一只眼睛被遮挡或看不清：请取下遮挡物，露出双眼",
                "An eye is covered or cannot be seen: remove whatever covers it and show both eyes",
            ),
        )
        .with_region_if_failed(Some(a.to_original(Region::Polygon { points: refined.eye_outline(eye) })))
    }
}

#[cfg(test)]
mod tests {
    use crate::imaging::{inside_polygon, Point};
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn eyes_of_the_skins_own_colour_are_covered_and_white_with_an_iris_are_seen() {
        // The synthetic face is one flat skin colour: the eyes the mesh placed show nothing, like
        // a patch over them.
        let covered = portrait(0.0, 0.0, 0.0).build();
        assert_eq!(outcome(&run(&covered, "eyes"), "EY002"), Fail);
        let refined = covered.face.as_ref().and_then(|f| f.refined.as_ref()).expect("refined eyes").clone();
        let outlines = [refined.eye_outline(0), refined.eye_outline(1)];
        let irises = refined.irises.clone();
        let inside = move |x: u32, y: u32| {
            let p = Point::new(x as f32 + 0.5, y as f32 + 0.5);
            outlines.iter().any(|o| inside_polygon(p, o))
        };
        let on_iris = move |x: u32, y: u32| {
            let p = Point::new(x as f32 + 0.5, y as f32 + 0.5);
            irises.iter().any(|i| i.len() > 1 && p.dist(i[0]) <= i[0].dist(i[1]))
        };
        let seen = portrait(0.0, 0.0, 0.0)
            .paint([235, 235, 230], inside.clone())
            .paint([50, 35, 30], move |x, y| inside(x, y) && on_iris(x, y))
            .build();
        let f = run(&seen, "eyes");
        assert_eq!(outcome(&f, "EY002"), Pass, "{f:?}");
    }
}
