//! The session record as words: one list of rows built once, then written as Markdown or as
//! a standalone print-friendly HTML page. Nothing here reads a clock or a file.

use super::escape;
use super::record::{Entry, EntryKind, Move, Outcome, Record, WindowEnd};
use crate::clock;
use crate::i18n::{Lang, Text};
use crate::playbook::Place;

/// One row of the printed timeline.
struct Row {
    time: String,
    elapsed: String,
    tag: &'static str,
    text: String,
    /// The helper's detail (evidence), shown smaller; may be empty.
    detail: String,
}

fn t(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

fn place(lang: Lang, p: Place) -> &'static str {
    match p {
        Place::Pc => t(lang, "パソコン", "PC"),
        Place::Phone => t(lang, "スマホ", "phone"),
        Place::Both => t(lang, "パソコンとスマホ", "PC and phone"),
    }
}

/// Words for the values people meet most; other values print as they are.
pub(crate) fn value_text(value: &str) -> Option<Text> {
    let (ja, en) = match value {
        "wifi" => ("Wi-Fi", "Wi-Fi"),
        "cellular" => ("モバイル回線（Wi-Fi ではない）", "mobile line (not Wi-Fi)"),
        "unknown" => ("分からない", "cannot tell"),
        "on_lan" => ("家のネットワークで見えている", "seen on the home network"),
        "left_lan" => ("家のネットワークから離れた", "left the home network"),
        "hidden" => ("画面が隠れている", "page hidden"),
        "never_seen" => ("まだ読み取られていない", "not scanned yet"),
        "iphone" => ("iPhone", "iPhone"),
        "android" => ("Android", "Android"),
        "ethernet" => ("有線 LAN", "Ethernet"),
        "online" => ("つながっている", "online"),
        "offline" => ("つながっていない", "offline"),
        "on" => ("オン", "on"),
        "off" => ("オフ", "off"),
        "ready" => ("できる", "ready"),
        "current" => ("最新", "up to date"),
        "not_iphone" => ("iPhone ではない", "not an iPhone"),
        "absent" => ("ない", "none"),
        "windows11" => ("Windows 11", "Windows 11"),
        "windows10" => ("Windows 10", "Windows 10"),
        "windows_older" => ("Windows 8.1 以前", "Windows 8.1 or older"),
        "macos13_or_later" => ("macOS 13 以降", "macOS 13 or later"),
        "macos_older" => ("macOS 12 以前", "macOS 12 or older"),
        "linux" => ("Linux", "Linux"),
        _ => return None,
    };
    Some(Text::new(ja, en))
}

/// `words (raw)` with the language's own brackets.
fn paren(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Ja => format!("（{s}）"),
        Lang::En => format!(" ({s})"),
    }
}

fn value(lang: Lang, v: &str) -> String {
    match value_text(v) {
        Some(w) if w.get(lang) != v => format!("{}{}", w.get(lang), paren(lang, v)),
        Some(w) => w.get(lang).to_owned(),
        None => v.to_owned(),
    }
}

fn rows(r: &Record, lang: Lang) -> Vec<Row> {
    let start = r.started_at();
    let z = r.utc_offset_minutes;
    r.entries
        .iter()
        .map(|e| {
            let (tag, text, detail) = describe(e, lang, z);
            Row {
                time: clock::time_of_day(e.at, z),
                elapsed: start
                    .map(|s| clock::elapsed(e.at.since(s)))
                    .unwrap_or_default(),
                tag,
                text,
                detail,
            }
        })
        .collect()
}

