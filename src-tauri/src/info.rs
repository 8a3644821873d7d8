//! What the app says about itself (version, platform) on the home screen.

use tebiki_core::app::AppInfo;

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo::current()
}
