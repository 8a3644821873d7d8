//! Shared helpers for the flow tests: the bundled au playbook, a clock, and a driver that
//! walks the happy path. (No test here needs root, a browser or a namespace.)
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use tebiki_core::facts::{Observation, UnixMs};
use tebiki_core::flow::{Effect, Event, Session};
use tebiki_core::playbook::{self, Playbook};

/// 2027-01-15 08:00 UTC, a plausible wall clock.
pub const T0: UnixMs = UnixMs(1_800_000_000_000);

pub fn at(secs: i64) -> UnixMs {
    T0.plus_secs(secs)
}

pub fn au() -> Arc<Playbook> {
    let (good, bad) = playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    Arc::new(
        good.into_iter()
            .find(|p| p.id() == "au-id")
            .expect("au-id is bundled"),
    )
}

pub fn measured(key: &str, value: &str, secs: i64) -> Event {
    Event::Observe(Observation::measured(key, value, at(secs), "test observer"))
}

/// The clock reaching `secs` (the app ticks every second; observations never move the clock).
pub fn tick(secs: i64) -> Event {
    Event::Tick { now: at(secs) }
}

pub fn confirm(key: &str, value: &str, secs: i64) -> Event {
    Event::Confirm {
        key: key.to_owned(),
        value: value.to_owned(),
        now: at(secs),
    }
}

pub fn next(secs: i64) -> Event {
    Event::Next { now: at(secs) }
}

/// The happy path of the au playbook as (event, step expected after it), one second apart.
pub fn happy_path() -> Vec<(Event, &'static str)> {
    vec![
        (Event::Start { now: at(0) }, "pc_login"),
        (next(1), "pc_password"),
        (next(2), "phone_link"),
        (measured("phone.platform", "iphone", 3), "phone_link"),
        (measured("phone.presence", "on_lan", 3), "phone_link"),
        (next(4), "phone_wifi_off"),
        (measured("phone.presence", "left_lan", 5), "phone_wifi_off"),
        // The checklist: one screen, each line its own confirmed fact.
        (next(6), "phone_ready"),
        (confirm("phone.mobile_data", "on", 7), "phone_ready"),
        (confirm("phone.vpn", "off", 9), "phone_ready"),
        (confirm("phone.private_relay", "off", 11), "phone_ready"),
        (confirm("phone.biometrics", "ready", 13), "phone_ready"),
        (confirm("phone.my_au_app", "current", 15), "phone_ready"),
        (next(16), "pc_show_qr"),
        (next(17), "phone_approve"),
        (next(18), "pc_reload"),
        (next(19), "done"),
    ]
}

/// A started session driven along the happy path until it stands on `step` with every
/// fact the happy path gathers there.
pub fn session_at(step: &str) -> Session {
    let mut s = Session::new(au());
    let path = happy_path();
    for (i, (e, expect)) in path.iter().enumerate() {
        s.apply(e.clone());
        assert_eq!(
            s.step_id(),
            Some(*expect),
            "happy path went astray at event {i}"
        );
        let leaving_next = path.get(i + 1).is_none_or(|(_, n)| *n != step);
        if *expect == step && leaving_next {
            return s;
        }
    }
    panic!("the happy path never reaches {step}");
}

/// A started session driven along the happy path until it has just entered `step`, before
/// anything the happy path does on it (e.g. the checklist with no line confirmed yet).
pub fn session_on_arrival(step: &str) -> Session {
    let mut s = Session::new(au());
    for (i, (e, expect)) in happy_path().iter().enumerate() {
        s.apply(e.clone());
        assert_eq!(
            s.step_id(),
            Some(*expect),
            "happy path went astray at event {i}"
        );
        if *expect == step {
            return s;
        }
    }
    panic!("the happy path never reaches {step}");
}

pub fn explains(fx: &[Effect]) -> Vec<(String, Option<String>)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Explain { text, go_to } => Some((text.ja.clone(), go_to.clone())),
            _ => None,
        })
        .collect()
}
