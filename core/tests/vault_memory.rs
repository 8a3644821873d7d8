//! The vault's rules through the `Vault` trait, on the in-memory vault (fast; in addition to
//! the real-keychain tests in `vault_keychain.rs`). Code that holds a `dyn Vault` — the flow,
//! the UI commands — gets the same answers from either.
#![allow(clippy::unwrap_used)]

use tebiki_core::facts::UnixMs;
use tebiki_core::store::ProfileId;
use tebiki_core::vault::{
    AccountId, Consent, MemoryVault, UnavailableReason, Vault, VaultError, unavailable_message,
};

fn pid(s: &str) -> ProfileId {
    ProfileId::parse(s).unwrap()
}

#[test]
fn saved_id_is_loaded_per_profile_and_deleted() {
    let v: Box<dyn Vault> = Box::new(MemoryVault::new());
    let (a, b) = (pid("p-a"), pid("p-b"));
    let id = AccountId::parse("taro@example.jp").unwrap();
    v.save(&a, &id, Consent::given_by_user(&a, UnixMs(1)))
        .unwrap();
    assert_eq!(v.load(&a).unwrap(), Some(id));
    assert_eq!(v.load(&b).unwrap(), None);
    v.delete(&a).unwrap();
    assert_eq!(v.load(&a).unwrap(), None);
    v.delete(&a).unwrap();
}

#[test]
fn consent_given_for_one_profile_cannot_save_another() {
    let v = MemoryVault::new();
    let (a, b) = (pid("p-a"), pid("p-b"));
    let err = v
        .save(
            &b,
            &AccountId::parse("x").unwrap(),
            Consent::given_by_user(&a, UnixMs(1)),
        )
        .unwrap_err();
    assert_eq!(err, VaultError::ConsentForAnotherProfile);
    assert!(v.is_empty());
    assert!(err.user_message().ja.contains("保存していません"));
}

#[test]
fn unavailable_vault_keeps_nothing_and_says_the_agreed_message() {
    let v = MemoryVault::unavailable(UnavailableReason::NoKeychain);
    let a = pid("p-a");
    assert!(!v.available().is_available());
    let err = v
        .save(
            &a,
            &AccountId::parse("x").unwrap(),
            Consent::given_by_user(&a, UnixMs(1)),
        )
        .unwrap_err();
    assert!(err.is_unavailable());
    assert_eq!(err.user_message(), unavailable_message());
    assert!(v.is_empty());
    assert!(v.load(&a).unwrap_err().is_unavailable());
}

#[test]
fn errors_and_ids_never_print_the_id() {
    let id = AccountId::parse("secret-account-42").unwrap();
    let v = MemoryVault::new();
    let a = pid("p-a");
    v.save(&a, &id, Consent::given_by_user(&a, UnixMs(1)))
        .unwrap();
    let shown = format!("{:?} {:?} {:?}", id, v.load(&a), v);
    assert!(!shown.contains("secret-account-42"), "{shown}");
}
