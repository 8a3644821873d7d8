//! Linux: `netdev` for interfaces and the default route, sysfs for what kind of device each
//! interface is (DEVTYPE, wireless/, the bound driver), and NetworkManager over the system
//! D-Bus for "metered" and device types. NetworkManager is optional: with no system bus or no
//! NetworkManager the snapshot says so and the classifier lowers its confidence.
//!
//! The sysfs root is a parameter so tests can point it at a fake tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use zbus::zvariant::{OwnedObjectPath, OwnedValue};

use super::{LinuxDetails, Metered, NetError, NmDevice, NmInfo, NmStatus, Snapshot};

/// Where Linux lists network interfaces.
pub const SYSFS_NET: &str = "/sys/class/net";

/// How long NetworkManager may take before we go on without it.
const NM_TIMEOUT: Duration = Duration::from_millis(800);

/// The full snapshot: netdev + sysfs (on the blocking pool) and NetworkManager (async).
pub async fn snapshot() -> Result<Snapshot, NetError> {
    let base = tokio::task::spawn_blocking(|| {
        let mut s = super::base_snapshot();
        fill_sysfs_details(&mut s, Path::new(SYSFS_NET));
        s
    });
    let nm = network_manager();
    let (base, nm) = tokio::join!(base, nm);
    let mut s = base.map_err(|e| NetError::Task(e.to_string()))?;
    s.network_manager = nm;
    Ok(s)
}

/// The cheap part, synchronous: netdev + sysfs, without NetworkManager.
pub fn base_snapshot_with_sysfs(sysfs_net: &Path) -> Snapshot {
    let mut s = super::base_snapshot();
    fill_sysfs_details(&mut s, sysfs_net);
    s
}

/// Fills `Interface::linux` for every interface from a sysfs tree rooted at `sysfs_net`
/// (normally `/sys/class/net`).
pub fn fill_sysfs_details(s: &mut Snapshot, sysfs_net: &Path) {
    for i in &mut s.interfaces {
        i.linux = Some(read_sysfs_details(sysfs_net, &i.name));
    }
}

