//! `vault` keeps a profile's account ID (never a password) in the OS keychain: Windows
//! Credential Manager, the macOS login Keychain, or the Secret Service on Linux
//! (gnome-keyring, KWallet).
//!
//! Rules this module enforces rather than documents:
//! - Nothing secret is written to disk by Tebiki. With no keychain available (no session bus,
//!   no Secret Service, locked, or not answering), every call fails with
//!   [`VaultError::Unavailable`] and nothing is saved anywhere: there is no plaintext fallback.
//! - Saving needs a [`Consent`], which only the UI's consent step makes.
//! - An [`AccountId`] cannot be printed by accident: its `Debug` is redacted and it has no
//!   `Display` and no `Serialize`.
//! - Asking the keychain is bounded in time: a probe or operation that does not answer in
//!   time is reported as unavailable instead of hanging the caller.
//!
//! [`KeychainVault`] is the real one; [`MemoryVault`] is for fast tests of code that uses a
//! vault (in addition to, never instead of, tests against a real keychain).
//! [`ClipboardGuard`] is the pure rule for clearing a copied ID from the clipboard.

mod account_id;
mod clipboard;
mod consent;
mod keychain;
mod memory;
mod platform;

use std::fmt;

use serde::Serialize;

pub use account_id::{AccountId, InvalidAccountId, MAX_ACCOUNT_ID_CHARS};
pub use clipboard::{CLIPBOARD_HOLD_SECS, ClipboardAction, ClipboardContent, ClipboardGuard};
pub use consent::Consent;
pub use keychain::{KEYCHAIN_SERVICE, KeychainVault, StoreFactory, VaultTimeouts};
pub use memory::MemoryVault;

use crate::i18n::Text;
use crate::store::ProfileId;

/// Where account IDs are kept. Every method blocks for at most the vault's timeout; async
/// code may call it directly (it never blocks on the caller's runtime) or through
/// `spawn_blocking`.
pub trait Vault: Send + Sync {
    /// Saves (or replaces) the account ID of `profile`. Needs the user's consent for exactly
    /// this profile.
    fn save(
        &self,
        profile: &ProfileId,
        account_id: &AccountId,
        consent: Consent,
    ) -> Result<(), VaultError>;
    /// The saved account ID of `profile`, or `None` if none is saved.
    fn load(&self, profile: &ProfileId) -> Result<Option<AccountId>, VaultError>;
    /// Deletes the saved account ID of `profile`. Deleting what is not there is not an error.
    fn delete(&self, profile: &ProfileId) -> Result<(), VaultError>;
    /// Whether saving can work on this PC now (a quick, time-bounded probe).
    fn available(&self) -> Availability;
}

/// The answer of [`Vault::available`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Availability {
    /// A real, persistent keychain answered. `backend` names it for the helper, e.g.
    /// "Secret Service".
    Available { backend: String },
    /// No safe place to store the ID; Tebiki continues without saving.
    Unavailable(Unavailable),
}

impl Availability {
    pub fn is_available(&self) -> bool {
        matches!(self, Availability::Available { .. })
    }
}

/// Why the keychain cannot be used. The user sees one plain message for all of them
/// ([`Unavailable::user_message`]); the helper sees the reason and detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unavailable {
    pub reason: UnavailableReason,
    /// What the keychain said, in English, for the helper (never contains an account ID).
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnavailableReason {
    /// No keychain could be reached: on Linux no session bus or no Secret Service on it.
    NoKeychain,
    /// The keychain is there but locked, or refused access.
    Locked,
    /// The keychain did not answer within the time limit.
    NotAnswering,
    /// The keychain answered with an error.
    Failed,
    /// The store would not keep the ID (an in-memory store): refused, never used.
    NotPersistent,
    /// This operating system has no supported keychain.
    UnsupportedPlatform,
}

