//! What a lossy WebP's VP8 frame header says about its compression: the base quantiser index,
//! which libwebp derives from the encoder's quality setting alone (IQ006).
//!
//! VP8 has no quantisation tables like JPEG's; its key frame header (RFC 6386, 9.2–9.6) carries
//! `y_ac_qi`, 0 (finest) to 127, behind a few boolean-coded fields. libwebp writes its segment 0's
//! quantiser there, which with the encoder's defaults depends only on the quality setting: saved
//! by libwebp (Pillow) at quality 0, 5, …, 100, a portrait read the indices in
//! [`LIBWEBP_QUALITY_INDEX`], and five dev photos and the Hopper sample read the same at 50, 80
//! and 90 (a `/tmp` probe, stop 56).

/// (quality, `y_ac_qi`) as libwebp writes them with its default settings, quality rising.
const LIBWEBP_QUALITY_INDEX: [(f64, u8); 21] = [
    (0.0, 127),
    (5.0, 102),
    (10.0, 92),
    (15.0, 85),
    (20.0, 78),
    (25.0, 73),
    (30.0, 68),
    (35.0, 64),
    (40.0, 59),
    (45.0, 55),
    (50.0, 52),
    (55.0, 48),
    (60.0, 45),
    (65.0, 42),
    (70.0, 39),
    (75.0, 36),
    (80.0, 27),
    (85.0, 20),
    (90.0, 12),
    (95.0, 6),
    (100.0, 0),
];

/// The quantiser index (0–127) of a WebP file's VP8 key frame: the base index (`y_ac_qi`), or the
/// coarsest segment's where segments set their own; `None` when the file has no lossy VP8 image
/// or its header is cut short or malformed.
pub fn vp8_quantiser(bytes: &[u8]) -> Option<u8> {
    let frame = vp8_chunk(bytes)?;
    // Frame tag (3 bytes: bit 0 clear on a key frame), start code, 14-bit width and height.
    let tag = frame.get(..3)?;
    if tag[0] & 1 != 0 || frame.get(3..6)? != [0x9d, 0x01, 0x2a] {
        return None;
    }
    let first_partition = u32::from_le_bytes([tag[0], tag[1], tag[2], 0]) >> 5;
    let header = frame.get(10..)?;
    let header = header.get(..(first_partition as usize).min(header.len()))?;
    let mut bits = BoolDecoder::new(header)?;
    // Colour space and clamping type.
    bits.literal(2)?;
    // Per-segment quantisers, absolute or as deltas from the base index.
    let mut segments: Option<(bool, [i32; 4])> = None;
    if bits.flag()? {
        // Segmentation: per-segment quantiser and filter values, then the map's probabilities.
        let update_map = bits.flag()?;
        if bits.flag()? {
            let absolute = bits.flag()?;
            let mut values = [0i32; 4];
            for value in &mut values {
                *value = bits.optional_signed(7)?;
            }
            segments = Some((absolute, values));
            for _ in 0..4 {
                bits.optional_signed(6)?;
            }
        }
        if update_map {
            for _ in 0..3 {
                if bits.flag()? {
                    bits.literal(8)?;
                }
            }
        }
    }
    bits.literal(1 + 6 + 3)?; // filter type, loop filter level, sharpness
    if bits.flag()? && bits.flag()? {
        // Loop filter deltas by reference frame and by mode.
        for _ in 0..8 {
            bits.optional_signed(6)?;
        }
    }
    bits.literal(2)?; // number of DCT partitions
    let base = bits.literal(7)? as i32;
    // The coarsest segment speaks for the photo: libwebp gives segment 0 the base index and the
    // others finer ones, but another encoder could quantise some segments more coarsely.
    let coarsest = match segments {
        Some((true, values)) => values.into_iter().max().unwrap_or(base),
        Some((false, deltas)) => deltas.into_iter().map(|d| base + d).max().unwrap_or(base).max(base),
        None => base,
    };
    u8::try_from(coarsest.clamp(0, 127)).ok()
}

/// The libwebp quality setting (0–100) a base quantiser index comes from, interpolated between
/// the measured points.
pub fn libwebp_quality(index: u8) -> f64 {
    let table = &LIBWEBP_QUALITY_INDEX;
    for pair in table.windows(2) {
        let ((q0, i0), (q1, i1)) = (pair[0], pair[1]);
        if index <= i0 && index >= i1 {
            if i0 == i1 {
                return q1;
            }
            return q0 + (q1 - q0) * f64::from(i0 - index) / f64::from(i0 - i1);
        }
    }
    0.0
}

/// Whether a WebP file's RIFF chunks hold a `VP8 ` (lossy) image, in the simple layout or after
/// a `VP8X` header. Walks the chunk list only, never past the file's end.
pub fn is_lossy(bytes: &[u8]) -> bool {
    vp8_chunk(bytes).is_some()
}

