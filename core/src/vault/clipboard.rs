//! The rule for "copy ID": the ID stays on the clipboard for 60 seconds, then Tebiki clears
//! it — but only if the clipboard still holds what Tebiki put there, so whatever the user
//! copied since is never wiped. Pure: time and the clipboard's current content come in as
//! values; the UI shell reads and clears the real clipboard.
//!
//! The guard keeps a keyed hash of the ID (random key per guard), not the ID itself, so the
//! ID is not kept in memory for the whole minute.

use std::fmt;
use std::hash::{BuildHasher, RandomState};

use super::AccountId;
use crate::facts::UnixMs;

/// How long a copied ID stays on the clipboard.
pub const CLIPBOARD_HOLD_SECS: i64 = 60;

/// What the clipboard holds now, as the shell read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardContent<'a> {
    Text(&'a str),
    /// Nothing at all.
    Empty,
    /// An image, files, or other non-text content: the user copied something else.
    Other,
    /// The shell could not read the clipboard (no permission, no focus on some desktops).
    Unreadable,
}

/// What the shell should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardAction {
    /// Not yet: ask again at `until`.
    Wait { until: UnixMs },
    /// Clear the clipboard now. The guard's job is done.
    Clear,
    /// The user replaced the ID (or it is gone): touch nothing. The guard's job is done.
    LeaveAlone,
}

/// Made when Tebiki puts an account ID on the clipboard.
pub struct ClipboardGuard {
    key: RandomState,
    fingerprint: u64,
    clear_at: UnixMs,
}

impl ClipboardGuard {
    /// The ID was copied at `now`; it is due to be cleared [`CLIPBOARD_HOLD_SECS`] later.
    pub fn new(copied: &AccountId, now: UnixMs) -> ClipboardGuard {
        ClipboardGuard::with_hold(copied, now, CLIPBOARD_HOLD_SECS)
    }

    pub fn with_hold(copied: &AccountId, now: UnixMs, hold_secs: i64) -> ClipboardGuard {
        let key = RandomState::new();
        let fingerprint = key.hash_one(copied.expose());
        ClipboardGuard {
            key,
            fingerprint,
            clear_at: now.plus_secs(hold_secs.max(0)),
        }
    }

    /// When the shell should look again (schedule one timer for this).
    pub fn clear_at(&self) -> UnixMs {
        self.clear_at
    }

    /// Whether the clipboard still holds exactly what Tebiki put there.
    pub fn still_ours(&self, clipboard: ClipboardContent<'_>) -> bool {
        matches!(clipboard, ClipboardContent::Text(t) if self.key.hash_one(t) == self.fingerprint)
    }

    /// The decision at `now`, given what the clipboard holds.
    pub fn decide(&self, now: UnixMs, clipboard: ClipboardContent<'_>) -> ClipboardAction {
        if now < self.clear_at {
            return ClipboardAction::Wait {
                until: self.clear_at,
            };
        }
        self.decide_now(clipboard)
    }

    /// The decision when Tebiki is closing or the session ends before the minute is up:
    /// clear now if the ID is still there.
    pub fn decide_on_exit(&self, clipboard: ClipboardContent<'_>) -> ClipboardAction {
        self.decide_now(clipboard)
    }

    fn decide_now(&self, clipboard: ClipboardContent<'_>) -> ClipboardAction {
        match clipboard {
            ClipboardContent::Text(_) if self.still_ours(clipboard) => ClipboardAction::Clear,
            ClipboardContent::Text(_) | ClipboardContent::Empty | ClipboardContent::Other => {
                ClipboardAction::LeaveAlone
            }
            // Cannot tell: an account ID left on the clipboard of a shared PC is worse than
            // losing something unknown the user may have copied.
            ClipboardContent::Unreadable => ClipboardAction::Clear,
        }
    }
}

impl fmt::Debug for ClipboardGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClipboardGuard")
            .field("clear_at", &self.clear_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AccountId {
        AccountId::parse(s).expect("valid id")
    }

    #[test]
    fn copied_id_waits_sixty_seconds_then_is_cleared_if_still_there() {
        let t0 = UnixMs(1_000_000);
        let g = ClipboardGuard::new(&id("0312345678"), t0);
        let until = t0.plus_secs(60);
        assert_eq!(g.clear_at(), until);
        assert_eq!(
            g.decide(t0.plus_secs(59), ClipboardContent::Text("0312345678")),
            ClipboardAction::Wait { until }
        );
        assert_eq!(
            g.decide(until, ClipboardContent::Text("0312345678")),
            ClipboardAction::Clear
        );
    }

    #[test]
    fn what_the_user_copied_since_is_never_wiped() {
        let t0 = UnixMs(0);
        let g = ClipboardGuard::new(&id("0312345678"), t0);
        let later = t0.plus_secs(61);
        assert_eq!(
            g.decide(later, ClipboardContent::Text("お買い物リスト")),
            ClipboardAction::LeaveAlone
        );
        // Almost the same text is not ours either.
        assert_eq!(
            g.decide(later, ClipboardContent::Text("0312345678 ")),
            ClipboardAction::LeaveAlone
        );
        assert_eq!(
            g.decide(later, ClipboardContent::Other),
            ClipboardAction::LeaveAlone
        );
        assert_eq!(
            g.decide(later, ClipboardContent::Empty),
            ClipboardAction::LeaveAlone
        );
    }

    #[test]
    fn unreadable_clipboard_is_cleared_to_be_safe() {
        let g = ClipboardGuard::new(&id("taro@example.jp"), UnixMs(0));
        assert_eq!(
            g.decide(UnixMs(60_000), ClipboardContent::Unreadable),
            ClipboardAction::Clear
        );
    }

    #[test]
    fn closing_early_clears_only_our_id() {
        let g = ClipboardGuard::new(&id("taro@example.jp"), UnixMs(0));
        assert_eq!(
            g.decide_on_exit(ClipboardContent::Text("taro@example.jp")),
            ClipboardAction::Clear
        );
        assert_eq!(
            g.decide_on_exit(ClipboardContent::Text("hanako")),
            ClipboardAction::LeaveAlone
        );
    }

    #[test]
    fn guard_debug_shows_no_id_and_negative_hold_clears_at_once() {
        let g = ClipboardGuard::with_hold(&id("taro@example.jp"), UnixMs(5), -10);
        assert_eq!(g.clear_at(), UnixMs(5));
        let dbg = format!("{g:?}");
        assert!(!dbg.contains("taro"), "{dbg}");
        assert_eq!(
            g.decide(UnixMs(5), ClipboardContent::Text("taro@example.jp")),
            ClipboardAction::Clear
        );
    }
}
