//! `app` wires the adapters to the engine on tokio: it executes effects, feeds observations
//! back as events and publishes state snapshots. The Tauri shell and the tests drive it.

use serde::Serialize;

/// What the app reports about itself on the home screen and in `tebiki-doctor --version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// `linux`, `windows`, `macos`, …
    pub os: String,
    /// `x86_64`, `aarch64`, …
    pub arch: String,
}

impl AppInfo {
    pub fn current() -> AppInfo {
        AppInfo {
            name: "Tebiki".to_owned(),
            version: crate::VERSION.to_owned(),
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_names_this_build() {
        let info = AppInfo::current();
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.os, std::env::consts::OS);
        assert!(!info.arch.is_empty());
    }
}
