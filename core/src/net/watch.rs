//! Change watching: a new [`Classification`] within about a second of the path changing
//! (Wi-Fi dropped, cable plugged, VPN up, default route replaced).
//!
//! It polls the cheap part of a snapshot (netdev + sysfs: well under a millisecond, see
//! `docs/BENCHMARKS.md`) every `interval` and takes a full snapshot (with NetworkManager) only
//! when that changed, plus every `full_every` ticks so a "metered" flip is seen too. Polling was
//! chosen over netlink events because it is the same code on every OS, it is cheap, and one
//! second is well inside the two seconds the flow needs. The task stops when the receiver is
//! dropped.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{Classification, NetError, Snapshot, classify};
use crate::facts::UnixMs;

/// Where snapshots come from: the real OS, or a fake in tests.
pub trait SnapshotSource: Send + Sync + 'static {
    /// The cheap snapshot, polled every tick.
    fn quick(&self) -> impl Future<Output = Result<Snapshot, NetError>> + Send;
    /// The full snapshot (OS hints included), taken when `quick` changed.
    fn full(&self) -> impl Future<Output = Result<Snapshot, NetError>> + Send;
}

/// This machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsSource;

impl SnapshotSource for OsSource {
    async fn quick(&self) -> Result<Snapshot, NetError> {
        tokio::task::spawn_blocking(quick_os_snapshot)
            .await
            .map_err(|e| NetError::Task(e.to_string()))
    }

    async fn full(&self) -> Result<Snapshot, NetError> {
        super::snapshot().await
    }
}

#[cfg(target_os = "linux")]
fn quick_os_snapshot() -> Snapshot {
    super::linux::base_snapshot_with_sysfs(std::path::Path::new(super::linux::SYSFS_NET))
}

#[cfg(not(target_os = "linux"))]
fn quick_os_snapshot() -> Snapshot {
    super::base_snapshot()
}

#[derive(Debug, Clone, Copy)]
pub struct WatchConfig {
    /// How often the cheap snapshot is taken.
    pub interval: Duration,
    /// Take a full snapshot at least every this many ticks even if nothing changed.
    pub full_every: u32,
    /// Channel capacity; a slow reader delays the watcher rather than losing changes.
    pub capacity: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            interval: Duration::from_secs(1),
            full_every: 10,
            capacity: 8,
        }
    }
}

/// One change of path. The first message is the path at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathChange {
    pub at: UnixMs,
    pub classification: Classification,
}

/// Watches this machine. Must be called inside a tokio runtime.
pub fn watch(config: WatchConfig) -> mpsc::Receiver<PathChange> {
    watch_with(OsSource, config)
}

/// Watches any snapshot source. Must be called inside a tokio runtime.
pub fn watch_with<S: SnapshotSource>(source: S, config: WatchConfig) -> mpsc::Receiver<PathChange> {
    let (tx, rx) = mpsc::channel(config.capacity.max(1));
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(config.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_quick: Option<Snapshot> = None;
        let mut last: Option<Classification> = None;
        let mut ticks_since_full: u32 = 0;
        loop {
            tokio::select! {
                _ = tx.closed() => break,
                _ = ticker.tick() => {}
            }
            ticks_since_full = ticks_since_full.saturating_add(1);
            // A failed read is skipped: the next tick tries again.
            let Ok(quick) = source.quick().await else {
                continue;
            };
            let changed = last_quick.as_ref() != Some(&quick);
            if !changed && ticks_since_full < config.full_every {
                continue;
            }
            ticks_since_full = 0;
            let full = source.full().await.unwrap_or_else(|_| quick.clone());
            last_quick = Some(quick);
            let c = classify(&full);
            if last.as_ref().is_some_and(|l| l.same_path(&c)) {
                continue;
            }
            let change = PathChange {
                at: UnixMs::now(),
                classification: c.clone(),
            };
            if tx.send(change).await.is_err() {
                break;
            }
            last = Some(c);
        }
    });
    rx
}
