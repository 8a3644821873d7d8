//! The vault against the REAL Secret Service: gnome-keyring on a private session bus, driven
//! through `tebiki-doctor vault` in a child process (see `vault_support`). Round trips in and
//! out of a tokio runtime, a cross-check with `secret-tool`, and the "no keychain" paths (no
//! bus, a bus without the service, a locked keyring, a frozen daemon): unavailable quickly,
//! the agreed message, and nothing written anywhere.
#![allow(clippy::unwrap_used)]

mod vault_support;

use std::time::Duration;

use vault_support::{Keyring, Session, count_files, files_containing, have_keyring_tools};

const MESSAGE_JA: &str = "この PC では安全な保存場所が使えません。ID は保存せずに続けます。";
const MESSAGE_EN: &str =
    "This PC has no safe place to store the ID. Tebiki continues without saving it.";

/// "Quickly": generous for a loaded CI machine, far below a hang.
const QUICK: Duration = Duration::from_secs(5);

fn round_trip(runtime: &str) {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Unlocked);
    let id = "yamada.hanako@example.jp";
    let rt = ["--runtime", runtime];

    let status = s.doctor(&[&["vault", "status"][..], &rt].concat(), "");
    status.expect_code(0);
    assert!(
        status.stdout.contains("available: Secret Service"),
        "{status:#?}"
    );

    s.doctor(
        &[
            &["vault", "set", "--profile", "p-hanako", "--consent"][..],
            &rt,
        ]
        .concat(),
        &format!("{id}\n"),
    )
    .expect_code(0);
    let got = s.doctor(
        &[&["vault", "get", "--profile", "p-hanako"][..], &rt].concat(),
        "",
    );
    got.expect_code(0);
    assert_eq!(got.stdout.trim_end(), id);

    s.doctor(
        &[&["vault", "delete", "--profile", "p-hanako"][..], &rt].concat(),
        "",
    )
    .expect_code(0);
    let gone = s.doctor(
        &[&["vault", "get", "--profile", "p-hanako"][..], &rt].concat(),
        "",
    );
    gone.expect_code(1);
    assert!(gone.stdout.is_empty(), "{gone:#?}");
    assert_eq!(s.secret_tool_lookup("tebiki", "p-hanako"), None);
    // Deleting again is not an error.
    s.doctor(
        &[&["vault", "delete", "--profile", "p-hanako"][..], &rt].concat(),
        "",
    )
    .expect_code(0);
}

#[test]
fn id_round_trips_through_the_real_secret_service_outside_any_runtime() {
    round_trip("none");
}

#[test]
fn id_round_trips_when_called_straight_from_a_current_thread_tokio_runtime() {
    round_trip("current-thread");
}

#[test]
fn id_round_trips_from_a_task_on_a_multi_thread_tokio_runtime() {
    round_trip("multi-thread");
}

#[test]
fn saved_id_is_really_in_the_keyring_and_never_in_plaintext_on_disk() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Unlocked);
    let id = "0312345678-tebiki-plain";
    // A profile in an app-data dir under HOME, as the app keeps it, then its ID in the vault.
    let app_data = s.home().join(".local/share/tebiki");
    let app_data = app_data.to_str().unwrap();
    let added = s.doctor(
        &["profiles", "--dir", app_data, "add", "--name", "山田 太郎"],
        "",
    );
    let profile = added.expect_code(0).stdout.trim().to_owned();
    s.doctor(&["vault", "set", "--profile", &profile, "--consent"], id)
        .expect_code(0);
    s.doctor(&["vault", "status"], "").expect_code(0);

    // Another program sees it under service "tebiki", user = the profile ID.
    assert_eq!(
        s.secret_tool_lookup("tebiki", &profile).as_deref(),
        Some(id)
    );
    assert_eq!(s.secret_tool_count("tebiki", &profile), 1);
    let profiles_json =
        std::fs::read_to_string(std::path::Path::new(app_data).join("profiles.json")).unwrap();
    assert!(profiles_json.contains("山田 太郎"), "{profiles_json}");
    // The scan below finds what is there (positive control).
    assert_eq!(files_containing(s.dir.path(), "山田 太郎").len(), 1);

    // And what another program stored, Tebiki reads.
    s.secret_tool_store("tebiki", "p-other", "written-elsewhere");
    let got = s.doctor(&["vault", "get", "--profile", "p-other"], "");
    got.expect_code(0);
    assert_eq!(got.stdout.trim_end(), "written-elsewhere");

    // The keyring file exists, is encrypted, and nothing else — the profiles, HOME, the
    // working directory — holds the ID.
    assert!(
        count_files(&s.data_home()) > 0,
        "gnome-keyring wrote no files?"
    );
    assert_eq!(
        files_containing(s.dir.path(), id),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn saving_again_replaces_the_id_instead_of_adding_a_second_item() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Unlocked);
    s.doctor(
        &["vault", "set", "--profile", "p-taro", "--consent"],
        "old-id",
    )
    .expect_code(0);
    s.doctor(
        &["vault", "set", "--profile", "p-taro", "--consent"],
        "new-id",
    )
    .expect_code(0);
    assert_eq!(s.secret_tool_count("tebiki", "p-taro"), 1);
    let got = s.doctor(&["vault", "get", "--profile", "p-taro"], "");
    assert_eq!(got.expect_code(0).stdout.trim_end(), "new-id");
}

