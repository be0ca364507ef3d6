//! The ornament scan (`analysis::ornaments`, what JW001 reads) on every photo given: one line per
//! photo with the ornaments found (box in working-image pixels, kind, strength; glints under the
//! default profile's `min_glint_contrast`, discs under its `min_disc_contrast` and hoops under its
//! `min_hoop_contrast` marked weak and not counted), and a count of photos with any JW001 counts.
//! With a labels file and column (`accessories` in the London labels), the count is split by label.
//!
//!     cargo run --release --example ornament_scan -- [--labels FILE COLUMN] PHOTO...

use photocheck::analysis::analyse;
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

static TIMES: Mutex<Vec<f64>> = Mutex::new(Vec::new());

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut labels: HashMap<String, String> = HashMap::new();
    if let Some(at) = args.iter().position(|a| a == "--labels") {
        let (file, column) = (args.get(at + 1).cloned(), args.get(at + 2).cloned());
        let (Some(file), Some(column)) = (file, column) else { anyhow::bail!("--labels FILE COLUMN") };
        let mut reader = csv::Reader::from_path(&file)?;
        let header = reader.headers()?.clone();
        let col = header.iter().position(|h| h == column).ok_or_else(|| anyhow::anyhow!("no column {column}"))?;
        for row in reader.records() {
            let row = row?;
            // Every name column (file, ready_file) maps to the label.
            for (i, name) in row.iter().enumerate() {
                if header.get(i).is_some_and(|h| h.ends_with("file")) && !name.is_empty() {
                    labels.insert(name.to_string(), row[col].to_string());
                }
            }
        }
        args.drain(at..at + 3);
    }
    // JW001 counts coloured ornaments, and glints, discs and hoops from the profile's limits;
    // weaker ones are printed, marked, and not counted.
    let profile = photocheck::profile::Profile::default_profile();
    let limit = |key: &str| {
        profile
            .source
            .get("rules")
            .and_then(|r| r.get("jewellery"))
            .and_then(|j| j.get(key))
            .and_then(|v| v.as_float())
            .map(|v| v as f32)
            .ok_or_else(|| anyhow::anyhow!("the default profile has no [rules.jewellery] {key}"))
    };
    let limits = photocheck::analysis::ornaments::OrnamentLimits {
        glint: limit("min_glint_contrast")?,
        disc: limit("min_disc_contrast")?,
        hoop: limit("min_hoop_contrast")?,
    };
    let counted = |o: &photocheck::analysis::ornaments::Ornament| o.counts(&limits);
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let results: Vec<(String, Option<usize>, String)> = args
        .par_iter()
        .map(|f| {
            let analysed = std::fs::read(f).ok().and_then(|b| decode(&b, &DecodeLimits::default()).ok()).and_then(|p| analyse(&models, p).ok());
            let Some(a) = analysed else { return (f.clone(), None, "unreadable".into()) };
            // The scan again, timed (it ran once inside `analyse`).
            let t = std::time::Instant::now();
            let again = photocheck::analysis::ornaments::find_ornaments(a.image(), a.face_frame, a.skin);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(again.found, a.ornaments.found, "the scan is deterministic");
            TIMES.lock().map(|mut v| v.push(ms)).ok();
            if !a.ornaments.assessed {
                return (f.clone(), None, "not assessed".into());
            }
            let found: Vec<String> = a
                .ornaments
                .found
                .iter()
                .map(|o| {
                    let weak = if counted(o) { "" } else { " weak" };
                    format!("({:.0},{:.0} {:.0}x{:.0} {:?} {:.2}{weak})", o.x, o.y, o.width, o.height, o.kind, o.strength)
                })
                .collect();
            (f.clone(), Some(a.ornaments.found.iter().filter(|o| counted(o)).count()), found.join(" "))
        })
        .collect();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (file, n, text) in &results {
        let name = std::path::Path::new(file).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let label = labels.get(&name).cloned().unwrap_or_else(|| "-".into());
        if let Some(n) = n {
            let c = counts.entry(label.clone()).or_default();
            c.0 += 1;
            c.1 += (*n > 0) as usize;
        }
        if n.is_none_or(|n| n > 0) || !text.is_empty() {
            println!("{file}\tlabel={label}\t{text}");
        }
    }
    if let Ok(mut times) = TIMES.lock() {
        times.sort_by(f64::total_cmp);
        if let (Some(median), Some(max)) = (times.get(times.len() / 2), times.last()) {
            println!("scan time: median {median:.3} ms, max {max:.3} ms over {} photos", times.len());
        }
    }
    for (label, (photos, with)) in counts {
        println!(
            "label {label}: {with} of {photos} photos with an ornament JW001 counts (glints from {}, discs from {}, hoops from {})",
            limits.glint, limits.disc, limits.hoop
        );
    }
    Ok(())
}
