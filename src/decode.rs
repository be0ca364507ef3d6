//! Bytes → oriented 8-bit RGB pixels, refusing bad input with a typed reason and never panicking.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use serde::{Deserialize, Serialize};

use crate::colour_profile::{self, ColourProfile};
use crate::error::InputError;
use crate::exif::{read_exif, ExifInfo};
use crate::jpeg_markers::{self, JpegHeaders};

/// Limits applied before any pixel is decoded.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DecodeLimits {
    pub max_file_bytes: u64,
    pub max_pixels: u64,
    /// The shorter side must be at least this (a portrait smaller than this holds no face a
    /// model can read), and the long side at most `max_aspect` times the short side.
    #[serde(default = "default_min_short_side")]
    pub min_short_side: u32,
    #[serde(default = "default_max_aspect")]
    pub max_aspect: f64,
    /// What the decoder may allocate for the pixels as stored (a 16-bit RGBA PNG takes 8 bytes a
    /// pixel before conversion): bounds memory per photo whatever the pixel count.
    #[serde(default = "default_max_decoded_bytes")]
    pub max_decoded_bytes: u64,
}

fn default_max_decoded_bytes() -> u64 {
    160 << 20
}

fn default_min_short_side() -> u32 {
    32
}
fn default_max_aspect() -> f64 {
    8.0
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_file_bytes: 25 * 1024 * 1024,
            max_pixels: 40_000_000,
            min_short_side: default_min_short_side(),
            max_aspect: default_max_aspect(),
            max_decoded_bytes: default_max_decoded_bytes(),
        }
    }
}

impl DecodeLimits {
    /// Refuses sizes no portrait has, before any decoder allocates: too many pixels (bombs), a
    /// side too short, or a strip (a 40,000,000×1 PNG is 117 KB).
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<(), InputError> {
        if width as u64 * height as u64 > self.max_pixels {
            return Err(InputError::DimensionsTooLarge { width, height, limit_pixels: self.max_pixels });
        }
        let (short, long) = (width.min(height), width.max(height));
        if short < self.min_short_side {
            return Err(InputError::BadShape(format!("{width}x{height}: the shorter side is under {} px", self.min_short_side)));
        }
        if long as f64 > self.max_aspect * short as f64 {
            return Err(InputError::BadShape(format!(
                "{width}x{height}: one side is more than {} times the other (a portrait is about 3:4)",
                self.max_aspect
            )));
        }
        Ok(())
    }
}

/// How the file stored its pixels, before conversion to RGB.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    pub format: &'static str,
    /// Dimensions as stored in the file, before EXIF orientation.
    pub stored_width: u32,
    pub stored_height: u32,
    /// Pixel layout as decoded, e.g. "rgb8", "l8", "rgba16", "cmyk8".
    pub color: String,
    pub bits_per_channel: u8,
    pub has_alpha: bool,
    /// Some pixel was not fully opaque; it was composited over white.
    pub alpha_used: bool,
    pub file_bytes: u64,
    /// EXIF orientation that was applied (1 = none).
    pub orientation_applied: u16,
    /// The embedded colour profile (ICC, or a PNG's gAMA and cHRM chunks) and what was done with
    /// it; `None` without one (the pixels are then read as sRGB, as every viewer reads them).
    pub colour_profile: Option<ColourProfile>,
    #[serde(skip)]
    pub jpeg: Option<JpegHeaders>,
    /// A WebP whose image is VP8 (lossy) data rather than VP8L (lossless); false for other formats.
    #[serde(skip)]
    pub lossy_webp: bool,
    /// A lossy WebP's quantiser index (0–127, the coarsest segment's), when its VP8 header could
    /// be read.
    #[serde(skip)]
    pub webp_quantiser: Option<u8>,
}

/// A decoded photo: upright 8-bit RGB plus what the file said about itself.
#[derive(Debug, Clone)]
pub struct Photo {
    /// The numbers the file stored, upright: sRGB colours unless `colour` converts them.
    pub rgb: RgbImage,
    /// The conversion to sRGB that the file's colour profile asks for (`None`: the numbers are
    /// the colours shown). Applied to what is read, not here: the analysis reads a smaller copy.
    pub colour: Option<colour_profile::Conversion>,
    pub source: SourceInfo,
    pub exif: ExifInfo,
}

pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<Photo, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    let file_bytes = bytes.len() as u64;
    if file_bytes > limits.max_file_bytes {
        return Err(InputError::FileTooLarge { bytes: file_bytes, limit: limits.max_file_bytes });
    }
    let format = sniff_format(bytes)?;
    let jpeg = if format == ImageFormat::Jpeg { jpeg_markers::read_headers(bytes) } else { None };
    // Refuse bombs and strips from the header alone, before any decoder allocates.
    if let Some((width, height)) = header_dimensions(bytes, jpeg.as_ref()) {
        limits.check_dimensions(width, height)?;
        let per_pixel = stored_bytes_per_pixel(bytes, jpeg.as_ref());
        let decoded = width as u64 * height as u64 * per_pixel;
        if decoded > limits.max_decoded_bytes {
            return Err(InputError::ResourceLimit(format!(
                "{width}x{height} at {per_pixel} bytes a pixel needs {} MB to decode, above the {} MB limit",
                decoded >> 20,
                limits.max_decoded_bytes >> 20
            )));
        }
    }
    if let Some(why) = jpeg.as_ref().and_then(|h| h.unsupported_coding()) {
        return Err(InputError::UnsupportedFormat(format!(
            "{why}; save the photo as an ordinary (baseline or progressive 8-bit) JPEG or PNG"
        )));
    }
    if jpeg.as_ref().is_some_and(|h| !h.complete) {
        return Err(InputError::Corrupt("the JPEG data ends before the end-of-image marker (the file is truncated)".into()));
    }

    let frames = animation_frames(bytes);
    if frames > 1 {
        return Err(InputError::Animated { frames });
    }
    if let Some(why) = colour_profile::oversized_png_profile(bytes) {
        return Err(InputError::ResourceLimit(why));
    }

    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader.into_dimensions().map_err(|e| map_image_error(e, limits))?;
    if width == 0 || height == 0 {
        return Err(InputError::Corrupt(format!("image has zero size {width}x{height}")));
    }
    limits.check_dimensions(width, height)?;

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(width);
    image_limits.max_image_height = Some(height);
    // 16-bit RGBA at the pixel limit, plus decoder scratch.
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(image_limits.clone());
    let mut decoder = reader.into_decoder().map_err(|e| map_image_error(e, limits))?;
    image_limits.reserve(decoder.total_bytes()).map_err(|e| map_image_error(e, limits))?;
    // A profile the decoder cannot hand over is treated as none, as viewers do (except a PNG's
    // iCCP chunk, which `read_png_colour_chunks` then reports as not applied).
    let icc = decoder.icc_profile().ok().flatten();
    let dynamic = DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(e, limits))?;

    let cmyk = jpeg.as_ref().is_some_and(|h| h.components == 4);
    let grey = !dynamic.color().has_color();
    let (rgb, color, bits, has_alpha, alpha_used) = to_rgb8(dynamic, cmyk);
    let (colour_profile, colour) = match icc {
        None => match colour_profile::read_png_colour_chunks(bytes, grey) {
            Some((found, conversion)) => (Some(found), conversion),
            None => (None, None),
        },
        // The decoder has already turned the inks into RGB by formula, without the profile.
        Some(_) if cmyk => (Some(ColourProfile::not_applied_to_cmyk()), None),
        Some(icc) => {
            let (found, conversion) = colour_profile::read(&icc, grey);
            (Some(found), conversion)
        }
    };

    let exif = read_exif(bytes);
    let orientation = exif.orientation;
    let rgb = apply_orientation(rgb, orientation);

    Ok(Photo {
        rgb,
        colour,
        source: SourceInfo {
            format: format_name(format),
            stored_width: width,
            stored_height: height,
            color,
            bits_per_channel: bits,
            has_alpha,
            alpha_used,
            file_bytes,
            orientation_applied: orientation,
            colour_profile,
            jpeg,
            lossy_webp: format == ImageFormat::WebP && crate::webp_header::is_lossy(bytes),
            webp_quantiser: if format == ImageFormat::WebP { crate::webp_header::vp8_quantiser(bytes) } else { None },
        },
        exif,
    })
}

/// Bytes a decoded pixel takes as stored, from the header (PNG bit depth and colour type, JPEG
/// component count); 4 when unknown (WebP decodes to RGBA).
fn stored_bytes_per_pixel(bytes: &[u8], jpeg: Option<&JpegHeaders>) -> u64 {
    if let Some(h) = jpeg {
        return h.components.clamp(1, 4) as u64;
    }
    if bytes.len() >= 26 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let sample = if bytes[24] == 16 { 2 } else { 1 };
        let channels = match bytes[25] {
            0 => 1,
            2 => 3,
            3 => 4, // palette, expanded to RGBA
            4 => 2,
            _ => 4,
        };
        return sample * channels;
    }
    4
}

