//! The file's embedded ICC colour profile, applied: the rules must read the colours that a
//! colour-managed viewer (the reviewer's browser, the card printer) shows, not the file's raw
//! numbers. Phones save JPEGs in Display P3 and cameras in Adobe RGB; read as sRGB, their skin
//! and backdrop come out duller than they are shown. And a profile can make a file look quite
//! unlike its numbers (a grey backdrop whose numbers are white): checked on the numbers, such a
//! photo was approved for what it is not.
//!
//! RGB and grey profiles are converted to sRGB with `moxcms` (the colour management `image`
//! itself uses); a profile proved to map every colour within 2 levels of itself is sRGB already
//! and leaves the pixels as they are. A profile that cannot be applied (unreadable, CMYK, one whose
//! colour space is not the pixels') leaves the pixels as decoded and says why: IQ011 then does
//! not pass, since nobody can say how the photo will be shown.
//!
//! A PNG without an ICC profile may carry `gAMA` and `cHRM` chunks instead, which browsers apply
//! through a profile built from them: so does [`read_png_colour_chunks`]. A PNG's compressed
//! profile that would inflate past the colour library's 10 MB limit is refused before decoding
//! ([`oversized_png_profile`]).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use image::RgbImage;
use moxcms::{ColorProfile, DataColorSpace, Layout, ProfileText, Transform8BitExecutor, TransformOptions};
use serde::Serialize;

/// A profile that moves no colour of the probe by more than this many levels (of 255) is
/// sRGB for this purpose: the round trip through a profile's stored curves costs a level or so.
const SAME_AS_SRGB: u8 = 2;
/// Probe grid for a matrix-and-curves profile: this many levels a channel, spread over 0..=255.
const PROBE_LEVELS: usize = 17;
/// Pixels converted per call (a grey photo's levels are gathered a chunk at a time).
const CHUNK_PIXELS: usize = 1 << 16;
/// The longest profile description kept for the report.
const MAX_DESCRIPTION: usize = 64;

/// What was done with an embedded profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// The pixels were converted from the profile's colours to sRGB.
    Converted,
    /// The profile is sRGB (or as good as): nothing to convert.
    Srgb,
    /// The profile could not be applied (see `reason`); the pixels are read as sRGB.
    NotApplied,
}

/// An embedded colour profile and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ColourProfile {
    /// The profile's own name (its description tag), printable ASCII only, at most 64 characters.
    pub description: Option<String>,
    pub handling: Handling,
    /// Why a profile was not applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ColourProfile {
    /// A CMYK JPEG's profile: the decoder turns the inks into RGB by formula, without it.
    pub fn not_applied_to_cmyk() -> Self {
        Self::not_applied(None, "a CMYK photo (its inks were converted to RGB without the profile)")
    }

    pub fn not_applied(description: Option<String>, reason: impl Into<String>) -> Self {
        ColourProfile { description, handling: Handling::NotApplied, reason: Some(reason.into()) }
    }
}

/// The conversion from a file's numbers to sRGB that its profile asks for. Decoding finds it;
/// the analysis applies it to its working copy (a 12 MP photo converts in about 30 ms, its
/// working copy in a few) and the crop to its cut.
#[derive(Clone)]
pub struct Conversion {
    transform: Arc<Transform8BitExecutor>,
    /// The file stored one channel (expanded to RGB by decoding): the profile reads the first.
    grey: bool,
}

impl std::fmt::Debug for Conversion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversion").field("grey", &self.grey).finish_non_exhaustive()
    }
}

impl Conversion {
    /// `rgb` (the file's numbers, or a cut or a shrunk copy of them) in the sRGB colours shown.
    pub fn apply(&self, rgb: &RgbImage) -> Result<RgbImage, String> {
        let mut converted = RgbImage::new(rgb.width(), rgb.height());
        for (source, target) in rgb.as_raw().chunks(CHUNK_PIXELS * 3).zip(converted.chunks_mut(CHUNK_PIXELS * 3)) {
            self.convert(source, target)?;
        }
        Ok(converted)
    }

