//! Property tests over random event sequences on every bundled playbook, aimed at the format's
//! newer constructs: route choices, counters that stop before a lock, countdowns from entry and
//! expiry times typed from a message. The engine never panics; it never stands on a step that
//! asks for a number whose counter has stopped; a count never passes the lock; a typed expiry
//! is never more than a day ahead; a saved session resumes identical.
#![allow(clippy::unwrap_used)]

mod flow_support;

use std::sync::Arc;

use flow_support::*;
use proptest::prelude::*;
use tebiki_core::facts::{Observation, UnixMs};
use tebiki_core::flow::{Event, Session, expiry};
use tebiki_core::playbook::{self, ActionKind, Playbook};

fn playbooks() -> Vec<Arc<Playbook>> {
    let (good, bad) = playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    good.into_iter().map(Arc::new).collect()
}

#[derive(Debug, Clone)]
enum Gen {
    Start,
    Next,
    Back,
    Reset,
    Tick,
    Act(usize),
    /// A declared fact (index into the playbook's facts) and a value index.
    Fact(usize, usize, bool),
    GoTo(usize),
    Symptom(usize),
    Expiry(usize, String),
    Restart,
}

fn gen_event() -> impl Strategy<Value = (u32, Gen)> {
    let ev = prop_oneof![
        1 => Just(Gen::Start),
        8 => Just(Gen::Next),
        1 => Just(Gen::Back),
        1 => Just(Gen::Reset),
        2 => Just(Gen::Tick),
        6 => (0..6usize).prop_map(Gen::Act),
        6 => (0..12usize, 0..8usize, any::<bool>()).prop_map(|(f, v, m)| Gen::Fact(f, v, m)),
        1 => (0..20usize).prop_map(Gen::GoTo),
        1 => (0..4usize).prop_map(Gen::Symptom),
        2 => (0..6usize, prop_oneof![
            Just("17:10".to_owned()),
            Just("1/15 17:30".to_owned()),
            Just("１７：０５".to_owned()),
            "\\PC{0,24}",
        ]).prop_map(|(a, t)| Gen::Expiry(a, t)),
        1 => Just(Gen::Restart),
    ];
    let dt = prop_oneof![8 => 0u32..30, 2 => 30u32..700, 1 => 700u32..2000];
    (dt, ev)
}

fn to_event(pb: &Playbook, s: &Session, g: &Gen, now: UnixMs) -> Option<Event> {
    Some(match g {
        Gen::Start => Event::Start { now },
        Gen::Next => Event::Next { now },
        Gen::Back => Event::Back { now },
        Gen::Reset => Event::Reset,
        Gen::Tick => Event::Tick { now },
        Gen::Act(i) => Event::Act { action: *i, now },
        Gen::Fact(f, v, measured) => {
            let decl = pb.facts.get(f % pb.facts.len().max(1))?;
            let value = decl.values.get(v % decl.values.len().max(1))?.get_ref();
            let key = decl.key.get_ref();
            if *measured {
                Event::Observe(Observation::measured(key, value, now, "prop"))
            } else {
                Event::Confirm {
                    key: key.clone(),
                    value: value.clone(),
                    now,
                }
            }
        }
        Gen::GoTo(i) => Event::GoTo {
            step: pb.steps.get(i % pb.steps.len())?.id.get_ref().clone(),
            now,
        },
        Gen::Symptom(i) => Event::Symptom {
            id: pb
                .symptoms
                .get(i % pb.symptoms.len().max(1))?
                .id
                .get_ref()
                .clone(),
            now,
        },
        Gen::Expiry(a, text) => {
            let _ = s;
            Event::EnterExpiry {
                action: *a,
                text: text.clone(),
                utc_offset_minutes: 540,
                now,
            }
        }
        Gen::Restart => return None,
    })
}

fn check(pb: &Playbook, s: &Session) -> Result<(), TestCaseError> {
    for c in &pb.counters {
        let id = c.id.get_ref();
        let wrong = s.counts().get(id).map_or(0, |n| n.wrong);
        prop_assert!(wrong <= *c.locks_after.get_ref(), "{id}: {wrong}");
        if wrong + 1 >= *c.locks_after.get_ref()
            && let Some(step) = s.step_id().and_then(|id| pb.step(id))
        {
            let asks = step.actions.iter().any(|a| {
                matches!(
                    *a.kind.get_ref(),
                    ActionKind::CountFailure | ActionKind::CountRemaining
                ) && a.counter.as_ref().is_some_and(|k| k.get_ref() == id)
            });
            prop_assert!(!asks, "standing on {} with {id} stopped", step.id.get_ref());
        }
    }
    if let Some(w) = s.window() {
        prop_assert!(w.deadline.since(s.now()) <= expiry::MAX_AHEAD_MS);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_new_invariants(
        which in 0..6usize,
        events in prop::collection::vec(gen_event(), 1..80),
    ) {
        let pbs = playbooks();
        let pb = pbs[which % pbs.len()].clone();
        let mut s = Session::new(pb.clone());
        let mut secs = 0i64;
        s.apply(Event::Start { now: at(0) });
        for (dt, g) in &events {
            secs += i64::from(*dt);
            let now = at(secs);
            match to_event(&pb, &s, g, now) {
                Some(e) => {
                    s.apply(e);
                }
                None => {
                    let json = s.to_json();
                    let back = Session::from_json(&json, pb.clone()).unwrap();
                    prop_assert_eq!(&back, &s);
                    s = back;
                }
            }
            check(&pb, &s)?;
        }
    }

    #[test]
    fn expiry_text_never_panics_and_is_never_more_than_a_day_ahead(text in "\\PC{0,40}", offset in -720i32..840) {
        if let Ok(t) = expiry::parse(&text, T0, offset) {
            prop_assert!(t.since(T0) <= expiry::MAX_AHEAD_MS, "{text:?} reads as more than a day ahead");
        }
    }
}

#[test]
fn the_generators_reach_a_stop_before_a_lock() {
    // A fixed run that the random one should also find: two wrong tries on マイナポータル.
    let pb = playbooks()
        .into_iter()
        .find(|p| p.id() == "mynaportal")
        .unwrap();
    let mut s = Session::new(pb.clone());
    s.apply(Event::Start { now: at(0) });
    for (i, e) in [Event::Next { now: at(1) }, Event::Next { now: at(2) }]
        .into_iter()
        .enumerate()
    {
        let _ = i;
        s.apply(e);
    }
    for (k, v) in [
        ("phone.myna_app", "ready"),
        ("phone.nfc", "on"),
        ("phone.case", "off"),
        ("phone.pin_known", "known"),
    ] {
        s.apply(Event::Confirm {
            key: k.into(),
            value: v.into(),
            now: at(3),
        });
    }
    s.apply(Event::Next { now: at(4) });
    s.apply(Event::Next { now: at(5) });
    assert_eq!(s.step_id(), Some("phone_pin"));
    // "2 tries left", then "1 try left".
    s.apply(Event::Act {
        action: 0,
        now: at(6),
    });
    s.apply(Event::Act {
        action: 1,
        now: at(7),
    });
    assert_eq!(s.step_id(), Some("branch_pin_stop"));
}
