//! NetworkManager over D-Bus, for real: a private `dbus-daemon` with a fake NetworkManager
//! (the documented object paths, interfaces and property names) served by zbus. Proves the
//! D-Bus reading and its use by the classifier without touching the machine's system bus.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod net_support;

use tebiki_core::net::{self, Confidence, Metered, NmStatus, PathKind};
use zbus::zvariant::OwnedObjectPath;

use tebiki_test_support::PrivateBus;

struct FakeNm {
    metered: u32,
}

#[zbus::interface(name = "org.freedesktop.NetworkManager")]
impl FakeNm {
    #[zbus(property)]
    fn metered(&self) -> u32 {
        self.metered
    }
    #[zbus(property)]
    fn primary_connection(&self) -> OwnedObjectPath {
        OwnedObjectPath::try_from("/org/freedesktop/NetworkManager/ActiveConnection/3").unwrap()
    }
    #[zbus(property)]
    fn all_devices(&self) -> Vec<OwnedObjectPath> {
        [
            "/org/freedesktop/NetworkManager/Devices/1",
            "/org/freedesktop/NetworkManager/Devices/2",
        ]
        .into_iter()
        .map(|p| OwnedObjectPath::try_from(p).unwrap())
        .collect()
    }
}

struct FakeActive;

#[zbus::interface(name = "org.freedesktop.NetworkManager.Connection.Active")]
impl FakeActive {
    #[zbus(property)]
    fn devices(&self) -> Vec<OwnedObjectPath> {
        vec![OwnedObjectPath::try_from("/org/freedesktop/NetworkManager/Devices/2").unwrap()]
    }
}

struct FakeDevice {
    interface: &'static str,
    device_type: u32,
    metered: u32,
}

#[zbus::interface(name = "org.freedesktop.NetworkManager.Device")]
impl FakeDevice {
    #[zbus(property)]
    fn interface(&self) -> String {
        self.interface.to_owned()
    }
    #[zbus(property)]
    fn ip_interface(&self) -> String {
        self.interface.to_owned()
    }
    #[zbus(property)]
    fn device_type(&self) -> u32 {
        self.device_type
    }
    #[zbus(property)]
    fn metered(&self) -> u32 {
        self.metered
    }
}

#[tokio::test]
async fn networkmanager_metered_guess_yes_is_read_over_dbus_and_makes_wifi_a_phone_hotspot() {
    let Some(bus) = PrivateBus::start_or_skip("hotspot") else {
        return;
    };
    let _service = zbus::connection::Builder::address(bus.address.as_str())
        .expect("a bus address")
        .name("org.freedesktop.NetworkManager")
        .expect("a well-known name")
        .serve_at("/org/freedesktop/NetworkManager", FakeNm { metered: 3 })
        .expect("an object path")
        .serve_at(
            "/org/freedesktop/NetworkManager/ActiveConnection/3",
            FakeActive,
        )
        .expect("an object path")
        .serve_at(
            "/org/freedesktop/NetworkManager/Devices/1",
            FakeDevice {
                interface: "enp3s0",
                device_type: 1,
                metered: 2,
            },
        )
        .expect("an object path")
        .serve_at(
            "/org/freedesktop/NetworkManager/Devices/2",
            FakeDevice {
                interface: "wlan0",
                device_type: 2,
                metered: 3,
            },
        )
        .expect("an object path")
        .build()
        .await
        .unwrap();
    let client = zbus::connection::Builder::address(bus.address.as_str())
        .expect("a bus address")
        .build()
        .await
        .unwrap();

    let status = net::linux::network_manager_on(&client).await;
    println!("{status:#?}");
    let NmStatus::Available(info) = &status else {
        panic!("expected NetworkManager, got {status:?}")
    };
    assert_eq!(info.metered, Metered::GuessYes);
    assert!(
        info.primary_interfaces.iter().any(|i| i == "wlan0"),
        "{info:?}"
    );
    assert_eq!(info.devices.len(), 2);
    let wlan = info
        .devices
        .iter()
        .find(|d| d.interface == "wlan0")
        .unwrap();
    assert_eq!((wlan.device_type, wlan.metered), (2, Metered::GuessYes));
    let eth = info
        .devices
        .iter()
        .find(|d| d.interface == "enp3s0")
        .unwrap();
    assert_eq!((eth.device_type, eth.metered), (1, Metered::No));

    // Put the live answer into the plain Wi-Fi fixture: the metered signal plus nothing else
    // (the fixture's gateway MAC is universal) is a phone hotspot at medium confidence.
    let mut snap = net_support::load_fixture("wifi");
    for i in &mut snap.interfaces {
        if i.name == "wlp2s0" {
            i.name = "wlan0".to_owned();
        }
    }
    snap.default_interface = Some("wlan0".to_owned());
    snap.network_manager = status;
    let c = net::classify(&snap);
    println!("{c:#?}");
    assert_eq!(
        (c.path, c.confidence),
        (PathKind::PhoneHotspot, Confidence::Medium)
    );
    assert!(c.evidence.iter().any(|e| e.contains("guess-yes")));
}

#[tokio::test]
async fn a_bus_without_networkmanager_is_reported_as_not_running() {
    let Some(bus) = PrivateBus::start_or_skip("absent") else {
        return;
    };
    let client = zbus::connection::Builder::address(bus.address.as_str())
        .expect("a bus address")
        .build()
        .await
        .unwrap();
    let status = net::linux::network_manager_on(&client).await;
    println!("{status:?}");
    match status {
        NmStatus::Unavailable { reason } => {
            assert!(reason.contains("NetworkManager is not running"), "{reason}")
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}
