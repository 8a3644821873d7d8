//! A profile: whose PC and phone this is and how to talk to them. No secrets: the account ID
//! lives in the vault under the profile's ID, passwords are never stored.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::facts::UnixMs;
use crate::i18n::{Lang, Text};

/// A profile's ID: 1–64 characters of `a-z 0-9 -`, starting with a letter or digit. Also the
/// keychain "user" of the profile's account ID, so it stays plain ASCII.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProfileId(String);

impl ProfileId {
    pub fn parse(text: &str) -> Result<ProfileId, InvalidProfileId> {
        let ok_len = (1..=64).contains(&text.len());
        let ok_chars = text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_start = text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if ok_len && ok_chars && ok_start {
            Ok(ProfileId(text.to_owned()))
        } else {
            Err(InvalidProfileId(text.chars().take(80).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For IDs this crate builds itself from valid parts.
    pub(crate) fn from_trusted(id: String) -> ProfileId {
        debug_assert!(ProfileId::parse(&id).is_ok(), "{id}");
        ProfileId(id)
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ProfileId {
    type Error = InvalidProfileId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ProfileId::parse(&value)
    }
}

impl From<ProfileId> for String {
    fn from(value: ProfileId) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a profile ID: use 1 to 64 of a-z, 0-9 and '-', starting with a letter or digit"
)]
pub struct InvalidProfileId(pub String);

/// The family member's phone, as the helper set it (the phone page may measure it later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhonePlatform {
    Iphone,
    Android,
    #[default]
    Unknown,
}

impl PhonePlatform {
    pub fn from_name(name: &str) -> Option<PhonePlatform> {
        match name.trim().to_ascii_lowercase().as_str() {
            "iphone" | "ios" => Some(PhonePlatform::Iphone),
            "android" => Some(PhonePlatform::Android),
            "unknown" => Some(PhonePlatform::Unknown),
            _ => None,
        }
    }
}

/// Text size of the app for this person. Large is the default: the people Tebiki is for
/// often read a screen at arm's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextSize {
    /// 100 % (the 20 px body text of the design).
    Standard,
    /// 125 %.
    #[default]
    Large,
    /// 150 %.
    Largest,
}

impl TextSize {
    pub fn percent(self) -> u16 {
        match self {
            TextSize::Standard => 100,
            TextSize::Large => 125,
            TextSize::Largest => 150,
        }
    }

    pub fn from_name(name: &str) -> Option<TextSize> {
        match name.trim().to_ascii_lowercase().as_str() {
            "standard" | "100" => Some(TextSize::Standard),
            "large" | "125" => Some(TextSize::Large),
            "largest" | "150" => Some(TextSize::Largest),
            _ => None,
        }
    }
}

/// One person's setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: ProfileId,
    /// How the helper calls this profile, e.g. 「山田さん（母）」.
    pub display_name: String,
    /// The playbook's service family, e.g. `au-id`.
    pub service: String,
    pub phone_platform: PhonePlatform,
    pub text_size: TextSize,
    pub language: Lang,
    pub created: UnixMs,
    pub updated: UnixMs,
}

/// What the helper enters for a new profile; the store adds the ID and the times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProfile {
    pub display_name: String,
    pub service: String,
    #[serde(default)]
    pub phone_platform: PhonePlatform,
    #[serde(default)]
    pub text_size: TextSize,
    #[serde(default)]
    pub language: Lang,
}

/// A change to a profile: fields left `None` stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub service: Option<String>,
    pub phone_platform: Option<PhonePlatform>,
    pub text_size: Option<TextSize>,
    pub language: Option<Lang>,
}

pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// Why a profile's fields are not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProfileProblem {
    #[error("the display name is empty")]
    EmptyName,
    #[error("the display name is longer than {MAX_DISPLAY_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the display name contains a line break or control character")]
    NameControlChar,
    #[error("the service must be 1 to 32 of a-z, 0-9 and '-' (for example au-id)")]
    BadService,
}

impl ProfileProblem {
    pub fn user_message(self) -> Text {
        match self {
            ProfileProblem::EmptyName => Text::new(
                "名前を入れてください（例：山田さん）。",
                "Please enter a name (for example, Mr Yamada).",
            ),
            ProfileProblem::NameTooLong => Text::new(
                format!("名前は {MAX_DISPLAY_NAME_CHARS} 文字までにしてください。"),
                format!("Please keep the name to {MAX_DISPLAY_NAME_CHARS} characters."),
            ),
            ProfileProblem::NameControlChar => Text::new(
                "名前は 1 行で入れてください。",
                "Please enter the name on one line.",
            ),
            ProfileProblem::BadService => Text::new(
                "サービスの指定が正しくありません。",
                "The service is not valid.",
            ),
        }
    }
}

