//! `photocheck calibrate` end to end: a small labelled folder generated from the sample portraits
//! (with and without a painted mask) → a profile with a fitted head → `eval` and `check` read it.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use image::RgbImage;

fn photocheck(args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_photocheck")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("run photocheck");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn brightened(img: &RgbImage, factor: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (*c as f32 * factor).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// 16 distinct unmasked portraits and the same 16 with a painted mask: two subjects, mirrored or
/// not, four exposures. Returns (file name, mask label) rows.
fn write_folder(dir: &Path) -> Vec<(String, bool)> {
    let mut rows = Vec::new();
    let bases = [hopper(), astronaut()];
    for (b, base) in bases.iter().enumerate() {
        for mirrored in [false, true] {
            let img = if mirrored { image::imageops::flip_horizontal(base) } else { base.clone() };
            let report = check("base.png", &png(&img));
            let lm = &report.faces[0].primary.as_ref().expect("a face on the sample").landmarks;
            let masked = paint_mask(&img, lm);
            for (k, factor) in [0.85, 0.95, 1.05, 1.15].iter().enumerate() {
                for (label, source) in [(false, &img), (true, &masked)] {
                    let name = format!("p{b}{}{k}{}.png", u8::from(mirrored), u8::from(label));
                    std::fs::write(dir.join(&name), png(&brightened(source, *factor))).unwrap();
                    rows.push((name, label));
                }
            }
        }
    }
    rows
}

fn write_labels(path: &Path, rows: &[(String, bool)]) {
    let mut csv = String::from("file,source,mask,eyes_open,colour_of_socks\n");
    for (name, label) in rows {
        csv.push_str(&format!("{name},generated,{},1,\n", u8::from(*label)));
    }
    std::fs::write(path, csv).unwrap();
}

fn calibrate_args<'a>(labels: &'a Path, photos: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec!["calibrate", "--labels", labels.to_str().unwrap(), "--photos", photos.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]
}

