//! Speed targets of issue 3: loading and validating every bundled playbook (< 5 ms) and
//! one `Session::apply` (< 10 µs). Also the view and the save, which the shell calls after
//! most events.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tebiki_core::facts::{Observation, UnixMs};
use tebiki_core::flow::{Event, Session};
use tebiki_core::playbook;

const T0: i64 = 1_800_000_000_000;

fn at(secs: i64) -> UnixMs {
    UnixMs(T0 + secs * 1000)
}

/// An au session standing on the checklist `phone_ready`, every fact in place: the next
/// `Next` checks the QR step's requirements.
fn ready_session() -> Session {
    let (good, _) = playbook::bundled();
    let au = Arc::new(good.into_iter().find(|p| p.id() == "au-id").unwrap());
    let mut s = Session::new(au);
    s.apply(Event::Start { now: at(0) });
    for t in 1..=3 {
        s.apply(Event::Next { now: at(t) });
    }
    s.apply(Event::Observe(Observation::measured(
        "phone.presence",
        "left_lan",
        at(4),
        "bench",
    )));
    s.apply(Event::Next { now: at(5) });
    for (t, (k, v)) in [
        ("phone.mobile_data", "on"),
        ("phone.vpn", "off"),
        ("phone.private_relay", "off"),
        ("phone.biometrics", "ready"),
        ("phone.my_au_app", "current"),
    ]
    .into_iter()
    .enumerate()
    {
        let t = 5 + 2 * t as i64;
        s.apply(Event::Confirm {
            key: k.into(),
            value: v.into(),
            now: at(t + 1),
        });
    }
    assert_eq!(s.step_id(), Some("phone_ready"));
    s
}

fn benches(c: &mut Criterion) {
    c.bench_function("playbook/load_and_validate_all_bundled", |b| {
        b.iter(|| {
            let (good, bad) = playbook::bundled();
            assert!(bad.is_empty());
            black_box(good)
        })
    });

    let ready = ready_session();
    c.bench_function("flow/apply_next_into_approval_step", |b| {
        b.iter_batched(
            || ready.clone(),
            |mut s| black_box(s.apply(Event::Next { now: at(30) })),
            BatchSize::SmallInput,
        )
    });
    let mut approving = ready.clone();
    approving.apply(Event::Next { now: at(30) });
    approving.apply(Event::Next { now: at(31) });
    c.bench_function("flow/apply_observe_wifi_flip_rewinds", |b| {
        b.iter_batched(
            || approving.clone(),
            |mut s| {
                black_box(s.apply(Event::Observe(Observation::measured(
                    "phone.presence",
                    "on_lan",
                    at(32),
                    "bench",
                ))))
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("flow/apply_tick", |b| {
        b.iter_batched(
            || approving.clone(),
            |mut s| black_box(s.apply(Event::Tick { now: at(33) })),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("flow/view", |b| {
        b.iter(|| black_box(approving.view(at(40))))
    });
    c.bench_function("flow/to_json", |b| {
        b.iter(|| black_box(approving.to_json()))
    });
}

criterion_group!(flow, benches);
criterion_main!(flow);
