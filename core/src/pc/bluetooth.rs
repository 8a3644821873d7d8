//! `pc.bluetooth`: is there a Bluetooth radio in the PC, and is it on. The per-OS readers
//! produce a [`BluetoothReading`]; [`from_radios`] is the pure rule for a list of radios with
//! their power state (Windows' radio API gives exactly that).

use serde::{Deserialize, Serialize};

use super::PcConfig;

/// Values match `pc.bluetooth` in [`crate::facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bluetooth {
    /// A radio is there and switched on.
    On,
    /// A radio is there and switched off (in settings, by airplane mode, by a key or switch).
    Off,
    /// The PC has no Bluetooth radio that the OS knows of.
    Absent,
    /// Tebiki could not tell (the evidence says why).
    Unknown,
}

impl Bluetooth {
    /// The fact value, e.g. `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bluetooth::On => "on",
            Bluetooth::Off => "off",
            Bluetooth::Absent => "absent",
            Bluetooth::Unknown => "unknown",
        }
    }
}

/// The radio state with the evidence a helper can read, e.g. "hci0 (Intel AX201):
/// Powered=false; rfkill: soft-blocked (switched off in settings or airplane mode)".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BluetoothReading {
    pub state: Bluetooth,
    pub evidence: String,
}

impl BluetoothReading {
    pub fn new(state: Bluetooth, evidence: impl Into<String>) -> BluetoothReading {
        BluetoothReading {
            state,
            evidence: evidence.into(),
        }
    }

    pub fn unknown(evidence: impl Into<String>) -> BluetoothReading {
        BluetoothReading::new(Bluetooth::Unknown, evidence)
    }
}

/// A radio's power as an OS reports it (Windows' `RadioState`: On, Off, Disabled, Unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadioPower {
    On,
    /// Switched off by the person (settings, airplane mode).
    Off,
    /// Switched off by something else: a hardware switch, a disabled device or driver.
    Disabled,
    Unknown,
}

impl RadioPower {
    fn describe(self) -> &'static str {
        match self {
            RadioPower::On => "on",
            RadioPower::Off => "off",
            RadioPower::Disabled => "disabled (a switch, a key, or the device turned off)",
            RadioPower::Unknown => "state unknown",
        }
    }
}

/// One Bluetooth radio: any one on makes the PC's Bluetooth `on`; all known and none on make
/// it `off`; an empty list is `absent` (the caller names the source in `source`).
pub fn from_radios(source: &str, radios: &[(String, RadioPower)]) -> BluetoothReading {
    if radios.is_empty() {
        return BluetoothReading::new(
            Bluetooth::Absent,
            format!("{source} lists no Bluetooth radio"),
        );
    }
    let listed = radios
        .iter()
        .map(|(name, p)| format!("\"{name}\" {}", p.describe()))
        .collect::<Vec<_>>()
        .join(", ");
    let evidence = format!("{source}: {listed}");
    let state = if radios.iter().any(|(_, p)| *p == RadioPower::On) {
        Bluetooth::On
    } else if radios.iter().all(|(_, p)| *p != RadioPower::Unknown) {
        Bluetooth::Off
    } else {
        Bluetooth::Unknown
    };
    BluetoothReading::new(state, evidence)
}

/// Reads this PC's Bluetooth. Never fails and never waits long: what it cannot tell is
/// `unknown`, with the reason.
pub async fn read(config: &PcConfig) -> BluetoothReading {
    #[cfg(target_os = "linux")]
    {
        match &config.bluez_bus {
            Some(address) => super::linux::BluezReader::on_bus(address).read().await,
            None => super::linux::BluezReader::system().read().await,
        }
    }
    #[cfg(target_os = "windows")]
    {
        let _ = config;
        super::windows::bluetooth().await
    }
    #[cfg(target_os = "macos")]
    {
        let _ = config;
        super::macos::bluetooth()
    }
    #[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
    {
        let _ = config;
        BluetoothReading::unknown(format!("Bluetooth is not read on {}", std::env::consts::OS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn radio(name: &str, p: RadioPower) -> (String, RadioPower) {
        (name.to_owned(), p)
    }

    #[test]
    fn any_radio_on_is_on() {
        let r = from_radios(
            "Windows.Devices.Radios",
            &[
                radio("USB dongle", RadioPower::Off),
                radio("Bluetooth", RadioPower::On),
            ],
        );
        assert_eq!(r.state, Bluetooth::On);
        assert!(r.evidence.contains("\"Bluetooth\" on"), "{}", r.evidence);
    }

    #[test]
    fn all_off_or_disabled_is_off_and_says_which() {
        let r = from_radios(
            "Windows.Devices.Radios",
            &[
                radio("Bluetooth", RadioPower::Off),
                radio("Dongle", RadioPower::Disabled),
            ],
        );
        assert_eq!(r.state, Bluetooth::Off);
        assert!(r.evidence.contains("disabled"), "{}", r.evidence);
    }

    #[test]
    fn an_unknown_radio_without_one_on_is_unknown() {
        let r = from_radios(
            "x",
            &[radio("a", RadioPower::Off), radio("b", RadioPower::Unknown)],
        );
        assert_eq!(r.state, Bluetooth::Unknown);
    }

    #[test]
    fn no_radio_is_absent() {
        let r = from_radios("Windows.Devices.Radios", &[]);
        assert_eq!(r.state, Bluetooth::Absent);
        assert!(r.evidence.contains("no Bluetooth radio"));
    }
}
