//! Retouching and compositing evidence (warnings, each with its evidence): editing software in
//! EXIF, no camera metadata, JPEG tables written by a library rather than a camera, skin far
//! smoother than the eyes (beauty filter), and a perfectly flat background (replaced backdrop).
//! One is proof rather than evidence, and the shipped profile makes it mandatory: transparent
//! pixels (RT006). No camera writes them; a photo with a see-through backdrop is a cut-out, and
//! composited over white (`decode`) it would otherwise read as a photo taken on a white wall.
//! RT007 is proof too, and mandatory: a pixelated (mosaic) patch on the face, a grid of flat
//! blocks no camera makes (`analysis::pixelation`). RT008 is proof too, and mandatory: a patch
//! of the face with none of the fine detail the rest of its skin has, blurred or smoothed over
//! (`analysis::blurred_patch`).

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, FacePartCheck, Finding, Rule, RuleSpec};
use crate::analysis::{lm, Analysis};
use crate::exif::ExifStatus;
use crate::imaging::{luma, Point};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const RT001: &str = "RT001";
pub const RT002: &str = "RT002";
pub const RT003: &str = "RT003";
pub const RT004: &str = "RT004";
pub const RT005: &str = "RT005";
pub const RT006: &str = "RT006";
pub const RT007: &str = "RT007";
pub const RT008: &str = "RT008";

