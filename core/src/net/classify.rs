//! The pure classifier: a [`Snapshot`] in, a [`Classification`] out. No I/O, no clock.
//!
//! Rules, in order, for the default route's interface: tunnel (VPN) → mobile modem (WWAN) →
//! phone over USB (driver) → Wi-Fi (then: is the access point a phone?) → bridge (look at its
//! physical port) → virtual (container/VM: cannot see the real path) → Ethernet. Each rule
//! records what it saw, and the confidence says how strong that evidence is. Signals with
//! look-alikes (a metered flag, a gateway address range) never reach `High` on their own.

use std::net::Ipv4Addr;

use super::{
    CategoryVerdict, Classification, Confidence, Interface, LinkKind, Metered, NetworkCategory,
    NetworkListStatus, NmStatus, PathKind, Snapshot,
};

/// Name prefixes of tunnel interfaces made by VPN clients on Linux, macOS and Windows.
const TUNNEL_PREFIXES: &[&str] = &[
    "wg",
    "tun",
    "tap",
    "utun",
    "ipsec",
    "tailscale",
    "nordlynx",
    "zt",
    "vpn",
    "proton",
    "mullvad",
    "gpd",
    "cscotun",
    "nekoray",
    "clash",
];
/// Name prefixes Linux gives mobile-broadband data interfaces.
const WWAN_PREFIXES: &[&str] = &["wwan", "wwp", "rmnet", "ccmni"];
/// NetworkManager device types.
const NM_WIFI: u32 = 2;
const NM_MODEM: u32 = 8;
const NM_TUN: u32 = 16;
const NM_WIREGUARD: u32 = 29;

/// What one interface looks like on its own.
struct Verdict {
    path: PathKind,
    confidence: Confidence,
    evidence: Vec<String>,
}

impl Verdict {
    fn new(path: PathKind, confidence: Confidence, evidence: Vec<String>) -> Self {
        Verdict {
            path,
            confidence,
            evidence,
        }
    }
}

/// Classifies the PC's internet path from a snapshot, and (Windows) the category of the
/// network the phone must reach the PC on. Pure.
pub fn classify(s: &Snapshot) -> Classification {
    let mut c = classify_path(s);
    if let Some(v) = category_verdict(s, &c) {
        c.evidence.push(v.evidence.clone());
        c.network_category = Some(v);
    }
    c
}

/// Windows' category (Public / Private / Domain) of the network on the interface that holds
/// the LAN address (under a VPN: the physical one), from the network list.
fn category_verdict(s: &Snapshot, c: &Classification) -> Option<CategoryVerdict> {
    let networks = match &s.network_list {
        NetworkListStatus::NotAsked => return None,
        NetworkListStatus::Unavailable { reason } => {
            return Some(CategoryVerdict {
                category: None,
                network: None,
                evidence: format!(
                    "network category (Public/Private): unknown, because Windows' network list could not be read: {reason}"
                ),
            });
        }
        NetworkListStatus::Available { networks } => networks,
    };
    let lan_iface = c
        .lan_ipv4
        .and_then(|a| {
            s.interfaces
                .iter()
                .find(|i| i.ipv4.iter().any(|n| n.addr == a))
        })
        .map(|i| i.name.as_str())
        .or(c.interface.as_deref());
    let Some(lan_iface) = lan_iface else {
        return Some(CategoryVerdict {
            category: None,
            network: None,
            evidence: "network category (Public/Private): unknown, because no interface leads to a network".to_owned(),
        });
    };
    let shown = s
        .interface(lan_iface)
        .and_then(|i| i.friendly_name.as_deref())
        .unwrap_or(lan_iface);
    let found = networks
        .iter()
        .find(|n| n.adapters.iter().any(|a| a.eq_ignore_ascii_case(lan_iface)));
    Some(match found {
        Some(n) => CategoryVerdict {
            category: Some(n.category),
            // Wine (and some Windows setups) give networks no name.
            network: (!n.name.is_empty()).then(|| n.name.clone()),
            evidence: format!(
                "network category{} on {shown}: {}{}",
                if n.name.is_empty() {
                    String::new()
                } else {
                    format!(" of \"{}\"", n.name)
                },
                n.category.as_str(),
                if n.category == NetworkCategory::Public {
                    " (Windows Defender Firewall blocks incoming connections: the phone cannot reach this PC)"
                } else {
                    ""
                }
            ),
        },
        None => CategoryVerdict {
            category: None,
            network: None,
            evidence: format!(
                "network category (Public/Private): unknown, because Windows lists no connected network on {shown} ({} network(s) listed)",
                networks.len()
            ),
        },
    })
}

