//! Presence: one model that turns page loads, heartbeats, visibility beacons, the network-side
//! probes of the phone (`neighbour`) and the passing of time into `PhoneEvent`s.
//!
//! Pure: no clock, no I/O. The server calls `on_page` / `on_beat` when requests arrive,
//! `on_probe` when a network-side probe finishes and `tick` a few times a second, always
//! passing the time; `tick` says when a probe should be sent.
//!
//! The rules, each conclusion carrying what was seen:
//! - a page load or a beat: on the home network;
//! - page hidden (Settings app, locked screen; the phone suspends its JavaScript), the phone
//!   answers the probes: still on the home network (asleep or in another app);
//! - page hidden, no answer to `hidden_misses` probes in a row: left the home network;
//! - page visible, silent for `left_after_ms`, no answer: left (fast);
//! - page visible, silent, but the phone answers: the page has a problem, not "left";
//! - no network-side signal (a router in between, the OS cannot probe): silence proves
//!   nothing, and the conclusion says so ("unknown"), never "left";
//! - after leaving, the probes go on: each unanswered one is a new observation with its own
//!   time, an answered one brings the phone back;
//! - the PC's own network changed: presence is unknown until the next probe or beat.

use crate::facts::UnixMs;

use super::event::{PhoneEvent, Platform};
use std::time::Duration;

use super::neighbour::{Answer, Learned, ProbePlan, Target};

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
    /// Silence while visible after which the phone counts as gone when the network side
    /// agrees (three missed beats).
    pub left_after_ms: i64,
    /// Time after the start after which "nobody opened the page" is reported.
    pub never_scanned_after_ms: i64,
    /// Silence while visible after which the network side is asked (two missed beats).
    pub suspect_after_ms: i64,
    /// Unanswered probes in a row that mean "left" while the page is hidden.
    pub hidden_misses: u32,
    /// Pause between probes while the page is hidden (each probe itself takes a few tries).
    pub hidden_probe_gap_ms: i64,
    /// After leaving (or while present and hidden but already confirmed): how often the
    /// network side is asked again.
    pub recheck_every_ms: i64,
}

impl Default for PresenceRules {
    fn default() -> Self {
        PresenceRules {
            left_after_ms: 3_000,
            never_scanned_after_ms: 90_000,
            suspect_after_ms: 2_000,
            hidden_misses: 2,
            hidden_probe_gap_ms: 1_000,
            recheck_every_ms: 10_000,
        }
    }
}

/// The current conclusion about the phone, once it was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    OnLan,
    Left,
    /// Visible page silent while the phone answers on the network.
    PageSilent,
    /// Silent and nothing on the network side can tell (or the PC's network changed).
    Unknown,
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
        verdict: Verdict,
        /// Unanswered probes in a row since the last sign of life.
        misses: u32,
        /// An answer was seen since the page was last hidden (reported once).
        answered_while_hidden: bool,
    },
}

/// What the network side can do for this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lan {
    NotYet,
    Probe(Target),
    Cannot(String),
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
    lan: Lan,
    probing: bool,
    last_probe_end: Option<UnixMs>,
    probes_sent: u32,
}

