//! The short-lived LAN server: axum routes served connection by connection through hyper, so
//! that header reads have a deadline, connections are capped per address, and the whole
//! server (with every open connection) ends at the check's deadline or on `stop`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::facts::UnixMs;
use crate::i18n::Lang;

use super::event::{EndReason, PhoneEvent, Platform, Refusal};
use super::guard::{
    self, BadTokenLimiter, BadTokenVerdict, ClaimDecision, MAX_BODY_BYTES, ReportOnce,
};
use super::neighbour::{Answer, Neighbours};
use super::page::{self, PageConfig};
use super::presence::{Beat, Presence, Visibility};
use super::token::Secret;

/// A client must send its whole request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A client must send its (≤ 1 KB) body within this time.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// No connection lives longer than this, idle or not; browsers reconnect transparently.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(30);
/// Open connections in total, and from one address. A phone uses two or three.
const MAX_CONNECTIONS: usize = 256;
const MAX_CONNECTIONS_PER_IP: u32 = 24;
/// Places kept for the phone that claimed the check: other devices filling every other place
/// can neither lock it out nor make it look gone.
const RESERVED_FOR_PHONE: usize = 16;
/// After `stop()`, how long heartbeats are still answered (with 410) so the page can show
/// "this check has ended"; a visible page beats every 1.5 s.
pub const STOP_GRACE: Duration = Duration::from_millis(2_000);
/// How often presence is asked whether time alone changed something.
const TICK: Duration = Duration::from_millis(200);

/// The carrier-check image: its URL and the origin the page's CSP allows for images.
#[derive(Debug, Clone)]
pub struct CarrierCheck {
    pub url: String,
    pub origin: String,
}

/// Everything the handlers share.
pub struct Ctx {
    pub token: Secret,
    pub path: String,
    pub bound: SocketAddr,
    pub carrier: Option<CarrierCheck>,
    pub pc_tethered: bool,
    pub deadline: UnixMs,
    /// Set by `stop()`: for a short grace period the page is told the check is over (410)
    /// instead of finding the PC silently gone, which it would read as "Wi-Fi off".
    pub ending: AtomicBool,
    pub events: mpsc::UnboundedSender<PhoneEvent>,
    pub neighbours: Arc<dyn Neighbours>,
    pub shared: Mutex<Shared>,
}

/// What the `PhoneCheck` handle tells the running server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    PcNetworkChanged,
}

/// Mutable state behind one short-held lock.
pub struct Shared {
    pub presence: Presence,
    pub limiter: BadTokenLimiter,
    pub claim: Option<Secret>,
    /// The address the claiming phone's requests come from (its reserved connection places).
    pub phone_ip: Option<IpAddr>,
    pub reported: ReportOnce<(IpAddr, Refusal)>,
}

impl Ctx {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A handler that panicked mid-update leaves plain data behind; carry on with it.
        self.shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn emit(&self, events: Vec<PhoneEvent>) {
        for e in events {
            // The receiver may be gone (the caller dropped it); the check goes on regardless.
            let _ = self.events.send(e);
        }
    }

    fn refuse_once(&self, shared: &mut Shared, why: Refusal, from: IpAddr) {
        if shared.reported.first((from, why)) {
            let _ = self.events.send(PhoneEvent::Refused { why, from });
        }
    }
}

/// The peer address of the connection a request came on.
#[derive(Debug, Clone, Copy)]
struct Peer(SocketAddr);

