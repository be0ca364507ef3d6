//! Profiles: versioned TOML files holding every threshold and every check's severity.
//! The built-in `cn-driving-licence` profile ships inside the binary; a custom profile may
//! `extends` it and override only what differs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::ProfileError;
use crate::heads::{attribute, Head};
use crate::report::{Band, Severity, Threshold};
use crate::rules::{Rule, RuleSpec, REGISTRY};

pub const DEFAULT_PROFILE: &str = "cn-driving-licence";
/// The default is the hand-written base (every threshold and severity) plus the heads that
/// `photocheck calibrate` fitted on the dev photos; the base alone is built in too, as the
/// starting point for an operator's own calibration.
const BUILTIN: &[(&str, &str)] = &[
    (DEFAULT_PROFILE, include_str!("../profiles/cn-driving-licence.toml")),
    ("cn-driving-licence-base", include_str!("../profiles/cn-driving-licence-base.toml")),
];
/// Guards against a profile that (indirectly) extends itself.
const MAX_EXTENDS_DEPTH: usize = 8;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    extends: Option<String>,
}

/// How far either side of a check's limit a measured value is too close to call: a number (the
/// same both sides) or `{ pass = P, fail = F }` (P inside the limit, F beyond it).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum BandWidth {
    Both(f64),
    Sides { pass: f64, fail: f64 },
}

impl BandWidth {
    fn sides(self) -> (f64, f64) {
        match self {
            BandWidth::Both(w) => (w, w),
            BandWidth::Sides { pass, fail } => (pass, fail),
        }
    }
}

/// A parsed profile with its rules built.
pub struct Profile {
    pub name: String,
    pub version: String,
    pub description: String,
    pub severity: BTreeMap<String, Severity>,
    /// Uncertainty bands by check code (`[bands]`), in the check's own units.
    pub bands: BTreeMap<String, BandWidth>,
    pub rules: Vec<(&'static RuleSpec, Box<dyn Rule>)>,
    /// Learned heads by label column; rules consult them through [`crate::rules::Context`].
    pub heads: BTreeMap<String, Head>,
    /// The merged TOML, for `photocheck profile --show`.
    pub source: toml::Table,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile").field("name", &self.name).field("version", &self.version).finish()
    }
}

