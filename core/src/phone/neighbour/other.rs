//! Operating systems without a neighbour probe here (macOS: the routing socket would do; not
//! written yet). Every answer says so; the phone check then relies on the page alone.

use std::net::Ipv4Addr;

use super::{Answer, Lookup, ProbePlan, Target};

const WHY: &str = "the network-side check of the phone is not available on this operating system";

pub(super) fn lookup(_ip: Ipv4Addr) -> Lookup {
    Lookup::NotFound {
        why: WHY.to_owned(),
    }
}

pub(super) fn probe(_target: &Target, _plan: ProbePlan) -> Answer {
    Answer::Unavailable {
        why: WHY.to_owned(),
    }
}
