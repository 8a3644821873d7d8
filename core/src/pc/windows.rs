//! Windows: the radio API for Bluetooth and the kernel's version numbers for the OS.
//!
//! - Bluetooth: `Windows.Devices.Radios.Radio.GetRadiosAsync` lists the radios with their
//!   kind and `RadioState` (On, Off, Disabled, Unknown); a radio switched off in Settings is
//!   still listed, as Off. It is WinRT, so the class is checked first
//!   ([`crate::net::windows::winrt_class_available`]: no crash where WinRT is missing), and it
//!   is never asked under Wine, which has no `Windows.Devices.Radios` (and whose
//!   bluetoothapis.dll radio functions are, in Wine 8, stubs that end the process). When WinRT cannot
//!   answer, `BluetoothFindFirstRadio` (bluetoothapis.dll, loaded at run time so a Windows
//!   without it still starts) says whether a radio is present, not whether it is on.
//! - OS: `RtlGetVersion` (ntdll), which reports the real build whatever the program's
//!   manifest says (`GetVersionEx` does not).
//!
//! Compiled for `x86_64-pc-windows-gnu` and run under Wine in the suite
//! (core/tests/windows_pc.rs); on Wine only the guards and the version path run.

// Each unsafe block calls one documented Windows API with owned, valid arguments.
#![allow(unsafe_code)]

use std::time::Duration;

use windows::Devices::Radios::{Radio, RadioKind, RadioState};
use windows::Wdk::System::SystemServices::RtlGetVersion;
use windows::Win32::Foundation::{
    CloseHandle, ERROR_NO_MORE_ITEMS, FreeLibrary, GetLastError, HANDLE,
};
use windows::Win32::System::LibraryLoader::{
    GetProcAddress, LOAD_LIBRARY_SEARCH_SYSTEM32, LoadLibraryExW,
};
use windows::Win32::System::SystemInformation::OSVERSIONINFOW;
use windows::core::{s, w};

use super::bluetooth::{Bluetooth, BluetoothReading, RadioPower, from_radios};
use super::os::{OsKind, OsReading, classify_windows};
use crate::net::windows::{running_under_wine, winrt_class_available};

/// The WinRT class behind the radio list.
pub const WINRT_RADIO: &str = "Windows.Devices.Radios.Radio";
/// How long the radio list may take before the answer is "unknown".
pub const RADIO_TIMEOUT: Duration = Duration::from_millis(1500);

/// What is said under Wine (the tests look for it).
pub const WINE_EVIDENCE: &str = "running under Wine: it has no Windows.Devices.Radios, and its \
     BluetoothFindFirstRadio is a stub that ends the process (Wine 8), so Bluetooth was not asked";

/// The Bluetooth reading, bounded by [`RADIO_TIMEOUT`]. Never fails.
pub async fn bluetooth() -> BluetoothReading {
    if running_under_wine() {
        return BluetoothReading::unknown(WINE_EVIDENCE);
    }
    let job = tokio::task::spawn_blocking(read_blocking);
    match tokio::time::timeout(RADIO_TIMEOUT, job).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => BluetoothReading::unknown(format!("the radio check stopped: {e}")),
        Err(_) => BluetoothReading::unknown(format!(
            "Windows did not list its radios within {} ms",
            RADIO_TIMEOUT.as_millis()
        )),
    }
}

fn read_blocking() -> BluetoothReading {
    match radios() {
        Ok(list) if !list.is_empty() => from_radios("Windows.Devices.Radios", &list),
        Ok(_) => match win32_radio_present() {
            Ok(true) => BluetoothReading::unknown(
                "Windows.Devices.Radios lists no Bluetooth radio, yet BluetoothFindFirstRadio \
                 finds one",
            ),
            Ok(false) => BluetoothReading::new(
                Bluetooth::Absent,
                "Windows.Devices.Radios lists no Bluetooth radio and BluetoothFindFirstRadio \
                 finds none",
            ),
            Err(e) => BluetoothReading::new(
                Bluetooth::Absent,
                format!("Windows.Devices.Radios lists no Bluetooth radio ({e})"),
            ),
        },
        Err(winrt) => match win32_radio_present() {
            Ok(true) => BluetoothReading::unknown(format!(
                "a Bluetooth radio is present (BluetoothFindFirstRadio), but whether it is on \
                 could not be read: {winrt}"
            )),
            Ok(false) => BluetoothReading::unknown(format!(
                "BluetoothFindFirstRadio finds no radio, but whether one is switched off could \
                 not be read: {winrt}"
            )),
            Err(e) => BluetoothReading::unknown(format!("{winrt}; {e}")),
        },
    }
}

