//! What only the desktop can do for the core: open the default browser, show a system
//! notification. Test switch: with `TEBIKI_RECORD_OPEN_URLS=FILE`, URLs are appended to
//! FILE instead of opening a browser (the e2e tests check what would have been opened).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_plugin_opener::OpenerExt;
use tebiki_core::app::Desktop;
use tebiki_core::i18n::{Lang, Text};

use crate::prefs::UiLang;

pub struct TauriDesktop<R: Runtime> {
    app: AppHandle<R>,
    record_urls: Option<PathBuf>,
    lang: Arc<UiLang>,
}

impl<R: Runtime> TauriDesktop<R> {
    pub fn new(app: AppHandle<R>, lang: Arc<UiLang>) -> Self {
        TauriDesktop {
            app,
            record_urls: std::env::var_os("TEBIKI_RECORD_OPEN_URLS").map(PathBuf::from),
            lang,
        }
    }

    fn lang(&self) -> Lang {
        self.lang.get()
    }
}

impl<R: Runtime> Desktop for TauriDesktop<R> {
    fn open_url(&self, url: &str) -> Result<(), String> {
        log::info!("opening an official page: {url}");
        if let Some(path) = &self.record_urls {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| e.to_string())?;
            return writeln!(file, "{url}").map_err(|e| e.to_string());
        }
        self.app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
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
}
