//! Tebiki's domain, with no Tauri dependency.
//!
//! Folder = concept: `flow` decides, `playbook` describes a service's flow as data, `net`
//! observes the PC's own connection, `pc` measures the PC's Bluetooth and OS version,
//! `phone` observes the phone through a short-lived LAN page, `vault` keeps account IDs in the OS keychain, `store` keeps profiles and the
//! resumable session, `report` tells what happened, and `app` wires them together on tokio.
//! The Tauri shell (`src-tauri`) and the `tebiki-doctor` CLI are thin fronts over this crate.

pub mod app;
mod clock;
pub mod facts;
pub mod flow;
pub mod i18n;
pub mod net;
pub mod pc;
pub mod phone;
pub mod playbook;
pub mod report;
pub mod store;
pub mod vault;

/// The crate version, shown by the app and by `tebiki-doctor --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
