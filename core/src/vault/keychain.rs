//! [`KeychainVault`]: the account ID of each profile as one keychain item, service
//! [`KEYCHAIN_SERVICE`], user = the profile ID.
//!
//! Every keychain call runs on its own short-lived thread and the caller waits at most a
//! time limit: a Secret Service daemon that is frozen, or a bus that never answers, must not
//! hang the app (and the blocking D-Bus client must not run on the caller's async runtime).
//! A call that times out leaves its thread waiting on the keychain; at most
//! [`MAX_WAITING_CALLS`] such threads are allowed before calls fail at once.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyring_core::api::{CredentialPersistence, CredentialStore};

use super::platform;
use super::{AccountId, Availability, Consent, Unavailable, UnavailableReason, Vault, VaultError};
use crate::store::ProfileId;

/// The keychain "service" of Tebiki's items. On Linux: `secret-tool lookup service tebiki
/// username <profile id>`.
pub const KEYCHAIN_SERVICE: &str = "tebiki";

/// The keychain "user" the probe reads (never written).
const PROBE_USER: &str = "tebiki-availability-probe";

/// Calls still waiting on a keychain that stopped answering; beyond this, fail at once.
const MAX_WAITING_CALLS: usize = 2;

const RUNNING: u8 = 0;
const FINISHED: u8 = 1;
const GAVE_UP: u8 = 2;

/// Makes a connection to a credential store. [`KeychainVault::new`] uses the OS's real one;
/// tests may pass another (a store whose persistence is not "until deleted", such as
/// keyring-core's mock, is refused all the same).
pub type StoreFactory =
    Arc<dyn Fn() -> keyring_core::Result<Arc<CredentialStore>> + Send + Sync + 'static>;

/// Time limits for talking to the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultTimeouts {
    /// [`Vault::available`]: connect and check. Short: the UI waits on it.
    pub probe: Duration,
    /// save / load / delete. Longer: the OS may show its own unlock prompt to the user.
    pub operation: Duration,
}

impl Default for VaultTimeouts {
    fn default() -> Self {
        VaultTimeouts {
            probe: Duration::from_secs(3),
            operation: Duration::from_secs(30),
        }
    }
}

/// The vault in the OS keychain.
pub struct KeychainVault {
    service: String,
    factory: StoreFactory,
    timeouts: VaultTimeouts,
    /// The connection from the last successful call; dropped after a timeout or failure so
    /// the next call connects afresh (the user may have unlocked or started the keychain).
    store: Mutex<Option<Arc<CredentialStore>>>,
    /// Calls whose caller gave up (timeout) while their thread still waits on the keychain.
    abandoned: Arc<AtomicUsize>,
}

impl std::fmt::Debug for KeychainVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeychainVault")
            .field("service", &self.service)
            .field("backend", &platform::backend_name())
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl Default for KeychainVault {
    fn default() -> Self {
        KeychainVault::new()
    }
}

impl KeychainVault {
    /// The OS keychain with the default time limits. Connects lazily, on first use.
    pub fn new() -> KeychainVault {
        KeychainVault::with_store(Arc::new(platform::open_store), VaultTimeouts::default())
    }

    /// The OS keychain with other time limits.
    pub fn with_timeouts(timeouts: VaultTimeouts) -> KeychainVault {
        KeychainVault::with_store(Arc::new(platform::open_store), timeouts)
    }

