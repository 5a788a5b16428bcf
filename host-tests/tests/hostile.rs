//! Servers that misbehave below the HTTP layer. The cases: no response, a body that stalls, ends
//! early or never ends, a reset, a body of 10 MiB, a response sent one byte at a time, a
//! redirect to another host, and bytes that are not HTTP.
//!
//! Each test asserts the exact error kind, retryable flag and attempts, that no token (not even
//! part of one) is returned, and that the call returns within `timeout-ms` plus [`MARGIN`].
//! The `*_ignored_timeouts` tests drop the three `wasi:http` timeouts in the host, so only the
//! component's own deadline can end the call.

mod common;

use std::time::{Duration, Instant};

use common::*;
use graph_token_host::raw_server::{response, truncated_response, Behavior, RawServer};
use graph_token_host::{ErrorKind, ExchangeError, Options, Router, TimeoutPolicy};

/// Time a call may take beyond its `timeout-ms`: instantiation plus scheduling delays on a
/// loaded two-core machine.
const MARGIN: Duration = Duration::from_millis(1_000);

/// `timeout-ms` of the tests that wait for the deadline.
const TIMEOUT_MS: u32 = 1_000;

/// Long enough that a test fails on the kind, not on the deadline, when a response that should
/// end the call early does not.
const GENEROUS_TIMEOUT_MS: u32 = 10_000;

/// The first 32 characters of [`LONG_TOKEN`]: found in an error only if a token, or part of
/// one, leaked into it.
const LONG_TOKEN_PREFIX: &str = LONG_TOKEN.split_at(32).0;

/// Message of the component's own deadline for a single-attempt call with [`TIMEOUT_MS`].
const DEADLINE_MESSAGE: &str = "graph.facebook.com sent no complete response within 1000 ms (attempt 1 of at most 1, options.timeout-ms 1000); retry later, or raise options.timeout-ms";

/// Message of the host's first-byte timeout, which fires at the same moment as the deadline
/// when the host keeps the component's `wasi:http` timeouts.
const HOST_TIMEOUT_MESSAGE: &str = "the request to graph.facebook.com timed out (wasi:http error connection-read-timeout); retry later, or raise options.timeout-ms";

/// Message of every failure that the stock sender reports as `HTTP-protocol-error`: a reset,
/// a close before the response, bytes that are not HTTP.
const PROTOCOL_ERROR_MESSAGE: &str = "the connection to graph.facebook.com failed (wasi:http error HTTP-protocol-error); retry later, and check options.base-url and network access";

/// A finished call against a raw server.
struct Call {
    error: ExchangeError,
    /// Duration of the call alone, instantiation included.
    elapsed: Duration,
    /// Requests the component sent, as the router recorded them.
    sent: usize,
    _harness: Harness,
}

fn options(timeout_ms: u32, max_attempts: u32) -> Options {
    Options {
        timeout_ms: Some(timeout_ms),
        max_attempts: Some(max_attempts),
        ..Options::default()
    }
}

/// Routes a default-host Facebook exchange to `server` with `timeouts` applied, and returns
/// the error after checking that it contains no credential and no part of [`LONG_TOKEN`].
async fn exchange_failing(server: &RawServer, timeouts: TimeoutPolicy, options: Options) -> Call {
    let router = Router::with_timeouts(server.address(), timeouts);
    let harness = Harness::routed(&router);

    let started = Instant::now();
    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await;
    let elapsed = started.elapsed();

    Call {
        error: expect_err(outcome, &[LONG_TOKEN_PREFIX]),
        elapsed,
        sent: router.requests().len(),
        _harness: harness,
    }
}

/// Returns the token body that the raw servers send, whole or in part.
fn token_json() -> Vec<u8> {
    serde_json::to_vec(&token_body()).expect("a JSON value serializes")
}

fn assert_within(elapsed: Duration, timeout_ms: u32) {
    let limit = Duration::from_millis(u64::from(timeout_ms)) + MARGIN;
    assert!(
        elapsed < limit,
        "the call took {elapsed:?} with timeout-ms {timeout_ms}; the limit is {limit:?}"
    );
}

/// Asserts that a call that needs no waiting returned within [`MARGIN`].
fn assert_prompt(elapsed: Duration) {
    assert!(
        elapsed < MARGIN,
        "the call took {elapsed:?}, though the server's answer ends it at once"
    );
}

