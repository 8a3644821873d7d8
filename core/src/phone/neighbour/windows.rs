//! Windows: the neighbour table through the IP Helper API. `GetIpNetEntry2` reads the entry
//! the phone's requests left; `ResolveIpNetEntry2` flushes that entry and resolves it afresh
//! by ARP (documented behaviour), so each call is a new observation. Its requests are
//! broadcast, which a dozing phone may skip: a probe makes several tries and one missed
//! answer never counts as "left".
//!
//! Checked here: compiled and linted for x86_64-pc-windows-gnu; not run on a real Windows.
// The IP Helper API is C: its calls and the unions of its address structures are `unsafe` by
// nature. Each block below fills a zeroed structure, makes one call, and reads plain fields.
#![allow(unsafe_code)]

use std::net::Ipv4Addr;
use std::time::Instant;

use windows::Win32::Foundation::{ERROR_BAD_NET_NAME, NO_ERROR, WIN32_ERROR};
use windows::Win32::NetworkManagement::IpHelper::{
    GetBestInterface, GetIpNetEntry2, MIB_IPNET_ROW2, ResolveIpNetEntry2,
};
use windows::Win32::Networking::WinSock::{AF_INET, NlnsIncomplete, NlnsUnreachable};

use super::{Answer, Lookup, Mac, ProbePlan, Target};

fn row_for(ip: Ipv4Addr, interface_index: u32) -> MIB_IPNET_ROW2 {
    let mut row = MIB_IPNET_ROW2 {
        InterfaceIndex: interface_index,
        ..Default::default()
    };
    row.Address.Ipv4.sin_family = AF_INET;
    row.Address.Ipv4.sin_addr.S_un.S_addr = u32::from_ne_bytes(ip.octets());
    row
}

fn interface_for(ip: Ipv4Addr) -> Result<u32, String> {
    let mut index = 0u32;
    // SAFETY: `index` is a valid place for the result.
    let rc = unsafe { GetBestInterface(u32::from_ne_bytes(ip.octets()), &mut index) };
    if rc == NO_ERROR.0 {
        Ok(index)
    } else {
        Err(format!("GetBestInterface({ip}) failed with error {rc}"))
    }
}

fn mac_of(row: &MIB_IPNET_ROW2) -> Option<Mac> {
    if row.PhysicalAddressLength != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&row.PhysicalAddress[..6]);
    (mac != [0; 6]).then_some(Mac(mac))
}

/// Wine 8's `iphlpapi` has these two functions only as stubs that end the process.
const WINE_LACKS: &str = "the neighbour table cannot be read under Wine (its iphlpapi has no GetIpNetEntry2 / ResolveIpNetEntry2)";

pub(super) fn lookup(ip: Ipv4Addr) -> Lookup {
    if crate::net::windows::running_under_wine() {
        return Lookup::NotFound {
            why: WINE_LACKS.to_owned(),
        };
    }
    let index = match interface_for(ip) {
        Ok(i) => i,
        Err(why) => return Lookup::NotFound { why },
    };
    let mut row = row_for(ip, index);
    // SAFETY: `row` is a fully initialised MIB_IPNET_ROW2 naming the address and interface.
    let rc: WIN32_ERROR = unsafe { GetIpNetEntry2(&mut row) };
    if rc != NO_ERROR {
        return Lookup::NotFound {
            why: format!("GetIpNetEntry2({ip}) found no entry (error {})", rc.0),
        };
    }
    let resolved = row.State != NlnsIncomplete && row.State != NlnsUnreachable;
    match mac_of(&row).filter(|_| resolved) {
        Some(mac) => Lookup::Found {
            mac,
            interface: index.to_string(),
        },
        None => Lookup::NotFound {
            why: format!("the neighbour entry for {ip} is not resolved"),
        },
    }
}

pub(super) fn probe(target: &Target, plan: ProbePlan) -> Answer {
    if crate::net::windows::running_under_wine() {
        return Answer::Unavailable {
            why: WINE_LACKS.to_owned(),
        };
    }
    let index = match target.interface.parse::<u32>() {
        Ok(i) => i,
        Err(_) => match interface_for(target.ip) {
            Ok(i) => i,
            Err(why) => return Answer::Unavailable { why },
        },
    };
    let started = Instant::now();
    let how = format!(
        "ResolveIpNetEntry2 for {} ({} tries)",
        target.ip, plan.tries
    );
    for attempt in 0..plan.tries {
        let mut row = row_for(target.ip, index);
        // SAFETY: as in `lookup`; no source address is given.
        let rc = unsafe { ResolveIpNetEntry2(&mut row, None) };
        if rc == NO_ERROR {
            return match mac_of(&row) {
                Some(mac) if mac == target.mac => Answer::Answered {
                    after: started.elapsed(),
                    how,
                },
                Some(mac) => Answer::OtherDevice { mac },
                None => Answer::Unavailable {
                    why: "the resolved entry had no Ethernet address".to_owned(),
                },
            };
        }
        if rc != ERROR_BAD_NET_NAME {
            return Answer::Unavailable {
                why: format!("ResolveIpNetEntry2 failed with error {}", rc.0),
            };
        }
        if attempt + 1 < plan.tries {
            std::thread::sleep(plan.wait_each);
        }
    }
    Answer::NoAnswer {
        tries: plan.tries,
        over: started.elapsed(),
        how,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the real IP Helper calls (under Wine in this project's suite) on loopback only, so
    /// nothing is sent anywhere: they must answer with a value, never crash.
    #[test]
    fn the_ip_helper_calls_answer_without_crashing() {
        let looked = lookup(Ipv4Addr::LOCALHOST);
        assert!(matches!(
            looked,
            Lookup::Found { .. } | Lookup::NotFound { .. }
        ));
        let target = Target {
            ip: Ipv4Addr::LOCALHOST,
            mac: Mac([2, 0, 0, 0, 0, 1]),
            interface: "1".into(),
        };
        let answer = probe(
            &target,
            ProbePlan {
                tries: 1,
                wait_each: std::time::Duration::from_millis(10),
            },
        );
        println!("lookup {looked:?}, probe {answer:?}");
    }
}