/// Trims and checks a display name.
pub fn check_display_name(name: &str) -> Result<String, ProfileProblem> {
    let t = name.trim();
    if t.is_empty() {
        return Err(ProfileProblem::EmptyName);
    }
    if t.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ProfileProblem::NameTooLong);
    }
    if t.chars().any(char::is_control) {
        return Err(ProfileProblem::NameControlChar);
    }
    Ok(t.to_owned())
}

pub fn check_service(service: &str) -> Result<String, ProfileProblem> {
    let t = service.trim();
    let ok = (1..=32).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(t.to_owned())
    } else {
        Err(ProfileProblem::BadService)
    }
}

impl Profile {
    /// A new profile from the helper's input, checked. Pure: the ID and time come in.
    pub fn create(id: ProfileId, new: NewProfile, now: UnixMs) -> Result<Profile, ProfileProblem> {
        Ok(Profile {
            id,
            display_name: check_display_name(&new.display_name)?,
            service: check_service(&new.service)?,
            phone_platform: new.phone_platform,
            text_size: new.text_size,
            language: new.language,
            created: now,
            updated: now,
        })
    }

    /// This profile with `changes` applied, checked; `updated` becomes `now`.
    pub fn changed(
        &self,
        changes: &ProfileChanges,
        now: UnixMs,
    ) -> Result<Profile, ProfileProblem> {
        let mut p = self.clone();
        if let Some(name) = &changes.display_name {
            p.display_name = check_display_name(name)?;
        }
        if let Some(service) = &changes.service {
            p.service = check_service(service)?;
        }
        if let Some(v) = changes.phone_platform {
            p.phone_platform = v;
        }
        if let Some(v) = changes.text_size {
            p.text_size = v;
        }
        if let Some(v) = changes.language {
            p.language = v;
        }
        p.updated = now;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn profile_ids_are_plain_ascii() {
        assert!(ProfileId::parse("p1a2b-3").is_ok());
        for bad in ["", "-p", "P1", "p 1", "p_1", "ぷ", &"a".repeat(65)] {
            assert!(ProfileId::parse(bad).is_err(), "{bad:?}");
        }
        let err: Result<ProfileId, _> = serde_json::from_str("\"../etc\"");
        assert!(err.is_err());
    }

    #[test]
    fn new_profile_is_trimmed_and_checked() {
        let id = ProfileId::parse("p1").unwrap();
        let new = NewProfile {
            display_name: "  山田さん（母）\n".into(),
            service: "au-id".into(),
            phone_platform: PhonePlatform::Iphone,
            text_size: TextSize::default(),
            language: Lang::Ja,
        };
        let p = Profile::create(id.clone(), new.clone(), UnixMs(7)).unwrap();
        assert_eq!(p.display_name, "山田さん（母）");
        assert_eq!((p.created, p.updated), (UnixMs(7), UnixMs(7)));
        assert_eq!(p.text_size.percent(), 125);

        let bad = NewProfile {
            display_name: " ".into(),
            ..new.clone()
        };
        assert_eq!(
            Profile::create(id.clone(), bad, UnixMs(0)),
            Err(ProfileProblem::EmptyName)
        );
        let bad = NewProfile {
            service: "au id".into(),
            ..new
        };
        assert_eq!(
            Profile::create(id, bad, UnixMs(0)),
            Err(ProfileProblem::BadService)
        );
    }

    #[test]
    fn changes_touch_only_given_fields_and_bump_updated() {
        let p = Profile::create(
            ProfileId::parse("p1").unwrap(),
            NewProfile {
                display_name: "山田".into(),
                service: "au-id".into(),
                phone_platform: PhonePlatform::Unknown,
                text_size: TextSize::Standard,
                language: Lang::Ja,
            },
            UnixMs(1),
        )
        .unwrap();
        let q = p
            .changed(
                &ProfileChanges {
                    phone_platform: Some(PhonePlatform::Android),
                    ..Default::default()
                },
                UnixMs(9),
            )
            .unwrap();
        assert_eq!(q.phone_platform, PhonePlatform::Android);
        assert_eq!(q.display_name, "山田");
        assert_eq!((q.created, q.updated), (UnixMs(1), UnixMs(9)));
        let too_long = ProfileChanges {
            display_name: Some("あ".repeat(MAX_DISPLAY_NAME_CHARS + 1)),
            ..Default::default()
        };
        assert_eq!(
            p.changed(&too_long, UnixMs(9)),
            Err(ProfileProblem::NameTooLong)
        );
    }
}