/// What a tick asks of the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickOut {
    pub events: Vec<PhoneEvent>,
    /// Send this probe now and report its answer with `on_probe`.
    pub probe: Option<(Target, ProbePlan)>,
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
            lan: Lan::NotYet,
            probing: false,
            last_probe_end: None,
            probes_sent: 0,
        }
    }

    /// What the OS knew about the address the phone's page load came from. The first usable
    /// answer is kept: the link-layer address learned at page load is the phone's.
    pub fn on_learned(&mut self, learned: Learned) {
        if matches!(self.lan, Lan::Probe(_)) {
            return;
        }
        self.lan = match learned {
            Learned::Neighbour(t) => Lan::Probe(t),
            Learned::NotThePhone { why } | Learned::Unavailable { why } => Lan::Cannot(why),
        };
    }

    /// The claiming phone loaded (or reloaded) the page. A load is proof of being on the LAN
    /// and of being visible.
    pub fn on_page(&mut self, now: UnixMs, platform: Platform) -> Vec<PhoneEvent> {
        self.platform = platform;
        let mut events = Vec::new();
        let (announce, last_seq, was_hidden) = match &self.state {
            State::NotSeen { .. } => (true, 0, false),
            State::Seen {
                verdict,
                last_seq,
                visibility,
                ..
            } => (
                *verdict != Verdict::OnLan,
                *last_seq,
                *visibility == Visibility::Hidden,
            ),
        };
        self.state = State::Seen {
            last_heard: now,
            last_seq,
            visibility: Visibility::Visible,
            verdict: Verdict::OnLan,
            misses: 0,
            answered_while_hidden: false,
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
                // A beat before any page load (the load raced the beat): it still proves the LAN.
                self.state = State::Seen {
                    last_heard: now,
                    last_seq: beat.seq,
                    visibility: beat.visibility,
                    verdict: Verdict::OnLan,
                    misses: 0,
                    answered_while_hidden: false,
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
                verdict,
                misses,
                answered_while_hidden,
            } => {
                *last_heard = now;
                *misses = 0;
                if *verdict != Verdict::OnLan {
                    *verdict = Verdict::OnLan;
                    events.push(PhoneEvent::OnLan {
                        platform: self.platform,
                        pc_tethered,
                    });
                }
                if beat.seq > *last_seq {
                    *last_seq = beat.seq;
                    if beat.visibility != *visibility {
                        *visibility = beat.visibility;
                        *answered_while_hidden = false;
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

    /// The PC's own network changed: what was concluded about the phone no longer holds.
    pub fn on_pc_network_changed(&mut self) -> Vec<PhoneEvent> {
        let State::Seen {
            verdict, misses, ..
        } = &mut self.state
        else {
            return Vec::new();
        };
        *verdict = Verdict::Unknown;
        *misses = 0;
        vec![PhoneEvent::PresenceUnknown {
            evidence: "this PC's own network changed; the phone is checked again".to_owned(),
        }]
    }

    /// Lets time pass: reports a phone that never came, concludes on silence where the network
    /// side cannot help, and asks for probes.
    pub fn tick(&mut self, now: UnixMs) -> TickOut {
        let mut out = TickOut::default();
        let rules = self.rules;
        let can_probe = matches!(self.lan, Lan::Probe(_));
        match &mut self.state {
            State::NotSeen {
                never_scanned_reported,
            } => {
                let waited = now.since(self.started);
                if !*never_scanned_reported && waited >= rules.never_scanned_after_ms {
                    *never_scanned_reported = true;
                    out.events
                        .push(PhoneEvent::NeverScanned { waited_ms: waited });
                }
            }
            State::Seen {
                last_heard,
                visibility,
                verdict,
                ..
            } => {
                let silent = now.since(*last_heard);
                let visible_silent =
                    *visibility == Visibility::Visible && silent >= rules.suspect_after_ms;
                if !can_probe {
                    if *verdict == Verdict::OnLan
                        && *visibility == Visibility::Visible
                        && silent >= rules.left_after_ms
                    {
                        *verdict = Verdict::Unknown;
                        let why = match &self.lan {
                            Lan::Cannot(why) => why.clone(),
                            _ => "the phone's address was not learned".to_owned(),
                        };
                        out.events.push(PhoneEvent::PresenceUnknown {
                            evidence: format!(
                                "heartbeats stopped {} ago while the page was visible, and the \
                                 network side cannot check the phone ({why}); silence alone does \
                                 not prove the phone left the home Wi-Fi",
                                secs(silent)
                            ),
                        });
                    }
                    return out;
                }
                if self.probing {
                    return out;
                }
                let since_probe = self.last_probe_end.map_or(i64::MAX, |t| now.since(t));
                let due = match verdict {
                    Verdict::Unknown => true,
                    Verdict::Left | Verdict::PageSilent => since_probe >= rules.recheck_every_ms,
                    Verdict::OnLan if visible_silent => true,
                    Verdict::OnLan if *visibility == Visibility::Hidden => {
                        since_probe >= rules.hidden_probe_gap_ms
                    }
                    Verdict::OnLan => false,
                };
                if due && let Lan::Probe(t) = &self.lan {
                    self.probing = true;
                    self.probes_sent += 1;
                    // A visible page means an awake phone: two quick tries tell. A hidden one
                    // may doze between beacons: more tries, a second apart.
                    let plan = if *visibility == Visibility::Visible {
                        ProbePlan {
                            tries: 2,
                            wait_each: Duration::from_millis(500),
                        }
                    } else {
                        ProbePlan::default()
                    };
                    out.probe = Some((t.clone(), plan));
                }
            }
        }
        out
    }

    /// A network-side probe finished at `now`.
    pub fn on_probe(&mut self, now: UnixMs, answer: &Answer) -> Vec<PhoneEvent> {
        self.probing = false;
        self.last_probe_end = Some(now);
        let rules = self.rules;
        let pc_tethered = self.pc_tethered;
        let n = self.probes_sent;
        let State::Seen {
            last_heard,
            visibility,
            verdict,
            misses,
            answered_while_hidden,
            ..
        } = &mut self.state
        else {
            return Vec::new();
        };
        let silent = now.since(*last_heard);
        let mut events = Vec::new();
        let missed = match answer {
            Answer::Answered { after, how } => {
                *misses = 0;
                let seen = format!(
                    "the phone answered on the home network ({how}, after {} ms)",
                    after.as_millis()
                );
                match verdict {
                    Verdict::Left | Verdict::Unknown => {
                        *verdict = Verdict::OnLan;
                        *answered_while_hidden = *visibility == Visibility::Hidden;
                        events.push(PhoneEvent::StillOnLan {
                            hidden: *visibility == Visibility::Hidden,
                            evidence: seen,
                        });
                    }
                    Verdict::OnLan
                        if *visibility == Visibility::Visible && silent >= rules.left_after_ms =>
                    {
                        *verdict = Verdict::PageSilent;
                        events.push(PhoneEvent::PageSilent {
                            silent_ms: silent,
                            evidence: format!(
                                "{seen}, but its visible page has sent nothing for {}",
                                secs(silent)
                            ),
                        });
                    }
                    Verdict::OnLan
                        if *visibility == Visibility::Hidden && !*answered_while_hidden =>
                    {
                        *answered_while_hidden = true;
                        events.push(PhoneEvent::StillOnLan {
                            hidden: true,
                            evidence: format!("{seen} while its page is hidden"),
                        });
                    }
                    _ => {}
                }
                None
            }
            Answer::NoAnswer { tries, over, how } => Some(format!(
                "no answer on the home network ({how}: {tries} tries over {} ms)",
                over.as_millis()
            )),
            Answer::OtherDevice { mac } => Some(format!(
                "another device ({mac}) answered for the phone's address: the phone is not there"
            )),
            // Says nothing about the phone; the next probe tries again.
            Answer::Unavailable { .. } => None,
        };
        if let Some(seen) = missed {
            *misses += 1;
            let leave = match verdict {
                Verdict::Left | Verdict::PageSilent => true,
                Verdict::Unknown => *misses >= rules.hidden_misses,
                Verdict::OnLan => match visibility {
                    Visibility::Visible => silent >= rules.left_after_ms,
                    Visibility::Hidden => *misses >= rules.hidden_misses,
                },
            };
            if leave {
                let again = *verdict == Verdict::Left;
                *verdict = Verdict::Left;
                let page = match visibility {
                    Visibility::Visible => format!("its visible page silent for {}", secs(silent)),
                    Visibility::Hidden => "its page hidden".to_owned(),
                };
                events.push(PhoneEvent::LeftLan {
                    silent_ms: silent,
                    pc_tethered,
                    evidence: format!(
                        "{seen}; {} unanswered probe(s) in a row, {page}{}",
                        misses,
                        if again {
                            format!(" (still away at probe {n})")
                        } else {
                            String::new()
                        }
                    ),
                });
            }
        }
        events
    }

    /// The platform of the claiming phone (`Other` until the page is loaded).
    pub fn platform(&self) -> Platform {
        self.platform
    }
}

fn secs(ms: i64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::neighbour::Mac;
    use std::net::Ipv4Addr;
    use std::time::Duration;

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

    fn target() -> Target {
        Target {
            ip: Ipv4Addr::new(192, 168, 1, 23),
            mac: Mac([2, 0, 0, 0, 0, 23]),
            interface: "wlan0".into(),
        }
    }

    fn answered() -> Answer {
        Answer::Answered {
            after: Duration::from_millis(30),
            how: "unicast ARP".into(),
        }
    }

    fn silent() -> Answer {
        Answer::NoAnswer {
            tries: 3,
            over: Duration::from_secs(3),
            how: "unicast ARP".into(),
        }
    }

    /// A phone seen on the LAN, its address learned.
    fn seen(visibility: Visibility) -> Presence {
        let mut p = Presence::new(T0, PresenceRules::default(), false);
        p.on_page(at(0), Platform::Iphone);
        p.on_learned(Learned::Neighbour(target()));
        if visibility == Visibility::Hidden {
            assert_eq!(
                p.on_beat(at(500), &beat(1, Visibility::Hidden)),
                vec![PhoneEvent::Hidden]
            );
        }
        p
    }

    /// Runs the clock from `from` to `to` in 100 ms steps; every probe asked for is answered
    /// by `network(t)` after `probe_ms`. Returns what was reported, with when.
    fn run(
        p: &mut Presence,
        from: i64,
        to: i64,
        probe_ms: i64,
        network: impl Fn(i64) -> Answer,
    ) -> (Vec<(i64, PhoneEvent)>, u32) {
        let mut out = Vec::new();
        let mut pending: Option<i64> = None;
        let mut probes = 0;
        let mut t = from;
        while t <= to {
            if let Some(done) = pending
                && t >= done
            {
                pending = None;
                out.extend(p.on_probe(at(t), &network(t)).into_iter().map(|e| (t, e)));
            }
            let tick = p.tick(at(t));
            out.extend(tick.events.into_iter().map(|e| (t, e)));
            if tick.probe.is_some() {
                assert!(pending.is_none(), "a second probe while one is in flight");
                pending = Some(t + probe_ms);
                probes += 1;
            }
            t += 100;
        }
        (out, probes)
    }

    fn lefts(events: &[(i64, PhoneEvent)]) -> Vec<i64> {
        events
            .iter()
            .filter(|(_, e)| matches!(e, PhoneEvent::LeftLan { .. }))
            .map(|(t, _)| *t)
            .collect()
    }

    #[test]
    fn steady_heartbeats_keep_the_phone_present_without_probing() {
        let mut p = seen(Visibility::Visible);
        let mut t = 0;
        for seq in 1..=20u64 {
            t += 1_500;
            assert!(p.on_beat(at(t), &beat(seq, Visibility::Visible)).is_empty());
            let (events, probes) = run(&mut p, t - 1_400, t, 100, |_| silent());
            assert!(events.is_empty() && probes == 0, "{events:?}");
        }
    }

    #[test]
    fn a_visible_page_gone_silent_with_no_answer_is_leaving_fast() {
        let mut p = seen(Visibility::Visible);
        p.on_beat(at(1_500), &beat(1, Visibility::Visible));
        let (events, _) = run(&mut p, 1_600, 20_000, 1_000, |_| silent());
        let left = lefts(&events);
        // Last beat at 1.5 s: asked at 3.5 s, no answer by 4.5 s.
        assert!(
            left.first().is_some_and(|t| (4_500..=4_600).contains(t)),
            "{events:?}"
        );
        let PhoneEvent::LeftLan { evidence, .. } = &events[0].1 else {
            panic!("{events:?}")
        };
        assert!(
            evidence.contains("no answer on the home network"),
            "{evidence}"
        );
        assert!(evidence.contains("visible page silent"), "{evidence}");
    }

    #[test]
    fn a_visible_page_gone_silent_while_the_phone_answers_is_a_page_problem_not_leaving() {
        let mut p = seen(Visibility::Visible);
        p.on_beat(at(1_500), &beat(1, Visibility::Visible));
        let (events, _) = run(&mut p, 1_600, 60_000, 100, |_| answered());
        assert!(lefts(&events).is_empty(), "{events:?}");
        assert!(
            matches!(events.first(), Some((_, PhoneEvent::PageSilent { .. }))),
            "{events:?}"
        );
        assert_eq!(events.len(), 1, "reported once: {events:?}");
    }

    #[test]
    fn a_hidden_page_whose_phone_still_answers_is_on_the_home_network_for_ten_minutes() {
        let mut p = seen(Visibility::Hidden);
        let (events, probes) = run(&mut p, 600, 600_000, 200, |_| answered());
        assert!(lefts(&events).is_empty(), "{events:?}");
        assert!(
            matches!(
                events.as_slice(),
                [(_, PhoneEvent::StillOnLan { hidden: true, .. })]
            ),
            "{events:?}"
        );
        assert!(probes > 100, "kept checking: {probes} probes");
    }

    #[test]
    fn a_dozing_phone_that_misses_single_probes_is_never_called_gone() {
        // Every other probe goes unanswered (the phone dozed through it).
        let mut p = seen(Visibility::Hidden);
        let flip = std::cell::Cell::new(false);
        let (events, _) = run(&mut p, 600, 600_000, 3_000, |_| {
            flip.set(!flip.get());
            if flip.get() { silent() } else { answered() }
        });
        assert!(lefts(&events).is_empty(), "{events:?}");
    }

    #[test]
    fn a_hidden_page_whose_phone_stops_answering_has_left_within_ten_seconds() {
        let mut p = seen(Visibility::Hidden);
        // Answers until the Wi-Fi goes off at 20 s; each unanswered probe takes 3 s.
        let (events, _) = run(&mut p, 600, 60_000, 3_000, |t| {
            if t < 20_000 { answered() } else { silent() }
        });
        let left = lefts(&events);
        let first = *left.first().expect("left");
        assert!(
            (20_000..=30_000).contains(&first),
            "left at {first}: {events:?}"
        );
        assert!(first - 20_000 <= 10_000, "took {} ms", first - 20_000);
        // Then each later probe is a new observation of the absence, with its own time.
        assert!(left.len() >= 3, "{left:?}");
        assert!(left.windows(2).all(|w| w[1] - w[0] >= 10_000), "{left:?}");
    }

    #[test]
    fn another_device_answering_for_the_address_is_not_the_phone() {
        let mut p = seen(Visibility::Hidden);
        let (events, _) = run(&mut p, 600, 20_000, 1_000, |_| Answer::OtherDevice {
            mac: Mac([2, 0, 0, 0, 0, 99]),
        });
        let first = events
            .iter()
            .find(|(_, e)| matches!(e, PhoneEvent::LeftLan { .. }))
            .expect("left");
        let PhoneEvent::LeftLan { evidence, .. } = &first.1 else {
            unreachable!()
        };
        assert!(evidence.contains("another device"), "{evidence}");
    }

    #[test]
    fn an_answer_after_leaving_brings_the_phone_back() {
        let mut p = seen(Visibility::Hidden);
        let (events, _) = run(&mut p, 600, 60_000, 1_000, |t| {
            if t < 40_000 { silent() } else { answered() }
        });
        assert!(!lefts(&events).is_empty());
        let back = events
            .iter()
            .find(|(_, e)| matches!(e, PhoneEvent::StillOnLan { .. }));
        assert!(back.is_some_and(|(t, _)| *t >= 40_000), "{events:?}");
    }

    #[test]
    fn without_a_network_side_signal_silence_is_unknown_never_left() {
        let mut p = Presence::new(T0, PresenceRules::default(), false);
        p.on_page(at(0), Platform::Android);
        p.on_learned(Learned::NotThePhone {
            why: "double NAT".into(),
        });
        let (events, probes) = run(&mut p, 100, 60_000, 100, |_| silent());
        assert_eq!(probes, 0);
        assert!(lefts(&events).is_empty(), "{events:?}");
        assert!(
            matches!(events.as_slice(), [(_, PhoneEvent::PresenceUnknown { evidence })] if evidence.contains("double NAT")),
            "{events:?}"
        );
        // Hidden and silent: nothing at all can be said.
        let mut p = Presence::new(T0, PresenceRules::default(), false);
        p.on_page(at(0), Platform::Iphone);
        p.on_beat(at(100), &beat(1, Visibility::Hidden));
        p.on_learned(Learned::Unavailable {
            why: "no table".into(),
        });
        let (events, _) = run(&mut p, 200, 600_000, 100, |_| silent());
        assert!(events.is_empty(), "{events:?}");
    }

    #[test]
    fn a_change_of_the_pcs_network_makes_presence_unknown_until_checked_again() {
        let mut p = seen(Visibility::Hidden);
        let events = p.on_pc_network_changed();
        assert!(matches!(
            events.as_slice(),
            [PhoneEvent::PresenceUnknown { .. }]
        ));
        let (events, _) = run(&mut p, 1_000, 5_000, 100, |_| answered());
        assert!(
            matches!(events.first(), Some((_, PhoneEvent::StillOnLan { .. }))),
            "{events:?}"
        );
    }

    #[test]
    fn first_page_load_announces_the_phone_and_a_reload_announces_nothing() {
        let mut p = Presence::new(T0, PresenceRules::default(), false);
        assert_eq!(
            p.on_page(at(500), Platform::Iphone),
            vec![PhoneEvent::OnLan {
                platform: Platform::Iphone,
                pc_tethered: false
            }]
        );
        assert!(p.on_page(at(900), Platform::Iphone).is_empty());
    }

    #[test]
    fn a_hidden_beacon_overtaken_by_an_older_visible_beat_still_counts_as_hidden() {
        let mut p = seen(Visibility::Visible);
        assert_eq!(
            p.on_beat(at(1_000), &beat(20, Visibility::Hidden)),
            vec![PhoneEvent::Hidden]
        );
        assert!(
            p.on_beat(at(1_050), &beat(19, Visibility::Visible))
                .is_empty()
        );
    }

    #[test]
    fn connection_type_is_reported_when_it_first_appears_or_changes() {
        let mut p = seen(Visibility::Visible);
        let b = |seq, c: &str| Beat {
            seq,
            visibility: Visibility::Visible,
            connection: Some(c.into()),
        };
        assert_eq!(
            p.on_beat(at(1_500), &b(1, "wifi")),
            vec![PhoneEvent::ReportedConnection {
                connection: "wifi".into(),
                pc_tethered: false
            }]
        );
        assert!(p.on_beat(at(3_000), &b(2, "wifi")).is_empty());
        assert_eq!(p.on_beat(at(4_500), &b(3, "cellular")).len(), 1);
    }

    #[test]
    fn never_scanned_is_reported_once_after_the_wait() {
        let mut p = Presence::new(T0, PresenceRules::default(), false);
        let (events, _) = run(&mut p, 0, 89_900, 100, |_| silent());
        assert!(events.is_empty());
        assert_eq!(
            p.tick(at(90_000)).events,
            vec![PhoneEvent::NeverScanned { waited_ms: 90_000 }]
        );
        let (events, _) = run(&mut p, 90_100, 200_000, 100, |_| silent());
        assert!(events.is_empty());
    }
}
