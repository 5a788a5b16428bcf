//! How the component reads what comes back: tokens in every documented form, one realistic
//! Graph error per error kind, broken or hostile HTTP responses, retries, and redaction of
//! credentials that a server echoes.

mod common;

use std::time::{Duration, Instant};

use common::*;
use graph_token_host::{
    ErrorKind, ExchangeError, GraphError, LongLivedToken, Options, Router, TimeoutPolicy,
};
use serde_json::json;
use wiremock::matchers::{any, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// A finished call against a mock: the error, what the mock saw, and the harness that prints
/// the guest's stderr if an assert fails.
struct Failure {
    error: ExchangeError,
    requests: usize,
    /// Duration of the call alone, without starting the mock or compiling the component.
    elapsed: Duration,
    _harness: Harness,
}

/// Mounts `response` for every request, routes a default-host Facebook exchange to it, and
/// returns the error with the number of requests the mock received.
async fn exchange_failing(response: ResponseTemplate, options: Options) -> Failure {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let started = Instant::now();
    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await;
    let elapsed = started.elapsed();

    Failure {
        error: expect_err(outcome, &[]),
        requests: request_count(&server).await,
        elapsed,
        _harness: harness,
    }
}

/// Mounts `response` for every request, routes a default-host Facebook exchange to it, and
/// returns the token with the wall clock in Unix seconds before and after the call.
async fn exchange_succeeding(response: ResponseTemplate) -> (LongLivedToken, u64, u64) {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let before = unix_now();
    let outcome = harness
        .exchange_token(APP_ID, APP_SECRET, FACEBOOK_TOKEN)
        .await;
    let after = unix_now();

    (expect_ok(outcome), before, after)
}

fn graph_error_response(status: u16, error: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "error": error }))
}

fn max_attempts(attempts: u32) -> Options {
    Options {
        max_attempts: Some(attempts),
        ..Options::default()
    }
}

// ---- tokens ----

#[tokio::test]
async fn token_numeric_expires_in() {
    let (token, before, after) =
        exchange_succeeding(ResponseTemplate::new(200).set_body_json(token_body())).await;

    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(token.token_type, "bearer");
    assert_eq!(token.expires_in, Some(5_183_944));
    let expires_at = token.expires_at.expect("expires-at is set with expires-in");
    assert!(
        (before + 5_183_944..=after + 5_183_944).contains(&expires_at),
        "expires-at {expires_at} is not receipt time ({before}..={after}) plus 5183944"
    );
}

#[tokio::test]
async fn token_string_expires_in() {
    let body = json!({"access_token": LONG_TOKEN, "token_type": "bearer", "expires_in": "5183944"});

    let (token, before, after) =
        exchange_succeeding(ResponseTemplate::new(200).set_body_json(body)).await;

    assert_eq!(token.expires_in, Some(5_183_944));
    let expires_at = token.expires_at.expect("expires-at is set with expires-in");
    assert!(
        (before + 5_183_944..=after + 5_183_944).contains(&expires_at),
        "expires-at {expires_at} is not receipt time ({before}..={after}) plus 5183944"
    );
}

#[tokio::test]
async fn token_without_expires_in() {
    let body = json!({"access_token": LONG_TOKEN, "token_type": "bearer"});

    let (token, _, _) = exchange_succeeding(ResponseTemplate::new(200).set_body_json(body)).await;

    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(token.expires_in, None);
    assert_eq!(token.expires_at, None);
}

#[tokio::test]
async fn token_type_defaults_to_bearer() {
    let body = json!({"access_token": LONG_TOKEN, "expires_in": 5183944});

    let (token, _, _) = exchange_succeeding(ResponseTemplate::new(200).set_body_json(body)).await;

    assert_eq!(token.token_type, "bearer");
}

#[tokio::test]
async fn token_type_passed_through() {
    let body = json!({"access_token": LONG_TOKEN, "token_type": "Bearer", "expires_in": 5183944});

    let (token, _, _) = exchange_succeeding(ResponseTemplate::new(200).set_body_json(body)).await;

    assert_eq!(token.token_type, "Bearer");
}

