//! Expression: natural, mouth closed (no broad smile showing teeth), looking at the camera.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::analysis::face_frame::{pixel, ycbcr};
use crate::analysis::FaceAnalysis;
use crate::imaging::{bounds, inside_polygon, Point};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const EX001: &str = "EX001";
pub const EX002: &str = "EX002";
pub const EX003: &str = "EX003";
pub const EX004: &str = "EX004";

pub static SPEC: RuleSpec = RuleSpec {
    family: "expression",
    codes: &[
        CodeInfo {
            code: EX001,
            name: "mouth_closed",
            summary: "Lip gap over mouth width (mouth closed)",
            summary_zh: "上下唇间距与嘴宽之比（嘴巴闭合）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: EX002,
            name: "no_teeth",
            summary: "Share of the mouth opening that looks like teeth (broad smile)",
            summary_zh: "嘴部开口中牙齿样像素的比例（露齿笑）",
            unit: "fraction",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: EX003,
            name: "gaze",
            summary: "Iris centred between the eye corners (looking at the camera)",
            summary_zh: "虹膜位于眼角之间的中央（直视镜头）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: EX004,
            name: "no_smile",
            summary: "Mouth corners not raised above the lip line (closed-mouth smile), as a share of the mouth height",
            summary_zh: "嘴角未高于唇线（闭嘴微笑），以嘴部高度的比例计",
            unit: "ratio",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Expression { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_mouth_open: f64,
    pub max_teeth_share: f64,
    pub max_gaze_offset: f64,
    pub max_corner_lift: f64,
}

pub struct Expression {
    c: Config,
}

/// Inner lip outline (mesh), upper lip left to right then lower lip right to left.
const INNER_LIPS: [usize; 20] = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95];
const MOUTH_LEFT: usize = 61;
const MOUTH_RIGHT: usize = 291;

impl Rule for Expression {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let (t_open, t_teeth, t_gaze) =
            (Threshold::max(c.max_mouth_open), Threshold::max(c.max_teeth_share), Threshold::max(c.max_gaze_offset));
        let t_smile = Threshold::max(c.max_corner_lift);
        let Some(face) = a.face.as_ref() else {
            return vec![
                Finding::not_assessed(EX001, "ratio", t_open, no_face()),
                Finding::not_assessed(EX002, "fraction", t_teeth, no_face()),
                Finding::not_assessed(EX003, "ratio", t_gaze, no_face()),
                Finding::not_assessed(EX004, "ratio", t_smile, no_face()),
            ];
        };
        let m = &face.mesh;
        let lips: Vec<Point> = INNER_LIPS.iter().map(|&i| m.p(i)).collect();
        let (x0, y0, x1, y1) = bounds(&[m.p(MOUTH_LEFT), m.p(MOUTH_RIGHT), m.p(0), m.p(17)]);
        let mouth_region = Some(a.to_original(Region::Box { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }));
        let open_finding = match face.lip_gap() {
            Some(gap) => Finding::measured(
                EX001,
                round(gap as f64, 3),
                "ratio",
                t_open,
                Text::new("嘴巴闭合", "The mouth is closed"),
                Text::new("嘴巴张开：请自然闭嘴，保持平静表情", "The mouth is open: close your mouth and keep a neutral expression"),
            )
            .with_region_if_failed(mouth_region.clone()),
            None => {
                Finding::not_assessed(EX001, "ratio", t_open, Text::new("无法定位嘴唇，无法评估是否闭嘴", "The lips could not be located"))
            }
        };
        let mut out = vec![open_finding];
        let smile = match (a.face_frame, corner_lift(face, a.face_frame)) {
            (Some(_), Some(lift)) => Finding::measured(
                EX004,
                round(lift as f64, 3),
                "ratio",
                t_smile,
                Text::new("表情自然，未微笑", "Neutral expression, not smiling"),
                Text::new(
                    "面带微笑（嘴角上扬）：请保持自然平静的表情",
                    "Smiling (the corners of the mouth are raised): keep a neutral, relaxed expression",
                ),
            )
            .with_region_if_failed(mouth_region.clone()),
            _ => Finding::not_assessed(
                EX004,
                "ratio",
                t_smile,
                Text::new("无法测量嘴角位置，无法评估是否微笑", "The mouth corners could not be measured"),
            ),
        };

        out.push(match teeth_share(a, &lips) {
            Some(teeth) => Finding::measured(
                EX002,
                round(teeth, 3),
                "fraction",
                t_teeth,
                Text::new("表情自然，未露齿", "Natural expression, no teeth showing"),
                Text::new(
                    "露齿大笑：请保持自然表情，不要露出牙齿",
                    "Broad smile showing teeth: keep a neutral expression with your mouth closed",
                ),
            )
            .with_region_if_failed(mouth_region),
            None => Finding::not_assessed(
                EX002,
                "fraction",
                t_teeth,
                Text::new("无法测量肤色，无法评估是否露齿", "The skin colour could not be measured to judge teeth"),
            ),
        });

        out.push(smile);
        match gaze_offset(face) {
            Some(offset) => out.push(Finding::measured(
                EX003,
                round(offset as f64, 3),
                "ratio",
                t_gaze,
                Text::new("眼睛直视镜头", "Looking at the camera"),
                Text::new("眼睛没有看镜头：请直视镜头", "The eyes are not looking at the camera: look straight into the lens"),
            )),
            None => out.push(Finding::not_assessed(
                EX003,
                "ratio",
                t_gaze,
                Text::new("无法定位虹膜，无法评估视线", "The irises could not be located"),
            )),
        }
        out
    }
}

/// Share of pixels inside the inner lips that are bright and nearly colourless (teeth), where
/// the lips are apart; 0 for a closed mouth. `None` without a skin reference to compare with.
fn teeth_share(a: &crate::analysis::Analysis, lips: &[Point]) -> Option<f64> {
    let skin = a.skin?;
    let (x0, y0, x1, y1) = bounds(lips);
    let step = ((x1 - x0) / 40.0).max(1.0);
    let (mut inside, mut teeth) = (0usize, 0usize);
    let mut y = y0;
    while y <= y1 {
        let mut x = x0;
        while x <= x1 {
            let p = Point::new(x, y);
            if inside_polygon(p, lips) {
                inside += 1;
                let (luma, cb, cr) = ycbcr(pixel(a.image(), p));
                let neutral = skin.gray || (cb * cb + cr * cr).sqrt() < ((skin.cb * skin.cb + skin.cr * skin.cr).sqrt() * 0.6).max(6.0);
                if luma > skin.y * 0.85 && neutral {
                    teeth += 1;
                }
            }
            x += step;
        }
        y += step;
    }
    if inside < 10 {
        return Some(0.0);
    }
    Some(teeth as f64 / inside as f64)
}

/// How far the mouth corners sit above the middle of the lip line, as a share of the mouth
/// height (top of the upper lip to the bottom of the lower lip), measured along the face's own
/// down axis so head roll does not count. A neutral mouth is near 0 (corners level or lower); a
/// closed-mouth smile lifts the corners by 0.15–0.4 of the mouth height (London dev portraits).
fn corner_lift(face: &FaceAnalysis, frame: Option<crate::analysis::face_frame::FaceFrame>) -> Option<f32> {
    let f = frame?;
    let m = &face.mesh;
    let t = |i: usize| {
        let p = m.p(i);
        (p.x - f.origin.x) * f.down.0 + (p.y - f.origin.y) * f.down.1
    };
    let corners = (t(MOUTH_LEFT) + t(MOUTH_RIGHT)) / 2.0;
    let centre = (t(crate::analysis::lm::UPPER_LIP) + t(crate::analysis::lm::LOWER_LIP)) / 2.0;
    let height = t(LOWER_LIP_BOTTOM) - t(UPPER_LIP_TOP);
    (height > 1.0).then(|| (centre - corners) / height)
}

/// Outer lip extremes (mesh): top of the upper lip, bottom of the lower lip.
const UPPER_LIP_TOP: usize = 0;
const LOWER_LIP_BOTTOM: usize = 17;

/// How far the irises sit from the middle of the eyes, as a share of the eye width (0 = centred).
fn gaze_offset(face: &FaceAnalysis) -> Option<f32> {
    let mut offsets = Vec::new();
    for eye in face.eyes.iter().flatten() {
        let (inner, outer) = (eye.contour[0], eye.contour[8]);
        let axis = (outer.x - inner.x, outer.y - inner.y);
        let len2 = axis.0 * axis.0 + axis.1 * axis.1;
        if len2 < 1.0 {
            continue;
        }
        let c = eye.iris[0];
        let t = ((c.x - inner.x) * axis.0 + (c.y - inner.y) * axis.1) / len2;
        offsets.push(t - 0.5);
    }
    if offsets.len() < 2 {
        return None;
    }
    // Both eyes turn the same way when the gaze is off; a squint or a fit error does not.
    let mean = (offsets[0] - offsets[1]) / 2.0;
    Some(mean.abs())
}