    /// Converts RGB triplets in `source` into `out` (the same length), never panicking.
    fn convert(&self, source: &[u8], out: &mut [u8]) -> Result<(), String> {
        let run = || {
            if self.grey {
                let levels: Vec<u8> = source.chunks_exact(3).map(|p| p[0]).collect();
                self.transform.transform(&levels, out)
            } else {
                self.transform.transform(source, out)
            }
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(done) => done.map_err(|e| format!("conversion failed ({e})")),
            Err(_) => Err("the colour library failed converting the pixels".to_string()),
        }
    }
}

/// Reads `icc` for pixels that are `grey` (one channel stored) or colour: what it is, and the
/// conversion to apply, `None` when the numbers stand as they are (the profile is sRGB, or
/// could not be applied: the report says why). Never panics: a profile the colour library
/// chokes on is reported as not applied.
pub fn read(icc: &[u8], grey: bool) -> (ColourProfile, Option<Conversion>) {
    match catch_unwind(AssertUnwindSafe(|| read_unguarded(icc, grey))) {
        Ok(found) => found,
        Err(_) => (ColourProfile::not_applied(None, "the colour library could not read the profile"), None),
    }
}

fn read_unguarded(icc: &[u8], grey: bool) -> (ColourProfile, Option<Conversion>) {
    let profile = match ColorProfile::new_from_slice(icc) {
        Ok(p) => p,
        Err(e) => return (ColourProfile::not_applied(None, format!("unreadable profile ({e})")), None),
    };
    let description = profile.description.as_ref().and_then(text_of);
    judge(profile, description, grey)
}

/// A PNG without an ICC profile may still say how it is shown: an `sRGB` chunk (nothing to do),
/// or a `gAMA` chunk (the encoding gamma × 100,000), with a `cHRM` chunk (white point and
/// primaries × 100,000) or sRGB's primaries without one. Browsers apply these (their PNG
/// decoders build a profile from them), so they are applied here as a profile would be. `None`
/// when the file has none of them (or is no PNG).
pub fn read_png_colour_chunks(png: &[u8], grey: bool) -> Option<(ColourProfile, Option<Conversion>)> {
    let chunks = PngColourChunks::read(png)?;
    if chunks.icc {
        // Only reached when the decoder could not hand the profile over.
        return Some((ColourProfile::not_applied(None, "an iCCP chunk the decoder could not read"), None));
    }
    if chunks.srgb {
        return None;
    }
    let gamma = chunks.gamma?;
    let description = Some(format!("PNG gAMA {gamma}{}", if chunks.chromaticities.is_some() { " and cHRM" } else { "" }));
    // The display exponent is 100,000 over the stored value (45,455: 2.2); beyond 0.2-5 it is
    // no photo's, and a curve that steep is not converted.
    let exponent = 100_000.0 / gamma as f64;
    if !(0.2..=5.0).contains(&exponent) {
        return Some((ColourProfile::not_applied(description, format!("a gAMA chunk of {gamma} (display exponent {exponent:.2})")), None));
    }
    let chromaticities = chunks.chromaticities;
    let build_and_judge = || {
        let mut profile = if grey { ColorProfile::new_gray_with_gamma(exponent as f32) } else { ColorProfile::new_srgb() };
        if !grey {
            profile.cicp = None;
            let curve = moxcms::ToneReprCurve::Parametric(vec![exponent as f32]);
            profile.red_trc = Some(curve.clone());
            profile.green_trc = Some(curve.clone());
            profile.blue_trc = Some(curve);
            if let Some([wx, wy, rx, ry, gx, gy, bx, by]) = chromaticities {
                let at = |v: u32| v as f32 / 100_000.0;
                // Chromaticities of real colours (x, y > 0, x + y < 1) spanning a real gamut (sRGB's
                // triangle has an area of 0.11, a line or a point none).
                let points = [(at(wx), at(wy)), (at(rx), at(ry)), (at(gx), at(gy)), (at(bx), at(by))];
                let area = 0.5
                    * ((points[2].0 - points[1].0) * (points[3].1 - points[1].1)
                        - (points[3].0 - points[1].0) * (points[2].1 - points[1].1))
                        .abs();
                if points.iter().any(|&(x, y)| !(x > 0.0 && y > 0.0 && x + y < 1.0)) || area < 0.01 {
                    return (ColourProfile::not_applied(description.clone(), "a cHRM chunk whose primaries make no colour space"), None);
                }
                let white = moxcms::XyY { x: f64::from(points[0].0), y: f64::from(points[0].1), yb: 1.0 };
                let primaries = moxcms::ColorPrimaries {
                    red: moxcms::Chromaticity { x: points[1].0, y: points[1].1 },
                    green: moxcms::Chromaticity { x: points[2].0, y: points[2].1 },
                    blue: moxcms::Chromaticity { x: points[3].0, y: points[3].1 },
                };
                profile.update_rgb_colorimetry(white, primaries);
            }
        }
        judge(profile, description.clone(), grey)
    };
    Some(match catch_unwind(AssertUnwindSafe(build_and_judge)) {
        Ok(found) => found,
        Err(_) => (ColourProfile::not_applied(description, "the colour library could not use the gAMA/cHRM chunks"), None),
    })
}

