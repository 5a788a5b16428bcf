//! How many requests reach the server for each error kind: retried kinds are sent up to
//! `max-attempts` times, all other kinds once, `invalid-input` never. Also `max-attempts: 1`,
//! `Retry-After`, and the deadline as a limit on retries.
//!
//! Deadlines here are generous unless a test is about the deadline, so that only
//! `max-attempts` limits the count.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use graph_token_host::raw_server::{response, truncated_response, Behavior, RawServer};
use graph_token_host::{ErrorKind, ExchangeError, Options, Router};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// `timeout-ms` of the tests that count attempts: the backoff before the third request is at
/// most 600 ms, far below it.
const GENEROUS_TIMEOUT_MS: u32 = 10_000;

/// Time a call may take beyond its `timeout-ms` on a loaded two-core machine.
const MARGIN: Duration = Duration::from_millis(1_000);

fn options(timeout_ms: u32, max_attempts: u32) -> Options {
    Options {
        timeout_ms: Some(timeout_ms),
        max_attempts: Some(max_attempts),
        ..Options::default()
    }
}

fn graph_error(status: u16, error: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "error": error }))
}

/// A finished call against a wiremock server.
struct Failure {
    error: ExchangeError,
    /// Requests the mock received.
    requests: usize,
    /// Duration of the call alone, without starting the mock or compiling the component.
    elapsed: Duration,
}

/// Mounts `response` for every request, routes a default-host Facebook exchange with
/// `options` to it, and returns the error.
async fn wiremock_failure(response: ResponseTemplate, options: &Options) -> Failure {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let started = Instant::now();
    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, options)
        .await;
    let elapsed = started.elapsed();

    Failure {
        error: expect_err(outcome, &[]),
        requests: request_count(&server).await,
        elapsed,
    }
}

/// Routes a default-host Facebook exchange with `options` to `server` and returns the error.
async fn raw_failure(server: &RawServer, options: &Options) -> ExchangeError {
    let router = Router::new(server.address());
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, options)
        .await;

    expect_err(outcome, &[])
}

/// Returns a loopback port on which nothing listens.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binding a free port on 127.0.0.1 succeeds")
        .local_addr()
        .expect("a bound listener has an address")
        .port()
}

