//! `tebiki-doctor playbook`, run as a real process.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn doctor(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/playbooks")
        .join(rel)
        .display()
        .to_string()
}

#[test]
fn a_valid_file_prints_a_summary_and_exits_zero() {
    let (code, out, err) = doctor(&["playbook", &fixture("good/minimal.toml")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("id: mini"), "{out}");
    assert!(out.contains("steps: 4 on the main route"), "{out}");
    assert!(out.contains("sources: 1 (official 1)"), "{out}");
    assert!(out.contains("official domains: example.jp"), "{out}");
}

#[test]
fn a_broken_file_prints_file_line_errors_and_exits_one() {
    let path = fixture("bad/url_outside_official_domains.toml");
    let (code, out, err) = doctor(&["playbook", &path]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(&format!("{path}:39:7: url \"https://evil.example/login\"")),
        "{err}"
    );
    assert!(err.contains("1 error(s)"), "{err}");
}

#[test]
fn bundled_playbooks_check_out() {
    let (code, out, err) = doctor(&["playbook", "--bundled"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("au-id.toml: ok"), "{out}");
    assert!(
        out.contains("official domains: id.auone.jp, www.au.com, www.uqwimax.jp"),
        "{out}"
    );
    assert!(out.contains("user_report"), "{out}");
}

#[test]
fn a_missing_file_exits_one_with_a_plain_message() {
    let (code, _, err) = doctor(&["playbook", "/nonexistent/x.toml"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read the file"), "{err}");
}
