//! Rate-limit headers of a Graph response.
//!
//! Graph reports how close an app is to its limits in `X-App-Usage` and
//! `X-Business-Use-Case-Usage`, both JSON ("Rate Limiting",
//! developers.facebook.com/docs/graph-api/overview/rate-limiting). `Retry-After` follows
//! RFC 9110, section 10.2.3: delay seconds or an HTTP date.

use std::time::{Duration, SystemTime};

use crate::error::RateLimitInfo;
use crate::secret::Redactor;

/// Longest usage header value passed on, in bytes; longer values are dropped, not cut, so the
/// caller never receives broken JSON.
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
        let Ok(value) = std::str::from_utf8(value) else {
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
    let date = httpdate::parse_http_date(value).ok()?;
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now_unix);
    let wait = date.duration_since(now).unwrap_or(Duration::ZERO);
    Some(u32::try_from(wait.as_secs()).unwrap_or(u32::MAX))
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
