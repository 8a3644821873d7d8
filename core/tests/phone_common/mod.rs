//! Shared helpers for the `phone_*` integration tests: the "skip or fail" rule for missing
//! prerequisites, a raw HTTP/1.1 client (so tests can send exactly the bytes an attacker
//! would), a fake phone, a chromedriver + Chromium harness, and throw-away network namespaces.
//! Everything started here is stopped on drop, even when a test fails.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tebiki_core::phone::PhoneEvent;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc::UnboundedReceiver;

/// Whether a prerequisite-dependent test may run: the workspace's one rule
/// ([`tebiki_test_support::require`]: fails under CI or as root, else a counted skip).
pub fn prerequisite(ok: bool, why: &str) -> bool {
    tebiki_test_support::require(ok, why)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Connects to `to`, from `from` if given (any 127.x.y.z works as a distinct loopback peer).
pub async fn connect(to: SocketAddr, from: Option<IpAddr>) -> std::io::Result<TcpStream> {
    let sock = if to.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = from {
        sock.bind(SocketAddr::new(ip, 0))?;
    }
    sock.connect(to).await
}

/// Sends `raw` bytes as one request (the caller includes `Connection: close`) and reads the
/// whole response.
pub async fn raw_request(
    to: SocketAddr,
    from: Option<IpAddr>,
    raw: &[u8],
) -> std::io::Result<Resp> {
    let fut = async {
        let mut s = connect(to, from).await?;
        s.write_all(raw).await?;
        // Read until the announced body is complete (some servers keep the connection open
        // despite `Connection: close`), or to the end when no length is announced.
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                if let Some(len) = length
                    && buf.len() >= end + 4 + len
                {
                    break;
                }
            }
        }
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .map_err(|_| std::io::Error::other("response took longer than 10 s"))??;
    parse_response(&buf)
}

