//! What only the desktop can do for the core: open the default browser, show a system
//! notification, use the clipboard ("copy ID"), open an exported page to print. Test switch
//! (test builds only, `tebiki_core::app::test_switches`): with `TEBIKI_RECORD_OPEN_URLS=FILE`,
//! URLs and exported files are appended to FILE instead of being opened (the e2e tests check
//! what would have been opened).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_opener::OpenerExt;
use tebiki_core::app::{Desktop, DesktopError};
use tebiki_core::i18n::{Lang, Text};

use crate::prefs::UiLang;

/// The system clipboard, opened on first use and kept open: on X11 the copied text is served
/// by this process for as long as the clipboard object lives. [`SystemClipboard::close`] at
/// exit (arboard's clipboard must be dropped before the process ends).
#[derive(Default)]
pub struct SystemClipboard(Mutex<Option<arboard::Clipboard>>);

impl SystemClipboard {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, arboard::Error> {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let clipboard = match slot.as_mut() {
            Some(c) => c,
            // Not opened yet, or it failed last time: try again now.
            None => slot.insert(arboard::Clipboard::new()?),
        };
        f(clipboard)
    }

    /// Puts `text` on the clipboard, marked as a secret so clipboard managers keep it out of
    /// their history (Windows: also out of cloud sync).
    fn set_secret(&self, text: &str) -> Result<(), arboard::Error> {
        self.with(|c| {
            let set = c.set();
            #[cfg(windows)]
            let set = arboard::SetExtWindows::exclude_from_monitoring(set);
            #[cfg(target_os = "macos")]
            let set = arboard::SetExtApple::exclude_from_history(set);
            #[cfg(not(any(windows, target_os = "macos")))]
            let set = arboard::SetExtLinux::exclude_from_history(set);
            set.text(text)
        })
    }

    pub fn close(&self) {
        drop(self.0.lock().unwrap_or_else(PoisonError::into_inner).take());
    }
}

pub struct TauriDesktop<R: Runtime> {
    app: AppHandle<R>,
    record_urls: Option<PathBuf>,
    lang: Arc<UiLang>,
    clipboard: Arc<SystemClipboard>,
}

impl<R: Runtime> TauriDesktop<R> {
    pub fn new(app: AppHandle<R>, lang: Arc<UiLang>, clipboard: Arc<SystemClipboard>) -> Self {
        TauriDesktop {
            app,
            record_urls: tebiki_core::app::test_switches::record_open_urls(),
            lang,
            clipboard,
        }
    }

    fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// Test switch: append `line` to the record file instead of acting. `None`: not recording;
    /// `Some(Err(what went wrong))` when the file could not be written.
    fn record(&self, line: &str) -> Option<Result<(), String>> {
        let path = self.record_urls.as_ref()?;
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| writeln!(file, "{line}"))
            .map_err(|e| e.to_string());
        Some(written)
    }
}

impl<R: Runtime> Desktop for TauriDesktop<R> {
    fn open_url(&self, url: &str) -> Result<(), DesktopError> {
        log::info!("opening an official page: {url}");
        let failed = |detail: String| DesktopError::OpenUrl {
            url: url.to_owned(),
            detail,
        };
        if let Some(recorded) = self.record(url) {
            return recorded.map_err(failed);
        }
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| failed(e.to_string()))
    }

    fn notify(&self, text: &Text) {
        let title = match self.lang() {
            Lang::Ja => "手引き",
            Lang::En => "Tebiki",
        };
        let shown = self
            .app
            .notification()
            .builder()
            .title(title)
            .body(text.get(self.lang()))
            .show();
        if let Err(e) = shown {
            // The window shows the same message; a missing notification daemon is no reason
            // to stop.
            log::warn!("could not show a system notification: {e}");
        }
    }

    // The ID itself is never logged: only that a copy happened.
    fn copy_text(&self, text: &str) -> Result<(), DesktopError> {
        self.clipboard
            .set_secret(text)
            .map_err(|e| DesktopError::Copy {
                detail: e.to_string(),
            })
    }

    fn read_text(&self) -> Option<String> {
        self.clipboard.with(|c| c.get_text()).ok()
    }

    fn clear_clipboard(&self) -> Result<(), DesktopError> {
        self.clipboard
            .with(|c| c.clear())
            .map_err(|e| DesktopError::ClearClipboard {
                detail: e.to_string(),
            })
    }

    fn picture_svg(&self, id: &str) -> Option<String> {
        // The window's own bundled assets: the same pictures the screens show.
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        let asset = self
            .app
            .asset_resolver()
            .get(format!("pictures/{id}.svg"))?;
        String::from_utf8(asset.bytes).ok()
    }

    fn open_file(&self, path: &Path) -> Result<(), DesktopError> {
        log::info!("opening {} to print", path.display());
        let failed = |detail: String| DesktopError::OpenFile {
            path: path.to_owned(),
            detail,
        };
        if let Some(recorded) = self.record(&path.display().to_string()) {
            return recorded.map_err(failed);
        }
        self.app
            .opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map_err(|e| failed(e.to_string()))
    }
}
