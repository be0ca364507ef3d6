//! Dumps the appearance network's pooled embeddings (1280 values) of the head crop, the crown
//! crop, and any further square crops given in face coordinates, for offline study of which
//! crop a head should read (issue 17: the crown crop was chosen this way).
//!
//!     HATS="-0.1:1.0,-0.3:1.2" cargo run --release --example appearance_map -- OUT_PREFIX PHOTO...
//!
//! HATS lists extra crops as centre t : side, in face heights (see `analysis::face_frame`).
//! PAINT="a:b,a:b" adds, per pair, the head crop run again on the photo with the band from a to
//! b face heights below the eyes' level (negative: above it), across 1.5 face widths, painted in
//! the face's skin colour: what does the network say of the head once it cannot see the eyes
//! or the mouth? (`-0.12:0.12` hides the eyes and glasses, `-0.12:1.3` everything from the brows
//! down.)
//! PAINT_SHADE=K keeps the face's shading: each painted pixel takes the skin's colour at the
//! brightness of the photo averaged over a square K face widths wide around it (fine detail such
//! as rims and mask edges gone, the face's light and shape kept); unset, the fill is flat.
//! The band is painted on the network's 160-pixel crop (`MaskClassifier::run_painted`); until
//! 2026-12-04 (stop 36) it was painted on the whole photo before the crop was sampled, which
//! softened its edges (crown + brows-down crop: nested AUC 0.965 then, 0.959 now, on the same
//! photos and folds).
//! MIRROR=1 adds, after all of those, the head and crown crops' mirror images
//! (`scripts/headwear-crops.py --mirror` compares the plain crops with their mirror-averaged
//! readings; measured at stop 56, not kept: README, "Learned heads").
//! Writes OUT_PREFIX.txt (one line per photo: path, sha256, crops, 1 if the mesh placed the
//! crops) and OUT_PREFIX.f32 (per photo: head crop, crown crop, the HATS crops, then the PAINT
//! crops, 1280 little-endian f32 each; zeros where a crop could not be placed).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use photocheck::analysis::face_frame::{pixel, rgb};
use photocheck::analysis::AppearanceCrop;
use photocheck::imaging::{luma, Point};
use photocheck::models::ModelSet;
use photocheck::{CheckOptions, Checker, Lang, Profile};
use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (prefix, photos) = args.split_first().ok_or_else(|| anyhow::anyhow!("usage: appearance_map OUT_PREFIX PHOTO..."))?;
    let models = Arc::new(ModelSet::load(&ModelSet::default_dir())?);
    let checker = Checker::new(models.clone(), Arc::new(Profile::default_profile()));
    // Extra crops (centre t, side in face heights) from HATS="t:side,t:side"; painted head crops
    // (bands around the eyes' level, face heights) from PAINT="a:b,a:b".
    let hats = pairs("HATS");
    let paints = pairs("PAINT");
    let shade: Option<f32> = std::env::var("PAINT_SHADE").ok().and_then(|v| v.parse().ok()).filter(|k: &f32| *k > 0.0);
    let opts = CheckOptions { lang: Lang::En, ..CheckOptions::default() };
    let rows: Vec<(String, String, usize, bool, Vec<f32>)> = photos
        .par_iter()
        .map(|p| {
            let (report, analysis) = checker.check_path_keeping_analysis(Path::new(p), &opts);
            let app = analysis.as_ref().and_then(|a| a.appearance.as_ref());
            let fixed = |e: Option<Vec<f32>>| e.filter(|e| e.len() == 1280).unwrap_or_else(|| vec![0.0; 1280]);
            let mut map = fixed(app.map(|a| a.output.embedding.clone()));
            map.extend(fixed(app.and_then(|a| a.crown.clone())));
            let frame = analysis.as_ref().and_then(|a| a.face_frame.map(|f| (a, f)));
            for &(t, side) in &hats {
                let extra = frame.and_then(|(a, f)| models.appearance.run(&a.pyramid, f.point(0.0, t), side * f.height).ok());
                map.extend(fixed(extra.map(|o| o.embedding)));
            }
            for &(a0, a1) in &paints {
                let painted = analysis.as_ref().and_then(|a| {
                    let (app, frame, skin, face) = (a.appearance.as_ref()?, a.face_frame?, a.skin?, a.face.as_ref()?);
                    let t_eyes = frame.coords(face.eye_centre(0).mid(face.eye_centre(1))).1;
                    let (t0, t1) = (t_eyes + a0, t_eyes + a1);
                    let base = a.pyramid.base();
                    let paint = |p: Point| {
                        let (s, t) = frame.coords(p);
                        if s.abs() > 0.75 || !(t0..=t1).contains(&t) {
                            return None;
                        }
                        let Some(k) = shade else { return Some(skin.rgb()) };
                        // A 5 × 5 grid over the square: enough for a mean at this scale.
                        let half = 0.5 * k * frame.width;
                        let mut sum = 0.0;
                        for j in 0..5 {
                            for i in 0..5 {
                                let q = Point::new(p.x + half * (i as f32 / 2.0 - 1.0), p.y + half * (j as f32 / 2.0 - 1.0));
                                sum += luma(pixel(base, Point::new(q.x.max(0.0), q.y.max(0.0))));
                            }
                        }
                        Some(rgb(sum / 25.0, skin.cb, skin.cr))
                    };
                    models.appearance.run_painted(&a.pyramid, app.centre, app.side, paint).ok()
                });
                map.extend(fixed(painted.map(|o| o.embedding)));
            }
            // MIRROR=1: the head and crown crops' mirror images, after the other crops.
            if std::env::var("MIRROR").is_ok() {
                let head = frame.and_then(|(a, _)| {
                    a.appearance.as_ref().and_then(|app| models.appearance.run_mirrored(&a.pyramid, app.centre, app.side).ok())
                });
                map.extend(fixed(head.map(|o| o.embedding)));
                let crown = frame.and_then(|(a, f)| {
                    models.appearance.run_mirrored(&a.pyramid, f.point(0.0, photocheck::analysis::CROWN_CROP_CENTRE_T), f.height).ok()
                });
                map.extend(fixed(crown.map(|o| o.embedding)));
            }
            let head = app.is_some_and(|a| a.crop == AppearanceCrop::HeadCrop);
            (p.clone(), report.sha256.clone().unwrap_or_default(), map.len() / 1280, head, map)
        })
        .collect();
    let cells = rows.iter().map(|r| r.2).max().unwrap_or(0);
    let mut index = std::fs::File::create(format!("{prefix}.txt"))?;
    let mut data = std::io::BufWriter::new(std::fs::File::create(format!("{prefix}.f32"))?);
    for (path, sha, n, head, map) in &rows {
        writeln!(index, "{path}\t{sha}\t{n}\t{}", u8::from(*head))?;
        let mut full = map.clone();
        full.resize(cells * 1280, 0.0);
        for v in full {
            data.write_all(&v.to_le_bytes())?;
        }
    }
    eprintln!("{} photos, {cells} crops each", rows.len());
    Ok(())
}

/// The pairs "a:b,a:b" in the environment variable `name` (none when it is unset).
fn pairs(name: &str) -> Vec<(f32, f32)> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .filter_map(|c| c.split_once(':').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?))))
        .collect()
}
