//! The one task that owns the running state. Everything that happens arrives here as a
//! message (a command, a phone event, a network change, a probe result, a clock tick);
//! the actor feeds the engine, executes its effects and publishes a snapshot.

mod helper;
mod papers;
mod pc;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use super::config::{AppConfig, ProbeSetting};
use super::persist::{Loaded, SessionFile};
use super::snapshot::{
    PcStatus, PhoneState, PhoneStatus, PlaybookChoice, ProfileView, QrView, Snapshot, VaultView,
};
use super::{Command, Desktop};
use crate::facts::{Observation, UnixMs};
use crate::flow::{Effect, Event, Qr, Session};
use crate::i18n::Text;
use crate::net::{self, Classification, ProbeConfig, ProbeReport, Url};
use crate::phone::{self, PhoneCheck, PhoneCheckConfig, PhoneError, PhoneEvent, Refusal};
use crate::playbook::{self, Playbook};
use crate::store::{Profile, ProfileId, ProfileStore};
use crate::vault::{ClipboardGuard, Vault};

pub(super) enum Msg {
    Command(Command, oneshot::Sender<Snapshot>),
    Net(Classification),
    Probe(Result<ProbeReport, String>),
    /// A keychain call finished (they run off the actor: one may wait for an unlock prompt).
    Vault(helper::VaultDone),
    /// Time to look whether a copied ID is still on the clipboard (guard number).
    ClipboardDue(u64),
    /// A question answered from the actor's state (the card, the record).
    With(Box<dyn FnOnce(&Actor) + Send>),
    /// Tebiki is closing: clear a copied ID now (if still on the clipboard), then answer.
    Closing(oneshot::Sender<()>),
    /// A measurement of the PC's own facts (Bluetooth, OS version) finished.
    Pc(crate::pc::PcFacts),
}

pub(super) struct Actor {
    config: AppConfig,
    desktop: Arc<dyn Desktop>,
    tx: mpsc::WeakSender<Msg>,
    playbooks: Vec<Arc<Playbook>>,
    playbook_problems: Vec<String>,
    file: SessionFile,
    session: Option<Session>,
    phone: Option<PhoneCheck>,
    phone_status: Option<PhoneStatus>,
    qr: Option<QrView>,
    qr_step: Option<String>,
    classification: Option<Classification>,
    probe: Option<ProbeReport>,
    probing: bool,
    probe_again: bool,
    pc: PcStatus,
    notice: Option<Text>,
    resumed: bool,
    warned_for: Option<UnixMs>,
    seq: u64,
    published: Option<Snapshot>,
    // ----- the helper's part: profiles, the keychain, the clipboard -----
    vault: Arc<dyn Vault>,
    vault_view: VaultView,
    /// Keychain calls under way.
    vault_jobs: usize,
    /// `None` when the profiles could not be opened (the notice says why).
    store: Option<ProfileStore>,
    profiles: Vec<Profile>,
    saved_ids: HashMap<ProfileId, bool>,
    active: Option<ProfileId>,
    /// The copied ID's guard and its number (a later copy replaces an earlier guard).
    clipboard: Option<(u64, ClipboardGuard)>,
    clipboard_seq: u64,
    // ----- the record and the papers -----
    record: Option<crate::report::Record>,
    last_record: Option<crate::report::Record>,
    utc_offset: Option<i32>,
    last_export: Option<crate::app::paper::ExportView>,
    pc_facts: pc::PcFactsState,
}

enum Wake {
    Stop,
    Msg(Option<Msg>),
    Phone(Option<PhoneEvent>),
    Net(Option<net::PathChange>),
    Tick,
}

