//! Windows: netdev for interfaces and the default route (GetAdaptersAddresses: IfType 71 is
//! Wi-Fi, 243/244 mobile broadband, 6 Ethernet; adapter descriptions such as "Remote NDIS
//! based Internet Sharing Device" name USB tethering), then Win32 COM first:
//! `INetworkListManager` for each connected network's category (Public / Private / Domain)
//! and the adapters it uses, `INetworkCostManager` for the machine-wide connection cost.
//! WinRT (`Windows.Networking.Connectivity`: is the internet profile WWAN or WLAN, its cost)
//! is only an extra, asked after checking that Windows can activate the class.
//!
//! Every call returns an error value instead of failing the snapshot: a Windows without a
//! class (Server Core, stripped images, Wine) gets "unknown, because …", never a crash.
//! Compiled for `x86_64-pc-windows-gnu` and run under Wine in the suite
//! (core/tests/windows_*.rs); see docs/NETWORK.md for what Wine does and does not have.

// COM and WinRT calls are `unsafe fn` in the `windows` crate. Each block below calls one
// documented API with owned, valid arguments; the crate manages the interface pointers'
// reference counts.
#![allow(unsafe_code)]

use std::sync::OnceLock;

use windows::Networking::Connectivity::{NetworkCostType, NetworkInformation};
use windows::Win32::Networking::NetworkListManager::{
    INetworkCostManager, INetworkListManager, NLM_CONNECTION_COST_FIXED,
    NLM_CONNECTION_COST_ROAMING, NLM_CONNECTION_COST_UNRESTRICTED, NLM_CONNECTION_COST_VARIABLE,
    NLM_ENUM_NETWORK_CONNECTED, NLM_NETWORK_CATEGORY_DOMAIN_AUTHENTICATED,
    NLM_NETWORK_CATEGORY_PRIVATE, NLM_NETWORK_CATEGORY_PUBLIC, NetworkListManager,
};
use windows::Win32::System::Com::{CLSCTX_ALL, CoCreateInstance, CoIncrementMTAUsage};
use windows::core::{GUID, HSTRING, IUnknown, Interface};

use super::{
    CostHint, NetError, NetworkCategory, NetworkListStatus, NmStatus, OsNetwork, Snapshot,
};

/// The WinRT class behind the connection profile.
pub const WINRT_NETWORK_INFORMATION: &str = "Windows.Networking.Connectivity.NetworkInformation";

pub(super) async fn snapshot() -> Result<Snapshot, NetError> {
    tokio::task::spawn_blocking(|| {
        let mut s = super::base_snapshot();
        s.network_manager = NmStatus::NotAsked;
        let com = ensure_mta();
        let (network_list, win32_cost) = match &com {
            Ok(()) => (network_list(), win32_cost()),
            Err(e) => (
                NetworkListStatus::Unavailable { reason: e.clone() },
                Err(e.clone()),
            ),
        };
        s.network_list = network_list;
        s.os_cost = Some(merge_cost(win32_cost, winrt_profile()));
        s
    })
    .await
    .map_err(|e| NetError::Task(e.to_string()))
}

/// Joins the process to COM's multithreaded apartment once (`CoIncrementMTAUsage`), so any
/// thread that did not choose an apartment (tokio's blocking pool) can use COM objects. The
/// app's main thread keeps its own single-threaded apartment (WebView2 needs one).
fn ensure_mta() -> Result<(), String> {
    static MTA: OnceLock<Result<(), String>> = OnceLock::new();
    MTA.get_or_init(|| {
        // SAFETY: no arguments; the cookie is kept (never released) for the process lifetime.
        unsafe { CoIncrementMTAUsage() }
            .map(|_cookie| ())
            .map_err(|e| format!("COM could not be started ({})", hresult(&e)))
    })
    .clone()
}

fn hresult(e: &windows::core::Error) -> String {
    let msg = e.message();
    if msg.is_empty() {
        format!("HRESULT {:#010x}", e.code().0)
    } else {
        format!("HRESULT {:#010x}: {}", e.code().0, msg.trim())
    }
}

fn network_list_manager() -> windows::core::Result<INetworkListManager> {
    // SAFETY: a documented CLSID/interface pair; no outer object.
    unsafe { CoCreateInstance(&NetworkListManager, None, CLSCTX_ALL) }
}

/// Each connected network with its category and adapters.
fn network_list() -> NetworkListStatus {
    match read_network_list() {
        Ok(networks) => NetworkListStatus::Available { networks },
        Err(reason) => NetworkListStatus::Unavailable { reason },
    }
}

