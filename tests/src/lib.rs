//! The e2e harness: one call starts a private X server (Xvfb), a private D-Bus session,
//! `tauri-driver` (which drives WebKitWebDriver, which launches the real app) and hands back
//! a WebDriver client. Every process it started is killed when the session is dropped, even
//! when a test fails or panics.
//!
//! Each session gets its own HOME and XDG directories, so tests never see each other's (or
//! the developer's) profiles, logs or window state.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use fantoccini::{Client, Locator};

pub mod axe;
pub mod layout;
mod screen;

pub use layout::{MustSee, VIEWPORTS, Viewport};

/// Everything that can go wrong while setting up; each says what to do about it.
#[derive(Debug)]
pub struct HarnessError(pub String);

impl std::fmt::Display for HarnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HarnessError {}

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub(crate) fn err(msg: impl Into<String>) -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(HarnessError(msg.into()))
}

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where tests write screenshots (ignored by git): `tests/artifacts/`, or `$TEBIKI_ARTIFACTS`.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("TEBIKI_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts"))
}

/// The app binary under test: `$TEBIKI_APP`, else `target/debug/tebiki`.
pub fn app_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("TEBIKI_APP") {
        Some(p) => PathBuf::from(p),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target.join("debug").join("tebiki")
        }
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(err(format!(
            "the app binary {} does not exist: build it first with `cargo build -p tebiki` \
             (or set TEBIKI_APP to a built binary)",
            path.display()
        )))
    }
}

fn find_program(name: &str, extra: &[PathBuf]) -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    extra
        .iter()
        .cloned()
        .chain(from_path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn cargo_bin_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|p| p.join("bin"))
}

/// Whether the machine can run the e2e tests at all, and if not, why.
pub fn prerequisites() -> std::result::Result<(), String> {
    let bin = cargo_bin_dir().into_iter().collect::<Vec<_>>();
    for (prog, hint) in [
        ("tauri-driver", "cargo install tauri-driver --locked"),
        ("WebKitWebDriver", "apt-get install webkit2gtk-driver"),
        ("Xvfb", "apt-get install xvfb"),
        ("dbus-daemon", "apt-get install dbus"),
    ] {
        if find_program(prog, &bin).is_none() {
            return Err(format!(
                "{prog} is not installed (install it with `{hint}`)"
            ));
        }
    }
    app_binary().map(|_| ()).map_err(|e| e.to_string())
}

/// Skips (returns `true`) when the e2e prerequisites are missing, by the workspace's one
/// rule ([`tebiki_test_support::require`]: fails under CI or as root, else a counted skip).
pub fn skip_unless_available() -> bool {
    !tebiki_test_support::require_ok(prerequisites())
}

/// A child process in its own process group; dropping it kills the whole group.
struct Guarded {
    name: &'static str,
    child: Child,
}

impl Guarded {
    fn spawn(name: &'static str, cmd: &mut Command) -> Result<Guarded> {
        let child = cmd
            .process_group(0)
            .spawn()
            .map_err(|e| err(format!("could not start {name}: {e}")))?;
        Ok(Guarded { name, child })
    }

