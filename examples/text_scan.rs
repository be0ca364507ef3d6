//! What TX001 reads on each photo given: the text detector's boxes (outside the head, and lines of text over
//! the face or hair), the mark scan's marks (`analysis::marks`), each with its box in the photo's upright pixels, its
//! score and, for marks, the surface it was found on. For looking into a flag or a miss.
//!
//!     cargo run --release --example text_scan -- PHOTO...

use photocheck::analysis::analyse;
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;

fn main() -> anyhow::Result<()> {
    let models = ModelSet::load(&ModelSet::default_dir())?;
    for file in std::env::args().skip(1) {
        let analysed =
            std::fs::read(&file).ok().and_then(|b| decode(&b, &DecodeLimits::default()).ok()).and_then(|p| analyse(&models, p).ok());
        let Some(a) = analysed else {
            println!("{file}: unreadable");
            continue;
        };
        // Working pixels to the upright photo's.
        let k = a.scale;
        println!(
            "{file}: edge share {:.4}, detector {}, clothing cluttered {}, {} text box(es), {} mark(s) (working px x{:.2})",
            a.text.edge_share,
            if a.text.detector_ran { "ran" } else { "not run" },
            a.text.clothing_cluttered,
            a.text.boxes.len(),
            a.text.marks.len(),
            k,
        );
        for b in &a.text.boxes {
            let (x, y, w, h) = (b.x * k, b.y * k, b.width * k, b.height * k);
            println!("  text  x {x:.0} y {y:.0} w {w:.0} h {h:.0} score {:.2}", b.score);
        }
        // Lines of text over the face or hair (a watermark).
        for b in &a.text.face_boxes {
            let (x, y, w, h) = (b.x * k, b.y * k, b.width * k, b.height * k);
            println!("  face text  x {x:.0} y {y:.0} w {w:.0} h {h:.0} score {:.2}", b.score);
        }
        for m in &a.text.marks {
            let (x, y, w, h) = (m.bbox.x * k, m.bbox.y * k, m.bbox.width * k, m.bbox.height * k);
            println!("  mark  x {x:.0} y {y:.0} w {w:.0} h {h:.0} score {:.2} on {:?}", m.bbox.score, m.surface);
        }
    }
    Ok(())
}
