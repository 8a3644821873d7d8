//! The measured fact keys and their values, as `crate::facts` documents them. Playbooks may
//! only require these values of these keys: a typo (`phone.network == lte`) would otherwise
//! make a step that can never be entered.

/// `(key, values)` for every key an observer measures. Mirrors the table in `facts.rs`
/// (a test keeps the two in step).
pub const MEASURED: &[(&str, &[&str])] = &[
    (
        "pc.path",
        &[
            "wifi",
            "ethernet",
            "cellular",
            "tethered_usb",
            "phone_hotspot",
            "vpn",
            "offline",
            "unknown",
        ],
    ),
    (
        "pc.online",
        &[
            "online",
            "offline",
            "dns_failure",
            "captive_portal",
            "tls_intercepted",
            "unknown",
        ],
    ),
    (
        "phone.presence",
        &["on_lan", "left_lan", "pc_tethered", "never_seen", "unknown"],
    ),
    ("phone.page", &["visible", "hidden", "silent"]),
    ("phone.network", &["wifi", "cellular", "unknown"]),
    ("phone.platform", &["iphone", "android", "other"]),
    ("pc.bluetooth", &["on", "off", "absent", "unknown"]),
    (
        "pc.os",
        &[
            "windows11",
            "windows10",
            "windows_older",
            "macos13_or_later",
            "macos_older",
            "linux",
            "unknown",
        ],
    ),
];

/// The values an observer may report for `key`, if it is a measured key.
pub fn measured_values(key: &str) -> Option<&'static [&'static str]> {
    MEASURED.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measured_key_and_value_appears_in_the_facts_table() {
        let facts_doc = include_str!("../facts.rs");
        for (key, values) in MEASURED {
            let row = facts_doc
                .lines()
                .find(|l| l.starts_with(&format!("//! | `{key}` |")))
                .unwrap_or_else(|| panic!("facts.rs has no table row for {key}"));
            for v in *values {
                assert!(
                    row.contains(&format!("`{v}`")),
                    "facts.rs row for {key} lacks {v}: {row}"
                );
            }
        }
    }

    #[test]
    fn unknown_keys_have_no_measured_values() {
        assert_eq!(measured_values("phone.vpn"), None);
        assert_eq!(
            measured_values("phone.network"),
            Some(&["wifi", "cellular", "unknown"][..])
        );
    }
}
