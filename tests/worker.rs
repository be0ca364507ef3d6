//! The queue worker against a real Redis (Debian's redis-server 7, started per test on a free
//! port): one verdict per message, acked with it; the same verdict on redelivery; dead consumers'
//! messages taken over; poison messages dead-lettered; a clean stop on SIGTERM.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use photocheck::worker::{Worker, WorkerConfig};

/// Debian's redis-server, where installed (CI installs it; a CI run without it fails here).
fn redis_server_binary() -> Option<PathBuf> {
    ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A throwaway redis-server, killed when dropped.
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Option<Redis> {
        Redis::start_on(free_port())
    }

    fn start_on(port: u16) -> Option<Redis> {
        let Some(binary) = redis_server_binary() else {
            assert!(std::env::var("CI").is_err(), "CI must install redis-server (see .ci/run)");
            eprintln!("redis-server not installed: worker test skipped on this developer machine");
            return None;
        };
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let redis = Redis { child, url: format!("redis://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut con) = redis.connection() {
                if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                    return Some(redis);
                }
            }
            assert!(Instant::now() < deadline, "redis-server did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url.as_str())?.get_connection()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(redis: &Redis) -> WorkerConfig {
    let mut c = WorkerConfig::new(&redis.url);
    c.concurrency = 2;
    c.block = Duration::from_millis(100);
    c.as_of = Some(common::as_of());
    c.lang = photocheck::Lang::En;
    c
}

fn add(con: &mut redis::Connection, stream: &str, fields: &[(&str, &[u8])]) -> String {
    let mut cmd = redis::cmd("XADD");
    cmd.arg(stream).arg("*");
    for (k, v) in fields {
        cmd.arg(*k).arg(*v);
    }
    cmd.query(con).unwrap()
}

/// Entries of a stream, each as field → text.
fn entries(con: &mut redis::Connection, stream: &str) -> Vec<(String, HashMap<String, String>)> {
    let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE").arg(stream).arg("-").arg("+").query(con).unwrap();
    reply
        .ids
        .into_iter()
        .map(|e| {
            let fields = e
                .map
                .into_iter()
                .map(|(k, v)| match v {
                    redis::Value::BulkString(b) => (k, String::from_utf8_lossy(&b).into_owned()),
                    other => (k, format!("{other:?}")),
                })
                .collect();
            (e.id, fields)
        })
        .collect()
}

fn pending(con: &mut redis::Connection, stream: &str, group: &str) -> i64 {
    let summary: redis::Value = redis::cmd("XPENDING").arg(stream).arg(group).query(con).unwrap();
    match summary {
        redis::Value::Array(items) => match items.first() {
            Some(redis::Value::Int(n)) => *n,
            other => panic!("XPENDING summary: {other:?}"),
        },
        other => panic!("XPENDING summary: {other:?}"),
    }
}

/// Runs the worker in a thread until `done` holds (or 120 s pass), then stops it and waits.
fn run_until(worker: Worker, redis: &Redis, done: impl Fn(&mut redis::Connection) -> bool) -> Arc<Worker> {
    let worker = Arc::new(worker);
    let running = worker.clone();
    let thread = std::thread::spawn(move || running.run());
    let mut con = redis.connection().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(&mut con) {
        assert!(Instant::now() < deadline, "the worker did not finish in time");
        std::thread::sleep(Duration::from_millis(50));
    }
    worker.stop_flag().store(true, Ordering::SeqCst);
    thread.join().unwrap().unwrap();
    worker
}

fn report(fields: &HashMap<String, String>) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_str(&fields["report"]).unwrap();
    common::record(&report);
    report
}

#[test]
fn every_message_gets_one_verdict_published_and_acked() {
    let Some(redis) = Redis::start() else { return };
    let mut con = redis.connection().unwrap();
    let storage = tempfile::tempdir().unwrap();
    std::fs::create_dir(storage.path().join("2026")).unwrap();
    std::fs::write(storage.path().join("2026/a.jpg"), common::sample("london_032_03.jpg")).unwrap();
    let compliant = common::sample("london_032_03.jpg");
    let messages = [
        add(&mut con, "photos", &[("id", b"APP-1"), ("photo", &compliant)]),
        add(&mut con, "photos", &[("id", b"APP-2"), ("photo", b"this is not a photo")]),
        add(&mut con, "photos", &[("photo", &compliant)]),
        add(&mut con, "photos", &[("id", b"APP-4"), ("photo_path", b"2026/a.jpg")]),
        add(&mut con, "photos", &[("id", b"APP-5"), ("photo_path", b"../../etc/passwd")]),
        add(&mut con, "photos", &[("id", b"APP-6"), ("photo_path", b"/etc/passwd")]),
        add(&mut con, "photos", &[("id", b"APP-7"), ("photo", &compliant), ("profile", b"no-such-profile")]),
    ];
    let mut config = config(&redis);
    config.photo_root = Some(storage.path().to_path_buf());
    let worker = Worker::new(vec![common::checker().clone()], config);
    let worker = run_until(worker, &redis, |con| entries(con, "verdicts").len() >= messages.len());

    let published = entries(&mut con, "verdicts");
    assert_eq!(published.len(), messages.len(), "one verdict per message, no more");
    let by_message: HashMap<&str, &HashMap<String, String>> = published.iter().map(|(_, f)| (f["message_id"].as_str(), f)).collect();
    let expect = |i: usize, id: &str, verdict: &str, kind: Option<&str>| {
        let fields = by_message[messages[i].as_str()];
        assert_eq!(fields["id"], id, "{fields:?}");
        assert_eq!(fields["verdict"], verdict, "{fields:?}");
        let report = report(fields);
        assert_eq!(report["verdict"], verdict);
        assert_eq!(report["error"]["kind"].as_str(), kind, "{report}");
    };
    expect(0, "APP-1", "approve", None);
    expect(1, "APP-2", "error", Some("not_an_image"));
    expect(2, "", "error", Some("bad_message"));
    expect(3, "APP-4", "approve", None);
    expect(4, "APP-5", "error", Some("bad_message"));
    expect(5, "APP-6", "error", Some("bad_message"));
    expect(6, "APP-7", "error", Some("bad_message"));
    assert_eq!(pending(&mut con, "photos", "photocheck"), 0, "every message acked");
    let metrics = worker.metrics.render();
    assert!(metrics.contains("photocheck_worker_published_total 7"), "{metrics}");
    assert!(metrics.contains("photocheck_worker_verdicts_total{verdict=\"approve\"} 2"), "{metrics}");
}

#[test]
fn a_redelivered_or_resubmitted_photo_gets_the_verdict_already_given() {
    let Some(redis) = Redis::start() else { return };
    let mut con = redis.connection().unwrap();
    let photo = common::sample("london_032_03.jpg");
    add(&mut con, "photos", &[("id", b"APP-9"), ("photo", &photo), ("as_of", b"2026-11-26")]);
    let worker = Worker::new(vec![common::checker().clone()], config(&redis));
    run_until(worker, &redis, |con| !entries(con, "verdicts").is_empty());
    // The same application and photo again, judged a year later: the date check alone would
    // reject it now, but the issuance service must not see a second, different verdict.
    add(&mut con, "photos", &[("id", b"APP-9"), ("photo", &photo), ("as_of", b"2027-12-01")]);
    // A different application with the same photo is judged on its own.
    add(&mut con, "photos", &[("id", b"APP-10"), ("photo", &photo), ("as_of", b"2027-12-01")]);
    let worker = Worker::new(vec![common::checker().clone()], config(&redis));
    let worker = run_until(worker, &redis, |con| entries(con, "verdicts").len() >= 3);
    let published = entries(&mut con, "verdicts");
    assert_eq!(published.len(), 3);
    assert_eq!(published[0].1["report"], published[1].1["report"], "the same report, byte for byte");
    assert_eq!(published[1].1["verdict"], "approve");
    assert_eq!(published[2].1["id"], "APP-10");
    assert_eq!(published[2].1["verdict"], "reject", "{}", published[2].1["report"]);
    assert!(worker.metrics.render().contains("photocheck_worker_republished_total 1"));
}

#[test]
fn messages_of_a_dead_consumer_are_taken_over_and_poison_is_dead_lettered() {
    let Some(redis) = Redis::start() else { return };
    let mut con = redis.connection().unwrap();
    let _: () = redis::cmd("XGROUP").arg("CREATE").arg("photos").arg("photocheck").arg("0").arg("MKSTREAM").query(&mut con).unwrap();
    let photo = common::sample("london_032_03.jpg");
    let orphan = add(&mut con, "photos", &[("id", b"APP-20"), ("photo", &photo)]);
    let poison = add(&mut con, "photos", &[("id", b"APP-21"), ("photo", b"\xff\xd8\xff")]);
    // A consumer reads both and dies; the second was retried (and lost) five more times.
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("photocheck")
        .arg("ghost")
        .arg("COUNT")
        .arg(2)
        .arg("STREAMS")
        .arg("photos")
        .arg(">")
        .query(&mut con)
        .unwrap();
    for _ in 0..5 {
        let _: redis::Value =
            redis::cmd("XCLAIM").arg("photos").arg("photocheck").arg("ghost").arg(0).arg(&poison).query(&mut con).unwrap();
    }
    let mut config = config(&redis);
    config.claim_idle = Duration::from_millis(200);
    config.max_deliveries = 5;
    let worker = Worker::new(vec![common::checker().clone()], config);
    let worker = run_until(worker, &redis, |con| entries(con, "verdicts").len() + entries(con, "photos:dead").len() >= 2);

    let published = entries(&mut con, "verdicts");
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].1["message_id"], orphan);
    assert_eq!(published[0].1["verdict"], "approve");
    let dead = entries(&mut con, "photos:dead");
    assert_eq!(dead.len(), 1);
    let fields = &dead[0].1;
    assert_eq!(fields["message_id"], poison);
    assert_eq!(fields["id"], "APP-21", "the message is kept whole for replay");
    let raw: redis::streams::StreamRangeReply = redis::cmd("XRANGE").arg("photos:dead").arg("-").arg("+").query(&mut con).unwrap();
    assert_eq!(raw.ids[0].map.get("photo"), Some(&redis::Value::BulkString(b"\xff\xd8\xff".to_vec())), "the photo bytes kept");
    assert!(fields["deliveries"].parse::<usize>().unwrap() > 5, "{fields:?}");
    assert!(!fields["last_error"].is_empty());
    assert_eq!(pending(&mut con, "photos", "photocheck"), 0, "both acked");
    let metrics = worker.metrics.render();
    assert!(metrics.contains("photocheck_worker_dead_lettered_total 1"), "{metrics}");
    assert!(metrics.contains("photocheck_worker_claimed_total 2"), "{metrics}");
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

