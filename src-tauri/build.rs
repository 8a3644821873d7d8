// The app's own commands come from one list (`src/commands.rs`): they are put under the
// capability ACL here, so a command not granted in `capabilities/` cannot be invoked from the
// window, and the window's capability must grant exactly them and nothing else.

include!("src/commands.rs");

const COMMANDS: &[&str] = app_commands!(command_names);

fn main() {
    check_capability();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run the Tauri build script");
}

/// `capabilities/default.json` grants the window `allow-<command>` for every command in the
/// list and no other permission (no plugin's: opener, notification, log, … stay
/// Rust-side only).
fn check_capability() {
    let path = "capabilities/default.json";
    println!("cargo:rerun-if-changed={path}");
    println!("cargo:rerun-if-changed=src/commands.rs");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
    let mut granted: Vec<String> = json["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has no permissions list"))
        .iter()
        .map(|p| match p.as_str() {
            Some(s) => s.to_owned(),
            None => p.to_string(),
        })
        .collect();
    let mut wanted: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    granted.sort();
    wanted.sort();
    assert!(
        granted == wanted,
        "{path} must grant exactly the app's commands (src/commands.rs), nothing else.\n\
         granted: {granted:?}\nexpected: {wanted:?}"
    );
}
