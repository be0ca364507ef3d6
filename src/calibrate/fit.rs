//! L2-regularised logistic regression, stratified k-fold cross-validation and threshold choice.
//! Small and exact: Newton's method, solved in whichever of sample space or feature space is
//! smaller (a 1280-value embedding and a few hundred photos is the usual shape).

use crate::eval::auc_eer;

/// Features standardised to zero mean and unit variance (constant columns stay zero).
#[derive(Debug, Clone)]
pub struct Standardiser {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Standardiser {
    /// Statistics over all rows. They use no labels, so computing them once before the folds
    /// leaks nothing about the held-out answers.
    pub fn fit(x: &[Vec<f64>]) -> Standardiser {
        let d = x.first().map_or(0, Vec::len);
        let n = x.len().max(1) as f64;
        let mut mean = vec![0.0; d];
        for row in x {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / n;
            }
        }
        let mut var = vec![0.0; d];
        for row in x {
            for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m) / n;
            }
        }
        let scale = var.iter().map(|v| if *v > 1e-12 { 1.0 / v.sqrt() } else { 0.0 }).collect();
        Standardiser { mean, scale }
    }

    pub fn apply(&self, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
        x.iter().map(|row| row.iter().zip(&self.mean).zip(&self.scale).map(|((v, m), s)| (v - m) * s).collect()).collect()
    }
}

/// A fitted linear model in standardised space: logit = bias + weights · z.
#[derive(Debug, Clone)]
pub struct Linear {
    pub weights: Vec<f64>,
    pub bias: f64,
}

impl Linear {
    pub fn logit(&self, z: &[f64]) -> f64 {
        self.bias + self.weights.iter().zip(z).map(|(w, v)| w * v).sum::<f64>()
    }

    /// The same model on raw features: w/σ per feature, with the means folded into the bias.
    pub fn unstandardised(&self, s: &Standardiser) -> Linear {
        let weights: Vec<f64> = self.weights.iter().zip(&s.scale).map(|(w, k)| w * k).collect();
        let bias = self.bias - weights.iter().zip(&s.mean).map(|(w, m)| w * m).sum::<f64>();
        Linear { weights, bias }
    }
}

/// The intercept is an extra constant column; a large constant makes its L2 penalty negligible.
const INTERCEPT_COLUMN: f64 = 10.0;

/// Minimises Σ log(1 + e^(−yᵢ·logitᵢ)) + λ/2·|w|² over standardised rows `z`.
pub fn fit_logistic(z: &[Vec<f64>], y: &[bool], l2: f64) -> Linear {
    fit_logistic_from(z, y, l2, None, None).0
}

/// The sample-space Gram matrix of `z` with the intercept column (n×n, row-major): what
/// [`fit_logistic_from`] needs when there are fewer rows than features. Computed once, it serves
/// every penalty of a grid.
pub fn gram(z: &[Vec<f64>]) -> Vec<f64> {
    let n = z.len();
    let mut k = vec![0.0; n * n];
    for a in 0..n {
        for b in a..n {
            let v = z[a].iter().zip(&z[b]).map(|(p, q)| p * q).sum::<f64>() + INTERCEPT_COLUMN * INTERCEPT_COLUMN;
            k[a * n + b] = v;
            k[b * n + a] = v;
        }
    }
    k
}