fn classify_path(s: &Snapshot) -> Classification {
    let Some(name) = s.default_interface.as_deref() else {
        let mut evidence = vec!["no default route: no interface leads to the internet".to_owned()];
        let up: Vec<&str> = s
            .interfaces
            .iter()
            .filter(|i| i.up && i.link != LinkKind::Loopback)
            .map(|i| i.name.as_str())
            .collect();
        evidence.push(if up.is_empty() {
            "no network interface is up (besides loopback)".to_owned()
        } else {
            format!("interfaces up without a default route: {}", up.join(", "))
        });
        return Classification {
            path: PathKind::Offline,
            confidence: Confidence::High,
            interface: None,
            evidence,
            underlying: None,
            lan_ipv4: None,
            phone_tether: None,
            network_category: None,
        };
    };
    let Some(iface) = s.interface(name) else {
        return Classification {
            path: PathKind::Unknown,
            confidence: Confidence::Low,
            interface: Some(name.to_owned()),
            evidence: vec![format!(
                "the default route names {name}, but no such interface was listed"
            )],
            underlying: None,
            lan_ipv4: None,
            phone_tether: None,
            network_category: None,
        };
    };

    let mut v = interface_verdict(s, iface);
    let mut evidence = Vec::with_capacity(v.evidence.len() + 2);
    evidence.push(format!(
        "default route via {}{}",
        iface.name,
        gateway_note(iface)
    ));
    evidence.append(&mut v.evidence);

    if !iface.up {
        evidence.push(format!("{} is down", iface.name));
        return Classification {
            path: PathKind::Offline,
            confidence: Confidence::Medium,
            interface: Some(iface.name.clone()),
            evidence,
            underlying: None,
            lan_ipv4: None,
            phone_tether: None,
            network_category: None,
        };
    }

    // netdev finds the default interface by asking the kernel which route a packet to
    // 10.254.254.254 would take (policy-routing aware, nothing is sent). When that interface
    // has no gateway but another one does, say so: it is a full-tunnel VPN (normal) or a
    // route covering 10.0.0.0/8 (then the internet may really go the other way).
    if iface.gateway.is_none() {
        let others: Vec<&str> = s
            .interfaces
            .iter()
            .filter(|o| o.name != iface.name && o.up && o.gateway.is_some())
            .map(|o| o.name.as_str())
            .collect();
        if !others.is_empty() {
            evidence.push(format!(
                "{} has no gateway of its own; the main table's default gateway is on {}",
                iface.name,
                others.join(", ")
            ));
        }
    }

    let mut underlying = None;
    let mut lan_ipv4 = lan_ipv4_of(iface);
    if v.path == PathKind::Vpn {
        match physical_beneath(s, iface) {
            Some((phys, pv)) => {
                evidence.push(format!(
                    "underneath the tunnel: {} looks like {} ({}: {})",
                    phys.name,
                    pv.path.as_str(),
                    pv.confidence.as_str(),
                    pv.evidence.join(", ")
                ));
                underlying = Some(pv.path);
                lan_ipv4 = lan_ipv4_of(phys).or(lan_ipv4);
            }
            None => evidence
                .push("no physical interface with a gateway was seen under the tunnel".to_owned()),
        }
    } else {
        // A tunnel that is up but not the default route usually carries only its own networks
        // (Tailscale, a work VPN with split tunnelling). Worth telling the helper.
        for t in s.interfaces.iter().filter(|t| {
            t.name != iface.name && t.up && (!t.ipv4.is_empty()) && tunnel_signal(s, t).is_some()
        }) {
            evidence.push(format!(
                "tunnel {} is up but is not the default route",
                t.name
            ));
        }
    }

    if let NmStatus::Unavailable { reason } = &s.network_manager
        && !evidence.iter().any(|e| e.contains("NetworkManager"))
    {
        evidence.push(format!("NetworkManager not available ({reason})"));
    }

    let phone_tether = match v.path {
        PathKind::TetheredUsb | PathKind::PhoneHotspot => strong_phone_tether(s, iface),
        _ => None,
    };
    Classification {
        path: v.path,
        confidence: v.confidence,
        interface: Some(iface.name.clone()),
        evidence,
        underlying,
        lan_ipv4,
        phone_tether,
        network_category: None,
    }
}

