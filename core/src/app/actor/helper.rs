//! The helper's part of the actor: profiles (in `profiles.json`), which one is active, the
//! account ID in the OS keychain, and "copy ID" with the clipboard rule.
//!
//! Keychain calls never run on the actor: one may wait up to the vault's limit for an OS
//! unlock prompt, and the session (phone, clock) must go on meanwhile. They run on tokio's
//! blocking pool and come back as [`Msg::Vault`]. The account ID itself exists only inside
//! those calls and for the instant of the copy; it never reaches a snapshot, a notice, a log
//! line or a file of Tebiki's.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Actor, Msg, log_problem, off_runtime, text};
use crate::app::EnteredAccountId;
use crate::app::snapshot::{ProfileView, VaultView};
use crate::facts::UnixMs;
use crate::store::{
    NewProfile, Profile, ProfileChanges, ProfileId, ProfileStore, StoreError, atomic_write,
};
use crate::vault::{
    AccountId, Availability, ClipboardAction, ClipboardContent, ClipboardGuard, Consent, Vault,
    VaultError,
};

/// The file that remembers the active profile (its ID only).
const ACTIVE_FILE: &str = "active-profile.json";

#[derive(Serialize, Deserialize)]
struct ActiveFile {
    profile: Option<ProfileId>,
}

/// What a finished keychain call reports back.
pub(in crate::app) enum VaultDone {
    Availability(Availability),
    /// Whether each profile has an ID saved (`Err` when the keychain could not say).
    SavedIds(Vec<(ProfileId, Result<bool, VaultError>)>),
    Saved(ProfileId, Result<(), VaultError>),
    Deleted {
        profile: ProfileId,
        /// The profile itself was removed just before (its ID goes with it).
        with_profile: bool,
        result: Result<(), VaultError>,
    },
    /// The active profile's ID, loaded for "copy ID".
    Loaded(Result<Option<AccountId>, VaultError>),
}

/// The helper's part of the actor's state.
pub(super) struct HelperPart {
    pub(super) vault: Arc<dyn Vault>,
    pub(super) vault_view: VaultView,
    /// Keychain calls under way.
    pub(super) vault_jobs: usize,
    /// `None` when the profiles could not be opened (the notice says why).
    pub(super) store: Option<ProfileStore>,
    pub(super) profiles: Vec<Profile>,
    pub(super) saved_ids: HashMap<ProfileId, bool>,
    pub(super) active: Option<ProfileId>,
    /// The copied ID's guard and its number (a later copy replaces an earlier guard).
    pub(super) clipboard: Option<(u64, ClipboardGuard)>,
    pub(super) clipboard_seq: u64,
}

impl HelperPart {
    pub(super) fn new(vault: Arc<dyn Vault>) -> HelperPart {
        HelperPart {
            vault,
            vault_view: VaultView::Checking,
            vault_jobs: 0,
            store: None,
            profiles: Vec::new(),
            saved_ids: HashMap::new(),
            active: None,
            clipboard: None,
            clipboard_seq: 0,
        }
    }

    pub(super) fn active_profile(&self) -> Option<&Profile> {
        let id = self.active.as_ref()?;
        self.profiles.iter().find(|p| &p.id == id)
    }

    fn has_profile(&self, id: &ProfileId) -> bool {
        self.profiles.iter().any(|p| &p.id == id)
    }

    /// The profiles as the helper screens show them (whether an ID is saved, never the ID).
    pub(super) fn profile_views(&self) -> Vec<ProfileView> {
        self.profiles
            .iter()
            .map(|p| ProfileView {
                profile: p.clone(),
                has_saved_id: self.saved_ids.get(&p.id).copied(),
            })
            .collect()
    }

    pub(super) fn clipboard_clear_at(&self) -> Option<UnixMs> {
        self.clipboard.as_ref().map(|(_, g)| g.clear_at())
    }
}

impl Actor {
    // ----- profiles -----

