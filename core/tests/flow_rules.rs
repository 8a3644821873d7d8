//! One test per rule of the engine, on the bundled au ID playbook.
#![allow(clippy::unwrap_used)]

mod flow_support;

use std::sync::Arc;

use flow_support::*;
use tebiki_core::facts::{FactSource, UnixMs};
use tebiki_core::flow::{Effect, Event, Qr, ReqStatus, ResumeError, Session};
use tebiki_core::playbook::Confidence;

#[test]
fn start_enters_the_first_step_and_asks_to_persist() {
    let mut s = Session::new(au());
    assert_eq!(s.step_id(), None);
    let fx = s.apply(Event::Start { now: at(0) });
    assert_eq!(s.step_id(), Some("pc_login"));
    assert!(fx.contains(&Effect::Persist));
    // A second Start changes nothing.
    assert!(s.apply(Event::Start { now: at(1) }).is_empty());
    assert_eq!(s.step_id(), Some("pc_login"));
}

#[test]
fn events_before_start_move_nothing() {
    let mut s = Session::new(au());
    for e in [
        next(1),
        Event::Back { now: at(2) },
        Event::Symptom {
            id: "loop".into(),
            now: at(3),
        },
    ] {
        assert!(s.apply(e).is_empty());
    }
    assert_eq!(s.step_id(), None);
}

#[test]
fn entering_the_phone_link_step_starts_the_phone_check_and_shows_its_qr() {
    let mut s = session_at("pc_password");
    let fx = s.apply(next(100));
    assert_eq!(s.step_id(), Some("phone_link"));
    assert!(fx.contains(&Effect::StartPhoneCheck), "{fx:?}");
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::ShowQr {
                qr: Qr::PhoneCheck,
                ..
            }
        )),
        "{fx:?}"
    );
}

#[test]
fn approval_step_is_refused_while_the_phone_is_on_wifi_and_names_the_wifi_step() {
    // Every step from the checklist to the approval needs the line: the phone turning its
    // Wi-Fi back on sends the session back to the Wi-Fi step at once ...
    let mut s = session_at("phone_ready");
    s.apply(tick(20));
    s.apply(measured("phone.presence", "on_lan", 20));
    assert_eq!(
        s.step_id(),
        Some("phone_wifi_off"),
        "must go back to where the line is established"
    );
    // ... and the way on stays shut while it is on Wi-Fi, naming the Wi-Fi step.
    let fx = s.apply(next(21));
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
    let ex = explains(&fx);
    assert_eq!(ex.len(), 1, "{fx:?}");
    assert_eq!(ex[0].1.as_deref(), Some("phone_wifi_off"));
    assert!(ex[0].0.contains("家の Wi-Fi"), "{}", ex[0].0);
    let v = s.view(at(21));
    assert!(!v.next.allowed);
    assert_eq!(v.next.satisfied_by.as_deref(), Some("phone_wifi_off"));
    let net = v
        .next
        .requirements
        .iter()
        .find(|r| r.fact == "phone.presence")
        .unwrap();
    assert_eq!(net.status, ReqStatus::Contradicted);
    // Nor can the approval be reached around it.
    s.apply(Event::GoTo {
        step: "phone_approve".into(),
        now: at(22),
    });
    assert_ne!(s.step_id(), Some("phone_approve"));
}

#[test]
fn a_confirmation_never_satisfies_the_measured_line_requirement() {
    let mut s = session_at("pc_password");
    // Everything confirmable confirmed, the line only claimed by the user.
    for (k, v) in [
        ("phone.mobile_data", "on"),
        ("phone.vpn", "off"),
        ("phone.private_relay", "off"),
        ("phone.biometrics", "ready"),
        ("phone.my_au_app", "current"),
    ] {
        s.apply(confirm(k, v, 10));
    }
    let fx = s.apply(confirm("phone.presence", "left_lan", 11));
    assert_eq!(
        explains(&fx).len(),
        1,
        "the confirmation itself is refused: {fx:?}"
    );
    // Walk forward as far as the engine lets us.
    for t in 12..30 {
        s.apply(next(t));
    }
    assert_eq!(
        s.step_id(),
        Some("phone_wifi_off"),
        "stopped where the line is established"
    );
    let v = s.view(at(30));
    let net = v
        .next
        .requirements
        .iter()
        .find(|r| r.fact == "phone.presence")
        .unwrap();
    assert_eq!(net.status, ReqStatus::Unknown);
}

