//! Image quality: is the photo itself usable? Resolution and shape of the upload, colour, focus on
//! the face (defocus and motion blur), grain, detail that an enlarged small photo lacks, a colour
//! cast on the face, colour levels reduced or combed (posterised, a palette, an 8-bit tone edit
//! saved losslessly), clipped exposure on the face, JPEG compression, and an embedded colour
//! profile that could not be applied (IQ011: the colours checked would not be the colours shown).

use serde::Deserialize;

use super::{build_with, no_face, round, CodeInfo, Context, Finding, Rule, RuleSpec};
use crate::analysis::Analysis;
use crate::imaging::{chroma, sample_planar, Affine, Point};
use crate::report::{Text, Threshold};

/// This family's check codes (stable: reports, profiles and clients key on them).
pub const IQ001: &str = "IQ001";
pub const IQ002: &str = "IQ002";
pub const IQ003: &str = "IQ003";
pub const IQ004: &str = "IQ004";
pub const IQ005: &str = "IQ005";
pub const IQ006: &str = "IQ006";
pub const IQ007: &str = "IQ007";
pub const IQ008: &str = "IQ008";
pub const IQ009: &str = "IQ009";
pub const IQ010: &str = "IQ010";
pub const IQ011: &str = "IQ011";

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
            summary: "The face is in focus in every direction, so neither defocused nor smeared by motion (lowest directional fine-to-coarse detail ratio on a normalised face crop)",
            summary_zh: "面部各方向均清晰，无失焦或运动模糊（归一化面部区域各方向细节比的最小值）",
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
            summary: "Compression quality is not too low (JPEG: estimated from the quantisation tables; lossy WebP: from the VP8 header's quantiser index, on libwebp's scale)",
            summary_zh: "压缩质量不过低（JPEG 由量化表估计；有损 WebP 由 VP8 帧头的基础量化参数按 libwebp 质量标度估计）",
            unit: "JPEG quality",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ007,
            name: "face_noise",
            summary: "The photo is not grainy (pixel noise estimated on the flatter half of a normalised face crop)",
            summary_zh: "照片无明显噪点（在归一化面部区域较平坦的一半像素上估计噪声）",
            unit: "grey levels",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ008,
            name: "enlarged",
            summary: "The photo has the detail its size promises, so it is not a small photo enlarged (fine-to-coarse detail ratio on the face, read at the scale of a photo of the profile's reading width)",
            summary_zh: "照片细节与其尺寸相符，并非由小图放大（按配置中的读取宽度缩放后读取面部细节比）",
            unit: "detail ratio",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ009,
            name: "face_colour",
            summary: "The skin has a natural hue, so no colour cast from the light, a reflection or a filter (hue angle of the skin's median Cb/Cr)",
            summary_zh: "肤色色相自然，无光源、反光或滤镜造成的偏色（皮肤 Cb/Cr 中位数的色相角）",
            unit: "degrees",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ010,
            name: "colour_levels",
            summary: "The face's colour levels are continuous, not reduced (posterised, a palette as in a GIF) or combed by an 8-bit tone edit saved losslessly: spikiness of its histograms beyond what sampling noise gives, on the levels as the file stored them (before a colour profile's conversion; a lossy WebP's through the luma and chroma levels its codec stored)",
            summary_zh: "面部色阶连续，未被压缩（色调分离、GIF 等调色板）或因 8 位调色后无损保存而呈梳状：面部直方图超出采样噪声的尖峰程度，按文件存储的色阶测量（色彩配置文件转换之前；有损 WebP 按其编码存储的亮度与色度层级测量）",
            unit: "spikiness",
            ..CodeInfo::NONE
        },
        CodeInfo {
            code: IQ011,
            name: "colour_profile",
            summary: "The file's embedded colour profile, if any, could be applied (converted to sRGB), so the colours checked are the colours a viewer shows (flag: 1 = a profile that could not be applied)",
            summary_zh: "照片内嵌的色彩配置文件（如有）可以应用（转换为 sRGB），检查的颜色即显示的颜色（标志：1 = 无法应用的配置文件）",
            unit: "flag",
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
    pub max_face_noise: f64,
    pub min_detail: f64,
    pub detail_read_width: u32,
    pub min_skin_hue: f64,
    pub max_skin_hue: f64,
    pub min_skin_chroma: f64,
    pub max_histogram_spikiness: f64,
    pub max_face_clipped: f64,
    pub min_jpeg_quality: f64,
}

