//! `core::app` without a window: the same orchestrator the desktop app runs, driven through
//! its commands, with a real phone-check server on the loopback and a scripted phone speaking
//! the page's protocol. Only the desktop's own powers (browser, notifications) are recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod phone_common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use phone_common::{FakePhone, ScriptedLan, TempDir};
use tebiki_core::app::{
    App, AppConfig, Command, Desktop, DesktopError, PhoneState, ProbeSetting, Snapshot,
};
use tebiki_core::i18n::Text;

#[derive(Default)]
struct Recorder {
    opened: Mutex<Vec<String>>,
    notified: Mutex<Vec<Text>>,
}

impl Desktop for Recorder {
    fn open_url(&self, url: &str) -> Result<(), DesktopError> {
        self.opened.lock().unwrap().push(url.to_owned());
        Ok(())
    }
    fn notify(&self, text: &Text) {
        self.notified.lock().unwrap().push(text.clone());
    }
}

fn config(dir: &Path) -> AppConfig {
    config_with(dir, Arc::new(ScriptedLan::default()))
}

fn config_with(dir: &Path, lan: Arc<ScriptedLan>) -> AppConfig {
    let mut c = AppConfig::new(dir.to_path_buf());
    c.phone_bind = Some("127.0.0.1:0".parse().unwrap());
    c.probe = ProbeSetting::Off;
    c.watch_network = false;
    c.tick = Duration::from_millis(200);
    c.neighbours = lan;
    c.presence.recheck_every_ms = 400;
    c
}

fn measured_evidence(s: &Snapshot, key: &str) -> Option<String> {
    s.session
        .as_ref()?
        .facts
        .iter()
        .find(|f| f.key == key)?
        .measured
        .as_ref()
        .map(|m| format!("{}: {}", m.value, m.evidence))
}

fn step(s: &Snapshot) -> String {
    s.session
        .as_ref()
        .and_then(|v| v.step.as_ref())
        .map(|st| st.id.clone())
        .unwrap_or_default()
}

/// Waits until a published snapshot satisfies `pred`.
async fn wait_until(app: &App, within: Duration, pred: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let mut rx = app.subscribe();
    let start = Instant::now();
    loop {
        let s = rx.borrow_and_update().clone();
        if pred(&s) {
            return s;
        }
        let left = within
            .checked_sub(start.elapsed())
            .unwrap_or_else(|| panic!("condition not reached within {within:?}; last: {s:#?}"));
        let _ = tokio::time::timeout(left, rx.changed()).await;
    }
}

fn action_index(s: &Snapshot, pred: impl Fn(&tebiki_core::flow::ActionView) -> bool) -> usize {
    let st = s
        .session
        .as_ref()
        .and_then(|v| v.step.as_ref())
        .expect("a step");
    st.actions
        .iter()
        .find(|a| pred(a))
        .map(|a| a.index)
        .expect("the action exists")
}

/// Presses the confirm button for `fact = value` on the current step.
async fn confirm(app: &App, fact: &str, value: &str) -> Snapshot {
    let s = app.snapshot();
    let i = action_index(&s, |a| {
        a.fact.as_deref() == Some(fact) && a.value.as_deref() == Some(value)
    });
    app.command(Command::Act { action: i }).await
}

