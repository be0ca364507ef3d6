//! Learned attribute heads: small logistic models fitted by `photocheck calibrate` on labelled
//! photos and stored in the profile (`[heads.LABEL]`), with the provenance of their fit.
//!
//! A head scores p(violation) from the pooled appearance embedding of the head crop, from the
//! rule's own hand-made signal, or from both. Standardisation is folded into the stored weights,
//! so a head applies to raw features: score = σ(b + Σ wᵢ·xᵢ).

use serde::{Deserialize, Serialize};

use crate::report::{Band, Threshold};

/// A label column a head can decide, the check it decides, and whether that check measures a
/// hand-made signal the head may use as a feature. Derived from the checks' declarations
/// (`CodeInfo::head`), never listed twice.
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub label: &'static str,
    pub code: &'static str,
    pub has_signal: bool,
    /// A head may read the crown crop's embedding (the attribute sits above the brows).
    pub has_crown: bool,
}

/// Every label a head can decide, in report order.
pub fn attributes() -> impl Iterator<Item = Attribute> {
    crate::rules::declared()
        .filter_map(|(_, c)| c.head.map(|h| Attribute { label: h.label, code: c.code, has_signal: h.signal, has_crown: h.crown }))
}

pub fn attribute(label: &str) -> Option<Attribute> {
    attributes().find(|a| a.label == label)
}

/// Which features a head reads: √ of the 1280 pooled values of the appearance network on the
/// head crop, the same on the crown crop (above the brows; only with the head crop), the check's
/// own measured value (its hand-made signal), or a combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    pub embedding: bool,
    pub signal: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub crown: bool,
}

impl Inputs {
    pub fn uses_embedding(self) -> bool {
        self.embedding
    }
    pub fn uses_signal(self) -> bool {
        self.signal
    }
    pub fn uses_crown(self) -> bool {
        self.embedding && self.crown
    }
    pub fn name(self) -> &'static str {
        match (self.embedding, self.uses_crown(), self.signal) {
            (true, true, true) => "embedding+crown+signal",
            (true, true, false) => "embedding+crown",
            (true, false, true) => "embedding+signal",
            (true, false, false) => "embedding",
            (false, _, _) => "signal",
        }
    }
}

/// Where a head came from, so a reviewer can judge how far to trust it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub labels_file: String,
    /// sha256 over the sorted (file content hash, label) pairs the head was fitted on.
    pub training_set_sha256: String,
    pub fitted_on: String,
    pub positives: usize,
    pub negatives: usize,
    pub folds: usize,
    pub repeats: usize,
    pub seed: u64,
    pub l2: f64,
    /// Out-of-fold figures: every score was made by a model that never saw that photo.
    pub cv_auc: f64,
    pub cv_eer: f64,
    /// The whole procedure (feature set and L2 chosen inside each outer fold) cross-validated:
    /// the estimate to expect on new photos like these.
    #[serde(default)]
    pub nested_cv_auc: f64,
    #[serde(default)]
    pub nested_cv_eer: f64,
    /// How the threshold was chosen: "eer", "max_false_reject=0.05", "max_false_accept=0.02".
    pub target: String,
    pub threshold_tpr: f64,
    pub threshold_fpr: f64,
    /// The review band's lower cut-off: chosen for at most this share of violations passing
    /// clearly (out of fold), and what it cost: the share of compliant photos sent to review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_false_approve: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band_false_approve: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band_review_share: Option<f64>,
    /// CV AUC of every feature set tried, for the record.
    #[serde(default)]
    pub alternatives: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub inputs: Inputs,
    /// p(violation) above this fails the check.
    pub threshold: f64,
    /// p(violation) at or below this passes clearly; between it and `threshold` the check is
    /// `uncertain` and the photo goes to a person. Fitted by `calibrate` for a false-approve
    /// target on out-of-fold scores; absent = no band (the threshold alone decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_below: Option<f64>,
    pub bias: f64,
    /// Training mean of the signal, used when a photo's signal could not be measured.
    #[serde(default)]
    pub signal_mean: f64,
    #[serde(default)]
    pub signal_weight: f64,
    /// One weight per embedding value (empty unless the head reads the embedding).
    #[serde(default)]
    pub embedding_weights: Vec<f32>,
    /// One weight per crown-crop embedding value (empty unless the head reads the crown crop).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crown_weights: Vec<f32>,
    pub provenance: Provenance,
}

