//! Linux: the neighbour table from `/proc/net/arp`; probes by unicast ARP on a packet socket
//! (needs CAP_NET_RAW), or, without it, by nudging the kernel and watching its table.

use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

use super::{Answer, Lookup, Mac, ProbePlan, Target};

const ARP_TABLE: &str = "/proc/net/arp";
/// `ATF_COM`: the entry holds a resolved link-layer address.
const ATF_COM: u32 = 0x2;

pub(super) fn lookup(ip: Ipv4Addr) -> Lookup {
    // The same address can be listed on several interfaces (Linux answers ARP for its own
    // addresses on any interface); the phone's is the one on the interface holding an address
    // in the phone's subnet.
    let on_subnet: Vec<String> = pnet_datalink::interfaces()
        .into_iter()
        .filter(|i| {
            i.ips
                .iter()
                .any(|n| n.is_ipv4() && n.contains(std::net::IpAddr::V4(ip)))
        })
        .map(|i| i.name)
        .collect();
    match std::fs::read_to_string(ARP_TABLE) {
        Ok(table) => match entry_on(&table, ip, &on_subnet) {
            Some(Entry {
                mac: Some(mac),
                interface,
            }) => Lookup::Found { mac, interface },
            Some(Entry { mac: None, .. }) => Lookup::NotFound {
                why: format!("the kernel's neighbour entry for {ip} is not resolved"),
            },
            None => Lookup::NotFound {
                why: format!("the kernel has no neighbour entry for {ip}"),
            },
        },
        Err(e) => Lookup::NotFound {
            why: format!("could not read {ARP_TABLE}: {e}"),
        },
    }
}

struct Entry {
    /// `None` while unresolved or after resolution failed.
    mac: Option<Mac>,
    interface: String,
}

/// The entry for `ip` on one of `interfaces` (any interface when that list is empty).
fn entry_on(table: &str, ip: Ipv4Addr, interfaces: &[String]) -> Option<Entry> {
    entries(table, ip).find(|e| interfaces.is_empty() || interfaces.contains(&e.interface))
}

/// The lines of `/proc/net/arp` for `ip`:
/// `IP address  HW type  Flags  HW address  Mask  Device`.
fn entries(table: &str, ip: Ipv4Addr) -> impl Iterator<Item = Entry> + '_ {
    table.lines().skip(1).filter_map(move |line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [addr, _hw, flags, hw, _mask, dev] = cols.as_slice() else {
            return None;
        };
        if addr.parse::<Ipv4Addr>().ok()? != ip {
            return None;
        }
        let flags = u32::from_str_radix(flags.trim_start_matches("0x"), 16).unwrap_or(0);
        Some(Entry {
            mac: (flags & ATF_COM != 0).then(|| Mac::parse(hw)).flatten(),
            interface: (*dev).to_owned(),
        })
    })
}

pub(super) fn probe(target: &Target, plan: ProbePlan) -> Answer {
    match raw::probe(target, plan) {
        Ok(answer) => answer,
        // No packet socket for this process: let the kernel probe.
        Err(raw::NoSocket(why)) => nudge_and_watch(target, plan, &why),
    }
}

