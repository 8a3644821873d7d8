//! User-facing sentences about the PC's connection, in Japanese and English.
//! Below `High` confidence the wording says "seems" (〜ようです): never state a guess as fact.

use super::{Classification, Confidence, NetworkCategory, PathKind, ProbeReport, Reachability};
use crate::i18n::Text;

/// (Japanese noun phrase for "over X", English phrase)
fn via(path: PathKind) -> (&'static str, &'static str) {
    match path {
        PathKind::Wifi => ("Wi-Fi で", "over Wi-Fi"),
        PathKind::Ethernet => ("有線（LANケーブル）で", "over a cable (Ethernet)"),
        PathKind::Cellular => (
            "パソコンのモバイル回線（SIM）で",
            "over the PC's own mobile line (SIM)",
        ),
        PathKind::TetheredUsb => (
            "USBケーブルでつないだスマホ経由で",
            "through a smartphone connected by USB cable",
        ),
        PathKind::PhoneHotspot => (
            "スマホのテザリング（インターネット共有）で",
            "through a smartphone's hotspot (tethering)",
        ),
        PathKind::Vpn => ("VPN を通して", "through a VPN"),
        PathKind::Offline | PathKind::Unknown => ("", ""),
    }
}

/// Japanese text puts a space between kana/kanji and a Latin word ("は Wi-Fi で").
fn space_latin(w: &str) -> String {
    let mut out = String::with_capacity(w.len() + 2);
    if w.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        out.push(' ');
    }
    out.push_str(w);
    if w.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        out.push(' ');
    }
    out
}

/// The Japanese noun for a path, for "the line under the VPN is X".
fn noun_ja(path: PathKind) -> &'static str {
    match path {
        PathKind::Wifi => "Wi-Fi",
        PathKind::Ethernet => "有線（LANケーブル）",
        PathKind::Cellular => "パソコンのモバイル回線",
        PathKind::TetheredUsb => "USB でつないだスマホ",
        PathKind::PhoneHotspot => "スマホのテザリング",
        PathKind::Vpn | PathKind::Offline | PathKind::Unknown => "不明",
    }
}

/// The path sentence from the route alone: "connected to a network over X". A route is not
/// the internet, so only a probe that reached it makes this "connected to the internet".
pub(super) fn path_summary(c: &Classification) -> Text {
    path_sentence(c, false)
}

fn path_sentence(c: &Classification, internet_reached: bool) -> Text {
    let sure = c.confidence == Confidence::High;
    let (where_ja, where_en) = if internet_reached {
        ("インターネット", "the internet")
    } else {
        ("ネットワーク", "a network")
    };
    match c.path {
        PathKind::Offline => Text::new(
            if sure {
                "このパソコンは今、インターネットにつながっていません。"
            } else {
                "このパソコンは今、インターネットにつながっていないようです。"
            },
            if sure {
                "This PC is not connected to the internet right now."
            } else {
                "This PC does not seem to be connected to the internet right now."
            },
        ),
        PathKind::Unknown => Text::new(
            "このパソコンがどの方法でインターネットにつながっているか、確かめられませんでした。",
            "Tebiki could not tell how this PC connects to the internet.",
        ),
        path => {
            let (ja, en) = via(path);
            let (ja_tail, en_head) = if sure {
                (
                    "つながっています。",
                    format!("This PC is connected to {where_en}"),
                )
            } else {
                (
                    "つながっているようです。",
                    format!("This PC seems to be connected to {where_en}"),
                )
            };
            let mut ja_s = format!("このパソコンは{}{where_ja}に{ja_tail}", space_latin(ja));
            let mut en_s = format!("{en_head} {en}.");
            if path == PathKind::Vpn
                && let Some(u) = c.underlying.filter(|u| *u != PathKind::Unknown)
            {
                let (_, uen) = via(u);
                ja_s.push_str(&format!(
                    "（VPN の下の回線は{}です）",
                    space_latin(noun_ja(u))
                ));
                en_s = format!("{en_head} {en}, which itself runs {uen}.");
            }
            Text::new(ja_s, en_s)
        }
    }
}

