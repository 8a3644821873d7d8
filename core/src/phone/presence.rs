//! Presence: turns page loads, heartbeats and the passing of time into `PhoneEvent`s.
//!
//! Pure: no clock, no I/O. The server calls `on_page` / `on_beat` when requests arrive and
//! `tick` a few times a second, always passing the time. The key rule: silence only means
//! "left the Wi-Fi" while the page was last known to be *visible*; a hidden page (locked
//! screen, another app) is throttled or frozen by the phone, so its silence proves nothing.

use crate::facts::UnixMs;

use super::event::{PhoneEvent, Platform};

/// Whether the phone's page is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Visible,
    Hidden,
}

/// One heartbeat or visibility beacon from the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beat {
    /// Increases with every message from the page (it uses the phone's clock in ms, bumped so
    /// it never repeats). A beacon can overtake a heartbeat in flight; only the newest
    /// message's visibility counts.
    pub seq: u64,
    pub visibility: Visibility,
    /// `navigator.connection.type` when the browser has it (Android Chromium), else `None`.
    pub connection: Option<String>,
}

/// Timing rules. The page beats every ~1.5 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceRules {
    /// Silence while visible after which the phone counts as gone from the LAN (three missed
    /// beats).
    pub left_after_ms: i64,
    /// Time after the start after which "nobody opened the page" is reported.
    pub never_scanned_after_ms: i64,
}

