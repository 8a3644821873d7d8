//! What the window shows, in one serialisable value. The UI renders it and never re-derives
//! a rule: the session part comes straight from `flow::Session::view`.

use serde::Serialize;

use crate::facts::UnixMs;
use crate::flow::SessionView;
use crate::i18n::Text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// Increases with every published snapshot.
    pub seq: u64,
    /// The time the snapshot was made; the UI counts down from `session.window.deadline`.
    pub now: UnixMs,
    pub playbooks: Vec<PlaybookChoice>,
    /// Bundled playbooks that failed to load (for the helper; the others still work).
    pub playbook_problems: Vec<String>,
    pub pc: PcStatus,
    pub session: Option<SessionView>,
    pub phone: Option<PhoneStatus>,
    /// A QR the current step shows (app store, official page); the phone check has its own.
    pub qr: Option<QrView>,
    /// The last thing the app itself needs to tell (a resumed session, a failed action).
    pub notice: Option<Text>,
    /// The session was resumed after a restart.
    pub resumed: bool,
    /// The helper's profiles (no secrets: whether an ID is saved, not the ID). Home reads
    /// them too (whose setup is used).
    pub profiles: Vec<ProfileView>,
    /// The profile the family member uses now; home starts its service.
    pub active_profile: Option<crate::store::ProfileId>,
    /// What only the helper's screens read (the family's screens ignore this part).
    pub helper: HelperView,
}

/// The part of the snapshot only the helper's screens (profiles, keychain, order card,
/// record) read. A change here does not change what the family's screens show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelperView {
    pub vault: VaultView,
    /// A keychain call is under way (saving, deleting, copying): the helper screen waits.
    pub vault_busy: bool,
    /// A copied account ID is on the clipboard and will be cleared (if still there) at this time.
    pub clipboard_clear_at: Option<UnixMs>,
    /// A session record can be viewed and exported (the running session's or the last one).
    pub has_record: bool,
    /// The last exported file (order card or record), to show its path.
    pub last_export: Option<crate::app::paper::ExportView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaybookChoice {
    pub id: String,
    pub name: Text,
    pub services: Vec<String>,
}

/// The PC's own connection, for the status strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PcStatus {
    /// `pc.path`: wifi, ethernet, cellular, tethered_usb, phone_hotspot, vpn, offline,
    /// unknown — or `checking` before the first look.
    pub path: String,
    /// low / medium / high.
    pub confidence: String,
    /// `pc.online` once probed: online, offline, dns_failure, captive_portal, …
    pub online: Option<String>,
    pub summary: Text,
    /// Why Tebiki believes it (for the helper's "why?").
    pub evidence: Vec<String>,
    /// What the person must change on the PC before the phone can reach it (Windows: a
    /// network set to "Public"), shown with the strip before any QR code.
    pub advice: Option<Text>,
}

impl PcStatus {
    pub fn checking() -> PcStatus {
        PcStatus {
            path: "checking".into(),
            confidence: "low".into(),
            online: None,
            summary: Text::new(
                "このパソコンのつながり方を確かめています…",
                "Checking how this PC is connected…",
            ),
            evidence: Vec::new(),
            advice: None,
        }
    }
}

/// Where the phone check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneState {
    /// Waiting for the phone to open the QR.
    Waiting,
    /// The phone opened the page over the home network: it is on the Wi-Fi.
    OnLan,
    /// The page is hidden but the phone answers on the home network: still on the Wi-Fi
    /// (asleep, or in another app).
    OnLanHidden,
    /// The page is hidden (screen locked, another app); the network side is being asked.
    Hidden,
    /// No answer on the home network (see the evidence): the phone left the Wi-Fi.
    LeftLan,
    /// The visible page is silent but the phone answers on the home network.
    PageSilent,
    /// Nothing can be concluded now (the PC's network changed, or no network-side signal).
    Unknown,
    /// The PC's internet goes through the phone: it is on its mobile line by construction.
    PcTethered,
    /// Nobody opened the page for a while.
    NeverScanned,
    /// The check could not start.
    Failed,
    /// The check ended (time-to-live).
    Ended,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneStatus {
    pub state: PhoneState,
    pub url: Option<String>,
    /// The QR for `url`, as inline SVG made by Tebiki itself.
    pub qr_svg: Option<String>,
    /// iphone / android / other, once the phone opened the page.
    pub platform: Option<String>,
    /// `navigator.connection.type`, where the phone's browser tells it.
    pub connection: Option<String>,
    /// What it means and what to do, for the screen.
    pub message: Text,
    /// Another device tried to open the page (refused).
    pub refused_other_device: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrView {
    pub url: String,
    pub svg: String,
    pub caption: Option<Text>,
}

/// A profile as the helper screens show it: the profile's own fields and whether an account
/// ID is saved for it — never the ID itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: crate::store::Profile,
    /// `Some(true)` an ID is saved, `Some(false)` none is, `None` the keychain could not be
    /// asked (unavailable, or still being asked).
    pub has_saved_id: Option<bool>,
}

/// Whether the OS keychain can keep account IDs on this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VaultView {
    /// The quick probe has not answered yet.
    Checking,
    Available {
        /// The keychain's name, for the helper ("Secret Service").
        backend: String,
    },
    /// No safe place to store the ID: nothing is saved, and there is no plaintext fallback.
    Unavailable {
        /// What the family member and the helper read.
        message: Text,
        /// `no_keychain`, `locked`, `not_answering`, … for the helper.
        reason: String,
        /// What the keychain said, in English (never contains an account ID).
        detail: String,
    },
}

impl VaultView {
    pub fn from_availability(a: &crate::vault::Availability) -> VaultView {
        match a {
            crate::vault::Availability::Available { backend } => VaultView::Available {
                backend: backend.clone(),
            },
            crate::vault::Availability::Unavailable(u) => VaultView::unavailable(u),
        }
    }

    pub fn unavailable(u: &crate::vault::Unavailable) -> VaultView {
        VaultView::Unavailable {
            message: u.user_message(),
            reason: u.reason.as_str().to_owned(),
            detail: u.detail.clone(),
        }
    }
}
