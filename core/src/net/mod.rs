//! `net` observes the PC's own connection: which interface carries the internet path
//! (Wi-Fi, Ethernet, mobile modem, a tethered phone, VPN), whether the internet is reachable,
//! and when that changes. It produces `pc.path` and `pc.online` facts.
//!
//! Shape (functional core, thin adapters):
//! - [`Snapshot`] is plain data about the interfaces, the default route and the OS's own hints
//!   (NetworkManager on Linux, connection cost on Windows, `nw_path` on macOS).
//! - [`classify()`] is a pure function from a snapshot to a [`Classification`] with a
//!   confidence and evidence a helper can read. It never claims more than the evidence shows.
//! - [`snapshot()`] reads the real machine; one file per OS (`linux.rs`, `windows.rs`,
//!   `macos.rs`) behind the same function, compiled only on that OS.
//! - [`probe()`] checks reachability (online, offline, DNS failure, captive portal, TLS
//!   interception) with short timeouts, asynchronously.
//! - [`watch()`] emits a new classification when the path changes.

mod classify;
mod probe;
mod text;
mod watch;

#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
mod macos;
/// Windows-only parts, public for the Windows tests and the doctor.
#[cfg(target_os = "windows")]
pub mod windows;

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::facts::{Observation, UnixMs};

pub use classify::classify;
pub use probe::{
    DnsMode, ProbeConfig, ProbeError, ProbeReport, Reachability, TargetKind, TargetOutcome,
    TargetReport, probe, summarize,
};
/// URLs in [`ProbeConfig`]; re-exported so callers need no reqwest dependency.
pub use reqwest::Url;
pub use text::overall_summary;
pub use watch::{OsSource, PathChange, SnapshotSource, WatchConfig, watch, watch_with};

/// The fact key this module produces for the PC's internet path.
pub const FACT_PC_PATH: &str = "pc.path";
/// The fact key this module produces for internet reachability.
pub const FACT_PC_ONLINE: &str = "pc.online";

/// How the PC reaches the internet. Values match `pc.path` in [`crate::facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    Wifi,
    Ethernet,
    /// A mobile-broadband modem in or attached to the PC (WWAN).
    Cellular,
    /// A phone sharing its mobile data over a USB cable.
    TetheredUsb,
    /// Wi-Fi whose signals say the access point is a phone (personal hotspot / tethering).
    PhoneHotspot,
    /// The default route goes through a tunnel; see `underlying` for the physical path.
    Vpn,
    Offline,
    Unknown,
}

impl PathKind {
    /// The fact value, e.g. `tethered_usb`.
    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::Wifi => "wifi",
            PathKind::Ethernet => "ethernet",
            PathKind::Cellular => "cellular",
            PathKind::TetheredUsb => "tethered_usb",
            PathKind::PhoneHotspot => "phone_hotspot",
            PathKind::Vpn => "vpn",
            PathKind::Offline => "offline",
            PathKind::Unknown => "unknown",
        }
    }
}

/// How sure a result is. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// One weak hint, or a guess from a name.
    Low,
    /// A real signal that has known look-alikes (e.g. a metered flag a user can set by hand).
    Medium,
    /// The OS says so directly (DEVTYPE=wlan, driver ipheth, no default route).
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// What the OS's interface API says an interface is (netdev's `InterfaceType`, simplified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Ethernet,
    Wifi,
    Wwan,
    Ppp,
    Tunnel,
    Loopback,
    Bridge,
    Other,
}

/// An IPv4 address with its prefix length, e.g. 192.168.1.10/24.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ipv4Cidr {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

/// The next hop of an interface's default route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gateway {
    pub ipv4: Vec<Ipv4Addr>,
    pub ipv6: Vec<Ipv6Addr>,
    /// The gateway's MAC as `aa:bb:cc:dd:ee:ff`, when the neighbour table knows it.
    pub mac: Option<String>,
}

