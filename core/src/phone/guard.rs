//! Guards of the phone server, as pure decisions: is the `Host` the bound address (DNS
//! rebinding), may this address guess another token (rate limit), is this device the phone
//! that claimed the check (claim cookie), which language does the phone want.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

use crate::facts::UnixMs;
use crate::i18n::Lang;

use super::token::Secret;

/// Largest body the server reads. A heartbeat is about 60 bytes.
pub const MAX_BODY_BYTES: usize = 1024;

/// The claim cookie's name.
pub const CLAIM_COOKIE: &str = "tebiki_claim";

/// A page served through a DNS name that resolves to the PC (rebinding) carries that name in
/// `Host`; only the literal bound `IP:PORT` is accepted.
pub fn host_is_bound_address(host: Option<&str>, bound: SocketAddr) -> bool {
    match host {
        Some(h) => h == bound.to_string(),
        None => false,
    }
}

/// Counts wrong tokens per address in fixed one-minute windows.
#[derive(Debug)]
pub struct BadTokenLimiter {
    allowed_per_window: u32,
    window_ms: i64,
    /// Upper bound on tracked addresses, so a flood from many addresses can't grow memory.
    max_tracked: usize,
    seen: HashMap<IpAddr, (UnixMs, u32)>,
}

/// What to answer to a wrong token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTokenVerdict {
    /// Within the allowance: answer "not found".
    NotFound,
    /// Over the allowance: answer 429.
    TooMany,
}

impl Default for BadTokenLimiter {
    fn default() -> Self {
        BadTokenLimiter::new(5, 60_000, 4_096)
    }
}

impl BadTokenLimiter {
    pub fn new(allowed_per_window: u32, window_ms: i64, max_tracked: usize) -> Self {
        BadTokenLimiter {
            allowed_per_window,
            window_ms,
            max_tracked,
            seen: HashMap::new(),
        }
    }

    /// Records one wrong token from `ip` at `now`.
    pub fn record(&mut self, ip: IpAddr, now: UnixMs) -> BadTokenVerdict {
        if !self.seen.contains_key(&ip) && self.seen.len() >= self.max_tracked {
            let window = self.window_ms;
            self.seen.retain(|_, (start, _)| now.since(*start) < window);
            if self.seen.len() >= self.max_tracked {
                // Fail closed: an unknown address in a flood this large gets no allowance.
                return BadTokenVerdict::TooMany;
            }
        }
        let entry = self.seen.entry(ip).or_insert((now, 0));
        if now.since(entry.0) >= self.window_ms {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 > self.allowed_per_window {
            BadTokenVerdict::TooMany
        } else {
            BadTokenVerdict::NotFound
        }
    }
}

/// Who a request comes from, relative to the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimDecision {
    /// Nobody claimed the check yet: this device becomes the phone.
    ClaimNow,
    /// This is the phone that claimed the check.
    Owner,
    /// Another device.
    Other,
}