/// IQ011: a profile that could not be applied leaves the pixels read as sRGB, which may be far
/// from how the photo is shown and printed; the applicant can re-save it as an ordinary JPEG.
fn colour_profile_applied(a: &Analysis) -> Finding {
    use crate::colour_profile::Handling;
    let not_applied = a.source.colour_profile.as_ref().filter(|p| p.handling == Handling::NotApplied);
    let detail = not_applied.and_then(|p| p.reason.clone()).unwrap_or_default();
    Finding::flag(
        IQ011,
        not_applied.is_some(),
        Text::new("照片颜色可按其色彩配置文件读取", "The photo's colours can be read as they are shown"),
        Text::new(
            // The reason is the colour library's English; the report's `image.colour_profile` has it too.
            "照片内嵌的色彩配置文件无法应用，无法确定照片显示的颜色：请将照片另存为标准 sRGB 格式的 JPEG 后重新上传",
            format!(
                "The photo's embedded colour profile could not be applied ({detail}), so its colours as shown cannot be checked: save it as an ordinary sRGB JPEG and upload it again"
            ),
        ),
    )
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

        let detail = face_detail(a);
        match &detail {
            Some(d) => out.push(
                Finding::measured(
                    IQ004,
                    round(d.sharpness, 3),
                    "detail ratio",
                    Threshold::min(c.min_face_sharpness),
                    Text::new("面部清晰", "The face is in focus"),
                    Text::new(
                        "面部模糊：请保持相机稳定、对焦在脸上后重新拍摄",
                        "The face is blurred: hold the camera steady, focus on the face and retake",
                    ),
                )
                .with_region_if_failed(Some(d.region.clone())),
            ),
            None => out.push(Finding::not_assessed(IQ004, "detail ratio", Threshold::min(c.min_face_sharpness), no_face())),
        }
        match &detail {
            Some(d) => out.push(
                Finding::measured(
                    IQ007,
                    round(d.noise, 2),
                    "grey levels",
                    Threshold::max(c.max_face_noise),
                    Text::new("画面无明显噪点", "The photo is not grainy"),
                    Text::new(
                        format!("照片噪点过多（约 {:.1} 灰度级）：请在光线充足处重新拍摄，不要使用数码变焦", d.noise),
                        format!(
                            "The photo is grainy (noise about {:.1} grey levels): retake it in good light, without digital zoom",
                            d.noise
                        ),
                    ),
                )
                .with_region_if_failed(Some(d.region.clone())),
            ),
            None => out.push(Finding::not_assessed(IQ007, "grey levels", Threshold::max(c.max_face_noise), no_face())),
        }

        match detail_at_width(a, c.detail_read_width) {
            Some(ratio) => out.push(Finding::measured(
                IQ008,
                round(ratio, 3),
                "detail ratio",
                Threshold::min(c.min_detail),
                Text::new("照片细节与尺寸相符", "The photo has the detail its size promises"),
                Text::new(
                    "照片像是由较小的图片放大而来（细节不足）：请上传相机拍摄的原图，不要截图或放大",
                    "The photo looks enlarged from a smaller one (too little fine detail): upload the camera's original photo, not a screenshot or an enlargement",
                ),
            )),
            None => out.push(Finding::not_assessed(
                IQ008,
                "detail ratio",
                Threshold::min(c.min_detail),
                Text::new("面部太小或未检测到面部，无法评估照片细节", "No face large enough to read the photo's detail on"),
            )),
        }

        out.push(colour_profile_applied(a));

        let hue_limits = Threshold::range(c.min_skin_hue, c.max_skin_hue);
        match a.skin {
            Some(skin) if !skin.gray && f64::from(skin.cb.hypot(skin.cr)) >= c.min_skin_chroma => {
                let hue = skin_hue(skin.cb, skin.cr);
                out.push(Finding::measured(
                    IQ009,
                    round(hue, 1),
                    "degrees",
                    hue_limits,
                    Text::new("肤色自然", "The skin colour is natural"),
                    Text::new(
                        "面部偏色（肤色不自然）：请在白色自然光下重新拍摄，不要使用滤镜或美颜",
                        "The face has a colour cast (the skin's colour is not natural): retake in white daylight, without filters or beauty effects",
                    ),
                ))
            }
            // A grey photo fails IQ003; a colour photo whose skin has almost no colour is washed
            // out or desaturated, and its hue says nothing: a person looks.
            Some(skin) => out.push(Finding::not_assessed(
                IQ009,
                "degrees",
                hue_limits,
                if skin.gray {
                    Text::new("黑白照片无法评估肤色", "A black-and-white photo has no skin colour to judge")
                } else {
                    Text::new(
                        "面部几乎没有颜色（过曝或褪色），无法评估肤色",
                        "The face has almost no colour (washed out or faded): its hue cannot be judged",
                    )
                },
            )),
            None if a.face.is_some() => out.push(Finding::not_assessed(
                IQ009,
                "degrees",
                hue_limits,
                Text::new("无法测量肤色", "The skin colour could not be measured"),
            )),
            None => out.push(Finding::not_assessed(IQ009, "degrees", hue_limits, no_face())),
        }

        let spikiness_limit = Threshold::max(c.max_histogram_spikiness);
        match face_histogram_spikiness(a) {
            Some(spikiness) => out.push(Finding::measured(
                IQ010,
                round(spikiness, 3),
                "spikiness",
                spikiness_limit,
                Text::new("色阶正常", "The colour levels are continuous"),
                Text::new(
                    "照片色阶被压缩或经过调色编辑（色调分离、转成 GIF 等少色格式或调整过亮度曲线）：请上传相机拍摄的原图，不要编辑",
                    "The photo's colour levels were reduced or edited (posterised, saved as a GIF or another palette format, or a brightness curve applied): upload the camera's original photo, unedited",
                ),
            )),
            None => out.push(Finding::not_assessed(
                IQ010,
                "spikiness",
                spikiness_limit,
                Text::new("面部太小或未检测到面部，无法评估色彩层次", "No face large enough to judge the colour levels on"),
            )),
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

        // One message for a measured quality, JPEG or WebP ("photo" / "WebP photo").
        let measured = |q: f64, what_zh: &str, what_en: &str| {
            Finding::measured(
                IQ006,
                round(q, 1),
                "JPEG quality",
                Threshold::min(c.min_jpeg_quality),
                Text::new("压缩程度正常", "Compression is acceptable"),
                Text::new(
                    format!("{what_zh}压缩过度（质量约 {q:.0}）：请上传原图，不要压缩"),
                    format!("The {what_en} is heavily compressed (quality about {q:.0}): upload the original, uncompressed photo"),
                ),
            )
        };
        let quality = a.source.jpeg.as_ref().and_then(|h| h.estimated_quality());
        match (a.source.format, quality) {
            ("jpeg", Some(q)) => out.push(measured(q, "照片", "photo")),
            ("jpeg", None) => out.push(Finding::not_assessed(
                IQ006,
                "JPEG quality",
                Threshold::min(c.min_jpeg_quality),
                Text::new("JPEG 文件缺少量化表，无法评估压缩程度", "The JPEG has no readable quantisation table"),
            )),
            // VP8 has no quantisation tables; its header's quantiser index comes from the
            // encoder's quality setting (libwebp's scale, `webp_header`). Where the header cannot
            // be read, a person looks, since a mandatory check may not pass what it could not
            // measure.
            ("webp", _) if a.source.lossy_webp => match a.source.webp_quantiser {
                Some(index) => out.push(measured(crate::webp_header::libwebp_quality(index), "WebP 照片", "WebP photo")),
                None => out.push(Finding::not_assessed(
                    IQ006,
                    "JPEG quality",
                    Threshold::min(c.min_jpeg_quality),
                    Text::new(
                        "有损 WebP 照片无法评估压缩程度：请上传相机拍摄的 JPEG 原图",
                        "The compression of a lossy WebP photo cannot be measured: upload the camera's original JPEG",
                    ),
                )),
            },
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

/// Side of the face crop the focus is read on.
const SHARPNESS_CROP: usize = 128;
/// Side of the face crop the grain is read on: twice as fine, because at 128 px the resampling
/// averages most of the grain away (noise of σ 14 added to the London portraits read 2.3-5.9 there,
/// against up to 2.8 on the clean portraits; at 256 px 3.0-5.9 against at most 1.7).
const NOISE_CROP: usize = 256;

/// What the face crop says about the photo's detail: focus in its weakest direction and grain.
pub struct FaceDetail {
    /// Fine-to-coarse detail ratio in the direction where it is lowest.
    pub sharpness: f64,
    /// Estimated standard deviation of pixel noise, in grey levels of the 256 px face crop.
    pub noise: f64,
    pub region: crate::report::Region,
}

/// Steps (dy, dx) of the four directions the focus is read along: across, down and both diagonals.
const DIRECTIONS: [(isize, isize); 4] = [(0, 1), (1, 0), (1, 1), (1, -1)];
/// The crop's border left out of every measure: the widest directional mean reaches 4 px out.
const DETAIL_MARGIN: usize = 5;

/// Detail measures on the face resampled to a fixed size, so the numbers do not depend on the
/// photo's resolution. The focus ratio is the RMS of the finest detail (image minus a 3-tap mean)
/// over the RMS of the next band (3-tap minus 9-tap mean): defocus removes the fine band first and
/// contrast cancels out. It is read along four directions and the lowest counts, because motion
/// blur removes detail along one direction only (a 9 px smear on a 600 px portrait left the
/// all-direction ratio within the range of sharp photos). The grain is Immerkær's noise estimate
/// over the flatter half of a finer crop (lowest gradient), so skin texture and edges weigh little.
pub fn face_detail(a: &Analysis) -> Option<FaceDetail> {
    let face = a.face.as_ref()?;
    let (centre, side) = detail_square(face);
    let roll = face.pose.map_or(0.0, |p| p.roll).to_radians();
    let gray_crop = |size: usize| -> Vec<f32> {
        let t = Affine::square_crop(centre, side, roll, size, false);
        let rgb = sample_planar(&a.pyramid, &t, size, size, [0.0; 3]);
        crate::imaging::planar_luma(&rgb, size * size)
    };
    let region = crate::report::Region::Box { x: centre.x - side / 2.0, y: centre.y - side / 2.0, width: side, height: side };
    Some(FaceDetail {
        sharpness: directional_sharpness(&gray_crop(SHARPNESS_CROP), SHARPNESS_CROP),
        noise: noise_sigma(&gray_crop(NOISE_CROP), NOISE_CROP),
        region,
    })
}

/// The square the detail checks (IQ004, IQ007, IQ008) read: centred on the face oval's box, its
/// side 0.8 of the box's longer side, so it holds the face and little of the background.
fn detail_square(face: &crate::analysis::FaceAnalysis) -> (Point, f32) {
    let (x0, y0, x1, y1) = face.oval_bounds();
    (Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0), (x1 - x0).max(y1 - y0) * 0.8)
}

/// Fewest pixels across the face crop IQ008 reads: below that the ratio says little, and a face so
/// small fails the framing checks anyway.
const MIN_ENLARGEMENT_CROP: usize = 32;
/// Most pixels across that crop: a face larger than this at the reading scale is resampled down to
/// it, which keeps the cost bounded and only strengthens the detail it reads.
const MAX_ENLARGEMENT_CROP: usize = 384;

/// IQ008: the face's fine-to-coarse detail ratio over all directions, read on the face crop
/// shrunk to the scale the photo would have at `read_width` px wide (the profile's
/// `detail_read_width`; never finer than the working image). A photo enlarged from a smaller one
/// has no detail finer than its source's pixels: a 600 px portrait enlarged from 260-320 px reads
/// about 0.3 at 390 px, the same portrait as taken 0.5 and more. Reading at a fixed scale, not the
/// photo's own, lets a large but soft phone photo pass: it still has the detail a photo of that
/// width needs. It is below the minimum upload width (520) because a legitimate upload resized to
/// 520 px with a soft filter reads as low as an enlargement there. The crop is cut on whole
/// pixels and shrunk by area averaging, without roll correction: any interpolation blurs the
/// finest band by an amount that depends on the sub-pixel phase (a portrait shrunk to exactly
/// 520 px, read through bilinear sampling, spread 0.35-0.64).
pub fn detail_at_width(a: &Analysis, read_width: u32) -> Option<f64> {
    let face = a.face.as_ref()?;
    let (centre, side) = detail_square(face);
    let img = a.image();
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (cx, cy) = (centre.x, centre.y);
    let left = (cx - side / 2.0).floor().clamp(0.0, w);
    let top = (cy - side / 2.0).floor().clamp(0.0, h);
    let crop_w = ((cx + side / 2.0).ceil().clamp(0.0, w) - left) as u32;
    let crop_h = ((cy + side / 2.0).ceil().clamp(0.0, h) - top) as u32;
    // Working pixels per output pixel: an original photo's pixel at most `read_width` across.
    let original_per_out = (a.original_width as f32 / read_width.max(1) as f32).max(1.0);
    let working_per_out = (original_per_out / a.scale.max(1e-6)).max(1.0);
    let out_w = ((crop_w as f32 / working_per_out).round() as usize).min(MAX_ENLARGEMENT_CROP);
    let out_h = ((crop_h as f32 / working_per_out).round() as usize).min(MAX_ENLARGEMENT_CROP);
    if out_w.min(out_h) < MIN_ENLARGEMENT_CROP {
        return None;
    }
    let crop = image::imageops::crop_imm(img, left as u32, top as u32, crop_w, crop_h).to_image();
    let shrunk = if (out_w as u32, out_h as u32) == (crop_w, crop_h) {
        crop
    } else {
        crate::imaging::resize(&crop, out_w as u32, out_h as u32, crate::imaging::Resample::Area)
    };
    let gray: Vec<f32> = shrunk.pixels().map(|p| crate::imaging::luma(p.0)).collect();
    Some(isotropic_sharpness(&gray, out_w, out_h))
}

/// The focus ratio over all directions at once: IQ008's measure, and IQ004's until profile
/// 2026.12.11 (the tests show what the directional one sees that it does not).
fn isotropic_sharpness(gray: &[f32], w: usize, h: usize) -> f64 {
    use crate::imaging::filters::{box_blur, Edges};
    let b1 = box_blur(gray, w, h, 1, Edges::Replicate);
    let b4 = box_blur(gray, w, h, 4, Edges::Replicate);
    let (mut fine, mut mid) = (0.0f64, 0.0f64);
    for y in DETAIL_MARGIN..h.saturating_sub(DETAIL_MARGIN) {
        for x in DETAIL_MARGIN..w.saturating_sub(DETAIL_MARGIN) {
            let i = y * w + x;
            fine += ((gray[i] - b1[i]) as f64).powi(2);
            mid += ((b1[i] - b4[i]) as f64).powi(2);
        }
    }
    (fine / mid.max(1e-6)).sqrt()
}

/// The lowest of the four directional fine-to-coarse ratios.
fn directional_sharpness(gray: &[f32], side: usize) -> f64 {
    let line_mean = |y: usize, x: usize, (dy, dx): (isize, isize), r: isize| -> f32 {
        // Inside the margin every step stays within the crop.
        let sum: f32 = (-r..=r).map(|k| gray[(y as isize + k * dy) as usize * side + (x as isize + k * dx) as usize]).sum();
        sum / (2 * r + 1) as f32
    };
    DIRECTIONS
        .iter()
        .map(|&dir| {
            let (mut fine, mut mid) = (0.0f64, 0.0f64);
            for y in DETAIL_MARGIN..side - DETAIL_MARGIN {
                for x in DETAIL_MARGIN..side - DETAIL_MARGIN {
                    let (m1, m4) = (line_mean(y, x, dir, 1), line_mean(y, x, dir, 4));
                    fine += ((gray[y * side + x] - m1) as f64).powi(2);
                    mid += ((m1 - m4) as f64).powi(2);
                }
            }
            (fine / mid.max(1e-6)).sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Immerkær's fast noise estimate (the 3×3 difference-of-Laplacians mask, which cancels flat
/// areas and linear ramps), averaged over the pixels whose gradient is at most the median.
fn noise_sigma(gray: &[f32], side: usize) -> f64 {
    let at = |y: usize, x: usize| gray[y * side + x];
    let mut response = Vec::new();
    let mut gradient = Vec::new();
    for y in DETAIL_MARGIN..side - DETAIL_MARGIN {
        for x in DETAIL_MARGIN..side - DETAIL_MARGIN {
            let (n, s, w, e) = (at(y - 1, x), at(y + 1, x), at(y, x - 1), at(y, x + 1));
            let (nw, ne, sw, se) = (at(y - 1, x - 1), at(y - 1, x + 1), at(y + 1, x - 1), at(y + 1, x + 1));
            let r = 4.0 * at(y, x) - 2.0 * (n + s + w + e) + (nw + ne + sw + se);
            let gx = (ne + 2.0 * e + se) - (nw + 2.0 * w + sw);
            let gy = (sw + 2.0 * s + se) - (nw + 2.0 * n + ne);
            response.push(r.abs());
            gradient.push(gx.hypot(gy));
        }
    }
    let mut sorted = gradient.clone();
    let mid = sorted.len() / 2;
    let (_, &mut median, _) = sorted.select_nth_unstable_by(mid, f32::total_cmp);
    let (sum, count) =
        response.iter().zip(&gradient).filter(|(_, &g)| g <= median).fold((0.0f64, 0usize), |(s, c), (&r, _)| (s + r as f64, c + 1));
    (std::f64::consts::FRAC_PI_2).sqrt() / 6.0 * sum / count.max(1) as f64
}

/// The hue angle of a (Cb, Cr) offset, in degrees from the +Cb (blue) axis towards +Cr (red),
/// 0-360. Skin of every complexion lies in a narrow wedge (the London studio portraits 109-134°,
/// 99 % of the unmasked colour web photos 91-150°): a cast moves it out, green or yellow towards
/// and past 180°, magenta below 90°. Brightness scales Cb and Cr together, so it leaves the angle.
fn skin_hue(cb: f32, cr: f32) -> f64 {
    f64::from(cr).atan2(f64::from(cb)).to_degrees().rem_euclid(360.0)
}

/// Fewest pixels IQ010 reads: with fewer, each level's count is too noisy to see spikes in.
const MIN_HISTOGRAM_PIXELS: u32 = 3000;

/// IQ010: how spiky the face's per-channel histograms are. Every pixel in the face's middle (the
/// oval's box without its outer 15 % across and 20 % / 10 % above and below: cheeks, nose, mouth,
/// the eyes) counts; each channel's histogram between its 2nd and 98th percentile is compared with
/// its own 9-level running mean. The sum of the differences, less what Poisson sampling noise
/// alone gives (sqrt(2 m / π) for a level whose mean count is m), over the pixel count; the
/// highest of the three channels. A photo has continuous values and reads about 0 (London
/// portraits at most 0.05; JPEG q65, blurs, white balance, contrast or gamma changes re-saved as
/// JPEG at most 0.064); a photo whose colours were reduced to a few levels has combs: posterised
/// to 3-4 bits or a 16-64 colour palette reads 0.14 and up, even after a JPEG re-encode at q95.
/// So does an 8-bit tone edit saved losslessly (PNG): a levels stretch or raised contrast leaves
/// every 4th-7th level empty, a gamma change doubles some, and no JPEG noise fills them (0.11-0.42)
/// — an edit the notice forbids, and the message says so. Not only skin: the skin
/// reference is the brightest part of the face, and on a bright face its pixels crowd against
/// the clipping ramp, whose steep slope the running mean reads as spikes. A flat mask reads high,
/// but MK001 rejects that photo anyway.
///
/// A lossy WebP is read through its codec's own levels instead ([`Vp8Levels`]): VP8 stores
/// limited-range YCbCr (luma 16-235) as integers, and its decoder stretches those 220 levels
/// over 256, so every RGB channel of an untouched WebP has every 6th-7th level empty — a comb of
/// the decoder's making (the 42 compliant London portraits as WebP q75-100 read 0.05-0.14 in the
/// face). Each face pixel's stored luma and chroma are recovered exactly, each spread over the
/// unit step it stands for (a fixed pseudo-random dither), and turned back into RGB rounded only
/// once: the decoder's comb goes, and a comb the photo had before it was encoded (posterised,
/// a palette) stays in the channels. The luma alone is no substitute: its histogram is
/// narrower than the channels' and reads a dark face's or a web photo's natural peak as spikes
/// (figures in the README).
fn face_histogram_spikiness(a: &Analysis) -> Option<f64> {
    let face = a.face.as_ref()?;
    let (x0, y0, x1, y1) = face.oval_bounds();
    let (w, h) = (x1 - x0, y1 - y0);
    // The levels as the file stored them: a colour profile's conversion spreads them apart.
    let img = a.stored_image();
    let clamp_x = |v: f32| (v.max(0.0) as u32).min(img.width());
    let clamp_y = |v: f32| (v.max(0.0) as u32).min(img.height());
    let (left, right) = (clamp_x(x0 + 0.15 * w), clamp_x(x0 + 0.85 * w));
    let (top, bottom) = (clamp_y(y0 + 0.2 * h), clamp_y(y0 + 0.9 * h));
    let mut histograms = [[0u32; 256]; 3];
    let mut count = 0u32;
    let lossy_webp = a.source.lossy_webp;
    // Fixed seed: the same photo reads the same every time.
    let mut dither = crate::calibrate::fit::SplitMix(0x1010_5EED);
    for y in top..bottom {
        for x in left..right {
            let p = img.get_pixel(x, y).0;
            if lossy_webp {
                let rgb = Vp8Levels::of(p).dithered_rgb(&mut dither);
                for c in 0..3 {
                    histograms[c][rgb[c] as usize] += 1;
                }
            } else {
                for c in 0..3 {
                    histograms[c][p[c] as usize] += 1;
                }
            }
            count += 1;
        }
    }
    if count < MIN_HISTOGRAM_PIXELS {
        return None;
    }
    // A face whose every channel spans under 12 levels has no comb to read: not assessed, so a
    // person looks (such a face fails the detail checks anyway).
    histograms.iter().filter_map(|hist| channel_spikiness(hist, count)).reduce(f64::max)
}

/// libwebp's decoder (`VP8YUVToR/G/B`, which image-webp follows) in real numbers: each channel
/// is 1.1644 (19077/16384) x (luma - 16) plus chroma terms, rounded.
const VP8_LUMA_SCALE: f32 = 19077.0 / 16384.0;
const VP8_V_TO_R: f32 = 26149.0 / 16384.0;
const VP8_U_TO_G: f32 = 6419.0 / 16384.0;
const VP8_V_TO_G: f32 = 13320.0 / 16384.0;
const VP8_U_TO_B: f32 = 33050.0 / 16384.0;

/// The integer luma (16-235) and chroma a VP8 decoder turned into one RGB pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Vp8Levels {
    y: f32,
    u: f32,
    v: f32,
}

impl Vp8Levels {
    /// Recovered from the decoded pixel: the BT.601 weights cancel the decoder's chroma terms,
    /// so they give the luma back (exactly, for every pixel no channel of which clipped: the
    /// test runs all of them); blue and red less that luma give the chroma.
    fn of([r, g, b]: [u8; 3]) -> Self {
        let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
        let y = ((0.299 * r + 0.587 * g + 0.114 * b) / VP8_LUMA_SCALE + 16.0).round();
        let luma_part = VP8_LUMA_SCALE * (y - 16.0);
        let u = ((b - luma_part) / VP8_U_TO_B + 128.0).round();
        let v = ((r - luma_part) / VP8_V_TO_R + 128.0).round();
        Vp8Levels { y, u, v }
    }

    /// RGB from levels each moved by up to half a step (uniform), rounded once at the end: what
    /// the pixel would read had the codec kept fractions.
    fn dithered_rgb(self, rng: &mut crate::calibrate::fit::SplitMix) -> [u8; 3] {
        let bits = rng.next();
        let offset = |shift: u32| ((bits >> shift) & 0x1f_ffff) as f32 / (1u32 << 21) as f32 - 0.5;
        let luma_part = VP8_LUMA_SCALE * (self.y + offset(0) - 16.0);
        let (u, v) = (self.u + offset(21) - 128.0, self.v + offset(42) - 128.0);
        let channel = |c: f32| c.round().clamp(0.0, 255.0) as u8;
        [channel(luma_part + VP8_V_TO_R * v), channel(luma_part - VP8_U_TO_G * u - VP8_V_TO_G * v), channel(luma_part + VP8_U_TO_B * u)]
    }
}

/// One channel's spikiness (see [`face_histogram_spikiness`]) between its 2nd and 98th
/// percentile, within 2..=245; `None` where that span is under 12 levels (a flat channel has no
/// comb to read).
fn channel_spikiness(hist: &[u32; 256], count: u32) -> Option<f64> {
    let percentile = |q: f64| {
        let target = (q * count as f64).ceil().max(1.0) as u32;
        let mut seen = 0;
        hist.iter().position(|&n| {
            seen += n;
            seen >= target
        })
    };
    // The top and bottom are left out: clipped highlights pile up towards 255 (IQ005 judges
    // clipping), and that ramp is no comb.
    let (lo, hi) = (percentile(0.02)?.max(2), percentile(0.98)?.min(245));
    if hi < lo + 12 {
        return None;
    }
    let at = |i: isize| hist[i.clamp(lo as isize, hi as isize) as usize] as f64;
    let (mut spikes, mut noise, mut total) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &count_at) in hist.iter().enumerate().take(hi + 1).skip(lo) {
        let mean = (-4..=4).map(|k| at(i as isize + k)).sum::<f64>() / 9.0;
        let n = count_at as f64;
        spikes += (n - mean).abs();
        noise += (2.0 * mean / std::f64::consts::PI).sqrt();
        total += n;
    }
    Some((spikes - noise) / total.max(1.0))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::fit::SplitMix;

    const SIDE: usize = 128;

    /// Uniform noise in -0.5..0.5 from a seeded generator.
    fn uniform(rng: &mut SplitMix) -> f32 {
        (rng.next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    /// A noise-free scene with edges at every orientation and flat areas between them, like a
    /// face crop: overlapping discs of random size and grey on a mid-grey ground.
    fn texture() -> Vec<f32> {
        let mut rng = SplitMix(7);
        let discs: Vec<(f32, f32, f32, f32)> = (0..90)
            .map(|_| {
                let (x, y) = ((uniform(&mut rng) + 0.5) * SIDE as f32, (uniform(&mut rng) + 0.5) * SIDE as f32);
                (x, y, 3.0 + 14.0 * (uniform(&mut rng) + 0.5), 128.0 + 160.0 * uniform(&mut rng))
            })
            .collect();
        (0..SIDE * SIDE)
            .map(|i| {
                let (x, y) = ((i % SIDE) as f32 + 0.5, (i / SIDE) as f32 + 0.5);
                // The last disc drawn over a pixel gives its grey.
                discs.iter().rev().find(|d| (x - d.0).hypot(y - d.1) < d.2).map_or(128.0, |d| d.3)
            })
            .collect()
    }

    /// Each pixel the mean of `length` pixels along (dy, dx) (clamped at the borders).
    fn smeared(src: &[f32], length: isize, (dy, dx): (isize, isize)) -> Vec<f32> {
        let at = |y: isize, x: isize| src[y.clamp(0, SIDE as isize - 1) as usize * SIDE + x.clamp(0, SIDE as isize - 1) as usize];
        (0..SIDE * SIDE)
            .map(|i| {
                let (x, y) = ((i % SIDE) as isize, (i / SIDE) as isize);
                (0..length).map(|k| at(y + (k - length / 2) * dy, x + (k - length / 2) * dx)).sum::<f32>() / length as f32
            })
            .collect()
    }

    #[test]
    fn a_smear_in_any_direction_lowers_the_directional_focus_much_more_than_the_all_direction_one() {
        let sharp = texture();
        let (iso, dir) = (isotropic_sharpness(&sharp, SIDE, SIDE), directional_sharpness(&sharp, SIDE));
        for step in [(0, 1), (1, 0), (1, 1), (1, -1)] {
            let smear = smeared(&sharp, 5, step);
            let (iso_s, dir_s) = (isotropic_sharpness(&smear, SIDE, SIDE), directional_sharpness(&smear, SIDE));
            // The directional measure loses at least 45 % of itself; the all-direction one keeps
            // more than the directional one does, which is why it let motion blur through.
            assert!(dir_s < 0.55 * dir, "{step:?}: directional {dir:.3} -> {dir_s:.3}");
            assert!(iso_s / iso > dir_s / dir + 0.1, "{step:?}: all-direction {iso:.3} -> {iso_s:.3}, directional {dir:.3} -> {dir_s:.3}");
        }
    }

    /// The scene shrunk by `factor` (area average) and enlarged back by linear interpolation:
    /// what an app or a screenshot does to a small photo.
    fn enlarged(src: &[f32], factor: usize) -> Vec<f32> {
        let small_side = SIDE / factor;
        let small: Vec<f32> = (0..small_side * small_side)
            .map(|i| {
                let (sx, sy) = (i % small_side, i / small_side);
                let block = (0..factor * factor).map(|k| src[(sy * factor + k / factor) * SIDE + sx * factor + k % factor]);
                block.sum::<f32>() / (factor * factor) as f32
            })
            .collect();
        let at = |y: f32, x: f32| {
            let (x, y) = (x.clamp(0.0, small_side as f32 - 1.0), y.clamp(0.0, small_side as f32 - 1.0));
            let (x0, y0) = (x.floor() as usize, y.floor() as usize);
            let (x1, y1) = ((x0 + 1).min(small_side - 1), (y0 + 1).min(small_side - 1));
            let (tx, ty) = (x - x0 as f32, y - y0 as f32);
            let row = |yy: usize| small[yy * small_side + x0] * (1.0 - tx) + small[yy * small_side + x1] * tx;
            row(y0) * (1.0 - ty) + row(y1) * ty
        };
        (0..SIDE * SIDE)
            .map(|i| at(((i / SIDE) as f32 + 0.5) / factor as f32 - 0.5, ((i % SIDE) as f32 + 0.5) / factor as f32 - 0.5))
            .collect()
    }

    #[test]
    fn an_enlarged_scene_has_much_less_fine_detail_than_the_scene() {
        let sharp = texture();
        let before = isotropic_sharpness(&sharp, SIDE, SIDE);
        let after = isotropic_sharpness(&enlarged(&sharp, 2), SIDE, SIDE);
        // Linear interpolation between source pixels leaves nothing finer than them: the ratio
        // falls to under half (IQ008's limit, 0.43, sits between London portraits as taken, from
        // 0.515, and enlarged from 40-47 % of their width, up to 0.42).
        assert!(before > 0.6, "sharp scene {before:.3}");
        assert!(after < 0.5 * before, "{before:.3} -> {after:.3}");
    }

    #[test]
    fn vp8_levels_give_back_what_a_webp_decoder_started_from() {
        // libwebp's decoder (yuv.h: VP8YUVToR/G/B), which image-webp follows.
        let mult_hi = |v: i32, coeff: i32| (v * coeff) >> 8;
        let clip = |v: i32| (v >> 6).clamp(0, 255) as u8;
        let (mut checked, mut chroma_exact) = (0, 0);
        for y in 16..=235 {
            for u in 16..=240 {
                for v in 16..=240 {
                    let r = mult_hi(y, 19077) + mult_hi(v, 26149) - 14234;
                    let g = mult_hi(y, 19077) - mult_hi(u, 6419) - mult_hi(v, 13320) + 8708;
                    let b = mult_hi(y, 19077) + mult_hi(u, 33050) - 17685;
                    // Clipped pixels lose their levels; IQ010 reads levels 2-245 only anyway.
                    if [r, g, b].iter().any(|&c| !(0..256 << 6).contains(&c)) {
                        continue;
                    }
                    let rgb = [clip(r), clip(g), clip(b)];
                    let levels = Vp8Levels::of(rgb);
                    assert_eq!(levels.y, y as f32, "{rgb:?}: y {y} u {u} v {v}");
                    chroma_exact += usize::from(levels.u == u as f32 && levels.v == v as f32);
                    checked += 1;
                    // Undithered, the levels give the decoded pixel back.
                    let [rr, gg, bb] = rgb.map(f32::from);
                    let luma_part = VP8_LUMA_SCALE * (levels.y - 16.0);
                    let (uu, vv) = (levels.u - 128.0, levels.v - 128.0);
                    for (back, decoded) in [
                        (luma_part + VP8_V_TO_R * vv, rr),
                        (luma_part - VP8_U_TO_G * uu - VP8_V_TO_G * vv, gg),
                        (luma_part + VP8_U_TO_B * uu, bb),
                    ] {
                        assert!((back - decoded).abs() <= 1.0, "{rgb:?}: {back}");
                    }
                }
            }
        }
        assert!(checked > 2_500_000, "{checked}");
        assert!(chroma_exact as f64 > 0.999 * checked as f64, "{chroma_exact} of {checked}");
    }

    #[test]
    fn the_dither_spreads_each_level_over_its_own_step_only() {
        let mut rng = SplitMix(7);
        let levels = Vp8Levels { y: 120.0, u: 110.0, v: 150.0 };
        let mut seen = [std::collections::BTreeSet::new(), Default::default(), Default::default()];
        for _ in 0..10_000 {
            for (c, value) in levels.dithered_rgb(&mut rng).into_iter().enumerate() {
                seen[c].insert(value);
            }
        }
        // Half a step of luma is 0.58 levels, of chroma up to 1.0 (blue): each channel reaches
        // the two or three levels around its undithered value, no further.
        let luma_part = VP8_LUMA_SCALE * (120.0 - 16.0);
        let centre = [luma_part + VP8_V_TO_R * 22.0, luma_part + VP8_U_TO_G * 18.0 - VP8_V_TO_G * 22.0, luma_part - VP8_U_TO_B * 18.0];
        for c in 0..3 {
            assert!(seen[c].len() >= 2, "{c}: {:?}", seen[c]);
            for &value in &seen[c] {
                assert!((f32::from(value) - centre[c]).abs() <= 2.0, "{c}: {value} vs {}", centre[c]);
            }
        }
    }

    #[test]
    fn a_combed_histogram_reads_spiky_and_a_smooth_one_does_not() {
        // A smooth bell of about 21,000 values over levels 70-190, as skin gives (no sampling
        // noise, so it reads below 0: the noise allowance is subtracted all the same).
        let mut smooth = [0u32; 256];
        for (i, n) in smooth.iter_mut().enumerate() {
            *n = (400.0 * (-((i as f64 - 130.0) / 30.0).powi(2)).exp()).round() as u32;
        }
        let count: u32 = smooth.iter().sum();
        let bell = channel_spikiness(&smooth, count).expect("a span");
        // Posterised to 4 bits: each value moved down to its multiple of 16.
        let mut posterised = [0u32; 256];
        for (i, &n) in smooth.iter().enumerate() {
            posterised[i & !15] += n;
        }
        let combs = channel_spikiness(&posterised, count).expect("a span");
        // An 8-bit contrast stretch by 1.25: every 5th level left empty, its values one level up.
        let mut stretched = [0u32; 256];
        for (i, &n) in smooth.iter().enumerate() {
            stretched[if i % 5 == 0 { (i + 1).min(255) } else { i }] += n;
        }
        let gaps = channel_spikiness(&stretched, count).expect("a span");
        assert!(bell < 0.03, "smooth {bell:.3}");
        assert!(combs > 0.5, "posterised {combs:.3}");
        assert!(gaps > 0.11, "stretched {gaps:.3}");
    }

    #[test]
    fn the_noise_estimate_reads_added_noise_and_not_the_detail_underneath() {
        let sharp = texture();
        let clean = noise_sigma(&sharp, SIDE);
        assert!(clean < 0.5, "noise-free edges read as {clean:.2}");
        let mut rng = SplitMix(11);
        for sigma in [3.0f32, 8.0, 16.0] {
            // Uniform noise of this standard deviation (width sigma * sqrt(12)).
            let noisy: Vec<f32> = sharp.iter().map(|v| v + uniform(&mut rng) * sigma * 12f32.sqrt()).collect();
            let read = noise_sigma(&noisy, SIDE);
            assert!((read - sigma as f64).abs() < 0.2 * sigma as f64 + clean, "sigma {sigma}: read {read:.2}");
        }
    }
}
