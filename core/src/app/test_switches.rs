//! Switches that exist only in test builds: the `test-switches` feature, which src-tauri's
//! dev-dependencies turn on, so the suite's one `cargo test` build (whose app binary the e2e
//! tests launch) has them and a shipped binary (`cargo build --release`, the .deb) neither
//! reads nor mentions them.
//!
//! - `TEBIKI_RECORD_OPEN_URLS=FILE`: the desktop appends the URLs and exported files it would
//!   open to FILE instead of opening them ([`record_open_urls`]);
//! - `TEBIKI_CLIPBOARD_HOLD_SECS=N`, `TEBIKI_BLUEZ_BUS=ADDRESS`, `TEBIKI_PC_STAND_IN=…`: read by
//!   [`super::AppConfig::from_env`].

use std::path::PathBuf;

/// `TEBIKI_RECORD_OPEN_URLS`, in a test build; always `None` in a shipped one.
pub fn record_open_urls() -> Option<PathBuf> {
    #[cfg(feature = "test-switches")]
    {
        std::env::var_os("TEBIKI_RECORD_OPEN_URLS").map(PathBuf::from)
    }
    #[cfg(not(feature = "test-switches"))]
    {
        None
    }
}
