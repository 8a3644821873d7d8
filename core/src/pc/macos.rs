//! macOS: the product version from `sysctl -n kern.osproductversion` (macOS 10.13.4 and
//! later), else `sw_vers -productVersion`. Bluetooth is not read on macOS (IOBluetooth would
//! be needed and nothing here can build or run it): the answer is `unknown`, and says so.
//!
//! NOT BUILT OR RUN: type-checked and linted for aarch64-apple-darwin only; see
//! docs/PC-FACTS.md.

use std::process::Command;
use std::time::Duration;

use super::bluetooth::BluetoothReading;
use super::os::{OsKind, OsReading, classify_macos};

/// How long the version commands may take.
const OS_TIMEOUT: Duration = Duration::from_millis(1500);

pub fn bluetooth() -> BluetoothReading {
    BluetoothReading::unknown(
        "not measured on macOS: Tebiki does not read the Bluetooth state there yet \
         (the Bluetooth icon in the menu bar or System Settings shows it)",
    )
}

pub async fn os() -> OsReading {
    let job = tokio::task::spawn_blocking(read_version);
    match tokio::time::timeout(OS_TIMEOUT, job).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => OsReading::new(OsKind::Unknown, format!("the version check stopped: {e}")),
        Err(_) => OsReading::new(
            OsKind::Unknown,
            format!("sysctl did not answer within {} ms", OS_TIMEOUT.as_millis()),
        ),
    }
}

fn read_version() -> OsReading {
    let attempts: [(&str, &[&str]); 2] = [
        ("/usr/sbin/sysctl", &["-n", "kern.osproductversion"]),
        ("/usr/bin/sw_vers", &["-productVersion"]),
    ];
    let mut problems = Vec::new();
    for (program, args) in attempts {
        match Command::new(program).args(args).output() {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                match classify_macos(&text) {
                    Some(kind) => {
                        return OsReading::new(
                            kind,
                            format!("macOS {text} from {program} {}", args.join(" ")),
                        );
                    }
                    None => problems.push(format!("{program} printed {text:?}")),
                }
            }
            Ok(out) => problems.push(format!("{program} exited with {}", out.status)),
            Err(e) => problems.push(format!("{program} could not run ({e})")),
        }
    }
    OsReading::new(OsKind::Unknown, problems.join("; "))
}
