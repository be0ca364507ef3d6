//! `photocheck worker`: checks the photos submitted to a Redis stream and publishes the verdicts to
//! another, as a member of a consumer group — so any number of workers on any number of machines
//! share one queue, and a worker that dies loses nothing.
//!
//! The delivery contract, end to end:
//! - **At least once, one verdict.** Each message is acknowledged in the same `MULTI`/`EXEC` as
//!   its verdict is published, so a verdict is published exactly when its message is acked. The
//!   verdict is also kept under an idempotency key (application id + photo sha256): a message
//!   redelivered after a crash, or the same photo submitted again for the same application,
//!   republishes the verdict already given instead of judging again (on another day, or with a
//!   newer profile, the answer could differ — the issuance service must never see two).
//! - **Crash recovery.** Messages pending with a consumer for longer than `claim_idle` (it died, or
//!   is stuck) are taken over with `XAUTOCLAIM`.
//! - **Poison photos.** A message delivered more than `max_deliveries` times goes, whole, to the
//!   dead-letter stream with the last error and is acked, so it never blocks the queue.
//! - **Backpressure.** Each of the `concurrency` threads holds at most one message; nothing is read
//!   from Redis that no thread is free to check.
//! - **Shutdown.** On SIGTERM/SIGINT every thread finishes and acks the photo in hand, then exits.
//!
//! Bad input behaves as everywhere else: a message without an application id or photo, a photo
//! that is not an image, a path outside the shared-storage root — each gets an `error` report
//! published like any verdict.

pub mod http;
pub mod metrics;

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::streams::{StreamAutoClaimReply, StreamId, StreamPendingCountReply, StreamReadReply};
use redis::{Connection, Value};

use crate::error::InputError;
use crate::pipeline::{hex_sha256, parse_as_of, read_regular_file, CheckOptions, Checker};
use crate::report::{Lang, Report};
pub use metrics::WorkerMetrics;

/// Everything `photocheck worker` is told on its command line.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub redis_url: String,
    /// The stream the issuance system adds submitted photos to.
    pub stream: String,
    pub group: String,
    /// The stream verdicts are published to.
    pub results: String,
    /// This worker's name in the group; unique per process (the default is host + pid).
    pub consumer: String,
    /// Photos checked at once (threads, each holding at most one message).
    pub concurrency: usize,
    /// A message delivered more often than this goes to `dead_letter`.
    pub max_deliveries: usize,
    pub dead_letter: String,
    /// A message pending this long with another consumer is taken over.
    pub claim_idle: Duration,
    /// How long one read waits for new messages: also how soon a stop request is noticed.
    pub block: Duration,
    /// Largest photo accepted, inline or from storage.
    pub max_photo_bytes: u64,
    /// Where `photo_path` fields point into (shared storage); without it, only inline photos.
    pub photo_root: Option<PathBuf>,
    /// How long a published verdict is remembered for redeliveries and resubmissions.
    pub verdict_ttl: Duration,
    /// Judging date for messages without `as_of` (`None`: the time of the check).
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Language for messages without `lang`.
    pub lang: Lang,
}

impl WorkerConfig {
    pub fn new(redis_url: &str) -> WorkerConfig {
        WorkerConfig {
            redis_url: redis_url.to_string(),
            stream: "photos".into(),
            group: "photocheck".into(),
            results: "verdicts".into(),
            consumer: default_consumer_name(),
            concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            max_deliveries: 5,
            dead_letter: "photos:dead".into(),
            claim_idle: Duration::from_secs(60),
            block: Duration::from_secs(1),
            max_photo_bytes: 10 * 1024 * 1024,
            photo_root: None,
            verdict_ttl: Duration::from_secs(30 * 24 * 3600),
            as_of: None,
            lang: Lang::ZhCn,
        }
    }

    /// Key remembering the verdict published for one application and photo.
    fn verdict_key(&self, application_id: &str, photo_sha256: &str) -> String {
        format!("{}:verdict:{}:{}", self.results, application_id, photo_sha256)
    }