/// The payload of the RIFF container's `VP8 ` chunk.
fn vp8_chunk(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WEBP" {
        return None;
    }
    let mut at = 12usize;
    while let Some(head) = bytes.get(at..at.checked_add(8)?) {
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let start = at + 8;
        if &head[..4] == b"VP8 " {
            return bytes.get(start..start.checked_add(len)?.min(bytes.len()));
        }
        // Chunks are padded to an even length.
        at = start.checked_add(len)?.checked_add(len & 1)?;
    }
    None
}

/// VP8's boolean entropy decoder (RFC 6386, 7.3), reading only even-odds bits here.
struct BoolDecoder<'a> {
    data: &'a [u8],
    next: usize,
    value: u32,
    range: u32,
    bit_count: u32,
}

impl<'a> BoolDecoder<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        // Two bytes to start from; a header shorter than that is malformed.
        let value = (u32::from(*data.first()?) << 8) | u32::from(*data.get(1)?);
        Some(BoolDecoder { data, next: 2, value, range: 255, bit_count: 0 })
    }

    /// One bit at probability 128. `None` once the decoder has read well past the data (a
    /// truncated header), so a malformed file never yields a made-up index.
    fn flag(&mut self) -> Option<bool> {
        let split = 1 + (((self.range - 1) * 128) >> 8);
        let big_split = split << 8;
        let bit = if self.value >= big_split {
            self.range -= split;
            self.value -= big_split;
            true
        } else {
            self.range = split;
            false
        };
        while self.range < 128 {
            self.value <<= 1;
            self.range <<= 1;
            self.bit_count += 1;
            if self.bit_count == 8 {
                self.bit_count = 0;
                if self.next > self.data.len() + 2 {
                    return None;
                }
                self.value |= u32::from(self.data.get(self.next).copied().unwrap_or(0));
                self.next += 1;
            }
        }
        Some(bit)
    }

    fn literal(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0u32, |v, _| Some((v << 1) | u32::from(self.flag()?)))
    }

    /// A flag, then (when set) an `n`-bit magnitude and a sign.
    fn optional_signed(&mut self, n: u32) -> Option<i32> {
        if !self.flag()? {
            return Some(0);
        }
        let magnitude = self.literal(n)? as i32;
        Some(if self.flag()? { -magnitude } else { magnitude })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn webp_chunks_say_whether_the_image_is_lossy() {
        let riff = |chunks: &[(&[u8; 4], usize)]| -> Vec<u8> {
            let mut b = b"RIFF\0\0\0\0WEBP".to_vec();
            for (tag, len) in chunks {
                b.extend_from_slice(*tag);
                b.extend_from_slice(&(*len as u32).to_le_bytes());
                b.extend(std::iter::repeat(0u8).take(len + (len & 1)));
            }
            b
        };
        assert!(is_lossy(&riff(&[(b"VP8 ", 10)])));
        assert!(!is_lossy(&riff(&[(b"VP8L", 10)])));
        // Extended layout: the header, alpha (odd length, padded), then the image.
        assert!(is_lossy(&riff(&[(b"VP8X", 10), (b"ALPH", 7), (b"VP8 ", 10)])));
        assert!(!is_lossy(&riff(&[(b"VP8X", 10), (b"VP8L", 10)])));
        // A chunk length beyond the file ends the walk without a panic.
        let mut broken = riff(&[(b"VP8X", 10)]);
        broken[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(!is_lossy(&broken));
    }

    #[test]
    fn reads_the_quantiser_of_a_lossy_webp() {
        // The London sample saved as lossy WebP by Pillow (libwebp) at quality 70.
        let index = vp8_quantiser(&fixture("london_032_03_lossy.webp"));
        assert_eq!(index, Some(39));
        assert!((libwebp_quality(39) - 70.0).abs() < 1e-9);
    }

    #[test]
    fn quality_follows_the_measured_points_and_falls_as_the_index_rises() {
        assert_eq!(libwebp_quality(0), 100.0);
        assert_eq!(libwebp_quality(127), 0.0);
        assert!((libwebp_quality(45) - 60.0).abs() < 1e-9);
        // Between 80 (27) and 85 (20).
        assert!((libwebp_quality(24) - (80.0 + 5.0 * 3.0 / 7.0)).abs() < 1e-9);
        assert!((0..127u8).all(|i| libwebp_quality(i) >= libwebp_quality(i + 1)));
    }

    #[test]
    fn other_files_and_cut_headers_have_no_index() {
        let webp = fixture("london_032_03_lossy.webp");
        assert_eq!(vp8_quantiser(&fixture("hopper_cmyk.jpg")), None);
        assert_eq!(vp8_quantiser(b""), None);
        assert_eq!(vp8_quantiser(&webp[..20]), None);
        // Cut inside the frame header, after the tag, start code and size.
        let frame = webp.windows(4).position(|w| w == b"VP8 ").unwrap() + 8;
        assert_eq!(vp8_quantiser(&webp[..frame + 11]), None);
        // A tag with the inter-frame bit set is not a key frame and is not read.
        let mut inter = webp.clone();
        inter[frame] |= 1;
        assert_eq!(vp8_quantiser(&inter), None);
    }
}
