//! Linux: BlueZ over the system D-Bus. `org.bluez` lists its objects through the standard
//! ObjectManager (`GetManagedObjects` at `/`); each controller is an object with the
//! `org.bluez.Adapter1` interface, whose `Powered` property says whether it is on.
//! `/sys/class/rfkill` says why a radio is off (soft block: settings or airplane mode; hard
//! block: a switch or key), and `/sys/class/bluetooth` says whether the kernel has a
//! controller at all when BlueZ is not running.
//!
//! The bus and the sysfs roots are parameters, so the tests run a fake `org.bluez` on a
//! private bus (core/tests/pc_bluez.rs) and point the sysfs reads at fake trees.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use zbus::zvariant::{OwnedObjectPath, OwnedValue};

use super::bluetooth::{Bluetooth, BluetoothReading};

/// Where the kernel lists Bluetooth controllers (`hci0`, …).
pub const SYSFS_BLUETOOTH: &str = "/sys/class/bluetooth";
/// Where the kernel lists radio kill switches.
pub const SYSFS_RFKILL: &str = "/sys/class/rfkill";
/// How long BlueZ may take before the answer is "unknown".
pub const BLUEZ_TIMEOUT: Duration = Duration::from_millis(800);

const BLUEZ: &str = "org.bluez";
const ADAPTER: &str = "org.bluez.Adapter1";

#[derive(Debug, Clone)]
enum Bus {
    System,
    Address(String),
}

/// Reads the Bluetooth state from BlueZ.
#[derive(Debug, Clone)]
pub struct BluezReader {
    bus: Bus,
    sysfs_bluetooth: PathBuf,
    sysfs_rfkill: PathBuf,
    timeout: Duration,
}

impl BluezReader {
    /// The machine's system bus and sysfs.
    pub fn system() -> BluezReader {
        BluezReader {
            bus: Bus::System,
            sysfs_bluetooth: PathBuf::from(SYSFS_BLUETOOTH),
            sysfs_rfkill: PathBuf::from(SYSFS_RFKILL),
            timeout: BLUEZ_TIMEOUT,
        }
    }

    /// BlueZ on the bus at `address` (a private bus in tests) with the real sysfs.
    pub fn on_bus(address: &str) -> BluezReader {
        BluezReader {
            bus: Bus::Address(address.to_owned()),
            ..BluezReader::system()
        }
    }

    /// Reads the controllers from `sysfs_bluetooth` and the kill switches from
    /// `sysfs_rfkill` instead of `/sys` (tests).
    pub fn with_sysfs(mut self, sysfs_bluetooth: &Path, sysfs_rfkill: &Path) -> BluezReader {
        self.sysfs_bluetooth = sysfs_bluetooth.to_path_buf();
        self.sysfs_rfkill = sysfs_rfkill.to_path_buf();
        self
    }

    /// Waits at most `timeout` for BlueZ (tests shorten it).
    pub fn with_timeout(mut self, timeout: Duration) -> BluezReader {
        self.timeout = timeout;
        self
    }

    /// The whole reading, bounded by the timeout. Never fails.
    pub async fn read(&self) -> BluetoothReading {
        let ask = async {
            let conn = match &self.bus {
                Bus::System => zbus::Connection::system().await,
                Bus::Address(a) => match zbus::connection::Builder::address(a.as_str()) {
                    Ok(b) => b.build().await,
                    Err(e) => Err(e),
                },
            }
            .map_err(|e| Asked::NoBus(e.to_string()))?;
            managed_objects(&conn).await
        };
        let answer = match tokio::time::timeout(self.timeout, ask).await {
            Ok(a) => a,
            Err(_) => Err(Asked::Silent(self.timeout)),
        };
        match answer {
            Ok(objects) => self.reading_of(&objects),
            Err(Asked::NotRunning) => {
                self.without_bluez("bluetoothd is not running (nobody owns org.bluez on the bus)")
            }
            Err(Asked::NoBus(e)) => {
                self.without_bluez(&format!("no system D-Bus to ask BlueZ on ({e})"))
            }
            Err(Asked::Failed(e)) => {
                BluetoothReading::unknown(format!("BlueZ did not answer: {e}"))
            }
            Err(Asked::Silent(t)) => BluetoothReading::unknown(format!(
                "BlueZ (org.bluez) did not answer within {} ms",
                t.as_millis()
            )),
        }
    }