fn read_network_list() -> Result<Vec<OsNetwork>, String> {
    let nlm = network_list_manager().map_err(|e| {
        format!(
            "the Network List Manager is not available ({})",
            hresult(&e)
        )
    })?;
    // SAFETY: COM calls on a live interface with valid out-parameters.
    let networks = unsafe { nlm.GetNetworks(NLM_ENUM_NETWORK_CONNECTED) }
        .map_err(|e| format!("GetNetworks failed ({})", hresult(&e)))?;
    let mut out = Vec::new();
    loop {
        let mut one = [None];
        let mut fetched = 0u32;
        // SAFETY: as above; `one` has room for exactly the one element asked for.
        unsafe { networks.Next(&mut one, Some(&mut fetched)) }
            .map_err(|e| format!("listing networks failed ({})", hresult(&e)))?;
        let Some(network) = one[0].take().filter(|_| fetched == 1) else {
            break;
        };
        // SAFETY: as above.
        let raw = unsafe { network.GetCategory() }
            .map_err(|e| format!("GetCategory failed ({})", hresult(&e)))?;
        let category = match raw {
            NLM_NETWORK_CATEGORY_PUBLIC => NetworkCategory::Public,
            NLM_NETWORK_CATEGORY_PRIVATE => NetworkCategory::Private,
            NLM_NETWORK_CATEGORY_DOMAIN_AUTHENTICATED => NetworkCategory::Domain,
            other => return Err(format!("unknown network category {}", other.0)),
        };
        // SAFETY: as above.
        let name = unsafe { network.GetName() }
            .map(|b| b.to_string().trim().to_owned())
            .unwrap_or_default();
        out.push(OsNetwork {
            name,
            category,
            adapters: adapters_of(&network),
        });
        if out.len() > 64 {
            break; // a broken enumerator must not loop forever
        }
    }
    Ok(out)
}

/// The adapters (as `{GUID}`, netdev's interface name on Windows) a network is connected
/// through. Empty when Windows does not say.
fn adapters_of(network: &windows::Win32::Networking::NetworkListManager::INetwork) -> Vec<String> {
    let mut out = Vec::new();
    // SAFETY: COM calls on a live interface with valid out-parameters.
    let Ok(connections) = (unsafe { network.GetNetworkConnections() }) else {
        return out;
    };
    while out.len() < 64 {
        let mut one = [None];
        let mut fetched = 0u32;
        // SAFETY: as above; room for the one element asked for.
        if unsafe { connections.Next(&mut one, Some(&mut fetched)) }.is_err() {
            break;
        }
        let Some(connection) = one[0].take().filter(|_| fetched == 1) else {
            break;
        };
        // SAFETY: as above.
        if let Ok(id) = unsafe { connection.GetAdapterId() } {
            out.push(guid_name(&id));
        }
    }
    out
}

/// `{4D36E972-E325-11CE-BFC1-08002BE10318}`: how GetAdaptersAddresses names an adapter.
pub fn guid_name(g: &GUID) -> String {
    let d = g.data4;
    format!(
        "{{{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}",
        g.data1, g.data2, g.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
    )
}

/// The machine-wide connection cost from `INetworkCostManager` (Win32).
fn win32_cost() -> Result<(Option<bool>, String), String> {
    let nlm = network_list_manager().map_err(|e| {
        format!(
            "the Network List Manager is not available ({})",
            hresult(&e)
        )
    })?;
    let costs: INetworkCostManager = nlm
        .cast()
        .map_err(|e| format!("no INetworkCostManager ({})", hresult(&e)))?;
    let mut cost = 0u32;
    // SAFETY: a valid out-pointer; a null destination asks about the machine-wide cost.
    unsafe { costs.GetCost(&mut cost, std::ptr::null()) }
        .map_err(|e| format!("GetCost failed ({})", hresult(&e)))?;
    Ok((metered_from_nlm_cost(cost), describe_nlm_cost(cost)))
}

/// `NLM_CONNECTION_COST` flags → metered. Unrestricted → no; Fixed or Variable → yes.
pub fn metered_from_nlm_cost(cost: u32) -> Option<bool> {
    let has = |flag: windows::Win32::Networking::NetworkListManager::NLM_CONNECTION_COST| {
        cost & flag.0 as u32 != 0
    };
    if has(NLM_CONNECTION_COST_FIXED) || has(NLM_CONNECTION_COST_VARIABLE) {
        Some(true)
    } else if has(NLM_CONNECTION_COST_UNRESTRICTED) {
        Some(false)
    } else {
        None
    }
}

