//! Property tests over random event sequences on the au ID playbook: the engine never
//! panics, never enters an approval step without a fresh measured `phone.presence ==
//! left_lan`, and never loses state (the window deadline included) across a save/resume.
#![allow(clippy::unwrap_used)]

mod flow_support;

use flow_support::*;
use proptest::prelude::*;
use tebiki_core::facts::{FactSource, Observation, UnixMs};
use tebiki_core::flow::{Effect, Event, ReqStatus, Session};

const KEYS: &[&str] = &[
    "phone.presence",
    "phone.presence",
    "phone.network",
    "phone.platform",
    "phone.mobile_data",
    "phone.vpn",
    "phone.private_relay",
    "phone.biometrics",
    "phone.my_au_app",
    "pc.path",
    "junk.key",
];
const VALUES: &[&str] = &[
    "left_lan",
    "left_lan",
    "on_lan",
    "cellular",
    "wifi",
    "unknown",
    "on",
    "off",
    "not_iphone",
    "ready",
    "current",
    "iphone",
    "android",
    "??",
];
const STEPS: &[&str] = &[
    "pc_login",
    "phone_wifi_off",
    "pc_show_qr",
    "phone_approve",
    "pc_reload",
    "done",
    "nope",
];
const SYMPTOMS: &[&str] = &[
    "loop",
    "code_not_arriving",
    "new_phone",
    "wifi_off_still_fails",
    "unknown",
];

/// One event, with the seconds to advance the clock before it.
#[derive(Debug, Clone)]
enum Gen {
    Start,
    Observe {
        key: usize,
        value: usize,
        confirmed: bool,
        skew: i64,
    },
    Confirm {
        key: usize,
        value: usize,
    },
    Next,
    Back,
    GoTo(usize),
    Act(usize),
    Symptom(usize),
    Tick,
    Reset,
}

fn gen_event() -> impl Strategy<Value = (u32, Gen)> {
    let ev = prop_oneof![
        2 => Just(Gen::Start),
        6 => (0..KEYS.len(), 0..VALUES.len(), any::<bool>(), -900i64..10)
            .prop_map(|(key, value, confirmed, skew)| Gen::Observe { key, value, confirmed, skew }),
        4 => (0..KEYS.len(), 0..VALUES.len()).prop_map(|(key, value)| Gen::Confirm { key, value }),
        8 => Just(Gen::Next),
        1 => Just(Gen::Back),
        1 => (0..STEPS.len()).prop_map(Gen::GoTo),
        2 => (0..4usize).prop_map(Gen::Act),
        2 => (0..SYMPTOMS.len()).prop_map(Gen::Symptom),
        2 => Just(Gen::Tick),
        1 => Just(Gen::Reset),
    ];
    // Mostly short pauses, sometimes long enough to make facts stale or run the window out.
    let dt = prop_oneof![8 => 0u32..30, 2 => 30u32..700, 1 => 700u32..2000];
    (dt, ev)
}

fn to_event(g: &Gen, now: UnixMs) -> Event {
    match g {
        Gen::Start => Event::Start { now },
        Gen::Observe {
            key,
            value,
            confirmed,
            skew,
        } => {
            let at = now.plus_secs(*skew);
            Event::Observe(if *confirmed {
                Observation::confirmed(KEYS[*key], VALUES[*value], at)
            } else {
                Observation::measured(KEYS[*key], VALUES[*value], at, "prop")
            })
        }
        Gen::Confirm { key, value } => Event::Confirm {
            key: KEYS[*key].into(),
            value: VALUES[*value].into(),
            now,
        },
        Gen::Next => Event::Next { now },
        Gen::Back => Event::Back { now },
        Gen::GoTo(i) => Event::GoTo {
            step: STEPS[*i].into(),
            now,
        },
        Gen::Act(i) => Event::Act { action: *i, now },
        Gen::Symptom(i) => Event::Symptom {
            id: SYMPTOMS[*i].into(),
            now,
        },
        Gen::Tick => Event::Tick { now },
        Gen::Reset => Event::Reset,
    }
}

/// Random sequences, biased towards the happy path so approval steps are actually reached.
fn gen_run() -> impl Strategy<Value = (usize, Vec<(u32, Gen)>)> {
    (
        0..=happy_path().len(),
        prop::collection::vec(gen_event(), 1..60),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_event_sequences_keep_every_invariant((prefix, events) in gen_run()) {
        let pb = au();
        let mut s = Session::new(pb.clone());
        let mut entered_approval = 0;
        for (e, _) in happy_path().into_iter().take(prefix) {
            s.apply(e);
        }
        let mut now = s.now();
        for (dt, g) in &events {
            now = now.plus_secs(i64::from(*dt));
            let before = s.step_id().map(str::to_owned);
            let fx = s.apply(to_event(g, now));

            // Only official https URLs are ever opened.
            for e in &fx {
                if let Effect::OpenUrl { url } = e {
                    prop_assert!(pb.is_official_url(url), "opened {url}");
                }
            }

            // An approval step is entered only with its measured requirements fresh.
            let after = s.step_id().map(str::to_owned);
            if after != before
                && let Some(id) = &after
                && pb.step(id).is_some_and(|st| st.approval)
            {
                entered_approval += 1;
                let v = s.view(s.now());
                let net = v.requirements.iter().find(|r| r.fact == "phone.presence");
                prop_assert!(net.is_some_and(|r| r.status == ReqStatus::Measured
                    && r.source == Some(FactSource::Measured)
                    && r.value.as_deref() == Some("left_lan")),
                    "entered {id} with {net:?}");
                for r in &v.requirements {
                    prop_assert!(r.status.is_met(), "entered {id} with {} {:?}", r.fact, r.status);
                }
            }

            // Save and resume at every point: nothing lost, the deadline included.
            let back = Session::from_json(&s.to_json(), pb.clone());
            prop_assert!(back.is_ok(), "{:?}", back.err());
            let back = back.unwrap();
            prop_assert_eq!(back.window().map(|w| w.deadline), s.window().map(|w| w.deadline));
            prop_assert!(back == s);
            prop_assert_eq!(back.view(now), s.view(now));
            prop_assert!(serde_json::to_string(&s.view(now)).is_ok());
        }
        // Not an assertion: how often the approval steps were exercised shows in --nocapture.
        if entered_approval > 0 {
            println!("entered an approval step {entered_approval} time(s)");
        }
    }

    #[test]
    fn a_resumed_session_behaves_exactly_like_the_original((prefix, events) in gen_run()) {
        let pb = au();
        let mut a = Session::new(pb.clone());
        for (e, _) in happy_path().into_iter().take(prefix) {
            a.apply(e);
        }
        let mut b = Session::from_json(&a.to_json(), pb.clone()).unwrap();
        let mut now = a.now();
        for (dt, g) in &events {
            now = now.plus_secs(i64::from(*dt));
            let e = to_event(g, now);
            prop_assert_eq!(a.apply(e.clone()), b.apply(e));
            // Resume b from its own save each time, as a crashing app would.
            b = Session::from_json(&b.to_json(), pb.clone()).unwrap();
        }
        prop_assert!(a == b);
    }
}

#[test]
fn the_generators_reach_approval_steps() {
    // Guard against a vacuous property: the happy-path prefix alone reaches both approval
    // steps, so random suffixes start from (and leave, and re-enter) them.
    let pb = au();
    let mut s = Session::new(pb.clone());
    let mut seen = 0;
    for (e, _) in happy_path() {
        s.apply(e);
        if s.step_id()
            .and_then(|id| pb.step(id))
            .is_some_and(|st| st.approval)
        {
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}