/// Returns one Graph or HTTP response per error kind that a mock can produce, with the number
/// of requests expected for `max-attempts` 3.
fn response_cases() -> Vec<(&'static str, ResponseTemplate, ErrorKind, usize)> {
    vec![
        (
            "code 101",
            graph_error(
                400,
                json!({"message": "Error validating application. Invalid application ID.", "type": "OAuthException", "code": 101}),
            ),
            ErrorKind::InvalidCredentials,
            1,
        ),
        (
            "code 190 subcode 463",
            graph_error(
                400,
                json!({"message": "Error validating access token: Session has expired.", "type": "OAuthException", "code": 190, "error_subcode": 463}),
            ),
            ErrorKind::TokenExpired,
            1,
        ),
        (
            "code 190 subcode 467",
            graph_error(
                400,
                json!({"message": "Error validating access token: The session is invalid.", "type": "OAuthException", "code": 190, "error_subcode": 467}),
            ),
            ErrorKind::InvalidToken,
            1,
        ),
        (
            "code 10",
            graph_error(
                403,
                json!({"message": "(#10) Application does not have permission for this action", "type": "OAuthException", "code": 10}),
            ),
            ErrorKind::PermissionDenied,
            1,
        ),
        (
            "code 4",
            graph_error(
                400,
                json!({"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4, "is_transient": true}),
            ),
            ErrorKind::RateLimited,
            1,
        ),
        (
            "HTTP 429",
            ResponseTemplate::new(429)
                .set_body_raw("Too Many Requests", "text/plain")
                .insert_header("Retry-After", "1"),
            ErrorKind::RateLimited,
            1,
        ),
        (
            "code 2 transient",
            graph_error(
                503,
                json!({"message": "An unexpected error has occurred. Please retry your request later.", "type": "OAuthException", "code": 2, "is_transient": true}),
            ),
            ErrorKind::Transient,
            3,
        ),
        (
            "code 100",
            graph_error(
                400,
                json!({"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}),
            ),
            ErrorKind::ApiError,
            1,
        ),
        (
            "HTTP 503 text",
            ResponseTemplate::new(503).set_body_raw("Service Unavailable", "text/plain"),
            ErrorKind::UpstreamUnavailable,
            3,
        ),
        (
            "HTTP 500 empty",
            ResponseTemplate::new(500),
            ErrorKind::UpstreamUnavailable,
            3,
        ),
        (
            "HTTP 200 HTML",
            ResponseTemplate::new(200)
                .set_body_raw("<html><body>Sign in</body></html>", "text/html"),
            ErrorKind::UnexpectedResponse,
            1,
        ),
        (
            "HTTP 302",
            ResponseTemplate::new(302).insert_header("Location", "http://other.invalid/"),
            ErrorKind::UnexpectedResponse,
            1,
        ),
        (
            "HTTP 200 over 64 KiB",
            ResponseTemplate::new(200).set_body_raw(" ".repeat(70 * 1024), "application/json"),
            ErrorKind::ResponseTooLarge,
            1,
        ),
    ]
}

// ---- requests per error kind ----

#[tokio::test]
async fn response_kinds_request_counts() {
    for (case, response, kind, expected) in response_cases() {
        let failure = wiremock_failure(response, &options(GENEROUS_TIMEOUT_MS, 3)).await;

        assert_eq!(failure.error.kind, kind, "{case}");
        assert_eq!(failure.requests, expected, "{case}");
        assert_eq!(failure.error.attempts as usize, expected, "{case}");
    }
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (server, router) = routed_mock().await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(APP_ID, "", FACEBOOK_TOKEN, &options(GENEROUS_TIMEOUT_MS, 3))
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert_eq!(error.attempts, 0);
    assert_eq!(router.requests().len(), 0);
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn timeout_retried_three_times() {
    // Each attempt gets a third of what is left, and the two backoffs take at most 600 ms, so
    // the third attempt always starts before a 3 s deadline.
    let server = RawServer::start(Behavior::NoResponse).await;

    let error = raw_failure(&server, &options(3_000, 3)).await;

    assert_eq!(error.kind, ErrorKind::Timeout);
    assert!(error.retryable);
    assert_eq!(error.attempts, 3);
    assert_eq!(server.connections(), 3);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn transport_failures_retried_three_times() {
    let body = serde_json::to_vec(&token_body()).expect("a JSON value serializes");
    let cases = [
        ("close on accept", Behavior::CloseOnAccept),
        ("reset on accept", Behavior::ResetOnAccept),
        ("reset after request", Behavior::ResetAfterRequest),
        (
            "body shorter than content-length",
            Behavior::SendThenClose(truncated_response(200, &body, body.len() / 2)),
        ),
    ];
    for (case, behavior) in cases {
        let server = RawServer::start(behavior).await;

        let error = raw_failure(&server, &options(GENEROUS_TIMEOUT_MS, 3)).await;

        assert_eq!(error.kind, ErrorKind::Transport, "{case}");
        assert!(error.retryable, "{case}");
        assert_eq!(error.attempts, 3, "{case}");
        assert_eq!(server.connections(), 3, "{case}");
    }
}

#[tokio::test]
async fn connection_refused_retried_three_times() {
    // Nothing listens on the port, so the router's record is the only count of requests.
    let router = Router::new(format!("127.0.0.1:{}", closed_port()).parse().unwrap());
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            FACEBOOK_TOKEN,
            &options(GENEROUS_TIMEOUT_MS, 3),
        )
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::Transport);
    assert_eq!(
        error.message,
        "the connection to graph.facebook.com failed (wasi:http error connection-refused); retry later, and check options.base-url and network access"
    );
    assert!(error.retryable);
    assert_eq!(error.attempts, 3);
    assert_eq!(router.requests().len(), 3);
}

#[tokio::test]
async fn tls_failure_not_retried() {
    // `https` to a server that closes every connection: the TLS handshake fails, and a retry
    // would fail the same way.
    let server = RawServer::start(Behavior::CloseOnAccept).await;
    let port = server.address().port();
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(format!("https://127.0.0.1:{port}")),
        ..options(GENEROUS_TIMEOUT_MS, 3)
    };

    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::Transport);
    assert_eq!(
        error.message,
        format!("the request to 127.0.0.1:{port} failed (wasi:http error TLS-protocol-error); check options.base-url, the host's TLS certificate and network access")
    );
    assert!(!error.retryable);
    assert_eq!(error.attempts, 1);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn retry_after_reset_succeeds() {
    let body = serde_json::to_vec(&token_body()).expect("a JSON value serializes");
    let server = RawServer::start_sequence(vec![
        Behavior::ResetAfterRequest,
        Behavior::SendThenClose(response(
            200,
            &[("content-type", "application/json")],
            &body,
        )),
    ])
    .await;
    let router = Router::new(server.address());
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            FACEBOOK_TOKEN,
            &options(GENEROUS_TIMEOUT_MS, 3),
        )
        .await;

    let token = expect_ok(outcome);
    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(server.connections(), 2);
    assert_eq!(router.requests().len(), 2);
}

// ---- max-attempts 1 ----

#[tokio::test]
async fn single_attempt_per_retried_kind() {
    let transient = graph_error(
        503,
        json!({"message": "Please retry your request later.", "type": "OAuthException", "code": 2, "is_transient": true}),
    );
    let failure = wiremock_failure(transient, &options(GENEROUS_TIMEOUT_MS, 1)).await;
    assert_eq!(failure.error.kind, ErrorKind::Transient);
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);

    let server = RawServer::start(Behavior::NoResponse).await;
    let error = raw_failure(&server, &options(500, 1)).await;
    assert_eq!(error.kind, ErrorKind::Timeout);
    assert_eq!(error.attempts, 1);
    assert_eq!(server.connections(), 1);

    let server = RawServer::start(Behavior::ResetAfterRequest).await;
    let error = raw_failure(&server, &options(GENEROUS_TIMEOUT_MS, 1)).await;
    assert_eq!(error.kind, ErrorKind::Transport);
    assert_eq!(error.attempts, 1);
    assert_eq!(server.connections(), 1);
}

// ---- Retry-After ----

/// Responds to the first request with a 503, with `Retry-After` when set, and to every later
/// request with a token. It stores the arrival time of each request.
struct FailOnceThenToken {
    retry_after: Option<&'static str>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for FailOnceThenToken {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        arrivals.push(Instant::now());
        if arrivals.len() > 1 {
            return ResponseTemplate::new(200).set_body_json(token_body());
        }
        let response = ResponseTemplate::new(503).set_body_raw("Service Unavailable", "text/plain");
        match self.retry_after {
            Some(seconds) => response.insert_header("Retry-After", seconds),
            None => response,
        }
    }
}

