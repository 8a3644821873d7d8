//! The `profiles.json` format and the pure decisions about it: parse (with the version check),
//! serialise, name a file kept aside, mint the next profile ID.
//!
//! ```json
//! { "version": 1, "profiles": [ { "id": "p…", "display_name": "…", … } ] }
//! ```
//! Unknown fields inside version 1 are ignored (an older Tebiki reading a newer minor
//! addition); a higher version is refused, never half-read.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::profile::{Profile, ProfileId};
use crate::facts::UnixMs;
use crate::i18n::Text;

/// The version this Tebiki writes and reads.
pub const PROFILES_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfilesFile {
    pub version: u32,
    pub profiles: Vec<Profile>,
}

impl ProfilesFile {
    pub fn new(profiles: Vec<Profile>) -> ProfilesFile {
        ProfilesFile {
            version: PROFILES_VERSION,
            profiles,
        }
    }
}

/// Why a profiles file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum FileProblem {
    #[error("the file is not valid profiles JSON: {0}")]
    NotValid(String),
    #[error(
        "the file was written by a newer Tebiki (format version {0}; this one reads {PROFILES_VERSION})"
    )]
    NewerVersion(u64),
    #[error("the file could not be read: {0}")]
    Unreadable(String),
}

impl FileProblem {
    /// What the helper sees when the file was kept aside as `kept_as` (a file name).
    pub fn set_aside_message(&self, kept_as: &str) -> Text {
        match self {
            FileProblem::NewerVersion(_) => Text::new(
                format!(
                    "プロフィールのファイルは新しい版の手引きで作られていて、この版では読めません。元のファイルは「{kept_as}」として残し、プロフィールなしで始めます。手引きを新しい版にすると読めるようになります。"
                ),
                format!(
                    "The profiles file was made by a newer version of Tebiki and this version cannot read it. It was kept as \"{kept_as}\" and Tebiki starts with no profiles. Updating Tebiki will make it readable."
                ),
            ),
            FileProblem::NotValid(_) | FileProblem::Unreadable(_) => Text::new(
                format!(
                    "プロフィールのファイルが壊れていて読めませんでした。元のファイルは「{kept_as}」として残し、プロフィールなしで始めます。"
                ),
                format!(
                    "The profiles file is damaged and could not be read. It was kept as \"{kept_as}\" and Tebiki starts with no profiles."
                ),
            ),
        }
    }
}

/// Parses a profiles file. The version is checked first, so a newer format is reported as
/// such and not as a JSON error.
pub fn parse_profiles(bytes: &[u8]) -> Result<ProfilesFile, FileProblem> {
    #[derive(Deserialize)]
    struct VersionOnly {
        version: Option<serde_json::Value>,
    }
    let head: VersionOnly =
        serde_json::from_slice(bytes).map_err(|e| FileProblem::NotValid(e.to_string()))?;
    match head.version {
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            Some(v) if v == u64::from(PROFILES_VERSION) => {}
            Some(v) if v > u64::from(PROFILES_VERSION) => {
                return Err(FileProblem::NewerVersion(v));
            }
            _ => return Err(FileProblem::NotValid(format!("unknown version {n}"))),
        },
        Some(other) => return Err(FileProblem::NotValid(format!("version is {other}"))),
        None => return Err(FileProblem::NotValid("no version field".to_owned())),
    }
    let file: ProfilesFile =
        serde_json::from_slice(bytes).map_err(|e| FileProblem::NotValid(e.to_string()))?;
    let mut seen = HashSet::new();
    for p in &file.profiles {
        if !seen.insert(p.id.as_str()) {
            return Err(FileProblem::NotValid(format!(
                "two profiles share the ID {}",
                p.id
            )));
        }
    }
    Ok(file)
}

