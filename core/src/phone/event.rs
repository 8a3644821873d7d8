//! What the phone check reports, and how each report becomes `phone.*` facts for the flow
//! engine. The mapping is deliberately literal: a fact is only claimed when something was seen
//! that supports it, and the evidence says exactly what that was.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::facts::{Observation, UnixMs};

/// The phone's platform, from its browser's User-Agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Iphone,
    Android,
    Other,
}

impl Platform {
    /// Reads the platform from a User-Agent. iPads that present themselves as a Mac cannot be
    /// told apart here; they count as `Other` and get the generic steps.
    pub fn from_user_agent(ua: &str) -> Platform {
        if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
            Platform::Iphone
        } else if ua.contains("Android") {
            Platform::Android
        } else {
            Platform::Other
        }
    }

    /// The value of the `phone.platform` fact.
    pub fn fact_value(self) -> &'static str {
        match self {
            Platform::Iphone => "iphone",
            Platform::Android => "android",
            Platform::Other => "other",
        }
    }
}

/// Why a request was refused, as reported to the PC side (once per address and reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Another device opened the page after the first phone claimed the check.
    OtherDevice,
    /// More than the allowed number of wrong tokens from one address within a minute.
    TooManyBadTokens,
}

/// Why the check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The time-to-live given at start ran out.
    Deadline,
    /// `PhoneCheck::stop` was called or the check was dropped.
    Stopped,
}

/// One thing the PC side learned about the phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PhoneEvent {
    /// The check was started while the PC's own internet goes through the phone (USB
    /// tethering or the phone's hotspot): the phone is on its mobile line by construction.
    PcTethered,
    /// The phone opened the page over the LAN (so it shares the PC's network), or came back
    /// to it after having left.
    OnLan {
        platform: Platform,
        pc_tethered: bool,
    },
    /// The page reported it was hidden (screen locked, another app or tab in front). Silence
    /// after this is not counted as leaving.
    Hidden,
    /// The page reported it was visible again, over the LAN.
    Visible { pc_tethered: bool },
    /// Heartbeats stopped for `silent_ms` while the page was last known to be visible.
    LeftLan { silent_ms: i64, pc_tethered: bool },
    /// The phone's browser reported `navigator.connection.type` (Android Chromium only).
    ReportedConnection {
        connection: String,
        pc_tethered: bool,
    },
    /// No phone opened the page within `waited_ms` of the start.
    NeverScanned { waited_ms: i64 },
    /// A request was refused (reported once per address and reason).
    Refused { why: Refusal, from: IpAddr },
    /// The check is over; the server has stopped.
    Ended { why: EndReason },
}

