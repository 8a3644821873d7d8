//! The session record, fed by a real `flow::Session` along the au happy path and the loop
//! the motivating account describes, one `note` per applied event as the app does it.
#![allow(clippy::unwrap_used)]

mod report_support;

use report_support::*;
use tebiki_core::facts::UnixMs;
use tebiki_core::flow::Event;
use tebiki_core::i18n::Lang;
use tebiki_core::playbook::Confidence;
use tebiki_core::report::{EntryKind, Move, Outcome, Record, RecordError, WindowEnd};

/// The phone check's token format: 22 base64url characters (128 bits).
const TOKEN: &str = "Qk3vX9_aZ-0pLm2nB8cD7e";
const ACCOUNT_EMAIL: &str = "tanaka.hanako1952@example.jp";
const ACCOUNT_PHONE: &str = "090-1234-5678";

fn check_url() -> String {
    format!("http://192.168.1.23:41234/p/{TOKEN}")
}

fn steps(r: &Record) -> Vec<(String, Move)> {
    r.entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::StepEntered { id, how, .. } => Some((id.clone(), *how)),
            _ => None,
        })
        .collect()
}

fn measured_values(r: &Record, key: &str) -> Vec<String> {
    r.entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Measured { key: k, value, .. } if k == key => Some(value.clone()),
            _ => None,
        })
        .collect()
}

