//! `app` wires the adapters to the engine on tokio. One task (the actor) owns the session,
//! the phone check, the PC's network status and the clock; it executes the engine's effects,
//! feeds observations back as events, persists after every transition and publishes a
//! [`Snapshot`] for the window. The Tauri shell forwards [`Command`]s in and snapshots out;
//! tests drive the very same actor without a window.
//!
//! Only the things a desktop shell alone can do (open the browser, show a system
//! notification, use the clipboard) go through the small [`Desktop`] trait.

mod actor;
mod config;
mod desktop;
mod entered;
pub mod paper;
mod persist;
mod snapshot;
pub mod test_switches;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

pub use config::{AppConfig, ProbeSetting};
pub use desktop::{Desktop, DesktopError};
pub use entered::EnteredAccountId;
pub use paper::ExportView;
pub use persist::SessionFile;
pub use snapshot::{
    HelperView, PcStatus, PhoneState, PhoneStatus, PlaybookChoice, ProfileView, QrView, Snapshot,
    VaultView,
};

use crate::i18n::Lang;
use crate::store::{NewProfile, ProfileChanges, ProfileId};
use crate::vault::{KeychainVault, Vault};
use paper::{CardView, Paper, PaperFormat};

/// What the app reports about itself on the home screen and in `tebiki-doctor --version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// `linux`, `windows`, `macos`, …
    pub os: String,
    /// `x86_64`, `aarch64`, …
    pub arch: String,
}

impl AppInfo {
    pub fn current() -> AppInfo {
        AppInfo {
            name: "Tebiki".to_owned(),
            version: crate::VERSION.to_owned(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
        }
    }
}

/// What the window (or a test) asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Start a session with a playbook (replaces a finished one; refused while one runs).
    Begin {
        playbook: String,
    },
    Next,
    Back,
    GoTo {
        step: String,
    },
    /// Press action number `action` of the current step.
    Act {
        action: usize,
    },
    Confirm {
        key: String,
        value: String,
    },
    Symptom {
        id: String,
    },
    /// End the session (also after "done"): forget it and go back home.
    End,
    /// Check the PC's network again now.
    RecheckNetwork,
    /// The helper chose whose setup is used (`None`: nobody's). Home then starts that
    /// profile's service.
    SelectProfile {
        profile: Option<ProfileId>,
    },
    AddProfile {
        profile: NewProfile,
    },
    UpdateProfile {
        profile: ProfileId,
        changes: ProfileChanges,
    },
    /// Removes the profile and deletes its saved account ID.
    RemoveProfile {
        profile: ProfileId,
    },
    /// Saves the profile's account ID in the OS keychain. `consent` is the user's own tick
    /// in the consent step; without it nothing is saved.
    SaveAccountId {
        profile: ProfileId,
        account_id: EnteredAccountId,
        consent: bool,
    },
    DeleteAccountId {
        profile: ProfileId,
    },
    /// Ask the keychain again whether it can be used (after the helper unlocked it).
    CheckVault,
    /// Writes the order card (of the active profile) or the session record into
    /// `<app data>/exports/`; the snapshot's `helper.last_export` then shows the path.
    Export {
        paper: Paper,
        format: PaperFormat,
        lang: Lang,
    },
    /// Opens the last export in the default program (to print it from the browser).
    OpenExport,
    /// The person typed the expiry time printed in a message, for the current step's
    /// `enter_expiry` action number `action`. Bad input is refused with what to type; the
    /// window keeps what was typed.
    EnterExpiry {
        action: usize,
        text: String,
    },
    /// The window's UTC offset in minutes (east positive), for the record's times.
    SetUtcOffset {
        minutes: i32,
    },
}

/// A running app. Cheap to clone; the actor stops when the last clone is dropped.
#[derive(Clone)]
pub struct App {
    tx: mpsc::Sender<actor::Msg>,
    snapshots: watch::Receiver<Snapshot>,
    _stop: Arc<oneshot::Sender<()>>,
}

impl App {
    /// Loads the bundled playbooks, resumes a saved session if there is one, starts watching
    /// the network and the clock. Account IDs go to the OS keychain. Must be called inside
    /// a tokio runtime.
    pub fn start(config: AppConfig, desktop: Arc<dyn Desktop>) -> App {
        App::start_with_vault(config, desktop, Arc::new(KeychainVault::new()))
    }