fn describe(e: &Entry, lang: Lang, z: Option<i32>) -> (&'static str, String, String) {
    let none = String::new;
    match &e.kind {
        EntryKind::Started => (
            t(lang, "開始", "Start"),
            t(lang, "手順を始めました。", "The session started.").into(),
            none(),
        ),
        EntryKind::Restarted => (
            t(lang, "開始", "Start"),
            t(
                lang,
                "最初からやり直しました。",
                "Started over from the beginning.",
            )
            .into(),
            none(),
        ),
        EntryKind::StepEntered {
            title,
            index,
            total,
            place: p,
            how,
            ..
        } => {
            let n = match index {
                Some(i) => format!("{} {i}/{total}", t(lang, "手順", "Step")),
                None => t(lang, "寄り道", "Side step").to_owned(),
            };
            let why = match how {
                Move::Start | Move::Next => "",
                Move::Back => t(lang, "（戻る）", " (back)"),
                Move::Link => t(lang, "（移動）", " (link)"),
                Move::Symptom => t(lang, "（困ったときの案内で）", " (from a reported problem)"),
                Move::Rewind => t(
                    lang,
                    "（状態が変わったため戻りました）",
                    " (went back: something changed)",
                ),
                Move::WindowExpired => t(lang, "（時間切れのため）", " (the time ran out)"),
            };
            (
                t(lang, "手順", "Step"),
                format!(
                    "{n}{}: {}{why}",
                    paren(lang, place(lang, *p)),
                    title.get(lang)
                ),
                none(),
            )
        }
        EntryKind::Measured {
            label,
            value: v,
            evidence,
            ..
        } => (
            t(lang, "測定", "Measured"),
            format!("{}: {}", label.get(lang), value(lang, v)),
            evidence.clone(),
        ),
        EntryKind::Confirmed {
            label, value: v, ..
        } => (
            t(lang, "確認", "Confirmed"),
            format!(
                "{}: {}{}",
                label.get(lang),
                value(lang, v),
                t(lang, "（利用者の確認）", " (the user's word)")
            ),
            none(),
        ),
        EntryKind::Explained { text, .. } => {
            (t(lang, "説明", "Explained"), text.get(lang).into(), none())
        }
        EntryKind::Symptom { label, cause, .. } => (
            t(lang, "困ったとき", "Problem"),
            format!("「{}」→ {}", label.get(lang), cause.get(lang)),
            none(),
        ),
        EntryKind::WindowStarted {
            deadline,
            minutes,
            label,
            ..
        } => (
            t(lang, "時間", "Window"),
            match lang {
                Lang::Ja => format!(
                    "パソコンでログインできる時間を計り始めました: {minutes}分（{} まで）。{}。",
                    clock::time_of_day(*deadline, z),
                    label.ja
                ),
                Lang::En => format!(
                    "Started timing the PC-login window: {minutes} min (until {}). {}.",
                    clock::time_of_day(*deadline, z),
                    label.en
                ),
            },
            none(),
        ),
        EntryKind::WindowEnded { how, text } => {
            let head = match how {
                WindowEnd::Expired => t(lang, "時間が終わりました。", "The window ran out."),
                WindowEnd::Closed => t(
                    lang,
                    "時間の計測を終えました。",
                    "Stopped timing the window.",
                ),
            };
            let tail = text.as_ref().map(|x| x.get(lang)).unwrap_or("");
            let gap = if tail.is_empty() || lang == Lang::Ja {
                ""
            } else {
                " "
            };
            (
                t(lang, "時間", "Window"),
                format!("{head}{gap}{tail}"),
                none(),
            )
        }
        EntryKind::Notified { text } => {
            (t(lang, "お知らせ", "Notice"), text.get(lang).into(), none())
        }
        EntryKind::PageOpened { host } => (
            t(lang, "操作", "Action"),
            format!(
                "{}: {host}",
                t(lang, "公式のページを開きました", "Opened the official page")
            ),
            none(),
        ),
        EntryKind::PhoneCheck { running } => (
            t(lang, "操作", "Action"),
            if *running {
                t(
                    lang,
                    "スマホの確認を始めました。",
                    "Started the phone check.",
                )
            } else {
                t(
                    lang,
                    "スマホの確認を終えました。",
                    "Stopped the phone check.",
                )
            }
            .into(),
            none(),
        ),
        EntryKind::AccountIdCopied => (
            t(lang, "操作", "Action"),
            t(
                lang,
                "保存した ID をコピーしました（ID そのものは記録していません）。",
                "Copied the saved ID (the ID itself is not recorded).",
            )
            .into(),
            none(),
        ),
        EntryKind::Outcome { outcome } => (
            t(lang, "結果", "Outcome"),
            outcome_text(lang, *outcome).into(),
            none(),
        ),
    }
}

