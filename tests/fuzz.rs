//! A bounded, seeded fuzz run over decode → EXIF → analysis → rules: mutated real photos (bit
//! flips, truncation, corrupted headers and dimensions, inserted garbage, broken EXIF) must each
//! give exactly one report — a verdict or a typed error kind — and never panic. The corpus seeds
//! are the hardening cases: small JPEG/PNG/WebP portraits, one with EXIF, strips.
//!
//! `PHOTOCHECK_FUZZ_CASES=N` runs more cases (default 300, a few seconds); `PHOTOCHECK_FUZZ_SEED`
//! another seed.

mod common;

use common::*;
use photocheck::Verdict;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let small = image::imageops::resize(&hopper(), 120, 160, image::imageops::FilterType::Triangle);
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp).encode(small.as_raw(), 120, 160, image::ExtendedColorType::Rgb8).unwrap();
    let dated = with_exif(&jpeg(&small, 85), &[date_original(as_of()), ascii(exif::Tag::Software, exif::In::PRIMARY, "Meitu")]);
    let strip = png(&image::RgbImage::new(2000, 1));
    // A lossy WebP too, so that the VP8 header reader (IQ006) meets cut and flipped headers.
    let lossy_webp = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/london_032_03_lossy_q30.webp")).unwrap();
    vec![jpeg(&small, 85), png(&small), webp, lossy_webp, dated, strip, sample("london_032_03.jpg")]
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            // Flip a few bytes anywhere, mostly near the headers where parsers decide things.
            0 => {
                for _ in 0..1 + rng.below(16) {
                    let span = if rng.below(2) == 0 { b.len().min(512) } else { b.len() };
                    let i = rng.below(span);
                    b[i] ^= 1 << rng.below(8);
                }
            }
            1 => b.truncate(rng.below(b.len())),
            2 => {
                let at = rng.below(b.len());
                let junk: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
                b.splice(at..at, junk);
            }
            // Dimensions: overwrite 4 bytes near the start with large or zero values.
            3 if b.len() >= 4 => {
                let i = rng.below(b.len().min(200) - 3);
                let v = [0u32, 1, 0xFFFF, 0x7FFF_FFFF, rng.next() as u32][rng.below(5)];
                b[i..i + 4].copy_from_slice(&v.to_be_bytes());
            }
            3 => {}
            // Duplicate a chunk (repeated markers and segments).
            4 => {
                let start = rng.below(b.len());
                let end = (start + rng.below(256)).min(b.len());
                let chunk = b[start..end].to_vec();
                let at = rng.below(b.len());
                b.splice(at..at, chunk);
            }
            _ => {
                if let Some(i) = b.windows(4).position(|w| w == b"Exif") {
                    let j = i + rng.below(64);
                    if j < b.len() {
                        b[j] = rng.next() as u8;
                    }
                }
            }
        }
        if b.is_empty() {
            break;
        }
    }
    b
}

#[test]
fn mutated_photos_always_give_exactly_one_explained_result() {
    let cases: usize = std::env::var("PHOTOCHECK_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let seed: u64 = std::env::var("PHOTOCHECK_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5EED_2026_1202);
    let seeds = seeds();
    let mut rng = Rng(seed | 1);
    let known: Vec<&str> = photocheck::error::INPUT_ERROR_KINDS.iter().map(|k| k.kind).collect();
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for case in 0..cases {
        let base = &seeds[case % seeds.len()];
        let bytes = mutate(&mut rng, base);
        let r = check(&format!("fuzz-{case}"), &bytes);
        match (&r.verdict, &r.error) {
            (Verdict::Error, Some(e)) => {
                assert!(known.contains(&e.kind.as_str()), "case {case}: unknown error kind {}", e.kind);
                assert!(!e.message.is_empty() && !e.detail.is_empty(), "case {case}: unexplained error");
                *tally.entry(e.kind.clone()).or_default() += 1;
            }
            (Verdict::Error, None) => panic!("case {case}: error verdict without an error"),
            (v, _) => {
                assert!(!r.checks.is_empty(), "case {case}: a verdict without checks");
                // Every check explains itself.
                assert!(r.checks.iter().all(|c| !c.message.is_empty()), "case {case}");
                *tally.entry(format!("{v:?}").to_lowercase()).or_default() += 1;
            }
        }
    }
    eprintln!("fuzz: {cases} cases from seed {seed:#x}: {tally:?}");
}
