//! `phone` observes the phone through a short-lived LAN page opened from a QR code: the phone
//! reaching the PC proves it is on the home Wi-Fi; heartbeats that stop while the page is
//! visible mean it left. It produces `phone.*` facts.
//!
//! Parts: `bind` picks the LAN address, `token` mints the secrets, `qr` draws the code,
//! `page` renders what the phone shows, `guard` holds the security decisions, `presence`
//! turns requests and time into events (pure), `event` maps events to facts, and `server`
//! is the thin imperative shell that runs it all on tokio.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tebiki_core::phone::PhoneError> {
//! use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig};
//! let mut check = PhoneCheck::start(PhoneCheckConfig::default()).await?;
//! println!("{}\n{}", check.url(), check.qr_terminal());
//! while let Some(event) = check.events().recv().await {
//!     let facts = event.observations(tebiki_core::facts::UnixMs::now());
//!     # let _ = facts;
//! }
//! # Ok(()) }
//! ```

pub mod bind;
pub mod event;
pub mod guard;
pub mod neighbour;
pub mod page;
pub mod presence;
pub mod qr;
pub mod server;
pub mod token;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::facts::UnixMs;

pub use event::{EndReason, PhoneEvent, Platform, Refusal};
pub use neighbour::{Neighbours, OsNeighbours};
pub use presence::PresenceRules;

/// What can go wrong when starting a phone check. Each says what to do.
#[derive(Debug, Error)]
pub enum PhoneError {
    #[error(
        "no LAN address to show the phone (rejected: {rejected}). Connect the PC to the home \
         Wi-Fi or wired network, and turn a VPN off if one is on"
    )]
    NoLanAddress { rejected: String },
    #[error("could not listen on {addr}: {source}. Check that this address belongs to this PC")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "refusing to listen on {0}: the check must listen on one LAN address only, not on every \
         interface. Give the PC's LAN IP, or leave the address out to choose it automatically"
    )]
    UnspecifiedBind(SocketAddr),
    #[error("the operating system's random number generator failed: {0}. Try again")]
    Random(String),
    #[error("could not draw the QR code: {0}")]
    Qr(String),
    #[error(
        "the carrier check URL {url:?} is not usable: {why}. Give an http(s) URL of an image on \
         the carrier's official site"
    )]
    CarrierUrl { url: String, why: &'static str },
    #[error("the check's time-to-live must be between 1 second and 1 hour, not {0:?}")]
    Ttl(Duration),
}

/// How to run a phone check.
/// How long one phone check (its LAN server, QR and presence watch) lives by default: long
/// enough to cover the phone steps, the approval and the login window after it. The app, the
/// doctor and [`PhoneCheckConfig::default`] all use this one value.
pub const CHECK_LIFETIME: Duration = Duration::from_secs(40 * 60);

#[derive(Debug, Clone)]
pub struct PhoneCheckConfig {
    /// Where to listen. `None`: the PC's LAN IPv4 on its internet path, ephemeral port. Tests
    /// and `tebiki-doctor --bind` override it (port 0 = ephemeral).
    pub bind: Option<SocketAddr>,
    /// The check ends by itself after this long ([`CHECK_LIFETIME`] by default).
    pub ttl: Duration,
    /// An image on the playbook's official domain (e.g. `https://www.au.com/favicon.ico`),
    /// loaded by the phone once its Wi-Fi is off to confirm the mobile line reaches the
    /// internet. `None`: the page asks the user to look for the 4G/5G icon instead.
    pub carrier_check_url: Option<String>,
    /// The PC's own internet goes through the phone (from `net`): the phone is on its mobile
    /// line by construction.
    pub pc_tethered_to_phone: bool,
    pub rules: PresenceRules,
    /// The network side of the presence check (the OS; tests on loopback give a stand-in).
    pub neighbours: Arc<dyn Neighbours>,
}

impl Default for PhoneCheckConfig {
    fn default() -> Self {
        PhoneCheckConfig {
            bind: None,
            ttl: CHECK_LIFETIME,
            carrier_check_url: None,
            pc_tethered_to_phone: false,
            rules: PresenceRules::default(),
            neighbours: Arc::new(OsNeighbours),
        }
    }
}

