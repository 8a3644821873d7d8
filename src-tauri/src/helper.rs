//! The helper's screens: the order card as data (for the window's print view) and the
//! session record as text. Profiles, the saved ID and exports are `Command`s through
//! `session::command`; these two are questions that do not change anything.

use tauri::{AppHandle, Runtime};
use tebiki_core::app::paper::CardView;
use tebiki_core::i18n::Lang;

use crate::session::{CommandError, core};

#[tauri::command]
pub async fn card_view<R: Runtime>(
    handle: AppHandle<R>,
    lang: Lang,
) -> Result<Option<CardView>, CommandError> {
    Ok(core(&handle)?.card_view(lang).await)
}

#[tauri::command]
pub async fn record_view<R: Runtime>(
    handle: AppHandle<R>,
    lang: Lang,
) -> Result<Option<String>, CommandError> {
    Ok(core(&handle)?.record_markdown(lang).await)
}