impl Profile {
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let text = builtin_text(name).ok_or_else(|| ProfileError::Invalid {
            origin: name.to_string(),
            message: format!("no built-in profile named '{name}' (built in: {DEFAULT_PROFILE})"),
        })?;
        Profile::from_toml(text, name)
    }

    pub fn default_profile() -> Profile {
        // The built-in profile is validated by a unit test, so this cannot fail in a release.
        Profile::builtin(DEFAULT_PROFILE).expect("built-in profile is valid")
    }

    /// A profile file, or the name of a built-in one.
    pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
        if builtin_text(name_or_path).is_some() {
            return Profile::builtin(name_or_path);
        }
        let path = Path::new(name_or_path);
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io { path: path.to_path_buf(), source })?;
        Profile::from_toml_in(&text, &path.display().to_string(), path.parent())
    }

    /// A profile's text; `extends` may name a built-in profile only.
    pub fn from_toml(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        Profile::from_toml_in(text, origin, None)
    }

    /// A profile's text; `extends` may also name a profile file, relative to `dir`.
    pub fn from_toml_in(text: &str, origin: &str, dir: Option<&Path>) -> Result<Profile, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid { origin: origin.to_string(), message };
        let (table, header) = merged_table(text, origin, dir, 0)?;
        for key in table.keys() {
            if !matches!(key.as_str(), "profile" | "severity" | "bands" | "rules" | "heads") {
                return Err(invalid(format!("unknown top-level section [{key}]")));
            }
        }
        let mut heads = BTreeMap::new();
        if let Some(section) = table.get("heads") {
            let section = section.as_table().ok_or_else(|| invalid("[heads] must be a table".into()))?;
            for (label, value) in section {
                if attribute(label).is_none() {
                    return Err(invalid(format!("[heads.{label}]: no check reads a head for the label '{label}'")));
                }
                let head: Head =
                    value.clone().try_into().map_err(|e: toml::de::Error| invalid(format!("[heads.{label}]: {}", e.message())))?;
                head.validate().map_err(|m| invalid(format!("[heads.{label}]: {m}")))?;
                heads.insert(label.clone(), head);
            }
        }

        let severity: BTreeMap<String, Severity> = table
            .get("severity")
            .cloned()
            .unwrap_or(toml::Value::Table(Default::default()))
            .try_into()
            .map_err(|e: toml::de::Error| invalid(format!("[severity]: {}", e.message())))?;
        let known: Vec<&str> = REGISTRY.iter().flat_map(|s| s.codes.iter().map(|c| c.code)).collect();
        for code in severity.keys() {
            if !known.contains(&code.as_str()) {
                return Err(invalid(format!("[severity] names unknown check code {code}")));
            }
        }
        for code in &known {
            if !severity.contains_key(*code) {
                return Err(invalid(format!("[severity] has no entry for {code}")));
            }
        }

        let bands: BTreeMap<String, BandWidth> =
            table
                .get("bands")
                .cloned()
                .unwrap_or(toml::Value::Table(Default::default()))
                .try_into()
                .map_err(|e: toml::de::Error| invalid(format!("[bands]: {} (a number, or {{ pass = P, fail = F }})", e.message())))?;
        for (code, width) in &bands {
            if !known.contains(&code.as_str()) {
                return Err(invalid(format!("[bands] names unknown check code {code}")));
            }
            let (pass, fail) = width.sides();
            if !(pass.is_finite() && fail.is_finite() && pass >= 0.0 && fail >= 0.0) {
                return Err(invalid(format!("[bands] {code}: widths must be finite and not negative")));
            }
        }

        let sections = match table.get("rules") {
            Some(toml::Value::Table(t)) => t.clone(),
            _ => return Err(invalid("missing [rules] section".into())),
        };
        for key in sections.keys() {
            if !REGISTRY.iter().any(|s| s.family == key) {
                return Err(invalid(format!("[rules.{key}] is not a known rule family")));
            }
        }
        let mut rules = Vec::new();
        for spec in REGISTRY {
            let section = sections.get(spec.family).cloned().ok_or_else(|| invalid(format!("missing [rules.{}]", spec.family)))?;
            let rule = (spec.build)(section).map_err(|m| invalid(format!("[rules.{}]: {m}", spec.family)))?;
            rules.push((*spec, rule));
        }
        Ok(Profile {
            name: header.name,
            version: header.version,
            description: header.description,
            severity,
            bands,
            rules,
            heads,
            source: table,
        })
    }

    pub fn severity_of(&self, code: &str) -> Severity {
        self.severity.get(code).copied().unwrap_or(Severity::Fail)
    }

    /// The profile's uncertainty band for a check with this threshold, if it gives one.
    pub fn band_for(&self, code: &str, threshold: Threshold) -> Option<Band> {
        let (pass, fail) = self.bands.get(code)?.sides();
        Some(Band::around(threshold, pass, fail))
    }
}

pub fn is_builtin(name: &str) -> bool {
    builtin_text(name).is_some()
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Parses a profile and the chain of profiles it extends into one table (the child wins).
fn merged_table(text: &str, origin: &str, dir: Option<&Path>, depth: usize) -> Result<(toml::Table, Header), ProfileError> {
    let invalid = |message: String| ProfileError::Invalid { origin: origin.to_string(), message };
    // The parser's own message quotes the offending line; a file that is not a profile at all
    // could be anything, so only its position is shown.
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1).unwrap_or(0);
        invalid(format!("not a TOML profile (line {line}: {})", e.message()))
    })?;
    let header: Header = table
        .get("profile")
        .cloned()
        .ok_or_else(|| invalid("missing [profile] section".into()))?
        .try_into()
        .map_err(|e: toml::de::Error| invalid(format!("[profile]: {}", e.message())))?;
    let Some(base) = &header.extends else {
        return Ok((table, header));
    };
    if depth >= MAX_EXTENDS_DEPTH {
        return Err(invalid(format!("extends chain is deeper than {MAX_EXTENDS_DEPTH} (a profile extending itself?)")));
    }
    let (mut merged, _) = match builtin_text(base) {
        Some(base_text) => merged_table(base_text, base, None, depth + 1)?,
        None => {
            let path = match dir {
                Some(d) => d.join(base),
                None => return Err(invalid(format!("extends unknown profile '{base}'"))),
            };
            let base_text = std::fs::read_to_string(&path).map_err(|e| invalid(format!("extends '{}': {e}", path.display())))?;
            merged_table(&base_text, &path.display().to_string(), path.parent(), depth + 1)?
        }
    };
    let mut table = table;
    // A head is replaced whole: merging a refitted head key by key into the old one would mix
    // two fits.
    if let Some(toml::Value::Table(heads)) = table.remove("heads") {
        let base_heads = merged.entry("heads").or_insert_with(|| toml::Value::Table(Default::default()));
        if let toml::Value::Table(base_heads) = base_heads {
            base_heads.extend(heads);
        }
    }
    deep_merge(&mut merged, table);
    Ok((merged, header))
}

