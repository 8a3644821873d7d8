//! The session: where the user is, what is known, the running window. `apply` is the only
//! way it changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::eval::{self, Facts, ReqStatus};
use super::{Effect, Event, Explanation, Qr, StepId};
use crate::facts::{FactSource, Observation, UnixMs};
use crate::i18n::Text;
use crate::playbook::{
    ActionKind, Confidence, CounterDecl, Playbook, QrKind, Requirement, WindowStart, known,
};

/// Keeps `Back` bounded however long a session runs.
const HISTORY_LIMIT: usize = 64;

/// A running time window (the au "PC login allowed" period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub started_at: UnixMs,
    pub deadline: UnixMs,
    pub minutes: u32,
    pub confidence: Confidence,
    /// Where the session goes when it runs out.
    pub on_expiry: StepId,
    pub expired_text: Text,
    /// The deadline is a time printed in a message (an SMS's 有効期限) that the person typed,
    /// not a length from the playbook.
    #[serde(default)]
    pub from_message: bool,
}

impl Window {
    /// What is shown beside the countdown: how sure its length is.
    pub fn label(&self) -> Text {
        if self.from_message {
            Text::new(
                "メッセージに書かれた有効期限（入力された時刻）までの残り時間です。",
                "Time left until the expiry printed in the message (the time you entered).",
            )
        } else {
            self.confidence.label()
        }
    }
}

/// Wrong tries of one counter, as the person reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub wrong: u32,
    /// When the person last reported it.
    pub at: UnixMs,
}

/// Everything that is saved. Plain data; `Session` adds the playbook it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub version: u32,
    pub playbook_id: String,
    pub playbook_hash: String,
    /// `None` until `Start`.
    pub step: Option<StepId>,
    pub history: Vec<StepId>,
    pub facts: Facts,
    pub window: Option<Window>,
    /// When the last window ran out (cleared when a new one starts).
    pub window_expired_at: Option<UnixMs>,
    pub explanation: Option<Explanation>,
    pub phone_check: bool,
    /// The latest time any event carried; time never goes backwards inside a session.
    pub now: UnixMs,
    /// The route the person chose on each choosing step (step → chosen step).
    #[serde(default)]
    pub chosen: BTreeMap<StepId, StepId>,
    /// The phone type from the helper's profile, used for iPhone/Android words and pictures
    /// until the phone's own browser reports `phone.platform`.
    #[serde(default)]
    pub platform_hint: Option<crate::playbook::Platform>,
    /// Reported wrong tries per counter id. Kept across `Reset`: they describe the card or the
    /// account, not the visit.
    #[serde(default)]
    pub counts: BTreeMap<String, Count>,
}

/// One guided login. Holds the validated playbook it follows.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) playbook: Arc<Playbook>,
    pub(crate) state: State,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

/// How a step is being entered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Forward (Next, a symptom, a rewind, a link): remember where we came from.
    Forward,
    /// Back: do not grow the history.
    Back,
}

impl Session {
    pub fn new(playbook: Arc<Playbook>) -> Session {
        let state = State {
            version: super::SESSION_VERSION,
            playbook_id: playbook.id().to_owned(),
            playbook_hash: playbook.origin.hash.clone(),
            step: None,
            history: Vec::new(),
            facts: Facts::new(),
            window: None,
            window_expired_at: None,
            explanation: None,
            phone_check: false,
            now: UnixMs(0),
            chosen: BTreeMap::new(),
            platform_hint: None,
            counts: BTreeMap::new(),
        };
        Session { playbook, state }
    }

    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// The current step's id, `None` before `Start`.
    pub fn step_id(&self) -> Option<&str> {
        self.state.step.as_deref()
    }

    pub fn window(&self) -> Option<&Window> {
        self.state.window.as_ref()
    }

    pub fn explanation(&self) -> Option<&Explanation> {
        self.state.explanation.as_ref()
    }

    /// Reported wrong tries per counter id.
    pub fn counts(&self) -> &BTreeMap<String, Count> {
        &self.state.counts
    }

    /// Carries counts over from an earlier session of the same playbook (the app keeps them
    /// apart from the session file). Only declared counters are taken, capped at the lock.
    pub fn seed_counts(&mut self, counts: &BTreeMap<String, Count>) {
        for c in &self.playbook.counters {
            if let Some(n) = counts.get(c.id.get_ref()) {
                let wrong = n.wrong.min(*c.locks_after.get_ref());
                self.state
                    .counts
                    .insert(c.id.get_ref().clone(), Count { wrong, at: n.at });
            }
        }
    }

