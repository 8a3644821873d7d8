//! The session record: what happened, in order, for the helper and the family to read
//! afterwards. [`Record::note`] turns one applied event into timeline entries; it is a pure
//! function of what the app already has (the event, the effects, the views before and after),
//! so a test can replay a whole session. [`Record::apply`] wraps `Session::apply` with it:
//! the app's one call per event.
//!
//! What is stored is chosen, not copied: step titles and fact labels from the views, fact
//! keys and values only when the playbook declares them (or an observer measures them),
//! symptom ids only when the playbook lists them, pages as their host, and free text scrubbed
//! ([`super::scrub`]). Repeated measurements of an unchanged value (the app re-reports "still
//! off the Wi-Fi" to keep it fresh) are written once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::scrub::scrub;
use crate::facts::{FactSource, UnixMs};
use crate::flow::{Effect, Event, Session, SessionView};
use crate::i18n::Text;
use crate::playbook::{ActionKind, Confidence, Place, known};

/// The record format this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// Keeps a record bounded however long a session runs: the oldest entries go first.
const MAX_ENTRIES: usize = 2_000;

/// A session's timeline. Serialise it with [`Record::to_json`] next to the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    pub playbook_id: String,
    pub playbook_name: Text,
    /// Minutes east of UTC for printed times (540 in Japan). `None`: times print as UTC.
    pub utc_offset_minutes: Option<i32>,
    pub entries: Vec<Entry>,
    /// How many of the oldest entries were dropped to keep the record bounded.
    pub dropped: u64,
    /// The last measured value written per fact key (to skip unchanged repeats).
    last_measured: BTreeMap<String, String>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at: UnixMs,
    #[serde(flatten)]
    pub kind: EntryKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryKind {
    /// The session began.
    Started,
    /// The session was reset and starts over.
    Restarted,
    /// A step was entered.
    StepEntered {
        id: String,
        title: Text,
        /// 1-based position on the main route; `None` on a branch.
        index: Option<usize>,
        total: usize,
        place: Place,
        how: Move,
    },
    /// Tebiki measured a fact (a new value, or the first time).
    Measured {
        key: String,
        label: Text,
        value: String,
        /// Why Tebiki believes it (English, for the helper), scrubbed.
        evidence: String,
    },
    /// The user confirmed a fact.
    Confirmed {
        key: String,
        label: Text,
        value: String,
    },
    /// A refusal, a rewind or a note from the engine.
    Explained { text: Text, go_to: Option<String> },
    /// The user reported a symptom; `cause` is what the engine concluded.
    Symptom {
        id: String,
        label: Text,
        cause: Text,
        go_to: Option<String>,
    },
    /// The PC-login window started.
    WindowStarted {
        deadline: UnixMs,
        minutes: u32,
        confidence: Confidence,
        /// How sure the length is, as the user saw it.
        label: Text,
    },
    /// The window ended. `at` is when: the deadline for an expiry.
    WindowEnded { how: WindowEnd, text: Option<Text> },
    /// A notification the user was sent (not already shown as an explanation).
    Notified { text: Text },
    /// An official page was opened in the browser (its host only).
    PageOpened { host: String },
    /// The phone check started or stopped.
    PhoneCheck { running: bool },
    /// The saved account ID was put on the clipboard (the ID itself is never recorded).
    AccountIdCopied,
    /// How the session ended.
    Outcome { outcome: Outcome },
}

/// How a step was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Start,
    Next,
    Back,
    /// A link to a visited step or to the step an explanation named.
    Link,
    /// Sent there by a reported symptom.
    Symptom,
    /// A fact the step needed changed, so the engine went back.
    Rewind,
    /// The window ran out.
    WindowExpired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowEnd {
    /// The deadline passed.
    Expired,
    /// The session finished or was reset while it ran.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The last step was reached.
    Finished,
    /// The session was ended before the last step.
    EndedEarly,
    /// Neither yet (only ever derived by [`Record::outcome`], never stored).
    StillRunning,
}

