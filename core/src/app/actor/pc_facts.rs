//! The PC's own facts (`pc.bluetooth`, `pc.os`, see [`crate::pc`]) fed to the session beside
//! the network's: measured when the app starts, again every `AppConfig::pc_facts_every` (30 s)
//! from the clock, and once more before `Next` when the playbook names one of them, so a step gated
//! on Bluetooth is judged on the PC as it is now. Each observation keeps the time of its own
//! measurement: nothing here re-dates an old one.

use super::{Actor, Msg};
use crate::facts::{Observation, UnixMs};
use crate::flow::Event;
use crate::pc::{self, PcFacts};
use crate::playbook::Playbook;

/// The last measurement and whether one is under way.
#[derive(Default)]
pub(super) struct PcFactsState {
    latest: Option<PcFacts>,
    measuring: bool,
    asked_at: Option<UnixMs>,
}

impl Actor {
    /// From the clock: starts a measurement off the actor when none was taken yet or the last
    /// was asked for `pc_facts_every` ago; the result comes back as [`Msg::Pc`].
    pub(super) fn measure_pc_if_due(&mut self, now: UnixMs) {
        let every = i64::try_from(self.config.pc_facts_every.as_millis()).unwrap_or(i64::MAX);
        let state = &mut self.pc_facts;
        let due = state.asked_at.is_none_or(|t| now.since(t) >= every);
        if !due || state.measuring {
            return;
        }
        let Some(tx) = self.tx.upgrade() else { return };
        state.measuring = true;
        state.asked_at = Some(now);
        let config = self.config.pc.clone();
        tokio::spawn(async move {
            let facts = pc::measure(&config).await;
            let _ = tx.send(Msg::Pc(facts)).await;
        });
    }

    /// A measurement taken off the actor arrived.
    pub(super) async fn on_pc_facts(&mut self, facts: PcFacts) {
        self.pc_facts.measuring = false;
        self.take_pc_facts(facts).await;
    }

    /// Before `Next`: if the playbook names a PC fact, measure now (each reader is bounded by
    /// its own short timeout) and observe it before the step is judged.
    pub(super) async fn measure_pc_before_next(&mut self) {
        if !self
            .session
            .current
            .as_ref()
            .is_some_and(|s| names_a_pc_fact(s.playbook()))
        {
            return;
        }
        let facts = pc::measure(&self.config.pc).await;
        self.pc_facts.asked_at = Some(facts.at);
        self.take_pc_facts(facts).await;
    }

    /// The last measurement's observations, with the time they were measured.
    pub(super) fn pc_fact_observations(&self) -> Vec<Observation> {
        self.pc_facts
            .latest
            .as_ref()
            .map(PcFacts::observations)
            .unwrap_or_default()
    }

    async fn take_pc_facts(&mut self, facts: PcFacts) {
        // An older measurement finishing late never replaces a newer one.
        if self
            .pc_facts
            .latest
            .as_ref()
            .is_some_and(|old| old.at > facts.at)
        {
            return;
        }
        let observations = facts.observations();
        self.pc_facts.latest = Some(facts);
        for o in observations {
            self.apply(Event::Observe(o)).await;
        }
    }
}

/// Whether a step requirement or a symptom rule of `p` names `pc.bluetooth` or `pc.os`.
fn names_a_pc_fact(p: &Playbook) -> bool {
    let is_pc = |key: &str| key == pc::FACT_PC_BLUETOOTH || key == pc::FACT_PC_OS;
    p.steps
        .iter()
        .flat_map(|s| s.requires.iter())
        .any(|r| is_pc(r.fact.get_ref()))
        || p.symptoms
            .iter()
            .flat_map(|s| s.rules.iter())
            .flat_map(|r| r.when.iter().chain(r.unless.iter()))
            .any(|c| is_pc(c.fact.get_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AU_ID: &str = include_str!("../../../../playbooks/au-id.toml");

    #[test]
    fn only_a_playbook_that_names_a_pc_fact_is_measured_before_next() {
        let au = crate::playbook::load_str("au-id.toml", AU_ID).expect("au-id loads");
        assert!(!names_a_pc_fact(&au));
        let gated = AU_ID.replacen(
            "fact = \"phone.presence\"\nis = [\"left_lan\", \"pc_tethered\"]\nmax_age_secs = 600",
            "fact = \"pc.bluetooth\"\nis = [\"on\"]\nmax_age_secs = 600",
            1,
        );
        assert_ne!(gated, AU_ID, "the fixture text moved");
        let gated = gated.replacen(
            "[[facts]]\n",
            "[[facts]]\nkey = \"pc.bluetooth\"\nlabel.ja = \"パソコンの Bluetooth\"\n\
             label.en = \"The PC's Bluetooth\"\nvalues = [\"on\", \"off\", \"absent\", \"unknown\"]\n\n\
             [[facts]]\n",
            1,
        );
        let gated = gated.replacen(
            "provides = [\"phone.presence\"]",
            "provides = [\"phone.presence\", \"pc.bluetooth\"]",
            1,
        );
        let p = crate::playbook::load_str("gated.toml", &gated).expect("a pc.bluetooth gate loads");
        assert!(names_a_pc_fact(&p));
    }
}
