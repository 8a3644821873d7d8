//! Secrets of a phone check: the URL token (who may open the page) and the claim secret (which
//! phone opened it first). Both are 128 bits from the OS RNG, written URL-safe so they fit in a
//! path and a cookie without escaping, and compared in constant time.

use std::fmt;

use super::PhoneError;

/// Number of random bytes in a token or claim secret: 128 bits.
pub const SECRET_BYTES: usize = 16;

/// A 128-bit random value written as unpadded base64url (22 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Draws a fresh secret from the operating system's random number generator.
    pub fn generate() -> Result<Secret, PhoneError> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| PhoneError::Random(e.to_string()))?;
        Ok(Secret(base64url(&bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares with a value from a request without leaking, through timing, how many leading
    /// characters matched.
    pub fn matches(&self, candidate: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), candidate.as_bytes())
    }
}

// Never print a secret by accident (logs, panics, `{:?}` in events).
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Unpadded base64url (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[idx as usize]));
        }
    }
    out
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_the_rfc_test_vectors() {
        // RFC 4648 §10, with the padding removed.
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn secrets_are_22_url_safe_characters_and_differ() {
        let a = Secret::generate().expect("OS RNG");
        let b = Secret::generate().expect("OS RNG");
        assert_eq!(a.as_str().len(), 22);
        assert!(
            a.as_str()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b, "two draws of 128 bits collided");
    }

    #[test]
    fn secret_matches_only_itself() {
        let a = Secret::generate().expect("OS RNG");
        assert!(a.matches(a.as_str()));
        let mut wrong = a.as_str().to_owned();
        let last = if wrong.ends_with('A') { "B" } else { "A" };
        wrong.replace_range(21..22, last);
        assert!(!a.matches(&wrong));
        assert!(!a.matches(&a.as_str()[..21]));
        assert!(!a.matches(""));
    }

    #[test]
    fn secret_debug_output_hides_the_value() {
        let a = Secret::generate().expect("OS RNG");
        assert!(!format!("{a:?}").contains(a.as_str()));
    }
}
