//! Builds the frontal reference face for head pose (`src/analysis/pose_reference.json`) from
//! frontal ID portraits, and measures where the head crop sits relative to the detector's box.
//!
//!     cargo run --release --example pose_reference -- ../shared/london-dev/raw '_03.jpg' src/analysis/pose_reference.json
//!
//! Arguments: a folder, a file-name suffix selecting the photos (the neutral `_03` London
//! portraits), and the output file.

use std::path::PathBuf;

use photocheck::analysis::{analyse, pose::build_reference};
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, suffix, out] = args.as_slice() else {
        anyhow::bail!("usage: pose_reference DIR SUFFIX OUT.json");
    };
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix.as_str()))
        .collect();
    files.sort();
    let mut meshes = Vec::new();
    let (mut heights, mut offsets) = (Vec::new(), Vec::new());
    for f in &files {
        let photo = decode(&std::fs::read(f)?, &DecodeLimits::default())?;
        let a = analyse(&models, photo)?;
        let (Some(face), Some(frame)) = (a.face.as_ref(), a.face_frame) else {
            eprintln!("{}: no face analysed, skipped", f.display());
            continue;
        };
        let det = &a.faces[face.detection];
        heights.push(frame.height / det.height);
        let centre = frame.point(0.0, 0.05);
        offsets.push((centre.y - det.centre().y) / det.height);
        meshes.push(face.mesh.points.clone());
    }
    let made_with = format!("cargo run --release --example pose_reference -- {dir} '{suffix}' {out}");
    let reference = build_reference(&meshes, &made_with).ok_or_else(|| anyhow::anyhow!("could not build a reference"))?;
    std::fs::write(out, serde_json::to_string(&reference)? + "\n")?;
    let median = |v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f32::NAN)
    };
    println!(
        "{} photos → {out} ({} landmarks unpaired); face-frame height per detector-box height {:.3}, head-crop centre below the box centre {:.3} box heights (medians)",
        reference.photos,
        reference.unpaired,
        median(&mut heights),
        median(&mut offsets)
    );
    Ok(())
}
