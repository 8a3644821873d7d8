//! The guided session: forwards the window's commands to `tebiki_core::app::App` and its
//! snapshots back to the window. No rules here.

use tauri::State;
use tauri::ipc::Channel;
use tebiki_core::app::{App, Command, Snapshot};

#[tauri::command]
pub fn snapshot(app: State<'_, App>) -> Snapshot {
    app.snapshot()
}

#[tauri::command]
pub async fn command(app: State<'_, App>, command: Command) -> Result<Snapshot, ()> {
    Ok(app.command(command).await)
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
