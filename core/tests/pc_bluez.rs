//! `pc.bluetooth` on Linux, for real: a private `dbus-daemon` with a fake BlueZ (`org.bluez`
//! with the standard ObjectManager at `/` and `org.bluez.Adapter1` objects, as bluetoothd
//! exports them) served by zbus, read by the same code the app uses. Never touches the
//! machine's system bus or its /sys: the kill switches and the kernel's controller list are
//! fake trees under a temporary directory.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tebiki_core::pc::linux::BluezReader;
use tebiki_core::pc::{self, Bluetooth, PcConfig};
use tebiki_test_support::PrivateBus;
use zbus::zvariant::OwnedObjectPath;
use zbus::zvariant::{OwnedValue, Value};

/// The fake sysfs trees and the reader the app uses, on a private bus.
trait BluezFixture {
    /// A fake sysfs class directory under the bus's scratch directory.
    fn sysfs(&self, name: &str) -> PathBuf;
    /// The reader the app uses, on this bus, with fake sysfs trees.
    fn reader(&self, bluetooth: &Path, rfkill: &Path) -> BluezReader;
}

impl BluezFixture for PrivateBus {
    fn sysfs(&self, name: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    fn reader(&self, bluetooth: &Path, rfkill: &Path) -> BluezReader {
        BluezReader::on_bus(&self.address).with_sysfs(bluetooth, rfkill)
    }
}

type Objects = HashMap<OwnedObjectPath, HashMap<String, HashMap<String, OwnedValue>>>;

/// One adapter as bluetoothd exports it: `/org/bluez/<name>` with `org.bluez.Adapter1`.
#[derive(Clone)]
struct FakeAdapter {
    name: &'static str,
    alias: &'static str,
    powered: bool,
    power_state: &'static str,
}

/// BlueZ's ObjectManager at `/`. `hang` makes it never answer in time (a stuck bluetoothd).
struct FakeBluez {
    adapters: Vec<FakeAdapter>,
    hang: bool,
}

/// A fake whose one adapter's `Powered` the test switches while the app runs.
struct SwitchedBluez {
    powered: Arc<AtomicBool>,
}

#[zbus::interface(name = "org.freedesktop.DBus.ObjectManager")]
impl SwitchedBluez {
    async fn get_managed_objects(&self) -> Objects {
        let fake = FakeBluez {
            adapters: vec![adapter("hci0", self.powered.load(Ordering::SeqCst))],
            hang: false,
        };
        fake.objects()
    }
}

fn owned(v: Value<'_>) -> OwnedValue {
    OwnedValue::try_from(v).unwrap()
}

#[zbus::interface(name = "org.freedesktop.DBus.ObjectManager")]
impl FakeBluez {
    async fn get_managed_objects(&self) -> Objects {
        if self.hang {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        self.objects()
    }
}

impl FakeBluez {
    fn objects(&self) -> Objects {
        let mut out = Objects::new();
        // bluetoothd always exports /org/bluez (agent and profile managers), adapter or not.
        out.insert(
            OwnedObjectPath::try_from("/org/bluez").unwrap(),
            HashMap::from([
                ("org.bluez.AgentManager1".to_owned(), HashMap::new()),
                ("org.bluez.ProfileManager1".to_owned(), HashMap::new()),
            ]),
        );
        for a in &self.adapters {
            let props = HashMap::from([
                (
                    "Address".to_owned(),
                    owned(Value::from("00:1A:7D:DA:71:13")),
                ),
                ("Alias".to_owned(), owned(Value::from(a.alias))),
                ("Powered".to_owned(), owned(Value::from(a.powered))),
                ("PowerState".to_owned(), owned(Value::from(a.power_state))),
                ("Discoverable".to_owned(), owned(Value::from(false))),
            ]);
            out.insert(
                OwnedObjectPath::try_from(format!("/org/bluez/{}", a.name)).unwrap(),
                HashMap::from([
                    ("org.bluez.Adapter1".to_owned(), props),
                    ("org.freedesktop.DBus.Properties".to_owned(), HashMap::new()),
                ]),
            );
        }
        out
    }
}

async fn serve(bus: &PrivateBus, fake: impl zbus::object_server::Interface) -> zbus::Connection {
    zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .name("org.bluez")
        .unwrap()
        .serve_at("/", fake)
        .unwrap()
        .build()
        .await
        .unwrap()
}

fn adapter(name: &'static str, powered: bool) -> FakeAdapter {
    FakeAdapter {
        name,
        alias: "tebiki-pc",
        powered,
        power_state: if powered { "on" } else { "off" },
    }
}

/// `/sys/class/rfkill/rfkill0` for `hci0`, soft-blocked or not.
fn rfkill(dir: &Path, name: &str, soft: bool) {
    let d = dir.join("rfkill0");
    std::fs::create_dir_all(&d).unwrap();
    for (f, v) in [
        ("type", "bluetooth"),
        ("name", name),
        ("soft", if soft { "1" } else { "0" }),
        ("hard", "0"),
    ] {
        std::fs::write(d.join(f), format!("{v}\n")).unwrap();
    }
}

#[tokio::test]
async fn a_powered_adapter_is_on() {
    let Some(bus) = PrivateBus::start_or_skip("on") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![adapter("hci0", true)],
            hang: false,
        },
    )
    .await;
    let (bt, rf) = (bus.sysfs("bluetooth"), bus.sysfs("rfkill"));
    let r = bus.reader(&bt, &rf).read().await;
    println!("{r:?}");
    assert_eq!(r.state, Bluetooth::On);
    assert!(
        r.evidence.contains("hci0 (tebiki-pc): Powered=true"),
        "{}",
        r.evidence
    );
    assert!(r.evidence.contains("PowerState=on"), "{}", r.evidence);
}

