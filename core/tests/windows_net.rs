//! Windows only (run under Wine in the suite, `scripts/wine-run.sh` as the cargo runner): the
//! PC network check against the real Windows APIs. The adapter table (GetAdaptersAddresses
//! through netdev) is read and classified; the Network List Manager (COM) answers or is an
//! error value; a WinRT class that cannot be activated is "unknown, because …", never a crash
//! (Wine 8 has no `Windows.Networking.Connectivity`: its `windows.networking.dll` is a stub
//! whose `DllGetActivationFactory` ends the process if called).
//!
//! `TEBIKI_UNDER_WINE=1` (set by the runner) marks where Wine differs from Windows; without
//! it the tests expect a real Windows.
#![cfg(windows)]
#![allow(clippy::unwrap_used)]

use std::process::Command;

use tebiki_core::net::windows::{
    WINRT_NETWORK_INFORMATION, guid_name, metered_from_nlm_cost, winrt_class_available,
    winrt_status,
};
use tebiki_core::net::{LinkKind, NetworkListStatus, classify, snapshot};

fn under_wine() -> bool {
    std::env::var("TEBIKI_UNDER_WINE").as_deref() == Ok("1")
}

#[tokio::test]
async fn the_adapter_table_is_read_and_classified_without_crashing() {
    let s = snapshot().await.unwrap();
    println!("{s:#?}");
    assert_eq!(s.os, "windows");
    assert!(
        s.interfaces.iter().any(|i| i.link == LinkKind::Loopback),
        "GetAdaptersAddresses lists the loopback adapter: {s:#?}"
    );
    // Every adapter has a name; on Windows netdev names adapters by their {GUID}.
    for i in &s.interfaces {
        assert!(!i.name.is_empty(), "{i:?}");
    }
    let c = classify(&s);
    println!("{c:#?}");
    assert!(!c.evidence.is_empty());
    // The category is always answered: a verdict or "unknown, because …".
    let v = c.network_category.as_ref().expect("asked on Windows");
    assert!(
        v.category.is_some() || v.evidence.contains("unknown, because"),
        "{v:?}"
    );
    // The cost hint always says where it came from and what is unknown.
    let cost = s.os_cost.as_ref().expect("a cost hint on Windows");
    assert_eq!(cost.source, "Windows");
    assert!(!cost.detail.is_empty());
}

#[tokio::test]
async fn the_network_list_manager_answers_or_says_why_not() {
    let s = snapshot().await.unwrap();
    match &s.network_list {
        NetworkListStatus::Available { networks } => {
            for n in networks {
                for a in &n.adapters {
                    assert!(
                        a.starts_with('{') && a.ends_with('}') && a.len() == 38,
                        "adapter IDs are {{GUID}}s like netdev's names: {a}"
                    );
                }
            }
            println!("network list: {networks:?}");
        }
        NetworkListStatus::Unavailable { reason } => {
            assert!(
                under_wine(),
                "a real Windows has the Network List Manager: {reason}"
            );
            assert!(reason.contains("HRESULT"), "{reason}");
        }
        NetworkListStatus::NotAsked => panic!("Windows snapshots ask the network list"),
    }
}

#[test]
fn a_winrt_class_that_windows_cannot_activate_is_an_error_value() {
    let err = winrt_class_available("Tebiki.Test.DoesNotExist").unwrap_err();
    assert!(
        err.contains("cannot activate Tebiki.Test.DoesNotExist"),
        "{err}"
    );
    assert!(err.contains("HRESULT 0x"), "{err}");
}

#[test]
fn the_connection_profile_class_is_guarded_wine_lacks_it_and_says_so() {
    let got = winrt_class_available(WINRT_NETWORK_INFORMATION);
    let profile = winrt_status();
    if under_wine() {
        // Wine 8: class not registered. Calling through the `windows` crate would have
        // crashed (its fallback calls the stub DllGetActivationFactory); the guard stops it.
        let err = got.unwrap_err();
        assert!(err.contains(WINRT_NETWORK_INFORMATION), "{err}");
        assert!(profile.is_err());
    } else {
        got.unwrap();
        // A PC without any network has no internet profile; that is an error value too.
        if let Err(e) = profile {
            assert!(e.contains("no internet connection profile"), "{e}");
        }
    }
}

#[tokio::test]
async fn without_winrt_the_cost_detail_says_unknown_because() {
    if !under_wine() {
        println!("real Windows: WinRT is present; nothing to degrade");
        return;
    }
    let s = snapshot().await.unwrap();
    let cost = s.os_cost.unwrap();
    assert!(
        cost.detail
            .contains("WWAN/WLAN profile: unknown, because Windows cannot activate"),
        "{}",
        cost.detail
    );
    assert_eq!(cost.cellular, None);
    assert_eq!(cost.wlan, None);
}

#[test]
fn wine_is_recognised_where_the_runner_says_so() {
    assert_eq!(
        tebiki_core::net::windows::running_under_wine(),
        under_wine(),
        "ntdll's wine_get_version and TEBIKI_UNDER_WINE disagree"
    );
}

#[test]
fn adapter_guids_are_written_as_get_adapters_addresses_names_them() {
    let g = windows::core::GUID::from_u128(0x4d36e972_e325_11ce_bfc1_08002be10318);
    assert_eq!(guid_name(&g), "{4D36E972-E325-11CE-BFC1-08002BE10318}");
}

#[test]
fn nlm_cost_flags_map_to_metered() {
    assert_eq!(metered_from_nlm_cost(0x1), Some(false)); // unrestricted
    assert_eq!(metered_from_nlm_cost(0x2), Some(true)); // fixed
    assert_eq!(metered_from_nlm_cost(0x4 | 0x40000), Some(true)); // variable + roaming
    assert_eq!(metered_from_nlm_cost(0), None); // unknown
}

#[test]
fn doctor_network_json_runs_to_the_end_as_a_process() {
    // This crashed under Wine before the WinRT guard (an unhandled exception in
    // windows.networking.DllGetActivationFactory).
    let out = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(["network", "--json", "--no-probe"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    println!("{v:#}");
    let text = v.to_string();
    assert!(text.contains("network_category"), "{text}");
    // Wine calls every network Public: then the doctor carries the advice to make it Private,
    // end to end from the real Network List Manager (on a real Windows: only when Public).
    let category = &v["classification"]["network_category"]["category"];
    if category == "public" {
        let advice = v["advice"]["ja"]
            .as_str()
            .expect("advice for a Public network");
        assert!(
            advice.starts_with("このネットワークを「プライベート」にしてください。"),
            "{advice}"
        );
    } else {
        assert!(
            !under_wine() || category.is_null(),
            "Wine only says Public: {v:#}"
        );
        assert!(v["advice"].is_null(), "{v:#}");
    }
}