/// Strong evidence that the PC's next hop is a phone sharing its own connection: an iPhone's
/// USB sharing adapter; a generic USB sharing driver or a Wi-Fi together with a signal the phone
/// itself sends (the ANDROID_METERED DHCP option); the iPhone hotspot's network together with a
/// second sign. Never "metered" alone (a person can set it by hand) or a driver name alone
/// (USB modems and docks use the same ones).
fn strong_phone_tether(s: &Snapshot, i: &Interface) -> Option<String> {
    let driver = i.linux.as_ref().and_then(|l| l.driver.as_deref());
    let desc = i.description.as_deref().unwrap_or("");
    let friendly = i.friendly_name.as_deref().unwrap_or("");
    if driver == Some("ipheth")
        || desc.contains("Apple Mobile Device Ethernet")
        || friendly.contains("iPhone USB")
    {
        return Some(format!(
            "{}: an iPhone sharing its connection over USB",
            i.name
        ));
    }
    let nm_guess_yes = match &s.network_manager {
        NmStatus::Available(nm) => {
            nm_device(s, &i.name).map(|d| d.metered) == Some(Metered::GuessYes)
                || (nm.primary_interfaces.iter().any(|p| p == &i.name)
                    && nm.metered == Metered::GuessYes)
        }
        _ => false,
    };
    if nm_guess_yes {
        return Some(format!(
            "{}: the network itself says it is a phone's shared connection (ANDROID_METERED, \
             NetworkManager metered = guess-yes)",
            i.name
        ));
    }
    let iphone_hotspot = i.gateway.as_ref().is_some_and(|g| {
        g.ipv4.iter().any(|gw| {
            let o = gw.octets();
            o[0] == 172 && o[1] == 20 && o[2] == 10 && o[3] < 16
        })
    });
    let second_sign = i
        .gateway
        .as_ref()
        .and_then(|g| g.mac.as_deref())
        .is_some_and(mac_is_locally_administered)
        || s.os_cost.as_ref().and_then(|c| c.metered) == Some(true);
    (iphone_hotspot && second_sign).then(|| {
        format!(
            "{}: gateway in 172.20.10.0/28 (the iPhone Personal Hotspot network) and a second \
             sign of a phone (randomised gateway MAC or a metered connection)",
            i.name
        )
    })
}

fn gateway_note(iface: &Interface) -> String {
    match &iface.gateway {
        Some(g) => {
            let mut parts: Vec<String> = g.ipv4.iter().map(|a| a.to_string()).collect();
            parts.extend(g.ipv6.iter().map(|a| a.to_string()));
            if parts.is_empty() {
                String::new()
            } else {
                format!(" (gateway {})", parts.join(", "))
            }
        }
        None => String::new(),
    }
}

/// The first usable IPv4 address (not loopback, not link-local).
fn lan_ipv4_of(iface: &Interface) -> Option<Ipv4Addr> {
    iface
        .ipv4
        .iter()
        .map(|c| c.addr)
        .find(|a| !a.is_loopback() && !a.is_link_local() && !a.is_unspecified())
}