/// Drives the session from the start to the step after the phone approval, with a scripted
/// phone that opens the page on the "Wi-Fi" and then goes silent while visible, and leaves the
/// (scripted) home network.
async fn drive_to_window(app: &App, desktop: &Recorder, lan: &ScriptedLan) {
    let s = app
        .command(Command::Begin {
            playbook: "au-id".into(),
        })
        .await;
    assert_eq!(step(&s), "pc_login");
    let open = action_index(&s, |a| a.url.is_some());
    app.command(Command::Act { action: open }).await;
    assert_eq!(
        desktop.opened.lock().unwrap().as_slice(),
        ["https://id.auone.jp/"]
    );

    app.command(Command::Next).await;
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "phone_link");
    let phone = s
        .phone
        .clone()
        .expect("the phone check started with the step");
    assert_eq!(phone.state, PhoneState::Waiting);
    let url = phone.url.expect("a URL for the QR");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let mut fake = FakePhone::open(&url).await;
    let s = wait_until(app, Duration::from_secs(3), |s| {
        s.phone
            .as_ref()
            .is_some_and(|p| p.state == PhoneState::OnLan)
    })
    .await;
    assert_eq!(
        s.phone.as_ref().and_then(|p| p.platform.as_deref()),
        Some("android")
    );

    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "phone_wifi_off");
    // While the phone is seen on the Wi-Fi, the next step is refused, with the reason.
    for _ in 0..3 {
        fake.beat("visible").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let s = app.command(Command::Next).await;
    assert_eq!(
        step(&s),
        "phone_wifi_off",
        "must not move on while on Wi-Fi"
    );
    let view = s.session.as_ref().unwrap();
    assert!(!view.next.allowed);
    let why = view
        .explanation
        .as_ref()
        .expect("an explanation")
        .text
        .ja
        .clone();
    assert!(why.contains("Wi-Fi"), "{why}");

    // The phone goes quiet while its page was visible, and no longer answers on the home
    // network: it left the Wi-Fi (within 8 s).
    lan.leave();
    let s = wait_until(app, Duration::from_secs(8), |s| {
        s.phone
            .as_ref()
            .is_some_and(|p| p.state == PhoneState::LeftLan)
    })
    .await;
    assert!(s.session.as_ref().unwrap().next.allowed, "{:#?}", s.session);
    // While the phone stays away, every probe that gets no answer is a new observation.
    let s = wait_until(app, Duration::from_secs(3), |s| {
        measured_evidence(s, "phone.presence").is_some_and(|e| e.contains("still away"))
    })
    .await;
    let e = measured_evidence(&s, "phone.presence").unwrap();
    assert!(
        e.starts_with("left_lan: no answer on the home network"),
        "{e}"
    );
    assert_eq!(
        measured_evidence(&s, "phone.network"),
        None,
        "which line the phone uses is not measured here"
    );

    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "phone_ready");
    // The checklist: five lines on one screen, each its own confirmed fact.
    for (fact, value) in [
        ("phone.mobile_data", "on"),
        ("phone.vpn", "off"),
        ("phone.private_relay", "not_iphone"),
        ("phone.biometrics", "ready"),
        ("phone.my_au_app", "current"),
    ] {
        confirm(app, fact, value).await;
    }
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "pc_show_qr");
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "phone_approve");
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "pc_reload");
}

/// The env var that tells [`journey_child_runs_until_killed`] where its data lives.
const CHILD_DIR: &str = "TEBIKI_JOURNEY_CHILD";