fn secs(ms: i64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

impl PhoneEvent {
    /// The facts this event supports, stamped with `at`. Events that say nothing about the
    /// phone's presence or network (refusals, the end) give none.
    pub fn observations(&self, at: UnixMs) -> Vec<Observation> {
        let tethered_network = || {
            Observation::measured(
                "phone.network",
                "cellular",
                at,
                "the PC's internet goes through the phone (tethering), so the phone itself uses \
                 its mobile line",
            )
        };
        match self {
            PhoneEvent::PcTethered => vec![tethered_network()],
            PhoneEvent::OnLan {
                platform,
                pc_tethered,
            } => {
                let network = if *pc_tethered {
                    tethered_network()
                } else {
                    Observation::measured(
                        "phone.network",
                        "wifi",
                        at,
                        "the phone opened the check page at the PC's LAN address, so it is on the \
                         same Wi-Fi as the PC",
                    )
                };
                vec![
                    Observation::measured(
                        "phone.presence",
                        "on_lan",
                        at,
                        "the phone opened the check page over the LAN",
                    ),
                    Observation::measured(
                        "phone.platform",
                        platform.fact_value(),
                        at,
                        "from the phone browser's User-Agent",
                    ),
                    network,
                ]
            }
            PhoneEvent::Hidden => vec![Observation::measured(
                "phone.presence",
                "hidden",
                at,
                "the page reported it was hidden (screen locked or another app in front); \
                 silence from here on is not counted as leaving the Wi-Fi",
            )],
            PhoneEvent::Visible { pc_tethered } => {
                let network = if *pc_tethered {
                    tethered_network()
                } else {
                    Observation::measured(
                        "phone.network",
                        "wifi",
                        at,
                        "a heartbeat from the visible page reached the PC over the LAN",
                    )
                };
                vec![
                    Observation::measured(
                        "phone.presence",
                        "on_lan",
                        at,
                        "the page is visible again and its heartbeat arrived over the LAN",
                    ),
                    network,
                ]
            }
            PhoneEvent::LeftLan {
                silent_ms,
                pc_tethered,
            } => {
                let seen = format!(
                    "heartbeats stopped {} ago while the page was visible",
                    secs(*silent_ms)
                );
                let network = if *pc_tethered {
                    tethered_network()
                } else {
                    Observation::measured(
                        "phone.network",
                        "cellular",
                        at,
                        format!(
                            "{seen}: the phone left the home Wi-Fi (its own page checks that the \
                             mobile line works)"
                        ),
                    )
                };
                vec![
                    Observation::measured("phone.presence", "left_lan", at, seen),
                    network,
                ]
            }
            PhoneEvent::ReportedConnection {
                connection,
                pc_tethered,
            } => {
                let evidence = format!(
                    "the phone's browser reported navigator.connection.type = {connection}"
                );
                match (connection.as_str(), pc_tethered) {
                    (_, true) => vec![tethered_network()],
                    ("cellular", false) => {
                        vec![Observation::measured(
                            "phone.network",
                            "cellular",
                            at,
                            evidence,
                        )]
                    }
                    ("wifi", false) => {
                        vec![Observation::measured("phone.network", "wifi", at, evidence)]
                    }
                    // "ethernet", "none", "other", "unknown", … say nothing reliable.
                    _ => Vec::new(),
                }
            }
            PhoneEvent::NeverScanned { waited_ms } => vec![Observation::measured(
                "phone.presence",
                "never_seen",
                at,
                format!(
                    "no phone opened the check page in {}: the QR code was not scanned, or the \
                     phone cannot reach the PC (guest Wi-Fi, firewall, different network)",
                    secs(*waited_ms)
                ),
            )],
            PhoneEvent::Refused { .. } | PhoneEvent::Ended { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FactSource;

    fn value_of<'a>(obs: &'a [Observation], key: &str) -> Option<&'a str> {
        obs.iter().find(|o| o.key == key).map(|o| o.value.as_str())
    }

    #[test]
    fn user_agents_map_to_platforms() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1";
        let android = "Mozilla/5.0 (Linux; Android 10; SO-01M) AppleWebKit/537.36 (KHTML, like \
                       Gecko) Chrome/70.0.3538.110 Mobile Safari/537.36";
        assert_eq!(Platform::from_user_agent(iphone), Platform::Iphone);
        assert_eq!(Platform::from_user_agent(android), Platform::Android);
        assert_eq!(Platform::from_user_agent("curl/8.0"), Platform::Other);
        assert_eq!(Platform::from_user_agent(""), Platform::Other);
    }

    #[test]
    fn phone_on_lan_is_measured_wifi_with_its_platform() {
        let obs = PhoneEvent::OnLan {
            platform: Platform::Android,
            pc_tethered: false,
        }
        .observations(UnixMs(7));
        assert_eq!(value_of(&obs, "phone.presence"), Some("on_lan"));
        assert_eq!(value_of(&obs, "phone.platform"), Some("android"));
        assert_eq!(value_of(&obs, "phone.network"), Some("wifi"));
        assert!(
            obs.iter()
                .all(|o| o.source == FactSource::Measured && o.at == UnixMs(7))
        );
    }

    #[test]
    fn phone_on_lan_while_pc_is_tethered_is_cellular_by_construction() {
        let obs = PhoneEvent::OnLan {
            platform: Platform::Iphone,
            pc_tethered: true,
        }
        .observations(UnixMs(7));
        assert_eq!(value_of(&obs, "phone.network"), Some("cellular"));
        assert_eq!(
            value_of(
                &PhoneEvent::PcTethered.observations(UnixMs(1)),
                "phone.network"
            ),
            Some("cellular")
        );
    }

    #[test]
    fn leaving_the_lan_says_how_long_the_heartbeats_were_silent() {
        let obs = PhoneEvent::LeftLan {
            silent_ms: 4_600,
            pc_tethered: false,
        }
        .observations(UnixMs(9));
        assert_eq!(value_of(&obs, "phone.presence"), Some("left_lan"));
        assert_eq!(value_of(&obs, "phone.network"), Some("cellular"));
        let presence = obs
            .iter()
            .find(|o| o.key == "phone.presence")
            .expect("presence");
        assert_eq!(
            presence.evidence,
            "heartbeats stopped 4.6 s ago while the page was visible"
        );
    }

    #[test]
    fn a_hidden_page_changes_presence_but_not_the_network() {
        let obs = PhoneEvent::Hidden.observations(UnixMs(1));
        assert_eq!(value_of(&obs, "phone.presence"), Some("hidden"));
        assert_eq!(value_of(&obs, "phone.network"), None);
    }

    #[test]
    fn only_wifi_or_cellular_connection_reports_become_facts() {
        let report = |c: &str| PhoneEvent::ReportedConnection {
            connection: c.into(),
            pc_tethered: false,
        };
        assert_eq!(
            value_of(&report("cellular").observations(UnixMs(1)), "phone.network"),
            Some("cellular")
        );
        assert_eq!(
            value_of(&report("wifi").observations(UnixMs(1)), "phone.network"),
            Some("wifi")
        );
        assert!(report("unknown").observations(UnixMs(1)).is_empty());
        assert!(report("ethernet").observations(UnixMs(1)).is_empty());
    }

    #[test]
    fn never_scanned_and_refusals_map_as_documented() {
        let obs = PhoneEvent::NeverScanned { waited_ms: 90_000 }.observations(UnixMs(1));
        assert_eq!(value_of(&obs, "phone.presence"), Some("never_seen"));
        assert_eq!(value_of(&obs, "phone.network"), None);
        let refused = PhoneEvent::Refused {
            why: Refusal::OtherDevice,
            from: [10, 0, 0, 9].into(),
        };
        assert!(refused.observations(UnixMs(1)).is_empty());
        assert!(
            PhoneEvent::Ended {
                why: EndReason::Deadline
            }
            .observations(UnixMs(1))
            .is_empty()
        );
    }

    #[test]
    fn events_serialise_as_tagged_json_lines() {
        let json = serde_json::to_string(&PhoneEvent::OnLan {
            platform: Platform::Iphone,
            pc_tethered: false,
        })
        .expect("serialise");
        assert_eq!(
            json,
            r#"{"event":"on_lan","platform":"iphone","pc_tethered":false}"#
        );
        let json = serde_json::to_string(&PhoneEvent::Refused {
            why: Refusal::TooManyBadTokens,
            from: [192, 168, 1, 20].into(),
        })
        .expect("serialise");
        assert_eq!(
            json,
            r#"{"event":"refused","why":"too_many_bad_tokens","from":"192.168.1.20"}"#
        );
    }
}
