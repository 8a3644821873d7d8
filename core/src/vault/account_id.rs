//! The account ID (au ID, dアカウント ID, …) as a value that cannot leak by accident.
//!
//! It is not a password, but it identifies the person, so it stays out of logs, records and
//! files: `Debug` prints `AccountId(<redacted>)`, there is no `Display` and no `Serialize`,
//! and the only way to the text is the explicit [`AccountId::expose`].
//!
//! ```compile_fail,E0277
//! let id = tebiki_core::vault::AccountId::parse("0312345678").unwrap();
//! println!("{id}"); // no Display: does not compile
//! ```
//!
//! ```compile_fail,E0277
//! let id = tebiki_core::vault::AccountId::parse("0312345678").unwrap();
//! serde_json::to_string(&id); // no Serialize: does not compile
//! ```

use std::fmt;

/// Longer than any e-mail address (254) or carrier ID; anything longer is a paste gone wrong.
pub const MAX_ACCOUNT_ID_CHARS: usize = 254;

/// An account ID, trimmed and checked.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountId(String);

/// Why a text is not an account ID. Carries no part of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAccountId {
    #[error("the account ID is empty")]
    Empty,
    #[error("the account ID is longer than {MAX_ACCOUNT_ID_CHARS} characters")]
    TooLong,
    #[error("the account ID contains a control character or line break")]
    ControlCharacter,
}

impl InvalidAccountId {
    pub fn user_message(self) -> crate::i18n::Text {
        use crate::i18n::Text;
        match self {
            InvalidAccountId::Empty => Text::new("ID が空です。", "The ID is empty."),
            InvalidAccountId::TooLong => Text::new(
                "ID が長すぎます。貼り付けた内容をお確かめください。",
                "The ID is too long. Please check what was pasted.",
            ),
            InvalidAccountId::ControlCharacter => Text::new(
                "ID に改行などの見えない文字が含まれています。1 行だけ入力してください。",
                "The ID contains a line break or another invisible character. Please enter one line only.",
            ),
        }
    }
}

impl AccountId {
    /// Trims surrounding white space (a pasted ID often carries a newline) and checks the
    /// rest: not empty, at most [`MAX_ACCOUNT_ID_CHARS`] characters, no control characters.
    pub fn parse(text: &str) -> Result<AccountId, InvalidAccountId> {
        let t = text.trim();
        if t.is_empty() {
            return Err(InvalidAccountId::Empty);
        }
        if t.chars().count() > MAX_ACCOUNT_ID_CHARS {
            return Err(InvalidAccountId::TooLong);
        }
        if t.chars().any(char::is_control) {
            return Err(InvalidAccountId::ControlCharacter);
        }
        Ok(AccountId(t.to_owned()))
    }

    /// The ID itself. Call it only where the ID must leave Tebiki: the keychain, the
    /// clipboard, the screen the user asked to see it on.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountId(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_id() {
        let id = AccountId::parse("taro.yamada@example.jp").expect("valid");
        let dbg = format!("{id:?} {:#?} {:?}", id, Some(&id));
        assert!(!dbg.contains("taro"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn pasted_id_is_trimmed_and_exposed_on_request() {
        let id = AccountId::parse("  09012345678\n").expect("valid");
        assert_eq!(id.expose(), "09012345678");
    }

    #[test]
    fn empty_long_and_multiline_ids_are_refused() {
        assert_eq!(AccountId::parse(" \n\t"), Err(InvalidAccountId::Empty));
        let long = "a".repeat(MAX_ACCOUNT_ID_CHARS + 1);
        assert_eq!(AccountId::parse(&long), Err(InvalidAccountId::TooLong));
        assert!(AccountId::parse(&"あ".repeat(MAX_ACCOUNT_ID_CHARS)).is_ok());
        assert_eq!(
            AccountId::parse("taro\nhanako"),
            Err(InvalidAccountId::ControlCharacter)
        );
        assert!(!InvalidAccountId::TooLong.user_message().ja.is_empty());
    }
}