impl Actor {
    pub(super) fn new(
        config: AppConfig,
        desktop: Arc<dyn Desktop>,
        vault: Arc<dyn Vault>,
        tx: mpsc::Sender<Msg>,
    ) -> Actor {
        let (loaded, problems) = playbook::bundled();
        let playbooks: Vec<Arc<Playbook>> = loaded.into_iter().map(Arc::new).collect();
        let file = SessionFile::in_dir(&config.data_dir);
        let mut actor = Actor {
            desktop,
            tx: tx.downgrade(),
            playbook_problems: problems.iter().map(|e| e.to_string()).collect(),
            file,
            session: None,
            phone: None,
            phone_status: None,
            qr: None,
            qr_step: None,
            classification: None,
            probe: None,
            probing: false,
            probe_again: false,
            pc: PcStatus::checking(),
            notice: None,
            resumed: false,
            warned_for: None,
            seq: 0,
            published: None,
            vault,
            vault_view: VaultView::Checking,
            vault_jobs: 0,
            store: None,
            profiles: Vec::new(),
            saved_ids: HashMap::new(),
            active: None,
            clipboard: None,
            clipboard_seq: 0,
            record: None,
            last_record: None,
            utc_offset: None,
            last_export: None,
            pc_facts: pc::PcFactsState::default(),
            playbooks,
            config,
        };
        actor.open_profiles(UnixMs::now());
        actor.load_records();
        match actor.file.load(&actor.playbooks, UnixMs::now()) {
            Loaded::Nothing => {}
            Loaded::Resumed(session) => {
                actor.session = Some(*session);
                actor.resumed = true;
                actor.notice = Some(Text::new(
                    "前回の続きから再開しました。",
                    "Picked up where you left off.",
                ));
            }
            Loaded::KeptAside { why, .. } => actor.notice = Some(why),
        }
        actor
    }