    /// Another credential store (tests). Non-persistent stores are refused at use.
    pub fn with_store(factory: StoreFactory, timeouts: VaultTimeouts) -> KeychainVault {
        KeychainVault {
            service: KEYCHAIN_SERVICE.to_owned(),
            factory,
            timeouts,
            store: Mutex::new(None),
            abandoned: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Uses another keychain service name (tests that must not touch Tebiki's own items).
    pub fn with_service(mut self, service: &str) -> KeychainVault {
        self.service = service.to_owned();
        self
    }

    pub fn timeouts(&self) -> VaultTimeouts {
        self.timeouts
    }

    fn cached_store(&self) -> Option<Arc<CredentialStore>> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn set_cached_store(&self, store: Option<Arc<CredentialStore>>) {
        let old = std::mem::replace(
            &mut *self
                .store
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            store.clone(),
        );
        match (old, store) {
            // The same store again: the slot holds it on, nothing is released.
            (Some(old), Some(new)) if Arc::ptr_eq(&old, &new) => {}
            (Some(old), _) => release(old),
            (None, _) => {}
        }
    }

    /// Runs `op` against a (cached or fresh) store on a worker thread, waiting at most
    /// `limit`.
    fn run<T, F>(&self, limit: Duration, op: F) -> Result<T, VaultError>
    where
        T: Send + 'static,
        F: FnOnce(&CredentialStore) -> Result<T, VaultError> + Send + 'static,
    {
        let stuck = self.abandoned.load(Ordering::SeqCst);
        if stuck >= MAX_WAITING_CALLS {
            return Err(unavailable(
                UnavailableReason::NotAnswering,
                format!(
                    "{stuck} earlier requests to the {} are still waiting for an answer",
                    platform::backend_name()
                ),
            ));
        }
        let cached = self.cached_store();
        let factory = Arc::clone(&self.factory);
        let abandoned = Arc::clone(&self.abandoned);
        // RUNNING → FINISHED (by the worker) or RUNNING → GAVE_UP (by the caller on timeout);
        // whoever loses the race knows what the other did.
        let state = Arc::new(AtomicU8::new(RUNNING));
        let worker_state = Arc::clone(&state);
        let (tx, rx) = mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("tebiki-vault".to_owned())
            .spawn(move || {
                let outcome = match cached {
                    Some(store) => Ok(store),
                    None => open_checked(&factory),
                }
                .and_then(|store| op(store.as_ref()).map(|value| (store, value)));
                if worker_state
                    .compare_exchange(RUNNING, FINISHED, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    // The caller gave up on this call and counted it as stuck; not any more.
                    abandoned.fetch_sub(1, Ordering::SeqCst);
                }
                // Nobody listens if the caller gave up; that is fine.
                let _ = tx.send(outcome);
            });
        if let Err(e) = spawned {
            return Err(unavailable(
                UnavailableReason::Failed,
                format!("could not start a thread to ask the keychain: {e}"),
            ));
        }
        let answer = match rx.recv_timeout(limit) {
            Ok(answer) => answer,
            Err(_) => {
                // Count it as stuck *before* marking it, so the worker's count-down (which
                // needs the mark) can never come first.
                self.abandoned.fetch_add(1, Ordering::SeqCst);
                let gave_up = state
                    .compare_exchange(RUNNING, GAVE_UP, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok();
                if gave_up {
                    self.set_cached_store(None);
                    return Err(unavailable(
                        UnavailableReason::NotAnswering,
                        format!(
                            "the {} did not answer within {} ms",
                            platform::backend_name(),
                            limit.as_millis()
                        ),
                    ));
                }
                // The answer arrived just now, after all.
                self.abandoned.fetch_sub(1, Ordering::SeqCst);
                match rx.recv() {
                    Ok(answer) => answer,
                    Err(_) => Err(unavailable(
                        UnavailableReason::Failed,
                        "the keychain thread ended without an answer",
                    )),
                }
            }
        };
        match answer {
            Ok((store, value)) => {
                self.set_cached_store(Some(store));
                Ok(value)
            }
            Err(e) => {
                if e.is_unavailable() {
                    self.set_cached_store(None);
                }
                Err(e)
            }
        }
    }

    fn entry(
        service: &str,
        store: &CredentialStore,
        profile: &ProfileId,
    ) -> Result<keyring_core::Entry, VaultError> {
        let label = format!("Tebiki: account ID for profile {}", profile.as_str());
        let mods = platform::modifiers(&label);
        store
            .build(service, profile.as_str(), mods.as_ref())
            .map_err(|e| op_error(e, "prepare the keychain item"))
    }
}

impl Drop for KeychainVault {
    fn drop(&mut self) {
        let slot = self
            .store
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(store) = slot.take() {
            release(store);
        }
    }
}

/// Lets go of an opened store on a plain thread of its own. The app builds one zbus (its
/// tokio runtime, shared with the NetworkManager client): the Secret Service client's blocking
/// proxies then block on zbus's runtime when dropped, which panics on a thread that drives
/// tokio tasks ("Cannot start a runtime from within a runtime"). Keychain calls already run
/// on threads of their own; this covers the last drop, which may happen on the caller's.
fn release(store: Arc<CredentialStore>) {
    let (tx, rx) = mpsc::channel::<Arc<CredentialStore>>();
    let spawned = std::thread::Builder::new()
        .name("tebiki-vault-release".to_owned())
        .spawn(move || drop(rx.recv()));
    match spawned {
        Ok(_) => {
            // The thread is waiting for it; a send cannot fail before it receives.
            let _ = tx.send(store);
        }
        Err(e) => {
            // Without a thread the store stays open until Tebiki closes: better than a panic.
            log::warn!("could not release the keychain connection: {e}");
            std::mem::forget(store);
        }
    }
}

impl Vault for KeychainVault {
    fn save(
        &self,
        profile: &ProfileId,
        account_id: &AccountId,
        consent: Consent,
    ) -> Result<(), VaultError> {
        if consent.profile() != profile {
            return Err(VaultError::ConsentForAnotherProfile);
        }
        let service = self.service.clone();
        let profile = profile.clone();
        let secret = account_id.expose().to_owned();
        self.run(self.timeouts.operation, move |store| {
            let entry = KeychainVault::entry(&service, store, &profile)?;
            match entry.set_password(&secret) {
                Ok(()) => Ok(()),
                // Several items match (written by an older Tebiki or by hand): replace them
                // all with one, so `load` is unambiguous afterwards.
                Err(keyring_core::Error::Ambiguous(items)) => {
                    for item in items {
                        item.delete_credential()
                            .map_err(|e| op_error(e, "remove a duplicate item"))?;
                    }
                    entry
                        .set_password(&secret)
                        .map_err(|e| op_error(e, "save the account ID"))
                }
                Err(e) => Err(op_error(e, "save the account ID")),
            }
        })
    }

    fn load(&self, profile: &ProfileId) -> Result<Option<AccountId>, VaultError> {
        let service = self.service.clone();
        let profile = profile.clone();
        self.run(self.timeouts.operation, move |store| {
            let entry = KeychainVault::entry(&service, store, &profile)?;
            match entry.get_password() {
                Ok(text) => AccountId::parse(&text)
                    .map(Some)
                    .map_err(|e| VaultError::BadEntry(e.to_string())),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(keyring_core::Error::Ambiguous(_)) => Err(VaultError::BadEntry(
                    "several keychain items match this profile".to_owned(),
                )),
                Err(
                    e @ (keyring_core::Error::BadEncoding(_)
                    | keyring_core::Error::BadDataFormat(..)),
                ) => Err(VaultError::BadEntry(describe(&e))),
                Err(e) => Err(op_error(e, "read the account ID")),
            }
        })
    }

    fn delete(&self, profile: &ProfileId) -> Result<(), VaultError> {
        let service = self.service.clone();
        let profile = profile.clone();
        self.run(self.timeouts.operation, move |store| {
            let entry = KeychainVault::entry(&service, store, &profile)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(keyring_core::Error::Ambiguous(items)) => {
                    for item in items {
                        match item.delete_credential() {
                            Ok(()) | Err(keyring_core::Error::NoEntry) => {}
                            Err(e) => return Err(op_error(e, "delete the account ID")),
                        }
                    }
                    Ok(())
                }
                Err(e) => Err(op_error(e, "delete the account ID")),
            }
        })
    }

    fn available(&self) -> Availability {
        // A fresh connection each time: the probe is what tells "the keychain works now".
        // Then one read of an item that does not exist: on Windows and macOS making a store
        // touches nothing, and on the Secret Service a search that matches nothing never
        // shows an unlock prompt.
        self.set_cached_store(None);
        let service = self.service.clone();
        let probe = move |store: &CredentialStore| {
            let entry = store
                .build(&service, PROBE_USER, None)
                .map_err(|e| op_error(e, "prepare the probe"))?;
            match entry.get_password() {
                Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(op_error(e, "read from the keychain")),
            }
        };
        match self.run(self.timeouts.probe, probe) {
            Ok(()) => Availability::Available {
                backend: platform::backend_name().to_owned(),
            },
            Err(VaultError::Unavailable(u)) => Availability::Unavailable(u),
            Err(other) => Availability::Unavailable(Unavailable::new(
                UnavailableReason::Failed,
                other.to_string(),
            )),
        }
    }
}

fn unavailable(reason: UnavailableReason, detail: impl Into<String>) -> VaultError {
    VaultError::Unavailable(Unavailable::new(reason, detail))
}

/// Connects and refuses any store that would not keep the ID (keyring-core's mock keeps it
/// only for the process): "saved" must mean saved in the OS keychain.
fn open_checked(factory: &StoreFactory) -> Result<Arc<CredentialStore>, VaultError> {
    let store = factory().map_err(connect_error)?;
    match store.persistence() {
        CredentialPersistence::UntilDelete => Ok(store),
        other => {
            let lifetime = match other {
                CredentialPersistence::EntryOnly => "as long as one entry object",
                CredentialPersistence::ProcessOnly => "while the program runs",
                CredentialPersistence::UntilLogout => "until logout",
                CredentialPersistence::UntilReboot => "until reboot",
                _ => "for an unspecified time",
            };
            Err(unavailable(
                UnavailableReason::NotPersistent,
                format!(
                    "the credential store '{}' keeps items only {lifetime}; refusing to use it",
                    store.vendor()
                ),
            ))
        }
    }
}

/// An error while connecting: there is no keychain to talk to (or it refuses us).
fn connect_error(e: keyring_core::Error) -> VaultError {
    let reason = match &e {
        keyring_core::Error::NoStorageAccess(_) => UnavailableReason::Locked,
        keyring_core::Error::NoDefaultStore => UnavailableReason::UnsupportedPlatform,
        _ => UnavailableReason::NoKeychain,
    };
    unavailable(
        reason,
        format!(
            "could not connect to the {}: {}",
            platform::backend_name(),
            describe(&e)
        ),
    )
}

/// An error during save/load/delete. The keychain was there; now it refuses or fails.
fn op_error(e: keyring_core::Error, what: &str) -> VaultError {
    let reason = match &e {
        keyring_core::Error::NoStorageAccess(_) => UnavailableReason::Locked,
        _ => UnavailableReason::Failed,
    };
    unavailable(reason, format!("could not {what}: {}", describe(&e)))
}

/// Describes a keyring error without ever printing secret bytes (`BadEncoding` and
/// `BadDataFormat` carry the stored secret).
fn describe(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::BadEncoding(_) => "the stored item is not UTF-8 text".to_owned(),
        keyring_core::Error::BadDataFormat(_, inner) => {
            format!("the stored item has an unexpected format ({inner})")
        }
        keyring_core::Error::Ambiguous(items) => {
            format!("{} keychain items match", items.len())
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::facts::UnixMs;

    fn quick() -> VaultTimeouts {
        VaultTimeouts {
            probe: Duration::from_millis(300),
            operation: Duration::from_millis(300),
        }
    }

    fn profile() -> ProfileId {
        ProfileId::parse("p-test").unwrap()
    }

    #[test]
    fn in_memory_mock_store_is_refused_as_not_persistent() {
        let factory: StoreFactory = Arc::new(|| {
            let store: Arc<CredentialStore> = keyring_core::mock::Store::new()?;
            Ok(store)
        });
        let vault = KeychainVault::with_store(factory, quick());
        match vault.available() {
            Availability::Unavailable(u) => {
                assert_eq!(u.reason, UnavailableReason::NotPersistent, "{u}")
            }
            other => panic!("mock store must be refused, got {other:?}"),
        }
        let id = AccountId::parse("taro").unwrap();
        let err = vault
            .save(
                &profile(),
                &id,
                Consent::given_by_user(&profile(), UnixMs(0)),
            )
            .unwrap_err();
        assert!(err.is_unavailable(), "{err}");
    }

    #[test]
    fn store_that_never_answers_is_unavailable_within_the_probe_limit() {
        let factory: StoreFactory = Arc::new(|| {
            std::thread::sleep(Duration::from_secs(3600));
            Err(keyring_core::Error::NoDefaultStore)
        });
        let vault = KeychainVault::with_store(factory, quick());
        let started = std::time::Instant::now();
        let a = vault.available();
        assert!(started.elapsed() < Duration::from_secs(2), "{a:?}");
        match a {
            Availability::Unavailable(u) => {
                assert_eq!(u.reason, UnavailableReason::NotAnswering)
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
        // A second stuck call is allowed, then calls fail at once instead of piling up threads.
        let _ = vault.load(&profile());
        let started = std::time::Instant::now();
        let err = vault.load(&profile()).unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(100));
        assert!(err.to_string().contains("still waiting"), "{err}");
    }

    /// keyring-core's mock, but claiming to persist: stands in for a real keychain to test
    /// the vault's own logic in-process. Shares one mock across "connections"; `slow` makes
    /// every call take 400 ms.
    struct KeptMock {
        inner: Arc<keyring_core::mock::Store>,
        slow: Arc<std::sync::atomic::AtomicBool>,
    }

    impl keyring_core::api::CredentialStoreApi for KeptMock {
        fn vendor(&self) -> String {
            "kept mock (tests)".to_owned()
        }
        fn id(&self) -> String {
            self.inner.id()
        }
        fn build(
            &self,
            service: &str,
            user: &str,
            _mods: Option<&std::collections::HashMap<&str, &str>>,
        ) -> keyring_core::Result<keyring_core::Entry> {
            if self.slow.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(400));
            }
            self.inner.build(service, user, None)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    fn kept_mock() -> (
        StoreFactory,
        Arc<keyring_core::mock::Store>,
        Arc<std::sync::atomic::AtomicBool>,
    ) {
        let inner = keyring_core::mock::Store::new().unwrap();
        let slow = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (i, s) = (Arc::clone(&inner), Arc::clone(&slow));
        let factory: StoreFactory = Arc::new(move || {
            let store: Arc<CredentialStore> = Arc::new(KeptMock {
                inner: Arc::clone(&i),
                slow: Arc::clone(&s),
            });
            Ok(store)
        });
        (factory, inner, slow)
    }

    #[test]
    fn vault_logic_round_trips_on_a_persistent_store_in_process() {
        let (factory, _, _) = kept_mock();
        let vault = KeychainVault::with_store(factory, quick());
        assert_eq!(
            vault.available(),
            Availability::Available {
                backend: platform::backend_name().to_owned()
            }
        );
        let id = AccountId::parse("taro@example.jp").unwrap();
        vault
            .save(
                &profile(),
                &id,
                Consent::given_by_user(&profile(), UnixMs(0)),
            )
            .unwrap();
        assert_eq!(vault.load(&profile()).unwrap(), Some(id));
        vault.delete(&profile()).unwrap();
        assert_eq!(vault.load(&profile()).unwrap(), None);
        vault.delete(&profile()).unwrap();
    }

    #[test]
    fn concurrent_slow_calls_are_not_mistaken_for_a_stuck_keychain() {
        let (factory, _, slow) = kept_mock();
        slow.store(true, Ordering::SeqCst);
        let vault = Arc::new(KeychainVault::with_store(
            factory,
            VaultTimeouts {
                probe: Duration::from_secs(5),
                operation: Duration::from_secs(5),
            },
        ));
        let calls: Vec<_> = (0..4)
            .map(|_| {
                let v = Arc::clone(&vault);
                std::thread::spawn(move || v.load(&profile()))
            })
            .collect();
        for c in calls {
            assert_eq!(c.join().unwrap(), Ok(None));
        }
    }

    #[test]
    fn stuck_calls_stop_piling_up_and_recover_once_the_keychain_answers() {
        let (factory, _, slow) = kept_mock();
        slow.store(true, Ordering::SeqCst);
        let vault = KeychainVault::with_store(
            factory,
            VaultTimeouts {
                probe: Duration::from_millis(100),
                operation: Duration::from_millis(100),
            },
        );
        for _ in 0..MAX_WAITING_CALLS {
            let e = vault.load(&profile()).unwrap_err();
            assert!(e.to_string().contains("did not answer"), "{e}");
        }
        let e = vault.load(&profile()).unwrap_err();
        assert!(e.to_string().contains("still waiting"), "{e}");
        // The keychain answers again; the stuck threads finish and count themselves down.
        slow.store(false, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(vault.load(&profile()), Ok(None));
    }

    #[test]
    fn non_text_item_is_a_bad_entry_and_its_bytes_are_not_shown() {
        let (factory, inner, _) = kept_mock();
        use keyring_core::api::CredentialStoreApi;
        inner
            .build(KEYCHAIN_SERVICE, profile().as_str(), None)
            .unwrap()
            .set_secret(b"taro\xff\xfe")
            .unwrap();
        let vault = KeychainVault::with_store(factory, quick());
        match vault.load(&profile()) {
            Err(VaultError::BadEntry(detail)) => assert!(!detail.contains("taro"), "{detail}"),
            other => panic!("expected a bad entry, got {other:?}"),
        }
    }

    #[test]
    fn consent_for_another_profile_saves_nothing() {
        let vault = KeychainVault::with_store(
            Arc::new(|| Err(keyring_core::Error::NoDefaultStore)),
            quick(),
        );
        let other = ProfileId::parse("p-other").unwrap();
        let err = vault
            .save(
                &profile(),
                &AccountId::parse("taro").unwrap(),
                Consent::given_by_user(&other, UnixMs(0)),
            )
            .unwrap_err();
        assert_eq!(err, VaultError::ConsentForAnotherProfile);
    }

    #[test]
    fn secret_bytes_in_a_bad_entry_error_are_never_described() {
        let e = keyring_core::Error::BadEncoding(b"taro-secret\xff".to_vec());
        let text = describe(&e);
        assert!(!text.contains("taro"), "{text}");
    }
}
