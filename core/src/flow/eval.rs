//! How fresh and how trustworthy a fact is, against what a step or a symptom rule asks.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::facts::{FactSource, Observation, UnixMs};

/// A clock may lag a little between the observers and the shell; an observation dated
/// further in the future than this is not trusted as fresh.
pub(crate) const FUTURE_SKEW_MS: i64 = 5_000;

/// The value observers report when they cannot tell (`phone.network = unknown`).
const UNKNOWN: &str = "unknown";

/// The latest measurement and the latest confirmation of one key, kept apart so a
/// measurement always outranks the user's word.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactSlot {
    pub measured: Option<Observation>,
    pub confirmed: Option<Observation>,
}

pub type Facts = BTreeMap<String, FactSlot>;

/// Where a requirement stands, as the UI shows it (✓ ☑ ? …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReqStatus {
    /// Measured by Tebiki, fresh, with an allowed value.
    Measured,
    /// Confirmed by the user, fresh, allowed value, and nothing measured says otherwise.
    Confirmed,
    /// Nothing known (or only a confirmation where a measurement is needed).
    Unknown,
    /// Known, but too old to rely on.
    Stale,
    /// Fresh, with a value the step cannot accept.
    Contradicted,
}

impl ReqStatus {
    pub fn is_met(self) -> bool {
        matches!(self, ReqStatus::Measured | ReqStatus::Confirmed)
    }
}

pub(crate) fn is_fresh(o: &Observation, max_age_ms: i64, now: UnixMs) -> bool {
    let age = now.since(o.at);
    (-FUTURE_SKEW_MS..=max_age_ms).contains(&age)
}

/// What a requirement (or a symptom's condition) sees in `facts` at `now`.
/// `confirmable = false` means only a measurement counts.
pub(crate) fn status<A: Borrow<str>>(
    facts: &Facts,
    key: &str,
    allowed: &[A],
    max_age_ms: i64,
    confirmable: bool,
    now: UnixMs,
) -> ReqStatus {
    let Some(slot) = facts.get(key) else {
        return ReqStatus::Unknown;
    };
    let ok = |o: &Observation| allowed.iter().any(|a| a.borrow() == o.value);
    if let Some(m) = slot
        .measured
        .as_ref()
        .filter(|m| is_fresh(m, max_age_ms, now))
    {
        return if ok(m) {
            ReqStatus::Measured
        } else if m.value == UNKNOWN {
            // The observer could not tell: the requirement is unmet, but nothing was seen
            // that contradicts it, so this is no reason to rewind.
            ReqStatus::Unknown
        } else {
            ReqStatus::Contradicted
        };
    }
    let confirmed = slot.confirmed.as_ref().filter(|_| confirmable);
    if let Some(c) = confirmed.filter(|c| is_fresh(c, max_age_ms, now)) {
        return if ok(c) {
            ReqStatus::Confirmed
        } else {
            ReqStatus::Contradicted
        };
    }
    if slot.measured.is_some() || confirmed.is_some() {
        ReqStatus::Stale
    } else {
        ReqStatus::Unknown
    }
}

/// The observation the UI should show for a key: a fresh-or-not measurement first.
pub(crate) fn shown(slot: Option<&FactSlot>, confirmable: bool) -> Option<&Observation> {
    let slot = slot?;
    match (&slot.measured, &slot.confirmed) {
        (Some(m), Some(c)) if confirmable && c.at > m.at => Some(c),
        (Some(m), _) => Some(m),
        (None, Some(c)) if confirmable => Some(c),
        _ => None,
    }
}

