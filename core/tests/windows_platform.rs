//! Windows only (run under Wine in the suite, `scripts/wine-run.sh` as the cargo runner): the
//! real Windows APIs behind the vault, the profile store and the phone server, and the doctor's
//! subcommands as Windows processes.
//!
//! - Credential Manager: a round trip under a test service name, and the account ID appears
//!   in no file of the app-data directory.
//! - Profile writes with Windows rename semantics: replacing a file another handle has open.
//! - The phone server on loopback (only loopback: nothing else is contacted).
#![cfg(windows)]
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::windows::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tebiki_core::facts::UnixMs;
use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig};
use tebiki_core::store::{
    NewProfile, PROFILES_FILE, ProfileStore, WINDOWS_REPLACE_PATIENCE, atomic_write,
};
use tebiki_core::vault::{AccountId, Availability, Consent, KeychainVault, Vault};

/// `FILE_SHARE_READ`: how Notepad or a scanner may hold a file (no delete sharing).
const FILE_SHARE_READ: u32 = 0x1;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p =
            std::env::temp_dir().join(format!("tebiki-win-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Files under `dir` whose bytes contain `needle` as UTF-8 or as UTF-16LE (Windows' own
/// string form), and how many files were looked at.
fn files_containing(dir: &Path, needle: &str) -> (Vec<PathBuf>, usize) {
    let utf16: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let (mut hits, mut seen) = (Vec::new(), 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                seen += 1;
                let bytes = std::fs::read(&path).unwrap();
                let has = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
                if has(needle.as_bytes()) || has(&utf16) {
                    hits.push(path);
                }
            }
        }
    }
    (hits, seen)
}

fn new_profile(name: &str) -> NewProfile {
    NewProfile {
        display_name: name.to_owned(),
        service: "au-id".to_owned(),
        phone_platform: Default::default(),
        text_size: Default::default(),
        language: Default::default(),
    }
}

#[test]
fn an_account_id_round_trips_through_credential_manager_and_never_reaches_the_profile_folder() {
    let service = format!("tebiki-test-{}", std::process::id());
    let vault = KeychainVault::new().with_service(&service);
    match vault.available() {
        Availability::Available { backend } => assert_eq!(backend, "Windows Credential Manager"),
        other => panic!("Credential Manager must be available (Wine has one): {other:?}"),
    }
    let dir = TempDir::new("vault");
    let store = ProfileStore::open(&dir.0, UnixMs::now()).unwrap().store;
    let profile = store
        .add(new_profile("山田さん（母）"), UnixMs::now())
        .unwrap();
    let id = AccountId::parse("yamada.hanako.wine@example.jp").unwrap();

    vault
        .save(
            &profile.id,
            &id,
            Consent::given_by_user(&profile.id, UnixMs::now()),
        )
        .unwrap();
    assert_eq!(
        vault
            .load(&profile.id)
            .unwrap()
            .as_ref()
            .map(|a| a.expose()),
        Some(id.expose())
    );
    // The app-data folder holds the profile but not the ID (in any encoding).
    let (hits, seen) = files_containing(&dir.0, id.expose());
    assert!(seen >= 1, "the scan looked at {seen} files");
    assert!(hits.is_empty(), "the account ID leaked into {hits:?}");
    let profiles = std::fs::read_to_string(dir.0.join(PROFILES_FILE)).unwrap();
    assert!(profiles.contains("山田さん（母）"));

    vault.delete(&profile.id).unwrap();
    assert_eq!(vault.load(&profile.id).unwrap(), None);
    // Deleting again is not an error.
    vault.delete(&profile.id).unwrap();
}

fn under_wine() -> bool {
    std::env::var("TEBIKI_UNDER_WINE").as_deref() == Ok("1")
}

#[test]
fn a_profile_write_replaces_a_file_that_another_handle_has_open() {
    let dir = TempDir::new("open-reader");
    let path = dir.0.join("state.json");
    atomic_write(&path, b"old").unwrap();
    // std opens files sharing read, write and delete (as Tebiki's own readers do).
    let mut reader = std::fs::File::open(&path).unwrap();
    let mut old = Vec::new();
    reader.read_to_end(&mut old).unwrap();
    assert_eq!(old, b"old");
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(reader);
    });
    let started = Instant::now();
    atomic_write(&path, b"new").unwrap();
    let waited = started.elapsed();
    release.join().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    if under_wine() {
        // std's rename calls MoveFileExW and, when that says "access denied" (the target is
        // open), retries with the POSIX-semantics rename (FileRenameInfoEx). Wine 8 refuses
        // the latter, so a target that is open at all cannot be replaced there: the write
        // waits for the reader (atomic_write's retry).
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
    } else {
        // Windows 10 1607+ on NTFS: a target opened with FILE_SHARE_DELETE is replaced at
        // once by the POSIX-semantics rename.
        assert!(waited < Duration::from_millis(250), "{waited:?}");
    }
}

