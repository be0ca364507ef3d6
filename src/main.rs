//! The `photocheck` command line: a thin front end over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use photocheck::eval::{evaluate, EvalOptions};
use photocheck::models::ModelSet;
use photocheck::{printer, CheckOptions, Checker, Lang, Profile, Verdict};

#[derive(Parser)]
#[command(name = "photocheck", version, about = "Checks driving-licence portraits against the photo rules and explains every verdict")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RulesFormat {
    Tsv,
    Markdown,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// Profile: a built-in name or a TOML file.
    #[arg(long, default_value = photocheck::profile::DEFAULT_PROFILE)]
    profile: String,
    /// Judge as of this date (YYYY-MM-DD or RFC 3339) instead of now: reproducible runs.
    #[arg(long)]
    as_of: Option<String>,
    /// Language of messages: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
    /// Directory holding the models and SHA256SUMS (default: $PHOTOCHECK_MODELS or ./models).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
}

#[derive(clap::Args)]
struct CalibrateArgs {
    /// CSV with a `file` column and one 0/1 column per label (empty = unknown).
    #[arg(long)]
    labels: PathBuf,
    /// Folder the `file` names are relative to.
    #[arg(long)]
    photos: PathBuf,
    /// The profile to write: it extends --base and holds the fitted heads.
    #[arg(long)]
    out: PathBuf,
    /// The profile whose thresholds and severities the result keeps (built-in name or file).
    #[arg(long, default_value = photocheck::profile::DEFAULT_PROFILE)]
    base: String,
    /// Name of the written profile (default: the --out file stem).
    #[arg(long)]
    name: Option<String>,
    /// Threshold target on out-of-fold scores: eer, max-false-reject=R or max-false-accept=A.
    #[arg(long, default_value = "eer")]
    target: String,
    /// Cross-validation folds (stratified by label).
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Repeat the k-fold split this many times (different seeds) and average the scores.
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Seed of the fold shuffles: the same photos, labels and seed write the same profile.
    #[arg(long, default_value_t = 20261126)]
    seed: u64,
    /// Refuse a column with fewer examples than this in either class.
    #[arg(long, default_value_t = 15)]
    min_per_class: usize,
    /// Where no embedding head beats a check's own signal, keep the base threshold instead of
    /// re-thresholding that signal for the label.
    #[arg(long)]
    keep_hand_thresholds: bool,
    /// Fit each head's review band: scores at or below its lower cut-off pass clearly, chosen so
    /// that at most this share of out-of-fold violations does (e.g. 0.005); scores between it and
    /// the threshold send the photo to a person. Without it heads have no band.
    #[arg(long)]
    max_false_approve: Option<f64>,
    /// With --max-false-approve: at most this share of compliant photos in a head's band (the
    /// cost); where the false-approve target would cost more, the cut-off moves up to this.
    #[arg(long, default_value_t = 0.05)]
    max_review_share: f64,
    /// Fail (exit 1) when a label's out-of-fold AUC is below the `[cv_auc]` floor in this file.
    #[arg(long)]
    floors: Option<PathBuf>,
    /// Judge the photos as of this date (YYYY-MM-DD); also the fit's recorded date and version.
    #[arg(long)]
    as_of: Option<String>,
    /// Directory holding the models and SHA256SUMS (default: $PHOTOCHECK_MODELS or ./models).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Check photos and print a report per photo.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Show passed checks too.
        #[arg(long, short)]
        verbose: bool,
        /// Print the reports in the order the files were given (by default each is printed as
        /// soon as it is done, so one slow file never holds back the others).
        #[arg(long)]
        sort: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Measure accuracy on a labelled folder (labels.csv format of the dev photos).
    Eval {
        #[arg(long)]
        labels: PathBuf,
        #[arg(long)]
        photos: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Fail (exit 1) when an attribute's AUC falls below the floor in this TOML file, or the
        /// gate breaks its `[gate]` limits.
        #[arg(long)]
        floors: Option<PathBuf>,
        /// The labels column naming each photo (e.g. ready_file for the London ready photos).
        #[arg(long, default_value = "file")]
        file_column: String,
        #[command(flatten)]
        common: Common,
    },
    /// Fit the profile's attribute heads and thresholds from labelled photos (labels.csv format).
    Calibrate(CalibrateArgs),
    /// Audit folders of uploads: results.jsonl, results.csv, summary.json and report.html in --out.
    Audit {
        /// Folders (recursive), files, or @list.txt (one path per line).
        #[arg(required = true)]
        inputs: Vec<String>,
        #[arg(long)]
        out: PathBuf,
        /// Reuse rows already in OUT/results.jsonl (matched by content hash) after a crash or
        /// Ctrl-C. Refused when the journal was made with another profile, date or language;
        /// without --as-of the journal's own date is kept.
        #[arg(long)]
        resume: bool,
        /// Start a new audit in OUT even if it holds a journal made with other settings.
        #[arg(long)]
        force_new: bool,
        /// No progress output.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Serve checks over HTTP (POST /v1/checks) for the issuance service.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// File holding the bearer token clients must send; without it, no auth.
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Largest accepted body, bytes.
        #[arg(long, default_value_t = 10 * 1024 * 1024)]
        max_body_bytes: usize,
        /// Largest accepted image, pixels.
        #[arg(long, default_value_t = 40_000_000)]
        max_pixels: u64,
        /// Checks running at once (default: cores).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Requests that may wait for a worker before the server answers 503.
        #[arg(long, default_value_t = 16)]
        queue: usize,
        /// Time budget per request in milliseconds, queueing included (504 beyond).
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        /// A client must send its request headers within this (else the connection is closed).
        #[arg(long, default_value_t = 10_000)]
        header_timeout_ms: u64,
        /// A client must send its whole upload within this (else 408).
        #[arg(long, default_value_t = 20_000)]
        body_timeout_ms: u64,
        /// More profiles clients may name (`profile=`), besides --profile.
        #[arg(long = "extra-profile")]
        extra_profiles: Vec<String>,
        /// Log as JSON lines.
        #[arg(long)]
        log_json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// List every check code with its rule and meaning.
    /// Print a published schema: `report` (the report's JSON Schema, draft 2020-12).
    Schema {
        #[arg(value_parser = ["report"])]
        which: String,
    },
    Rules {
        /// tsv (code, rule, name, summary) or markdown (the README's rules table).
        #[arg(long, value_enum, default_value = "tsv")]
        format: RulesFormat,
        /// Language of the summaries (en or zh-CN); the markdown table is the README's (English).
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("photocheck: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn setup(common: &Common) -> Result<(Checker, CheckOptions)> {
    if let Some(jobs) = common.jobs {
        rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build_global().ok();
    }
    let profile = Profile::load(&common.profile).context("loading the profile")?;
    let dir = common.models.clone().unwrap_or_else(ModelSet::default_dir);
    let models = ModelSet::load(&dir).with_context(|| format!("loading models from {}", dir.display()))?;
    let lang: Lang = common.lang.parse().map_err(anyhow::Error::msg)?;
    let as_of = match &common.as_of {
        Some(s) => parse_as_of(s)?,
        None => Utc::now(),
    };
    Ok((Checker::new(Arc::new(models), Arc::new(profile)), CheckOptions { as_of, lang }))
}

fn parse_as_of(s: &str) -> Result<DateTime<Utc>> {
    photocheck::pipeline::parse_as_of(s).map_err(|m| anyhow::anyhow!("--as-of {m}"))
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            listen,
            token_file,
            max_body_bytes,
            max_pixels,
            concurrency,
            queue,
            timeout_ms,
            header_timeout_ms,
            body_timeout_ms,
            extra_profiles,
            log_json,
            common,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
            if log_json {
                tracing_subscriber::fmt().json().with_env_filter(filter).init();
            } else {
                // Colour only for a person at a terminal, never in a log file.
                use std::io::IsTerminal;
                tracing_subscriber::fmt().with_ansi(std::io::stderr().is_terminal()).with_env_filter(filter).init();
            }
            let (checker, _) = setup(&common)?;
            let mut checkers = vec![checker.clone()];
            for p in &extra_profiles {
                let profile = Profile::load(p).with_context(|| format!("loading profile {p}"))?;
                checkers.push(Checker::new(checker.models.clone(), Arc::new(profile)));
            }
            let token = match token_file {
                Some(path) => {
                    let token = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?.trim().to_string();
                    // An empty token would start a server nobody can call.
                    anyhow::ensure!(!token.is_empty(), "the token file {} is empty", path.display());
                    Some(token)
                }
                None => None,
            };
            let mut config = photocheck::server::ServerConfig {
                max_body_bytes,
                max_pixels,
                queue,
                timeout: std::time::Duration::from_millis(timeout_ms),
                header_timeout: std::time::Duration::from_millis(header_timeout_ms),
                body_timeout: std::time::Duration::from_millis(body_timeout_ms),
                token,
                ..Default::default()
            };
            if let Some(c) = concurrency {
                config.concurrency = c.max(1);
            }
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(async move {
                let state = photocheck::server::AppState::new(checkers, config.clone());
                let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
                tracing::info!(listen = %listener.local_addr()?, concurrency = config.concurrency, queue = config.queue, "photocheck serve ready: models loaded");
                photocheck::server::serve(listener, state, photocheck::server::shutdown_signal()).await?;
                tracing::info!("stopped");
                Ok::<_, anyhow::Error>(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { which: _ } => {
            println!("{}", serde_json::to_string_pretty(&photocheck::server::report_json_schema())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { format, lang } => {
            let lang: Lang = lang.parse().map_err(|m: String| anyhow::anyhow!(m))?;
            match format {
                RulesFormat::Tsv => {
                    for (code, family, name, summary) in photocheck::pipeline::rule_table_in(lang) {
                        println!("{code}\t{family}\t{name}\t{summary}");
                    }
                }
                RulesFormat::Markdown => print!("{}", photocheck::pipeline::rule_table_markdown()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { inputs, out, resume, force_new, quiet, common } => audit(inputs, out, resume, force_new, quiet, &common),
        Command::Check { files, format, verbose, sort, common } => {
            let (checker, opts) = setup(&common)?;
            let (any_reject, any_review, any_error) = check_files(&checker, &opts, &files, format, verbose, sort);
            Ok(if any_error {
                ExitCode::from(2)
            } else if any_reject {
                ExitCode::from(1)
            } else if any_review {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Calibrate(args) => calibrate(args),
        Command::Eval { labels, photos, format, floors, file_column, common } => {
            let (checker, opts) = setup(&common)?;
            let result = evaluate(&checker, &EvalOptions { labels, photos, file_column, check: opts })?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&result)?),
                Format::Text => print!("{}", result.render_text()),
            }
            match floors {
                Some(floors) => Ok(report_floors(&result.check_floors(&floors)?, "accuracy", &floors)),
                None => Ok(ExitCode::SUCCESS),
            }
        }
    }
}

/// Checks the files in parallel and prints each report as it finishes (or, with `sort`, all in
/// the order given). Returns whether any was rejected, sent to review, or unreadable.
fn check_files(checker: &Checker, opts: &CheckOptions, files: &[PathBuf], format: Format, verbose: bool, sort: bool) -> (bool, bool, bool) {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut flags = (false, false, false);
    let print = |r: &photocheck::Report, flags: &mut (bool, bool, bool)| {
        match r.verdict {
            Verdict::Reject => flags.0 = true,
            Verdict::Review => flags.1 = true,
            Verdict::Error => flags.2 = true,
            Verdict::Approve => {}
        }
        match format {
            Format::Json => println!("{}", printer::json_line(r)),
            Format::Text => print!("{}", printer::text::render(r, verbose)),
        }
    };
    std::thread::scope(|scope| {
        scope.spawn(move || {
            files.par_iter().enumerate().for_each_with(tx, |tx, (i, f)| {
                let _ = tx.send((i, checker.check_path(f, opts)));
            });
        });
        if sort {
            let mut all: Vec<_> = rx.iter().collect();
            all.sort_by_key(|(i, _)| *i);
            for (_, r) in &all {
                print(r, &mut flags);
            }
        } else {
            for (_, r) in rx.iter() {
                print(&r, &mut flags);
            }
        }
    });
    flags
}

fn parse_target(s: &str) -> Result<photocheck::calibrate::fit::Target> {
    use photocheck::calibrate::fit::Target;
    let rate = |v: &str| -> Result<f64> {
        let r: f64 = v.parse().with_context(|| format!("--target: '{v}' is not a number"))?;
        anyhow::ensure!((0.0..1.0).contains(&r), "--target: rate {r} must be in [0, 1)");
        Ok(r)
    };
    match s.split_once('=') {
        None if s == "eer" => Ok(Target::Eer),
        Some(("max-false-reject", v)) => Ok(Target::MaxFalseReject(rate(v)?)),
        Some(("max-false-accept", v)) => Ok(Target::MaxFalseAccept(rate(v)?)),
        _ => anyhow::bail!("--target must be eer, max-false-reject=R or max-false-accept=A (got '{s}')"),
    }
}

fn calibrate(args: CalibrateArgs) -> Result<ExitCode> {
    let CalibrateArgs {
        labels,
        photos,
        out,
        base,
        name,
        target,
        folds,
        repeats,
        seed,
        min_per_class,
        keep_hand_thresholds,
        max_false_approve,
        max_review_share,
        floors,
        as_of,
        models,
        jobs,
        quiet,
    } = args;
    let common = &Common { profile: base.clone(), as_of, lang: "en".into(), models, jobs };
    let target = parse_target(&target)?;
    if let Some(a) = max_false_approve {
        anyhow::ensure!((0.0..1.0).contains(&a), "--max-false-approve: rate {a} must be in [0, 1)");
    }
    use photocheck::calibrate::{self, CalibrateOptions, LabelResult};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let (checker, check) = setup(common)?;
    // Calibrate reads each check's hand-made signal, so the base's own heads must not decide.
    let mut profile = Profile::load(&base).context("loading the base profile")?;
    profile.heads.clear();
    let checker = Checker::new(checker.models.clone(), Arc::new(profile));
    let total = photocheck::eval::read_labels(&labels)?.len();
    let opts = CalibrateOptions {
        labels,
        photos,
        check,
        target,
        folds,
        repeats,
        seed,
        min_per_class,
        keep_hand_thresholds,
        max_false_approve,
        max_review_share,
        ..Default::default()
    };
    // The written profile names its base so that it resolves from the profile's own folder.
    let base_ref = if photocheck::profile::is_builtin(&base) {
        base.clone()
    } else {
        let path = std::fs::canonicalize(&base).with_context(|| format!("resolving --base {base}"))?;
        let out_dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let out_dir = std::fs::canonicalize(out_dir).with_context(|| format!("resolving the folder of --out {}", out.display()))?;
        relative_path(&path, &out_dir).display().to_string()
    };
    let name = name.unwrap_or_else(|| out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "calibrated".into()));
    let command = format!(
        "photocheck calibrate --labels {} --photos {} --base {base} --target {} --folds {folds} --repeats {repeats} --seed {seed}{}{}",
        opts.labels.display(),
        opts.photos.display(),
        opts.target.describe().replace('_', "-"),
        if keep_hand_thresholds { " --keep-hand-thresholds" } else { "" },
        max_false_approve.map(|a| format!(" --max-false-approve {a} --max-review-share {max_review_share}")).unwrap_or_default()
    );
    let done = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let results = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(500));
                if !quiet && !finished.load(Ordering::Relaxed) {
                    let d = done.load(Ordering::Relaxed);
                    eprint!("\ranalysing {d}/{total} photos{}", if d >= total { ", fitting heads…" } else { "" });
                }
            }
            if !quiet {
                eprintln!();
            }
        });
        let r = calibrate::calibrate(&checker, &opts, &done, &out, &name, &base_ref, &command);
        finished.store(true, Ordering::Relaxed);
        r
    })?;
    println!(
        "{:<16} {:<22} {:>5} {:>5} {:>7} {:>7} {:>9} {:>6} {:>6} {:>10}",
        "label", "head", "pos", "neg", "CV AUC", "CV EER", "threshold", "TPR", "FPR", "nested AUC"
    );
    for (label, r) in &results {
        match r {
            LabelResult::Fitted { head, .. } => {
                let p = &head.provenance;
                println!(
                    "{label:<16} {:<22} {:>5} {:>5} {:>7.3} {:>7.3} {:>9.3} {:>6.3} {:>6.3} {:>10.3}",
                    head.inputs.name(),
                    p.positives,
                    p.negatives,
                    p.cv_auc,
                    p.cv_eer,
                    head.threshold,
                    p.threshold_tpr,
                    p.threshold_fpr,
                    p.nested_cv_auc
                );
                let alts: Vec<String> = p.alternatives.iter().map(|(n, a)| format!("{n} {a:.3}")).collect();
                println!("{:<16}   tried: {}", "", alts.join(", "));
            }
            LabelResult::TooFew { positives, negatives } => {
                println!(
                    "{label:<16} refused: too few examples ({positives} positive, {negatives} negative; need {min_per_class} of each); the base profile's head or check stays in force"
                )
            }
            LabelResult::Unmapped => println!("{label:<16} not fitted: no head decides this column (a dedicated check measures it)"),
            LabelResult::HandMade { signal_auc, best_embedding_auc } => println!(
                "{label:<16} hand-made check kept: its signal (CV AUC {signal_auc:.3}) is not beaten by an embedding head ({best_embedding_auc:.3})"
            ),
        }
    }
    println!("wrote {} (extends {base_ref}); out-of-fold figures, target {}", out.display(), opts.target.describe());
    match floors {
        Some(floors) => Ok(report_floors(&calibrate::check_cv_floors(&results, &floors)?, "cross-validation", &floors)),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `path` as seen from `dir` (both absolute): `../profiles/base.toml`, so the written profile and
/// its base can move together.
fn relative_path(path: &std::path::Path, dir: &std::path::Path) -> PathBuf {
    let (p, d): (Vec<_>, Vec<_>) = (path.components().collect(), dir.components().collect());
    let common = p.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut out: PathBuf = d[common..].iter().map(|_| "..").collect();
    out.extend(&p[common..]);
    out
}

/// Prints floor breaches; exit 1 when there are any.
fn report_floors(breaches: &[String], kind: &str, path: &std::path::Path) -> ExitCode {
    for b in breaches {
        eprintln!("{kind} floor breached: {b}");
    }
    if breaches.is_empty() {
        eprintln!("all {kind} floors met ({})", path.display());
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn audit(inputs: Vec<String>, out: PathBuf, resume: bool, force_new: bool, quiet: bool, common: &Common) -> Result<ExitCode> {
    use photocheck::audit::{self, AuditOptions, Progress};
    use std::io::{IsTerminal, Write};
    use std::sync::atomic::{AtomicBool, Ordering};

    static STOP: AtomicBool = AtomicBool::new(false);
    let files = audit::collect_inputs(&inputs, &out)?;
    let (checker, check) = setup(common)?;
    // First Ctrl-C: finish the photos in flight and write everything; a second one exits at once.
    ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing photos in flight, then writing the summary (Ctrl-C again to abort)");
    })
    .ok();

    let progress = Progress::default();
    let keep_journal_as_of = common.as_of.is_none();
    let opts = AuditOptions { out_dir: out.clone(), resume, keep_journal_as_of, force_new, check, stop: &STOP };
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let finished = AtomicBool::new(false);
    let summary = std::thread::scope(|scope| {
        let reporter = scope.spawn(|| {
            let mut last_logged = 0usize;
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(if terminal { 200 } else { 1000 }));
                if quiet {
                    continue;
                }
                let total = progress.total.load(Ordering::Relaxed).max(1);
                let done = progress.done.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64();
                let rate = done as f64 / secs.max(1e-3);
                let eta = if rate > 0.0 { (total - done.min(total)) as f64 / rate } else { 0.0 };
                let line = format!(
                    "{done}/{total} photos  {rate:.1}/s  ETA {}:{:02}  rejected {}  unreadable {}",
                    eta as u64 / 60,
                    eta as u64 % 60,
                    progress.rejected.load(Ordering::Relaxed),
                    progress.errors.load(Ordering::Relaxed)
                );
                if terminal {
                    let width = 30;
                    let filled = width * done / total;
                    eprint!("\r[{}{}] {line}   ", "#".repeat(filled), " ".repeat(width - filled));
                    let _ = std::io::stderr().flush();
                } else if done >= last_logged + total.div_ceil(10) || (done == total && done != last_logged) {
                    // Not a terminal: a plain line every tenth of the run, for logs.
                    eprintln!("progress: {line}");
                    last_logged = done;
                }
            }
        });
        let result = audit::run(&checker, &files, &opts, &progress);
        finished.store(true, Ordering::Relaxed);
        let _ = reporter.join();
        if terminal && !quiet {
            eprintln!();
        }
        result
    })?;
    let v = |k: &str| summary.verdicts.get(k).copied().unwrap_or(0);
    println!(
        "{} inputs: {} approved, {} rejected, {} for review, {} unreadable{}; {:.1} photos/s; reports in {}",
        summary.inputs,
        v("approve"),
        v("reject"),
        v("review"),
        v("error"),
        if summary.not_checked > 0 {
            format!(", {} not checked (interrupted: rerun with --resume)", summary.not_checked)
        } else {
            String::new()
        },
        summary.timings.photos_per_second,
        out.display()
    );
    Ok(if summary.interrupted {
        ExitCode::from(130)
    } else if v("error") > 0 {
        ExitCode::from(2)
    } else if v("reject") > 0 {
        ExitCode::from(1)
    } else if v("review") > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