/// Checks the carrier-check URL and derives the origin the page's CSP allows for images.
/// Only plain ASCII URL characters pass, so the URL can't break out of the header or script.
pub fn carrier_check(url: &str) -> Result<server::CarrierCheck, PhoneError> {
    let err = |why| PhoneError::CarrierUrl {
        url: url.to_owned(),
        why,
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| err("it must start with https:// (or http:// for a local test server)"))?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?=&%+,".contains(c);
    if !url.chars().all(allowed) {
        return Err(err("it contains characters outside a plain URL"));
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.is_empty() || authority.starts_with(':') {
        return Err(err("it has no host"));
    }
    let scheme_len = url.len() - rest.len();
    Ok(server::CarrierCheck {
        url: url.to_owned(),
        origin: format!("{}{}", &url[..scheme_len], authority),
    })
}

/// A running phone check: a LAN server, its URL and QR, and a stream of events.
pub struct PhoneCheck {
    url: String,
    addr: SocketAddr,
    deadline: UnixMs,
    qr_svg: String,
    qr_terminal: String,
    events: mpsc::UnboundedReceiver<PhoneEvent>,
    control: mpsc::UnboundedSender<server::Control>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl PhoneCheck {
    /// Mints a token, binds the server and starts serving. Must be called inside a tokio
    /// runtime. If the PC is tethered to the phone, the first event is `PcTethered`.
    pub async fn start(config: PhoneCheckConfig) -> Result<PhoneCheck, PhoneError> {
        if config.ttl < Duration::from_secs(1) || config.ttl > Duration::from_secs(3600) {
            return Err(PhoneError::Ttl(config.ttl));
        }
        let carrier = config
            .carrier_check_url
            .as_deref()
            .map(carrier_check)
            .transpose()?;
        let bind = match config.bind {
            Some(addr) => addr,
            None => {
                let choice = bind::choose_lan_ipv4(&bind::interfaces_from_os())?;
                SocketAddr::new(IpAddr::V4(choice.ip), 0)
            }
        };
        if bind.ip().is_unspecified() {
            // The Host check needs the one literal address the phone was given, and listening
            // everywhere would expose the page on VPN and container networks.
            return Err(PhoneError::UnspecifiedBind(bind));
        }
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|source| PhoneError::Bind { addr: bind, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| PhoneError::Bind { addr: bind, source })?;
        let token = token::Secret::generate()?;
        let path = format!("/p/{}", token.as_str());
        let url = format!("http://{addr}{path}");
        let qr_svg = qr::svg(&url)?;
        let qr_terminal = qr::terminal(&url)?;

        let now = UnixMs::now();
        let deadline = UnixMs(now.0.saturating_add(config.ttl.as_millis() as i64));
        let (tx, rx) = mpsc::unbounded_channel();
        if config.pc_tethered_to_phone {
            let _ = tx.send(PhoneEvent::PcTethered);
        }
        let ctx = Arc::new(server::Ctx {
            token,
            path,
            bound: addr,
            carrier,
            pc_tethered: config.pc_tethered_to_phone,
            deadline,
            ending: std::sync::atomic::AtomicBool::new(false),
            events: tx,
            neighbours: config.neighbours.clone(),
            shared: Mutex::new(server::Shared {
                presence: presence::Presence::new(now, config.rules, config.pc_tethered_to_phone),
                limiter: guard::BadTokenLimiter::default(),
                claim: None,
                phone_ip: None,
                reported: guard::ReportOnce::default(),
            }),
        });
        let (stop_tx, stop_rx) = oneshot::channel();
        let (control_tx, control_rx) = mpsc::unbounded_channel();
        let ends_at = tokio::time::Instant::now() + config.ttl;
        let task = tokio::spawn(server::run(listener, ctx, ends_at, stop_rx, control_rx));
        Ok(PhoneCheck {
            url,
            addr,
            deadline,
            qr_svg,
            qr_terminal,
            events: rx,
            control: control_tx,
            stop: Some(stop_tx),
            task: Some(task),
        })
    }

    /// `http://IP:PORT/p/TOKEN`, exactly what the QR encodes.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// When the check ends by itself.
    pub fn deadline(&self) -> UnixMs {
        self.deadline
    }

    /// The QR as an SVG document, for the desktop UI.
    pub fn qr_svg(&self) -> &str {
        &self.qr_svg
    }

    /// The QR drawn with block characters, for a terminal.
    pub fn qr_terminal(&self) -> &str {
        &self.qr_terminal
    }

    /// The events, in order; the last one is `Ended`, after which the channel closes.
    pub fn events(&mut self) -> &mut mpsc::UnboundedReceiver<PhoneEvent> {
        &mut self.events
    }

    /// Moves the event receiver out (e.g. into a task that forwards events to the UI); after
    /// this, `events()` yields nothing.
    pub fn take_events(&mut self) -> mpsc::UnboundedReceiver<PhoneEvent> {
        let (_closed, empty) = mpsc::unbounded_channel();
        std::mem::replace(&mut self.events, empty)
    }

    /// The PC's own network changed: what was concluded about the phone no longer holds, and
    /// it is checked again (a `PresenceUnknown` event follows).
    pub fn pc_network_changed(&self) {
        let _ = self.control.send(server::Control::PcNetworkChanged);
    }

    /// Ends the check: for `server::STOP_GRACE` (2 s) the phone's page is told the check is
    /// over (so it doesn't mistake the PC's silence for "Wi-Fi off"), then the server closes
    /// every connection and stops. Waits until it has. The `Ended { why: Stopped }` event is
    /// still delivered on `events()`.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for PhoneCheck {
    fn drop(&mut self) {
        // Dropping without `stop()`: ask the server to end; after the same grace period as
        // `stop()` it closes its connections itself.
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_check_can_live_in_shared_app_state() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<PhoneCheck>();
        send_sync::<PhoneEvent>();
    }

    #[test]
    fn carrier_check_urls_give_their_origin() {
        let c = carrier_check("https://www.au.com/favicon.ico").expect("valid");
        assert_eq!(c.origin, "https://www.au.com");
        let c = carrier_check("http://10.250.3.5:8080/pixel.png?x=1").expect("valid");
        assert_eq!(c.origin, "http://10.250.3.5:8080");
        let c = carrier_check("https://www.au.com").expect("valid");
        assert_eq!(c.origin, "https://www.au.com");
    }

    #[test]
    fn unusable_carrier_check_urls_are_refused_with_a_reason() {
        for bad in [
            "ftp://www.au.com/x",
            "javascript:alert(1)",
            "https:///x",
            "https://www.au.com/a b",
            "https://www.au.com/'; script-src *",
            "https://www.au.com/\"><script>",
        ] {
            let err = carrier_check(bad).expect_err(bad);
            assert!(err.to_string().contains("not usable"), "{bad}: {err}");
        }
    }
}
