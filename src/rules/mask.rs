//! Masks and face covering: masks, scarves or a hand over the mouth fail. MK001 is the mask
//! classifier's word; MK002 reads the photo itself: the meshes place lips under anything that
//! covers the mouth, and only real lips have a border against the skin below them. MK003 looks
//! for something stuck on the rest of the face (a sticker, a patch): the two halves of a face
//! match in colour landmark by landmark, and a sticker on one half does not
//! (`analysis::face_cover`). MK004 looks for what MK003 misses when it is small, white or black:
//! a patch of one flat colour with a sharp edge, which no photographed skin is
//! (`analysis::flat_patch`).

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, EvalLabel, FacePartCheck, Finding, HeadSlot, Rule, RuleSpec, Score};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const MK001: &str = "MK001";
pub const MK002: &str = "MK002";
pub const MK003: &str = "MK003";
pub const MK004: &str = "MK004";

pub static SPEC: RuleSpec = RuleSpec {
    family: "mask",
    codes: &[
        CodeInfo {
            code: MK001,
            name: "no_mask",
            summary: "No mask or covering over nose and mouth (mask classifier probability)",
            summary_zh: "口鼻未被口罩等遮挡（口罩分类器概率）",
            unit: "probability",
            head: Some(HeadSlot { label: "mask", signal: true, crown: false }),
            eval: Some(EvalLabel { label: "mask", violation: true, score: Score::Measured, with: &[MK002] }),
        },
        CodeInfo {
            code: MK002,
            name: "mouth_visible",
            summary: "The lower lip has a border against the skin below it: nothing covers the mouth (colour contrast)",
            summary_zh: "下唇与其下方皮肤有清晰边界：嘴部无遮挡（颜色对比）",
            unit: "contrast",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: MK003,
            name: "face_uncovered",
            summary: "Nothing stuck on the face (a sticker, a patch): the two halves of the face match in colour at mirror landmarks, once a gradient of the light is taken out (largest chroma difference)",
            summary_zh: "面部没有贴纸、贴片等遮挡：左右脸对称位置颜色一致（去除光照渐变后的最大色度差）",
            unit: "chroma",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: MK004,
            name: "no_sticker_on_face",
            summary: "Nothing stuck on or painted over the face: no patch of one flat colour with a sharp edge, as a sticker or an emoji leaves (contrast of the most distinct such patch with the pixels just around it)",
            summary_zh: "脸上没有贴纸或色块：没有颜色均匀、边缘清晰的区域（贴纸、表情图案）（此类区域与其周围像素的最大对比度）",
            unit: "contrast",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Mask { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_mask_probability: f64,
    /// MK002: the lower lip's contrast with the skin below it
    /// (`analysis::mouth::LipColour::lower_border`) at least this.
    pub min_mouth_border: f64,
    /// MK003: the largest chroma difference between mirror landmarks
    /// (`analysis::face_cover::mirror_chroma_difference`) at most this.
    pub max_mirror_chroma: f64,
    /// MK004: the contrast of the most distinct flat patch on the face
    /// (`analysis::flat_patch::FlatPatch::contrast`) at most this.
    pub max_flat_patch_contrast: f64,
}

pub struct Mask {
    c: Config,
}

impl Rule for Mask {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        vec![self.mask_classifier(ctx), self.mouth_visible(ctx), self.face_uncovered(ctx), self.no_sticker(ctx)]
    }
}

impl Mask {
    /// MK001: the mask classifier (or the learned mask head) on the head crop.
    fn mask_classifier(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        let t = Threshold::max(self.c.max_mask_probability);
        // Without a confirmed face the appearance network still ran on the detector's box, so a
        // mask (the usual reason the mesh gives up) is still named.
        let Some(det) = a.face.as_ref().and_then(|f| a.faces.get(f.detection)).or(a.faces.first()) else {
            return Finding::not_assessed(MK001, "probability", t, no_face());
        };
        let Some(mask) = a.appearance.as_ref().map(|m| &m.output) else {
            return Finding::not_assessed(MK001, "probability", t, Text::new("口罩检测未能运行", "The mask classifier could not run"));
        };
        let region = Region::Box { x: det.x, y: det.y + det.height * 0.45, width: det.width, height: det.height * 0.6 };
        let pass = Text::new("口鼻未被遮挡", "Nose and mouth are uncovered");
        let fail = Text::new(
            "口鼻被遮挡（口罩、围巾或手）：请摘下口罩，露出完整面部",
            "The nose and mouth are covered (mask, scarf or hand): take it off and show your whole face",
        );
        let hand = Finding::measured(MK001, round(mask.p_mask as f64, 3), "probability", t, pass.clone(), fail.clone());
        ctx.decide("mask", hand, pass, fail, Some(a.to_original(region)))
    }

    /// MK002: whether the lips the meshes placed are lips. Not assessed without refined lips or
    /// a skin reference (then a mandatory MK002 sends the photo to review).
    fn mouth_visible(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        let t = Threshold::min(self.c.min_mouth_border);
        let Some(face) = a.face.as_ref() else {
            return Finding::not_assessed(MK002, "contrast", t, no_face());
        };
        let Some(colour) = a.lip_colour else {
            return Finding::not_assessed(
                MK002,
                "contrast",
                t,
                Text::new("未能找到嘴唇，无法判断嘴部是否被遮挡", "The lips could not be found to tell whether the mouth is covered"),
            );
        };
        let region = face.refined.as_ref().map(|r| {
            let (x0, y0, x1, y1) = crate::imaging::bounds(&r.lips);
            a.to_original(Region::Box { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
        });
        Finding::measured(
            MK002,
            round(colour.lower_border as f64, 2),
            "contrast",
            t,
            Text::new("嘴部清晰可见", "The mouth is clearly visible"),
            Text::new(
                "嘴部被遮挡（看不到嘴唇的轮廓）：请取下遮挡物，露出嘴巴",
                "Something covers the mouth (no outline of the lips can be seen): remove it and show your mouth",
            ),
        )
        .with_region_if_failed(region)
    }

    /// MK003: the two halves of the face against each other. Not assessed without a face mesh
    /// (then a mandatory MK003 sends the photo to review).
    fn face_uncovered(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        // Where the sticker is: the square read around the landmark that differs most, grown to
        // show a little of what is around it.
        let reading = a.mirror_chroma.map(|found| {
            let side = 4.0 * found.half_side;
            let region = Region::Box { x: found.at.x - side / 2.0, y: found.at.y - side / 2.0, width: side, height: side };
            (round(found.difference as f64, 1), region)
        });
        FacePartCheck {
            code: MK003,
            unit: "chroma",
            threshold: Threshold::max(self.c.max_mirror_chroma),
            not_read: Text::new(
                "面部太小或不完整，无法判断脸上是否有遮挡物",
                "The face is too small or incomplete to tell whether something covers it",
            ),
            passed: Text::new("面部无贴纸或贴片", "Nothing is stuck on the face"),
            failed: Text::new(
                "脸上有贴纸、贴片等遮挡物（左右脸颜色不一致）：请取下后重新拍摄",
                "Something is stuck on the face, such as a sticker or a patch (one half of the face differs in colour from the other): remove it and retake",
            ),
        }
        .finding(a, reading)
    }

    /// MK004: the flat patch that stands out most, its box as the region. Not assessed without a
    /// face mesh or a readable face (then a mandatory MK004 sends the photo to review).
    fn no_sticker(&self, ctx: &Context) -> Finding {
        let a = ctx.analysis;
        let reading = a.flat_patch.map(|found| {
            let region = Region::Box { x: found.left, y: found.top, width: found.width, height: found.height };
            (round(found.contrast as f64, 1), region)
        });
        FacePartCheck {
            code: MK004,
            unit: "contrast",
            threshold: Threshold::max(self.c.max_flat_patch_contrast),
            not_read: Text::new(
                "面部太小或不完整，无法判断脸上是否有贴纸",
                "The face is too small or incomplete to tell whether something is stuck on it",
            ),
            passed: Text::new("脸上没有贴纸或色块", "No sticker or painted patch on the face"),
            failed: Text::new(
                "脸上有贴纸或色块（一块颜色均匀、边缘清晰的区域）：请上传未经修图、面部无遮挡的原始照片",
                "Something is stuck on or painted over the face (a patch of one flat colour with a sharp edge, such as a sticker): upload the original, unedited photo with nothing on the face",
            ),
        }
        .finding(a, reading)
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn lips_of_the_skins_own_colour_are_a_cover_and_darker_lips_are_a_mouth() {
        // The synthetic face is one flat skin colour: the lips the mesh placed have no border,
        // like a patch over the mouth and chin.
        let covered = portrait(0.0, 0.0, 0.0).build();
        let f = run(&covered, "mask");
        assert_eq!(outcome(&f, "MK002"), Fail, "{f:?}");
        let lips = covered.face.as_ref().and_then(|f| f.refined.as_ref()).expect("refined lips").lips.clone();
        let outer: Vec<crate::imaging::Point> = lips[0..=10].iter().chain(lips[11..=19].iter().rev()).copied().collect();
        let visible = portrait(0.0, 0.0, 0.0)
            .paint([150, 80, 80], move |x, y| {
                crate::imaging::inside_polygon(crate::imaging::Point::new(x as f32 + 0.5, y as f32 + 0.5), &outer)
            })
            .build();
        let f = run(&visible, "mask");
        assert_eq!(outcome(&f, "MK002"), Pass, "{f:?}");
    }

    #[test]
    fn a_sticker_on_one_cheek_is_a_cover_and_an_even_face_is_not() {
        let even = portrait(0.0, 0.0, 0.0).build();
        let f = run(&even, "mask");
        assert_eq!(outcome(&f, "MK003"), Pass, "{f:?}");
        let mesh = &even.face.as_ref().expect("a face").mesh;
        use crate::analysis::lm::{LEFT_CHEEK_EDGE, RIGHT_CHEEK, RIGHT_CHEEK_EDGE};
        let (cheek, width) = (mesh.p(RIGHT_CHEEK), mesh.p(RIGHT_CHEEK_EDGE).dist(mesh.p(LEFT_CHEEK_EDGE)));
        let radius = 0.09 * width;
        let stuck = portrait(0.0, 0.0, 0.0)
            .paint([240, 200, 40], move |x, y| crate::imaging::Point::new(x as f32 + 0.5, y as f32 + 0.5).dist(cheek) <= radius)
            .build();
        let f = run(&stuck, "mask");
        assert_eq!(outcome(&f, "MK003"), Fail, "{f:?}");
        // Light falling from one side (a straight gradient across the face) is not a cover.
        let side_lit = portrait(0.0, 0.0, 0.0).recolour(|x, _, [r, g, b]| {
            let k = 0.8 + 0.4 * x as f32 / 600.0;
            [(r as f32 * k).min(255.0) as u8, (g as f32 * k).min(255.0) as u8, (b as f32 * k * 0.9).min(255.0) as u8]
        });
        let f = run(&side_lit.build(), "mask");
        assert_eq!(outcome(&f, "MK003"), Pass, "{f:?}");
    }

    #[test]
    fn without_the_appearance_network_the_mask_is_not_assessed() {
        // A face but no appearance-network output: never a pass (the photo goes to review).
        let f = run(&portrait(0.0, 0.0, 0.0).build(), "mask");
        assert_eq!(outcome(&f, "MK001"), NotAssessed, "{f:?}");
    }

    /// The portrait's skin speckled (a photographed face's grain), with `sticker` a disc of that
    /// colour 0.05 face widths in radius on the subject's right cheek.
    fn speckled_with(sticker: Option<[u8; 3]>) -> crate::analysis::Analysis {
        let plain = portrait(0.0, 0.0, 0.0).build();
        let mesh = &plain.face.as_ref().expect("a face").mesh;
        let (cheek, width) = (mesh.p(crate::analysis::lm::RIGHT_CHEEK), mesh.p(234).dist(mesh.p(454)));
        portrait(0.0, 0.0, 0.0)
            .recolour(move |x, y, colour| match sticker {
                Some(paint) if (x as f32 + 0.5 - cheek.x).hypot(y as f32 + 0.5 - cheek.y) <= 0.05 * width => paint,
                _ => crate::rules::tests::speckle(x, y, colour),
            })
            .build()
    }

    #[test]
    fn a_black_or_white_disc_on_the_cheek_fails_mk004_and_grainy_skin_passes() {
        let f = run(&speckled_with(None), "mask");
        assert_eq!(outcome(&f, "MK004"), Pass, "{f:?}");
        for paint in [[15, 15, 15], [250, 250, 250]] {
            let f = run(&speckled_with(Some(paint)), "mask");
            assert_eq!(outcome(&f, "MK004"), Fail, "{paint:?} {f:?}");
        }
    }
}
