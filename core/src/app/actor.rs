//! The one task that owns the running state. Everything that happens arrives here as a
//! message (a command, a phone event, a network change, a probe result, a clock tick);
//! the actor feeds the engine, executes its effects and publishes a snapshot.

//!
//! Its state is held in parts, each with its own small impl and file: the session
//! ([`session::SessionPart`]), the phone link ([`phone::PhoneLink`]), the PC link and its
//! `pc.*` observers ([`pc::PcLink`]), the helper's profiles, keychain and clipboard
//! ([`helper::HelperPart`]) and the record and papers ([`papers::Papers`]). What the actor
//! itself says to the person is in [`text`].

mod helper;
mod papers;
mod pc;
mod pc_facts;
mod phone;
mod session;
mod text;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use super::config::AppConfig;
use super::snapshot::{HelperView, PlaybookChoice, QrView, Snapshot};
use super::{Command, Desktop};
use crate::facts::UnixMs;
use crate::flow::{Effect, Event, Qr, Session};
use crate::i18n::Text;
use crate::net::{self, Classification, ProbeReport};
use crate::phone::{PhoneCheck, PhoneEvent};
use crate::playbook::{self, Playbook};
use crate::vault::Vault;

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
    /// The last thing the app itself needs to tell (any part may set it).
    notice: Option<Text>,
    seq: u64,
    published: Option<Snapshot>,
    session: session::SessionPart,
    phone: phone::PhoneLink,
    pc: pc::PcLink,
    helper: helper::HelperPart,
    papers: papers::Papers,
    /// The PC's own facts (Bluetooth, the OS version): the last measurement.
    pc_facts: pc_facts::PcFactsState,
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
        let now = UnixMs::now();
        let mut actor = Actor {
            desktop,
            tx: tx.downgrade(),
            playbook_problems: problems.iter().map(|e| e.to_string()).collect(),
            notice: None,
            seq: 0,
            published: None,
            pc_facts: pc_facts::PcFactsState::default(),
            session: session::SessionPart::new(&config.data_dir),
            phone: phone::PhoneLink::default(),
            pc: pc::PcLink::new(),
            helper: helper::HelperPart::new(vault),
            papers: papers::Papers::default(),
            playbooks,
            config,
        };
        actor.open_profiles(now);
        let resumed = actor.session.load(&actor.playbooks, now);
        // After the session: a resumed session picks up its record (`record.json`).
        actor.load_records();
        if let Some(notice) = resumed {
            actor.notice = Some(notice);
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
        if self.session.resumed
            && let Some(session) = self.session.current.as_mut()
        {
            for effect in session.resume_at(UnixMs::now()) {
                self.execute(effect).await;
            }
        }
        // A resumed session that was checking the phone picks the check up again.
        if self
            .session
            .current
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
            let mut phone = self.phone.check.take();
            let mut net = net_rx.take();
            let wake = tokio::select! {
                _ = &mut stop => Wake::Stop,
                msg = rx.recv() => Wake::Msg(msg),
                ev = next_phone_event(&mut phone) => Wake::Phone(ev),
                change = next_change(&mut net) => Wake::Net(change),
                _ = ticker.tick() => Wake::Tick,
            };
            self.phone.check = phone;
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
                Wake::Msg(Some(Msg::With(f))) => {
                    f(&self);
                    continue;
                }
                Wake::Msg(Some(Msg::Closing(done))) => {
                    self.clear_clipboard_on_exit();
                    let _ = done.send(());
                }
                Wake::Phone(Some(event)) => self.on_phone(event).await,
                Wake::Phone(None) => self.phone.check = None,
                Wake::Net(Some(change)) => self.on_network(change.classification).await,
                Wake::Net(None) => net_rx = None,
                Wake::Msg(Some(Msg::Pc(facts))) => self.on_pc_facts(facts).await,
                Wake::Tick => self.on_tick().await,
            }
            self.publish(&snapshots);
        }
        self.phone.stop().await;
        self.clear_clipboard_on_exit();
    }

    // ----- commands -----

    async fn command(&mut self, command: Command) {
        let now = UnixMs::now();
        // The window sends this by itself at start: it must not wipe a notice (a resumed
        // session says so).
        if let Command::SetUtcOffset { minutes } = command {
            return self.papers.set_utc_offset(minutes);
        }
        self.notice = None;
        let event = match command {
            Command::Begin { playbook } => return self.begin(&playbook, now).await,
            Command::End => return self.end().await,
            Command::RecheckNetwork => return self.look_once(),
            Command::SelectProfile { profile } => return self.select_profile(profile).await,
            Command::AddProfile { profile } => return self.add_profile(profile, now).await,
            Command::UpdateProfile { profile, changes } => {
                return self.update_profile(profile, changes, now).await;
            }
            Command::RemoveProfile { profile } => return self.remove_profile(profile).await,
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
            } => return self.export(paper, format, lang, now).await,
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
            Command::EnterExpiry { action, text } => Event::EnterExpiry {
                action,
                text,
                // Without the window's offset, Japan's: the services here are Japanese and
                // their messages print Japan's time.
                utc_offset_minutes: self.papers.utc_offset.unwrap_or(9 * 60),
                now,
            },
        };
        self.apply(event).await;
    }

    async fn begin(&mut self, id: &str, now: UnixMs) {
        if self.session.under_way() {
            self.notice = Some(text::session_under_way());
            return;
        }
        let Some(playbook) = self.playbooks.iter().find(|p| p.id() == id).cloned() else {
            self.notice = Some(text::playbook_not_found());
            return;
        };
        let mut session = Session::new(playbook);
        let counts = self.session.counts.clone();
        if let Some(saved) = off_runtime(move || counts.load()).await.get(id) {
            session.seed_counts(saved);
        }
        session.set_platform_hint(
            self.helper
                .active_profile()
                .and_then(|p| super::paper::card_platform(p.phone_platform)),
        );
        self.papers.record = Some(self.papers.new_record(&session.view(now)));
        self.session.begin(session);
        self.apply(Event::Start { now }).await;
        // What is already known about the PC counts from the first step on.
        let known: Vec<_> = self
            .pc
            .observations(now)
            .into_iter()
            .chain(self.pc_fact_observations())
            .collect();
        for o in known {
            self.apply(Event::Observe(o)).await;
        }
    }

    async fn end(&mut self) {
        self.phone.stop().await;
        self.end_record(UnixMs::now()).await;
        self.session.end();
        self.phone.status = None;
        self.clear_clipboard_on_exit();
    }

    async fn apply(&mut self, event: Event) {
        let Some(session) = self.session.current.as_mut() else {
            return;
        };
        // The record notes what each event did (there is one whenever a session runs).
        let effects = match self.papers.record.as_mut() {
            Some(record) => record.apply(session, event),
            None => session.apply(event),
        };
        for effect in effects {
            self.execute(effect).await;
        }
        self.session.drop_qr_of_other_steps();
    }

    async fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::StartPhoneCheck => self.start_phone_check().await,
            Effect::StopPhoneCheck => {
                self.phone.stop().await;
                self.phone.status = None;
            }
            Effect::OpenUrl { url } => self.open_url(&url),
            Effect::ShowQr { qr, caption } => self.show_qr(qr, caption).await,
            Effect::CopyAccountId => self.copy_account_id(),
            Effect::StartWindow { .. } => self.session.warned_for = None,
            Effect::CancelWindow | Effect::Explain { .. } => {}
            Effect::Notify { text } => self.desktop.notify(&text),
            Effect::Persist => self.persist().await,
        }
    }

    async fn persist(&mut self) {
        self.save_record().await;
        let Some(session) = &self.session.current else {
            return;
        };
        let counts = self.session.counts.clone();
        let (id, wrong) = (session.playbook().id().to_owned(), session.counts().clone());
        if let Err(e) = off_runtime(move || counts.store(&id, &wrong)).await {
            log_problem(&format!("could not save the counts of wrong tries: {e}"));
        }
        let file = self.session.file.clone();
        let (finished, json) = (session.is_finished(), session.to_json());
        if let Err(e) = off_runtime(move || file.save_json(finished, &json)).await {
            log_problem(&format!(
                "could not save the session to {}: {e}",
                self.session.file.path().display()
            ));
            self.notice = Some(text::progress_not_saved());
        }
    }

    fn open_url(&mut self, url: &str) {
        let official = self
            .session
            .current
            .as_ref()
            .is_some_and(|s| s.playbook().is_official_url(url));
        if !official {
            self.notice = Some(text::not_official());
            return;
        }
        if let Err(e) = self.desktop.open_url(url) {
            log_problem(&e.to_string());
            self.notice = Some(e.user_message());
        }
    }

    async fn show_qr(&mut self, qr: Qr, caption: Option<Text>) {
        let url = match qr {
            Qr::PhoneCheck => {
                if self.phone.check.is_none() {
                    self.start_phone_check().await;
                }
                return;
            }
            Qr::AppStore { url, .. } | Qr::Url { url } => url,
        };
        match crate::phone::qr::svg(&url) {
            Ok(svg) => self.session.show_qr(QrView { url, svg, caption }),
            Err(e) => {
                log_problem(&format!("could not draw a QR for {url}: {e}"));
                self.notice = Some(text::qr_failed());
            }
        }
    }

    // ----- the clock -----

    async fn on_tick(&mut self) {
        let now = UnixMs::now();
        self.measure_pc_if_due(now);
        if self.session.current.is_none() {
            return;
        }
        self.apply(Event::Tick { now }).await;
        let warn_ms = i64::try_from(self.config.warn_before.as_millis()).unwrap_or(i64::MAX);
        if let Some(left_ms) = self.session.warning_due(now, warn_ms) {
            self.desktop.notify(&text::window_warning(left_ms));
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
            pc: self.pc.status.clone(),
            session: self.session.current.as_ref().map(|s| s.view(now)),
            phone: self.phone.status.clone(),
            qr: self.session.qr.clone(),
            notice: self.notice.clone(),
            resumed: self.session.resumed,
            profiles: self.helper.profile_views(),
            active_profile: self.helper.active.clone(),
            helper: HelperView {
                vault: self.helper.vault_view.clone(),
                vault_busy: self.helper.vault_jobs > 0,
                clipboard_clear_at: self.helper.clipboard_clear_at(),
                has_record: self.papers.shown_record().is_some(),
                last_export: self.papers.last_export.clone(),
            },
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

/// Runs blocking file work (an advisory lock, a write and its fsync) on tokio's blocking pool
/// and waits for it there: the actor keeps its order (a later save never overtakes an earlier
/// one), and the runtime's workers (the phone server, the network watch) never wait on a disk.
async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: only when the runtime shuts down, and the actor goes with it.
        Err(_) => std::future::pending().await,
    }
}

fn log_problem(message: &str) {
    // Through the `log` facade: the desktop shell's tauri-plugin-log writes it to the log
    // file (a Windows release build has no stderr).
    log::warn!("{message}");
}