/// The physical interface a VPN rides on: another up interface with a gateway that is not
/// itself a tunnel. Prefers the one the OS lists first (netdev lists by index).
fn physical_beneath<'a>(s: &'a Snapshot, tunnel: &Interface) -> Option<(&'a Interface, Verdict)> {
    s.interfaces
        .iter()
        .filter(|i| i.name != tunnel.name && i.up && i.gateway.is_some())
        .filter(|i| i.link != LinkKind::Loopback)
        .map(|i| (i, interface_verdict(s, i)))
        .find(|(_, v)| v.path != PathKind::Vpn && v.path != PathKind::Offline)
}

fn nm_device<'a>(s: &'a Snapshot, name: &str) -> Option<&'a super::NmDevice> {
    match &s.network_manager {
        NmStatus::Available(nm) => nm
            .devices
            .iter()
            .find(|d| d.interface == name || d.ip_interface.as_deref() == Some(name)),
        _ => None,
    }
}

fn starts_with_any(name: &str, prefixes: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    prefixes.iter().any(|p| lower.starts_with(p))
}

/// Why an interface looks like a tunnel, and how strongly.
fn tunnel_signal(s: &Snapshot, i: &Interface) -> Option<(Confidence, String)> {
    let lx = i.linux.as_ref();
    if let Some(dt) = lx
        .and_then(|l| l.devtype.as_deref())
        .filter(|d| *d == "wireguard")
    {
        return Some((Confidence::High, format!("DEVTYPE={dt}")));
    }
    if lx.is_some_and(|l| l.tun) {
        return Some((
            Confidence::High,
            "a tun/tap device (tun_flags present)".to_owned(),
        ));
    }
    if let Some(d) =
        nm_device(s, &i.name).filter(|d| d.device_type == NM_TUN || d.device_type == NM_WIREGUARD)
    {
        return Some((
            Confidence::High,
            format!("NetworkManager device type {}", d.device_type),
        ));
    }
    if i.link == LinkKind::Tunnel {
        return Some((
            Confidence::High,
            "the OS reports a tunnel interface".to_owned(),
        ));
    }
    let desc = i.description.as_deref().unwrap_or("").to_ascii_lowercase();
    if ["vpn", "wireguard", "wintun", "tap-windows", "openvpn"]
        .iter()
        .any(|k| desc.contains(k))
    {
        return Some((
            Confidence::High,
            format!("adapter \"{}\"", i.description.as_deref().unwrap_or("")),
        ));
    }
    if starts_with_any(&i.name, TUNNEL_PREFIXES) {
        return Some((
            Confidence::Medium,
            format!("the name {} is a VPN tunnel name", i.name),
        ));
    }
    None
}