/// Reads what sysfs says about one interface. Missing files mean "not known", never an error:
/// sysfs differs between kernels and containers.
pub fn read_sysfs_details(sysfs_net: &Path, name: &str) -> LinuxDetails {
    let dir = sysfs_net.join(name);
    let uevent = std::fs::read_to_string(dir.join("uevent")).unwrap_or_default();
    let devtype = uevent
        .lines()
        .find_map(|l| l.strip_prefix("DEVTYPE="))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let driver = std::fs::read_link(dir.join("device").join("driver"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    let device_exists = std::fs::symlink_metadata(dir.join("device")).is_ok();
    // /sys/class/net/<name> is a link into /sys/devices/…; virtual ones live under /virtual/.
    let under_virtual = std::fs::read_link(&dir)
        .map(|p: PathBuf| p.to_string_lossy().contains("/virtual/"))
        .unwrap_or(false);
    let arphrd = std::fs::read_to_string(dir.join("type"))
        .ok()
        .and_then(|t| t.trim().parse::<u16>().ok());
    let mut bridge_ports: Vec<String> = std::fs::read_dir(dir.join("brif"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    bridge_ports.sort();
    LinuxDetails {
        devtype,
        wireless: dir.join("wireless").exists() || dir.join("phy80211").exists(),
        driver,
        virtual_device: !device_exists || under_virtual,
        arphrd,
        bridge_ports,
        tun: dir.join("tun_flags").exists(),
    }
}

/// Asks NetworkManager on the system bus, bounded by [`NM_TIMEOUT`]. Never fails: absence
/// is a status.
pub async fn network_manager() -> NmStatus {
    let ask = async {
        let conn = zbus::Connection::system()
            .await
            .map_err(|e| format!("no system D-Bus: {e}"))?;
        ask_network_manager(&conn).await
    };
    bounded(ask).await
}

/// Asks NetworkManager on a given bus connection (tests use a private bus), bounded by
/// [`NM_TIMEOUT`].
pub async fn network_manager_on(conn: &zbus::Connection) -> NmStatus {
    bounded(ask_network_manager(conn)).await
}

async fn bounded(ask: impl std::future::Future<Output = Result<NmInfo, String>>) -> NmStatus {
    match tokio::time::timeout(NM_TIMEOUT, ask).await {
        Ok(Ok(info)) => NmStatus::Available(info),
        Ok(Err(e)) => NmStatus::Unavailable { reason: e },
        Err(_) => NmStatus::Unavailable {
            reason: format!("no answer within {} ms", NM_TIMEOUT.as_millis()),
        },
    }
}

const NM_BUS: &str = "org.freedesktop.NetworkManager";
const NM_PATH: &str = "/org/freedesktop/NetworkManager";

async fn ask_network_manager(conn: &zbus::Connection) -> Result<NmInfo, String> {
    let top = get_all(conn, NM_PATH, NM_BUS)
        .await
        .map_err(|e| format!("NetworkManager is not running or not reachable: {e}"))?;
    let metered = top
        .get("Metered")
        .and_then(as_u32)
        .map(Metered::from_nm)
        .unwrap_or(Metered::Unknown);

    let mut primary_interfaces = Vec::new();
    if let Some(primary) = top.get("PrimaryConnection").and_then(as_path)
        && primary.as_str() != "/"
        && let Ok(ac) = get_all(
            conn,
            primary.as_str(),
            "org.freedesktop.NetworkManager.Connection.Active",
        )
        .await
        && let Some(devs) = ac.get("Devices").and_then(as_paths)
    {
        for d in devs {
            if let Ok(dev) =
                get_all(conn, d.as_str(), "org.freedesktop.NetworkManager.Device").await
            {
                if let Some(n) = dev
                    .get("IpInterface")
                    .and_then(as_string)
                    .filter(|s| !s.is_empty())
                {
                    primary_interfaces.push(n);
                }
                if let Some(n) = dev.get("Interface").and_then(as_string) {
                    primary_interfaces.push(n);
                }
            }
        }
    }

    let mut devices = Vec::new();
    let all = top
        .get("AllDevices")
        .or_else(|| top.get("Devices"))
        .and_then(as_paths)
        .unwrap_or_default();
    for d in all {
        let Ok(dev) = get_all(conn, d.as_str(), "org.freedesktop.NetworkManager.Device").await
        else {
            continue;
        };
        devices.push(NmDevice {
            interface: dev.get("Interface").and_then(as_string).unwrap_or_default(),
            ip_interface: dev
                .get("IpInterface")
                .and_then(as_string)
                .filter(|s| !s.is_empty()),
            device_type: dev.get("DeviceType").and_then(as_u32).unwrap_or(0),
            metered: dev
                .get("Metered")
                .and_then(as_u32)
                .map(Metered::from_nm)
                .unwrap_or(Metered::Unknown),
        });
    }
    Ok(NmInfo {
        metered,
        primary_interfaces,
        devices,
    })
}

async fn get_all(
    conn: &zbus::Connection,
    path: &str,
    interface: &str,
) -> Result<HashMap<String, OwnedValue>, String> {
    let reply = conn
        .call_method(
            Some(NM_BUS),
            path,
            Some("org.freedesktop.DBus.Properties"),
            "GetAll",
            &(interface,),
        )
        .await
        .map_err(|e| e.to_string())?;
    reply
        .body()
        .deserialize::<HashMap<String, OwnedValue>>()
        .map_err(|e| e.to_string())
}

fn as_u32(v: &OwnedValue) -> Option<u32> {
    u32::try_from(v).ok()
}

fn as_string(v: &OwnedValue) -> Option<String> {
    String::try_from(v.try_clone().ok()?).ok()
}

fn as_path(v: &OwnedValue) -> Option<OwnedObjectPath> {
    OwnedObjectPath::try_from(v.try_clone().ok()?).ok()
}

fn as_paths(v: &OwnedValue) -> Option<Vec<OwnedObjectPath>> {
    Vec::<OwnedObjectPath>::try_from(v.try_clone().ok()?).ok()
}
