//! Keeps secrets out of the record. The engine never sees the account ID or the phone
//! check's token, but the record also keeps free text from observers (evidence) and from
//! the engine (explanations), so that text is scrubbed before it is stored, by shape:
//!
//! - a URL keeps only its scheme and host (`http://192.168.1.5:8123/…`): the phone-check
//!   URL carries its token in the path;
//! - a run of 16 or more URL-safe characters with a digit or a capital letter (a token,
//!   a key; the phone check's token is 22 base64url characters) is replaced;
//! - anything shaped like an e-mail address (an au ID may be one) is replaced;
//! - 10 or more digits, possibly split by hyphens (a phone number, which may also be an
//!   au ID), are replaced.
//!
//! Ordinary words, interface names (`enx8a4f2b6c1d0e`), IPv4 addresses and fact values
//! pass unchanged.

/// What replaces a secret-looking piece of text.
pub const REDACTED: &str = "[…]";

/// Shortest run of URL-safe characters treated as a token.
const TOKEN_MIN: usize = 16;
/// Fewest digits treated as a phone number (Japanese numbers have 10 or 11; a date such as
/// `2027-01-15` has 8 and stays).
const DIGITS_MIN: usize = 10;

/// `text` with URLs cut to their host and token-, e-mail- and phone-number-shaped parts
/// replaced by [`REDACTED`].
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Split on whitespace but keep it, so the sentence reads the same.
    let mut word = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            out.push_str(&scrub_word(&word));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.push_str(&scrub_word(&word));
    redact_digit_runs(&out)
}

fn scrub_word(word: &str) -> String {
    if word.is_empty() {
        return String::new();
    }
    if let Some(i) = word.find("://") {
        let (scheme, rest) = word.split_at(i + 3);
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let host = &rest[..host_end];
        // `user:password@host` hides a credential in the authority.
        let host = host.rsplit('@').next().unwrap_or(host);
        let cut = if host_end < rest.len() { "/…" } else { "" };
        return format!("{}{host}{cut}", redact_tokens(scheme));
    }
    if looks_like_email(word) {
        return REDACTED.to_owned();
    }
    redact_tokens(word)
}

fn looks_like_email(word: &str) -> bool {
    let Some((local, domain)) = word.rsplit_once('@') else {
        return false;
    };
    let local = local.trim_start_matches(|c: char| !c.is_alphanumeric());
    !local.is_empty() && domain.contains('.') && domain.len() > 2
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Replaces long token-like runs inside a word.
fn redact_tokens(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let long = run.chars().count() >= TOKEN_MIN;
        let mixed = run
            .chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        if long && mixed {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in word.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Replaces runs of at least [`DIGITS_MIN`] digits, allowing single hyphens between them
/// (`090-1234-5678`, full-width too). Spaces do not join runs, so a date and a time stay.
fn redact_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let is_sep = |c: char| matches!(c, '-' | '－' | 'ー' | '‐');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Extend over digits and single separators between digits.
        let mut j = i;
        let mut digits = 0;
        let mut end = i;
        while j < chars.len() {
            if is_digit(chars[j]) {
                digits += 1;
                j += 1;
                end = j;
            } else if is_sep(chars[j]) && j + 1 < chars.len() && is_digit(chars[j + 1]) {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= DIGITS_MIN {
            out.push_str(REDACTED);
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

/// Whether `text` still contains something [`scrub`] would remove: the check the record's
/// tests and the exporters' debug assertions use.
pub fn looks_secret(text: &str) -> bool {
    scrub(text) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_check_url_keeps_only_its_host() {
        let s = scrub("page loaded from http://192.168.1.5:8123/p/Qk3vX9_aZ-0pLm2nB8cD7e now");
        assert_eq!(s, "page loaded from http://192.168.1.5:8123/… now");
    }

    #[test]
    fn tokens_emails_and_phone_numbers_are_replaced() {
        assert_eq!(scrub("token Qk3vX9_aZ-0pLm2nB8cD7e"), "token […]");
        assert_eq!(scrub("id=tanaka.hanako@example.jp"), "[…]");
        assert_eq!(scrub("call 090-1234-5678."), "call […].");
        assert_eq!(scrub("tel:0312345678"), "tel:[…]");
        assert_eq!(scrub("０９０１２３４５６７８"), "[…]");
        assert_eq!(
            scrub("https://u:pw@id.auone.jp/x?y=1"),
            "https://id.auone.jp/…"
        );
    }

    #[test]
    fn ordinary_evidence_passes_unchanged() {
        for s in [
            "default route via wlan0: DEVTYPE=wlan",
            "usb0 driver rndis_host; enx8a4f2b6c1d0e is down",
            "phone at 192.168.1.23 on the LAN, 3 beats in 10 s",
            "NetworkManager Metered=GUESS_YES",
            "スマホの Wi-Fi を切ります",
            "phone_wifi_off_android",
            "checked 2027-01-15 17:00:03",
            "https://id.auone.jp",
        ] {
            assert_eq!(scrub(s), s);
            assert!(!looks_secret(s));
        }
    }
}