#[tokio::test]
async fn an_unpowered_adapter_is_off_and_the_evidence_says_it_is_soft_blocked() {
    let Some(bus) = PrivateBus::start_or_skip("off") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![FakeAdapter {
                power_state: "off-blocked",
                ..adapter("hci0", false)
            }],
            hang: false,
        },
    )
    .await;
    let (bt, rf) = (bus.sysfs("bluetooth"), bus.sysfs("rfkill"));
    rfkill(&rf, "hci0", true);
    let r = bus.reader(&bt, &rf).read().await;
    println!("{r:?}");
    assert_eq!(r.state, Bluetooth::Off);
    assert!(r.evidence.contains("Powered=false"), "{}", r.evidence);
    assert!(
        r.evidence.contains("PowerState=off-blocked"),
        "{}",
        r.evidence
    );
    assert!(
        r.evidence.contains("rfkill: soft-blocked"),
        "{}",
        r.evidence
    );

    // Unblocked but unpowered: still off, and the evidence does not claim a block.
    std::fs::write(rf.join("rfkill0").join("soft"), "0\n").unwrap();
    let r = bus.reader(&bt, &rf).read().await;
    assert_eq!(r.state, Bluetooth::Off);
    assert!(r.evidence.contains("rfkill: not blocked"), "{}", r.evidence);
}

#[tokio::test]
async fn one_powered_adapter_of_two_is_on() {
    let Some(bus) = PrivateBus::start_or_skip("two") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![adapter("hci0", false), adapter("hci1", true)],
            hang: false,
        },
    )
    .await;
    let (bt, rf) = (bus.sysfs("bluetooth"), bus.sysfs("rfkill"));
    let r = bus.reader(&bt, &rf).read().await;
    assert_eq!(r.state, Bluetooth::On);
    assert!(
        r.evidence.contains("hci0") && r.evidence.contains("hci1"),
        "{}",
        r.evidence
    );
}

#[tokio::test]
async fn bluez_without_an_adapter_is_absent() {
    let Some(bus) = PrivateBus::start_or_skip("none") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![],
            hang: false,
        },
    )
    .await;
    let (bt, rf) = (bus.sysfs("bluetooth"), bus.sysfs("rfkill"));
    let r = bus.reader(&bt, &rf).read().await;
    println!("{r:?}");
    assert_eq!(r.state, Bluetooth::Absent);
    assert!(
        r.evidence.contains("lists no Bluetooth adapter"),
        "{}",
        r.evidence
    );
}

