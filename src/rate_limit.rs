//! Rate-limit headers of a Graph response.
//!
//! Graph reports how close an app is to its limits in `X-App-Usage` and
//! `X-Business-Use-Case-Usage`, both JSON ("Rate Limiting",
//! developers.facebook.com/docs/graph-api/overview/rate-limiting). `Retry-After` follows
//! RFC 9110, section 10.2.3: delay seconds or an HTTP date.
//!
//! NOTE: of the three HTTP date formats, only IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) is
//! read; RFC 9110, section 5.6.7, requires senders to use it, and the obsolete RFC 850 and
//! asctime forms give `none`. No `no_std` date crate was worth its size here.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::RateLimitInfo;
use crate::secret::Redactor;

/// Maximum length of a usage header value passed on, in bytes. Longer values are dropped, not
/// cut, so the caller never receives broken JSON.
pub const MAX_USAGE_HEADER_LEN: usize = 4096;

/// Reads the rate-limit headers from `headers` (name, value) pairs. Names compare
/// case-insensitively. `now_unix` is the wall clock in Unix seconds, for an HTTP-date
/// `Retry-After`.
pub fn from_headers(
    headers: &[(String, Vec<u8>)],
    now_unix: u64,
    redactor: &Redactor,
) -> RateLimitInfo {
    let mut info = RateLimitInfo::default();
    for (name, value) in headers {
        let Ok(value) = core::str::from_utf8(value) else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("x-app-usage") {
            info.app_usage = usage_value(value, redactor);
        } else if name.eq_ignore_ascii_case("x-business-use-case-usage") {
            info.business_use_case_usage = usage_value(value, redactor);
        } else if name.eq_ignore_ascii_case("retry-after") {
            info.retry_after_seconds = retry_after_seconds(value, now_unix);
        }
    }
    info
}

fn usage_value(value: &str, redactor: &Redactor) -> Option<String> {
    if value.is_empty() || value.len() > MAX_USAGE_HEADER_LEN {
        return None;
    }
    Some(redactor.scrub(value))
}

/// Parses `Retry-After` as delay seconds or an HTTP date; a date in the past gives 0, and
/// values above `u32::MAX` seconds are capped.
pub fn retry_after_seconds(value: &str, now_unix: u64) -> Option<u32> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = value.parse().unwrap_or(u64::MAX);
        return Some(u32::try_from(seconds).unwrap_or(u32::MAX));
    }
    let date = parse_imf_fixdate(value)?;
    let wait = date.saturating_sub(now_unix);
    Some(u32::try_from(wait).unwrap_or(u32::MAX))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into Unix seconds.
fn parse_imf_fixdate(value: &str) -> Option<u64> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    // Fixed layout: "Sun, 06 Nov 1994 08:49:37 GMT", 29 ASCII characters.
    let bytes = value.as_bytes();
    if bytes.len() != 29 || !value.is_ascii() || &bytes[3..5] != b", " || &bytes[25..] != b" GMT" {
        return None;
    }
    if !DAYS.iter().any(|day| day.as_bytes() == &bytes[..3])
        || bytes[7] != b' '
        || bytes[11] != b' '
        || bytes[16] != b' '
    {
        return None;
    }
    if bytes[19] != b':' || bytes[22] != b':' {
        return None;
    }
    let number = |range: core::ops::Range<usize>| -> Option<u64> {
        let digits = value.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };

    let day = number(5..7)?;
    let month = MONTHS.iter().position(|m| m.as_bytes() == &bytes[8..11])? as u64 + 1;
    let year = number(12..16)?;
    let (hour, minute, second) = (number(17..19)?, number(20..22)?, number(23..25)?);
    if !(1..=31).contains(&day) || year < 1970 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (year >= 1970), by Howard
/// Hinnant's `days_from_civil` algorithm (howardhinnant.github.io/date_algorithms.html).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: &str) -> (String, Vec<u8>) {
        (name.to_string(), value.as_bytes().to_vec())
    }

    #[test]
    fn reads_usage_and_retry_after() {
        let headers = [
            header(
                "X-App-Usage",
                r#"{"call_count":95,"total_cputime":20,"total_time":30}"#,
            ),
            header(
                "x-business-use-case-usage",
                r#"{"123":[{"type":"pages","call_count":100}]}"#,
            ),
            header("Retry-After", "120"),
            header("content-type", "application/json"),
        ];
        let info = from_headers(&headers, 0, &Redactor::default());
        assert_eq!(
            info.app_usage.as_deref(),
            Some(r#"{"call_count":95,"total_cputime":20,"total_time":30}"#)
        );
        assert_eq!(
            info.business_use_case_usage.as_deref(),
            Some(r#"{"123":[{"type":"pages","call_count":100}]}"#)
        );
        assert_eq!(info.retry_after_seconds, Some(120));
    }

    #[test]
    fn retry_after_forms() {
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 Unix seconds.
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_700),
            Some(77)
        );
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_800),
            Some(0)
        );
        assert_eq!(retry_after_seconds("99999999999", 0), Some(u32::MAX));
        assert_eq!(
            retry_after_seconds("Thu, 01 Jan 1970 00:00:10 GMT", 0),
            Some(10)
        );
        // 2026-12-04 20:00:00 UTC is 1796414400 Unix seconds.
        assert_eq!(
            retry_after_seconds("Fri, 04 Dec 2026 20:00:30 GMT", 1_796_414_400),
            Some(30)
        );
        assert_eq!(
            retry_after_seconds("Sun, 29 Feb 2032 00:00:00 GMT", 1_961_625_600),
            Some(0)
        );
        assert_eq!(
            retry_after_seconds("Sunday, 06-Nov-94 08:49:37 GMT", 0),
            None
        );
        assert_eq!(retry_after_seconds("Sun Nov  6 08:49:37 1994", 0), None);
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 25:49:37 GMT", 0),
            None
        );
        assert_eq!(retry_after_seconds("-1", 0), None);
        assert_eq!(retry_after_seconds("soon", 0), None);
        assert_eq!(retry_after_seconds("", 0), None);
    }

    #[test]
    fn oversized_usage_dropped() {
        let big = "x".repeat(MAX_USAGE_HEADER_LEN + 1);
        let info = from_headers(&[header("x-app-usage", &big)], 0, &Redactor::default());
        assert_eq!(info.app_usage, None);
    }
}
