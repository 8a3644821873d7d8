//! How the app runs: where it keeps the session, and the switches tests and unusual
//! networks need. Defaults need no configuration at all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::net::Url;

/// Where the PC's internet check goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeSetting {
    /// The playbook's official site and the generic connectivity endpoint.
    Default,
    /// No probe at all (the PC status then says only what the interfaces show).
    Off,
    /// Only these URLs (tests point this at loopback servers).
    Urls(Vec<Url>),
}

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The app's data directory: the resumable session lives here.
    pub data_dir: PathBuf,
    /// Where the phone-check server listens; `None` picks the PC's LAN address.
    pub phone_bind: Option<SocketAddr>,
    /// How long one phone check may run.
    pub phone_ttl: Duration,
    /// The image the phone loads to confirm its mobile line; `None` uses the playbook's.
    pub carrier_check_url: Option<String>,
    pub probe: ProbeSetting,
    /// Watch the PC's network for changes.
    pub watch_network: bool,
    /// How often the clock ticks into the engine.
    pub tick: Duration,
    /// Warn this long before the login window closes.
    pub warn_before: Duration,
    /// The network side of the phone's presence check: the OS's neighbour machinery (tests
    /// that run the phone on loopback, where no neighbour exists, give a stand-in).
    pub neighbours: std::sync::Arc<dyn crate::phone::Neighbours>,
    /// The phone check's timing rules (tests shorten them).
    pub presence: crate::phone::PresenceRules,
    /// How long a copied account ID stays on the clipboard (60 s; tests shorten it). Whole
    /// seconds: the clipboard rule counts in seconds.
    pub clipboard_hold: Duration,
    /// How the PC's own facts (Bluetooth, OS version) are read.
    pub pc: crate::pc::PcConfig,
    /// How often they are measured again (30 s; tests shorten it).
    pub pc_facts_every: Duration,
}

impl AppConfig {
    /// The defaults, keeping the session in `data_dir`.
    pub fn new(data_dir: PathBuf) -> AppConfig {
        AppConfig {
            data_dir,
            phone_bind: None,
            phone_ttl: crate::phone::CHECK_LIFETIME,
            carrier_check_url: None,
            probe: ProbeSetting::Default,
            watch_network: true,
            tick: Duration::from_secs(1),
            warn_before: Duration::from_secs(120),
            neighbours: std::sync::Arc::new(crate::phone::OsNeighbours),
            presence: crate::phone::PresenceRules::default(),
            clipboard_hold: Duration::from_secs(
                u64::try_from(crate::vault::CLIPBOARD_HOLD_SECS).unwrap_or(60),
            ),
            pc: crate::pc::PcConfig::default(),
            pc_facts_every: Duration::from_secs(30),
        }
    }

    /// The defaults, adjusted by the documented test and support switches:
    ///
    /// - `TEBIKI_PHONE_BIND=IP[:PORT]` — listen for the phone there;
    /// - `TEBIKI_CARRIER_CHECK_URL=URL` — the image the phone loads on its mobile line;
    /// - `TEBIKI_PROBE=off` or `TEBIKI_PROBE=URL[,URL…]` — the PC's internet check;
    /// - `TEBIKI_NET_WATCH=off` — don't watch the PC's network;
    /// - `TEBIKI_CLIPBOARD_HOLD_SECS=N` — keep a copied account ID on the clipboard N
    ///   seconds (1–600) instead of 60 (the e2e tests shorten it). Test builds only: read
    ///   only with the `test-switches` feature (see [`super::test_switches`]);
    /// - `TEBIKI_BLUEZ_BUS=ADDRESS` — Linux: read `pc.bluetooth` from a BlueZ on this D-Bus
    ///   address (the e2e tests serve a fake one) instead of the system bus. Test builds only;
    /// - `TEBIKI_PC_STAND_IN=bluetooth=on,os=windows11` — replace the PC's Bluetooth and OS
    ///   readings (labelled as a test's stand-in) so the layout test reaches a passkey step on
    ///   Linux. Test builds only.
    ///
    /// A malformed value is reported and ignored (the default stays), never fatal.
    pub fn from_env(data_dir: PathBuf) -> (AppConfig, Vec<String>) {
        let mut config = AppConfig::new(data_dir);
        let mut problems = Vec::new();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(v) = var("TEBIKI_PHONE_BIND") {
            match parse_bind(&v) {
                Some(addr) => config.phone_bind = Some(addr),
                None => problems.push(format!(
                    "TEBIKI_PHONE_BIND={v:?} is not an IP address or IP:PORT; using the LAN address"
                )),
            }
        }
        if let Some(v) = var("TEBIKI_CARRIER_CHECK_URL") {
            config.carrier_check_url = Some(v);
        }
        if let Some(v) = var("TEBIKI_PROBE") {
            match parse_probe(&v) {
                Ok(p) => config.probe = p,
                Err(e) => problems.push(e),
            }
        }
        if var("TEBIKI_NET_WATCH").as_deref() == Some("off") {
            config.watch_network = false;
        }
        #[cfg(feature = "test-switches")]
        if let Some(v) = var("TEBIKI_CLIPBOARD_HOLD_SECS") {
            match v.trim().parse::<u64>() {
                Ok(n) if (1..=600).contains(&n) => config.clipboard_hold = Duration::from_secs(n),
                _ => problems.push(format!(
                    "TEBIKI_CLIPBOARD_HOLD_SECS={v:?} is not a number of seconds from 1 to 600; keeping 60"
                )),
            }
        }
        #[cfg(feature = "test-switches")]
        if let Some(v) = var("TEBIKI_BLUEZ_BUS") {
            config.pc.bluez_bus = Some(v);
        }
        #[cfg(feature = "test-switches")]
        if let Some(v) = var("TEBIKI_PC_STAND_IN") {
            match crate::pc::parse_stand_in(&v) {
                Ok(s) => config.pc.stand_in = Some(s),
                Err(e) => problems.push(e),
            }
        }
        (config, problems)
    }
}

fn parse_bind(v: &str) -> Option<SocketAddr> {
    let v = v.trim();
    v.parse::<SocketAddr>().ok().or_else(|| {
        v.parse::<std::net::IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 0))
    })
}

fn parse_probe(v: &str) -> Result<ProbeSetting, String> {
    if v.trim() == "off" {
        return Ok(ProbeSetting::Off);
    }
    let urls = v
        .split(',')
        .map(|u| {
            Url::parse(u.trim()).map_err(|e| format!("TEBIKI_PROBE: {u:?} is not a URL ({e})"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ProbeSetting::Urls(urls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_accepts_an_address_with_or_without_port() {
        assert_eq!(parse_bind("10.1.2.3"), "10.1.2.3:0".parse().ok());
        assert_eq!(parse_bind("10.1.2.3:8080"), "10.1.2.3:8080".parse().ok());
        assert_eq!(parse_bind("wlan0"), None);
    }

    #[test]
    fn probe_setting_parses_off_and_url_lists() {
        assert_eq!(parse_probe("off"), Ok(ProbeSetting::Off));
        let Ok(ProbeSetting::Urls(urls)) =
            parse_probe("http://127.0.0.1:9/a, http://127.0.0.1:9/b")
        else {
            panic!("two URLs expected");
        };
        assert_eq!(urls.len(), 2);
        assert!(parse_probe("not a url").is_err());
    }
}
