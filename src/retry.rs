//! When to retry a failed request, and how long to wait first.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::error::{ErrorKind, ExchangeError};

/// First backoff ceiling, in milliseconds; it doubles with each retry.
pub const BASE_BACKOFF_MS: u64 = 200;
/// Largest backoff ceiling, in milliseconds.
pub const MAX_BACKOFF_MS: u64 = 5_000;
/// Shortest useful attempt, in milliseconds. A new HTTPS connection needs a TCP and a TLS
/// handshake before the request is sent, about three round trips in all. A round trip between
/// continents takes 100 ms or more, so a shorter attempt would mostly return `timeout`.
///
/// NOTE: an estimate from round-trip times, not a measurement against the Graph API.
pub const MIN_ATTEMPT_MS: u64 = 250;

/// Nanoseconds per millisecond: `wasi:clocks` counts in nanoseconds, the options in milliseconds.
pub const NANOS_PER_MILLI: u64 = 1_000_000;
const MIN_ATTEMPT_NS: u64 = MIN_ATTEMPT_MS * NANOS_PER_MILLI;

/// Returns whether the request that failed with `error` is sent again (attempts and time permitting).
///
/// Rate limits are not retried although they are retryable: a retry spends the same quota, so
/// the caller schedules the next call. Transport errors are retried only when the connection
/// failed (`retryable` is set per `wasi:http` error code).
pub fn should_retry(error: &ExchangeError) -> bool {
    match error.kind {
        ErrorKind::Transient | ErrorKind::UpstreamUnavailable | ErrorKind::Timeout => true,
        ErrorKind::Transport => error.retryable,
        _ => false,
    }
}

/// Backoff before retry number `retry` (1 for the first retry), in milliseconds: "full jitter",
/// a uniform draw from zero to `min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2^(retry-1))`, so that many
/// clients that failed together do not retry together. `random` is a uniformly random `u64`.
///
/// A `Retry-After` from the server raises the wait to at least that many seconds.
pub fn backoff_ms(retry: u32, random: u64, retry_after_seconds: Option<u32>) -> u64 {
    let exponent = retry.saturating_sub(1).min(16);
    let ceiling = BASE_BACKOFF_MS
        .saturating_mul(1u64 << exponent)
        .min(MAX_BACKOFF_MS);
    let jittered = random % (ceiling + 1);
    let server_floor = u64::from(retry_after_seconds.unwrap_or(0)).saturating_mul(1000);
    jittered.max(server_floor)
}

/// Time budget of one attempt, in nanoseconds: the remaining time split evenly over the attempts
/// left, so that a hung first attempt still leaves time for a retry, but at least
/// [`MIN_ATTEMPT_MS`] while that much remains.
pub fn attempt_budget_ns(remaining_ns: u64, attempts_left: u32) -> u64 {
    let share = remaining_ns / u64::from(attempts_left.max(1));
    share.max(remaining_ns.min(MIN_ATTEMPT_NS))
}

/// Returns whether a retry after a backoff ending at `retry_at` leaves the attempt
/// [`MIN_ATTEMPT_MS`] before `deadline` (both monotonic-clock instants in nanoseconds). When it
/// does not, the caller returns the error in hand, which is more useful than the `timeout` that a
/// shorter attempt would most likely return.
pub fn retry_fits(retry_at: u64, deadline: u64) -> bool {
    retry_at.saturating_add(MIN_ATTEMPT_NS) <= deadline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_decision_by_kind() {
        for kind in ErrorKind::ALL {
            let error = ExchangeError::new(kind, "x");
            let expected = matches!(
                kind,
                ErrorKind::Transient
                    | ErrorKind::UpstreamUnavailable
                    | ErrorKind::Timeout
                    | ErrorKind::Transport
            );
            assert_eq!(should_retry(&error), expected, "{kind}");
        }
        let tls = ExchangeError::new(ErrorKind::Transport, "tls").with_retryable(false);
        assert!(!should_retry(&tls));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_ms(1, u64::MAX, None), u64::MAX % 201);
        assert_eq!(backoff_ms(1, 200, None), 200);
        assert_eq!(backoff_ms(2, 400, None), 400);
        assert_eq!(backoff_ms(3, 800, None), 800);
        assert_eq!(backoff_ms(30, 5_000, None), 5_000);
        assert!(backoff_ms(30, u64::MAX, None) <= MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(1, 0, Some(2)), 2_000);
    }

    const MS: u64 = NANOS_PER_MILLI;

    #[test]
    fn budget_splits_remaining_time() {
        assert_eq!(attempt_budget_ns(30_000 * MS, 3), 10_000 * MS);
        assert_eq!(attempt_budget_ns(30_000 * MS, 1), 30_000 * MS);
        assert_eq!(attempt_budget_ns(30_000 * MS, 0), 30_000 * MS);
    }

    #[test]
    fn budget_has_a_floor() {
        // 1000 ms over 10 attempts would give 100 ms each.
        assert_eq!(attempt_budget_ns(1_000 * MS, 10), 250 * MS);
        assert_eq!(attempt_budget_ns(2_500 * MS, 10), 250 * MS);
        assert_eq!(attempt_budget_ns(3_000 * MS, 10), 300 * MS);
        // Less than the floor left: the attempt gets all of it.
        assert_eq!(attempt_budget_ns(120 * MS, 5), 120 * MS);
        assert_eq!(attempt_budget_ns(0, 5), 0);
    }

    #[test]
    fn retry_needs_the_floor_before_the_deadline() {
        let deadline = 10_000 * MS;
        assert!(retry_fits(deadline - 250 * MS, deadline));
        assert!(!retry_fits(deadline - 250 * MS + 1, deadline));
        assert!(!retry_fits(deadline, deadline));
        assert!(!retry_fits(u64::MAX, deadline));
    }
}