/// [`fit_logistic`] with a precomputed [`gram`] of `z` (used only in the sample-space form) and a
/// starting point (the coefficients, intercept last, of a fit with a nearby penalty). Returns the
/// model and its coefficients. The optimum does not depend on either: they only save work.
pub fn fit_logistic_from(z: &[Vec<f64>], y: &[bool], l2: f64, gram_in: Option<&[f64]>, start: Option<Vec<f64>>) -> (Linear, Vec<f64>) {
    let n = z.len();
    let d = z.first().map_or(0, Vec::len) + 1;
    let row = |i: usize, j: usize| if j + 1 == d { INTERCEPT_COLUMN } else { z[i][j] };
    let target: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect();
    let mut beta = start.filter(|b| b.len() == d).unwrap_or_else(|| vec![0.0; d]);
    let objective = |beta: &[f64]| -> f64 {
        let mut loss = 0.0;
        for i in 0..n {
            let t = (0..d).map(|j| row(i, j) * beta[j]).sum::<f64>();
            // log(1 + e^t) − y·t, computed without overflow.
            loss += t.max(0.0) + (-t.abs()).exp().ln_1p() - target[i] * t;
        }
        loss + 0.5 * l2 * beta.iter().map(|b| b * b).sum::<f64>()
    };
    // Sample-space Gram matrix, for the Woodbury form when there are fewer rows than features.
    let dual = n < d;
    let owned: Vec<f64>;
    let gram: &[f64] = match (dual, gram_in) {
        (true, Some(g)) if g.len() == n * n => g,
        (true, _) => {
            owned = gram(z);
            &owned
        }
        (false, _) => &[],
    };
    let mut current = objective(&beta);
    for _ in 0..100 {
        let p: Vec<f64> = (0..n).map(|i| sigmoid((0..d).map(|j| row(i, j) * beta[j]).sum())).collect();
        let mut grad: Vec<f64> = beta.iter().map(|b| l2 * b).collect();
        for i in 0..n {
            let r = p[i] - target[i];
            for (j, g) in grad.iter_mut().enumerate() {
                *g += row(i, j) * r;
            }
        }
        let s: Vec<f64> = p.iter().map(|p| (p * (1.0 - p)).max(1e-12)).collect();
        // Newton step: (XᵀSX + λI)⁻¹ g.
        let step = if dual {
            // (λI + AᵀA)⁻¹ g = (g − Aᵀ(λI + AAᵀ)⁻¹ A g) / λ with A = S^½ X.
            let sq: Vec<f64> = s.iter().map(|v| v.sqrt()).collect();
            let mut u: Vec<f64> = (0..n).map(|i| sq[i] * (0..d).map(|j| row(i, j) * grad[j]).sum::<f64>()).collect();
            let mut m = vec![0.0; n * n];
            for a in 0..n {
                for b in 0..n {
                    m[a * n + b] = sq[a] * gram[a * n + b] * sq[b] + if a == b { l2 } else { 0.0 };
                }
            }
            if !cholesky_solve(&mut m, n, &mut u) {
                break;
            }
            let mut step = grad.clone();
            for i in 0..n {
                let c = sq[i] * u[i];
                for (j, st) in step.iter_mut().enumerate() {
                    *st -= row(i, j) * c;
                }
            }
            step.iter().map(|v| v / l2).collect::<Vec<f64>>()
        } else {
            let mut h = vec![0.0; d * d];
            for i in 0..n {
                for a in 0..d {
                    let ra = row(i, a) * s[i];
                    for b in a..d {
                        h[a * d + b] += ra * row(i, b);
                    }
                }
            }
            for a in 0..d {
                h[a * d + a] += l2;
                for b in 0..a {
                    h[a * d + b] = h[b * d + a];
                }
            }
            let mut g = grad.clone();
            if !cholesky_solve(&mut h, d, &mut g) {
                break;
            }
            g
        };
        // Backtracking keeps each step a descent even far from the optimum.
        let mut t = 1.0;
        let mut improved = false;
        while t > 1e-6 {
            let candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - t * s).collect();
            let value = objective(&candidate);
            if value <= current {
                let gain = current - value;
                beta = candidate;
                current = value;
                improved = gain > 1e-10 * (1.0 + current.abs());
                break;
            }
            t *= 0.5;
        }
        if !improved {
            break;
        }
    }
    let coefficients = beta.clone();
    let bias = beta[d - 1] * INTERCEPT_COLUMN;
    beta.truncate(d - 1);
    (Linear { weights: beta, bias }, coefficients)
}

