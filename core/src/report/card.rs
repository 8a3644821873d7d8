//! The order card: one A4 page to print and keep beside the PC. It shows the playbook's
//! main route as big numbered steps with their pictures, how to switch this phone's Wi-Fi
//! off (iPhone or Android), what to do when the 2-step screen keeps coming back (built from
//! the playbook's `loop` symptom), the time window labelled as what it is (a user report,
//! not an official figure), and when the sources were last checked.
//!
//! [`OrderCard::build`] makes the card's content from the playbook (pure, testable);
//! [`order_card_html`] and [`order_card_markdown`] write it out.

use std::collections::BTreeMap;

use super::escape;
use super::render::html_head;
use crate::i18n::{Lang, Text};
use crate::playbook::{ActionKind, Place, Platform, Playbook};

/// Where the card's `<img>` tags point.
#[derive(Debug, Clone, Copy)]
pub enum Pictures<'a> {
    /// `<img src="{base}{id}.svg">`; `"pictures/"` for files beside the page.
    Path(&'a str),
    /// The app supplies each picture itself (e.g. `data:image/svg+xml;base64,…`), by id;
    /// a picture missing from the map is left out.
    Urls(&'a BTreeMap<String, String>),
    /// No pictures at all.
    None,
}

impl Pictures<'_> {
    fn src(&self, id: &str) -> Option<String> {
        match self {
            Pictures::Path(base) => Some(format!("{base}{id}.svg")),
            Pictures::Urls(map) => map.get(id).cloned(),
            Pictures::None => None,
        }
    }
}

/// One numbered step on the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardStep {
    pub number: usize,
    pub id: String,
    pub place: Place,
    pub title: String,
    pub picture: Option<String>,
    /// The step that takes the phone off the Wi-Fi: the one the order hangs on.
    pub key: bool,
    /// Every source of the step is a user report: the card says so next to it.
    pub reported: bool,
}

/// How to switch the Wi-Fi off on one kind of phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WifiHow {
    pub platform: Platform,
    pub picture: Option<String>,
    pub words: String,
}

/// The card's content in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCard {
    pub lang: Lang,
    pub heading: String,
    pub for_whom: Option<String>,
    pub steps: Vec<CardStep>,
    /// The Wi-Fi step's number and how to do it on this phone (both kinds if unknown).
    pub wifi_step: Option<usize>,
    pub wifi: Vec<WifiHow>,
    /// "When the 2-step screen keeps coming back": heading and the steps to go back to.
    pub loop_heading: Option<String>,
    pub loop_items: Vec<String>,
    /// The window, labelled with its confidence.
    pub window: Option<String>,
    /// "Checked 2026-11" (or a range when sources differ).
    pub checked: Option<String>,
    /// What else the order hangs on, from the same data: the picture choices on the route,
    /// the numbers that lock after a few wrong tries, an expiry to read off a message.
    pub notes: Vec<String>,
}

fn tr(lang: Lang, ja: &str, en: &str) -> String {
    Text::new(ja, en).get(lang).to_owned()
}

fn place_tag(lang: Lang, p: Place) -> String {
    match p {
        Place::Pc => tr(lang, "パソコン", "PC"),
        Place::Phone => tr(lang, "スマホ", "Phone"),
        Place::Both => tr(lang, "パソコンとスマホ", "PC + phone"),
    }
}

/// How to turn Wi-Fi off, by platform, in plain words. General OS knowledge, not a carrier
/// claim; menu names differ a little between models and OS versions, and the words say so.
fn wifi_words(platform: Platform) -> Text {
    match platform {
        Platform::Iphone => Text::new(
            "画面の右上から下へ（ホームボタンのある機種は下から上へ）なぞり、Wi-Fi のボタンで切ります。確認のページは開いたままです。「設定」→「Wi-Fi」でも切れます。",
            "Swipe down from the top-right corner (with a Home button, up from the bottom) and tap the Wi-Fi button in Control Center: the check page stays open. Settings → Wi-Fi works too.",
        ),
        Platform::Android => Text::new(
            "画面の上から下へなぞり、「Wi-Fi」か「インターネット」のボタンで切ります。確認のページは開いたままです。「設定」の「ネットワーク」などでも切れます（名前は機種で違います）。",
            "Swipe down from the top of the screen and tap Wi-Fi (or Internet) to turn it off: the check page stays open. Settings → Network & internet works too (names vary by model).",
        ),
    }
}

fn platform_name(p: Platform) -> &'static str {
    match p {
        Platform::Iphone => "iPhone",
        Platform::Android => "Android",
    }
}