/// The colour chunks a PNG has before its image data.
#[derive(Debug, Default, PartialEq)]
struct PngColourChunks {
    srgb: bool,
    /// An ICC profile (which overrides the other chunks).
    icc: bool,
    gamma: Option<u32>,
    /// White x, y, then red, green and blue x, y, each × 100,000.
    chromaticities: Option<[u32; 8]>,
}

impl PngColourChunks {
    fn read(png: &[u8]) -> Option<Self> {
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return None;
        }
        let mut found = PngColourChunks::default();
        for chunk in crate::png_chunks::before_image_data(png) {
            match &chunk.kind {
                b"sRGB" => found.srgb = true,
                b"iCCP" => found.icc = true,
                b"gAMA" => found.gamma = chunk.word(0).filter(|&g| g > 0),
                b"cHRM" => {
                    let values: Option<Vec<u32>> = (0..8).map(|i| chunk.word(i)).collect();
                    found.chromaticities = values.and_then(|v| <[u32; 8]>::try_from(v).ok());
                }
                _ => {}
            }
        }
        Some(found)
    }
}

/// The most an embedded profile may inflate to: the colour library's own limit (the largest
/// print profiles are a few MB; a camera's or a phone's a few KB).
const MAX_PROFILE_BYTES: usize = 10 << 20;

/// Why a PNG's `iCCP` chunk is refused before decoding, if it is: its compressed profile
/// inflates past [`MAX_PROFILE_BYTES`]. The PNG decoder would inflate it whole before the image
/// (a 390 KB chunk inflating to 400 MB took 2.7 s and 520 MB of memory), so it is measured here,
/// stopping at the limit.
pub fn oversized_png_profile(png: &[u8]) -> Option<String> {
    crate::png_chunks::before_image_data(png).filter(|c| &c.kind == b"iCCP").find_map(|chunk| {
        // Profile name (1-79 bytes) and its terminating zero, the compression method, the stream.
        let name_end = chunk.data.iter().take(81).position(|&b| b == 0)?;
        let stream = chunk.data.get(name_end + 2..)?;
        match fdeflate::decompress_to_vec_bounded(stream, MAX_PROFILE_BYTES) {
            Err(fdeflate::BoundedDecompressionError::OutputTooLarge { .. }) => {
                Some(format!("the embedded colour profile (PNG iCCP) inflates to more than {} MB", MAX_PROFILE_BYTES >> 20))
            }
            // A damaged stream is the decoder's to judge (it ignores the profile).
            _ => None,
        }
    })
}

