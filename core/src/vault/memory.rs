//! [`MemoryVault`]: a vault in memory, for fast tests of code that uses a vault (the flow,
//! the UI commands). It follows the same rules as the real one (consent per profile,
//! unavailable means nothing is kept) and can play "no keychain on this PC".

use std::collections::HashMap;
use std::sync::Mutex;

use super::{AccountId, Availability, Consent, Unavailable, UnavailableReason, Vault, VaultError};
use crate::store::ProfileId;

#[derive(Debug)]
pub struct MemoryVault {
    items: Mutex<HashMap<ProfileId, AccountId>>,
    unavailable: Option<Unavailable>,
}

impl Default for MemoryVault {
    fn default() -> Self {
        MemoryVault::new()
    }
}

impl MemoryVault {
    pub fn new() -> MemoryVault {
        MemoryVault {
            items: Mutex::new(HashMap::new()),
            unavailable: None,
        }
    }

    /// A vault that behaves like a PC with no keychain: every call is unavailable.
    pub fn unavailable(reason: UnavailableReason) -> MemoryVault {
        MemoryVault {
            items: Mutex::new(HashMap::new()),
            unavailable: Some(Unavailable::new(reason, "memory vault set to unavailable")),
        }
    }

    /// How many IDs are kept (tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ProfileId, AccountId>> {
        self.items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check(&self) -> Result<(), VaultError> {
        match &self.unavailable {
            Some(u) => Err(VaultError::Unavailable(u.clone())),
            None => Ok(()),
        }
    }
}

impl Vault for MemoryVault {
    fn save(
        &self,
        profile: &ProfileId,
        account_id: &AccountId,
        consent: Consent,
    ) -> Result<(), VaultError> {
        if consent.profile() != profile {
            return Err(VaultError::ConsentForAnotherProfile);
        }
        self.check()?;
        self.lock().insert(profile.clone(), account_id.clone());
        Ok(())
    }

    fn load(&self, profile: &ProfileId) -> Result<Option<AccountId>, VaultError> {
        self.check()?;
        Ok(self.lock().get(profile).cloned())
    }

    fn delete(&self, profile: &ProfileId) -> Result<(), VaultError> {
        self.check()?;
        self.lock().remove(profile);
        Ok(())
    }

    fn available(&self) -> Availability {
        match &self.unavailable {
            Some(u) => Availability::Unavailable(u.clone()),
            None => Availability::Available {
                backend: "memory (tests only)".to_owned(),
            },
        }
    }
}