/// In-place Cholesky of the symmetric positive-definite `m` (n×n), then solves m·x = b into `b`.
fn cholesky_solve(m: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    for j in 0..n {
        let mut diag = m[j * n + j];
        for k in 0..j {
            diag -= m[j * n + k] * m[j * n + k];
        }
        if diag <= 0.0 || !diag.is_finite() {
            return false;
        }
        let diag = diag.sqrt();
        m[j * n + j] = diag;
        for i in j + 1..n {
            let mut v = m[i * n + j];
            for k in 0..j {
                v -= m[i * n + k] * m[j * n + k];
            }
            m[i * n + j] = v / diag;
        }
    }
    for i in 0..n {
        let mut v = b[i];
        for k in 0..i {
            v -= m[i * n + k] * b[k];
        }
        b[i] = v / m[i * n + i];
    }
    for i in (0..n).rev() {
        let mut v = b[i];
        for k in i + 1..n {
            v -= m[k * n + i] * b[k];
        }
        b[i] = v / m[i * n + i];
    }
    true
}

pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// SplitMix64: a tiny, fully specified generator, so folds (and the variant generator's draws)
/// are the same on every platform.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Fold index per row; each class is shuffled with `seed` and dealt round-robin, so every fold
/// holds the same share of positives.
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix(seed);
    let mut fold = vec![0; y.len()];
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        for i in (1..idx.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        for (r, &i) in idx.iter().enumerate() {
            fold[i] = r % k;
        }
    }
    fold
}

/// Stratified folds in which rows of the same group (the same photo content, found twice in
/// one folder or in two labelled folders) always share a fold, so a photo is never scored by a
/// model that saw its copy. Groups are shuffled within their class (a group is positive when any
/// of its rows is) and dealt round-robin.
pub fn grouped_stratified_folds(y: &[bool], groups: &[&str], k: usize, seed: u64) -> Vec<usize> {
    let mut index: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut group_of = Vec::with_capacity(y.len());
    let mut positive: Vec<bool> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let next = index.len();
        let id = *index.entry(g).or_insert(next);
        if id == positive.len() {
            positive.push(false);
        }
        positive[id] |= y[i];
        group_of.push(id);
    }
    let group_fold = stratified_folds(&positive, k, seed);
    group_of.iter().map(|&g| group_fold[g]).collect()
}

/// Out-of-fold probabilities for every penalty of `grid` (in the grid's order): per fold, one
/// Gram matrix serves the whole grid, and each fit starts from the one with the next larger
/// penalty (strong shrinkage converges in a few steps; its solution is a good start for less).
pub fn out_of_fold_grid(z: &[Vec<f64>], y: &[bool], folds: &[usize], k: usize, grid: &[f64]) -> Vec<Vec<f64>> {
    let mut scores = vec![vec![0.0; y.len()]; grid.len()];
    let mut order: Vec<usize> = (0..grid.len()).collect();
    order.sort_by(|&a, &b| grid[b].total_cmp(&grid[a]));
    for f in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
        let zt: Vec<Vec<f64>> = train.iter().map(|&i| z[i].clone()).collect();
        let yt: Vec<bool> = train.iter().map(|&i| y[i]).collect();
        let d = zt.first().map_or(0, Vec::len) + 1;
        let shared = (zt.len() < d && grid.len() > 1).then(|| gram(&zt));
        let mut start = None;
        for &g in &order {
            let (model, coefficients) = fit_logistic_from(&zt, &yt, grid[g], shared.as_deref(), start.take());
            start = Some(coefficients);
            for i in (0..y.len()).filter(|&i| folds[i] == f) {
                scores[g][i] = sigmoid(model.logit(&z[i]));
            }
        }
    }
    scores
}

/// Out-of-fold probabilities: each row scored by the model fitted without its fold.
pub fn out_of_fold(z: &[Vec<f64>], y: &[bool], folds: &[usize], k: usize, l2: f64) -> Vec<f64> {
    let mut scores = vec![0.0; y.len()];
    for f in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
        let zt: Vec<Vec<f64>> = train.iter().map(|&i| z[i].clone()).collect();
        let yt: Vec<bool> = train.iter().map(|&i| y[i]).collect();
        let model = fit_logistic(&zt, &yt, l2);
        for i in (0..y.len()).filter(|&i| folds[i] == f) {
            scores[i] = sigmoid(model.logit(&z[i]));
        }
    }
    scores
}

/// What the chosen threshold should hold to, measured on out-of-fold scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// False rejects and false accepts equal.
    Eer,
    /// At most this share of compliant photos flagged; as many violations caught as possible.
    MaxFalseReject(f64),
    /// At most this share of violations let through; as few compliant photos flagged as possible.
    MaxFalseAccept(f64),
}