/// What `profile` does to `grey` or colour numbers: nothing (sRGB), a conversion, or nothing it
/// can do (the reason).
fn judge(profile: ColorProfile, description: Option<String>, grey: bool) -> (ColourProfile, Option<Conversion>) {
    let source_layout = match (profile.color_space, grey) {
        (DataColorSpace::Rgb, false) => Ok(Layout::Rgb),
        (DataColorSpace::Gray, true) => Ok(Layout::Gray),
        (DataColorSpace::Rgb, true) => Err("an RGB profile on a grey image".to_string()),
        (DataColorSpace::Gray, false) => Err("a grey profile on a colour image".to_string()),
        (space, _) => Err(format!("a {space:?} profile (only RGB and grey profiles are converted)")),
    };
    let source_layout = match source_layout {
        Ok(layout) => layout,
        Err(why) => return (ColourProfile::not_applied(description, why), None),
    };
    let srgb = ColorProfile::new_srgb();
    let conversion = match profile.create_transform_8bit(source_layout, &srgb, Layout::Rgb, TransformOptions::default()) {
        Ok(transform) => Conversion { transform, grey },
        Err(e) => return (ColourProfile::not_applied(description, format!("no conversion to sRGB ({e})")), None),
    };

    // Is it sRGB already? Only a matrix-and-curves profile can be proved so: its conversion is
    // each channel's curve, then one matrix, so every channel's full ramp (the others at 0 and at
    // 255) and a 17-level grid cover it. A lookup-table profile could agree at any probe and
    // differ between them: it is always converted. A grey profile's 256 levels are all probed.
    let plain_curves = profile.is_matrix_shaper()
        && [&profile.lut_a_to_b_perceptual, &profile.lut_a_to_b_colorimetric, &profile.lut_a_to_b_saturation]
            .iter()
            .all(|lut| lut.is_none());
    if grey || plain_curves {
        let step = |i: usize| ((i * 255) / (PROBE_LEVELS - 1)) as u8;
        let probe: Vec<u8> = if grey {
            (0..=255u8).flat_map(|v| [v; 3]).collect()
        } else {
            let grid = (0..PROBE_LEVELS.pow(3))
                .flat_map(|i| [step(i / (PROBE_LEVELS * PROBE_LEVELS)), step(i / PROBE_LEVELS % PROBE_LEVELS), step(i % PROBE_LEVELS)]);
            let ramps = (0..3usize).flat_map(|channel| {
                [0u8, 255].into_iter().flat_map(move |others| {
                    (0..=255u8).flat_map(move |v| {
                        let mut colour = [others; 3];
                        colour[channel] = v;
                        colour
                    })
                })
            });
            grid.chain(ramps).collect()
        };
        let mut shown = vec![0u8; probe.len()];
        if let Err(why) = conversion.convert(&probe, &mut shown) {
            return (ColourProfile::not_applied(description, why), None);
        }
        if probe.iter().zip(&shown).all(|(a, b)| a.abs_diff(*b) <= SAME_AS_SRGB) {
            return (ColourProfile { description, handling: Handling::Srgb, reason: None }, None);
        }
    }
    (ColourProfile { description, handling: Handling::Converted, reason: None }, Some(conversion))
}

/// `jpeg` with the ICC profile `icc` embedded (APP2 `ICC_PROFILE` segments of at most 65,519
/// bytes each, right after the start of image), as a camera or an editor writes it: for tests
/// and probes that show what a profile does to a verdict. `None` for bytes that are not a JPEG
/// or a profile too large for the 255 segments the format allows.
pub fn jpeg_with_profile(jpeg: &[u8], icc: &[u8]) -> Option<Vec<u8>> {
    const PER_SEGMENT: usize = 65_519;
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let chunks: Vec<&[u8]> = icc.chunks(PER_SEGMENT).collect();
    let count = u8::try_from(chunks.len()).ok()?;
    let mut out = jpeg[..2].to_vec();
    for (i, chunk) in chunks.iter().enumerate() {
        let length = u16::try_from(2 + 14 + chunk.len()).ok()?;
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(b"ICC_PROFILE\0");
        out.extend_from_slice(&[i as u8 + 1, count]);
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&jpeg[2..]);
    Some(out)
}

