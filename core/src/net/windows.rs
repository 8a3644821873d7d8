//! Windows: netdev for interfaces and the default route (GetAdaptersAddresses: IfType 71 is
//! Wi-Fi, 243/244 mobile broadband; adapter descriptions such as "Remote NDIS based Internet
//! Sharing Device" name USB tethering), plus the WinRT connection profile of the internet
//! connection: its cost (Unrestricted / Fixed / Variable) and whether it is a WWAN or WLAN
//! profile.
//!
//! NOT BUILT OR TESTED: written against the documented `windows` crate API
//! (`Windows::Networking::Connectivity`) but never compiled; see docs/NETWORK.md.

use windows::Networking::Connectivity::{NetworkCostType, NetworkInformation};

use super::{CostHint, NetError, NmStatus, Snapshot};

pub(super) async fn snapshot() -> Result<Snapshot, NetError> {
    tokio::task::spawn_blocking(|| {
        let mut s = super::base_snapshot();
        s.network_manager = NmStatus::NotAsked;
        s.os_cost = connection_cost();
        s
    })
    .await
    .map_err(|e| NetError::Task(e.to_string()))
}

/// The internet connection profile's cost and kind. `None` when Windows has no internet
/// profile or refuses to say.
fn connection_cost() -> Option<CostHint> {
    let profile = NetworkInformation::GetInternetConnectionProfile().ok()?;
    let cost = profile.GetConnectionCost().ok()?;
    let cost_type = cost.NetworkCostType().ok();
    let roaming = cost.Roaming().ok();
    let wwan = profile.IsWwanConnectionProfile().ok();
    let wlan = profile.IsWlanConnectionProfile().ok();
    let metered = match cost_type {
        Some(t) if t == NetworkCostType::Unrestricted => Some(false),
        Some(t) if t == NetworkCostType::Fixed || t == NetworkCostType::Variable => Some(true),
        _ => None,
    };
    Some(CostHint {
        source: "Windows connection profile".to_owned(),
        metered,
        cellular: wwan,
        wlan,
        // This is the internet profile, so it describes the default route's interface.
        interface: None,
        detail: format!(
            "cost type {cost_type:?}, roaming {roaming:?}, WWAN {wwan:?}, WLAN {wlan:?}"
        ),
    })
}