#[test]
fn a_stale_line_measurement_is_refused_with_a_stale_reason() {
    let mut s = session_at("phone_ready");
    // The presence measurement was at t=5 s; the QR step allows 120 s (the checklist itself
    // 600 s, so the session stays on it).
    let fx = s.apply(next(5 + 121));
    assert_eq!(s.step_id(), Some("phone_ready"));
    let ex = explains(&fx);
    assert!(ex[0].0.contains("時間がたちました"), "{}", ex[0].0);
    let v = s.view(at(126));
    let net = v
        .next
        .requirements
        .iter()
        .find(|r| r.fact == "phone.presence")
        .unwrap();
    assert_eq!(net.status, ReqStatus::Stale);
    // A fresh measurement lets it through.
    s.apply(tick(127));
    s.apply(measured("phone.presence", "left_lan", 127));
    let fx = s.apply(next(128));
    assert_eq!(s.step_id(), Some("pc_show_qr"), "{:?}", explains(&fx));
}

#[test]
fn the_phone_seen_on_wifi_again_rewinds_the_approval_step_to_the_wifi_step() {
    let mut s = session_at("phone_approve");
    s.apply(tick(30));
    let fx = s.apply(measured("phone.presence", "on_lan", 30));
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Notify { .. })),
        "{fx:?}"
    );
    assert!(fx.contains(&Effect::Persist));
    let ex = explains(&fx);
    assert!(ex[0].0.contains("変わりました"), "{}", ex[0].0);
    assert_eq!(ex[0].1.as_deref(), Some("phone_wifi_off"));
    assert!(s.view(at(30)).explanation.is_some());
}

#[test]
fn an_unknown_presence_on_an_approval_step_takes_the_person_back_with_the_reason() {
    let mut s = session_at("pc_show_qr");
    s.apply(tick(30));
    let fx = s.apply(measured("phone.presence", "unknown", 30));
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Notify { .. })),
        "{fx:?}"
    );
    let ex = s.explanation().expect("the reason is shown");
    assert!(ex.text.ja.contains("家の Wi-Fi"), "{}", ex.text.ja);
}

#[test]
fn a_presence_going_stale_while_standing_on_the_approval_step_takes_the_person_back() {
    let mut s = session_at("phone_approve");
    // The last "left the home network" was at 5 s; the approval allows 120 s.
    assert_eq!(s.step_id(), Some("phone_approve"));
    s.apply(tick(5 + 120));
    assert_eq!(
        s.step_id(),
        Some("phone_approve"),
        "still fresh at the limit"
    );
    let fx = s.apply(tick(5 + 121));
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
    assert!(fx.contains(&Effect::Persist));
    let ex = s.explanation().expect("the reason is shown");
    assert!(ex.text.ja.contains("時間がたちました"), "{}", ex.text.ja);
}

#[test]
fn next_from_the_approval_step_refuses_to_start_the_window_on_stale_facts() {
    let mut s = session_at("phone_approve");
    // Stale by the engine's own clock, without a tick in between (the app ticks every
    // second; Next must not rely on it).
    let fx = s.apply(next(5 + 200));
    assert!(s.window().is_none(), "no window on old evidence");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::StartWindow { .. })),
        "{fx:?}"
    );
    assert_ne!(s.step_id(), Some("pc_reload"));
}

