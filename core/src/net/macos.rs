//! macOS: netdev for interfaces and the default route (it already maps the functional type
//! CELLULAR to WWAN and knows SystemConfiguration names such as "iPhone USB"), plus
//! Network.framework's view of the current path: `nw_path_is_expensive` (documented as true
//! for cellular *and* a Personal Hotspot) and `nw_path_uses_interface_type`.
//!
//! NOT BUILT OR TESTED: written against Apple's documented C API but never compiled; see
//! docs/NETWORK.md. The FFI is small and `unsafe` is confined to this file.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::sync::mpsc;
use std::time::Duration;

use block2::RcBlock;

use super::{CostHint, NetError, NmStatus, Snapshot};

type NwPathMonitor = *mut c_void;
type NwPath = *mut c_void;
type DispatchQueue = *mut c_void;

// nw_interface_type_t
const NW_INTERFACE_TYPE_WIFI: i32 = 1;
const NW_INTERFACE_TYPE_CELLULAR: i32 = 2;

#[link(name = "Network", kind = "framework")]
unsafe extern "C" {
    fn nw_path_monitor_create() -> NwPathMonitor;
    fn nw_path_monitor_set_queue(monitor: NwPathMonitor, queue: DispatchQueue);
    fn nw_path_monitor_set_update_handler(
        monitor: NwPathMonitor,
        handler: &block2::Block<dyn Fn(NwPath)>,
    );
    fn nw_path_monitor_start(monitor: NwPathMonitor);
    fn nw_path_monitor_cancel(monitor: NwPathMonitor);
    fn nw_path_is_expensive(path: NwPath) -> bool;
    fn nw_path_uses_interface_type(path: NwPath, interface_type: i32) -> bool;
    fn nw_release(obj: *mut c_void);
}

unsafe extern "C" {
    fn dispatch_queue_create(label: *const std::ffi::c_char, attr: *mut c_void) -> DispatchQueue;
    fn dispatch_release(obj: *mut c_void);
}

pub(super) async fn snapshot() -> Result<Snapshot, NetError> {
    tokio::task::spawn_blocking(|| {
        let mut s = super::base_snapshot();
        s.network_manager = NmStatus::NotAsked;
        s.os_cost = current_path();
        s
    })
    .await
    .map_err(|e| NetError::Task(e.to_string()))
}

/// Starts a path monitor, takes its first update (delivered at once for the current path),
/// and cancels it. `None` if no update came within 500 ms.
fn current_path() -> Option<CostHint> {
    let (tx, rx) = mpsc::sync_channel::<(bool, bool, bool)>(1);
    let handler = RcBlock::new(move |path: NwPath| {
        // SAFETY: `path` is valid for the duration of the handler call (Apple docs).
        let v = unsafe {
            (
                nw_path_is_expensive(path),
                nw_path_uses_interface_type(path, NW_INTERFACE_TYPE_CELLULAR),
                nw_path_uses_interface_type(path, NW_INTERFACE_TYPE_WIFI),
            )
        };
        let _ = tx.try_send(v);
    });
    // SAFETY: plain C calls on objects we create and release here; the handler block is kept
    // alive (RcBlock) until after the monitor is cancelled.
    let got = unsafe {
        let queue = dispatch_queue_create(c"tebiki.net.path".as_ptr(), std::ptr::null_mut());
        let monitor = nw_path_monitor_create();
        nw_path_monitor_set_queue(monitor, queue);
        nw_path_monitor_set_update_handler(monitor, &handler);
        nw_path_monitor_start(monitor);
        let got = rx.recv_timeout(Duration::from_millis(500)).ok();
        nw_path_monitor_cancel(monitor);
        nw_release(monitor);
        dispatch_release(queue);
        got
    };
    drop(handler);
    let (expensive, cellular, wifi) = got?;
    Some(CostHint {
        source: "macOS Network.framework".to_owned(),
        metered: Some(expensive),
        cellular: Some(cellular),
        wlan: Some(wifi),
        interface: None,
        detail: format!("expensive {expensive}, cellular {cellular}, wifi {wifi}"),
    })
}
