//! The phone's presence seen from the PC's side of the home network: the OS's neighbour (ARP)
//! machinery asked whether the phone's link-layer address still answers for its IPv4 address.
//!
//! Why: a phone's browser page is suspended when the person opens the Settings app or locks
//! the screen, so heartbeats stop whether or not the Wi-Fi is still on. The phone's Wi-Fi chip,
//! though, keeps answering ARP while it sleeps (the access point buffers *unicast* frames for a
//! dozing station), and answers nothing once the Wi-Fi is off. So each probe is sent to the
//! link-layer address learned when the page loaded, several tries over a few seconds, and a
//! different address answering for that IP is another device, not the phone.
//!
//! Per OS, one file each behind `learn` and `probe`:
//! - Linux (`linux.rs`): unicast ARP requests on a packet socket when the process may open one
//!   (CAP_NET_RAW); otherwise a datagram nudges the kernel, whose own neighbour probing is
//!   unicast to the cached address, and the kernel's table is read (slower: the kernel trusts
//!   an entry for 15–45 s after the phone last answered).
//! - Windows (`windows.rs`): `ResolveIpNetEntry2` (flushes the entry and resolves it afresh).
//! - elsewhere: not available, said so plainly.

use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as os;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;
#[cfg(not(any(target_os = "linux", windows)))]
mod other;
#[cfg(not(any(target_os = "linux", windows)))]
use other as os;

/// A 48-bit link-layer (MAC) address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// Parses `aa:bb:cc:dd:ee:ff` (or with `-`). `None` for anything else, and for the all-zero
    /// address an incomplete entry shows.
    pub fn parse(s: &str) -> Option<Mac> {
        let mut out = [0u8; 6];
        let mut parts = s.trim().split([':', '-']);
        for b in &mut out {
            *b = u8::from_str_radix(parts.next()?, 16).ok()?;
        }
        (parts.next().is_none() && out != [0; 6]).then_some(Mac(out))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

/// Who to probe: the phone's address, its link-layer address learned at page load, and the
/// PC's interface that reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub ip: Ipv4Addr,
    pub mac: Mac,
    pub interface: String,
}

/// What the OS knew about the address the phone's requests came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Learned {
    /// The phone is a direct neighbour: probing it says something about the phone.
    Neighbour(Target),
    /// The address is not the phone itself (a router in between, or not on the PC's link):
    /// probing it would say nothing about the phone.
    NotThePhone { why: String },
    /// The OS could not tell (no entry, no way to read the table on this OS).
    Unavailable { why: String },
}

/// One probe's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The phone's link-layer address answered for its IP.
    Answered { after: Duration, how: String },
    /// Nothing answered in any of the tries.
    NoAnswer {
        tries: u32,
        over: Duration,
        how: String,
    },
    /// A different link-layer address answered for that IP: another device has it now.
    OtherDevice { mac: Mac },
    /// The probe could not be made; this says nothing about the phone.
    Unavailable { why: String },
}

/// How many tries one probe makes, and how long it waits for each answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbePlan {
    pub tries: u32,
    pub wait_each: Duration,
}

impl Default for ProbePlan {
    fn default() -> Self {
        // A dozing phone wakes for its buffered unicast frames at least every few beacon
        // intervals (~100 ms each, a few hundred ms with a DTIM period of 3); three tries a
        // second apart leave it ample chances.
        ProbePlan {
            tries: 3,
            wait_each: Duration::from_millis(1_000),
        }
    }
}

/// Learns the link-layer address behind `ip` right after one of its requests arrived (the OS
/// has just resolved it). Blocking but quick (reads a table).
pub fn learn(ip: Ipv4Addr) -> Learned {
    let routers = netdev::get_interfaces()
        .into_iter()
        .filter_map(|i| i.gateway)
        .flat_map(|g| {
            let mac = Mac::parse(&g.mac_addr.to_string());
            g.ipv4.into_iter().map(move |gw| (gw, mac))
        })
        .collect::<Vec<_>>();
    decide_learned(ip, os::lookup(ip), &routers)
}

/// What the OS table said about one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found { mac: Mac, interface: String },
    NotFound { why: String },
}