    /// The phone type the helper's profile names (`None`: not set).
    pub fn set_platform_hint(&mut self, platform: Option<crate::playbook::Platform>) {
        self.state.platform_hint = platform;
    }

    /// The choices made on choosing steps (step → chosen step).
    pub fn chosen(&self) -> &BTreeMap<StepId, StepId> {
        &self.state.chosen
    }

    pub fn is_finished(&self) -> bool {
        self.current().is_some_and(|i| self.playbook.steps[i].end)
    }

    /// The latest time the session has seen.
    pub fn now(&self) -> UnixMs {
        self.state.now
    }

    /// Where requirement `r` stands at `now`.
    pub fn requirement_status(&self, r: &Requirement, now: UnixMs) -> ReqStatus {
        eval::status(
            &self.state.facts,
            r.fact.get_ref(),
            &r.is,
            secs_ms(*r.max_age_secs.get_ref()),
            r.confirmable,
            now,
        )
    }

    /// The first requirement of step `i` that does not hold at the session's time.
    pub fn first_unmet(&self, i: usize) -> Option<(&Requirement, ReqStatus)> {
        self.first_unmet_at(i, self.state.now)
    }

    pub(crate) fn first_unmet_at(
        &self,
        i: usize,
        now: UnixMs,
    ) -> Option<(&Requirement, ReqStatus)> {
        self.playbook.steps.get(i)?.requires.iter().find_map(|r| {
            let s = self.requirement_status(r, now);
            (!s.is_met()).then_some((r, s))
        })
    }

    pub(crate) fn current(&self) -> Option<usize> {
        self.state
            .step
            .as_deref()
            .and_then(|id| self.playbook.step_index(id))
    }