#[tokio::test]
async fn no_bluez_on_the_bus_is_unknown_if_the_kernel_has_a_controller_and_absent_if_not() {
    let Some(bus) = PrivateBus::start_or_skip("nobluez") else {
        return;
    };
    let (bt, rf) = (bus.sysfs("bluetooth"), bus.sysfs("rfkill"));

    // The kernel lists no controller: nothing to switch on.
    let r = bus.reader(&bt, &rf).read().await;
    println!("{r:?}");
    assert_eq!(r.state, Bluetooth::Absent);
    assert!(
        r.evidence.contains("bluetoothd is not running"),
        "{}",
        r.evidence
    );
    assert!(
        r.evidence.contains("no Bluetooth controller"),
        "{}",
        r.evidence
    );

    // No /sys/class/bluetooth at all (no driver): also absent.
    let r = bus.reader(&bus.dir.join("no-such-class"), &rf).read().await;
    assert_eq!(r.state, Bluetooth::Absent);
    assert!(r.evidence.contains("does not exist"), "{}", r.evidence);

    // A controller the kernel knows, and nobody to ask whether it is on.
    std::fs::create_dir_all(bt.join("hci0")).unwrap();
    let r = bus.reader(&bt, &rf).read().await;
    println!("{r:?}");
    assert_eq!(r.state, Bluetooth::Unknown);
    assert!(
        r.evidence.contains("bluetoothd is not running"),
        "{}",
        r.evidence
    );
    assert!(r.evidence.contains("hci0"), "{}", r.evidence);
}

#[tokio::test]
async fn a_bluez_that_does_not_answer_is_unknown_within_the_timeout() {
    let Some(bus) = PrivateBus::start_or_skip("hang") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![adapter("hci0", true)],
            hang: true,
        },
    )
    .await;
    let (bt, rf) = (bus.sysfs("bluetooth"), bus.sysfs("rfkill"));
    std::fs::create_dir_all(bt.join("hci0")).unwrap();
    let started = Instant::now();
    let r = bus
        .reader(&bt, &rf)
        .with_timeout(Duration::from_millis(300))
        .read()
        .await;
    let took = started.elapsed();
    println!("{r:?} after {took:?}");
    assert_eq!(r.state, Bluetooth::Unknown);
    assert!(
        r.evidence.contains("did not answer within 300 ms"),
        "{}",
        r.evidence
    );
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");

    // The shipped reader's own bound.
    let started = Instant::now();
    let r = bus.reader(&bt, &rf).read().await;
    let took = started.elapsed();
    assert_eq!(r.state, Bluetooth::Unknown);
    assert!(
        took < tebiki_core::pc::linux::BLUEZ_TIMEOUT + Duration::from_millis(700),
        "{took:?}"
    );
}

#[tokio::test]
async fn measure_turns_the_reading_into_measured_facts_with_their_time() {
    let Some(bus) = PrivateBus::start_or_skip("measure") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![adapter("hci0", false)],
            hang: false,
        },
    )
    .await;
    let before = tebiki_core::facts::UnixMs::now();
    let facts = pc::measure(&PcConfig {
        bluez_bus: Some(bus.address.clone()),
        stand_in: None,
    })
    .await;
    let obs = facts.observations();
    println!("{obs:#?}");
    let bt = obs.iter().find(|o| o.key == "pc.bluetooth").unwrap();
    assert_eq!(bt.value, "off");
    assert_eq!(bt.source, tebiki_core::facts::FactSource::Measured);
    assert!(bt.at >= before);
    let os = obs.iter().find(|o| o.key == "pc.os").unwrap();
    assert_eq!(os.value, "linux");
    assert!(!os.evidence.is_empty());
}

