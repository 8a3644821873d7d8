//! The Tauri shell: plugins, the window, and one small module per area whose commands only
//! forward to `tebiki_core`. No rules live here.

#[macro_use]
mod commands;
mod desktop;
mod helper;
mod info;
mod prefs;
mod session;

use std::sync::Arc;

use tauri::{Builder, Manager, Runtime};
use tebiki_core::app::{App, AppConfig};

/// Registers the app's own commands (the one list in `commands.rs`, which `build.rs` also
/// puts under the ACL). Shared by the real app and the mock-runtime tests, so the tests
/// exercise exactly the handler the window talks to.
pub fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(app_commands!(tauri::generate_handler))
}

/// The plugins whose powers stay on the Rust side (the window's capability grants none of
/// their commands). Shared by the real app and the IPC tests, so the tests check the ACL with
/// the real plugins loaded. The log and single-instance plugins are added by [`run`] only:
/// each claims something once per process (the global logger, the D-Bus name).
pub fn with_plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
}

/// Starts the core app (session, phone link, network watch) and hands it to the commands.
fn start_core<R: Runtime>(app: &tauri::App<R>) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = app.path().app_data_dir()?;
    let (config, problems) = AppConfig::from_env(data_dir);
    for p in problems {
        log::warn!("{p}");
    }
    let lang = Arc::new(prefs::UiLang::default());
    let clipboard = Arc::new(desktop::SystemClipboard::default());
    let desktop = Arc::new(desktop::TauriDesktop::new(
        app.handle().clone(),
        lang.clone(),
        clipboard.clone(),
    ));
    // `App::start` spawns its actor on the runtime Tauri already runs.
    let core = tauri::async_runtime::block_on(async move { App::start(config, desktop) });
    app.manage(core);
    app.manage(lang);
    app.manage(clipboard);
    Ok(())
}

/// A panic on the main thread (the window's event loop) is fatal anyway, but when the window
/// could not be created (Windows without WebView2, a broken display) the event loop goes on
/// waiting for messages that never come: the process stays, invisible, and single-instance
/// then swallows every later launch. Seen under Wine: "failed to create window", then no exit.
/// Log it and end the process instead, so the person can start Tebiki again.
fn exit_on_main_thread_panic() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        if std::thread::current().name() == Some("main") {
            log::error!("Tebiki stops: {info}");
            eprintln!("Tebiki could not continue and stops: {info}");
            std::process::exit(1);
        }
    }));
}

/// Starts the desktop app.
pub fn run() {
    exit_on_main_thread_panic();
    let builder = Builder::default()
        // Must be first: a second launch only focuses the window that is already open.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                // Best effort: a window that cannot be focused is still open and usable.
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_log::Builder::new()
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: None,
                    }),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stdout),
                ])
                .level(log::LevelFilter::Info)
                .max_file_size(512 * 1024)
                .rotation_strategy(tauri_plugin_log::RotationStrategy::KeepSome(5))
                .build(),
        )
        .setup(|app| start_core(app));

    let app = match with_commands(with_plugins(builder)).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(err) => {
            // There is no window to show this in: the log and stderr are all we have.
            log::error!("Tebiki could not start: {err}");
            eprintln!("Tebiki could not start: {err}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event
            && let Some(core) = handle.try_state::<App>()
        {
            // A copied account ID must not outlive Tebiki on the clipboard.
            let core = core.inner().clone();
            tauri::async_runtime::block_on(core.closing(std::time::Duration::from_secs(2)));
        }
        if let tauri::RunEvent::Exit = event
            && let Some(clipboard) = handle.try_state::<Arc<desktop::SystemClipboard>>()
        {
            // arboard's clipboard must be dropped before the process exits.
            clipboard.close();
        }
    });
}
