//! The crate's one calendar routine, and times printed without a time-zone database: the
//! record carries the UTC offset the app saw (or none, and then times say "UTC"), so the
//! output never depends on this machine. File names use [`utc_stamp`].

use crate::facts::UnixMs;

/// A civil date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// `t` shifted by `offset_min` minutes, as a calendar date and a wall-clock time.
pub(crate) fn civil(t: UnixMs, offset_min: i32) -> Civil {
    let secs = t.0.div_euclid(1000) + i64::from(offset_min) * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-from-civil inverse (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem / 60 % 60) as u32,
        second: (rem % 60) as u32,
    }
}

/// The instant of local `year-month-day hour:minute` at `offset_min` minutes from UTC: the
/// inverse of [`civil`] (Howard Hinnant's days-from-civil). `None` for an impossible date.
pub(crate) fn from_civil(
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    offset_min: i32,
) -> Option<UnixMs> {
    let dim = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > dim || hour > 23 || minute > 59 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60
        - i64::from(offset_min) * 60;
    Some(UnixMs(secs * 1000))
}

/// `UTC+09:00`, `UTC-03:30`, or `UTC`.
pub(crate) fn zone(offset_min: Option<i32>) -> String {
    match offset_min {
        None | Some(0) => "UTC".to_owned(),
        Some(m) => {
            let sign = if m < 0 { '-' } else { '+' };
            let a = m.unsigned_abs();
            format!("UTC{sign}{:02}:{:02}", a / 60, a % 60)
        }
    }
}

/// `2027-01-15 17:00:03`.
pub(crate) fn date_time(t: UnixMs, offset_min: Option<i32>) -> String {
    let c = civil(t, offset_min.unwrap_or(0));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `20261121T021500Z` (UTC, second precision): for file names.
pub(crate) fn utc_stamp(t: UnixMs) -> String {
    let c = civil(t, 0);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `17:00:03`.
pub(crate) fn time_of_day(t: UnixMs, offset_min: Option<i32>) -> String {
    let c = civil(t, offset_min.unwrap_or(0));
    format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
}

/// Elapsed time as `+0:07`, `+12:30`, `+1:02:03` (never negative).
pub(crate) fn elapsed(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("+{h}:{m:02}:{s:02}")
    } else {
        format!("+{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_civil_inverts_civil() {
        for t in [0i64, 951_782_400_000, 1_796_000_000_000, 4_102_444_800_000] {
            for off in [-210, 0, 540] {
                let c = civil(UnixMs(t), off);
                let back =
                    from_civil(c.year, c.month, c.day, c.hour, c.minute, off).expect("a real date");
                assert_eq!(back.0, t - i64::from(c.second) * 1000, "t={t} off={off}");
            }
        }
        assert_eq!(from_civil(2026, 2, 29, 0, 0, 0), None);
        assert!(from_civil(2028, 2, 29, 0, 0, 0).is_some());
        assert_eq!(from_civil(2026, 11, 30, 24, 0, 0), None);
    }

    #[test]
    fn known_instants_print_as_their_calendar_dates() {
        // 1_800_000_000 s = 2027-01-15T08:00:00Z.
        let t = UnixMs(1_800_000_000_000);
        assert_eq!(date_time(t, None), "2027-01-15 08:00:00");
        assert_eq!(date_time(t, Some(540)), "2027-01-15 17:00:00");
        assert_eq!(date_time(UnixMs(0), None), "1970-01-01 00:00:00");
        // A leap day, and an offset that crosses midnight backwards.
        assert_eq!(
            date_time(UnixMs(951_782_400_000), None),
            "2000-02-29 00:00:00"
        );
        assert_eq!(
            date_time(UnixMs(951_782_400_000), Some(-60)),
            "2000-02-28 23:00:00"
        );
        assert_eq!(date_time(UnixMs(-1_000), None), "1969-12-31 23:59:59");
    }

    #[test]
    fn zones_and_elapsed_times_read_naturally() {
        assert_eq!(zone(Some(540)), "UTC+09:00");
        assert_eq!(zone(Some(-210)), "UTC-03:30");
        assert_eq!(zone(None), "UTC");
        assert_eq!(elapsed(7_999), "+0:07");
        assert_eq!(elapsed(750_000), "+12:30");
        assert_eq!(elapsed(3_723_000), "+1:02:03");
        assert_eq!(elapsed(-5), "+0:00");
    }
}