impl Target {
    pub fn describe(&self) -> String {
        match self {
            Target::Eer => "eer".into(),
            Target::MaxFalseReject(r) => format!("max_false_reject={r}"),
            Target::MaxFalseAccept(a) => format!("max_false_accept={a}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ThresholdChoice {
    /// p(violation) ≥ threshold flags the photo.
    pub threshold: f64,
    pub tpr: f64,
    pub fpr: f64,
}

/// Picks a threshold midway between neighbouring out-of-fold scores so that it meets `target`.
pub fn choose_threshold(scores: &[f64], y: &[bool], target: Target) -> ThresholdChoice {
    let pos = y.iter().filter(|b| **b).count().max(1) as f64;
    let neg = y.iter().filter(|b| !**b).count().max(1) as f64;
    let mut sorted: Vec<f64> = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let mut cuts = vec![sorted.first().map_or(0.5, |s| s - 1e-6).max(0.0)];
    cuts.extend(sorted.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    cuts.push(sorted.last().map_or(0.5, |s| s + 1e-6).min(1.0));
    let rates = |t: f64| {
        let tp = scores.iter().zip(y).filter(|(s, l)| **l && **s >= t).count() as f64;
        let fp = scores.iter().zip(y).filter(|(s, l)| !**l && **s >= t).count() as f64;
        (tp / pos, fp / neg)
    };
    let mut best: Option<(f64, ThresholdChoice)> = None;
    for t in cuts {
        let (tpr, fpr) = rates(t);
        let cost = match target {
            Target::Eer => ((1.0 - tpr) - fpr).abs(),
            Target::MaxFalseReject(r) if fpr <= r => fpr - tpr,
            Target::MaxFalseAccept(a) if 1.0 - tpr <= a => fpr - tpr,
            _ => continue,
        };
        if best.as_ref().is_none_or(|(c, _)| cost < *c - 1e-12) {
            best = Some((cost, ThresholdChoice { threshold: t, tpr, fpr }));
        }
    }
    // Every target is reachable at one end (flag nothing / flag everything), so `best` is set.
    best.map(|b| b.1).unwrap_or(ThresholdChoice { threshold: 0.5, tpr: 0.0, fpr: 0.0 })
}

/// The lower cut-off of a head's review band: the highest out-of-fold score at or below which at
/// most `max_false_approve` of the violations fall (they would pass clearly), never above the
/// threshold; raised again, if need be, until at most `max_review_share` of the compliant photos
/// land in the band (the review cost). Returns the cut-off, the share of violations at or below
/// it, and the share of compliant photos between it and the threshold.
pub fn choose_review_below(scores: &[f64], y: &[bool], threshold: f64, max_false_approve: f64, max_review_share: f64) -> (f64, f64, f64) {
    let mut positives: Vec<f64> = scores.iter().zip(y).filter(|(_, l)| **l).map(|(s, _)| *s).collect();
    positives.sort_by(f64::total_cmp);
    let pos = positives.len();
    let neg = y.iter().filter(|b| !**b).count().max(1) as f64;
    // Violations allowed to pass clearly: floor(A·pos); the cut sits just below the next one.
    let allowed = (max_false_approve.max(0.0) * pos as f64).floor() as usize;
    let below = match positives.get(allowed) {
        // Just below that violation: midway to the next lower score of either class, so the band
        // holds no more compliant photos than it must.
        Some(&next) => {
            let prev = scores.iter().copied().filter(|s| *s < next).fold(0.0, f64::max);
            ((prev + next) / 2.0).min(next - 1e-6).max(0.0)
        }
        None => threshold,
    }
    .min(threshold);
    let mut below = (below * 1e4).floor() / 1e4;
    // Too costly: the lowest cut that keeps the review share within bounds.
    let mut negatives: Vec<f64> = scores.iter().zip(y).filter(|(s, l)| !**l && **s <= threshold).map(|(s, _)| *s).collect();
    negatives.sort_by(f64::total_cmp);
    let allowed_reviews = (max_review_share.max(0.0) * neg).floor() as usize;
    let in_band = negatives.iter().filter(|s| **s > below).count();
    if in_band > allowed_reviews {
        // Keep only the `allowed_reviews` highest compliant scores in the band.
        let k = negatives.len() - allowed_reviews;
        below = ((negatives[k - 1] * 1e4).ceil() / 1e4).min(threshold);
    }
    // Tighten: the band need reach no lower than its lowest violation (below that it only costs
    // reviews); with no violation in it, it catches nothing and is dropped (cut = threshold).
    below = match positives.iter().copied().find(|s| *s > below && *s <= threshold) {
        Some(lowest) => {
            let prev = scores.iter().copied().filter(|s| *s < lowest).fold(below, f64::max);
            (((prev + lowest) / 2.0 * 1e4).floor() / 1e4).max(below)
        }
        None => threshold,
    };
    let passed = positives.iter().filter(|s| **s <= below).count() as f64 / pos.max(1) as f64;
    let review = scores.iter().zip(y).filter(|(s, l)| !**l && **s > below && **s <= threshold).count() as f64 / neg;
    (below, passed, review)
}

pub fn auc_and_eer(scores: &[f64], y: &[bool]) -> (f64, f64) {
    let scored: Vec<(f64, bool)> = scores.iter().copied().zip(y.iter().copied()).collect();
    let (auc, eer) = auc_eer(&scored);
    (auc.unwrap_or(0.5), eer.unwrap_or(0.5))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Separable data from a known direction; the fit must recover that direction.
    fn synthetic(n: usize, d: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>, Vec<f64>) {
        let mut rng = SplitMix(seed);
        let mut uniform = move || (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        let truth: Vec<f64> = (0..d).map(|j| if j < 3 { [2.0, -1.0, 0.5][j] } else { 0.0 }).collect();
        let mut x = Vec::new();
        let mut y = Vec::new();
        while x.len() < n {
            let row: Vec<f64> = (0..d).map(|_| uniform()).collect();
            let t: f64 = row.iter().zip(&truth).map(|(a, b)| a * b).sum::<f64>() + 0.3;
            if t.abs() < 0.1 {
                continue; // a margin keeps the classes separable
            }
            y.push(t > 0.0);
            x.push(row);
        }
        (x, y, truth)
    }

    fn cosine(a: &[f64], b: &[f64]) -> f64 {
        let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        dot / (a.iter().map(|v| v * v).sum::<f64>().sqrt() * b.iter().map(|v| v * v).sum::<f64>().sqrt())
    }

    #[test]
    fn recovers_a_separating_direction_in_feature_space() {
        let (x, y, truth) = synthetic(400, 5, 7);
        let model = fit_logistic(&x, &y, 0.01);
        assert!(cosine(&model.weights, &truth) > 0.98, "{:?}", model.weights);
        let correct = x.iter().zip(&y).filter(|(r, l)| (model.logit(r) > 0.0) == **l).count();
        assert!(correct as f64 / x.len() as f64 > 0.99);
    }

    #[test]
    fn recovers_it_with_more_features_than_rows_and_standardised_folding() {
        // 50 rows, 80 features: the sample-space (Woodbury) Newton path.
        let (x, y, truth) = synthetic(50, 80, 11);
        let s = Standardiser::fit(&x);
        let z = s.apply(&x);
        let model = fit_logistic(&z, &y, 1.0);
        let raw = model.unstandardised(&s);
        // Folding the standardisation into the weights gives the same logits.
        for (r, zr) in x.iter().zip(&z) {
            assert!((raw.logit(r) - model.logit(zr)).abs() < 1e-6);
        }
        assert!(cosine(&raw.weights[..3], &truth[..3]) > 0.95, "{:?}", &raw.weights[..3]);
    }

    #[test]
    fn out_of_fold_scores_generalise_on_informative_features() {
        let (x, y, _) = synthetic(200, 80, 12);
        let z = Standardiser::fit(&x).apply(&x);
        let oof = out_of_fold(&z, &y, &stratified_folds(&y, 5, 3), 5, 10.0);
        let (auc, _) = auc_and_eer(&oof, &y);
        assert!(auc > 0.85, "out-of-fold AUC {auc}");
    }

    #[test]
    fn uninformative_features_score_near_chance_out_of_fold() {
        let (x, _, _) = synthetic(200, 50, 5);
        let mut rng = SplitMix(99);
        let y: Vec<bool> = (0..x.len()).map(|_| rng.next() % 2 == 0).collect();
        let z = Standardiser::fit(&x).apply(&x);
        let oof = out_of_fold(&z, &y, &stratified_folds(&y, 5, 1), 5, 10.0);
        let (auc, _) = auc_and_eer(&oof, &y);
        assert!((0.35..0.65).contains(&auc), "AUC {auc} on random labels");
    }

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let y: Vec<bool> = (0..50).map(|i| i % 5 == 0).collect();
        let groups: Vec<String> = (0..y.len()).map(|i| format!("{}", i % 17)).collect();
        let g: Vec<&str> = groups.iter().map(String::as_str).collect();
        let folds = grouped_stratified_folds(&y, &g, 5, 7);
        for i in 0..y.len() {
            for j in 0..y.len() {
                if g[i] == g[j] {
                    assert_eq!(folds[i], folds[j], "copies share a fold");
                }
            }
        }
        assert!((0..5).all(|f| folds.contains(&f)), "every fold used");
        let a = stratified_folds(&y, 5, 42);
        assert_eq!(a, stratified_folds(&y, 5, 42));
        assert_ne!(a, stratified_folds(&y, 5, 43));
        for f in 0..5 {
            assert_eq!((0..50).filter(|&i| a[i] == f && y[i]).count(), 2);
        }
    }

    #[test]
    fn review_cut_off_lets_through_at_most_the_allowed_share_of_violations() {
        let scores = [0.05, 0.1, 0.2, 0.3, 0.35, 0.6, 0.7, 0.8, 0.9, 0.95];
        let y = [false, false, false, true, false, true, true, true, true, true];
        // No violation may pass clearly: the cut sits below the lowest one (0.3), and the
        // compliant 0.35 (one of four) lands in the band.
        let (below, passed, review) = choose_review_below(&scores, &y, 0.5, 0.0, 1.0);
        assert!(below < 0.3 && below > 0.2, "{below}");
        assert_eq!(passed, 0.0);
        assert!((review - 0.25).abs() < 1e-9, "{review}");
        // Allowing one violation in six through moves the cut above the lowest one.
        let (below, passed, _) = choose_review_below(&scores, &y, 0.5, 1.0 / 6.0 + 1e-9, 1.0);
        assert!(below > 0.3 && passed > 0.0, "{below}");
        // Never above the threshold.
        assert_eq!(choose_review_below(&scores, &y, 0.25, 0.5, 1.0).0, 0.25);
        // No review allowed: the cut moves up past the compliant 0.35, letting the 0.3 through,
        // and a band with no violation in it is dropped.
        let (below, passed, review) = choose_review_below(&scores, &y, 0.5, 0.0, 0.0);
        assert!(below == 0.5 && review == 0.0 && passed > 0.0, "{below} {passed} {review}");
        // A band reaches no lower than its lowest violation: here 0.3, not the 0.2 below it.
        let y2 = [false, false, false, false, true, false, true, true, true, true];
        let (below, _, review) = choose_review_below(&scores, &y2, 0.5, 0.0, 1.0);
        assert!(below > 0.3 && below < 0.35 && review == 0.0, "{below} {review}");
    }

    #[test]
    fn thresholds_meet_their_targets() {
        let scores: Vec<f64> = (0..100).map(|i| i as f64 / 100.0).collect();
        let y: Vec<bool> = (0..100).map(|i| i >= 40 && (i % 7 != 0 || i > 80)).collect();
        let eer = choose_threshold(&scores, &y, Target::Eer);
        assert!(((1.0 - eer.tpr) - eer.fpr).abs() < 0.05, "{eer:?}");
        let fr = choose_threshold(&scores, &y, Target::MaxFalseReject(0.02));
        assert!(fr.fpr <= 0.02, "{fr:?}");
        let fa = choose_threshold(&scores, &y, Target::MaxFalseAccept(0.02));
        assert!(1.0 - fa.tpr <= 0.02, "{fa:?}");
        assert!(fa.threshold <= fr.threshold);
    }
}
