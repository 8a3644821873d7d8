//! The watcher: a fake source (runs anywhere) and a real network namespace (root) where the
//! default route is replaced and removed while `tebiki-doctor network --watch` runs inside it.
#![allow(clippy::unwrap_used)]

mod net_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tebiki_core::net::{NetError, PathKind, Snapshot, SnapshotSource, WatchConfig, watch_with};

#[derive(Clone)]
struct FakeSource {
    snap: Arc<Mutex<Snapshot>>,
    reads: Arc<AtomicU32>,
}

impl SnapshotSource for FakeSource {
    async fn quick(&self) -> Result<Snapshot, NetError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.snap.lock().unwrap().clone())
    }
    async fn full(&self) -> Result<Snapshot, NetError> {
        Ok(self.snap.lock().unwrap().clone())
    }
}

#[tokio::test]
async fn watcher_emits_the_start_path_then_each_change_and_stops_when_dropped() {
    let wifi = net_support::load_fixture("wifi");
    let offline = net_support::load_fixture("no_default_route");
    let src = FakeSource {
        snap: Arc::new(Mutex::new(wifi.clone())),
        reads: Arc::new(AtomicU32::new(0)),
    };
    let cfg = WatchConfig {
        interval: Duration::from_millis(50),
        ..WatchConfig::default()
    };
    let mut rx = watch_with(src.clone(), cfg);

    let first = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.classification.path, PathKind::Wifi);

    // No change: nothing new arrives.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err()
    );

    *src.snap.lock().unwrap() = offline;
    let t0 = Instant::now();
    let next = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.classification.path, PathKind::Offline);
    println!("fake source: change seen after {:?}", t0.elapsed());

    *src.snap.lock().unwrap() = wifi;
    let back = tokio::time::timeout(Duration::from_secs(2), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.classification.path, PathKind::Wifi);

    drop(rx);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let n = src.reads.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        src.reads.load(Ordering::SeqCst),
        n,
        "the watcher kept polling after the receiver was dropped"
    );
}

#[cfg(target_os = "linux")]
mod netns {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::net_support::{self, Netns};

    /// The watching child process, killed on drop.
    struct Watcher(Child);
    impl Drop for Watcher {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn next_line(rx: &mpsc::Receiver<String>, within: Duration) -> serde_json::Value {
        let line = rx
            .recv_timeout(within)
            .expect("a line from the watcher in time");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    #[test]
    fn watcher_inside_a_namespace_reports_a_default_route_change_within_2_seconds() {
        if !tebiki_test_support::require_ok(net_support::can_use_netns()) {
            return;
        }
        let ns = Netns::new("watch");
        ns.ip(&["link", "set", "lo", "up"]);
        // Two links, each with its own on-link gateway address. No traffic is sent: the
        // watcher only reads routes and interfaces.
        ns.ip(&["link", "add", "va0", "type", "veth", "peer", "name", "vb0"]);
        ns.ip(&["link", "add", "vc0", "type", "veth", "peer", "name", "vd0"]);
        for l in ["va0", "vb0", "vc0", "vd0"] {
            ns.ip(&["link", "set", l, "up"]);
        }
        ns.ip(&["addr", "add", "10.231.1.2/24", "dev", "va0"]);
        ns.ip(&["addr", "add", "10.231.2.2/24", "dev", "vc0"]);
        ns.ip(&["route", "add", "default", "via", "10.231.1.1", "dev", "va0"]);

        let child = Command::new("ip")
            .args(["netns", "exec", &ns.0, env!("CARGO_BIN_EXE_tebiki-doctor")])
            .args(["network", "--watch", "--json", "--interval-ms", "1000"])
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                "unix:path=/nonexistent/tebiki-test",
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the watcher");
        let mut child = Watcher(child);
        let stdout = child.0.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });

        let first = next_line(&rx, Duration::from_secs(10));
        println!("start: {first}");
        assert_eq!(first["classification"]["interface"], "va0");

        // Replace the default route: va0 → vc0.
        ns.ip(&[
            "route",
            "replace",
            "default",
            "via",
            "10.231.2.1",
            "dev",
            "vc0",
        ]);
        let t0 = Instant::now();
        let moved = next_line(&rx, Duration::from_secs(5));
        let took_move = t0.elapsed();
        println!("after replace ({took_move:?}): {moved}");
        assert_eq!(moved["classification"]["interface"], "vc0");
        assert!(
            moved["classification"]["evidence"][0]
                .as_str()
                .unwrap()
                .contains("10.231.2.1"),
            "{moved}"
        );

        // Remove it: offline.
        ns.ip(&["route", "del", "default"]);
        let t1 = Instant::now();
        let gone = next_line(&rx, Duration::from_secs(5));
        let took_del = t1.elapsed();
        println!("after delete ({took_del:?}): {gone}");
        assert_eq!(gone["classification"]["path"], "offline");

        println!("latency: replace {took_move:?}, delete {took_del:?}");
        assert!(
            took_move < Duration::from_secs(2),
            "route replace seen after {took_move:?}"
        );
        assert!(
            took_del < Duration::from_secs(2),
            "route delete seen after {took_del:?}"
        );
    }
}
