//! Posture: shoulders level (seated upright, square to the camera), from the person mask.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::imaging::Point;
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const SH001: &str = "SH001";

pub static SPEC: RuleSpec = RuleSpec {
    family: "posture",
    codes: &[CodeInfo {
        code: SH001,
        name: "shoulders_level",
        summary: "Tilt of the line across the tops of the shoulders (person mask)",
        summary_zh: "两肩顶部连线的倾斜（人像分割）",
        unit: "deg",
        ..CodeInfo::NONE
    }],
    build: |v| build_with(v, |c| Posture { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_shoulder_tilt_deg: f64,
}

pub struct Posture {
    c: Config,
}

/// Shoulders are looked for at most this many face widths either side of the face centre,
/// scanning down from nose height (background there, beside the head).
const SHOULDER_S: f32 = 1.3;
/// ... and at least this many: nearer the face the scan meets the neck and hair. An ID photo
/// framed to the notice's head size has its shoulders' ends out of frame at 1.3 face widths, so
/// the scan moves in (symmetrically, so a level slope reads level) until both points are inside.
const SHOULDER_S_MIN: f32 = 0.8;
const SHOULDER_S_STEP: f32 = 0.05;

impl Rule for Posture {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let t = Threshold::range(-self.c.max_shoulder_tilt_deg, self.c.max_shoulder_tilt_deg);
        let Some(frame) = a.face_frame else {
            return vec![Finding::not_assessed(SH001, "deg", t, no_face())];
        };
        let (w, h) = (a.image().width() as f32, a.image().height() as f32);
        // From beside the chin, go straight down the image until the mask turns to person.
        let top_of_shoulder = |s: f32| -> Option<Point> {
            let start = frame.point(s, 0.5);
            if start.x < 0.0 || start.x >= w {
                return None;
            }
            let limit = (start.y + 2.0 * frame.height).min(h - 1.0);
            let step = (h / 400.0).max(1.0);
            let mut y = start.y.max(0.0);
            while y <= limit {
                if a.person.at(start.x, y) >= 0.5 {
                    // Already person at the start: this is hair or the neck, not a shoulder edge.
                    return (y > start.y.max(0.0)).then_some(Point::new(start.x, y));
                }
                y += step;
            }
            None
        };
        let inside = |s: f32| {
            let margin = 0.01 * w;
            [frame.point(-s, 0.5), frame.point(s, 0.5)].iter().all(|p| p.x >= margin && p.x < w - margin)
        };
        let mut s = SHOULDER_S;
        while s > SHOULDER_S_MIN && !inside(s) {
            s -= SHOULDER_S_STEP;
        }
        let (Some(left), Some(right)) = (top_of_shoulder(-s), top_of_shoulder(s)) else {
            return vec![Finding::not_assessed(
                SH001,
                "deg",
                t,
                Text::new("肩部不在画面内，无法评估", "The shoulders are not in the photo"),
            )];
        };
        let tilt = (right.y - left.y).atan2(right.x - left.x).to_degrees();
        vec![Finding::measured(
            SH001,
            round(tilt as f64, 1),
            "deg",
            t,
            Text::new("双肩水平", "Shoulders are level"),
            Text::new(
                format!("双肩不平（倾斜约 {:.0}°）：请坐正，双肩放平", tilt.abs()),
                format!("The shoulders are tilted about {:.0}°: sit upright with level shoulders", tilt.abs()),
            ),
        )
        .with_region_if_failed(Some(a.to_original(Region::Polygon { points: vec![left, right] })))]
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::synthetic::Builder;
    use crate::report::Outcome::*;
    use crate::rules::tests::{measured, outcome, run};

    /// A portrait with shoulders whose top edge falls by `slope` px per px to the image's right,
    /// and a face `face_height` px high (240: the shoulders 1.3 face widths out are in frame; 330,
    /// the ID framing of the other fixtures: they are not).
    fn shoulders(slope: f32, face_height: f32) -> Builder {
        let (cx, cy) = (300.0f32, 330.0f32);
        Builder::new(600, 800, [246, 246, 244])
            .paint([205, 160, 135], move |x, y| ((x as f32 - cx) / 150.0).powi(2) + ((y as f32 - cy) / 200.0).powi(2) < 1.0)
            .person(move |x, y| {
                if ((x - cx) / 170.0).powi(2) + ((y - cy + 20.0) / 225.0).powi(2) < 1.0 || y > 600.0 + slope * (x - cx) {
                    1.0
                } else {
                    0.0
                }
            })
            .face(cx, cy, face_height, 0.0, 0.0, 0.0)
    }

    #[test]
    fn level_shoulders_pass_a_tilt_fails() {
        let level = run(&shoulders(0.0, 240.0).build(), "posture");
        assert_eq!(outcome(&level, "SH001"), Pass, "{:?}", level[0]);
        assert!(measured(&level, "SH001").abs() < 1.0);
        let tilted = run(&shoulders(0.25, 240.0).build(), "posture");
        assert_eq!(outcome(&tilted, "SH001"), Fail, "{:?}", tilted[0]);
        assert!((measured(&tilted, "SH001") - 14.0).abs() < 2.0, "atan(0.25) = 14°: {}", measured(&tilted, "SH001"));
    }

    #[test]
    fn an_id_framed_portrait_has_its_shoulders_read_nearer_the_face() {
        // Until stop 42 the scan stayed 1.3 face widths out, beyond the frame of every licence-
        // ready London portrait, and SH001 was not assessed on any of them.
        let level = run(&shoulders(0.0, 330.0).build(), "posture");
        assert_eq!(outcome(&level, "SH001"), Pass, "{:?}", level[0]);
        assert!(measured(&level, "SH001").abs() < 1.0);
        let tilted = run(&shoulders(-0.2, 330.0).build(), "posture");
        assert_eq!(outcome(&tilted, "SH001"), Fail, "{:?}", tilted[0]);
        assert!((measured(&tilted, "SH001") + 11.3).abs() < 2.0, "atan(-0.2) = -11.3°: {}", measured(&tilted, "SH001"));
    }
}