/// Records an observation unless an equal-or-newer one of the same source is already kept
/// (observers may deliver out of order). Returns whether anything changed.
pub(crate) fn record(facts: &mut Facts, o: Observation) -> bool {
    let slot = facts.entry(o.key.clone()).or_default();
    let place = match o.source {
        FactSource::Measured => &mut slot.measured,
        FactSource::Confirmed => &mut slot.confirmed,
    };
    match place {
        Some(old) if old.at > o.at => false,
        Some(old) if *old == o => false,
        _ => {
            *place = Some(o);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(obs: &[Observation]) -> Facts {
        let mut f = Facts::new();
        for o in obs {
            record(&mut f, o.clone());
        }
        f
    }

    const MIN: i64 = 60_000;

    fn allowed(v: &str) -> Vec<String> {
        vec![v.to_owned()]
    }

    #[test]
    fn fresh_measurement_meets_a_measured_requirement() {
        let f = facts(&[Observation::measured(
            "phone.network",
            "cellular",
            UnixMs(0),
            "left LAN",
        )]);
        assert_eq!(
            status(
                &f,
                "phone.network",
                &allowed("cellular"),
                10 * MIN,
                false,
                UnixMs(MIN)
            ),
            ReqStatus::Measured
        );
    }

    #[test]
    fn confirmation_alone_never_meets_a_measured_requirement() {
        let f = facts(&[Observation::confirmed(
            "phone.network",
            "cellular",
            UnixMs(0),
        )]);
        assert_eq!(
            status(
                &f,
                "phone.network",
                &allowed("cellular"),
                10 * MIN,
                false,
                UnixMs(MIN)
            ),
            ReqStatus::Unknown
        );
        assert_eq!(
            status(
                &f,
                "phone.network",
                &allowed("cellular"),
                10 * MIN,
                true,
                UnixMs(MIN)
            ),
            ReqStatus::Confirmed
        );
    }

    #[test]
    fn fresh_measurement_outranks_a_newer_confirmation() {
        let f = facts(&[
            Observation::measured("phone.vpn", "on", UnixMs(0), "seen"),
            Observation::confirmed("phone.vpn", "off", UnixMs(MIN)),
        ]);
        assert_eq!(
            status(
                &f,
                "phone.vpn",
                &allowed("off"),
                10 * MIN,
                true,
                UnixMs(MIN)
            ),
            ReqStatus::Contradicted
        );
    }

    #[test]
    fn old_facts_are_stale_and_future_ones_are_not_trusted() {
        let f = facts(&[Observation::measured(
            "phone.network",
            "cellular",
            UnixMs(0),
            "x",
        )]);
        assert_eq!(
            status(
                &f,
                "phone.network",
                &allowed("cellular"),
                MIN,
                false,
                UnixMs(MIN + 1)
            ),
            ReqStatus::Stale
        );
        let g = facts(&[Observation::measured(
            "phone.network",
            "cellular",
            UnixMs(10 * MIN),
            "x",
        )]);
        assert_eq!(
            status(
                &g,
                "phone.network",
                &allowed("cellular"),
                MIN,
                false,
                UnixMs(0)
            ),
            ReqStatus::Stale
        );
    }

    #[test]
    fn a_fresh_unknown_measurement_is_unmet_but_not_a_contradiction() {
        let f = facts(&[
            Observation::measured("phone.network", "cellular", UnixMs(0), "left LAN"),
            Observation::measured("phone.network", "unknown", UnixMs(MIN), "cannot tell"),
        ]);
        assert_eq!(
            status(
                &f,
                "phone.network",
                &allowed("cellular"),
                10 * MIN,
                false,
                UnixMs(MIN)
            ),
            ReqStatus::Unknown
        );
        let g = facts(&[Observation::measured(
            "phone.network",
            "wifi",
            UnixMs(MIN),
            "on LAN",
        )]);
        assert_eq!(
            status(
                &g,
                "phone.network",
                &allowed("cellular"),
                10 * MIN,
                false,
                UnixMs(MIN)
            ),
            ReqStatus::Contradicted
        );
    }

    #[test]
    fn out_of_order_observations_do_not_replace_newer_ones() {
        let mut f = Facts::new();
        assert!(record(
            &mut f,
            Observation::measured("phone.network", "cellular", UnixMs(100), "new")
        ));
        assert!(!record(
            &mut f,
            Observation::measured("phone.network", "wifi", UnixMs(50), "old")
        ));
        assert_eq!(
            f["phone.network"]
                .measured
                .as_ref()
                .map(|o| o.value.as_str()),
            Some("cellular")
        );
    }
}
