//! The guided session: forwards the window's commands to `tebiki_core::app::App` and its
//! snapshots back to the window. No rules here.

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tebiki_core::app::{App, Command, Snapshot};

#[tauri::command]
pub fn snapshot(app: State<'_, App>) -> Snapshot {
    app.snapshot()
}

/// How a window command can fail: only before the core runs (the window asked before set-up
/// finished). The window then tells the person the action did not happen ("command_failed").
#[derive(Debug, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommandError {
    #[error("Tebiki's core is not running yet")]
    NotStarted,
}

/// The running core, cloned out of the app's state so the command owns what it awaits with.
pub(crate) fn core<R: Runtime>(handle: &AppHandle<R>) -> Result<App, CommandError> {
    handle
        .try_state::<App>()
        .map(|app| app.inner().clone())
        .ok_or(CommandError::NotStarted)
}

#[tauri::command]
pub async fn command<R: Runtime>(
    handle: AppHandle<R>,
    command: Command,
) -> Result<Snapshot, CommandError> {
    Ok(core(&handle)?.command(command).await)
}

/// Streams every new snapshot to the window, starting with the current one, until the
/// window goes away.
#[tauri::command]
pub fn subscribe(app: State<'_, App>, channel: Channel<Snapshot>) {
    let mut updates = app.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let snapshot = updates.borrow_and_update().clone();
            if channel.send(snapshot).is_err() {
                break;
            }
            if updates.changed().await.is_err() {
                break;
            }
        }
    });
}
