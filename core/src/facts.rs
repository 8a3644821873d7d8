//! Facts: what Tebiki knows about the PC and the phone, where it learned it, and when.
//!
//! This vocabulary is shared by the observers (`net`, `phone`, `pc`) that produce facts and by the
//! engine (`flow`) and playbooks that require them. A fact is a dotted key with a small
//! string value, so playbooks can name them as data (`phone.network == cellular`).
//!
//! Keys that the observers measure (values in backticks):
//!
//! | key | values | produced by |
//! |---|---|---|
//! | `pc.path` | `wifi` `ethernet` `cellular` `tethered_usb` `phone_hotspot` `vpn` `offline` `unknown` | `net` |
//! | `pc.online` | `online` `offline` `dns_failure` `captive_portal` `tls_intercepted` `unknown` | `net` |
//! | `phone.presence` | `on_lan` `left_lan` `pc_tethered` `never_seen` `unknown` | `phone` (on / left the home network: page loads, heartbeats and the network-side probes of the phone; `pc_tethered`: the PC's internet goes through the phone, on strong evidence) |
//! | `phone.page` | `visible` `hidden` `silent` | `phone` (the check page on the phone's screen) |
//! | `phone.network` | `wifi` `cellular` `unknown` | `phone` (only what the phone's own browser reports: `navigator.connection.type`) |
//! | `phone.platform` | `iphone` `android` `other` | `phone` (from the User-Agent) |
//! | `pc.bluetooth` | `on` `off` `absent` `unknown` | `pc` (a Bluetooth radio in the PC and whether it is on: BlueZ on Linux, the radio API on Windows; not read on macOS) |
//! | `pc.os` | `windows11` `windows10` `windows_older` `macos13_or_later` `macos_older` `linux` `unknown` | `pc` (Windows 11 = 10.0 build ≥ 22000 from RtlGetVersion; macOS from `kern.osproductversion`; the evidence names the exact version) |
//!
//! Keys the user confirms are declared by each playbook (for example `phone.vpn`,
//! `phone.private_relay`, `phone.biometrics`). A confirmation never overrides a fresh
//! measurement of the same key; that rule lives in `flow`.

use serde::{Deserialize, Serialize};

/// Wall-clock time as milliseconds since the Unix epoch. The engine never reads a clock:
/// time always comes in as one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixMs(pub i64);

impl UnixMs {
    /// Reads the system clock. Only the imperative shell (`app`, observers) calls this.
    pub fn now() -> UnixMs {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        UnixMs(ms)
    }

    pub fn plus_secs(self, secs: i64) -> UnixMs {
        UnixMs(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    /// Milliseconds from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(self, earlier: UnixMs) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// How Tebiki came to know a fact. Measured outranks confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    /// Observed by Tebiki itself (the PC's network stack, the phone's page).
    Measured,
    /// Told by the user ("VPN is off").
    Confirmed,
}

/// One observed or confirmed fact, with the evidence a helper can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// Dotted key, e.g. `phone.network`.
    pub key: String,
    /// Small lower-case value, e.g. `cellular`.
    pub value: String,
    pub source: FactSource,
    /// When it was observed.
    pub at: UnixMs,
    /// Why Tebiki believes it, in plain words for the helper (English; not shown to the
    /// family member), e.g. "default route via wlan0: DEVTYPE=wlan".
    pub evidence: String,
}

impl Observation {
    pub fn measured(key: &str, value: &str, at: UnixMs, evidence: impl Into<String>) -> Self {
        Observation {
            key: key.to_owned(),
            value: value.to_owned(),
            source: FactSource::Measured,
            at,
            evidence: evidence.into(),
        }
    }

    pub fn confirmed(key: &str, value: &str, at: UnixMs) -> Self {
        Observation {
            key: key.to_owned(),
            value: value.to_owned(),
            source: FactSource::Confirmed,
            at,
            evidence: "confirmed by the user".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_arithmetic_saturates() {
        let t = UnixMs(1_000);
        assert_eq!(t.plus_secs(2), UnixMs(3_000));
        assert_eq!(UnixMs(3_000).since(t), 2_000);
        assert_eq!(UnixMs(i64::MAX).plus_secs(10), UnixMs(i64::MAX));
    }

    #[test]
    fn observations_serialise_with_their_source() {
        let o = Observation::measured("phone.network", "wifi", UnixMs(5), "seen on the LAN");
        let json = serde_json::to_string(&o).expect("serialise");
        assert!(json.contains("\"source\":\"measured\""), "{json}");
        let back: Observation = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, o);
    }
}