pub const EMBEDDING_LEN: usize = 1280;

impl Head {
    pub fn validate(&self) -> Result<(), String> {
        let want = if self.inputs.uses_embedding() { EMBEDDING_LEN } else { 0 };
        if self.embedding_weights.len() != want {
            return Err(format!("{} embedding weights, expected {want}", self.embedding_weights.len()));
        }
        if self.inputs.crown && !self.inputs.embedding {
            return Err("a crown-crop head also reads the head crop (inputs.embedding)".into());
        }
        let want = if self.inputs.uses_crown() { EMBEDDING_LEN } else { 0 };
        if self.crown_weights.len() != want {
            return Err(format!("{} crown weights, expected {want}", self.crown_weights.len()));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(format!("threshold {} is not a probability", self.threshold));
        }
        if let Some(below) = self.review_below {
            if !(0.0..=self.threshold).contains(&below) {
                return Err(format!("review_below {below} must lie between 0 and the threshold {}", self.threshold));
            }
        }
        if !self.bias.is_finite()
            || !self.signal_weight.is_finite()
            || self.embedding_weights.iter().chain(&self.crown_weights).any(|w| !w.is_finite())
        {
            return Err("weights must be finite".into());
        }
        Ok(())
    }

    /// p(violation), or `None` when a feature the head needs is missing.
    pub fn score(&self, embedding: Option<&[f32]>, crown: Option<&[f32]>, signal: Option<f64>) -> Option<f64> {
        let dot = |e: &[f32], weights: &[f32]| {
            (e.len() == weights.len()).then(|| e.iter().zip(weights).map(|(&v, &w)| embedding_feature(v) as f64 * w as f64).sum::<f64>())
        };
        let mut logit = self.bias;
        if self.inputs.embedding {
            logit += dot(embedding?, &self.embedding_weights)?;
        }
        if self.inputs.uses_crown() {
            logit += dot(crown?, &self.crown_weights)?;
        }
        if self.inputs.uses_signal() {
            let s = match signal {
                Some(s) => s,
                // With the embedding there is still evidence; alone, the signal is the evidence.
                None if self.inputs.uses_embedding() => self.signal_mean,
                None => return None,
            };
            logit += self.signal_weight * s;
        }
        Some(sigmoid(logit))
    }

    /// For a signal-only head, the same decision as a threshold on the signal itself, so the
    /// report can keep showing the interpretable value.
    pub fn signal_threshold(&self) -> Option<Threshold> {
        let cut = self.signal_cut(self.threshold)?;
        // Violation when w·s + b ≥ logit(t): above the cut for w > 0, below it for w < 0.
        Some(if self.signal_weight > 0.0 { Threshold::max(cut) } else { Threshold::min(cut) })
    }

    /// The review band of a signal-only head, in the signal's own units.
    pub fn signal_band(&self) -> Option<Band> {
        let fail_outside = self.signal_threshold()?;
        let cut = self.signal_cut(self.review_below.filter(|b| *b < self.threshold)?)?;
        let pass_within = if self.signal_weight > 0.0 { Threshold::max(cut) } else { Threshold::min(cut) };
        Some(Band { pass_within, fail_outside })
    }

    /// The signal value at which a signal-only head gives probability `p`.
    fn signal_cut(&self, p: f64) -> Option<f64> {
        if self.inputs.uses_embedding() || !self.inputs.signal || self.signal_weight == 0.0 {
            return None;
        }
        let t = p.clamp(1e-6, 1.0 - 1e-6);
        // Rounded for display; the signal itself is reported to 3 decimals.
        Some((((t / (1.0 - t)).ln() - self.bias) / self.signal_weight * 1e4).round() / 1e4)
    }
}