pub static SPEC: RuleSpec = RuleSpec {
    family: "retouch",
    codes: &[
        CodeInfo {
            code: RT001,
            name: "editing_software",
            summary: "EXIF Software names a photo editor or beauty app",
            summary_zh: "EXIF 软件字段为修图或美颜软件",
            unit: "flag",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT002,
            name: "camera_metadata",
            summary: "EXIF names the camera (Make/Model)",
            summary_zh: "EXIF 记录了相机（品牌/型号）",
            unit: "flag",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT003,
            name: "camera_jpeg_tables",
            summary: "JPEG quantisation tables are not the standard library tables a re-save writes",
            summary_zh: "JPEG 量化表不是软件重新保存时使用的标准库表",
            unit: "flag",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT004,
            name: "natural_skin_texture",
            summary: "Skin detail relative to eye detail (beauty filters flatten skin)",
            summary_zh: "皮肤细节相对眼部细节（美颜会抹平皮肤）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT005,
            name: "natural_background",
            summary: "Share of the background at one exact colour (digitally replaced backdrop)",
            summary_zh: "背景中同一精确颜色的比例（数码替换背景）",
            unit: "fraction",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT006,
            name: "no_transparency",
            summary: "No pixel is transparent (a cut-out placed on a backdrop has a see-through background)",
            summary_zh: "没有透明像素（抠图换背景的照片背景是透明的）",
            unit: "flag",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT007,
            name: "face_not_pixelated",
            summary: "No pixelated (mosaic) patch on the face: luma steps lined up on a grid of the same period both ways, flat between (grid ratio: mean step on the grid over off it)",
            summary_zh: "面部没有马赛克（像素化）区域：亮度跳变在横竖两个方向按同一间距排成网格、格内平坦（网格比：格线上与格线外的平均跳变之比）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: RT008,
            name: "face_not_blurred_in_part",
            summary: "No blurred or smoothed-over patch on the face: fine detail (|luma − luma blurred at σ = 1 px| at 256 px face width) in windows 0.09 face widths across inside the face oval, the lower quartile of the windows over the least",
            summary_zh: "面部没有局部模糊或涂抹的区域：在面部轮廓内 0.09 脸宽的窗口中测细节（脸宽缩放到 256 像素，亮度与 σ=1 像素模糊后之差），取窗口细节的下四分位数与最少者之比",
            unit: "ratio",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Retouch { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Case-insensitive substrings of EXIF Software that mark an editor or beauty app.
    pub editors: Vec<String>,
    pub min_skin_detail: f64,
    pub max_flat_background: f64,
    /// RT007: the face's strongest pixel grid (`analysis::pixelation::Pixelation::ratio`) at most
    /// this.
    pub max_face_grid: f64,
    /// RT008: the face's smooth-skin detail over its least detailed window
    /// (`analysis::blurred_patch::BlurredPatch::ratio`) at most this.
    pub max_detail_void: f64,
}

pub struct Retouch {
    c: Config,
}

impl Rule for Retouch {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let exif = &a.exif;
        let mut out = Vec::new();

        let software = exif.software.clone().unwrap_or_default();
        let lower = software.to_lowercase();
        let editor = c.editors.iter().find(|e| lower.contains(&e.to_lowercase()));
        out.push(Finding::flag(
            RT001,
            editor.is_some(),
            Text::new("未发现编辑软件记录", "No editing software recorded"),
            Text::new(
                format!("照片经过编辑软件处理（{software}）：请上传未经美颜或修图的原始照片"),
                format!("The photo was processed by editing software ({software}): upload the original, unedited photo"),
            ),
        ));

        let camera = exif.make.is_some() || exif.model.is_some();
        let why_no_camera = match exif.status {
            ExifStatus::Ok => "EXIF 中没有相机型号",
            _ => "照片没有 EXIF 信息",
        };
        out.push(Finding::measured(
            RT002,
            camera as u8 as f64,
            "flag",
            Threshold::min(1.0),
            Text::new(
                format!("拍摄设备：{} {}", exif.make.as_deref().unwrap_or(""), exif.model.as_deref().unwrap_or("")),
                format!("Camera: {} {}", exif.make.as_deref().unwrap_or(""), exif.model.as_deref().unwrap_or("")),
            ),
            Text::new(
                format!("{why_no_camera}（可能经过转存或处理）：请上传相机或手机直接拍摄的原图"),
                "No camera make or model in the metadata (the photo may have been re-saved or processed): upload the original from the camera or phone".to_string(),
            ),
        ));

        match a.source.jpeg.as_ref() {
            Some(h) if !h.quant_tables.is_empty() => {
                let standard = h.uses_standard_tables();
                out.push(Finding::flag(
                    RT003,
                    standard,
                    Text::new("JPEG 编码表与相机一致", "JPEG tables look like a camera's"),
                    Text::new(
                        "JPEG 使用标准库编码表（照片可能被软件重新保存过）：请上传原始照片",
                        "The JPEG uses standard library tables (it was probably re-saved by software): upload the original photo",
                    ),
                ));
            }
            _ => out.push(Finding::not_assessed(
                RT003,
                "flag",
                Threshold::max(0.0),
                Text::new("不是 JPEG 照片，无法评估", "Not a JPEG, so its tables cannot be judged"),
            )),
        }

        match skin_detail(a) {
            Some(ratio) => out.push(Finding::measured(
                RT004,
                round(ratio, 3),
                "ratio",
                Threshold::min(c.min_skin_detail),
                Text::new("皮肤纹理自然", "Skin texture looks natural"),
                Text::new(
                    "皮肤过于平滑（疑似美颜）：请关闭美颜、滤镜后重新拍摄",
                    "The skin is much smoother than the rest of the face (beauty filter?): turn off beauty and filter effects and retake",
                ),
            )),
            None => out.push(Finding::not_assessed(RT004, "ratio", Threshold::min(c.min_skin_detail), no_face())),
        }

        match flat_background(a) {
            Some(share) => out.push(Finding::measured(
                RT005,
                round(share, 3),
                "fraction",
                Threshold::max(c.max_flat_background),
                Text::new("背景为实拍", "The background looks photographed"),
                Text::new(
                    "背景颜色完全一致（疑似抠图换背景）：请在真实的白色墙面前拍摄",
                    "The background is one exact colour (it looks digitally replaced): photograph in front of a real white wall",
                ),
            )),
            None => out.push(Finding::not_assessed(
                RT005,
                "fraction",
                Threshold::max(c.max_flat_background),
                Text::new("背景露出太少，无法评估", "Too little background to judge"),
            )),
        }

        out.push(self.face_not_pixelated(a));
        out.push(self.face_not_blurred_in_part(a));

        out.push(Finding::flag(
            RT006,
            a.source.alpha_used,
            Text::new("照片没有透明区域", "No transparent areas"),
            Text::new(
                "照片有透明区域（抠图后的照片）：请上传在白色背景前直接拍摄的原始照片",
                "The photo has transparent areas (it is a cut-out): upload the original photo taken in front of a white background",
            ),
        ));
        out
    }
}

impl Retouch {
    /// RT007: a mosaic on the face, the failing window as its region.
    fn face_not_pixelated(&self, a: &Analysis) -> Finding {
        FacePartCheck {
            code: RT007,
            unit: "ratio",
            threshold: Threshold::max(self.c.max_face_grid),
            not_read: Text::new(
                "面部太小或不完整，无法判断是否有马赛克",
                "The face is too small or incomplete to tell whether part of it is pixelated",
            ),
            passed: Text::new("面部没有马赛克", "No part of the face is pixelated"),
            failed: Text::new(
                "面部有马赛克或平涂的色块（经过处理或有贴片）：请上传未经处理、面部无遮挡的原始照片",
                "Part of the face is pixelated or covered by a flat patch (an edit or a plaster): upload the original, unedited photo with nothing on the face",
            ),
        }
        .finding(a, a.pixelation.map(|f| (round(f.ratio as f64, 2), Region::Box { x: f.left, y: f.top, width: f.side, height: f.side })))
    }

    /// RT008: a blurred or smoothed-over patch on the face, the window with the least detail as
    /// its region.
    fn face_not_blurred_in_part(&self, a: &Analysis) -> Finding {
        FacePartCheck {
            code: RT008,
            unit: "ratio",
            threshold: Threshold::max(self.c.max_detail_void),
            not_read: Text::new(
                "面部太小或不完整，无法判断是否有局部模糊",
                "The face is too small or incomplete to tell whether part of it is blurred",
            ),
            passed: Text::new("面部细节均匀，没有局部模糊", "The face's detail is even: no part of it is blurred"),
            failed: Text::new(
                "面部有一块区域模糊、被涂抹或被遮挡（经过修图或有遮挡物）：请上传未经修图、面部无遮挡且清晰的原始照片",
                "Part of the face is blurred, smoothed over or covered (an edit, or something on the face): upload the original, unedited photo with the whole face uncovered and sharp",
            ),
        }
        .finding(a, a.blurred_patch.map(|f| (round(f.ratio as f64, 2), Region::Box { x: f.left, y: f.top, width: f.side, height: f.side })))
    }
}

/// Mean local contrast (|Y − mean of its 3×3|) over cheek and forehead skin, divided by the same
/// over the eyes. Beauty filters smooth skin but keep eyes crisp, so the ratio drops; focus blur
/// lowers both and leaves it alone.
pub fn skin_detail(a: &Analysis) -> Option<f64> {
    let face = a.face.as_ref()?;
    let frame = a.face_frame?;
    let img = a.image();
    let (w, h) = (img.width() as i32, img.height() as i32);
    let detail = |p: Point| -> Option<f32> {
        let (x, y) = (p.x as i32, p.y as i32);
        if x < 1 || y < 1 || x >= w - 1 || y >= h - 1 {
            return None;
        }
        let centre = luma(img.get_pixel(x as u32, y as u32).0);
        let mut sum = 0.0;
        for dy in -1..=1 {
            for dx in -1..=1 {
                sum += luma(img.get_pixel((x + dx) as u32, (y + dy) as u32).0);
            }
        }
        Some((centre - sum / 9.0).abs())
    };
    let mean = |pts: Vec<Point>| -> Option<f32> {
        let v: Vec<f32> = pts.into_iter().filter_map(detail).collect();
        (v.len() >= 10).then(|| v.iter().sum::<f32>() / v.len() as f32)
    };
    let mut skin_pts = Vec::new();
    for (s0, s1, t0, t1) in [(-0.32, -0.18, 0.42, 0.52), (0.18, 0.32, 0.42, 0.52), (-0.15, 0.15, 0.06, 0.16)] {
        skin_pts.extend(frame.samples(a.image(), s0, s1, t0, t1).0);
    }
    let m = &face.mesh;
    let mut eye_pts = Vec::new();
    for (outer, inner) in [(lm::RIGHT_EYE_OUTER, lm::RIGHT_EYE_INNER), (lm::LEFT_EYE_OUTER, lm::LEFT_EYE_INNER)] {
        let (p, q) = (m.p(outer), m.p(inner));
        for i in 0..=12 {
            for j in -2..=2 {
                let f = i as f32 / 12.0;
                let along = Point::new(p.x + (q.x - p.x) * f, p.y + (q.y - p.y) * f);
                eye_pts.push(Point::new(along.x, along.y + j as f32 * p.dist(q) * 0.06));
            }
        }
    }
    let (skin, eyes) = (mean(skin_pts)?, mean(eye_pts)?);
    Some((skin / eyes.max(0.5)) as f64)
}

/// Share of trusted background cells whose colour equals the most common unclipped one (±1 per
/// channel); `None` without enough background.
fn flat_background(a: &Analysis) -> Option<f64> {
    let s = &a.scene;
    let cells: Vec<[u8; 3]> = (0..s.width * s.height).filter(|&i| s.is_background(i)).map(|i| s.rgb[i]).collect();
    if cells.len() < 500 {
        return None;
    }
    let mut counts = std::collections::HashMap::new();
    for p in &cells {
        *counts.entry(*p).or_insert(0usize) += 1;
    }
    // A blown-out white wall is uniformly 255: that is exposure, not compositing evidence.
    // Ties go to the larger colour: a HashMap's order differs from one map to the next, and the
    // same photo must read the same whichever photos were checked before it.
    let (mode, _) = counts.iter().filter(|(p, _)| p.iter().any(|&v| v < 250)).max_by_key(|(p, n)| (**n, **p))?;
    let near = cells.iter().filter(|p| (0..3).all(|k| (p[k] as i16 - mode[k] as i16).abs() <= 1)).count();
    Some(near as f64 / cells.len() as f64)
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{outcome, portrait, run};

    #[test]
    fn a_mosaic_on_the_cheek_fails_and_a_plain_face_passes() {
        let plain = portrait(0.0, 0.0, 0.0).build();
        assert_eq!(outcome(&run(&plain, "retouch"), "RT007"), Pass);
        // Blocks 9 px across in four skin tones over a square on the subject's left cheek.
        let mesh = &plain.face.as_ref().expect("a face").mesh;
        let (cheek, width) = (mesh.p(crate::analysis::lm::LEFT_CHEEK), mesh.p(234).dist(mesh.p(454)));
        let half = 0.15 * width;
        let pixelated = portrait(0.0, 0.0, 0.0)
            .recolour(move |x, y, colour| {
                let (dx, dy) = (x as f32 - cheek.x, y as f32 - cheek.y);
                if dx.abs() > half || dy.abs() > half {
                    return colour;
                }
                let tone = [[214, 170, 140], [200, 158, 130], [222, 180, 152], [190, 150, 124]];
                tone[((x / 9 + 3 * (y / 9)) % 4) as usize]
            })
            .build();
        let f = run(&pixelated, "retouch");
        assert_eq!(outcome(&f, "RT007"), Fail, "{f:?}");
    }

    /// Skin speckled ±10 levels by a fixed hash of the pixel's place (a photographed face's fine
    /// detail); `flat` evens a square of it, 0.3 face widths across on the subject's right cheek.
    fn speckled(flat: bool) -> crate::analysis::Analysis {
        let plain = portrait(0.0, 0.0, 0.0).build();
        let mesh = &plain.face.as_ref().expect("a face").mesh;
        let (cheek, width) = (mesh.p(crate::analysis::lm::RIGHT_CHEEK), mesh.p(234).dist(mesh.p(454)));
        let half = 0.15 * width;
        portrait(0.0, 0.0, 0.0)
            .recolour(move |x, y, colour| {
                if flat && (x as f32 - cheek.x).abs() <= half && (y as f32 - cheek.y).abs() <= half {
                    return colour;
                }
                crate::rules::tests::speckle(x, y, colour)
            })
            .build()
    }

    #[test]
    fn a_smoothed_over_square_on_the_cheek_fails_and_an_evenly_detailed_face_passes() {
        let f = run(&speckled(false), "retouch");
        assert_eq!(outcome(&f, "RT008"), Pass, "{f:?}");
        let f = run(&speckled(true), "retouch");
        assert_eq!(outcome(&f, "RT008"), Fail, "{f:?}");
    }
}
