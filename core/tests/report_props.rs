//! Properties of the record over arbitrary sessions: whatever the user, the observers and
//! the clock do, the record follows the session to the step it stands on, never holds a
//! secret that was in the observers' evidence, stays bounded, and survives a save.
#![allow(clippy::unwrap_used)]

mod report_support;

use proptest::prelude::*;
use report_support::*;
use tebiki_core::facts::Observation;
use tebiki_core::flow::Event;
use tebiki_core::i18n::Lang;
use tebiki_core::report::{EntryKind, Record};

const TOKEN: &str = "Zq8_RtY2-kLm3NoP4qRsTu";
const EMAIL: &str = "yamada.taro@example.ne.jp";

const STEPS: &[&str] = &[
    "pc_login",
    "pc_password",
    "phone_link",
    "phone_wifi_off",
    "phone_ready",
    "phone_approve",
    "pc_reload",
    "branch_old_phone",
];
const MEASURED: &[(&str, &[&str])] = &[
    ("phone.presence", &["on_lan", "left_lan", "unknown"]),
    ("phone.presence", &["on_lan", "left_lan", "hidden"]),
    ("phone.platform", &["iphone", "android"]),
    ("pc.path", &["wifi", "ethernet", "tethered_usb"]),
];
const CONFIRMS: &[(&str, &str)] = &[
    ("phone.mobile_data", "on"),
    ("phone.vpn", "off"),
    ("phone.vpn", "on"),
    ("phone.private_relay", "not_iphone"),
    ("phone.biometrics", "ready"),
    ("phone.my_au_app", "current"),
    ("phone.presence", "left_lan"),
];
const SYMPTOMS: &[&str] = &[
    "loop",
    "code_not_arriving",
    "new_phone",
    "wifi_off_still_fails",
];

/// One step of a random session; seconds advance by `dt` each time.
#[derive(Debug, Clone)]
enum Op {
    Next,
    Back,
    GoTo(usize),
    Act(usize),
    Measure(usize, usize),
    Confirm(usize),
    Symptom(usize),
    Tick,
    Reset,
}

fn op() -> impl Strategy<Value = (Op, i64)> {
    let op = prop_oneof![
        6 => Just(Op::Next),
        1 => Just(Op::Back),
        1 => (0..STEPS.len()).prop_map(Op::GoTo),
        1 => (0..3usize).prop_map(Op::Act),
        5 => (0..MEASURED.len(), 0..3usize).prop_map(|(k, v)| Op::Measure(k, v)),
        3 => (0..CONFIRMS.len()).prop_map(Op::Confirm),
        1 => (0..SYMPTOMS.len()).prop_map(Op::Symptom),
        2 => Just(Op::Tick),
        1 => Just(Op::Reset),
    ];
    // Mostly seconds; sometimes long enough for facts to go stale or the window to expire.
    (op, prop_oneof![8 => 0..30i64, 1 => 300..1200i64])
}

fn event(op: &Op, secs: i64) -> Event {
    let now = at(secs);
    match op {
        Op::Next => Event::Next { now },
        Op::Back => Event::Back { now },
        Op::GoTo(i) => Event::GoTo {
            step: STEPS[*i].into(),
            now,
        },
        Op::Act(i) => Event::Act { action: *i, now },
        Op::Measure(k, v) => {
            let (key, values) = MEASURED[*k];
            Event::Observe(Observation::measured(
                key,
                values[*v % values.len()],
                now,
                format!("seen at http://192.168.1.9:5000/p/{TOKEN} by {EMAIL} ({TOKEN})"),
            ))
        }
        Op::Confirm(i) => Event::Confirm {
            key: CONFIRMS[*i].0.into(),
            value: CONFIRMS[*i].1.into(),
            now,
        },
        Op::Symptom(i) => Event::Symptom {
            id: SYMPTOMS[*i].into(),
            now,
        },
        Op::Tick => Event::Tick { now },
        Op::Reset => Event::Reset,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_record_follows_the_session_and_never_keeps_a_secret(ops in prop::collection::vec(op(), 1..80)) {
        let mut rec = Recorded::new();
        // Begin on the step after the Wi-Fi went off, so that random measurements can
        // rewind the session and random Nexts can reach the approval and the window.
        rec.run([
            Event::Start { now: at(0) },
            Event::Next { now: at(1) },
            Event::Next { now: at(2) },
            Event::Next { now: at(3) },
            Event::Observe(Observation::measured("phone.presence", "left_lan", at(4), "left")),
            Event::Next { now: at(5) },
        ]);
        prop_assert_eq!(rec.step(), Some("phone_ready"));
        let mut secs = 5;
        for (op, dt) in &ops {
            secs += dt;
            let e = event(op, secs);
            let restart = matches!(e, Event::Reset);
            rec.apply(e);
            if restart {
                rec.apply(Event::Start { now: at(secs) });
            }
        }
        let r = &rec.record;

        // The last step the record entered is where the session stands.
        let last_step = r.entries.iter().rev().find_map(|e| match &e.kind {
            EntryKind::StepEntered { id, .. } => Some(id.as_str()),
            _ => None,
        });
        prop_assert_eq!(last_step, rec.step());

        // Consecutive step entries are real moves.
        let steps: Vec<&str> = r.entries.iter().filter_map(|e| match &e.kind {
            EntryKind::StepEntered { id, .. } => Some(id.as_str()),
            EntryKind::Restarted => Some(""),
            _ => None,
        }).collect();
        prop_assert!(steps.windows(2).all(|w| w[0] != w[1] || w[0].is_empty()), "{:?}", steps);

        // Nothing secret in any export, and the record survives a save.
        for text in [r.to_json(), r.to_markdown(Lang::Ja), r.to_html(Lang::En)] {
            prop_assert!(!text.contains(TOKEN));
            prop_assert!(!text.contains(EMAIL));
            prop_assert!(!text.contains("/p/"));
        }
        prop_assert_eq!(&Record::from_json(&r.to_json()).unwrap(), r);
    }
}