#[test]
fn observations_dated_in_the_future_are_refused_and_do_not_move_the_clock() {
    let mut s = session_at("phone_approve");
    let before = s.now();
    let fx = s.apply(measured("phone.presence", "on_lan", 17 + 60));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(s.now(), before, "the clock did not move");
    assert_eq!(
        s.step_id(),
        Some("phone_approve"),
        "the future reading was not taken"
    );
    // Within the observers' allowed skew it counts.
    s.apply(measured("phone.presence", "on_lan", 17 + 4));
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
}

#[test]
fn a_resumed_session_reenters_its_step_through_the_gate() {
    let s = session_at("phone_approve");
    let json = s.to_json();
    let mut back = Session::from_json(&json, au()).unwrap();
    // Resumed an hour later: the presence measurement is far too old for the approval.
    let fx = back.resume_at(at(3_600));
    assert_eq!(back.step_id(), Some("phone_wifi_off"));
    assert!(fx.contains(&Effect::Persist));
    assert!(
        back.explanation()
            .is_some_and(|e| e.text.ja.contains("再開"))
    );
    // Resumed at once: nothing changes.
    let mut again = Session::from_json(&json, au()).unwrap();
    assert!(again.resume_at(at(18)).is_empty());
    assert_eq!(again.step_id(), Some("phone_approve"));
}

#[test]
fn a_wifi_observation_outside_steps_that_need_the_line_does_not_rewind() {
    let mut s = session_at("pc_reload");
    s.apply(tick(30));
    s.apply(measured("phone.presence", "on_lan", 30));
    assert_eq!(s.step_id(), Some("pc_reload"));
}

#[test]
fn a_confirmation_that_contradicts_a_fresh_measurement_is_refused() {
    let mut s = session_on_arrival("phone_ready");
    // Suppose an observer measured the VPN on (the key is the playbook's own).
    s.apply(tick(20));
    s.apply(measured("phone.vpn", "on", 20));
    let fx = s.apply(confirm("phone.vpn", "off", 21));
    let ex = explains(&fx);
    assert_eq!(ex.len(), 1);
    assert!(ex[0].0.contains("違うため"), "{}", ex[0].0);
    assert_eq!(ex[0].1.as_deref(), Some("phone_ready"));
    let chosen = s
        .view(at(21))
        .step
        .unwrap()
        .actions
        .iter()
        .any(|a| a.fact.as_deref() == Some("phone.vpn") && a.chosen);
    assert!(!chosen, "the refused confirmation is not recorded");
}

#[test]
fn a_confirmation_of_an_undeclared_or_wrong_value_is_refused() {
    let mut s = session_at("phone_ready");
    assert_eq!(
        explains(&s.apply(confirm("phone.vpn", "maybe", 20))).len(),
        1
    );
    assert_eq!(
        explains(&s.apply(confirm("phone.unknown_thing", "on", 21))).len(),
        1
    );
}

#[test]
fn finishing_the_approval_step_starts_the_window_labelled_as_a_user_report() {
    let mut s = session_at("phone_approve");
    let fx = s.apply(next(100));
    assert_eq!(s.step_id(), Some("pc_reload"));
    let (deadline, minutes, confidence, label) = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartWindow {
                deadline,
                minutes,
                confidence,
                label,
            } => Some((*deadline, *minutes, *confidence, label.clone())),
            _ => None,
        })
        .expect("a StartWindow effect");
    assert_eq!(minutes, 15);
    assert_eq!(deadline, at(100 + 15 * 60));
    assert_eq!(confidence, Confidence::UserReport);
    assert_eq!(
        label.ja,
        "利用者の報告による目安です（公式の数字ではありません）"
    );
    assert_eq!(label.en, "Reported by a user; not an official figure");
    let w = s.view(at(160)).window.unwrap();
    assert_eq!(w.remaining_secs, 15 * 60 - 60);
    assert_eq!(w.confidence_label.ja, label.ja);
}