/// The Bluetooth radios Windows.Devices.Radios lists, with their power.
fn radios() -> Result<Vec<(String, RadioPower)>, String> {
    winrt_class_available(WINRT_RADIO)?;
    let list = Radio::GetRadiosAsync()
        .and_then(|op| op.join())
        .map_err(|e| format!("Windows.Devices.Radios could not list the radios ({e})"))?;
    let n = list
        .Size()
        .map_err(|e| format!("the radio list could not be read ({e})"))?;
    let mut out = Vec::new();
    for i in 0..n {
        let Ok(radio) = list.GetAt(i) else { continue };
        if radio.Kind().ok() != Some(RadioKind::Bluetooth) {
            continue;
        }
        let name = radio
            .Name()
            .map(|h| h.to_string())
            .unwrap_or_else(|_| "Bluetooth".to_owned());
        let power = match radio.State() {
            Ok(s) if s == RadioState::On => RadioPower::On,
            Ok(s) if s == RadioState::Off => RadioPower::Off,
            Ok(s) if s == RadioState::Disabled => RadioPower::Disabled,
            _ => RadioPower::Unknown,
        };
        out.push((name, power));
    }
    Ok(out)
}

/// `BLUETOOTH_FIND_RADIO_PARAMS`: only its own size.
#[repr(C)]
struct FindRadioParams {
    dw_size: u32,
}

type FindFirstRadio =
    unsafe extern "system" fn(*const FindRadioParams, *mut HANDLE) -> *mut core::ffi::c_void;
type FindRadioClose = unsafe extern "system" fn(*mut core::ffi::c_void) -> i32;

/// Whether `BluetoothFindFirstRadio` finds a radio. bluetoothapis.dll is loaded from
/// System32 at run time: linking it would stop Tebiki from starting on a Windows without it.
fn win32_radio_present() -> Result<bool, String> {
    // SAFETY: a NUL-terminated literal; the module is freed below.
    let lib =
        unsafe { LoadLibraryExW(w!("bluetoothapis.dll"), None, LOAD_LIBRARY_SEARCH_SYSTEM32) }
            .map_err(|e| format!("bluetoothapis.dll could not be loaded ({e})"))?;
    let result = (|| {
        // SAFETY: `lib` is a loaded module; the names are NUL-terminated literals.
        let first = unsafe { GetProcAddress(lib, s!("BluetoothFindFirstRadio")) }
            .ok_or("bluetoothapis.dll has no BluetoothFindFirstRadio")?;
        // SAFETY: as above.
        let close = unsafe { GetProcAddress(lib, s!("BluetoothFindRadioClose")) }
            .ok_or("bluetoothapis.dll has no BluetoothFindRadioClose")?;
        // SAFETY: the documented signatures of these two exports (bluetoothapis.h).
        let (first, close) = unsafe {
            (
                std::mem::transmute::<unsafe extern "system" fn() -> isize, FindFirstRadio>(first),
                std::mem::transmute::<unsafe extern "system" fn() -> isize, FindRadioClose>(close),
            )
        };
        let params = FindRadioParams {
            dw_size: std::mem::size_of::<FindRadioParams>() as u32,
        };
        let mut radio = HANDLE::default();
        // SAFETY: valid params of the right size and a valid out-pointer.
        let find = unsafe { first(&params, &mut radio) };
        if find.is_null() {
            // SAFETY: reads this thread's last error, set by the call above.
            let err = unsafe { GetLastError() };
            return if err == ERROR_NO_MORE_ITEMS {
                Ok(false)
            } else {
                Err(format!("BluetoothFindFirstRadio failed (error {})", err.0))
            };
        }
        // SAFETY: both handles came from the successful call above and are closed once.
        unsafe {
            let _ = CloseHandle(radio);
            close(find);
        }
        Ok(true)
    })();
    // SAFETY: the module loaded above; nothing from it is used after this.
    let _ = unsafe { FreeLibrary(lib) };
    result
}

/// The OS version from `RtlGetVersion`. Never fails.
pub fn os() -> OsReading {
    let mut info = OSVERSIONINFOW {
        dwOSVersionInfoSize: std::mem::size_of::<OSVERSIONINFOW>() as u32,
        ..Default::default()
    };
    // SAFETY: a valid, correctly sized OSVERSIONINFOW.
    let status = unsafe { RtlGetVersion(&mut info) };
    if status.is_err() {
        return OsReading::new(
            OsKind::Unknown,
            format!("RtlGetVersion failed (NTSTATUS {:#010x})", status.0),
        );
    }
    let (major, minor, build) = (info.dwMajorVersion, info.dwMinorVersion, info.dwBuildNumber);
    let wine = if running_under_wine() {
        " under Wine"
    } else {
        ""
    };
    OsReading::new(
        classify_windows(major, minor, build),
        format!("Windows {major}.{minor} build {build} from RtlGetVersion{wine}"),
    )
}
