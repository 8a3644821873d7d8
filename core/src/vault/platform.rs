//! The one real credential store of each OS, one function per OS behind one signature.
//!
//! We link `keyring-core` and the per-OS store crates directly — the same stores the
//! `keyring` 4.x `v1` feature wires up — instead of `keyring::Entry`, because `keyring`'s v1
//! mode initialises one process-wide store once: a keychain that was locked or not yet
//! started at the first call would stay "unavailable" until Tebiki restarts, and the probe
//! could not be repeated under a time limit. Here each probe makes a fresh store. No mock
//! store is compiled in: on an OS without a store, the vault is unavailable.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::api::CredentialStore;

/// The name the helper sees for this OS's keychain.
pub fn backend_name() -> &'static str {
    if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else {
        "Secret Service"
    }
}

/// Connects to this OS's keychain. On Linux this opens a session with the Secret Service on
/// the session bus, so it fails (or hangs, if the daemon is frozen) when there is none: the
/// caller runs it under a time limit.
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
pub fn open_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "windows")]
pub fn open_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "macos")]
pub fn open_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    Ok(store)
}

#[cfg(not(any(
    target_os = "windows",
    target_os = "macos",
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    )
)))]
pub fn open_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NoDefaultStore)
}

/// Entry modifiers: on the Secret Service, a label a person recognises in Seahorse /
/// KWallet. The other stores take no label modifier.
pub fn modifiers(label: &str) -> Option<HashMap<&str, &str>> {
    if cfg!(all(
        unix,
        not(any(
            target_os = "macos",
            target_os = "ios",
            target_os = "android"
        ))
    )) {
        Some(HashMap::from([("label", label)]))
    } else {
        None
    }
}
