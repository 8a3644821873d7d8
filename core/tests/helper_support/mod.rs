//! Shared helpers for `app_helper`: a desktop whose clipboard is a recorded value, the test
//! config (short clipboard hold), waiting on snapshots, a short real session, and the leak
//! scan's file walk.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tebiki_core::app::{App, AppConfig, Command, Desktop, DesktopError, ProbeSetting, Snapshot};
use tebiki_core::i18n::Text;

/// A desktop with a clipboard held in memory; records what was copied and each clear.
#[derive(Default)]
pub struct ClipboardDesk {
    clip: Mutex<Option<String>>,
    history: Mutex<Vec<String>>,
    clears: Mutex<usize>,
    pub opened: Mutex<Vec<String>>,
    pub files: Mutex<Vec<std::path::PathBuf>>,
}

impl ClipboardDesk {
    pub fn clipboard(&self) -> Option<String> {
        self.clip.lock().unwrap().clone()
    }
    pub fn user_copies(&self, text: &str) {
        *self.clip.lock().unwrap() = Some(text.to_owned());
    }
    pub fn clears(&self) -> usize {
        *self.clears.lock().unwrap()
    }
    pub fn history(&self) -> Vec<String> {
        self.history.lock().unwrap().clone()
    }
}

impl Desktop for ClipboardDesk {
    fn open_url(&self, url: &str) -> Result<(), DesktopError> {
        self.opened.lock().unwrap().push(url.to_owned());
        Ok(())
    }
    fn notify(&self, _text: &Text) {}
    fn copy_text(&self, text: &str) -> Result<(), DesktopError> {
        *self.clip.lock().unwrap() = Some(text.to_owned());
        self.history.lock().unwrap().push(text.to_owned());
        Ok(())
    }
    fn read_text(&self) -> Option<String> {
        self.clipboard()
    }
    fn clear_clipboard(&self) -> Result<(), DesktopError> {
        *self.clip.lock().unwrap() = None;
        *self.clears.lock().unwrap() += 1;
        Ok(())
    }
    fn open_file(&self, path: &Path) -> Result<(), DesktopError> {
        self.files.lock().unwrap().push(path.to_path_buf());
        Ok(())
    }
}

pub fn config(dir: &Path) -> AppConfig {
    let mut c = AppConfig::new(dir.to_path_buf());
    c.phone_bind = Some("127.0.0.1:0".parse().unwrap());
    c.probe = ProbeSetting::Off;
    c.watch_network = false;
    c.tick = Duration::from_millis(200);
    c.clipboard_hold = Duration::from_secs(1);
    c
}

pub fn step(s: &Snapshot) -> String {
    s.session
        .as_ref()
        .and_then(|v| v.step.as_ref())
        .map(|st| st.id.clone())
        .unwrap_or_default()
}

/// The index of the current step's first action of `kind`.
pub fn action(s: &Snapshot, kind: &str) -> usize {
    let st = s
        .session
        .as_ref()
        .and_then(|v| v.step.as_ref())
        .expect("a step");
    let json = serde_json::to_value(&st.actions).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind)
        .and_then(|a| a["index"].as_u64())
        .map(|i| usize::try_from(i).unwrap())
        .unwrap_or_else(|| panic!("no {kind} action in step {}", st.id))
}

/// Waits until a published snapshot satisfies `pred`.
pub async fn wait_until(app: &App, within: Duration, pred: impl Fn(&Snapshot) -> bool) -> Snapshot {
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

/// A real session with the saved ID: start, open the official page, copy the ID, reach the
/// phone check (a real loopback server), report a symptom, wait for the clipboard rule.
pub async fn run_session(app: &App) {
    let s = app
        .command(Command::Begin {
            playbook: "au-id".into(),
        })
        .await;
    assert_eq!(step(&s), "pc_login");
    app.command(Command::Act {
        action: action(&s, "open_url"),
    })
    .await;
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "pc_password");
    app.command(Command::Act {
        action: action(&s, "copy_account_id"),
    })
    .await;
    wait_until(app, Duration::from_secs(20), |s| {
        s.helper.clipboard_clear_at.is_some()
    })
    .await;
    let s = app.command(Command::Next).await;
    assert_eq!(step(&s), "phone_link");
    app.command(Command::Symptom { id: "loop".into() }).await;
    wait_until(app, Duration::from_secs(10), |s| {
        s.helper.clipboard_clear_at.is_none()
    })
    .await;
}

/// Writes every export the app offers (card and record, HTML and Markdown, both languages)
/// and returns their paths.
pub async fn export_everything(app: &App) -> Vec<std::path::PathBuf> {
    use tebiki_core::app::paper::{Paper, PaperFormat};
    use tebiki_core::i18n::Lang;
    let mut paths = Vec::new();
    for paper in [Paper::Card, Paper::Record] {
        for format in [PaperFormat::Html, PaperFormat::Markdown] {
            for lang in [Lang::Ja, Lang::En] {
                let s = app
                    .command(Command::Export {
                        paper,
                        format,
                        lang,
                    })
                    .await;
                let e = s.helper.last_export.expect("an export was written");
                assert_eq!((e.paper, e.format), (paper, format));
                paths.push(std::path::PathBuf::from(e.path));
                // One file per second at most: the names carry the time to the second.
                tokio::time::sleep(Duration::from_millis(1010)).await;
            }
        }
    }
    paths
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(k) if k.is_dir() => stack.push(path),
                Ok(k)
                    if k.is_file()
                        && std::fs::read(&path).is_ok_and(|b| {
                            b.windows(needle.len()).any(|w| w == needle.as_bytes())
                        }) =>
                {
                    hits.push(path);
                }
                _ => {}
            }
        }
    }
    hits
}

pub fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(k) if k.is_dir() => stack.push(entry.path()),
                Ok(k) if k.is_file() => n += 1,
                _ => {}
            }
        }
    }
    n
}