fn lang_of(headers: &HeaderMap) -> Lang {
    guard::language_from_accept(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn nonce() -> String {
    // Without the OS RNG the page can't get a fresh nonce; a fixed one would still pass the
    // CSP but defeat its purpose, so fail the request instead.
    Secret::generate()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default()
}

fn html(status: StatusCode, body: String, csp: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

fn message_page(status: StatusCode, headers: &HeaderMap, text: &crate::i18n::Text) -> Response {
    let n = nonce();
    if n.is_empty() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{n}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    html(status, page::message(lang_of(headers), &n, text), csp)
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut resp = (status, text).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// Host check, method check and the headers every response carries.
async fn outer_guard(State(ctx): State<Arc<Ctx>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    let mut resp = if !guard::host_is_bound_address(host, ctx.bound) {
        // DNS rebinding: a page on some other name that resolves to this PC.
        plain(
            StatusCode::MISDIRECTED_REQUEST,
            "Wrong Host. / ホストが違います。\n",
        )
    } else if req.method() != Method::GET && req.method() != Method::POST {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "Only GET and POST. / GETとPOSTのみです。\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        r
    } else if ctx.ending.load(Ordering::SeqCst) {
        let text = page::ended_text();
        if req.uri().path().ends_with("/beat") {
            plain(StatusCode::GONE, "This check has ended.\n")
        } else {
            message_page(StatusCode::GONE, req.headers(), &text)
        }
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

fn bad_token(ctx: &Ctx, headers: &HeaderMap, ip: IpAddr) -> Response {
    let verdict = {
        let mut shared = ctx.lock();
        let v = shared.limiter.record(ip, UnixMs::now());
        if v == BadTokenVerdict::TooMany {
            ctx.refuse_once(&mut shared, Refusal::TooManyBadTokens, ip);
        }
        v
    };
    match verdict {
        BadTokenVerdict::NotFound => {
            message_page(StatusCode::NOT_FOUND, headers, &page::not_found_text())
        }
        BadTokenVerdict::TooMany => {
            let mut r = message_page(
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                &page::too_many_text(),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            r
        }
    }
}

fn claim_cookie_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| guard::cookie_value(h, guard::CLAIM_COOKIE))
}

async fn page_handler(
    State(ctx): State<Arc<Ctx>>,
    axum::Extension(Peer(peer)): axum::Extension<Peer>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !ctx.token.matches(&token) {
        return bad_token(&ctx, &headers, peer.ip());
    }
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let platform = Platform::from_user_agent(ua);
    let now = UnixMs::now();
    let new_claim = {
        let mut shared = ctx.lock();
        let decision = guard::decide_claim(shared.claim.as_ref(), claim_cookie_of(&headers));
        let new_claim = match decision {
            ClaimDecision::Other => {
                ctx.refuse_once(&mut shared, Refusal::OtherDevice, peer.ip());
                drop(shared);
                return message_page(StatusCode::FORBIDDEN, &headers, &page::refused_text());
            }
            ClaimDecision::ClaimNow => match Secret::generate() {
                Ok(secret) => {
                    shared.claim = Some(secret.clone());
                    Some(secret)
                }
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            },
            ClaimDecision::Owner => None,
        };
        shared.phone_ip = Some(peer.ip());
        let events = shared.presence.on_page(now, platform);
        ctx.emit(events);
        new_claim
    };
    // The OS has just resolved the phone's link-layer address for this request: learn it for
    // the network-side checks (a quick table read, off the async threads).
    if let IpAddr::V4(ip) = peer.ip() {
        let neighbours = ctx.neighbours.clone();
        if let Ok(learned) = tokio::task::spawn_blocking(move || neighbours.learn(ip)).await {
            ctx.lock().presence.on_learned(learned);
        }
    } else {
        ctx.lock()
            .presence
            .on_learned(super::neighbour::Learned::Unavailable {
                why: "the phone reached the PC over IPv6; only IPv4 neighbours are checked".into(),
            });
    }
    let n = nonce();
    if n.is_empty() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let left = ctx.deadline.since(now).max(0);
    let config = PageConfig {
        p: ctx.path.clone(),
        c: ctx.carrier.as_ref().map(|c| c.url.clone()),
        left,
        t: ctx.pc_tethered,
    };
    let img_src = ctx
        .carrier
        .as_ref()
        .map(|c| c.origin.as_str())
        .unwrap_or("'none'");
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{n}'; style-src 'nonce-{n}'; img-src {img_src}; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let mut resp = html(
        StatusCode::OK,
        page::render(lang_of(&headers), platform, &n, &config),
        csp,
    );
    if let Some(secret) = new_claim {
        let max_age = (left / 1000).max(1) as u64;
        if let Ok(v) = HeaderValue::from_str(&guard::claim_cookie(&secret, &ctx.path, max_age)) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The heartbeat body: `{"s":sequence,"v":"visible"|"hidden","c":"wifi"|"cellular"|…|""}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BeatBody {
    s: u64,
    v: String,
    #[serde(default)]
    c: String,
}

fn parse_beat(bytes: &[u8]) -> Option<Beat> {
    let b: BeatBody = serde_json::from_slice(bytes).ok()?;
    let visibility = match b.v.as_str() {
        "visible" => Visibility::Visible,
        "hidden" => Visibility::Hidden,
        _ => return None,
    };
    let ok_conn = b.c.len() <= 16
        && b.c
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c == b'-' || c == b'_');
    if !ok_conn {
        return None;
    }
    let connection = (!b.c.is_empty()).then_some(b.c);
    Some(Beat {
        seq: b.s,
        visibility,
        connection,
    })
}

async fn beat_handler(
    State(ctx): State<Arc<Ctx>>,
    axum::Extension(Peer(peer)): axum::Extension<Peer>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !ctx.token.matches(&token) {
        return bad_token(&ctx, &headers, peer.ip());
    }
    let is_owner = {
        let shared = ctx.lock();
        guard::decide_claim(shared.claim.as_ref(), claim_cookie_of(&headers))
            == ClaimDecision::Owner
    };
    if !is_owner {
        let mut shared = ctx.lock();
        ctx.refuse_once(&mut shared, Refusal::OtherDevice, peer.ip());
        return plain(
            StatusCode::FORBIDDEN,
            "Not the phone that opened this check.\n",
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "Body too large.\n");
    }
    let bytes = match tokio::time::timeout(
        BODY_READ_TIMEOUT,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Err(_) => return plain(StatusCode::REQUEST_TIMEOUT, "Body too slow.\n"),
        Ok(Err(_)) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "Body too large.\n"),
        Ok(Ok(b)) => b,
    };
    let Some(beat) = parse_beat(&bytes) else {
        return plain(StatusCode::BAD_REQUEST, "Malformed heartbeat.\n");
    };
    {
        let mut shared = ctx.lock();
        let events = shared.presence.on_beat(UnixMs::now(), &beat);
        ctx.emit(events);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn fallback(
    State(ctx): State<Arc<Ctx>>,
    axum::Extension(Peer(peer)): axum::Extension<Peer>,
    req: Request,
) -> Response {
    // Browsers ask for an icon on their own; that is not someone guessing tokens.
    if req.uri().path() == "/favicon.ico" {
        return plain(StatusCode::NOT_FOUND, "");
    }
    bad_token(&ctx, req.headers(), peer.ip())
}

pub fn router(ctx: Arc<Ctx>) -> Router {
    Router::new()
        .route("/p/{token}", get(page_handler))
        .route("/p/{token}/beat", post(beat_handler))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(ctx.clone(), outer_guard))
        .with_state(ctx)
}

/// Accepts connections until `stop` fires or the deadline passes, ticking presence meanwhile;
/// then closes every connection and reports `Ended`.
pub async fn run(
    listener: TcpListener,
    ctx: Arc<Ctx>,
    deadline: tokio::time::Instant,
    mut stop: oneshot::Receiver<()>,
    mut control: mpsc::UnboundedReceiver<Control>,
) {
    let (probe_tx, mut probe_rx) = mpsc::unbounded_channel::<(UnixMs, Answer)>();
    let app = router(ctx.clone());
    let mut conns: JoinSet<()> = JoinSet::new();
    let per_ip: Arc<Mutex<HashMap<IpAddr, u32>>> = Arc::new(Mutex::new(HashMap::new()));
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut grace_until: Option<tokio::time::Instant> = None;
    let why = loop {
        let grace = grace_until;
        tokio::select! {
            // Also fires when the `PhoneCheck` is dropped without `stop()` (sender gone).
            _ = &mut stop, if grace.is_none() => {
                ctx.ending.store(true, Ordering::SeqCst);
                grace_until = Some(tokio::time::Instant::now() + STOP_GRACE);
            }
            _ = tokio::time::sleep_until(grace.unwrap_or(deadline)), if grace.is_some() => break EndReason::Stopped,
            _ = tokio::time::sleep_until(deadline) => break EndReason::Deadline,
            _ = ticker.tick() => {
                let out = ctx.lock().presence.tick(UnixMs::now());
                ctx.emit(out.events);
                if let Some((target, plan)) = out.probe {
                    let neighbours = ctx.neighbours.clone();
                    let tx = probe_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let answer = neighbours.probe(&target, plan);
                        let _ = tx.send((UnixMs::now(), answer));
                    });
                }
            }
            Some((at, answer)) = probe_rx.recv() => {
                let events = ctx.lock().presence.on_probe(at, &answer);
                ctx.emit(events);
            }
            Some(c) = control.recv() => match c {
                Control::PcNetworkChanged => {
                    let events = ctx.lock().presence.on_pc_network_changed();
                    ctx.emit(events);
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(_) => {
                        // Out of file descriptors or similar: back off instead of spinning.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // The claimed phone may use every place; the others share all but its reserve.
                let phone_ip = ctx.lock().phone_ip;
                let full = if phone_ip == Some(peer.ip()) {
                    conns.len() >= MAX_CONNECTIONS
                } else {
                    conns.len().saturating_sub(phone_conns(&per_ip, phone_ip))
                        >= MAX_CONNECTIONS - RESERVED_FOR_PHONE
                };
                if full || !ConnSlot::take(&per_ip, peer.ip()) {
                    drop(stream);
                    continue;
                }
                let slot = ConnSlot { per_ip: per_ip.clone(), ip: peer.ip() };
                let app = app.clone();
                conns.spawn(async move {
                    let _slot = slot;
                    let _ = stream.set_nodelay(true);
                    let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(Peer(peer));
                        app.clone().oneshot(req.map(Body::new))
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_READ_TIMEOUT)
                        .max_buf_size(16 * 1024)
                        .serve_connection(TokioIo::new(stream), service);
                    // Errors here are the client's (reset, timeout, garbage): nothing to report.
                    let _ = tokio::time::timeout(CONNECTION_LIFETIME, conn).await;
                });
            }
        }
    };
    drop(listener);
    conns.shutdown().await;
    ctx.emit(vec![PhoneEvent::Ended { why }]);
}

/// How many open connections the phone has.
fn phone_conns(per_ip: &Mutex<HashMap<IpAddr, u32>>, phone: Option<IpAddr>) -> usize {
    let Some(ip) = phone else { return 0 };
    let map = per_ip.lock().unwrap_or_else(|p| p.into_inner());
    map.get(&ip).copied().unwrap_or(0) as usize
}

/// One open connection counted against its address; released on drop.
struct ConnSlot {
    per_ip: Arc<Mutex<HashMap<IpAddr, u32>>>,
    ip: IpAddr,
}

impl ConnSlot {
    fn take(per_ip: &Mutex<HashMap<IpAddr, u32>>, ip: IpAddr) -> bool {
        let mut map = per_ip.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= MAX_CONNECTIONS_PER_IP {
            return false;
        }
        *n += 1;
        true
    }
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut map = self.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_bodies_are_parsed_strictly() {
        let b = parse_beat(br#"{"s":17,"v":"visible","c":"cellular"}"#).expect("valid");
        assert_eq!(
            b,
            Beat {
                seq: 17,
                visibility: Visibility::Visible,
                connection: Some("cellular".into())
            }
        );
        let b = parse_beat(br#"{"s":1,"v":"hidden","c":""}"#).expect("valid");
        assert_eq!(b.connection, None);
        assert!(parse_beat(br#"{"s":1,"v":"sideways"}"#).is_none());
        assert!(parse_beat(br#"{"s":-1,"v":"visible"}"#).is_none());
        assert!(parse_beat(br#"{"s":1,"v":"visible","c":"<script>"}"#).is_none());
        assert!(parse_beat(br#"{"s":1,"v":"visible","x":1}"#).is_none());
        assert!(parse_beat(b"not json").is_none());
        assert!(parse_beat(b"").is_none());
    }
}