    fn kill_group(&mut self, signal: &str) {
        let group = format!("-{}", self.child.id());
        // `kill` the group: tauri-driver's children (WebKitWebDriver, the app) are in it too.
        let _ = Command::new("kill")
            .args([signal, "--", &group])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        self.kill_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // The leader is gone; make sure nothing else in its group survives.
                self.kill_group("-KILL");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("harness: {} did not stop on SIGTERM; killing it", self.name);
        self.kill_group("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

fn wait_for_port(port: u16, within: Duration, what: &str) -> Result<()> {
    let deadline = Instant::now() + within;
    let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr.into(), Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(err(format!(
        "{what} did not listen on port {port} within {within:?}"
    )))
}

/// Options for one app session.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Extra environment for the app (e.g. test-only switches).
    pub env: Vec<(String, String)>,
    /// Reuse this home directory instead of a fresh one (to test resume after a restart).
    pub home: Option<PathBuf>,
    /// Also run an unlocked gnome-keyring (Secret Service) on the session's private bus, so
    /// the app can keep account IDs (the keychain lives under the session's own HOME).
    pub keyring: bool,
}

/// Like [`skip_unless_available`], also needing gnome-keyring and dbus-send.
pub fn skip_unless_keyring_available() -> bool {
    if skip_unless_available() {
        return true;
    }
    let missing: Vec<&str> = ["gnome-keyring-daemon", "dbus-send"]
        .into_iter()
        .filter(|p| find_program(p, &[]).is_none())
        .collect();
    if missing.is_empty() {
        return false;
    }
    tebiki_test_support::skip(&format!(
        "{} not installed (apt-get install gnome-keyring dbus)",
        missing.join(", ")
    ));
    true
}

/// Starts an unlocked gnome-keyring on `bus` with `home`, and waits until it answers.
fn start_keyring(bus: &str, home: &Path, runtime_dir: &Path) -> Result<Guarded> {
    use std::io::Write;
    let mut keyring = Guarded::spawn(
        "gnome-keyring-daemon",
        Command::new("gnome-keyring-daemon")
            // --unlock creates the login keyring with the password on stdin and unlocks it.
            .args(["--foreground", "--components=secrets", "--unlock"])
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_RUNTIME_DIR", runtime_dir)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )?;
    if let Some(mut stdin) = keyring.child.stdin.take() {
        stdin.write_all(b"tebiki-e2e-pw")?;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .output()?;
        if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
            return Ok(keyring);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(err(
        "gnome-keyring did not appear on the private bus within 10 s",
    ))
}

/// A running app under WebDriver. Drop (or `close`) stops everything it started.
pub struct AppSession {
    pub client: Client,
    /// The private home directory the app sees (`HOME`, `XDG_*` live under it).
    pub home: PathBuf,
    /// The private X display (`:N`), e.g. to read the clipboard with `xclip`.
    pub display: String,
    // Drop order matters: the driver (and the app under it), then the bus and the display,
    // and only then the home directory the app was writing to.
    _driver: Guarded,
    _keyring: Option<Guarded>,
    _dbus: Guarded,
    _xvfb: Guarded,
    _home_guard: Option<tempfile::TempDir>,
}

impl AppSession {
    pub async fn start() -> Result<AppSession> {
        Self::start_with(AppOptions::default()).await
    }

    pub async fn start_with(options: AppOptions) -> Result<AppSession> {
        let app = app_binary()?;
        let bin = cargo_bin_dir().into_iter().collect::<Vec<_>>();
        let tauri_driver = find_program("tauri-driver", &bin).ok_or_else(|| {
            err("tauri-driver is not installed: cargo install tauri-driver --locked")
        })?;
        let native = find_program("WebKitWebDriver", &[])
            .ok_or_else(|| err("WebKitWebDriver is missing: apt-get install webkit2gtk-driver"))?;

        let (home, home_guard) = match options.home {
            Some(home) => (home, None),
            None => {
                let dir = tempfile::Builder::new().prefix("tebiki-e2e-").tempdir()?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        for sub in [".config", ".local/share", ".cache", "runtime"] {
            std::fs::create_dir_all(home.join(sub))?;
        }
        let runtime_dir = home.join("runtime");
        std::fs::set_permissions(
            &runtime_dir,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )?;

        // A private X server; -displayfd tells us which display number it took.
        let mut xvfb = Guarded::spawn(
            "Xvfb",
            Command::new("Xvfb")
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1400x1050x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        )?;
        let display = read_first_line(xvfb.child.stdout.take(), Duration::from_secs(10), "Xvfb")?;
        let display = format!(":{}", display.trim());

        // A private session bus (single-instance and notifications use D-Bus). Its config
        // has no service directories: nothing is started behind the test's back (the app's
        // keychain probe would otherwise activate a locked gnome-keyring, and its prompt,
        // in every session). A keyring, when wanted, is started below.
        let bus_conf = home.join("bus.conf");
        std::fs::write(
            &bus_conf,
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
                 <busconfig><type>session</type><listen>unix:dir={}</listen>\
                 <auth>EXTERNAL</auth><policy context=\"default\">\
                 <allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/>\
                 <allow own=\"*\"/></policy></busconfig>\n",
                runtime_dir.display()
            ),
        )?;
        let mut dbus = Guarded::spawn(
            "dbus-daemon",
            Command::new("dbus-daemon")
                .arg(format!("--config-file={}", bus_conf.display()))
                .args(["--nofork", "--print-address=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        )?;
        let bus = read_first_line(
            dbus.child.stdout.take(),
            Duration::from_secs(10),
            "dbus-daemon",
        )?;

        let keyring = if options.keyring {
            Some(start_keyring(bus.trim(), &home, &runtime_dir)?)
        } else {
            None
        };

        // The ports are free when picked but not held (tauri-driver binds them itself), so a
        // process started meanwhile (another test's browser or driver) can take one. Then
        // the session cannot be opened: start the driver again on fresh ports.
        let mut attempt = 0;
        let (driver, client) = loop {
            attempt += 1;
            let port = free_port()?;
            let native_port = free_port()?;
            let mut cmd = Command::new(&tauri_driver);
            cmd.args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .arg("--native-driver")
            .arg(&native)
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", bus.trim())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .env("LANG", "C.UTF-8")
            .env_remove("WAYLAND_DISPLAY")
            // Tests never let the app check the internet (DNS lookups and HTTPS to the
            // playbook's site would leave this machine); a test that wants a probe points it
            // at loopback.
            .env("TEBIKI_PROBE", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
            for (k, v) in &options.env {
                cmd.env(k, v);
            }
            let driver = Guarded::spawn("tauri-driver", &mut cmd)?;
            let opened = match wait_for_port(port, Duration::from_secs(20), "tauri-driver") {
                Ok(()) => open_session(port, &app).await,
                Err(e) => Err(e),
            };
            match opened {
                Ok(client) => break (driver, client),
                Err(e) if attempt < 3 => {
                    eprintln!("tauri-driver attempt {attempt} failed, trying fresh ports: {e}");
                    drop(driver);
                }
                Err(e) => return Err(e),
            }
        };

        Ok(AppSession {
            client,
            home,
            display,
            _driver: driver,
            _keyring: keyring,
            _dbus: dbus,
            _xvfb: xvfb,
            _home_guard: home_guard,
        })
    }

    /// Ends the WebDriver session (closing the app) and stops every process. Bounded: a
    /// driver that does not answer is killed with the rest when `self` drops.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
    }

    /// Kills the driver, the app and everything under them with SIGKILL at once: the app
    /// gets no chance to save anything on the way out (a crash or a power cut).
    pub fn crash(mut self) {
        self._driver.kill_group("-KILL");
        let _ = self._driver.child.wait();
    }

    /// Waits until the UI has finished its first render (`<body data-ready="true">`).
    pub async fn wait_ready(&self) -> Result<()> {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("body[data-ready='true']"))
            .await?;
        Ok(())
    }

    /// Waits for the element and clicks it. The UI rebuilds the screen whenever what it shows
    /// changes (a countdown changes every second), so an element found a moment ago can be
    /// gone by the time of the click: then it is found again, up to 3 times.
    pub async fn click(&self, css: &str) -> Result<()> {
        let mut tries = 0;
        loop {
            let el = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css))
                .await?;
            match el.click().await {
                Ok(()) => return Ok(()),
                Err(e) if tries < 3 && replaced_under_us(&e) => tries += 1,
                Err(e) => return Err(err(format!("clicking `{css}` failed: {e:?}"))),
            }
        }
    }

    /// Waits until the element's text satisfies `pred`; returns that text.
    pub async fn wait_text(
        &self,
        css: &str,
        within: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + within;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = el.text().await
            {
                if pred(&text) {
                    return Ok(text);
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(err(format!(
            "`{css}` never showed the expected text; last seen: {last:?}"
        )))
    }

    /// Saves a PNG screenshot of the app's window, read from the X screen, as
    /// `tests/artifacts/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // The webview paints asynchronously; give it a moment after the last change.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let display = self.display.clone();
        let png = tokio::time::timeout(
            Duration::from_secs(30),
            tokio::task::spawn_blocking(move || screen::window_png(&display)),
        )
        .await
        .map_err(|_| err(format!("the screenshot {name:?} took longer than 30 s")))???;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

/// Whether a click failed because the screen was rebuilt between finding the element and
/// clicking it (the session screen is rebuilt every second): worth finding it again.
/// WebKitWebDriver reports this as a missing or stale element, sometimes with no message.
fn replaced_under_us(e: &fantoccini::error::CmdError) -> bool {
    use fantoccini::error::{CmdError, ErrorStatus};
    match e {
        CmdError::Standard(w) => {
            matches!(
                w.error,
                ErrorStatus::NoSuchElement | ErrorStatus::StaleElementReference
            ) || w.message.trim().is_empty()
                || w.message.contains("not found")
        }
        other => other.to_string().contains("not found"),
    }
}

/// Opens the WebDriver session, which launches the app.
async fn open_session(port: u16, app: &Path) -> Result<Client> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app.to_string_lossy() }),
    );
    fantoccini::ClientBuilder::new(hyper_connector())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| {
            err(format!(
                "could not open a WebDriver session with the app: {e}"
            ))
        })
}

/// Plain HTTP to the driver on loopback: no TLS stack (and no OpenSSL) needed.
fn hyper_connector() -> hyper_util::client::legacy::connect::HttpConnector {
    hyper_util::client::legacy::connect::HttpConnector::new()
}

fn read_first_line(
    out: Option<impl Read + Send + 'static>,
    within: Duration,
    what: &str,
) -> Result<String> {
    let out = out.ok_or_else(|| err(format!("{what} has no stdout")))?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let mut reader = BufReader::new(out);
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        // Keep draining so the child never blocks on a full pipe.
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    match rx.recv_timeout(within) {
        Ok(line) if !line.trim().is_empty() => Ok(line),
        _ => Err(err(format!("{what} did not start within {within:?}"))),
    }
}