    /// Key holding the last error seen for one message (read when it is dead-lettered).
    fn error_key(&self, message_id: &str) -> String {
        format!("{}:{}:error:{}", self.stream, self.group, message_id)
    }
}

/// Host name and process id: unique per running process, stable across its threads.
pub fn default_consumer_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "photocheck".into());
    format!("{host}-{}", std::process::id())
}

/// Infrastructure failures (Redis unreachable, a reply that is not what the protocol says). The
/// message in hand stays pending and is retried; they never become a verdict.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("redis reply: {0}")]
    Reply(String),
    /// A bug met by this photo: the message stays pending, is retried after `claim_idle`, and
    /// dead-lettered with this text after `max_deliveries`.
    #[error("the check panicked: {0}")]
    CheckPanicked(String),
}

/// The worker: the checkers it judges with (the default profile first), its configuration, its
/// counters, and the stop flag every thread watches.
pub struct Worker {
    checkers: HashMap<String, Checker>,
    default_profile: String,
    pub config: WorkerConfig,
    pub metrics: Arc<WorkerMetrics>,
    stop: Arc<AtomicBool>,
    /// Messages this process's threads are handling now. A claim resets a message's idle time
    /// but nothing touches it while it is checked, so a check slower than `claim_idle` makes it
    /// look idle to a sibling thread's `XAUTOCLAIM`: that thread leaves it to the one handling it
    /// (otherwise the verdict was published twice).
    in_flight: Mutex<HashSet<String>>,
}

/// Takes a message id out of the in-flight set when its handling ends, however it ends.
struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&self.id);
    }
}

/// One photo submission as read from a message.
struct Submission {
    application_id: String,
    photo: PhotoSource,
    options: CheckOptions,
    profile: String,
}

/// A report as published: its verdict and its JSON (the schema of `check --format json`).
struct Published {
    verdict: String,
    json: String,
}

impl Published {
    fn of(report: &Report) -> Result<Published, WorkerError> {
        let json = serde_json::to_string(report).map_err(|e| WorkerError::Reply(e.to_string()))?;
        let verdict = serde_json::to_value(report.verdict).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        Ok(Published { verdict, json })
    }

    /// A stored report; `None` if it is not one (then the photo is judged again).
    fn parse(json: String) -> Option<Published> {
        let value: serde_json::Value = serde_json::from_str(&json).ok()?;
        let verdict = value.get("verdict")?.as_str()?.to_string();
        Some(Published { verdict, json })
    }
}

enum PhotoSource {
    Inline(Vec<u8>),
    Path(String),
}

impl Worker {
    pub fn new(checkers: Vec<Checker>, config: WorkerConfig) -> Worker {
        let default_profile = checkers.first().map(|c| c.profile.name.clone()).unwrap_or_default();
        let checkers = checkers
            .into_iter()
            .map(|mut c| {
                c.limits.max_file_bytes = config.max_photo_bytes;
                (c.profile.name.clone(), c)
            })
            .collect();
        Worker {
            checkers,
            default_profile,
            config,
            metrics: Arc::new(WorkerMetrics::default()),
            stop: Arc::new(AtomicBool::new(false)),
            in_flight: Mutex::new(HashSet::new()),
        }
    }

