//! The normalised crop: the rectangle of the upload that frames the head the way the profile's
//! geometry asks (head length, crown gap, centred, the archive photo's aspect), and its JPEG scaled
//! to the archive size. Crop and scale only — no pixel outside the upload is ever invented, the
//! person is never altered — so a photo whose only fault is its framing can be fixed by the
//! software instead of rejected; when the upload lacks the margin, the answer says which side.

use image::RgbImage;

use crate::analysis::Analysis;
use crate::report::{CropRect, Side, Text};
use crate::rules::geometry::{head_box, Config as GeometryConfig};

/// The archive photo of the driving licence: 260 × 378 px.
pub const ARCHIVE_SIZE: (u32, u32) = (260, 378);

#[derive(Debug, Clone, PartialEq)]
pub enum CropPlan {
    Fits(CropRect),
    /// No rectangle inside the upload meets the geometry: these sides lack room.
    NoRoom(Vec<Side>),
}

/// Plans the crop from the analysis: the head (crown from the person mask, chin, sides at eye
/// level, as the geometry checks measure it) framed at the middle of each of the profile's bands,
/// or — when the upload lacks room for that — anywhere inside the bands (a 5 % safety margin
/// from each band edge, so the re-check is not decided by a rounding).
pub fn plan(a: &Analysis, geometry: &GeometryConfig, aspect: f64) -> Option<CropPlan> {
    let face = a.face.as_ref()?;
    let head = head_box(a, face);
    let s = a.scale as f64;
    let (img_w, img_h) = (a.original_width as f64, a.original_height as f64);
    let (crown, chin) = (head.crown_y as f64 * s, head.chin_y as f64 * s);
    let centre = (head.left_x as f64 + head.right_x as f64) / 2.0 * s;
    let length = chin - crown;
    if head.crown_cut || length <= 1.0 {
        return Some(CropPlan::NoRoom(vec![Side::Top]));
    }
    let inset = |lo: f64, hi: f64| (lo + (hi - lo) * 0.05, hi - (hi - lo) * 0.05);
    let (len_lo, len_hi) = inset(geometry.min_head_length, geometry.max_head_length);
    let (gap_lo, gap_hi) = inset(geometry.min_crown_gap, geometry.max_crown_gap);
    let mid = |lo: f64, hi: f64, k: f64| lo + (hi - lo) * k;

    // Candidates from the ideal framing (band middles) outwards; the first that fits wins.
    let mut lacking: Option<Vec<Side>> = None;
    for k_len in [0.5, 0.75, 1.0, 0.25, 0.0] {
        for k_gap in [0.5, 0.25, 0.0, 0.75, 1.0] {
            let height = length / mid(len_lo, len_hi, k_len);
            let width = height * aspect;
            let top = crown - mid(gap_lo, gap_hi, k_gap) * height;
            let left = centre - width / 2.0;
            let mut sides = Vec::new();
            if top < 0.0 {
                sides.push(Side::Top);
            }
            if top + height > img_h {
                sides.push(Side::Bottom);
            }
            if left < 0.0 {
                sides.push(Side::Left);
            }
            if left + width > img_w {
                sides.push(Side::Right);
            }
            if sides.is_empty() {
                // Rounded inwards: the rectangle always lies inside the upload.
                let x = left.ceil() as u32;
                let y = top.ceil() as u32;
                let w = ((left + width).floor() as u32).min(a.original_width).saturating_sub(x);
                let h = ((top + height).floor() as u32).min(a.original_height).saturating_sub(y);
                if w > 0 && h > 0 {
                    return Some(CropPlan::Fits(CropRect { x, y, width: w, height: h }));
                }
            }
            if lacking.as_ref().is_none_or(|l| sides.len() < l.len()) {
                lacking = Some(sides);
            }
        }
    }
    Some(CropPlan::NoRoom(lacking.unwrap_or_default()))
}

/// The profile's `[rules.geometry]` table, which the crop frames to.
pub fn geometry_config(profile: &crate::profile::Profile) -> Option<GeometryConfig> {
    let table = profile.source.get("rules")?.get("geometry")?.clone();
    table.try_into().ok()
}

/// The advice for an upload without room, naming the sides.
pub fn no_room_advice(sides: &[Side]) -> Text {
    let zh: Vec<&str> = sides
        .iter()
        .map(|s| match s {
            Side::Top => "头顶上方留白不足",
            Side::Bottom => "下方留白不足（肩部未拍全）",
            Side::Left => "左侧留白不足",
            Side::Right => "右侧留白不足",
        })
        .collect();
    let en: Vec<&str> = sides
        .iter()
        .map(|s| match s {
            Side::Top => "there is too little space above the head",
            Side::Bottom => "there is too little space below the chin: move back so your shoulders show",
            Side::Left => "there is too little space on the left",
            Side::Right => "there is too little space on the right",
        })
        .collect();
    Text::new(
        format!("照片无法自动裁剪：{}。请后退一些、让头部位于画面中央后重新拍摄", zh.join("，")),
        format!("The photo cannot be cropped automatically: {}. Step back and retake it with your head in the middle", en.join("; ")),
    )
}

/// Cuts `rect` out of the upright upload (never beyond its edges).
pub fn cut(upright: &RgbImage, rect: CropRect) -> RgbImage {
    let x = rect.x.min(upright.width());
    let y = rect.y.min(upright.height());
    let w = rect.width.min(upright.width() - x);
    let h = rect.height.min(upright.height() - y);
    image::imageops::crop_imm(upright, x, y, w, h).to_image()
}

/// Scales a cut to the archive size (Lanczos, the aspect already matches up to rounding).
pub fn scale_to(cut: &RgbImage, size: (u32, u32)) -> RgbImage {
    crate::imaging::resize(cut, size.0, size.1, crate::imaging::Resample::Lanczos3)
}

/// JPEG bytes (quality 92) carrying only the capture date in EXIF: no GPS, no device serials, no
/// maker notes leave with the crop.
pub fn encode_jpeg(img: &RgbImage, capture_date: Option<&str>) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92);
    if encoder.encode_image(img).is_err() {
        return Vec::new();
    }
    match capture_date.and_then(exif_with_date) {
        Some(app1) => {
            let mut out = jpeg[..2].to_vec();
            out.extend_from_slice(&app1);
            out.extend_from_slice(&jpeg[2..]);
            out
        }
        None => jpeg,
    }
}

/// An APP1 segment with one EXIF field, DateTimeOriginal ("YYYY:MM:DD HH:MM:SS").
fn exif_with_date(date: &str) -> Option<Vec<u8>> {
    let field = exif::Field {
        tag: exif::Tag::DateTimeOriginal,
        ifd_num: exif::In::PRIMARY,
        value: exif::Value::Ascii(vec![date.as_bytes().to_vec()]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer.write(&mut tiff, false).ok()?;
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff.into_inner());
    let len = u16::try_from(payload.len() + 2).ok()?;
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&len.to_be_bytes());
    segment.extend_from_slice(&payload);
    Some(segment)
}