#[test]
fn when_the_window_runs_out_the_session_returns_to_the_approval_step_and_explains() {
    let mut s = session_at("phone_approve");
    s.apply(next(100));
    // Keep the line fresh so the gate does not redirect further back.
    s.apply(tick(100 + 14 * 60));
    s.apply(measured("phone.presence", "left_lan", 100 + 14 * 60));
    assert!(
        s.apply(Event::Tick {
            now: at(100 + 15 * 60 - 1)
        })
        .is_empty()
    );
    let fx = s.apply(Event::Tick {
        now: at(100 + 15 * 60),
    });
    assert_eq!(s.step_id(), Some("phone_approve"));
    assert!(fx.iter().any(|e| matches!(e, Effect::Notify { .. })));
    assert!(fx.contains(&Effect::Persist));
    assert!(s.window().is_none());
    let ex = s.explanation().unwrap();
    assert!(ex.text.ja.contains("15分"), "{}", ex.text.ja);
}

#[test]
fn a_window_running_out_with_a_stale_line_goes_back_to_the_wifi_step() {
    let mut s = session_at("phone_approve");
    s.apply(next(100));
    s.apply(Event::Tick {
        now: at(100 + 15 * 60),
    });
    // The last cellular measurement is 15 minutes old: the gate sends us to re-establish it.
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
}

#[test]
fn reaching_the_end_cancels_the_window_and_stops_the_phone_check() {
    let mut s = session_at("pc_reload");
    assert!(s.window().is_some());
    let fx = s.apply(next(200));
    assert_eq!(s.step_id(), Some("done"));
    assert!(fx.contains(&Effect::CancelWindow), "{fx:?}");
    assert!(fx.contains(&Effect::StopPhoneCheck), "{fx:?}");
    assert!(s.is_finished());
    // Time passing after the end does nothing.
    assert!(s.apply(Event::Tick { now: at(100_000) }).is_empty());
}

mod loop_symptom {
    use super::*;

    fn report(s: &mut Session, secs: i64) -> Vec<(String, Option<String>)> {
        explains(&s.apply(Event::Symptom {
            id: "loop".into(),
            now: at(secs),
        }))
    }

    #[test]
    fn with_the_line_unverified_it_points_at_the_wifi_step() {
        let mut s = session_at("pc_password");
        let ex = report(&mut s, 10);
        assert_eq!(ex[0].1.as_deref(), Some("phone_wifi_off"));
        assert_eq!(s.step_id(), Some("phone_wifi_off"));
    }

    #[test]
    fn with_the_line_verified_but_vpn_unconfirmed_it_points_at_the_checklist() {
        let mut s = session_at("pc_password");
        s.apply(tick(5));
        s.apply(measured("phone.presence", "left_lan", 5));
        let ex = report(&mut s, 10);
        assert!(ex[0].0.contains("VPN"), "{}", ex[0].0);
        assert_eq!(ex[0].1.as_deref(), Some("phone_ready"));
        assert_eq!(s.step_id(), Some("phone_ready"));
    }

    #[test]
    fn with_private_relay_unconfirmed_it_points_at_the_checklist_and_says_which_line() {
        let mut s = session_on_arrival("phone_ready");
        s.apply(confirm("phone.vpn", "off", 9));
        let ex = report(&mut s, 12);
        assert!(ex[0].0.contains("プライベートリレー"), "{}", ex[0].0);
        assert_eq!(ex[0].1.as_deref(), Some("phone_ready"));
    }

    #[test]
    fn with_the_window_expired_it_points_at_the_approval_step() {
        let mut s = session_at("phone_approve");
        s.apply(next(100));
        s.apply(tick(100 + 15 * 60 - 1));
        s.apply(measured("phone.presence", "left_lan", 100 + 15 * 60 - 1));
        s.apply(Event::Tick {
            now: at(100 + 15 * 60),
        });
        let ex = report(&mut s, 100 + 15 * 60 + 5);
        assert_eq!(ex[0].1.as_deref(), Some("phone_approve"));
        assert_eq!(s.step_id(), Some("phone_approve"));
    }

