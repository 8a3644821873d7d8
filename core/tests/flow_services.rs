//! Engine transcripts for every bundled service playbook beyond au: the main route, each route
//! chosen by picture, each branch, the stop before a lock (and that it holds across Back, a
//! link, a reset and a restart), and countdowns that run out. Pinned with insta, in Japanese,
//! as a person would see them; the key outcomes are also asserted directly.
#![allow(clippy::unwrap_used)]

mod flow_support;

use std::sync::Arc;

use flow_support::*;
use tebiki_core::flow::{Effect, Event, Session};
use tebiki_core::playbook::{self, ActionKind, Playbook};

fn bundled(id: &str) -> Arc<Playbook> {
    let (good, bad) = playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    Arc::new(good.into_iter().find(|p| p.id() == id).unwrap())
}

/// One thing the person (or an observer, or the clock) does; resolved against the screen.
enum Do {
    Start,
    Next,
    Back,
    Reset,
    GoTo(&'static str),
    /// Press the button whose Japanese label contains this text.
    Press(&'static str),
    Confirm(&'static str, &'static str),
    Measured(&'static str, &'static str),
    Symptom(&'static str),
    Expiry(&'static str),
    /// The clock reaches this many seconds after the previous step.
    Wait(i64),
    /// Save and load the session, as a restarted app does.
    Restart,
}

struct Run {
    s: Session,
    secs: i64,
    out: String,
    shown: Option<String>,
}

impl Run {
    fn new(pb: Arc<Playbook>) -> Run {
        Run {
            s: Session::new(pb),
            secs: 0,
            out: String::new(),
            shown: None,
        }
    }

    fn step(&self) -> String {
        self.s.step_id().unwrap_or("-").to_owned()
    }

    fn press_index(&self, label: &str) -> usize {
        let v = self.s.view(self.s.now());
        let step = v.step.expect("a step");
        step.actions
            .iter()
            .find(|a| a.label.as_ref().is_some_and(|l| l.ja.contains(label)))
            .unwrap_or_else(|| panic!("no button “{label}” on {}", step.id))
            .index
    }

    fn expiry_index(&self) -> usize {
        let v = self.s.view(self.s.now());
        v.step
            .expect("a step")
            .actions
            .iter()
            .find(|a| a.kind == ActionKind::EnterExpiry)
            .expect("an expiry field")
            .index
    }

    fn run(&mut self, script: Vec<Do>) -> &mut Self {
        for d in script {
            self.secs += 1;
            let now = at(self.secs);
            let (line, event) = match d {
                Do::Start => ("【開始】".to_owned(), Some(Event::Start { now })),
                Do::Next => ("【次へ】".to_owned(), Some(Event::Next { now })),
                Do::Back => ("【戻る】".to_owned(), Some(Event::Back { now })),
                Do::Reset => ("【最初から】".to_owned(), Some(Event::Reset)),
                Do::GoTo(step) => (
                    format!("【移動】{step}"),
                    Some(Event::GoTo {
                        step: step.into(),
                        now,
                    }),
                ),
                Do::Press(label) => (
                    format!("【ボタン】{label}"),
                    Some(Event::Act {
                        action: self.press_index(label),
                        now,
                    }),
                ),
                Do::Confirm(k, v) => (
                    format!("【利用者の確認】{k} = {v}"),
                    Some(Event::Confirm {
                        key: k.into(),
                        value: v.into(),
                        now,
                    }),
                ),
                Do::Measured(k, v) => {
                    // The app's clock reaches the observation's time first.
                    self.s.apply(Event::Tick { now });
                    (
                        format!("【測定】{k} = {v}"),
                        Some(measured(k, v, self.secs)),
                    )
                }
                Do::Symptom(id) => (
                    format!("【困ったとき】{id}"),
                    Some(Event::Symptom { id: id.into(), now }),
                ),
                Do::Expiry(text) => (
                    format!("【有効期限を入力】{text}"),
                    Some(Event::EnterExpiry {
                        action: self.expiry_index(),
                        text: text.into(),
                        utc_offset_minutes: 540,
                        now,
                    }),
                ),
                Do::Wait(secs) => {
                    self.secs += secs - 1;
                    (
                        format!("【{secs} 秒たつ】"),
                        Some(Event::Tick { now: at(self.secs) }),
                    )
                }
                Do::Restart => {
                    let json = self.s.to_json();
                    self.s = Session::from_json(&json, self.s.playbook().clone().into())
                        .expect("resumes");
                    let fx = self.s.resume_at(now);
                    self.out.push_str("【再起動】\n");
                    self.effects(fx);
                    (String::new(), None)
                }
            };
            if let Some(e) = event {
                self.out.push_str(&line);
                self.out.push('\n');
                let fx = self.s.apply(e);
                self.effects(fx);
            }
            self.screen();
        }
        self
    }

    fn effects(&mut self, fx: Vec<Effect>) {
        for f in fx {
            let line = match f {
                Effect::Explain { text, go_to } => format!(
                    "  説明: {}{}",
                    text.ja.replace('\n', " / "),
                    go_to.map(|g| format!(" （→ {g}）")).unwrap_or_default()
                ),
                Effect::Notify { text } => format!("  お知らせ: {}", text.ja.replace('\n', " / ")),
                Effect::StartWindow { minutes, label, .. } => {
                    format!("  時間の枠: {minutes}分（{}）", label.ja)
                }
                Effect::CancelWindow => "  時間の枠: 終了".into(),
                Effect::OpenUrl { url } => format!("  ページを開く: {url}"),
                Effect::ShowQr { .. } => "  QR コード".into(),
                Effect::StartPhoneCheck => "  スマホの確認: 開始".into(),
                Effect::StopPhoneCheck => "  スマホの確認: 終了".into(),
                Effect::CopyAccountId => "  ID をコピー".into(),
                Effect::Persist => continue,
            };
            self.out.push_str(&line);
            self.out.push('\n');
        }
    }

    fn screen(&mut self) {
        let v = self.s.view(self.s.now());
        let Some(step) = v.step else { return };
        let mut line = String::new();
        if self.shown.as_deref() != Some(step.id.as_str()) {
            let n = step
                .index
                .map(|i| format!("{i}/{}", step.total))
                .unwrap_or_else(|| "寄り道".into());
            line = format!("  ▶ 手順 {n} {}：{}\n", step.id, step.title.ja);
            if step.chooses {
                let labels: Vec<String> = step
                    .actions
                    .iter()
                    .filter(|a| a.kind == ActionKind::Choose)
                    .map(|a| a.label.as_ref().unwrap().ja.clone())
                    .collect();
                line.push_str(&format!("    選ぶ: {}\n", labels.join(" / ")));
            }
            self.shown = Some(step.id.clone());
        }
        for c in &step.counters {
            line.push_str(&format!(
                "    回数: {}回まちがえた（{}回でロック、止める={}）\n",
                c.wrong, c.locks_after, c.stopped
            ));
        }
        if let Some(w) = &v.window {
            line.push_str(&format!("    残り時間: {} 秒\n", w.remaining_secs));
        }
        self.out.push_str(&line);
    }
}

fn count(s: &Session, id: &str) -> u32 {
    s.counts().get(id).map_or(0, |c| c.wrong)
}

// ------------------------------------------------------------------ マイナポータル

fn myna_to_pin() -> Vec<Do> {
    vec![
        Do::Start,
        Do::Next,
        Do::Next,
        Do::Confirm("phone.myna_app", "ready"),
        Do::Confirm("phone.nfc", "on"),
        Do::Confirm("phone.case", "off"),
        Do::Confirm("phone.pin_known", "known"),
        Do::Next,
        Do::Next,
    ]
}

#[test]
fn mynaportal_main_route() {
    let mut r = Run::new(bundled("mynaportal"));
    r.run(myna_to_pin());
    assert_eq!(r.step(), "phone_pin");
    r.run(vec![Do::Press("残り2回"), Do::Next]);
    assert_eq!(count(&r.s, "user_pin"), 1);
    r.run(vec![Do::Next]);
    assert_eq!(r.step(), "done");
    assert_eq!(count(&r.s, "user_pin"), 0, "a right entry resets the count");
    insta::assert_snapshot!("mynaportal_main", r.out);
}

#[test]
fn mynaportal_refuses_the_pin_step_without_knowing_the_pin() {
    let mut r = Run::new(bundled("mynaportal"));
    r.run(vec![
        Do::Start,
        Do::Next,
        Do::Next,
        Do::Confirm("phone.myna_app", "ready"),
        Do::Confirm("phone.nfc", "on"),
        Do::Confirm("phone.case", "off"),
        Do::Confirm("phone.pin_known", "unknown"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "phone_ready");
    assert!(r.out.contains("3回続けてまちがえるとロック"), "{}", r.out);
}

#[test]
fn mynaportal_stops_before_the_lock_and_the_stop_holds() {
    let mut r = Run::new(bundled("mynaportal"));
    r.run(myna_to_pin());
    r.run(vec![Do::Press("残り2回")]);
    assert_eq!(r.step(), "phone_pin");
    r.run(vec![Do::Press("残り1回")]);
    assert_eq!(r.step(), "branch_pin_stop");
    assert_eq!(count(&r.s, "user_pin"), 2);
    // No way back into the PIN step: Back, a link, a restart, starting over.
    r.run(vec![Do::Back]);
    assert_eq!(r.step(), "branch_pin_stop");
    r.run(vec![Do::GoTo("phone_pin")]);
    assert_eq!(r.step(), "branch_pin_stop");
    r.run(vec![Do::Restart]);
    assert_eq!(count(&r.s, "user_pin"), 2, "the count survives a restart");
    r.run(vec![Do::Reset, Do::Start]);
    r.run(myna_to_pin()[1..].iter().map(clone_do).collect());
    assert_eq!(r.step(), "branch_pin_stop", "and starting over");
    // Once the PIN is reset, the count is 0 and the way is open again.
    r.run(vec![Do::Press("新しい暗証番号にした")]);
    assert_eq!(r.step(), "pin_reset_done");
    assert_eq!(count(&r.s, "user_pin"), 0);
    r.run(vec![Do::Next]);
    assert_eq!(r.step(), "pc_open");
    insta::assert_snapshot!("mynaportal_stop_before_lock", r.out);
}

#[test]
fn mynaportal_the_screens_count_wins_over_taps() {
    // Two wrong tries were made before Tebiki was opened: the phone says one is left.
    let mut r = Run::new(bundled("mynaportal"));
    r.run(myna_to_pin());
    r.run(vec![Do::Press("残り1回")]);
    assert_eq!(r.step(), "branch_pin_stop");
    assert_eq!(count(&r.s, "user_pin"), 2);
}

#[test]
fn mynaportal_branches() {
    let mut r = Run::new(bundled("mynaportal"));
    r.run(vec![Do::Start, Do::Symptom("qr_not_reading")]);
    assert_eq!(r.step(), "branch_qr_not_reading");
    r.run(vec![Do::Next]);
    assert_eq!(r.step(), "pc_choose_qr");
    r.run(vec![Do::Symptom("card_not_reading")]);
    assert_eq!(r.step(), "branch_card_not_reading");
    r.run(vec![Do::Next]);
    // The card step needs the case off: refused, pointing at the checklist.
    assert_eq!(r.step(), "branch_card_not_reading");
    let e = r.s.explanation().expect("a refusal");
    assert_eq!(e.go_to.as_deref(), Some("phone_ready"));
    r.run(vec![Do::Symptom("pin_unknown")]);
    assert_eq!(r.step(), "branch_pin_stop");
    r.run(vec![Do::Press("今日はここで終わる")]);
    assert_eq!(r.step(), "stopped_end");
    assert!(r.s.is_finished());
    insta::assert_snapshot!("mynaportal_branches", r.out);
}

fn clone_do(d: &Do) -> Do {
    match d {
        Do::Start => Do::Start,
        Do::Next => Do::Next,
        Do::Confirm(k, v) => Do::Confirm(k, v),
        _ => unreachable!("only used on the simple scripts above"),
    }
}

// ------------------------------------------------------------------ docomo

fn docomo_to_choice() -> Vec<Do> {
    vec![Do::Start, Do::Next, Do::Next]
}

#[test]
fn docomo_sms_route_with_the_expiry_from_the_sms() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(docomo_to_choice());
    assert_eq!(r.step(), "pc_which_screen");
    // A choosing step has no Next.
    r.run(vec![Do::Next]);
    assert_eq!(r.step(), "pc_which_screen");
    r.run(vec![Do::Press("セキュリティコード")]);
    assert_eq!(r.step(), "sms_phone");
    r.run(vec![Do::Next]);
    assert_eq!(
        r.step(),
        "sms_phone",
        "refused until the phone is confirmed"
    );
    r.run(vec![Do::Confirm("phone.sms_phone", "in_hand"), Do::Next]);
    assert_eq!(r.step(), "sms_code");
    // T0 is 17:00 in Japan. Nonsense is refused; a time in the past is refused; 17:10 runs.
    r.run(vec![
        Do::Expiry("あした"),
        Do::Expiry("16:50"),
        Do::Expiry("［有効期限］1/15 17:10"),
    ]);
    let w = r.s.window().expect("a countdown from the SMS");
    assert!(w.from_message);
    assert_eq!(w.minutes, 10);
    r.run(vec![Do::Next]);
    assert_eq!(r.step(), "done");
    insta::assert_snapshot!("docomo_sms", r.out);
}

#[test]
fn docomo_sms_code_expires() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(docomo_to_choice());
    r.run(vec![
        Do::Press("セキュリティコード"),
        Do::Confirm("phone.sms_phone", "in_hand"),
        Do::Next,
        Do::Expiry("17:05"),
        Do::Wait(300),
    ]);
    assert_eq!(r.step(), "branch_code_expired");
    r.run(vec![Do::Symptom("code_expired"), Do::Next]);
    assert_eq!(r.step(), "sms_code");
    insta::assert_snapshot!("docomo_sms_expired", r.out);
}

#[test]
fn docomo_passkey_route_needs_the_pcs_bluetooth_measured_on() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(docomo_to_choice());
    r.run(vec![Do::Press("QR コードが出ている")]);
    assert_eq!(r.step(), "passkey_pc");
    r.run(vec![
        Do::Measured("pc.os", "windows11"),
        Do::Measured("pc.bluetooth", "off"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "passkey_pc", "Bluetooth off: refused");
    r.run(vec![Do::Measured("pc.bluetooth", "on"), Do::Next]);
    assert_eq!(r.step(), "passkey_phone");
    r.run(vec![
        Do::Confirm("phone.bluetooth", "on"),
        Do::Confirm("phone.screen_lock", "set"),
        Do::Confirm("phone.near_pc", "near"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "passkey_scan");
    // The PC's Bluetooth goes off while scanning: back to where it is turned on.
    r.run(vec![Do::Measured("pc.bluetooth", "off")]);
    assert_eq!(r.step(), "passkey_pc");
    insta::assert_snapshot!("docomo_passkey", r.out);
}

#[test]
fn docomo_passkey_route_is_refused_on_a_pc_that_cannot() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(docomo_to_choice());
    r.run(vec![
        Do::Press("QR コードが出ている"),
        Do::Measured("pc.os", "windows10"),
        Do::Measured("pc.bluetooth", "on"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "passkey_pc");
    assert!(r.out.contains("Windows 11 か macOS 13 以降"), "{}", r.out);
    // The person goes back and chooses the SMS instead.
    r.run(vec![Do::Back, Do::Press("セキュリティコード")]);
    assert_eq!(r.step(), "sms_phone");
}

#[test]
fn docomo_app_route() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(docomo_to_choice());
    r.run(vec![Do::Press("アプリでの操作"), Do::Next]);
    assert_eq!(r.step(), "done");
}

#[test]
fn docomo_line_authentication_has_the_measured_wifi_gate_and_stops_before_the_lock() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(vec![Do::Start, Do::Symptom("phone_asks_network_pin")]);
    assert_eq!(r.step(), "line_phone_link");
    r.run(vec![
        Do::Confirm("phone.network_pin_known", "known"),
        Do::Measured("phone.presence", "on_lan"),
        Do::Next,
        Do::Next,
    ]);
    assert_eq!(r.step(), "line_wifi_off", "still on Wi-Fi: refused");
    r.run(vec![Do::Measured("phone.presence", "left_lan"), Do::Next]);
    assert_eq!(r.step(), "line_pin");
    r.run(vec![Do::Press("まちがっていると出た")]);
    assert_eq!(r.step(), "line_pin");
    r.run(vec![Do::Press("まちがっていると出た")]);
    assert_eq!(r.step(), "branch_network_pin_stop");
    assert!(r.s.is_finished());
    insta::assert_snapshot!("docomo_line_auth", r.out);
}

// ------------------------------------------------------------------ SoftBank

#[test]
fn softbank_routes() {
    let pb = bundled("softbank");
    let mut r = Run::new(pb.clone());
    r.run(vec![
        Do::Start,
        Do::Next,
        Do::Next,
        Do::Press("SMS で届いた"),
        Do::Confirm("phone.sms_ready", "ready"),
        Do::Next,
        Do::Next,
    ]);
    assert_eq!(r.step(), "done");
    let mut p = Run::new(pb.clone());
    p.run(vec![
        Do::Start,
        Do::Next,
        Do::Next,
        Do::Press("4けたの暗証番号"),
        Do::Next,
    ]);
    assert_eq!(p.step(), "pin_which", "which number first");
    p.run(vec![
        Do::Confirm("phone.which_pin", "contract_pin"),
        Do::Next,
        Do::Press("まちがっていると出た"),
        Do::Press("まちがっていると出た"),
    ]);
    assert_eq!(p.step(), "branch_pin_stop");
    let mut a = Run::new(pb);
    a.run(vec![
        Do::Start,
        Do::Symptom("phone_asks_number"),
        Do::Measured("phone.presence", "on_lan"),
        Do::Next,
        Do::Next,
    ]);
    assert_eq!(a.step(), "auto_wifi_off");
    a.run(vec![Do::Measured("phone.presence", "left_lan"), Do::Next]);
    assert_eq!(a.step(), "auto_open");
    insta::assert_snapshot!(
        "softbank",
        format!("{}\n----\n{}\n----\n{}", r.out, p.out, a.out)
    );
}

// ------------------------------------------------------------------ 楽天

#[test]
fn rakuten_call_back_check_counts_down_five_minutes_from_the_number() {
    let mut r = Run::new(bundled("rakuten"));
    r.run(vec![Do::Start, Do::Next, Do::Press("電話をかけるように")]);
    assert_eq!(r.step(), "call_prepare");
    r.run(vec![
        Do::Confirm("phone.call_app", "rakuten_link"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "call_prepare", "Rakuten Link: refused");
    r.run(vec![
        Do::Confirm("phone.call_app", "standard"),
        Do::Confirm("phone.caller_id", "on"),
        Do::Confirm("phone.right_number", "yes"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "call_now");
    let w = r.s.window().expect("the 5 minutes run from the number");
    assert_eq!(w.minutes, 5);
    r.run(vec![Do::Wait(299)]);
    assert_eq!(r.step(), "call_now");
    r.run(vec![Do::Wait(2)]);
    assert_eq!(r.step(), "branch_call_expired");
    r.run(vec![Do::Symptom("call_failed")]);
    assert_eq!(r.step(), "branch_call_expired");
    insta::assert_snapshot!("rakuten_call", r.out);
}

#[test]
fn rakuten_email_and_passkey_routes() {
    for (label, via) in [("メールで届いた", "email_code"), ("パスキー", "passkey")] {
        let mut r = Run::new(bundled("rakuten"));
        r.run(vec![Do::Start, Do::Next, Do::Press(label)]);
        assert_eq!(r.step(), via);
        let v = r.s.view(r.s.now());
        assert_eq!(
            v.step.unwrap().total,
            4,
            "the route through the choice is counted"
        );
        r.run(vec![Do::Next]);
        assert_eq!(r.step(), "done");
    }
}

// ------------------------------------------------------------------ LINE

#[test]
fn line_routes_need_login_allowed() {
    let mut r = Run::new(bundled("line-pc"));
    r.run(vec![Do::Start, Do::Next]);
    assert_eq!(r.step(), "phone_allow");
    r.run(vec![
        Do::Confirm("phone.line_login_allowed", "on"),
        Do::Next,
        Do::Next,
        Do::Press("数字4けた"),
        Do::Next,
    ]);
    assert_eq!(r.step(), "done");
    let mut q = Run::new(bundled("line-pc"));
    q.run(vec![
        Do::Start,
        Do::Confirm("phone.line_login_allowed", "on"),
        Do::Next,
        Do::Next,
        Do::Press("QR コード"),
        Do::Next,
    ]);
    assert_eq!(q.step(), "done");
    q.run(vec![Do::Symptom("login_refused")]);
    insta::assert_snapshot!("line", format!("{}\n----\n{}", r.out, q.out));
}

#[test]
fn every_url_any_playbook_opens_is_on_its_official_https_domains() {
    let (good, bad) = playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(good.len(), 6);
    for pb in good {
        for s in &pb.steps {
            for a in &s.actions {
                if let Some(u) = &a.url {
                    let u = u.get_ref();
                    assert!(u.starts_with("https://"), "{}: {u}", pb.id());
                    assert!(pb.is_official_url(u), "{}: {u}", pb.id());
                }
            }
        }
    }
}

#[test]
fn every_symptom_of_every_service_leads_somewhere_the_playbook_names() {
    let (good, _) = playbook::bundled();
    for pb in good {
        let pb = Arc::new(pb);
        for sy in &pb.symptoms {
            let mut r = Run::new(pb.clone());
            r.run(vec![Do::Start]);
            let id: &'static str = Box::leak(sy.id.get_ref().clone().into_boxed_str());
            r.run(vec![Do::Symptom(id)]);
            let targets: Vec<&str> = sy
                .rules
                .iter()
                .map(|x| x.go_to.get_ref().as_str())
                .collect();
            let here = r.step();
            // The rule's step, or (through its gate) the step that provides what it needs.
            let ok = targets.contains(&here.as_str())
                || r.s.explanation().and_then(|e| e.go_to.as_deref()) == Some(here.as_str());
            assert!(
                ok,
                "{}: symptom {id} went to {here}, rules name {targets:?}",
                pb.id()
            );
        }
    }
}

#[test]
fn docomo_sms_not_arriving_branch() {
    let mut r = Run::new(bundled("docomo-d-account"));
    r.run(vec![Do::Start, Do::Symptom("sms_not_arriving")]);
    assert_eq!(r.step(), "branch_sms_not_arriving");
    r.run(vec![Do::Next]);
    assert_eq!(r.step(), "sms_phone");
}
