//! `store` keeps profiles (and, later, the persisted session) on disk in the app-data
//! directory the app passes in, so a helper sets things up once and a killed app resumes.
//!
//! - [`ProfileStore`]: `profiles.json`, versioned (`{"version": 1, "profiles": [...]}`),
//!   written with [`atomic_write`], changed only under a [`FileLock`] (read-modify-write), so
//!   two windows or processes adding profiles at once lose nothing.
//! - A damaged file or one from a newer Tebiki is never silently dropped nor overwritten:
//!   [`ProfileStore::open`] renames it to `profiles.json.corrupt-<UTC time>`, starts empty and
//!   says so in a [`StoreNotice`].
//! - No secrets here: account IDs live in `vault`, passwords nowhere.

mod atomic;
mod file;
mod profile;
mod profiles;

use std::path::{Path, PathBuf};

pub use atomic::{FileLock, WINDOWS_REPLACE_PATIENCE, atomic_write};
pub use file::{
    FileProblem, PROFILES_VERSION, ProfilesFile, next_profile_id, parse_profiles,
    serialise_profiles, set_aside_name, utc_stamp,
};
pub use profile::{
    InvalidProfileId, MAX_DISPLAY_NAME_CHARS, NewProfile, PhonePlatform, Profile, ProfileChanges,
    ProfileId, ProfileProblem, TextSize,
};
pub use profiles::{Opened, PROFILES_FILE, ProfileStore, StoreNotice};

use crate::i18n::Text;

/// What can go wrong with the store. Each says what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "could not {action} {path}: {source}; check that the folder exists, is writable and the disk has space"
    )]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{lock} stayed locked by another Tebiki window or process; close it or try again")]
    Busy { lock: PathBuf },
    /// The file went bad after the store was opened. Nothing was written; open the store
    /// again to keep the bad file aside and start empty.
    #[error("{path}: {problem}; nothing was changed — reopen the profiles to keep the file aside")]
    Damaged { path: PathBuf, problem: FileProblem },
    #[error("no profile with the ID {0}")]
    NotFound(ProfileId),
    #[error("{0}")]
    Invalid(#[from] ProfileProblem),
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// What the helper sees.
    pub fn user_message(&self) -> Text {
        match self {
            StoreError::Io { path, .. } => Text::new(
                format!(
                    "プロフィールを保存できませんでした（{}）。ディスクの空きと、フォルダーに書き込めるかをお確かめください。",
                    path.display()
                ),
                format!(
                    "The profiles could not be saved ({}). Please check the disk has space and the folder can be written to.",
                    path.display()
                ),
            ),
            StoreError::Busy { .. } => Text::new(
                "ほかの手引きの画面がプロフィールを保存中です。少し待ってから、もう一度お試しください。",
                "Another Tebiki window is saving profiles. Please wait a moment and try again.",
            ),
            StoreError::Damaged { .. } => Text::new(
                "プロフィールのファイルが途中で壊れました。何も変更していません。手引きを開き直してください。",
                "The profiles file became damaged. Nothing was changed. Please reopen Tebiki.",
            ),
            StoreError::NotFound(_) => Text::new(
                "そのプロフィールは見つかりませんでした。",
                "That profile was not found.",
            ),
            StoreError::Invalid(p) => p.user_message(),
        }
    }
}