    /// No BlueZ to ask: `absent` only if the kernel shows no controller either.
    fn without_bluez(&self, why: &str) -> BluetoothReading {
        match controllers(&self.sysfs_bluetooth) {
            Some(c) if c.is_empty() => BluetoothReading::new(
                Bluetooth::Absent,
                format!(
                    "{why}; the kernel lists no Bluetooth controller in {}",
                    self.sysfs_bluetooth.display()
                ),
            ),
            None => BluetoothReading::new(
                Bluetooth::Absent,
                format!(
                    "{why}; {} does not exist (no Bluetooth controller or driver)",
                    self.sysfs_bluetooth.display()
                ),
            ),
            Some(c) => BluetoothReading::unknown(format!(
                "{why}; the kernel has {} in {}, so whether it is on is unknown",
                c.join(", "),
                self.sysfs_bluetooth.display()
            )),
        }
    }

    fn reading_of(&self, objects: &ManagedObjects) -> BluetoothReading {
        let mut adapters: Vec<(&OwnedObjectPath, &HashMap<String, OwnedValue>)> = objects
            .iter()
            .filter_map(|(path, ifaces)| ifaces.get(ADAPTER).map(|props| (path, props)))
            .collect();
        adapters.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        if adapters.is_empty() {
            return BluetoothReading::new(
                Bluetooth::Absent,
                "BlueZ is running but lists no Bluetooth adapter (no org.bluez.Adapter1)",
            );
        }
        let rfkill = rfkill_bluetooth(&self.sysfs_rfkill);
        let mut parts = Vec::new();
        let (mut any_on, mut any_unknown) = (false, false);
        for (path, props) in &adapters {
            let name = path.as_str().rsplit('/').next().unwrap_or(path.as_str());
            let alias = props
                .get("Alias")
                .or_else(|| props.get("Name"))
                .and_then(as_string);
            let powered = props.get("Powered").and_then(|v| bool::try_from(v).ok());
            let power_state = props.get("PowerState").and_then(as_string);
            let mut part = match &alias {
                Some(a) => format!("{name} ({a})"),
                None => name.to_owned(),
            };
            match powered {
                Some(true) => {
                    any_on = true;
                    part.push_str(": Powered=true");
                }
                Some(false) => part.push_str(": Powered=false"),
                None => {
                    any_unknown = true;
                    part.push_str(": no Powered property");
                }
            }
            if let Some(ps) = power_state {
                part.push_str(&format!(", PowerState={ps}"));
            }
            if powered != Some(true) {
                match rfkill.iter().find(|r| r.name == name) {
                    Some(r) => part.push_str(&format!("; rfkill: {}", r.describe())),
                    None if !rfkill.is_empty() => part.push_str(&format!(
                        "; rfkill: {}",
                        rfkill
                            .iter()
                            .map(|r| format!("{} {}", r.name, r.describe()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    None => {}
                }
            }
            parts.push(part);
        }
        let state = if any_on {
            Bluetooth::On
        } else if any_unknown {
            Bluetooth::Unknown
        } else {
            Bluetooth::Off
        };
        BluetoothReading::new(state, format!("BlueZ: {}", parts.join("; ")))
    }
}

type ManagedObjects = HashMap<OwnedObjectPath, HashMap<String, HashMap<String, OwnedValue>>>;

enum Asked {
    NoBus(String),
    NotRunning,
    Failed(String),
    Silent(Duration),
}

async fn managed_objects(conn: &zbus::Connection) -> Result<ManagedObjects, Asked> {
    let reply = conn
        .call_method(
            Some(BLUEZ),
            "/",
            Some("org.freedesktop.DBus.ObjectManager"),
            "GetManagedObjects",
            &(),
        )
        .await
        .map_err(|e| {
            if service_missing(&e) {
                Asked::NotRunning
            } else {
                Asked::Failed(e.to_string())
            }
        })?;
    reply
        .body()
        .deserialize::<ManagedObjects>()
        .map_err(|e| Asked::Failed(format!("unexpected GetManagedObjects reply: {e}")))
}

/// The bus says nobody owns `org.bluez` (and it cannot be started on demand).
fn service_missing(e: &zbus::Error) -> bool {
    const MISSING: [&str; 2] = [
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    ];
    match e {
        zbus::Error::MethodError(name, _, _) => MISSING.contains(&name.as_str()),
        other => {
            let text = other.to_string();
            MISSING.iter().any(|m| text.contains(m))
        }
    }
}

fn as_string(v: &OwnedValue) -> Option<String> {
    String::try_from(v.try_clone().ok()?).ok()
}

/// The controllers the kernel lists (`hci0`, …), sorted; `None` if the directory is missing.
fn controllers(sysfs_bluetooth: &Path) -> Option<Vec<String>> {
    let rd = std::fs::read_dir(sysfs_bluetooth).ok()?;
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // `hci0`, not `hci0:11` (connections to other devices appear there too).
        .filter(|n| n.starts_with("hci") && !n.contains(':'))
        .collect();
    names.sort();
    Some(names)
}

/// One Bluetooth kill switch from `/sys/class/rfkill/rfkillN`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rfkill {
    name: String,
    soft: bool,
    hard: bool,
}

impl Rfkill {
    fn describe(&self) -> &'static str {
        match (self.soft, self.hard) {
            (_, true) => "hard-blocked (a switch or key on the PC)",
            (true, false) => "soft-blocked (switched off in settings or airplane mode)",
            (false, false) => "not blocked",
        }
    }
}

fn rfkill_bluetooth(sysfs_rfkill: &Path) -> Vec<Rfkill> {
    let Ok(rd) = std::fs::read_dir(sysfs_rfkill) else {
        return Vec::new();
    };
    let read = |dir: &Path, f: &str| {
        std::fs::read_to_string(dir.join(f))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut out: Vec<Rfkill> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|d| read(d, "type") == "bluetooth")
        .map(|d| Rfkill {
            name: read(&d, "name"),
            soft: read(&d, "soft") == "1",
            hard: read(&d, "hard") == "1",
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controllers_skip_connection_entries() {
        let dir = std::env::temp_dir().join(format!("tebiki-btsys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("hci0")).expect("dir");
        std::fs::create_dir_all(dir.join("hci0:256")).expect("dir");
        assert_eq!(controllers(&dir), Some(vec!["hci0".to_owned()]));
        assert_eq!(controllers(&dir.join("missing")), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn rfkill_reads_only_bluetooth_switches() {
        let dir = std::env::temp_dir().join(format!("tebiki-rfkill-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (n, ty, name, soft, hard) in [
            ("rfkill0", "wlan", "phy0", "1", "0"),
            ("rfkill1", "bluetooth", "hci0", "1", "0"),
            ("rfkill2", "bluetooth", "hci1", "0", "1"),
        ] {
            let d = dir.join(n);
            std::fs::create_dir_all(&d).expect("dir");
            for (f, v) in [("type", ty), ("name", name), ("soft", soft), ("hard", hard)] {
                std::fs::write(d.join(f), format!("{v}\n")).expect("write");
            }
        }
        let r = rfkill_bluetooth(&dir);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].describe(),
            "soft-blocked (switched off in settings or airplane mode)"
        );
        assert!(r[1].describe().starts_with("hard-blocked"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