    pub(super) fn open_profiles(&mut self, now: UnixMs) {
        match ProfileStore::open(&self.config.data_dir, now) {
            Ok(opened) => {
                if let Some(n) = &opened.notice {
                    self.notice = Some(n.user_message());
                }
                self.helper.profiles = opened.profiles;
                self.helper.store = Some(opened.store);
            }
            Err(e) => {
                log_problem(&format!("could not open the profiles: {e}"));
                self.notice = Some(e.user_message());
            }
        }
        let saved = std::fs::read(self.active_path())
            .ok()
            .and_then(|b| serde_json::from_slice::<ActiveFile>(&b).ok())
            .and_then(|f| f.profile);
        self.helper.active = saved
            .filter(|id| self.helper.has_profile(id))
            // One profile and nothing chosen: that one is whose PC this is.
            .or_else(|| match self.helper.profiles.as_slice() {
                [only] => Some(only.id.clone()),
                _ => None,
            });
    }

    fn active_path(&self) -> PathBuf {
        self.config.data_dir.join(ACTIVE_FILE)
    }

    fn store(&mut self) -> Option<ProfileStore> {
        if self.helper.store.is_none() {
            self.notice = Some(text::profiles_not_open());
        }
        self.helper.store.clone()
    }

    fn store_failed(&mut self, e: &StoreError) {
        log_problem(&format!("profiles: {e}"));
        self.notice = Some(e.user_message());
    }

    async fn reload_profiles(&mut self) {
        let Some(store) = self.helper.store.clone() else {
            return;
        };
        match off_runtime(move || store.list()).await {
            Ok(list) => {
                self.helper.profiles = list;
                let helper = &mut self.helper;
                helper
                    .saved_ids
                    .retain(|id, _| helper.profiles.iter().any(|p| &p.id == id));
                if helper
                    .active
                    .as_ref()
                    .is_some_and(|a| !helper.has_profile(a))
                {
                    self.set_active(None).await;
                }
            }
            Err(e) => self.store_failed(&e),
        }
    }