#[tokio::test]
async fn the_doctor_prints_the_pc_facts_as_json_observations() {
    let Some(bus) = PrivateBus::start_or_skip("doctor") else {
        return;
    };
    let _service = serve(
        &bus,
        FakeBluez {
            adapters: vec![adapter("hci0", true)],
            hang: false,
        },
    )
    .await;
    let address = bus.address.clone();
    // The fake is served by this runtime: run the doctor off it.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
            .args(["pc", "--json", "--bluez-bus", &address])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["bluetooth"]["state"], "on");
    let obs = v["observations"].as_array().unwrap();
    let find = |k: &str| obs.iter().find(|o| o["key"] == k).unwrap().clone();
    assert_eq!(find("pc.bluetooth")["value"], "on");
    assert_eq!(find("pc.bluetooth")["source"], "measured");
    assert!(
        find("pc.bluetooth")["evidence"]
            .as_str()
            .unwrap()
            .contains("Powered=true")
    );
    assert_eq!(find("pc.os")["value"], "linux");
}

/// The app's own orchestrator, without a window: the PC facts are measured at start, noted in
/// the session record, and measured again on the interval (each with its own time).
#[tokio::test]
async fn the_app_notes_the_pc_facts_and_measures_bluetooth_again_on_its_interval() {
    use tebiki_core::app::{App, AppConfig, Desktop, DesktopError, ProbeSetting};
    use tebiki_core::i18n::{Lang, Text};

    struct NoDesktop;
    impl Desktop for NoDesktop {
        fn open_url(&self, _: &str) -> Result<(), DesktopError> {
            Ok(())
        }
        fn notify(&self, _: &Text) {}
    }

    let Some(bus) = PrivateBus::start_or_skip("app") else {
        return;
    };
    let powered = Arc::new(AtomicBool::new(false));
    let _service = serve(
        &bus,
        SwitchedBluez {
            powered: powered.clone(),
        },
    )
    .await;
    let data = bus.sysfs("data");
    let mut config = AppConfig::new(data);
    config.probe = ProbeSetting::Off;
    config.watch_network = false;
    config.tick = Duration::from_millis(100);
    config.pc.bluez_bus = Some(bus.address.clone());
    config.pc_facts_every = Duration::from_millis(500);
    let app = App::start(config, Arc::new(NoDesktop));
    // Let the first measurement land before the session starts: it counts from step one.
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.command(tebiki_core::app::Command::Begin {
        playbook: "au-id".into(),
    })
    .await;

    let record = |lang| {
        let app = &app;
        async move { app.record_markdown(lang).await.unwrap_or_default() }
    };
    let start = Instant::now();
    let mut md = record(Lang::En).await;
    while !md.contains("The PC's Bluetooth") && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        md = record(Lang::En).await;
    }
    println!("{md}");
    // Each measured entry with its evidence line below it.
    let bt_lines = |md: &str| -> Vec<String> {
        let lines: Vec<&str> = md.lines().collect();
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains("The PC's Bluetooth"))
            .map(|(i, l)| format!("{l}\n{}", lines.get(i + 1).unwrap_or(&"")))
            .collect()
    };
    let first = bt_lines(&md);
    assert_eq!(first.len(), 1, "{md}");
    assert!(first[0].contains("off"), "{}", first[0]);
    assert!(first[0].contains("Powered=false"), "{}", first[0]);
    assert!(md.contains("The PC's system"), "{md}");
    assert!(md.contains("Linux"), "{md}");

    // Switched on: the next measurement on the interval notes it; the first line stays.
    powered.store(true, Ordering::SeqCst);
    let start = Instant::now();
    let mut lines = bt_lines(&record(Lang::En).await);
    while lines.len() < 2 && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        lines = bt_lines(&record(Lang::En).await);
    }
    println!("{lines:#?}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], first[0]);
    assert!(lines[1].contains("Powered=true"), "{}", lines[1]);
    let ja = record(Lang::Ja).await;
    assert!(ja.contains("パソコンの Bluetooth"), "{ja}");
    assert!(ja.contains("オン"), "{ja}");
}