/// Serialises for writing: pretty (a helper may read it), with a final newline.
pub fn serialise_profiles(file: &ProfilesFile) -> Vec<u8> {
    // Serialising plain data with string keys cannot fail.
    let mut out = serde_json::to_vec_pretty(file).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The name a bad file is kept under: `profiles.json.corrupt-20261121T021500Z`, with `-2`,
/// `-3`, … appended when that name is taken.
pub fn set_aside_name(file_name: &str, now: UnixMs, taken: impl Fn(&str) -> bool) -> String {
    let base = format!("{file_name}.corrupt-{}", utc_stamp(now));
    if !taken(&base) {
        return base;
    }
    (2u32..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken(name))
        .unwrap_or(base)
}

/// A new profile ID: `p` + the time in base 36, with `-2`, `-3`, … if that is taken.
pub fn next_profile_id(existing: &[Profile], now: UnixMs) -> ProfileId {
    let base = format!("p{}", base36(now.0.max(0) as u64));
    let taken = |candidate: &str| existing.iter().any(|p| p.id.as_str() == candidate);
    let id = if taken(&base) {
        (2u32..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| !taken(c))
            .unwrap_or(base)
    } else {
        base
    };
    // Always valid: "p", then [0-9a-z], then "-digits": at most 1 + 13 + 11 characters.
    ProfileId::from_trusted(id)
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".to_owned();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `20261121T021500Z` (UTC, second precision) from Unix milliseconds.
pub fn utc_stamp(t: UnixMs) -> String {
    crate::clock::utc_stamp(t)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::i18n::Lang;
    use crate::store::profile::{PhonePlatform, TextSize};

    fn profile(id: &str) -> Profile {
        Profile {
            id: ProfileId::parse(id).unwrap(),
            display_name: "山田さん".into(),
            service: "au-id".into(),
            phone_platform: PhonePlatform::Iphone,
            text_size: TextSize::Large,
            language: Lang::Ja,
            created: UnixMs(1),
            updated: UnixMs(2),
        }
    }

    #[test]
    fn written_file_parses_back_to_the_same_profiles() {
        let f = ProfilesFile::new(vec![profile("p1"), profile("p2")]);
        let bytes = serialise_profiles(&f);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
        assert!(text.contains("\"phone_platform\": \"iphone\""));
        assert_eq!(parse_profiles(&bytes).unwrap(), f);
    }

    #[test]
    fn newer_version_is_reported_as_newer_not_as_bad_json() {
        let bytes = br#"{"version": 2, "profiles": [{"totally": "different"}], "x": 1}"#;
        assert_eq!(parse_profiles(bytes), Err(FileProblem::NewerVersion(2)));
    }

    #[test]
    fn bad_json_missing_version_and_duplicate_ids_are_not_valid() {
        for bytes in [
            &b"{\"version\": 1, \"profiles\": ["[..],
            b"",
            b"[]",
            b"{\"profiles\": []}",
            b"{\"version\": 0, \"profiles\": []}",
            b"{\"version\": \"1\", \"profiles\": []}",
            b"{\"version\": 1, \"profiles\": [{\"id\": \"p1\"}]}",
        ] {
            let r = parse_profiles(bytes);
            assert!(
                matches!(r, Err(FileProblem::NotValid(_))),
                "{:?} -> {r:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let dup = serialise_profiles(&ProfilesFile::new(vec![profile("p1"), profile("p1")]));
        assert!(matches!(parse_profiles(&dup), Err(FileProblem::NotValid(m)) if m.contains("p1")));
    }

    #[test]
    fn set_aside_message_names_the_kept_file_in_both_languages() {
        let m = FileProblem::NotValid("x".into()).set_aside_message("profiles.json.corrupt-1");
        assert!(m.ja.contains("profiles.json.corrupt-1") && m.ja.contains("壊れて"));
        assert!(m.en.contains("profiles.json.corrupt-1") && m.en.contains("damaged"));
        let m = FileProblem::NewerVersion(3).set_aside_message("k");
        assert!(m.ja.contains("新しい版") && m.en.contains("newer version"));
    }

    #[test]
    fn utc_stamp_matches_known_dates() {
        assert_eq!(utc_stamp(UnixMs(0)), "19700101T000000Z");
        // 2026-11-21 02:15:00 UTC
        assert_eq!(utc_stamp(UnixMs(1_795_227_300_000)), "20261121T021500Z");
        // 2024-02-29 23:59:59 UTC (leap day)
        assert_eq!(utc_stamp(UnixMs(1_709_251_199_999)), "20240229T235959Z");
        assert_eq!(utc_stamp(UnixMs(-1)), "19691231T235959Z");
    }

    #[test]
    fn set_aside_name_never_reuses_a_taken_name() {
        let t = UnixMs(0);
        assert_eq!(
            set_aside_name("profiles.json", t, |_| false),
            "profiles.json.corrupt-19700101T000000Z"
        );
        let taken = [
            "profiles.json.corrupt-19700101T000000Z",
            "profiles.json.corrupt-19700101T000000Z-2",
        ];
        assert_eq!(
            set_aside_name("profiles.json", t, |n| taken.contains(&n)),
            "profiles.json.corrupt-19700101T000000Z-3"
        );
    }

    #[test]
    fn next_profile_id_is_unique_among_existing() {
        let now = UnixMs(1_795_227_300_000);
        let first = next_profile_id(&[], now);
        assert!(first.as_str().starts_with('p'));
        let mut existing = vec![];
        let mut p = profile("p1");
        p.id = first.clone();
        existing.push(p);
        let second = next_profile_id(&existing, now);
        assert_eq!(second.as_str(), format!("{first}-2"));
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }
}