    /// Set to ask every thread to finish the photo in hand and return.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Creates the consumer group (and the stream) when missing. A new group reads the stream from
    /// its start: photos submitted before the first worker ran are checked too.
    pub fn ensure_group(&self, con: &mut Connection) -> Result<(), WorkerError> {
        let created: redis::RedisResult<()> =
            redis::cmd("XGROUP").arg("CREATE").arg(&self.config.stream).arg(&self.config.group).arg("0").arg("MKSTREAM").query(con);
        match created {
            Ok(()) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn connect(&self) -> Result<Connection, WorkerError> {
        let client = redis::Client::open(self.config.redis_url.as_str())?;
        let con = client.get_connection_with_timeout(Duration::from_secs(5))?;
        // A blocking read waits `block`; anything much longer means the server is gone.
        con.set_read_timeout(Some(self.config.block + Duration::from_secs(10)))?;
        con.set_write_timeout(Some(Duration::from_secs(10)))?;
        Ok(con)
    }

    /// Runs `concurrency` threads until the stop flag is set; returns when all have finished the
    /// photo in hand. Redis outages, at start or later, are waited out (with backoff), never fatal.
    pub fn run(&self) -> Result<(), WorkerError> {
        // Redis may come up after the worker (a restart of both, a rolling deploy): wait for it.
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.connect().and_then(|mut con| self.ensure_group(&mut con)) {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "redis unreachable at start; retrying");
                    self.sleep_unless_stopped(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    if self.stop.load(Ordering::SeqCst) {
                        return Ok(());
                    }
                }
            }
        }
        std::thread::scope(|scope| {
            scope.spawn(|| self.watch_lag());
            for thread in 0..self.config.concurrency.max(1) {
                scope.spawn(move || self.consume(thread));
            }
        });
        Ok(())
    }

    /// One thread's loop: take over idle messages of dead consumers, else read new ones.
    fn consume(&self, thread: usize) {
        let mut backoff = Duration::from_millis(100);
        let mut claim_cursor = "0-0".to_string();
        let mut next_claim = Instant::now();
        while !self.stop.load(Ordering::SeqCst) {
            let mut con = match self.connect() {
                Ok(con) => con,
                Err(e) => {
                    self.metrics.set_redis_up(false);
                    tracing::warn!(thread, error = %e, "redis unreachable; retrying");
                    self.sleep_unless_stopped(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            backoff = Duration::from_millis(100);
            self.metrics.set_redis_up(true);
            while !self.stop.load(Ordering::SeqCst) {
                let step = if Instant::now() >= next_claim {
                    let claimed = self.claim_one(&mut con, &mut claim_cursor);
                    if matches!(claimed, Ok(false)) {
                        // Nothing idle: look again in a fraction of the idle time.
                        next_claim = Instant::now() + (self.config.claim_idle / 4).max(Duration::from_millis(50));
                    }
                    claimed
                } else {
                    self.read_one(&mut con)
                };
                if let Err(e) = step {
                    self.metrics.set_redis_up(false);
                    tracing::warn!(thread, error = %e, "redis command failed; reconnecting");
                    self.sleep_unless_stopped(backoff);
                    break;
                }
            }
        }
    }

    fn sleep_unless_stopped(&self, total: Duration) {
        let until = Instant::now() + total;
        while !self.stop.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20).min(total));
        }
    }

