//! A small reader of JPEG marker segments. The image decoders hide what photocheck needs to know
//! about how a JPEG was written: the number of colour components (CMYK) and the quantisation
//! tables (how hard it was compressed, and by what software).

/// What the JPEG headers say, read without decoding any pixels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JpegHeaders {
    /// Number of components in the frame header: 1 grey, 3 YCbCr, 4 CMYK/YCCK.
    pub components: u8,
    pub progressive: bool,
    /// The frame marker (0xC0 baseline … 0xCF), and its sample precision in bits.
    pub frame_marker: u8,
    pub precision: u8,
    /// Quantisation tables in natural (zig-zag) order, indexed by table id 0..=3.
    pub quant_tables: Vec<(u8, [u16; 64])>,
    /// An Adobe APP14 segment is present (Photoshop and other Adobe tools write it).
    pub adobe_app14: bool,
    /// An APP1 segment carrying EXIF is present.
    pub app1_exif: bool,
    /// Frame size from the SOF header (before EXIF orientation).
    pub width: u32,
    pub height: u32,
    /// An end-of-image marker follows the first scan. Entropy-coded data cannot contain one, so
    /// its absence means the file was cut short (decoders silently pad such files with grey).
    pub complete: bool,
}

impl JpegHeaders {
    /// Why no decoder here can read this JPEG's coding, if it is one of the rare kinds: lossless
    /// (SOF3/7/11/15), arithmetic-coded (SOF9-15) or 12/16-bit samples.
    pub fn unsupported_coding(&self) -> Option<String> {
        let m = self.frame_marker;
        if matches!(m, 0xC3 | 0xC7 | 0xCB | 0xCF) {
            return Some(format!("lossless JPEG (SOF{})", m - 0xC0));
        }
        if m >= 0xC9 {
            return Some(format!("arithmetic-coded JPEG (SOF{})", m - 0xC0));
        }
        if self.precision != 0 && self.precision != 8 {
            return Some(format!("{}-bit JPEG samples", self.precision));
        }
        None
    }

    /// IJG-style quality estimate (1..=100) from the luminance table, as `cjpeg -quality` would
    /// have produced it. `None` without a luminance table.
    pub fn estimated_quality(&self) -> Option<f64> {
        let (_, table) = self.quant_tables.iter().find(|(id, _)| *id == 0)?;
        let sum_actual: f64 = table.iter().map(|&v| v as f64).sum();
        let sum_std: f64 = STD_LUMA_ZIGZAG.iter().map(|&v| v as f64).sum();
        let scale = 100.0 * sum_actual / sum_std; // IJG scale factor in percent
        let quality = if scale <= 100.0 { (200.0 - scale) / 2.0 } else { 5000.0 / scale };
        Some(quality.clamp(1.0, 100.0))
    }
}

impl JpegHeaders {
    /// True when the luminance (and, if present, chrominance) tables are exactly the IJG Annex K
    /// tables scaled for some quality 1..=100: what libjpeg-based software writes on a re-save.
    /// Cameras and phones mostly write tables of their own.
    pub fn uses_standard_tables(&self) -> bool {
        const STD_CHROMA_ZIGZAG: [u16; 64] = [
            17, 18, 18, 24, 21, 24, 47, 26, 26, 47, 99, 66, 56, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
            99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        ];
        let scaled = |base: &[u16; 64], q: u32| -> [u16; 64] {
            let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
            let mut t = [0u16; 64];
            for (i, v) in t.iter_mut().enumerate() {
                *v = ((base[i] as u32 * scale + 50) / 100).clamp(1, 255) as u16;
            }
            t
        };
        let luma = self.quant_tables.iter().find(|(id, _)| *id == 0).map(|(_, t)| t);
        let chroma = self.quant_tables.iter().find(|(id, _)| *id == 1).map(|(_, t)| t);
        let Some(luma) = luma else { return false };
        (1..=100).any(|q| &scaled(&STD_LUMA_ZIGZAG, q) == luma && chroma.is_none_or(|c| &scaled(&STD_CHROMA_ZIGZAG, q) == c))
    }
}

