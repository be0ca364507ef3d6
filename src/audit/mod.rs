//! `photocheck audit`: batch audits for reviewers. Every input yields exactly one row, rows are
//! appended to `results.jsonl` as they finish (so a killed run can `--resume` by content hash),
//! and the finished run writes `results.csv`, `summary.json` and `report.html`, sorted by path
//! so that the same inputs give the same files whatever the thread count.

pub mod thumbnail;

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::pipeline::{hex_sha256, CheckOptions, Checker};
use crate::report::Report;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot read input list {path}: {source}")]
    List { path: PathBuf, source: std::io::Error },
    #[error("input {0} does not exist")]
    MissingInput(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot resume {path}: it was made with {was}, this run asks for {now}; rerun with the same settings, or pass --force-new to start a new audit in this folder")]
    SettingsChanged { path: PathBuf, was: String, now: String },
}

/// The journal's first line: the settings every row in it was made with, so `--resume` never
/// mixes rows judged under different profiles, dates or languages.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct JournalHeader {
    pub journal: String,
    pub report_schema: String,
    pub profile: String,
    pub profile_version: String,
    pub as_of: String,
    pub lang: crate::report::Lang,
    /// Size of the normalised crops (`--crops`), "WxH"; absent without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crops: Option<String>,
}

pub const JOURNAL_SCHEMA: &str = "photocheck.audit-journal/1";

impl JournalHeader {
    fn new(checker: &Checker, check: &CheckOptions, crops: Option<(u32, u32)>) -> JournalHeader {
        JournalHeader {
            journal: JOURNAL_SCHEMA.into(),
            report_schema: crate::report::SCHEMA.into(),
            profile: checker.profile.name.clone(),
            profile_version: checker.profile.version.clone(),
            as_of: check.as_of.to_rfc3339(),
            lang: check.lang,
            crops: crops.map(|(w, h)| format!("{w}x{h}")),
        }
    }
    fn describe(&self) -> String {
        format!(
            "profile {} {}, as of {}, language {:?}, report schema {}, crops {}",
            self.profile,
            self.profile_version,
            self.as_of,
            self.lang,
            self.report_schema,
            self.crops.as_deref().unwrap_or("off")
        )
    }
    /// The header of an existing journal, if it has one.
    pub fn read(path: &Path) -> Option<JournalHeader> {
        let file = File::open(path).ok()?;
        let first = BufReader::new(file).lines().next()?.ok()?;
        serde_json::from_str::<JournalHeader>(&first).ok().filter(|h| h.journal == JOURNAL_SCHEMA)
    }
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Write { path: path.to_path_buf(), source }
}

