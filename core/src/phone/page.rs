//! The phone page: one small HTML document (`page.html`, inline CSS and ES5 script) in the
//! phone's language with the Wi-Fi steps for its platform, plus the short bilingual pages for
//! refusals. Rendering is pure: the server passes the nonce and the remaining time.

use serde::Serialize;

use crate::i18n::{Lang, Text};

use super::event::Platform;

const TEMPLATE: &str = include_str!("page.html");

/// What the page's script needs, serialised into it as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct PageConfig {
    /// The check's path, `/p/TOKEN`; heartbeats go to `{p}/beat`.
    pub p: String,
    /// Image URL on the carrier's official domain, loaded to confirm the mobile line works.
    pub c: Option<String>,
    /// Milliseconds until the check ends (the page stops then instead of reporting a failure).
    pub left: i64,
    /// The PC is tethered to this phone.
    pub t: bool,
}

fn t(ja: &str, en: &str) -> Text {
    Text::new(ja, en)
}

fn steps(platform: Platform) -> [Text; 3] {
    match platform {
        Platform::Iphone => [
            t(
                "画面の右上のすみから、下へなぞります（ホームボタンがあるiPhoneは、画面の下から上へなぞります）。",
                "Swipe down from the top-right corner of the screen (on an iPhone with a Home button, swipe up from the bottom).",
            ),
            t(
                "出てきた画面（コントロールセンター）で、扇の形をしたWi-Fiのマークを押して、色が消えた状態にします。このページは開いたままにできます。",
                "In Control Center, tap the fan-shaped Wi-Fi icon so that it is no longer coloured. This page stays open.",
            ),
            t(
                "うまくいかないときは、「設定」→「Wi-Fi」を開いて、スイッチをオフにします。",
                "If that does not work, open Settings → Wi-Fi and turn the switch off.",
            ),
        ],
        Platform::Android => [
            t(
                "画面のいちばん上から、下へ2回なぞります（クイック設定が開きます）。",
                "Swipe down twice from the very top of the screen (Quick Settings opens).",
            ),
            t(
                "「Wi-Fi」または「インターネット」のボタンを押して、Wi-Fiをオフにします。このページは開いたままにできます。",
                "Tap the “Wi-Fi” or “Internet” button and turn Wi-Fi off. This page stays open.",
            ),
            t(
                "「モバイルデータ」はオンのままにしておきます。",
                "Leave “Mobile data” on.",
            ),
        ],
        Platform::Other => [
            t("「設定」を開きます。", "Open Settings."),
            t("「Wi-Fi」をオフにします。", "Turn Wi-Fi off."),
            t(
                "モバイルデータ通信はオンのままにしておきます。",
                "Leave mobile data on.",
            ),
        ],
    }
}

fn items(list: &[Text], lang: Lang) -> String {
    list.iter()
        .map(|s| format!("<li>{}</li>", s.get(lang)))
        .collect()
}

/// JSON that is safe inside `<script>`: no `<`, `>` or `&` can end the element or open a comment.
fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The phone page for `platform` in `lang`.
pub fn render(lang: Lang, platform: Platform, nonce: &str, config: &PageConfig) -> String {
    let initial = if config.t { "tether" } else { "wifi" };
    let texts: [(&str, Text); 11] = [
        ("TITLE", t("Wi-Fiの確認", "Wi-Fi check")),
        (
            "WIFI_H",
            t(
                "このスマホは、いま家のWi-Fiにつながっています。",
                "This phone is on the home Wi-Fi right now.",
            ),
        ),
        (
            "WIFI_DO",
            t("Wi-Fiをオフにしてください。", "Please turn Wi-Fi off."),
        ),
        (
            "WIFI_AFTER",
            t(
                "オフにしたら、この画面に戻ってきてください。自動で確かめます。",
                "When it is off, come back to this screen. It checks by itself.",
            ),
        ),
        (
            "CHECKING",
            t(
                "Wi-Fiが切れました。モバイル回線（4G・5G）でつながるか確かめています…",
                "Wi-Fi is off. Checking the mobile line (4G/5G)…",
            ),
        ),
        (
            "OK_H",
            t(
                "✓ モバイル回線でインターネットにつながっています。",
                "✓ The mobile line works.",
            ),
        ),
        (
            "BACK_TO_PC",
            t(
                "パソコンの画面に戻ってください。",
                "Please go back to the PC screen.",
            ),
        ),
        (
            "BAD_H",
            t(
                "インターネットにつながっていません。次のことを確かめてください。",
                "No internet connection. Please check the following.",
            ),
        ),
        (
            "BAD_AGAIN",
            t(
                "数秒ごとに、もう一度確かめています…",
                "Checking again every few seconds…",
            ),
        ),
        (
            "NOCHECK_H",
            t(
                "Wi-Fiが切れました。画面の上に「4G」や「5G」の表示があれば、モバイル回線につながっています。",
                "Wi-Fi is off. If “4G” or “5G” shows at the top of the screen, the phone is on its mobile line.",
            ),
        ),
        (
            "TETHER_H",
            t(
                "このスマホはモバイル回線を使っています（パソコンがこのスマホのテザリングでつながっています）。",
                "This phone uses its mobile line (the PC is connected through this phone's tethering).",
            ),
        ),
    ];
    let bad_list = [
        t(
            "モバイルデータ通信がオンになっていますか。",
            "Is mobile data on?",
        ),
        t(
            "機内モード（飛行機のマーク）がオフになっていますか。",
            "Is airplane mode (the plane icon) off?",
        ),
        t(
            "画面の上に「4G」や「5G」の表示がありますか。",
            "Does “4G” or “5G” show at the top of the screen?",
        ),
    ];
    let ended = ended_text();
    let mut html = TEMPLATE
        .replace("{{LANG}}", lang_attr(lang))
        .replace("{{NONCE}}", nonce)
        .replace("{{STATE}}", initial)
        .replace("{{STEPS}}", &items(&steps(platform), lang))
        .replace("{{BAD_LIST}}", &items(&bad_list, lang))
        .replace("{{ENDED_H}}", ended.get(lang))
        .replace("{{CONFIG}}", &script_json(config));
    for (key, text) in &texts {
        html = html.replace(&format!("{{{{{key}}}}}"), text.get(lang));
    }
    html
}