/// Standard IJG luminance table (Annex K), in zig-zag order like DQT stores it.
const STD_LUMA_ZIGZAG: [u16; 64] = [
    16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40, 26, 24, 22, 22, 24, 49, 35, 37, 29, 40, 58, 51, 61, 60, 57, 51, 56, 55,
    64, 72, 92, 78, 64, 68, 87, 69, 55, 56, 80, 109, 81, 87, 95, 98, 103, 104, 103, 62, 77, 113, 121, 112, 100, 120, 92, 101, 103, 99,
];

/// Reads the marker segments up to the first scan. Returns `None` when the bytes are not a JPEG.
pub fn read_headers(bytes: &[u8]) -> Option<JpegHeaders> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return None;
    }
    let mut headers = JpegHeaders::default();
    let mut pos = 2usize;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xFF {
            break;
        }
        let marker = bytes[pos + 1];
        if marker == 0xFF {
            pos += 1; // fill byte
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            pos += 2;
            continue;
        }
        let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        if len < 2 {
            break;
        }
        let start = pos + 4;
        let end = (pos + 2 + len).min(bytes.len());
        let segment = &bytes[start.min(end)..end];
        match marker {
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                headers.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
                headers.frame_marker = marker;
                if segment.len() >= 6 {
                    headers.precision = segment[0];
                    headers.height = u16::from_be_bytes([segment[1], segment[2]]) as u32;
                    headers.width = u16::from_be_bytes([segment[3], segment[4]]) as u32;
                    headers.components = segment[5];
                }
            }
            0xDB => parse_dqt(segment, &mut headers.quant_tables),
            0xEE if segment.starts_with(b"Adobe") => headers.adobe_app14 = true,
            0xE1 if segment.starts_with(b"Exif\0") => headers.app1_exif = true,
            0xDA => {
                headers.complete = bytes[pos..].windows(2).any(|w| w == [0xFF, 0xD9]);
                break;
            }
            0xD9 => break,
            _ => {}
        }
        pos += 2 + len;
    }
    Some(headers)
}

fn parse_dqt(mut segment: &[u8], tables: &mut Vec<(u8, [u16; 64])>) {
    while !segment.is_empty() {
        let precision16 = segment[0] >> 4 != 0;
        let id = segment[0] & 0x0F;
        let need = 1 + if precision16 { 128 } else { 64 };
        if segment.len() < need {
            return;
        }
        let mut table = [0u16; 64];
        for (i, slot) in table.iter_mut().enumerate() {
            *slot = if precision16 { u16::from_be_bytes([segment[1 + 2 * i], segment[2 + 2 * i]]) } else { segment[1 + i] as u16 };
        }
        tables.retain(|(existing, _)| *existing != id);
        tables.push((id, table));
        segment = &segment[need..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(quality: u8) -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([(x * 4) as u8, (y * 4) as u8, 90]));
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
        img.write_with_encoder(enc).expect("encode");
        out
    }

    #[test]
    fn quality_estimate_follows_the_encoder_setting() {
        for q in [30u8, 60, 75, 90, 98] {
            let h = read_headers(&encode(q)).expect("jpeg");
            assert_eq!(h.components, 3);
            let est = h.estimated_quality().expect("table");
            assert!((est - q as f64).abs() <= 3.0, "q={q} est={est}");
            assert!(h.uses_standard_tables(), "the image crate writes IJG tables (q={q})");
        }
    }

    #[test]
    fn non_jpeg_and_truncated_bytes_do_not_panic() {
        assert!(read_headers(b"hello").is_none());
        let jpeg = encode(80);
        for cut in [2, 3, 5, 20, 100] {
            let _ = read_headers(&jpeg[..cut]);
        }
        assert!(read_headers(&jpeg).unwrap().complete);
        assert!(!read_headers(&jpeg[..jpeg.len() - 10]).unwrap().complete);
    }
}
