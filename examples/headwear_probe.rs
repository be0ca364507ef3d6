//! Hand-made head features per photo, printed as TSV for study (issue 17 asks whether such
//! features help the headwear head). Per photo: the skin reference (Y, Cb, Cr); how far the
//! person mask reaches above the forehead's top along the face's axis (face heights), and 1 if
//! the frame cuts it first; then, for seven regions in face coordinates (crown, the band just
//! above the forehead, the hair beside each temple, the forehead, beyond each side of the crown
//! where a brim would be), the share of the region on the image, the share that is person, the
//! share of those person samples that is skin, their median Y, Cb, Cr and the median absolute
//! deviation of Y.
//!
//!     cargo run --release --example headwear_probe -- PHOTO... > probe.tsv
//!     python3 scripts/headwear-crops.py /tmp/crops headwear --signals probe.tsv
//!
//! Measured 2026-12-04 on the 1018 labelled photos the shipped headwear head is fitted on (126
//! with headwear). Alone, the eight features the script takes from the TSV reach a nested-CV AUC
//! of 0.790. Beside the head and crown crops' embeddings: 0.960 → 0.961, and 86.3 → 85.0 of the
//! 340 eyewear/mask photos without headwear flagged at the EER cut. So they were not added to
//! HW001. The strongest single feature is the forehead's skin share: AUC 0.733 for headwear
//! against all photos, 0.620 against eyewear and mask photos alone.

use photocheck::analysis::analyse;
use photocheck::analysis::face_frame::{pixel, ycbcr};
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;
use rayon::prelude::*;

fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let rows: Vec<String> = args
        .par_iter()
        .map(|f| {
            let analysed = std::fs::read(f).ok().and_then(|b| decode(&b, &DecodeLimits::default()).ok()).and_then(|p| analyse(&models, p).ok());
            let Some(a) = analysed else { return format!("{f}\tNA") };
            let (Some(frame), Some(skin)) = (a.face_frame, a.skin) else { return format!("{f}\tNA") };
            let img = a.image();
            // Region statistics: person share, skin share, median Y/Cb/Cr of person pixels, Y spread.
            let region = |s0: f32, s1: f32, t0: f32, t1: f32| {
                let (pts, asked) = frame.samples(img, s0, s1, t0, t1);
                let (mut ys, mut cbs, mut crs) = (Vec::new(), Vec::new(), Vec::new());
                let (mut person, mut sk) = (0usize, 0usize);
                for p in &pts {
                    if a.person.at(p.x, p.y) < 0.5 {
                        continue;
                    }
                    person += 1;
                    let px = pixel(img, *p);
                    if skin.is_skin(px) {
                        sk += 1;
                    }
                    let (y, cb, cr) = ycbcr(px);
                    ys.push(y);
                    cbs.push(cb);
                    crs.push(cr);
                }
                let n = asked.max(1) as f32;
                let mut ysd = ys.clone();
                let my = median(&mut ysd);
                let mad = {
                    let mut d: Vec<f32> = ys.iter().map(|y| (y - my).abs()).collect();
                    median(&mut d)
                };
                let inside = pts.len() as f32 / n;
                vec![inside, person as f32 / n, sk as f32 / (person.max(1) as f32), my, median(&mut cbs), median(&mut crs), mad]
            };
            let crown = region(-0.3, 0.3, -0.45, -0.05);
            let crown_low = region(-0.35, 0.35, -0.12, 0.0);
            let side_l = region(-0.72, -0.5, 0.0, 0.3);
            let side_r = region(0.5, 0.72, 0.0, 0.3);
            let forehead = region(-0.25, 0.25, 0.03, 0.15);
            let brim_l = region(-0.9, -0.6, -0.2, 0.0);
            let brim_r = region(0.6, 0.9, -0.2, 0.0);
            // Crown height: from the forehead's top up along the axis until the person ends.
            let mut height = 0.0f32;
            let mut cut = 0;
            let mut t = 0.0f32;
            while t > -1.5 {
                let p = frame.point(0.0, t);
                if p.y < 0.0 || p.x < 0.0 || p.x >= img.width() as f32 {
                    cut = 1;
                    break;
                }
                if a.person.at(p.x, p.y) < 0.5 {
                    break;
                }
                height = -t;
                t -= 0.01;
            }
            let mut cols = vec![f.clone(), format!("{:.1}\t{:.1}\t{:.1}", skin.y, skin.cb, skin.cr), format!("{height:.3}\t{cut}")];
            for r in [crown, crown_low, side_l, side_r, forehead, brim_l, brim_r] {
                cols.push(r.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join("\t"));
            }
            cols.join("\t")
        })
        .collect();
    for r in rows {
        println!("{r}");
    }
    Ok(())
}