    #[test]
    fn with_everything_fine_it_says_to_start_the_pc_login_from_the_top() {
        let mut s = session_at("pc_reload");
        let ex = report(&mut s, 30);
        assert_eq!(ex[0].1.as_deref(), Some("pc_reload"));
        assert!(ex[0].0.contains("最初から"), "{}", ex[0].0);
    }

    #[test]
    fn a_stale_line_counts_as_unverified() {
        let mut s = session_at("pc_reload");
        let ex = report(&mut s, 5 + 601);
        assert_eq!(ex[0].1.as_deref(), Some("phone_wifi_off"));
    }
}

#[test]
fn other_symptoms_lead_to_their_branches() {
    for (id, branch) in [
        ("code_not_arriving", "branch_code_not_arriving"),
        ("new_phone", "branch_old_phone"),
        ("wifi_off_still_fails", "branch_wrong_phone"),
    ] {
        let mut s = session_at("phone_ready");
        s.apply(Event::Symptom {
            id: id.into(),
            now: at(20),
        });
        assert_eq!(s.step_id(), Some(branch), "{id}");
        let v = s.view(at(20));
        assert_eq!(
            v.step.as_ref().unwrap().index,
            None,
            "branches are not numbered"
        );
        // A branch leads back to the start of the PC login.
        s.apply(next(21));
        assert_eq!(s.step_id(), Some("pc_login"), "{id}");
    }
}

#[test]
fn wifi_off_still_fails_first_checks_what_tebiki_sees() {
    let mut s = session_at("phone_link");
    s.apply(Event::Symptom {
        id: "wifi_off_still_fails".into(),
        now: at(10),
    });
    assert_eq!(
        s.step_id(),
        Some("phone_wifi_off"),
        "the phone is measured on Wi-Fi"
    );
}

#[test]
fn open_url_actions_open_only_official_https_urls() {
    let mut s = session_at("pc_login");
    let fx = s.apply(Event::Act {
        action: 0,
        now: at(1),
    });
    assert_eq!(
        fx,
        vec![Effect::OpenUrl {
            url: "https://id.auone.jp/".into()
        }]
    );
    // Even an altered playbook cannot make the engine open another host.
    let mut pb = (*au()).clone();
    pb.steps[0].actions[0].url = Some(toml::Spanned::new(0..0, "https://evil.example/".to_owned()));
    let mut s = Session::new(Arc::new(pb));
    s.apply(Event::Start { now: at(0) });
    let fx = s.apply(Event::Act {
        action: 0,
        now: at(1),
    });
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::OpenUrl { .. })),
        "{fx:?}"
    );
    assert_eq!(explains(&fx).len(), 1);
}

#[test]
fn confirm_buttons_record_the_users_word_and_show_as_chosen() {
    let mut s = session_on_arrival("phone_ready");
    s.apply(confirm("phone.vpn", "off", 9));
    let v = s.view(at(9));
    let button = v
        .step
        .unwrap()
        .actions
        .into_iter()
        .find(|a| a.fact.as_deref() == Some("phone.vpn") && a.value.as_deref() == Some("off"))
        .unwrap();
    let mut s2 = session_on_arrival("phone_ready");
    let fx = s2.apply(Event::Act {
        action: button.index,
        now: at(9),
    });
    assert!(fx.contains(&Effect::Persist));
    assert!(
        s2.view(at(9))
            .step
            .unwrap()
            .actions
            .iter()
            .any(|a| a.fact.as_deref() == Some("phone.vpn") && a.chosen)
    );
    assert_eq!(
        s.to_json(),
        s2.to_json(),
        "Act on a confirm button equals Confirm"
    );
}

#[test]
fn back_returns_to_the_previous_step_but_never_around_the_gate() {
    let mut s = session_at("pc_reload");
    s.apply(tick(30));
    s.apply(measured("phone.presence", "on_lan", 30));
    s.apply(Event::Back { now: at(31) });
    // Back would enter phone_approve, which needs the line: the gate redirects.
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
    let mut s = session_at("phone_ready");
    s.apply(Event::Back { now: at(16) });
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
}

