//! The verdict the issuance service acts on: approve only what passed every mandatory check
//! clearly; review what could not be decided; reject clear failures. Real photos: the London
//! studio portraits in `sample_photos/` (CC BY 4.0), and — where `../shared` is present, as in CI —
//! the labelled dev photos.

mod common;

use common::*;
use photocheck::report::Outcome;
use photocheck::{Checker, Profile, Verdict};

fn mirrored(bytes: &[u8]) -> Vec<u8> {
    let img = image::load_from_memory(bytes).unwrap().to_rgb8();
    // Keep the EXIF capture date: re-encode and put the original APP1 segment back.
    let flipped = jpeg(&image::imageops::flip_horizontal(&img), 95);
    let app1_start = bytes.windows(2).position(|w| w == [0xFF, 0xE1]).expect("EXIF segment");
    let len = u16::from_be_bytes([bytes[app1_start + 2], bytes[app1_start + 3]]) as usize;
    let mut out = flipped[..2].to_vec();
    out.extend_from_slice(&bytes[app1_start..app1_start + 2 + len]);
    out.extend_from_slice(&flipped[2..]);
    out
}

#[test]
fn a_compliant_studio_portrait_is_approved_and_so_is_its_mirror() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    let open: Vec<_> = r.checks.iter().filter(|c| c.mandatory && c.outcome != Outcome::Pass).map(|c| (c.code, c.measured)).collect();
    assert_eq!(r.verdict, Verdict::Approve, "not clearly passed: {open:?}");
    assert!(r.failed.is_empty() && r.review.is_empty());
    let m = check("london_032_03_mirror.jpg", &mirrored(&bytes));
    assert_eq!(m.verdict, r.verdict, "mirror: failed {:?} review {:?}", m.failed, m.review);
    // Yaw and roll change sign in the mirror, pitch stays (within the estimator's error).
    let pose = |r: &photocheck::Report| r.faces[0].primary.as_ref().unwrap().pose.unwrap();
    let (a, b) = (pose(&r), pose(&m));
    assert!((a.yaw + b.yaw).abs() < 3.0 && (a.roll + b.roll).abs() < 2.0 && (a.pitch - b.pitch).abs() < 2.5, "{a:?} vs mirror {b:?}");
}

#[test]
fn the_smiling_twin_is_rejected_for_expression() {
    let r = check("london_032_08.jpg", &sample("london_032_08.jpg"));
    assert_eq!(r.verdict, Verdict::Reject);
    assert!(r.failed.iter().any(|c| c.starts_with("EX")), "rejected for expression: {:?}", r.failed);
    assert!(r.failed.iter().all(|c| c.starts_with("EX")), "and only for expression: {:?}", r.failed);
    let m = check("london_032_08_mirror.jpg", &mirrored(&sample("london_032_08.jpg")));
    assert_eq!(m.verdict, Verdict::Reject, "{:?}", m.failed);
}

#[test]
fn a_clearly_raised_chin_is_never_approved_and_says_why() {
    let r = check("london_140_03.jpg", &sample("london_140_03.jpg"));
    assert_ne!(r.verdict, Verdict::Approve);
    let pitch = find(&r, "PO002");
    assert!(matches!(pitch.outcome, Outcome::Uncertain | Outcome::Fail), "{pitch:?}");
    assert!(pitch.measured.unwrap() > 8.0, "chin up reads as positive pitch: {pitch:?}");
    if pitch.outcome == Outcome::Uncertain {
        assert_eq!(r.verdict, Verdict::Review);
        assert!(r.review.contains(&"PO002"));
        assert!(pitch.message.contains("A person must check"), "{}", pitch.message);
        assert!(pitch.band.is_some());
    }
}