fn deep_merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => deep_merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profile_is_complete_and_valid() {
        let p = Profile::builtin(DEFAULT_PROFILE).unwrap();
        assert_eq!(p.name, DEFAULT_PROFILE);
        assert_eq!(p.rules.len(), REGISTRY.len());
    }

    #[test]
    fn extends_overrides_one_value_and_keeps_the_rest() {
        let text = "[profile]\nname='strict'\nversion='1'\nextends='cn-driving-licence'\n[severity]\nDT001='fail'\n";
        let p = Profile::from_toml(text, "test").unwrap();
        assert_eq!(p.severity_of("DT001"), Severity::Fail);
        assert_eq!(p.rules.len(), REGISTRY.len());
    }

    #[test]
    fn default_profile_ships_a_headwear_head_and_the_base_has_none() {
        let p = Profile::default_profile();
        let head = p.heads.get("headwear").expect("headwear head");
        assert!(head.inputs.embedding && head.provenance.cv_auc > 0.9);
        assert!(Profile::builtin("cn-driving-licence-base").unwrap().heads.is_empty());
    }

    #[test]
    fn file_extends_resolve_beside_the_profile_and_heads_are_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("photocheck-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let signal_head = |threshold: f64, extra: &str| {
            format!(
                "[heads.clothing_light]\ninputs = {{ embedding = false, signal = true }}\nthreshold = {threshold:?}\nbias = 1.0\nsignal_weight = -2.0\n{extra}\
                 [heads.clothing_light.provenance]\nlabels_file='x'\ntraining_set_sha256='0'\nfitted_on='2026-11-26'\npositives=20\nnegatives=20\n\
                 folds=5\nrepeats=1\nseed=1\nl2=1.0\ncv_auc=0.9\ncv_eer=0.1\ntarget='eer'\nthreshold_tpr=0.9\nthreshold_fpr=0.1\n"
            )
        };
        let mid = format!("[profile]\nname='mid'\nversion='1'\nextends='cn-driving-licence'\n{}", signal_head(0.3, "signal_mean = 5.0\n"));
        std::fs::write(dir.join("mid.toml"), mid).unwrap();
        let top = format!("[profile]\nname='top'\nversion='1'\nextends='mid.toml'\n{}", signal_head(0.7, ""));
        std::fs::write(dir.join("top.toml"), top).unwrap();
        let p = Profile::load(dir.join("top.toml").to_str().unwrap()).unwrap();
        assert_eq!(p.name, "top");
        assert_eq!(p.heads["clothing_light"].threshold, 0.7);
        assert_eq!(p.heads["clothing_light"].signal_mean, 0.0, "no key of the replaced head survives");
        // Heads of the built-in default that neither file touched are kept.
        assert!(p.heads.contains_key("headwear"));
        let bad = "[profile]\nname='x'\nversion='1'\nextends='cn-driving-licence'\n[heads.eyes_open]\n";
        assert!(Profile::from_toml(bad, "test").unwrap_err().to_string().contains("eyes_open"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bands_parse_both_forms_and_reject_unknown_codes() {
        let text = "[profile]\nname='x'\nversion='1'\nextends='cn-driving-licence'\n[bands]\nPO001=2.0\nPO002={pass=1.0,fail=0.5}\n";
        let p = Profile::from_toml(text, "test").unwrap();
        let b = p.band_for("PO001", Threshold::range(-5.0, 5.0)).unwrap();
        assert_eq!((b.pass_within.max, b.fail_outside.max), (Some(3.0), Some(7.0)));
        let b = p.band_for("PO002", Threshold::max(5.0)).unwrap();
        assert_eq!((b.pass_within.max, b.fail_outside.max), (Some(4.0), Some(5.5)));
        let bad = "[profile]\nname='x'\nversion='1'\nextends='cn-driving-licence'\n[bands]\nXX001=1.0\n";
        assert!(Profile::from_toml(bad, "test").unwrap_err().to_string().contains("XX001"));
        let negative = "[profile]\nname='x'\nversion='1'\nextends='cn-driving-licence'\n[bands]\nPO001=-1.0\n";
        assert!(Profile::from_toml(negative, "test").is_err());
    }

    #[test]
    fn typos_are_errors_not_silently_ignored() {
        let text = "[profile]\nname='x'\nversion='1'\nextends='cn-driving-licence'\n[rules.eyes]\nmin_eye_aspect_ration=0.1\n";
        let err = Profile::from_toml(text, "test").unwrap_err().to_string();
        assert!(err.contains("rules.eyes"), "{err}");
        let text = "[profile]\nname='x'\nversion='1'\nextends='cn-driving-licence'\n[severity]\nXX999='fail'\n";
        assert!(Profile::from_toml(text, "test").is_err());
    }
}