/// Expands folders (recursively), files and `@list.txt` into a sorted, de-duplicated file list.
/// Nothing is filtered by extension: a stray text file in an upload folder gets its own row.
pub fn collect_inputs(inputs: &[String], out_dir: &Path) -> Result<Vec<PathBuf>, AuditError> {
    let mut files = Vec::new();
    let out_abs = std::fs::canonicalize(out_dir).ok();
    for input in inputs {
        if let Some(list) = input.strip_prefix('@') {
            let text = std::fs::read_to_string(list).map_err(|source| AuditError::List { path: list.into(), source })?;
            // Listed files are taken as given: a missing one becomes an error row, not a stop.
            files.extend(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(PathBuf::from));
            continue;
        }
        let path = PathBuf::from(input);
        if path.is_dir() {
            walk(&path, out_abs.as_deref(), &mut files);
        } else if path.exists() {
            files.push(path);
        } else {
            return Err(AuditError::MissingInput(path));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(dir: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // An unreadable folder still yields a row, so it is not lost silently.
        out.push(dir.to_path_buf());
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if skip.is_some_and(|s| std::fs::canonicalize(&path).ok().as_deref() == Some(s)) {
                continue;
            }
            walk(&path, skip, out);
        } else {
            out.push(path);
        }
    }
}

pub struct AuditOptions {
    pub out_dir: PathBuf,
    pub resume: bool,
    /// With `resume`: the date was not given, so the journal's own as-of date is kept.
    pub keep_journal_as_of: bool,
    /// Start a new journal even if the folder holds one made with other settings.
    pub force_new: bool,
    pub check: CheckOptions,
    /// Set (e.g. by Ctrl-C) to stop starting new photos; rows in flight still finish.
    pub stop: &'static AtomicBool,
    /// Also crop each approved or framing-only photo to the profile's geometry at this size,
    /// re-check the crop, and write it to `crops/SHA.jpg` when it is approved.
    pub crops: Option<(u32, u32)>,
}

/// Live counters for a progress display.
#[derive(Default)]
pub struct Progress {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
    pub rejected: AtomicUsize,
    pub errors: AtomicUsize,
    pub reused: AtomicUsize,
}

/// One result row, owned, from a report as serialised in `results.jsonl`.
#[derive(Debug, Clone)]
pub struct Row {
    pub file: String,
    pub json: Value,
}

impl Row {
    fn from_report(report: &Report) -> Row {
        Row { file: report.file.clone(), json: serde_json::to_value(report).unwrap_or(Value::Null) }
    }
    pub fn sha256(&self) -> Option<&str> {
        self.json["sha256"].as_str()
    }
    pub fn verdict(&self) -> &str {
        self.json["verdict"].as_str().unwrap_or("error")
    }
    pub fn failed(&self) -> Vec<&str> {
        self.json["failed"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
    }
    /// The mandatory checks that sent the photo to review (uncertain or not assessed).
    pub fn review(&self) -> Vec<&str> {
        self.json["review"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
    }
    pub fn error_kind(&self) -> Option<&str> {
        self.json["error"]["kind"].as_str()
    }
    pub fn measured(&self, code: &str) -> Option<f64> {
        self.json["checks"].as_array()?.iter().find(|c| c["code"] == code)?["measured"].as_f64()
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub checked: usize,
    /// Inputs left unchecked because the run was interrupted (resume to finish them).
    pub not_checked: usize,
    pub interrupted: bool,
    pub verdicts: BTreeMap<String, usize>,
    pub failed_by_code: BTreeMap<String, usize>,
    /// Mandatory checks that sent photos to review (uncertain or not assessed), by code.
    pub review_by_code: BTreeMap<String, usize>,
    pub warned_by_code: BTreeMap<String, usize>,
    pub errors_by_kind: BTreeMap<String, usize>,
    pub profile: String,
    pub as_of: String,
    /// Wall-clock figures of this run: the only part that differs between identical runs.
    pub timings: Timings,
}

#[derive(Debug, Default, Serialize)]
pub struct Timings {
    pub wall_seconds: f64,
    pub photos_checked_this_run: usize,
    pub reused_from_previous_run: usize,
    pub photos_per_second: f64,
    pub median_check_ms: f64,
}

pub const JSONL: &str = "results.jsonl";

/// Runs the audit. Returns the summary; every output file is written before it returns.
pub fn run(checker: &Checker, inputs: &[PathBuf], opts: &AuditOptions, progress: &Progress) -> Result<Summary, AuditError> {
    let started = Instant::now();
    std::fs::create_dir_all(&opts.out_dir).map_err(write_err(&opts.out_dir))?;
    let thumbs = opts.out_dir.join("thumbs");
    std::fs::create_dir_all(&thumbs).map_err(write_err(&thumbs))?;
    let crops_dir = opts.out_dir.join("crops");
    if opts.crops.is_some() {
        std::fs::create_dir_all(&crops_dir).map_err(write_err(&crops_dir))?;
    }
    let jsonl_path = opts.out_dir.join(JSONL);

    // The settings rows are judged under; a resumed journal must have been made with the same.
    let mut check = opts.check;
    let resuming = opts.resume && !opts.force_new && jsonl_path.exists();
    if resuming {
        let Some(was) = JournalHeader::read(&jsonl_path) else {
            return Err(AuditError::SettingsChanged {
                path: jsonl_path,
                was: "unrecorded settings (no header line)".into(),
                now: JournalHeader::new(checker, &check, opts.crops).describe(),
            });
        };
        if opts.keep_journal_as_of {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&was.as_of) {
                check.as_of = t.with_timezone(&chrono::Utc);
            }
        }
        let now = JournalHeader::new(checker, &check, opts.crops);
        if was != now {
            return Err(AuditError::SettingsChanged { path: jsonl_path, was: was.describe(), now: now.describe() });
        }
    }
    let header = JournalHeader::new(checker, &check, opts.crops);
    let opts = &AuditOptions {
        out_dir: opts.out_dir.clone(),
        resume: resuming,
        keep_journal_as_of: opts.keep_journal_as_of,
        force_new: opts.force_new,
        check,
        stop: opts.stop,
        crops: opts.crops,
    };

    // Previous rows: by path (exact reuse) and by content hash (same photo under another name).
    let previous = if opts.resume { read_rows(&jsonl_path) } else { Vec::new() };
    let mut by_path: HashMap<String, Row> = HashMap::new();
    let mut by_sha: HashMap<String, Row> = HashMap::new();
    for row in previous {
        if let Some(sha) = row.sha256() {
            by_sha.insert(sha.to_string(), row.clone());
        }
        by_path.insert(row.file.clone(), row);
    }
    // Start the journal afresh with only the rows that will be kept (drops a torn last line).
    let kept: Vec<&Row> =
        inputs.iter().filter_map(|p| by_path.get(&crate::pipeline::path_name(p))).filter(|r| r.sha256().is_some()).collect();
    rewrite_jsonl(&jsonl_path, &header, kept.iter().copied())?;
    let journal = Mutex::new(OpenOptions::new().append(true).open(&jsonl_path).map_err(write_err(&jsonl_path))?);

    progress.total.store(inputs.len(), Ordering::Relaxed);
    let check_ms = Mutex::new(Vec::new());
    let rows: Vec<Option<Row>> = inputs
        .par_iter()
        .map(|path| {
            let name = crate::pipeline::path_name(path);
            let reused = reuse(&name, path, &by_path, &by_sha);
            let row = match reused {
                Some(row) => {
                    progress.reused.fetch_add(1, Ordering::Relaxed);
                    if by_path.get(&name).is_none_or(|r| r.sha256() != row.sha256()) {
                        append(&journal, &row);
                    }
                    row
                }
                None => {
                    if opts.stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    let (mut report, analysis) = checker.check_path_keeping_analysis(path, &opts.check);
                    if let (Some(a), Some(sha)) = (analysis.as_ref(), report.sha256.clone()) {
                        // A thumbnail that cannot be written costs the card its picture, not the row.
                        let _ = thumbnail::write(a, &report, &thumbs.join(format!("{sha}.jpg")));
                        if let Some(size) = opts.crops {
                            // Read again for the crop; a file changed meanwhile gets none.
                            let bytes = crate::pipeline::read_regular_file(path, checker.limits.max_file_bytes).ok();
                            if let Some(bytes) = bytes.filter(|b| crate::pipeline::hex_sha256(b) == sha) {
                                if let Some(jpeg) = checker.crop_checked(&mut report, a, &bytes, &opts.check, size) {
                                    let _ = std::fs::write(crops_dir.join(format!("{sha}.jpg")), jpeg);
                                }
                            }
                        }
                    }
                    check_ms.lock().unwrap_or_else(|e| e.into_inner()).push(report.timings_ms.total_ms);
                    let row = Row::from_report(&report);
                    append(&journal, &row);
                    row
                }
            };
            progress.done.fetch_add(1, Ordering::Relaxed);
            match row.verdict() {
                "reject" => progress.rejected.fetch_add(1, Ordering::Relaxed),
                "error" => progress.errors.fetch_add(1, Ordering::Relaxed),
                _ => 0,
            };
            Some(row)
        })
        .collect();

    let interrupted = rows.iter().any(Option::is_none);
    let rows: Vec<Row> = rows.into_iter().flatten().collect();
    // The finished journal: exactly one row per checked input, sorted by path.
    rewrite_jsonl(&jsonl_path, &header, rows.iter())?;
    crate::printer::audit_csv::write(&opts.out_dir.join("results.csv"), &rows)?;

    let mut times = check_ms.into_inner().unwrap_or_else(|e| e.into_inner());
    times.sort_by(f64::total_cmp);
    let wall = started.elapsed().as_secs_f64();
    let checked_now = times.len();
    let summary = summarise(
        checker,
        opts,
        inputs.len(),
        &rows,
        interrupted,
        Timings {
            wall_seconds: wall,
            photos_checked_this_run: checked_now,
            reused_from_previous_run: progress.reused.load(Ordering::Relaxed),
            photos_per_second: if wall > 0.0 { checked_now as f64 / wall } else { 0.0 },
            median_check_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        },
    );
    let summary_path = opts.out_dir.join("summary.json");
    std::fs::write(&summary_path, serde_json::to_string_pretty(&summary).unwrap_or_default()).map_err(write_err(&summary_path))?;
    let html_path = opts.out_dir.join("report.html");
    std::fs::write(&html_path, crate::printer::audit_html::render(&rows, &summary, opts.check.lang)).map_err(write_err(&html_path))?;
    Ok(summary)
}

/// A previous row for this input, if its content is unchanged (matched by hash).
fn reuse(name: &str, path: &Path, by_path: &HashMap<String, Row>, by_sha: &HashMap<String, Row>) -> Option<Row> {
    if by_sha.is_empty() {
        return None;
    }
    let bytes = crate::pipeline::read_regular_file(path, crate::decode::DecodeLimits::default().max_file_bytes).ok()?;
    let sha = hex_sha256(&bytes);
    if let Some(row) = by_path.get(name).filter(|r| r.sha256() == Some(sha.as_str())) {
        return Some(row.clone());
    }
    let mut row = by_sha.get(&sha)?.clone();
    row.file = name.to_string();
    row.json["file"] = Value::String(name.to_string());
    Some(row)
}

fn append(journal: &Mutex<File>, row: &Row) {
    let mut line = serde_json::to_string(&row.json).unwrap_or_default();
    line.push('\n');
    let mut file = journal.lock().unwrap_or_else(|e| e.into_inner());
    // One write per line on an O_APPEND file: a crash leaves at most one torn last line, which
    // resume drops.
    let _ = file.write_all(line.as_bytes());
    let _ = file.flush();
}

/// Valid rows of a journal; torn or foreign lines are skipped.
pub fn read_rows(path: &Path) -> Vec<Row> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
        .filter(|v| v["schema"] == crate::report::SCHEMA)
        .filter_map(|json| Some(Row { file: json["file"].as_str()?.to_string(), json }))
        .collect()
}

fn rewrite_jsonl<'a>(path: &Path, header: &JournalHeader, rows: impl Iterator<Item = &'a Row>) -> Result<(), AuditError> {
    let tmp = path.with_extension("jsonl.tmp");
    let mut out = serde_json::to_string(header).unwrap_or_default();
    out.push('\n');
    for row in rows {
        out.push_str(&serde_json::to_string(&row.json).unwrap_or_default());
        out.push('\n');
    }
    std::fs::write(&tmp, out).map_err(write_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(write_err(path))
}

/// Measured values worth a column in the CSV. New columns go at the end, so scripts reading the
/// CSV by position keep working.
pub(crate) const CSV_MEASURES: &[&str] = &[
    "IQ001", "IQ004", "FC001", "PO001", "PO002", "PO003", "EY001", "BG001", "BG002", "LI001", "DT001", "HW001", "GL001", "MK001", "IQ007",
    "IQ008", "IQ009", "IQ010", "GL004",
];

fn summarise(checker: &Checker, opts: &AuditOptions, inputs: usize, rows: &[Row], interrupted: bool, timings: Timings) -> Summary {
    let mut verdicts = BTreeMap::new();
    let mut failed_by_code = BTreeMap::new();
    let mut warned_by_code = BTreeMap::new();
    let mut review_by_code = BTreeMap::new();
    let mut errors_by_kind = BTreeMap::new();
    for row in rows {
        for code in row.review() {
            *review_by_code.entry(code.to_string()).or_insert(0) += 1;
        }
        *verdicts.entry(row.verdict().to_string()).or_insert(0) += 1;
        for code in row.failed() {
            *failed_by_code.entry(code.to_string()).or_insert(0) += 1;
        }
        for c in row.json["checks"].as_array().into_iter().flatten() {
            if c["outcome"] == "warn" {
                *warned_by_code.entry(c["code"].as_str().unwrap_or("").to_string()).or_insert(0) += 1;
            }
        }
        if let Some(kind) = row.error_kind() {
            *errors_by_kind.entry(kind.to_string()).or_insert(0) += 1;
        }
    }
    Summary {
        inputs,
        checked: rows.len(),
        not_checked: inputs - rows.len(),
        interrupted,
        verdicts,
        failed_by_code,
        warned_by_code,
        review_by_code,
        errors_by_kind,
        profile: format!("{} {}", checker.profile.name, checker.profile.version),
        as_of: opts.check.as_of.to_rfc3339(),
        timings,
    }
}
