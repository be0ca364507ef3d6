//! Whole-pipeline and per-stage timings on a 520×756 portrait (the upload size the profile asks
//! for), single-threaded, models loaded once. Run: `cargo bench --bench pipeline`.

use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use image::RgbImage;
use photocheck::analysis::{analyse, detect_faces, fit_mesh, landmark_crop};
use photocheck::decode::{decode, DecodeLimits};
use photocheck::models::ModelSet;
use photocheck::{CheckOptions, Checker, Lang, Profile};

fn upload_photo() -> Vec<u8> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let img = image::open(root.join("sample_photos/grace_hopper.jpg")).expect("sample").to_rgb8();
    // Hopper is 512×600; crop to 3:4 portrait and scale to the 520×756 upload size.
    let cropped = image::imageops::crop_imm(&img, 50, 0, 412, 600).to_image();
    let resized: RgbImage = image::imageops::resize(&cropped, 520, 756, image::imageops::FilterType::Triangle);
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
    resized.write_with_encoder(enc).expect("encode");
    out
}

fn benches(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let models = Arc::new(ModelSet::load(&root.join("models")).expect("models"));
    let checker = Checker::new(models.clone(), Arc::new(Profile::default_profile()));
    let opts =
        CheckOptions { as_of: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc(), lang: Lang::En };
    let bytes = upload_photo();
    let limits = DecodeLimits::default();

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(30);
    g.measurement_time(std::time::Duration::from_secs(4));
    g.bench_function("check_520x756_total", |b| b.iter(|| checker.check_bytes("bench.jpg", &bytes, &opts)));
    g.bench_function("stage_decode", |b| b.iter(|| decode(&bytes, &limits).unwrap()));
    let photo = decode(&bytes, &limits).unwrap();
    let image = photocheck::imaging::Pyramid::new(photo.rgb.clone());
    let crop = photocheck::imaging::Affine::square_crop(photocheck::imaging::Point::new(260.0, 300.0), 400.0, 0.1, 192, false);
    g.bench_function("sample_crop_192", |b| b.iter(|| photocheck::imaging::sample_planar(&image, &crop, 192, 192, [0.0; 3])));
    g.bench_function("stage_detect", |b| b.iter(|| detect_faces(&models, &image).unwrap()));
    let faces = detect_faces(&models, &image).unwrap();
    g.bench_function("stage_mesh_two_pass", |b| b.iter(|| fit_mesh(&models, &image, &faces[0]).unwrap()));
    let mesh = fit_mesh(&models, &image, &faces[0]).unwrap();
    let (centre, side, angle) = landmark_crop(&mesh.points).unwrap();
    // The hand search when its gate opens: the palm detector on the whole photo, and the hand
    // landmark network on each palm from the pipeline's score (on this portrait: whatever the
    // palm model finds).
    let palm_score = photocheck::analysis::PALM_SCORE;
    g.bench_function("stage_hand_search", |b| b.iter(|| models.hands.find(&image, palm_score).unwrap()));
    g.bench_function("stage_attention_mesh", |b| b.iter(|| models.attention_mesh.run(&image, centre, side, angle).unwrap()));
    let det = &faces[0];
    // The appearance network (mask classifier + embedding) at its 160 px input; where the crop
    // sits does not change the cost.
    g.bench_function("stage_appearance", |b| b.iter(|| models.appearance.run(&image, det.centre(), 1.3 * det.height).unwrap()));
    g.bench_function("stage_text_detector", |b| b.iter(|| models.text.run(&image).unwrap()));
    // The second pass over the band below the chin (608×288 whatever the band's size).
    let band_top = 0.6 * image.base().height() as f32;
    g.bench_function("stage_text_band", |b| b.iter(|| models.text.run_band(&image, band_top).unwrap()));
    // The second pass over the face (256×256 whatever the face's size; never enlarged).
    let (w, h) = (image.base().width() as f32, image.base().height() as f32);
    g.bench_function("stage_text_head", |b| b.iter(|| models.text.run_head(&image, 0.15 * w, 0.15 * h, 0.85 * w, 0.7 * h).unwrap()));
    // The same crop turned 45° either way, as it is and as its relief (four readings).
    g.bench_function("stage_text_head_turned", |b| {
        b.iter(|| models.text.run_head_turned(&image, 0.15 * w, 0.15 * h, 0.85 * w, 0.7 * h).unwrap())
    });
    g.bench_function("stage_segment", |b| b.iter(|| models.segmenter.run(&image).unwrap()));
    // Resampling, `image`'s resize beside `fast_image_resize` (what photocheck uses) with the
    // same kernel: a 12 MP phone photo's head cut scaled to the archive crop (Lanczos-3), and the
    // mark scan's pyramid level of a 12 MP photo (375×500) brought to its 400 px working height.
    let phone_cut = image::imageops::resize(&photo.rgb, 2250, 3270, image::imageops::FilterType::Triangle);
    let archive = photocheck::crop::ARCHIVE_SIZE;
    g.bench_function("resize_archive_crop_image", |b| {
        b.iter(|| image::imageops::resize(&phone_cut, archive.0, archive.1, image::imageops::FilterType::Lanczos3))
    });
    g.bench_function("resize_archive_crop_fast", |b| b.iter(|| photocheck::crop::scale_to(&phone_cut, archive)));
    let scan_level = image::imageops::resize(&photo.rgb, 375, 500, image::imageops::FilterType::Triangle);
    g.bench_function("resize_mark_scan_image", |b| {
        b.iter(|| image::imageops::resize(&scan_level, 300, 400, image::imageops::FilterType::Triangle))
    });
    g.bench_function("resize_mark_scan_fast", |b| {
        b.iter(|| photocheck::imaging::resize(&scan_level, 300, 400, photocheck::imaging::Resample::Bilinear))
    });
    let analysis = analyse(&models, photo).unwrap();
    g.bench_function("stage_rules", |b| b.iter(|| checker.judge("bench.jpg", None, &analysis, &opts)));
    let ctx = photocheck::rules::Context { analysis: &analysis, as_of: opts.as_of, heads: &checker.profile.heads };
    for (spec, rule) in &checker.profile.rules {
        g.bench_function(format!("rule_{}", spec.family), |b| b.iter(|| rule.evaluate(&ctx)));
    }
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
