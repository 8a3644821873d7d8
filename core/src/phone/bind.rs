//! Which address the phone server listens on: the PC's LAN IPv4 on the interface of its
//! current internet path. Never a VPN or tunnel, a container/VM bridge, a loopback or a
//! link-local address: a phone on the home Wi-Fi could not reach those, and listening on them
//! would expose the page where it does not belong.
//!
//! `choose_lan_ipv4` is pure over a plain interface list; `interfaces_from_os` is the thin
//! adapter over `netdev`.

use std::net::Ipv4Addr;

use super::PhoneError;

/// What kind of link an interface is, as far as choosing a LAN address is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Ethernet,
    Wifi,
    /// A mobile-broadband modem: it has no LAN a phone could join.
    Wwan,
    Loopback,
    /// VPN, tunnel, point-to-point.
    Tunnel,
    /// Bridges and virtual adapters (docker, libvirt, Hyper-V, VirtualBox, veth, …).
    Virtual,
    Other,
}

/// One interface, reduced to what the choice needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanInterface {
    pub name: String,
    /// Human-readable name or description where the OS gives one (Windows, macOS).
    pub label: String,
    pub kind: LinkKind,
    pub ipv4: Vec<Ipv4Addr>,
    /// Carries the default route (the current internet path).
    pub is_default: bool,
    pub has_gateway: bool,
    pub is_up: bool,
}

/// The chosen address and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanChoice {
    pub ip: Ipv4Addr,
    pub interface: String,
    pub why: String,
}

/// Name prefixes of virtual or tunnel interfaces that `netdev` may report as plain Ethernet.
const VIRTUAL_NAME_PREFIXES: &[&str] = &[
    "docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "lxc", "lxdbr", "cni", "flannel", "cali",
    "podman", "vnet", "kube",
];
const TUNNEL_NAME_PREFIXES: &[&str] = &[
    "tun",
    "tap",
    "wg",
    "utun",
    "ppp",
    "ipsec",
    "zt",
    "tailscale",
    "nordlynx",
    "proton",
    "gpd",
];
/// Words in Windows/macOS labels that give away a virtual or VPN adapter.
const VIRTUAL_LABEL_WORDS: &[&str] = &[
    "vpn",
    "virtual",
    "hyper-v",
    "vethernet",
    "tap-windows",
    "wireguard",
    "tailscale",
    "virtualbox",
    "vmware",
    "wintun",
    "openvpn",
    "zerotier",
    "anyconnect",
    "fortinet",
    "globalprotect",
    "loopback",
    "bluetooth",
];

/// How the name and label refine the OS-reported kind.
pub fn effective_kind(iface: &LanInterface) -> LinkKind {
    let name = iface.name.to_ascii_lowercase();
    let label = iface.label.to_ascii_lowercase();
    if iface.kind == LinkKind::Loopback || name == "lo" {
        return LinkKind::Loopback;
    }
    if TUNNEL_NAME_PREFIXES.iter().any(|p| name.starts_with(p)) || iface.kind == LinkKind::Tunnel {
        return LinkKind::Tunnel;
    }
    if VIRTUAL_NAME_PREFIXES.iter().any(|p| name.starts_with(p))
        || VIRTUAL_LABEL_WORDS.iter().any(|w| label.contains(w))
    {
        return LinkKind::Virtual;
    }
    iface.kind
}

/// Why an address can't be the LAN address, if it can't.
fn address_rejection(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_link_local() {
        Some("link-local (no DHCP answer)")
    } else if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() {
        Some("not a host address")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        // 100.64.0.0/10: carrier-grade NAT, and the range Tailscale uses; not a home LAN.
        Some("shared address space (CGNAT / Tailscale)")
    } else {
        None
    }
}

/// Picks the PC's LAN IPv4. Prefers the default-route interface; if that is a VPN or has no
/// usable address, falls back to an up Wi-Fi or Ethernet interface with a gateway (a phone on
/// the home Wi-Fi can still reach that one). Among addresses, private ranges come first.
pub fn choose_lan_ipv4(interfaces: &[LanInterface]) -> Result<LanChoice, PhoneError> {
    let mut rejected = Vec::new();
    let mut candidates: Vec<(u8, &LanInterface, Ipv4Addr)> = Vec::new();
    for iface in interfaces {
        let kind = effective_kind(iface);
        let kind_ok = matches!(kind, LinkKind::Ethernet | LinkKind::Wifi | LinkKind::Other);
        if !iface.is_up {
            rejected.push(format!("{}: down", iface.name));
            continue;
        }
        if !kind_ok {
            rejected.push(format!("{}: {:?}", iface.name, kind));
            continue;
        }
        if !iface.is_default && !iface.has_gateway {
            rejected.push(format!(
                "{}: not on an internet path (no gateway)",
                iface.name
            ));
            continue;
        }
        for ip in &iface.ipv4 {
            if let Some(why) = address_rejection(*ip) {
                rejected.push(format!("{} {ip}: {why}", iface.name));
                continue;
            }
            // Lower rank is better: default route first, then physical kinds, then private.
            let mut rank = 0u8;
            if !iface.is_default {
                rank += 4;
            }
            if kind == LinkKind::Other {
                rank += 2;
            }
            if !ip.is_private() {
                rank += 1;
            }
            candidates.push((rank, iface, *ip));
        }
    }
    candidates.sort_by_key(|(rank, _, _)| *rank);
    match candidates.first() {
        Some((_, iface, ip)) => Ok(LanChoice {
            ip: *ip,
            interface: iface.name.clone(),
            why: if iface.is_default {
                format!("{ip} on {}, the interface of the default route", iface.name)
            } else {
                format!(
                    "{ip} on {}: the default route is not usable for the LAN (VPN or virtual), \
                     this interface has its own gateway",
                    iface.name
                )
            },
        }),
        None => Err(PhoneError::NoLanAddress {
            rejected: rejected.join("; "),
        }),
    }
}

