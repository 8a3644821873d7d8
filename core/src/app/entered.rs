//! The account ID as typed into the consent step, on its way from the window to the vault.
//! It travels inside a [`super::Command`], so it must not leak through the command's
//! `Debug` or `Serialize` (a logged or echoed command): both print `<redacted>`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Text the user typed as an account ID. Checked only when it is saved
/// (`vault::AccountId::parse`).
#[derive(Clone, PartialEq, Eq)]
pub struct EnteredAccountId(String);

impl EnteredAccountId {
    pub fn new(text: impl Into<String>) -> EnteredAccountId {
        EnteredAccountId(text.into())
    }

    /// The typed text. Only the vault path calls this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EnteredAccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnteredAccountId(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for EnteredAccountId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(EnteredAccountId)
    }
}

/// A command is serialised only to be logged or echoed; the ID never goes with it.
impl Serialize for EnteredAccountId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}