    /// Applies one event and returns what the app must do. Never panics.
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        let mut fx = Vec::new();
        match event {
            Event::Start { now } => {
                self.clock(now, &mut fx);
                if self.state.step.is_none() && !self.playbook.steps.is_empty() {
                    self.enter(0, Entry::Forward, None, &mut fx);
                    fx.push(Effect::Persist);
                }
            }
            Event::Reset => {
                if self.state.phone_check {
                    fx.push(Effect::StopPhoneCheck);
                }
                if self.state.window.is_some() {
                    fx.push(Effect::CancelWindow);
                }
                let now = self.state.now;
                let counts = std::mem::take(&mut self.state.counts);
                let hint = self.state.platform_hint;
                *self = Session::new(self.playbook.clone());
                self.state.now = now;
                self.state.counts = counts;
                self.state.platform_hint = hint;
                fx.push(Effect::Persist);
            }
            Event::Observe(o) => {
                // An observation dated ahead of the session's clock by more than the skew an
                // observer may have is refused: it would move the clock (and every freshness
                // judgement) into the future.
                // Observations never move the clock (only events that carry `now` do), so the
                // freshness rules always judge them against the session's own time.
                if self.state.now.0 > 0 && o.at.since(self.state.now) > eval::FUTURE_SKEW_MS {
                    return fx;
                }
                match o.source {
                    FactSource::Confirmed => self.confirm(&o.key, &o.value, &mut fx),
                    FactSource::Measured => self.observe(o, &mut fx),
                }
                self.keep_gate(&mut fx);
            }
            Event::Confirm { key, value, now } => {
                self.clock(now, &mut fx);
                self.confirm(&key, &value, &mut fx);
            }
            Event::Next { now } => {
                self.clock(now, &mut fx);
                self.next(&mut fx);
            }
            Event::Back { now } => {
                self.clock(now, &mut fx);
                if self.state.step.is_some()
                    && let Some(prev) = self.state.history.pop()
                    && let Some(i) = self.playbook.step_index(&prev)
                {
                    self.state.explanation = None;
                    self.enter(i, Entry::Back, None, &mut fx);
                    fx.push(Effect::Persist);
                }
            }
            Event::GoTo { step, now } => {
                self.clock(now, &mut fx);
                let allowed = self.state.history.contains(&step)
                    || self
                        .state
                        .explanation
                        .as_ref()
                        .and_then(|e| e.go_to.as_ref())
                        == Some(&step);
                if self.state.step.is_some()
                    && allowed
                    && let Some(i) = self.playbook.step_index(&step)
                {
                    self.state.explanation = None;
                    self.enter(i, Entry::Forward, None, &mut fx);
                    fx.push(Effect::Persist);
                }
            }
            Event::Act { action, now } => {
                self.clock(now, &mut fx);
                self.act(action, &mut fx);
            }
            Event::Symptom { id, now } => {
                self.clock(now, &mut fx);
                self.symptom(&id, &mut fx);
            }
            Event::EnterExpiry {
                action,
                text,
                utc_offset_minutes,
                now,
            } => {
                self.clock(now, &mut fx);
                self.enter_expiry(action, &text, utc_offset_minutes, &mut fx);
            }
            Event::Tick { now } => {
                self.clock(now, &mut fx);
                self.keep_gate(&mut fx);
            }
        }
        // One save per event is enough, and it comes last so the app saves the final state.
        if fx.contains(&Effect::Persist) {
            fx.retain(|e| *e != Effect::Persist);
            fx.push(Effect::Persist);
        }
        fx
    }

    /// Moves time forward and runs the window out if its deadline has passed.
    fn clock(&mut self, now: UnixMs, fx: &mut Vec<Effect>) {
        if now > self.state.now {
            self.state.now = now;
        }
        let expired = self
            .state
            .window
            .as_ref()
            .is_some_and(|w| w.deadline <= self.state.now);
        if !expired {
            return;
        }
        let Some(w) = self.state.window.take() else {
            return;
        };
        self.state.window_expired_at = Some(w.deadline);
        fx.push(Effect::Notify {
            text: w.expired_text.clone(),
        });
        if !self.is_finished()
            && let Some(i) = self.playbook.step_index(&w.on_expiry)
        {
            self.enter(i, Entry::Forward, Some(w.expired_text), fx);
        }
        fx.push(Effect::Persist);
    }

    fn observe(&mut self, o: Observation, fx: &mut Vec<Effect>) {
        // Only facts someone can use are kept: the playbook's and the observers' own keys.
        if self.playbook.fact(&o.key).is_none() && known::measured_values(&o.key).is_none() {
            return;
        }
        let key = o.key.clone();
        let before = self.current_statuses(&key);
        if eval::record(&mut self.state.facts, o) {
            self.after_fact_change(&key, &before, fx);
            self.clear_solved_explanation();
            fx.push(Effect::Persist);
        }
    }

    /// A refusal ("Tebiki has not yet seen …") pointing at the step one stands on goes away
    /// once what it asked for has been measured: the screen must not say ✓ and "not yet" at once.
    fn clear_solved_explanation(&mut self) {
        let Some(cur) = self.current() else { return };
        let here = self
            .state
            .explanation
            .as_ref()
            .is_some_and(|e| e.go_to.as_deref() == self.state.step.as_deref());
        let open = self
            .playbook
            .next_of(cur)
            .is_some_and(|n| self.first_unmet(n).is_none());
        if here && open {
            self.state.explanation = None;
        }
    }

    fn confirm(&mut self, key: &str, value: &str, fx: &mut Vec<Effect>) {
        let now = self.state.now;
        let Some(decl) = self.playbook.fact(key) else {
            self.refuse(
                Text::new(
                    format!("「{key}」は、この手順書では確認できない項目です。"),
                    format!("“{key}” is not something this playbook asks you to confirm."),
                ),
                None,
                fx,
            );
            return;
        };
        let label = decl.label.text();
        if !decl.confirmable || !decl.values.iter().any(|v| v.get_ref() == value) {
            self.refuse(
                Text::new(
                    format!(
                        "{}は、手引きが自分で確かめる項目です。手入力では受け付けられません。",
                        label.ja
                    ),
                    format!(
                        "{} is checked by Tebiki itself; it cannot be entered by hand.",
                        label.en
                    ),
                ),
                self.provider_id(key),
                fx,
            );
            return;
        }
        let measured_differs = self
            .state
            .facts
            .get(key)
            .and_then(|s| s.measured.as_ref())
            .is_some_and(|m| eval::is_fresh(m, self.max_age_for(key), now) && m.value != value);
        if measured_differs {
            self.refuse(
                Text::new(
                    format!("手引きが確かめた{}の状態と違うため、受け付けられませんでした。もう一度、スマホの画面を確かめてください。", label.ja),
                    format!("That differs from what Tebiki measured for {}, so it was not accepted. Please look at the phone again.", label.en),
                ),
                self.provider_id(key),
                fx,
            );
            return;
        }
        let before = self.current_statuses(key);
        let changed = eval::record(
            &mut self.state.facts,
            Observation::confirmed(key, value, now),
        );
        if changed {
            if self.state.explanation.is_some() {
                self.state.explanation = None;
            }
            self.after_fact_change(key, &before, fx);
            fx.push(Effect::Persist);
        }
    }

    /// The longest age any requirement allows for `key`: how long a measurement of it stays
    /// authoritative over the user's word.
    fn max_age_for(&self, key: &str) -> i64 {
        self.playbook
            .steps
            .iter()
            .flat_map(|s| s.requires.iter())
            .filter(|r| r.fact.get_ref() == key)
            .map(|r| secs_ms(*r.max_age_secs.get_ref()))
            .max()
            .unwrap_or(10 * 60 * 1000)
    }

    fn current_statuses(&self, key: &str) -> Vec<ReqStatus> {
        let now = self.state.now;
        self.current()
            .map(|i| {
                self.playbook.steps[i]
                    .requires
                    .iter()
                    .filter(|r| r.fact.get_ref() == key)
                    .map(|r| self.requirement_status(r, now))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A fact the current step relied on flipped: go back to where it is established.
    fn after_fact_change(&mut self, key: &str, before: &[ReqStatus], fx: &mut Vec<Effect>) {
        let after = self.current_statuses(key);
        let flipped = before
            .iter()
            .zip(&after)
            .any(|(b, a)| b.is_met() && *a == ReqStatus::Contradicted);
        if !flipped {
            return;
        }
        let Some(cur) = self.current() else { return };
        let Some(r) = self.playbook.steps[cur]
            .requires
            .iter()
            .find(|r| r.fact.get_ref() == key)
        else {
            return;
        };
        let label = self.fact_label(key);
        let explain = r.explain.text();
        let text = Text::new(
            format!(
                "「{}」が変わりました。前の手順に戻ります。{}",
                label.ja, explain.ja
            ),
            format!(
                "“{}” changed, so we go back a step. {}",
                label.en, explain.en
            ),
        );
        fx.push(Effect::Notify { text: text.clone() });
        let target = self.playbook.provider_of(key).unwrap_or(0);
        self.enter(target, Entry::Forward, Some(text), fx);
    }

    /// Re-enters the saved step through its gate after a resume: a session saved on a gated
    /// step goes back to where a requirement that no longer holds is established.
    pub fn resume_at(&mut self, now: UnixMs) -> Vec<Effect> {
        let mut fx = Vec::new();
        self.clock(now, &mut fx);
        if let Some(cur) = self.current()
            && self.first_unmet(cur).is_some()
        {
            let text = Text::new(
                "前回の続きから再開したため、確かめ直します。",
                "Resumed from last time, so this is checked again.",
            );
            self.enter(cur, Entry::Forward, Some(text), &mut fx);
            fx.push(Effect::Persist);
        }
        fx
    }

    /// While standing on a step, a measured requirement of it that goes stale, unknown or
    /// contradicted takes the person back to where it is established, with the reason (the
    /// requirements the person may confirm only block `Next`).
    fn keep_gate(&mut self, fx: &mut Vec<Effect>) {
        let Some(cur) = self.current() else { return };
        let now = self.state.now;
        let unmet = self.playbook.steps[cur]
            .requires
            .iter()
            .filter(|r| !r.confirmable)
            .map(|r| (r, self.requirement_status(r, now)))
            .find(|(_, st)| !st.is_met());
        let Some((r, status)) = unmet else { return };
        let text = self.refusal_text(r, status);
        let target = self.playbook.provider_of(r.fact.get_ref()).unwrap_or(0);
        if target == cur {
            return;
        }
        fx.push(Effect::Notify { text: text.clone() });
        self.enter(target, Entry::Forward, Some(text), fx);
        fx.push(Effect::Persist);
    }

    fn next(&mut self, fx: &mut Vec<Effect>) {
        let Some(cur) = self.current() else { return };
        if self.playbook.steps[cur].chooses() {
            self.refuse(
                Text::new(
                    "画面に合うものを、下から一つ選んでください。",
                    "Please choose the one below that matches the screen.",
                ),
                None,
                fx,
            );
            return;
        }
        let Some(target) = self.playbook.next_of(cur) else {
            return;
        };
        self.advance(cur, target, fx);
    }

    /// Moves on from step `cur` to `target` (Next, or a choice) if both hold now, starting the
    /// window `cur` declares for when it is finished.
    fn advance(&mut self, cur: usize, target: usize, fx: &mut Vec<Effect>) {
        // The step one stands on must still hold (its facts can go stale while the person
        // reads): the window never starts on old evidence.
        if let Some((r, status)) = self.first_unmet(cur) {
            let text = self.refusal_text(r, status);
            let go_to = self.provider_id(r.fact.get_ref());
            self.refuse(text, go_to, fx);
            return;
        }
        if let Some((r, status)) = self.first_unmet(target) {
            let text = self.refusal_text(r, status);
            let go_to = self.provider_id(r.fact.get_ref());
            self.refuse(text, go_to, fx);
            return;
        }
        // The window belongs to finishing the step that declares it (the phone's approval).
        let pb = self.playbook.clone();
        for a in &pb.steps[cur].actions {
            let on_next = a
                .starts
                .as_ref()
                .is_none_or(|s| *s.get_ref() == WindowStart::OnNext);
            if *a.kind.get_ref() == ActionKind::StartWindow && on_next {
                self.start_window(a, fx);
            }
        }
        self.state.explanation = None;
        self.enter(target, Entry::Forward, None, fx);
        fx.push(Effect::Persist);
    }

    /// Starts the window a `start_window` action declares, from the session's time.
    fn start_window(&mut self, a: &crate::playbook::Action, fx: &mut Vec<Effect>) {
        let (Some(m), Some(c), Some(to), Some(exp)) =
            (&a.minutes, &a.confidence, &a.on_expiry, &a.expired)
        else {
            return;
        };
        let now = self.state.now;
        let minutes = *m.get_ref();
        let w = Window {
            started_at: now,
            deadline: now.plus_secs(i64::from(minutes) * 60),
            minutes,
            confidence: *c.get_ref(),
            on_expiry: to.get_ref().clone(),
            expired_text: exp.text(),
            from_message: false,
        };
        fx.push(Effect::StartWindow {
            deadline: w.deadline,
            minutes,
            confidence: w.confidence,
            label: w.label(),
        });
        self.state.window = Some(w);
        self.state.window_expired_at = None;
    }

    /// The person typed the expiry time printed in a message: a countdown to it starts.
    fn enter_expiry(&mut self, index: usize, text: &str, offset_min: i32, fx: &mut Vec<Effect>) {
        let Some(cur) = self.current() else { return };
        let pb = self.playbook.clone();
        let Some(a) = pb.steps[cur].actions.get(index) else {
            return;
        };
        if *a.kind.get_ref() != ActionKind::EnterExpiry {
            return;
        }
        let (Some(c), Some(to), Some(exp)) = (&a.confidence, &a.on_expiry, &a.expired) else {
            return;
        };
        let now = self.state.now;
        let deadline = match super::expiry::parse(text, now, offset_min) {
            Ok(d) => d,
            Err(why) => {
                self.refuse(why, None, fx);
                return;
            }
        };
        if deadline <= now {
            self.refuse(
                Text::new(
                    "その有効期限は、もう過ぎています。新しい番号を受け取ってから、もう一度入力してください。",
                    "That expiry time has already passed. Please get a new code, then enter its time again.",
                ),
                Some(to.get_ref().clone()),
                fx,
            );
            return;
        }
        let minutes = u32::try_from((deadline.since(now) + 59_999) / 60_000).unwrap_or(u32::MAX);
        let w = Window {
            started_at: now,
            deadline,
            minutes,
            confidence: *c.get_ref(),
            on_expiry: to.get_ref().clone(),
            expired_text: exp.text(),
            from_message: true,
        };
        fx.push(Effect::StartWindow {
            deadline,
            minutes,
            confidence: w.confidence,
            label: w.label(),
        });
        self.state.window = Some(w);
        self.state.window_expired_at = None;
        self.state.explanation = None;
        fx.push(Effect::Persist);
    }

    /// The counter `id` and how many wrong tries are reported.
    fn counter(&self, id: &str) -> Option<(&CounterDecl, u32)> {
        let decl = self
            .playbook
            .counters
            .iter()
            .find(|c| c.id.get_ref() == id)?;
        let wrong = self.state.counts.get(id).map_or(0, |c| c.wrong);
        Some((decl, wrong))
    }

    /// Whether counter `id` has reached the stop (one try before the lock).
    pub(crate) fn counter_stopped(&self, id: &str) -> bool {
        self.counter(id)
            .is_some_and(|(d, wrong)| wrong + 1 >= *d.locks_after.get_ref())
    }

    /// The person reported a wrong try (`remaining = None`), or what the screen says is left.
    fn count(&mut self, id: &str, remaining: Option<u32>, fx: &mut Vec<Effect>) {
        let Some((decl, wrong)) = self.counter(id) else {
            return;
        };
        let locks = *decl.locks_after.get_ref();
        let wrong = match remaining {
            None => (wrong + 1).min(locks),
            // The screen knows best: it counts tries made before Tebiki was opened too.
            Some(left) => locks.saturating_sub(left).max(wrong),
        };
        let now = self.state.now;
        self.state
            .counts
            .insert(id.to_owned(), Count { wrong, at: now });
        self.state.explanation = None;
        fx.push(Effect::Persist);
        if self.counter_stopped(id)
            && let Some(cur) = self.current()
            && let Some((decl, _)) = self.counter(id)
        {
            let text = stop_text(decl, wrong);
            let Some(target) = self.playbook.step_index(decl.on_stop.get_ref()) else {
                return;
            };
            fx.push(Effect::Notify { text: text.clone() });
            if target != cur {
                self.enter(target, Entry::Forward, Some(text), fx);
            }
        }
    }

    fn act(&mut self, index: usize, fx: &mut Vec<Effect>) {
        let Some(cur) = self.current() else { return };
        let pb = self.playbook.clone();
        let Some(a) = pb.steps[cur].actions.get(index) else {
            return;
        };
        match *a.kind.get_ref() {
            ActionKind::OpenUrl => {
                if let Some(u) = &a.url {
                    // Validation checked this at load time; the engine checks again so no
                    // path through the code can open anything else.
                    if pb.is_official_url(u.get_ref()) {
                        fx.push(Effect::OpenUrl {
                            url: u.get_ref().clone(),
                        });
                    } else {
                        self.refuse(
                            Text::new(
                                "公式のページではないため、開きませんでした。",
                                "Not an official page, so it was not opened.",
                            ),
                            None,
                            fx,
                        );
                    }
                }
            }
            ActionKind::CopyAccountId => fx.push(Effect::CopyAccountId),
            ActionKind::ShowQr => fx.extend(qr_effect(&pb, a)),
            ActionKind::Confirm => {
                if let (Some(f), Some(v)) = (&a.fact, &a.value) {
                    self.confirm(f.get_ref(), v.get_ref(), fx);
                }
            }
            ActionKind::Choose => {
                if let Some(t) = a.go_to.as_ref().and_then(|t| pb.step_index(t.get_ref())) {
                    let here = pb.steps[cur].id.get_ref().clone();
                    let before = self
                        .state
                        .chosen
                        .insert(here.clone(), pb.steps[t].id.get_ref().clone());
                    self.advance(cur, t, fx);
                    // A refused choice is not a choice made.
                    if self.state.step.as_deref() == Some(here.as_str()) {
                        match before {
                            Some(b) => self.state.chosen.insert(here, b),
                            None => self.state.chosen.remove(&here),
                        };
                    }
                }
            }
            ActionKind::CountFailure => {
                if let Some(c) = &a.counter {
                    self.count(c.get_ref(), None, fx);
                }
            }
            ActionKind::CountRemaining => {
                if let (Some(c), Some(r)) = (&a.counter, &a.remaining) {
                    self.count(c.get_ref(), Some(*r.get_ref()), fx);
                }
            }
            ActionKind::StartPhoneCheck
            | ActionKind::StopPhoneCheck
            | ActionKind::StartWindow
            | ActionKind::EnterExpiry => {}
        }
    }

    fn symptom(&mut self, id: &str, fx: &mut Vec<Effect>) {
        if self.state.step.is_none() {
            return;
        }
        let pb = self.playbook.clone();
        let Some(sy) = pb.symptom(id) else { return };
        let now = self.state.now;
        let holds = |c: &crate::playbook::Cond| {
            let max = c.max_age_secs.map(secs_ms).unwrap_or(i64::MAX);
            eval::status(
                &self.state.facts,
                c.fact.get_ref(),
                &c.is,
                max,
                !c.measured,
                now,
            )
            .is_met()
        };
        let window_state = if self.state.window.is_some() {
            crate::playbook::WindowCond::Running
        } else if self.state.window_expired_at.is_some() {
            crate::playbook::WindowCond::Expired
        } else {
            crate::playbook::WindowCond::None
        };
        let rule = sy.rules.iter().find(|r| {
            r.when.as_ref().is_none_or(holds)
                && !r.unless.as_ref().is_some_and(holds)
                && r.window
                    .as_ref()
                    .is_none_or(|w| *w.get_ref() == window_state)
        });
        let Some(rule) = rule else {
            self.refuse(
                Text::new(
                    "はっきりした原因が見つかりませんでした。最初からもう一度ためしてください。",
                    "No clear cause was found. Please try again from the beginning.",
                ),
                None,
                fx,
            );
            return;
        };
        let Some(target) = pb.step_index(rule.go_to.get_ref()) else {
            return;
        };
        let cause = rule.cause.text();
        fx.push(Effect::Explain {
            text: cause.clone(),
            go_to: Some(rule.go_to.get_ref().clone()),
        });
        self.state.explanation = Some(Explanation {
            text: cause.clone(),
            go_to: Some(rule.go_to.get_ref().clone()),
            at: now,
        });
        self.enter(target, Entry::Forward, None, fx);
        fx.push(Effect::Persist);
    }

    /// Refuses with an explanation: shown now and kept for the view.
    fn refuse(&mut self, text: Text, go_to: Option<StepId>, fx: &mut Vec<Effect>) {
        fx.push(Effect::Explain {
            text: text.clone(),
            go_to: go_to.clone(),
        });
        self.state.explanation = Some(Explanation {
            text,
            go_to,
            at: self.state.now,
        });
        fx.push(Effect::Persist);
    }

    /// Enters step `target`, or, if its requirements do not hold, the step that establishes
    /// the first missing one (repeatedly). This gate is why no event sequence can reach a
    /// step whose requirements are unmet.
    fn enter(&mut self, target: usize, entry: Entry, reason: Option<Text>, fx: &mut Vec<Effect>) {
        let mut t = target;
        let mut reason = reason;
        let mut hops = 0;
        while let Some((r, status)) = self.first_unmet(t) {
            let provider = self.playbook.provider_of(r.fact.get_ref()).unwrap_or(0);
            let text = self.refusal_text(r, status);
            reason = Some(match reason {
                Some(prev) => Text::new(
                    format!("{}\n{}", prev.ja, text.ja),
                    format!("{}\n{}", prev.en, text.en),
                ),
                None => text,
            });
            t = provider;
            hops += 1;
            if hops > self.playbook.steps.len() {
                // A validated playbook never loops here; the first step has no requirements.
                t = 0;
                break;
            }
        }
        // A step that asks for a number whose counter has stopped is never entered again:
        // the person goes to what to do instead (validation keeps on_stop free of it).
        let pb = self.playbook.clone();
        if let Some(decl) = pb
            .counters
            .iter()
            .find(|c| pb.steps[t].asks_for(c.id.get_ref()) && self.counter_stopped(c.id.get_ref()))
            && let Some(stop) = pb.step_index(decl.on_stop.get_ref())
        {
            let wrong = self.counter(decl.id.get_ref()).map_or(0, |(_, w)| w);
            let text = stop_text(decl, wrong);
            reason = Some(match reason {
                Some(prev) => Text::new(
                    format!("{}\n{}", prev.ja, text.ja),
                    format!("{}\n{}", prev.en, text.en),
                ),
                None => text,
            });
            t = stop;
        }
        // Reaching a step that shows the number was right resets its counters.
        for c in &pb.counters {
            if c.reset_at
                .iter()
                .any(|r| r.get_ref() == pb.steps[t].id.get_ref())
            {
                self.state.counts.remove(c.id.get_ref());
            }
        }
        let id = self.playbook.steps[t].id.get_ref().clone();
        if entry == Entry::Forward
            && let Some(cur) = self.state.step.take()
            && cur != id
        {
            self.state.history.push(cur);
            if self.state.history.len() > HISTORY_LIMIT {
                self.state.history.remove(0);
            }
        }
        self.state.step = Some(id.clone());
        let step = &pb.steps[t];
        for a in &step.actions {
            match *a.kind.get_ref() {
                ActionKind::StartWindow
                    if a.starts.as_ref().map(|s| *s.get_ref()) == Some(WindowStart::OnEnter)
                        && entry == Entry::Forward =>
                {
                    self.start_window(a, fx);
                }
                ActionKind::StartPhoneCheck if !self.state.phone_check => {
                    self.state.phone_check = true;
                    fx.push(Effect::StartPhoneCheck);
                }
                ActionKind::StopPhoneCheck if self.state.phone_check => {
                    self.state.phone_check = false;
                    fx.push(Effect::StopPhoneCheck);
                }
                ActionKind::ShowQr => fx.extend(qr_effect(&pb, a)),
                _ => {}
            }
        }
        if step.end {
            if self.state.window.take().is_some() {
                fx.push(Effect::CancelWindow);
            }
            if std::mem::replace(&mut self.state.phone_check, false) {
                fx.push(Effect::StopPhoneCheck);
            }
        }
        if let Some(text) = reason {
            fx.push(Effect::Explain {
                text: text.clone(),
                go_to: Some(id.clone()),
            });
            self.state.explanation = Some(Explanation {
                text,
                go_to: Some(id),
                at: self.state.now,
            });
        }
    }

    pub(crate) fn refusal_text(&self, r: &Requirement, status: ReqStatus) -> Text {
        let label = self.fact_label(r.fact.get_ref());
        let explain = r.explain.text();
        match status {
            ReqStatus::Stale => Text::new(
                format!(
                    "「{}」を確かめてから時間がたちました。もう一度確かめます。{}",
                    label.ja, explain.ja
                ),
                format!(
                    "“{}” was checked a while ago; it needs checking again. {}",
                    label.en, explain.en
                ),
            ),
            ReqStatus::Contradicted => Text::new(
                format!(
                    "「{}」が、まだ次の手順に必要な状態になっていません。{}",
                    label.ja, explain.ja
                ),
                format!(
                    "Not yet as the next step needs: “{}”. {}",
                    label.en, explain.en
                ),
            ),
            _ => explain,
        }
    }

    pub(crate) fn fact_label(&self, key: &str) -> Text {
        self.playbook
            .fact(key)
            .map(|f| f.label.text())
            .unwrap_or_else(|| Text::new(key, key))
    }

    pub(crate) fn provider_id(&self, key: &str) -> Option<StepId> {
        self.playbook
            .provider_of(key)
            .map(|i| self.playbook.steps[i].id.get_ref().clone())
    }
}

/// What Tebiki says when it stops before a lock.
fn stop_text(decl: &CounterDecl, wrong: u32) -> Text {
    let locks = *decl.locks_after.get_ref();
    let label = decl.label.text();
    let stop = decl.stop.text();
    Text::new(
        format!(
            "{}を{}回まちがえたと伺いました。{}回でロックされるため、ここで止めます。{}",
            label.ja, wrong, locks, stop.ja
        ),
        format!(
            "You reported {} wrong tries of {}. It locks at {}, so Tebiki stops here. {}",
            wrong, label.en, locks, stop.en
        ),
    )
}

fn qr_effect(pb: &Playbook, a: &crate::playbook::Action) -> Option<Effect> {
    let caption = a.label.as_ref().map(|l| l.text());
    let qr = match a.qr.as_ref().map(|q| *q.get_ref())? {
        QrKind::PhoneCheck => Qr::PhoneCheck,
        QrKind::Url => {
            let url = a.url.as_ref()?.get_ref();
            pb.is_official_url(url)
                .then(|| Qr::Url { url: url.clone() })?
        }
        QrKind::AppStore => {
            let url = a.url.as_ref()?.get_ref();
            pb.is_official_url(url).then(|| Qr::AppStore {
                platform: a.platform.unwrap_or(crate::playbook::Platform::Iphone),
                url: url.clone(),
            })?
        }
    };
    Some(Effect::ShowQr { qr, caption })
}

pub(crate) fn values(v: &[toml::Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().clone()).collect()
}

pub(crate) fn secs_ms(secs: u64) -> i64 {
    i64::try_from(secs)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000)
}
