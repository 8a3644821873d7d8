//! A bare Tauri 2 window: the baseline for Tebiki's start-up and memory benchmark.
//! Nothing but the builder and the context from `tauri.conf.json`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(err) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the bare window could not start: {err}");
        std::process::exit(1);
    }
}