pub(super) fn probe_summary(r: &ProbeReport) -> Text {
    match r.verdict {
        Reachability::Online => Text::new(
            "インターネットにつながることを確認しました。",
            "Tebiki checked: the internet can be reached.",
        ),
        Reachability::Offline => Text::new(
            "インターネットにつながりません。Wi-Fi やケーブルを確かめてください。",
            "The internet cannot be reached. Please check the Wi-Fi or the cable.",
        ),
        Reachability::DnsFailure => Text::new(
            "サイトの名前を調べられません（DNS）。ルーターの再起動で直ることがあります。",
            "Site names cannot be looked up (DNS). Restarting the router often fixes this.",
        ),
        Reachability::CaptivePortal => Text::new(
            "この Wi-Fi はログイン画面（利用登録）を求めています。先にブラウザーでその画面を済ませてください。",
            "This Wi-Fi asks for a sign-in page first. Please complete it in the browser.",
        ),
        Reachability::TlsIntercepted => Text::new(
            "安全な接続が途中で書き換えられています（セキュリティソフトや会社・施設のネットワークの可能性）。パソコンの日付と時刻も確かめてください。",
            "Secure connections are being intercepted (security software or a managed network may do this). Also check the PC's date and time.",
        ),
        Reachability::Unknown => Text::new(
            "インターネットにつながるか確かめられませんでした。",
            "Tebiki could not check whether the internet can be reached.",
        ),
    }
}

/// Two sentences, one after the other.
fn then(first: Text, second: Text) -> Text {
    Text::new(
        format!("{}{}", first.ja, second.ja),
        format!("{} {}", first.en, second.en),
    )
}

/// The path sentence, corrected by the probe: a route is not the internet. When the probe
/// says the internet does not answer, say "connected to the network, but not reaching the
/// internet" and then what the probe found.
pub fn overall_summary(c: &Classification, probe: Option<&ProbeReport>) -> Text {
    let path = path_summary(c);
    if matches!(c.path, PathKind::Offline | PathKind::Unknown) {
        return path;
    }
    let r = match probe {
        Some(r) if r.verdict == Reachability::Online => return path_sentence(c, true),
        Some(r) if r.verdict == Reachability::Unknown => return then(path, probe_summary(r)),
        Some(r) => r,
        // Not checked (yet, or the check is turned off): say so rather than "the internet".
        None => {
            return then(
                path,
                Text::new(
                    "インターネットにつながるかは、まだ確かめていません。",
                    "Whether the internet can be reached has not been checked yet.",
                ),
            );
        }
    };
    let (ja, en) = via(c.path);
    // "Offline" would repeat the first sentence; say only what to check.
    let p = if r.verdict == Reachability::Offline {
        Text::new(
            "ルーターの電源やケーブルを確かめてください。",
            "Please check the router's power and the cables.",
        )
    } else {
        probe_summary(r)
    };
    Text::new(
        format!(
            "このパソコンは{}ネットワークにつながっていますが、インターネットには届いていません。{}",
            space_latin(ja),
            p.ja
        ),
        format!(
            "This PC is connected to a network {en}, but the internet is not reachable. {}",
            p.en
        ),
    )
}

/// When Windows calls the home network "Public", its firewall stops the phone from opening
/// Tebiki's page. Say plainly what to change, and where (Windows 11 Settings; Windows 10
/// names the same switch "ネットワーク プロファイル" under the connection's properties).
pub(super) fn category_advice(c: &Classification) -> Option<Text> {
    let verdict = c.network_category.as_ref()?;
    if verdict.category != Some(NetworkCategory::Public) {
        return None;
    }
    let (kind_ja, kind_en) = match c.path {
        PathKind::Ethernet => ("イーサネット", "Ethernet"),
        PathKind::Wifi | PathKind::PhoneHotspot => ("Wi-Fi", "Wi-Fi"),
        _ => (
            "Wi-Fi（有線の場合はイーサネット）",
            "Wi-Fi (or Ethernet for a cable)",
        ),
    };
    let (name_ja, name_en) = match verdict.network.as_deref() {
        Some(n) => (format!("「{n}」"), format!("\"{n}\"")),
        None => (
            "つないでいるネットワーク".to_owned(),
            "the network's".to_owned(),
        ),
    };
    Some(Text::new(
        format!(
            "このネットワークを「プライベート」にしてください。今は「パブリック」になっているため、Windows のファイアウォールがスマホから「手引き」への接続を止めてしまいます。\
             変え方：設定 → ネットワークとインターネット → {kind_ja} → {name_ja}のプロパティ → 「ネットワーク プロファイルの種類」で「プライベート ネットワーク」を選びます。"
        ),
        format!(
            "Please set this network to \"Private\". It is \"Public\" now, so Windows Defender Firewall stops the phone from reaching Tebiki. \
             How: Settings → Network & internet → {kind_en} → {name_en} properties → under \"Network profile type\", choose \"Private network\"."
        ),
    ))
}
