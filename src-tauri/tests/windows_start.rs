//! Windows only (under Wine in the suite): when the window cannot be created, `tebiki.exe`
//! ends with an error instead of staying alive and invisible. Wine has no WebView2 and runs
//! here without a display, so creating the window fails — the same path as a Windows PC
//! without WebView2. The network check's outside probes are switched off: loopback only.
#![cfg(windows)]
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn without_a_window_tebiki_exits_with_an_error_instead_of_hanging() {
    if std::env::var("TEBIKI_UNDER_WINE").as_deref() != Ok("1") {
        // On a real Windows with WebView2 the window opens; this test is about its absence.
        println!("not under Wine: the window would open; nothing to check here");
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_tebiki"))
        .env("TEBIKI_PROBE", "off")
        .env("TEBIKI_NET_WATCH", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let status = status.unwrap_or_else(|| panic!("tebiki.exe still running after 60 s:\n{stderr}"));
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Tebiki could not continue and stops"),
        "{stderr}"
    );
}