/// How many frames an APNG (its `acTL` chunk, which must come before the image data) or an
/// animated WebP (its `ANMF` chunks) declares; 1 for a still image or when the chunks cannot be
/// walked (the decoder then judges the file). The decoders read only the first frame, so without
/// this an animation whose first frame is a good portrait would be checked as that portrait.
fn animation_frames(bytes: &[u8]) -> u32 {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // `acTL` must come before the image data.
        return crate::png_chunks::before_image_data(bytes).find(|c| &c.kind == b"acTL").and_then(|c| c.word(0)).map_or(1, |n| n.max(1));
    }
    if bytes.get(..4) == Some(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        let mut frames = 0u32;
        let mut at = 12usize;
        while let Some(head) = bytes.get(at..at.saturating_add(8)) {
            let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
            if &head[..4] == b"ANMF" {
                frames = frames.saturating_add(1);
            }
            // Chunks are padded to an even length.
            let Some(next) = at.checked_add(8).and_then(|a| a.checked_add(len)).and_then(|a| a.checked_add(len & 1)) else {
                break;
            };
            at = next;
        }
        return frames.max(1);
    }
    1
}

/// Width and height straight from the PNG IHDR or JPEG SOF header.
fn header_dimensions(bytes: &[u8], jpeg: Option<&JpegHeaders>) -> Option<(u32, u32)> {
    if let Some(h) = jpeg {
        return (h.width > 0).then_some((h.width, h.height));
    }
    if bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR" {
        let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        return Some((w, h));
    }
    None
}

fn sniff_format(bytes: &[u8]) -> Result<ImageFormat, InputError> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = String::from_utf8_lossy(&bytes[8..12]).to_string();
        return Err(InputError::UnsupportedFormat(format!("HEIF/AVIF container (brand '{brand}'); export the photo as JPEG or PNG")));
    }
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        Ok(other) => Err(InputError::UnsupportedFormat(format!("{} (accepted: JPEG, PNG, WebP)", format_name(other)))),
        Err(_) => {
            let looks_like_text = bytes.iter().take(512).all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
            Err(InputError::NotAnImage(if looks_like_text {
                "the file contains text, not image data".to_string()
            } else {
                "unrecognised file signature".to_string()
            }))
        }
    }
}

fn map_image_error(err: image::ImageError, limits: &DecodeLimits) -> InputError {
    use image::ImageError as E;
    match err {
        E::Limits(l) => InputError::ResourceLimit(format!("{l} (pixel limit {})", limits.max_pixels)),
        E::Unsupported(u) => InputError::UnsupportedFormat(u.to_string()),
        E::Decoding(d) => InputError::Corrupt(d.to_string()),
        E::IoError(io) => InputError::Corrupt(format!("unexpected end of data or read error: {io}")),
        other => InputError::Corrupt(other.to_string()),
    }
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        ImageFormat::Bmp => "bmp",
        ImageFormat::Tiff => "tiff",
        ImageFormat::Avif => "avif",
        ImageFormat::Ico => "ico",
        ImageFormat::Pnm => "pnm",
        ImageFormat::Tga => "tga",
        ImageFormat::Dds => "dds",
        ImageFormat::Hdr => "hdr",
        ImageFormat::OpenExr => "openexr",
        ImageFormat::Farbfeld => "farbfeld",
        ImageFormat::Qoi => "qoi",
        _ => "unknown",
    }
}

/// Converts any decoded layout to RGB8; transparent pixels are composited over white, the colour a
/// viewer would show them in.
fn to_rgb8(img: DynamicImage, cmyk: bool) -> (RgbImage, String, u8, bool, bool) {
    let color = img.color();
    let bits = (color.bits_per_pixel() / color.channel_count() as u16) as u8;
    let has_alpha = color.has_alpha();
    let name = if cmyk { "cmyk8".to_string() } else { format!("{color:?}").to_lowercase() };
    if !has_alpha {
        return (img.into_rgb8(), name, bits, false, false);
    }
    let rgba = img.into_rgba8();
    let mut alpha_used = false;
    let rgb = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        if p[3] == 255 {
            return image::Rgb([p[0], p[1], p[2]]);
        }
        alpha_used = true;
        let a = p[3] as u32;
        let blend = |c: u8| ((c as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([blend(p[0]), blend(p[1]), blend(p[2])])
    });
    (rgb, name, bits, true, alpha_used)
}