impl UnavailableReason {
    /// A short English name for logs and the helper view.
    pub fn as_str(self) -> &'static str {
        match self {
            UnavailableReason::NoKeychain => "no_keychain",
            UnavailableReason::Locked => "locked",
            UnavailableReason::NotAnswering => "not_answering",
            UnavailableReason::Failed => "failed",
            UnavailableReason::NotPersistent => "not_persistent",
            UnavailableReason::UnsupportedPlatform => "unsupported_platform",
        }
    }
}

impl Unavailable {
    pub fn new(reason: UnavailableReason, detail: impl Into<String>) -> Self {
        Unavailable {
            reason,
            detail: detail.into(),
        }
    }

    /// The message the family member and the helper see, whatever the reason.
    pub fn user_message(&self) -> Text {
        unavailable_message()
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no safe place to store the ID ({}): {}",
            self.reason.as_str(),
            self.detail
        )
    }
}

/// 「この PC では安全な保存場所が使えません。ID は保存せずに続けます。」
pub fn unavailable_message() -> Text {
    Text::new(
        "この PC では安全な保存場所が使えません。ID は保存せずに続けます。",
        "This PC has no safe place to store the ID. Tebiki continues without saving it.",
    )
}

/// What can go wrong with the vault. None of these carries an account ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// No keychain to use: continue without saving (nothing was written anywhere).
    #[error("{0}")]
    Unavailable(Unavailable),
    /// The consent was given for another profile; nothing was saved.
    #[error(
        "the consent was given for another profile; ask the user again for this profile (nothing was saved)"
    )]
    ConsentForAnotherProfile,
    /// The keychain holds something for this profile that is not a valid account ID (for
    /// example written by another program). Delete it and save the ID again.
    #[error(
        "the keychain entry for this profile does not hold a valid account ID ({0}); delete it and save the ID again"
    )]
    BadEntry(String),
}

impl VaultError {
    /// What the user sees.
    pub fn user_message(&self) -> Text {
        match self {
            VaultError::Unavailable(u) => u.user_message(),
            VaultError::ConsentForAnotherProfile => Text::new(
                "保存の確認が別のプロフィールのものでした。ID は保存していません。もう一度お確かめください。",
                "The confirmation was for another profile. The ID was not saved. Please confirm again.",
            ),
            VaultError::BadEntry(_) => Text::new(
                "保存場所にある ID が読めませんでした。いったん削除して、もう一度保存してください。",
                "The saved ID could not be read. Please delete it and save it again.",
            ),
        }
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, VaultError::Unavailable(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_message_is_the_agreed_bilingual_sentence() {
        let u = Unavailable::new(UnavailableReason::NoKeychain, "no session bus");
        let m = VaultError::Unavailable(u).user_message();
        assert_eq!(
            m.ja,
            "この PC では安全な保存場所が使えません。ID は保存せずに続けます。"
        );
        assert_eq!(
            m.en,
            "This PC has no safe place to store the ID. Tebiki continues without saving it."
        );
    }

    #[test]
    fn availability_serialises_for_the_ui_with_a_state_tag() {
        let a = Availability::Unavailable(Unavailable::new(UnavailableReason::Locked, "d"));
        let json = serde_json::to_string(&a).expect("serialise");
        assert_eq!(
            json,
            r#"{"state":"unavailable","reason":"locked","detail":"d"}"#
        );
        let a = Availability::Available {
            backend: "Secret Service".into(),
        };
        let json = serde_json::to_string(&a).expect("serialise");
        assert_eq!(json, r#"{"state":"available","backend":"Secret Service"}"#);
    }

    #[test]
    fn every_unavailable_reason_shows_the_same_plain_message() {
        for reason in [
            UnavailableReason::NoKeychain,
            UnavailableReason::Locked,
            UnavailableReason::NotAnswering,
            UnavailableReason::Failed,
            UnavailableReason::NotPersistent,
            UnavailableReason::UnsupportedPlatform,
        ] {
            let u = Unavailable::new(reason, "x");
            assert_eq!(u.user_message(), unavailable_message(), "{reason:?}");
            assert!(u.to_string().contains(reason.as_str()));
        }
    }
}
