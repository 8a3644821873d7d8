//! The playbook file format, as serde reads it. Every struct refuses unknown fields, and the
//! fields that validation may complain about keep their position in the file (`Spanned`), so
//! an error can name `file:line:column`. Internally tagged enums are avoided on purpose: they
//! buffer their content and would lose those positions.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::i18n::Text;

/// The only format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A service family's login flow. Built only by [`crate::playbook::load_str`], which
/// validates it; a `Playbook` you hold has passed every check.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    pub format: Spanned<u32>,
    pub id: Spanned<String>,
    pub name: BiText,
    /// The services this account covers, e.g. `My au`, `UQ mobile`, `povo`.
    pub services: Vec<String>,
    /// The only hosts the playbook may open, https only (`id.auone.jp`).
    pub official_domains: Vec<Spanned<String>>,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub facts: Vec<FactDecl>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub symptoms: Vec<Symptom>,
    /// Wrong tries the person reports, counted so Tebiki can stop before a lock.
    #[serde(default)]
    pub counters: Vec<CounterDecl>,
    /// Filled by the loader: where the playbook came from and a hash of its text.
    #[serde(skip)]
    pub origin: Origin,
}

/// Where a loaded playbook came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file name used in error messages (`au-id.toml` for bundled ones).
    pub file: String,
    /// FNV-1a 64 of the text, in hex: a resumed session notices a changed playbook.
    pub hash: String,
}

/// A text in Japanese and English, both required and non-empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BiText {
    pub ja: Spanned<String>,
    pub en: Spanned<String>,
}

impl BiText {
    pub fn text(&self) -> Text {
        Text::new(self.ja.get_ref().clone(), self.en.get_ref().clone())
    }
}

/// How sure a claim is. Shown to users as a label; see [`Confidence::label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// A carrier's, government's or vendor's own page.
    Official,
    /// News, blogs, aggregators.
    ThirdParty,
    /// One person's account of what happened to them.
    UserReport,
}

impl Confidence {
    /// The name used in playbook files (`user_report`).
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Official => "official",
            Confidence::ThirdParty => "third_party",
            Confidence::UserReport => "user_report",
        }
    }

    /// The label a user sees next to a claim (a window's minutes, a cause).
    pub fn label(self) -> Text {
        match self {
            Confidence::Official => {
                Text::new("公式の案内による数字です", "From the official guide")
            }
            Confidence::ThirdParty => Text::new(
                "公式ではない記事による目安です（公式には確認できていません）",
                "From a third-party article; not confirmed officially",
            ),
            Confidence::UserReport => Text::new(
                "利用者の報告による目安です（公式の数字ではありません）",
                "Reported by a user; not an official figure",
            ),
        }
    }
}

/// A page or account a claim rests on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: Spanned<String>,
    pub kind: Spanned<Confidence>,
    /// Required for `official` and `third_party`; a user report may have none.
    pub url: Option<Spanned<String>>,
    pub title: String,
    /// The day someone last read it, `YYYY-MM-DD`.
    pub checked: Spanned<String>,
    /// What it was used for, or how far to trust it.
    pub note: Option<String>,
}

/// A fact the playbook uses: its label for the UI, its allowed values, and whether a user
/// may confirm it. Measured keys (`phone.network`) must use the values `facts.rs` lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactDecl {
    pub key: Spanned<String>,
    pub label: BiText,
    pub values: Vec<Spanned<String>>,
    #[serde(default)]
    pub confirmable: bool,
}

/// Wrong tries of something that locks (a PIN), as the person reports them. Tebiki stops one
/// try before the lock and sends the person to `on_stop`, which says what to do instead. The
/// count is kept across restarts and across sessions of the same playbook (it describes the
/// card or the account, not one visit), and is cleared when a step in `reset_at` is reached
/// (reaching it means a right entry, which resets the service's own count).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterDecl {
    pub id: Spanned<String>,
    /// What is counted, in plain words (「利用者証明用の暗証番号（4けた）」).
    pub label: BiText,
    /// The service locks at this many wrong tries in a row (3 for the マイナンバーカード's
    /// 4-digit PIN).
    pub locks_after: Spanned<u32>,
    /// Where the person is sent one try before the lock.
    pub on_stop: Spanned<String>,
    /// What to do instead, shown when Tebiki stops.
    pub stop: BiText,
    /// Steps whose entry means the right number was accepted.
    pub reset_at: Vec<Spanned<String>>,
    /// The sources of `locks_after`.
    pub sources: Vec<Spanned<String>>,
}

