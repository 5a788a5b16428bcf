//! Every error the component can return, produced in one session against servers that echo the
//! request's credentials into every field they can, then scanned for the credentials.
//!
//! The scan covers each error's message, every `graph-error` field, the usage headers, the
//! `Debug` output of the whole error, and the guest's stderr. It looks for the app secret, each
//! short-lived token and a prefix of the long-lived token, each raw and percent-encoded with
//! upper- and lowercase hex digits, and lists every finding before it fails.
//!
//! A last test prints successful results and batch requests with `Debug`, as a host's log line
//! would, and scans that text for the same credentials and the long-lived token.

mod common;

use std::collections::BTreeSet;

use common::*;
use graph_token_host::raw_server::{response, truncated_response, Behavior, RawServer};
use graph_token_host::{
    ErrorKind, ExchangeError, ExchangeRequest, ExchangeResult, GraphError, Options, Platform,
    Session,
};
use serde_json::json;
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The first 32 characters of [`LONG_TOKEN`]: found in an error only if a token, or part of
/// one, leaked into it.
const LONG_TOKEN_PREFIX: &str = LONG_TOKEN.split_at(32).0;

/// Credentials passed only in the invalid-input cases: rejected before any request is sent,
/// yet they must not appear in the message that rejects them.
const SECRET_WITH_SPACE: &str = "454f31af3176 813e02ea68ef786e4d3c";
const TOKEN_WITH_PERCENT: &str = "EAAJu8jzPde0IgxLd6GncfBA%41epfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rlg";
const TOKEN_WITH_CONTROL: &str =
    "EAAJu8jzPde0IgxLd6GncfBA\u{7}epfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rlg";

/// Percent-encodes every byte outside the URL-unreserved set, with uppercase or lowercase hex
/// digits.
fn percent_encode(value: &str, uppercase: bool) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other if uppercase => format!("%{other:02X}"),
            other => format!("%{other:02x}"),
        })
        .collect()
}