/// Asserts that `error` is the timeout of a single attempt with [`TIMEOUT_MS`], from either the
/// host's `wasi:http` timeout or the component's deadline.
fn assert_single_timeout(call: &Call) {
    assert_eq!(call.error.kind, ErrorKind::Timeout);
    assert!(
        [DEADLINE_MESSAGE, HOST_TIMEOUT_MESSAGE].contains(&call.error.message.as_str()),
        "message: {}",
        call.error.message
    );
    assert!(call.error.retryable);
    assert_eq!(call.error.attempts, 1);
    assert_eq!(call.sent, 1);
    assert_within(call.elapsed, TIMEOUT_MS);
}

/// Asserts that `error` is the component's own deadline on a single attempt with
/// [`TIMEOUT_MS`], with `status` when the response head arrived before the body stalled.
fn assert_deadline(call: &Call, status: Option<u16>) {
    assert_eq!(call.error.kind, ErrorKind::Timeout);
    assert_eq!(call.error.message, DEADLINE_MESSAGE);
    assert!(call.error.retryable);
    assert_eq!(call.error.http_status, status);
    assert_eq!(call.error.attempts, 1);
    assert_eq!(call.sent, 1);
    assert_within(call.elapsed, TIMEOUT_MS);
}

/// Asserts that `call` failed at once with `HTTP-protocol-error` and no retry.
fn assert_protocol_error(call: &Call, server: &RawServer) {
    assert_eq!(call.error.kind, ErrorKind::Transport);
    assert_eq!(call.error.message, PROTOCOL_ERROR_MESSAGE);
    assert!(call.error.retryable);
    assert_eq!(call.error.http_status, None);
    assert_eq!(call.error.attempts, 1);
    assert_eq!(call.sent, 1);
    assert_eq!(server.connections(), 1);
    assert_prompt(call.elapsed);
}

// ---- no response ----

#[tokio::test]
async fn no_response_times_out() {
    let server = RawServer::start(Behavior::NoResponse).await;

    let call = exchange_failing(&server, TimeoutPolicy::Keep, options(TIMEOUT_MS, 1)).await;

    assert_single_timeout(&call);
    assert_eq!(call.error.http_status, None);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn no_response_ignored_timeouts() {
    let server = RawServer::start(Behavior::NoResponse).await;

    let call = exchange_failing(&server, TimeoutPolicy::Ignore, options(TIMEOUT_MS, 1)).await;

    assert_deadline(&call, None);
    assert_eq!(server.requests(), 1);
}

// ---- bodies that stall, end early or never end ----

#[tokio::test]
async fn stalled_body_times_out() {
    let body = token_json();
    let server = RawServer::start(Behavior::SendThenStall(truncated_response(
        200,
        &body,
        body.len() / 2,
    )))
    .await;

    let call = exchange_failing(&server, TimeoutPolicy::Keep, options(TIMEOUT_MS, 1)).await;

    // The host's between-bytes timer starts only when the headers arrive, so the component's
    // deadline, started before the request, always fires first.
    assert_deadline(&call, Some(200));
}

#[tokio::test]
async fn stalled_body_ignored_timeouts() {
    let body = token_json();
    let server = RawServer::start(Behavior::SendThenStall(truncated_response(
        200,
        &body,
        body.len() / 2,
    )))
    .await;

    let call = exchange_failing(&server, TimeoutPolicy::Ignore, options(TIMEOUT_MS, 1)).await;

    assert_deadline(&call, Some(200));
}

#[tokio::test]
async fn short_body_is_transport() {
    let body = token_json();
    let server = RawServer::start(Behavior::SendThenClose(truncated_response(
        200,
        &body,
        body.len() / 2,
    )))
    .await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 1),
    )
    .await;

    assert_eq!(call.error.kind, ErrorKind::Transport);
    assert_eq!(
        call.error.message,
        "the connection to graph.facebook.com failed while reading the response body (HTTP 200); retry later"
    );
    assert!(call.error.retryable);
    assert_eq!(call.error.http_status, Some(200));
    assert_eq!(call.error.attempts, 1);
    assert_eq!(call.sent, 1);
    assert_prompt(call.elapsed);
}