/// Where a step happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Pc,
    Phone,
    Both,
}

/// One instruction.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: Spanned<String>,
    pub place: Place,
    pub title: BiText,
    pub body: BiText,
    /// Picture id the UI draws (`pc_login`, `phone_wifi_off_iphone`, …).
    pub picture: Option<Spanned<String>>,
    /// Shown instead of `picture` when the phone is known to be an Android phone.
    pub picture_android: Option<Spanned<String>>,
    /// Shown instead of `body` when the phone is known to be an Android phone.
    pub body_android: Option<BiText>,
    /// Facts that must hold, fresh, to enter this step.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Fact keys this step establishes: where the engine sends the user when they are missing.
    #[serde(default)]
    pub provides: Vec<Spanned<String>>,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// The step after this one; default: the next `[[steps]]` entry.
    pub next: Option<Spanned<String>>,
    /// The last step of the flow.
    #[serde(default)]
    pub end: bool,
    /// A side branch (reached from a symptom), not counted in "step n of N".
    #[serde(default)]
    pub branch: bool,
    /// A phone-side approval step: the engine and the tests hold it to its measured
    /// requirements; it must have at least one requirement a user cannot confirm.
    #[serde(default)]
    pub approval: bool,
    pub sources: Vec<Spanned<String>>,
}

impl Step {
    /// Whether the step chooses the route by picture (it then has no "Next").
    pub fn chooses(&self) -> bool {
        self.choices().next().is_some()
    }

    /// Whether the step asks for the number counted by `counter` (a `count_*` action).
    pub fn asks_for(&self, counter: &str) -> bool {
        self.actions.iter().any(|a| {
            matches!(
                *a.kind.get_ref(),
                ActionKind::CountFailure | ActionKind::CountRemaining
            ) && a.counter.as_ref().is_some_and(|c| c.get_ref() == counter)
        })
    }

    /// The steps this step's choices lead to, in order.
    pub fn choices(&self) -> impl Iterator<Item = &String> {
        self.actions
            .iter()
            .filter(|a| *a.kind.get_ref() == ActionKind::Choose)
            .filter_map(|a| a.go_to.as_ref().map(|t| t.get_ref()))
    }
}

/// `fact` must have one of the values in `is`, observed at most `max_age_secs` ago.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub fact: Spanned<String>,
    pub is: Vec<Spanned<String>>,
    pub max_age_secs: Spanned<u64>,
    /// Whether the user's word can satisfy it. `false`: only a measurement can.
    #[serde(default)]
    pub confirmable: bool,
    /// Why it matters, shown when the step is refused or rewound.
    pub explain: BiText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// A button that opens `url` in the browser.
    OpenUrl,
    /// Shows a QR code when the step is entered.
    ShowQr,
    /// A button that copies the saved account ID.
    CopyAccountId,
    /// A button with which the user confirms `fact = value`.
    Confirm,
    /// Starts the phone check when the step is entered.
    StartPhoneCheck,
    /// Stops the phone check when the step is entered.
    StopPhoneCheck,
    /// Starts the time window when the user finishes this step (Next out of it), or when the
    /// step is entered with `starts = "on_enter"`.
    StartWindow,
    /// A picture button that chooses the route by what the person sees on the screen: goes to
    /// `go_to` (through its gate). A step with choices has no "Next".
    Choose,
    /// "It said the number was wrong": one more wrong try of `counter`.
    CountFailure,
    /// "It says N tries are left": sets `counter` from what the screen shows.
    CountRemaining,
    /// The person types the expiry time printed in a message (an SMS's 有効期限); a countdown
    /// to it starts.
    EnterExpiry,
}