#[test]
fn two_matching_items_are_reported_then_replaced_by_one_on_save() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Unlocked);
    // Two items that both match service+username (another program added an attribute).
    for n in ["1", "2"] {
        s.secret_tool_store_with(
            &["service", "tebiki", "username", "p-dup", "copy", n],
            &format!("dup-{n}"),
        );
    }
    assert_eq!(s.secret_tool_count("tebiki", "p-dup"), 2);
    let got = s.doctor(&["vault", "get", "--profile", "p-dup"], "");
    got.expect_code(4);
    assert!(got.stderr.contains("several keychain items"), "{got:#?}");
    assert!(got.stderr.contains("削除して"), "{got:#?}");
    assert!(!got.stdout.contains("dup-"), "{got:#?}");

    s.doctor(
        &["vault", "set", "--profile", "p-dup", "--consent"],
        "the-one",
    )
    .expect_code(0);
    assert_eq!(s.secret_tool_count("tebiki", "p-dup"), 1);
    let got = s.doctor(&["vault", "get", "--profile", "p-dup"], "");
    assert_eq!(got.expect_code(0).stdout.trim_end(), "the-one");
}

#[test]
fn saving_without_consent_is_refused_and_nothing_reaches_the_keyring() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Unlocked);
    let r = s.doctor(&["vault", "set", "--profile", "p-taro"], "no-consent-id");
    r.expect_code(2);
    assert!(r.stderr.contains("consent"), "{r:#?}");
    assert_eq!(s.secret_tool_lookup("tebiki", "p-taro"), None);
}

#[test]
fn no_session_bus_is_unavailable_quickly_with_the_message_and_writes_nothing() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::None);
    let id = "no-bus-id-5551234";

    let status = s.doctor_without_bus(&["vault", "status"], "");
    status.expect_code(3);
    println!("no bus: status took {:?}", status.elapsed);
    assert!(
        status.stdout.contains("unavailable: no_keychain"),
        "{status:#?}"
    );
    assert!(status.stdout.contains(MESSAGE_JA) && status.stdout.contains(MESSAGE_EN));
    assert!(status.elapsed < QUICK, "{:?}", status.elapsed);

    let set = s.doctor_without_bus(&["vault", "set", "--profile", "p-taro", "--consent"], id);
    set.expect_code(3);
    assert!(
        set.stderr.contains(MESSAGE_JA) && set.stderr.contains(MESSAGE_EN),
        "{set:#?}"
    );
    assert!(set.elapsed < QUICK, "{:?}", set.elapsed);

    // Nothing anywhere: not in HOME, the data or runtime dirs, nor the working directory.
    assert_eq!(
        files_containing(s.dir.path(), id),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(count_files(&s.home()) + count_files(&s.work_dir()), 0);
}

#[test]
fn bus_without_a_secret_service_is_unavailable_quickly_and_writes_nothing() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::None);
    let id = "no-service-id-5559876";

    let status = s.doctor(&["vault", "status"], "");
    status.expect_code(3);
    println!("bus without service: status took {:?}", status.elapsed);
    assert!(
        status.stdout.contains("unavailable: no_keychain"),
        "{status:#?}"
    );
    assert!(
        status.stdout.contains("org.freedesktop.secrets"),
        "{status:#?}"
    );
    assert!(status.stdout.contains(MESSAGE_JA));
    assert!(status.elapsed < QUICK);

    let set = s.doctor(&["vault", "set", "--profile", "p-taro", "--consent"], id);
    set.expect_code(3);
    assert!(set.stderr.contains(MESSAGE_EN), "{set:#?}");
    assert_eq!(
        files_containing(s.dir.path(), id),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(count_files(&s.home()) + count_files(&s.work_dir()), 0);
}

#[test]
fn locked_keyring_refuses_to_save_with_the_message_and_writes_nothing() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Locked);
    let id = "locked-id-5550000";
    let set = s.doctor(
        &[
            "vault",
            "set",
            "--profile",
            "p-taro",
            "--consent",
            "--timeout-ms",
            "4000",
        ],
        id,
    );
    println!("locked: set took {:?}: {}", set.elapsed, set.stderr);
    set.expect_code(3);
    assert!(set.stderr.contains(MESSAGE_JA), "{set:#?}");
    assert!(set.elapsed < QUICK);
    assert_eq!(s.secret_tool_lookup("tebiki", "p-taro"), None);
    assert_eq!(
        files_containing(s.dir.path(), id),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn frozen_keyring_daemon_is_reported_unavailable_within_the_time_limit() {
    if !have_keyring_tools() {
        return;
    }
    let s = Session::start(Keyring::Unlocked);
    s.signal_keyring("STOP");
    let status = s.doctor(&["vault", "status", "--probe-timeout-ms", "800"], "");
    let set = s.doctor(
        &[
            "vault",
            "set",
            "--profile",
            "p-taro",
            "--consent",
            "--timeout-ms",
            "800",
        ],
        "frozen-id-5551111",
    );
    s.signal_keyring("CONT");
    println!(
        "frozen daemon: status took {:?}, set took {:?}",
        status.elapsed, set.elapsed
    );
    status.expect_code(3);
    assert!(
        status.stdout.contains("unavailable: not_answering"),
        "{status:#?}"
    );
    assert!(status.stdout.contains(MESSAGE_EN));
    assert!(status.elapsed >= Duration::from_millis(800));
    assert!(status.elapsed < QUICK, "{:?}", status.elapsed);
    set.expect_code(3);
    assert!(set.elapsed < QUICK, "{:?}", set.elapsed);
    // Awake again, the keyring answers and holds nothing from the frozen minute.
    s.doctor(&["vault", "get", "--profile", "p-taro"], "")
        .expect_code(1);
    s.doctor(&["vault", "status"], "").expect_code(0);
}