#[test]
fn the_worker_binary_serves_metrics_and_stops_cleanly_on_sigterm() {
    let Some(redis) = Redis::start() else { return };
    let mut con = redis.connection().unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args([
            "worker",
            "--redis",
            &redis.url,
            "--metrics-listen",
            &format!("127.0.0.1:{port}"),
            "--concurrency",
            "1",
            "--as-of",
            "2026-11-26",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http_get(port, "/healthz").map(|(s, _)| s) != Some(200) {
        assert!(Instant::now() < deadline, "worker not healthy in time");
        std::thread::sleep(Duration::from_millis(100));
    }
    add(&mut con, "photos", &[("id", b"APP-30"), ("photo", &common::sample("london_032_08.jpg"))]);
    while entries(&mut con, "verdicts").is_empty() {
        assert!(Instant::now() < deadline, "no verdict in time");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, metrics) = http_get(port, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("photocheck_worker_published_total 1"), "{metrics}");
    assert!(metrics.contains("photocheck_worker_redis_up 1"), "{metrics}");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let stop_deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < stop_deadline, "the worker did not stop within 10 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut log = String::new();
    // Log lines go to stdout, as in `serve`.
    child.stdout.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "exit {status:?}: {log}");
    assert!(log.contains("stopped"), "{log}");
}

fn spawn_worker(redis: &Redis, consumer: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args([
            "worker",
            "--redis",
            &redis.url,
            "--consumer",
            consumer,
            "--concurrency",
            "2",
            "--claim-idle-ms",
            "1000",
            "--max-deliveries",
            "5",
            "--as-of",
            "2026-11-26",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn two_hundred_messages_and_a_killed_worker_give_each_application_exactly_one_answer() {
    let Some(redis) = Redis::start() else { return };
    let mut con = redis.connection().unwrap();
    let _: () = redis::cmd("XGROUP").arg("CREATE").arg("photos").arg("photocheck").arg("0").arg("MKSTREAM").query(&mut con).unwrap();
    // The poison message comes first: a consumer took it and it was retried (and lost) five more times.
    let poison = add(&mut con, "photos", &[("id", b"APP-000"), ("photo", &common::sample("london_140_03.jpg"))]);
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("photocheck")
        .arg("ghost")
        .arg("COUNT")
        .arg(1)
        .arg("STREAMS")
        .arg("photos")
        .arg(">")
        .query(&mut con)
        .unwrap();
    for _ in 0..5 {
        let _: redis::Value =
            redis::cmd("XCLAIM").arg("photos").arg("photocheck").arg("ghost").arg(0).arg(&poison).query(&mut con).unwrap();
    }
    let real: Vec<Vec<u8>> = ["london_032_03.jpg", "london_032_08.jpg", "london_140_03.jpg", "grace_hopper.jpg", "astronaut.png"]
        .iter()
        .map(|n| common::sample(n))
        .collect();
    let truncated = real[0][..real[0].len() / 3].to_vec();
    for i in 1..200 {
        let id = format!("APP-{i:03}");
        let photo: &[u8] = match i % 10 {
            3 => &truncated,
            7 => b"%PDF-1.4 not a photo",
            k => &real[k % real.len()],
        };
        add(&mut con, "photos", &[("id", id.as_bytes()), ("photo", photo)]);
    }
    let answered = |con: &mut redis::Connection| entries(con, "verdicts").len() + entries(con, "photos:dead").len();

    // Worker A is killed (SIGKILL: no chance to finish) part-way through the batch.
    let mut a = spawn_worker(&redis, "worker-a");
    let deadline = Instant::now() + Duration::from_secs(120);
    while answered(&mut con) < 40 {
        assert!(Instant::now() < deadline, "worker A made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    a.kill().unwrap();
    a.wait().unwrap();
    let when_killed = answered(&mut con);
    assert!(when_killed < 200, "worker A finished before it could be killed");

    // Worker B takes over what A held (after --claim-idle-ms) and does the rest.
    let mut b = spawn_worker(&redis, "worker-b");
    while answered(&mut con) < 200 || pending(&mut con, "photos", "photocheck") > 0 {
        assert!(Instant::now() < deadline, "worker B did not finish: {} answered", answered(&mut con));
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500)); // anything duplicated would show by now
    let _ = Command::new("kill").args(["-TERM", &b.id().to_string()]).status();
    assert!(b.wait().unwrap().success());

    let verdicts = entries(&mut con, "verdicts");
    let dead = entries(&mut con, "photos:dead");
    assert_eq!(verdicts.len() + dead.len(), 200, "exactly 200 answers");
    let mut ids: Vec<&str> = verdicts.iter().chain(dead.iter()).map(|(_, f)| f["id"].as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200, "each application id exactly once");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].1["message_id"], poison);
    let count = |verdict: &str| verdicts.iter().filter(|(_, f)| f["verdict"] == verdict).count();
    assert_eq!(count("error"), 40, "the truncated and non-image photos get error reports");
    assert!(count("approve") > 0 && count("reject") > 0, "real photos judged");
    for (_, fields) in verdicts.iter().take(20) {
        report(fields);
    }
}

#[test]
fn a_worker_started_before_redis_waits_for_it() {
    if redis_server_binary().is_none() {
        Redis::start(); // asserts under CI, notes the skip elsewhere
        return;
    }
    let port = free_port();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["worker", "--redis", &format!("redis://127.0.0.1:{port}"), "--concurrency", "1", "--as-of", "2026-11-26"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(worker.try_wait().unwrap().is_none(), "the worker must not exit while Redis is down");
    let redis = Redis::start_on(port).unwrap();
    let mut con = redis.connection().unwrap();
    add(&mut con, "photos", &[("id", b"APP-40"), ("photo", &common::sample("london_032_03.jpg"))]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while entries(&mut con, "verdicts").is_empty() {
        assert!(Instant::now() < deadline, "no verdict once Redis came up");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill").args(["-TERM", &worker.id().to_string()]).status();
    assert!(worker.wait().unwrap().success());
}
