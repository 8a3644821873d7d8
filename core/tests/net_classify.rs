//! The classifier over fixtures: fake sysfs trees plus recorded-style snapshots, one per kind of
//! connection an elderly user's PC may have. Each test pins the path, how sure Tebiki is, and
//! the evidence a helper would read.
#![allow(clippy::unwrap_used)]

mod net_support;

use std::net::Ipv4Addr;

use net_support::load_fixture;
use tebiki_core::facts::{FactSource, UnixMs};
use tebiki_core::net::{Classification, Confidence, NetworkCategory, PathKind, classify};

fn run(case: &str) -> Classification {
    let c = classify(&load_fixture(case));
    println!("{case}: {c:#?}");
    c
}

fn has_evidence(c: &Classification, needle: &str) -> bool {
    c.evidence.iter().any(|e| e.contains(needle))
}

#[test]
fn home_wifi_is_wifi_with_high_confidence_when_networkmanager_says_not_metered() {
    let c = run("wifi");
    assert_eq!(c.path, PathKind::Wifi);
    assert_eq!(c.confidence, Confidence::High);
    assert_eq!(c.interface.as_deref(), Some("wlp2s0"));
    assert!(
        has_evidence(&c, "default route via wlp2s0 (gateway 192.168.1.1)"),
        "{c:?}"
    );
    assert!(has_evidence(&c, "DEVTYPE=wlan"));
    assert!(has_evidence(&c, "not metered"));
    assert_eq!(c.lan_ipv4, Some(Ipv4Addr::new(192, 168, 1, 23)));
    assert!(c.summary().ja.contains("Wi-Fi"));
    assert!(c.summary().ja.ends_with("つながっています。"));
}

#[test]
fn wifi_that_networkmanager_guesses_metered_with_a_random_gateway_mac_is_a_phone_hotspot() {
    let c = run("wifi_metered_hotspot");
    assert_eq!(c.path, PathKind::PhoneHotspot);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "guess-yes"));
    assert!(has_evidence(&c, "locally administered"));
    assert!(c.summary().ja.contains("テザリング"));
}

#[test]
fn iphone_hotspot_subnet_alone_is_a_phone_hotspot_with_medium_confidence() {
    let c = run("wifi_iphone_hotspot_no_nm");
    assert_eq!(c.path, PathKind::PhoneHotspot);
    assert_eq!(c.confidence, Confidence::Medium);
    assert!(has_evidence(&c, "172.20.10.0/28"));
    assert!(has_evidence(&c, "NetworkManager not available"));
    // Below high confidence the sentence says "seems".
    assert!(c.summary().ja.contains("ようです"), "{}", c.summary().ja);
    assert!(c.summary().en.contains("seems"));
}

#[test]
fn wwan_modem_is_cellular() {
    let c = run("wwan");
    assert_eq!(c.path, PathKind::Cellular);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "DEVTYPE=wwan"));
    assert_eq!(c.interface.as_deref(), Some("wwan0"));
}

#[test]
fn iphone_over_usb_is_tethered_usb_from_the_ipheth_driver() {
    let c = run("iphone_usb");
    assert_eq!(c.path, PathKind::TetheredUsb);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "driver ipheth"));
    assert!(has_evidence(&c, "172.20.10.0/28"));
}

#[test]
fn android_over_usb_is_tethered_usb_when_rndis_and_metered_agree() {
    let c = run("android_usb");
    assert_eq!(c.path, PathKind::TetheredUsb);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "driver rndis_host"));
    assert!(has_evidence(&c, "guess-yes"));
}

#[test]
fn usb_ethernet_adapter_on_cdc_ether_alone_is_not_called_a_phone() {
    let c = run("usb_ethernet_adapter");
    assert_eq!(c.path, PathKind::Ethernet);
    assert_eq!(c.confidence, Confidence::Low);
    assert!(has_evidence(&c, "driver cdc_ether"));
    assert!(has_evidence(&c, "USB Ethernet adapter"));
}

#[test]
fn plain_ethernet_is_ethernet_with_its_driver_as_evidence() {
    let c = run("ethernet");
    assert_eq!(c.path, PathKind::Ethernet);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "driver e1000e"));
    assert_eq!(c.lan_ipv4, Some(Ipv4Addr::new(192, 168, 0, 15)));
}

