//! The saved session: versioned JSON. A file from a newer Tebiki, for another playbook, or
//! for a playbook that has since changed is refused with a clear message, never a panic.

use std::sync::Arc;

use super::session::{Session, State};
use crate::i18n::Text;
use crate::playbook::Playbook;

/// The format version `to_json` writes and `from_json` reads.
pub const SESSION_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    #[error("the saved session cannot be read ({0}); start a new session")]
    Malformed(String),
    #[error(
        "the saved session was written by a newer Tebiki (format {found}; this one reads {SESSION_VERSION}); update Tebiki or start a new session"
    )]
    NewerVersion { found: u64 },
    #[error(
        "the saved session has format {found}, which this Tebiki does not read; start a new session"
    )]
    UnsupportedVersion { found: u64 },
    #[error(
        "the saved session follows playbook {saved}, not {given}; resume it with that playbook or start a new session"
    )]
    OtherPlaybook { saved: String, given: String },
    #[error(
        "playbook {id} has changed since the session was saved (an update?); start the session again from the first step"
    )]
    PlaybookChanged { id: String },
    #[error(
        "the saved session refers to step {step}, which playbook {id} no longer has; start a new session"
    )]
    UnknownStep { id: String, step: String },
}

impl ResumeError {
    /// What to tell the user, in both languages.
    pub fn text(&self) -> Text {
        match self {
            ResumeError::PlaybookChanged { .. } | ResumeError::UnknownStep { .. } => Text::new(
                "手順書が新しくなったため、前回の続きからは始められません。最初から始めます。",
                "The guide has been updated, so the last session cannot be resumed. Starting from the beginning.",
            ),
            ResumeError::NewerVersion { .. } => Text::new(
                "前回の記録は新しい版の手引きで作られたため、読み込めません。最初から始めます。",
                "The last session was saved by a newer Tebiki and cannot be read. Starting from the beginning.",
            ),
            _ => Text::new(
                "前回の記録を読み込めませんでした。最初から始めます。",
                "The last session could not be read. Starting from the beginning.",
            ),
        }
    }
}

impl Session {
    /// The whole session as JSON, with a `version` field.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(&self.state).unwrap_or_default()
    }

    /// Resumes a session saved by `to_json`, against the playbook it was made with.
    pub fn from_json(json: &str, playbook: Arc<Playbook>) -> Result<Session, ResumeError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ResumeError::Malformed(e.to_string()))?;
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| ResumeError::Malformed("no version field".to_owned()))?;
        if version > u64::from(SESSION_VERSION) {
            return Err(ResumeError::NewerVersion { found: version });
        }
        if version != u64::from(SESSION_VERSION) {
            return Err(ResumeError::UnsupportedVersion { found: version });
        }
        let state: State =
            serde_json::from_value(value).map_err(|e| ResumeError::Malformed(e.to_string()))?;
        if state.playbook_id != playbook.id() {
            return Err(ResumeError::OtherPlaybook {
                saved: state.playbook_id,
                given: playbook.id().to_owned(),
            });
        }
        if state.playbook_hash != playbook.origin.hash {
            return Err(ResumeError::PlaybookChanged {
                id: state.playbook_id,
            });
        }
        for step in state.step.iter().chain(state.history.iter()) {
            if playbook.step_index(step).is_none() {
                return Err(ResumeError::UnknownStep {
                    id: state.playbook_id.clone(),
                    step: step.clone(),
                });
            }
        }
        Ok(Session { playbook, state })
    }
}
