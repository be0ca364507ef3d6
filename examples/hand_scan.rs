//! Prints, per labelled photo, what the hand search saw: the skin outside the head and neck that
//! opens the whole-photo search, whether the whole photo was searched (or the head's square
//! covered it), and the strongest hand presence. Sets the gate, the head's square and the HD001
//! threshold.
//!
//!     cargo run --release --example hand_scan -- LABELS.csv PHOTOS_DIR FILE_COLUMN LABEL_COLUMN
//!
//! Output: one tab-separated line per photo: file, label, skin_outside, ran, max presence.

use photocheck::analysis::analyse;
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, labels, photos, file_column, label_column] = args.as_slice() else {
        anyhow::bail!("usage: hand_scan LABELS.csv PHOTOS_DIR FILE_COLUMN LABEL_COLUMN");
    };
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let mut reader = csv::Reader::from_path(labels)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| anyhow::anyhow!("no column {name}"));
    let (file_at, label_at) = (column(file_column)?, column(label_column)?);
    for row in reader.records() {
        let row = row?;
        let (Some(file), Some(label)) = (row.get(file_at), row.get(label_at)) else { continue };
        if file.is_empty() {
            continue;
        }
        let Ok(bytes) = std::fs::read(std::path::Path::new(photos).join(file)) else { continue };
        let Ok(photo) = decode(&bytes, &DecodeLimits::default()) else { continue };
        let Ok(a) = analyse(&models, photo) else { continue };
        let presence = a.hands.hands.iter().map(|h| h.presence).fold(0.0f32, f32::max);
        let skin = a.hands.skin_outside.map_or("-".to_string(), |s| format!("{s:.4}"));
        println!("{file}\t{label}\t{skin}\t{}\t{presence:.3}", a.hands.detector_ran as u8);
    }
    Ok(())
}
