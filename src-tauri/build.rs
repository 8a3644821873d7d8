// Lists the app's own commands so they fall under the capability ACL (`capabilities/`):
// a command not granted there cannot be invoked from the window.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_info",
            "set_language",
            "snapshot",
            "command",
            "subscribe",
            "card_view",
            "record_view",
        ]),
    ))
    .expect("failed to run the Tauri build script");
}
