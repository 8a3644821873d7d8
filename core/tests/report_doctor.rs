//! `tebiki-doctor report` run as a real process: the card a helper prints from a terminal,
//! and a saved record turned back into a page.
#![allow(clippy::unwrap_used)]

mod report_support;

use std::process::Command;

use report_support::*;
use tebiki_core::i18n::Lang;
use tebiki_core::playbook::Platform;
use tebiki_core::report::{Pictures, order_card_html};

fn doctor(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(args)
        .output()
        .expect("run tebiki-doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn doctor_prints_the_same_card_the_app_would() {
    let (code, out, err) = doctor(&[
        "report",
        "card",
        "--playbook",
        "au-id",
        "--platform",
        "iphone",
        "--lang",
        "ja",
    ]);
    assert_eq!(code, 0, "{err}");
    let expected = order_card_html(
        &au(),
        Some(Platform::Iphone),
        Lang::Ja,
        None,
        &Pictures::Path("pictures/"),
    );
    assert_eq!(out, expected);

    let (code, md, _) = doctor(&[
        "report",
        "card",
        "--platform",
        "android",
        "--lang",
        "en",
        "--format",
        "markdown",
        "--profile",
        "Sato",
    ]);
    assert_eq!(code, 0);
    assert!(md.starts_with("# Logging in to au ID"), "{md}");
    assert!(md.contains("**For Sato**"));
    assert!(md.contains("**Android**") && !md.contains("**iPhone**"));
}

#[test]
fn doctor_names_the_bundled_playbooks_when_the_id_is_wrong() {
    let (code, out, err) = doctor(&["report", "card", "--playbook", "docomo"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("\"docomo\"") && err.contains("au-id"), "{err}");
}

#[test]
fn doctor_prints_a_saved_record_and_refuses_a_broken_one() {
    let mut rec = Recorded::new();
    rec.run(happy_path("page loaded over the LAN"));
    let tmp = TempDir::new("doctor");
    let good = tmp.path().join("record.json");
    std::fs::write(&good, rec.record.to_json()).unwrap();
    let (code, out, err) = doctor(&[
        "report",
        "record",
        good.to_str().unwrap(),
        "--format",
        "markdown",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, rec.record.to_markdown(Lang::En));

    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 7}").unwrap();
    let (code, out, err) = doctor(&["report", "record", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("version 7") && err.contains("update Tebiki"),
        "{err}"
    );

    let (code, _, err) = doctor(&["report", "record", "/nonexistent/record.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"), "{err}");
}
