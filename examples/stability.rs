//! How often a verdict or a failed check changes under transformations that should change
//! nothing: the mirror image, the same photo at 1.3× and 0.9× the resolution, a JPEG re-encode at
//! quality 80, 8 % more light, and a slight blur (Gaussian, sigma 0.8 px). Every variant keeps the
//! original's EXIF capture date. Prints, per transformation, how many verdicts and failed-code
//! sets changed, which codes flipped most, how far the measured values moved, and which photos
//! were approved on one side only.
//!
//!     cargo run --release --example stability -- PHOTO_DIR [AS_OF] [--studio]
//!
//! `--studio` runs another set instead: what a different camera or studio would do to the same
//! compliant portrait (white balance, tone curve, 520 px and 2x uploads, JPEG q65, sensor noise).
//!
//! Issue 10's "borderline scores flip" measure, and a variant generator for any folder.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use image::{imageops, RgbImage};
use photocheck::models::ModelSet;
use photocheck::{CheckOptions, Checker, Lang, Profile, Report, Verdict};
use rayon::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::encode_keeping_exif as encode;

type Transform = fn(&RgbImage) -> RgbImage;

fn mirror(img: &RgbImage) -> RgbImage {
    imageops::flip_horizontal(img)
}

fn upscale(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, w * 13 / 10, h * 13 / 10, imageops::FilterType::Lanczos3)
}

fn downscale(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, w * 9 / 10, h * 9 / 10, imageops::FilterType::Lanczos3)
}

fn softer(img: &RgbImage) -> RgbImage {
    imageops::blur(img, 0.8)
}

fn same(img: &RgbImage) -> RgbImage {
    img.clone()
}

fn brighter(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * 1.08).round().min(255.0) as u8;
        }
    }
    out
}

/// White balance of another camera or studio light: red and blue scaled apart by `k`.
fn white_balance(img: &RgbImage, k: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = (p.0[0] as f32 * k).round().clamp(0.0, 255.0) as u8;
        p.0[2] = (p.0[2] as f32 / k).round().clamp(0.0, 255.0) as u8;
    }
    out
}

fn warmer(img: &RgbImage) -> RgbImage {
    white_balance(img, 1.06)
}

fn cooler(img: &RgbImage) -> RgbImage {
    white_balance(img, 1.0 / 1.06)
}

/// A different tone curve (another camera's processing): gamma on 0..1.
fn tone(img: &RgbImage, gamma: f32) -> RgbImage {
    let lut: Vec<u8> = (0..256).map(|v| (255.0 * (v as f32 / 255.0).powf(gamma)).round() as u8).collect();
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = lut[*c as usize];
        }
    }
    out
}

fn darker_midtones(img: &RgbImage) -> RgbImage {
    tone(img, 1.15)
}

fn lighter_midtones(img: &RgbImage) -> RgbImage {
    tone(img, 0.87)
}

/// The smallest upload the profile accepts (520 px wide), keeping the aspect.
fn smallest_upload(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, 520, (h as u64 * 520 / w.max(1) as u64) as u32, imageops::FilterType::Triangle)
}

fn doubled(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    imageops::resize(img, w * 2, h * 2, imageops::FilterType::CatmullRom)
}

/// Sensor noise: a fixed pseudo-random pattern of about +-3 levels per channel.
fn noisy(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    let mut state: u32 = 0x9e37_79b9;
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = (state % 7) as i32 - 3;
            *c = (*c as i32 + n).clamp(0, 255) as u8;
        }
    }
    out
}

/// The checks whose measured values sit closest to their thresholds on compliant portraits.
const DRIFT_CODES: [&str; 7] = ["EX001", "EX004", "EY001", "PO001", "PO002", "PO003", "GE003"];

