//! The report's costs in the app: one `Record::note` per applied event (with and without
//! the two `Session::view` calls the app makes around `apply`), exporting a whole record,
//! and building the order card.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use tebiki_core::facts::{Observation, UnixMs};
use tebiki_core::flow::{Effect, Event, Session, SessionView};
use tebiki_core::i18n::Lang;
use tebiki_core::playbook::{self, Platform, Playbook};
use tebiki_core::report::{Pictures, Record, order_card_html};

const T0: i64 = 1_800_000_000_000;

fn at(secs: i64) -> UnixMs {
    UnixMs(T0 + secs * 1000)
}

fn au() -> Arc<Playbook> {
    let (good, _) = playbook::bundled();
    Arc::new(good.into_iter().find(|p| p.id() == "au-id").unwrap())
}

/// The au happy path: 22 events.
fn events() -> Vec<Event> {
    let m = |k: &str, v: &str, s| {
        Event::Observe(Observation::measured(
            k,
            v,
            at(s),
            "bench evidence, 192.168.1.23",
        ))
    };
    let c = |k: &str, v: &str, s| Event::Confirm {
        key: k.into(),
        value: v.into(),
        now: at(s),
    };
    let n = |s| Event::Next { now: at(s) };
    vec![
        Event::Start { now: at(0) },
        n(1),
        n(2),
        m("phone.platform", "iphone", 3),
        m("phone.presence", "on_lan", 3),
        n(4),
        m("phone.presence", "left_lan", 5),
        n(6),
        c("phone.mobile_data", "on", 7),
        n(8),
        c("phone.vpn", "off", 9),
        n(10),
        c("phone.private_relay", "off", 11),
        n(12),
        c("phone.biometrics", "ready", 13),
        n(14),
        c("phone.my_au_app", "current", 15),
        n(16),
        n(17),
        n(18),
        n(19),
    ]
}

type Step = (UnixMs, Event, Vec<Effect>, SessionView, SessionView);

/// What the app would hand to `note`, precomputed.
fn steps() -> Vec<Step> {
    let mut s = Session::new(au());
    events()
        .into_iter()
        .map(|e| {
            let before = s.view(s.now());
            let fx = s.apply(e.clone());
            let now = s.now();
            (now, e, fx, before, s.view(now))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pb = au();
    let steps = steps();
    let empty = Record::new(&steps[0].3);

    c.bench_function("report/note_happy_path_21_events", |b| {
        b.iter(|| {
            let mut r = empty.clone();
            for (now, e, fx, before, after) in &steps {
                r.note(*now, e, fx, before, after);
            }
            black_box(r)
        })
    });

    c.bench_function("report/apply_with_views_and_note_21_events", |b| {
        b.iter(|| {
            let mut s = Session::new(pb.clone());
            let mut r = empty.clone();
            for e in events() {
                let before = s.view(s.now());
                let fx = s.apply(e.clone());
                let now = s.now();
                let after = s.view(now);
                r.note(now, &e, &fx, &before, &after);
            }
            black_box(r)
        })
    });

    let mut full = empty.clone();
    for (now, e, fx, before, after) in &steps {
        full.note(*now, e, fx, before, after);
    }
    c.bench_function("report/record_to_html", |b| {
        b.iter(|| black_box(full.to_html(Lang::Ja)))
    });
    c.bench_function("report/record_to_json", |b| {
        b.iter(|| black_box(full.to_json()))
    });

    c.bench_function("report/order_card_html", |b| {
        b.iter(|| {
            black_box(order_card_html(
                &pb,
                Some(Platform::Iphone),
                Lang::Ja,
                Some("田中"),
                &Pictures::Path("pictures/"),
            ))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
