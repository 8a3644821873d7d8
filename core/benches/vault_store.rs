//! `vault` and `store` speed: parsing profiles.json, one locked, fsynced add + remove (what a
//! helper's click costs), the clipboard rule, and — when a Secret Service answers on the
//! session bus (run under `dbus-run-session` with an unlocked gnome-keyring) — a real
//! keychain save + load + delete. Results are recorded in docs/BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use tebiki_core::facts::UnixMs;
use tebiki_core::i18n::Lang;
use tebiki_core::store::{
    NewProfile, PhonePlatform, ProfileStore, TextSize, parse_profiles, serialise_profiles,
};
use tebiki_core::vault::{
    AccountId, ClipboardContent, ClipboardGuard, Consent, KeychainVault, Vault,
};

fn new_profile(n: usize) -> NewProfile {
    NewProfile {
        display_name: format!("山田さん {n}"),
        service: "au-id".to_owned(),
        phone_platform: PhonePlatform::Iphone,
        text_size: TextSize::Large,
        language: Lang::Ja,
    }
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tbk-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = ProfileStore::open(&dir, UnixMs(0))
        .expect("open store")
        .store;
    for n in 0..20 {
        store.add(new_profile(n), UnixMs(n as i64)).expect("add");
    }
    let bytes = std::fs::read(store.path()).expect("read profiles.json");

    c.bench_function("profiles/parse_20", |b| {
        b.iter(|| parse_profiles(black_box(&bytes)).expect("parse"))
    });
    let parsed = parse_profiles(&bytes).expect("parse");
    c.bench_function("profiles/serialise_20", |b| {
        b.iter(|| serialise_profiles(black_box(&parsed)))
    });
    c.bench_function("profiles/add_then_remove_with_20 (lock+fsync)", |b| {
        b.iter(|| {
            let p = store.add(new_profile(99), UnixMs(1_000)).expect("add");
            store.remove(&p.id).expect("remove");
        })
    });

    let id = AccountId::parse("yamada.hanako@example.jp").expect("id");
    let guard = ClipboardGuard::new(&id, UnixMs(0));
    c.bench_function("clipboard/decide", |b| {
        b.iter(|| {
            guard.decide(
                black_box(UnixMs(60_000)),
                black_box(ClipboardContent::Text("yamada.hanako@example.jp")),
            )
        })
    });

    let vault = KeychainVault::new().with_service("tebiki-bench");
    let profile = tebiki_core::store::ProfileId::parse("p-bench").expect("profile id");
    if vault.available().is_available() {
        c.bench_function("keychain/available (fresh connection)", |b| {
            b.iter(|| assert!(vault.available().is_available()))
        });
        c.bench_function("keychain/save+load+delete (Secret Service)", |b| {
            b.iter(|| {
                vault
                    .save(&profile, &id, Consent::given_by_user(&profile, UnixMs(0)))
                    .expect("save");
                assert!(vault.load(&profile).expect("load").is_some());
                vault.delete(&profile).expect("delete");
            })
        });
    } else {
        println!("skipped keychain benches: no Secret Service on the session bus");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