/// Pooled activations are non-negative and heavy-tailed; the square root evens them out.
pub fn embedding_feature(v: f32) -> f32 {
    v.max(0.0).sqrt()
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNAL: Inputs = Inputs { embedding: false, signal: true, crown: false };

    fn head(inputs: Inputs, signal_weight: f64, bias: f64) -> Head {
        Head {
            inputs,
            threshold: 0.5,
            review_below: None,
            bias,
            signal_mean: 0.3,
            signal_weight,
            embedding_weights: if inputs.uses_embedding() { vec![0.0; EMBEDDING_LEN] } else { vec![] },
            crown_weights: if inputs.uses_crown() { vec![0.0; EMBEDDING_LEN] } else { vec![] },
            provenance: Provenance {
                labels_file: "x".into(),
                training_set_sha256: "0".into(),
                fitted_on: "2026-11-26".into(),
                positives: 20,
                negatives: 20,
                folds: 5,
                repeats: 1,
                seed: 1,
                l2: 1.0,
                cv_auc: 0.9,
                cv_eer: 0.1,
                nested_cv_auc: 0.88,
                nested_cv_eer: 0.12,
                target: "eer".into(),
                threshold_tpr: 0.9,
                threshold_fpr: 0.1,
                max_false_approve: None,
                band_false_approve: None,
                band_review_share: None,
                alternatives: vec![],
            },
        }
    }

    #[test]
    fn signal_threshold_matches_the_probability_decision() {
        for w in [-4.0, 3.0] {
            let h = head(SIGNAL, w, 1.2);
            let t = h.signal_threshold().unwrap();
            for s in [-1.0, -0.2, 0.0, 0.39, 0.41, 0.8, 2.0] {
                let p = h.score(None, None, Some(s)).unwrap();
                assert_eq!(p >= h.threshold, !t.admits(s), "w {w} s {s} p {p}");
            }
        }
    }

    #[test]
    fn missing_features_are_not_scored_unless_imputable() {
        assert_eq!(head(SIGNAL, 1.0, 0.0).score(None, None, None), None);
        let embedding = Inputs { embedding: true, signal: false, crown: false };
        assert_eq!(head(embedding, 0.0, 0.0).score(None, None, Some(1.0)), None);
        let both = head(Inputs { embedding: true, signal: true, crown: false }, 2.0, 0.0);
        let e = vec![1.0; EMBEDDING_LEN];
        assert!((both.score(Some(&e), None, None).unwrap() - sigmoid(0.6)).abs() < 1e-9);
        assert!(both.validate().is_ok());
        assert!(head(SIGNAL, 1.0, 0.0).validate().is_ok());
    }

    #[test]
    fn a_crown_head_needs_both_crops_and_adds_their_evidence() {
        let mut h = head(Inputs { embedding: true, signal: false, crown: true }, 0.0, -1.0);
        assert!(h.validate().is_ok());
        h.embedding_weights[0] = 0.5;
        h.crown_weights[3] = 2.0;
        let mut e = vec![0.0; EMBEDDING_LEN];
        e[0] = 4.0; // √4 · 0.5 = 1
        let mut c = vec![0.0; EMBEDDING_LEN];
        c[3] = 1.0; // √1 · 2 = 2
        assert!((h.score(Some(&e), Some(&c), None).unwrap() - sigmoid(-1.0 + 1.0 + 2.0)).abs() < 1e-9);
        // Without the crown crop (or with the wrong length) there is no score: not assessed.
        assert_eq!(h.score(Some(&e), None, None), None);
        assert_eq!(h.score(Some(&e), Some(&c[..10]), None), None);
        // The weights must match the inputs.
        h.crown_weights.clear();
        assert!(h.validate().is_err());
        let crown_alone = head(Inputs { embedding: false, signal: true, crown: true }, 1.0, 0.0);
        assert!(crown_alone.validate().is_err());
    }
}
