//! Reachability: can this PC reach the internet, and is something in the way?
//!
//! Two kinds of target: the playbook's official site (https; a certificate error there means
//! something rewrites secure traffic) and one generic "204" endpoint (plain http; anything but
//! an empty 204 means a captive portal answered instead). Requests never follow redirects (a
//! redirect to a foreign host *is* the captive-portal signal), never use a proxy (we measure
//! the PC's own path), and have short timeouts. All targets run at once; the verdict is a pure
//! function of the per-target outcomes ([`summarize`]), so it is tested without a network.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::{Confidence, FACT_PC_ONLINE};
use crate::facts::{Observation, UnixMs};

/// The generic endpoint used when the caller gives none. It answers an empty 204 when nothing
/// is in the way.
pub const DEFAULT_GENERIC: &str = "http://connectivitycheck.gstatic.com/generate_204";

/// How names are resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DnsMode {
    /// The OS resolver.
    #[default]
    System,
    /// Only these names resolve; every other name fails as "no such host" without asking any
    /// DNS server. For tests, and for networks where the helper must pin addresses.
    Static(HashMap<String, Vec<SocketAddr>>),
}

/// What to probe. Configurable for tests and for users behind unusual networks.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The playbook's official pages (https), e.g. `https://www.au.com/`.
    pub official: Vec<Url>,
    /// A generic endpoint that answers an empty `204 No Content`; `None` to skip it.
    pub generic: Option<Url>,
    /// Per-request limit (connect + response).
    pub timeout: Duration,
    pub dns: DnsMode,
}