#[test]
fn go_to_reaches_only_visited_steps_or_the_explained_one() {
    let mut s = session_at("phone_ready");
    // The presence measurement (t = 5 s) is too old for the QR step (120 s), though not for
    // the checklist (600 s): "Next" is refused, naming the Wi-Fi step.
    s.apply(next(5 + 121));
    assert_eq!(s.step_id(), Some("phone_ready"));
    // Not visited, not explained:
    s.apply(Event::GoTo {
        step: "done".into(),
        now: at(127),
    });
    assert_eq!(s.step_id(), Some("phone_ready"));
    // The refusal named the Wi-Fi step:
    s.apply(Event::GoTo {
        step: "phone_wifi_off".into(),
        now: at(128),
    });
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
}

#[test]
fn reset_stops_the_phone_check_cancels_the_window_and_forgets_everything() {
    let mut s = session_at("pc_reload");
    let fx = s.apply(Event::Reset);
    assert!(fx.contains(&Effect::StopPhoneCheck));
    assert!(fx.contains(&Effect::CancelWindow));
    assert!(fx.contains(&Effect::Persist));
    assert_eq!(s.step_id(), None);
    assert!(s.window().is_none());
    let mut fresh = Session::new(au());
    fresh.apply(Event::Tick { now: at(18) });
    assert_eq!(s.to_json(), fresh.to_json());
}

#[test]
fn every_state_change_ends_with_exactly_one_persist() {
    let mut s = Session::new(au());
    for (e, _) in happy_path() {
        let before = s.to_json();
        let fx = s.apply(e.clone());
        let persists = fx.iter().filter(|f| **f == Effect::Persist).count();
        if s.to_json() != before {
            assert_eq!(persists, 1, "{e:?} changed the state: {fx:?}");
            assert_eq!(fx.last(), Some(&Effect::Persist));
        } else {
            assert_eq!(persists, 0, "{e:?} changed nothing: {fx:?}");
        }
    }
}

#[test]
fn observations_of_keys_nobody_uses_are_ignored() {
    let mut s = session_at("pc_login");
    assert!(s.apply(measured("tv.channel", "8", 2)).is_empty());
}

#[test]
fn the_view_numbers_main_steps_and_marks_requirement_sources() {
    let s = session_at("phone_ready");
    let v = s.view(at(16));
    let step = v.step.as_ref().unwrap();
    assert_eq!(step.index, Some(5));
    assert_eq!(step.total, 9);
    assert!(v.next.allowed);
    assert_eq!(v.next.target.as_deref(), Some("pc_show_qr"));
    let by_fact = |f: &str| {
        v.next
            .requirements
            .iter()
            .find(|r| r.fact == f)
            .unwrap()
            .clone()
    };
    assert_eq!(by_fact("phone.presence").status, ReqStatus::Measured);
    assert_eq!(by_fact("phone.presence").source, Some(FactSource::Measured));
    assert_eq!(by_fact("phone.vpn").status, ReqStatus::Confirmed);
    assert!(!step.sources.is_empty());
    // The helper's panel lists every declared fact, measured and confirmed apart.
    let net = v.facts.iter().find(|f| f.key == "phone.presence").unwrap();
    assert_eq!(net.measured.as_ref().unwrap().value, "left_lan");
    assert_eq!(net.measured.as_ref().unwrap().age_secs, 11);
    assert!(net.confirmed.is_none());
    assert_eq!(v.facts.len(), au().facts.len());
    // Serialisable as is for the shell.
    let json = serde_json::to_string(&v).unwrap();
    assert!(json.contains("\"status\":\"measured\""), "{json}");
}

