//! The `photocheck` binary as a user runs it: exit codes, languages, the JSON contract.

mod common;

use std::process::Command;

fn photocheck(args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_photocheck")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().expect("run photocheck");
    let stdout: String = String::from_utf8_lossy(&out.stdout).into();
    common::record_lines(&stdout);
    (out.status.code().unwrap_or(-1), stdout, String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn rejected_photo_exits_1_with_chinese_reasons_by_default() {
    let (code, out, err) = photocheck(&["check", "sample_photos/grace_hopper.jpg", "--as-of", "2026-11-26"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("不通过"), "{out}");
    assert!(out.contains("背景不是白色"), "{out}");
    assert!(out.contains("BG001"), "{out}");
}

#[test]
fn english_text_report() {
    let (code, out, _) = photocheck(&["check", "sample_photos/grace_hopper.jpg", "--lang", "en", "--as-of", "2026-11-26"]);
    assert_eq!(code, 1);
    assert!(out.contains("REJECTED"));
    assert!(out.contains("The background is not white"), "{out}");
}

#[test]
fn unreadable_input_exits_2_and_still_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("notes.jpg");
    std::fs::write(&bogus, "not a photo").unwrap();
    let (code, out, _) = photocheck(&[
        "check",
        bogus.to_str().unwrap(),
        "sample_photos/grace_hopper.jpg",
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
        "--sort",
    ]);
    assert_eq!(code, 2);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert_eq!(lines.len(), 2, "every input yields exactly one result");
    assert_eq!(lines[0]["verdict"], "error");
    assert_eq!(lines[0]["error"]["kind"], "not_an_image");
    assert_eq!(lines[1]["verdict"], "reject");
}

#[test]
fn reports_stream_as_they_finish_and_the_exit_code_covers_all() {
    // The review verdict has its own exit code (3), below a rejection (1) and an error (2). The
    // compliant portrait re-encoded without its EXIF has no capture date: a person must look.
    let dir = tempfile::tempdir().unwrap();
    let undated = dir.path().join("undated.jpg");
    let img = image::load_from_memory(&common::sample("london_032_03.jpg")).unwrap().to_rgb8();
    std::fs::write(&undated, common::jpeg(&img, 95)).unwrap();
    let undated = undated.to_str().unwrap();
    let (code, out, _) = photocheck(&["check", undated, "--format", "json", "--as-of", "2026-11-26"]);
    assert_eq!(code, 3, "{out}");
    let (code, out, _) = photocheck(&[
        "check",
        undated,
        "sample_photos/london_032_08.jpg",
        "sample_photos/london_032_03.jpg",
        "--format",
        "json",
        "--as-of",
        "2026-11-26",
    ]);
    assert_eq!(code, 1);
    let mut verdicts: Vec<String> =
        out.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["verdict"].as_str().unwrap().to_string()).collect();
    verdicts.sort();
    assert_eq!(verdicts, ["approve", "reject", "review"]);
    let (code, _, _) = photocheck(&["check", "sample_photos/london_032_03.jpg", "--as-of", "2026-11-26"]);
    assert_eq!(code, 0, "approved");
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly_with_141() {
    // `photocheck check … | head -1`: the reader closes the pipe before the first report is
    // written (the models take a while to load). The run stops with the status of a process a
    // closed pipe ended, without a panic's backtrace on stderr.
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["check", "sample_photos/grace_hopper.jpg", "--format", "json", "--as-of", "2026-11-26"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run photocheck");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for photocheck");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn json_report_contract() {
    let (_, out, _) = photocheck(&["check", "sample_photos/astronaut.png", "--format", "json", "--lang", "en", "--as-of", "2026-11-26"]);
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(r["schema"], "photocheck.report/2");
    assert_eq!(r["profile"]["name"], "cn-driving-licence");
    assert!(r["profile"]["version"].is_string());
    assert_eq!(r["as_of"], "2026-11-26T12:00:00+00:00");
    let checks = r["checks"].as_array().unwrap();
    assert!(checks.len() >= 20);
    for c in checks {
        for key in ["code", "rule", "name", "outcome", "severity", "mandatory", "measured", "unit", "threshold", "message"] {
            assert!(c.get(key).is_some(), "check lacks {key}: {c}");
        }
        let outcome = c["outcome"].as_str().unwrap();
        assert!(["pass", "fail", "warn", "uncertain", "not_assessed"].contains(&outcome), "{outcome}");
        assert_eq!(c["mandatory"], c["severity"] == "fail");
    }
    assert!(["approve", "review", "reject"].contains(&r["verdict"].as_str().unwrap()));
    assert!(r["review"].is_array());
    let failed: Vec<&str> = r["failed"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(failed.contains(&"BG001"));
    assert_eq!(r["faces"][0]["primary"]["landmarks"].as_array().unwrap().len(), 468);
}

#[test]
fn a_custom_profile_can_relax_a_rule() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("lenient.toml");
    std::fs::write(&profile, "[profile]\nname='lenient'\nversion='1'\nextends='cn-driving-licence'\n[severity]\nBG001='off'\n").unwrap();
    let (_, out, err) =
        photocheck(&["check", "sample_photos/grace_hopper.jpg", "--format", "json", "--profile", profile.to_str().unwrap()]);
    let r: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert_eq!(r["profile"]["name"], "lenient");
    assert!(r["checks"].as_array().unwrap().iter().all(|c| c["code"] != "BG001"));
}

#[test]
fn bad_profile_is_a_usage_error() {
    let (code, _, err) = photocheck(&["check", "sample_photos/grace_hopper.jpg", "--profile", "/nonexistent.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("profile"), "{err}");
}

#[test]
fn serve_drains_in_flight_requests_on_sigterm_and_exits_0() {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_photocheck"))
        .args(["serve", "--listen", &addr, "--concurrency", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while TcpStream::connect(&addr).is_err() {
        assert!(std::time::Instant::now() < deadline, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let photo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/sample_photos/astronaut.png")).unwrap();
    let a2 = addr.clone();
    let (sent_tx, sent_rx) = std::sync::mpsc::channel();
    let request = std::thread::spawn(move || {
        let mut s = TcpStream::connect(&a2).unwrap();
        write!(
            s,
            "POST /v1/checks HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            photo.len()
        )
        .unwrap();
        s.write_all(&photo).unwrap();
        sent_tx.send(()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    });
    // Once the request is on the wire, ask the server to stop while it is being checked.
    sent_rx.recv().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(10));
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let response = request.join().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(TcpStream::connect(&addr).is_err(), "no longer accepting");
}

#[test]
fn the_readme_rules_table_is_the_one_the_code_declares() {
    let out = Command::new(env!("CARGO_BIN_EXE_photocheck")).args(["rules", "--format", "markdown"]).output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(&table), "README's rules table differs from `photocheck rules --format markdown`:\n{table}");
    // Three cells a row: a `|` inside a summary is escaped.
    for row in table.lines() {
        let cells = row.split('|').count() - row.matches("\\|").count();
        assert_eq!(cells, 5, "{row}");
    }
}

#[test]
fn the_rules_list_speaks_both_languages() {
    let (code, en, _) = photocheck(&["rules"]);
    let (code_zh, zh, _) = photocheck(&["rules", "--lang", "zh-CN"]);
    assert_eq!((code, code_zh), (0, 0));
    assert_eq!(en.lines().count(), zh.lines().count());
    assert!(zh.lines().all(|l| l.split('\t').nth(3).is_some_and(|s| !s.is_ascii())), "every summary in Chinese");
}

#[test]
fn an_empty_token_file_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "  \n").unwrap();
    let (code, _, err) = photocheck(&["serve", "--listen", "127.0.0.1:0", "--token-file", token.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty"), "{err}");
}
