// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    {
        draw_without_gpu_compositing();
        work_around_blank_window();
    }
    tebiki_lib::run();
}

/// Tebiki's pages are static text and pictures (no animation, video, 3D or canvas), so
/// WebKitGTK's GPU compositing buys nothing here and costs a lot. Measured under Xvfb
/// (`bench/startup`, see docs/BENCHMARKS.md), without it the home screen is drawn in about
/// half the time and the app uses ~95 MiB less memory; and no GPU driver is in the path,
/// which is where WebKitGTK's blank windows and crashes with some drivers (NVIDIA's "Failed
/// to create GBM buffer") come from. `TEBIKI_GPU_COMPOSITING=1`, or either WebKit variable
/// set by the user, keeps WebKit's own choice.
#[cfg(target_os = "linux")]
fn draw_without_gpu_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    let chosen = std::env::var_os(VAR).is_some()
        || std::env::var_os("WEBKIT_FORCE_COMPOSITING_MODE").is_some()
        || std::env::var_os("TEBIKI_GPU_COMPOSITING").is_some_and(|v| v == "1");
    if !chosen {
        switch_on(VAR);
    }
}

/// WebKitGTK's DMA-BUF renderer shows a blank white window with NVIDIA's proprietary driver.
/// A family member cannot debug that, so on such a PC turn it off unless the user chose.
/// It only matters when GPU compositing was turned back on (`TEBIKI_GPU_COMPOSITING=1`):
/// without compositing, DMA-BUF is not used at all.
#[cfg(target_os = "linux")]
fn work_around_blank_window() {
    const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    let nvidia = std::path::Path::new("/proc/driver/nvidia/version").exists();
    if nvidia && std::env::var_os(VAR).is_none() {
        switch_on(VAR);
    }
}

/// Sets a WebKit switch (`VAR=1`) for this process and the WebKit processes it starts.
/// Only called first thing in `main`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn switch_on(var: &str) {
    // SAFETY: called first thing in `main`, before any other thread exists, so nothing can
    // read the environment concurrently.
    unsafe { std::env::set_var(var, "1") };
}