/// Pure: from the table's entry and the PC's routers, whether `ip` is the phone itself.
pub fn decide_learned(
    ip: Ipv4Addr,
    lookup: Lookup,
    routers: &[(Ipv4Addr, Option<Mac>)],
) -> Learned {
    if ip.is_loopback() {
        return Learned::NotThePhone {
            why: format!("{ip} is this PC itself (loopback): no neighbour to ask"),
        };
    }
    if routers.iter().any(|(gw, _)| *gw == ip) {
        return Learned::NotThePhone {
            why: format!(
                "{ip} is this PC's router: the phone reached the PC through a second router \
                 (double NAT), so the network-side check cannot see the phone itself"
            ),
        };
    }
    match lookup {
        Lookup::Found { mac, interface } => {
            if routers.iter().any(|(_, m)| *m == Some(mac)) {
                return Learned::NotThePhone {
                    why: format!(
                        "{ip} answers with the router's link-layer address {mac}: the phone is \
                         behind a router, so the network-side check cannot see the phone itself"
                    ),
                };
            }
            Learned::Neighbour(Target { ip, mac, interface })
        }
        Lookup::NotFound { why } => Learned::Unavailable { why },
    }
}

/// Asks whether `target` still answers, by the OS's best means. Blocking (a few seconds).
pub fn probe(target: &Target, plan: ProbePlan) -> Answer {
    os::probe(target, plan)
}

/// Where the phone check gets its network-side answers: the OS (`OsNeighbours`), or a stand-in
/// in tests that run the phone on loopback, where no neighbour exists.
pub trait Neighbours: Send + Sync + 'static {
    /// See [`learn`]. Blocking but quick.
    fn learn(&self, ip: Ipv4Addr) -> Learned;
    /// See [`probe`]. Blocking.
    fn probe(&self, target: &Target, plan: ProbePlan) -> Answer;
}

impl fmt::Debug for dyn Neighbours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Neighbours")
    }
}

/// The operating system's neighbour machinery.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsNeighbours;

impl Neighbours for OsNeighbours {
    fn learn(&self, ip: Ipv4Addr) -> Learned {
        learn(ip)
    }

    fn probe(&self, target: &Target, plan: ProbePlan) -> Answer {
        probe(target, plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 23);
    const ROUTER: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);

    fn mac(last: u8) -> Mac {
        Mac([0x02, 0, 0, 0, 0, last])
    }

    #[test]
    fn macs_parse_and_print_in_the_usual_form() {
        assert_eq!(
            Mac::parse("da:58:C1:55:1c:0e"),
            Some(Mac([0xda, 0x58, 0xc1, 0x55, 0x1c, 0x0e]))
        );
        assert_eq!(
            Mac::parse("da-58-c1-55-1c-0e")
                .map(|m| m.to_string())
                .as_deref(),
            Some("da:58:c1:55:1c:0e")
        );
        assert_eq!(Mac::parse("00:00:00:00:00:00"), None, "an incomplete entry");
        assert_eq!(Mac::parse("da:58:c1:55:1c"), None);
        assert_eq!(Mac::parse("da:58:c1:55:1c:0e:01"), None);
        assert_eq!(Mac::parse("zz:58:c1:55:1c:0e"), None);
    }

    #[test]
    fn a_direct_neighbour_is_probed_at_its_learned_address() {
        let got = decide_learned(
            PHONE,
            Lookup::Found {
                mac: mac(7),
                interface: "wlan0".into(),
            },
            &[(ROUTER, Some(mac(1)))],
        );
        assert_eq!(
            got,
            Learned::Neighbour(Target {
                ip: PHONE,
                mac: mac(7),
                interface: "wlan0".into()
            })
        );
    }

    #[test]
    fn a_phone_behind_a_second_router_is_not_probed() {
        // The request came from the router's own address (double NAT)…
        let got = decide_learned(
            ROUTER,
            Lookup::Found {
                mac: mac(1),
                interface: "wlan0".into(),
            },
            &[(ROUTER, Some(mac(1)))],
        );
        assert!(
            matches!(&got, Learned::NotThePhone { why } if why.contains("double NAT")),
            "{got:?}"
        );
        // …or from an address whose link-layer address is the router's.
        let got = decide_learned(
            PHONE,
            Lookup::Found {
                mac: mac(1),
                interface: "wlan0".into(),
            },
            &[(ROUTER, Some(mac(1)))],
        );
        assert!(
            matches!(&got, Learned::NotThePhone { why } if why.contains("behind a router")),
            "{got:?}"
        );
    }

    #[test]
    fn loopback_and_missing_entries_say_why() {
        assert!(matches!(
            decide_learned(
                Ipv4Addr::LOCALHOST,
                Lookup::NotFound { why: "x".into() },
                &[]
            ),
            Learned::NotThePhone { .. }
        ));
        assert_eq!(
            decide_learned(
                PHONE,
                Lookup::NotFound {
                    why: "no entry".into()
                },
                &[]
            ),
            Learned::Unavailable {
                why: "no entry".into()
            }
        );
    }
}