impl OrderCard {
    /// The card for `playbook`, for a phone of `platform` (`None`: not known, show both),
    /// in `lang`, optionally naming whose card it is.
    pub fn build(
        playbook: &Playbook,
        platform: Option<Platform>,
        lang: Lang,
        profile_name: Option<&str>,
    ) -> OrderCard {
        let route = playbook.main_route();
        // The Wi-Fi how-to belongs on the card only when the main route turns the Wi-Fi off.
        let wifi_index = playbook
            .provider_of("phone.presence")
            .filter(|i| route.contains(i));
        let android = platform == Some(Platform::Android);
        let steps: Vec<CardStep> = route
            .iter()
            .enumerate()
            .map(|(n, &i)| {
                let s = &playbook.steps[i];
                let picture = match (&s.picture_android, android) {
                    (Some(p), true) => Some(p.get_ref().clone()),
                    _ => s.picture.as_ref().map(|p| p.get_ref().clone()),
                };
                CardStep {
                    number: n + 1,
                    id: s.id.get_ref().clone(),
                    place: s.place,
                    title: s.title.text().get(lang).to_owned(),
                    picture,
                    key: Some(i) == wifi_index,
                    // The last step only says "done": nothing to rest on a report.
                    reported: n + 1 < route.len()
                        && !s.sources.is_empty()
                        && s.sources.iter().all(|id| {
                            playbook.source(id.get_ref()).is_some_and(|src| {
                                *src.kind.get_ref() == crate::playbook::Confidence::UserReport
                            })
                        }),
                }
            })
            .collect();
        let number_of = |id: &str| {
            let i = playbook.step_index(id)?;
            route.iter().position(|&r| r == i).map(|p| p + 1)
        };

        let wifi_step = wifi_index.and_then(|i| route.iter().position(|&r| r == i).map(|p| p + 1));
        let wifi = match wifi_index {
            None => vec![],
            Some(i) => {
                let s = &playbook.steps[i];
                let iphone_pic = s.picture.as_ref().map(|p| p.get_ref().clone());
                let android_pic = s
                    .picture_android
                    .as_ref()
                    .map(|p| p.get_ref().clone())
                    .or_else(|| iphone_pic.clone());
                let how = |p: Platform, picture: Option<String>| WifiHow {
                    platform: p,
                    picture,
                    words: wifi_words(p).get(lang).to_owned(),
                };
                match platform {
                    Some(Platform::Iphone) => vec![how(Platform::Iphone, iphone_pic)],
                    Some(Platform::Android) => vec![how(Platform::Android, android_pic)],
                    None => vec![
                        how(Platform::Iphone, iphone_pic),
                        how(Platform::Android, android_pic),
                    ],
                }
            }
        };

        let (loop_heading, loop_items) = match playbook.symptom("loop") {
            None => (None, vec![]),
            Some(sy) => {
                let label = sy.label.text();
                let heading = match lang {
                    Lang::Ja => format!("「{}」ときは、上から順に見直します", label.ja),
                    Lang::En => format!("“{}”: check again, top first", label.en),
                };
                let mut items: Vec<String> = Vec::new();
                for rule in &sy.rules {
                    let go = rule.go_to.get_ref();
                    let Some(step) = playbook.step(go) else {
                        continue;
                    };
                    let title = step.title.text().get(lang).to_owned();
                    let when_expired = rule
                        .window
                        .as_ref()
                        .is_some_and(|w| *w.get_ref() == crate::playbook::WindowCond::Expired);
                    let n = number_of(go)
                        .map(|n| match lang {
                            Lang::Ja => format!("手順 {n}："),
                            Lang::En => format!("Step {n}: "),
                        })
                        .unwrap_or_default();
                    let prefix = if when_expired {
                        tr(lang, "時間が過ぎていたら → ", "If the time ran out → ")
                    } else {
                        String::new()
                    };
                    let item = if n.is_empty() {
                        format!("{prefix}{title}")
                    } else {
                        format!("{prefix}{n}{title}")
                    };
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
                (Some(heading), items)
            }
        };

        let any_reported = steps.iter().any(|s: &CardStep| s.reported);
        let legend = match (any_reported, lang) {
            (false, _) => "",
            (true, Lang::Ja) => "※の手順も、利用者の報告によるものです。",
            (true, Lang::En) => " Steps marked ※ also rest on a user report.",
        };
        let window = playbook.steps.iter().flat_map(|s| s.actions.iter().map(move |a| (s, a))).find_map(|(s, a)| {
            if *a.kind.get_ref() != ActionKind::StartWindow {
                return None;
            }
            let minutes = *a.minutes.as_ref()?.get_ref();
            let label = a.confidence.as_ref()?.get_ref().label();
            if a.starts.as_ref().map(|w| *w.get_ref()) == Some(crate::playbook::WindowStart::OnEnter) {
                let title = s.title.text();
                return Some(match lang {
                    Lang::Ja => format!("「{}」は、{minutes} 分以内に行います。{}。{legend}", title.ja, label.ja),
                    Lang::En => format!("“{}”: within {minutes} minutes. {}.{legend}", title.en, label.en),
                });
            }
            Some(match lang {
                Lang::Ja => format!(
                    "スマホで許可したあと、パソコンでログインできる時間には限りがあります。目安は {minutes} 分ほどです。{}。{legend}",
                    label.ja
                ),
                Lang::En => format!(
                    "After the phone allows it, the PC login works only for a while: about {minutes} minutes. {}.{legend}",
                    label.en
                ),
            })
        });

        let mut dates: Vec<&str> = playbook
            .sources
            .iter()
            .map(|s| s.checked.get_ref().as_str())
            .collect();
        dates.sort_unstable();
        let checked = match (dates.first(), dates.last()) {
            (Some(a), Some(b)) if a == b => {
                Some(tr(lang, "情報を確かめた日：", "Sources checked: ") + a)
            }
            (Some(a), Some(b)) => Some(format!(
                "{}{a} – {b}",
                tr(lang, "情報を確かめた日：", "Sources checked: ")
            )),
            _ => None,
        };

        let notes = card_notes(playbook, &route, lang);
        let name = playbook.name.text();
        OrderCard {
            lang,
            heading: match lang {
                Lang::Ja => format!("{}にパソコンでログインする順番", name.ja),
                Lang::En => format!("Logging in to {} on the PC: the order", name.en),
            },
            for_whom: profile_name.map(|p| match lang {
                Lang::Ja => japanese_for_whom(p),
                Lang::En => format!("For {p}"),
            }),
            steps,
            wifi_step,
            wifi,
            loop_heading,
            loop_items,
            window,
            checked,
            notes,
        }
    }
}

/// The choices on the route, the numbers that lock, an expiry read off a message.
fn card_notes(playbook: &Playbook, route: &[usize], lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    for (n, &i) in route.iter().enumerate() {
        let s = &playbook.steps[i];
        let labels: Vec<String> = s
            .actions
            .iter()
            .filter(|a| *a.kind.get_ref() == ActionKind::Choose)
            .filter_map(|a| a.label.as_ref().map(|l| l.text().get(lang).to_owned()))
            .collect();
        if let Some(first) = labels.first() {
            notes.push(match lang {
                Lang::Ja => format!(
                    "手順 {} では、画面に合う絵を選びます（{}）。この紙は「{first}」のときの順番です。ほかのときは手引きが案内します。",
                    n + 1,
                    labels.join("／")
                ),
                Lang::En => format!(
                    "At step {}, choose the picture that matches the screen ({}). This card shows the order for “{first}”; Tebiki guides the others.",
                    n + 1,
                    labels.join(" / ")
                ),
            });
        }
        if s.actions
            .iter()
            .any(|a| *a.kind.get_ref() == ActionKind::EnterExpiry)
        {
            notes.push(tr(
                lang,
                "SMS に書かれた「有効期限」の時刻までに、番号を入れます。",
                "Enter the code before the expiry time printed in the SMS (有効期限).",
            ));
        }
    }
    for c in &playbook.counters {
        let locks = *c.locks_after.get_ref();
        let label = c.label.text();
        notes.push(match lang {
            Lang::Ja => format!(
                "{}は、{locks}回続けてまちがえるとロックされます。{}回まちがえたら入れるのをやめて、手引きの案内に従います。",
                label.ja,
                locks - 1
            ),
            Lang::En => format!(
                "{} locks after {locks} wrong tries in a row. After {}, stop and follow Tebiki.",
                label.en,
                locks - 1
            ),
        });
    }
    notes
}

const CARD_CSS: &str = "\
@page{size:A4;margin:12mm}\
body{padding:0;font-size:14pt;line-height:1.25;word-break:auto-phrase}\
.page{width:186mm}\
header{display:flex;justify-content:space-between;align-items:flex-end;gap:4mm;border-bottom:3px solid #000;padding-bottom:1.5mm;margin-bottom:2.5mm}\
h1{font-size:18pt;line-height:1.2;margin:0}\
.side{text-align:right;white-space:nowrap}.who{font-size:16pt;font-weight:bold}\
ol.steps{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:1fr 1fr;grid-auto-flow:column;gap:1.2mm 2.5mm}\
ol.steps li{display:flex;align-items:center;gap:1.5mm;border:1.5px solid #000;border-radius:2mm;padding:0.6mm 1.2mm;min-height:12.5mm;break-inside:avoid}\
ol.steps li.key{border:4px double #000}\
.n{flex:none;width:8.5mm;height:8.5mm;border-radius:50%;background:#000;color:#fff;font-size:15pt;font-weight:bold;display:flex;align-items:center;justify-content:center}\
.t{flex:1;font-size:14pt;font-weight:bold;line-height:1.18}\
.where{display:inline-block;font-size:14pt;font-weight:normal;border:1px solid #000;padding:0 0.8mm;margin-right:1mm;line-height:1.15}\
.star{font-weight:bold}.nb{white-space:nowrap}.rep{font-weight:normal}\
ol.steps img{flex:none;width:12mm;height:12mm}\
section{border:2.5px solid #000;border-radius:2mm;padding:1mm 2.5mm;margin-top:1.5mm;break-inside:avoid;line-height:1.2}\
h2{font-size:15pt;margin:0 0 0.5mm;line-height:1.2}\
.wifi>div{display:flex;gap:2.5mm;align-items:center;margin-top:0.8mm}\
.wifi img{flex:none;width:16mm;height:16mm}\
section ul{margin:0;padding-left:6mm}section li{margin:0}.window{margin-top:1mm;border-top:1.5px solid #000;padding-top:1mm}\
p{margin:0}\
@media screen{body{padding:12mm;background:#eee}.page{background:#fff;padding:4mm;margin:auto}}";

/// The order card as a standalone A4 HTML page, in `lang`, for a phone of `platform`
/// (`None` shows both iPhone and Android). Pictures come from `pictures`. Inline CSS only,
/// no scripts, no requests other than the pictures (a CSP allows images from the page's
/// own place and `data:` only), every string escaped.
pub fn order_card_html(
    playbook: &Playbook,
    platform: Option<Platform>,
    lang: Lang,
    profile_name: Option<&str>,
    pictures: &Pictures<'_>,
) -> String {
    card_html(
        &OrderCard::build(playbook, platform, lang, profile_name),
        pictures,
    )
}

fn img(pictures: &Pictures<'_>, id: Option<&str>) -> String {
    id.and_then(|id| pictures.src(id))
        .map(|src| format!("<img src=\"{}\" alt=\"\">", escape::html(&src)))
        .unwrap_or_default()
}

fn wifi_heading(lang: Lang, step: Option<usize>) -> String {
    match (lang, step) {
        (Lang::Ja, Some(n)) => format!("手順 {n}：スマホの Wi-Fi の切り方"),
        (Lang::En, Some(n)) => format!("Step {n}: turning the phone's Wi-Fi off"),
        (Lang::Ja, None) => "スマホの Wi-Fi の切り方".into(),
        (Lang::En, None) => "Turning the phone's Wi-Fi off".into(),
    }
}

/// Escapes, then keeps "Wi-Fi" on one line (a break after its hyphen reads as two words).
fn h(s: &str) -> String {
    escape::html(s).replace("Wi-Fi", "<span class=\"nb\">Wi-Fi</span>")
}

fn card_html(card: &OrderCard, pictures: &Pictures<'_>) -> String {
    let lang = card.lang;
    let mut out = html_head(lang, &card.heading, "'self' data: file:", CARD_CSS);
    out.push_str("<body>\n<div class=\"page\">\n<header>");
    out.push_str(&format!(
        "<h1>{}</h1><div class=\"side\">",
        h(&card.heading)
    ));
    if let Some(w) = &card.for_whom {
        out.push_str(&format!("<div class=\"who\">{}</div>", h(w)));
    }
    // When the sources were read: printed at the top so an old card is noticed.
    if let Some(c) = &card.checked {
        out.push_str(&format!("<div class=\"checked\">{}</div>", h(c)));
    }
    out.push_str("</div></header>\n");
    // Column-major: read down the left column, then down the right one.
    let rows = card.steps.len().div_ceil(2).max(1);
    out.push_str(&format!(
        "<ol class=\"steps\" style=\"grid-template-rows:repeat({rows},auto)\">\n"
    ));
    for s in &card.steps {
        let star = if s.key {
            format!(
                "<span class=\"star\">{}</span>",
                h(&tr(lang, "★大事 ", "★Key: "))
            )
        } else {
            String::new()
        };
        let reported = if s.reported {
            format!("<span class=\"rep\">{}</span>", h(&tr(lang, "※", " ※")))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<li class=\"{}\" data-step=\"{}\"><span class=\"n\">{}</span><span class=\"t\"><span class=\"where\">{}</span>{star}{}{reported}</span>{}</li>\n",
            if s.key { "key" } else { "" },
            h(&s.id),
            s.number,
            h(&place_tag(lang, s.place)),
            h(&s.title),
            img(pictures, s.picture.as_deref())
        ));
    }
    out.push_str("</ol>\n");
    if !card.wifi.is_empty() {
        let heading = wifi_heading(lang, card.wifi_step);
        out.push_str(&format!(
            "<section class=\"wifi-box\"><h2>{}</h2><div class=\"wifi\">",
            h(&heading)
        ));
        let both = card.wifi.len() > 1;
        for w in &card.wifi {
            let name = if both {
                format!("<b>{}:</b> ", platform_name(w.platform))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "<div data-platform=\"{}\">{}<p>{name}{}</p></div>",
                platform_name(w.platform),
                img(pictures, w.picture.as_deref()),
                h(&w.words)
            ));
        }
        out.push_str("</div></section>\n");
    }
    if !card.notes.is_empty() {
        out.push_str("<section class=\"notes\"><ul>");
        for n in &card.notes {
            out.push_str(&format!("<li>{}</li>", h(n)));
        }
        out.push_str("</ul></section>\n");
    }
    if let Some(heading) = &card.loop_heading {
        out.push_str(&format!(
            "<section class=\"loop\"><h2>{}</h2><ul>",
            h(heading)
        ));
        for item in &card.loop_items {
            out.push_str(&format!("<li>{}</li>", h(item)));
        }
        out.push_str("</ul>");
        // The window belongs here: running out of it is one of the reasons for the loop.
        if let Some(w) = &card.window {
            out.push_str(&format!("<p class=\"window\">{}</p>", h(w)));
        }
        out.push_str("</section>\n");
    } else if let Some(w) = &card.window {
        out.push_str(&format!("<section><p>{}</p></section>\n", h(w)));
    }
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