/// Reads the interfaces from the OS through `netdev`.
pub fn interfaces_from_os() -> Vec<LanInterface> {
    use netdev::interface::types::InterfaceType as T;
    netdev::get_interfaces()
        .into_iter()
        .map(|i| {
            let kind = match i.if_type {
                T::Ethernet | T::FastEthernetT | T::FastEthernetFx | T::GigabitEthernet => {
                    LinkKind::Ethernet
                }
                T::Wireless80211 => LinkKind::Wifi,
                T::Wwan | T::Wwanpp | T::Wwanpp2 | T::GenericModem => LinkKind::Wwan,
                T::Loopback => LinkKind::Loopback,
                T::Tunnel | T::Ppp => LinkKind::Tunnel,
                T::Bridge | T::ProprietaryVirtual => LinkKind::Virtual,
                _ if i.is_tun() => LinkKind::Tunnel,
                _ => LinkKind::Other,
            };
            let label = [i.friendly_name.as_deref(), i.description.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            LanInterface {
                kind,
                label,
                ipv4: i.ipv4.iter().map(|n| n.addr()).collect(),
                is_default: i.default,
                has_gateway: i.gateway.is_some(),
                is_up: i.is_up(),
                name: i.name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(name: &str, kind: LinkKind, ip: [u8; 4], default: bool) -> LanInterface {
        LanInterface {
            name: name.into(),
            label: String::new(),
            kind,
            ipv4: vec![Ipv4Addr::from(ip)],
            is_default: default,
            has_gateway: default,
            is_up: true,
        }
    }

    #[test]
    fn the_default_wifi_address_is_chosen_over_docker_and_loopback() {
        let list = vec![
            iface("lo", LinkKind::Loopback, [127, 0, 0, 1], false),
            iface("docker0", LinkKind::Ethernet, [172, 17, 0, 1], false),
            iface("wlan0", LinkKind::Wifi, [192, 168, 1, 23], true),
            iface("virbr0", LinkKind::Ethernet, [192, 168, 122, 1], false),
        ];
        let choice = choose_lan_ipv4(&list).expect("a LAN address");
        assert_eq!(choice.ip, Ipv4Addr::new(192, 168, 1, 23));
        assert_eq!(choice.interface, "wlan0");
    }

    #[test]
    fn a_vpn_default_route_falls_back_to_the_physical_lan() {
        let mut eth = iface("eth0", LinkKind::Ethernet, [10, 0, 0, 5], false);
        eth.has_gateway = true;
        let list = vec![iface("wg0", LinkKind::Other, [10, 8, 0, 2], true), eth];
        let choice = choose_lan_ipv4(&list).expect("a LAN address");
        assert_eq!(choice.ip, Ipv4Addr::new(10, 0, 0, 5));
        assert!(choice.why.contains("VPN"), "{}", choice.why);
    }

    #[test]
    fn windows_virtual_adapters_are_recognised_by_their_label() {
        let mut hyperv = iface("{GUID-1}", LinkKind::Ethernet, [172, 25, 0, 1], true);
        hyperv.label = "vEthernet (WSL)".into();
        let mut tap = iface("{GUID-2}", LinkKind::Ethernet, [10, 9, 0, 2], true);
        tap.label = "TAP-Windows Adapter V9".into();
        let err = choose_lan_ipv4(&[hyperv, tap]).expect_err("no LAN address");
        let PhoneError::NoLanAddress { rejected } = err else {
            panic!("wrong error")
        };
        assert!(rejected.contains("Virtual"), "{rejected}");
    }

    #[test]
    fn link_local_cgnat_and_down_interfaces_are_rejected() {
        let mut down = iface("eth1", LinkKind::Ethernet, [192, 168, 0, 9], true);
        down.is_up = false;
        let list = vec![
            iface("eth0", LinkKind::Ethernet, [169, 254, 10, 2], true),
            iface("wlan0", LinkKind::Wifi, [100, 100, 1, 2], true),
            down,
        ];
        let err = choose_lan_ipv4(&list).expect_err("nothing usable");
        let msg = err.to_string();
        assert!(
            msg.contains("link-local") && msg.contains("CGNAT") && msg.contains("down"),
            "{msg}"
        );
    }

    #[test]
    fn wwan_and_tunnels_are_never_chosen() {
        let list = vec![
            iface("wwan0", LinkKind::Wwan, [10, 1, 2, 3], true),
            iface("tun0", LinkKind::Ethernet, [192, 168, 50, 2], true),
        ];
        assert!(choose_lan_ipv4(&list).is_err());
    }

    #[test]
    fn a_private_address_is_preferred_on_the_same_interface() {
        let mut eth = iface("eth0", LinkKind::Ethernet, [203, 0, 113, 7], true);
        eth.ipv4.push(Ipv4Addr::new(192, 168, 10, 2));
        assert_eq!(
            choose_lan_ipv4(&[eth]).expect("address").ip,
            Ipv4Addr::new(192, 168, 10, 2)
        );
    }

    #[test]
    fn an_interface_without_gateway_off_the_default_route_is_not_the_internet_path() {
        let list = vec![iface("eth2", LinkKind::Ethernet, [192, 168, 77, 1], false)];
        assert!(choose_lan_ipv4(&list).is_err());
    }
}
