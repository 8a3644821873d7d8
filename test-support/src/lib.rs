//! The one rule for a test whose prerequisite (a tool, root, a namespace) is missing.
//!
//! - Under CI (`CI=true`), as root, or when `TEBIKI_REQUIRE_ALL_TESTS=1` asks for it, every
//!   test must really run: a missing prerequisite **fails** the test, with what is missing and
//!   how to install it. `TEBIKI_REQUIRE_ALL_TESTS` can only make this stricter, never looser.
//! - Elsewhere (a developer's own account) the test prints `skipped: <why>` and stops, and the
//!   skip is counted: one line is appended to the file `TEBIKI_SKIP_LOG` names (the suite,
//!   `scripts/test.sh`, sets it and prints "N skipped: why" at the end).
//!
//! Every test crate in the workspace uses this (a dev-dependency), so there is one rule.
//! Beside it, the few fixtures more than one test file needs ([`PrivateBus`]).

use std::io::Write;

/// The environment variable naming the file skips are counted in.
pub const SKIP_LOG: &str = "TEBIKI_SKIP_LOG";

/// Whether every test must run here: `CI=true`, root, or `TEBIKI_REQUIRE_ALL_TESTS=1`.
pub fn strict() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || is_root()
        || std::env::var("TEBIKI_REQUIRE_ALL_TESTS").is_ok_and(|v| v == "1")
}

/// Whether this process runs as root (effective uid 0), read from `/proc/self/status`.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|rest| rest.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// Whether `program` is an executable file on `PATH` (or, with a `/`, at that path).
pub fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return std::path::Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// `true` if the test may go on (`ok`). Otherwise, under [`strict`], panics with `why`
/// (which should say what is missing and how to install it); elsewhere prints
/// `skipped: <why>`, counts the skip and returns `false`.
pub fn require(ok: bool, why: &str) -> bool {
    if ok {
        return true;
    }
    skip(why);
    false
}

/// [`require`] for a check that says why it failed: `Ok(())` goes on.
pub fn require_ok(check: Result<(), String>) -> bool {
    match check {
        Ok(()) => true,
        Err(why) => {
            skip(&why);
            false
        }
    }
}

/// Records that the running test cannot run for `why`: a failure under [`strict`], a
/// counted skip elsewhere.
pub fn skip(why: &str) {
    if strict() {
        panic!(
            "a prerequisite is missing: {why}. Under CI or as root every test must run; \
             scripts/setup.sh --test installs everything the suite needs."
        );
    }
    println!("skipped: {why}");
    let Some(log) = std::env::var_os(SKIP_LOG) else {
        return;
    };
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(str::to_owned)
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        })
        .unwrap_or_default();
    // One short line per skip, appended in one write: parallel tests do not interleave.
    let line = format!("{test}\t{}\n", why.replace(['\n', '\t'], " "));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "could not count the skip in {}: {e}",
            std::path::Path::new(&log).display()
        );
    }
}

/// A private D-Bus session bus (`dbus-daemon --session` on a socket in a scratch directory)
/// for tests that serve fake system services (NetworkManager, BlueZ) and read them with the
/// app's own code, never touching the machine's buses. Stopped, and its directory removed, on
/// drop.
pub struct PrivateBus {
    child: std::process::Child,
    /// The scratch directory (the bus socket lives in it; tests may put files beside it).
    pub dir: std::path::PathBuf,
    /// The address to connect to (`unix:path=…`).
    pub address: String,
}

impl PrivateBus {
    /// Starts a bus in a fresh directory named after `tag` and this process.
    pub fn start(tag: &str) -> Result<PrivateBus, String> {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let dir = std::env::temp_dir().join(format!("tebiki-bus-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", dir.join("bus").display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon is missing (apt-get install dbus-daemon): {e}"))?;
        let mut line = String::new();
        let read = match child.stdout.take() {
            Some(out) => std::io::BufReader::new(out)
                .read_line(&mut line)
                .map_err(|e| e.to_string()),
            None => Err("dbus-daemon gave no stdout".to_owned()),
        };
        let address = line.trim().to_owned();
        if let Err(why) = read.and_then(|_| {
            if address.is_empty() {
                Err("dbus-daemon printed no address".to_owned())
            } else {
                Ok(())
            }
        }) {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&dir);
            return Err(why);
        }
        Ok(PrivateBus {
            child,
            dir,
            address,
        })
    }

    /// [`PrivateBus::start`], or [`skip`] (a failure under [`strict`]) with why it could not.
    pub fn start_or_skip(tag: &str) -> Option<PrivateBus> {
        match PrivateBus::start(tag) {
            Ok(bus) => Some(bus),
            Err(why) => {
                skip(&why);
                None
            }
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Prints every `log` record (the app's log lines) to stderr, as the desktop shell's logger
/// would write them to its file: for tests that scan what the app logs. Once per process.
pub fn print_logs() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            eprintln!("[{} {}] {}", record.level(), record.target(), record.args());
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_present_prerequisite_goes_on_without_a_trace() {
        assert!(require(true, "never shown"));
        assert!(require_ok(Ok(())));
    }

    #[test]
    fn root_is_read_from_proc() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|r| r.split_whitespace().nth(1).map(str::to_owned));
        assert_eq!(is_root(), uid.as_deref() == Some("0"));
    }

    #[test]
    fn a_missing_prerequisite_fails_or_is_counted() {
        let why = "frobnicator is missing (apt-get install frobnicator)";
        if strict() {
            let Err(err) = std::panic::catch_unwind(|| require(false, why)) else {
                panic!("a missing prerequisite went on under CI or as root");
            };
            let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
            assert!(msg.contains(why), "{msg}");
            assert!(msg.contains("setup.sh"), "{msg}");
        } else {
            // Count into a file of our own, in a child so the suite's own count is untouched.
            let log =
                std::env::temp_dir().join(format!("tebiki-skip-log-test-{}", std::process::id()));
            let _ = std::fs::remove_file(&log);
            let out = std::process::Command::new(std::env::current_exe().unwrap_or_default())
                .args([
                    "--exact",
                    "tests::child_skips",
                    "--nocapture",
                    "--include-ignored",
                ])
                .env(SKIP_LOG, &log)
                .output();
            let out = match out {
                Ok(o) => o,
                Err(e) => panic!("run the test binary again: {e}"),
            };
            assert!(out.status.success(), "{out:?}");
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_file(&log);
            assert_eq!(
                text,
                "tests::child_skips\tfrobnicator is missing (apt-get install frobnicator)\n"
            );
        }
    }

    /// Run only by `a_missing_prerequisite_fails_or_is_counted`, in a child process.
    #[test]
    #[ignore = "run in a child process by a_missing_prerequisite_fails_or_is_counted"]
    fn child_skips() {
        if strict() {
            return;
        }
        assert!(!require(
            false,
            "frobnicator is missing (apt-get install frobnicator)"
        ));
    }
}
