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
    /// tethering or the phone's hotspot, on strong evidence only).
    PcTethered,
    /// The phone opened the page over the LAN (so it shares the PC's network), or came back
    /// to it after having left.
    OnLan {
        platform: Platform,
        pc_tethered: bool,
    },
    /// The network side saw the phone answer while its page said nothing: still on the home
    /// network (`hidden`: asleep or in another app), or back on it.
    StillOnLan { hidden: bool, evidence: String },
    /// The page reported it was hidden (screen locked, another app or tab in front).
    Hidden,
    /// The page reported it was visible again, over the LAN.
    Visible { pc_tethered: bool },
    /// The phone left the home network: the network side got no answer (see `evidence`).
    /// Reported again after each later probe that still gets none, each time a new
    /// observation.
    LeftLan {
        silent_ms: i64,
        pc_tethered: bool,
        evidence: String,
    },
    /// The visible page went silent but the phone still answers on the home network: the
    /// page has a problem (reload it), the phone did not leave.
    PageSilent { silent_ms: i64, evidence: String },
    /// Nothing can be concluded now: the PC's own network changed, or the page went silent
    /// where the network side cannot see the phone.
    PresenceUnknown { evidence: String },
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

const TETHERED: &str = "the PC's internet goes through the phone (USB tethering or its hotspot, \
                        on strong evidence), so the phone is not on the home Wi-Fi";

impl PhoneEvent {
    /// The facts this event supports, stamped with `at`. Events that say nothing about the
    /// phone's presence or network (refusals, the end) give none.
    ///
    /// `phone.presence` is what is observed: on / left the home network. Which line the phone
    /// uses is not observed from here: the person confirms it (the 4G/5G icon), or the
    /// phone's own browser reports it (`phone.network`).
    pub fn observations(&self, at: UnixMs) -> Vec<Observation> {
        let presence = |value: &str, evidence: &str, tethered: bool| {
            if tethered {
                Observation::measured("phone.presence", "pc_tethered", at, TETHERED)
            } else {
                Observation::measured("phone.presence", value, at, evidence)
            }
        };
        let page =
            |value: &str, evidence: &str| Observation::measured("phone.page", value, at, evidence);
        match self {
            PhoneEvent::PcTethered => vec![presence("pc_tethered", TETHERED, true)],
            PhoneEvent::OnLan {
                platform,
                pc_tethered,
            } => vec![
                presence(
                    "on_lan",
                    "the phone opened the check page at the PC's LAN address: it is on the home \
                     network",
                    *pc_tethered,
                ),
                page("visible", "the phone loaded the check page"),
                Observation::measured(
                    "phone.platform",
                    platform.fact_value(),
                    at,
                    "from the phone browser's User-Agent",
                ),
            ],
            PhoneEvent::StillOnLan { evidence, .. } => vec![presence("on_lan", evidence, false)],
            PhoneEvent::Hidden => vec![page(
                "hidden",
                "the page reported it was hidden (screen locked or another app in front); its \
                 silence is checked from the network side",
            )],
            PhoneEvent::Visible { pc_tethered } => vec![
                presence(
                    "on_lan",
                    "the page is visible again and its heartbeat arrived over the LAN",
                    *pc_tethered,
                ),
                page("visible", "a heartbeat from the visible page arrived"),
            ],
            PhoneEvent::LeftLan {
                pc_tethered,
                evidence,
                ..
            } => vec![presence("left_lan", evidence, *pc_tethered)],
            PhoneEvent::PageSilent {
                silent_ms,
                evidence,
            } => vec![
                presence("on_lan", evidence, false),
                page(
                    "silent",
                    &format!("the visible page has sent nothing for {}", secs(*silent_ms)),
                ),
            ],
            PhoneEvent::PresenceUnknown { evidence } => {
                vec![Observation::measured(
                    "phone.presence",
                    "unknown",
                    at,
                    evidence.clone(),
                )]
            }
            PhoneEvent::ReportedConnection {
                connection,
                pc_tethered,
            } => {
                let evidence = format!(
                    "the phone's own browser reported navigator.connection.type = {connection}"
                );
                match (connection.as_str(), pc_tethered) {
                    (_, true) => Vec::new(),
                    (c @ ("cellular" | "wifi"), false) => {
                        vec![Observation::measured("phone.network", c, at, evidence)]
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
    fn phone_on_lan_is_measured_presence_with_its_platform_and_no_line_claim() {
        let obs = PhoneEvent::OnLan {
            platform: Platform::Android,
            pc_tethered: false,
        }
        .observations(UnixMs(7));
        assert_eq!(value_of(&obs, "phone.presence"), Some("on_lan"));
        assert_eq!(value_of(&obs, "phone.page"), Some("visible"));
        assert_eq!(value_of(&obs, "phone.platform"), Some("android"));
        assert_eq!(
            value_of(&obs, "phone.network"),
            None,
            "no line is observed here"
        );
        assert!(
            obs.iter()
                .all(|o| o.source == FactSource::Measured && o.at == UnixMs(7))
        );
    }

    #[test]
    fn a_tethered_pc_marks_presence_as_tethered_never_as_on_the_home_network() {
        let obs = PhoneEvent::OnLan {
            platform: Platform::Iphone,
            pc_tethered: true,
        }
        .observations(UnixMs(7));
        assert_eq!(value_of(&obs, "phone.presence"), Some("pc_tethered"));
        assert_eq!(
            value_of(
                &PhoneEvent::PcTethered.observations(UnixMs(1)),
                "phone.presence"
            ),
            Some("pc_tethered")
        );
    }

    #[test]
    fn leaving_carries_the_network_side_evidence_and_claims_no_line() {
        let obs = PhoneEvent::LeftLan {
            silent_ms: 4_600,
            pc_tethered: false,
            evidence: "no answer on the home network (unicast ARP)".into(),
        }
        .observations(UnixMs(9));
        assert_eq!(value_of(&obs, "phone.presence"), Some("left_lan"));
        assert_eq!(value_of(&obs, "phone.network"), None);
        assert_eq!(
            obs[0].evidence,
            "no answer on the home network (unicast ARP)"
        );
    }

    #[test]
    fn a_silent_page_with_an_answering_phone_is_on_the_lan_and_unknown_is_unknown() {
        let obs = PhoneEvent::PageSilent {
            silent_ms: 5_000,
            evidence: "answered".into(),
        }
        .observations(UnixMs(1));
        assert_eq!(value_of(&obs, "phone.presence"), Some("on_lan"));
        assert_eq!(value_of(&obs, "phone.page"), Some("silent"));
        let obs = PhoneEvent::PresenceUnknown {
            evidence: "PC network changed".into(),
        }
        .observations(UnixMs(1));
        assert_eq!(value_of(&obs, "phone.presence"), Some("unknown"));
        let obs = PhoneEvent::StillOnLan {
            hidden: true,
            evidence: "answered while hidden".into(),
        }
        .observations(UnixMs(1));
        assert_eq!(value_of(&obs, "phone.presence"), Some("on_lan"));
    }

    #[test]
    fn a_hidden_page_changes_the_page_fact_only() {
        let obs = PhoneEvent::Hidden.observations(UnixMs(1));
        assert_eq!(value_of(&obs, "phone.page"), Some("hidden"));
        assert_eq!(value_of(&obs, "phone.presence"), None);
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