/// Without CAP_NET_RAW: a datagram to the phone makes the kernel re-check a stale entry (its
/// probes go by unicast to the cached address); the table then shows whether it answered.
/// The kernel trusts an entry for 15–45 s after the last answer, so a departure shows up late.
fn nudge_and_watch(target: &Target, plan: ProbePlan, why_not_raw: &str) -> Answer {
    let started = Instant::now();
    // The kernel waits 5 s (DELAY) before its first probe, then sends three, 1 s apart.
    let window = Duration::from_secs(9).max(plan.wait_each * plan.tries);
    let socket = match UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)) {
        Ok(s) => s,
        Err(e) => {
            return Answer::Unavailable {
                why: format!("could not open a datagram socket to nudge the kernel: {e}"),
            };
        }
    };
    let how = format!(
        "kernel neighbour check after a nudge (no raw ARP: {why_not_raw}); the kernel trusts \
         an entry for up to 45 s after the phone last answered"
    );
    let mut next_nudge = started;
    loop {
        if Instant::now() >= next_nudge {
            // Port 9 (discard): nothing listens, and nothing needs to; the packet only makes
            // the kernel resolve the address.
            let _ = socket.send_to(b"", (target.ip, 9));
            next_nudge += Duration::from_secs(1);
        }
        let table = std::fs::read_to_string(ARP_TABLE).unwrap_or_default();
        match entry_on(&table, target.ip, std::slice::from_ref(&target.interface)) {
            Some(Entry { mac: Some(mac), .. }) if mac != target.mac => {
                return Answer::OtherDevice { mac };
            }
            Some(Entry { mac: None, .. }) | None => {
                return Answer::NoAnswer {
                    tries: 3,
                    over: started.elapsed(),
                    how,
                };
            }
            Some(_) => {}
        }
        if started.elapsed() >= window {
            return Answer::Answered {
                after: started.elapsed(),
                how,
            };
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

mod raw {
    //! Unicast ARP requests on a packet socket (pnet's datalink channel).

    use std::net::{IpAddr, Ipv4Addr};
    use std::time::{Duration, Instant};

    use pnet_datalink::{Channel, Config};

    use super::super::{Answer, Mac, ProbePlan, Target};

    pub struct NoSocket(pub String);

    pub fn probe(target: &Target, plan: ProbePlan) -> Result<Answer, NoSocket> {
        let Some(iface) = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name == target.interface)
        else {
            return Ok(Answer::Unavailable {
                why: format!("the interface {} is gone", target.interface),
            });
        };
        let Some(own_mac) = iface.mac.map(|m| Mac(m.octets())) else {
            return Ok(Answer::Unavailable {
                why: format!("{} has no link-layer address", target.interface),
            });
        };
        let Some(own_ip) = iface.ips.iter().find_map(|n| match n.ip() {
            IpAddr::V4(v4) if n.contains(IpAddr::V4(target.ip)) => Some(v4),
            _ => None,
        }) else {
            return Ok(Answer::Unavailable {
                why: format!(
                    "{} has no address on the phone's subnet any more",
                    target.interface
                ),
            });
        };
        let config = Config {
            read_timeout: Some(Duration::from_millis(100)),
            promiscuous: false,
            ..Config::default()
        };
        let (mut tx, mut rx) = match pnet_datalink::channel(&iface, config) {
            Ok(Channel::Ethernet(tx, rx)) => (tx, rx),
            Ok(_) => return Err(NoSocket("not an Ethernet-like channel".to_owned())),
            Err(e) => return Err(NoSocket(e.to_string())),
        };
        let frame = request(own_mac, own_ip, target.mac, target.ip);
        let started = Instant::now();
        let how = format!(
            "unicast ARP to {} on {} ({} tries, {} ms each)",
            target.mac,
            target.interface,
            plan.tries,
            plan.wait_each.as_millis()
        );
        for _ in 0..plan.tries {
            if let Some(Err(e)) = tx.send_to(&frame, None) {
                return Ok(Answer::Unavailable {
                    why: format!("could not send an ARP request: {e}"),
                });
            }
            let until = Instant::now() + plan.wait_each;
            while Instant::now() < until {
                match rx.next() {
                    Ok(bytes) => {
                        if let Some(mac) = reply_from(bytes, target.ip) {
                            return Ok(if mac == target.mac {
                                Answer::Answered {
                                    after: started.elapsed(),
                                    how,
                                }
                            } else {
                                Answer::OtherDevice { mac }
                            });
                        }
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                        ) => {}
                    Err(e) => {
                        return Ok(Answer::Unavailable {
                            why: format!("could not read ARP replies: {e}"),
                        });
                    }
                }
            }
        }
        Ok(Answer::NoAnswer {
            tries: plan.tries,
            over: started.elapsed(),
            how,
        })
    }

    /// An Ethernet frame carrying an ARP request for `ip`, sent to `to` (unicast).
    pub fn request(own_mac: Mac, own_ip: Ipv4Addr, to: Mac, ip: Ipv4Addr) -> Vec<u8> {
        let mut f = Vec::with_capacity(42);
        f.extend_from_slice(&to.0);
        f.extend_from_slice(&own_mac.0);
        f.extend_from_slice(&[0x08, 0x06]); // ARP
        f.extend_from_slice(&[0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]); // Ethernet/IPv4, request
        f.extend_from_slice(&own_mac.0);
        f.extend_from_slice(&own_ip.octets());
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&ip.octets());
        f
    }

    /// The sender's link-layer address if `frame` is an ARP reply from `ip`.
    pub fn reply_from(frame: &[u8], ip: Ipv4Addr) -> Option<Mac> {
        if frame.len() < 42 || frame[12..14] != [0x08, 0x06] || frame[20..22] != [0x00, 0x02] {
            return None;
        }
        if frame[28..32] != ip.octets() {
            return None;
        }
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&frame[22..28]);
        Some(Mac(mac))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
IP address       HW type     Flags       HW address            Mask     Device
192.168.1.23     0x1         0x2         da:58:c1:55:1c:0e     *        wlan0
192.168.1.40     0x1         0x0         00:00:00:00:00:00     *        wlan0
";

    #[test]
    fn the_table_gives_resolved_entries_and_marks_failed_ones() {
        let e = entry_on(TABLE, Ipv4Addr::new(192, 168, 1, 23), &[]).expect("listed");
        assert_eq!(
            e.mac.map(|m| m.to_string()).as_deref(),
            Some("da:58:c1:55:1c:0e")
        );
        assert_eq!(e.interface, "wlan0");
        let failed = entry_on(TABLE, Ipv4Addr::new(192, 168, 1, 40), &[]).expect("listed");
        assert_eq!(failed.mac, None);
        assert!(entry_on(TABLE, Ipv4Addr::new(192, 168, 1, 99), &[]).is_none());
        assert!(
            entry_on(
                "garbage\nnot a table at all",
                Ipv4Addr::new(1, 2, 3, 4),
                &[]
            )
            .is_none()
        );
    }

    #[test]
    fn the_entry_on_the_phones_subnet_wins_over_arp_flux_on_another_interface() {
        let table = "\
IP address       HW type     Flags       HW address            Mask     Device
10.0.0.2         0x1         0x2         02:00:00:00:00:09     *        veth-other
10.0.0.2         0x1         0x2         02:00:00:00:00:02     *        br-home
";
        let ip = Ipv4Addr::new(10, 0, 0, 2);
        let e = entry_on(table, ip, &["br-home".to_owned()]).expect("listed");
        assert_eq!(e.interface, "br-home");
        assert_eq!(e.mac, Some(Mac([2, 0, 0, 0, 0, 2])));
        assert!(entry_on(table, ip, &["wlan0".to_owned()]).is_none());
        assert_eq!(
            entry_on(table, ip, &[]).map(|e| e.interface).as_deref(),
            Some("veth-other")
        );
    }

    #[test]
    fn arp_requests_are_unicast_and_replies_are_matched_by_sender_ip() {
        let own = Mac([2, 0, 0, 0, 0, 1]);
        let phone = Mac([2, 0, 0, 0, 0, 7]);
        let ip = Ipv4Addr::new(10, 0, 0, 7);
        let f = raw::request(own, Ipv4Addr::new(10, 0, 0, 1), phone, ip);
        assert_eq!(f.len(), 42);
        assert_eq!(
            &f[0..6],
            &phone.0,
            "sent to the phone's own address, not broadcast"
        );
        // The phone's reply: swap roles, op 2.
        let mut reply = f.clone();
        reply[0..6].copy_from_slice(&own.0);
        reply[6..12].copy_from_slice(&phone.0);
        reply[20..22].copy_from_slice(&[0, 2]);
        reply[22..28].copy_from_slice(&phone.0);
        reply[28..32].copy_from_slice(&ip.octets());
        assert_eq!(raw::reply_from(&reply, ip), Some(phone));
        assert_eq!(raw::reply_from(&reply, Ipv4Addr::new(10, 0, 0, 8)), None);
        assert_eq!(raw::reply_from(&f, ip), None, "a request is not a reply");
        assert_eq!(raw::reply_from(&reply[..30], ip), None);
    }

    #[test]
    fn lookup_of_an_address_nobody_has_says_so() {
        // TEST-NET-1 is never on a real link.
        assert!(matches!(
            lookup(Ipv4Addr::new(192, 0, 2, 200)),
            Lookup::NotFound { .. }
        ));
    }
}