/// A saved record that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(
        "the session record is not valid JSON ({0}); it was probably cut off or edited by hand, so start a new record"
    )]
    Malformed(String),
    #[error(
        "the session record has format version {found}, but this Tebiki reads version {RECORD_VERSION}; update Tebiki or start a new record"
    )]
    Version { found: u32 },
}

impl Record {
    /// An empty record for the playbook the view shows.
    pub fn new(view: &SessionView) -> Record {
        Record {
            version: RECORD_VERSION,
            playbook_id: view.playbook_id.clone(),
            playbook_name: view.playbook_name.clone(),
            utc_offset_minutes: None,
            entries: Vec::new(),
            dropped: 0,
            last_measured: BTreeMap::new(),
        }
    }

    /// Sets the offset used to print times (the app reads it from the OS or the webview).
    pub fn with_utc_offset(mut self, minutes: i32) -> Record {
        self.utc_offset_minutes = Some(minutes);
        self
    }

    /// Applies `event` to `session` and notes what it did: the one call the app makes in
    /// place of `session.apply(event)`. Returns the effects to execute, unchanged.
    pub fn apply(&mut self, session: &mut Session, event: Event) -> Vec<Effect> {
        let before = session.view(session.now());
        let effects = session.apply(event.clone());
        let now = session.now();
        let after = session.view(now);
        self.note(now, &event, &effects, &before, &after);
        effects
    }

