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
    keeping_exif(&image::imageops::flip_horizontal(&img), 95, bytes)
}

/// `img` as a JPEG at `quality` with the original's EXIF (capture date) put back: re-encode and
/// insert the original APP1 segment.
fn keeping_exif(img: &image::RgbImage, quality: u8, original: &[u8]) -> Vec<u8> {
    let encoded = jpeg(img, quality);
    let app1_start = original.windows(2).position(|w| w == [0xFF, 0xE1]).expect("EXIF segment");
    let len = u16::from_be_bytes([original[app1_start + 2], original[app1_start + 3]]) as usize;
    let mut out = encoded[..2].to_vec();
    out.extend_from_slice(&original[app1_start..app1_start + 2 + len]);
    out.extend_from_slice(&encoded[2..]);
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

/// London 013_03 wears gold studs (and a thin chain), and nothing else in the notice is broken:
/// before JW001 it was approved. The studs' colour is no skin's, hair's or backdrop's: a person
/// looks, in the mirror image too.
#[test]
fn coloured_earrings_are_never_approved() {
    let bytes = sample("london_013_03.jpg");
    let r = check("london_013_03.jpg", &bytes);
    assert_eq!(r.verdict, Verdict::Review, "failed {:?} review {:?}", r.failed, r.review);
    assert_eq!(r.review, ["JW001"], "for the earrings alone");
    assert!(find(&r, "JW001").measured.unwrap() >= 1.0);
    let m = check("london_013_03_mirror.jpg", &mirrored(&bytes));
    assert_eq!((m.verdict, m.review.clone()), (Verdict::Review, vec!["JW001"]), "mirror: failed {:?}", m.failed);
}

/// London 043_03 wears small silver studs in both ears, and nothing else in the notice is broken:
/// before glints were looked for it was approved (their grey is hair's and shadow's). The stud's
/// specular point is brighter than everything a few pixels around it, which no skin highlight or
/// fold is: a person looks, in the mirror image too.
#[test]
fn silver_studs_are_never_approved() {
    let bytes = sample("london_043_03.jpg");
    let r = check("london_043_03.jpg", &bytes);
    assert_eq!((r.verdict, r.review.clone()), (Verdict::Review, vec!["JW001"]), "failed {:?}", r.failed);
    let m = check("london_043_03_mirror.jpg", &mirrored(&bytes));
    assert_eq!((m.verdict, m.review.clone()), (Verdict::Review, vec!["JW001"]), "mirror: failed {:?}", m.failed);
}

/// A stud 1/80 of the height painted on London 032_03's left or right earlobe, gold or blue:
/// review; so is a dark stud with a white highlight a pixel across (a metal stud's glint), and
/// (since stop 52) a flat grey, black or pearl one. The same disc in the lobe's own colour leaves
/// the compliant portrait approved.
#[test]
fn a_stud_painted_on_an_earlobe_goes_to_review() {
    let bytes = sample("london_032_03.jpg");
    let plain = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let painted = |centre: (f32, f32), colour: [u8; 3], highlight: bool| {
        let mut img = plain.clone();
        for (x, y, p) in img.enumerate_pixels_mut() {
            let r = (x as f32 - centre.0).hypot(y as f32 - centre.1);
            if highlight && r <= 1.0 {
                *p = image::Rgb([250, 250, 250]);
            } else if r <= 5.0 {
                *p = image::Rgb(colour);
            }
        }
        check("stud.jpg", &keeping_exif(&img, 95, &bytes))
    };
    let with_stud = |centre: (f32, f32), colour: [u8; 3]| painted(centre, colour, false);
    for (centre, colour) in [((145.0, 412.0), [225, 185, 40]), ((463.0, 398.0), [225, 185, 40]), ((145.0, 412.0), [40, 110, 200])] {
        let r = with_stud(centre, colour);
        assert_eq!((r.verdict, r.review.clone()), (Verdict::Review, vec!["JW001"]), "{colour:?} at {centre:?}: failed {:?}", r.failed);
    }
    for centre in [(145.0, 412.0), (463.0, 398.0)] {
        let r = painted(centre, [60, 60, 65], true);
        assert_eq!((r.verdict, r.review.clone()), (Verdict::Review, vec!["JW001"]), "glint at {centre:?}: failed {:?}", r.failed);
    }
    // Flat grey metal, a black stud and a pearl: no colour of their own and no glint, but each a
    // disc of one even colour set apart from the lobe all round (since stop 52; the stop-51 build
    // approved all three).
    for colour in [[190, 190, 195], [25, 25, 30], [236, 230, 218]] {
        let r = with_stud((145.0, 412.0), colour);
        assert_eq!((r.verdict, r.review.clone()), (Verdict::Review, vec!["JW001"]), "{colour:?}: failed {:?}", r.failed);
    }
    let lobe = plain.get_pixel(150, 420).0;
    let r = with_stud((145.0, 412.0), lobe);
    assert_eq!(r.verdict, Verdict::Approve, "{lobe:?}: failed {:?} review {:?}", r.failed, r.review);
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

#[test]
fn the_compliant_portrait_at_the_smallest_upload_size_is_approved() {
    // 600x800 scaled to 520 px wide is 520x693 (0.7504): the half pixel the resize rounds off is
    // not a wrong shape.
    let bytes = sample("london_032_03.jpg");
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let small = image::imageops::resize(&img, 520, 693, image::imageops::FilterType::Triangle);
    let r = check("london_032_03_520.jpg", &keeping_exif(&small, 95, &bytes));
    assert_eq!(find(&r, "IQ002").outcome, Outcome::Pass, "{:?}", find(&r, "IQ002"));
    assert_eq!(r.verdict, Verdict::Approve, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn the_compliant_portrait_on_a_light_grey_backdrop_or_heavily_compressed_is_not_approved() {
    let bytes = sample("london_032_03.jpg");
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // The white backdrop (near-white pixels joined to the frame's border) repainted light grey:
    // every backdrop cell still counts as white for BG001 (from 190), BG004 reads the level.
    let (w, h) = img.dimensions();
    let mut grey = img.clone();
    let mut seen = vec![false; (w * h) as usize];
    let mut stack: Vec<(u32, u32)> = (0..w).flat_map(|x| [(x, 0), (x, h - 1)]).chain((0..h).flat_map(|y| [(0, y), (w - 1, y)])).collect();
    while let Some((x, y)) = stack.pop() {
        let i = (y * w + x) as usize;
        if seen[i] || img.get_pixel(x, y).0.iter().any(|&c| c < 225) {
            continue;
        }
        seen[i] = true;
        grey.put_pixel(x, y, image::Rgb([195, 195, 195]));
        stack.extend([(x.wrapping_sub(1), y), (x + 1, y), (x, y.wrapping_sub(1)), (x, y + 1)].into_iter().filter(|&(x, y)| x < w && y < h));
    }
    let r = check("london_032_03_grey.jpg", &keeping_exif(&grey, 95, &bytes));
    assert_eq!(find(&r, "BG001").outcome, Outcome::Pass, "BG001 alone lets a light grey backdrop through");
    assert_ne!(find(&r, "BG004").outcome, Outcome::Pass, "{:?}", find(&r, "BG004"));
    assert_ne!(r.verdict, Verdict::Approve);

    // Re-encoded at JPEG quality 30: IQ006 is mandatory since profile 2026.12.6.
    let r = check("london_032_03_q30.jpg", &keeping_exif(&img, 30, &bytes));
    assert_eq!(find(&r, "IQ006").outcome, Outcome::Fail, "{:?}", find(&r, "IQ006"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_flat_cover_over_the_mouth_and_chin_is_not_approved_although_the_meshes_place_lips_under_it() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "MK002").outcome, Outcome::Pass, "{:?}", find(&r, "MK002"));
    let photocheck::report::Region::Box { x, y, width, height } = r.faces[0].region.clone() else { panic!("a box") };
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // A light blue patch from just below the nose to below the chin, like a surgical mask drawn
    // flat: the mask classifier does not take it for a mask, and the meshes still read a closed
    // mouth under it.
    for py in (y + 0.58 * height) as u32..((y + 1.12 * height) as u32).min(img.height()) {
        for px in (x + 0.12 * width) as u32..(x + 0.88 * width) as u32 {
            img.put_pixel(px, py, image::Rgb([150, 195, 225]));
        }
    }
    let r = check("london_032_03_covered.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "MK002").outcome, Outcome::Fail, "{:?}", find(&r, "MK002"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_patch_over_one_eye_is_not_approved_although_the_meshes_place_an_open_eye_under_it() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "EY002").outcome, Outcome::Pass, "{:?}", find(&r, "EY002"));
    let (x0, y0, x1, y1) = photocheck::imaging::bounds(&r.faces[0].primary.as_ref().expect("the primary face").eye_contours[0]);
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (rx, ry) = (0.8 * (x1 - x0), 1.6 * (y1 - y0));
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // A dark grey oval over the subject's right eye, like an eye patch or a sticker: the meshes
    // still read an open eye under it (EY001 passed such patches on 16 of 42 London ready
    // portraits).
    let centre = (cx.round() as i32, cy.round() as i32);
    imageproc::drawing::draw_filled_ellipse_mut(&mut img, centre, rx.round() as i32, ry.round() as i32, image::Rgb([45, 45, 50]));
    let r = check("london_032_03_eye_patch.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "EY002").outcome, Outcome::Fail, "{:?}", find(&r, "EY002"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_sticker_on_a_cheek_is_not_approved_although_every_landmark_is_found_under_it() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "MK003").outcome, Outcome::Pass, "{:?}", find(&r, "MK003"));
    let photocheck::report::Region::Box { x, y, width, height } = r.faces[0].region.clone() else { panic!("a box") };
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // A pink disc 0.16 face widths across on the subject's right cheek (image left): the meshes
    // and every other face check read the face around it as they did (a coloured disc like it
    // was approved on 27 of the 42 compliant London ready portraits).
    let centre = ((x + 0.28 * width).round() as i32, (y + 0.62 * height).round() as i32);
    imageproc::drawing::draw_filled_circle_mut(&mut img, centre, (0.08 * width).round() as i32, image::Rgb([230, 90, 150]));
    let r = check("london_032_03_sticker.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "MK003").outcome, Outcome::Fail, "{:?}", find(&r, "MK003"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_pixelated_square_on_the_face_is_not_approved_although_it_keeps_the_face_colours() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "RT007").outcome, Outcome::Pass, "{:?}", find(&r, "RT007"));
    let photocheck::report::Region::Box { x, y, width, height } = r.faces[0].region.clone() else { panic!("a box") };
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // A square 0.25 face widths across beside the nose, pixelated into blocks of about 8 px (its
    // colours and the steps between blocks kept: such squares were approved on 38 of the 42
    // compliant London ready portraits; MK003 and IQ004 read them as a face).
    let side = (0.25 * width).round() as u32;
    let (left, top) = ((x + 0.55 * width).round() as u32, (y + 0.45 * height).round() as u32);
    let square = image::imageops::crop_imm(&img, left, top, side, side).to_image();
    let blocks = image::imageops::resize(&square, side / 8, side / 8, image::imageops::FilterType::Triangle);
    let mosaic = image::imageops::resize(&blocks, side, side, image::imageops::FilterType::Nearest);
    image::imageops::replace(&mut img, &mosaic, left as i64, top as i64);
    let r = check("london_032_03_pixelated.jpg", &keeping_exif(&img, 92, &bytes));
    assert_eq!(find(&r, "RT007").outcome, Outcome::Fail, "{:?}", find(&r, "RT007"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_blurred_patch_on_the_cheek_is_not_approved_although_it_keeps_the_face_colours_and_shape() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "RT008").outcome, Outcome::Pass, "{:?}", find(&r, "RT008"));
    assert_eq!(r.verdict, Verdict::Approve, "failed {:?} review {:?}", r.failed, r.review);
    let photocheck::report::Region::Box { x, y, width, height } = r.faces[0].region.clone() else { panic!("a box") };
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    // An ellipse 0.3 x 0.22 face widths on the subject's left cheek, blurred (Gaussian, σ 4 px)
    // with a soft edge: local blurs like it were approved on 117 of 126 variants of the compliant
    // London ready portraits before RT008.
    let blurred = image::imageops::blur(&img, 4.0);
    let (cx, cy) = (x + 0.68 * width, y + 0.58 * height);
    let (rx, ry) = (0.15 * width, 0.11 * width);
    for py in (cy - ry - 4.0) as u32..(cy + ry + 4.0) as u32 {
        for px in (cx - rx - 4.0) as u32..(cx + rx + 4.0) as u32 {
            let d = ((px as f32 - cx) / rx).hypot((py as f32 - cy) / ry);
            // Full blur inside 0.85 of the ellipse, fading out to its edge.
            let k = ((1.0 - d) / 0.15).clamp(0.0, 1.0);
            if k > 0.0 {
                let (a, b) = (img.get_pixel(px, py).0, blurred.get_pixel(px, py).0);
                let mix = |i: usize| (a[i] as f32 * (1.0 - k) + b[i] as f32 * k).round() as u8;
                img.put_pixel(px, py, image::Rgb([mix(0), mix(1), mix(2)]));
            }
        }
    }
    let r = check("london_032_03_blurred.jpg", &keeping_exif(&img, 92, &bytes));
    let rt008 = find(&r, "RT008");
    assert_eq!(rt008.outcome, Outcome::Fail, "{rt008:?}");
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_small_white_or_black_sticker_on_the_face_is_not_approved() {
    // Stickers 0.03-0.12 face widths across, white or black ones most of all, kept the face's
    // shape and most of its colour, so the meshes and MK003 read through them: 63 of 126 varied
    // stickers on the approved London ready portraits were approved before MK004.
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "MK004").outcome, Outcome::Pass, "{:?}", find(&r, "MK004"));
    assert_eq!(r.verdict, Verdict::Approve, "failed {:?} review {:?}", r.failed, r.review);
    let photocheck::report::Region::Box { x, y, width, height } = r.faces[0].region.clone() else { panic!("a box") };
    for (colour, (u, v)) in [([250u8, 250, 250], (0.3, 0.62)), ([20u8, 20, 20], (0.7, 0.45))] {
        let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
        // A disc 0.05 face widths in radius on one cheek or the other (the detector's box starts
        // at the brows: the eyes are near its top), its edge anti-aliased (4 x 4 samples a pixel).
        let (cx, cy, radius) = (x + u * width, y + v * height, 0.05 * width);
        for py in (cy - radius - 2.0) as u32..(cy + radius + 2.0) as u32 {
            for px in (cx - radius - 2.0) as u32..(cx + radius + 2.0) as u32 {
                let covered = (0..16)
                    .filter(|k| {
                        let (sx, sy) = (px as f32 + (k % 4) as f32 / 4.0 + 0.125, py as f32 + (k / 4) as f32 / 4.0 + 0.125);
                        (sx - cx).hypot(sy - cy) <= radius
                    })
                    .count() as f32
                    / 16.0;
                let p = img.get_pixel_mut(px, py);
                for c in 0..3 {
                    p.0[c] = (p.0[c] as f32 * (1.0 - covered) + colour[c] as f32 * covered).round() as u8;
                }
            }
        }
        let r = check("london_032_03_sticker.jpg", &keeping_exif(&img, 92, &bytes));
        let mk004 = find(&r, "MK004");
        assert_eq!(mk004.outcome, Outcome::Fail, "{colour:?} {mk004:?}");
        assert_eq!(r.verdict, Verdict::Reject, "{colour:?} failed {:?} review {:?}", r.failed, r.review);
    }
}

#[test]
fn thin_frames_drawn_around_the_eyes_are_not_approved() {
    // GL001's learned head leans on the appearance network, which misses thin frames on a studio
    // portrait; GL003, the hand-made frame model alone, is the backstop.
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "GL003").outcome, Outcome::Pass, "{:?}", find(&r, "GL003"));
    let landmarks = &r.faces[0].primary.as_ref().expect("the chosen face").landmarks;
    let point = |i: usize| (landmarks[i].x, landmarks[i].y);
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let mut eyes = Vec::new();
    for (outer, inner) in [(33, 133), (263, 362)] {
        let ((ox, oy), (ix, iy)) = (point(outer), point(inner));
        eyes.push(((ox + ix) / 2.0, (oy + iy) / 2.0, (ox - ix).hypot(oy - iy)));
    }
    // Dark brown rims 3 px thick, 1.7 eye widths across and 1.1 high, and a bridge between them.
    let frame = [70u8, 45, 30];
    for &(cx, cy, ew) in &eyes {
        let (half_w, half_h) = (0.85 * ew, 0.55 * ew);
        for y in (cy - half_h) as u32..=(cy + half_h) as u32 {
            for x in (cx - half_w) as u32..=(cx + half_w) as u32 {
                let (dx, dy) = ((x as f32 - cx).abs(), (y as f32 - cy).abs());
                if dx > half_w - 3.0 || dy > half_h - 3.0 {
                    img.put_pixel(x, y, image::Rgb(frame));
                }
            }
        }
    }
    let ((rx, ry, rw), (lx, ly, lw)) = (eyes[0], eyes[1]);
    let (x0, x1) = ((rx.min(lx) + 0.85 * rw.min(lw)) as u32, (rx.max(lx) - 0.85 * rw.min(lw)) as u32);
    let yb = ((ry + ly) / 2.0 - 0.2 * rw) as u32;
    for x in x0..=x1 {
        for y in yb - 1..=yb + 1 {
            img.put_pixel(x, y, image::Rgb(frame));
        }
    }
    let r = check("london_032_03_glasses.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "GL003").outcome, Outcome::Fail, "{:?}", find(&r, "GL003"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn thin_gold_rims_without_a_bridge_are_not_approved() {
    // Thin oval rims of a colour close to skin's, no bridge, no temples: GL001's head and GL003's
    // bridge and lower-rim lines pass them (0.02 and 0.10 when this test was written); GL004, a
    // rim closing around each eye, does not.
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "GL004").outcome, Outcome::Pass, "{:?}", find(&r, "GL004"));
    assert_eq!(r.verdict, Verdict::Approve, "failed {:?} review {:?}", r.failed, r.review);
    let landmarks = &r.faces[0].primary.as_ref().expect("the chosen face").landmarks;
    let point = |i: usize| (f64::from(landmarks[i].x), f64::from(landmarks[i].y));
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let gold = [190.0, 170.0, 120.0];
    for (outer, inner) in [(33, 133), (263, 362)] {
        let ((ox, oy), (ix, iy)) = (point(outer), point(inner));
        let (cx, cy, ew) = ((ox + ix) / 2.0, (oy + iy) / 2.0, (ox - ix).hypot(oy - iy));
        let (half_w, half_h) = (0.9 * ew, 0.55 * ew);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let d = ((f64::from(x) - cx) / half_w).hypot((f64::from(y) - cy - 0.05 * ew) / half_h);
            // 2 px thick, 80 % opaque.
            if d <= 1.0 && d > 1.0 - 2.0 / half_h {
                for c in 0..3 {
                    p.0[c] = (0.2 * f64::from(p.0[c]) + 0.8 * gold[c]).round() as u8;
                }
            }
        }
    }
    let r = check("london_032_03_gold_rims.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "GL004").outcome, Outcome::Fail, "{:?}", find(&r, "GL004"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_portrait_smeared_by_motion_or_grainy_is_not_approved() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "IQ004").outcome, Outcome::Pass, "{:?}", find(&r, "IQ004"));
    assert_eq!(find(&r, "IQ007").outcome, Outcome::Pass, "{:?}", find(&r, "IQ007"));
    let photocheck::report::Region::Box { width: face_width, .. } = r.faces[0].region.clone() else { panic!("a box") };
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let (w, h) = img.dimensions();

    // Camera shake: each pixel the mean of a horizontal run of 2.5 % of the face width. Over all
    // directions at once (IQ004 until profile 2026.12.11) smears of 2-3 % read 0.23-0.39 on the
    // London ready portraits, overlapping sharp ones (0.38-0.54); in the weakest direction
    // 0.17-0.29 against 0.33-0.48.
    let run = (0.025 * face_width).round() as i64;
    let mut smeared = img.clone();
    for y in 0..h {
        for x in 0..w as i64 {
            let mut sum = [0u32; 3];
            for k in 0..run {
                let p = img.get_pixel((x + k - run / 2).clamp(0, w as i64 - 1) as u32, y).0;
                (0..3).for_each(|c| sum[c] += p[c] as u32);
            }
            smeared.put_pixel(x as u32, y, image::Rgb(sum.map(|v| (v / run as u32) as u8)));
        }
    }
    let r = check("london_032_03_shaken.jpg", &keeping_exif(&smeared, 95, &bytes));
    assert_eq!(find(&r, "IQ004").outcome, Outcome::Fail, "{:?}", find(&r, "IQ004"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);

    // Grain: Gaussian noise of σ 20 grey levels on every channel (seeded, Box-Muller).
    let mut rng = photocheck::calibrate::fit::SplitMix(20261204);
    let mut unit = || ((rng.next() >> 11) as f64 / (1u64 << 53) as f64).max(1e-12);
    let mut grainy = img.clone();
    for p in grainy.pixels_mut() {
        for c in 0..3 {
            let n = (-2.0 * unit().ln()).sqrt() * (std::f64::consts::TAU * unit()).cos() * 20.0;
            p.0[c] = (p.0[c] as f64 + n).round().clamp(0.0, 255.0) as u8;
        }
    }
    let r = check("london_032_03_grainy.jpg", &keeping_exif(&grainy, 90, &bytes));
    assert_eq!(find(&r, "IQ007").outcome, Outcome::Fail, "{:?}", find(&r, "IQ007"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_small_photo_enlarged_to_the_minimum_size_is_not_approved_and_a_good_one_enlarged_still_is() {
    use image::imageops::{resize, FilterType};
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "IQ008").outcome, Outcome::Pass, "{:?}", find(&r, "IQ008"));
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let (w, h) = img.dimensions();

    // Shrunk to 300 px wide and enlarged back: the width passes IQ001, the detail is that of a
    // 300 px photo. Enlarged from 240-280 px (bilinear, bicubic or Lanczos) the London ready
    // portraits read 0.26-0.42, as taken 0.515 and more (README "Enlarged photos and colour casts
    // on the face").
    let small = resize(&img, 300, 300 * h / w, FilterType::Triangle);
    let enlarged = resize(&small, w, h, FilterType::CatmullRom);
    let r = check("london_032_03_enlarged.jpg", &keeping_exif(&enlarged, 92, &bytes));
    assert_eq!(find(&r, "IQ001").outcome, Outcome::Pass, "{:?}", find(&r, "IQ001"));
    assert_eq!(find(&r, "IQ008").outcome, Outcome::Fail, "{:?}", find(&r, "IQ008"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);

    // Doubled: the photo still has all the detail of its own 600 px, more than the minimum width
    // needs, so IQ008 (read at the minimum width's scale) passes it.
    let doubled = resize(&img, 2 * w, 2 * h, FilterType::CatmullRom);
    let r = check("london_032_03_doubled.jpg", &keeping_exif(&doubled, 92, &bytes));
    assert_eq!(find(&r, "IQ008").outcome, Outcome::Pass, "{:?}", find(&r, "IQ008"));
}

#[test]
fn a_green_cast_on_the_face_alone_is_not_approved() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "IQ009").outcome, Outcome::Pass, "{:?}", find(&r, "IQ009"));
    let photocheck::report::Region::Box { x, y, width, height } = r.faces[0].region.clone() else { panic!("a box") };
    let (x, y, width, height) = (f64::from(x), f64::from(y), f64::from(width), f64::from(height));
    let (cx, cy) = (x + width / 2.0, y + height / 2.0);
    // Red and blue down by 18 and 15 %, green up 5 %, under a soft oval around the face: the
    // backdrop stays white, so only the skin's hue shows it (the probe of stop 42: 26 of the 42
    // approved London portraits stayed approved before IQ009).
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    for (px, py, p) in img.enumerate_pixels_mut() {
        let (dx, dy) = ((px as f64 - cx) / (0.7 * width), (py as f64 - cy) / (0.8 * height));
        let weight = (-(dx * dx + dy * dy)).exp();
        for (c, gain) in [(0, 0.82), (1, 1.05), (2, 0.85)] {
            p.0[c] = (p.0[c] as f64 * (1.0 + weight * (gain - 1.0))).round().min(255.0) as u8;
        }
    }
    let r = check("london_032_03_green.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "IQ009").outcome, Outcome::Fail, "{:?}", find(&r, "IQ009"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}

#[test]
fn a_posterised_portrait_is_not_approved() {
    let bytes = sample("london_032_03.jpg");
    let r = check("london_032_03.jpg", &bytes);
    assert_eq!(find(&r, "IQ010").outcome, Outcome::Pass, "{:?}", find(&r, "IQ010"));
    // Each channel cut to its top 4 bits (16 levels), then saved at JPEG q95, whose noise spreads
    // each level a little but leaves the comb (the probe of stop 42: 31 of the 42 approved London
    // portraits posterised to 3-4 bits stayed approved before IQ010).
    let mut img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    for p in img.pixels_mut() {
        p.0 = p.0.map(|v| (v & 0xF0) | 0x08);
    }
    let r = check("london_032_03_posterised.jpg", &keeping_exif(&img, 95, &bytes));
    assert_eq!(find(&r, "IQ010").outcome, Outcome::Fail, "{:?}", find(&r, "IQ010"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
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

#[test]
fn the_colours_checked_are_the_colours_the_embedded_profile_shows() {
    use moxcms::{ColorProfile, Layout, TransformOptions};
    use photocheck::colour_profile::{jpeg_with_profile, yellowing_profile, Handling};
    let with_icc = |jpeg: &[u8], icc: &[u8]| jpeg_with_profile(jpeg, icc).expect("a JPEG");
    let bytes = sample("london_032_03.jpg");
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let handling = |r: &photocheck::Report| r.image.as_ref().and_then(|i| i.colour_profile.as_ref()).map(|p| p.handling);

    // Stored as a phone stores it: Display P3 numbers with the Display P3 profile. Shown as the
    // original; approved as the original is.
    let p3 = ColorProfile::new_display_p3();
    let to_p3 = ColorProfile::new_srgb().create_transform_8bit(Layout::Rgb, &p3, Layout::Rgb, TransformOptions::default()).unwrap();
    let mut p3_numbers = img.clone();
    to_p3.transform(img.as_raw(), &mut p3_numbers).unwrap();
    let r = check("london_032_03_p3.jpg", &with_icc(&keeping_exif(&p3_numbers, 95, &bytes), &p3.encode().unwrap()));
    assert_eq!(handling(&r), Some(Handling::Converted));
    assert_eq!(r.verdict, Verdict::Approve, "failed {:?} review {:?}", r.failed, r.review);

    // The original numbers under a profile whose blue is weak: every viewer shows the white
    // backdrop yellow (246, 246, 187 in a corner). Read as numbers it was approved.
    let r = check("london_032_03_yellow.jpg", &with_icc(&keeping_exif(&img, 95, &bytes), &yellowing_profile()));
    assert_eq!(handling(&r), Some(Handling::Converted));
    assert_eq!(find(&r, "BG001").outcome, Outcome::Fail, "{:?}", find(&r, "BG001"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);

    // A profile nobody can read: how the photo is shown is unknown, and the applicant is told
    // to save it as an ordinary JPEG.
    let r = check("london_032_03_junk_profile.jpg", &with_icc(&keeping_exif(&img, 95, &bytes), &[0x5Au8; 300]));
    assert_eq!(handling(&r), Some(Handling::NotApplied));
    assert_eq!(find(&r, "IQ011").outcome, Outcome::Fail, "{:?}", find(&r, "IQ011"));
    assert_eq!(r.verdict, Verdict::Reject, "failed {:?} review {:?}", r.failed, r.review);
}