#[tokio::test]
async fn slow_endless_chunks_time_out() {
    // One byte every 50 ms keeps every host timeout from firing, and stays far below 64 KiB.
    let server = RawServer::start(Behavior::EndlessChunks {
        chunk_len: 1,
        interval: Duration::from_millis(50),
    })
    .await;

    let call = exchange_failing(&server, TimeoutPolicy::Keep, options(TIMEOUT_MS, 1)).await;

    assert_deadline(&call, Some(200));
}

#[tokio::test]
async fn slow_endless_chunks_ignored_timeouts() {
    let server = RawServer::start(Behavior::EndlessChunks {
        chunk_len: 1,
        interval: Duration::from_millis(50),
    })
    .await;

    let call = exchange_failing(&server, TimeoutPolicy::Ignore, options(TIMEOUT_MS, 1)).await;

    assert_deadline(&call, Some(200));
}

#[tokio::test]
async fn fast_endless_chunks_too_large() {
    let server = RawServer::start(Behavior::EndlessChunks {
        chunk_len: 16 * 1024,
        interval: Duration::ZERO,
    })
    .await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 3),
    )
    .await;

    assert_eq!(call.error.kind, ErrorKind::ResponseTooLarge);
    assert_eq!(
        call.error.message,
        "the response body from graph.facebook.com is larger than 65536 bytes, far beyond any token response; check options.base-url"
    );
    assert!(!call.error.retryable);
    assert_eq!(call.error.http_status, Some(200));
    assert_eq!(call.error.attempts, 1);
    assert_eq!(server.connections(), 1);
    assert_prompt(call.elapsed);
}

#[tokio::test]
async fn stalled_chunks_time_out() {
    let mut bytes =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    bytes.extend_from_slice(b"10\r\n{\"access_token\":\r\n");
    let server = RawServer::start(Behavior::SendThenStall(bytes)).await;

    let call = exchange_failing(&server, TimeoutPolicy::Ignore, options(TIMEOUT_MS, 1)).await;

    assert_deadline(&call, Some(200));
}

// ---- 10 MiB bodies ----

#[tokio::test]
async fn ten_mib_with_length() {
    let server = RawServer::start(Behavior::LargeBody {
        len: 10 * 1024 * 1024,
        content_length: true,
    })
    .await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 3),
    )
    .await;

    assert_eq!(call.error.kind, ErrorKind::ResponseTooLarge);
    assert_eq!(
        call.error.message,
        "the response body from graph.facebook.com is larger than 65536 bytes, far beyond any token response; check options.base-url"
    );
    assert!(!call.error.retryable);
    assert_eq!(call.error.http_status, Some(200));
    assert_eq!(call.error.attempts, 1);
    assert_eq!(server.connections(), 1);
    assert_prompt(call.elapsed);
}

#[tokio::test]
async fn ten_mib_without_length() {
    let server = RawServer::start(Behavior::LargeBody {
        len: 10 * 1024 * 1024,
        content_length: false,
    })
    .await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 3),
    )
    .await;

    assert_eq!(call.error.kind, ErrorKind::ResponseTooLarge);
    assert_eq!(
        call.error.message,
        "the response body from graph.facebook.com is larger than 65536 bytes, far beyond any token response; check options.base-url"
    );
    assert!(!call.error.retryable);
    assert_eq!(call.error.http_status, Some(200));
    assert_eq!(call.error.attempts, 1);
    assert_eq!(server.connections(), 1);
    assert_prompt(call.elapsed);
}

// ---- one byte at a time ----

#[tokio::test]
async fn slow_drip_times_out() {
    // About 250 bytes at 20 ms each take 5 s, five times the deadline.
    let server = RawServer::start(Behavior::Drip {
        bytes: response(200, &[("content-type", "application/json")], &token_json()),
        interval: Duration::from_millis(20),
    })
    .await;

    let call = exchange_failing(&server, TimeoutPolicy::Keep, options(TIMEOUT_MS, 1)).await;

    assert_single_timeout(&call);
}

#[tokio::test]
async fn slow_drip_ignored_timeouts() {
    let server = RawServer::start(Behavior::Drip {
        bytes: response(200, &[("content-type", "application/json")], &token_json()),
        interval: Duration::from_millis(20),
    })
    .await;

    let call = exchange_failing(&server, TimeoutPolicy::Ignore, options(TIMEOUT_MS, 1)).await;

    assert_deadline(&call, None);
}