/// What Linux sysfs says about an interface (`/sys/class/net/<name>/...`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinuxDetails {
    /// `DEVTYPE=` from `uevent` (wlan, wwan, bridge, wireguard, vlan …).
    pub devtype: Option<String>,
    /// `wireless/` or `phy80211/` exists.
    pub wireless: bool,
    /// The kernel driver bound to the device (`device/driver` link), e.g. `ipheth`.
    pub driver: Option<String>,
    /// No backing device (`device` missing or under `/sys/devices/virtual`): veth, bridge, tun …
    pub virtual_device: bool,
    /// ARPHRD value from `type` (1 Ethernet, 512 PPP, 65534 none/tun, 772 loopback).
    pub arphrd: Option<u16>,
    /// Ports of a bridge (`brif/`).
    pub bridge_ports: Vec<String>,
    /// `tun_flags` exists: a tun/tap device (OpenVPN, many VPN clients).
    pub tun: bool,
}

/// One network interface as seen by the OS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub name: String,
    #[serde(default)]
    pub index: u32,
    /// Windows/macOS display name (e.g. "Wi-Fi", "iPhone USB").
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// Windows adapter description (e.g. "Remote NDIS based Internet Sharing Device").
    #[serde(default)]
    pub description: Option<String>,
    pub link: LinkKind,
    pub up: bool,
    #[serde(default)]
    pub mac: Option<String>,
    #[serde(default)]
    pub ipv4: Vec<Ipv4Cidr>,
    #[serde(default)]
    pub ipv6: Vec<Ipv6Addr>,
    /// Set when this interface has a default route.
    #[serde(default)]
    pub gateway: Option<Gateway>,
    /// Linux only; filled from sysfs.
    #[serde(default)]
    pub linux: Option<LinuxDetails>,
}

/// NetworkManager's `NMMetered`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metered {
    Unknown,
    Yes,
    No,
    GuessYes,
    GuessNo,
}

impl Metered {
    /// From NetworkManager's numeric value (0 unknown, 1 yes, 2 no, 3 guess-yes, 4 guess-no).
    pub fn from_nm(v: u32) -> Metered {
        match v {
            1 => Metered::Yes,
            2 => Metered::No,
            3 => Metered::GuessYes,
            4 => Metered::GuessNo,
            _ => Metered::Unknown,
        }
    }
}

/// One NetworkManager device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NmDevice {
    /// `Interface` (for a modem this is the control port, e.g. `cdc-wdm0`).
    pub interface: String,
    /// `IpInterface` (for a modem this is the data interface, e.g. `wwan0` or `ppp0`).
    #[serde(default)]
    pub ip_interface: Option<String>,
    /// `DeviceType`: 1 ethernet, 2 wifi, 5 bluetooth, 8 modem, 13 bridge, 16 tun, 29 wireguard …
    pub device_type: u32,
    pub metered: Metered,
}

/// What NetworkManager says, when it can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NmInfo {
    /// Global `Metered` of the primary connection.
    pub metered: Metered,
    /// Interfaces of the primary connection's devices.
    #[serde(default)]
    pub primary_interfaces: Vec<String>,
    #[serde(default)]
    pub devices: Vec<NmDevice>,
}

/// NetworkManager, if present. Its absence is normal (other OS, no system bus, not installed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NmStatus {
    /// Not asked (not Linux, or a snapshot taken without it).
    NotAsked,
    Unavailable {
        reason: String,
    },
    Available(NmInfo),
}

/// The OS's own cost/type hint for the internet connection (Windows connection profile,
/// macOS `nw_path`). A hint, not proof: users and hotspots can set "metered" either way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostHint {
    /// Where it came from, e.g. "Windows ConnectionProfile".
    pub source: String,
    /// The OS treats the connection as metered / expensive.
    pub metered: Option<bool>,
    /// The OS says the connection is mobile broadband.
    pub cellular: Option<bool>,
    /// The OS says the connection is Wi-Fi.
    pub wlan: Option<bool>,
    /// Interface the hint is about, when the OS says.
    pub interface: Option<String>,
    /// The raw values, for the evidence line.
    pub detail: String,
}