/// Runs an exchange against [`FailOnceThenToken`] and returns the gap between the two requests.
async fn gap_before_retry(retry_after: Option<&'static str>) -> Duration {
    let (server, router) = routed_mock().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(any())
        .respond_with(FailOnceThenToken {
            retry_after,
            arrivals: arrivals.clone(),
        })
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            FACEBOOK_TOKEN,
            &options(GENEROUS_TIMEOUT_MS, 3),
        )
        .await;

    let token = expect_ok(outcome);
    assert_eq!(token.access_token, LONG_TOKEN);
    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 2);
    arrivals[1] - arrivals[0]
}

#[tokio::test]
async fn retry_after_raises_backoff() {
    let gap = gap_before_retry(Some("1")).await;

    assert!(
        gap >= Duration::from_secs(1),
        "the retry came {gap:?} after a 503 with Retry-After: 1"
    );
}

#[tokio::test]
async fn backoff_without_retry_after() {
    // The first backoff is at most 200 ms; the rest of the bound is for a loaded machine.
    let gap = gap_before_retry(None).await;

    assert!(
        gap < Duration::from_millis(900),
        "the retry came {gap:?} after a 503 without Retry-After"
    );
}

#[tokio::test]
async fn retry_after_past_deadline_not_retried() {
    let response = ResponseTemplate::new(503)
        .set_body_raw("Service Unavailable", "text/plain")
        .insert_header("Retry-After", "30");

    let failure = wiremock_failure(response, &options(5_000, 3)).await;

    assert_eq!(failure.error.kind, ErrorKind::UpstreamUnavailable);
    assert_eq!(failure.error.retry_after_seconds, Some(30));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
    // Waiting out the deadline first would only delay the same error.
    assert!(
        failure.elapsed < MARGIN,
        "the call took {:?} though no retry fits before the deadline",
        failure.elapsed
    );
}