/// Returns the credential values of `request`'s query (every parameter except `grant_type` and
/// `client_id`), decoded.
fn credential_values(request: &Request) -> Vec<String> {
    request
        .url
        .query_pairs()
        .filter(|(name, _)| name != "grant_type" && name != "client_id")
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// Returns the raw query of `request` followed by each credential value raw and percent-encoded
/// with upper- and lowercase hex digits.
fn echo_everything(request: &Request) -> String {
    let mut echo = format!("query {}", request.url.query().unwrap_or_default());
    for value in credential_values(request) {
        echo.push_str(&format!(
            "; raw {value}; upper {}; lower {}",
            percent_encode(&value, true),
            percent_encode(&value, false)
        ));
    }
    echo
}

/// Returns each credential value of `request` raw and percent-encoded, without parameter names.
fn echo_values(request: &Request) -> String {
    credential_values(request)
        .iter()
        .map(|value| {
            format!(
                "{value} {} {}",
                percent_encode(value, true),
                percent_encode(value, false)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Graph error that quotes the request's credentials in every text field and header.
struct EchoGraphError {
    status: u16,
    code: Option<i64>,
    subcode: Option<i64>,
    is_transient: bool,
}

impl Respond for EchoGraphError {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let everything = echo_everything(request);
        let values = echo_values(request);
        let first_value = credential_values(request)
            .into_iter()
            .next()
            .unwrap_or_default();
        let message = format!("Request failed: {everything}");
        let mut error = json!({
            "message": message,
            "type": format!("OAuthException {values}"),
            "fbtrace_id": format!("A{values}"),
            "error_user_title": format!("Title {values}"),
            "error_user_msg": format!("Message {everything}"),
        });
        if let Some(code) = self.code {
            error["code"] = json!(code);
        }
        if let Some(subcode) = self.subcode {
            error["error_subcode"] = json!(subcode);
        }
        if self.is_transient {
            error["is_transient"] = json!(true);
        }
        ResponseTemplate::new(self.status)
            .set_body_json(json!({ "error": error }))
            .insert_header("X-App-Usage", format!(r#"{{"echo":"{everything}"}}"#))
            .insert_header(
                "X-Business-Use-Case-Usage",
                format!(r#"{{"echo":"{values}"}}"#),
            )
            .insert_header("Retry-After", first_value)
    }
}

/// A response that is not a Graph error, with the query quoted in its body and headers.
struct EchoPage {
    status: u16,
    content_type: &'static str,
    body: fn(&str) -> String,
}

impl Respond for EchoPage {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let everything = echo_everything(request);
        ResponseTemplate::new(self.status)
            .set_body_raw((self.body)(&everything), self.content_type)
            .insert_header("X-App-Usage", format!(r#"{{"echo":"{everything}"}}"#))
            .insert_header("Location", format!("http://other.invalid/?{everything}"))
    }
}

/// A Graph error whose message spells each credential value with JSON `\u` escapes, which a
/// JSON parser turns back into the raw value.
struct EchoUnicodeEscaped;

impl Respond for EchoUnicodeEscaped {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let escaped: String = credential_values(request)
            .iter()
            .flat_map(|value| value.chars().chain([' ']))
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        let body = format!(
            r#"{{"error":{{"message":"Bad {escaped}","type":"OAuthException","code":100,"error_user_msg":"{escaped}"}}}}"#
        );
        ResponseTemplate::new(400).set_body_raw(body, "application/json")
    }
}

/// Mounts every echoing responder on `server` under its own path prefix.
async fn mount_echo_responders(server: &MockServer) {
    let graph_errors = [
        ("code-101", 400, Some(101), None, false),
        ("code-190-463", 400, Some(190), Some(463), false),
        ("code-190-467", 400, Some(190), Some(467), false),
        ("code-10", 403, Some(10), None, false),
        ("code-4", 400, Some(4), None, true),
        ("code-2", 503, Some(2), None, true),
        ("code-100", 400, Some(100), None, false),
        ("no-code", 400, None, None, false),
    ];
    for (prefix, status, code, subcode, is_transient) in graph_errors {
        Mock::given(path_regex(format!("^/{prefix}/")))
            .respond_with(EchoGraphError {
                status,
                code,
                subcode,
                is_transient,
            })
            .mount(server)
            .await;
    }

    let pages: [(&str, EchoPage); 6] = [
        (
            "html-502",
            EchoPage {
                status: 502,
                content_type: "text/html",
                body: |echo| format!("<html><body>Bad Gateway {echo}</body></html>"),
            },
        ),
        (
            "html-200",
            EchoPage {
                status: 200,
                content_type: "text/html",
                body: |echo| format!("<html><body>Sign in {echo}</body></html>"),
            },
        ),
        (
            "redirect-302",
            EchoPage {
                status: 302,
                content_type: "text/plain",
                body: |echo| format!("Found {echo}"),
            },
        ),
        (
            "json-without-token",
            EchoPage {
                status: 200,
                content_type: "application/json",
                body: |echo| json!({"token_type": echo, "expires_in": 5183944}).to_string(),
            },
        ),
        (
            "string-error",
            EchoPage {
                status: 400,
                content_type: "application/json",
                body: |echo| {
                    json!({"error": "invalid_request", "error_description": echo}).to_string()
                },
            },
        ),
        (
            "oversized",
            EchoPage {
                status: 200,
                content_type: "application/json",
                body: |echo| {
                    json!({"access_token": LONG_TOKEN, "echo": echo, "padding": " ".repeat(70 * 1024)})
                        .to_string()
                },
            },
        ),
    ];
    for (prefix, page) in pages {
        Mock::given(path_regex(format!("^/{prefix}/")))
            .respond_with(page)
            .mount(server)
            .await;
    }

    Mock::given(path_regex("^/unicode-escaped/"))
        .respond_with(EchoUnicodeEscaped)
        .mount(server)
        .await;
}

/// Cases whose server quotes the credentials in a field that reaches the caller.
const ECHOED_CASES: [&str; 17] = [
    "code-101",
    "code-190-463",
    "code-190-467",
    "code-10",
    "code-4",
    "code-2",
    "code-100",
    "no-code",
    "string-error",
    "unicode-escaped",
    "threads exchange",
    "instagram exchange",
    "threads refresh",
    "instagram refresh",
    "exchange-tokens item 0",
    "exchange-tokens item 2",
    "refresh-tokens item 1",
];

fn to(base_url: String, timeout_ms: u32, max_attempts: u32) -> Options {
    Options {
        base_url: Some(base_url),
        timeout_ms: Some(timeout_ms),
        max_attempts: Some(max_attempts),
        ..Options::default()
    }
}

/// Every error of the run, with the case that produced it.
#[derive(Default)]
struct Collected {
    errors: Vec<(String, ExchangeError)>,
}

impl Collected {
    /// Stores the error of `outcome`, and panics on a token or a host failure, because every
    /// case here must fail inside the component.
    fn add(&mut self, case: &str, outcome: wasmtime::Result<ExchangeResult>) {
        match outcome {
            Ok(Err(error)) => self.errors.push((case.to_string(), error)),
            Ok(Ok(token)) => panic!(
                "{case}: expected an error, got a token ({:?})",
                token.platform
            ),
            Err(error) => panic!("{case}: the host call failed: {error:#}"),
        }
    }

    fn add_all(&mut self, case: &str, outcomes: wasmtime::Result<Vec<ExchangeResult>>) {
        let outcomes =
            outcomes.unwrap_or_else(|error| panic!("{case}: the host call failed: {error:#}"));
        for (index, outcome) in outcomes.into_iter().enumerate() {
            self.add(&format!("{case} item {index}"), Ok(outcome));
        }
    }
}

/// Runs calls that the component rejects before sending anything.
async fn run_invalid_inputs(session: &Session, collected: &mut Collected) {
    let options = Options::default();
    let cases = [
        ("empty secret", APP_ID, "", FACEBOOK_TOKEN),
        (
            "secret with space",
            APP_ID,
            SECRET_WITH_SPACE,
            FACEBOOK_TOKEN,
        ),
        ("token with percent", APP_ID, APP_SECRET, TOKEN_WITH_PERCENT),
        ("token with control", APP_ID, APP_SECRET, TOKEN_WITH_CONTROL),
        ("app id not digits", "12ab", APP_SECRET, FACEBOOK_TOKEN),
        ("empty token", APP_ID, APP_SECRET, ""),
    ];
    for (case, app_id, app_secret, token) in cases {
        let outcome = session
            .exchange_token_with(app_id, app_secret, token, &options)
            .await;
        collected.add(case, outcome);
    }

    let outcome = session
        .refresh_token(FACEBOOK_TOKEN, &Options::default())
        .await;
    collected.add("refresh facebook token", outcome);

    let bad_options = [
        (
            "secret in base-url",
            Options {
                base_url: Some(format!("http://other.invalid/{APP_SECRET_ENCODED}")),
                ..Options::default()
            },
        ),
        (
            "token in api-version",
            Options {
                api_version: Some(FACEBOOK_TOKEN.to_string()),
                ..Options::default()
            },
        ),
        (
            "max-attempts 0",
            Options {
                max_attempts: Some(0),
                ..Options::default()
            },
        ),
    ];
    for (case, options) in bad_options {
        let outcome = session
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await;
        collected.add(case, outcome);
    }
}

/// Runs calls to the echoing mock, on every platform and in batches.
async fn run_echo_cases(session: &Session, server: &MockServer, collected: &mut Collected) {
    let prefixes = [
        "code-101",
        "code-190-463",
        "code-190-467",
        "code-10",
        "code-4",
        "code-2",
        "code-100",
        "no-code",
        "html-502",
        "html-200",
        "redirect-302",
        "json-without-token",
        "string-error",
        "oversized",
        "unicode-escaped",
    ];
    for prefix in prefixes {
        let options = to(format!("{}/{prefix}", server.uri()), 10_000, 2);
        let outcome = session
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await;
        collected.add(prefix, outcome);
    }

    let echo_base = format!("{}/code-10", server.uri());
    for (case, platform, token) in [
        ("threads exchange", Platform::Threads, THREADS_TOKEN),
        ("instagram exchange", Platform::Instagram, INSTAGRAM_TOKEN),
    ] {
        let options = Options {
            platform: Some(platform),
            ..to(echo_base.clone(), 10_000, 1)
        };
        let outcome = session
            .exchange_token_with("", APP_SECRET, token, &options)
            .await;
        collected.add(case, outcome);
    }
    for (case, token) in [
        ("threads refresh", THREADS_TOKEN),
        ("instagram refresh", INSTAGRAM_TOKEN),
    ] {
        let outcome = session
            .refresh_token(token, &to(echo_base.clone(), 10_000, 1))
            .await;
        collected.add(case, outcome);
    }

    let requests = [
        batch_item(APP_ID, APP_SECRET, FACEBOOK_TOKEN, None),
        batch_item(APP_ID, SECRET_WITH_SPACE, FACEBOOK_TOKEN, None),
        batch_item("", APP_SECRET, THREADS_TOKEN, None),
    ];
    let outcomes = session
        .exchange_tokens(&requests, &to(echo_base.clone(), 10_000, 1))
        .await;
    collected.add_all("exchange-tokens", outcomes);

    let tokens = [
        THREADS_TOKEN.to_string(),
        INSTAGRAM_TOKEN.to_string(),
        TOKEN_WITH_PERCENT.to_string(),
    ];
    let outcomes = session
        .refresh_tokens(&tokens, &to(echo_base, 10_000, 1))
        .await;
    collected.add_all("refresh-tokens", outcomes);
}

/// Runs calls to raw servers that time out, reset, cut the body or send too much.
async fn run_raw_cases(session: &Session, collected: &mut Collected) {
    let body = serde_json::to_vec(&token_body()).expect("a JSON value serializes");
    let cases = [
        ("no response", Behavior::NoResponse),
        ("reset after request", Behavior::ResetAfterRequest),
        (
            "body cut inside the token",
            Behavior::SendThenClose(truncated_response(200, &body, 60)),
        ),
        (
            "body stalled inside the token",
            Behavior::SendThenStall(truncated_response(200, &body, 60)),
        ),
        (
            "10 MiB body",
            Behavior::LargeBody {
                len: 10 * 1024 * 1024,
                content_length: false,
            },
        ),
        (
            "redirect to loopback",
            Behavior::SendThenClose(response(
                307,
                &[("location", "http://127.0.0.1:9/v26.0/oauth/access_token")],
                &body,
            )),
        ),
    ];
    for (case, behavior) in cases {
        let server = RawServer::start(behavior).await;
        let outcome = session
            .exchange_token_with(
                APP_ID,
                APP_SECRET,
                FACEBOOK_TOKEN,
                &to(server.base_url(), 500, 1),
            )
            .await;
        collected.add(case, outcome);
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binding a free port on 127.0.0.1 succeeds")
        .local_addr()
        .expect("a bound listener has an address")
        .port();
    let outcome = session
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            FACEBOOK_TOKEN,
            &to(format!("http://127.0.0.1:{port}"), 5_000, 1),
        )
        .await;
    collected.add("connection refused", outcome);

    let server = RawServer::start(Behavior::CloseOnAccept).await;
    let outcome = session
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            FACEBOOK_TOKEN,
            &to(format!("https://{}", server.address()), 5_000, 1),
        )
        .await;
    collected.add("TLS handshake failure", outcome);
}

/// Builds one item of a batch exchange.
fn batch_item(
    app_id: &str,
    app_secret: &str,
    short_token: &str,
    platform: Option<Platform>,
) -> ExchangeRequest {
    ExchangeRequest {
        app_id: app_id.into(),
        app_secret: app_secret.into(),
        short_token: short_token.into(),
        platform,
    }
}

/// Returns every credential the run sent, with a name to report it by, in each form it is
/// searched for.
fn needles() -> Vec<(String, String)> {
    let credentials = [
        ("app secret", APP_SECRET),
        ("facebook token", FACEBOOK_TOKEN),
        ("threads token", THREADS_TOKEN),
        ("instagram token", INSTAGRAM_TOKEN),
        ("long-lived token prefix", LONG_TOKEN_PREFIX),
        ("secret with space", SECRET_WITH_SPACE),
        ("token with percent", TOKEN_WITH_PERCENT),
        ("token with control", TOKEN_WITH_CONTROL),
    ];
    let mut needles = Vec::new();
    for (name, value) in credentials {
        let forms = [
            ("raw", value.to_string()),
            ("uppercase-encoded", percent_encode(value, true)),
            ("lowercase-encoded", percent_encode(value, false)),
        ];
        for (form, text) in forms {
            needles.push((format!("{name} ({form})"), text));
        }
    }
    needles
}

#[tokio::test]
async fn errors_never_contain_credentials() {
    let server = MockServer::start().await;
    mount_echo_responders(&server).await;
    let harness = Harness::direct();
    let mut collected = Collected::default();

    run_invalid_inputs(&harness, &mut collected).await;
    run_echo_cases(&harness, &server, &mut collected).await;
    run_raw_cases(&harness, &mut collected).await;

    // The run must reach every error kind, or the scan would miss a path.
    let kinds: BTreeSet<&str> = collected
        .errors
        .iter()
        .map(|(_, error)| error.kind.wit_name())
        .collect();
    let all_kinds: BTreeSet<&str> = [
        ErrorKind::InvalidInput,
        ErrorKind::InvalidCredentials,
        ErrorKind::TokenExpired,
        ErrorKind::InvalidToken,
        ErrorKind::PermissionDenied,
        ErrorKind::RateLimited,
        ErrorKind::Transient,
        ErrorKind::ApiError,
        ErrorKind::UpstreamUnavailable,
        ErrorKind::UnexpectedResponse,
        ErrorKind::ResponseTooLarge,
        ErrorKind::Timeout,
        ErrorKind::Transport,
    ]
    .iter()
    .map(|kind| kind.wit_name())
    .collect();
    assert_eq!(kinds, all_kinds);

    // The scan below finds nothing unless the echoes arrived, so check that each echoing case
    // returned text in which the component replaced a credential.
    let redacted: BTreeSet<&str> = collected
        .errors
        .iter()
        .filter(|(_, error)| {
            error_texts(error)
                .iter()
                .any(|(_, text)| text.contains("[redacted]"))
        })
        .map(|(case, _)| case.as_str())
        .collect();
    for case in ECHOED_CASES {
        assert!(
            redacted.contains(case),
            "{case}: no field contains [redacted]"
        );
    }

    let needles = needles();
    let mut findings = Vec::new();
    for (case, error) in &collected.errors {
        for (field, text) in error_texts(error) {
            for (name, needle) in &needles {
                if text.contains(needle.as_str()) {
                    findings.push(format!("{case}: {field} contains the {name}"));
                }
            }
        }
    }
    let stderr = harness.guest_stderr();
    for (name, needle) in &needles {
        if stderr.contains(needle.as_str()) {
            findings.push(format!("guest stderr contains the {name}"));
        }
    }
    assert!(
        findings.is_empty(),
        "credentials found in {} places after {} errors:\n{}",
        findings.len(),
        collected.errors.len(),
        findings.join("\n")
    );
}

/// Percent-encodes like [`percent_encode`], but alternates uppercase and lowercase hex digits
/// from one escape to the next, as a server that re-encodes part of a URL can.
fn percent_encode_mixed(value: &str) -> String {
    let mut uppercase = false;
    let mut digits_left = 0;
    let mut encoded = String::new();
    for c in percent_encode(value, true).chars() {
        if c == '%' {
            uppercase = !uppercase;
            digits_left = 2;
            encoded.push(c);
        } else if digits_left > 0 {
            digits_left -= 1;
            encoded.push(if uppercase {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            });
        } else {
            encoded.push(c);
        }
    }
    encoded
}

/// A Graph error that quotes the secret with mixed-case escapes in its message, and
/// percent-encoded twice (as inside a `next=` URL parameter) in `error_user_msg`.
struct EchoReencoded;

impl Respond for EchoReencoded {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let secret = request
            .url
            .query_pairs()
            .find(|(name, _)| name == "client_secret")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        let error = json!({
            "message": format!("Invalid request: {}", percent_encode_mixed(&secret)),
            "type": "OAuthException",
            "code": 100,
            "error_user_msg": format!("Log in at /login?next={}", percent_encode(&percent_encode(&secret, true), true)),
        });
        ResponseTemplate::new(400).set_body_json(json!({ "error": error }))
    }
}

/// Runs an exchange against [`EchoReencoded`] and returns Graph's error object.
async fn reencoded_echo() -> GraphError {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(EchoReencoded)
        .mount(&server)
        .await;
    let harness = Harness::direct();

    let outcome = harness
        .exchange_token_with(
            APP_ID,
            APP_SECRET,
            FACEBOOK_TOKEN,
            &to(server.uri(), 5_000, 1),
        )
        .await;

    let error = expect_err(outcome, &[]);
    error.graph_error.expect("graph-error is set")
}

#[tokio::test]
async fn mixed_case_escapes_redacted() {
    let graph = reencoded_echo().await;

    let mixed = percent_encode_mixed(APP_SECRET);
    assert!(
        !graph.message.contains(&mixed),
        "graph-error.message contains the secret with mixed-case escapes: {}",
        graph.message
    );
}

#[tokio::test]
async fn double_encoding_redacted() {
    let graph = reencoded_echo().await;

    let double = percent_encode(&percent_encode(APP_SECRET, true), true);
    let user_message = graph.error_user_msg.unwrap_or_default();
    assert!(
        !user_message.contains(&double),
        "graph-error.error-user-msg contains the secret percent-encoded twice: {user_message}"
    );
}

/// Successful results and batch requests, printed with `{:?}` and `{:#?}` as a host's log line
/// would print them, contain no credential, because `LongLivedToken` and `ExchangeRequest` hide them.
#[tokio::test]
async fn debug_output_hides_credentials() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let harness = Harness::direct();
    let options = to(server.uri(), 5_000, 1);
    let requests = [
        batch_item(APP_ID, APP_SECRET, FACEBOOK_TOKEN, None),
        batch_item("", APP_SECRET, THREADS_TOKEN, Some(Platform::Threads)),
    ];

    let single = harness
        .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await
        .expect("the host call succeeds");
    let batch = harness
        .exchange_tokens(&requests, &options)
        .await
        .expect("the host call succeeds");

    // The tokens came back, so the Debug output below had a token to hide.
    assert_eq!(
        single.as_ref().map(|token| token.access_token.as_str()),
        Ok(LONG_TOKEN)
    );
    for outcome in &batch {
        assert_eq!(
            outcome.as_ref().map(|token| token.access_token.as_str()),
            Ok(LONG_TOKEN)
        );
    }

    let printed = [
        ("single result", format!("{single:?}")),
        ("single result, pretty", format!("{single:#?}")),
        ("batch results", format!("{batch:?}")),
        ("batch results, pretty", format!("{batch:#?}")),
        ("batch requests", format!("{requests:?}")),
        ("batch requests, pretty", format!("{requests:#?}")),
    ];
    let mut needles = needles();
    needles.push(("long-lived token".to_string(), LONG_TOKEN.to_string()));
    let mut findings = Vec::new();
    for (what, text) in &printed {
        assert!(text.contains("[redacted]"), "{what}: nothing was redacted");
        for (name, needle) in &needles {
            if text.contains(needle.as_str()) {
                findings.push(format!("{what} contains the {name}"));
            }
        }
    }
    assert!(findings.is_empty(), "{}", findings.join("\n"));
    // What is not a credential stays readable.
    assert!(printed[4].1.contains(&format!("app-id: \"{APP_ID}\"")));
}