/// Windows' category of a connected network ("network profile type"). It picks the Windows
/// Defender Firewall profile: on a `Public` network the firewall blocks incoming connections,
/// so the phone cannot open Tebiki's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkCategory {
    Public,
    Private,
    /// Joined to an Active Directory domain (a company PC).
    Domain,
}

impl NetworkCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkCategory::Public => "public",
            NetworkCategory::Private => "private",
            NetworkCategory::Domain => "domain",
        }
    }
}

/// One connected network in Windows' network list (`INetworkListManager`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsNetwork {
    /// The name Windows shows (usually the Wi-Fi name, or "ネットワーク 2").
    pub name: String,
    pub category: NetworkCategory,
    /// The adapters it is connected through, as interface names (`{GUID}` on Windows).
    #[serde(default)]
    pub adapters: Vec<String>,
}

/// Windows' network list, when it can be asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NetworkListStatus {
    /// Not asked (not Windows, or a snapshot taken without it).
    #[default]
    NotAsked,
    /// Asked, and Windows (or Wine) could not answer.
    Unavailable {
        reason: String,
    },
    Available {
        networks: Vec<OsNetwork>,
    },
}

/// Everything [`classify()`] looks at. Plain data; recorded snapshots are JSON of this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `linux`, `windows`, `macos` …
    pub os: String,
    pub interfaces: Vec<Interface>,
    /// The interface the default route uses, if there is one.
    pub default_interface: Option<String>,
    pub network_manager: NmStatus,
    #[serde(default)]
    pub os_cost: Option<CostHint>,
    /// Windows: the network list with each network's category.
    #[serde(default)]
    pub network_list: NetworkListStatus,
}

impl Snapshot {
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }
}

/// The result of [`classify()`]: the PC's internet path, how sure, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub path: PathKind,
    pub confidence: Confidence,
    /// The default route's interface.
    pub interface: Option<String>,
    /// Plain English lines for the helper, e.g. "default route via wlan0: DEVTYPE=wlan".
    pub evidence: Vec<String>,
    /// For `vpn`: the physical path underneath, when one can be seen.
    pub underlying: Option<PathKind>,
    /// The PC's IPv4 address on its LAN (the physical interface, also under a VPN); the phone
    /// link puts this in its QR code.
    pub lan_ipv4: Option<Ipv4Addr>,
    /// Strong evidence that the PC's internet goes through a phone (its USB sharing or its
    /// hotspot), for the phone check; `None` when only weak hints (metered, a driver name)
    /// point that way.
    #[serde(default)]
    pub phone_tether: Option<String>,
    /// Windows: the category of the network the phone must reach the PC on. `None` when it
    /// was not asked (other OSes).
    #[serde(default)]
    pub network_category: Option<CategoryVerdict>,
}

/// The network category of the LAN interface, or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryVerdict {
    /// `None`: unknown (the evidence says why).
    pub category: Option<NetworkCategory>,
    /// The network's name as Windows shows it.
    pub network: Option<String>,
    /// One plain English line for the helper.
    pub evidence: String,
}

impl Classification {
    /// One line for the family member, in Japanese and English.
    pub fn summary(&self) -> crate::i18n::Text {
        text::path_summary(self)
    }

    /// The `pc.path` fact. Evidence carries the confidence and the reasons.
    pub fn observations(&self, at: UnixMs) -> Vec<Observation> {
        let mut evidence = format!("confidence {}: ", self.confidence.as_str());
        evidence.push_str(&self.evidence.join("; "));
        if let Some(u) = self.underlying {
            evidence.push_str(&format!("; underneath: {}", u.as_str()));
        }
        vec![Observation::measured(
            FACT_PC_PATH,
            self.path.as_str(),
            at,
            evidence,
        )]
    }

    /// What the person must change before the phone can reach the PC, if anything: today,
    /// a Windows network whose category is Public (the firewall blocks the phone).
    pub fn advice(&self) -> Option<crate::i18n::Text> {
        text::category_advice(self)
    }

