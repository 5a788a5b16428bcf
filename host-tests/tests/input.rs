//! Arguments and options that the component rejects before sending anything: each returns
//! `invalid-input` with a message naming the argument, after zero requests.

mod common;

use common::*;
use graph_token_host::{ErrorKind, ExchangeResult, Options, Platform, Router};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEE_DASHBOARD: &str = "copy the App ID from the app dashboard (App settings > Basic)";
const SECRET_FROM_DASHBOARD: &str =
    "pass the App Secret from the app dashboard (App settings > Basic)";
const TOKEN_AS_ISSUED: &str = "pass the access token exactly as Meta issued it";
const BASE_URL_EXAMPLE: &str =
    "pass a URL such as https://graph-proxy.example.com or http://127.0.0.1:8080";

/// Starts a mock that would respond with a token, so that a request that should not have been sent
/// shows up as a success and in the request count.
async fn token_mock() -> (MockServer, Router) {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    (server, router)
}

/// Checks that `outcome` is `invalid-input` with `message`, not retryable, after zero requests.
async fn assert_rejected(
    outcome: wasmtime::Result<ExchangeResult>,
    message: &str,
    server: &MockServer,
    router: &Router,
    extra_credentials: &[&str],
) {
    let error = expect_err(outcome, extra_credentials);
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert_eq!(error.message, message);
    assert!(!error.retryable);
    assert_eq!(error.http_status, None);
    assert_eq!(error.graph_error, None);
    assert_eq!(error.attempts, 0);
    assert_eq!(router.urls(), Vec::<String>::new());
    assert_eq!(request_count(server).await, 0);
}

