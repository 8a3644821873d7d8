//! This machine, for real: the default path is classified with evidence that agrees with what
//! the kernel says independently (`ip route`, sysfs read here by hand). Asserts only what is
//! robust on any Linux box; prints the classification so the numbers can be read in the log.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod net_support;

use std::path::Path;
use std::process::Command;

use tebiki_core::net::{self, Confidence, PathKind};

/// The default route's device per `ip route show default`, if `ip` exists.
fn ip_route_default_dev() -> Option<Option<String>> {
    let out = Command::new("ip")
        .args(["-4", "route", "show", "default"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let dev = text
        .split_whitespace()
        .skip_while(|w| *w != "dev")
        .nth(1)
        .map(str::to_owned);
    Some(dev)
}

#[tokio::test]
async fn live_default_path_is_classified_with_evidence() {
    let snap = net::snapshot().await.unwrap();
    let c = net::classify(&snap);
    println!("{}", serde_json::to_string_pretty(&c).unwrap());
    assert!(!c.evidence.is_empty());

    if let Some(Some(dev)) = ip_route_default_dev() {
        // netdev and iproute2 agree on the default route's interface.
        assert_eq!(c.interface.as_deref(), Some(dev.as_str()), "{c:?}");
        assert_ne!(c.path, PathKind::Offline);
        assert!(
            c.evidence[0].starts_with(&format!("default route via {dev}")),
            "{:?}",
            c.evidence
        );

        // Read sysfs by hand: a device with a driver, no DEVTYPE, no wireless/ → Ethernet.
        let dir = Path::new("/sys/class/net").join(&dev);
        let uevent = std::fs::read_to_string(dir.join("uevent")).unwrap_or_default();
        let driver = std::fs::read_link(dir.join("device/driver")).ok();
        let wired = !uevent.contains("DEVTYPE=")
            && !dir.join("wireless").exists()
            && !dir.join("phy80211").exists()
            && std::fs::read_to_string(dir.join("type"))
                .unwrap_or_default()
                .trim()
                == "1";
        if let (true, Some(driver)) = (wired, driver) {
            let name = driver.file_name().unwrap().to_string_lossy().into_owned();
            if !["ipheth", "rndis_host", "cdc_ncm", "cdc_ether"].contains(&name.as_str()) {
                assert_eq!(c.path, PathKind::Ethernet, "{c:?}");
                assert_eq!(c.confidence, Confidence::High);
                assert!(
                    c.evidence
                        .iter()
                        .any(|e| e.contains(&format!("driver {name}"))),
                    "{c:?}"
                );
            }
        }
    } else if let Some(None) = ip_route_default_dev() {
        assert_eq!(c.path, PathKind::Offline);
    }
}

#[tokio::test]
async fn live_snapshot_lists_loopback_and_the_classification_becomes_a_fact() {
    let snap = net::snapshot().await.unwrap();
    assert!(snap.interfaces.iter().any(|i| i.name == "lo"), "{snap:?}");
    let lo = snap.interface("lo").unwrap();
    assert!(
        lo.linux.as_ref().is_some_and(|l| l.virtual_device),
        "{lo:?}"
    );
    let obs = net::classify(&snap).observations(tebiki_core::facts::UnixMs::now());
    assert_eq!(obs[0].key, "pc.path");
}
