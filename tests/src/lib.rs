//! The e2e harness: starts tauri-driver under Xvfb and the app, hands back a WebDriver client.
