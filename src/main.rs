//! The `photocheck` command line: a thin front end over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clap::Parser;
use rayon::prelude::*;

mod cli;
use cli::args::{CalibrateArgs, Cli, Command, Common, Format, RulesFormat};
use cli::progress::Reporter;

use photocheck::eval::{evaluate, EvalOptions};
use photocheck::models::ModelSet;
use photocheck::{printer, CheckOptions, Checker, Lang, Profile, Verdict};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("photocheck: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Writes to stdout. When the reader has gone (`photocheck check … | head`), stops at once with
/// 141, the status a shell gives a process a closed pipe ended, instead of panicking as `print!`
/// does; any other write error is reported and exits with 2.
fn emit(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("photocheck: writing to stdout: {e}");
        std::process::exit(2);
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

/// Log lines of the long-running front ends (serve, worker) on stderr.
fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if json {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        // Colour only for a person at a terminal, never in a log file.
        use std::io::IsTerminal;
        tracing_subscriber::fmt().with_ansi(std::io::stderr().is_terminal()).with_env_filter(filter).init();
    }
}

/// The checker of --profile, then one per extra profile, sharing the models.
fn setup_with_profiles(common: &Common, extra_profiles: &[String]) -> Result<(Vec<Checker>, CheckOptions)> {
    let (checker, options) = setup(common)?;
    let mut checkers = vec![checker.clone()];
    for p in extra_profiles {
        let profile = Profile::load(p).with_context(|| format!("loading profile {p}"))?;
        checkers.push(Checker::new(checker.models.clone(), Arc::new(profile)));
    }
    Ok((checkers, options))
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
            init_logging(log_json);
            let (checkers, _) = setup_with_profiles(&common, &extra_profiles)?;
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
        Command::Worker {
            redis,
            stream,
            group,
            results,
            consumer,
            concurrency,
            max_deliveries,
            dead_letter,
            claim_idle_ms,
            photo_root,
            max_photo_bytes,
            verdict_ttl_days,
            metrics_listen,
            extra_profiles,
            log_json,
            common,
        } => {
            init_logging(log_json);
            let (checkers, options) = setup_with_profiles(&common, &extra_profiles)?;
            let mut config = photocheck::worker::WorkerConfig::new(&redis);
            config.stream = stream;
            config.group = group;
            config.results = results;
            if let Some(c) = consumer {
                config.consumer = c;
            }
            if let Some(c) = concurrency {
                config.concurrency = c.max(1);
            }
            config.max_deliveries = max_deliveries;
            config.dead_letter = dead_letter;
            config.claim_idle = std::time::Duration::from_millis(claim_idle_ms);
            config.photo_root = photo_root;
            config.max_photo_bytes = max_photo_bytes;
            config.verdict_ttl = std::time::Duration::from_secs(verdict_ttl_days.max(1) * 24 * 3600);
            config.as_of = common.as_of.as_ref().map(|_| options.as_of);
            config.lang = options.lang;
            let worker = photocheck::worker::Worker::new(checkers, config);
            let stop = worker.stop_flag();
            ctrlc::set_handler(move || stop.store(true, std::sync::atomic::Ordering::SeqCst)).context("installing the SIGTERM handler")?;
            if let Some(listen) = metrics_listen {
                let listener = std::net::TcpListener::bind(&listen).with_context(|| format!("binding {listen}"))?;
                listener.set_nonblocking(true)?;
                let metrics = worker.metrics.clone();
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                    runtime.block_on(async move {
                        let listener = tokio::net::TcpListener::from_std(listener)?;
                        axum::serve(listener, photocheck::worker::http::router(metrics)).await
                    })
                });
            }
            let c = &worker.config;
            tracing::info!(stream = %c.stream, group = %c.group, consumer = %c.consumer, results = %c.results, concurrency = c.concurrency, "photocheck worker ready: models loaded");
            worker.run().context("the worker could not start")?;
            tracing::info!("stopped: every photo in hand was finished and acknowledged");
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { which: _ } => {
            emit(&format!("{}\n", serde_json::to_string_pretty(&photocheck::server::report_json_schema())?));
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { format, lang } => {
            let lang: Lang = lang.parse().map_err(|m: String| anyhow::anyhow!(m))?;
            match format {
                RulesFormat::Tsv => {
                    for (code, family, name, summary) in photocheck::pipeline::rule_table_in(lang) {
                        emit(&format!("{code}\t{family}\t{name}\t{summary}\n"));
                    }
                }
                RulesFormat::Markdown => emit(&photocheck::pipeline::rule_table_markdown()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { inputs, out, resume, force_new, quiet, crops, common } => {
            audit(inputs, out, resume, force_new, quiet, crops, &common)
        }
        Command::Check { files, format, verbose, sort, crop_dir, crop_size, common } => {
            let (checker, opts) = setup(&common)?;
            if let Some(dir) = &crop_dir {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            let crops = crop_dir.as_deref().map(|dir| (dir, crop_size));
            let (any_reject, any_review, any_error) = check_files(&checker, &opts, &files, format, verbose, sort, crops);
            Ok(verdict_exit_code(any_error, any_reject, any_review))
        }
        Command::Calibrate(args) => calibrate(args),
        Command::Eval { labels, photos, format, floors, file_column, common } => {
            let (checker, opts) = setup(&common)?;
            let result = evaluate(&checker, &EvalOptions { labels, photos, file_column, check: opts })?;
            match format {
                Format::Json => emit(&format!("{}\n", serde_json::to_string_pretty(&result)?)),
                Format::Text => emit(&photocheck::printer::eval_table::render(&result)),
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
fn check_files(
    checker: &Checker,
    opts: &CheckOptions,
    files: &[PathBuf],
    format: Format,
    verbose: bool,
    sort: bool,
    crops: Option<(&std::path::Path, (u32, u32))>,
) -> (bool, bool, bool) {
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
            Format::Json => emit(&format!("{}\n", printer::json_line(r))),
            Format::Text => emit(&printer::text::render(r, verbose)),
        }
    };
    std::thread::scope(|scope| {
        scope.spawn(move || {
            files.par_iter().enumerate().for_each_with(tx, |tx, (i, f)| {
                let report = match crops {
                    None => checker.check_path(f, opts),
                    Some((dir, size)) => check_and_write_crop(checker, opts, f, dir, size),
                };
                let _ = tx.send((i, report));
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

/// Checks one file with its normalised crop, and writes the crop when it is approved.
fn check_and_write_crop(
    checker: &Checker,
    opts: &CheckOptions,
    path: &std::path::Path,
    dir: &std::path::Path,
    size: (u32, u32),
) -> photocheck::Report {
    let name = photocheck::pipeline::path_name(path);
    let bytes = match photocheck::pipeline::read_regular_file(path, checker.limits.max_file_bytes) {
        Ok(bytes) => bytes,
        Err(err) => return checker.error_report(&name, None, &err, opts),
    };
    let (report, jpeg) = checker.check_and_crop(&name, &bytes, opts, size);
    if let Some(jpeg) = jpeg {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        // Only safe characters in the written name, whatever the upload was called.
        let stem: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).take(80).collect();
        let sha = report.sha256.as_deref().unwrap_or("").get(..8).unwrap_or("").to_string();
        let out = dir.join(format!("{stem}-{sha}.crop.jpg"));
        if let Err(e) = std::fs::write(&out, jpeg) {
            eprintln!("photocheck: writing {}: {e}", out.display());
        }
    }
    report
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
    use photocheck::calibrate::{self, CalibrateOptions};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let (checker, check) = setup(common)?;
    // Calibrate reads each check's hand-made signal, so the base's own heads must not decide.
    let mut profile = Profile::load(&base).context("loading the base profile")?;
    profile.heads.clear();
    let checker = Checker::new(checker.models.clone(), Arc::new(profile));
    anyhow::ensure!(
        labels.len() == photos.len(),
        "give one --photos folder per --labels file ({} --labels, {} --photos)",
        labels.len(),
        photos.len()
    );
    let sources: Vec<calibrate::LabelledFolder> =
        labels.iter().zip(&photos).map(|(l, p)| calibrate::LabelledFolder { labels: l.clone(), photos: p.clone() }).collect();
    let total = calibrate::read_sources(&sources)?.0.len();
    let opts = CalibrateOptions {
        sources,
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
        "photocheck calibrate {} --base {base} --target {} --folds {folds} --repeats {repeats} --seed {seed}{}{}",
        opts.sources
            .iter()
            .map(|s| format!("--labels {} --photos {}", s.labels.display(), s.photos.display()))
            .collect::<Vec<_>>()
            .join(" "),
        opts.target.describe().replace('_', "-"),
        if keep_hand_thresholds { " --keep-hand-thresholds" } else { "" },
        max_false_approve.map(|a| format!(" --max-false-approve {a} --max-review-share {max_review_share}")).unwrap_or_default()
    );
    let done = AtomicUsize::new(0);
    let results = Reporter::new(quiet, "photos analysed").run(
        || {
            let d = done.load(Ordering::Relaxed);
            (d, total, if d >= total { "(fitting heads…)".to_string() } else { String::new() })
        },
        || calibrate::calibrate(&checker, &opts, &done, &out, &name, &base_ref, &command),
    )?;
    emit(&photocheck::printer::calibrate_table::render(&results, min_per_class));
    emit(&format!("wrote {} (extends {base_ref}); out-of-fold figures, target {}\n", out.display(), opts.target.describe()));
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

fn audit(
    inputs: Vec<String>,
    out: PathBuf,
    resume: bool,
    force_new: bool,
    quiet: bool,
    crops: Option<(u32, u32)>,
    common: &Common,
) -> Result<ExitCode> {
    use photocheck::audit::{self, AuditOptions, Progress};
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
    let opts = AuditOptions { out_dir: out.clone(), resume, keep_journal_as_of, force_new, check, stop: &STOP, crops };
    let summary = Reporter::new(quiet, "photos").run(
        || {
            let (done, total) = (progress.done.load(Ordering::Relaxed), progress.total.load(Ordering::Relaxed));
            let extra =
                format!("rejected {}  unreadable {}", progress.rejected.load(Ordering::Relaxed), progress.errors.load(Ordering::Relaxed));
            (done, total, extra)
        },
        || audit::run(&checker, &files, &opts, &progress),
    )?;
    let v = |k: &str| summary.verdicts.get(k).copied().unwrap_or(0);
    emit(&format!(
        "{} inputs: {} approved, {} rejected, {} for review, {} unreadable{}; {:.1} photos/s; reports in {}\n",
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
    ));
    Ok(if summary.interrupted { ExitCode::from(130) } else { verdict_exit_code(v("error") > 0, v("reject") > 0, v("review") > 0) })
}

/// The exit code of a batch (check, audit): 2 any unreadable, else 1 any rejected, else 3 any
/// sent to review, else 0.
fn verdict_exit_code(any_error: bool, any_reject: bool, any_review: bool) -> ExitCode {
    if any_error {
        ExitCode::from(2)
    } else if any_reject {
        ExitCode::from(1)
    } else if any_review {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
