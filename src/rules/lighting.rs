//! Lighting: the face evenly lit left to right, well exposed, and without a colour cast.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::analysis::{Analysis, FaceAnalysis};
use crate::imaging::{chroma, luma, median_luma, quantile, Point};
use crate::report::{Region, Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const LI001: &str = "LI001";
pub const LI002: &str = "LI002";
pub const LI003: &str = "LI003";
pub const LI004: &str = "LI004";

pub static SPEC: RuleSpec = RuleSpec {
    family: "lighting",
    codes: &[
        CodeInfo {
            code: LI001,
            name: "even_lighting",
            summary: "Left and right halves of the face equally bright (relative difference of cheek patches)",
            summary_zh: "面部左右两侧亮度一致（两颊区域的相对差）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: LI002,
            name: "face_exposure",
            summary: "Median brightness of the face within range",
            summary_zh: "面部亮度中位数在范围内",
            unit: "luma",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: LI003,
            name: "colour_cast",
            summary: "Bright background is neutral (no colour cast from light or white balance)",
            summary_zh: "明亮背景无色偏（光源或白平衡造成）",
            unit: "chroma",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: LI004,
            name: "face_contrast",
            summary: "The darkest parts of the face (pupils, brows, nostrils) are dark: the 2nd percentile of face brightness (a washed-out, hazy or over-filtered photo lifts it)",
            summary_zh: "面部最暗处（瞳孔、眉毛、鼻孔）足够暗：面部亮度的第 2 百分位（照片发白、发灰或滤镜过度会抬高它）",
            unit: "luma",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| Lighting { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub max_side_difference: f64,
    pub min_face_luma: f64,
    pub max_face_luma: f64,
    pub max_colour_cast: f64,
    /// Highest 2nd-percentile face luma (LI004): above it the face's darkest parts are grey.
    pub max_face_black_point: f64,
}

pub struct Lighting {
    c: Config,
}

/// Cheek, mid-cheek and jaw points on each side (subject's right first).
/// Cheek points a side, mirror pairs of each other (205↔425, 50↔280, 187↔411, 123↔352, 147↔376,
/// 117↔346): six larger disks rather than three small ones halve the disagreement between a
/// photo and its mirror image at the 95th percentile's tail.
const RIGHT_SIDE: [usize; 6] = [205, 50, 187, 123, 147, 117];
const LEFT_SIDE: [usize; 6] = [425, 280, 411, 352, 376, 346];

impl Rule for Lighting {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let mut out = Vec::new();
        match a.face.as_ref() {
            Some(face) => {
                match side_brightness(a, face) {
                    Some((right, left)) => {
                        let diff = (right - left).abs() / right.max(left).max(1.0);
                        let darker = if right < left { 0 } else { 1 };
                        let region = side_region(face, if darker == 0 { &RIGHT_SIDE } else { &LEFT_SIDE });
                        out.push(
                            Finding::measured(
                                LI001,
                                round(diff as f64, 4),
                                "ratio",
                                Threshold::max(c.max_side_difference),
                                Text::new("面部光线均匀", "The face is evenly lit"),
                                Text::new(
                                    "面部一侧偏暗（光线不均匀）：请面向光源，让脸部两侧亮度一致",
                                    "One side of the face is darker: face the light so both sides are equally bright",
                                ),
                            )
                            .with_region_if_failed(Some(a.to_original(region))),
                        );
                    }
                    None => out.push(Finding::not_assessed(
                        LI001,
                        "ratio",
                        Threshold::max(c.max_side_difference),
                        Text::new(
                            "面部一侧超出画面，无法评估光线",
                            "Part of the face is outside the photo, so lighting could not be compared",
                        ),
                    )),
                }
                match median_luma(a.face_luma_samples().iter().copied()) {
                    Some(median) => out.push(Finding::measured(
                        LI002,
                        round(median as f64, 1),
                        "luma",
                        Threshold::range(c.min_face_luma, c.max_face_luma),
                        Text::new("面部亮度合适", "Face brightness is good"),
                        if (median as f64) < c.min_face_luma {
                            Text::new("面部太暗：请在光线充足处重新拍摄", "The face is too dark: retake in brighter light")
                        } else {
                            Text::new("面部太亮（过曝）：请避免强光直射", "The face is too bright: avoid direct strong light")
                        },
                    )),
                    None => out.push(Finding::not_assessed(LI002, "luma", Threshold::range(c.min_face_luma, c.max_face_luma), no_face())),
                }
            }
            None => {
                out.push(Finding::not_assessed(LI001, "ratio", Threshold::max(c.max_side_difference), no_face()));
                out.push(Finding::not_assessed(LI002, "luma", Threshold::range(c.min_face_luma, c.max_face_luma), no_face()));
            }
        }
        // Without a face there are no face samples, and LI004 is not assessed.
        out.push(self.face_contrast(a));
        out.push(colour_cast(a, c.max_colour_cast));
        out
    }
}

impl Lighting {
    /// Every well-exposed portrait has near-black somewhere on the face — the pupils, the lash
    /// line, the nostrils, the brows — whatever the skin tone. Haze, a washed-out exposure or a
    /// beauty filter lifts that black point while the median (LI002) can stay in range.
    fn face_contrast(&self, a: &Analysis) -> Finding {
        let t = Threshold::max(self.c.max_face_black_point);
        match quantile(a.face_luma_samples(), 0.02) {
            Some(black) => Finding::measured(
                LI004,
                round(black as f64, 1),
                "luma",
                t,
                Text::new("面部对比度正常", "The face has normal contrast"),
                Text::new(
                    "照片发白、发灰（对比度不足）：请在光线合适处重新拍摄，不要使用滤镜或美颜",
                    "The photo looks washed out (low contrast): retake it in good light, without filters or beauty effects",
                ),
            ),
            None => Finding::not_assessed(LI004, "luma", t, no_face()),
        }
    }
}

/// Median luma of disks around the side landmarks, per side.
/// `None` when a side lies outside the photo.
fn side_brightness(a: &Analysis, face: &FaceAnalysis) -> Option<(f32, f32)> {
    let (x0, _, x1, _) = face.oval_bounds();
    let radius = (x1 - x0) * 0.08;
    let side = |ids: &[usize]| -> Option<f32> {
        let mut values = Vec::new();
        for &id in ids {
            let c = face.mesh.p(id);
            let r = radius.max(1.0) as i32;
            for dy in -r..=r {
                for dx in -r..=r {
                    if dx * dx + dy * dy > r * r {
                        continue;
                    }
                    let (x, y) = (c.x as i32 + dx, c.y as i32 + dy);
                    let img = a.image();
                    if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
                        values.push(luma(img.get_pixel(x as u32, y as u32).0));
                    }
                }
            }
        }
        quantile(&values, 0.5)
    };
    Some((side(&RIGHT_SIDE)?, side(&LEFT_SIDE)?))
}

fn side_region(face: &FaceAnalysis, ids: &[usize]) -> Region {
    let pts: Vec<Point> = ids.iter().map(|&i| face.mesh.p(i)).collect();
    let (x0, y0, x1, y1) = crate::imaging::bounds(&pts);
    let pad = (x1 - x0).max(y1 - y0) * 0.3 + 4.0;
    Region::Box { x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2.0 * pad, height: y1 - y0 + 2.0 * pad }
}

/// Mean chroma of bright background cells: a white wall photographed under neutral light is
/// neutral; a cast shows as a consistent Cb/Cr offset.
fn colour_cast(a: &Analysis, max_cast: f64) -> Finding {
    let s = &a.scene;
    let bright: Vec<usize> = (0..s.width * s.height).filter(|&i| s.is_background(i) && s.luma[i] > 150.0).collect();
    if bright.len() < 2000 {
        return Finding::not_assessed(
            LI003,
            "chroma",
            Threshold::max(max_cast),
            Text::new("没有足够的浅色背景，无法评估色偏", "Not enough light background to judge a colour cast"),
        );
    }
    let (mut cb, mut cr) = (0.0f64, 0.0f64);
    for &i in &bright {
        let (b, r) = chroma(s.rgb[i]);
        cb += b as f64;
        cr += r as f64;
    }
    let n = bright.len() as f64;
    let cast = ((cb / n).powi(2) + (cr / n).powi(2)).sqrt();
    Finding::measured(
        LI003,
        round(cast, 2),
        "chroma",
        Threshold::max(max_cast),
        Text::new("颜色正常，无偏色", "Colours are neutral"),
        Text::new(
            "照片偏色：请在自然白光下拍摄，关闭滤镜和色温调整",
            "The photo has a colour cast: shoot in neutral white light without filters",
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::report::Outcome::*;
    use crate::rules::tests::{measured, outcome, portrait, run};

    #[test]
    fn even_light_one_side_in_shadow_and_a_dark_face() {
        let even = run(&portrait(0.0, 0.0, 0.0).build(), "lighting");
        assert_eq!(outcome(&even, "LI001"), Pass, "{:?}", even[0]);
        assert_eq!(outcome(&even, "LI002"), Pass, "{:?}", even[1]);
        // The image-left half of the face in shadow.
        let shadow = run(
            &portrait(0.0, 0.0, 0.0)
                .paint([105, 80, 68], |x, y| x < 300 && ((x as f32 - 300.0) / 150.0).powi(2) + ((y as f32 - 330.0) / 200.0).powi(2) < 1.0)
                .build(),
            "lighting",
        );
        assert_eq!(outcome(&shadow, "LI001"), Fail, "{:?}", shadow[0]);
        assert!(measured(&shadow, "LI001") > 0.3);
        let dark = run(
            &portrait(0.0, 0.0, 0.0)
                .paint([45, 34, 28], |x, y| ((x as f32 - 300.0) / 150.0).powi(2) + ((y as f32 - 330.0) / 200.0).powi(2) < 1.0)
                .build(),
            "lighting",
        );
        assert_eq!((outcome(&dark, "LI001"), outcome(&dark, "LI002")), (Pass, Fail), "evenly dark: the exposure check, not the side check");
    }

    #[test]
    fn a_face_without_dark_parts_is_washed_out() {
        // The synthetic face is one flat skin tone: nothing on it is dark, as in a washed-out photo.
        let flat = run(&portrait(0.0, 0.0, 0.0).build(), "lighting");
        assert_eq!(outcome(&flat, "LI004"), Fail);
        assert!(measured(&flat, "LI004") > 150.0);
        // Brows and pupils, as every real face has them: the face's black point drops.
        let brows = |x: u32, y: u32| ((215..285).contains(&x) || (315..385).contains(&x)) && (262..278).contains(&y);
        let featured = run(
            &portrait(0.0, 0.0, 0.0)
                .paint([45, 35, 30], brows)
                .paint([20, 15, 15], |x, y| {
                    [(250.0, 300.0), (350.0, 300.0)].iter().any(|(cx, cy)| (x as f32 - cx).hypot(y as f32 - cy) < 10.0)
                })
                .build(),
            "lighting",
        );
        assert_eq!(outcome(&featured, "LI004"), Pass, "{:?}", featured.iter().find(|f| f.code == "LI004"));
        assert_eq!(outcome(&featured, "LI002"), Pass, "the median stays that of the skin");
    }
}
