//! `pc` measures facts about the PC itself that some routes need: whether it has a Bluetooth
//! radio and whether it is on (`pc.bluetooth`), and which OS version it runs (`pc.os`). A
//! passkey signed in with a phone through a QR code on the PC ("hybrid" sign-in) needs the
//! PC's Bluetooth on and, per the services' notes, Windows 11 or macOS 13 or later; which
//! route needs what is the playbook's business, not this module's.
//!
//! Shape, as in `net`: plain readings with evidence a helper can read, pure classification
//! functions ([`os::classify_windows`], [`os::classify_macos`], [`bluetooth::from_radios`])
//! tested on every OS, and one small reader per OS behind [`measure`]:
//! - Linux (`linux.rs`): BlueZ over the system D-Bus (`org.bluez`, its ObjectManager and
//!   `org.bluez.Adapter1.Powered`), `/sys/class/rfkill` for why a radio is off,
//!   `/sys/class/bluetooth` when BlueZ is not running; `/etc/os-release` for the OS.
//! - Windows (`windows.rs`): `Windows.Devices.Radios` (WinRT, guarded; never asked under
//!   Wine), `BluetoothFindFirstRadio` (loaded at run time) for presence when WinRT cannot
//!   answer; `RtlGetVersion` for the real build number.
//! - macOS (`macos.rs`): `sysctl kern.osproductversion`; Bluetooth is not read (`unknown`).
//!
//! Every reader is bounded by a short timeout and never fails: what it cannot tell is
//! `unknown`, with the reason. See docs/PC-FACTS.md for how far each OS path was checked.

pub mod bluetooth;
pub mod os;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
mod macos;
/// Windows-only parts, public for the Windows tests.
#[cfg(target_os = "windows")]
pub mod windows;

use serde::{Deserialize, Serialize};

use crate::facts::{Observation, UnixMs};

pub use bluetooth::{Bluetooth, BluetoothReading};
pub use os::{OsKind, OsReading};

/// The fact key for the PC's Bluetooth radio.
pub const FACT_PC_BLUETOOTH: &str = "pc.bluetooth";
/// The fact key for the PC's OS version.
pub const FACT_PC_OS: &str = "pc.os";

/// How the PC facts are read. The default asks the machine itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcConfig {
    /// Linux: ask BlueZ on this D-Bus address instead of the system bus (tests run a fake
    /// `org.bluez` on a private bus). Ignored on other OSes.
    pub bluez_bus: Option<String>,
    /// Test builds only (`TEBIKI_PC_STAND_IN`): readings that replace the OS's, so the layout
    /// test can show a passkey step on the Linux machine the suite runs on. Their evidence says
    /// they are a test's stand-in.
    pub stand_in: Option<(Bluetooth, OsKind)>,
}

/// Parses `TEBIKI_PC_STAND_IN` (`bluetooth=on,os=windows11`).
pub fn parse_stand_in(v: &str) -> Result<(Bluetooth, OsKind), String> {
    let mut bt = None;
    let mut os = None;
    for part in v.split(',') {
        match part.trim().split_once('=') {
            Some(("bluetooth", b)) => {
                bt = [
                    Bluetooth::On,
                    Bluetooth::Off,
                    Bluetooth::Absent,
                    Bluetooth::Unknown,
                ]
                .into_iter()
                .find(|x| x.as_str() == b)
            }
            Some(("os", o)) => {
                os = serde_json::from_value::<OsKind>(serde_json::Value::String(o.to_owned())).ok()
            }
            _ => {}
        }
    }
    match (bt, os) {
        (Some(b), Some(o)) => Ok((b, o)),
        _ => Err(format!(
            "TEBIKI_PC_STAND_IN={v:?} is not like bluetooth=on,os=windows11; measuring the PC"
        )),
    }
}

/// One measurement of the PC facts, taken at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PcFacts {
    pub bluetooth: BluetoothReading,
    pub os: OsReading,
    pub at: UnixMs,
}

impl PcFacts {
    /// The measured observations, stamped with the time they were measured (never later).
    pub fn observations(&self) -> Vec<Observation> {
        vec![
            Observation::measured(
                FACT_PC_BLUETOOTH,
                self.bluetooth.state.as_str(),
                self.at,
                self.bluetooth.evidence.clone(),
            ),
            Observation::measured(
                FACT_PC_OS,
                self.os.kind.as_str(),
                self.at,
                self.os.evidence.clone(),
            ),
        ]
    }
}

/// Measures both PC facts (each reader bounded by its own short timeout).
pub async fn measure(config: &PcConfig) -> PcFacts {
    if let Some((b, o)) = config.stand_in {
        const WHY: &str = "a test's stand-in (TEBIKI_PC_STAND_IN, test builds only): not measured";
        return PcFacts {
            bluetooth: BluetoothReading::new(b, WHY),
            os: OsReading::new(o, WHY),
            at: UnixMs::now(),
        };
    }
    let (bluetooth, os) = tokio::join!(bluetooth::read(config), os::read());
    PcFacts {
        bluetooth,
        os,
        at: UnixMs::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::known::measured_values;

    #[test]
    fn every_value_the_readers_can_report_is_a_known_measured_value() {
        let bt = measured_values(FACT_PC_BLUETOOTH).expect("pc.bluetooth is a measured key");
        for b in [
            Bluetooth::On,
            Bluetooth::Off,
            Bluetooth::Absent,
            Bluetooth::Unknown,
        ] {
            assert!(bt.contains(&b.as_str()), "{}", b.as_str());
        }
        let os = measured_values(FACT_PC_OS).expect("pc.os is a measured key");
        for k in OsKind::ALL {
            assert!(os.contains(&k.as_str()), "{}", k.as_str());
        }
        assert_eq!(bt.len(), 4);
        assert_eq!(os.len(), 7);
    }

    #[test]
    fn observations_keep_the_measurement_time_and_evidence() {
        let facts = PcFacts {
            bluetooth: BluetoothReading::new(Bluetooth::Off, "hci0: Powered=false"),
            os: OsReading::new(
                OsKind::Windows11,
                "Windows 10.0 build 22631 (RtlGetVersion)",
            ),
            at: UnixMs(1_234),
        };
        let obs = facts.observations();
        assert_eq!(obs.len(), 2);
        assert!(obs.iter().all(|o| o.at == UnixMs(1_234)));
        assert_eq!(
            (obs[0].key.as_str(), obs[0].value.as_str()),
            ("pc.bluetooth", "off")
        );
        assert_eq!(
            (obs[1].key.as_str(), obs[1].value.as_str()),
            ("pc.os", "windows11")
        );
        assert!(obs[1].evidence.contains("22631"));
    }
}

#[cfg(test)]
mod stand_in_tests {
    use super::*;

    #[test]
    fn the_stand_in_parses_and_says_it_is_not_measured() {
        assert_eq!(
            parse_stand_in("bluetooth=on,os=windows11"),
            Ok((Bluetooth::On, OsKind::Windows11))
        );
        assert!(parse_stand_in("bluetooth=blue").is_err());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let facts = rt.block_on(measure(&PcConfig {
            bluez_bus: None,
            stand_in: Some((Bluetooth::Off, OsKind::Macos13OrLater)),
        }));
        assert_eq!(facts.bluetooth.state, Bluetooth::Off);
        assert!(
            facts.os.evidence.contains("not measured"),
            "{}",
            facts.os.evidence
        );
    }
}
