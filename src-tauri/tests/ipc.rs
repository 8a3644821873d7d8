//! The app's commands through real Tauri IPC on the mock runtime, with the app's own
//! configuration and capabilities (so the ACL in `capabilities/` is enforced here too).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewUrl, WebviewWindowBuilder, test::MockRuntime};

fn app() -> App<MockRuntime> {
    tebiki_lib::with_commands(mock_builder())
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime")
}

fn request(cmd: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn app_info_answers_with_this_build_over_ipc() {
    let app = app();
    let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .expect("main window");
    let body = get_ipc_response(&window, request("app_info")).expect("app_info is allowed");
    let info: serde_json::Value = body.deserialize().expect("json");
    assert_eq!(info["name"], "Tebiki");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["os"], std::env::consts::OS);
    assert_eq!(info["arch"], std::env::consts::ARCH);
}

#[test]
fn unknown_command_is_rejected() {
    let app = app();
    let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .expect("main window");
    let err = get_ipc_response(&window, request("read_secrets")).expect_err("must be refused");
    let text = err.to_string();
    assert!(
        text.contains("read_secrets"),
        "the refusal names the command: {text}"
    );
}

#[test]
fn a_window_without_a_capability_cannot_call_app_info() {
    let app = app();
    // Capabilities grant `app_info` to the window labelled "main" only.
    let other = WebviewWindowBuilder::new(&app, "other", WebviewUrl::default())
        .build()
        .expect("second window");
    let err = get_ipc_response(&other, request("app_info")).expect_err("must be refused");
    assert!(
        err.to_string().contains("not allowed"),
        "ACL refusal: {err}"
    );
}

/// The app built as `run()` builds it, with the plugins whose powers stay Rust-side.
fn app_with_plugins() -> App<MockRuntime> {
    tebiki_lib::with_commands(tebiki_lib::with_plugins(mock_builder()))
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime with its plugins")
}

#[test]
fn with_the_real_plugins_loaded_the_window_may_call_none_of_their_commands() {
    let app = app_with_plugins();
    let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
        .build()
        .expect("main window");
    // The app's own commands still answer in this app.
    get_ipc_response(&window, request("app_info")).expect("app_info is allowed");
    for cmd in [
        "plugin:opener|open_url",
        "plugin:opener|open_path",
        "plugin:notification|notify",
        "plugin:window-state|save_window_state",
    ] {
        let err = get_ipc_response(&window, request(cmd)).expect_err(cmd);
        let text = err.to_string();
        // Refused by the ACL (the plugin is there: its own permissions are named), not
        // merely unknown.
        assert!(
            text.contains("not allowed")
                && text.contains("Permissions associated with this command"),
            "{cmd}: {text}"
        );
    }
    // The clipboard is reached through arboard on the Rust side only: no clipboard plugin is
    // loaded, so its commands do not exist for the window at all.
    for cmd in [
        "plugin:clipboard-manager|write_text",
        "plugin:clipboard-manager|read_text",
    ] {
        get_ipc_response(&window, request(cmd)).expect_err(cmd);
    }
}