#[tokio::test]
async fn fast_drip_succeeds() {
    let bytes = response(200, &[("content-type", "application/json")], &token_json());
    let interval = Duration::from_millis(4);
    let least = interval * bytes.len() as u32;
    let server = RawServer::start(Behavior::Drip { bytes, interval }).await;
    let router = Router::new(server.address());
    let harness = Harness::routed(&router);

    let started = Instant::now();
    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options(5_000, 1))
        .await;
    let elapsed = started.elapsed();

    let token = expect_ok(outcome);
    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(token.expires_in, Some(5_183_944));
    // The response really arrived byte by byte, so the gaps did not end the call.
    assert!(
        elapsed >= least,
        "the call took {elapsed:?}, less than the {least:?} the drip needs"
    );
    assert_eq!(server.connections(), 1);
}

// ---- redirects ----

#[tokio::test]
async fn redirect_to_loopback_not_followed() {
    for status in [302, 303, 307, 308] {
        let elsewhere = RawServer::start(Behavior::SendThenClose(response(
            200,
            &[("content-type", "application/json")],
            &token_json(),
        )))
        .await;
        let location = format!("{}/v26.0/oauth/access_token", elsewhere.base_url());
        let server = RawServer::start(Behavior::SendThenClose(response(
            status,
            &[("location", &location)],
            b"",
        )))
        .await;

        let call = exchange_failing(
            &server,
            TimeoutPolicy::Keep,
            options(GENEROUS_TIMEOUT_MS, 3),
        )
        .await;

        assert_eq!(call.error.kind, ErrorKind::UnexpectedResponse, "{status}");
        assert_eq!(
            call.error.message,
            format!("graph.facebook.com answered with a redirect (HTTP {status}), which is not followed because the request carries the app secret; check options.base-url, or a proxy in between"),
            "{status}"
        );
        assert!(!call.error.retryable, "{status}");
        assert_eq!(call.error.http_status, Some(status), "{status}");
        assert_eq!(call.error.attempts, 1, "{status}");
        assert_eq!(call.sent, 1, "{status}");
        assert_eq!(server.connections(), 1, "{status}");
        assert_eq!(elsewhere.connections(), 0, "{status}");
    }
}

#[tokio::test]
async fn redirect_to_other_host_not_followed() {
    let server = RawServer::start(Behavior::SendThenClose(response(
        301,
        &[("location", "http://other.invalid/v26.0/oauth/access_token")],
        b"",
    )))
    .await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 3),
    )
    .await;

    assert_eq!(call.error.kind, ErrorKind::UnexpectedResponse);
    assert_eq!(
        call.error.message,
        "graph.facebook.com answered with a redirect (HTTP 301), which is not followed because the request carries the app secret; check options.base-url, or a proxy in between"
    );
    assert!(!call.error.retryable);
    assert_eq!(call.error.http_status, Some(301));
    assert_eq!(call.error.attempts, 1);
    // The router records every request the component sends, so a followed redirect would show
    // up here even though `other.invalid` never resolves.
    assert_eq!(call.sent, 1);
    assert_eq!(server.connections(), 1);
}

// ---- connections that end badly ----

#[tokio::test]
async fn close_on_accept_is_transport() {
    let server = RawServer::start(Behavior::CloseOnAccept).await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 1),
    )
    .await;

    assert_protocol_error(&call, &server);
}

#[tokio::test]
async fn reset_on_accept_is_transport() {
    let server = RawServer::start(Behavior::ResetOnAccept).await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 1),
    )
    .await;

    assert_protocol_error(&call, &server);
}

#[tokio::test]
async fn reset_after_request_is_transport() {
    let server = RawServer::start(Behavior::ResetAfterRequest).await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 1),
    )
    .await;

    assert_protocol_error(&call, &server);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn not_http_is_transport() {
    let server =
        RawServer::start(Behavior::SendThenClose(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec())).await;

    let call = exchange_failing(
        &server,
        TimeoutPolicy::Keep,
        options(GENEROUS_TIMEOUT_MS, 1),
    )
    .await;

    assert_protocol_error(&call, &server);
}