    /// The same path, ignoring evidence wording: what the watcher compares.
    pub fn same_path(&self, other: &Classification) -> bool {
        self.path == other.path
            && self.interface == other.interface
            && self.underlying == other.underlying
            && self.confidence == other.confidence
            && self.lan_ipv4 == other.lan_ipv4
            && self.network_category.as_ref().map(|v| v.category)
                == other.network_category.as_ref().map(|v| v.category)
    }
}

/// Reading the machine failed.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error(
        "could not read the network interfaces: {0}. Check that Tebiki may read the network settings"
    )]
    Interfaces(String),
    #[error("the network check stopped unexpectedly: {0}. Try again")]
    Task(String),
}

/// Reads the PC's network now: interfaces, default route, and the OS's hints.
/// Never blocks the async caller: the blocking parts run on tokio's blocking pool.
pub async fn snapshot() -> Result<Snapshot, NetError> {
    os_snapshot().await
}

#[cfg(target_os = "linux")]
async fn os_snapshot() -> Result<Snapshot, NetError> {
    linux::snapshot().await
}

#[cfg(target_os = "windows")]
async fn os_snapshot() -> Result<Snapshot, NetError> {
    windows::snapshot().await
}

#[cfg(target_os = "macos")]
async fn os_snapshot() -> Result<Snapshot, NetError> {
    macos::snapshot().await
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
async fn os_snapshot() -> Result<Snapshot, NetError> {
    tokio::task::spawn_blocking(base_snapshot)
        .await
        .map_err(|e| NetError::Task(e.to_string()))
}

/// The portable part of a snapshot, from `netdev`: interfaces, addresses, gateways and the
/// default route. Blocking (netlink / OS calls); a few hundred microseconds.
pub fn base_snapshot() -> Snapshot {
    let ifaces = netdev::get_interfaces();
    let default_interface = ifaces.iter().find(|i| i.default).map(|i| i.name.clone());
    Snapshot {
        os: std::env::consts::OS.to_owned(),
        interfaces: ifaces.iter().map(from_netdev).collect(),
        default_interface,
        network_manager: NmStatus::NotAsked,
        os_cost: None,
        network_list: NetworkListStatus::NotAsked,
    }
}

fn from_netdev(i: &netdev::Interface) -> Interface {
    use netdev::prelude::InterfaceType as T;
    let link = match i.if_type {
        T::Ethernet | T::FastEthernetT | T::FastEthernetFx | T::GigabitEthernet => {
            LinkKind::Ethernet
        }
        T::Wireless80211 => LinkKind::Wifi,
        T::Wwan | T::Wwanpp | T::Wwanpp2 | T::Wman => LinkKind::Wwan,
        T::Ppp => LinkKind::Ppp,
        T::Tunnel => LinkKind::Tunnel,
        T::Loopback => LinkKind::Loopback,
        T::Bridge => LinkKind::Bridge,
        _ => LinkKind::Other,
    };
    let gateway = i.gateway.as_ref().map(|g| {
        let mac = g.mac_addr.octets();
        Gateway {
            ipv4: g.ipv4.clone(),
            ipv6: g.ipv6.clone(),
            mac: (mac != [0; 6]).then(|| format_mac(mac)),
        }
    });
    Interface {
        name: i.name.clone(),
        index: i.index,
        friendly_name: i.friendly_name.clone(),
        description: i.description.clone(),
        link,
        up: i.is_up(),
        mac: i
            .mac_addr
            .map(|m| m.octets())
            .filter(|m| *m != [0; 6])
            .map(format_mac),
        ipv4: i
            .ipv4
            .iter()
            .map(|n| Ipv4Cidr {
                addr: n.addr(),
                prefix: n.prefix_len(),
            })
            .collect(),
        ipv6: i.ipv6.iter().map(|n| n.addr()).collect(),
        gateway,
        linux: None,
    }
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn format_mac(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}