pub fn parse_response(buf: &[u8]) -> std::io::Result<Resp> {
    let text = String::from_utf8_lossy(buf).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no header end in {:?}", &text)))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Resp {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// Builds a request with the right `Host` for `addr`.
pub fn request(
    method: &str,
    addr: SocketAddr,
    path: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in extra {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    if method == "POST" {
        r.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r.into_bytes()
}

pub const IPHONE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1";
pub const ANDROID_UA: &str = "Mozilla/5.0 (Linux; Android 10; SOV41) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.110 Mobile Safari/537.36";

/// A scripted phone speaking the page's protocol over raw HTTP.
pub struct FakePhone {
    pub addr: SocketAddr,
    pub path: String,
    pub cookie: String,
    seq: u64,
}

impl FakePhone {
    /// Opens the page (claiming the check) and keeps the claim cookie.
    pub async fn open(url: &str) -> FakePhone {
        let rest = url.strip_prefix("http://").expect("http URL");
        let (hostport, path) = rest.split_at(rest.find('/').expect("path"));
        let addr: SocketAddr = hostport.parse().expect("IP:PORT");
        let resp = raw_request(
            addr,
            None,
            &request("GET", addr, path, &[("User-Agent", ANDROID_UA)], ""),
        )
        .await
        .expect("page request");
        assert_eq!(resp.status, 200, "the phone's page load failed: {resp:?}");
        let set = resp.header("set-cookie").expect("claim cookie");
        let cookie = set.split(';').next().expect("cookie pair").to_owned();
        FakePhone {
            addr,
            path: path.to_owned(),
            cookie,
            seq: 0,
        }
    }

    /// Sends one heartbeat; returns the status and how long it took.
    pub async fn beat(&mut self, visibility: &str) -> (u16, Duration) {
        self.seq += 1;
        let body = format!(r#"{{"s":{},"v":"{visibility}","c":""}}"#, self.seq);
        let req = request(
            "POST",
            self.addr,
            &format!("{}/beat", self.path),
            &[("Cookie", &self.cookie), ("Content-Type", "text/plain")],
            &body,
        );
        let t = Instant::now();
        let status = raw_request(self.addr, None, &req)
            .await
            .map(|r| r.status)
            .unwrap_or(0);
        (status, t.elapsed())
    }
}

/// Waits for the first event matching `pred`, up to `within`; returns it and the time taken.
pub async fn wait_for(
    rx: &mut UnboundedReceiver<PhoneEvent>,
    within: Duration,
    pred: impl Fn(&PhoneEvent) -> bool,
) -> Option<(PhoneEvent, Duration)> {
    let start = Instant::now();
    loop {
        let left = within.checked_sub(start.elapsed())?;
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(e)) if pred(&e) => return Some((e, start.elapsed())),
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Collects every event that arrives within `during`.
pub async fn drain_for(
    rx: &mut UnboundedReceiver<PhoneEvent>,
    during: Duration,
) -> Vec<PhoneEvent> {
    let mut out = Vec::new();
    let end = tokio::time::Instant::now() + during;
    while let Ok(Some(e)) = tokio::time::timeout_at(end, rx.recv()).await {
        out.push(e);
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A number unique within this test process.
pub fn unique() -> u32 {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p =
            std::env::temp_dir().join(format!("tebiki-{tag}-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&p).expect("temp dir");
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

/// Runs a command, failing with its stderr.
pub fn sh(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("spawn");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// chromedriver (and the Chromium it starts) in its own process group, killed on drop.
pub struct ChromeDriver {
    child: Child,
    pub url: String,
    _profile_parent: TempDir,
}

pub fn chrome_available() -> bool {
    have("chromedriver") && have("unshare") && Path::new(CHROMIUM).exists() && is_root()
}

/// The real browser binary (Debian's /usr/bin/chromium is a wrapper script).
pub const CHROMIUM: &str = "/usr/lib/chromium/chromium";

impl ChromeDriver {
    /// Starts chromedriver on the loopback, or inside network namespace `ns` listening for
    /// `allowed_ip` and reachable at `ns_ip`.
    pub fn start(ns: Option<(&str, IpAddr, IpAddr)>) -> ChromeDriver {
        let port = match ns {
            Some(_) => 9515,
            None => {
                let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
                l.local_addr().expect("addr").port()
            }
        };
        // chromedriver runs as init of its own pid namespace (`--kill-child`: it dies with
        // `unshare`, and the kernel then ends every Chromium process in that namespace). This
        // also confines its own clean-up: a stray kill of pid 1 or -1 by the driver cannot
        // reach anything outside the test.
        let mut cmd = Command::new(if ns.is_some() { "ip" } else { "unshare" });
        if let Some((name, _, _)) = ns {
            cmd.args(["netns", "exec", name, "unshare"]);
        }
        cmd.args([
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "chromedriver",
        ]);
        cmd.arg(format!("--port={port}"));
        if let Some((_, allowed, _)) = ns {
            cmd.arg(format!("--allowed-ips={allowed}"));
            cmd.arg("--allowed-origins=*");
        }
        cmd.arg("--silent")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().expect("start chromedriver");
        let host = match ns {
            Some((_, _, ns_ip)) => ns_ip,
            None => IpAddr::from([127, 0, 0, 1]),
        };
        let addr = SocketAddr::new(host, port);
        let start = Instant::now();
        while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "chromedriver did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        ChromeDriver {
            child,
            url: format!("http://{addr}"),
            _profile_parent: TempDir::new("chrome"),
        }
    }

    /// A new headless Chromium session presenting `user_agent` and `accept_language`.
    /// Where this driver's browser profiles live (every Chromium process of it names it).
    pub fn profiles(&self) -> String {
        self._profile_parent.path().to_string_lossy().into_owned()
    }

    pub async fn session(&self, user_agent: &str, accept_language: &str) -> fantoccini::Client {
        self.session_with(user_agent, accept_language, &[]).await
    }

    /// Like `session`, with extra Chromium flags.
    pub async fn session_with(
        &self,
        user_agent: &str,
        accept_language: &str,
        extra_args: &[&str],
    ) -> fantoccini::Client {
        let profile = self
            ._profile_parent
            .path()
            .join(format!("profile-{}", unique()));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=390,844",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--user-agent={user_agent}"),
                ],
                "prefs": { "intl.accept_languages": accept_language },
            }
        });
        let mut caps = caps;
        if let Some(args) = caps["goog:chromeOptions"]["args"].as_array_mut() {
            args.extend(extra_args.iter().map(|a| serde_json::Value::from(*a)));
        }
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let mut builder = fantoccini::ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        );
        builder.capabilities(caps);
        builder
            .connect(&self.url)
            .await
            .expect("chromedriver session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // Ask chromedriver to close its browsers, then kill it, then kill any Chromium process
        // still using one of our profiles. Only exact pids are signalled, never a group.
        if let Some(addr) = self.url.strip_prefix("http://")
            && let Ok(mut s) = std::net::TcpStream::connect(addr)
        {
            use std::io::Write;
            let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
            let _ = write!(
                s,
                "GET /shutdown HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            );
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut s, &mut sink);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        kill_processes_mentioning(&self._profile_parent.0.to_string_lossy());
    }
}

/// Kills (by exact pid) every process whose command line contains `needle`.
pub fn kill_processes_mentioning(needle: &str) {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid <= 1 || pid == me {
            continue;
        }
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(needle) {
            let _ = Command::new("/usr/bin/kill")
                .args(["-s", "KILL", "--", &pid.to_string()])
                .status();
        }
    }
}

/// Browser tests run one at a time: two Chromiums starting together on a small shared machine
/// distort the timings being measured.
pub static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Reads `document.body.dataset.state` (the page's visible state).
pub async fn page_state(client: &fantoccini::Client) -> String {
    client
        .execute("return document.body.getAttribute('data-state');", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Polls the page state until it equals `want` or `within` passes; returns the last seen.
pub async fn wait_page_state(client: &fantoccini::Client, want: &str, within: Duration) -> String {
    let start = Instant::now();
    loop {
        let s = page_state(client).await;
        if s == want || start.elapsed() > within {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A network namespace playing the phone, joined to the root namespace ("the PC") by two links:
/// "wifi" (to the check server) and "cell" (to the carrier image and for driving the browser).
/// The Wi-Fi link ends on the PC's side in a bridge, as a home router's switch: the PC's
/// address lives on the bridge, which a second, idle port keeps up when the phone's link goes
/// down (the PC's Wi-Fi stays up when the phone leaves). Deleted on drop.
pub struct PhoneNetns {
    pub name: String,
    pub wifi_pc: IpAddr,
    pub wifi_phone: IpAddr,
    pub wifi_dev: String,
    /// The PC's side of the home network (the bridge).
    pub home_dev: String,
    pub cell_pc: IpAddr,
    pub cell_phone: IpAddr,
    root_devs: Vec<String>,
    created: bool,
}

impl PhoneNetns {
    pub fn create() -> PhoneNetns {
        // The pid alone is not unique when tests run inside their own pid namespace: mix in
        // the clock.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let pid = std::process::id() ^ nanos;
        let n = unique();
        let tag = format!("{}{}", pid % 100_000, n % 100);
        let third = (pid % 250) as u8 + 1;
        let fourth = ((n % 60) * 4) as u8;
        let ip = |second: u8, last: u8| IpAddr::from([10, second, third, fourth + last]);
        let mut ns = PhoneNetns {
            name: format!("tebiki-phone-{tag}"),
            wifi_pc: ip(250, 1),
            wifi_phone: ip(250, 2),
            wifi_dev: format!("tw{tag}p"),
            home_dev: format!("tb{tag}"),
            cell_pc: ip(251, 1),
            cell_phone: ip(251, 2),
            root_devs: Vec::new(),
            created: false,
        };
        sh(&["ip", "netns", "add", &ns.name]);
        ns.created = true;
        sh(&["ip", "-n", &ns.name, "link", "set", "lo", "up"]);
        // The home network: a bridge with the PC's address, and an idle port keeping it up (a
        // veth pair; its far end speaks no ARP, so it never answers for anyone).
        let bridge = ns.home_dev.clone();
        let idle = format!("tk{tag}a");
        let idle_peer = format!("tk{tag}b");
        ns.root_devs.push(bridge.clone());
        ns.root_devs.push(idle.clone());
        sh(&["ip", "link", "add", &bridge, "type", "bridge"]);
        sh(&[
            "ip", "link", "add", &idle, "type", "veth", "peer", "name", &idle_peer,
        ]);
        sh(&["ip", "link", "set", &idle_peer, "arp", "off"]);
        sh(&["ip", "link", "set", &idle, "master", &bridge]);
        sh(&["ip", "link", "set", &idle, "up"]);
        sh(&["ip", "link", "set", &idle_peer, "up"]);
        sh(&[
            "ip",
            "addr",
            "add",
            &format!("{}/30", ns.wifi_pc),
            "dev",
            &bridge,
        ]);
        sh(&["ip", "link", "set", &bridge, "up"]);
        for (kind, pc, phone) in [
            ("w", ns.wifi_pc, ns.wifi_phone),
            ("c", ns.cell_pc, ns.cell_phone),
        ] {
            let root_dev = format!("t{kind}{tag}r");
            let ns_dev = format!("t{kind}{tag}p");
            ns.root_devs.push(root_dev.clone());
            sh(&[
                "ip", "link", "add", &root_dev, "type", "veth", "peer", "name", &ns_dev, "netns",
                &ns.name,
            ]);
            if kind == "w" {
                sh(&["ip", "link", "set", &root_dev, "master", &bridge]);
            } else {
                sh(&["ip", "addr", "add", &format!("{pc}/30"), "dev", &root_dev]);
            }
            sh(&["ip", "link", "set", &root_dev, "up"]);
            sh(&[
                "ip",
                "-n",
                &ns.name,
                "addr",
                "add",
                &format!("{phone}/30"),
                "dev",
                &ns_dev,
            ]);
            sh(&["ip", "-n", &ns.name, "link", "set", &ns_dev, "up"]);
        }
        ns
    }

    /// Turns the phone's Wi-Fi off: its link to the home network goes down (the PC's side
    /// stays up).
    pub fn wifi_off(&self) {
        sh(&[
            "ip",
            "-n",
            &self.name,
            "link",
            "set",
            &self.wifi_dev,
            "down",
        ]);
    }
}

impl Drop for PhoneNetns {
    fn drop(&mut self) {
        // Delete the root-side devices explicitly (a veth takes its peer with it): a namespace
        // can outlive `ip netns del` for a while, and its links with it.
        for dev in &self.root_devs {
            let _ = Command::new("ip")
                .args(["link", "del", dev])
                .stderr(Stdio::null())
                .status();
        }
        if self.created {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.name])
                .status();
        }
    }
}

/// Suspends (or resumes) every Chromium renderer of the browser using `profile`, as iOS
/// suspends a page in the background: no script runs, nothing is sent. Exact pids only.
pub fn suspend_renderers(profile_marker: &str, stop: bool) -> usize {
    let mut n = 0;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd);
        if cmd.contains("--type=renderer") && cmd.contains(profile_marker) {
            let sig = if stop { "-STOP" } else { "-CONT" };
            let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
            n += 1;
        }
    }
    n
}

/// A tiny HTTP server standing in for the carrier's site: answers every request with a 1×1 GIF.
pub async fn carrier_image_server(ip: IpAddr) -> (SocketAddr, std::sync::Arc<AtomicU32>) {
    const GIF: &[u8] = &[
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff,
        0xff, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
    ];
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, 0))
        .await
        .expect("bind image server");
    let addr = listener.local_addr().expect("addr");
    let hits = std::sync::Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                    GIF.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(GIF).await;
            });
        }
    });
    (addr, hits)
}

