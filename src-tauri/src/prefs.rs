//! The window's display preferences that the Rust side needs too: the language of system
//! notifications.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tauri::State;
use tebiki_core::i18n::Lang;

/// The language the window shows (Japanese unless the user chose English).
#[derive(Debug, Default)]
pub struct UiLang {
    english: AtomicBool,
}

impl UiLang {
    pub fn get(&self) -> Lang {
        if self.english.load(Ordering::Relaxed) {
            Lang::En
        } else {
            Lang::Ja
        }
    }

    pub fn set(&self, lang: Lang) {
        self.english.store(lang == Lang::En, Ordering::Relaxed);
    }
}

#[tauri::command]
pub fn set_language(ui: State<'_, Arc<UiLang>>, lang: Lang) {
    ui.set(lang);
}