impl Default for PresenceRules {
    fn default() -> Self {
        PresenceRules {
            left_after_ms: 4_500,
            never_scanned_after_ms: 90_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    NotSeen {
        never_scanned_reported: bool,
    },
    Seen {
        last_heard: UnixMs,
        last_seq: u64,
        visibility: Visibility,
        left: bool,
    },
}

/// The PC side's view of the phone.
#[derive(Debug, Clone)]
pub struct Presence {
    rules: PresenceRules,
    started: UnixMs,
    pc_tethered: bool,
    platform: Platform,
    connection: Option<String>,
    state: State,
}

impl Presence {
    pub fn new(started: UnixMs, rules: PresenceRules, pc_tethered: bool) -> Presence {
        Presence {
            rules,
            started,
            pc_tethered,
            platform: Platform::Other,
            connection: None,
            state: State::NotSeen {
                never_scanned_reported: false,
            },
        }
    }

    /// The claiming phone loaded (or reloaded) the page. A load is proof of being on the LAN
    /// and of being visible.
    pub fn on_page(&mut self, now: UnixMs, platform: Platform) -> Vec<PhoneEvent> {
        self.platform = platform;
        let mut events = Vec::new();
        let announce = match &self.state {
            State::NotSeen { .. } => true,
            State::Seen { left, .. } => *left,
        };
        let last_seq = match &self.state {
            State::Seen { last_seq, .. } => *last_seq,
            State::NotSeen { .. } => 0,
        };
        let was_hidden = matches!(
            self.state,
            State::Seen {
                visibility: Visibility::Hidden,
                ..
            }
        );
        self.state = State::Seen {
            last_heard: now,
            last_seq,
            visibility: Visibility::Visible,
            left: false,
        };
        if announce {
            events.push(PhoneEvent::OnLan {
                platform,
                pc_tethered: self.pc_tethered,
            });
        } else if was_hidden {
            events.push(PhoneEvent::Visible {
                pc_tethered: self.pc_tethered,
            });
        }
        events
    }

    /// A heartbeat or beacon arrived over the LAN.
    pub fn on_beat(&mut self, now: UnixMs, beat: &Beat) -> Vec<PhoneEvent> {
        let mut events = Vec::new();
        let pc_tethered = self.pc_tethered;
        match &mut self.state {
            State::NotSeen { .. } => {
                // A beat before any page load (the page was opened in an earlier check of the
                // same server, or the load raced the beat): it still proves the LAN.
                self.state = State::Seen {
                    last_heard: now,
                    last_seq: beat.seq,
                    visibility: beat.visibility,
                    left: false,
                };
                events.push(PhoneEvent::OnLan {
                    platform: self.platform,
                    pc_tethered,
                });
                if beat.visibility == Visibility::Hidden {
                    events.push(PhoneEvent::Hidden);
                }
            }
            State::Seen {
                last_heard,
                last_seq,
                visibility,
                left,
            } => {
                *last_heard = now;
                if *left {
                    *left = false;
                    events.push(PhoneEvent::OnLan {
                        platform: self.platform,
                        pc_tethered,
                    });
                }
                if beat.seq > *last_seq {
                    *last_seq = beat.seq;
                    if beat.visibility != *visibility {
                        *visibility = beat.visibility;
                        events.push(match beat.visibility {
                            Visibility::Hidden => PhoneEvent::Hidden,
                            Visibility::Visible => PhoneEvent::Visible { pc_tethered },
                        });
                    }
                }
            }
        }
        if let Some(c) = &beat.connection
            && self.connection.as_ref() != Some(c)
        {
            self.connection = Some(c.clone());
            events.push(PhoneEvent::ReportedConnection {
                connection: c.clone(),
                pc_tethered,
            });
        }
        events
    }

    /// Lets time pass: reports a departure or a phone that never came.
    pub fn tick(&mut self, now: UnixMs) -> Option<PhoneEvent> {
        match &mut self.state {
            State::NotSeen {
                never_scanned_reported,
            } => {
                let waited = now.since(self.started);
                if !*never_scanned_reported && waited >= self.rules.never_scanned_after_ms {
                    *never_scanned_reported = true;
                    return Some(PhoneEvent::NeverScanned { waited_ms: waited });
                }
                None
            }
            State::Seen {
                last_heard,
                visibility,
                left,
                ..
            } => {
                let silent = now.since(*last_heard);
                if !*left
                    && *visibility == Visibility::Visible
                    && silent >= self.rules.left_after_ms
                {
                    *left = true;
                    // A later beat means the phone is back on the LAN (announced as `OnLan`).
                    return Some(PhoneEvent::LeftLan {
                        silent_ms: silent,
                        pc_tethered: self.pc_tethered,
                    });
                }
                None
            }
        }
    }

    /// The platform of the claiming phone (`Other` until the page is loaded).
    pub fn platform(&self) -> Platform {
        self.platform
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixMs = UnixMs(1_700_000_000_000);

    fn at(ms: i64) -> UnixMs {
        UnixMs(T0.0 + ms)
    }

    fn beat(seq: u64, visibility: Visibility) -> Beat {
        Beat {
            seq,
            visibility,
            connection: None,
        }
    }

    fn fresh() -> Presence {
        Presence::new(T0, PresenceRules::default(), false)
    }

    /// Ticks every 100 ms from `from` to `to` (inclusive) and collects what happens.
    fn run(p: &mut Presence, from: i64, to: i64) -> Vec<(i64, PhoneEvent)> {
        let mut out = Vec::new();
        let mut t = from;
        while t <= to {
            if let Some(e) = p.tick(at(t)) {
                out.push((t, e));
            }
            t += 100;
        }
        out
    }

    #[test]
    fn first_page_load_announces_the_phone_on_the_lan_with_its_platform() {
        let mut p = fresh();
        let events = p.on_page(at(500), Platform::Iphone);
        assert_eq!(
            events,
            vec![PhoneEvent::OnLan {
                platform: Platform::Iphone,
                pc_tethered: false
            }]
        );
        // A reload while still present announces nothing new.
        assert!(p.on_page(at(900), Platform::Iphone).is_empty());
    }

    #[test]
    fn steady_heartbeats_keep_the_phone_present() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Android);
        let mut t = 0;
        for seq in 1..=20u64 {
            t += 1_500;
            assert!(p.on_beat(at(t), &beat(seq, Visibility::Visible)).is_empty());
            assert!(
                run(&mut p, t - 1_400, t).is_empty(),
                "left while beating at {t}"
            );
        }
    }

    #[test]
    fn silence_while_visible_means_left_the_lan_after_the_threshold() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Android);
        p.on_beat(at(1_500), &beat(1, Visibility::Visible));
        let events = run(&mut p, 1_600, 20_000);
        assert_eq!(events.len(), 1, "{events:?}");
        let (when, event) = &events[0];
        assert_eq!(*when, 6_000, "left 4.5 s after the last beat");
        assert_eq!(
            *event,
            PhoneEvent::LeftLan {
                silent_ms: 4_500,
                pc_tethered: false
            }
        );
    }

    #[test]
    fn hidden_page_silence_is_not_leaving() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Iphone);
        assert_eq!(
            p.on_beat(at(1_000), &beat(1, Visibility::Hidden)),
            vec![PhoneEvent::Hidden]
        );
        assert!(
            run(&mut p, 1_100, 600_000).is_empty(),
            "a hidden page was counted as leaving"
        );
    }

    #[test]
    fn a_hidden_beacon_overtaken_by_an_older_visible_beat_still_counts_as_hidden() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Iphone);
        assert_eq!(
            p.on_beat(at(1_000), &beat(20, Visibility::Hidden)),
            vec![PhoneEvent::Hidden]
        );
        // The heartbeat sent before the beacon arrives late.
        assert!(
            p.on_beat(at(1_050), &beat(19, Visibility::Visible))
                .is_empty()
        );
        assert!(run(&mut p, 1_100, 60_000).is_empty());
    }

    #[test]
    fn coming_back_visible_then_going_silent_is_leaving() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Iphone);
        p.on_beat(at(1_000), &beat(1, Visibility::Hidden));
        assert_eq!(
            p.on_beat(at(30_000), &beat(2, Visibility::Visible)),
            vec![PhoneEvent::Visible { pc_tethered: false }]
        );
        let events = run(&mut p, 30_100, 40_000);
        assert_eq!(
            events,
            vec![(
                34_500,
                PhoneEvent::LeftLan {
                    silent_ms: 4_500,
                    pc_tethered: false
                }
            )]
        );
    }

    #[test]
    fn a_beat_after_leaving_announces_the_phone_back_on_the_lan() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Android);
        assert_eq!(run(&mut p, 100, 5_000).len(), 1);
        let events = p.on_beat(at(9_000), &beat(5, Visibility::Visible));
        assert_eq!(
            events,
            vec![PhoneEvent::OnLan {
                platform: Platform::Android,
                pc_tethered: false
            }]
        );
        // And it can leave again.
        assert_eq!(run(&mut p, 9_100, 14_000).len(), 1);
    }

    #[test]
    fn left_the_lan_is_reported_once() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Android);
        assert_eq!(run(&mut p, 100, 120_000).len(), 1);
    }

    #[test]
    fn connection_type_is_reported_when_it_first_appears_or_changes() {
        let mut p = fresh();
        p.on_page(at(0), Platform::Android);
        let wifi = Beat {
            seq: 1,
            visibility: Visibility::Visible,
            connection: Some("wifi".into()),
        };
        assert_eq!(
            p.on_beat(at(1_500), &wifi),
            vec![PhoneEvent::ReportedConnection {
                connection: "wifi".into(),
                pc_tethered: false
            }]
        );
        let again = Beat {
            seq: 2,
            ..wifi.clone()
        };
        assert!(p.on_beat(at(3_000), &again).is_empty());
        let cell = Beat {
            seq: 3,
            visibility: Visibility::Visible,
            connection: Some("cellular".into()),
        };
        assert_eq!(
            p.on_beat(at(4_500), &cell),
            vec![PhoneEvent::ReportedConnection {
                connection: "cellular".into(),
                pc_tethered: false
            }]
        );
    }

    #[test]
    fn never_scanned_is_reported_once_after_the_wait() {
        let mut p = fresh();
        assert!(run(&mut p, 0, 89_900).is_empty());
        assert_eq!(
            p.tick(at(90_000)),
            Some(PhoneEvent::NeverScanned { waited_ms: 90_000 })
        );
        assert!(run(&mut p, 90_100, 200_000).is_empty());
    }

    #[test]
    fn a_phone_seen_before_the_wait_is_never_reported_as_never_scanned() {
        let mut p = fresh();
        p.on_page(at(80_000), Platform::Iphone);
        p.on_beat(at(81_000), &beat(1, Visibility::Hidden));
        assert!(run(&mut p, 81_100, 200_000).is_empty());
    }

    #[test]
    fn tethered_pc_marks_every_presence_event() {
        let mut p = Presence::new(T0, PresenceRules::default(), true);
        assert_eq!(
            p.on_page(at(0), Platform::Iphone),
            vec![PhoneEvent::OnLan {
                platform: Platform::Iphone,
                pc_tethered: true
            }]
        );
        assert_eq!(
            run(&mut p, 100, 5_000),
            vec![(
                4_500,
                PhoneEvent::LeftLan {
                    silent_ms: 4_500,
                    pc_tethered: true
                }
            )]
        );
    }
}
