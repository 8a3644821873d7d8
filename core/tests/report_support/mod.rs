//! Shared helpers for the report tests: the au playbook, a session driver that feeds the
//! record exactly as the app does (one `note` per applied event), the skip-or-require rule
//! for tools this machine may lack, and headless Chromium printing a page to PDF.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tebiki_core::facts::{Observation, UnixMs};
use tebiki_core::flow::{Effect, Event, Session};
use tebiki_core::report::Record;

// The clock, the au playbook and the plain events are the flow tests' own helpers.
#[path = "../flow_support/mod.rs"]
mod flow_support;
pub use flow_support::{at, au, confirm, next};

pub fn measured(key: &str, value: &str, secs: i64, evidence: &str) -> Event {
    Event::Observe(Observation::measured(key, value, at(secs), evidence))
}

/// A session and its record, fed the way `app::actor` is told to feed it.
pub struct Recorded {
    pub session: Session,
    pub record: Record,
    pub effects: Vec<Effect>,
    count: u64,
}

impl Recorded {
    pub fn new() -> Recorded {
        let session = Session::new(au());
        let record = Record::new(&session.view(UnixMs(0))).with_utc_offset(540);
        Recorded {
            session,
            record,
            effects: Vec::new(),
            count: 0,
        }
    }

    /// The one call per event the app makes (`Record::apply` in place of `Session::apply`);
    /// every tenth event goes through `note` by hand instead, so both ways are exercised.
    pub fn apply(&mut self, event: Event) -> &mut Self {
        self.count += 1;
        let effects = if self.count.is_multiple_of(10) {
            let before = self.session.view(self.session.now());
            let effects = self.session.apply(event.clone());
            let now = self.session.now();
            let after = self.session.view(now);
            self.record.note(now, &event, &effects, &before, &after);
            effects
        } else {
            self.record.apply(&mut self.session, event)
        };
        self.effects.extend(effects);
        self
    }

    pub fn run(&mut self, events: impl IntoIterator<Item = Event>) -> &mut Self {
        for e in events {
            self.apply(e);
        }
        self
    }

    pub fn step(&self) -> Option<&str> {
        self.session.step_id()
    }
}

/// The clock reaching `secs` (observations never move the session's clock).
pub fn tick(secs: i64) -> Event {
    Event::Tick { now: at(secs) }
}

/// The au happy path with evidence shaped like the real observers' (the phone-check URL
/// deliberately left in one, as a careless observer might).
pub fn happy_path(evidence_with_url: &str) -> Vec<Event> {
    vec![
        Event::Start { now: at(0) },
        measured(
            "pc.path",
            "wifi",
            0,
            "default route via wlan0: DEVTYPE=wlan",
        ),
        Event::Act {
            action: 0,
            now: at(2),
        },
        next(20),
        next(60),
        tick(75),
        measured("phone.platform", "iphone", 75, "User-Agent says iPhone"),
        measured("phone.presence", "on_lan", 75, evidence_with_url),
        measured("phone.presence", "on_lan", 75, evidence_with_url),
        next(90),
        tick(130),
        measured(
            "phone.presence",
            "left_lan",
            130,
            "no answer on the home network (unicast ARP: 3 tries over 3000 ms)",
        ),
        measured(
            "phone.presence",
            "left_lan",
            130,
            "no answer on the home network (unicast ARP: 3 tries over 3000 ms)",
        ),
        // The checklist: one screen, each line confirmed on its own.
        next(135),
        confirm("phone.mobile_data", "on", 140),
        confirm("phone.vpn", "off", 150),
        confirm("phone.private_relay", "off", 160),
        confirm("phone.biometrics", "ready", 170),
        confirm("phone.my_au_app", "current", 180),
        next(181),
        next(200),
        tick(250),
        measured(
            "phone.presence",
            "left_lan",
            250,
            "no answer on the home network (unicast ARP: 3 tries over 3000 ms); still away at probe 12",
        ),
        next(260),
        next(400),
    ]
}

pub const CHROMIUM: &str = "/usr/lib/chromium/chromium";

/// `true` if headless Chromium and poppler's tools are here; otherwise the workspace's one
/// rule ([`tebiki_test_support::require`]: fails under CI or as root, else a counted skip).
pub fn have_chromium_and_poppler() -> bool {
    use tebiki_test_support::{on_path, require};
    require(
        on_path(CHROMIUM),
        "headless Chromium (/usr/lib/chromium/chromium) is missing (apt-get install chromium)",
    ) && require(
        ["pdfinfo", "pdftotext", "pdftoppm"]
            .iter()
            .all(|t| on_path(t)),
        "poppler's pdfinfo, pdftotext and pdftoppm are missing (apt-get install poppler-utils)",
    )
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("tebiki-report-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process in its own process group, killed with its whole group on drop.
struct Reaped(Option<Child>);

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            if matches!(c.try_wait(), Ok(None)) {
                // Chromium forks helpers; they share the group we gave the main process.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", c.id())])
                    .status();
                let _ = c.kill();
            }
            let _ = c.wait();
        }
    }
}

/// Prints `html` (a file) to `pdf` with headless Chromium; generous timeout, killed on
/// drop. Returns how long it took.
pub fn print_to_pdf(html: &Path, pdf: &Path, profile: &Path) -> Duration {
    let started = Instant::now();
    let mut command = Command::new(CHROMIUM);
    // Its own process group, so the whole Chromium tree can be killed (Unix; the report tests
    // run on Linux, this only has to compile for the Windows cross-check).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut child = Reaped(Some(child));
    let deadline = started + Duration::from_secs(120);
    loop {
        let c = child.0.as_mut().unwrap();
        if let Some(status) = c.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "chromium did not finish printing within 120 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(pdf.is_file(), "chromium wrote no PDF at {}", pdf.display());
    started.elapsed()
}

/// Runs a poppler tool and returns its stdout.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().expect("run poppler");
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text with every kind of whitespace removed and typographic ligatures spelled out: PDF
/// text extraction breaks lines where the layout did, and a font that draws "ff" or "fi"
/// as one glyph (DejaVu Sans and Noto Sans CJK both do) comes back from pdftotext as one
/// character (U+FB00 "ﬀ"), so "off" would not be found in a PDF that shows it.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    out
}

/// Finds runs of exactly-shaped tokens: 22 base64url characters bounded by non-token
/// characters (the phone check's token format).
pub fn token_shaped_runs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let tok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    for c in s.chars().chain(std::iter::once(' ')) {
        if tok(c) {
            run.push(c);
        } else {
            if run.len() == 22 {
                out.push(run.clone());
            }
            run.clear();
        }
    }
    out
}