fn outcome_text(lang: Lang, o: Outcome) -> &'static str {
    match o {
        Outcome::Finished => t(lang, "最後の手順まで進みました。", "Reached the last step."),
        Outcome::EndedEarly => t(lang, "途中で終了しました。", "Ended before the last step."),
        Outcome::StillRunning => t(lang, "まだ途中です。", "Still under way."),
    }
}

/// The summary lines at the top: (label, value).
fn summary(r: &Record, lang: Lang) -> Vec<(&'static str, String)> {
    let z = r.utc_offset_minutes;
    let mut out = vec![(
        t(lang, "手順書", "Guide"),
        r.playbook_name.get(lang).to_owned(),
    )];
    if let (Some(first), Some(last)) = (r.entries.first(), r.entries.last()) {
        out.push((
            t(lang, "開始", "Started"),
            format!("{} ({})", clock::date_time(first.at, z), clock::zone(z)),
        ));
        out.push((
            t(lang, "最後の記録", "Last entry"),
            format!("{} ({})", clock::date_time(last.at, z), clock::zone(z)),
        ));
    }
    out.push((
        t(lang, "結果", "Outcome"),
        outcome_text(lang, r.outcome()).to_owned(),
    ));
    let furthest = r
        .entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::StepEntered {
                index: Some(i),
                total,
                ..
            } => Some((*i, *total)),
            _ => None,
        })
        .max();
    if let Some((i, total)) = furthest {
        out.push((
            t(lang, "いちばん先の手順", "Furthest step"),
            format!("{i} / {total}"),
        ));
    }
    let count = |f: fn(&EntryKind) -> bool| r.entries.iter().filter(|e| f(&e.kind)).count();
    out.push((
        t(lang, "測定と確認", "Measured / confirmed"),
        match lang {
            Lang::Ja => format!(
                "手引きが測った事実 {} 件、利用者の確認 {} 件",
                count(|k| matches!(k, EntryKind::Measured { .. })),
                count(|k| matches!(k, EntryKind::Confirmed { .. }))
            ),
            Lang::En => format!(
                "{} facts measured by Tebiki, {} confirmed by the user",
                count(|k| matches!(k, EntryKind::Measured { .. })),
                count(|k| matches!(k, EntryKind::Confirmed { .. }))
            ),
        },
    ));
    out
}

fn title(r: &Record, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("手引きの記録: {}", r.playbook_name.ja),
        Lang::En => format!("Tebiki session record: {}", r.playbook_name.en),
    }
}

fn privacy(lang: Lang) -> &'static str {
    t(
        lang,
        "この記録には、ID・パスワード・確認用のアドレスは含まれていません。「測定」は手引きが自分で確かめたこと、「確認」は利用者が答えたことです。",
        "This record holds no account ID, password or check address. “Measured” is what Tebiki checked itself; “Confirmed” is what the user said.",
    )
}

fn dropped_note(r: &Record, lang: Lang) -> Option<String> {
    (r.dropped > 0).then(|| match lang {
        Lang::Ja => format!(
            "（記録が長くなったため、最初の {} 件は省いています）",
            r.dropped
        ),
        Lang::En => format!(
            "(The record grew long; its first {} entries were dropped.)",
            r.dropped
        ),
    })
}