#[test]
fn container_veth_is_unknown_with_low_confidence_not_ethernet() {
    let c = run("docker_veth");
    assert_eq!(c.path, PathKind::Unknown);
    assert_eq!(c.confidence, Confidence::Low);
    assert!(has_evidence(&c, "virtual interface"));
    assert!(c.summary().ja.contains("確かめられませんでした"));
}

#[test]
fn bridge_is_judged_by_its_physical_port_but_never_above_medium() {
    let c = run("bridge_with_nic");
    assert_eq!(c.path, PathKind::Ethernet);
    assert_eq!(c.confidence, Confidence::Medium);
    assert!(has_evidence(&c, "bridge with physical port enp3s0"));
    assert!(has_evidence(&c, "driver r8169"));
}

#[test]
fn wireguard_full_tunnel_is_vpn_over_wifi_and_keeps_the_wifi_lan_address() {
    let c = run("wireguard_over_wifi");
    assert_eq!(c.path, PathKind::Vpn);
    assert_eq!(c.confidence, Confidence::High);
    assert_eq!(c.underlying, Some(PathKind::Wifi));
    assert!(has_evidence(&c, "DEVTYPE=wireguard"));
    assert!(has_evidence(&c, "underneath the tunnel: wlan0"));
    assert!(has_evidence(
        &c,
        "wg0 has no gateway of its own; the main table's default gateway is on wlan0"
    ));
    // The phone link needs the LAN address, not the tunnel's.
    assert_eq!(c.lan_ipv4, Some(Ipv4Addr::new(192, 168, 1, 23)));
    assert!(
        c.summary().ja.contains("VPN の下の回線は Wi-Fi です"),
        "{}",
        c.summary().ja
    );
    assert!(c.summary().en.contains("over Wi-Fi"), "{}", c.summary().en);
}

#[test]
fn no_default_route_is_offline_with_high_confidence() {
    let c = run("no_default_route");
    assert_eq!(c.path, PathKind::Offline);
    assert_eq!(c.confidence, Confidence::High);
    assert_eq!(c.interface, None);
    assert!(has_evidence(&c, "no default route"));
    assert!(has_evidence(&c, "wlan0"));
}

#[test]
fn windows_rndis_adapter_with_a_metered_profile_is_tethered_usb() {
    let c = run("windows_android_usb");
    assert_eq!(c.path, PathKind::TetheredUsb);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "Remote NDIS"));
    assert!(has_evidence(&c, "Windows connection profile: metered"));
}

// ----- Windows adapter tables (see make_fixtures.py) -----

#[test]
fn windows_home_wifi_in_the_public_category_says_to_make_it_private_before_the_qr() {
    let c = run("windows_wifi_public");
    assert_eq!(c.path, PathKind::Wifi);
    assert_eq!(c.confidence, Confidence::High, "Windows said: not metered");
    assert!(has_evidence(
        &c,
        "the OS reports an 802.11 (Wi-Fi) interface"
    ));
    assert_eq!(c.lan_ipv4, Some(Ipv4Addr::new(192, 168, 1, 23)));
    let v = c.network_category.as_ref().unwrap();
    assert_eq!(v.category, Some(NetworkCategory::Public));
    assert_eq!(v.network.as_deref(), Some("MyHome-5G"));
    assert!(has_evidence(
        &c,
        "network category of \"MyHome-5G\" on Wi-Fi: public"
    ));
    assert!(has_evidence(&c, "Firewall blocks incoming connections"));
    let advice = c.advice().expect("Public must produce advice");
    assert!(
        advice
            .ja
            .starts_with("このネットワークを「プライベート」にしてください。"),
        "{}",
        advice.ja
    );
    assert!(
        advice
            .ja
            .contains("設定 → ネットワークとインターネット → Wi-Fi → 「MyHome-5G」のプロパティ"),
        "{}",
        advice.ja
    );
    assert!(
        advice
            .ja
            .contains("「ネットワーク プロファイルの種類」で「プライベート ネットワーク」")
    );
    assert!(advice.ja.contains("「手引き」"));
    assert!(
        advice
            .en
            .contains("Settings → Network & internet → Wi-Fi → \"MyHome-5G\" properties"),
        "{}",
        advice.en
    );
    assert!(advice.en.contains("\"Private network\""));
}