fn lang_attr(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    }
}

/// A short page with one message, for refusals and unknown addresses. No script.
pub fn message(lang: Lang, nonce: &str, text: &Text) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <style nonce=\"{nonce}\">body{{margin:0;padding:16px;font:24px/1.5 sans-serif;background:#fff;color:#000}}\
         p{{border:5px solid #b00020;border-radius:14px;padding:12px 16px}}</style></head>\
         <body><p>{}</p></body></html>",
        lang_attr(lang),
        text.get(lang)
    )
}

/// The check is over.
pub fn ended_text() -> Text {
    t(
        "この確認は終わりました。パソコンの画面を見てください。",
        "This check has ended. Please look at the PC screen.",
    )
}

/// Another device opened a check that a phone already claimed.
pub fn refused_text() -> Text {
    t(
        "このページは、別のスマホですでに開かれています。最初にQRコードを読み取ったスマホで続けてください。",
        "This page is already open on another phone. Please continue on the phone that scanned the QR code first.",
    )
}

/// Wrong or expired address.
pub fn not_found_text() -> Text {
    t(
        "このページは見つかりません。パソコンの画面のQRコードを、もう一度読み取ってください。",
        "This page was not found. Please scan the QR code on the PC screen again.",
    )
}

/// Too many wrong addresses from one device.
pub fn too_many_text() -> Text {
    t(
        "まちがったアドレスが続いたため、しばらく受け付けません。1分ほど待ってから、QRコードを読み取ってください。",
        "Too many wrong addresses. Please wait about a minute, then scan the QR code.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PageConfig {
        PageConfig {
            p: "/p/AAAAAAAAAAAAAAAAAAAAAA".into(),
            c: Some("https://www.au.com/favicon.ico".into()),
            left: 600_000,
            t: false,
        }
    }

    #[test]
    fn every_variant_of_the_page_is_under_12_kb_and_fully_filled() {
        for lang in [Lang::Ja, Lang::En] {
            for platform in [Platform::Iphone, Platform::Android, Platform::Other] {
                let html = render(lang, platform, "NONCE123", &config());
                println!("page {lang:?}/{platform:?}: {} bytes", html.len());
                assert!(
                    html.len() < 12 * 1024,
                    "{lang:?} {platform:?}: {} bytes",
                    html.len()
                );
                assert!(
                    !html.contains("{{"),
                    "unfilled placeholder in {lang:?} {platform:?}"
                );
                assert_eq!(html.matches("nonce=\"NONCE123\"").count(), 2);
            }
        }
    }

    #[test]
    fn the_page_speaks_the_phones_language_and_platform() {
        let ja_iphone = render(Lang::Ja, Platform::Iphone, "n", &config());
        assert!(ja_iphone.contains("lang=\"ja\"") && ja_iphone.contains("コントロールセンター"));
        let en_android = render(Lang::En, Platform::Android, "n", &config());
        assert!(en_android.contains("lang=\"en\"") && en_android.contains("Quick Settings"));
        assert!(
            !en_android.contains("コントロールセンター") && !en_android.contains("Control Center")
        );
    }

    #[test]
    fn the_script_config_cannot_close_the_script_element() {
        let mut c = config();
        c.c = Some("https://x.example/</script><script>alert(1)</script>".into());
        let html = render(Lang::En, Platform::Other, "n", &c);
        assert_eq!(
            html.matches("</script>").count(),
            1,
            "config broke out of the script"
        );
    }

    #[test]
    fn a_tethered_pc_starts_the_page_in_the_tether_state() {
        let mut c = config();
        c.t = true;
        assert!(render(Lang::Ja, Platform::Iphone, "n", &c).contains("data-state=\"tether\""));
        assert!(render(Lang::Ja, Platform::Iphone, "n", &config()).contains("data-state=\"wifi\""));
    }

    #[test]
    fn the_script_uses_no_syntax_newer_than_es5() {
        let html = render(Lang::Ja, Platform::Iphone, "n", &config());
        let start = html.find("<script").expect("script");
        let script = &html[start..];
        for modern in [
            "=>", "?.", "??", "let ", "const ", "`", "fetch(", "async ", "await ", "class ",
        ] {
            assert!(!script.contains(modern), "the page script uses `{modern}`");
        }
    }
}