fn confirmed(r: &Record) -> Vec<(String, String)> {
    r.entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Confirmed { key, value, .. } => Some((key.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

fn happy() -> Recorded {
    let mut rec = Recorded::new();
    let evidence = format!("page {} loaded from 192.168.1.23", check_url());
    rec.run(happy_path(&evidence));
    assert_eq!(rec.step(), Some("done"), "the happy path reaches the end");
    rec
}

/// The loop path: Next with the phone still on Wi-Fi, "I keep coming back", the phone
/// rejoining the Wi-Fi during the approval, and the window running out.
fn loop_path() -> Recorded {
    let w = 300 + 15 * 60; // the window started at t=300 runs out here
    let mut rec = Recorded::new();
    rec.run([
        Event::Start { now: at(0) },
        next(10),
        next(20),
        tick(25),
        measured("phone.platform", "android", 25, "User-Agent says Android"),
        measured("phone.presence", "on_lan", 25, "page loaded over the LAN"),
        next(30),
        // The mistake: moving on while the phone is still on Wi-Fi.
        next(31),
        Event::Symptom {
            id: "loop".into(),
            now: at(40),
        },
        tick(60),
        measured(
            "phone.presence",
            "left_lan",
            60,
            "no answer on the home network",
        ),
        next(61),
        confirm("phone.mobile_data", "on", 62),
        confirm("phone.vpn", "off", 64),
        confirm("phone.private_relay", "not_iphone", 66),
        confirm("phone.biometrics", "ready", 68),
        confirm("phone.my_au_app", "current", 70),
        next(71),
        next(80),
        // The phone rejoins the home Wi-Fi on its own during the approval.
        tick(120),
        measured(
            "phone.presence",
            "on_lan",
            120,
            "page loaded over the LAN again",
        ),
        tick(150),
        measured(
            "phone.presence",
            "left_lan",
            150,
            "no answer on the home network",
        ),
        Event::GoTo {
            step: "phone_approve".into(),
            now: at(160),
        },
        tick(200),
        measured(
            "phone.presence",
            "left_lan",
            200,
            "no answer on the home network; still away",
        ),
        tick(290),
        measured(
            "phone.presence",
            "left_lan",
            290,
            "no answer on the home network; still away",
        ),
        next(300),
        // The PC login is not redone in time.
        tick(w - 30),
        measured(
            "phone.presence",
            "left_lan",
            w - 30,
            "no answer on the home network",
        ),
        Event::Tick { now: at(w) },
    ]);
    rec
}

#[test]
fn happy_path_record_has_every_step_in_order_and_the_outcome() {
    let rec = happy();
    let r = &rec.record;
    let route: Vec<String> = {
        let pb = au();
        pb.main_route()
            .iter()
            .map(|&i| pb.steps[i].id.get_ref().clone())
            .collect()
    };
    let entered: Vec<String> = steps(r).into_iter().map(|(id, _)| id).collect();
    assert_eq!(entered, route, "every main-route step, once, in order");
    assert_eq!(steps(r)[0].1, Move::Start);
    assert!(steps(r)[1..].iter().all(|(_, how)| *how == Move::Next));
    assert_eq!(r.outcome(), Outcome::Finished);
    assert!(matches!(r.entries[0].kind, EntryKind::Started));
    assert!(matches!(
        r.entries.last().unwrap().kind,
        EntryKind::Outcome {
            outcome: Outcome::Finished
        }
    ));
    // Times only move forward.
    assert!(r.entries.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn happy_path_record_keeps_measurements_confirmations_and_the_window() {
    let rec = happy();
    let r = &rec.record;
    assert_eq!(measured_values(r, "phone.presence"), ["on_lan", "left_lan"]);
    assert_eq!(measured_values(r, "pc.path"), ["wifi"]);
    assert_eq!(measured_values(r, "phone.platform"), ["iphone"]);
    assert_eq!(
        confirmed(r),
        [
            ("phone.mobile_data".to_owned(), "on".to_owned()),
            ("phone.vpn".into(), "off".into()),
            ("phone.private_relay".into(), "off".into()),
            ("phone.biometrics".into(), "ready".into()),
            ("phone.my_au_app".into(), "current".into()),
        ]
    );
    let started: Vec<_> = r
        .entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::WindowStarted {
                deadline,
                minutes,
                confidence,
                label,
            } => Some((e.at, *deadline, *minutes, *confidence, label.ja.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(started.len(), 1);
    let (at_, deadline, minutes, confidence, label) = &started[0];
    assert_eq!(
        *at_,
        at(260),
        "the window starts when the approval step is finished"
    );
    assert_eq!(*deadline, at(260 + 15 * 60));
    assert_eq!(*minutes, 15);
    assert_eq!(*confidence, Confidence::UserReport);
    assert!(label.contains("公式の数字ではありません"), "{label}");
    // Finishing closes the window and the phone check; the page was opened by its host.
    let kinds: Vec<&EntryKind> = r.entries.iter().map(|e| &e.kind).collect();
    assert!(kinds.contains(&&EntryKind::WindowEnded {
        how: WindowEnd::Closed,
        text: None
    }));
    assert!(kinds.contains(&&EntryKind::PhoneCheck { running: true }));
    assert!(kinds.contains(&&EntryKind::PhoneCheck { running: false }));
    assert!(kinds.contains(&&EntryKind::PageOpened {
        host: "id.auone.jp".into()
    }));
}

#[test]
fn loop_path_record_explains_the_refusal_the_symptom_the_rewind_and_the_expiry() {
    let rec = loop_path();
    let r = &rec.record;
    assert_eq!(rec.step(), Some("phone_approve"));

    // Next with the phone on Wi-Fi was refused, pointing at the Wi-Fi step.
    let refusal = r.entries.iter().find_map(|e| match &e.kind {
        EntryKind::Explained { text, go_to } if e.at == at(31) => Some((text, go_to)),
        _ => None,
    });
    let (text, go_to) = refusal.expect("the refused Next is explained");
    assert_eq!(go_to.as_deref(), Some("phone_wifi_off"));
    assert!(text.ja.contains("家の Wi-Fi"), "{}", text.ja);

    // "I keep coming back": the cause is the phone not measured on the au line.
    let symptom = r.entries.iter().find_map(|e| match &e.kind {
        EntryKind::Symptom {
            id,
            label,
            cause,
            go_to,
        } => Some((id, label, cause, go_to)),
        _ => None,
    });
    let (id, label, cause, go_to) = symptom.expect("the symptom is recorded");
    assert_eq!(id, "loop");
    assert_eq!(label.ja, "2段階認証の画面に戻ってしまう");
    assert!(
        cause.ja.contains("Wi-Fi のままスマホで許可すると"),
        "{}",
        cause.ja
    );
    assert_eq!(go_to.as_deref(), Some("phone_wifi_off"));

    // The phone rejoining the Wi-Fi during the approval rewinds, explained once.
    let all = steps(r);
    assert!(
        all.contains(&("phone_wifi_off".into(), Move::Rewind)),
        "{all:?}"
    );
    let rewind_texts = r
        .entries
        .iter()
        .filter(|e| e.at == at(120))
        .filter(|e| {
            matches!(
                e.kind,
                EntryKind::Explained { .. } | EntryKind::Notified { .. }
            )
        })
        .count();
    assert_eq!(
        rewind_texts, 1,
        "Notify and Explain of one rewind make one entry"
    );
    assert!(all.contains(&("phone_approve".into(), Move::Link)));

    // The window ran out at its deadline and sent the session back to the approval.
    let w = 300 + 15 * 60;
    let expiry = r.entries.iter().find(|e| {
        matches!(
            e.kind,
            EntryKind::WindowEnded {
                how: WindowEnd::Expired,
                ..
            }
        )
    });
    let expiry = expiry.expect("the expiry is recorded");
    assert_eq!(expiry.at, at(w));
    assert_eq!(
        all.last(),
        Some(&("phone_approve".into(), Move::WindowExpired))
    );
    // Its text is in the expiry entry, not repeated as a separate explanation.
    let expired_text = r
        .entries
        .iter()
        .filter(|e| e.at == at(w))
        .filter(|e| {
            matches!(
                e.kind,
                EntryKind::Explained { .. } | EntryKind::Notified { .. }
            )
        })
        .count();
    assert_eq!(expired_text, 0);
    assert_eq!(r.outcome(), Outcome::StillRunning);
    assert_eq!(
        measured_values(r, "phone.presence"),
        ["on_lan", "left_lan", "on_lan", "left_lan"],
        "each change once; the re-report at w-30 of an unchanged value is not repeated"
    );
}

#[test]
fn repeated_measurements_of_an_unchanged_value_are_written_once() {
    let mut rec = Recorded::new();
    rec.apply(Event::Start { now: at(0) });
    for s in 1..=50 {
        rec.apply(tick(s));
        rec.apply(measured(
            "phone.presence",
            "left_lan",
            s,
            "still off the LAN",
        ));
    }
    rec.apply(tick(60));
    rec.apply(measured("phone.presence", "on_lan", 60, "back on the LAN"));
    assert_eq!(
        measured_values(&rec.record, "phone.presence"),
        ["left_lan", "on_lan"]
    );
}

#[test]
fn confirmations_the_engine_refuses_or_does_not_know_are_not_recorded() {
    let mut rec = Recorded::new();
    rec.run([
        Event::Start { now: at(0) },
        // Not a fact of this playbook, and a measured fact cannot be confirmed by hand.
        confirm("phone.colour", "red", 1),
        confirm("phone.presence", "left_lan", 2),
        // A value the playbook does not declare.
        confirm("phone.vpn", "maybe", 3),
        confirm("phone.vpn", "off", 4),
    ]);
    assert_eq!(confirmed(&rec.record), [("phone.vpn".into(), "off".into())]);
    // The refusals themselves are explained.
    let explained = rec
        .record
        .entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Explained { .. }))
        .count();
    assert_eq!(explained, 3);
}

#[test]
fn confirming_by_a_button_is_recorded_like_a_typed_confirmation() {
    let mut rec = Recorded::new();
    rec.run([
        Event::Start { now: at(0) },
        measured("phone.presence", "left_lan", 1, "left the LAN"),
    ]);
    // Walk to the checklist along the route with what it needs.
    rec.run([
        next(2),
        next(3),
        next(4),
        next(5),
        confirm("phone.mobile_data", "on", 6),
    ]);
    assert_eq!(rec.step(), Some("phone_ready"));
    let view = rec.session.view(rec.session.now());
    let button = view
        .step
        .unwrap()
        .actions
        .iter()
        .find(|a| a.fact.as_deref() == Some("phone.vpn"))
        .map(|a| a.index)
        .expect("the checklist has a VPN line");
    rec.apply(Event::Act {
        action: button,
        now: at(8),
    });
    assert!(confirmed(&rec.record).contains(&("phone.vpn".into(), "off".into())));
}

#[test]
fn no_secret_reaches_the_record_or_its_exports() {
    let mut rec = Recorded::new();
    let evidence = format!(
        "page {} opened; token {TOKEN}; user {ACCOUNT_EMAIL} tel {ACCOUNT_PHONE}",
        check_url()
    );
    rec.run(happy_path(&evidence));
    // A UI bug sending the account ID where a fact key or a symptom id goes.
    rec.run([
        confirm(ACCOUNT_EMAIL, "x", 401),
        Event::Symptom {
            id: ACCOUNT_EMAIL.into(),
            now: at(402),
        },
        Event::Observe(tebiki_core::facts::Observation::measured(
            "pc.path",
            "ethernet",
            at(403),
            format!("https://user:{TOKEN}@id.auone.jp/login?id={ACCOUNT_EMAIL}"),
        )),
    ]);
    let r = &rec.record;
    let exports = [
        r.to_json(),
        r.to_markdown(Lang::Ja),
        r.to_markdown(Lang::En),
        r.to_html(Lang::Ja),
        r.to_html(Lang::En),
    ];
    for (i, text) in exports.iter().enumerate() {
        for secret in [
            TOKEN,
            ACCOUNT_EMAIL,
            ACCOUNT_PHONE,
            "09012345678",
            "tanaka.hanako1952",
            "/p/",
        ] {
            assert!(!text.contains(secret), "export {i} contains {secret:?}");
        }
        assert_eq!(token_shaped_runs(text), Vec::<String>::new(), "export {i}");
    }
    // The facts themselves are still there, with what is left of their evidence.
    assert_eq!(measured_values(r, "pc.path"), ["wifi", "ethernet"]);
    assert!(
        exports[0].contains("http://192.168.1.23:41234/…"),
        "{}",
        exports[0]
    );
}

#[test]
fn html_export_is_standalone_escaped_and_script_free() {
    let mut rec = Recorded::new();
    rec.run([
        Event::Start { now: at(0) },
        measured(
            "pc.path",
            "wifi",
            1,
            "<script>alert(1)</script><img src=x onerror=alert(2)> & \"quotes\"",
        ),
    ]);
    for lang in [Lang::Ja, Lang::En] {
        let html = rec.record.to_html(lang);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("default-src 'none'"),
            "a CSP forbids requests"
        );
        assert!(html.contains("@media print"));
        let lower = html.to_ascii_lowercase();
        for bad in [
            "<script", "<img", "<link", "<iframe", "<object", " src=\"", " href=\"", "@import",
            "url(",
        ] {
            assert!(!lower.contains(bad), "{lang:?} HTML contains {bad}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&amp; &quot;quotes&quot;"));
    }
    let md = rec.record.to_markdown(Lang::En);
    assert!(md.contains("\\<script\\>"), "{md}");
}

#[test]
fn exports_are_bilingual() {
    let rec = happy();
    let ja = rec.record.to_markdown(Lang::Ja);
    let en = rec.record.to_markdown(Lang::En);
    assert!(ja.contains("スマホの Wi-Fi を切ります"));
    assert!(ja.contains("最後の手順まで進みました"));
    assert!(ja.contains("(UTC+09:00)"));
    assert!(ja.contains("17:00:00"), "T0 is 17:00 in Japan");
    assert!(en.contains("Turn the phone's Wi-Fi off"));
    assert!(en.contains("Reached the last step."));
    assert!(!en.contains("スマホの Wi-Fi を切ります"));
}

#[test]
fn ending_early_is_recorded_but_a_finished_session_stays_finished() {
    let mut rec = loop_path();
    assert_eq!(rec.record.outcome(), Outcome::StillRunning);
    rec.record.end(at(2000));
    assert_eq!(rec.record.outcome(), Outcome::EndedEarly);
    assert!(
        rec.record
            .to_markdown(Lang::Ja)
            .contains("途中で終了しました")
    );

    let mut done = happy();
    done.record.end(at(500));
    assert_eq!(done.record.outcome(), Outcome::Finished);
    let outcomes = done
        .record
        .entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Outcome { .. }))
        .count();
    assert_eq!(outcomes, 1);
}

#[test]
fn reset_starts_the_record_over_and_clears_the_outcome() {
    let mut rec = happy();
    rec.apply(Event::Reset);
    assert_eq!(rec.record.outcome(), Outcome::StillRunning);
    assert!(matches!(
        rec.record.entries.last().unwrap().kind,
        EntryKind::Restarted
    ));
    // After a reset the same measurement is news again.
    rec.run([
        Event::Start { now: at(600) },
        measured("pc.path", "wifi", 601, "default route via wlan0"),
    ]);
    assert_eq!(measured_values(&rec.record, "pc.path"), ["wifi", "wifi"]);
}

#[test]
fn record_round_trips_through_json_and_refuses_other_versions() {
    let rec = loop_path();
    let json = rec.record.to_json();
    let back = Record::from_json(&json).unwrap();
    assert_eq!(back, rec.record);
    assert!(json.contains("\"version\": 1"));

    let newer = json.replacen("\"version\": 1", "\"version\": 99", 1);
    match Record::from_json(&newer) {
        Err(e @ RecordError::Version { found: 99 }) => {
            assert!(e.to_string().contains("update Tebiki"), "{e}")
        }
        other => panic!("expected a version error, got {other:?}"),
    }
    let cut = &json[..json.len() / 2];
    assert!(matches!(
        Record::from_json(cut),
        Err(RecordError::Malformed(_))
    ));
}

#[test]
fn a_very_long_session_keeps_the_record_bounded() {
    let mut rec = Recorded::new();
    rec.apply(Event::Start { now: at(0) });
    // 6,000 changes of a measured value: each is news, so each would be an entry.
    for s in 1..=6_000 {
        let v = if s % 2 == 0 { "wifi" } else { "ethernet" };
        rec.apply(tick(s));
        rec.apply(measured("pc.path", v, s, "flapping link"));
    }
    let r = &rec.record;
    assert_eq!(r.entries.len(), 2_000);
    // Started, the first step, then 6,000 measurements.
    assert_eq!(r.dropped, 6_002 - 2_000);
    assert_eq!(
        r.entries.last().unwrap().at,
        at(6_000),
        "the newest are kept"
    );
    assert!(
        r.to_markdown(Lang::Ja)
            .contains("最初の 4002 件は省いています")
    );
}

#[test]
fn loop_path_markdown_record_reads_as_expected() {
    let rec = loop_path();
    insta::assert_snapshot!("loop_path_record_ja", rec.record.to_markdown(Lang::Ja));
}

#[test]
fn happy_path_markdown_record_in_english_reads_as_expected() {
    let rec = happy();
    insta::assert_snapshot!("happy_path_record_en", rec.record.to_markdown(Lang::En));
}

#[test]
fn an_empty_record_still_exports() {
    let s = tebiki_core::flow::Session::new(au());
    let r = Record::new(&s.view(UnixMs(0)));
    let md = r.to_markdown(Lang::Ja);
    assert!(md.contains("まだ途中です"), "{md}");
    assert!(r.to_html(Lang::En).contains("Still under way."));
}

#[test]
fn every_service_gets_a_session_record_with_its_choices_counts_and_expiry() {
    use tebiki_core::flow::Event;
    let (good, bad) = tebiki_core::playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    for pb in good {
        let pb = std::sync::Arc::new(pb);
        let mut s = tebiki_core::flow::Session::new(pb.clone());
        let mut r = Record::new(&s.view(UnixMs(0)));
        let t = |n: i64| UnixMs(1_800_000_000_000 + n * 1000);
        r.apply(&mut s, Event::Start { now: t(0) });
        // Walk on: Next, or the first choice where the step chooses; confirm what it asks.
        for n in 1..30 {
            let v = s.view(s.now());
            let Some(step) = v.step else { break };
            if v.finished {
                break;
            }
            for a in &step.actions {
                if let (Some(f), Some(val)) = (&a.fact, &a.value) {
                    r.apply(
                        &mut s,
                        Event::Confirm {
                            key: f.clone(),
                            value: val.clone(),
                            now: t(n),
                        },
                    );
                }
            }
            if let Some(a) = step.actions.iter().find(|a| {
                matches!(
                    a.kind,
                    tebiki_core::playbook::ActionKind::Choose
                        | tebiki_core::playbook::ActionKind::CountRemaining
                )
            }) {
                r.apply(
                    &mut s,
                    Event::Act {
                        action: a.index,
                        now: t(n),
                    },
                );
            }
            if let Some(a) = step
                .actions
                .iter()
                .find(|a| a.kind == tebiki_core::playbook::ActionKind::EnterExpiry)
            {
                r.apply(
                    &mut s,
                    Event::EnterExpiry {
                        action: a.index,
                        text: "17:30".into(),
                        utc_offset_minutes: 540,
                        now: t(n),
                    },
                );
            }
            r.apply(&mut s, Event::Next { now: t(n) });
        }
        r.end(t(40));
        for lang in [Lang::Ja, Lang::En] {
            let md = r.to_markdown(lang);
            let name = pb.name.text();
            assert!(
                md.replace('\\', "").contains(name.get(lang)),
                "{}: the record names the service:\n{md}",
                pb.id()
            );
        }
        let json = r.to_json();
        let back = Record::from_json(&json).expect("the record reads back");
        assert_eq!(back.to_json(), json);
    }
}