#[test]
fn calibrate_writes_a_profile_that_eval_and_check_then_use() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    let rows = write_folder(&photos);
    let labels = dir.path().join("labels.csv");
    write_labels(&labels, &rows);
    let out = dir.path().join("ours.toml");
    let mut args = calibrate_args(&labels, &photos, &out);
    args.extend(["--as-of", "2026-11-26", "--folds", "4", "--min-per-class", "15"]);
    let (code, stdout, stderr) = photocheck(&args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("eyes_open") && stdout.contains("no head decides"), "{stdout}");
    assert!(stdout.contains("colour_of_socks") && stdout.contains("no head decides"), "unmappable columns are reported: {stdout}");

    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("[heads.mask]"), "{text}");
    assert!(text.contains("extends = \"cn-driving-licence\""), "{text}");
    let table: toml::Table = text.parse().unwrap();
    let provenance = &table["heads"]["mask"]["provenance"];
    assert_eq!(provenance["positives"].as_integer(), Some(16));
    assert_eq!(provenance["negatives"].as_integer(), Some(16));
    assert_eq!(provenance["folds"].as_integer(), Some(4));
    assert_eq!(provenance["training_set_sha256"].as_str().map(str::len), Some(64));
    // A painted mask is easy: out of fold the head must separate the two halves.
    assert!(provenance["cv_auc"].as_float().unwrap() > 0.9, "{provenance}");
    assert!(provenance["nested_cv_auc"].as_float().unwrap() > 0.9, "{provenance}");

    // Deterministic: the same photos, labels and seed give the same file.
    let (code, _, stderr) = photocheck(&args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text, "a second run must write the same profile");

    // eval reads the written profile and scores the mask label with its head.
    let (code, json, stderr) = photocheck(&[
        "eval",
        "--labels",
        labels.to_str().unwrap(),
        "--photos",
        photos.to_str().unwrap(),
        "--profile",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let result: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(result["profile"], "ours");
    let mask = result["attributes"].as_array().unwrap().iter().find(|a| a["label"] == "mask").expect("mask scored");
    assert!(mask["auc"].as_f64().unwrap() > 0.9, "{mask}");

    // check reports the head's probability and threshold for MK001.
    let masked = photos.join(&rows.iter().find(|r| r.1).unwrap().0);
    let (_, report, _) =
        photocheck(&["check", masked.to_str().unwrap(), "--profile", out.to_str().unwrap(), "--format", "json", "--as-of", "2026-11-26"]);
    let report: serde_json::Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
    let mk = report["checks"].as_array().unwrap().iter().find(|c| c["code"] == "MK001").unwrap();
    assert_eq!(mk["unit"], "probability");
    assert_eq!(mk["outcome"], "fail", "{mk}");
    let head = &table["heads"]["mask"];
    if head["inputs"]["embedding"].as_bool() == Some(true) {
        assert_eq!(mk["threshold"]["max"].as_f64(), head["threshold"].as_float(), "{mk}");
    } else {
        // A signal-only head is shown as the equivalent cut on the classifier's own output.
        assert!(mk["threshold"]["max"].as_f64().is_some(), "{mk}");
    }
}

#[test]
fn calibrate_fits_on_several_labelled_folders_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    std::fs::create_dir(&first).unwrap();
    std::fs::create_dir(&second).unwrap();
    let rows = write_folder(&first);
    let labels_first = dir.path().join("first.csv");
    write_labels(&labels_first, &rows);
    // The second folder: copies of eight of the same photos under other names (the same content
    // in two folders, which folds must keep together), with a column the first file lacks.
    let mut csv = String::from("file,mask,hand\n");
    let copies: Vec<&(String, bool)> = rows.iter().step_by(3).take(8).collect();
    for (i, (name, label)) in copies.iter().map(|r| (&r.0, r.1)).enumerate() {
        std::fs::copy(first.join(name), second.join(format!("copy{i}.png"))).unwrap();
        csv.push_str(&format!("copy{i}.png,{},0\n", u8::from(label)));
    }
    let labels_second = dir.path().join("second.csv");
    std::fs::write(&labels_second, csv).unwrap();
    let out = dir.path().join("both.toml");
    let (l1, p1, l2, p2) =
        (labels_first.to_str().unwrap(), first.to_str().unwrap(), labels_second.to_str().unwrap(), second.to_str().unwrap());
    let args = [
        "calibrate",
        "--labels",
        l1,
        "--photos",
        p1,
        "--labels",
        l2,
        "--photos",
        p2,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--as-of",
        "2026-11-26",
        "--folds",
        "4",
        "--min-per-class",
        "15",
    ];
    let (code, stdout, stderr) = photocheck(&args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let provenance = &table["heads"]["mask"]["provenance"];
    let copied_positives = copies.iter().filter(|r| r.1).count() as i64;
    assert!(copied_positives > 0 && copied_positives < 8);
    assert_eq!(provenance["positives"].as_integer(), Some(16 + copied_positives), "{provenance}");
    assert_eq!(provenance["negatives"].as_integer(), Some(16 + 8 - copied_positives), "{provenance}");
    assert!(provenance["labels_file"].as_str().unwrap().contains(" + "), "both files named: {provenance}");
    assert!(text.contains(&format!("--labels {l1} --photos {p1} --labels {l2} --photos {p2}")), "the command is recorded");

    // One --photos per --labels.
    let (code, _, stderr) =
        photocheck(&["calibrate", "--labels", l1, "--labels", l2, "--photos", p1, "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("one --photos folder per --labels"), "{stderr}");
}

#[test]
fn calibrate_refuses_columns_with_too_few_examples() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    // 6 photos: far fewer than 15 of either class.
    let mut rows = Vec::new();
    for (k, factor) in [0.9, 1.0, 1.1].iter().enumerate() {
        for (b, img) in [hopper(), astronaut()].iter().enumerate() {
            let name = format!("q{b}{k}.png");
            std::fs::write(photos.join(&name), png(&brightened(img, *factor))).unwrap();
            rows.push((name, b == 0));
        }
    }
    let labels = dir.path().join("labels.csv");
    write_labels(&labels, &rows);
    let out = dir.path().join("never.toml");
    let (code, stdout, stderr) = photocheck(&calibrate_args(&labels, &photos, &out));
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("mask: 3 positive / 3 negative, need 15 of each"), "{stderr}");
    assert!(!out.exists(), "no profile is written when nothing could be fitted");
}
