//! Readable Japanese transcripts of whole sessions, pinned with insta: the au happy path,
//! and the loop the motivating account describes (approval tried while on Wi-Fi).
#![allow(clippy::unwrap_used)]

mod flow_support;

use flow_support::*;
use tebiki_core::flow::{Effect, Event, Qr, Session};

fn place(p: tebiki_core::playbook::Place) -> &'static str {
    match p {
        tebiki_core::playbook::Place::Pc => "パソコン",
        tebiki_core::playbook::Place::Phone => "スマホ",
        tebiki_core::playbook::Place::Both => "パソコンとスマホ",
    }
}

fn event_line(e: &Event) -> String {
    match e {
        Event::Start { .. } => "【開始】".into(),
        Event::Observe(o) => format!("【測定】{} = {}", o.key, o.value),
        Event::Confirm { key, value, .. } => format!("【利用者の確認】{key} = {value}"),
        Event::Next { .. } => "【次へ】".into(),
        Event::Back { .. } => "【戻る】".into(),
        Event::GoTo { step, .. } => format!("【移動】{step}"),
        Event::Act { action, .. } => format!("【ボタン {action}】"),
        Event::Symptom { id, .. } => format!("【困ったとき】{id}"),
        Event::Tick { now } => format!("【時間経過】{} 秒", now.since(T0) / 1000),
        Event::Reset => "【リセット】".into(),
        Event::EnterExpiry { text, .. } => format!("【有効期限を入力】{text}"),
    }
}

/// Applies the events and writes what a person would see, in Japanese.
fn transcript(events: Vec<Event>) -> String {
    let mut s = Session::new(au());
    let mut out = String::new();
    let mut shown_step: Option<String> = None;
    for e in events {
        out.push_str(&event_line(&e));
        out.push('\n');
        for fx in s.apply(e) {
            let line = match fx {
                Effect::Explain { text, go_to } => {
                    format!(
                        "  説明: {}{}",
                        text.ja,
                        go_to.map(|g| format!(" （→ {g}）")).unwrap_or_default()
                    )
                }
                Effect::Notify { text } => format!("  お知らせ: {}", text.ja),
                Effect::StartWindow {
                    minutes,
                    label,
                    deadline,
                    ..
                } => format!(
                    "  時間の枠: {minutes}分（{}） 締め切り = 開始から {} 秒",
                    label.ja,
                    deadline.since(T0) / 1000
                ),
                Effect::CancelWindow => "  時間の枠: 終了".into(),
                Effect::OpenUrl { url } => format!("  ページを開く: {url}"),
                Effect::ShowQr {
                    qr: Qr::PhoneCheck, ..
                } => "  QR コード: スマホの確認用".into(),
                Effect::ShowQr { qr, .. } => format!("  QR コード: {qr:?}"),
                Effect::StartPhoneCheck => "  スマホの確認: 開始".into(),
                Effect::StopPhoneCheck => "  スマホの確認: 終了".into(),
                Effect::CopyAccountId => "  au ID をコピー".into(),
                Effect::Persist => continue,
            };
            out.push_str(&line);
            out.push('\n');
        }
        let v = s.view(s.now());
        if let Some(step) = v.step
            && shown_step.as_deref() != Some(step.id.as_str())
        {
            let n = step
                .index
                .map(|i| format!("{i}/{}", step.total))
                .unwrap_or_else(|| "寄り道".into());
            out.push_str(&format!(
                "  ▶ 手順 {n}（{}）{}\n",
                place(step.place),
                step.title.ja
            ));
            shown_step = Some(step.id);
        }
    }
    out
}

#[test]
fn au_happy_path_transcript() {
    let mut events: Vec<Event> = happy_path().into_iter().map(|(e, _)| e).collect();
    // Open the login page on the first step, as a user would.
    events.insert(
        1,
        Event::Act {
            action: 0,
            now: at(0),
        },
    );
    insta::assert_snapshot!("au_happy_path", transcript(events));
}

#[test]
fn au_loop_path_transcript() {
    let w = 200 + 15 * 60; // when the window started at t=200 runs out
    let events = vec![
        Event::Start { now: at(0) },
        next(10),
        next(20),
        tick(25),
        measured("phone.platform", "android", 25),
        measured("phone.presence", "on_lan", 25),
        next(30),
        // The mistake in the motivating account: moving on with the phone still on Wi-Fi.
        next(31),
        Event::Symptom {
            id: "loop".into(),
            now: at(40),
        },
        tick(60),
        measured("phone.presence", "left_lan", 60),
        next(61),
        confirm("phone.mobile_data", "on", 62),
        next(63),
        confirm("phone.vpn", "off", 64),
        next(65),
        confirm("phone.private_relay", "not_iphone", 66),
        next(67),
        confirm("phone.biometrics", "ready", 68),
        next(69),
        confirm("phone.my_au_app", "current", 70),
        next(71),
        next(80),
        // The phone rejoins the home Wi-Fi on its own during the approval.
        tick(120),
        measured("phone.presence", "on_lan", 120),
        tick(150),
        measured("phone.presence", "left_lan", 150),
        Event::GoTo {
            step: "phone_approve".into(),
            now: at(160),
        },
        next(200),
        // The PC login is not redone in time.
        tick(w - 30),
        measured("phone.presence", "left_lan", w - 30),
        Event::Tick { now: at(w) },
        next(w + 20),
        Event::Symptom {
            id: "loop".into(),
            now: at(w + 60),
        },
        next(w + 90),
    ];
    insta::assert_snapshot!("au_loop_path", transcript(events));
}
