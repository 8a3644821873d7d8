//! What the UI shows, derived from the session at a given time so the UI never re-derives
//! a rule. Everything here is `Serialize`; the Tauri shell passes it straight through.

use serde::Serialize;

use super::eval::{self, ReqStatus};
use super::session::{Session, values};
use super::{Explanation, StepId};
use crate::facts::{FactSource, UnixMs};
use crate::i18n::Text;
use crate::playbook::{ActionKind, Confidence, Place, Platform, QrKind, Requirement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    pub playbook_id: String,
    pub playbook_name: Text,
    pub started: bool,
    pub finished: bool,
    /// `None` before `Start`.
    pub step: Option<StepView>,
    /// The current step's own requirements (they held when it was entered).
    pub requirements: Vec<RequirementView>,
    /// What pressing "Next" would do.
    pub next: NextView,
    pub window: Option<WindowView>,
    /// The last refusal, rewind or cause.
    pub explanation: Option<Explanation>,
    /// What the user can report under "It isn't working" (うまくいかない).
    pub symptoms: Vec<SymptomView>,
    pub can_go_back: bool,
    pub phone_check_running: bool,
    /// Every fact the playbook declares, measured and confirmed apart: the helper's
    /// "what is verified and what is not" panel.
    pub facts: Vec<FactView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactView {
    pub key: String,
    pub label: Text,
    pub measured: Option<ObservedView>,
    pub confirmed: Option<ObservedView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservedView {
    pub value: String,
    pub age_secs: i64,
    /// Why Tebiki believes it (English, for the helper).
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepView {
    pub id: StepId,
    /// 1-based position on the main route; `None` on a branch.
    pub index: Option<usize>,
    /// Steps on the main route.
    pub total: usize,
    pub place: Place,
    pub title: Text,
    pub body: Text,
    /// The picture for this phone (Android picture when the phone is known to be Android).
    pub picture: Option<String>,
    pub branch: bool,
    pub approval: bool,
    pub actions: Vec<ActionView>,
    /// The step chooses the route by picture (`choose` actions): no "Next" button.
    pub chooses: bool,
    /// The numbers this step asks for that lock after a few wrong tries, with the tries the
    /// person reported.
    pub counters: Vec<CounterView>,
    /// A checklist step (its confirms cover several facts): one line per fact, in order.
    /// Empty on every other step.
    pub checklist: Vec<ChecklistLineView>,
    pub sources: Vec<SourceView>,
}

/// One line of a checklist step: a fact, its picture, and its own confirm buttons (indexes
/// into `StepView::actions`). Each line is its own confirmed fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistLineView {
    pub fact: String,
    /// The fact's label from the playbook's `[[facts]]`.
    pub label: Text,
    pub picture: Option<String>,
    /// How to look, shown behind a disclosure.
    pub hint: Option<Text>,
    pub actions: Vec<usize>,
}

/// A button (open URL, copy ID, confirm) or a QR on the current step. Send
/// `Event::Act { action: index }` when it is pressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionView {
    pub index: usize,
    pub kind: ActionKind,
    pub label: Option<Text>,
    pub url: Option<String>,
    pub qr: Option<QrKind>,
    pub platform: Option<Platform>,
    pub fact: Option<String>,
    pub value: Option<String>,
    /// For a confirm button: this value is what the user last confirmed. For a choice: the
    /// route chosen last time.
    pub chosen: bool,
    /// choose: the picture of what the person sees.
    pub picture: Option<String>,
    /// choose, enter_expiry: more help, behind a disclosure.
    pub hint: Option<Text>,
    /// choose: the step it leads to.
    pub go_to: Option<StepId>,
    /// count_remaining: the tries left the screen shows.
    pub remaining: Option<u32>,
}

/// A number that locks after a few wrong tries, as the person reported them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterView {
    pub id: String,
    pub label: Text,
    pub locks_after: u32,
    /// Wrong tries reported (a report, not a measurement).
    pub wrong: u32,
    /// Tries left before the lock, by the person's report.
    pub left: u32,
    /// Tebiki stopped: one try before the lock.
    pub stopped: bool,
    /// "You reported N wrong tries; it locks after M" — always shown beside the buttons.
    pub text: Text,
    /// Where the lock count comes from.
    pub sources: Vec<SourceView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceView {
    pub id: String,
    pub kind: Confidence,
    pub kind_label: Text,
    pub title: String,
    pub url: Option<String>,
    pub checked: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementView {
    pub fact: String,
    pub label: Text,
    pub allowed: Vec<String>,
    pub status: ReqStatus,
    /// What is known, whatever its age.
    pub value: Option<String>,
    pub source: Option<FactSource>,
    pub age_secs: Option<i64>,
    pub max_age_secs: u64,
    pub confirmable: bool,
    pub explain: Text,
    /// The step that establishes it.
    pub satisfied_by: Option<StepId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextView {
    /// The step "Next" leads to; `None` at the end.
    pub target: Option<StepId>,
    pub allowed: bool,
    /// Why it would be refused.
    pub refusal: Option<Text>,
    /// The step that would satisfy the first missing requirement.
    pub satisfied_by: Option<StepId>,
    pub requirements: Vec<RequirementView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowView {
    pub started_at: UnixMs,
    pub deadline: UnixMs,
    pub minutes: u32,
    pub confidence: Confidence,
    /// Always shown beside the countdown ("reported by a user; not an official figure").
    pub confidence_label: Text,
    pub remaining_secs: i64,
    /// The deadline is a time the person typed from a message, not a playbook length.
    pub from_message: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymptomView {
    pub id: String,
    pub label: Text,
}

impl Session {
    /// The screen at `now` (never earlier than the session's own time).
    pub fn view(&self, now: UnixMs) -> SessionView {
        let now = now.max(self.state.now);
        let pb = &self.playbook;
        let route = pb.route(&self.state.chosen);
        let cur = self.current();
        let step = cur.map(|i| self.step_view(i, &route));
        let requirements = cur
            .map(|i| self.req_views(&pb.steps[i].requires, now))
            .unwrap_or_default();
        let next = match cur.and_then(|i| pb.next_of(i)) {
            None => NextView {
                target: None,
                allowed: false,
                refusal: None,
                satisfied_by: None,
                requirements: vec![],
            },
            Some(t) => {
                let reqs = self.req_views(&pb.steps[t].requires, now);
                let unmet = self.first_unmet_at(t, now);
                NextView {
                    target: Some(pb.steps[t].id.get_ref().clone()),
                    allowed: unmet.is_none(),
                    refusal: unmet.map(|(r, s)| self.refusal_text(r, s)),
                    satisfied_by: unmet.and_then(|(r, _)| self.provider_id(r.fact.get_ref())),
                    requirements: reqs,
                }
            }
        };
        let window = self.state.window.as_ref().map(|w| WindowView {
            started_at: w.started_at,
            deadline: w.deadline,
            minutes: w.minutes,
            confidence: w.confidence,
            confidence_label: w.label(),
            remaining_secs: (w.deadline.since(now) / 1000).max(0),
            from_message: w.from_message,
        });
        SessionView {
            playbook_id: pb.id().to_owned(),
            playbook_name: pb.name.text(),
            started: cur.is_some(),
            finished: self.is_finished(),
            step,
            requirements,
            next,
            window,
            explanation: self.state.explanation.clone(),
            symptoms: pb
                .symptoms
                .iter()
                .map(|s| SymptomView {
                    id: s.id.get_ref().clone(),
                    label: s.label.text(),
                })
                .collect(),
            can_go_back: cur.is_some() && !self.state.history.is_empty(),
            phone_check_running: self.state.phone_check,
            facts: pb
                .facts
                .iter()
                .map(|f| {
                    let slot = self.state.facts.get(f.key.get_ref().as_str());
                    let obs = |o: Option<&crate::facts::Observation>| {
                        o.map(|o| ObservedView {
                            value: o.value.clone(),
                            age_secs: now.since(o.at) / 1000,
                            evidence: o.evidence.clone(),
                        })
                    };
                    FactView {
                        key: f.key.get_ref().clone(),
                        label: f.label.text(),
                        measured: obs(slot.and_then(|s| s.measured.as_ref())),
                        confirmed: obs(slot.and_then(|s| s.confirmed.as_ref())),
                    }
                })
                .collect(),
        }
    }

    fn step_view(&self, i: usize, route: &[usize]) -> StepView {
        let pb = &self.playbook;
        let s = &pb.steps[i];
        // What the phone's browser reported wins; else the helper's profile.
        let android = match self
            .state
            .facts
            .get("phone.platform")
            .and_then(|slot| eval::shown(Some(slot), true))
        {
            Some(o) => o.value == "android",
            None => self.state.platform_hint == Some(Platform::Android),
        };
        let picture = match (&s.picture_android, android) {
            (Some(p), true) => Some(p.get_ref().clone()),
            _ => s.picture.as_ref().map(|p| p.get_ref().clone()),
        };
        let actions = s
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                !matches!(
                    *a.kind.get_ref(),
                    ActionKind::StartPhoneCheck
                        | ActionKind::StopPhoneCheck
                        | ActionKind::StartWindow
                )
            })
            .map(|(index, a)| {
                let fact = a.fact.as_ref().map(|f| f.get_ref().clone());
                let value = a.value.as_ref().map(|v| v.get_ref().clone());
                let go_to = a.go_to.as_ref().map(|t| t.get_ref().clone());
                let chosen = match (&fact, &value, &go_to) {
                    (Some(f), Some(v), _) => self
                        .state
                        .facts
                        .get(f)
                        .and_then(|slot| slot.confirmed.as_ref())
                        .is_some_and(|c| c.value == *v),
                    (_, _, Some(t)) => self.state.chosen.get(s.id.get_ref()) == Some(t),
                    _ => false,
                };
                let picture = match *a.kind.get_ref() {
                    ActionKind::Choose => a.picture.as_ref().map(|p| p.get_ref().clone()),
                    _ => None,
                };
                let hint = match *a.kind.get_ref() {
                    ActionKind::Choose | ActionKind::EnterExpiry => {
                        a.hint.as_ref().map(|h| h.text())
                    }
                    _ => None,
                };
                ActionView {
                    index,
                    kind: *a.kind.get_ref(),
                    label: a.label.as_ref().map(|l| l.text()),
                    url: a.url.as_ref().map(|u| u.get_ref().clone()),
                    qr: a.qr.as_ref().map(|q| *q.get_ref()),
                    platform: a.platform,
                    fact,
                    value,
                    chosen,
                    picture,
                    hint,
                    go_to,
                    remaining: a.remaining.as_ref().map(|r| *r.get_ref()),
                }
            })
            .collect();
        let mut checklist: Vec<ChecklistLineView> = Vec::new();
        for (index, a) in s.actions.iter().enumerate() {
            let (ActionKind::Confirm, Some(f)) = (*a.kind.get_ref(), &a.fact) else {
                continue;
            };
            match checklist.iter_mut().find(|l| l.fact == *f.get_ref()) {
                Some(line) => line.actions.push(index),
                None => checklist.push(ChecklistLineView {
                    fact: f.get_ref().clone(),
                    label: self.fact_label(f.get_ref()),
                    picture: a.picture.as_ref().map(|p| p.get_ref().clone()),
                    hint: a.hint.as_ref().map(|h| h.text()),
                    actions: vec![index],
                }),
            }
        }
        if checklist.len() < 2 {
            checklist.clear();
        }
        let sources = self.source_views(&s.sources);
        let counters = pb
            .counters
            .iter()
            .filter(|c| s.asks_for(c.id.get_ref()))
            .map(|c| {
                let locks = *c.locks_after.get_ref();
                let wrong = self
                    .state
                    .counts
                    .get(c.id.get_ref())
                    .map_or(0, |n| n.wrong)
                    .min(locks);
                let left = locks - wrong;
                let label = c.label.text();
                CounterView {
                    id: c.id.get_ref().clone(),
                    label: label.clone(),
                    locks_after: locks,
                    wrong,
                    left,
                    stopped: self.counter_stopped(c.id.get_ref()),
                    text: Text::new(
                        format!(
                            "{}は、{}回続けてまちがえるとロックされます。手引きは、最後の1回を使う前に止めます。（まちがえた回数：{}回。教えていただいた回数です）",
                            label.ja, locks, wrong
                        ),
                        format!(
                            "{} locks after {} wrong tries in a row. Tebiki stops before the last one. (Wrong tries: {}, as you told Tebiki.)",
                            label.en, locks, wrong
                        ),
                    ),
                    sources: self.source_views(&c.sources),
                }
            })
            .collect();
        StepView {
            id: s.id.get_ref().clone(),
            index: route.iter().position(|&r| r == i).map(|p| p + 1),
            total: route.len(),
            place: s.place,
            title: s.title.text(),
            body: match (&s.body_android, android) {
                (Some(b), true) => b.text(),
                _ => s.body.text(),
            },
            picture,
            branch: s.branch,
            approval: s.approval,
            actions,
            chooses: s.chooses(),
            counters,
            checklist,
            sources,
        }
    }

    fn source_views(&self, ids: &[toml::Spanned<String>]) -> Vec<SourceView> {
        ids.iter()
            .filter_map(|id| self.playbook.source(id.get_ref()))
            .map(|src| SourceView {
                id: src.id.get_ref().clone(),
                kind: *src.kind.get_ref(),
                kind_label: kind_label(*src.kind.get_ref()),
                title: src.title.clone(),
                url: src.url.as_ref().map(|u| u.get_ref().clone()),
                checked: src.checked.get_ref().clone(),
            })
            .collect()
    }

    fn req_views(&self, reqs: &[Requirement], now: UnixMs) -> Vec<RequirementView> {
        reqs.iter()
            .map(|r| {
                let key = r.fact.get_ref();
                let shown = eval::shown(self.state.facts.get(key.as_str()), r.confirmable);
                RequirementView {
                    fact: key.clone(),
                    label: self.fact_label(key),
                    allowed: values(&r.is),
                    status: self.requirement_status(r, now),
                    value: shown.map(|o| o.value.clone()),
                    source: shown.map(|o| o.source),
                    age_secs: shown.map(|o| now.since(o.at) / 1000),
                    max_age_secs: *r.max_age_secs.get_ref(),
                    confirmable: r.confirmable,
                    explain: r.explain.text(),
                    satisfied_by: self.provider_id(key),
                }
            })
            .collect()
    }
}

/// How a source is labelled next to a step ("official guide", "user report").
fn kind_label(kind: Confidence) -> Text {
    match kind {
        Confidence::Official => Text::new("公式の案内", "Official guide"),
        Confidence::ThirdParty => Text::new("公式ではない記事", "Third-party article"),
        Confidence::UserReport => Text::new("利用者の報告", "User report"),
    }
}
