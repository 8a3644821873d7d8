//! Shared helpers for the `vault_*` and `store_*` integration tests: the one place that
//! decides whether a test whose prerequisite is missing skips or fails, private temp
//! directories, a private session bus with (or without) gnome-keyring, and the
//! `tebiki-doctor` child process that talks to it.
//!
//! Why a child process: the keychain client finds the session bus through the process-wide
//! `DBUS_SESSION_BUS_ADDRESS`, and tests run in parallel threads, so each real-keychain check
//! runs `tebiki-doctor vault …` with its own environment instead of changing ours.
//!
//! Every test starts its own `dbus-daemon` (a config with no service activation, so nothing
//! else starts behind our back) and its own `gnome-keyring-daemon` with a temp `HOME`, even
//! when the suite already runs inside `dbus-run-session`: tests stay independent and the
//! temp `HOME` can be scanned for leaks.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use tebiki_test_support::on_path;

/// `true` if the keyring tools are here; otherwise the one rule applies
/// ([`tebiki_test_support::require`]: fails under CI or as root, else a counted skip).
pub fn have_keyring_tools() -> bool {
    let missing: Vec<&str> = [
        "dbus-daemon",
        "gnome-keyring-daemon",
        "secret-tool",
        "dbus-send",
        "kill",
    ]
    .into_iter()
    .filter(|p| !on_path(p))
    .collect();
    tebiki_test_support::require(
        missing.is_empty(),
        &format!(
            "the real keychain tests need {} (Debian: apt-get install dbus gnome-keyring libsecret-tools procps)",
            missing.join(", ")
        ),
    )
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        // Short: a unix socket path inside must stay under 108 bytes.
        let p = std::env::temp_dir().join(format!(
            "tbk-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && std::fs::read(&path)
                    .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                hits.push(path);
            }
        }
    }
    hits
}

/// Number of files under `dir` (to show a scan looked at something).
pub fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(k) if k.is_dir() => stack.push(entry.path()),
                Ok(k) if k.is_file() => n += 1,
                _ => {}
            }
        }
    }
    n
}

/// What runs on the private bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyring {
    /// gnome-keyring with an unlocked login keyring (password "tebiki-test-pw").
    Unlocked,
    /// gnome-keyring started without unlocking and with no login keyring: saving needs a
    /// prompt that nobody can answer.
    Locked,
    /// No Secret Service on the bus at all.
    None,
}

/// A private session: temp HOME, a dbus-daemon, maybe a gnome-keyring-daemon. Both daemons
/// are killed and the temp dir removed on drop, even when the test fails.
pub struct Session {
    pub dir: TempDir,
    pub address: String,
    bus: Child,
    keyring: Option<Child>,
}

impl Session {
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn data_home(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The working directory children run in (scanned for leaks too).
    pub fn work_dir(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn keyring_pid(&self) -> Option<u32> {
        self.keyring.as_ref().map(Child::id)
    }

    pub fn start(keyring: Keyring) -> Session {
        let dir = TempDir::new("vault");
        for sub in ["home", "data", "run", "work"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("run"),
                std::fs::Permissions::from_mode(0o700),
            )
            .unwrap();
        }
        let config = dir.path().join("bus.conf");
        // No <servicedir>: the bus activates nothing, so "no Secret Service" stays so.
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().join("run").display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the bus address");
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "bus address: {address:?}");
        let mut session = Session {
            dir,
            address,
            bus,
            keyring: None,
        };
        match keyring {
            Keyring::None => {}
            Keyring::Unlocked | Keyring::Locked => {
                let mut cmd = Command::new("gnome-keyring-daemon");
                cmd.arg("--foreground").arg("--components=secrets");
                if keyring == Keyring::Unlocked {
                    // Creates the login keyring with this password and unlocks it. A
                    // non-empty password: gnome-keyring keeps an empty-password keyring
                    // unencrypted.
                    cmd.arg("--unlock");
                } else {
                    cmd.arg("--start");
                }
                session.env(&mut cmd);
                let mut child = cmd
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start gnome-keyring-daemon");
                let mut stdin = child.stdin.take().unwrap();
                if keyring == Keyring::Unlocked {
                    stdin.write_all(b"tebiki-test-pw").unwrap();
                }
                drop(stdin);
                session.keyring = Some(child);
                session.wait_for_secret_service();
            }
        }
        session
    }

