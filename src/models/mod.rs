//! Model files: locating, verifying (sha256) and loading them once into optimised tract plans.
//! Loading is kept apart from running: a [`ModelSet`] is built once and shared (it is `Sync`),
//! and each stage module only knows how to feed and decode its own network.

pub mod attention_mesh;
pub mod detector;
pub mod hands;
pub mod mask_classifier;
pub mod mesh;
pub mod segmenter;
pub mod text_detector;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;

use crate::error::ModelError;

pub use attention_mesh::{AttentionMesh, EyeLandmarks, RefinedFace};
pub use detector::{Detection, FaceDetector};
pub use hands::{HandCandidate, HandDetector};
pub use mask_classifier::{MaskClassifier, MaskOutput};
pub use mesh::{FaceMesh, MeshResult};
pub use segmenter::{PersonMask, PersonSegmenter};
pub use text_detector::{Axis, HeadReading, TextBox, TextDetector, TurnedReading};

/// An optimised network and a pool of run states: a state keeps its ops' scratch buffers, so
/// reusing one saves reallocating them on every run (each worker thread takes its own).
#[derive(Debug)]
pub(crate) struct Plan {
    plan: Arc<TypedSimplePlan>,
    states: std::sync::Mutex<Vec<TypedSimpleState>>,
}

impl Plan {
    fn new(plan: Arc<TypedSimplePlan>) -> Plan {
        Plan { plan, states: std::sync::Mutex::new(Vec::new()) }
    }
}

/// Every model the analysis needs, loaded once.
pub struct ModelSet {
    /// BlazeFace short range: the applicant's face.
    pub detector: FaceDetector,
    /// BlazeFace full range on the whole frame: small and background faces.
    pub small_face_detector: FaceDetector,
    pub mesh: FaceMesh,
    pub attention_mesh: AttentionMesh,
    pub hands: HandDetector,
    pub segmenter: PersonSegmenter,
    /// The mask classifier, run on the head crop: p(mask) and the embedding the heads read.
    pub appearance: MaskClassifier,
    pub text: TextDetector,
    pub dir: PathBuf,
}

impl std::fmt::Debug for ModelSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelSet").field("dir", &self.dir).finish()
    }
}

impl ModelSet {
    /// Loads and verifies every model in `dir` (which holds `SHA256SUMS`).
    pub fn load(dir: &Path) -> Result<ModelSet, ModelError> {
        let sums = read_sums(dir)?;
        let files = ModelFiles { dir, sums: &sums };
        // Optimising the graphs dominates start-up: do the two halves on two threads.
        let (first, second) = rayon::join(
            || {
                Ok::<_, ModelError>((
                    FaceDetector::load(&files, &detector::SHORT_RANGE)?,
                    FaceDetector::load(&files, &detector::FULL_RANGE)?,
                    FaceMesh::load(&files)?,
                    TextDetector::load(&files)?,
                    HandDetector::load(&files)?,
                ))
            },
            || Ok::<_, ModelError>((PersonSegmenter::load(&files)?, MaskClassifier::load(&files)?, AttentionMesh::load(&files)?)),
        );
        let (detector, small_face_detector, mesh, text, hands) = first?;
        let (segmenter, appearance, attention_mesh) = second?;
        Ok(ModelSet { detector, small_face_detector, mesh, attention_mesh, hands, segmenter, appearance, text, dir: dir.to_path_buf() })
    }

    /// Where the models are looked for, in order: `$PHOTOCHECK_MODELS`, `models/` beside the
    /// executable or one or two levels up (an installed tree or `target/release`), then the source
    /// tree this binary was built from.
    pub fn default_dir() -> PathBuf {
        if let Ok(dir) = std::env::var("PHOTOCHECK_MODELS") {
            return PathBuf::from(dir);
        }
        if let Ok(exe) = std::env::current_exe() {
            for ancestor in exe.ancestors().skip(1).take(4) {
                let candidate = ancestor.join("models");
                if candidate.join("SHA256SUMS").is_file() {
                    return candidate;
                }
            }
        }
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models")
    }
}

pub(crate) struct ModelFiles<'a> {
    dir: &'a Path,
    sums: &'a HashMap<String, String>,
}

impl ModelFiles<'_> {
    /// Reads, verifies and optimises one ONNX file for a fixed input shape.
    pub(crate) fn load(&self, file: &str, input_shape: &[usize]) -> Result<(Plan, Vec<String>), ModelError> {
        let path = self.dir.join(file);
        let bytes = std::fs::read(&path).map_err(|e| ModelError::Missing {
            path: path.clone(),
            hint: format!("{e}; the models ship in the repository's models/ folder (models/reproduce.sh rebuilds them): point PHOTOCHECK_MODELS at it"),
        })?;
        let expected = self.sums.get(file).ok_or_else(|| ModelError::NotListed { dir: self.dir.to_path_buf(), file: file.to_string() })?;
        let actual = hex(&Sha256::digest(&bytes));
        if &actual != expected {
            return Err(ModelError::Checksum { path, expected: expected.clone(), actual });
        }
        let load_err = |e: TractError| ModelError::Load { path: path.clone(), message: format!("{e:#}") };
        let model = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .map_err(load_err)?
            .with_input_fact(0, f32::fact(input_shape).into())
            .map_err(load_err)?;
        let output_names = model
            .output_outlets()
            .map_err(load_err)?
            .iter()
            .map(|o| model.outlet_label(*o).map(str::to_string).unwrap_or_else(|| model.node(o.node).name.clone()))
            .collect();
        let plan = model.into_optimized().map_err(load_err)?.into_runnable().map_err(load_err)?;
        Ok((Plan::new(plan), output_names))
    }
}