#[test]
fn a_profile_write_waits_for_a_program_that_holds_the_file_without_delete_sharing() {
    let dir = TempDir::new("held");
    let path = dir.0.join("profiles.json");
    atomic_write(&path, b"old").unwrap();
    let holder = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&path)
        .unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(holder);
    });
    let started = Instant::now();
    atomic_write(&path, b"new").unwrap();
    let waited = started.elapsed();
    release.join().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    assert!(
        waited >= Duration::from_millis(250),
        "the rename went through while the file was held ({waited:?}): Windows semantics not in effect"
    );
}

#[test]
fn a_profile_write_blocked_for_too_long_fails_cleanly_and_keeps_the_old_file() {
    let dir = TempDir::new("blocked");
    let path = dir.0.join("profiles.json");
    atomic_write(&path, b"old").unwrap();
    let holder = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ)
        .open(&path)
        .unwrap();
    let started = Instant::now();
    let err = atomic_write(&path, b"new").unwrap_err();
    let waited = started.elapsed();
    drop(holder);
    assert!(waited >= WINDOWS_REPLACE_PATIENCE, "{waited:?}");
    assert!(waited < WINDOWS_REPLACE_PATIENCE * 3, "{waited:?}");
    let msg = err.to_string();
    assert!(msg.contains("replace"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "profiles.json")
        .collect();
    assert!(
        leftovers.is_empty(),
        "temp files left behind: {leftovers:?}"
    );
}

/// A plain HTTP/1.1 GET on loopback; returns (status, body).
fn http_get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (hostport, path) = rest.split_at(rest.find('/').unwrap());
    let addr: SocketAddr = hostport.parse().unwrap();
    assert!(
        addr.ip().is_loopback(),
        "tests only talk to loopback: {addr}"
    );
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: Mozilla/5.0 (Linux; Android 10)\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_server_serves_its_page_on_loopback() {
    let mut check = PhoneCheck::start(PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ttl: Duration::from_secs(5),
        ..PhoneCheckConfig::default()
    })
    .await
    .unwrap();
    let url = check.url().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (status, body) = tokio::task::spawn_blocking(move || http_get(&url))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<html"), "{body}");
    // The PC side hears about it.
    let event = tokio::time::timeout(Duration::from_secs(5), check.events().recv())
        .await
        .unwrap()
        .unwrap();
    println!("{event:?}");
    check.stop().await;
}

fn doctor(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    println!(
        "doctor {args:?}: {:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn doctor_info_and_playbook_run_as_windows_processes() {
    let info = doctor(&["info"], "");
    assert!(info.status.success());
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("windows"), "{text}");
    let bundled = doctor(&["playbook", "--bundled"], "");
    assert!(
        bundled.status.success(),
        "the bundled playbooks validate on Windows"
    );
    // A playbook file named by a path (Unix-style here, which Wine maps to drive Z:).
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../playbooks/au-id.toml");
    let one = doctor(&["playbook", file], "");
    assert!(one.status.success());
}

#[test]
fn doctor_vault_round_trips_through_credential_manager_as_processes() {
    let service = format!("tebiki-test-doctor-{}", std::process::id());
    let svc = ["--service", service.as_str()];
    let status = doctor(&[&["vault", "status"][..], &svc].concat(), "");
    assert!(status.status.success());
    assert!(String::from_utf8_lossy(&status.stdout).contains("Windows Credential Manager"));
    let id = "sato.taro.wine@example.jp";
    let set = doctor(
        &[
            &["vault", "set", "--profile", "p-sato", "--consent"][..],
            &svc,
        ]
        .concat(),
        &format!("{id}\n"),
    );
    assert!(set.status.success());
    let get = doctor(
        &[&["vault", "get", "--profile", "p-sato"][..], &svc].concat(),
        "",
    );
    assert!(get.status.success());
    assert_eq!(String::from_utf8_lossy(&get.stdout).trim_end(), id);
    let del = doctor(
        &[&["vault", "delete", "--profile", "p-sato"][..], &svc].concat(),
        "",
    );
    assert!(del.status.success());
    let gone = doctor(
        &[&["vault", "get", "--profile", "p-sato"][..], &svc].concat(),
        "",
    );
    assert_eq!(gone.status.code(), Some(1), "nothing saved any more");
}

#[test]
fn doctor_profiles_add_and_list_in_a_windows_folder() {
    let dir = TempDir::new("doctor-profiles");
    let d = dir.0.to_string_lossy().into_owned();
    let add = doctor(
        &[
            "profiles",
            "--dir",
            &d,
            "add",
            "--name",
            "佐藤さん",
            "--count",
            "3",
        ],
        "",
    );
    assert!(add.status.success());
    let list = doctor(&["profiles", "--dir", &d, "list", "--json"], "");
    assert!(list.status.success());
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let text = v.to_string();
    for n in 1..=3 {
        assert!(text.contains(&format!("佐藤さん {n}")), "{text}");
    }
}

#[test]
fn doctor_phone_serves_on_loopback_and_ends_by_itself() {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"))
        .args(["phone", "--bind", "127.0.0.1", "--ttl", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // The first line is the "started" event with the URL.
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    let v: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["event"], "started");
    let url = v["url"].as_str().unwrap().to_owned();
    let (status, _) = http_get(&url);
    assert_eq!(status, 200);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(rest.contains("\"ended\""), "{rest}");
    assert!(started.elapsed() < Duration::from_secs(20));
}
