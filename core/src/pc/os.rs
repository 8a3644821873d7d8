//! `pc.os`: which OS, and for Windows and macOS whether it is new enough for the routes that
//! name a version (Windows 11, macOS 13). The classification is pure; the readers are per OS.

use serde::{Deserialize, Serialize};

/// The OS, as far as the routes care. Values match `pc.os` in [`crate::facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OsKind {
    /// Windows 10.0 with build 22000 or later (Microsoft kept the version number 10.0).
    #[serde(rename = "windows11")]
    Windows11,
    /// Windows 10.0 below build 22000.
    #[serde(rename = "windows10")]
    Windows10,
    /// Windows 8.1 or older.
    #[serde(rename = "windows_older")]
    WindowsOlder,
    /// macOS 13 (Ventura) or later.
    #[serde(rename = "macos13_or_later")]
    Macos13OrLater,
    /// macOS 12 or older (including 10.x).
    #[serde(rename = "macos_older")]
    MacosOlder,
    #[serde(rename = "linux")]
    Linux,
    #[serde(rename = "unknown")]
    Unknown,
}

impl OsKind {
    /// Every kind, in the order of the fact's values.
    pub const ALL: [OsKind; 7] = [
        OsKind::Windows11,
        OsKind::Windows10,
        OsKind::WindowsOlder,
        OsKind::Macos13OrLater,
        OsKind::MacosOlder,
        OsKind::Linux,
        OsKind::Unknown,
    ];

    /// The fact value, e.g. `windows11`.
    pub fn as_str(self) -> &'static str {
        match self {
            OsKind::Windows11 => "windows11",
            OsKind::Windows10 => "windows10",
            OsKind::WindowsOlder => "windows_older",
            OsKind::Macos13OrLater => "macos13_or_later",
            OsKind::MacosOlder => "macos_older",
            OsKind::Linux => "linux",
            OsKind::Unknown => "unknown",
        }
    }
}

/// The first Windows 11 build (21H2). Windows 11 still reports version 10.0.
pub const WINDOWS11_FIRST_BUILD: u32 = 22_000;

/// The OS with the exact version it was judged on, e.g. "Windows 10.0 build 22631
/// (RtlGetVersion)".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsReading {
    pub kind: OsKind,
    pub evidence: String,
}

impl OsReading {
    pub fn new(kind: OsKind, evidence: impl Into<String>) -> OsReading {
        OsReading {
            kind,
            evidence: evidence.into(),
        }
    }
}

/// Windows from the kernel's own version numbers (RtlGetVersion, not the manifest-dependent
/// GetVersionEx): 10.0 with build ≥ 22000 is Windows 11, 10.0 below is Windows 10, anything
/// before 10 is older.
pub fn classify_windows(major: u32, minor: u32, build: u32) -> OsKind {
    let _ = minor;
    match major {
        0..=9 => OsKind::WindowsOlder,
        _ if build >= WINDOWS11_FIRST_BUILD => OsKind::Windows11,
        10 => OsKind::Windows10,
        // A future major version with a low build number cannot happen on today's Windows;
        // say what we do not know instead of guessing.
        _ => OsKind::Unknown,
    }
}

/// macOS from its product version (`sysctl kern.osproductversion`, e.g. "14.6.1" or
/// "10.15.7"). `None` if the text is not a version.
pub fn classify_macos(product_version: &str) -> Option<OsKind> {
    let major: u32 = product_version.trim().split('.').next()?.parse().ok()?;
    Some(if major >= 13 {
        OsKind::Macos13OrLater
    } else {
        OsKind::MacosOlder
    })
}

/// `PRETTY_NAME` from an os-release file's text (quotes removed), if it has one.
pub fn os_release_pretty_name(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let v = l.trim().strip_prefix("PRETTY_NAME=")?.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        (!v.is_empty()).then(|| v.to_owned())
    })
}

/// Reads this PC's OS. Never fails: what cannot be read is `unknown` with the reason.
pub async fn read() -> OsReading {
    #[cfg(target_os = "linux")]
    {
        read_linux(
            std::path::Path::new("/etc/os-release"),
            std::path::Path::new("/usr/lib/os-release"),
        )
    }
    #[cfg(target_os = "windows")]
    {
        super::windows::os()
    }
    #[cfg(target_os = "macos")]
    {
        super::macos::os().await
    }
    #[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
    {
        OsReading::new(
            OsKind::Unknown,
            format!("{} is not an OS Tebiki reads", std::env::consts::OS),
        )
    }
}