    pub(super) async fn run(
        mut self,
        mut rx: mpsc::Receiver<Msg>,
        snapshots: watch::Sender<Snapshot>,
        mut stop: oneshot::Receiver<()>,
    ) {
        let mut net_rx = if self.config.watch_network {
            Some(net::watch(net::WatchConfig::default()))
        } else {
            self.look_once();
            None
        };
        // A resumed session goes through the gate of its step again (facts may have aged).
        if self.resumed
            && let Some(session) = self.session.as_mut()
        {
            for effect in session.resume_at(UnixMs::now()) {
                self.execute(effect).await;
            }
        }
        // A resumed session that was checking the phone picks the check up again.
        if self
            .session
            .as_ref()
            .is_some_and(|s| s.view(UnixMs::now()).phone_check_running)
        {
            self.start_phone_check().await;
        }
        let mut ticker = tokio::time::interval(self.config.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        self.check_vault();
        self.publish(&snapshots);

        loop {
            // The phone check and the watcher are taken out for the wait, so the handlers
            // below can use `self` freely; they are put back right after.
            let mut phone = self.phone.take();
            let mut net = net_rx.take();
            let wake = tokio::select! {
                _ = &mut stop => Wake::Stop,
                msg = rx.recv() => Wake::Msg(msg),
                ev = next_phone_event(&mut phone) => Wake::Phone(ev),
                change = next_change(&mut net) => Wake::Net(change),
                _ = ticker.tick() => Wake::Tick,
            };
            self.phone = phone;
            net_rx = net;
            match wake {
                Wake::Stop | Wake::Msg(None) => break,
                Wake::Msg(Some(Msg::Command(command, reply))) => {
                    self.command(command).await;
                    let snapshot = self.publish(&snapshots);
                    let _ = reply.send(snapshot);
                    continue;
                }
                Wake::Msg(Some(Msg::Net(c))) => self.on_network(c).await,
                Wake::Msg(Some(Msg::Probe(result))) => self.on_probe(result).await,
                Wake::Msg(Some(Msg::Vault(done))) => self.on_vault(done),
                Wake::Msg(Some(Msg::ClipboardDue(n))) => self.on_clipboard_due(n),
                Wake::Msg(Some(Msg::Pc(facts))) => self.on_pc_facts(facts).await,
                Wake::Msg(Some(Msg::With(f))) => {
                    f(&self);
                    continue;
                }
                Wake::Msg(Some(Msg::Closing(done))) => {
                    self.clear_clipboard_on_exit();
                    let _ = done.send(());
                }
                Wake::Phone(Some(event)) => self.on_phone(event).await,
                Wake::Phone(None) => self.phone = None,
                Wake::Net(Some(change)) => self.on_network(change.classification).await,
                Wake::Net(None) => net_rx = None,
                Wake::Tick => self.on_tick().await,
            }
            self.publish(&snapshots);
        }
        if let Some(mut check) = self.phone.take() {
            check.stop().await;
        }
        self.clear_clipboard_on_exit();
    }

    // ----- commands -----

    async fn command(&mut self, command: Command) {
        let now = UnixMs::now();
        // The window sends this by itself at start: it must not wipe a notice (a resumed
        // session says so).
        if let Command::SetUtcOffset { minutes } = command {
            return self.set_utc_offset(minutes);
        }
        self.notice = None;
        let event = match command {
            Command::Begin { playbook } => return self.begin(&playbook, now).await,
            Command::End => return self.end().await,
            Command::RecheckNetwork => return self.look_once(),
            Command::SelectProfile { profile } => return self.select_profile(profile),
            Command::AddProfile { profile } => return self.add_profile(profile, now),
            Command::UpdateProfile { profile, changes } => {
                return self.update_profile(&profile, &changes, now);
            }
            Command::RemoveProfile { profile } => return self.remove_profile(&profile),
            Command::SaveAccountId {
                profile,
                account_id,
                consent,
            } => return self.save_account_id(profile, &account_id, consent, now),
            Command::DeleteAccountId { profile } => return self.delete_account_id(profile),
            Command::CheckVault => return self.check_vault(),
            Command::Export {
                paper,
                format,
                lang,
            } => return self.export(paper, format, lang, now),
            Command::OpenExport => return self.open_export(),
            Command::SetUtcOffset { .. } => return,
            Command::Next => {
                self.measure_pc_before_next().await;
                Event::Next { now: UnixMs::now() }
            }
            Command::Back => Event::Back { now },
            Command::GoTo { step } => Event::GoTo { step, now },
            Command::Act { action } => Event::Act { action, now },
            Command::Confirm { key, value } => Event::Confirm { key, value, now },
            Command::Symptom { id } => Event::Symptom { id, now },
        };
        self.apply(event).await;
    }

    async fn begin(&mut self, id: &str, now: UnixMs) {
        if self.session.as_ref().is_some_and(|s| !s.is_finished()) {
            self.notice = Some(Text::new(
                "すでに手順の途中です。終える場合は「終了する」を押してください。",
                "A session is already under way. Press \"End\" to finish it first.",
            ));
            return;
        }
        let Some(playbook) = self.playbooks.iter().find(|p| p.id() == id).cloned() else {
            self.notice = Some(Text::new(
                "その手順書は見つかりませんでした。",
                "That guide was not found.",
            ));
            return;
        };
        let session = Session::new(playbook);
        self.record = Some(self.new_record(&session.view(now)));
        self.session = Some(session);
        self.resumed = false;
        self.warned_for = None;
        self.qr = None;
        self.apply(Event::Start { now }).await;
        // What is already known about the PC counts from the first step on.
        for o in self.pc_observations(now) {
            self.apply(Event::Observe(o)).await;
        }
    }

    async fn end(&mut self) {
        if let Some(mut check) = self.phone.take() {
            check.stop().await;
        }
        self.end_record(UnixMs::now());
        self.session = None;
        self.phone_status = None;
        self.qr = None;
        self.resumed = false;
        self.file.remove();
        self.clear_clipboard_on_exit();
    }

    async fn apply(&mut self, event: Event) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        // The record notes what each event did (there is one whenever a session runs).
        let effects = match self.record.as_mut() {
            Some(record) => record.apply(session, event),
            None => session.apply(event),
        };
        for effect in effects {
            self.execute(effect).await;
        }
        // A QR belongs to the step that showed it.
        let step = self
            .session
            .as_ref()
            .and_then(|s| s.step_id().map(str::to_owned));
        if self.qr.is_some() && self.qr_step != step {
            self.qr = None;
        }
    }