/// EXIF orientation → upright pixels (values per the EXIF 2.3 spec).
pub fn apply_orientation(img: RgbImage, orientation: u16) -> RgbImage {
    use image::imageops;
    match orientation {
        2 => imageops::flip_horizontal(&img),
        3 => imageops::rotate180(&img),
        4 => imageops::flip_vertical(&img),
        5 => imageops::flip_horizontal(&imageops::rotate90(&img)),
        6 => imageops::rotate90(&img),
        7 => imageops::flip_horizontal(&imageops::rotate270(&img)),
        8 => imageops::rotate270(&img),
        _ => img,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(img: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).expect("encode");
        out
    }

    #[test]
    fn empty_and_text_inputs_are_refused_by_kind() {
        let limits = DecodeLimits::default();
        assert_eq!(decode(b"", &limits).unwrap_err().kind(), "empty_file");
        assert_eq!(decode(b"hello, this is text\n", &limits).unwrap_err().kind(), "not_an_image");
    }

    #[test]
    fn gif_is_unsupported_not_corrupt() {
        let err = decode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.kind(), "unsupported_format");
    }

    #[test]
    fn file_size_limit_applies_before_decoding() {
        let limits = DecodeLimits { max_file_bytes: 10, max_pixels: 100, ..DecodeLimits::default() };
        assert_eq!(decode(&[0u8; 11], &limits).unwrap_err().kind(), "file_too_large");
    }

    #[test]
    fn alpha_is_composited_over_white() {
        let img = image::RgbaImage::from_pixel(32, 32, image::Rgba([0, 0, 0, 0]));
        let photo = decode(&png_bytes(&DynamicImage::ImageRgba8(img)), &DecodeLimits::default()).unwrap();
        assert!(photo.source.alpha_used);
        assert_eq!(photo.rgb.get_pixel(0, 0).0, [255, 255, 255]);
    }

    #[test]
    fn a_png_profile_that_inflates_past_the_limit_is_refused_before_decoding() {
        let png = png_bytes(&DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 50, image::Rgb([250, 250, 250]))));
        let with_iccp = |profile: &[u8]| {
            let mut data = b"bomb\0\0".to_vec();
            data.extend_from_slice(&fdeflate::compress_to_vec(profile));
            // After the signature and IHDR; the CRC is not checked before the decoder runs.
            let mut out = png[..33].to_vec();
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(b"iCCP");
            out.extend_from_slice(&data);
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&png[33..]);
            out
        };
        // 11 MB of zeros compress to a few KB.
        let err = decode(&with_iccp(&vec![0u8; 11 << 20]), &DecodeLimits::default()).unwrap_err();
        assert_eq!(err.kind(), "resource_limit", "{err}");
        assert!(err.to_string().contains("colour profile"), "{err}");
        // A small one is the colour code's to judge, not refused.
        assert!(colour_profile::oversized_png_profile(&with_iccp(&[0u8; 3000])).is_none());
    }

    #[test]
    fn animations_are_refused_and_still_images_are_not() {
        let limits = DecodeLimits::default();
        for name in ["animated.png", "animated.webp"] {
            let bytes = std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
            let err = decode(&bytes, &limits).unwrap_err();
            assert_eq!(err.kind(), "animated_image", "{name}");
            assert!(err.to_string().contains("3 frames"), "{name}: {err}");
        }
        let still = png_bytes(&DynamicImage::ImageRgb8(RgbImage::new(40, 50)));
        assert_eq!(animation_frames(&still), 1);
        // A chunk length running past the end stops the walk without a panic.
        let mut cut = still.clone();
        cut[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(animation_frames(&cut), 1);
        assert_eq!(animation_frames(b"RIFF\x04\x00\x00\x00WEBPANMF\xff\xff\xff\xff"), 1);
    }

    #[test]
    fn orientation_six_rotates_clockwise() {
        let mut img = RgbImage::new(3, 2);
        img.put_pixel(0, 0, image::Rgb([255, 0, 0]));
        let out = apply_orientation(img, 6);
        assert_eq!(out.dimensions(), (2, 3));
        assert_eq!(out.get_pixel(1, 0).0, [255, 0, 0]);
    }
}