    async fn set_active(&mut self, profile: Option<ProfileId>) {
        self.helper.active = profile;
        let file = ActiveFile {
            profile: self.helper.active.clone(),
        };
        let path = self.active_path();
        let written = match serde_json::to_vec(&file) {
            Ok(bytes) => off_runtime(move || atomic_write(&path, &bytes))
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = written {
            // The choice still holds until Tebiki closes.
            log_problem(&format!("could not remember the active profile: {e}"));
        }
    }

    pub(super) async fn select_profile(&mut self, profile: Option<ProfileId>) {
        match profile {
            Some(id) if !self.helper.has_profile(&id) => {
                self.notice = Some(StoreError::NotFound(id).user_message());
            }
            other => self.set_active(other).await,
        }
    }

    pub(super) async fn add_profile(&mut self, new: NewProfile, now: UnixMs) {
        let Some(store) = self.store() else { return };
        match off_runtime(move || store.add(new, now)).await {
            Ok(p) => {
                self.notice = Some(text::profile_added(&p.display_name));
                // A new profile has no ID saved yet: known without asking, but only worth
                // saying where an ID could be saved at all.
                if matches!(self.helper.vault_view, VaultView::Available { .. }) {
                    self.helper.saved_ids.insert(p.id.clone(), false);
                }
                let first = self.helper.active.is_none();
                self.reload_profiles().await;
                if first {
                    self.set_active(Some(p.id)).await;
                }
            }
            Err(e) => self.store_failed(&e),
        }
    }

    pub(super) async fn update_profile(
        &mut self,
        id: ProfileId,
        changes: ProfileChanges,
        now: UnixMs,
    ) {
        let Some(store) = self.store() else { return };
        match off_runtime(move || store.update(&id, &changes, now)).await {
            Ok(p) => {
                self.notice = Some(text::profile_saved(&p.display_name));
                self.reload_profiles().await;
            }
            Err(e) => self.store_failed(&e),
        }
    }

    pub(super) async fn remove_profile(&mut self, id: ProfileId) {
        let Some(store) = self.store() else { return };
        match off_runtime(move || store.remove(&id)).await {
            Ok(p) => {
                self.notice = Some(text::profile_deleted(&p.display_name));
                self.reload_profiles().await;
                // Its account ID goes too (deleting what is not there is fine).
                let vault = self.helper.vault.clone();
                let profile = p.id;
                self.vault_job(move || VaultDone::Deleted {
                    result: vault.delete(&profile),
                    profile,
                    with_profile: true,
                });
            }
            Err(e) => self.store_failed(&e),
        }
    }

    // ----- the keychain -----

    /// Runs a keychain call on the blocking pool; its answer comes back as a message.
    fn vault_job(&mut self, job: impl FnOnce() -> VaultDone + Send + 'static) {
        let Some(tx) = self.tx.upgrade() else { return };
        self.helper.vault_jobs += 1;
        tokio::spawn(async move {
            let done = match tokio::task::spawn_blocking(job).await {
                Ok(done) => done,
                // The call panicked: report the keychain as failing rather than hang "busy".
                Err(e) => VaultDone::Availability(Availability::Unavailable(
                    crate::vault::Unavailable::new(
                        crate::vault::UnavailableReason::Failed,
                        format!("the keychain call stopped: {e}"),
                    ),
                )),
            };
            let _ = tx.send(Msg::Vault(done)).await;
        });
    }

    pub(super) fn check_vault(&mut self) {
        let vault = self.helper.vault.clone();
        self.vault_job(move || VaultDone::Availability(vault.available()));
    }

    fn refresh_saved_ids(&mut self) {
        let vault = self.helper.vault.clone();
        let ids: Vec<ProfileId> = self.helper.profiles.iter().map(|p| p.id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        self.vault_job(move || {
            VaultDone::SavedIds(
                ids.into_iter()
                    .map(|id| {
                        let has = vault.load(&id).map(|found| found.is_some());
                        (id, has)
                    })
                    .collect(),
            )
        });
    }

    pub(super) fn save_account_id(
        &mut self,
        profile: ProfileId,
        entered: &EnteredAccountId,
        consent: bool,
        now: UnixMs,
    ) {
        if !consent {
            self.notice = Some(text::consent_missing());
            return;
        }
        if !self.helper.has_profile(&profile) {
            self.notice = Some(StoreError::NotFound(profile).user_message());
            return;
        }
        let id = match AccountId::parse(entered.expose()) {
            Ok(id) => id,
            Err(e) => {
                self.notice = Some(e.user_message());
                return;
            }
        };
        // The only place a consent is made: this command carries the user's own tick.
        let consent = Consent::given_by_user(&profile, now);
        let vault = self.helper.vault.clone();
        self.vault_job(move || {
            let result = vault.save(&profile, &id, consent);
            VaultDone::Saved(profile, result)
        });
    }

    pub(super) fn delete_account_id(&mut self, profile: ProfileId) {
        let vault = self.helper.vault.clone();
        self.vault_job(move || VaultDone::Deleted {
            result: vault.delete(&profile),
            profile,
            with_profile: false,
        });
    }

    fn vault_failed(&mut self, e: &VaultError) {
        log_problem(&format!("keychain: {e}"));
        if let VaultError::Unavailable(u) = e {
            self.helper.vault_view = VaultView::unavailable(u);
            self.helper.saved_ids.clear();
        }
        self.notice = Some(e.user_message());
    }

    pub(super) fn on_vault(&mut self, done: VaultDone) {
        self.helper.vault_jobs = self.helper.vault_jobs.saturating_sub(1);
        match done {
            VaultDone::Availability(a) => {
                let was_available = matches!(self.helper.vault_view, VaultView::Available { .. });
                self.helper.vault_view = VaultView::from_availability(&a);
                if a.is_available() {
                    if !was_available {
                        self.refresh_saved_ids();
                    }
                } else {
                    // Not known any more: the keychain cannot be asked.
                    self.helper.saved_ids.clear();
                }
            }
            VaultDone::SavedIds(found) => {
                for (id, has) in found {
                    match has {
                        Ok(has) => {
                            self.helper.saved_ids.insert(id, has);
                        }
                        Err(e) => {
                            self.helper.saved_ids.remove(&id);
                            log_problem(&format!("keychain: could not look up {id}: {e}"));
                            if let VaultError::Unavailable(u) = &e {
                                self.helper.vault_view = VaultView::unavailable(u);
                            }
                        }
                    }
                }
            }
            VaultDone::Saved(profile, result) => match result {
                Ok(()) => {
                    self.helper.saved_ids.insert(profile, true);
                    self.notice = Some(text::id_saved());
                }
                Err(e) => self.vault_failed(&e),
            },
            VaultDone::Deleted {
                profile,
                with_profile,
                result,
            } => match result {
                Ok(()) => {
                    if !with_profile {
                        self.notice = Some(text::id_deleted());
                    }
                    if with_profile {
                        self.helper.saved_ids.remove(&profile);
                    } else {
                        self.helper.saved_ids.insert(profile, false);
                    }
                }
                Err(e) if with_profile => {
                    log_problem(&format!("keychain: the removed profile's ID stays: {e}"));
                    self.notice = Some(text::removed_profiles_id_stays());
                }
                Err(e) => self.vault_failed(&e),
            },
            VaultDone::Loaded(result) => self.put_on_clipboard(result),
        }
    }

    // ----- copy ID -----

    pub(super) fn copy_account_id(&mut self) {
        let Some(profile) = self.helper.active.clone() else {
            self.notice = Some(text::no_saved_id());
            return;
        };
        let vault = self.helper.vault.clone();
        self.vault_job(move || VaultDone::Loaded(vault.load(&profile)));
    }

    fn put_on_clipboard(&mut self, loaded: Result<Option<AccountId>, VaultError>) {
        let id = match loaded {
            Ok(Some(id)) => id,
            Ok(None) => {
                self.notice = Some(text::no_saved_id());
                return;
            }
            Err(e) => return self.vault_failed(&e),
        };
        if let Err(e) = self.desktop.copy_text(id.expose()) {
            log_problem(&e.to_string());
            self.notice = Some(e.user_message());
            return;
        }
        let now = UnixMs::now();
        let hold = i64::try_from(self.config.clipboard_hold.as_secs()).unwrap_or(i64::MAX);
        let guard = ClipboardGuard::with_hold(&id, now, hold);
        self.helper.clipboard_seq += 1;
        let n = self.helper.clipboard_seq;
        let secs = hold.min(3600);
        self.notice = Some(text::id_copied(secs));
        self.schedule_clipboard_check(n, guard.clear_at().since(now));
        self.helper.clipboard = Some((n, guard));
    }

    fn schedule_clipboard_check(&self, n: u64, after_ms: i64) {
        let Some(tx) = self.tx.upgrade() else { return };
        let wait = Duration::from_millis(u64::try_from(after_ms.max(0)).unwrap_or(0));
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let _ = tx.send(Msg::ClipboardDue(n)).await;
        });
    }