fn codes(r: &Report) -> Vec<&'static str> {
    let mut c: Vec<&'static str> = r.failed.iter().chain(r.review.iter()).copied().collect();
    c.sort();
    c
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or_else(|| anyhow::anyhow!("usage: stability PHOTO_DIR [AS_OF]"))?;
    let as_of = photocheck::pipeline::parse_as_of(args.get(2).filter(|a| !a.starts_with("--")).map(String::as_str).unwrap_or("2026-11-26"))
        .map_err(anyhow::Error::msg)?;
    let checker = Checker::new(Arc::new(ModelSet::load(&ModelSet::default_dir())?), Arc::new(Profile::default_profile()));
    let opts = CheckOptions { as_of, lang: Lang::En };
    let mut files: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    // `--studio` (after the folder): what another camera or studio does to a compliant portrait
    // instead: white balance, tone curve, the smallest and a large upload, a low JPEG quality
    // (still above the profile's minimum), sensor noise.
    let studio = args.iter().any(|a| a == "--studio");
    let transforms: Vec<(&str, Transform, u8)> = if studio {
        vec![
            ("warmer (R+6%)", warmer, 95),
            ("cooler (B+6%)", cooler, 95),
            ("gamma 1.15", darker_midtones, 95),
            ("gamma 0.87", lighter_midtones, 95),
            ("520 px wide", smallest_upload, 95),
            ("2x resolution", doubled, 95),
            ("re-encoded q65", same, 65),
            ("noise +-3", noisy, 95),
        ]
    } else {
        vec![
            ("mirror", mirror, 95),
            ("1.3x resolution", upscale, 95),
            ("0.9x resolution", downscale, 95),
            ("re-encoded q80", same, 80),
            ("8% brighter", brighter, 95),
            ("blurred 0.8 px", softer, 95),
        ]
    };
    println!("{} photos in {}", files.len(), Path::new(dir).display());
    for (name, transform, quality) in transforms {
        let results: Vec<Option<(bool, bool, Vec<&'static str>, Option<String>, Vec<(&'static str, f64)>)>> = files
            .par_iter()
            .map(|path| {
                let bytes = std::fs::read(path).ok()?;
                let img = image::load_from_memory(&bytes).ok()?.to_rgb8();
                let original = checker.check_bytes("original", &bytes, &opts);
                let variant = checker.check_bytes("variant", &encode(&transform(&img), quality, &bytes), &opts);
                let (a, b) = (codes(&original), codes(&variant));
                let flipped: Vec<&'static str> =
                    a.iter().filter(|c| !b.contains(c)).chain(b.iter().filter(|c| !a.contains(c))).copied().collect();
                // The change that matters most at a gate: approved one way, not the other.
                let approval = ((original.verdict == Verdict::Approve) != (variant.verdict == Verdict::Approve)).then(|| {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let side = if original.verdict == Verdict::Approve { "original" } else { "variant" };
                    format!("{name} ({side} approved; {})", flipped.join(" "))
                });
                // How far each measured value moved: the noise a check's band has to cover. Yaw and
                // roll are signed and change sign in the mirror: compare magnitudes.
                let drift = original
                    .checks
                    .iter()
                    .filter_map(|c| {
                        let v = variant.checks.iter().find(|d| d.code == c.code)?;
                        Some((c.code, (c.measured?.abs() - v.measured?.abs()).abs()))
                    })
                    .collect();
                Some((original.verdict != variant.verdict, a != b, flipped, approval, drift))
            })
            .collect();
        let done: Vec<_> = results.into_iter().flatten().collect();
        let verdicts = done.iter().filter(|r| r.0).count();
        let code_sets = done.iter().filter(|r| r.1).count();
        let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
        let one_sided: Vec<&str> = done.iter().filter_map(|r| r.3.as_deref()).collect();
        let approvals = one_sided.len();
        let mut drift: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (_, _, flipped, _, moved) in &done {
            for (code, d) in moved {
                drift.entry(code).or_default().push(*d);
            }
            for c in flipped {
                *by_code.entry(c).or_default() += 1;
            }
        }
        let mut top: Vec<_> = by_code.into_iter().collect();
        top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let top: Vec<String> = top.iter().take(6).map(|(c, n)| format!("{c} {n}")).collect();
        println!(
            "{name:<16} verdict changed {verdicts}/{} ({:.1} %; approved on one side only {approvals}), failed/review codes changed {code_sets}/{} ({:.1} %); flips: {}",
            done.len(),
            100.0 * verdicts as f64 / done.len().max(1) as f64,
            done.len(),
            100.0 * code_sets as f64 / done.len().max(1) as f64,
            top.join(", ")
        );
        let moved: Vec<String> = DRIFT_CODES
            .iter()
            .filter_map(|code| {
                let mut d = drift.get(code)?.clone();
                d.sort_by(f64::total_cmp);
                let at = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize];
                Some(format!("{code} {:.3}/{:.3}/{:.3}", at(0.5), at(0.95), at(1.0)))
            })
            .collect();
        println!("{:<16} measured value moved (median/p95/max): {}", "", moved.join(", "));
        if !one_sided.is_empty() {
            println!("{:<16} approved on one side only: {}", "", one_sided.join(", "));
        }
    }
    Ok(())
}