    /// [`App::start`] with another vault (tests: `MemoryVault`, or a keychain under a
    /// test-only service name).
    pub fn start_with_vault(
        config: AppConfig,
        desktop: Arc<dyn Desktop>,
        vault: Arc<dyn Vault>,
    ) -> App {
        let (tx, rx) = mpsc::channel(64);
        let (stop_tx, stop_rx) = oneshot::channel();
        let initial = actor::Actor::new(config, desktop, vault, tx.clone());
        let (snap_tx, snapshots) = watch::channel(initial.snapshot());
        tokio::spawn(initial.run(rx, snap_tx, stop_rx));
        App {
            tx,
            snapshots,
            _stop: Arc::new(stop_tx),
        }
    }

    /// Applies a command and returns the snapshot right after it.
    pub async fn command(&self, command: Command) -> Snapshot {
        let (reply, answer) = oneshot::channel();
        if self
            .tx
            .send(actor::Msg::Command(command, reply))
            .await
            .is_err()
        {
            return self.snapshot();
        }
        answer.await.unwrap_or_else(|_| self.snapshot())
    }

    /// The order card of the active profile (or of the first service) as data, for the
    /// window's print view. `None` when no playbook is loaded.
    pub async fn card_view(&self, lang: Lang) -> Option<CardView> {
        self.ask(move |actor| actor.card_view(lang)).await.flatten()
    }

    /// The session record (the running session's, else the last one) as Markdown.
    pub async fn record_markdown(&self, lang: Lang) -> Option<String> {
        self.ask(move |actor| actor.record_markdown(lang))
            .await
            .flatten()
    }

    async fn ask<T: Send + 'static>(
        &self,
        f: impl FnOnce(&actor::Actor) -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(move |a: &actor::Actor| {
            let _ = reply.send(f(a));
        });
        self.tx.send(actor::Msg::With(job)).await.ok()?;
        answer.await.ok()
    }

    /// Tebiki is closing: a copied account ID still on the clipboard is cleared now rather
    /// than left behind (the minute's timer dies with the app). Bounded by `within`.
    pub async fn closing(&self, within: std::time::Duration) {
        let (done, answer) = oneshot::channel();
        if self.tx.send(actor::Msg::Closing(done)).await.is_ok() {
            let _ = tokio::time::timeout(within, answer).await;
        }
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshots.borrow().clone()
    }

    /// Every new snapshot, as it is published.
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.snapshots.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_names_this_build() {
        let info = AppInfo::current();
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.os, std::env::consts::OS);
        assert!(!info.arch.is_empty());
    }

    #[test]
    fn commands_use_a_tagged_json_form() {
        let c: Command = serde_json::from_str(r#"{"type":"act","action":2}"#).expect("parse");
        assert_eq!(c, Command::Act { action: 2 });
        let c: Command =
            serde_json::from_str(r#"{"type":"begin","playbook":"au-id"}"#).expect("parse");
        assert_eq!(
            c,
            Command::Begin {
                playbook: "au-id".into()
            }
        );
        assert!(serde_json::from_str::<Command>(r#"{"type":"rm_rf"}"#).is_err());
    }

    #[test]
    fn save_id_command_parses_but_never_prints_the_id() {
        let c: Command = serde_json::from_str(
            r#"{"type":"save_account_id","profile":"p1","account_id":"taro@example.jp","consent":true}"#,
        )
        .expect("parse");
        let Command::SaveAccountId {
            account_id,
            consent,
            ..
        } = &c
        else {
            panic!("a save command expected");
        };
        assert!(*consent);
        assert_eq!(account_id.expose(), "taro@example.jp");
        let printed = format!("{c:?} {}", serde_json::to_string(&c).expect("serialise"));
        assert!(!printed.contains("taro"), "{printed}");
        // A profile ID that could escape a path or a keychain name is refused at the door.
        assert!(
            serde_json::from_str::<Command>(r#"{"type":"delete_account_id","profile":"../x"}"#)
                .is_err()
        );
    }
}
