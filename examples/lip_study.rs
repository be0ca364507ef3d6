//! The lips' colour against the skin (`analysis::mouth::lip_colour`) on every photo of a folder,
//! and on the same photo with the mouth and chin covered by a flat patch of several colours:
//! the evidence MK002 is set on.
//!
//!     cargo run --release --example lip_study -- DIR [--covers] [LABELS.csv LABEL_COLUMN]

use image::RgbImage;
use photocheck::analysis::{analyse, Analysis};
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;
use rayon::prelude::*;

fn features(a: &Analysis) -> String {
    if a.face.is_none() || a.skin.is_none() {
        return "no-face".into();
    }
    if a.face.as_ref().is_some_and(|f| f.refined.is_none()) {
        return "no-refined".into();
    }
    match a.lip_colour {
        Some(c) => format!(
            "{:.3}\t{:.1}\t{:.1}\t{:.2}\t{}\t{:.2}\t{:.2}",
            c.luma_ratio,
            c.d_cb,
            c.d_cr,
            c.lower_border,
            c.pixels,
            c.upper_border.unwrap_or(-1.0),
            c.lower_border
        ),
        None => "no-lips".into(),
    }
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95).encode_image(img);
    out
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or_else(|| anyhow::anyhow!("usage: lip_study DIR [--covers] [LABELS LABEL]"))?;
    let covers = args.iter().any(|a| a == "--covers");
    let rest: Vec<&String> = args.iter().skip(2).filter(|a| !a.starts_with("--")).collect();
    let labels: std::collections::HashMap<String, String> = match rest.as_slice() {
        [file, column] => {
            let mut r = csv::Reader::from_path(file)?;
            let h = r.headers()?.clone();
            let at = h.iter().position(|x| x == column.as_str()).ok_or_else(|| anyhow::anyhow!("no column"))?;
            r.records().filter_map(|x| x.ok()).map(|x| (x[0].to_string(), x[at].to_string())).collect()
        }
        _ => Default::default(),
    };
    let models = ModelSet::load(&ModelSet::default_dir())?;
    let mut files: Vec<_> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    let colours: [(&str, [u8; 3]); 7] = [
        ("blue", [150, 195, 225]),
        ("white", [235, 235, 232]),
        ("black", [25, 25, 28]),
        ("grey", [128, 128, 128]),
        ("beige", [205, 175, 150]),
        ("pink", [215, 150, 160]),
        ("dark-red", [120, 40, 45]),
    ];
    let lines: Vec<String> = files
        .par_iter()
        .flat_map(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let label = labels.get(&name).cloned().unwrap_or_else(|| "-".into());
            let mut out = Vec::new();
            let Ok(bytes) = std::fs::read(path) else { return out };
            let Ok(photo) = decode(&bytes, &DecodeLimits::default()) else { return out };
            let rgb = photo.rgb.clone();
            let Ok(a) = analyse(&models, photo) else { return out };
            out.push(format!("{name}\toriginal\t{label}\t{}", features(&a)));
            if !covers {
                return out;
            }
            let Some(face) = a.face.as_ref() else { return out };
            // Nose bottom to below the chin, in original pixels.
            let s = a.scale;
            let nose = face.mesh.p(2);
            let chin = face.mesh.p(152);
            let (x0, x1) = (face.mesh.p(234).x * s, face.mesh.p(454).x * s);
            let inset = 0.12 * (x1 - x0);
            // From just below the nose (a mask) or from the philtrum, halfway to the upper lip (a
            // scarf or a hand pulled up to the lips): two placements.
            let lip_top = face.mesh.p(0);
            let tops = [nose.y * s + 0.02 * (chin.y - nose.y) * s, (nose.y + 0.5 * (lip_top.y - nose.y)) * s];
            let y1 = chin.y * s + 0.1 * (chin.y - nose.y) * s;
            for ((cname, colour), y0) in colours.iter().flat_map(|c| tops.iter().map(move |t| (c, *t))) {
                let mut img = rgb.clone();
                for y in (y0.max(0.0) as u32)..(y1 as u32).min(img.height()) {
                    for x in ((x0 + inset).max(0.0) as u32)..((x1 - inset) as u32).min(img.width()) {
                        img.put_pixel(x, y, image::Rgb(*colour));
                    }
                }
                let Ok(p) = decode(&jpeg(&img), &DecodeLimits::default()) else { continue };
                let Ok(b) = analyse(&models, p) else { continue };
                let at = if y0 == tops[0] { "nose" } else { "philtrum" };
                out.push(format!("{name}\tcover-{cname}-{at}\t{label}\t{}", features(&b)));
            }
            out
        })
        .collect();
    for l in lines {
        println!("{l}");
    }
    Ok(())
}
