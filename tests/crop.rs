//! The normalised crop on real portraits (London set, CC BY 4.0): a photo whose only fault is its
//! framing is fixed by cropping (and the crop passes when re-checked), a photo without room is
//! not fixed and says which side, and a crop never reaches outside the upload.

mod common;

use chrono::Duration;
use image::{Rgb, RgbImage};
use photocheck::crop::ARCHIVE_SIZE;
use photocheck::report::{CropStatus, Outcome, Side, Verdict};

/// The compliant London sample with its capture date (20 days before the as-of date).
fn compliant() -> RgbImage {
    image::load_from_memory(&common::sample("london_032_03.jpg")).unwrap().to_rgb8()
}

fn dated_jpeg(img: &RgbImage) -> Vec<u8> {
    common::with_exif(&common::jpeg(img, 92), &[common::date_original(common::as_of() - Duration::days(20))])
}

/// The same sitting shot wider: `left`/`right`/`top` px more white wall, `bottom` px more of the
/// dark top (its last row continued), as a camera further back would see it.
fn wider(img: &RgbImage, left: u32, right: u32, top: u32, bottom: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out = RgbImage::from_pixel(w + left + right, h + top + bottom, Rgb([255, 255, 255]));
    image::imageops::replace(&mut out, img, left as i64, top as i64);
    for y in 0..bottom {
        for x in 0..w {
            out.put_pixel(x + left, h + top + y, *img.get_pixel(x, h - 1));
        }
    }
    out
}

#[test]
fn a_photo_wrong_only_in_framing_is_fixable_and_its_crop_passes_every_geometry_check() {
    let upload = dated_jpeg(&wider(&compliant(), 120, 120, 80, 100));
    let (report, crop) = common::checker().check_and_crop("wide.jpg", &upload, &common::opts(), ARCHIVE_SIZE);
    common::record(&serde_json::to_value(&report).unwrap());
    assert_eq!(report.verdict, Verdict::Reject, "the upload itself is framed wrong: {:?}", report.failed);
    assert!(report.failed.iter().all(|c| c.starts_with("GE") || *c == "IQ002"), "{:?}", report.failed);
    let summary = report.crop.as_ref().expect("a crop summary");
    assert_eq!(summary.status, CropStatus::Fixable, "{summary:?}");
    assert_eq!(summary.verdict, Some(Verdict::Approve));

    // The delivered crop: archive size, only the capture date in its EXIF.
    let crop = crop.expect("the crop's JPEG");
    let decoded = image::load_from_memory(&crop).unwrap();
    assert_eq!((decoded.width(), decoded.height()), ARCHIVE_SIZE);
    let exif = photocheck::exif::read_exif(&crop);
    assert!(exif.capture_date.is_some(), "the capture date is kept");
    assert!(exif.make.is_none() && exif.model.is_none(), "nothing else leaves with the crop");

    // Re-checked independently at the cut's resolution, every framing check passes.
    let rect = summary.rect.unwrap();
    let upright = image::load_from_memory(&upload).unwrap().to_rgb8();
    let cut = photocheck::crop::cut(&upright, rect);
    let again = common::check("cut.jpg", &dated_jpeg(&cut));
    for code in ["GE001", "GE002", "GE003", "GE004", "GE005", "IQ002"] {
        assert_eq!(common::outcome(&again, code), Outcome::Pass, "{code}: {:?}", again.check(code));
    }
}

#[test]
fn a_photo_without_room_above_the_head_is_not_fixed_and_says_why() {
    let img = compliant();
    // Cut just below the crown: no rectangle inside this upload leaves space above the head.
    let report = common::check("probe.jpg", &dated_jpeg(&img));
    let crown_gap = common::measured(&report, "GE005");
    let cut_at = (crown_gap * img.height() as f64) as u32 + 4;
    let upload = dated_jpeg(&common::crop(&img, 0, cut_at, img.width(), img.height() - cut_at));
    let (report, crop) = common::checker().check_and_crop("tight.jpg", &upload, &common::opts(), ARCHIVE_SIZE);
    assert!(crop.is_none());
    let summary = report.crop.as_ref().expect("a crop summary");
    assert_eq!(summary.status, CropStatus::NoRoom, "{summary:?}");
    assert!(summary.sides.contains(&Side::Top), "{summary:?}");
    assert!(summary.message.contains("above the head"), "{}", summary.message);
    assert_eq!(report.verdict, Verdict::Reject);
}

#[test]
fn an_approved_photo_gets_its_archive_size_crop_and_other_faults_get_none() {
    let (report, crop) = common::checker().check_and_crop("ok.jpg", &common::sample("london_032_03.jpg"), &common::opts(), ARCHIVE_SIZE);
    assert_eq!(report.verdict, Verdict::Approve);
    assert_eq!(report.crop.as_ref().map(|c| c.status), Some(CropStatus::Normalised));
    assert!(crop.is_some());
    // Grace Hopper fails for glasses, background and more: cropping cannot fix that, so none is tried.
    let (report, crop) = common::checker().check_and_crop("hopper.jpg", &common::sample("grace_hopper.jpg"), &common::opts(), ARCHIVE_SIZE);
    assert!(report.crop.is_none() && crop.is_none());
}

#[test]
fn crops_never_reach_outside_the_upload() {
    let base = compliant();
    // Framings from generous to tight, off-centre both ways; whatever the plan, its rectangle
    // lies inside the image (no invented pixels).
    let framings = [(120, 120, 80, 100), (300, 0, 10, 0), (0, 260, 60, 40), (40, 40, 0, 300), (10, 10, 200, 10), (0, 0, 0, 0)];
    let mut planned = 0;
    for (left, right, top, bottom) in framings {
        let upload = dated_jpeg(&wider(&base, left, right, top, bottom));
        let (w, h) = (base.width() + left + right, base.height() + top + bottom);
        let (report, crop) = common::checker().check_and_crop("f.jpg", &upload, &common::opts(), ARCHIVE_SIZE);
        let Some(summary) = &report.crop else { continue };
        planned += 1;
        if let Some(r) = summary.rect {
            assert!(r.width > 0 && r.height > 0 && r.x + r.width <= w && r.y + r.height <= h, "{r:?} outside {w}x{h}");
        } else {
            assert!(crop.is_none());
            assert!(!summary.sides.is_empty(), "{summary:?}");
        }
    }
    assert!(planned >= 4, "only {planned} of the framings were planned: the test would not test much");
}