#[test]
fn the_wifi_picture_follows_the_phone_platform() {
    let mut s = session_at("phone_wifi_off");
    assert_eq!(
        s.view(at(6)).step.unwrap().picture.as_deref(),
        Some("phone_wifi_off_iphone")
    );
    s.apply(tick(6));
    s.apply(measured("phone.platform", "android", 6));
    assert_eq!(
        s.view(at(6)).step.unwrap().picture.as_deref(),
        Some("phone_wifi_off_android")
    );
}

mod resume {
    use super::*;

    #[test]
    fn a_saved_session_resumes_exactly_with_its_deadline() {
        let s = session_at("pc_reload");
        let json = s.to_json();
        assert!(json.starts_with("{\"version\":1,"), "{json}");
        let back = Session::from_json(&json, au()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.window().unwrap().deadline, at(18 + 15 * 60));
        assert_eq!(back.view(at(60)), s.view(at(60)));
    }

    #[test]
    fn a_restart_after_the_deadline_expires_the_window_on_the_first_tick() {
        let s = session_at("pc_reload");
        let mut back = Session::from_json(&s.to_json(), au()).unwrap();
        back.apply(Event::Tick {
            now: at(18 + 15 * 60 + 3600),
        });
        assert!(back.window().is_none());
        // The window's `on_expiry` step is phone_approve, but an hour later the measured
        // "phone on the au line" (max age 10 min) is stale too: the session goes back to
        // the first step whose requirement is no longer met, switching the Wi-Fi off.
        assert_eq!(back.step_id(), Some("phone_wifi_off"));
    }

    #[test]
    fn a_newer_format_is_refused_clearly() {
        let json = session_at("pc_login")
            .to_json()
            .replacen("\"version\":1", "\"version\":7", 1);
        let err = Session::from_json(&json, au()).unwrap_err();
        assert_eq!(err, ResumeError::NewerVersion { found: 7 });
        assert!(err.to_string().contains("newer Tebiki"));
        assert!(err.text().ja.contains("新しい版"));
    }

    #[test]
    fn a_changed_playbook_is_noticed() {
        let json = session_at("pc_login").to_json();
        let mut pb = (*au()).clone();
        pb.origin.hash = "0000000000000000".into();
        let err = Session::from_json(&json, Arc::new(pb)).unwrap_err();
        assert_eq!(err, ResumeError::PlaybookChanged { id: "au-id".into() });
        assert!(err.to_string().contains("has changed"));
    }

    #[test]
    fn garbage_and_missing_versions_are_errors_not_panics() {
        for junk in [
            "",
            "null",
            "[]",
            "{}",
            "{\"version\":\"1\"}",
            "{\"version\":0}",
            "{\"version\":1}",
            "\u{0}",
        ] {
            assert!(Session::from_json(junk, au()).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn time_never_runs_backwards_inside_a_session() {
        let mut s = session_at("pc_reload");
        let deadline = s.window().unwrap().deadline;
        s.apply(Event::Tick { now: UnixMs(0) });
        assert_eq!(s.window().unwrap().deadline, deadline);
        assert_eq!(s.now(), at(18));
    }
}

#[test]
fn a_refusal_goes_away_once_what_it_asked_for_is_measured() {
    let mut s = session_at("phone_wifi_off");
    // Still on the home Wi-Fi: Next is refused with the reason.
    s.apply(tick(6));
    s.apply(measured("phone.presence", "on_lan", 6));
    s.apply(next(7));
    assert_eq!(s.step_id(), Some("phone_wifi_off"));
    assert!(s.explanation().is_some(), "the refusal is shown");
    // Another fact changing does not make it go away.
    s.apply(measured("phone.platform", "iphone", 8));
    assert!(s.explanation().is_some());
    // The phone leaves: what the refusal asked for is measured, so it is not shown any more.
    s.apply(tick(9));
    s.apply(measured("phone.presence", "left_lan", 9));
    assert!(s.explanation().is_none(), "{:?}", s.explanation());
    s.apply(next(10));
    assert_ne!(s.step_id(), Some("phone_wifi_off"));
}