#[test]
fn windows_ethernet_in_the_private_category_needs_no_advice() {
    let c = run("windows_ethernet_private");
    assert_eq!(c.path, PathKind::Ethernet);
    let v = c.network_category.as_ref().unwrap();
    assert_eq!(v.category, Some(NetworkCategory::Private));
    assert_eq!(c.advice(), None);
    assert!(has_evidence(
        &c,
        "network category of \"ネットワーク\" on イーサネット: private"
    ));
}

#[test]
fn windows_iphone_over_usb_is_tethered_and_its_public_category_is_reported_with_ethernet_wording() {
    let c = run("windows_iphone_usb");
    assert_eq!(c.path, PathKind::TetheredUsb);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "Apple Mobile Device Ethernet"));
    assert_eq!(
        c.network_category.as_ref().and_then(|v| v.category),
        Some(NetworkCategory::Public)
    );
    // Not Wi-Fi: the Settings path names both pages.
    let advice = c.advice().unwrap();
    assert!(
        advice.ja.contains("Wi-Fi（有線の場合はイーサネット）"),
        "{}",
        advice.ja
    );
}

#[test]
fn windows_android_rndis_with_unknown_cost_is_tethered_and_says_why_the_cost_is_unknown() {
    let c = run("windows_android_rndis");
    assert_eq!(c.path, PathKind::TetheredUsb);
    // RNDIS alone is medium; the 192.168.42.x gateway (1) and the phone's randomised gateway
    // MAC (1) make it high even though Windows could not say whether it is metered.
    assert_eq!(c.confidence, Confidence::High, "{c:#?}");
    assert!(has_evidence(&c, "older Android phones"));
    assert!(has_evidence(&c, "locally administered"));
    assert!(has_evidence(&c, "Remote NDIS"));
    assert!(has_evidence(&c, "metered unknown"));
    assert!(has_evidence(&c, "unknown, because Windows cannot activate"));
    assert_eq!(c.advice(), None, "Private: nothing to change");
}

#[test]
fn windows_mobile_broadband_iftype_243_is_cellular() {
    let c = run("windows_wwan");
    assert_eq!(c.path, PathKind::Cellular);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "mobile-broadband (WWAN)"));
    assert_eq!(
        c.network_category.as_ref().and_then(|v| v.category),
        Some(NetworkCategory::Public)
    );
}

#[test]
fn windows_wireguard_over_wifi_judges_the_category_of_the_wifi_the_phone_reaches_not_the_tunnel() {
    let c = run("windows_wireguard_over_wifi");
    assert_eq!(c.path, PathKind::Vpn);
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "adapter \"WireGuard Tunnel\""));
    assert_eq!(c.underlying, Some(PathKind::Wifi));
    assert_eq!(c.lan_ipv4, Some(Ipv4Addr::new(192, 168, 1, 23)));
    let v = c.network_category.as_ref().unwrap();
    assert_eq!(v.category, Some(NetworkCategory::Private));
    assert_eq!(v.network.as_deref(), Some("MyHome-5G"));
    assert_eq!(c.advice(), None);
}

#[test]
fn windows_without_a_network_list_says_the_category_is_unknown_and_why_and_gives_no_advice() {
    let c = run("windows_wifi_no_network_list");
    assert_eq!(c.path, PathKind::Wifi);
    let v = c.network_category.as_ref().unwrap();
    assert_eq!(v.category, None);
    assert!(
        v.evidence
            .contains("unknown, because Windows' network list could not be read"),
        "{}",
        v.evidence
    );
    assert!(has_evidence(&c, "Class not registered"));
    assert_eq!(c.advice(), None);
}

#[test]
fn linux_snapshots_have_no_network_category() {
    let c = run("wifi");
    assert_eq!(c.network_category, None);
    assert_eq!(c.advice(), None);
}