    /// Adds what one applied event did. `now` is the session's time after the event
    /// (`session.now()`); `before` and `after` are `session.view(..)` just before and
    /// just after `session.apply(event)` returned `effects`.
    pub fn note(
        &mut self,
        now: UnixMs,
        event: &Event,
        effects: &[Effect],
        before: &SessionView,
        after: &SessionView,
    ) {
        if matches!(event, Event::Reset) {
            self.last_measured.clear();
            if before.window.is_some() {
                self.push(
                    now,
                    EntryKind::WindowEnded {
                        how: WindowEnd::Closed,
                        text: None,
                    },
                );
            }
            if before.started {
                self.push(now, EntryKind::Restarted);
            }
            return;
        }
        if !before.started && after.started {
            self.push(now, EntryKind::Started);
        }

        // The fact first: it is why anything else in this event happened.
        self.note_fact(now, event, before, after);

        // The clock runs before the event inside `apply`: a window whose deadline has
        // passed by now expired during this event, and its notice is the first `Notify`.
        let expired = before.window.as_ref().filter(|w| w.deadline <= now);
        let mut expiry_text: Option<Text> = None;
        let explained: Vec<&Text> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Explain { text, .. } => Some(text),
                _ => None,
            })
            .collect();
        let mut symptom = match event {
            Event::Symptom { id, .. } => before.symptoms.iter().find(|s| s.id == *id),
            _ => None,
        };
        for effect in effects {
            match effect {
                Effect::Notify { text } => {
                    if let Some(w) = expired
                        && expiry_text.is_none()
                    {
                        let text = scrub_text(text);
                        expiry_text = Some(text.clone());
                        self.push(
                            w.deadline,
                            EntryKind::WindowEnded {
                                how: WindowEnd::Expired,
                                text: Some(text),
                            },
                        );
                    } else if !explained.contains(&text) {
                        self.push(
                            now,
                            EntryKind::Notified {
                                text: scrub_text(text),
                            },
                        );
                    }
                }
                Effect::Explain { text, go_to } => {
                    let text = scrub_text(text);
                    if expiry_text.as_ref() == Some(&text) {
                        continue;
                    }
                    let go_to = go_to.as_ref().map(|g| scrub(g));
                    match symptom.take() {
                        Some(s) => self.push(
                            now,
                            EntryKind::Symptom {
                                id: s.id.clone(),
                                label: s.label.clone(),
                                cause: text,
                                go_to,
                            },
                        ),
                        None => self.push(now, EntryKind::Explained { text, go_to }),
                    }
                }
                Effect::StartWindow {
                    deadline,
                    minutes,
                    confidence,
                    label,
                } => self.push(
                    now,
                    EntryKind::WindowStarted {
                        deadline: *deadline,
                        minutes: *minutes,
                        confidence: *confidence,
                        label: label.clone(),
                    },
                ),
                Effect::CancelWindow => self.push(
                    now,
                    EntryKind::WindowEnded {
                        how: WindowEnd::Closed,
                        text: None,
                    },
                ),
                Effect::OpenUrl { url } => {
                    self.push(now, EntryKind::PageOpened { host: host_of(url) })
                }
                Effect::CopyAccountId => self.push(now, EntryKind::AccountIdCopied),
                Effect::StartPhoneCheck => self.push(now, EntryKind::PhoneCheck { running: true }),
                Effect::StopPhoneCheck => self.push(now, EntryKind::PhoneCheck { running: false }),
                // A QR's content is either the phone check's secret URL or an official page
                // already named by its step; neither adds anything to the record.
                Effect::ShowQr { .. } | Effect::Persist => {}
            }
        }

        let step_before = before.step.as_ref().map(|s| s.id.as_str());
        if let Some(step) = &after.step
            && step_before != Some(step.id.as_str())
        {
            let how = match event {
                Event::Start { .. } => Move::Start,
                Event::Next { .. } => Move::Next,
                Event::Back { .. } => Move::Back,
                Event::GoTo { .. } => Move::Link,
                Event::Symptom { .. } => Move::Symptom,
                _ if expired.is_some() => Move::WindowExpired,
                _ => Move::Rewind,
            };
            self.push(
                now,
                EntryKind::StepEntered {
                    id: step.id.clone(),
                    title: step.title.clone(),
                    index: step.index,
                    total: step.total,
                    place: step.place,
                    how,
                },
            );
        }
        if after.finished && !before.finished {
            self.push(
                now,
                EntryKind::Outcome {
                    outcome: Outcome::Finished,
                },
            );
        }
    }

    /// The session was ended by the user (the app's "End"): records it as ended early
    /// unless it had finished. Call it once, before saving or exporting the record.
    pub fn end(&mut self, now: UnixMs) {
        if self.outcome() == Outcome::StillRunning {
            self.push(
                now,
                EntryKind::Outcome {
                    outcome: Outcome::EndedEarly,
                },
            );
        }
    }

    /// How the session stands: the last outcome written since the last restart.
    pub fn outcome(&self) -> Outcome {
        for e in self.entries.iter().rev() {
            match &e.kind {
                EntryKind::Outcome { outcome } => return *outcome,
                EntryKind::Restarted => return Outcome::StillRunning,
                _ => {}
            }
        }
        Outcome::StillRunning
    }

    /// When the record begins (its first entry).
    pub fn started_at(&self) -> Option<UnixMs> {
        self.entries.first().map(|e| e.at)
    }

    pub fn to_json(&self) -> String {
        // A Record is plain data with string keys: serialising it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a saved record, refusing other format versions.
    pub fn from_json(text: &str) -> Result<Record, RecordError> {
        #[derive(Deserialize)]
        struct Head {
            version: u32,
        }
        let head: Head =
            serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))?;
        if head.version != RECORD_VERSION {
            return Err(RecordError::Version {
                found: head.version,
            });
        }
        serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))
    }

    fn note_fact(&mut self, now: UnixMs, event: &Event, before: &SessionView, after: &SessionView) {
        let fact = |key: &str| after.facts.iter().find(|f| f.key == key);
        match event {
            Event::Observe(o) if o.source == FactSource::Measured => {
                let accepted = match fact(&o.key) {
                    Some(f) => f.measured.as_ref().is_some_and(|m| m.value == o.value),
                    // Keys the observers measure but this playbook does not declare: the
                    // engine keeps them when the value is one the observers may report.
                    None => known::measured_values(&o.key)
                        .is_some_and(|vs| vs.contains(&o.value.as_str())),
                };
                if !accepted || self.last_measured.get(&o.key) == Some(&o.value) {
                    return;
                }
                self.last_measured.insert(o.key.clone(), o.value.clone());
                let label = fact(&o.key)
                    .map(|f| f.label.clone())
                    .unwrap_or_else(|| observer_label(&o.key));
                self.push(
                    o.at.min(now),
                    EntryKind::Measured {
                        key: o.key.clone(),
                        label,
                        value: o.value.clone(),
                        evidence: scrub(&o.evidence),
                    },
                );
            }
            _ => {
                let Some((key, value)) = confirmation(event, before) else {
                    return;
                };
                // Recorded only if the engine took it: the confirmation shown after the
                // event is this value, just made, and something changed.
                let Some(f) = fact(key) else { return };
                let Some(c) = f.confirmed.as_ref() else {
                    return;
                };
                let old = before
                    .facts
                    .iter()
                    .find(|b| b.key == key)
                    .and_then(|b| b.confirmed.as_ref());
                let changed = old.is_none_or(|o| o.value != c.value || o.age_secs > 0);
                if c.value == value && c.age_secs == 0 && changed {
                    self.push(
                        now,
                        EntryKind::Confirmed {
                            key: f.key.clone(),
                            label: f.label.clone(),
                            value: c.value.clone(),
                        },
                    );
                }
            }
        }
    }

    fn push(&mut self, at: UnixMs, kind: EntryKind) {
        self.entries.push(Entry { at, kind });
        if self.entries.len() > MAX_ENTRIES {
            let excess = self.entries.len() - MAX_ENTRIES;
            self.entries.drain(..excess);
            self.dropped += excess as u64;
        }
    }
}