    pub(super) fn on_clipboard_due(&mut self, n: u64) {
        let Some((current, guard)) = &self.helper.clipboard else {
            return;
        };
        if *current != n {
            return;
        }
        let text = self.desktop.read_text();
        let content = match &text {
            Some(t) => ClipboardContent::Text(t),
            None => ClipboardContent::Unreadable,
        };
        match guard.decide(UnixMs::now(), content) {
            ClipboardAction::Wait { until } => {
                let after = until.since(UnixMs::now());
                self.schedule_clipboard_check(n, after);
            }
            ClipboardAction::Clear => {
                self.helper.clipboard = None;
                if let Err(e) = self.desktop.clear_clipboard() {
                    log_problem(&e.to_string());
                }
            }
            ClipboardAction::LeaveAlone => self.helper.clipboard = None,
        }
    }

    /// Closing, or the session ended before the minute was up: clear our ID now if it is
    /// still there.
    pub(super) fn clear_clipboard_on_exit(&mut self) {
        let Some((_, guard)) = self.helper.clipboard.take() else {
            return;
        };
        let text = self.desktop.read_text();
        let content = match &text {
            Some(t) => ClipboardContent::Text(t),
            None => ClipboardContent::Unreadable,
        };
        if guard.decide_on_exit(content) == ClipboardAction::Clear
            && let Err(e) = self.desktop.clear_clipboard()
        {
            log_problem(&e.to_string());
        }
    }
}
