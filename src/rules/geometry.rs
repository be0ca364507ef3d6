//! Face geometry: the head fully in frame, centred, and sized like the driving-licence archive
//! photo (260×378 px: head width 165–189, head length 224–260, crown 10–20 px below the top).
//! All limits are ratios of the image size, so any upload resolution is judged the same way.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::analysis::{lm, Analysis, FaceAnalysis};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const GE001: &str = "GE001";
pub const GE002: &str = "GE002";
pub const GE003: &str = "GE003";
pub const GE004: &str = "GE004";
pub const GE005: &str = "GE005";

pub static SPEC: RuleSpec = RuleSpec {
    family: "geometry",
    codes: &[
        CodeInfo {
            code: GE001,
            name: "head_in_frame",
            summary: "Whole head (crown to chin, both sides) inside the frame with a margin",
            summary_zh: "整个头部（头顶到下巴及两侧）在画面内并留有余量",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: GE002,
            name: "head_centred",
            summary: "Face horizontally centred (offset as a share of the width)",
            summary_zh: "头部水平居中（偏移量占宽度的比例）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: GE003,
            name: "head_width",
            summary: "Head width as a share of the image width",
            summary_zh: "头部宽度占图像宽度的比例",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: GE004,
            name: "head_length",
            summary: "Crown-to-chin length as a share of the image height",
            summary_zh: "头顶到下巴的长度占图像高度的比例",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: GE005,
            name: "crown_gap",
            summary: "Space above the crown as a share of the image height",
            summary_zh: "头顶上方留白占图像高度的比例",
            unit: "ratio",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Geometry { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub min_margin: f64,
    pub max_centre_offset: f64,
    pub min_head_width: f64,
    pub max_head_width: f64,
    pub min_head_length: f64,
    pub max_head_length: f64,
    pub min_crown_gap: f64,
    pub max_crown_gap: f64,
}

pub struct Geometry {
    c: Config,
}

/// Head extent in working pixels.
#[derive(Debug, Clone, Copy)]
pub struct HeadBox {
    pub crown_y: f32,
    pub chin_y: f32,
    pub left_x: f32,
    pub right_x: f32,
    /// The crown reaches the top edge: the head is cut off.
    pub crown_cut: bool,
}

/// Crown from the person mask: climb from the forehead landmark while the column is still person.
/// Head width: the person-mask run through the face at eye level (includes hair and ears).
pub fn head_box(a: &Analysis, face: &FaceAnalysis) -> HeadBox {
    let m = &face.mesh;
    let forehead = m.p(lm::FOREHEAD_TOP);
    let chin = m.p(lm::CHIN);
    let (ox0, _, ox1, _) = face.oval_bounds();
    let face_w = (ox1 - ox0).max(1.0);
    let cx = (m.p(lm::RIGHT_CHEEK_EDGE).x + m.p(lm::LEFT_CHEEK_EDGE).x) / 2.0;

    let mut crown_y = forehead.y;
    let mut crown_cut = false;
    let step = (a.image().height() as f32 / 512.0).max(1.0);
    let mut y = forehead.y;
    loop {
        // A few columns across the top of the head, so a parting or a thin spot does not stop it.
        let person = [-0.15f32, 0.0, 0.15].iter().any(|dx| a.person.at(cx + dx * face_w, y) >= 0.5);
        if !person {
            break;
        }
        crown_y = y;
        if y <= 0.0 {
            crown_cut = true;
            crown_y = 0.0;
            break;
        }
        y -= step;
    }

    let eye_y = face.eye_centre(0).mid(face.eye_centre(1)).y;
    let width = a.image().width() as f32;
    let walk = |dir: f32| -> f32 {
        let mut x = cx;
        let limit = face_w * 1.2;
        while (x - cx).abs() < limit && x > 0.0 && x < width - 1.0 && a.person.at(x, eye_y) >= 0.5 {
            x += dir;
        }
        x
    };
    let (mut left_x, mut right_x) = (walk(-1.0), walk(1.0));
    // A mask that misses the face entirely is no measure of the head; fall back on the face oval
    // widened by the average hair-and-ears allowance.
    if right_x - left_x < face_w * 0.9 {
        left_x = cx - face_w * 0.58;
        right_x = cx + face_w * 0.58;
    }
    HeadBox { crown_y, chin_y: chin.y, left_x, right_x, crown_cut }
}

impl Rule for Geometry {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let Some(face) = a.face.as_ref() else {
            return vec![
                Finding::not_assessed(GE001, "ratio", Threshold::min(c.min_margin), no_face()),
                Finding::not_assessed(GE002, "ratio", Threshold::max(c.max_centre_offset), no_face()),
                Finding::not_assessed(GE003, "ratio", Threshold::range(c.min_head_width, c.max_head_width), no_face()),
                Finding::not_assessed(GE004, "ratio", Threshold::range(c.min_head_length, c.max_head_length), no_face()),
                Finding::not_assessed(GE005, "ratio", Threshold::range(c.min_crown_gap, c.max_crown_gap), no_face()),
            ];
        };
        let (w, h) = (a.image().width() as f32, a.image().height() as f32);
        let head = head_box(a, face);
        let head_region = a.to_original(Region::Box {
            x: head.left_x,
            y: head.crown_y,
            width: head.right_x - head.left_x,
            height: head.chin_y - head.crown_y,
        });

        let margin = if head.crown_cut {
            0.0
        } else {
            [head.crown_y / h, (h - head.chin_y) / h, head.left_x / w, (w - head.right_x) / w].into_iter().fold(f32::MAX, f32::min)
        };
        let centre_x = (head.left_x + head.right_x) / 2.0;
        let offset = (centre_x - w / 2.0) / w;
        let head_width = (head.right_x - head.left_x) / w;
        let head_length = (head.chin_y - head.crown_y) / h;
        let crown_gap = head.crown_y / h;

        vec![
            Finding::measured(
                GE001,
                round(margin as f64, 4),
                "ratio",
                Threshold::min(c.min_margin),
                Text::new("头部完整在画面内", "The whole head is inside the frame"),
                Text::new(
                    "头部被裁切或太靠边：请让头顶、下巴和两侧都留出空间",
                    "The head is cut off or too close to the edge: leave space above the head, below the chin and at both sides",
                ),
            )
            .with_region_if_failed(Some(head_region.clone())),
            Finding::measured(
                GE002,
                round(offset.abs() as f64, 4),
                "ratio",
                Threshold::max(c.max_centre_offset),
                Text::new("头部水平居中", "The head is centred"),
                Text::new(
                    format!("头部偏{}：请让头部位于照片水平中央", if offset > 0.0 { "右" } else { "左" }),
                    format!(
                        "The head is off-centre to the {}: place it in the middle of the photo",
                        if offset > 0.0 { "right" } else { "left" }
                    ),
                ),
            ),
            Finding::measured(
                GE003,
                round(head_width as f64, 4),
                "ratio",
                Threshold::range(c.min_head_width, c.max_head_width),
                Text::new("头部宽度比例合格", "Head width is within the allowed proportion"),
                // Head size is GE004's advice; a width outside its wide band means the head is cut
                // at the sides or its outline is not a head's, so this one never says "closer" or
                // "further" (the two could contradict each other).
                Text::new(
                    "头部两侧被裁切或轮廓异常：请让整个头部（含双耳）位于画面中央后重新拍摄",
                    "The sides of the head are cut off or its outline is unusual: retake with the whole head, ears included, in the middle of the photo",
                ),
            )
            .with_region_if_failed(Some(head_region.clone())),
            Finding::measured(
                GE004,
                round(head_length as f64, 4),
                "ratio",
                Threshold::range(c.min_head_length, c.max_head_length),
                Text::new("头部长度比例合格", "Head length is within the allowed proportion"),
                size_advice((head_length as f64) < c.min_head_length),
            )
            .with_region_if_failed(Some(head_region)),
            Finding::measured(
                GE005,
                round(crown_gap as f64, 4),
                "ratio",
                Threshold::range(c.min_crown_gap, c.max_crown_gap),
                Text::new("头顶留白合格", "Space above the head is within range"),
                if (crown_gap as f64) < c.min_crown_gap {
                    Text::new(
                        "头顶上方留白太少：请把相机略微抬高或后退",
                        "Too little space above the head: move the camera back or lower the head in the frame",
                    )
                } else {
                    Text::new("头顶上方留白太多：请让头部在画面中靠上", "Too much space above the head: move the head higher in the frame")
                },
            ),
        ]
    }
}

fn size_advice(too_small: bool) -> Text {
    if too_small {
        Text::new("头部在照片中太小：请靠近相机或裁剪得更紧", "The head is too small in the photo: move closer or crop tighter")
    } else {
        Text::new("头部在照片中太大：请离相机远一些", "The head is too large in the photo: move further from the camera")
    }
}