#[test]
fn macos_expensive_wifi_is_a_phone_hotspot() {
    let c = run("macos_hotspot");
    assert_eq!(c.path, PathKind::PhoneHotspot);
    // expensive (2) + iPhone subnet (2)
    assert_eq!(c.confidence, Confidence::High);
    assert!(has_evidence(&c, "macOS Network.framework"));
}

#[test]
fn classification_becomes_a_measured_pc_path_fact_with_its_confidence() {
    let c = run("wireguard_over_wifi");
    let obs = c.observations(UnixMs(1_700_000_000_000));
    assert_eq!(obs.len(), 1);
    assert_eq!(obs[0].key, "pc.path");
    assert_eq!(obs[0].value, "vpn");
    assert_eq!(obs[0].source, FactSource::Measured);
    assert_eq!(obs[0].at, UnixMs(1_700_000_000_000));
    assert!(
        obs[0]
            .evidence
            .starts_with("confidence high: default route via wg0"),
        "{}",
        obs[0].evidence
    );
    assert!(obs[0].evidence.ends_with("underneath: wifi"));
}

#[test]
fn every_fixture_classifies_to_a_fact_value_from_the_shared_table() {
    let allowed = [
        "wifi",
        "ethernet",
        "cellular",
        "tethered_usb",
        "phone_hotspot",
        "vpn",
        "offline",
        "unknown",
    ];
    let mut n = 0;
    for entry in std::fs::read_dir(net_support::fixtures()).unwrap() {
        let entry = entry.unwrap();
        if !entry.path().join("snapshot.json").is_file() {
            continue;
        }
        let case = entry.file_name().to_string_lossy().into_owned();
        let c = classify(&load_fixture(&case));
        assert!(
            allowed.contains(&c.path.as_str()),
            "{case}: {}",
            c.path.as_str()
        );
        assert!(!c.evidence.is_empty(), "{case} has no evidence");
        // serde name and fact value agree
        assert_eq!(serde_json::to_value(c.path).unwrap(), c.path.as_str());
        n += 1;
    }
    assert!(n >= 14, "expected every fixture, found {n}");
}

/// Sets NetworkManager's metered value everywhere in a fixture.
fn with_metered(
    mut s: tebiki_core::net::Snapshot,
    m: tebiki_core::net::Metered,
) -> tebiki_core::net::Snapshot {
    if let tebiki_core::net::NmStatus::Available(nm) = &mut s.network_manager {
        nm.metered = m;
        for d in &mut nm.devices {
            d.metered = m;
        }
    }
    s
}

#[test]
fn only_strong_evidence_says_the_pc_goes_through_the_phone() {
    use tebiki_core::net::Metered;
    // The phone's own signal (ANDROID_METERED → guess-yes) on a Wi-Fi with a random gateway MAC.
    let c = run("wifi_metered_hotspot");
    assert!(c.phone_tether.is_some(), "{c:#?}");
    // A Wi-Fi a person marked metered by hand: maybe a hotspot, never proof.
    let c = classify(&with_metered(
        load_fixture("wifi_metered_hotspot"),
        Metered::Yes,
    ));
    assert_eq!(c.phone_tether, None, "{c:#?}");
    // An iPhone's own USB sharing driver.
    assert!(run("iphone_usb").phone_tether.is_some());
    // rndis_host with the phone's metered signal: yes; the driver name alone (USB modems use
    // it too): no.
    assert!(run("android_usb").phone_tether.is_some());
    let c = classify(&with_metered(load_fixture("android_usb"), Metered::Unknown));
    assert_eq!(c.phone_tether, None, "{c:#?}");
    let c = classify(&with_metered(load_fixture("android_usb"), Metered::Yes));
    assert_eq!(
        c.phone_tether, None,
        "metered by hand is not the phone's signal: {c:#?}"
    );
    // Windows RNDIS with a metered cost: a hint, not proof.
    assert_eq!(run("windows_android_usb").phone_tether, None);
    // Ordinary home Wi-Fi, Ethernet, a USB Ethernet adapter: never.
    for case in [
        "wifi",
        "ethernet",
        "usb_ethernet_adapter",
        "wireguard_over_wifi",
    ] {
        assert_eq!(run(case).phone_tether, None, "{case}");
    }
}