fn describe_nlm_cost(cost: u32) -> String {
    let mut parts = Vec::new();
    for (flag, name) in [
        (NLM_CONNECTION_COST_UNRESTRICTED, "unrestricted"),
        (NLM_CONNECTION_COST_FIXED, "fixed"),
        (NLM_CONNECTION_COST_VARIABLE, "variable"),
        (NLM_CONNECTION_COST_ROAMING, "roaming"),
    ] {
        if cost & flag.0 as u32 != 0 {
            parts.push(name);
        }
    }
    if parts.is_empty() {
        parts.push("unknown");
    }
    format!("network cost {} ({cost:#x})", parts.join("+"))
}

/// What the WinRT connection profile adds: is the internet profile WWAN / WLAN, and its cost.
struct WinrtProfile {
    metered: Option<bool>,
    wwan: Option<bool>,
    wlan: Option<bool>,
    detail: String,
}

/// Asks Windows whether a WinRT class can be activated, without the `windows` crate's
/// fallback: when `RoGetActivationFactory` says "not registered", the crate would load a DLL
/// named after the class and call its `DllGetActivationFactory` — which in Wine 8 is an
/// unimplemented stub that raises an exception and ends the process.
pub fn winrt_class_available(class: &str) -> Result<(), String> {
    ensure_mta()?;
    let name = HSTRING::from(class);
    // SAFETY: a valid HSTRING; the factory (if any) is released when dropped.
    match unsafe { windows::Win32::System::WinRT::RoGetActivationFactory::<IUnknown>(&name) } {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("Windows cannot activate {class} ({})", hresult(&e))),
    }
}

fn winrt_profile() -> Result<WinrtProfile, String> {
    winrt_class_available(WINRT_NETWORK_INFORMATION)?;
    let profile = NetworkInformation::GetInternetConnectionProfile()
        .map_err(|e| format!("no internet connection profile ({})", hresult(&e)))?;
    let cost = profile.GetConnectionCost().ok();
    let cost_type = cost.as_ref().and_then(|c| c.NetworkCostType().ok());
    let roaming = cost.as_ref().and_then(|c| c.Roaming().ok());
    let wwan = profile.IsWwanConnectionProfile().ok();
    let wlan = profile.IsWlanConnectionProfile().ok();
    let metered = match cost_type {
        Some(t) if t == NetworkCostType::Unrestricted => Some(false),
        Some(t) if t == NetworkCostType::Fixed || t == NetworkCostType::Variable => Some(true),
        _ => None,
    };
    Ok(WinrtProfile {
        metered,
        wwan,
        wlan,
        detail: format!(
            "connection profile: cost type {cost_type:?}, roaming {roaming:?}, WWAN {wwan:?}, WLAN {wlan:?}"
        ),
    })
}

/// One hint from both sources: Win32's cost first, WinRT's WWAN/WLAN flags as an extra. The
/// detail names what is unknown and why.
fn merge_cost(
    win32: Result<(Option<bool>, String), String>,
    winrt: Result<WinrtProfile, String>,
) -> CostHint {
    let mut detail = Vec::new();
    let mut metered = None;
    match &win32 {
        Ok((m, d)) => {
            metered = *m;
            detail.push(d.clone());
        }
        Err(e) => detail.push(format!("network cost: unknown, because {e}")),
    }
    let (mut cellular, mut wlan) = (None, None);
    match &winrt {
        Ok(p) => {
            metered = metered.or(p.metered);
            cellular = p.wwan;
            wlan = p.wlan;
            detail.push(p.detail.clone());
        }
        Err(e) => detail.push(format!("WWAN/WLAN profile: unknown, because {e}")),
    }
    CostHint {
        source: "Windows".to_owned(),
        metered,
        cellular,
        wlan,
        // This is the internet profile, so it describes the default route's interface.
        interface: None,
        detail: detail.join("; "),
    }
}

/// Whether this Windows is Wine (its `ntdll.dll` exports `wine_get_version`, the documented
/// way to tell). Wine implements some Windows functions only as stubs that end the process
/// when called (Wine 8: `iphlpapi` `GetIpNetEntry2` and `ResolveIpNetEntry2`); code calling
/// such a function asks this first and answers "unknown, because …" instead. Tebiki's users
/// run Windows; Wine is how this project tests the Windows build.
pub fn running_under_wine() -> bool {
    static WINE: OnceLock<bool> = OnceLock::new();
    *WINE.get_or_init(|| {
        use windows::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
        use windows::core::s;
        // SAFETY: ntdll is loaded in every process; both names are NUL-terminated literals
        // and the returned address is only tested, never called.
        unsafe {
            GetModuleHandleA(s!("ntdll.dll"))
                .map(|ntdll| GetProcAddress(ntdll, s!("wine_get_version")).is_some())
                .unwrap_or(false)
        }
    })
}

/// For the doctor and the tests: why the WinRT part is unknown, if it is.
pub fn winrt_status() -> Result<(), String> {
    winrt_profile().map(|_| ())
}