impl ProbeConfig {
    /// The official pages given by the caller, the default generic endpoint, 4 s each.
    pub fn new(official: Vec<Url>) -> Self {
        ProbeConfig {
            official,
            generic: Url::parse(DEFAULT_GENERIC).ok(),
            timeout: Duration::from_secs(4),
            dns: DnsMode::System,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Official,
    Generic,
}

/// What happened with one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TargetOutcome {
    /// The real server answered (an https response with a valid certificate, or the generic
    /// endpoint's empty 204).
    Reached {
        status: u16,
    },
    /// Redirected to another host: a captive portal's login page.
    Redirected {
        status: u16,
        location: String,
    },
    /// The generic endpoint answered something other than an empty 204 (e.g. 200 with HTML):
    /// someone else answered in its place.
    Intercepted {
        status: u16,
        detail: String,
    },
    DnsFailure {
        detail: String,
    },
    /// Connection refused.
    Refused {
        detail: String,
    },
    /// No route to the host / network unreachable.
    Unreachable {
        detail: String,
    },
    Timeout,
    /// The certificate did not verify on a target that should have a valid one.
    TlsError {
        detail: String,
    },
    Other {
        detail: String,
    },
}

impl TargetOutcome {
    fn label(&self) -> String {
        match self {
            TargetOutcome::Reached { status } => format!("answered {status}"),
            TargetOutcome::Redirected { status, location } => {
                format!("redirected ({status}) to {location}")
            }
            TargetOutcome::Intercepted { status, detail } => {
                format!("answered {status} instead of an empty 204 ({detail})")
            }
            TargetOutcome::DnsFailure { detail } => format!("name lookup failed ({detail})"),
            TargetOutcome::Refused { detail } => format!("connection refused ({detail})"),
            TargetOutcome::Unreachable { detail } => format!("unreachable ({detail})"),
            TargetOutcome::Timeout => "no answer before the timeout".to_owned(),
            TargetOutcome::TlsError { detail } => format!("certificate did not verify ({detail})"),
            TargetOutcome::Other { detail } => format!("failed ({detail})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetReport {
    pub url: String,
    pub kind: TargetKind,
    #[serde(flatten)]
    pub outcome: TargetOutcome,
    pub elapsed_ms: u64,
}

/// The overall verdict. Values match `pc.online` in [`crate::facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reachability {
    Online,
    Offline,
    DnsFailure,
    CaptivePortal,
    TlsIntercepted,
    Unknown,
}

impl Reachability {
    pub fn as_str(self) -> &'static str {
        match self {
            Reachability::Online => "online",
            Reachability::Offline => "offline",
            Reachability::DnsFailure => "dns_failure",
            Reachability::CaptivePortal => "captive_portal",
            Reachability::TlsIntercepted => "tls_intercepted",
            Reachability::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeReport {
    pub verdict: Reachability,
    pub confidence: Confidence,
    pub evidence: Vec<String>,
    pub targets: Vec<TargetReport>,
}

impl ProbeReport {
    /// The `pc.online` fact.
    pub fn observations(&self, at: UnixMs) -> Vec<Observation> {
        let evidence = format!(
            "confidence {}: {}",
            self.confidence.as_str(),
            self.evidence.join("; ")
        );
        vec![Observation::measured(
            FACT_PC_ONLINE,
            self.verdict.as_str(),
            at,
            evidence,
        )]
    }

    /// One line for the family member, in Japanese and English.
    pub fn summary(&self) -> crate::i18n::Text {
        super::text::probe_summary(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(
        "could not set up the connection check: {0}. This is a bug in Tebiki; please report it"
    )]
    Client(String),
}

/// Probes every target at once and returns the verdict. Async and bounded by
/// `config.timeout` (plus scheduling): it never blocks the caller.
pub async fn probe(config: &ProbeConfig) -> Result<ProbeReport, ProbeError> {
    // reqwest is built without a TLS crypto provider of its own: use ring's. Installing fails
    // harmlessly when a provider is already the process default (a second probe, or a test).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .user_agent(concat!(
            "Tebiki/",
            env!("CARGO_PKG_VERSION"),
            " connectivity check"
        ));
    if let DnsMode::Static(map) = &config.dns {
        builder = builder.dns_resolver(Arc::new(StaticResolver(map.clone())));
    }
    let client = builder
        .build()
        .map_err(|e| ProbeError::Client(e.to_string()))?;

    let targets: Vec<(Url, TargetKind)> = config
        .official
        .iter()
        .map(|u| (u.clone(), TargetKind::Official))
        .chain(
            config
                .generic
                .iter()
                .map(|u| (u.clone(), TargetKind::Generic)),
        )
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for (i, (url, kind)) in targets.into_iter().enumerate() {
        let client = client.clone();
        set.spawn(async move { (i, probe_one(&client, url, kind).await) });
    }
    let mut reports: Vec<(usize, TargetReport)> = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(r) => reports.push(r),
            // A panicking probe task is a bug; report it as a failed target, not a crash.
            Err(e) => reports.push((
                usize::MAX,
                TargetReport {
                    url: String::new(),
                    kind: TargetKind::Generic,
                    outcome: TargetOutcome::Other {
                        detail: e.to_string(),
                    },
                    elapsed_ms: 0,
                },
            )),
        }
    }
    reports.sort_by_key(|(i, _)| *i);
    Ok(summarize(reports.into_iter().map(|(_, r)| r).collect()))
}

async fn probe_one(client: &reqwest::Client, url: Url, kind: TargetKind) -> TargetReport {
    let started = Instant::now();
    let outcome = match client.get(url.clone()).send().await {
        Ok(resp) => outcome_of_response(&url, kind, resp).await,
        Err(e) => outcome_of_error(&e),
    };
    TargetReport {
        url: url.to_string(),
        kind,
        outcome,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

async fn outcome_of_response(
    url: &Url,
    kind: TargetKind,
    resp: reqwest::Response,
) -> TargetOutcome {
    let status = resp.status().as_u16();
    if resp.status().is_redirection() {
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let target = url.join(&location).ok();
        let same_host = target
            .as_ref()
            .and_then(|t| t.host_str())
            .is_some_and(|h| strip_www(h) == strip_www(url.host_str().unwrap_or("")));
        // Over https with a verified certificate, the answer is the real server's own.
        if url.scheme() == "https" || (kind == TargetKind::Official && same_host) {
            return TargetOutcome::Reached { status };
        }
        return TargetOutcome::Redirected { status, location };
    }
    match kind {
        TargetKind::Official => TargetOutcome::Reached { status },
        TargetKind::Generic => {
            let content_type = resp
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            // Read at most a little of the body: enough to say what answered.
            let body = tokio::time::timeout(Duration::from_millis(500), resp.bytes())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            if status == 204 && body.is_empty() {
                TargetOutcome::Reached { status }
            } else {
                let looks_html = content_type.contains("html")
                    || body.windows(5).any(|w| w.eq_ignore_ascii_case(b"<html"));
                TargetOutcome::Intercepted {
                    status,
                    detail: format!(
                        "{} bytes{}{}",
                        body.len(),
                        if content_type.is_empty() {
                            String::new()
                        } else {
                            format!(", {content_type}")
                        },
                        if looks_html { ", a web page" } else { "" }
                    ),
                }
            }
        }
    }
}

fn strip_www(h: &str) -> &str {
    h.strip_prefix("www.").unwrap_or(h)
}

/// Sorts a request error into an outcome by walking its causes.
fn outcome_of_error(e: &reqwest::Error) -> TargetOutcome {
    if e.is_timeout() {
        return TargetOutcome::Timeout;
    }
    let mut texts = Vec::new();
    let mut io_kind = None;
    let mut static_miss = false;
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.downcast_ref::<NoSuchHost>().is_some() {
            static_miss = true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
            if io.kind() == std::io::ErrorKind::TimedOut {
                return TargetOutcome::Timeout;
            }
        }
        texts.push(err.to_string());
        cur = err.source();
    }
    let detail = texts.last().cloned().unwrap_or_default();
    let all = texts.join(" | ").to_ascii_lowercase();
    use std::io::ErrorKind as K;
    if static_miss || all.contains("dns error") || all.contains("failed to lookup address") {
        return TargetOutcome::DnsFailure { detail };
    }
    match io_kind {
        Some(K::ConnectionRefused) => return TargetOutcome::Refused { detail },
        Some(K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable) => {
            return TargetOutcome::Unreachable { detail };
        }
        _ => {}
    }
    if all.contains("certificate") || all.contains("invalid peer") || all.contains("tls") {
        return TargetOutcome::TlsError { detail };
    }
    if all.contains("unreachable") || all.contains("no route") {
        return TargetOutcome::Unreachable { detail };
    }
    TargetOutcome::Other { detail }
}

/// The verdict from per-target outcomes. Pure.
///
/// Precedence: a captive portal explains everything else (it also breaks https), then TLS
/// interception, then "online" if anything answered, then DNS failure, then offline.
pub fn summarize(targets: Vec<TargetReport>) -> ProbeReport {
    let mut evidence: Vec<String> = targets
        .iter()
        .map(|t| {
            format!(
                "{} {}: {} in {} ms",
                kind_word(t.kind),
                t.url,
                t.outcome.label(),
                t.elapsed_ms
            )
        })
        .collect();
    let has = |f: &dyn Fn(&TargetOutcome) -> bool| targets.iter().any(|t| f(&t.outcome));
    let all = |f: &dyn Fn(&TargetOutcome) -> bool| {
        !targets.is_empty() && targets.iter().all(|t| f(&t.outcome))
    };

    let redirected = has(&|o| matches!(o, TargetOutcome::Redirected { .. }));
    let intercepted = has(&|o| matches!(o, TargetOutcome::Intercepted { .. }));
    let tls = has(&|o| matches!(o, TargetOutcome::TlsError { .. }));
    let reached = has(&|o| matches!(o, TargetOutcome::Reached { .. }));
    let official_reached = targets.iter().any(|t| {
        t.kind == TargetKind::Official && matches!(t.outcome, TargetOutcome::Reached { .. })
    });

    let (verdict, confidence) = if targets.is_empty() {
        evidence.push("nothing was probed".to_owned());
        (Reachability::Unknown, Confidence::Low)
    } else if redirected || intercepted {
        // A redirect of a plain-http check to another host is what portals do; an odd answer
        // alone could also be a filtering proxy.
        (
            Reachability::CaptivePortal,
            if redirected {
                Confidence::High
            } else {
                Confidence::Medium
            },
        )
    } else if tls {
        if reached {
            evidence.push("other targets answered normally, so the certificate error is not the PC being offline".to_owned());
            (Reachability::TlsIntercepted, Confidence::High)
        } else {
            evidence.push("a wrong PC clock can also cause certificate errors".to_owned());
            (Reachability::TlsIntercepted, Confidence::Medium)
        }
    } else if reached {
        if official_reached || !targets.iter().any(|t| t.kind == TargetKind::Official) {
            (Reachability::Online, Confidence::High)
        } else {
            evidence.push("the generic check answered but the official site did not".to_owned());
            (Reachability::Online, Confidence::Medium)
        }
    } else if all(&|o| matches!(o, TargetOutcome::DnsFailure { .. })) {
        (Reachability::DnsFailure, Confidence::High)
    } else if has(&|o| matches!(o, TargetOutcome::DnsFailure { .. })) {
        (Reachability::DnsFailure, Confidence::Medium)
    } else if has(&|o| {
        matches!(
            o,
            TargetOutcome::Unreachable { .. } | TargetOutcome::Refused { .. }
        )
    }) {
        (Reachability::Offline, Confidence::High)
    } else {
        // Only timeouts / odd errors: most likely offline or a very slow link.
        (Reachability::Offline, Confidence::Medium)
    };
    ProbeReport {
        verdict,
        confidence,
        evidence,
        targets,
    }
}

fn kind_word(k: TargetKind) -> &'static str {
    match k {
        TargetKind::Official => "official",
        TargetKind::Generic => "generic",
    }
}

/// A resolver that knows only the names it was given.
struct StaticResolver(HashMap<String, Vec<SocketAddr>>);

#[derive(Debug, thiserror::Error)]
#[error("no such host: {0} (static name table)")]
struct NoSuchHost(String);

impl reqwest::dns::Resolve for StaticResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let found = self.0.get(&name.as_str().to_ascii_lowercase()).cloned();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match found {
                Some(addrs) if !addrs.is_empty() => {
                    Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
                }
                _ => Err(Box::new(NoSuchHost(host)) as Box<dyn StdError + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(kind: TargetKind, outcome: TargetOutcome) -> TargetReport {
        TargetReport {
            url: "http://x.test/".into(),
            kind,
            outcome,
            elapsed_ms: 1,
        }
    }

    #[test]
    fn captive_portal_outranks_a_certificate_error() {
        let r = summarize(vec![
            t(
                TargetKind::Official,
                TargetOutcome::TlsError {
                    detail: "bad".into(),
                },
            ),
            t(
                TargetKind::Generic,
                TargetOutcome::Redirected {
                    status: 302,
                    location: "http://login.portal/".into(),
                },
            ),
        ]);
        assert_eq!(r.verdict, Reachability::CaptivePortal);
        assert_eq!(r.confidence, Confidence::High);
    }

    #[test]
    fn certificate_error_while_others_answer_is_interception() {
        let r = summarize(vec![
            t(
                TargetKind::Official,
                TargetOutcome::TlsError {
                    detail: "UnknownIssuer".into(),
                },
            ),
            t(TargetKind::Generic, TargetOutcome::Reached { status: 204 }),
        ]);
        assert_eq!(r.verdict, Reachability::TlsIntercepted);
        assert_eq!(r.confidence, Confidence::High);
    }

    #[test]
    fn only_dns_failures_mean_dns_failure_and_mixed_failures_mean_offline() {
        let dns = || TargetOutcome::DnsFailure {
            detail: "nx".into(),
        };
        let r = summarize(vec![
            t(TargetKind::Official, dns()),
            t(TargetKind::Generic, dns()),
        ]);
        assert_eq!(
            (r.verdict, r.confidence),
            (Reachability::DnsFailure, Confidence::High)
        );
        let r = summarize(vec![
            t(TargetKind::Official, TargetOutcome::Timeout),
            t(
                TargetKind::Generic,
                TargetOutcome::Refused {
                    detail: "rst".into(),
                },
            ),
        ]);
        assert_eq!(
            (r.verdict, r.confidence),
            (Reachability::Offline, Confidence::High)
        );
        let r = summarize(vec![t(TargetKind::Official, TargetOutcome::Timeout)]);
        assert_eq!(
            (r.verdict, r.confidence),
            (Reachability::Offline, Confidence::Medium)
        );
    }

    #[test]
    fn generic_answer_without_the_official_site_is_online_with_medium_confidence() {
        let r = summarize(vec![
            t(TargetKind::Official, TargetOutcome::Timeout),
            t(TargetKind::Generic, TargetOutcome::Reached { status: 204 }),
        ]);
        assert_eq!(
            (r.verdict, r.confidence),
            (Reachability::Online, Confidence::Medium)
        );
        let obs = r.observations(UnixMs(7));
        assert_eq!(obs[0].key, "pc.online");
        assert_eq!(obs[0].value, "online");
        assert!(obs[0].evidence.contains("did not"), "{}", obs[0].evidence);
    }

    #[test]
    fn no_targets_is_unknown() {
        assert_eq!(summarize(vec![]).verdict, Reachability::Unknown);
    }
}
