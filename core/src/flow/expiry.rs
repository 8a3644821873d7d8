//! Reading an expiry time the person types from a message ("[有効期限]11/30 12:34" in a docomo
//! security-code SMS). Pure: the time and the PC's UTC offset come in as values.
//!
//! Accepted: `12:34`, `12時34分`, `11/30 12:34`, `11月30日 12時34分`, with full-width digits and
//! punctuation (what a Japanese input method types), and the whole SMS line pasted in. A time
//! without a date is the nearest such time to now (a code's expiry is minutes away, so a time
//! that has just passed is "already past", not "tomorrow").

use crate::clock;
use crate::facts::UnixMs;
use crate::i18n::Text;

/// How far ahead an expiry may be: a code valid longer than this is not what the SMS says.
pub const MAX_AHEAD_MS: i64 = 24 * 60 * 60 * 1000;

/// The instant `text` names, in the local time `offset_min` minutes from UTC, judged at `now`.
/// The error says what to type instead.
pub fn parse(text: &str, now: UnixMs, offset_min: i32) -> Result<UnixMs, Text> {
    let clean = normalise(text);
    let nums = numbers(&clean);
    let (date, hm) = match (nums.as_slice(), clean.contains('/') || clean.contains('月')) {
        ([h, m], false) => (None, (*h, *m)),
        ([mo, d, h, m], true) => (Some((*mo, *d)), (*h, *m)),
        // "[有効期限]11/30 12:34 [ログイン先]…" may carry more numbers after the time.
        ([mo, d, h, m, ..], true) => (Some((*mo, *d)), (*h, *m)),
        ([h, m, ..], false) => (None, (*h, *m)),
        _ => return Err(unreadable()),
    };
    let (Ok(hour), Ok(minute)) = (u32::try_from(hm.0), u32::try_from(hm.1)) else {
        return Err(unreadable());
    };
    let today = clock::civil(now, offset_min);
    let at = match date {
        Some((mo, d)) => {
            let (Ok(mo), Ok(d)) = (u32::try_from(mo), u32::try_from(d)) else {
                return Err(unreadable());
            };
            // The year is not in the message: the one that puts it nearest to now (a code
            // read on 31 December may expire on 1 January).
            [today.year - 1, today.year, today.year + 1]
                .into_iter()
                .filter_map(|y| clock::from_civil(y, mo, d, hour, minute, offset_min))
                .min_by_key(|t| t.since(now).abs())
        }
        None => {
            let base =
                clock::from_civil(today.year, today.month, today.day, hour, minute, offset_min);
            base.map(|b| {
                [b.plus_secs(-86_400), b, b.plus_secs(86_400)]
                    .into_iter()
                    .min_by_key(|t| t.since(now).abs())
                    .unwrap_or(b)
            })
        }
    };
    let Some(at) = at else {
        return Err(unreadable());
    };
    if at.since(now) > MAX_AHEAD_MS {
        return Err(Text::new(
            "その時刻は 24 時間より先です。メッセージの「有効期限」の日付と時刻を、もう一度見てください。",
            "That time is more than 24 hours away. Please look at the date and time after “有効期限” in the message again.",
        ));
    }
    Ok(at)
}

fn unreadable() -> Text {
    Text::new(
        "時刻を読み取れませんでした。メッセージの「有効期限」のあとの時刻を、「12:34」のように入力してください。",
        "The time could not be read. Please type the time after “有効期限” in the message, like “12:34”.",
    )
}

/// Full-width digits and punctuation to ASCII.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '：' => ':',
            '／' => '/',
            _ => c,
        })
        .collect()
}

/// The runs of digits in `text` that can be part of a date or a time (1, 2 or 4 digits).
fn numbers(text: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            match cur.len() {
                1 | 2 => out.extend(cur.parse::<i64>().ok()),
                // "1234" typed without a colon.
                4 if out.is_empty() || out.len() == 2 => {
                    if let (Ok(h), Ok(m)) = (cur[..2].parse::<i64>(), cur[2..].parse::<i64>()) {
                        out.push(h);
                        out.push(m);
                    }
                }
                // A 6-digit code or a phone number is not a time: skipped.
                _ => {}
            }
            cur.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-30 12:00 in Japan (UTC+9).
    const NOON_JST: UnixMs = UnixMs(1_796_007_600_000);
    const JST: i32 = 540;

    fn at(text: &str) -> Result<i64, Text> {
        parse(text, NOON_JST, JST).map(|t| t.since(NOON_JST) / 60_000)
    }

    #[test]
    fn noon_is_noon() {
        let c = clock::civil(NOON_JST, JST);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute),
            (2026, 11, 30, 12, 0)
        );
    }

    #[test]
    fn the_forms_people_type_all_read_the_same() {
        for t in [
            "12:34",
            "１２：３４",
            "12時34分",
            "1234",
            "11/30 12:34",
            "１１／３０　１２：３４",
            "11月30日 12時34分",
            "[セキュリティコード]123456 [有効期限]11/30 12:34 [ログイン先]dアカウント",
        ] {
            assert_eq!(at(t).map_err(|e| e.en), Ok(34), "{t}");
        }
    }

    #[test]
    fn a_time_just_past_is_past_not_tomorrow() {
        assert_eq!(at("11:50").map_err(|e| e.en), Ok(-10));
        assert_eq!(at("11/30 11:50").map_err(|e| e.en), Ok(-10));
    }

    #[test]
    fn after_midnight_and_across_the_year() {
        let late = clock::from_civil(2026, 12, 31, 23, 55, JST).expect("date");
        let t = parse("0:05", late, JST).expect("reads");
        assert_eq!(t.since(late) / 60_000, 10);
        let t = parse("1/1 0:05", late, JST).expect("reads");
        assert_eq!(t.since(late) / 60_000, 10);
    }

    #[test]
    fn nonsense_and_far_times_say_what_to_type() {
        for t in [
            "",
            "あした",
            "25:00",
            "12:60",
            "2/30 10:00",
            "12345678",
            "12",
        ] {
            let e = at(t).expect_err(t);
            assert!(
                e.ja.contains("12:34") || e.ja.contains("24 時間"),
                "{t}: {}",
                e.ja
            );
        }
        let e = at("12/2 12:00").expect_err("two days ahead");
        assert!(e.ja.contains("24 時間"), "{}", e.ja);
    }
}