// ---- the deadline bounds retries ----

#[tokio::test]
async fn retry_needs_minimum_attempt_time() {
    // Retry-After: 1 ends the backoff 1000 ms into a 1200 ms deadline. A retry would get less
    // than the 250 ms minimum, so the 503 is returned at once.
    let response = ResponseTemplate::new(503)
        .set_body_raw("Service Unavailable", "text/plain")
        .insert_header("Retry-After", "1");

    let failure = wiremock_failure(response, &options(1_200, 3)).await;

    assert_eq!(failure.error.kind, ErrorKind::UpstreamUnavailable);
    assert_eq!(failure.error.retry_after_seconds, Some(1));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
    assert!(
        failure.elapsed < MARGIN,
        "the call took {:?} though no retry had time to finish",
        failure.elapsed
    );
}

#[tokio::test]
async fn attempt_budget_has_a_floor() {
    // Split evenly, 400 ms over 10 attempts would be 40 ms each. With the 250 ms minimum the
    // first attempt ends at 250 ms, and a retry after it can no longer get 250 ms.
    let server = RawServer::start(Behavior::NoResponse).await;

    let error = raw_failure(&server, &options(400, 10)).await;

    assert_eq!(error.kind, ErrorKind::Timeout);
    assert_eq!(
        error.message,
        "graph.facebook.com sent no complete response within 250 ms (attempt 1 of at most 10, options.timeout-ms 400); retry later, or raise options.timeout-ms"
    );
    assert_eq!(error.attempts, 1);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn hung_server_retries_within_deadline() {
    let server = RawServer::start(Behavior::NoResponse).await;
    let router = Router::new(server.address());
    let harness = Harness::routed(&router);

    let started = Instant::now();
    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options(1_500, 10))
        .await;
    let elapsed = started.elapsed();

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::Timeout);
    assert!(error.attempts >= 2, "attempts: {}", error.attempts);
    assert_eq!(server.connections(), error.attempts as usize);
    assert!(
        elapsed < Duration::from_millis(1_500) + MARGIN,
        "the call took {elapsed:?} with timeout-ms 1500"
    );
}

#[tokio::test]
async fn failing_server_retries_within_deadline() {
    // Nine backoffs drawn up to ceilings of 200, 400, 800, 1600, 3200 and then 5000 ms fit into
    // 1 s together only with a chance far below one in a thousand, so the deadline ends the
    // retries before max-attempts.
    let response = ResponseTemplate::new(503).set_body_raw("Service Unavailable", "text/plain");

    let failure = wiremock_failure(response, &options(1_000, 10)).await;

    assert_eq!(failure.error.kind, ErrorKind::UpstreamUnavailable);
    assert!(
        failure.error.attempts < 10,
        "attempts: {}",
        failure.error.attempts
    );
    assert_eq!(failure.requests, failure.error.attempts as usize);
    assert!(
        failure.elapsed < Duration::from_millis(1_000) + MARGIN,
        "the call took {:?} with timeout-ms 1000",
        failure.elapsed
    );
}