/// Linux: always `linux`; the evidence names the distribution (`PRETTY_NAME` of the first
/// os-release file that has one) and the kernel.
#[cfg(target_os = "linux")]
pub fn read_linux(os_release: &std::path::Path, fallback: &std::path::Path) -> OsReading {
    let pretty = [os_release, fallback].iter().find_map(|p| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| os_release_pretty_name(&t))
            .map(|n| format!("{n} (PRETTY_NAME in {})", p.display()))
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| format!("kernel {}", k.trim()));
    let evidence = match (pretty, kernel) {
        (Some(p), Some(k)) => format!("{p}; {k}"),
        (Some(p), None) => p,
        (None, Some(k)) => format!("Linux, {k} (no PRETTY_NAME in os-release)"),
        (None, None) => "Linux (this build runs only on Linux; no os-release)".to_owned(),
    };
    OsReading::new(OsKind::Linux, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_builds_split_at_22000() {
        assert_eq!(classify_windows(10, 0, 19045), OsKind::Windows10);
        assert_eq!(classify_windows(10, 0, 21999), OsKind::Windows10);
        assert_eq!(classify_windows(10, 0, 22000), OsKind::Windows11);
        assert_eq!(classify_windows(10, 0, 22631), OsKind::Windows11);
        assert_eq!(classify_windows(10, 0, 26100), OsKind::Windows11);
        // Windows 8.1 (6.3), 7 (6.1), XP (5.1).
        assert_eq!(classify_windows(6, 3, 9600), OsKind::WindowsOlder);
        assert_eq!(classify_windows(6, 1, 7601), OsKind::WindowsOlder);
        assert_eq!(classify_windows(5, 1, 2600), OsKind::WindowsOlder);
        assert_eq!(classify_windows(11, 0, 100), OsKind::Unknown);
    }

    #[test]
    fn macos_versions_split_at_13() {
        assert_eq!(classify_macos("13.0"), Some(OsKind::Macos13OrLater));
        assert_eq!(classify_macos("14.6.1\n"), Some(OsKind::Macos13OrLater));
        assert_eq!(classify_macos("26.0"), Some(OsKind::Macos13OrLater));
        assert_eq!(classify_macos("12.7.6"), Some(OsKind::MacosOlder));
        assert_eq!(classify_macos("11.7"), Some(OsKind::MacosOlder));
        assert_eq!(classify_macos("10.15.7"), Some(OsKind::MacosOlder));
        assert_eq!(classify_macos(""), None);
        assert_eq!(classify_macos("Ventura"), None);
    }

    #[test]
    fn os_release_pretty_name_is_unquoted() {
        let text =
            "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nID=debian\n";
        assert_eq!(
            os_release_pretty_name(text).as_deref(),
            Some("Debian GNU/Linux 13 (trixie)")
        );
        assert_eq!(
            os_release_pretty_name("PRETTY_NAME=Arch\n").as_deref(),
            Some("Arch")
        );
        assert_eq!(os_release_pretty_name("PRETTY_NAME=\"\"\n"), None);
        assert_eq!(os_release_pretty_name("ID=x\n"), None);
    }

    #[test]
    fn serde_names_are_the_fact_values() {
        for k in OsKind::ALL {
            let json = serde_json::to_string(&k).expect("serialise");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_reads_the_pretty_name_from_the_first_file_that_has_one() {
        let dir = std::env::temp_dir().join(format!("tebiki-osrel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let a = dir.join("a");
        let b = dir.join("b");
        std::fs::write(&b, "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n").expect("write");
        let r = read_linux(&a, &b);
        assert_eq!(r.kind, OsKind::Linux);
        assert!(
            r.evidence.starts_with("Ubuntu 24.04.1 LTS"),
            "{}",
            r.evidence
        );
        let none = read_linux(&dir.join("x"), &dir.join("y"));
        assert_eq!(none.kind, OsKind::Linux);
        assert!(
            none.evidence.contains("no PRETTY_NAME"),
            "{}",
            none.evidence
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
