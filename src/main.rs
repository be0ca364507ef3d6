//! The `photocheck` command line: a thin front end over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use photocheck::eval::{evaluate, EvalOptions};
use photocheck::models::ModelSet;
use photocheck::pipeline::rule_table;
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
        /// Fail (exit 1) when an attribute's AUC falls below the floor in this TOML file.
        #[arg(long)]
        floors: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// List every check code with its rule and meaning.
    Rules,
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
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("--as-of '{s}' is not YYYY-MM-DD or RFC 3339"))?;
    Ok(d.and_hms_opt(12, 0, 0).context("invalid time")?.and_utc())
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Rules => {
            for (code, family, name, summary) in rule_table() {
                println!("{code}\t{family}\t{name}\t{summary}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { files, format, verbose, common } => {
            let (checker, opts) = setup(&common)?;
            let reports: Vec<_> = files.par_iter().map(|f| checker.check_path(f, &opts)).collect();
            let mut any_reject = false;
            let mut any_error = false;
            for r in &reports {
                match r.verdict {
                    Verdict::Reject => any_reject = true,
                    Verdict::Error => any_error = true,
                    Verdict::Approve => {}
                }
                match format {
                    Format::Json => println!("{}", printer::json_line(r)),
                    Format::Text => print!("{}", printer::text::render(r, verbose)),
                }
            }
            Ok(if any_error {
                ExitCode::from(2)
            } else if any_reject {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Eval { labels, photos, format, floors, common } => {
            let (checker, opts) = setup(&common)?;
            let result = evaluate(&checker, &EvalOptions { labels, photos, check: opts })?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&result)?),
                Format::Text => print!("{}", result.render_text()),
            }
            if let Some(floors) = floors {
                let breaches = result.check_floors(&floors)?;
                if !breaches.is_empty() {
                    for b in &breaches {
                        eprintln!("accuracy floor breached: {b}");
                    }
                    return Ok(ExitCode::from(1));
                }
                eprintln!("all accuracy floors met ({})", floors.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
