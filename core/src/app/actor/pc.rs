//! The PC link: every observer that produces `pc.*` facts, and the status strip made from
//! them. Today: the network path (`pc.path`, … from `net::watch` or one look) and the internet
//! check (`pc.online`, … from `net::probe`).
//!
//! Adding an observer (Bluetooth, the OS version, …) happens here: keep its latest result in a
//! field of [`PcLink`], deliver results as a [`Msg`](super::Msg) variant (or run it once at
//! start), feed them through [`Actor::observe_pc`], and add it to [`PcLink::observations`] so a
//! session that begins later starts with what is already known.

use std::sync::Arc;

use super::{Actor, Msg, log_problem};
use crate::app::config::ProbeSetting;
use crate::app::snapshot::PcStatus;
use crate::facts::{Observation, UnixMs};
use crate::flow::Event;
use crate::net::{self, Classification, ProbeConfig, ProbeReport, Url};
use crate::playbook::Playbook;

pub(super) struct PcLink {
    /// The latest look at the PC's network path.
    pub(super) classification: Option<Classification>,
    /// The latest internet check over that path (`None` again when the path changes).
    pub(super) probe: Option<ProbeReport>,
    /// An internet check is under way.
    pub(super) probing: bool,
    /// The path changed during the check: check again when it ends.
    pub(super) probe_again: bool,
    /// What the status strip shows.
    pub(super) status: PcStatus,
}

impl PcLink {
    pub(super) fn new() -> PcLink {
        PcLink {
            classification: None,
            probe: None,
            probing: false,
            probe_again: false,
            status: PcStatus::checking(),
        }
    }

    /// Everything known about the PC now, as facts (for a session that begins).
    pub(super) fn observations(&self, now: UnixMs) -> Vec<Observation> {
        let mut out = Vec::new();
        if let Some(c) = &self.classification {
            out.extend(c.observations(now));
        }
        if let Some(p) = &self.probe {
            out.extend(p.observations(now));
        }
        out
    }

    /// Only strong evidence counts (a phone's USB sharing, its hotspot with a second sign):
    /// a metered Wi-Fi or a driver name alone would let the order be passed with the phone
    /// still on the home Wi-Fi.
    pub(super) fn tethered_to_phone(&self) -> bool {
        self.classification
            .as_ref()
            .is_some_and(|c| c.phone_tether.is_some())
    }

    /// Keeps a new look at the path; `true` when the path changed (the last internet check
    /// then means nothing and is dropped).
    fn new_path(&mut self, c: Classification) -> bool {
        let changed = self
            .classification
            .as_ref()
            .is_none_or(|old| !old.same_path(&c));
        self.classification = Some(c);
        if changed {
            self.probe = None;
        }
        changed
    }

    fn refresh_status(&mut self) {
        let Some(c) = &self.classification else {
            return;
        };
        self.status = PcStatus {
            path: c.path.as_str().to_owned(),
            confidence: c.confidence.as_str().to_owned(),
            online: self.probe.as_ref().map(|p| p.verdict.as_str().to_owned()),
            summary: net::overall_summary(c, self.probe.as_ref()),
            evidence: c
                .evidence
                .iter()
                .cloned()
                .chain(self.probe.iter().flat_map(|p| p.evidence.iter().cloned()))
                .collect(),
            advice: c.advice(),
        };
    }
}

impl Actor {
    /// Feeds `pc.*` facts from any observer to the engine.
    async fn observe_pc(&mut self, observations: Vec<Observation>) {
        for o in observations {
            self.apply(Event::Observe(o)).await;
        }
    }

    // ----- the network path -----

    pub(super) fn look_once(&mut self) {
        let Some(tx) = self.tx.upgrade() else { return };
        tokio::spawn(async move {
            if let Ok(snapshot) = net::snapshot().await {
                let _ = tx.send(Msg::Net(net::classify(&snapshot))).await;
            }
        });
    }

    pub(super) async fn on_network(&mut self, c: Classification) {
        let now = UnixMs::now();
        let observations = c.observations(now);
        if self.pc.new_path(c) {
            // A new path makes the last internet check meaningless: check again.
            self.spawn_probe();
            // And what was concluded about the phone over the old network: it is unknown
            // until the phone is seen again, never "left".
            if let Some(check) = &self.phone.check {
                check.pc_network_changed();
            }
        }
        self.pc.refresh_status();
        self.observe_pc(observations).await;
    }

    // ----- the internet check -----

    fn spawn_probe(&mut self) {
        let config = match &self.config.probe {
            ProbeSetting::Off => return,
            ProbeSetting::Urls(urls) => ProbeConfig {
                generic: None,
                ..ProbeConfig::new(urls.clone())
            },
            ProbeSetting::Default => ProbeConfig::new(self.official_roots()),
        };
        if self.pc.probing {
            self.pc.probe_again = true;
            return;
        }
        let Some(tx) = self.tx.upgrade() else { return };
        self.pc.probing = true;
        tokio::spawn(async move {
            let result = net::probe(&config).await.map_err(|e| e.to_string());
            let _ = tx.send(Msg::Probe(result)).await;
        });
    }

    /// `https://<first official domain>/` of the current playbook (or of every bundled one).
    fn official_roots(&self) -> Vec<Url> {
        let playbooks: Vec<&Arc<Playbook>> = match &self.session.current {
            Some(s) => self
                .playbooks
                .iter()
                .filter(|p| p.id() == s.playbook().id())
                .collect(),
            None => self.playbooks.iter().collect(),
        };
        playbooks
            .iter()
            .filter_map(|p| p.official_domains.first())
            .filter_map(|d| Url::parse(&format!("https://{}/", d.get_ref())).ok())
            .collect()
    }

    pub(super) async fn on_probe(&mut self, result: Result<ProbeReport, String>) {
        self.pc.probing = false;
        match result {
            Ok(report) => {
                let now = UnixMs::now();
                let observations = report.observations(now);
                self.pc.probe = Some(report);
                self.pc.refresh_status();
                self.observe_pc(observations).await;
            }
            Err(e) => log_problem(&format!("the internet check failed: {e}")),
        }
        if std::mem::take(&mut self.pc.probe_again) {
            self.spawn_probe();
        }
    }
}
