//! `tebiki-doctor phone` as a real process: it prints the URL and the QR, streams events as
//! JSON lines on stdout while a scripted phone opens the page, and exits when the check ends.
#![allow(clippy::unwrap_used)]

mod phone_common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use phone_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_phone_streams_json_lines_until_the_check_ends() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(["phone", "--bind", "127.0.0.1", "--ttl", "3", "--facts"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let stdout = child.stdout.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let started_line: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(started_line["event"], "started");
    let url = started_line["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/p/"),
        "{url}"
    );

    let _phone = FakePhone::open(&url).await;
    let mut events = Vec::new();
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
        events.push(v);
    }
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the doctor outlived its check"
    );
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(names.first(), Some(&"on_lan"), "{names:?}");
    assert_eq!(names.last(), Some(&"ended"), "{names:?}");
    let on_lan = &events[0];
    assert_eq!(on_lan["platform"], "android");
    let facts = on_lan["facts"].as_array().unwrap();
    assert!(facts.iter().any(|f| f["key"] == "phone.presence"
        && f["value"] == "on_lan"
        && f["source"] == "measured"
        && f["evidence"].as_str().is_some_and(|e| !e.is_empty())));

    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains(&url), "the URL is printed for the helper");
    assert!(
        stderr.contains('▀') || stderr.contains('▄') || stderr.contains('█'),
        "no terminal QR printed"
    );
}