    async fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::StartPhoneCheck => self.start_phone_check().await,
            Effect::StopPhoneCheck => {
                if let Some(mut check) = self.phone.take() {
                    check.stop().await;
                }
                self.phone_status = None;
            }
            Effect::OpenUrl { url } => self.open_url(&url),
            Effect::ShowQr { qr, caption } => self.show_qr(qr, caption).await,
            Effect::CopyAccountId => self.copy_account_id(),
            Effect::StartWindow { .. } => self.warned_for = None,
            Effect::CancelWindow | Effect::Explain { .. } => {}
            Effect::Notify { text } => self.desktop.notify(&text),
            Effect::Persist => self.persist(),
        }
    }

    fn persist(&mut self) {
        self.save_record();
        let Some(session) = &self.session else { return };
        if let Err(e) = self.file.save(session) {
            log_problem(&format!(
                "could not save the session to {}: {e}",
                self.file.path().display()
            ));
            self.notice = Some(Text::new(
                "途中経過を保存できませんでした。このまま続けられますが、アプリを閉じると最初からになります。",
                "Could not save the progress. You can go on, but closing the app will start over.",
            ));
        }
    }

    fn open_url(&mut self, url: &str) {
        let official = self
            .session
            .as_ref()
            .is_some_and(|s| s.playbook().is_official_url(url));
        if !official {
            self.notice = Some(Text::new(
                "公式のページではないため、開きませんでした。",
                "Not an official page, so it was not opened.",
            ));
            return;
        }
        if let Err(e) = self.desktop.open_url(url) {
            log_problem(&format!("could not open {url}: {e}"));
            self.notice = Some(Text::new(
                format!(
                    "ブラウザーを開けませんでした。ブラウザーで次のページを開いてください：{url}"
                ),
                format!("Could not open the browser. Please open this page in your browser: {url}"),
            ));
        }
    }

    async fn show_qr(&mut self, qr: Qr, caption: Option<Text>) {
        let url = match qr {
            Qr::PhoneCheck => {
                if self.phone.is_none() {
                    self.start_phone_check().await;
                }
                return;
            }
            Qr::AppStore { url, .. } | Qr::Url { url } => url,
        };
        match phone::qr::svg(&url) {
            Ok(svg) => {
                self.qr_step = self
                    .session
                    .as_ref()
                    .and_then(|s| s.step_id().map(str::to_owned));
                self.qr = Some(QrView { url, svg, caption });
            }
            Err(e) => {
                log_problem(&format!("could not draw a QR for {url}: {e}"));
                self.notice = Some(Text::new(
                    "QR コードを表示できませんでした。",
                    "Could not show the QR code.",
                ));
            }
        }
    }

    // ----- the phone -----

    async fn start_phone_check(&mut self) {
        if self.phone.is_some() {
            return;
        }
        let config = PhoneCheckConfig {
            bind: self.config.phone_bind,
            ttl: self.config.phone_ttl,
            carrier_check_url: self.config.carrier_check_url.clone(),
            pc_tethered_to_phone: self.pc_tethered_to_phone(),
            neighbours: self.config.neighbours.clone(),
            rules: self.config.presence,
        };
        match PhoneCheck::start(config).await {
            Ok(check) => {
                self.phone_status = Some(PhoneStatus {
                    state: PhoneState::Waiting,
                    url: Some(check.url().to_owned()),
                    qr_svg: Some(check.qr_svg().to_owned()),
                    platform: None,
                    connection: None,
                    message: waiting_message(cfg!(windows)),
                    refused_other_device: false,
                });
                self.phone = Some(check);
            }
            Err(e) => {
                log_problem(&format!("the phone check could not start: {e}"));
                self.phone_status = Some(PhoneStatus {
                    state: PhoneState::Failed,
                    url: None,
                    qr_svg: None,
                    platform: None,
                    connection: None,
                    message: phone_error_text(&e),
                    refused_other_device: false,
                });
            }
        }
    }

    /// Only strong evidence counts (a phone's USB sharing, its hotspot with a second sign):
    /// a metered Wi-Fi or a driver name alone would let the order be passed with the phone
    /// still on the home Wi-Fi.
    fn pc_tethered_to_phone(&self) -> bool {
        self.classification
            .as_ref()
            .is_some_and(|c| c.phone_tether.is_some())
    }

    async fn on_phone(&mut self, event: PhoneEvent) {
        let now = UnixMs::now();
        if let Some(status) = self.phone_status.as_mut() {
            let state = match &event {
                PhoneEvent::PcTethered => Some(PhoneState::PcTethered),
                PhoneEvent::OnLan { platform, .. } => {
                    status.platform = Some(platform.fact_value().to_owned());
                    Some(PhoneState::OnLan)
                }
                PhoneEvent::Visible { .. } => Some(PhoneState::OnLan),
                PhoneEvent::StillOnLan { hidden: true, .. } => Some(PhoneState::OnLanHidden),
                PhoneEvent::StillOnLan { hidden: false, .. } => Some(PhoneState::OnLan),
                PhoneEvent::Hidden => Some(PhoneState::Hidden),
                PhoneEvent::LeftLan { .. } => Some(PhoneState::LeftLan),
                PhoneEvent::PageSilent { .. } => Some(PhoneState::PageSilent),
                PhoneEvent::PresenceUnknown { .. } => Some(PhoneState::Unknown),
                PhoneEvent::ReportedConnection { connection, .. } => {
                    status.connection = Some(connection.clone());
                    None
                }
                PhoneEvent::NeverScanned { .. } => Some(PhoneState::NeverScanned),
                PhoneEvent::Refused { why, .. } => {
                    if matches!(why, Refusal::OtherDevice) {
                        status.refused_other_device = true;
                    }
                    None
                }
                PhoneEvent::Ended { .. } => Some(PhoneState::Ended),
            };
            if let Some(state) = state {
                status.state = state;
                status.message = phone_message(state);
            }
        }
        if let PhoneEvent::Ended { .. } = event {
            self.phone = None;
        }
        for o in event.observations(now) {
            self.apply(Event::Observe(o)).await;
        }
    }

    // ----- the PC's network -----

    fn look_once(&mut self) {
        let Some(tx) = self.tx.upgrade() else { return };
        tokio::spawn(async move {
            if let Ok(snapshot) = net::snapshot().await {
                let _ = tx.send(Msg::Net(net::classify(&snapshot))).await;
            }
        });
    }

    async fn on_network(&mut self, c: Classification) {
        let now = UnixMs::now();
        let changed = self
            .classification
            .as_ref()
            .is_none_or(|old| !old.same_path(&c));
        let observations = c.observations(now);
        self.classification = Some(c);
        if changed {
            // A new path makes the last internet check meaningless: check again.
            self.probe = None;
            self.spawn_probe();
            // And what was concluded about the phone over the old network: it is unknown
            // until the phone is seen again, never "left".
            if let Some(check) = &self.phone {
                check.pc_network_changed();
            }
        }
        self.refresh_pc_status();
        for o in observations {
            self.apply(Event::Observe(o)).await;
        }
    }

    fn spawn_probe(&mut self) {
        let config = match &self.config.probe {
            ProbeSetting::Off => return,
            ProbeSetting::Urls(urls) => ProbeConfig {
                generic: None,
                ..ProbeConfig::new(urls.clone())
            },
            ProbeSetting::Default => ProbeConfig::new(self.official_roots()),
        };
        if self.probing {
            self.probe_again = true;
            return;
        }
        let Some(tx) = self.tx.upgrade() else { return };
        self.probing = true;
        tokio::spawn(async move {
            let result = net::probe(&config).await.map_err(|e| e.to_string());
            let _ = tx.send(Msg::Probe(result)).await;
        });
    }

    /// `https://<first official domain>/` of the current playbook (or of every bundled one).
    fn official_roots(&self) -> Vec<Url> {
        let playbooks: Vec<&Arc<Playbook>> = match &self.session {
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

    async fn on_probe(&mut self, result: Result<ProbeReport, String>) {
        self.probing = false;
        match result {
            Ok(report) => {
                let now = UnixMs::now();
                let observations = report.observations(now);
                self.probe = Some(report);
                self.refresh_pc_status();
                for o in observations {
                    self.apply(Event::Observe(o)).await;
                }
            }
            Err(e) => log_problem(&format!("the internet check failed: {e}")),
        }
        if std::mem::take(&mut self.probe_again) {
            self.spawn_probe();
        }
    }

    fn refresh_pc_status(&mut self) {
        let Some(c) = &self.classification else {
            return;
        };
        self.pc = PcStatus {
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

    fn pc_observations(&self, now: UnixMs) -> Vec<Observation> {
        let mut out = Vec::new();
        if let Some(c) = &self.classification {
            out.extend(c.observations(now));
        }
        if let Some(p) = &self.probe {
            out.extend(p.observations(now));
        }
        out.extend(self.pc_fact_observations());
        out
    }

    // ----- the clock -----

    async fn on_tick(&mut self) {
        let now = UnixMs::now();
        self.measure_pc_if_due(now);
        if self.session.is_none() {
            return;
        }
        self.apply(Event::Tick { now }).await;
        let warn_ms = i64::try_from(self.config.warn_before.as_millis()).unwrap_or(i64::MAX);
        let due = self
            .session
            .as_ref()
            .and_then(|s| s.window())
            .and_then(|w| {
                let left = w.deadline.since(now);
                (left > 0 && left <= warn_ms && self.warned_for != Some(w.deadline))
                    .then_some((w.deadline, left))
            });
        if let Some((deadline, left_ms)) = due {
            self.warned_for = Some(deadline);
            self.desktop.notify(&window_warning(left_ms));
        }
    }

    // ----- snapshots -----

    pub(super) fn snapshot(&self) -> Snapshot {
        let now = UnixMs::now();
        Snapshot {
            seq: self.seq,
            now,
            playbooks: self
                .playbooks
                .iter()
                .map(|p| PlaybookChoice {
                    id: p.id().to_owned(),
                    name: p.name.text(),
                    services: p.services.clone(),
                })
                .collect(),
            playbook_problems: self.playbook_problems.clone(),
            pc: self.pc.clone(),
            session: self.session.as_ref().map(|s| s.view(now)),
            phone: self.phone_status.clone(),
            qr: self.qr.clone(),
            notice: self.notice.clone(),
            resumed: self.resumed,
            profiles: self
                .profiles
                .iter()
                .map(|p| ProfileView {
                    profile: p.clone(),
                    has_saved_id: self.saved_ids.get(&p.id).copied(),
                })
                .collect(),
            active_profile: self.active.clone(),
            vault: self.vault_view.clone(),
            vault_busy: self.vault_jobs > 0,
            clipboard_clear_at: self.clipboard.as_ref().map(|(_, g)| g.clear_at()),
            has_record: self.shown_record().is_some(),
            last_export: self.last_export.clone(),
        }
    }

    /// Publishes the snapshot if anything but the clock changed; returns the current one.
    fn publish(&mut self, snapshots: &watch::Sender<Snapshot>) -> Snapshot {
        let mut snapshot = self.snapshot();
        let mut comparable = snapshot.clone();
        comparable.seq = 0;
        comparable.now = UnixMs(0);
        if self.published.as_ref() != Some(&comparable) {
            self.seq += 1;
            snapshot.seq = self.seq;
            self.published = Some(comparable);
            snapshots.send_replace(snapshot.clone());
        } else {
            snapshot.seq = self.seq;
        }
        snapshot
    }
}

async fn next_phone_event(phone: &mut Option<PhoneCheck>) -> Option<PhoneEvent> {
    match phone {
        Some(check) => check.events().recv().await,
        None => std::future::pending().await,
    }
}

async fn next_change(net: &mut Option<mpsc::Receiver<net::PathChange>>) -> Option<net::PathChange> {
    match net {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn log_problem(message: &str) {
    // Through the `log` facade: the desktop shell's tauri-plugin-log writes it to the log
    // file (a Windows release build has no stderr).
    log::warn!("{message}");
}

fn window_warning(left_ms: i64) -> Text {
    let minutes = (left_ms + 59_999) / 60_000;
    Text::new(
        format!(
            "パソコンでログインできる時間は、あと約 {minutes} 分の見込みです（利用者の報告による目安です）。"
        ),
        format!(
            "About {minutes} min likely left to log in on the PC (an estimate from a user report)."
        ),
    )
}

/// What the person reads while the QR waits. On Windows the firewall asks, the first time the
/// check listens, whether Tebiki may accept connections: the answer decides whether the phone
/// can reach the PC at all, so the words say which box to tick before the dialog appears.
fn waiting_message(on_windows: bool) -> Text {
    let base = phone_message(PhoneState::Waiting);
    if !on_windows {
        return base;
    }
    Text::new(
        format!(
            "{} 「Windows セキュリティの重要な警告」が出たら、「プライベート ネットワーク」にチェックを入れて「アクセスを許可する」を押してください。",
            base.ja
        ),
        format!(
            "{} If “Windows Security Alert” appears, tick “Private networks” and press “Allow access”.",
            base.en
        ),
    )
}

fn phone_message(state: PhoneState) -> Text {
    match state {
        PhoneState::Waiting => Text::new(
            "スマホのカメラで、この QR コードを読み取ってください。",
            "Scan this QR code with the phone's camera.",
        ),
        PhoneState::OnLan => Text::new(
            "スマホは、まだ家の Wi-Fi につながっています。スマホの Wi-Fi を切ってください。",
            "The phone is still on the home Wi-Fi. Please turn the phone's Wi-Fi off.",
        ),
        PhoneState::OnLanHidden => Text::new(
            "スマホは、まだ家の Wi-Fi につながっています（画面が消えているか、別の画面です）。スマホの Wi-Fi を切ってください。",
            "The phone is still on the home Wi-Fi (its screen is off or showing something else). Please turn the phone's Wi-Fi off.",
        ),
        PhoneState::Hidden => Text::new(
            "スマホの画面が消えたか、別の画面になっています。手引きが家の Wi-Fi の側から確かめています。",
            "The phone's screen is off or showing something else. Tebiki is checking from the home network's side.",
        ),
        PhoneState::LeftLan => Text::new(
            "スマホが家の Wi-Fi から離れたことを確かめました。",
            "Tebiki has seen the phone leave the home Wi-Fi.",
        ),
        PhoneState::PageSilent => Text::new(
            "スマホは家の Wi-Fi にいますが、確認のページが止まっています。スマホでページを開き直してください。",
            "The phone is on the home Wi-Fi, but its check page has stopped. Please reload the page on the phone.",
        ),
        PhoneState::Unknown => Text::new(
            "いまは、スマホが家の Wi-Fi にいるかどうか分かりません。スマホで確認のページを開いてください。",
            "Tebiki cannot tell right now whether the phone is on the home Wi-Fi. Please open the check page on the phone.",
        ),
        PhoneState::PcTethered => Text::new(
            "このパソコンはスマホを通してインターネットにつながっています。スマホは家の Wi-Fi を使っていません。",
            "This PC reaches the internet through the phone, so the phone is not using the home Wi-Fi.",
        ),
        PhoneState::NeverScanned => Text::new(
            "QR コードがまだ読み取られていません。カメラアプリで読み取れないときは、スマホが同じ Wi-Fi につながっているか、ゲスト用 Wi-Fi でないかを確かめてください。",
            "The QR code has not been opened yet. If the camera cannot open it, check that the smartphone is on the same Wi-Fi and not on a guest network.",
        ),
        PhoneState::Failed => Text::new(
            "スマホとの確認を始められませんでした。",
            "The smartphone check could not start.",
        ),
        PhoneState::Ended => Text::new(
            "スマホの確認は時間切れで終わりました。もう一度始めるには「QR コードを表示」を押してください。",
            "The smartphone check timed out. Press \"Show the QR code\" to start it again.",
        ),
    }
}

fn phone_error_text(e: &PhoneError) -> Text {
    match e {
        PhoneError::NoLanAddress { .. } => Text::new(
            "このパソコンが家の Wi-Fi や有線のネットワークにつながっていないため、スマホの確認ができません。VPN を使っている場合は切ってから、もう一度お試しください。",
            "This PC is not on the home Wi-Fi or wired network, so the smartphone cannot be checked. If a VPN is on, turn it off and try again.",
        ),
        _ => Text::new(
            "スマホとの確認を始められませんでした。アプリを閉じて、もう一度開いてください。",
            "The smartphone check could not start. Please close the app and open it again.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_windows_the_waiting_words_say_how_to_answer_the_firewall() {
        let plain = waiting_message(false);
        assert!(!plain.ja.contains("Windows"));
        let windows = waiting_message(true);
        assert!(windows.ja.starts_with(&plain.ja));
        assert!(
            windows.ja.contains("「プライベート ネットワーク」")
                && windows.ja.contains("「アクセスを許可する」")
        );
        assert!(windows.en.contains("Private networks") && windows.en.contains("Allow access"));
    }
}