#[test]
fn a_photo_without_a_capture_date_goes_to_review_not_approval() {
    // The compliant portrait with its EXIF removed: every other check passes as before.
    let img = image::load_from_memory(&sample("london_032_03.jpg")).unwrap().to_rgb8();
    let r = check("undated.jpg", &jpeg(&img, 95));
    assert_eq!(find(&r, "DT001").outcome, Outcome::NotAssessed);
    assert_eq!(r.verdict, Verdict::Review, "failed {:?} review {:?}", r.failed, r.review);
    assert!(r.review.contains(&"DT001"));
}

/// The dev photos, when `../shared` is there (CI); `None` otherwise.
fn dev_labels() -> Option<(std::path::PathBuf, Vec<std::collections::BTreeMap<String, String>>)> {
    let dir = root().join("../shared/dev-photos");
    if !dir.join("labels.csv").is_file() {
        eprintln!("../shared/dev-photos not present: the dev-photo gate tests run in CI");
        return None;
    }
    Some((dir.clone(), photocheck::eval::read_labels(&dir.join("labels.csv")).unwrap()))
}

#[test]
fn no_masked_hatted_sunglassed_or_eyes_closed_dev_photo_is_approved_even_with_framing_and_date_as_warnings() {
    let Some((dir, rows)) = dev_labels() else { return };
    let profile = Profile::load(root().join("tests/fixtures/framing-and-date-warn.toml").to_str().unwrap()).unwrap();
    let checker = Checker::new(checker().models.clone(), std::sync::Arc::new(profile));
    let bad = |row: &std::collections::BTreeMap<String, String>| {
        ["mask", "headwear", "sunglasses"].iter().any(|c| row.get(*c).map(String::as_str) == Some("1"))
            || row.get("eyes_open").map(String::as_str) == Some("0")
    };
    let mut checked = 0;
    let mut approved = Vec::new();
    let mut unanalysable = 0;
    for row in rows.iter().filter(|r| bad(r)) {
        let r = checker.check_path(&dir.join(&row["file"]), &opts());
        checked += 1;
        if r.verdict == Verdict::Approve {
            approved.push(row["file"].clone());
        }
        if r.check("FC002").is_some_and(|c| c.outcome == Outcome::Fail) {
            unanalysable += 1;
            // A face the mesh gave up on is never approved, and says it is covered.
            assert_ne!(r.verdict, Verdict::Approve, "{}", row["file"]);
        }
    }
    assert!(checked > 100, "{checked} labelled violations checked");
    assert!(approved.is_empty(), "approved although labelled mask/headwear/sunglasses/eyes closed: {approved:?}");
    eprintln!("{checked} dev photos with a mask, headwear, sunglasses or closed eyes: none approved; {unanalysable} with a face the mesh could not analyse");
}

#[test]
fn a_masked_face_the_mesh_rejects_fails_as_covered_and_names_the_mask() {
    let Some((dir, rows)) = dev_labels() else { return };
    let (mut found, mut named) = (0, 0);
    for row in rows.iter().filter(|r| r.get("mask").map(String::as_str) == Some("1")) {
        let r = checker().check_path(&dir.join(&row["file"]), &opts());
        let Some(face) = r.check("FC002") else { continue };
        if face.outcome != Outcome::Fail {
            continue;
        }
        found += 1;
        assert_eq!(r.verdict, Verdict::Reject, "{}", row["file"]);
        assert!(face.measured.is_some_and(|logit| logit <= 0.0), "{face:?}");
        assert!(find(&r, "FC002").message.contains("covered"), "{}", find(&r, "FC002").message);
        // Before this check such photos had every face check not assessed and were APPROVED.
        // The appearance network still ran on a head crop estimated from the detector's box, so
        // the mask is usually named too.
        if find(&r, "MK001").outcome == Outcome::Fail {
            named += 1;
        }
    }
    eprintln!("{found} masked dev photos the mesh rejects: all rejected by FC002; MK001 names the mask on {named}");
    assert!(found >= 3, "the dev photos hold masked faces the mesh rejects ({found} found)");
    assert!(named * 2 >= found, "the detector-box crop names the mask on most of them ({named} of {found})");
}