pub(crate) fn record_markdown(r: &Record, lang: Lang) -> String {
    let md = escape::markdown;
    let mut out = format!("# {}\n\n", md(&title(r, lang)));
    for (k, v) in summary(r, lang) {
        out.push_str(&format!("- **{}**: {}\n", md(k), md(&v)));
    }
    out.push_str(&format!("\n{}\n\n", md(privacy(lang))));
    out.push_str(&format!("## {}\n\n", t(lang, "できごと", "Timeline")));
    if let Some(n) = dropped_note(r, lang) {
        out.push_str(&format!("{}\n\n", md(&n)));
    }
    for row in rows(r, lang) {
        out.push_str(&format!(
            "- {} ({}) **{}** {}\n",
            row.time,
            row.elapsed,
            md(row.tag),
            md(&row.text)
        ));
        if !row.detail.is_empty() {
            out.push_str(&format!(
                "  - {}: {}\n",
                t(lang, "根拠", "Evidence"),
                md(&row.detail)
            ));
        }
    }
    out
}

/// The CSS every exported page shares: black on white, large type, nothing that needs colour.
pub(crate) const BASE_CSS: &str = "\
*{box-sizing:border-box}\
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\
body{margin:0;padding:16px;background:#fff;color:#000;\
font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic','Meiryo',sans-serif;\
font-size:14pt;line-height:1.45}\
h1{font-size:20pt;margin:0 0 8px}h2{font-size:17pt;margin:18px 0 6px}\
@media print{body{padding:0}}";

const RECORD_CSS: &str = "\
@page{size:A4;margin:14mm}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0 0 10px}\
dt{font-weight:bold}dd{margin:0}\
.note{border:2px solid #000;padding:6px 10px}\
table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #000;padding:4px 6px;text-align:left;vertical-align:top}\
th{border-bottom:2px solid #000}\
td.time{white-space:nowrap;font-variant-numeric:tabular-nums}\
td.tag{white-space:nowrap;font-weight:bold}\
.detail{font-size:12pt;font-family:'Noto Sans Mono',monospace;margin-top:2px}\
tr{break-inside:avoid}";

/// The page head: charset, a CSP that allows no scripts and no requests but inline style
/// (and images only from `img_src`), and the styles.
pub(crate) fn html_head(lang: Lang, title: &str, img_src: &str, css: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src {img_src}\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n",
        match lang {
            Lang::Ja => "ja",
            Lang::En => "en",
        },
        escape::html(title)
    )
}

pub(crate) fn record_html(r: &Record, lang: Lang) -> String {
    let h = escape::html;
    let title = title(r, lang);
    let mut out = html_head(lang, &title, "'none'", RECORD_CSS);
    out.push_str(&format!("<body>\n<h1>{}</h1>\n<dl>\n", h(&title)));
    for (k, v) in summary(r, lang) {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", h(k), h(&v)));
    }
    out.push_str(&format!(
        "</dl>\n<p class=\"note\">{}</p>\n",
        h(privacy(lang))
    ));
    out.push_str(&format!("<h2>{}</h2>\n", t(lang, "できごと", "Timeline")));
    if let Some(n) = dropped_note(r, lang) {
        out.push_str(&format!("<p>{}</p>\n", h(&n)));
    }
    out.push_str(&format!(
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        t(lang, "時刻", "Time"),
        t(lang, "種類", "Kind"),
        t(lang, "内容", "What happened")
    ));
    for row in rows(r, lang) {
        let detail = if row.detail.is_empty() {
            String::new()
        } else {
            format!(
                "<div class=\"detail\">{}: {}</div>",
                t(lang, "根拠", "Evidence"),
                h(&row.detail)
            )
        };
        out.push_str(&format!(
            "<tr><td class=\"time\">{}<br>{}</td><td class=\"tag\">{}</td><td>{}{detail}</td></tr>\n",
            h(&row.time),
            h(&row.elapsed),
            h(row.tag),
            h(&row.text)
        ));
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

impl Record {
    /// The record as Markdown, in `lang`.
    pub fn to_markdown(&self, lang: Lang) -> String {
        record_markdown(self, lang)
    }

    /// The record as a standalone, print-friendly HTML page, in `lang`: inline CSS only,
    /// no scripts, no external requests (a CSP says so too), every string escaped.
    pub fn to_html(&self, lang: Lang) -> String {
        record_html(self, lang)
    }
}