/// Classifies one interface on its own.
fn interface_verdict(s: &Snapshot, i: &Interface) -> Verdict {
    let lx = i.linux.as_ref();
    let devtype = lx.and_then(|l| l.devtype.as_deref());
    let driver = lx.and_then(|l| l.driver.as_deref());
    let nm = nm_device(s, &i.name);
    let cost = s
        .os_cost
        .as_ref()
        .filter(|c| c.interface.as_deref().is_none_or(|n| n == i.name));

    if i.link == LinkKind::Loopback {
        return Verdict::new(
            PathKind::Unknown,
            Confidence::Low,
            vec!["loopback".to_owned()],
        );
    }

    // 1. Tunnels (VPN).
    if let Some((c, why)) = tunnel_signal(s, i) {
        return Verdict::new(PathKind::Vpn, c, vec![why]);
    }

    // 2. Mobile broadband (WWAN), including a modem's PPP link.
    if devtype == Some("wwan") {
        return Verdict::new(
            PathKind::Cellular,
            Confidence::High,
            vec!["DEVTYPE=wwan".to_owned()],
        );
    }
    if let Some(d) = nm.filter(|d| d.device_type == NM_MODEM) {
        return Verdict::new(
            PathKind::Cellular,
            Confidence::High,
            vec![format!("NetworkManager: a modem device ({})", d.interface)],
        );
    }
    if i.link == LinkKind::Wwan {
        return Verdict::new(
            PathKind::Cellular,
            Confidence::High,
            vec!["the OS reports a mobile-broadband (WWAN) interface".to_owned()],
        );
    }
    if let Some(c) = cost.filter(|c| c.cellular == Some(true)) {
        return Verdict::new(
            PathKind::Cellular,
            Confidence::High,
            vec![format!("{}: mobile broadband ({})", c.source, c.detail)],
        );
    }
    if starts_with_any(&i.name, WWAN_PREFIXES) {
        return Verdict::new(
            PathKind::Cellular,
            Confidence::Medium,
            vec![format!("the name {} is a mobile-broadband name", i.name)],
        );
    }
    if i.link == LinkKind::Ppp
        || lx.and_then(|l| l.arphrd) == Some(512)
        || starts_with_any(&i.name, &["ppp"])
    {
        return Verdict::new(
            PathKind::Vpn,
            Confidence::Low,
            vec![format!(
                "{} is a PPP link: a VPN (PPTP/L2TP), PPPoE or a modem; cannot tell which",
                i.name
            )],
        );
    }

    // 3. A phone over USB.
    if let Some(v) = usb_tether_verdict(s, i, driver) {
        return v;
    }

    // 4. Wi-Fi, and whether the access point is a phone.
    let wifi_reason = if devtype == Some("wlan") {
        Some("DEVTYPE=wlan".to_owned())
    } else if lx.is_some_and(|l| l.wireless) {
        Some("wireless/ (phy80211) present in sysfs".to_owned())
    } else if nm.is_some_and(|d| d.device_type == NM_WIFI) {
        Some("NetworkManager: a Wi-Fi device".to_owned())
    } else if i.link == LinkKind::Wifi {
        Some("the OS reports an 802.11 (Wi-Fi) interface".to_owned())
    } else {
        cost.filter(|c| c.wlan == Some(true))
            .map(|c| format!("{}: Wi-Fi ({})", c.source, c.detail))
    };
    if let Some(reason) = wifi_reason {
        return wifi_verdict(s, i, reason);
    }

    // 5. A bridge: judge by its physical port.
    let ports = lx.map(|l| l.bridge_ports.as_slice()).unwrap_or(&[]);
    if devtype == Some("bridge") || i.link == LinkKind::Bridge || !ports.is_empty() {
        let physical = ports
            .iter()
            .filter_map(|p| s.interface(p))
            .find(|p| p.linux.as_ref().is_some_and(|l| !l.virtual_device));
        return match physical {
            Some(p) => {
                let mut pv = interface_verdict(s, p);
                let mut ev = vec![format!("bridge with physical port {}", p.name)];
                ev.append(&mut pv.evidence);
                Verdict::new(pv.path, pv.confidence.min(Confidence::Medium), ev)
            }
            None => Verdict::new(
                PathKind::Unknown,
                Confidence::Low,
                vec![format!(
                    "{} is a bridge with no physical port (ports: {}): likely containers or VMs; the real connection is not visible here",
                    i.name,
                    if ports.is_empty() {
                        "none".to_owned()
                    } else {
                        ports.join(", ")
                    }
                )],
            ),
        };
    }

    // 6. Virtual interfaces (veth, dummy …): we are inside a container or VM.
    if lx.is_some_and(|l| l.virtual_device) {
        return Verdict::new(
            PathKind::Unknown,
            Confidence::Low,
            vec![format!(
                "{} is a virtual interface with no device (veth/dummy): likely inside a container; the host's real connection is not visible here",
                i.name
            )],
        );
    }

    // 7. Ethernet.
    if i.link == LinkKind::Ethernet || lx.and_then(|l| l.arphrd) == Some(1) {
        let mut ev = Vec::new();
        let confidence = match (lx, driver) {
            (Some(_), Some(d)) => {
                ev.push(format!("wired device, driver {d}, no wireless/ in sysfs"));
                Confidence::High
            }
            (Some(_), None) => {
                ev.push("Ethernet-type link, but no driver was found".to_owned());
                Confidence::Medium
            }
            (None, _) => {
                ev.push("the OS reports an Ethernet interface".to_owned());
                Confidence::Medium
            }
        };
        if let Some(c) = cost.filter(|c| c.metered == Some(true)) {
            ev.push(format!(
                "{} says the connection is metered ({})",
                c.source, c.detail
            ));
        }
        return Verdict::new(PathKind::Ethernet, confidence, ev);
    }

    Verdict::new(
        PathKind::Unknown,
        Confidence::Low,
        vec![format!(
            "{}: no signal said what kind of link this is",
            i.name
        )],
    )
}

