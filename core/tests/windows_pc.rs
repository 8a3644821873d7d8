//! Windows only (run under Wine in the suite, `scripts/wine-run.sh` as the cargo runner): the
//! PC facts against the real Windows APIs. `RtlGetVersion` answers everywhere (Wine reports
//! the Windows version its prefix is set to); the Bluetooth radio path is WinRT
//! (`Windows.Devices.Radios`), which Wine lacks, so under Wine the answer must be `unknown`
//! with the Wine evidence and the process must live: Wine 8's `BluetoothFindFirstRadio` is an
//! unimplemented stub that would end it.
//!
//! `TEBIKI_UNDER_WINE=1` (set by the runner) marks where Wine differs from Windows; without
//! it the tests expect a real Windows.
#![cfg(windows)]
#![allow(clippy::unwrap_used)]

use std::process::Command;

use tebiki_core::net::windows::winrt_class_available;
use tebiki_core::pc::windows::{WINE_EVIDENCE, WINRT_RADIO};
use tebiki_core::pc::{self, Bluetooth, OsKind, PcConfig};

fn under_wine() -> bool {
    std::env::var("TEBIKI_UNDER_WINE").as_deref() == Ok("1")
}

/// The build number in "Windows 10.0 build 19045 from RtlGetVersion".
fn build_of(evidence: &str) -> Option<u32> {
    let rest = evidence.split("build ").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[tokio::test]
async fn the_pc_facts_are_measured_without_crashing() {
    let facts = pc::measure(&PcConfig::default()).await;
    println!("{facts:#?}");
    // The OS is Windows, with the exact build from the kernel's own numbers.
    assert!(
        matches!(
            facts.os.kind,
            OsKind::Windows11 | OsKind::Windows10 | OsKind::WindowsOlder
        ),
        "{:?}",
        facts.os
    );
    assert!(
        facts.os.evidence.contains("RtlGetVersion"),
        "{:?}",
        facts.os
    );
    let build = build_of(&facts.os.evidence).unwrap();
    assert!(build > 0, "{:?}", facts.os);
    assert_eq!(
        facts.os.kind == OsKind::Windows11,
        build >= 22_000,
        "{:?}",
        facts.os
    );
    if under_wine() {
        assert!(facts.os.evidence.contains("under Wine"), "{:?}", facts.os);
        assert_eq!(facts.bluetooth.state, Bluetooth::Unknown);
        assert_eq!(facts.bluetooth.evidence, WINE_EVIDENCE);
    } else {
        assert!(!facts.bluetooth.evidence.is_empty());
    }
    let obs = facts.observations();
    assert_eq!(obs.len(), 2);
    assert!(obs.iter().all(|o| o.at == facts.at));
}

#[test]
fn the_radio_class_is_guarded_wine_lacks_it_and_says_so() {
    let got = winrt_class_available(WINRT_RADIO);
    println!("{got:?}");
    if under_wine() {
        let err = got.unwrap_err();
        assert!(err.contains(WINRT_RADIO), "{err}");
    } else {
        got.unwrap();
    }
}

#[test]
fn doctor_pc_json_runs_to_the_end_as_a_process() {
    let out = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(["pc", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{:?}", out.status);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let obs = v["observations"].as_array().unwrap();
    let value = |k: &str| {
        obs.iter().find(|o| o["key"] == k).unwrap()["value"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(value("pc.os").starts_with("windows"), "{v}");
    if under_wine() {
        assert_eq!(value("pc.bluetooth"), "unknown");
    }
}