/// The `(key, value)` an event asks to confirm, if it is a confirmation at all.
fn confirmation<'a>(event: &'a Event, before: &'a SessionView) -> Option<(&'a str, &'a str)> {
    match event {
        Event::Confirm { key, value, .. } => Some((key, value)),
        Event::Observe(o) if o.source == FactSource::Confirmed => Some((&o.key, &o.value)),
        Event::Act { action, .. } => {
            let a = before
                .step
                .as_ref()?
                .actions
                .iter()
                .find(|a| a.index == *action)?;
            if a.kind != ActionKind::Confirm {
                return None;
            }
            Some((a.fact.as_deref()?, a.value.as_deref()?))
        }
        _ => None,
    }
}

fn scrub_text(t: &Text) -> Text {
    Text::new(scrub(&t.ja), scrub(&t.en))
}

/// `https://id.auone.jp/x` → `id.auone.jp`. Anything that does not parse as a URL is kept
/// only as far as [`scrub`] allows.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    scrub(host.rsplit('@').next().unwrap_or(host))
}

/// Labels for the observers' own keys, which a playbook need not declare.
pub(crate) fn observer_label(key: &str) -> Text {
    match key {
        "pc.path" => Text::new("パソコンの通信", "The PC's connection"),
        "pc.online" => Text::new("パソコンのインターネット", "The PC's internet"),
        "phone.presence" => Text::new("スマホと家の Wi-Fi", "The phone and the home network"),
        "phone.page" => Text::new("スマホの確認ページ", "The phone's check page"),
        "phone.network" => Text::new("スマホの通信", "The phone's connection"),
        "phone.platform" => Text::new("スマホの種類", "The phone's type"),
        "pc.bluetooth" => Text::new("パソコンの Bluetooth", "The PC's Bluetooth"),
        "pc.os" => Text::new(
            "パソコンの種類（Windows 11 など）",
            "The PC's system (e.g. Windows 11)",
        ),
        other => Text::new(other, other),
    }
}