impl ActionKind {
    /// The name used in playbook files (`open_url`).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::OpenUrl => "open_url",
            ActionKind::ShowQr => "show_qr",
            ActionKind::CopyAccountId => "copy_account_id",
            ActionKind::Confirm => "confirm",
            ActionKind::StartPhoneCheck => "start_phone_check",
            ActionKind::StopPhoneCheck => "stop_phone_check",
            ActionKind::StartWindow => "start_window",
            ActionKind::Choose => "choose",
            ActionKind::CountFailure => "count_failure",
            ActionKind::CountRemaining => "count_remaining",
            ActionKind::EnterExpiry => "enter_expiry",
        }
    }
}

/// When a `start_window` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WindowStart {
    /// When the person finishes the step (Next out of it): the au approval.
    #[default]
    OnNext,
    /// When the step is entered: a limit that runs from the moment a number is shown.
    OnEnter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QrKind {
    /// The phone check's own LAN page; the app supplies the URL.
    PhoneCheck,
    /// An app-store page for `platform`.
    AppStore,
    /// Any official URL.
    Url,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Iphone,
    Android,
}

/// One action; which fields apply depends on `kind` (checked by validation).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub kind: Spanned<ActionKind>,
    /// Button text (open_url, copy_account_id, confirm) or caption (show_qr).
    pub label: Option<BiText>,
    /// open_url, show_qr with qr = url/app_store.
    pub url: Option<Spanned<String>>,
    /// show_qr.
    pub qr: Option<Spanned<QrKind>>,
    /// show_qr with qr = app_store.
    pub platform: Option<Platform>,
    /// confirm.
    pub fact: Option<Spanned<String>>,
    /// confirm.
    pub value: Option<Spanned<String>>,
    /// confirm, in a checklist step (one whose confirms cover several facts): the picture of
    /// this fact's line. Given on the first confirm of each fact.
    pub picture: Option<Spanned<String>>,
    /// confirm, in a checklist step: how to look, shown behind a disclosure on the line.
    pub hint: Option<BiText>,
    /// start_window: its length.
    pub minutes: Option<Spanned<u32>>,
    /// start_window, enter_expiry: how sure the length is.
    pub confidence: Option<Spanned<Confidence>>,
    /// start_window, enter_expiry: the step to go back to when it runs out.
    pub on_expiry: Option<Spanned<String>>,
    /// start_window, enter_expiry: what to say when it runs out.
    pub expired: Option<BiText>,
    /// start_window, enter_expiry: the sources of the length.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    /// start_window: when it starts (default: on Next).
    pub starts: Option<Spanned<WindowStart>>,
    /// choose: the step this choice leads to.
    pub go_to: Option<Spanned<String>>,
    /// count_failure, count_remaining: the counter.
    pub counter: Option<Spanned<String>>,
    /// count_remaining: the tries the screen says are left.
    pub remaining: Option<Spanned<u32>>,
}

/// Something the user reports ("I keep landing on the 2-step screen").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symptom {
    pub id: Spanned<String>,
    pub label: BiText,
    /// Tried in order; the first that holds names the cause.
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowCond {
    Running,
    Expired,
    None,
}

/// Holds when every part given holds: `when` holds, `unless` does not, the window is in the
/// state named. A rule with none of them always holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub when: Option<Cond>,
    pub unless: Option<Cond>,
    pub window: Option<Spanned<WindowCond>>,
    pub cause: BiText,
    pub go_to: Spanned<String>,
    pub sources: Vec<Spanned<String>>,
}

/// `fact` has one of the values in `is`, fresh (within `max_age_secs` if given) and, with
/// `measured = true`, measured rather than confirmed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cond {
    pub fact: Spanned<String>,
    pub is: Vec<Spanned<String>>,
    pub max_age_secs: Option<u64>,
    #[serde(default)]
    pub measured: bool,
}