    /// The environment of a child on this session: only what it needs.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_DATA_HOME", self.data_home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("XDG_CACHE_HOME", self.home().join(".cache"))
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .current_dir(self.work_dir());
    }

    /// The same environment with no session bus at all (and a runtime dir with no `bus`
    /// socket, so the client cannot fall back to one).
    pub fn env_without_bus(&self, cmd: &mut Command) {
        self.env(cmd);
        cmd.env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", self.dir.path().join("no-bus"));
    }

    fn wait_for_secret_service(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut cmd = Command::new("dbus-send");
            self.env(&mut cmd);
            let out = cmd
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .expect("run dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not appear on the private bus within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `tebiki-doctor <args>` on this session, with `stdin` as its input.
    pub fn doctor(&self, args: &[&str], stdin: &str) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"));
        self.env(&mut cmd);
        cmd.args(args);
        Run::of(cmd, stdin)
    }

    /// Runs `tebiki-doctor <args>` with no session bus.
    pub fn doctor_without_bus(&self, args: &[&str], stdin: &str) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tebiki-doctor"));
        self.env_without_bus(&mut cmd);
        cmd.args(args);
        Run::of(cmd, stdin)
    }

    /// `secret-tool lookup service <service> username <profile>`: the secret, if any.
    pub fn secret_tool_lookup(&self, service: &str, profile: &str) -> Option<String> {
        let mut cmd = Command::new("secret-tool");
        self.env(&mut cmd);
        let out = cmd
            .args(["lookup", "service", service, "username", profile])
            .output()
            .expect("run secret-tool");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// `secret-tool search --all service <service> username <profile>`: how many items.
    pub fn secret_tool_count(&self, service: &str, profile: &str) -> usize {
        let mut cmd = Command::new("secret-tool");
        self.env(&mut cmd);
        let out = cmd
            .args(["search", "--all", "service", service, "username", profile])
            .output()
            .expect("run secret-tool");
        // secret-tool prints one "[/path]" header line per item (on stdout or stderr).
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines().filter(|l| l.starts_with("[/")).count()
    }

    /// `secret-tool store`: an item written by another program.
    pub fn secret_tool_store(&self, service: &str, profile: &str, secret: &str) {
        self.secret_tool_store_with(&["service", service, "username", profile], secret);
    }

    /// `secret-tool store` with these attribute/value pairs.
    pub fn secret_tool_store_with(&self, attributes: &[&str], secret: &str) {
        let mut cmd = Command::new("secret-tool");
        self.env(&mut cmd);
        let mut child = cmd
            .args(["store", "--label=written by secret-tool"])
            .args(attributes)
            .stdin(Stdio::piped())
            .spawn()
            .expect("run secret-tool store");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(secret.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "secret-tool store failed");
    }

    /// Sends a signal to the keyring daemon (`STOP` freezes it, `CONT` wakes it).
    pub fn signal_keyring(&self, signal: &str) {
        let pid = self
            .keyring_pid()
            .expect("no keyring daemon in this session");
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -{signal} {pid} failed");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            // A stopped process still dies from SIGKILL.
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// A finished child: exit code, output, and how long it took.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    fn of(mut cmd: Command, stdin: &str) -> Run {
        let started = Instant::now();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tebiki-doctor");
        // A child that exits early may close stdin first: ignore that error.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let out: Output = child.wait_with_output().expect("wait for tebiki-doctor");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }

    /// Panics with the whole output unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "unexpected exit: {self:#?}");
        self
    }
}
