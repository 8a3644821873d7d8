//! The order card and the session record as the window and the helper get them: a plain,
//! serialisable card view for the in-app print view (the window builds it from data, never
//! from HTML, so the strict CSP stays), and files written into `<app data>/exports/`.
//!
//! Pure where it can be: building the view, naming the file and inlining pictures are plain
//! functions; only [`write_export`] touches the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::facts::UnixMs;
use crate::i18n::Lang;
use crate::playbook::{Place, Platform, Playbook};
use crate::report::{OrderCard, Pictures, Record, order_card_html, order_card_markdown};
use crate::store::{PhonePlatform, StoreError, atomic_write, utc_stamp};

/// Which paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    Card,
    Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperFormat {
    Html,
    Markdown,
}

impl PaperFormat {
    fn extension(self) -> &'static str {
        match self {
            PaperFormat::Html => "html",
            PaperFormat::Markdown => "md",
        }
    }
}

/// The last file exported, for the helper screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportView {
    pub paper: Paper,
    pub format: PaperFormat,
    pub path: String,
}

/// One numbered step of the card, for the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardStepView {
    pub number: usize,
    /// pc / phone / both.
    pub place: Place,
    pub title: String,
    pub picture: Option<String>,
    /// The phone's Wi-Fi step: the one the order hangs on.
    pub key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WifiView {
    pub platform: Platform,
    pub picture: Option<String>,
    pub words: String,
}

/// The order card's content, as data (see `report::OrderCard`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardView {
    pub playbook: String,
    pub lang: Lang,
    pub heading: String,
    pub for_whom: Option<String>,
    pub steps: Vec<CardStepView>,
    pub wifi_step: Option<usize>,
    pub wifi: Vec<WifiView>,
    pub loop_heading: Option<String>,
    pub loop_items: Vec<String>,
    /// The window, labelled with its confidence (a user report, not an official figure).
    pub window: Option<String>,
    pub checked: Option<String>,
    /// The picture choices on the route, the numbers that lock, an expiry read off a message.
    pub notes: Vec<String>,
}

/// The phone kind the card shows: the profile's, or both when not known.
pub fn card_platform(p: PhonePlatform) -> Option<Platform> {
    match p {
        PhonePlatform::Iphone => Some(Platform::Iphone),
        PhonePlatform::Android => Some(Platform::Android),
        PhonePlatform::Unknown => None,
    }
}

pub fn card_view(
    playbook: &Playbook,
    platform: Option<Platform>,
    lang: Lang,
    profile_name: Option<&str>,
) -> CardView {
    let c = OrderCard::build(playbook, platform, lang, profile_name);
    CardView {
        playbook: playbook.id().to_owned(),
        lang,
        heading: c.heading,
        for_whom: c.for_whom,
        steps: c
            .steps
            .into_iter()
            .map(|s| CardStepView {
                number: s.number,
                place: s.place,
                title: s.title,
                picture: s.picture,
                key: s.key,
            })
            .collect(),
        wifi_step: c.wifi_step,
        wifi: c
            .wifi
            .into_iter()
            .map(|w| WifiView {
                platform: w.platform,
                picture: w.picture,
                words: w.words,
            })
            .collect(),
        loop_heading: c.loop_heading,
        loop_items: c.loop_items,
        window: c.window,
        checked: c.checked,
        notes: c.notes,
    }
}

/// Every picture id the card uses (to fetch them from the window's assets).
pub fn card_picture_ids(view: &CardView) -> Vec<String> {
    let mut ids: Vec<String> = view
        .steps
        .iter()
        .filter_map(|s| s.picture.clone())
        .chain(view.wifi.iter().filter_map(|w| w.picture.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// An SVG as a `data:` URL, so an exported page needs no files beside it (percent-encoded:
/// every byte that is not plainly safe in a URL).
pub fn svg_data_url(svg: &str) -> String {
    let mut out = String::from("data:image/svg+xml,");
    for b in svg.bytes() {
        if b.is_ascii_alphanumeric() || b" -_.~/:=;,'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file name of an export: `<what>-<UTC time>.<ext>`, never anything the user typed.
pub fn export_name(paper: Paper, format: PaperFormat, now: UnixMs) -> String {
    let what = match paper {
        Paper::Card => "order-card",
        Paper::Record => "session-record",
    };
    format!("{what}-{}.{}", utc_stamp(now), format.extension())
}

/// The text of an export.
pub fn card_text(
    playbook: &Playbook,
    platform: Option<Platform>,
    lang: Lang,
    profile_name: Option<&str>,
    format: PaperFormat,
    pictures: &BTreeMap<String, String>,
) -> String {
    match format {
        PaperFormat::Html => order_card_html(
            playbook,
            platform,
            lang,
            profile_name,
            &Pictures::Urls(pictures),
        ),
        PaperFormat::Markdown => order_card_markdown(playbook, platform, lang, profile_name),
    }
}

pub fn record_text(record: &Record, lang: Lang, format: PaperFormat) -> String {
    match format {
        PaperFormat::Html => record.to_html(lang),
        PaperFormat::Markdown => record.to_markdown(lang),
    }
}

/// Writes `text` as `<dir>/exports/<name>` (atomically) and returns the path.
pub fn write_export(dir: &Path, name: &str, text: &str) -> Result<PathBuf, StoreError> {
    let exports = dir.join("exports");
    std::fs::create_dir_all(&exports).map_err(|e| StoreError::Io {
        action: "create the folder",
        path: exports.clone(),
        source: e,
    })?;
    let path = exports.join(name);
    atomic_write(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_url_escapes_what_would_break_an_attribute_or_url() {
        let url = svg_data_url("<svg a=\"1\">#%&\u{3042}</svg>");
        assert!(url.starts_with("data:image/svg+xml,%3Csvg"));
        let body = &url["data:image/svg+xml,".len()..];
        for bad in ['"', '<', '>', '#', '&', ' '] {
            assert!(!body.contains(bad) || bad == ' ', "{bad} in {url}");
        }
        // Every % starts an escape of two hex digits.
        for (i, _) in body.match_indices('%') {
            assert!(
                body[i + 1..].chars().take(2).all(|c| c.is_ascii_hexdigit()),
                "{url}"
            );
        }
        assert!(url.contains("%E3%81%82"), "UTF-8 bytes encoded: {url}");
    }

    #[test]
    fn export_names_say_what_and_when_and_end_in_the_format() {
        let n = export_name(Paper::Record, PaperFormat::Markdown, UnixMs(0));
        assert!(n.starts_with("session-record-19700101"), "{n}");
        assert!(n.ends_with(".md"));
        let n = export_name(Paper::Card, PaperFormat::Html, UnixMs(0));
        assert!(n.starts_with("order-card-") && n.ends_with(".html"), "{n}");
    }
}
