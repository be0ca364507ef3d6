//! Image quality: is the photo itself usable? Resolution and shape of the upload, colour, focus on
//! the face, clipped exposure on the face, and JPEG compression.

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::analysis::Analysis;
use crate::imaging::filters::{box_blur, Edges};
use crate::imaging::{chroma, sample_planar, Affine, Point};
use crate::report::{Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const IQ001: &str = "IQ001";
pub const IQ002: &str = "IQ002";
pub const IQ003: &str = "IQ003";
pub const IQ004: &str = "IQ004";
pub const IQ005: &str = "IQ005";
pub const IQ006: &str = "IQ006";

pub static SPEC: RuleSpec = RuleSpec {
    family: "image_quality",
    codes: &[
        CodeInfo {
            code: IQ001,
            name: "resolution",
            summary: "Image width (after EXIF rotation) is at least the minimum",
            summary_zh: "图像宽度（按EXIF方向转正后）不低于下限",
            unit: "px",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ002,
            name: "aspect_ratio",
            summary: "Width:height lies within the allowed range (2:3 to 3:4), allowing the half pixel a resize rounds off",
            summary_zh: "宽高比在允许范围内（2:3 至 3:4，允许缩放取整的半个像素）",
            unit: "ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ003,
            name: "colour",
            summary: "The photo is in colour, not grayscale",
            summary_zh: "彩色照片，非黑白",
            unit: "mean chroma",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ004,
            name: "face_sharpness",
            summary: "The face is in focus (fine-to-coarse detail ratio on a normalised face crop)",
            summary_zh: "面部清晰对焦（归一化面部区域的细节比）",
            unit: "detail ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ005,
            name: "face_clipping",
            summary: "Few face pixels are blown out or crushed to black",
            summary_zh: "面部过曝或死黑的像素很少",
            unit: "fraction",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ006,
            name: "compression",
            summary: "JPEG quality (estimated from the quantisation tables) is not too low",
            summary_zh: "JPEG 压缩质量（由量化表估计）不过低",
            unit: "JPEG quality",
            ..CodeInfo::NONE
        },
    ],
    build: |v| build_with(v, |c| ImageQuality { c }),
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub min_width: u32,
    pub min_aspect: f64,
    pub max_aspect: f64,
    pub min_colourfulness: f64,
    pub min_face_sharpness: f64,
    pub max_face_clipped: f64,
    pub min_jpeg_quality: f64,
}

pub struct ImageQuality {
    c: Config,
}

impl Rule for ImageQuality {
    fn evaluate(&self, ctx: &Context) -> Vec<Finding> {
        let a = ctx.analysis;
        let c = &self.c;
        let mut out = Vec::new();

        out.push(Finding::measured(
            IQ001,
            a.original_width as f64,
            "px",
            Threshold::min(c.min_width as f64),
            Text::new(
                format!("分辨率合格（宽 {} 像素）", a.original_width),
                format!("Resolution is sufficient ({} px wide)", a.original_width),
            ),
            Text::new(
                format!("照片分辨率太低（宽 {} 像素，至少需要 {}）：请用更高分辨率重新拍摄", a.original_width, c.min_width),
                format!(
                    "The photo is too small ({} px wide, at least {} needed): retake it at a higher resolution",
                    a.original_width, c.min_width
                ),
            ),
        ));

        let aspect = pixel_aspect(a.original_width, a.original_height, c.min_aspect, c.max_aspect);
        out.push(Finding::measured(
            IQ002,
            round(aspect, 4),
            "ratio",
            Threshold::range(c.min_aspect, c.max_aspect),
            Text::new("宽高比合格", "Aspect ratio is within range"),
            Text::new(
                format!("照片宽高比为 {aspect:.2}，应在 {:.2} 到 {:.2} 之间：请按竖版证件照比例裁剪", c.min_aspect, c.max_aspect),
                format!(
                    "The width:height ratio is {aspect:.2}, it must be between {:.2} and {:.2}: crop to a portrait ID-photo shape",
                    c.min_aspect, c.max_aspect
                ),
            ),
        ));

        let colourfulness = colourfulness(a);
        out.push(Finding::measured(
            IQ003,
            round(colourfulness, 2),
            "mean chroma",
            Threshold::min(c.min_colourfulness),
            Text::new("照片为彩色", "The photo is in colour"),
            Text::new("照片是黑白（灰度）的：请提交彩色照片", "The photo is black-and-white: submit a colour photo"),
        ));

        match face_sharpness(a) {
            Some((sharpness, region)) => out.push(
                Finding::measured(
                    IQ004,
                    round(sharpness, 3),
                    "detail ratio",
                    Threshold::min(c.min_face_sharpness),
                    Text::new("面部清晰", "The face is in focus"),
                    Text::new(
                        "面部模糊：请保持相机稳定、对焦在脸上后重新拍摄",
                        "The face is blurred: hold the camera steady, focus on the face and retake",
                    ),
                )
                .with_region_if_failed(Some(region)),
            ),
            None => out.push(Finding::not_assessed(IQ004, "detail ratio", Threshold::min(c.min_face_sharpness), no_face())),
        }

        match face_clipping(a) {
            Some(clipped) => out.push(Finding::measured(
                IQ005,
                round(clipped, 4),
                "fraction",
                Threshold::max(c.max_face_clipped),
                Text::new("面部曝光正常", "Face exposure is not clipped"),
                Text::new(
                    "面部过曝或过暗（细节丢失）：请调整光线后重新拍摄",
                    "Parts of the face are blown out or crushed to black: adjust the light and retake",
                ),
            )),
            None => out.push(Finding::not_assessed(IQ005, "fraction", Threshold::max(c.max_face_clipped), no_face())),
        }

        let quality = a.source.jpeg.as_ref().and_then(|h| h.estimated_quality());
        match (a.source.format, quality) {
            ("jpeg", Some(q)) => out.push(Finding::measured(
                IQ006,
                round(q, 1),
                "JPEG quality",
                Threshold::min(c.min_jpeg_quality),
                Text::new("压缩程度正常", "Compression is acceptable"),
                Text::new(
                    format!("照片压缩过度（质量约 {q:.0}）：请上传原图，不要压缩"),
                    format!("The photo is heavily compressed (quality about {q:.0}): upload the original, uncompressed photo"),
                ),
            )),
            ("jpeg", None) => out.push(Finding::not_assessed(
                IQ006,
                "JPEG quality",
                Threshold::min(c.min_jpeg_quality),
                Text::new("JPEG 文件缺少量化表，无法评估压缩程度", "The JPEG has no readable quantisation table"),
            )),
            // VP8 has no quantisation tables to estimate a quality from: a person looks, since
            // a mandatory check may not pass what it could not measure.
            ("webp", _) if a.source.lossy_webp => out.push(Finding::not_assessed(
                IQ006,
                "JPEG quality",
                Threshold::min(c.min_jpeg_quality),
                Text::new(
                    "有损 WebP 照片无法评估压缩程度：请上传相机拍摄的 JPEG 原图",
                    "The compression of a lossy WebP photo cannot be measured: upload the camera's original JPEG",
                ),
            )),
            _ => out.push(Finding::measured(
                IQ006,
                100.0,
                "JPEG quality",
                Threshold::min(c.min_jpeg_quality),
                Text::new("无损格式，无压缩损失", "Lossless format: no compression loss"),
                Text::new("", ""),
            )),
        }
        out
    }
}

/// Mean chroma magnitude over a grid of pixels: 0 for grayscale, a few units for colour photos.
fn colourfulness(a: &Analysis) -> f64 {
    let img = a.image();
    let step = ((img.width() * img.height()) as f64 / 10_000.0).sqrt().max(1.0) as usize;
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in (0..img.height() as usize).step_by(step) {
        for x in (0..img.width() as usize).step_by(step) {
            let (cb, cr) = chroma(img.get_pixel(x as u32, y as u32).0);
            sum += ((cb * cb + cr * cr) as f64).sqrt();
            n += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

const SHARPNESS_CROP: usize = 128;

/// Focus measure on the face resampled to a fixed size, so the number does not depend on the
/// photo's resolution: RMS of the finest detail (image minus 3×3 blur) over RMS of the next band
/// (3×3 blur minus 9×9 blur). Defocus removes the fine band first; contrast cancels out.
pub fn face_sharpness(a: &Analysis) -> Option<(f64, crate::report::Region)> {
    let face = a.face.as_ref()?;
    let (x0, y0, x1, y1) = face.oval_bounds();
    let side = (x1 - x0).max(y1 - y0) * 0.8;
    let centre = Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let t = Affine::square_crop(centre, side, face.pose.map_or(0.0, |p| p.roll).to_radians(), SHARPNESS_CROP, false);
    let rgb = sample_planar(&a.pyramid, &t, SHARPNESS_CROP, SHARPNESS_CROP, [0.0; 3]);
    let n = SHARPNESS_CROP * SHARPNESS_CROP;
    let gray: Vec<f32> = (0..n).map(|i| 0.299 * rgb[i] + 0.587 * rgb[n + i] + 0.114 * rgb[2 * n + i]).collect();
    let b1 = box_blur(&gray, SHARPNESS_CROP, SHARPNESS_CROP, 1, Edges::Replicate);
    let b4 = box_blur(&gray, SHARPNESS_CROP, SHARPNESS_CROP, 4, Edges::Replicate);
    let (mut fine, mut mid) = (0.0f64, 0.0f64);
    // Skip the border where the blurs are clamped.
    for y in 5..SHARPNESS_CROP - 5 {
        for x in 5..SHARPNESS_CROP - 5 {
            let i = y * SHARPNESS_CROP + x;
            fine += ((gray[i] - b1[i]) as f64).powi(2);
            mid += ((b1[i] - b4[i]) as f64).powi(2);
        }
    }
    let region = crate::report::Region::Box { x: centre.x - side / 2.0, y: centre.y - side / 2.0, width: side, height: side };
    Some(((fine / mid.max(1e-6)).sqrt(), region))
}

/// Share of face pixels at the ends of the range (≥ 250 or ≤ 5 luma).
fn face_clipping(a: &Analysis) -> Option<f64> {
    a.face.as_ref()?;
    let samples = a.face_luma_samples();
    if samples.is_empty() {
        return None;
    }
    let clipped = samples.iter().filter(|&&y| !(5.0..250.0).contains(&y)).count();
    Some(clipped as f64 / samples.len() as f64)
}

/// The width:height ratio nearest to `min..=max` that the pixel counts allow: a photo resized to a
/// whole number of pixels is off its true shape by up to half a pixel each way (a 3:4 photo
/// scaled to 520 px wide is 693 px high, 0.7504), so that much rounding is not held against it.
fn pixel_aspect(width: u32, height: u32, min: f64, max: f64) -> f64 {
    let (w, h) = (width as f64, height.max(1) as f64);
    // A resize to a given width rounds the height, or the other way round: one side is off.
    let narrowest = ((w - 0.5).max(0.0) / h).min(w / (h + 0.5));
    let widest = ((w + 0.5) / h).max(w / (h - 0.5).max(0.5));
    let exact = w / h;
    if exact > max {
        narrowest.max(max)
    } else if exact < min {
        widest.min(min)
    } else {
        exact
    }
}
