//! The helper's part of the actor: profiles (in `profiles.json`), which one is active, the
//! account ID in the OS keychain, and "copy ID" with the clipboard rule.
//!
//! Keychain calls never run on the actor: one may wait up to the vault's limit for an OS
//! unlock prompt, and the session (phone, clock) must go on meanwhile. They run on tokio's
//! blocking pool and come back as [`Msg::Vault`]. The account ID itself exists only inside
//! those calls and for the instant of the copy; it never reaches a snapshot, a notice, a log
//! line or a file of Tebiki's.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Actor, Msg, log_problem};
use crate::app::EnteredAccountId;
use crate::app::snapshot::VaultView;
use crate::facts::UnixMs;
use crate::i18n::Text;
use crate::store::{NewProfile, ProfileChanges, ProfileId, ProfileStore, StoreError, atomic_write};
use crate::vault::{
    AccountId, Availability, ClipboardAction, ClipboardContent, ClipboardGuard, Consent, VaultError,
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

impl Actor {
    // ----- profiles -----

    pub(super) fn open_profiles(&mut self, now: UnixMs) {
        match ProfileStore::open(&self.config.data_dir, now) {
            Ok(opened) => {
                if let Some(n) = &opened.notice {
                    self.notice = Some(n.user_message());
                }
                self.profiles = opened.profiles;
                self.store = Some(opened.store);
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
        self.active = saved
            .filter(|id| self.profiles.iter().any(|p| &p.id == id))
            // One profile and nothing chosen: that one is whose PC this is.
            .or_else(|| match self.profiles.as_slice() {
                [only] => Some(only.id.clone()),
                _ => None,
            });
    }

    pub(super) fn active_profile(&self) -> Option<&crate::store::Profile> {
        let id = self.active.as_ref()?;
        self.profiles.iter().find(|p| &p.id == id)
    }

    fn active_path(&self) -> PathBuf {
        self.config.data_dir.join(ACTIVE_FILE)
    }

    fn store(&mut self) -> Option<ProfileStore> {
        if self.store.is_none() {
            self.notice = Some(Text::new(
                "プロフィールのファイルを開けませんでした。手引きを開き直してください。",
                "The profiles could not be opened. Please reopen Tebiki.",
            ));
        }
        self.store.clone()
    }

    fn store_failed(&mut self, e: &StoreError) {
        log_problem(&format!("profiles: {e}"));
        self.notice = Some(e.user_message());
    }

    fn reload_profiles(&mut self) {
        let Some(store) = self.store.clone() else {
            return;
        };
        match store.list() {
            Ok(list) => {
                self.profiles = list;
                self.saved_ids
                    .retain(|id, _| self.profiles.iter().any(|p| &p.id == id));
                if self
                    .active
                    .as_ref()
                    .is_some_and(|a| !self.profiles.iter().any(|p| &p.id == a))
                {
                    self.set_active(None);
                }
            }
            Err(e) => self.store_failed(&e),
        }
    }

    fn set_active(&mut self, profile: Option<ProfileId>) {
        self.active = profile;
        let file = ActiveFile {
            profile: self.active.clone(),
        };
        let written = serde_json::to_vec(&file)
            .map_err(|e| e.to_string())
            .and_then(|b| atomic_write(&self.active_path(), &b).map_err(|e| e.to_string()));
        if let Err(e) = written {
            // The choice still holds until Tebiki closes.
            log_problem(&format!("could not remember the active profile: {e}"));
        }
    }

    pub(super) fn select_profile(&mut self, profile: Option<ProfileId>) {
        match profile {
            Some(id) if !self.profiles.iter().any(|p| p.id == id) => {
                self.notice = Some(StoreError::NotFound(id).user_message());
            }
            other => self.set_active(other),
        }
    }

    pub(super) fn add_profile(&mut self, new: NewProfile, now: UnixMs) {
        let Some(store) = self.store() else { return };
        match store.add(new, now) {
            Ok(p) => {
                self.notice = Some(Text::new(
                    format!("「{}」を追加しました。", p.display_name),
                    format!("Added “{}”.", p.display_name),
                ));
                // A new profile has no ID saved yet: known without asking, but only worth
                // saying where an ID could be saved at all.
                if matches!(self.vault_view, VaultView::Available { .. }) {
                    self.saved_ids.insert(p.id.clone(), false);
                }
                let first = self.active.is_none();
                self.reload_profiles();
                if first {
                    self.set_active(Some(p.id));
                }
            }
            Err(e) => self.store_failed(&e),
        }
    }

    pub(super) fn update_profile(&mut self, id: &ProfileId, changes: &ProfileChanges, now: UnixMs) {
        let Some(store) = self.store() else { return };
        match store.update(id, changes, now) {
            Ok(p) => {
                self.notice = Some(Text::new(
                    format!("「{}」を保存しました。", p.display_name),
                    format!("Saved “{}”.", p.display_name),
                ));
                self.reload_profiles();
            }
            Err(e) => self.store_failed(&e),
        }
    }

    pub(super) fn remove_profile(&mut self, id: &ProfileId) {
        let Some(store) = self.store() else { return };
        match store.remove(id) {
            Ok(p) => {
                self.notice = Some(Text::new(
                    format!("「{}」を削除しました。", p.display_name),
                    format!("Deleted “{}”.", p.display_name),
                ));
                self.reload_profiles();
                // Its account ID goes too (deleting what is not there is fine).
                let vault = self.vault.clone();
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
        self.vault_jobs += 1;
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
        let vault = self.vault.clone();
        self.vault_job(move || VaultDone::Availability(vault.available()));
    }

    fn refresh_saved_ids(&mut self) {
        let vault = self.vault.clone();
        let ids: Vec<ProfileId> = self.profiles.iter().map(|p| p.id.clone()).collect();
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
            self.notice = Some(Text::new(
                "保存するには、説明を読んで「保存してよい」にチェックを入れてください。ID は保存していません。",
                "To save, read the explanation and tick “OK to save”. The ID was not saved.",
            ));
            return;
        }
        if !self.profiles.iter().any(|p| p.id == profile) {
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
        let vault = self.vault.clone();
        self.vault_job(move || {
            let result = vault.save(&profile, &id, consent);
            VaultDone::Saved(profile, result)
        });
    }

    pub(super) fn delete_account_id(&mut self, profile: ProfileId) {
        let vault = self.vault.clone();
        self.vault_job(move || VaultDone::Deleted {
            result: vault.delete(&profile),
            profile,
            with_profile: false,
        });
    }

    fn vault_failed(&mut self, e: &VaultError) {
        log_problem(&format!("keychain: {e}"));
        if let VaultError::Unavailable(u) = e {
            self.vault_view = VaultView::unavailable(u);
            self.saved_ids.clear();
        }
        self.notice = Some(e.user_message());
    }

    pub(super) fn on_vault(&mut self, done: VaultDone) {
        self.vault_jobs = self.vault_jobs.saturating_sub(1);
        match done {
            VaultDone::Availability(a) => {
                let was_available = matches!(self.vault_view, VaultView::Available { .. });
                self.vault_view = VaultView::from_availability(&a);
                if a.is_available() {
                    if !was_available {
                        self.refresh_saved_ids();
                    }
                } else {
                    // Not known any more: the keychain cannot be asked.
                    self.saved_ids.clear();
                }
            }
            VaultDone::SavedIds(found) => {
                for (id, has) in found {
                    match has {
                        Ok(has) => {
                            self.saved_ids.insert(id, has);
                        }
                        Err(e) => {
                            self.saved_ids.remove(&id);
                            log_problem(&format!("keychain: could not look up {id}: {e}"));
                            if let VaultError::Unavailable(u) = &e {
                                self.vault_view = VaultView::unavailable(u);
                            }
                        }
                    }
                }
            }
            VaultDone::Saved(profile, result) => match result {
                Ok(()) => {
                    self.saved_ids.insert(profile, true);
                    self.notice = Some(Text::new(
                        "ID を保存しました。この PC の安全な保存場所（OS のキーチェーン）に入っています。",
                        "ID saved. It is kept in this PC's safe storage (the OS keychain).",
                    ));
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
                        self.notice = Some(Text::new(
                            "保存していた ID を削除しました。",
                            "The saved ID was deleted.",
                        ));
                    }
                    if with_profile {
                        self.saved_ids.remove(&profile);
                    } else {
                        self.saved_ids.insert(profile, false);
                    }
                }
                Err(e) if with_profile => {
                    log_problem(&format!("keychain: the removed profile's ID stays: {e}"));
                    self.notice = Some(Text::new(
                        "プロフィールは削除しましたが、保存場所が使えないため、保存していた ID は消せませんでした。保存場所が使えるようになったら、もう一度お試しください。",
                        "The profile was deleted, but its saved ID could not be removed because the safe storage is not available. Please try again when it is.",
                    ));
                }
                Err(e) => self.vault_failed(&e),
            },
            VaultDone::Loaded(result) => self.put_on_clipboard(result),
        }
    }

    // ----- copy ID -----

    pub(super) fn copy_account_id(&mut self) {
        let Some(profile) = self.active.clone() else {
            self.notice = Some(no_saved_id());
            return;
        };
        let vault = self.vault.clone();
        self.vault_job(move || VaultDone::Loaded(vault.load(&profile)));
    }

    fn put_on_clipboard(&mut self, loaded: Result<Option<AccountId>, VaultError>) {
        let id = match loaded {
            Ok(Some(id)) => id,
            Ok(None) => {
                self.notice = Some(no_saved_id());
                return;
            }
            Err(e) => return self.vault_failed(&e),
        };
        if let Err(e) = self.desktop.copy_text(id.expose()) {
            log_problem(&format!("could not copy to the clipboard: {e}"));
            self.notice = Some(Text::new(
                "ID をコピーできませんでした。ID はご自分で入力してください。",
                "The ID could not be copied. Please type the ID yourself.",
            ));
            return;
        }
        let now = UnixMs::now();
        let hold = i64::try_from(self.config.clipboard_hold.as_secs()).unwrap_or(i64::MAX);
        let guard = ClipboardGuard::with_hold(&id, now, hold);
        self.clipboard_seq += 1;
        let n = self.clipboard_seq;
        let secs = hold.min(3600);
        self.notice = Some(Text::new(
            format!(
                "ID をコピーしました。ログイン画面の ID の欄に貼り付けてください（{secs} 秒後にクリップボードから消します）。"
            ),
            format!(
                "ID copied. Paste it into the ID field of the login page (it is cleared from the clipboard in {secs} s)."
            ),
        ));
        self.schedule_clipboard_check(n, guard.clear_at().since(now));
        self.clipboard = Some((n, guard));
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
        let Some((current, guard)) = &self.clipboard else {
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
                self.clipboard = None;
                if let Err(e) = self.desktop.clear_clipboard() {
                    log_problem(&format!("could not clear the clipboard: {e}"));
                }
            }
            ClipboardAction::LeaveAlone => self.clipboard = None,
        }
    }

    /// Closing, or the session ended before the minute was up: clear our ID now if it is
    /// still there.
    pub(super) fn clear_clipboard_on_exit(&mut self) {
        let Some((_, guard)) = self.clipboard.take() else {
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
            log_problem(&format!("could not clear the clipboard: {e}"));
        }
    }
}

fn no_saved_id() -> Text {
    Text::new(
        "保存されたお客さま ID はありません。ID はご自分で入力してください。",
        "No account ID is saved. Please type the ID yourself.",
    )
}