    /// Reads at most one new message (waiting up to `block`) and handles it.
    fn read_one(&self, con: &mut Connection) -> Result<bool, WorkerError> {
        let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&self.config.group)
            .arg(&self.config.consumer)
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(self.config.block.as_millis() as u64)
            .arg("STREAMS")
            .arg(&self.config.stream)
            .arg(">")
            .query(con)?;
        let Some(message) = reply.and_then(|r| r.keys.into_iter().next()).and_then(|k| k.ids.into_iter().next()) else {
            return Ok(false);
        };
        let Some(_handling) = self.start_handling(&message.id) else {
            return Ok(true);
        };
        self.handle(con, message, 1)?;
        Ok(true)
    }

    /// Takes over at most one message idle for `claim_idle` with any consumer, and handles it.
    fn claim_one(&self, con: &mut Connection, cursor: &mut String) -> Result<bool, WorkerError> {
        let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(&self.config.consumer)
            .arg(self.config.claim_idle.as_millis() as u64)
            .arg(cursor.as_str())
            .arg("COUNT")
            .arg(1)
            .query(con)?;
        *cursor = reply.next_stream_id;
        let Some(message) = reply.claimed.into_iter().next() else {
            return Ok(false);
        };
        let Some(_handling) = self.start_handling(&message.id) else {
            tracing::debug!(message_id = %message.id, "idle with this worker's own thread, which is still checking it");
            return Ok(false);
        };
        let deliveries = self.deliveries(con, &message.id)?;
        self.metrics.claimed.inc();
        tracing::info!(message_id = %message.id, deliveries, "took over a message idle with another consumer");
        self.handle(con, message, deliveries)?;
        Ok(true)
    }

    /// Marks a message as being handled by this thread, or `None` if another thread of this
    /// process is handling it.
    fn start_handling(&self, id: &str) -> Option<InFlight<'_>> {
        let mut set = self.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        set.insert(id.to_string()).then(|| InFlight { set: &self.in_flight, id: id.to_string() })
    }

    /// How often a pending message has been delivered (the claim that just took it included).
    fn deliveries(&self, con: &mut Connection, message_id: &str) -> Result<usize, WorkerError> {
        let reply: StreamPendingCountReply =
            redis::cmd("XPENDING").arg(&self.config.stream).arg(&self.config.group).arg(message_id).arg(message_id).arg(1).query(con)?;
        Ok(reply.ids.first().map(|p| p.times_delivered).unwrap_or(1))
    }

    /// Checks one message and publishes its verdict, or dead-letters it.
    fn handle(&self, con: &mut Connection, message: StreamId, deliveries: usize) -> Result<(), WorkerError> {
        self.metrics.consumed.inc();
        if deliveries > self.config.max_deliveries {
            return self.dead_letter(con, &message, deliveries);
        }
        // Whatever happens next, a later dead-letter entry can say how far this attempt got.
        let started = format!(
            "delivery {deliveries} to consumer {} started at {} and did not finish (the worker stopped or was killed)",
            self.config.consumer,
            chrono::Utc::now().to_rfc3339()
        );
        let _: () = redis::cmd("SET").arg(self.config.error_key(&message.id)).arg(&started).arg("EX").arg(7 * 24 * 3600).query(con)?;

        let started_at = Instant::now();
        let (application_id, published) = match self.submission(&message) {
            Ok(submission) => {
                let id = submission.application_id.clone();
                match self.judge_once(con, submission) {
                    Err(WorkerError::CheckPanicked(why)) => {
                        let error = format!("delivery {deliveries} to consumer {}: the check panicked: {why}", self.config.consumer);
                        let _: () = redis::cmd("SET")
                            .arg(self.config.error_key(&message.id))
                            .arg(&error)
                            .arg("EX")
                            .arg(7 * 24 * 3600)
                            .query(con)?;
                        tracing::error!(message_id = %message.id, error = %sanitised(&error), "left pending for a retry");
                        return Ok(());
                    }
                    other => (id, other?),
                }
            }
            Err((application_id, err)) => {
                let checker = &self.checkers[&self.default_profile];
                (application_id, Published::of(&checker.error_report(&message.id, None, &err, &CheckOptions::default()))?)
            }
        };
        self.publish(con, &message.id, &application_id, &published)?;
        self.metrics.record_verdict(&published.verdict);
        tracing::info!(
            message_id = %message.id,
            application_id = %sanitised(&application_id),
            verdict = %published.verdict,
            ms = started_at.elapsed().as_millis() as u64,
            "published"
        );
        Ok(())
    }

    /// The verdict for this application and photo: the one already published if there is one,
    /// else a new check, stored so that every later delivery gets the same.
    fn judge_once(&self, con: &mut Connection, submission: Submission) -> Result<Published, WorkerError> {
        let Submission { application_id, photo, options, profile } = submission;
        let checker = &self.checkers[&profile];
        let (name, bytes) = match photo {
            PhotoSource::Inline(bytes) => (format!("{application_id}.photo"), Ok(bytes)),
            PhotoSource::Path(path) => {
                let bytes = self.read_stored(&path, checker.limits.max_file_bytes);
                (path, bytes)
            }
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            // Unreadable now may be readable later: not remembered, so a resubmission is judged.
            Err(err) => return Published::of(&checker.error_report(&name, None, &err, &options)),
        };
        let key = self.config.verdict_key(&application_id, &hex_sha256(&bytes));
        let known: Option<String> = redis::cmd("GET").arg(&key).query(con)?;
        if let Some(known) = known.and_then(Published::parse) {
            self.metrics.republished.inc();
            return Ok(known);
        }
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| checker.check_bytes(&name, &bytes, &options)));
        let report = checked.map_err(|panic| {
            let why = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            WorkerError::CheckPanicked(why.unwrap_or_else(|| "no message".into()))
        })?;
        let fresh = Published::of(&report)?;
        // SET … NX GET: if another worker stored a verdict meanwhile, that one wins.
        let earlier: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&fresh.json)
            .arg("NX")
            .arg("GET")
            .arg("EX")
            .arg(self.config.verdict_ttl.as_secs().max(1))
            .query(con)?;
        Ok(earlier.and_then(Published::parse).unwrap_or(fresh))
    }

    /// Publishes the verdict and acks the message in one transaction.
    fn publish(&self, con: &mut Connection, message_id: &str, application_id: &str, published: &Published) -> Result<(), WorkerError> {
        let _: () = redis::pipe()
            .atomic()
            .cmd("XADD")
            .arg(&self.config.results)
            .arg("*")
            .arg("id")
            .arg(application_id)
            .arg("message_id")
            .arg(message_id)
            .arg("verdict")
            .arg(&published.verdict)
            .arg("report")
            .arg(&published.json)
            .ignore()
            .cmd("XACK")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(message_id)
            .ignore()
            .cmd("DEL")
            .arg(self.config.error_key(message_id))
            .ignore()
            .query(con)?;
        self.metrics.published.inc();
        Ok(())
    }

    /// Moves a message delivered too often to the dead-letter stream (all its fields, plus
    /// `message_id`, `deliveries` and `last_error`) and acks it, in one transaction.
    fn dead_letter(&self, con: &mut Connection, message: &StreamId, deliveries: usize) -> Result<(), WorkerError> {
        let last_error: Option<String> = redis::cmd("GET").arg(self.config.error_key(&message.id)).query(con)?;
        let last_error = last_error.unwrap_or_else(|| "no error was recorded (the consumers holding it stopped before starting it)".into());
        let mut add = redis::cmd("XADD");
        add.arg(&self.config.dead_letter).arg("*");
        let mut fields: Vec<(&String, &Value)> = message.map.iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        for (field, value) in fields {
            if matches!(field.as_str(), "message_id" | "deliveries" | "last_error") {
                continue;
            }
            if let Value::BulkString(bytes) = value {
                add.arg(field).arg(bytes.as_slice());
            }
        }
        add.arg("message_id").arg(&message.id).arg("deliveries").arg(deliveries).arg("last_error").arg(&last_error);
        let _: () = redis::pipe()
            .atomic()
            .add_command(add)
            .ignore()
            .cmd("XACK")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(&message.id)
            .ignore()
            .cmd("DEL")
            .arg(self.config.error_key(&message.id))
            .ignore()
            .query(con)?;
        self.metrics.dead_lettered.inc();
        tracing::warn!(message_id = %message.id, deliveries, last_error = %sanitised(&last_error), "dead-lettered");
        Ok(())
    }

    /// Reads the message's fields; on a malformed message, the application id (possibly empty)
    /// and the error its report carries.
    fn submission(&self, message: &StreamId) -> Result<Submission, (String, InputError)> {
        let field = |name: &str| match message.map.get(name) {
            Some(Value::BulkString(bytes)) => Some(bytes.as_slice()),
            _ => None,
        };
        let text = |name: &str| field(name).map(|b| String::from_utf8_lossy(b).trim().to_string()).filter(|s| !s.is_empty());
        let bad = |id: &str, what: String| (id.to_string(), InputError::BadMessage(what));
        let application_id = text("id").unwrap_or_default();
        if application_id.is_empty() || application_id.len() > 200 || application_id.chars().any(char::is_control) {
            return Err(bad("", "the message has no usable `id` (the application id: 1–200 printable characters)".into()));
        }
        let photo = match (field("photo"), text("photo_path")) {
            (Some(bytes), None) => PhotoSource::Inline(bytes.to_vec()),
            (None, Some(path)) => PhotoSource::Path(path),
            (Some(_), Some(_)) => return Err(bad(&application_id, "the message has both `photo` and `photo_path`; send one".into())),
            (None, None) => return Err(bad(&application_id, "the message has neither `photo` (the bytes) nor `photo_path`".into())),
        };
        let as_of = match text("as_of") {
            Some(s) => parse_as_of(&s).map_err(|m| bad(&application_id, format!("`as_of` {m}")))?,
            None => self.config.as_of.unwrap_or_else(chrono::Utc::now),
        };
        let lang = match text("lang") {
            Some(s) => s.parse::<Lang>().map_err(|m| bad(&application_id, format!("`lang`: {m}")))?,
            None => self.config.lang,
        };
        let profile = text("profile").unwrap_or_else(|| self.default_profile.clone());
        if !self.checkers.contains_key(&profile) {
            let mut known: Vec<&String> = self.checkers.keys().collect();
            known.sort();
            return Err(bad(&application_id, format!("unknown `profile` {profile:?}; this worker has {known:?}")));
        }
        Ok(Submission { application_id, photo, options: CheckOptions { as_of, lang }, profile })
    }

    /// Reads a `photo_path` under the shared-storage root; a path that is absolute, climbs out
    /// with `..`, or resolves (through links) outside the root is refused.
    fn read_stored(&self, path: &str, limit: u64) -> Result<Vec<u8>, InputError> {
        let Some(root) = &self.config.photo_root else {
            return Err(InputError::BadMessage("`photo_path` given, but this worker has no --photo-root: send the photo inline".into()));
        };
        let relative = Path::new(path);
        if !relative.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
            return Err(InputError::BadMessage(format!("`photo_path` {path:?} must be relative to the photo root, without `..`")));
        }
        let full = root.join(relative);
        let io = |source| InputError::Io { path: PathBuf::from(path), source };
        let resolved = full.canonicalize().map_err(io)?;
        let root = root.canonicalize().map_err(io)?;
        if !resolved.starts_with(&root) {
            return Err(InputError::BadMessage(format!("`photo_path` {path:?} leads outside the photo root")));
        }
        read_regular_file(&resolved, limit)
    }

    /// Keeps the lag and pending gauges current (one `XINFO GROUPS` every few seconds).
    fn watch_lag(&self) {
        let mut con = None;
        while !self.stop.load(Ordering::SeqCst) {
            if con.is_none() {
                con = self.connect().ok();
            }
            if let Some(c) = con.as_mut() {
                match self.group_info(c) {
                    Ok((lag, pending)) => self.metrics.set_backlog(lag, pending),
                    Err(_) => con = None,
                }
            }
            self.sleep_unless_stopped(Duration::from_secs(2));
        }
    }

    /// (lag, pending) of this worker's group: entries not yet delivered, and delivered but not acked.
    pub fn group_info(&self, con: &mut Connection) -> Result<(Option<i64>, i64), WorkerError> {
        let groups: Vec<HashMap<String, Value>> = redis::cmd("XINFO").arg("GROUPS").arg(&self.config.stream).query(con)?;
        let as_int = |v: Option<&Value>| match v {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        for g in &groups {
            let name = match g.get("name") {
                Some(Value::BulkString(b)) => String::from_utf8_lossy(b).to_string(),
                Some(Value::SimpleString(s)) => s.clone(),
                _ => continue,
            };
            if name == self.config.group {
                return Ok((as_int(g.get("lag")), as_int(g.get("pending")).unwrap_or(0)));
            }
        }
        Err(WorkerError::Reply(format!("no group {} on stream {}", self.config.group, self.config.stream)))
    }
}

/// An application id as it may appear in a log line: printable, bounded.
fn sanitised(s: &str) -> String {
    s.chars().take(200).map(|c| if c.is_control() { '?' } else { c }).collect()
}
