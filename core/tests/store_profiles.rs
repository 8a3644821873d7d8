//! The profile store on a real file system: round trip, a damaged or newer file kept aside
//! with a clear message (never dropped, never overwritten), and concurrent writers — 8
//! threads, and 2 processes through `tebiki-doctor profiles` — losing nothing.
#![allow(clippy::unwrap_used)]

mod vault_support;

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use tebiki_core::facts::UnixMs;
use tebiki_core::i18n::Lang;
use tebiki_core::store::{
    FileProblem, NewProfile, PROFILES_FILE, PhonePlatform, ProfileChanges, ProfileStore,
    StoreError, StoreNotice, TextSize, parse_profiles,
};
use vault_support::TempDir;

fn new_profile(name: &str) -> NewProfile {
    NewProfile {
        display_name: name.to_owned(),
        service: "au-id".to_owned(),
        phone_platform: PhonePlatform::Iphone,
        text_size: TextSize::Large,
        language: Lang::Ja,
    }
}

/// The names of the files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn profiles_round_trip_through_the_file_and_a_reopen() {
    let d = TempDir::new("store-rt");
    let dir = d.path().join("app-data"); // created by open
    let opened = ProfileStore::open(&dir, UnixMs(1_000)).unwrap();
    assert!(opened.profiles.is_empty() && opened.notice.is_none());
    let store = opened.store;

    let a = store
        .add(new_profile("山田さん（母）"), UnixMs(2_000))
        .unwrap();
    let b = store.add(new_profile("佐藤さん"), UnixMs(2_000)).unwrap();
    assert_ne!(a.id, b.id, "same millisecond, still distinct IDs");
    let b2 = store
        .update(
            &b.id,
            &ProfileChanges {
                phone_platform: Some(PhonePlatform::Android),
                text_size: Some(TextSize::Largest),
                ..Default::default()
            },
            UnixMs(3_000),
        )
        .unwrap();
    assert_eq!((b2.created, b2.updated), (UnixMs(2_000), UnixMs(3_000)));

    let reopened = ProfileStore::open(&dir, UnixMs(4_000)).unwrap();
    assert!(reopened.notice.is_none());
    assert_eq!(reopened.profiles, vec![a.clone(), b2.clone()]);
    assert_eq!(reopened.store.get(&b.id).unwrap(), Some(b2));

    let text = fs::read_to_string(dir.join(PROFILES_FILE)).unwrap();
    assert!(text.contains("\"version\": 1"), "{text}");
    assert!(
        text.contains("山田さん（母）"),
        "stored as UTF-8, not escaped: {text}"
    );

    assert_eq!(reopened.store.remove(&a.id).unwrap(), a);
    assert!(matches!(
        reopened.store.remove(&a.id),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(reopened.store.list().unwrap().len(), 1);
    // Only the data file and the lock file: no temp files left behind.
    assert_eq!(names(&dir), vec!["profiles.json", "profiles.json.lock"]);
}

#[test]
fn invalid_input_changes_nothing() {
    let d = TempDir::new("store-invalid");
    let store = ProfileStore::open(d.path(), UnixMs(0)).unwrap().store;
    let a = store.add(new_profile("山田"), UnixMs(1)).unwrap();
    let before = fs::read(store.path()).unwrap();
    let err = store.add(new_profile("  "), UnixMs(2)).unwrap_err();
    assert!(err.user_message().ja.contains("名前"), "{err}");
    let err = store
        .update(
            &a.id,
            &ProfileChanges {
                service: Some("AU ID".into()),
                ..Default::default()
            },
            UnixMs(3),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!(fs::read(store.path()).unwrap(), before);
}

#[test]
fn damaged_file_is_kept_aside_with_a_clear_message_and_the_store_starts_empty() {
    let d = TempDir::new("store-corrupt");
    let damaged = b"{\"version\": 1, \"profiles\": [{\"id\": \"p1\", \"display_na";
    fs::write(d.path().join(PROFILES_FILE), damaged).unwrap();
    // 2026-11-21 02:15:00 UTC
    let now = UnixMs(1_795_227_300_000);

    let opened = ProfileStore::open(d.path(), now).unwrap();
    assert!(opened.profiles.is_empty());
    let notice = opened
        .notice
        .clone()
        .expect("a notice about the damaged file");
    let StoreNotice::SetAside { kept_as, problem } = &notice;
    assert!(matches!(problem, FileProblem::NotValid(_)), "{problem:?}");
    assert_eq!(
        kept_as.file_name().unwrap(),
        "profiles.json.corrupt-20261121T021500Z"
    );
    // Kept byte for byte.
    assert_eq!(fs::read(kept_as).unwrap(), damaged);
    let m = notice.user_message();
    assert!(m.ja.contains("壊れて") && m.ja.contains("profiles.json.corrupt-20261121T021500Z"));
    assert!(m.en.contains("damaged") && m.en.contains("starts with no profiles"));

    // The store works again, and the kept file stays.
    opened.store.add(new_profile("山田"), now).unwrap();
    assert_eq!(opened.store.list().unwrap().len(), 1);
    assert_eq!(fs::read(kept_as).unwrap(), damaged);

    // A second damaged file in the same second gets its own name.
    fs::write(d.path().join(PROFILES_FILE), b"garbage").unwrap();
    let again = ProfileStore::open(d.path(), now).unwrap();
    let Some(StoreNotice::SetAside {
        kept_as: second, ..
    }) = again.notice
    else {
        panic!("expected a notice");
    };
    assert_eq!(
        second.file_name().unwrap(),
        "profiles.json.corrupt-20261121T021500Z-2"
    );
    assert_eq!(fs::read(&second).unwrap(), b"garbage");
    assert_eq!(fs::read(kept_as).unwrap(), damaged);
}

#[test]
fn file_from_a_newer_tebiki_is_refused_and_kept_unchanged() {
    let d = TempDir::new("store-newer");
    let newer = br#"{"version": 2, "people": [{"name": "from the future"}]}"#;
    fs::write(d.path().join(PROFILES_FILE), newer).unwrap();
    let opened = ProfileStore::open(d.path(), UnixMs(0)).unwrap();
    assert!(opened.profiles.is_empty());
    let notice = opened.notice.expect("a notice about the newer file");
    let StoreNotice::SetAside { kept_as, problem } = &notice;
    assert_eq!(problem, &FileProblem::NewerVersion(2));
    assert_eq!(fs::read(kept_as).unwrap(), newer);
    assert!(notice.user_message().ja.contains("新しい版"));
    assert!(notice.user_message().en.contains("newer version"));
    assert!(!d.path().join(PROFILES_FILE).exists());
}

#[test]
fn unreadable_file_is_kept_aside_too() {
    let d = TempDir::new("store-unreadable");
    // A directory where the file should be: reading it fails (even as root).
    fs::create_dir(d.path().join(PROFILES_FILE)).unwrap();
    fs::write(d.path().join(PROFILES_FILE).join("inside"), b"x").unwrap();
    let opened = ProfileStore::open(d.path(), UnixMs(0)).unwrap();
    let Some(StoreNotice::SetAside { kept_as, problem }) = opened.notice else {
        panic!("expected a notice");
    };
    assert!(matches!(problem, FileProblem::Unreadable(_)), "{problem:?}");
    assert!(kept_as.join("inside").is_file());
}

#[test]
fn file_damaged_after_opening_is_reported_and_not_overwritten() {
    let d = TempDir::new("store-later");
    let store = ProfileStore::open(d.path(), UnixMs(0)).unwrap().store;
    store.add(new_profile("山田"), UnixMs(1)).unwrap();
    fs::write(store.path(), b"{oops").unwrap();
    let err = store.add(new_profile("佐藤"), UnixMs(2)).unwrap_err();
    assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("reopen"), "{err}");
    assert!(matches!(store.list(), Err(StoreError::Damaged { .. })));
    assert_eq!(fs::read(store.path()).unwrap(), b"{oops");
}

#[test]
fn eight_threads_adding_at_once_lose_nothing() {
    const THREADS: usize = 8;
    const EACH: usize = 25;
    let d = TempDir::new("store-threads");
    let store = ProfileStore::open(d.path(), UnixMs(0)).unwrap().store;
    let start = Arc::new(Barrier::new(THREADS));
    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = store.clone();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                for n in 0..EACH {
                    // Same clock value everywhere: IDs must still be unique.
                    store
                        .add(new_profile(&format!("t{t}-{n}")), UnixMs(1_000))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    println!(
        "{} adds from {THREADS} threads took {:?}",
        THREADS * EACH,
        started.elapsed()
    );
    let profiles = parse_profiles(&fs::read(store.path()).unwrap())
        .unwrap()
        .profiles;
    let names: HashSet<_> = profiles.iter().map(|p| p.display_name.clone()).collect();
    let ids: HashSet<_> = profiles.iter().map(|p| p.id.clone()).collect();
    assert_eq!(profiles.len(), THREADS * EACH);
    assert_eq!(names.len(), THREADS * EACH);
    assert_eq!(ids.len(), THREADS * EACH);
    for t in 0..THREADS {
        for n in 0..EACH {
            assert!(names.contains(&format!("t{t}-{n}")), "lost t{t}-{n}");
        }
    }
}

#[test]
fn two_processes_adding_at_once_lose_nothing() {
    const EACH: u32 = 30;
    let d = TempDir::new("store-procs");
    let doctor = env!("CARGO_BIN_EXE_tebiki-doctor");
    let spawn = |name: &str| {
        Command::new(doctor)
            .args(["profiles", "--dir"])
            .arg(d.path())
            .args(["add", "--name", name, "--count", &EACH.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let started = std::time::Instant::now();
    let (a, b) = (spawn("proc-a"), spawn("proc-b"));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    println!(
        "{} adds from 2 processes took {:?}",
        2 * EACH,
        started.elapsed()
    );
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));

    let profiles = ProfileStore::open(d.path(), UnixMs(0))
        .unwrap()
        .store
        .list()
        .unwrap();
    let names: HashSet<_> = profiles.iter().map(|p| p.display_name.as_str()).collect();
    let ids: HashSet<_> = profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(profiles.len(), 2 * EACH as usize);
    assert_eq!(ids.len(), 2 * EACH as usize);
    for n in 1..=EACH {
        assert!(
            names.contains(format!("proc-a {n}").as_str()),
            "lost proc-a {n}"
        );
        assert!(
            names.contains(format!("proc-b {n}").as_str()),
            "lost proc-b {n}"
        );
    }
    // Each process printed the IDs it added, and they are all in the file.
    let printed: HashSet<String> = [&a.stdout, &b.stdout]
        .iter()
        .flat_map(|o| {
            String::from_utf8_lossy(o)
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(printed.len(), 2 * EACH as usize);
    assert!(printed.iter().all(|id| ids.contains(id.as_str())));
}

#[test]
fn doctor_reports_a_damaged_file_in_both_languages() {
    let d = TempDir::new("store-doctor");
    fs::write(d.path().join(PROFILES_FILE), b"not json at all").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(["profiles", "--dir"])
        .arg(d.path())
        .arg("list")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("damaged") && err.contains("壊れて"), "{err}");
    assert!(
        names(d.path())
            .iter()
            .any(|n| n.starts_with("profiles.json.corrupt-"))
    );
}