/// Decides from the stored claim secret and the request's cookie.
pub fn decide_claim(claimed: Option<&Secret>, cookie: Option<&str>) -> ClaimDecision {
    match (claimed, cookie) {
        (None, _) => ClaimDecision::ClaimNow,
        (Some(secret), Some(c)) if secret.matches(c) => ClaimDecision::Owner,
        (Some(_), _) => ClaimDecision::Other,
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

/// The `Set-Cookie` value that claims the check for this phone. Scoped to the check's path,
/// unreadable from scripts, never sent cross-site, gone when the check ends.
pub fn claim_cookie(secret: &Secret, path: &str, max_age_secs: u64) -> String {
    format!(
        "{CLAIM_COOKIE}={}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict",
        secret.as_str()
    )
}

/// Picks Japanese or English from `Accept-Language` by quality; Japanese when neither is
/// asked for.
pub fn language_from_accept(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::Ja;
    };
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::from_tag(tag)
            && q > 0.0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or(Lang::Ja)
}

/// Remembers which refusals were already reported to the PC side, so a flood produces one
/// event per address and reason, not thousands.
#[derive(Debug)]
pub struct ReportOnce<K> {
    seen: HashSet<K>,
}

impl<K> Default for ReportOnce<K> {
    fn default() -> Self {
        ReportOnce {
            seen: HashSet::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq> ReportOnce<K> {
    /// Most distinct refusals worth telling the helper about.
    const MAX: usize = 64;

    /// True the first time `key` is offered (up to a bound).
    pub fn first(&mut self, key: K) -> bool {
        if self.seen.len() >= Self::MAX {
            return false;
        }
        self.seen.insert(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 168, 1, last])
    }

    #[test]
    fn only_the_literal_bound_address_is_an_accepted_host() {
        let bound: SocketAddr = "192.168.1.10:43210".parse().expect("addr");
        assert!(host_is_bound_address(Some("192.168.1.10:43210"), bound));
        assert!(!host_is_bound_address(Some("rebind.example:43210"), bound));
        assert!(!host_is_bound_address(Some("192.168.1.10"), bound));
        assert!(!host_is_bound_address(Some("192.168.1.10:43211"), bound));
        assert!(!host_is_bound_address(None, bound));
    }

    #[test]
    fn sixth_bad_token_within_a_minute_is_too_many() {
        let mut l = BadTokenLimiter::default();
        for i in 0..5 {
            assert_eq!(
                l.record(ip(5), UnixMs(i * 1_000)),
                BadTokenVerdict::NotFound,
                "try {i}"
            );
        }
        assert_eq!(l.record(ip(5), UnixMs(5_000)), BadTokenVerdict::TooMany);
        // Another address has its own allowance.
        assert_eq!(l.record(ip(6), UnixMs(5_000)), BadTokenVerdict::NotFound);
        // A minute after the window opened, the allowance is back.
        assert_eq!(l.record(ip(5), UnixMs(60_000)), BadTokenVerdict::NotFound);
    }

    #[test]
    fn limiter_memory_is_bounded_and_fails_closed() {
        let mut l = BadTokenLimiter::new(5, 60_000, 3);
        for last in 1..=3 {
            assert_eq!(l.record(ip(last), UnixMs(0)), BadTokenVerdict::NotFound);
        }
        assert_eq!(l.record(ip(4), UnixMs(10)), BadTokenVerdict::TooMany);
        // Once the old windows expire there is room again.
        assert_eq!(l.record(ip(4), UnixMs(70_000)), BadTokenVerdict::NotFound);
    }

    #[test]
    fn first_device_claims_then_only_its_cookie_is_the_owner() {
        let secret = Secret::generate().expect("rng");
        assert_eq!(decide_claim(None, None), ClaimDecision::ClaimNow);
        assert_eq!(
            decide_claim(Some(&secret), Some(secret.as_str())),
            ClaimDecision::Owner
        );
        assert_eq!(decide_claim(Some(&secret), None), ClaimDecision::Other);
        assert_eq!(
            decide_claim(Some(&secret), Some("guess")),
            ClaimDecision::Other
        );
    }

    #[test]
    fn cookies_are_found_by_name() {
        let h = "a=1; tebiki_claim=abc_-9 ; other=x=y";
        assert_eq!(cookie_value(h, CLAIM_COOKIE), Some("abc_-9"));
        assert_eq!(cookie_value(h, "other"), Some("x=y"));
        assert_eq!(cookie_value(h, "missing"), None);
        assert_eq!(cookie_value("garbage", CLAIM_COOKIE), None);
    }

    #[test]
    fn claim_cookie_is_http_only_strict_and_scoped() {
        let secret = Secret::generate().expect("rng");
        let c = claim_cookie(&secret, "/p/TOKEN", 600);
        assert!(c.starts_with(&format!("tebiki_claim={}", secret.as_str())));
        for attr in [
            "Path=/p/TOKEN",
            "Max-Age=600",
            "HttpOnly",
            "SameSite=Strict",
        ] {
            assert!(c.contains(attr), "{c} lacks {attr}");
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_of_japanese_and_english() {
        assert_eq!(language_from_accept(None), Lang::Ja);
        assert_eq!(language_from_accept(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            language_from_accept(Some("ja-JP,ja;q=0.9,en;q=0.8")),
            Lang::Ja
        );
        assert_eq!(
            language_from_accept(Some("fr-FR,en;q=0.5,ja;q=0.7")),
            Lang::Ja
        );
        assert_eq!(language_from_accept(Some("fr-FR,en;q=0.5")), Lang::En);
        assert_eq!(language_from_accept(Some("de")), Lang::Ja);
        assert_eq!(language_from_accept(Some("en;q=0")), Lang::Ja);
    }

    #[test]
    fn refusals_are_reported_once_each_and_boundedly() {
        let mut once = ReportOnce::default();
        assert!(once.first((ip(1), 1)));
        assert!(!once.first((ip(1), 1)));
        assert!(once.first((ip(1), 2)));
        for i in 0..200u8 {
            once.first((ip(i), 3));
        }
        assert!(!once.first((ip(250), 9)), "set grew past its bound");
    }
}