/// An sRGB profile whose blue colorant is 0.55 of sRGB's: every viewer shows white numbers as a
/// pale yellow (255, 255, 255 → about 255, 255, 190). A probe of the fail-open shape: numbers
/// that are a good portrait's, shown as a bad one.
pub fn yellowing_profile() -> Vec<u8> {
    let mut yellow = ColorProfile::new_srgb();
    yellow.cicp = None;
    let b = yellow.blue_colorant;
    yellow.blue_colorant = moxcms::Xyzd { x: b.x * 0.55, y: b.y * 0.55, z: b.z * 0.55 };
    yellow.description = Some(ProfileText::PlainString("sRGB with a weak blue (a probe)".into()));
    yellow.encode().unwrap_or_default()
}

/// The description as printable ASCII (it reaches terminals, CSV and HTML), trimmed and capped.
fn text_of(text: &ProfileText) -> Option<String> {
    let raw = match text {
        ProfileText::PlainString(s) => s.as_str(),
        ProfileText::Localizable(strings) => strings.first().map(|s| s.value.as_str()).unwrap_or(""),
        ProfileText::Description(d) => d.ascii_string.as_str(),
    };
    let clean: String = raw.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(MAX_DESCRIPTION).collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(profile: &ColorProfile) -> Vec<u8> {
        profile.encode().expect("encode a profile")
    }

    /// What reading `icc` says, and `img` converted when it asks for a conversion.
    fn apply(icc: &[u8], img: &RgbImage, grey: bool) -> (ColourProfile, Option<RgbImage>) {
        let (found, conversion) = read(icc, grey);
        (found, conversion.map(|c| c.apply(img).expect("converted")))
    }

    fn portrait() -> RgbImage {
        // A white backdrop, a skin patch and a dark top.
        RgbImage::from_fn(60, 80, |x, y| match (x, y) {
            (20..=40, 20..=45) => image::Rgb([205, 160, 135]),
            (_, 60..) => image::Rgb([30, 30, 40]),
            _ => image::Rgb([250, 250, 250]),
        })
    }

    #[test]
    fn an_srgb_profile_leaves_the_pixels_alone() {
        let (found, converted) = apply(&encoded(&ColorProfile::new_srgb()), &portrait(), false);
        assert_eq!(found.handling, Handling::Srgb, "{found:?}");
        assert!(converted.is_none());
    }

    #[test]
    fn display_p3_numbers_are_converted_to_the_srgb_colours_they_show() {
        // The portrait's sRGB colours as Display P3 numbers (what a phone stores)…
        let p3 = ColorProfile::new_display_p3();
        let to_p3 =
            ColorProfile::new_srgb().create_transform_8bit(Layout::Rgb, &p3, Layout::Rgb, TransformOptions::default()).expect("transform");
        let original = portrait();
        let mut stored = original.clone();
        to_p3.transform(original.as_raw(), stored.as_mut()).expect("convert");
        let skin = |img: &RgbImage| img.get_pixel(30, 30).0;
        // …are duller read as sRGB (P3's red is redder, so the same look needs less red)…
        assert!(skin(&stored)[0] < skin(&original)[0] - 5, "{:?} {:?}", skin(&stored), skin(&original));
        // …and come back within a level or two once the profile is applied.
        let (found, shown) = apply(&encoded(&p3), &stored, false);
        assert_eq!(found.handling, Handling::Converted, "{found:?}");
        for (a, b) in shown.expect("converted pixels").pixels().zip(original.pixels()) {
            assert!(a.0.iter().zip(b.0).all(|(x, y)| x.abs_diff(y) <= 2), "{:?} vs {:?}", a.0, b.0);
        }
    }

    #[test]
    fn a_profile_that_darkens_the_photo_is_applied_to_its_white_numbers() {
        // A white backdrop's numbers under a gamma-2.2 grey profile applied to a grey image
        // show as themselves; under a gamma-4 grey profile mid-greys show much darker.
        let img = RgbImage::from_fn(40, 40, |x, _| if x < 20 { image::Rgb([128, 128, 128]) } else { image::Rgb([255, 255, 255]) });
        let (found, shown) = apply(&encoded(&ColorProfile::new_gray_with_gamma(4.0)), &img, true);
        assert_eq!(found.handling, Handling::Converted, "{found:?}");
        let img = shown.expect("converted pixels");
        assert!(img.get_pixel(5, 5).0[0] < 90, "{:?}", img.get_pixel(5, 5));
        assert!(img.get_pixel(30, 5).0.iter().all(|&c| c >= 250), "{:?}", img.get_pixel(30, 5));
    }

    #[test]
    fn a_curve_that_agrees_with_srgb_only_on_the_grid_is_still_converted() {
        // sRGB's curve as a 256-entry table, except that every level 8 past a grid level reads
        // as the grid level: the 17-level grid alone would call it sRGB.
        let decode = |v: f64| if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        let table: Vec<u16> =
            (0..256).map(|i| if i % 16 == 8 { i - 8 } else { i }).map(|i| (decode(i as f64 / 255.0) * 65535.0).round() as u16).collect();
        let mut crafted = ColorProfile::new_srgb();
        crafted.cicp = None;
        for trc in [&mut crafted.red_trc, &mut crafted.green_trc, &mut crafted.blue_trc] {
            *trc = Some(moxcms::ToneReprCurve::Lut(table.clone()));
        }
        let img = RgbImage::from_pixel(8, 8, image::Rgb([136, 136, 136]));
        let (found, shown) = apply(&encoded(&crafted), &img, false);
        assert_eq!(found.handling, Handling::Converted, "{found:?}");
        assert!(shown.expect("converted").get_pixel(0, 0).0[0] < 133);
    }

    #[test]
    fn a_profile_that_cannot_be_applied_says_why_and_leaves_the_pixels() {
        let img = portrait();
        let (garbage, none) = apply(b"not an icc profile at all, just some bytes", &img, false);
        assert!(none.is_none());
        assert_eq!(garbage.handling, Handling::NotApplied);
        assert!(garbage.reason.as_deref().is_some_and(|r| r.contains("unreadable")), "{garbage:?}");
        let (mismatched, none) = apply(&encoded(&ColorProfile::new_gray_with_gamma(2.2)), &img, false);
        assert_eq!(mismatched.handling, Handling::NotApplied, "{mismatched:?}");
        assert!(none.is_none());
        // A truncated profile is refused, not read past its end.
        let p3 = encoded(&ColorProfile::new_display_p3());
        for cut in [0, 10, 127, 128, 200, p3.len() - 1] {
            let (found, converted) = apply(&p3[..cut], &img, false);
            assert!(found.handling != Handling::Converted && converted.is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn a_profile_embedded_in_a_jpeg_is_read_back_and_the_yellowing_one_yellows_white() {
        let img = portrait();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95).encode_image(&img).expect("encode");
        let icc = yellowing_profile();
        let tagged = jpeg_with_profile(&jpeg, &icc).expect("a JPEG");
        let decoded = crate::decode::decode(&tagged, &crate::decode::DecodeLimits::default()).expect("decodes");
        let found = decoded.source.colour_profile.expect("a profile");
        assert_eq!((found.handling, found.description.as_deref()), (Handling::Converted, Some("sRGB with a weak blue (a probe)")));
        let shown = decoded.colour.expect("a conversion").apply(&decoded.rgb).expect("converted");
        let corner = shown.get_pixel(2, 2).0;
        assert!(corner[0] >= 245 && corner[2] < 205, "{corner:?}");
        // Split over segments when large, refused when not a JPEG.
        let big = vec![7u8; 150_000];
        let split = jpeg_with_profile(&jpeg, &big).expect("a JPEG");
        assert_eq!(split.windows(12).filter(|w| w == b"ICC_PROFILE\0").count(), 3);
        assert!(jpeg_with_profile(b"\x89PNG", &icc).is_none());
    }

    /// `img` as a PNG with `chunks` (type, data) inserted after its header.
    fn png_with(img: &RgbImage, chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let crc32 = |bytes: &[u8]| {
            let mut crc = 0xFFFF_FFFFu32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
                }
            }
            !crc
        };
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img.clone()).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("encode");
        // Signature (8) and IHDR (4 + 4 + 13 + 4).
        let mut out = png[..33].to_vec();
        for (kind, data) in chunks {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let body: Vec<u8> = kind.iter().chain(data).copied().collect();
            out.extend_from_slice(&body);
            out.extend_from_slice(&crc32(&body).to_be_bytes());
        }
        out.extend_from_slice(&png[33..]);
        out
    }

    #[test]
    fn a_pngs_gamma_chunk_is_applied_unless_it_says_srgb() {
        let grey = RgbImage::from_pixel(40, 40, image::Rgb([128, 128, 128]));
        let shown = |png: &[u8]| {
            let photo = crate::decode::decode(png, &crate::decode::DecodeLimits::default()).expect("decodes");
            let level = match &photo.colour {
                Some(c) => c.apply(&photo.rgb).expect("converted").get_pixel(5, 5).0[0],
                None => photo.rgb.get_pixel(5, 5).0[0],
            };
            (photo.source.colour_profile.map(|p| p.handling), level)
        };
        // Linear numbers (gAMA 1.0): 128 is half the light, which sRGB writes as about 188.
        let (handling, level) = shown(&png_with(&grey, &[(b"gAMA", 100_000u32.to_be_bytes().to_vec())]));
        assert_eq!(handling, Some(Handling::Converted));
        assert!((184..=192).contains(&level), "{level}");
        // The same with sRGB's own primaries in a cHRM chunk.
        let chrm: Vec<u8> =
            [31_270u32, 32_900, 64_000, 33_000, 30_000, 60_000, 15_000, 6_000].iter().flat_map(|v| v.to_be_bytes()).collect();
        let (handling, level) = shown(&png_with(&grey, &[(b"gAMA", 100_000u32.to_be_bytes().to_vec()), (b"cHRM", chrm)]));
        assert_eq!(handling, Some(Handling::Converted));
        assert!((184..=192).contains(&level), "{level}");
        // An sRGB chunk rules: the numbers are the colours.
        let (handling, level) = shown(&png_with(&grey, &[(b"sRGB", vec![0]), (b"gAMA", 45_455u32.to_be_bytes().to_vec())]));
        assert_eq!((handling, level), (None, 128));
        // Primaries on one line make no colour space.
        let flat: Vec<u8> =
            [31_270u32, 32_900, 10_000, 10_000, 20_000, 20_000, 30_000, 30_000].iter().flat_map(|v| v.to_be_bytes()).collect();
        let (handling, _) = shown(&png_with(&grey, &[(b"gAMA", 45_455u32.to_be_bytes().to_vec()), (b"cHRM", flat)]));
        assert_eq!(handling, Some(Handling::NotApplied));
        // A gamma no photo has is not applied.
        let (handling, _) = shown(&png_with(&grey, &[(b"gAMA", 1u32.to_be_bytes().to_vec())]));
        assert_eq!(handling, Some(Handling::NotApplied));
        // Cut chunks are read without reading past the end.
        let png = png_with(&grey, &[(b"cHRM", vec![1, 2, 3])]);
        for cut in [8, 20, 33, 40, 45] {
            let _ = PngColourChunks::read(&png[..cut]);
        }
        assert_eq!(PngColourChunks::read(&png).map(|c| c.chromaticities), Some(None));
    }

    #[test]
    fn descriptions_keep_printable_ascii_only() {
        assert_eq!(text_of(&ProfileText::PlainString("Display P3".into())).as_deref(), Some("Display P3"));
        assert_eq!(text_of(&ProfileText::PlainString("<script>\u{1b}[31m\n x".into())).as_deref(), Some("<script>[31m x"));
        assert_eq!(text_of(&ProfileText::PlainString("\u{7}\u{7}".into())), None);
        assert_eq!(text_of(&ProfileText::PlainString("y".repeat(500))).map(|s| s.len()), Some(MAX_DESCRIPTION));
    }
}
