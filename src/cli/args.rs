//! The command line's arguments: every subcommand and option, with its help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "photocheck", version, about = "Checks driving-licence portraits against the photo rules and explains every verdict")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RulesFormat {
    Tsv,
    Markdown,
}

#[derive(clap::Args, Clone)]
pub struct Common {
    /// Profile: a built-in name or a TOML file.
    #[arg(long, default_value = photocheck::profile::DEFAULT_PROFILE)]
    pub profile: String,
    /// Judge as of this date (YYYY-MM-DD or RFC 3339) instead of now: reproducible runs.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Language of messages: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    pub lang: String,
    /// Directory holding the models and SHA256SUMS (default: $PHOTOCHECK_MODELS or ./models).
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// CSV with a `file` column and one 0/1 column per label (empty = unknown). Repeat
    /// `--labels A --photos A/ --labels B --photos B/` to fit on several labelled folders at
    /// once (a column missing from one file is unknown there).
    #[arg(long, required = true)]
    pub labels: Vec<PathBuf>,
    /// Folder the `file` names of the matching --labels are relative to (one per --labels).
    #[arg(long, required = true)]
    pub photos: Vec<PathBuf>,
    /// The profile to write: it extends --base and holds the fitted heads.
    #[arg(long)]
    pub out: PathBuf,
    /// The profile whose thresholds and severities the result keeps (built-in name or file).
    #[arg(long, default_value = photocheck::profile::DEFAULT_PROFILE)]
    pub base: String,
    /// Name of the written profile (default: the --out file stem).
    #[arg(long)]
    pub name: Option<String>,
    /// Threshold target on out-of-fold scores: eer, max-false-reject=R or max-false-accept=A.
    #[arg(long, default_value = "eer")]
    pub target: String,
    /// Cross-validation folds (stratified by label; photos with the same content, in any folder,
    /// always share a fold).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Repeat the k-fold split this many times (different seeds) and average the scores.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Seed of the fold shuffles: the same photos, labels and seed write the same profile.
    #[arg(long, default_value_t = 20261126)]
    pub seed: u64,
    /// Refuse a column with fewer examples than this in either class.
    #[arg(long, default_value_t = 15)]
    pub min_per_class: usize,
    /// Where no embedding head beats a check's own signal, keep the base threshold instead of
    /// re-thresholding that signal for the label.
    #[arg(long)]
    pub keep_hand_thresholds: bool,
    /// Fit each head's review band: scores at or below its lower cut-off pass clearly, chosen so
    /// that at most this share of out-of-fold violations does (e.g. 0.005); scores between it and
    /// the threshold send the photo to a person. Without it heads have no band.
    #[arg(long)]
    pub max_false_approve: Option<f64>,
    /// With --max-false-approve: at most this share of compliant photos in a head's band (the
    /// cost); where the false-approve target would cost more, the cut-off moves up to this.
    #[arg(long, default_value_t = 0.05)]
    pub max_review_share: f64,
    /// Fail (exit 1) when a label's out-of-fold AUC is below the `[cv_auc]` floor in this file.
    #[arg(long)]
    pub floors: Option<PathBuf>,
    /// Judge the photos as of this date (YYYY-MM-DD); also the fit's recorded date and version.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Directory holding the models and SHA256SUMS (default: $PHOTOCHECK_MODELS or ./models).
    #[arg(long)]
    pub models: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum Command {
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
        /// Write the normalised crop (archive size, EXIF capture date only) of every photo that is
        /// approved, or would be once cropped, into DIR as NAME-SHA8.crop.jpg.
        #[arg(long, value_name = "DIR")]
        crop_dir: Option<PathBuf>,
        /// Size of the crops, WIDTHxHEIGHT (the archive photo's by default).
        #[arg(long, default_value = "260x378", value_parser = parse_size)]
        crop_size: (u32, u32),
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
        /// Also crop each approved or framing-only photo to the profile's geometry (archive size
        /// 260x378, or WIDTHxHEIGHT), re-check the crop, and write it to OUT/crops/ when approved.
        #[arg(long, value_name = "SIZE", num_args = 0..=1, default_missing_value = "260x378", value_parser = parse_size)]
        crops: Option<(u32, u32)>,
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
    /// Check the photos submitted to a Redis stream (consumer group) and publish the verdicts to another.
    ///
    /// Message fields: `id` (application id), `photo` (the bytes) or `photo_path` (relative to
    /// --photo-root), optional `as_of`, `profile`, `lang`. Published fields: `id`, `message_id`,
    /// `verdict`, `report` (the JSON report of `check --format json`).
    Worker {
        /// Redis URL (redis://[user:password@]host:port[/db]).
        #[arg(long, default_value = "redis://127.0.0.1:6379")]
        redis: String,
        /// Stream the submitted photos are added to.
        #[arg(long, default_value = "photos")]
        stream: String,
        /// Consumer group shared by every worker.
        #[arg(long, default_value = "photocheck")]
        group: String,
        /// Stream the verdicts are published to.
        #[arg(long, default_value = "verdicts")]
        results: String,
        /// This worker's name in the group (default: host name and process id).
        #[arg(long)]
        consumer: Option<String>,
        /// Photos checked at once (default: cores).
        #[arg(long)]
        concurrency: Option<usize>,
        /// A message delivered more often than this goes to the dead-letter stream.
        #[arg(long, default_value_t = 5)]
        max_deliveries: usize,
        /// Stream for messages that could not be handled.
        #[arg(long, default_value = "photos:dead")]
        dead_letter: String,
        /// Take over messages idle this long with another (dead) consumer, milliseconds.
        #[arg(long, default_value_t = 60_000)]
        claim_idle_ms: u64,
        /// Directory `photo_path` fields are relative to (shared storage); without it, only inline photos.
        #[arg(long)]
        photo_root: Option<PathBuf>,
        /// Largest photo accepted, bytes.
        #[arg(long, default_value_t = 10 * 1024 * 1024)]
        max_photo_bytes: u64,
        /// How long a published verdict is remembered for redeliveries and resubmissions, days.
        #[arg(long, default_value_t = 30)]
        verdict_ttl_days: u64,
        /// Serve /metrics and /healthz on this address.
        #[arg(long)]
        metrics_listen: Option<String>,
        /// More profiles messages may name (`profile`), besides --profile.
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

/// WIDTHxHEIGHT, each 16..=4096 px.
fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("'{s}' is not WIDTHxHEIGHT"))?;
    let side = |v: &str| v.trim().parse::<u32>().ok().filter(|n| (16..=4096).contains(n));
    match (side(w), side(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!("'{s}': width and height must be 16..4096 px")),
    }
}
