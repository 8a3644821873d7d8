//! `flow` decides: the session state machine, pure. `Session::apply(Event) -> Vec<Effect>`,
//! no clock and no I/O inside; time comes in as a value. Every rule of the right order
//! lives here:
//!
//! - a step is entered only when its requirements hold, fresh; `Next` into a step that
//!   is not ready is refused with the reason and the step that would satisfy it, and every
//!   other way into a step (Back, a symptom, the window running out) is redirected to
//!   the step that establishes what is missing;
//! - measured facts outrank the user's word: a confirmation that contradicts a fresh
//!   measurement is refused, and a requirement marked not `confirmable` is met only by a
//!   measurement (`phone.network == cellular` for the au approval);
//! - when a fact the current step needs flips (the phone is seen on Wi-Fi again), the
//!   session rewinds to the step that establishes it and says why;
//! - the time window starts when the user finishes the step that declares it and, when it
//!   runs out, the session goes back to the step the playbook names and explains;
//! - a reported symptom picks its cause from the facts, in the playbook's order.
//!
//! The session serialises to versioned JSON so a restarted app resumes exactly.

mod eval;
pub mod expiry;
mod persist;
mod session;
mod view;

use serde::{Deserialize, Serialize};

use crate::facts::{Observation, UnixMs};
use crate::i18n::Text;
use crate::playbook::{Confidence, Platform};

pub use eval::ReqStatus;
pub use persist::{ResumeError, SESSION_VERSION};
pub use session::{Count, Session, Window};
pub use view::{
    ActionView, CounterView, FactView, NextView, ObservedView, RequirementView, SessionView,
    SourceView, StepView, SymptomView, WindowView,
};

/// A step's id as the playbook names it (`phone_wifi_off`).
pub type StepId = String;

/// What happens to a session: the user's buttons, the observers' facts, the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Begin at the first step (ignored once started).
    Start { now: UnixMs },
    /// A fact from `net` or `phone`; carries its own time, which must come from the same
    /// clock as the other events' `now` (it advances the session's time). A `confirmed`
    /// observation is treated exactly like `Confirm`.
    Observe(Observation),
    /// The user says `key` is `value` ("VPN is off").
    Confirm {
        key: String,
        value: String,
        now: UnixMs,
    },
    /// The user pressed "Next".
    Next { now: UnixMs },
    /// The user pressed "Back".
    Back { now: UnixMs },
    /// The user followed a link to a step: one visited before, or the step the last
    /// explanation pointed at.
    GoTo { step: StepId, now: UnixMs },
    /// The user pressed the current step's action number `action` (open a URL, copy the ID,
    /// show a QR again, or a confirm button).
    Act { action: usize, now: UnixMs },
    /// The user reported a symptom by its playbook id (`loop`).
    Symptom { id: String, now: UnixMs },
    /// The person typed, for the current step's `enter_expiry` action number `action`, the
    /// expiry time printed in a message ("12:34", "11/30 12:34"). `utc_offset_minutes` is the
    /// PC's local offset, which the message's time is in.
    EnterExpiry {
        action: usize,
        text: String,
        utc_offset_minutes: i32,
        now: UnixMs,
    },
    /// Time passed.
    Tick { now: UnixMs },
    /// Forget everything and start over.
    Reset,
}

/// A QR code to show on the PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Qr {
    /// The phone check's LAN page; the app knows its URL.
    PhoneCheck,
    AppStore {
        platform: Platform,
        url: String,
    },
    Url {
        url: String,
    },
}

/// What the app must do. The engine only asks; the app's adapters do it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    StartPhoneCheck,
    StopPhoneCheck,
    /// Open an official https URL (re-checked against the playbook's domains).
    OpenUrl {
        url: String,
    },
    ShowQr {
        qr: Qr,
        caption: Option<Text>,
    },
    /// Copy the saved account ID (from the vault) to the clipboard.
    CopyAccountId,
    /// Start the countdown; `label` says how sure the length is, for the user to see.
    StartWindow {
        deadline: UnixMs,
        minutes: u32,
        confidence: Confidence,
        label: Text,
    },
    CancelWindow,
    /// Tell the user something even if the window is in the background.
    Notify {
        text: Text,
    },
    /// A refusal, a rewind or a cause: what to show, and the step it concerns.
    Explain {
        text: Text,
        go_to: Option<StepId>,
    },
    /// The persisted state changed: save `Session::to_json()`.
    Persist,
}

/// The last thing the engine explained, kept for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub text: Text,
    /// The step that fixes it (refusals) or that the session moved to (rewinds, symptoms).
    pub go_to: Option<StepId>,
    pub at: UnixMs,
}
