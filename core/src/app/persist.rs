//! The resumable session on disk: `session.json` in the app's data directory, written
//! atomically after every transition. A file that cannot be resumed is kept aside (renamed),
//! never silently dropped, and the user is told in plain words.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::facts::UnixMs;
use crate::flow::{ResumeError, Session};
use crate::i18n::Text;
use crate::playbook::Playbook;
use crate::store::{StoreError, atomic_write, set_aside_name};

/// What was found on disk at start-up.
#[derive(Debug)]
pub enum Loaded {
    /// No saved session (or a finished one, which is not resumed).
    Nothing,
    Resumed(Box<Session>),
    /// The file could not be resumed; it was renamed to `kept_as`.
    KeptAside {
        why: Text,
        kept_as: Option<PathBuf>,
    },
}

/// The session file.
#[derive(Debug, Clone)]
pub struct SessionFile {
    path: PathBuf,
}

impl SessionFile {
    pub fn in_dir(dir: &Path) -> SessionFile {
        SessionFile {
            path: dir.join("session.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the saved session, if any, against the bundled playbooks.
    pub fn load(&self, playbooks: &[Arc<Playbook>], now: UnixMs) -> Loaded {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Nothing,
            Err(e) => return self.keep_aside(ResumeError::Malformed(e.to_string()).text(), now),
        };
        let id = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("playbook_id")
                    .and_then(|p| p.as_str())
                    .map(str::to_owned)
            });
        let Some(playbook) = id.and_then(|id| playbooks.iter().find(|p| p.id() == id)) else {
            let why = ResumeError::Malformed("no known playbook_id".into());
            return self.keep_aside(why.text(), now);
        };
        match Session::from_json(&text, playbook.clone()) {
            Ok(session) if session.is_finished() => {
                self.remove();
                Loaded::Nothing
            }
            Ok(session) => Loaded::Resumed(Box::new(session)),
            Err(e) => self.keep_aside(e.text(), now),
        }
    }

    /// Saves the session atomically; a finished session is removed instead, so it does not
    /// come back at the next start.
    pub fn save(&self, session: &Session) -> Result<(), StoreError> {
        self.save_json(session.is_finished(), &session.to_json())
    }

    /// [`SessionFile::save`] of a session already serialised (`Session::to_json`), so the
    /// write and its fsync can run away from the session itself (the actor's blocking pool).
    pub fn save_json(&self, finished: bool, json: &str) -> Result<(), StoreError> {
        if finished {
            self.remove();
            return Ok(());
        }
        atomic_write(&self.path, json.as_bytes())
    }

    pub fn remove(&self) {
        // Already gone is fine; anything else leaves a file that `load` handles next time.
        let _ = std::fs::remove_file(&self.path);
    }

    fn keep_aside(&self, why: Text, now: UnixMs) -> Loaded {
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        let name = set_aside_name("session.json", now, |n| dir.join(n).exists());
        let aside = dir.join(name);
        let kept_as = std::fs::rename(&self.path, &aside).ok().map(|_| aside);
        Loaded::KeptAside { why, kept_as }
    }
}

/// Reported wrong tries per playbook and counter (`counts.json` beside the session): they
/// describe a card or an account, so they outlive the session that counted them (ending it,
/// starting another service, a playbook update). Not a secret: numbers of tries only.
#[derive(Debug, Clone)]
pub struct CountsFile {
    path: PathBuf,
}

/// `playbook id → counter id → count`.
pub type AllCounts =
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, crate::flow::Count>>;

impl CountsFile {
    pub fn in_dir(dir: &Path) -> CountsFile {
        CountsFile {
            path: dir.join("counts.json"),
        }
    }

    /// What is on disk; nothing (and a log line) if the file is unreadable.
    pub fn load(&self) -> AllCounts {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                log::warn!(
                    "{} cannot be read ({e}); counts start from 0",
                    self.path.display()
                );
                AllCounts::new()
            }),
            Err(_) => AllCounts::new(),
        }
    }

    /// Writes `counts` for `playbook` if they differ from what is stored.
    pub fn store(
        &self,
        playbook: &str,
        counts: &std::collections::BTreeMap<String, crate::flow::Count>,
    ) -> Result<(), StoreError> {
        let mut all = self.load();
        if all.get(playbook) == Some(counts) || (counts.is_empty() && !all.contains_key(playbook)) {
            return Ok(());
        }
        if counts.is_empty() {
            all.remove(playbook);
        } else {
            all.insert(playbook.to_owned(), counts.clone());
        }
        let json = serde_json::to_vec_pretty(&all).unwrap_or_default();
        atomic_write(&self.path, &json)
    }
}

#[cfg(test)]
mod counts_tests {
    use super::*;
    use crate::flow::Count;

    #[test]
    fn counts_outlive_the_session_and_clear_when_reset() {
        let dir = std::env::temp_dir().join(format!("tebiki-counts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = CountsFile::in_dir(&dir);
        assert!(f.load().is_empty());
        let mut c = std::collections::BTreeMap::new();
        c.insert(
            "user_pin".to_owned(),
            Count {
                wrong: 2,
                at: UnixMs(5),
            },
        );
        f.store("mynaportal", &c).expect("store");
        assert_eq!(f.load()["mynaportal"]["user_pin"].wrong, 2);
        f.store("mynaportal", &Default::default()).expect("clear");
        assert!(f.load().is_empty());
        std::fs::write(dir.join("counts.json"), "{not json").expect("write");
        assert!(f.load().is_empty(), "a broken file reads as no counts");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