/// USB drivers that phones use to share their connection, and how specific each is.
fn usb_tether_verdict(s: &Snapshot, i: &Interface, driver: Option<&str>) -> Option<Verdict> {
    let desc = i.description.as_deref().unwrap_or("");
    let friendly = i.friendly_name.as_deref().unwrap_or("");
    let (base, why) = match driver {
        Some("ipheth") => (
            Confidence::High,
            "driver ipheth: an iPhone sharing its connection over USB".to_owned(),
        ),
        Some("rndis_host") => (
            Confidence::Medium,
            "driver rndis_host: Android USB tethering (also some USB modems)".to_owned(),
        ),
        Some(d @ ("cdc_ncm" | "cdc_ether")) => (
            Confidence::Low,
            format!(
                "driver {d}: used by phones sharing over USB, and by some USB Ethernet adapters and docks"
            ),
        ),
        _ if desc.contains("Apple Mobile Device Ethernet") || friendly.contains("iPhone USB") => (
            Confidence::High,
            format!(
                "adapter \"{}\": an iPhone over USB",
                if desc.is_empty() { friendly } else { desc }
            ),
        ),
        _ if desc.contains("Remote NDIS") => (
            Confidence::Medium,
            format!("adapter \"{desc}\": Android USB tethering (RNDIS)"),
        ),
        _ => return None,
    };
    let hints = phone_hints(s, i);
    let mut evidence = vec![why];
    evidence.extend(hints.lines.iter().cloned());
    let confidence = match (base, hints.score) {
        (Confidence::High, _) => Confidence::High,
        (Confidence::Medium, n) if n >= 2 => Confidence::High,
        (Confidence::Medium, _) => Confidence::Medium,
        (_, n) if n >= 2 => Confidence::Medium,
        _ => {
            // A generic USB network driver alone is not enough to say "a phone": saying so
            // could let the flow skip checking the phone. Call it Ethernet, say why, low.
            evidence.push(
                "no other sign of a phone, so this is treated as a USB Ethernet adapter".to_owned(),
            );
            return Some(Verdict::new(PathKind::Ethernet, Confidence::Low, evidence));
        }
    };
    Some(Verdict::new(PathKind::TetheredUsb, confidence, evidence))
}

/// Signals that the next hop is a phone (hotspot or USB tethering). Weighted: 2 = a real
/// signal with look-alikes, 1 = a weak hint.
struct PhoneHints {
    score: u32,
    lines: Vec<String>,
    /// An OS source looked and said "not metered".
    checked_not_metered: bool,
}

