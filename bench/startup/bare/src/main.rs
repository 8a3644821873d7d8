//! A bare Tauri 2 window: the baseline for Tebiki's start-up and memory benchmark.
//! Nothing but the builder, one window, and one static page.
//!
//! The window is built here rather than in `tauri.conf.json` only so the benchmark can pick
//! the page: `index.html` (an English heading, the baseline of issue 6) or, with
//! `TEBIKI_BENCH_BARE_PAGE=ja.html`, a Japanese heading, which makes WebKit load a CJK font
//! as Tebiki's Japanese screens do. `from_config`-built windows go through the same builder.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    let page = std::env::var("TEBIKI_BENCH_BARE_PAGE").unwrap_or_else(|_| "index.html".into());
    let result = tauri::Builder::default()
        .setup(move |app| {
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App(page.into()))
                .title("bare")
                .inner_size(1024.0, 768.0)
                .center()
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("the bare window could not start: {err}");
        std::process::exit(1);
    }
}
