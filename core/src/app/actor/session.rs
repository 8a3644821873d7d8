//! The session part of the actor: the running session (resumed from `session.json` or
//! begun), the QR its current step shows, and the clock's "time is running out" warning.

use std::path::Path;
use std::sync::Arc;

use super::text;
use crate::app::persist::{CountsFile, Loaded, SessionFile};
use crate::app::snapshot::QrView;
use crate::facts::UnixMs;
use crate::flow::Session;
use crate::i18n::Text;
use crate::playbook::Playbook;

pub(super) struct SessionPart {
    pub(super) file: SessionFile,
    /// Reported wrong tries, kept apart from the session: they outlive it.
    pub(super) counts: CountsFile,
    pub(super) current: Option<Session>,
    /// The session was resumed after a restart (until another one begins).
    pub(super) resumed: bool,
    /// The deadline the person was last warned about.
    pub(super) warned_for: Option<UnixMs>,
    pub(super) qr: Option<QrView>,
    /// The step that showed `qr`.
    pub(super) qr_step: Option<String>,
}

impl SessionPart {
    pub(super) fn new(data_dir: &Path) -> SessionPart {
        SessionPart {
            file: SessionFile::in_dir(data_dir),
            counts: CountsFile::in_dir(data_dir),
            current: None,
            resumed: false,
            warned_for: None,
            qr: None,
            qr_step: None,
        }
    }

    /// Resumes the saved session, if any; returns what the person is told about it.
    pub(super) fn load(&mut self, playbooks: &[Arc<Playbook>], now: UnixMs) -> Option<Text> {
        match self.file.load(playbooks, now) {
            Loaded::Nothing => None,
            Loaded::Resumed(session) => {
                self.current = Some(*session);
                self.resumed = true;
                Some(text::resumed())
            }
            Loaded::KeptAside { why, .. } => Some(why),
        }
    }

    /// A session is under way (not finished).
    pub(super) fn under_way(&self) -> bool {
        self.current.as_ref().is_some_and(|s| !s.is_finished())
    }

    pub(super) fn step_id(&self) -> Option<String> {
        self.current
            .as_ref()
            .and_then(|s| s.step_id().map(str::to_owned))
    }

    pub(super) fn begin(&mut self, session: Session) {
        self.current = Some(session);
        self.resumed = false;
        self.warned_for = None;
        self.qr = None;
    }

    /// Forgets the session, here and on disk.
    pub(super) fn end(&mut self) {
        self.current = None;
        self.qr = None;
        self.resumed = false;
        self.file.remove();
    }

    pub(super) fn show_qr(&mut self, qr: QrView) {
        self.qr_step = self.step_id();
        self.qr = Some(qr);
    }

    /// A QR belongs to the step that showed it.
    pub(super) fn drop_qr_of_other_steps(&mut self) {
        if self.qr.is_some() && self.qr_step != self.step_id() {
            self.qr = None;
        }
    }

    /// The time left (ms) when the login window closes within `warn_ms` and the person was
    /// not warned about this deadline yet; it then counts as warned.
    pub(super) fn warning_due(&mut self, now: UnixMs, warn_ms: i64) -> Option<i64> {
        let (deadline, left) = self
            .current
            .as_ref()
            .and_then(|s| s.window())
            .and_then(|w| {
                let left = w.deadline.since(now);
                (left > 0 && left <= warn_ms && self.warned_for != Some(w.deadline))
                    .then_some((w.deadline, left))
            })?;
        self.warned_for = Some(deadline);
        Some(left)
    }
}