fn phone_hints(s: &Snapshot, i: &Interface) -> PhoneHints {
    let mut h = PhoneHints {
        score: 0,
        lines: Vec::new(),
        checked_not_metered: false,
    };
    match &s.network_manager {
        NmStatus::Available(nm) => {
            let dev = nm_device(s, &i.name).map(|d| d.metered);
            let is_primary = nm.primary_interfaces.iter().any(|p| p == &i.name);
            let metered = match dev {
                Some(Metered::Unknown) | None if is_primary => nm.metered,
                Some(m) => m,
                None => Metered::Unknown,
            };
            match metered {
                Metered::Yes => {
                    h.score += 2;
                    h.lines.push(
                        "NetworkManager: metered = yes (a user can also set this by hand)"
                            .to_owned(),
                    );
                }
                Metered::GuessYes => {
                    h.score += 2;
                    h.lines.push(
                        "NetworkManager: metered = guess-yes (from the network itself, e.g. the ANDROID_METERED DHCP option phones send)"
                            .to_owned(),
                    );
                }
                Metered::No | Metered::GuessNo => {
                    h.checked_not_metered = true;
                    h.lines
                        .push(format!("NetworkManager: not metered ({metered:?})"));
                }
                Metered::Unknown => h.lines.push("NetworkManager: metered unknown".to_owned()),
            }
        }
        NmStatus::Unavailable { reason } => {
            h.lines
                .push(format!("NetworkManager not available ({reason})"));
        }
        NmStatus::NotAsked => {}
    }
    if let Some(c) = s.os_cost.as_ref() {
        match c.metered {
            Some(true) => {
                h.score += 2;
                h.lines
                    .push(format!("{}: metered ({})", c.source, c.detail));
            }
            Some(false) => {
                h.checked_not_metered = true;
                h.lines
                    .push(format!("{}: not metered ({})", c.source, c.detail));
            }
            None => h
                .lines
                .push(format!("{}: metered unknown ({})", c.source, c.detail)),
        }
    }
    if let Some(g) = &i.gateway {
        for gw in &g.ipv4 {
            let o = gw.octets();
            if o[0] == 172 && o[1] == 20 && o[2] == 10 && o[3] < 16 {
                h.score += 2;
                h.lines.push(format!(
                    "gateway {gw} is in 172.20.10.0/28, the iPhone Personal Hotspot network (widely reported)"
                ));
            } else if *gw == Ipv4Addr::new(192, 168, 43, 1)
                || (o[0] == 192 && o[1] == 168 && o[2] == 42)
            {
                h.score += 1;
                h.lines.push(format!(
                    "gateway {gw} is an address older Android phones use when sharing"
                ));
            }
        }
        if let Some(mac) = g.mac.as_deref()
            && mac_is_locally_administered(mac)
        {
            h.score += 1;
            h.lines.push(format!(
                "gateway MAC {mac} is locally administered (randomised), as phones use; some routers do too"
            ));
        }
    }
    h
}

/// The "locally administered" bit (0x02 of the first octet) of `aa:bb:…`.
pub(crate) fn mac_is_locally_administered(mac: &str) -> bool {
    let first = mac.split([':', '-']).next().unwrap_or("");
    u8::from_str_radix(first, 16).is_ok_and(|b| b & 0x02 != 0 && b & 0x01 == 0)
}

fn wifi_verdict(s: &Snapshot, i: &Interface, reason: String) -> Verdict {
    let hints = phone_hints(s, i);
    let mut evidence = vec![reason];
    evidence.extend(hints.lines.iter().cloned());
    let (path, confidence) = match hints.score {
        n if n >= 3 => (PathKind::PhoneHotspot, Confidence::High),
        2 => (PathKind::PhoneHotspot, Confidence::Medium),
        1 => {
            evidence.push("one weak hint of a phone hotspot; treated as ordinary Wi-Fi".to_owned());
            (PathKind::Wifi, Confidence::Medium)
        }
        _ if hints.checked_not_metered => (PathKind::Wifi, Confidence::High),
        _ => {
            evidence.push(
                "could not check whether this Wi-Fi is a phone's hotspot (no metered information)"
                    .to_owned(),
            );
            (PathKind::Wifi, Confidence::Medium)
        }
    };
    Verdict::new(path, confidence, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locally_administered_bit_is_read_from_the_first_octet() {
        assert!(mac_is_locally_administered("02:fc:00:00:00:01"));
        assert!(mac_is_locally_administered("da:58:c1:55:1c:0e"));
        assert!(!mac_is_locally_administered("00:1a:2b:3c:4d:5e"));
        // Multicast addresses are not a device's MAC.
        assert!(!mac_is_locally_administered("03:00:00:00:00:00"));
        assert!(!mac_is_locally_administered("zz:00"));
    }
}
