//! The UI↔Rust contract: the `Snapshot` JSON the window reads (`ui/main.js` and `ui/views/`),
//! pinned with insta for representative states — home, a step with a refusal, the helper's
//! screen. A renamed or moved field changes a pinned file, so the change is seen in review and
//! the window is updated with it. The session part is the real engine's view of the bundled au
//! playbook at fixed times; the rest is filled in as the actor fills it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod flow_support;

use flow_support::*;
use tebiki_core::app::paper::{Paper, PaperFormat};
use tebiki_core::app::{
    ExportView, HelperView, PcStatus, PhoneState, PhoneStatus, PlaybookChoice, ProfileView,
    Snapshot, VaultView,
};
use tebiki_core::flow::Session;
use tebiki_core::i18n::{Lang, Text};
use tebiki_core::store::{PhonePlatform, Profile, ProfileId, TextSize};

fn pc_on_wifi() -> PcStatus {
    PcStatus {
        path: "wifi".into(),
        confidence: "high".into(),
        online: Some("online".into()),
        summary: Text::new(
            "このパソコンは Wi-Fi でインターネットにつながっています。",
            "This PC is connected to the internet over Wi-Fi.",
        ),
        evidence: vec!["default route via wlan0".into()],
        advice: None,
    }
}

fn base(helper: HelperView) -> Snapshot {
    let au = au();
    Snapshot {
        seq: 7,
        now: at(6),
        playbooks: vec![PlaybookChoice {
            id: au.id().to_owned(),
            name: au.name.text(),
            services: au.services.clone(),
        }],
        playbook_problems: Vec::new(),
        pc: pc_on_wifi(),
        session: None,
        phone: None,
        qr: None,
        notice: None,
        resumed: false,
        profiles: Vec::new(),
        active_profile: None,
        helper,
    }
}

fn helper_idle() -> HelperView {
    HelperView {
        vault: VaultView::Available {
            backend: "Secret Service".into(),
        },
        vault_busy: false,
        clipboard_clear_at: None,
        has_record: false,
        last_export: None,
    }
}

fn json(s: &Snapshot) -> String {
    serde_json::to_string_pretty(s).expect("a snapshot serialises")
}

#[test]
fn home() {
    insta::assert_snapshot!("home", json(&base(helper_idle())));
}

#[test]
fn a_step_with_a_refusal() {
    // The phone was seen on the home Wi-Fi; "Next" on "turn the Wi-Fi off" before it was
    // seen leaving is refused, and the screen says why.
    let mut session = Session::new(au());
    for e in [
        tebiki_core::flow::Event::Start { now: at(0) },
        next(1),
        next(2),
        measured("phone.platform", "iphone", 3),
        measured("phone.presence", "on_lan", 3),
        next(4),
        next(5),
    ] {
        session.apply(e);
    }
    let view = session.view(at(6));
    assert_eq!(
        view.step.as_ref().map(|s| s.id.as_str()),
        Some("phone_wifi_off")
    );
    assert!(view.explanation.is_some(), "the refusal is shown");
    let mut s = base(helper_idle());
    s.session = Some(view);
    s.phone = Some(PhoneStatus {
        state: PhoneState::OnLan,
        url: Some("http://192.168.1.20:47123/p/TOKEN".into()),
        qr_svg: Some("<svg/>".into()),
        platform: Some("iphone".into()),
        connection: None,
        message: Text::new(
            "スマホは、まだ家の Wi-Fi につながっています。スマホの Wi-Fi を切ってください。",
            "The phone is still on the home Wi-Fi. Please turn the phone's Wi-Fi off.",
        ),
        refused_other_device: false,
    });
    insta::assert_snapshot!("step_with_refusal", json(&s));
}

#[test]
fn the_helper_screen() {
    let id = ProfileId::parse("p-hanako").expect("a valid profile ID");
    let mut s = base(HelperView {
        vault: VaultView::Available {
            backend: "Secret Service".into(),
        },
        vault_busy: true,
        clipboard_clear_at: Some(at(66)),
        has_record: true,
        last_export: Some(ExportView {
            paper: Paper::Card,
            format: PaperFormat::Html,
            path: "/home/hanako/.local/share/tebiki/exports/card.html".into(),
        }),
    });
    s.profiles = vec![ProfileView {
        profile: Profile {
            id: id.clone(),
            display_name: "山田花子（母）".into(),
            service: "au-id".into(),
            phone_platform: PhonePlatform::Iphone,
            text_size: TextSize::Large,
            language: Lang::Ja,
            created: at(0),
            updated: at(1),
        },
        has_saved_id: Some(true),
    }];
    s.active_profile = Some(id);
    s.notice = Some(Text::new(
        "ID を保存しました。この PC の安全な保存場所（OS のキーチェーン）に入っています。",
        "ID saved. It is kept in this PC's safe storage (the OS keychain).",
    ));
    insta::assert_snapshot!("helper_screen", json(&s));
}

#[test]
fn helper_only_fields_sit_under_helper() {
    // The family's screens compare snapshots without `helper`: everything the helper alone
    // reads must be inside it, and nothing of it at the top.
    let value = serde_json::to_value(base(helper_idle())).expect("serialise");
    let top = value.as_object().expect("an object");
    for name in [
        "vault",
        "vault_busy",
        "clipboard_clear_at",
        "has_record",
        "last_export",
    ] {
        assert!(!top.contains_key(name), "{name} is at the top");
        assert!(value["helper"].get(name).is_some(), "{name} not in helper");
    }
}
