//! Consent to save an account ID: a value only the UI's consent step makes, so no code path
//! can save silently. A consent names one profile, is not `Clone`, and `save` consumes it:
//! one "yes" saves once.
//!
//! ```compile_fail,E0451
//! // The fields are private: a consent cannot be made up by a struct literal.
//! let c = tebiki_core::vault::Consent { profile: todo!(), at: todo!() };
//! ```
//!
//! ```compile_fail,E0599
//! fn twice(c: tebiki_core::vault::Consent) -> (tebiki_core::vault::Consent, tebiki_core::vault::Consent) {
//!     (c.clone(), c) // not Clone: one consent, one save
//! }
//! ```

use crate::facts::UnixMs;
use crate::i18n::Text;
use crate::store::ProfileId;

/// The user said yes to saving the account ID of one profile.
#[derive(Debug, PartialEq, Eq)]
pub struct Consent {
    profile: ProfileId,
    at: UnixMs,
}

impl Consent {
    /// Made ONLY by the UI's consent step, right after the user answered yes to
    /// [`Consent::question`] for this profile. Any other caller is a bug: search for this
    /// name in review.
    pub fn given_by_user(profile: &ProfileId, at: UnixMs) -> Consent {
        Consent {
            profile: profile.clone(),
            at,
        }
    }

    pub fn profile(&self) -> &ProfileId {
        &self.profile
    }

    /// When the user said yes.
    pub fn at(&self) -> UnixMs {
        self.at
    }

    /// The question the consent step asks.
    pub fn question() -> Text {
        Text::new(
            "この ID を、この PC の安全な保存場所（OS のキーチェーン）に保存しますか？ パスワードは保存しません。あとで消すこともできます。",
            "Save this ID in this PC's safe storage (the OS keychain)? The password is never saved. You can delete it later.",
        )
    }
}
