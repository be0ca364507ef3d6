//! The face's proportions (`pose::REFERENCE.aspect`) for every photo given, one line each.
//!
//!     cargo run --release --example aspect_scan -- PHOTO...

use photocheck::analysis::{analyse, pose};
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;
use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let lines: Vec<String> = args
        .par_iter()
        .map(|f| {
            let analysed =
                std::fs::read(f).ok().and_then(|b| decode(&b, &DecodeLimits::default()).ok()).and_then(|p| analyse(&models, p).ok());
            let Some(a) = analysed else { return format!("{f}\tunreadable") };
            let Some(face) = a.face.as_ref() else { return format!("{f}\tno face") };
            let aspect = pose::REFERENCE.aspect(&face.mesh.points);
            let p = face.pose;
            // Each iris: the edge pair farther apart across the image over the other pair.
            let iris: Vec<f32> = face
                .refined
                .as_ref()
                .map(|r| {
                    r.irises
                        .iter()
                        .filter(|i| i.len() == 5)
                        .map(|i| {
                            let (a, b) = (i[1].dist(i[3]), i[2].dist(i[4]));
                            let a_across = (i[1].x - i[3].x).abs() > (i[2].x - i[4].x).abs();
                            if a_across {
                                a / b
                            } else {
                                b / a
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{f}\t{}\t{:?}\t{:?}",
                iris.iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(","),
                aspect.map_or("-".into(), |v| format!("{v:.4}")),
                p.map(|p| (p.yaw.round(), p.pitch.round(), p.roll.round()))
            )
        })
        .collect();
    for l in lines {
        println!("{l}");
    }
    Ok(())
}
