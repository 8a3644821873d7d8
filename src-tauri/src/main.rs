// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    work_around_blank_window_on_linux();
    tebiki_lib::run();
}

/// WebKitGTK's DMA-BUF renderer shows a blank white window with NVIDIA's proprietary driver.
/// A family member cannot debug that, so on such a PC turn it off unless the user chose.
/// Only there: elsewhere the default renderer is the better-tested path (and under Xvfb the
/// fallback renderer never completes a snapshot, which would hang the e2e screenshots).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn work_around_blank_window_on_linux() {
    const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    let nvidia = std::path::Path::new("/proc/driver/nvidia/version").exists();
    if nvidia && std::env::var_os(VAR).is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists, so nothing
        // can read the environment concurrently.
        unsafe { std::env::set_var(VAR, "1") };
    }
}

#[cfg(not(target_os = "linux"))]
fn work_around_blank_window_on_linux() {}
