//! Shared helpers for the `net_*` integration tests: fixture loading, and the one place that
//! decides whether a test whose prerequisite is missing skips or fails.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tebiki_core::net::Snapshot;

/// `core/tests/fixtures/net`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("net")
}

/// Loads `fixtures/net/<case>/snapshot.json` and, when the case has a fake sysfs tree, fills
/// the Linux details from it with the same function the live snapshot uses.
pub fn load_fixture(case: &str) -> Snapshot {
    let dir = fixtures().join(case);
    let text = std::fs::read_to_string(dir.join("snapshot.json"))
        .unwrap_or_else(|e| panic!("read fixture {case}: {e}"));
    #[allow(unused_mut)]
    let mut s: Snapshot =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse fixture {case}: {e}"));
    #[cfg(target_os = "linux")]
    {
        let sys = dir.join("sys").join("class").join("net");
        if sys.is_dir() {
            tebiki_core::net::linux::fill_sysfs_details(&mut s, &sys);
        }
    }
    s
}

/// Root, and `ip netns` works here.
pub fn can_use_netns() -> Result<(), String> {
    if !tebiki_test_support::is_root() {
        return Err(
            "needs root for ip netns (run the suite as root: sudo scripts/test.sh)".to_owned(),
        );
    }
    match std::process::Command::new("ip")
        .arg("netns")
        .arg("list")
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "ip netns does not work here: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!(
            "the ip command is missing (apt-get install iproute2): {e}"
        )),
    }
}

/// A network namespace named `tbk-<tag>-<pid>`, deleted on drop even when the test fails.
pub struct Netns(pub String);

impl Netns {
    pub fn new(tag: &str) -> Netns {
        let name = format!("tbk-{tag}-{}", std::process::id());
        // A leftover from a killed earlier run with the same pid is removed first.
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &name])
            .output();
        ip(&["netns", "add", &name]);
        Netns(name)
    }

    /// `ip -n <ns> ARGS…`, asserting success.
    pub fn ip(&self, args: &[&str]) {
        let mut full = vec!["-n", self.0.as_str()];
        full.extend_from_slice(args);
        ip(&full);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.0])
            .status();
    }
}

/// `ip ARGS…`, asserting success.
pub fn ip(args: &[&str]) {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