/// Percentile of a sorted list of durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// The home network's answer for a phone that runs on loopback (where no neighbour exists):
/// "on the Wi-Fi" until `leave()`. The real network side is tested in `phone_netns`.
#[derive(Debug, Default)]
pub struct ScriptedLan {
    away: std::sync::atomic::AtomicBool,
    pub probes: AtomicU32,
}

impl ScriptedLan {
    pub fn leave(&self) {
        self.away.store(true, Ordering::SeqCst);
    }
    pub fn rejoin(&self) {
        self.away.store(false, Ordering::SeqCst);
    }
}

impl tebiki_core::phone::Neighbours for ScriptedLan {
    fn learn(&self, ip: std::net::Ipv4Addr) -> tebiki_core::phone::neighbour::Learned {
        tebiki_core::phone::neighbour::Learned::Neighbour(tebiki_core::phone::neighbour::Target {
            ip,
            mac: tebiki_core::phone::neighbour::Mac([2, 0, 0, 0, 0, 1]),
            interface: "scripted".into(),
        })
    }

    fn probe(
        &self,
        _target: &tebiki_core::phone::neighbour::Target,
        plan: tebiki_core::phone::neighbour::ProbePlan,
    ) -> tebiki_core::phone::neighbour::Answer {
        use tebiki_core::phone::neighbour::Answer;
        self.probes.fetch_add(1, Ordering::SeqCst);
        let how = "scripted home network".to_owned();
        if self.away.load(Ordering::SeqCst) {
            let over = plan.wait_each.min(Duration::from_millis(50));
            std::thread::sleep(over);
            Answer::NoAnswer {
                tries: plan.tries,
                over,
                how,
            }
        } else {
            Answer::Answered {
                after: Duration::from_millis(1),
                how,
            }
        }
    }
}