async fn exchange_rejected(app_id: &str, app_secret: &str, short_token: &str, message: &str) {
    let (server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token(app_id, app_secret, short_token)
        .await;

    assert_rejected(
        outcome,
        message,
        &server,
        &router,
        &[app_secret, short_token],
    )
    .await;
}

async fn options_rejected(options: Options, message: &str) {
    let (server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await;

    assert_rejected(outcome, message, &server, &router, &[]).await;
}

fn base_url(url: &str) -> Options {
    Options {
        base_url: Some(url.into()),
        ..Options::default()
    }
}

#[tokio::test]
async fn app_id_empty_for_facebook() {
    exchange_rejected(
        "",
        APP_SECRET,
        FACEBOOK_TOKEN,
        &format!("app-id is empty; Facebook requires it: {SEE_DASHBOARD}"),
    )
    .await;
}

#[tokio::test]
async fn app_id_whitespace_only() {
    exchange_rejected(
        " \t\n",
        APP_SECRET,
        FACEBOOK_TOKEN,
        &format!("app-id is empty; Facebook requires it: {SEE_DASHBOARD}"),
    )
    .await;
}

#[tokio::test]
async fn app_id_not_digits() {
    exchange_rejected(
        "12345abc",
        APP_SECRET,
        FACEBOOK_TOKEN,
        &format!("app-id must contain only digits; {SEE_DASHBOARD}"),
    )
    .await;
}

#[tokio::test]
async fn app_id_not_digits_on_threads() {
    // Threads ignores an empty app id, but a non-empty one must still be digits.
    exchange_rejected(
        "my-app",
        APP_SECRET,
        THREADS_TOKEN,
        &format!("app-id must contain only digits; {SEE_DASHBOARD}"),
    )
    .await;
}

#[tokio::test]
async fn app_secret_empty() {
    exchange_rejected(
        APP_ID,
        "",
        FACEBOOK_TOKEN,
        &format!("app-secret is empty; {SECRET_FROM_DASHBOARD}"),
    )
    .await;
}

#[tokio::test]
async fn app_secret_interior_whitespace() {
    exchange_rejected(
        APP_ID,
        "454f31af3176813e 02ea68ef786e4d3c",
        FACEBOOK_TOKEN,
        &format!(
            "app-secret contains whitespace or a control character; {SECRET_FROM_DASHBOARD}, without spaces or line breaks"
        ),
    )
    .await;
}

#[tokio::test]
async fn short_token_empty() {
    exchange_rejected(
        APP_ID,
        APP_SECRET,
        "  ",
        &format!("short-token is empty; {TOKEN_AS_ISSUED}"),
    )
    .await;
}

#[tokio::test]
async fn short_token_control_char() {
    let token = format!("{}\u{7}{}", &FACEBOOK_TOKEN[..60], &FACEBOOK_TOKEN[60..]);
    exchange_rejected(
        APP_ID,
        APP_SECRET,
        &token,
        &format!(
            "short-token contains whitespace or a control character; {TOKEN_AS_ISSUED}, without spaces or line breaks"
        ),
    )
    .await;
}

#[tokio::test]
async fn short_token_line_break() {
    let token = format!("{}\n{}", &FACEBOOK_TOKEN[..60], &FACEBOOK_TOKEN[60..]);
    exchange_rejected(
        APP_ID,
        APP_SECRET,
        &token,
        &format!(
            "short-token contains whitespace or a control character; {TOKEN_AS_ISSUED}, without spaces or line breaks"
        ),
    )
    .await;
}

#[tokio::test]
async fn short_token_percent() {
    let token = format!("{}%2B{}", &FACEBOOK_TOKEN[..60], &FACEBOOK_TOKEN[60..]);
    exchange_rejected(
        APP_ID,
        APP_SECRET,
        &token,
        "short-token contains '%', so it looks percent-encoded; pass the decoded token, because it is encoded once here",
    )
    .await;
}

#[tokio::test]
async fn api_version_invalid() {
    for version in ["26.0", "v26", "v26.0/", "../v1.0", ""] {
        let options = Options {
            api_version: Some(version.into()),
            ..Options::default()
        };
        options_rejected(
            options,
            "options.api-version is invalid; pass a Graph API version such as v26.0, or none for the default",
        )
        .await;
    }
}

#[tokio::test]
async fn base_url_http_to_remote_host() {
    // The router would catch a request if one were sent, and none may be.
    for url in [
        "http://graph-proxy.example.com",
        "http://10.0.0.1:8080",
        "http://169.254.169.254",
        "http://localhost.example.com",
    ] {
        options_rejected(
            base_url(url),
            &format!(
                "options.base-url is invalid: plain http is allowed only to a loopback host (127.0.0.0/8, [::1] or localhost), because the request carries the app secret; {BASE_URL_EXAMPLE}"
            ),
        )
        .await;
    }
}

#[tokio::test]
async fn base_url_ftp_scheme() {
    options_rejected(
        base_url("ftp://graph-proxy.example.com"),
        &format!(
            "options.base-url is invalid: the scheme must be https, or http to a loopback host; {BASE_URL_EXAMPLE}"
        ),
    )
    .await;
}

#[tokio::test]
async fn base_url_user_info() {
    options_rejected(
        base_url("https://user:password@graph-proxy.example.com"),
        &format!(
            "options.base-url is invalid: it contains user information ('@'); {BASE_URL_EXAMPLE}"
        ),
    )
    .await;
}

#[tokio::test]
async fn base_url_query() {
    options_rejected(
        base_url("https://graph-proxy.example.com/meta?key=value"),
        &format!("options.base-url is invalid: it contains a query ('?'); {BASE_URL_EXAMPLE}"),
    )
    .await;
}

#[tokio::test]
async fn base_url_empty() {
    options_rejected(
        base_url(" "),
        "options.base-url is empty; pass a URL such as https://graph-proxy.example.com, or none for the Graph host",
    )
    .await;
}

#[tokio::test]
async fn timeout_ms_zero() {
    let options = Options {
        timeout_ms: Some(0),
        ..Options::default()
    };
    options_rejected(
        options,
        "options.timeout-ms is out of range; pass 1 to 600000 milliseconds, or none for the default of 30000",
    )
    .await;
}

#[tokio::test]
async fn max_attempts_zero() {
    let options = Options {
        max_attempts: Some(0),
        ..Options::default()
    };
    options_rejected(
        options,
        "options.max-attempts is out of range; pass 1 to 10 requests, or none for the default of 3",
    )
    .await;
}

#[tokio::test]
async fn max_attempts_above_limit() {
    let options = Options {
        max_attempts: Some(11),
        ..Options::default()
    };
    options_rejected(
        options,
        "options.max-attempts is out of range; pass 1 to 10 requests, or none for the default of 3",
    )
    .await;
}

#[tokio::test]
async fn refresh_facebook_token() {
    let (server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let outcome = harness
        .refresh_token(FACEBOOK_TOKEN, &Options::default())
        .await;

    assert_rejected(
        outcome,
        "token does not start with TH (Threads) or IG (Instagram), so it is taken as a Facebook token, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with exchange-token instead, or set options.platform if this is a Threads or Instagram token",
        &server,
        &router,
        &[],
    )
    .await;
}

#[tokio::test]
async fn refresh_facebook_platform_option() {
    let (server, router) = token_mock().await;
    let harness = Harness::routed(&router);
    let options = Options {
        platform: Some(Platform::Facebook),
        ..Options::default()
    };

    let outcome = harness.refresh_token(THREADS_TOKEN, &options).await;

    assert_rejected(
        outcome,
        "options.platform is facebook, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with exchange-token instead",
        &server,
        &router,
        &[],
    )
    .await;
}

#[tokio::test]
async fn refresh_token_percent() {
    let (server, router) = token_mock().await;
    let harness = Harness::routed(&router);
    let token = format!("{THREADS_TOKEN}%3D");

    let outcome = harness.refresh_token(&token, &Options::default()).await;

    assert_rejected(
        outcome,
        "token contains '%', so it looks percent-encoded; pass the decoded token, because it is encoded once here",
        &server,
        &router,
        &[&token],
    )
    .await;
}