/// Position of a named output, so decoding does not depend on the exporter's output order.
pub(crate) fn output_index(names: &[String], wanted: &str, path: &str) -> Result<usize, ModelError> {
    names
        .iter()
        .position(|n| n == wanted)
        .ok_or_else(|| ModelError::Load { path: PathBuf::from(path), message: format!("no output named {wanted} (outputs: {names:?})") })
}

pub(crate) fn run(plan: &Plan, model: &'static str, input: Tensor) -> Result<TVec<TValue>, ModelError> {
    let fail = |e: TractError| ModelError::Run { model, message: format!("{e:#}") };
    // A poisoned pool only means another thread panicked mid-run; its states are still whole.
    let pooled = plan.states.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let mut state = match pooled {
        Some(state) => state,
        None => plan.plan.spawn().map_err(fail)?,
    };
    let outputs = state.run(tvec!(input.into())).map_err(fail)?;
    plan.states.lock().unwrap_or_else(|p| p.into_inner()).push(state);
    Ok(outputs)
}

/// Copies one f32 output out of the run (outputs here are at most a few hundred KB).
pub(crate) fn output(outputs: &TVec<TValue>, index: usize, model: &'static str) -> Result<Vec<f32>, ModelError> {
    let fail = |message: String| ModelError::Run { model, message };
    let value = outputs.get(index).ok_or_else(|| fail(format!("missing output {index}")))?;
    let plain = value.try_as_plain_ram().map_err(|e| fail(format!("{e:#}")))?;
    Ok(plain.as_slice::<f32>().map_err(|e| fail(format!("{e:#}")))?.to_vec())
}

pub(crate) fn nchw_tensor(planar: Vec<f32>, h: usize, w: usize) -> Tensor {
    // The planar buffer is exactly 3*h*w long by construction.
    Tensor::from_shape(&[1, 3, h, w], &planar).expect("planar buffer has 3*h*w values")
}

/// SSD anchor centres of MediaPipe's detectors in unit coordinates: for each (grid, anchors per
/// cell) layer, row by row, every cell's middle repeated per anchor (fixed-size anchors).
pub(crate) fn ssd_anchors(layers: &[(usize, usize)]) -> Vec<crate::imaging::Point> {
    let mut out = Vec::new();
    for &(grid, per_cell) in layers {
        for y in 0..grid {
            for x in 0..grid {
                for _ in 0..per_cell {
                    out.push(crate::imaging::Point::new((x as f32 + 0.5) / grid as f32, (y as f32 + 0.5) / grid as f32));
                }
            }
        }
    }
    out
}

/// An NHWC tensor from planar RGB (the layout `sample_planar` gives), each value times `scale`.
pub(crate) fn nhwc_tensor(planar: &[f32], h: usize, w: usize, scale: f32) -> Result<Tensor, ModelError> {
    let plane = h * w;
    if planar.len() < 3 * plane {
        return Err(ModelError::Run { model: "input", message: format!("expected {} planar values, got {}", 3 * plane, planar.len()) });
    }
    let mut interleaved = vec![0f32; 3 * plane];
    for (i, px) in interleaved.chunks_exact_mut(3).enumerate() {
        for (c, v) in px.iter_mut().enumerate() {
            *v = planar[c * plane + i] * scale;
        }
    }
    Tensor::from_shape(&[1, h, w, 3], &interleaved).map_err(|e| ModelError::Run { model: "input", message: format!("{e:#}") })
}

fn read_sums(dir: &Path) -> Result<HashMap<String, String>, ModelError> {
    let path = dir.join("SHA256SUMS");
    let text = std::fs::read_to_string(&path).map_err(|e| ModelError::Missing {
        path: path.clone(),
        hint: format!("{e}; the models directory must hold SHA256SUMS beside the .onnx files"),
    })?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let sum = parts.next()?;
            let name = parts.next()?.trim_start_matches('*');
            Some((name.to_string(), sum.to_lowercase()))
        })
        .collect())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_model_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.onnx"), b"not a model").unwrap();
        std::fs::write(dir.path().join("SHA256SUMS"), format!("{}  m.onnx\n", "0".repeat(64))).unwrap();
        let sums = read_sums(dir.path()).unwrap();
        let files = ModelFiles { dir: dir.path(), sums: &sums };
        let err = files.load("m.onnx", &[1]).unwrap_err();
        assert!(matches!(err, ModelError::Checksum { .. }));
        assert!(err.to_string().contains("m.onnx"));
    }
}
