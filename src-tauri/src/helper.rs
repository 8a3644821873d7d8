//! The helper's screens: the order card as data (for the window's print view) and the
//! session record as text. Profiles, the saved ID and exports are `Command`s through
//! `session::command`; these two are questions that do not change anything.

use tauri::State;
use tebiki_core::app::App;
use tebiki_core::app::paper::CardView;
use tebiki_core::i18n::Lang;

#[tauri::command]
pub async fn card_view(app: State<'_, App>, lang: Lang) -> Result<Option<CardView>, ()> {
    Ok(app.card_view(lang).await)
}

#[tauri::command]
pub async fn record_view(app: State<'_, App>, lang: Lang) -> Result<Option<String>, ()> {
    Ok(app.record_markdown(lang).await)
}
