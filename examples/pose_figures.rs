//! Measures the head-pose estimator on real portraits: mirror symmetry (yaw and roll change
//! sign, pitch stays), stability under scaling, EXIF rotation, and rolled variants with known
//! angles. Prints medians and 95th percentiles, which set the pose checks' review bands.
//!
//!     cargo run --release --example pose_figures -- ../shared/london-dev/ready
//!
//! Every `.jpg` in the folder is used.

use std::io::Cursor;

use image::{imageops, RgbImage};
use photocheck::analysis::analyse;
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;
use photocheck::report::Pose;

#[path = "common/mod.rs"]
mod common;

fn pose_of(models: &ModelSet, img: &RgbImage) -> Option<Pose> {
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).ok()?;
    let photo = decode(&bytes, &DecodeLimits::default()).ok()?;
    analyse(models, photo).ok()?.face?.pose
}

fn stats(name: &str, mut v: Vec<f32>) {
    v.sort_by(f32::total_cmp);
    let q = |p: f32| v.get(((v.len() as f32 - 1.0) * p).round() as usize).copied().unwrap_or(f32::NAN);
    println!("{name:<44} n {:>3}  median {:>5.2}°  p95 {:>5.2}°  max {:>5.2}°", v.len(), q(0.5), q(0.95), q(1.0));
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: pose_figures DIR"))?;
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let mut files: Vec<_> =
        std::fs::read_dir(&dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "jpg")).collect();
    files.sort();
    let (mut yaw_m, mut pitch_m, mut roll_m) = (Vec::new(), Vec::new(), Vec::new());
    let (mut scale_d, mut exif_d, mut roll_err) = (Vec::new(), Vec::new(), Vec::new());
    let mut poses = Vec::new();
    for f in &files {
        let img = image::open(f)?.to_rgb8();
        let Some(p) = pose_of(&models, &img) else { continue };
        poses.push(p);
        if let Some(m) = pose_of(&models, &imageops::flip_horizontal(&img)) {
            yaw_m.push((p.yaw + m.yaw).abs());
            pitch_m.push((p.pitch - m.pitch).abs());
            roll_m.push((p.roll + m.roll).abs());
        }
        for s in [0.7f32, 1.3] {
            let (w, h) = ((img.width() as f32 * s) as u32, (img.height() as f32 * s) as u32);
            if let Some(q) = pose_of(&models, &imageops::resize(&img, w, h, imageops::FilterType::Triangle)) {
                scale_d.push((p.yaw - q.yaw).abs().max((p.pitch - q.pitch).abs()).max((p.roll - q.roll).abs()));
            }
        }
        // Pixels stored turned 90° with EXIF orientation 6 → decoded upright again.
        let turned = imageops::rotate270(&img);
        let upright = photocheck::decode::apply_orientation(turned, 6);
        if let Some(q) = pose_of(&models, &upright) {
            exif_d.push((p.yaw - q.yaw).abs().max((p.pitch - q.pitch).abs()).max((p.roll - q.roll).abs()));
        }
        for deg in [-10.0f32, -5.0, 5.0, 10.0] {
            if let Some(q) = pose_of(&models, &common::rotated(&img, deg, [255, 255, 255])) {
                roll_err.push((q.roll - p.roll - deg).abs());
            }
        }
    }
    println!("{} photos from {dir}", poses.len());
    stats("mirror |yaw(x) + yaw(mirror x)|", yaw_m);
    stats("mirror |pitch(x) - pitch(mirror x)|", pitch_m);
    stats("mirror |roll(x) + roll(mirror x)|", roll_m);
    stats("scale 0.7 / 1.3: largest angle change", scale_d);
    stats("EXIF orientation 6: largest angle change", exif_d);
    stats("rolled ±5°, ±10°: |Δroll - angle|", roll_err);
    let spread = |f: fn(&Pose) -> f32| {
        let v: Vec<f32> = poses.iter().map(f).collect();
        let m = v.iter().sum::<f32>() / v.len().max(1) as f32;
        (m, (v.iter().map(|x| (x - m).powi(2)).sum::<f32>() / v.len().max(1) as f32).sqrt())
    };
    for (name, f) in [("yaw", (|p: &Pose| p.yaw) as fn(&Pose) -> f32), ("pitch", |p| p.pitch), ("roll", |p| p.roll)] {
        let (m, sd) = spread(f);
        println!("{name:<5} across photos: mean {m:>5.2}°  sd {sd:>5.2}°");
    }
    Ok(())
}