/// The first half of the journey, in a child process (this test binary) that the parent
/// kills with SIGKILL: no drop, no shutdown work of any kind, exactly like a crash or a power
/// cut. It prints where it got to and then waits to be killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child half of the_au_journey_runs_headless_and_a_killed_app_resumes_with_its_deadline"]
async fn journey_child_runs_until_killed() {
    let dir = std::env::var_os(CHILD_DIR).expect("started by the kill test with its directory");
    let desktop = Arc::new(Recorder::default());
    let lan = Arc::new(ScriptedLan::default());
    let app = App::start(config_with(Path::new(&dir), lan.clone()), desktop.clone());
    drive_to_window(&app, &desktop, &lan).await;

    let s = app.snapshot();
    let window = s
        .session
        .as_ref()
        .and_then(|v| v.window.clone())
        .expect("the window runs");
    assert_eq!(window.minutes, 15);
    assert!(
        window.confidence_label.ja.contains("報告"),
        "{:?}",
        window.confidence_label
    );
    let left = window.deadline.since(s.now);
    assert!((14 * 60_000..=15 * 60_000).contains(&left), "{left}");

    // The loop symptom with everything in order: start the PC login again from the top.
    let s = app.command(Command::Symptom { id: "loop".into() }).await;
    let cause = s
        .session
        .as_ref()
        .and_then(|v| v.explanation.clone())
        .expect("a cause");
    assert!(cause.text.ja.contains("最初"), "{}", cause.text.ja);

    use std::io::Write;
    println!(
        "journey-child: at {} deadline {}",
        step(&s),
        window.deadline.0
    );
    std::io::stdout().flush().unwrap();
    // The app keeps running (its phone check, its ticks) until the parent kills us.
    tokio::time::sleep(Duration::from_secs(120)).await;
    panic!("journey-child: nobody killed this process within 120 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_au_journey_runs_headless_and_a_killed_app_resumes_with_its_deadline() {
    use std::io::{BufRead, BufReader};

    let dir = TempDir::new("app-journey");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "journey_child_runs_until_killed",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_DIR, dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the child app");
    // Read the child's lines on a thread: its report, or everything it said if it failed.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut said = Vec::new();
    let report = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(r) = line.strip_prefix("journey-child: at ") {
                    break r.to_owned();
                }
                said.push(line);
            }
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "the child app did not reach the window:\n{}\n{}",
                    said.join("\n"),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    };
    let (before, deadline) = report.split_once(" deadline ").expect("step and deadline");
    let deadline: i64 = deadline.parse().expect("a deadline in ms");
    assert_eq!(
        before, "pc_reload",
        "the loop symptom with everything in order: log in again from the top"
    );

    // Kill it: SIGKILL (TerminateProcess on Windows), so nothing of the app runs after this.
    child.kill().expect("SIGKILL the child app");
    let status = child.wait().unwrap();
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "{status}"
    );
    #[cfg(not(unix))]
    assert!(!status.success(), "{status}");
    assert!(dir.path().join("session.json").is_file());

    let desktop = Arc::new(Recorder::default());
    let app = App::start(config(dir.path()), desktop.clone());
    let s = app.snapshot();
    assert!(s.resumed, "the session resumed");
    assert_eq!(step(&s), before);
    let resumed = s
        .session
        .as_ref()
        .and_then(|v| v.window.clone())
        .expect("window kept");
    assert_eq!(
        resumed.deadline.0, deadline,
        "the deadline survived the kill"
    );
    // The session's record (record.json) resumed with it: it already holds the steps
    // walked before the kill.
    assert!(s.helper.has_record, "the resumed session has its record");
    let record = app
        .record_markdown(tebiki_core::i18n::Lang::En)
        .await
        .expect("the record of the resumed session");
    assert!(record.contains("Started the phone check."), "{record}");

    // Finish: a finished session is not resumed.
    let mut s = app.snapshot();
    for _ in 0..3 {
        if s.session.as_ref().is_some_and(|v| v.finished) {
            break;
        }
        s = app.command(Command::Next).await;
    }
    assert!(
        s.session.as_ref().is_some_and(|v| v.finished),
        "{:#?}",
        s.session
    );
    drop(app);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let app = App::start(config(dir.path()), desktop.clone());
    assert!(
        app.snapshot().session.is_none(),
        "a finished session does not come back"
    );
    assert!(!dir.path().join("session.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_helper_is_warned_before_the_window_closes() {
    let dir = TempDir::new("app-warn");
    let desktop = Arc::new(Recorder::default());
    let lan = Arc::new(ScriptedLan::default());
    let mut c = config_with(dir.path(), lan.clone());
    // Warn as soon as the 15-minute window starts: the rule, with time as configuration.
    c.warn_before = Duration::from_secs(16 * 60);
    let app = App::start(c, desktop.clone());
    drive_to_window(&app, &desktop, &lan).await;
    let start = Instant::now();
    loop {
        let found = desktop
            .notified
            .lock()
            .unwrap()
            .iter()
            .any(|t| t.ja.contains("あと約 15 分"));
        if found {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "no warning notification"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Once per window, not at every tick.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let warnings = desktop
        .notified
        .lock()
        .unwrap()
        .iter()
        .filter(|t| t.ja.contains("あと約"))
        .count();
    assert_eq!(warnings, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_check_that_cannot_listen_says_so_and_the_session_goes_on() {
    let dir = TempDir::new("app-nobind");
    let mut c = config(dir.path());
    // TEST-NET-1: never an address of this machine, so binding fails (nothing is sent).
    c.phone_bind = Some("192.0.2.1:0".parse().unwrap());
    let app = App::start(c, Arc::new(Recorder::default()));
    app.command(Command::Begin {
        playbook: "au-id".into(),
    })
    .await;
    app.command(Command::Next).await;
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "phone_link");
    let phone = s.phone.expect("a phone status");
    assert_eq!(phone.state, PhoneState::Failed);
    assert!(!phone.message.ja.is_empty() && !phone.message.en.is_empty());
    assert!(
        phone.qr_svg.is_none(),
        "no QR for a server that is not there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_saved_session_is_kept_aside_and_explained() {
    let dir = TempDir::new("app-corrupt");
    std::fs::write(dir.path().join("session.json"), "{ not json").unwrap();
    let app = App::start(config(dir.path()), Arc::new(Recorder::default()));
    let s = app.snapshot();
    assert!(s.session.is_none());
    let notice = s.notice.expect("the user is told");
    assert!(notice.ja.contains("読み込めません"), "{}", notice.ja);
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("session.json.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "the bad file is kept, renamed");
    let content = std::fs::read_to_string(dir.path().join(&kept[0])).unwrap();
    assert_eq!(content, "{ not json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_official_pages_open_and_unknown_commands_change_nothing() {
    let dir = TempDir::new("app-begin");
    let desktop = Arc::new(Recorder::default());
    let app = App::start(config(dir.path()), desktop.clone());
    let s = app
        .command(Command::Begin {
            playbook: "no-such-carrier".into(),
        })
        .await;
    assert!(s.session.is_none());
    assert!(s.notice.is_some());
    let s = app
        .command(Command::Begin {
            playbook: "au-id".into(),
        })
        .await;
    // A second Begin while a session runs is refused and changes nothing.
    let again = app
        .command(Command::Begin {
            playbook: "au-id".into(),
        })
        .await;
    assert_eq!(step(&again), step(&s));
    assert!(again.notice.is_some());
    // An action number that does not exist does nothing.
    app.command(Command::Act { action: 99 }).await;
    assert!(desktop.opened.lock().unwrap().is_empty());
    // End forgets the session.
    let s = app.command(Command::End).await;
    assert!(s.session.is_none());
    assert!(!dir.path().join("session.json").exists());
}
