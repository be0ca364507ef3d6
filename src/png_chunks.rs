//! A PNG's chunks before its image data, walked without trusting their lengths: what decoding
//! needs to know before the decoder runs (an animation's frame count, the colour chunks, the
//! size an embedded colour profile inflates to).

/// The PNG signature.
const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// One chunk: its type and as much of its data as the file holds.
pub struct Chunk<'a> {
    pub kind: [u8; 4],
    pub data: &'a [u8],
}

impl Chunk<'_> {
    /// The `i`th big-endian 32-bit word of the data, when the data holds it.
    pub fn word(&self, i: usize) -> Option<u32> {
        let w = self.data.get(4 * i..4 * i + 4)?;
        Some(u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
    }
}

/// The chunks of `bytes` before the first `IDAT` (or `IEND`); empty for bytes that are not a
/// PNG. A chunk whose length runs past the end gets the data there is, and ends the walk.
pub fn before_image_data(bytes: &[u8]) -> impl Iterator<Item = Chunk<'_>> {
    let mut at = if bytes.starts_with(SIGNATURE) { SIGNATURE.len() } else { bytes.len() };
    std::iter::from_fn(move || {
        let head = bytes.get(at..at.checked_add(8)?)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        if &kind == b"IDAT" || &kind == b"IEND" {
            return None;
        }
        let start = at + 8;
        let end = start.saturating_add(len).min(bytes.len());
        // Length, type, data and CRC; past the end, the walk stops at the next call.
        at = start.saturating_add(len).saturating_add(4);
        Some(Chunk { kind, data: &bytes[start..end] })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_walked_up_to_the_image_data_and_never_past_the_end() {
        let mut png = SIGNATURE.to_vec();
        for (kind, data) in [(b"IHDR", vec![0u8; 13]), (b"gAMA", vec![0, 0, 0xB1, 0x8F]), (b"IDAT", vec![1, 2]), (b"tEXt", vec![])] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(&data);
            png.extend_from_slice(&[0; 4]);
        }
        let kinds: Vec<[u8; 4]> = before_image_data(&png).map(|c| c.kind).collect();
        assert_eq!(kinds, vec![*b"IHDR", *b"gAMA"]);
        assert_eq!(before_image_data(&png).nth(1).and_then(|c| c.word(0)), Some(45_455));
        for cut in 0..png.len() {
            assert!(before_image_data(&png[..cut]).count() <= 2);
        }
        // A length that runs past the end gives what is there.
        let mut long = SIGNATURE.to_vec();
        long.extend_from_slice(&u32::MAX.to_be_bytes());
        long.extend_from_slice(b"iCCP abc");
        let chunk = before_image_data(&long).next().expect("a chunk");
        assert_eq!((&chunk.kind, chunk.data), (b"iCCP", &b" abc"[..]));
        assert_eq!(before_image_data(b"GIF89a").count(), 0);
    }
}
