//! The actor's session record (kept next to the session, ended into `last-record.json`)
//! and the exports of the record and the order card.

use std::collections::BTreeMap;

use super::{Actor, log_problem, off_runtime, text};
use crate::app::paper::{
    self, CardView, ExportView, Paper, PaperFormat, card_platform, export_name, write_export,
};
use crate::facts::UnixMs;
use crate::flow::SessionView;
use crate::i18n::Lang;
use crate::playbook::Playbook;
use crate::report::Record;
use crate::store::atomic_write;

pub(super) const RECORD_FILE: &str = "record.json";
pub(super) const LAST_RECORD_FILE: &str = "last-record.json";

/// The papers part of the actor: the running session's record, the last finished one, the
/// window's time zone for their times, and the last export.
#[derive(Default)]
pub(super) struct Papers {
    pub(super) record: Option<Record>,
    pub(super) last_record: Option<Record>,
    /// The window's UTC offset in minutes (east positive), once it told.
    pub(super) utc_offset: Option<i32>,
    pub(super) last_export: Option<ExportView>,
}

impl Papers {
    pub(super) fn new_record(&self, view: &SessionView) -> Record {
        let r = Record::new(view);
        match self.utc_offset {
            Some(m) => r.with_utc_offset(m),
            None => r,
        }
    }

    pub(super) fn set_utc_offset(&mut self, minutes: i32) {
        // Time zones span -12:00 to +14:00.
        if (-14 * 60..=14 * 60).contains(&minutes) {
            self.utc_offset = Some(minutes);
        }
    }

    /// The record shown and exported: the running session's, else the last one.
    pub(super) fn shown_record(&self) -> Option<&Record> {
        self.record.as_ref().or(self.last_record.as_ref())
    }
}

impl Actor {
    /// At start: the running session's record (resumed) and the last finished one.
    pub(super) fn load_records(&mut self) {
        let read = |name: &str| {
            std::fs::read_to_string(self.config.data_dir.join(name))
                .ok()
                .and_then(|t| match Record::from_json(&t) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        log_problem(&format!("{name}: {e}"));
                        None
                    }
                })
        };
        self.papers.last_record = read(LAST_RECORD_FILE);
        if let Some(session) = &self.session.current {
            let view = session.view(UnixMs::now());
            self.papers.record = read(RECORD_FILE)
                .filter(|r| r.playbook_id == view.playbook_id)
                .or_else(|| Some(self.papers.new_record(&view)));
        }
    }

    pub(super) async fn save_record(&self) {
        let Some(record) = &self.papers.record else {
            return;
        };
        let path = self.config.data_dir.join(RECORD_FILE);
        let json = record.to_json();
        if let Err(e) = off_runtime(move || atomic_write(&path, json.as_bytes())).await {
            log_problem(&format!("could not save the session record: {e}"));
        }
    }

    /// The session ended: the record gets its outcome and becomes the last record.
    pub(super) async fn end_record(&mut self, now: UnixMs) {
        let Some(mut record) = self.papers.record.take() else {
            return;
        };
        record.end(now);
        let dir = self.config.data_dir.clone();
        let json = record.to_json();
        let kept = off_runtime(move || {
            let kept = atomic_write(&dir.join(LAST_RECORD_FILE), json.as_bytes());
            let _ = std::fs::remove_file(dir.join(RECORD_FILE));
            kept
        })
        .await;
        if let Err(e) = kept {
            log_problem(&format!("could not keep the session record: {e}"));
        }
        self.papers.last_record = Some(record);
    }

    /// The active profile's playbook (or the first bundled one) for the card.
    fn card_playbook(&self) -> Option<std::sync::Arc<Playbook>> {
        let service = self.helper.active_profile().map(|p| p.service.clone());
        service
            .and_then(|s| self.playbooks.iter().find(|p| p.id() == s))
            .or_else(|| self.playbooks.first())
            .cloned()
    }

    pub(in crate::app) fn card_view(&self, lang: Lang) -> Option<CardView> {
        let playbook = self.card_playbook()?;
        let profile = self.helper.active_profile();
        Some(paper::card_view(
            &playbook,
            profile.and_then(|p| card_platform(p.phone_platform)),
            lang,
            profile.map(|p| p.display_name.as_str()),
        ))
    }

    pub(in crate::app) fn record_markdown(&self, lang: Lang) -> Option<String> {
        self.papers.shown_record().map(|r| r.to_markdown(lang))
    }

    pub(super) async fn export(
        &mut self,
        what: Paper,
        format: PaperFormat,
        lang: Lang,
        now: UnixMs,
    ) {
        let text = match what {
            Paper::Record => match self.papers.shown_record() {
                Some(r) => paper::record_text(r, lang, format),
                None => {
                    self.notice = Some(text::no_record_yet());
                    return;
                }
            },
            Paper::Card => {
                let Some(playbook) = self.card_playbook() else {
                    return;
                };
                let profile = self.helper.active_profile();
                let platform = profile.and_then(|p| card_platform(p.phone_platform));
                let name = profile.map(|p| p.display_name.clone());
                let view = paper::card_view(&playbook, platform, lang, name.as_deref());
                let pictures: BTreeMap<String, String> = paper::card_picture_ids(&view)
                    .into_iter()
                    .filter_map(|id| {
                        let svg = self.desktop.picture_svg(&id)?;
                        Some((id, paper::svg_data_url(&svg)))
                    })
                    .collect();
                paper::card_text(
                    &playbook,
                    platform,
                    lang,
                    name.as_deref(),
                    format,
                    &pictures,
                )
            }
        };
        let dir = self.config.data_dir.clone();
        let name = export_name(what, format, now);
        match off_runtime(move || write_export(&dir, &name, &text)).await {
            Ok(path) => {
                let shown = path.display().to_string();
                self.notice = Some(text::export_saved(&shown));
                self.papers.last_export = Some(ExportView {
                    paper: what,
                    format,
                    path: shown,
                });
            }
            Err(e) => {
                log_problem(&format!("export: {e}"));
                self.notice = Some(text::export_failed());
            }
        }
    }

    /// Opens the last export in the default program (a browser for HTML), to print.
    pub(super) fn open_export(&mut self) {
        let Some(export) = &self.papers.last_export else {
            return;
        };
        let path = std::path::PathBuf::from(&export.path);
        if let Err(e) = self.desktop.open_file(&path) {
            log_problem(&e.to_string());
            self.notice = Some(e.user_message());
        }
    }
}