/// The order card as Markdown, in `lang`, for a phone of `platform` (`None`: both).
pub fn order_card_markdown(
    playbook: &Playbook,
    platform: Option<Platform>,
    lang: Lang,
    profile_name: Option<&str>,
) -> String {
    let card = OrderCard::build(playbook, platform, lang, profile_name);
    let md = escape::markdown;
    let mut out = format!("# {}\n\n", md(&card.heading));
    if let Some(w) = &card.for_whom {
        out.push_str(&format!("**{}**\n\n", md(w)));
    }
    for s in &card.steps {
        let star = if s.key {
            tr(lang, " ★大事", " ★Key")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{}. 【{}】{}{star}{}\n",
            s.number,
            md(&place_tag(lang, s.place)),
            md(&s.title),
            if s.reported { " ※" } else { "" }
        ));
    }
    if !card.wifi.is_empty() {
        out.push_str(&format!(
            "\n## {}\n\n",
            md(&wifi_heading(lang, card.wifi_step))
        ));
        for w in &card.wifi {
            out.push_str(&format!(
                "- **{}**: {}\n",
                platform_name(w.platform),
                md(&w.words)
            ));
        }
    }
    if !card.notes.is_empty() {
        out.push('\n');
        for n in &card.notes {
            out.push_str(&format!("- {}\n", md(n)));
        }
    }
    if let Some(heading) = &card.loop_heading {
        out.push_str(&format!("\n## {}\n\n", md(heading)));
        for item in &card.loop_items {
            out.push_str(&format!("- {}\n", md(item)));
        }
    }
    if let Some(w) = &card.window {
        out.push_str(&format!("\n{}\n", md(w)));
    }
    if let Some(c) = &card.checked {
        out.push_str(&format!("\n{}\n", md(c)));
    }
    out
}

/// 「山田さん用」, but a name the helper already wrote with an honorific (「山田さん（母）」,
/// 「母さん」, 「山田様」) is not given a second one.
fn japanese_for_whom(name: &str) -> String {
    let honorific = ["さん", "様", "さま", "ちゃん", "くん"];
    let has = honorific.iter().any(|h| name.contains(h));
    if has {
        format!("{name}用")
    } else {
        format!("{name}さん用")
    }
}

#[cfg(test)]
mod honorific_tests {
    #[test]
    fn an_honorific_is_not_added_twice() {
        assert_eq!(super::japanese_for_whom("田中"), "田中さん用");
        assert_eq!(
            super::japanese_for_whom("山田さん（母）"),
            "山田さん（母）用"
        );
        assert_eq!(super::japanese_for_whom("鈴木様"), "鈴木様用");
    }
}
