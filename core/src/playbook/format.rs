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
    /// Starts the time window when the user finishes this step (Next out of it).
    StartWindow,
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
        }
    }
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
    /// start_window: how sure the length is.
    pub confidence: Option<Spanned<Confidence>>,
    /// start_window: the step to go back to when it runs out.
    pub on_expiry: Option<Spanned<String>>,
    /// start_window: what to say when it runs out.
    pub expired: Option<BiText>,
    /// start_window: the sources of the length.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
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