#[tokio::test]
async fn token_legacy_form_body() {
    let body = format!("access_token={LONG_TOKEN}&expires=5183999");
    let response = ResponseTemplate::new(200).set_body_raw(body, "text/plain; charset=UTF-8");

    let (token, before, after) = exchange_succeeding(response).await;

    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(token.token_type, "bearer");
    assert_eq!(token.expires_in, Some(5_183_999));
    let expires_at = token.expires_at.expect("expires-at is set with expires");
    assert!(
        (before + 5_183_999..=after + 5_183_999).contains(&expires_at),
        "expires-at {expires_at} is not receipt time ({before}..={after}) plus 5183999"
    );
}

#[tokio::test]
async fn token_missing_access_token() {
    let body = json!({"token_type": "bearer", "expires_in": 5183944});

    let failure = exchange_failing(
        ResponseTemplate::new(200).set_body_json(body),
        max_attempts(3),
    )
    .await;

    assert_eq!(failure.error.kind, ErrorKind::UnexpectedResponse);
    assert_eq!(
        failure.error.message,
        "graph.facebook.com returned HTTP 200 without an access_token string; check options.base-url, or a proxy in between"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(200));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

// ---- Graph errors, one per kind ----

#[tokio::test]
async fn invalid_client_secret_code_1() {
    let error = json!({
        "message": "Error validating client secret.",
        "type": "OAuthException",
        "code": 1,
        "fbtrace_id": "AWr1aZ5vEoQ2nL0k3Xb9TdP",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::InvalidCredentials);
    assert_eq!(
        failure.error.message,
        "Graph rejected the app credentials (HTTP 400, code 1); check app-id and app-secret in the app dashboard"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    assert_eq!(
        failure.error.graph_error,
        Some(GraphError {
            message: "Error validating client secret.".into(),
            error_type: Some("OAuthException".into()),
            code: Some(1),
            error_subcode: None,
            fbtrace_id: Some("AWr1aZ5vEoQ2nL0k3Xb9TdP".into()),
            is_transient: None,
            error_user_title: None,
            error_user_msg: None,
        })
    );
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn invalid_application_code_101() {
    let error = json!({
        "message": "Error validating application. Invalid application ID.",
        "type": "OAuthException",
        "code": 101,
        "fbtrace_id": "A3kQ9mZpX1cV7bN2wE5rT0y",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::InvalidCredentials);
    assert_eq!(
        failure.error.message,
        "Graph rejected the app credentials (HTTP 400, code 101); check app-id and app-secret in the app dashboard"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    let graph = failure
        .error
        .graph_error
        .as_ref()
        .expect("graph-error is set");
    assert_eq!(graph.code, Some(101));
    assert_eq!(graph.error_subcode, None);
    assert_eq!(graph.fbtrace_id.as_deref(), Some("A3kQ9mZpX1cV7bN2wE5rT0y"));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn token_expired_subcode_463() {
    let error = json!({
        "message": "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST. The current time is Friday, 04-Dec-26 12:00:00 PST.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "is_transient": false,
        "error_user_title": "Session expired",
        "error_user_msg": "Your session has expired. Please log in again.",
        "fbtrace_id": "AhT7qLw2Zx0pNc4Vb8Ke1Ro",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::TokenExpired);
    assert_eq!(
        failure.error.message,
        "the token has expired (HTTP 400, code 190, subcode 463); the user must log in again to get a new short-lived token"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    assert_eq!(
        failure.error.graph_error,
        Some(GraphError {
            message: "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST. The current time is Friday, 04-Dec-26 12:00:00 PST.".into(),
            error_type: Some("OAuthException".into()),
            code: Some(190),
            error_subcode: Some(463),
            fbtrace_id: Some("AhT7qLw2Zx0pNc4Vb8Ke1Ro".into()),
            is_transient: Some(false),
            error_user_title: Some("Session expired".into()),
            error_user_msg: Some("Your session has expired. Please log in again.".into()),
        })
    );
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn invalid_token_subcode_467() {
    let error = json!({
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 467,
        "fbtrace_id": "AzP4xR8mQ2nL6vK0cW3bY7t",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::InvalidToken);
    assert_eq!(
        failure.error.message,
        "Graph rejected the token as invalid or revoked (HTTP 400, code 190, subcode 467); check that it is a facebook user token issued to this app, set options.platform if the prefix misled detection, or have the user log in again"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    let graph = failure
        .error
        .graph_error
        .as_ref()
        .expect("graph-error is set");
    assert_eq!(graph.code, Some(190));
    assert_eq!(graph.error_subcode, Some(467));
    assert_eq!(graph.error_type.as_deref(), Some("OAuthException"));
    assert_eq!(graph.fbtrace_id.as_deref(), Some("AzP4xR8mQ2nL6vK0cW3bY7t"));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn invalid_token_subcode_460() {
    let error = json!({
        "message": "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 460,
        "fbtrace_id": "AbN5tY1uI9oP3aS7dF2gH6j",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::InvalidToken);
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    let graph = failure
        .error
        .graph_error
        .as_ref()
        .expect("graph-error is set");
    assert_eq!(graph.code, Some(190));
    assert_eq!(graph.error_subcode, Some(460));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn permission_denied_code_10() {
    let error = json!({
        "message": "(#10) Application does not have permission for this action",
        "type": "OAuthException",
        "code": 10,
        "fbtrace_id": "AqW3eR5tY7uI9oP1aS3dF5g",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::PermissionDenied);
    assert_eq!(
        failure.error.message,
        "Graph denied permission (HTTP 400, code 10); check that the app has the permission in the app dashboard and that the user granted it"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    let graph = failure
        .error
        .graph_error
        .as_ref()
        .expect("graph-error is set");
    assert_eq!(graph.code, Some(10));
    assert_eq!(
        graph.message,
        "(#10) Application does not have permission for this action"
    );
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn permission_denied_code_200() {
    let error = json!({
        "message": "(#200) Permissions error",
        "type": "OAuthException",
        "code": 200,
        "fbtrace_id": "AkL8jH6gF4dS2aP0oI8uY6t",
    });

    let failure = exchange_failing(graph_error_response(403, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::PermissionDenied);
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(403));
    let graph = failure
        .error
        .graph_error
        .as_ref()
        .expect("graph-error is set");
    assert_eq!(graph.code, Some(200));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn rate_limited_per_code() {
    let app_usage = r#"{"call_count":100,"total_cputime":27,"total_time":31}"#;
    let cases = [
        (4, "(#4) Application request limit reached"),
        (17, "(#17) User request limit reached"),
        (32, "(#32) Page request limit reached"),
        (
            613,
            "(#613) Calls to this api have exceeded the rate limit.",
        ),
    ];
    for (code, message) in cases {
        let error = json!({
            "message": message,
            "type": "OAuthException",
            "code": code,
            "is_transient": true,
            "fbtrace_id": "AgR5tLimitTrace01",
        });
        let response = graph_error_response(400, error)
            .insert_header("X-App-Usage", app_usage)
            .insert_header("Retry-After", "120");

        let failure = exchange_failing(response, max_attempts(3)).await;

        assert_eq!(failure.error.kind, ErrorKind::RateLimited, "code {code}");
        assert_eq!(
            failure.error.message,
            format!(
                "Graph rate-limited the app or user (HTTP 400, code {code}); wait before the next call, at least retry-after-seconds when set, and see app-usage"
            ),
            "code {code}"
        );
        assert!(failure.error.retryable, "code {code}");
        assert_eq!(failure.error.http_status, Some(400), "code {code}");
        assert_eq!(
            failure.error.app_usage.as_deref(),
            Some(app_usage),
            "code {code}"
        );
        assert_eq!(failure.error.retry_after_seconds, Some(120), "code {code}");
        let graph = failure
            .error
            .graph_error
            .as_ref()
            .expect("graph-error is set");
        assert_eq!(graph.code, Some(code), "code {code}");
        assert_eq!(graph.is_transient, Some(true), "code {code}");
        // A retry would spend the same quota, so the component returns after one request.
        assert_eq!(failure.error.attempts, 1, "code {code}");
        assert_eq!(failure.requests, 1, "code {code}");
    }
}

#[tokio::test]
async fn rate_limited_business_usage() {
    let usage = r#"{"1234567890123456":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":18,"estimated_time_to_regain_access":15}]}"#;
    let error = json!({
        "message": "(#32) Page request limit reached",
        "type": "OAuthException",
        "code": 32,
        "fbtrace_id": "AgR5tLimitTrace02",
    });
    let response =
        graph_error_response(400, error).insert_header("X-Business-Use-Case-Usage", usage);

    let failure = exchange_failing(response, max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::RateLimited);
    assert_eq!(
        failure.error.business_use_case_usage.as_deref(),
        Some(usage)
    );
    assert_eq!(failure.error.app_usage, None);
    assert_eq!(failure.error.retry_after_seconds, None);
}

#[tokio::test]
async fn transient_code_2_flagged() {
    let error = json!({
        "message": "An unexpected error has occurred. Please retry your request later.",
        "type": "OAuthException",
        "code": 2,
        "is_transient": true,
        "fbtrace_id": "AtR4nS1eNt2Tr4cE3xYz0Qw",
    });

    let failure = exchange_failing(graph_error_response(503, error), max_attempts(2)).await;

    assert_eq!(failure.error.kind, ErrorKind::Transient);
    assert_eq!(
        failure.error.message,
        "Graph reported a temporary error (HTTP 503, code 2); retry later"
    );
    assert!(failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(503));
    assert_eq!(
        failure.error.graph_error,
        Some(GraphError {
            message: "An unexpected error has occurred. Please retry your request later.".into(),
            error_type: Some("OAuthException".into()),
            code: Some(2),
            error_subcode: None,
            fbtrace_id: Some("AtR4nS1eNt2Tr4cE3xYz0Qw".into()),
            is_transient: Some(true),
            error_user_title: None,
            error_user_msg: None,
        })
    );
    assert_eq!(failure.error.attempts, 2);
    assert_eq!(failure.requests, 2);
}

#[tokio::test]
async fn transient_code_1_at_500() {
    let error = json!({
        "message": "An unknown error has occurred.",
        "type": "OAuthException",
        "code": 1,
        "fbtrace_id": "AuN6kN0wN1eRr0r2Tr4cE8z",
    });

    let failure = exchange_failing(graph_error_response(500, error), max_attempts(2)).await;

    assert_eq!(failure.error.kind, ErrorKind::Transient);
    assert_eq!(
        failure.error.message,
        "Graph reported a temporary error (HTTP 500, code 1); retry later"
    );
    assert!(failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(500));
    let graph = failure
        .error
        .graph_error
        .as_ref()
        .expect("graph-error is set");
    assert_eq!(graph.code, Some(1));
    assert_eq!(graph.is_transient, None);
    assert_eq!(failure.error.attempts, 2);
    assert_eq!(failure.requests, 2);
}

#[tokio::test]
async fn transient_exhausts_attempts() {
    let error = json!({
        "message": "Service temporarily unavailable",
        "type": "OAuthException",
        "code": 2,
        "is_transient": true,
    });

    let failure = exchange_failing(graph_error_response(503, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::Transient);
    assert_eq!(failure.error.attempts, 3);
    assert_eq!(failure.requests, 3);
}

#[tokio::test]
async fn api_error_code_100() {
    let error = json!({
        "message": "(#100) Invalid parameter",
        "type": "OAuthException",
        "code": 100,
        "error_subcode": 33,
        "error_user_title": "Invalid parameter",
        "error_user_msg": "The fb_exchange_token parameter is not valid.",
        "fbtrace_id": "AaP1eRr0rC0dE100xYzQw3e",
    });

    let failure = exchange_failing(graph_error_response(400, error), max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::ApiError);
    assert_eq!(
        failure.error.message,
        "Graph returned an error (HTTP 400, code 100, subcode 33); see graph-error for Graph's message and fbtrace-id"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(400));
    assert_eq!(
        failure.error.graph_error,
        Some(GraphError {
            message: "(#100) Invalid parameter".into(),
            error_type: Some("OAuthException".into()),
            code: Some(100),
            error_subcode: Some(33),
            fbtrace_id: Some("AaP1eRr0rC0dE100xYzQw3e".into()),
            is_transient: None,
            error_user_title: Some("Invalid parameter".into()),
            error_user_msg: Some("The fb_exchange_token parameter is not valid.".into()),
        })
    );
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

// ---- broken and hostile responses ----

#[tokio::test]
async fn html_502_upstream_unavailable() {
    let response = ResponseTemplate::new(502).set_body_raw(
        "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
        "text/html",
    );

    let failure = exchange_failing(response, max_attempts(2)).await;

    assert_eq!(failure.error.kind, ErrorKind::UpstreamUnavailable);
    assert_eq!(
        failure.error.message,
        "graph.facebook.com returned HTTP 502 without a Graph error; the service may be down or overloaded, so retry later"
    );
    assert!(failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(502));
    assert_eq!(failure.error.graph_error, None);
    assert_eq!(failure.error.attempts, 2);
    assert_eq!(failure.requests, 2);
}

#[tokio::test]
async fn html_200_unexpected_response() {
    let response = ResponseTemplate::new(200).set_body_raw(
        "<!DOCTYPE html><html><body><h1>Sign in to the Wi-Fi network</h1></body></html>",
        "text/html",
    );

    let failure = exchange_failing(response, max_attempts(3)).await;

    assert_eq!(failure.error.kind, ErrorKind::UnexpectedResponse);
    assert_eq!(
        failure.error.message,
        "graph.facebook.com returned HTTP 200 with a body that is not JSON (such as an HTML page); check options.base-url, or a proxy or captive portal in between"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(200));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn redirect_not_followed() {
    let (server, router) = routed_mock().await;
    let elsewhere = format!("{}/elsewhere", server.uri());
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(301).insert_header("Location", elsewhere.as_str()))
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &max_attempts(3))
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::UnexpectedResponse);
    assert_eq!(
        error.message,
        "graph.facebook.com answered with a redirect (HTTP 301), which is not followed because the request carries the app secret; check options.base-url, or a proxy in between"
    );
    assert!(!error.retryable);
    assert_eq!(error.http_status, Some(301));
    assert_eq!(error.attempts, 1);
    assert_eq!(request_count(&server).await, 1);
    assert_eq!(router.requests().len(), 1);
}

#[tokio::test]
async fn body_over_64_kib() {
    let body = json!({
        "access_token": LONG_TOKEN,
        "token_type": "bearer",
        "expires_in": 5183944,
        "padding": "x".repeat(64 * 1024),
    });

    let failure = exchange_failing(
        ResponseTemplate::new(200).set_body_json(body),
        max_attempts(3),
    )
    .await;

    assert_eq!(failure.error.kind, ErrorKind::ResponseTooLarge);
    assert_eq!(
        failure.error.message,
        "the response body from graph.facebook.com is larger than 65536 bytes, far beyond any token response; check options.base-url"
    );
    assert!(!failure.error.retryable);
    assert_eq!(failure.error.http_status, Some(200));
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

#[tokio::test]
async fn slow_server_times_out() {
    let response = ResponseTemplate::new(200)
        .set_body_json(token_body())
        .set_delay(Duration::from_secs(10));
    let options = Options {
        timeout_ms: Some(300),
        max_attempts: Some(1),
        ..Options::default()
    };

    let failure = exchange_failing(response, options).await;

    assert_eq!(failure.error.kind, ErrorKind::Timeout);
    // The host's first-byte timeout and the component's own deadline are both 300 ms, so
    // either may fire first.
    let expected = [
        "the request to graph.facebook.com timed out (wasi:http error connection-read-timeout); retry later, or raise options.timeout-ms",
        "graph.facebook.com sent no complete response within 300 ms (attempt 1 of at most 1, options.timeout-ms 300); retry later, or raise options.timeout-ms",
    ];
    assert!(
        expected.contains(&failure.error.message.as_str()),
        "message: {}",
        failure.error.message
    );
    assert!(failure.error.retryable);
    assert_eq!(failure.error.http_status, None);
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
    // 300 ms deadline plus a margin for instantiation and a loaded machine.
    assert!(
        failure.elapsed < Duration::from_millis(1_300),
        "the call took {:?} with timeout-ms 300",
        failure.elapsed
    );
}

#[tokio::test]
async fn deadline_holds_without_host_timeouts() {
    let (server, _) = routed_mock().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body())
                .set_delay(Duration::from_secs(10)),
        )
        .mount(&server)
        .await;
    let router = Router::with_timeouts(*server.address(), TimeoutPolicy::Ignore);
    let harness = Harness::routed(&router);
    let options = Options {
        timeout_ms: Some(300),
        max_attempts: Some(1),
        ..Options::default()
    };

    let started = Instant::now();
    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await;
    let elapsed = started.elapsed();

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::Timeout);
    assert_eq!(
        error.message,
        "graph.facebook.com sent no complete response within 300 ms (attempt 1 of at most 1, options.timeout-ms 300); retry later, or raise options.timeout-ms"
    );
    assert_eq!(error.attempts, 1);
    assert!(
        elapsed < Duration::from_millis(1_300),
        "the call took {elapsed:?} with timeout-ms 300"
    );
}

#[tokio::test]
async fn connection_refused_is_transport() {
    // Bind a free port, then close it, so nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(format!("http://127.0.0.1:{port}")),
        max_attempts: Some(2),
        ..Options::default()
    };

    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::Transport);
    assert_eq!(
        error.message,
        format!("the connection to 127.0.0.1:{port} failed (wasi:http error connection-refused); retry later, and check options.base-url and network access")
    );
    assert!(error.retryable);
    assert_eq!(error.http_status, None);
    assert_eq!(error.attempts, 2);
}

// ---- retries ----

#[tokio::test]
async fn retry_after_502_succeeds() {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .with_priority(2)
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &max_attempts(3))
        .await;

    let token = expect_ok(outcome);
    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(request_count(&server).await, 2);
    let urls = router.urls();
    assert_eq!(urls.len(), 2);
    assert_eq!(urls[0], urls[1]);
}

#[tokio::test]
async fn single_attempt_not_retried() {
    let failure = exchange_failing(
        ResponseTemplate::new(503).set_body_raw("Service Unavailable", "text/plain"),
        max_attempts(1),
    )
    .await;

    assert_eq!(failure.error.kind, ErrorKind::UpstreamUnavailable);
    assert_eq!(failure.error.attempts, 1);
    assert_eq!(failure.requests, 1);
}

// ---- redaction ----

/// Responds like a careless gateway: Graph's error message quotes the whole query string, and
/// other fields and a header quote the credentials raw or encoded with lowercase hex digits.
struct EchoCredentials;

impl Respond for EchoCredentials {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = request.url.query().unwrap_or_default().to_string();
        let secret = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "client_secret")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        let error = json!({
            "message": format!("Invalid OAuth access token: {query}"),
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 467,
            "error_user_title": format!("secret {}", APP_SECRET_ENCODED.to_lowercase()),
            "error_user_msg": format!("secret {secret} for token {FACEBOOK_TOKEN}"),
            "fbtrace_id": format!("A{FACEBOOK_TOKEN}"),
        });
        ResponseTemplate::new(400)
            .set_body_json(json!({ "error": error }))
            .insert_header("X-App-Usage", format!(r#"{{"token":"{FACEBOOK_TOKEN}"}}"#))
    }
}

#[tokio::test]
async fn echoed_credentials_redacted() {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(EchoCredentials)
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token(APP_ID, APP_SECRET, FACEBOOK_TOKEN)
        .await;

    // `expect_err` already checks every field for the credentials in each form. The kind is
    // not asserted: the echoed query names `client_secret`, which reads as a credential error.
    let error = expect_err(outcome, &[]);
    let graph = error.graph_error.as_ref().expect("graph-error is set");
    assert_eq!(
        graph.message,
        format!(
            "Invalid OAuth access token: grant_type=fb_exchange_token&client_id={APP_ID}&client_secret=[redacted]&fb_exchange_token=[redacted]"
        )
    );
    assert_eq!(graph.error_user_title.as_deref(), Some("secret [redacted]"));
    assert_eq!(
        graph.error_user_msg.as_deref(),
        Some("secret [redacted] for token [redacted]")
    );
    assert_eq!(graph.fbtrace_id.as_deref(), Some("A[redacted]"));
    assert_eq!(
        error.app_usage.as_deref(),
        Some(r#"{"token":"[redacted]"}"#)
    );
}

#[tokio::test]
async fn echoed_refresh_token_redacted() {
    let (server, router) = routed_mock().await;
    let error = json!({
        "message": format!("Cannot refresh {THREADS_TOKEN}"),
        "type": "OAuthException",
        "code": 190,
    });
    Mock::given(any())
        .respond_with(graph_error_response(400, error))
        .mount(&server)
        .await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .refresh_token(THREADS_TOKEN, &Options::default())
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::InvalidToken);
    let graph = error.graph_error.as_ref().expect("graph-error is set");
    assert_eq!(graph.message, "Cannot refresh [redacted]");
}

// ---- batches ----

#[tokio::test]
async fn exchange_tokens_in_input_order() {
    let mock = graph_token_host::mock_graph::MockGraph::start().await;
    let router = Router::new(mock.address());
    let harness = Harness::routed(&router);
    let requests = [
        graph_token_host::ExchangeRequest {
            app_id: APP_ID.into(),
            app_secret: APP_SECRET.into(),
            short_token: FACEBOOK_TOKEN.into(),
            platform: None,
        },
        graph_token_host::ExchangeRequest {
            app_id: APP_ID.into(),
            app_secret: String::new(),
            short_token: FACEBOOK_TOKEN.into(),
            platform: None,
        },
        graph_token_host::ExchangeRequest {
            app_id: String::new(),
            app_secret: APP_SECRET.into(),
            short_token: THREADS_TOKEN.into(),
            platform: None,
        },
    ];

    let results = harness
        .exchange_tokens(&requests, &Options::default())
        .await
        .unwrap();

    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().expect("first item succeeds");
    assert_eq!(first.platform, graph_token_host::Platform::Facebook);
    let second = results[1].as_ref().expect_err("second item has no secret");
    assert_eq!(second.kind, ErrorKind::InvalidInput);
    assert_eq!(second.attempts, 0);
    let third = results[2].as_ref().expect("third item succeeds");
    assert_eq!(third.platform, graph_token_host::Platform::Threads);
    assert_eq!(router.requests().len(), 2);
}

#[tokio::test]
async fn refresh_tokens_in_input_order() {
    let mock = graph_token_host::mock_graph::MockGraph::start().await;
    let router = Router::new(mock.address());
    let harness = Harness::routed(&router);
    let tokens = [
        INSTAGRAM_TOKEN.to_string(),
        "THexpired".to_string(),
        FACEBOOK_TOKEN.to_string(),
    ];

    let results = harness
        .refresh_tokens(&tokens, &Options::default())
        .await
        .unwrap();

    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().expect("instagram refresh succeeds");
    assert_eq!(first.platform, graph_token_host::Platform::Instagram);
    let second = results[1].as_ref().expect_err("expired token fails");
    assert_eq!(second.kind, ErrorKind::TokenExpired);
    let third = results[2]
        .as_ref()
        .expect_err("facebook token cannot be refreshed");
    assert_eq!(third.kind, ErrorKind::InvalidInput);
    assert_eq!(router.requests().len(), 2);
}

// ---- bundled mock ----

#[tokio::test]
async fn bundled_mock_expired_token() {
    let mock = graph_token_host::mock_graph::MockGraph::start().await;
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(mock.base_url()),
        ..Options::default()
    };

    let outcome = harness
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            graph_token_host::mock_graph::EXPIRED_TOKEN,
            &options,
        )
        .await;

    let error = expect_err(outcome, &[]);
    assert_eq!(error.kind, ErrorKind::TokenExpired);
    let graph = error.graph_error.as_ref().expect("graph-error is set");
    assert_eq!(graph.code, Some(190));
    assert_eq!(graph.error_subcode, Some(463));
    assert_eq!(mock.received_requests().await.len(), 1);
}
