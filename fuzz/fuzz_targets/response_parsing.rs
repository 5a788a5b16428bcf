//! Feeds arbitrary HTTP responses through `rate_limit::from_headers`, `response::interpret`,
//! `graph_error::parse` and `graph_error::classify`.
//!
//! Input format (text, so that seeds stay readable):
//!
//! ```text
//! <status> <platform> <operation> <endpoint> <now-unix>
//! <app secret>
//! <token>
//! <header name>: <header value>
//! ...
//! <empty line>
//! <body>
//! ```
//!
//! The first line is read leniently: a field that does not parse takes a default. Placeholders
//! in header values and the body let the fuzzer play a server that echoes the request's
//! credentials. `${secret}` and `${token}` expand to the raw credential, `${secret:url}` and
//! `${token:url}` to its form-urlencoded form, and `${secret:url-lower}` and
//! `${token:url-lower}` to that form with lowercase hex digits.

#![no_main]

use graph_token_exchange::error::{ErrorKind, ExchangeError, GraphError, RateLimitInfo};
use graph_token_exchange::input::{self, Settings};
use graph_token_exchange::platform::Platform;
use graph_token_exchange::request::{self, PreparedRequest};
use graph_token_exchange::response::{self, ReceivedResponse, MAX_BODY_BYTES};
use graph_token_exchange::secret::MIN_REDACTED_LEN;
use graph_token_exchange::{graph_error, json, rate_limit};
use graph_token_exchange_fuzz::{find_leak, leak_forms, twin};
use libfuzzer_sys::fuzz_target;

/// Wall clock used when the first line gives none: 15 January 2027, in Unix seconds.
const DEFAULT_NOW_UNIX: u64 = 1_800_000_000;

struct Case {
    status: u16,
    platform: Option<Platform>,
    refresh: bool,
    loopback_endpoint: bool,
    now_unix: u64,
    app_secret: String,
    token: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fuzz_target!(|data: &[u8]| {
    let Some(case) = Case::parse(data) else {
        return;
    };
    let Some(request) = prepare(&case, &case.app_secret, &case.token) else {
        return;
    };
    let twin_request = prepare(&case, &twin(&case.app_secret), &twin(&case.token))
        .expect("a twin of valid credentials is valid");

    let rate_limit = rate_limit::from_headers(&case.headers, case.now_unix, &request.redactor);
    for (name, value) in [
        ("x-app-usage", &rate_limit.app_usage),
        (
            "x-business-use-case-usage",
            &rate_limit.business_use_case_usage,
        ),
    ] {
        if let Some(value) = value {
            assert_no_leak(&case, value, name);
        }
    }

    for (name, value) in &case.headers {
        if name.eq_ignore_ascii_case("retry-after") {
            check_retry_after(value, case.now_unix);
        }
    }

    let response = ReceivedResponse {
        status: case.status,
        rate_limit: rate_limit.clone(),
        body: case.body.clone(),
    };
    let outcome = response::interpret(&response, &request, case.now_unix);
    let twin_outcome = response::interpret(&response, &twin_request, case.now_unix);

    match &outcome {
        Ok(token) => {
            assert!(
                !token.access_token.expose().is_empty(),
                "empty access token"
            );
            assert_eq!(token.platform, request.platform);
            if let Some(expires_in) = token.expires_in {
                assert_eq!(token.expires_at, case.now_unix.checked_add(expires_in));
            }
            let debug = format!("{token:?}");
            assert!(
                debug.contains("access_token: Secret([redacted])"),
                "{debug}"
            );
            assert_no_leak(&case, &token.token_type, "token_type");
        }
        Err(error) => {
            check_error(&case, error, &rate_limit);
            if let Err(twin_error) = &twin_outcome {
                check_message_independent_of_credentials(&case, error, twin_error);
            }
        }
    }

    check_graph_error_agrees(&case, &request, &outcome);
});

impl Case {
    fn parse(data: &[u8]) -> Option<Case> {
        let mut lines = data.splitn(4, |&b| b == b'\n');
        let first = String::from_utf8_lossy(lines.next()?).into_owned();
        let app_secret = credential(lines.next()?, false, "0123456789abcdef");
        let token = credential(lines.next()?, true, "EAAGtoken");
        let rest = lines.next().unwrap_or_default();

        let mut fields = first.split_ascii_whitespace();
        let status = fields.next().and_then(|s| s.parse().ok()).unwrap_or(200);
        let platform = match fields.next().unwrap_or_default() {
            "facebook" => Some(Platform::Facebook),
            "threads" => Some(Platform::Threads),
            "instagram" => Some(Platform::Instagram),
            _ => None,
        };
        let refresh = fields.next() == Some("refresh");
        let loopback_endpoint = fields.next() == Some("loopback");
        let now_unix = fields
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(DEFAULT_NOW_UNIX);

        let (header_block, body) = if let Some(body) = rest.strip_prefix(b"\n") {
            (&[][..], body)
        } else {
            match find(rest, b"\n\n") {
                Some(at) => (&rest[..at], &rest[at + 2..]),
                None => (rest, &[][..]),
            }
        };
        let expand = |bytes: &[u8]| expand_placeholders(bytes, &app_secret, &token);
        let headers = header_block
            .split(|&b| b == b'\n')
            .filter_map(|line| {
                let at = find(line, b":")?;
                let name = String::from_utf8_lossy(&line[..at]).into_owned();
                Some((name, expand(&line[at + 1..])))
            })
            .collect();
        let body = expand(body);

        Some(Case {
            status,
            platform,
            refresh,
            loopback_endpoint,
            now_unix,
            app_secret,
            token,
            headers,
            body,
        })
    }

    /// Returns the credentials that the request carries, which are the ones its redactor
    /// removes. A refresh sends no app secret.
    fn sent_credentials(&self) -> Vec<&str> {
        if self.refresh {
            vec![&self.token]
        } else {
            vec![&self.app_secret, &self.token]
        }
    }
}

/// Makes a valid credential of at least [`MIN_REDACTED_LEN`] bytes from fuzzer bytes, so that
/// the request can be built and the redactor covers it.
fn credential(bytes: &[u8], is_token: bool, padding: &str) -> String {
    let mut value: String = String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && !(is_token && *c == '%'))
        .collect();
    if value.len() < MIN_REDACTED_LEN {
        value.push_str(padding);
    }
    while value.len() > input::MAX_CREDENTIAL_LEN {
        value.pop();
    }
    value
}

fn prepare(case: &Case, app_secret: &str, token: &str) -> Option<PreparedRequest> {
    let settings = Settings {
        platform: case.platform,
        endpoint: case.loopback_endpoint.then(|| {
            graph_token_exchange::endpoint::Endpoint::parse_base_url("http://127.0.0.1:8080")
                .expect("loopback base-url is valid")
        }),
        ..Settings::default()
    };
    let prepared = if case.refresh {
        request::prepare_refresh(token, None, &settings)
    } else {
        request::prepare_exchange("1234567890", app_secret, token, None, &settings)
    };
    // A refresh of a Facebook token is rejected by design. Every other input is valid here.
    prepared.ok()
}

/// Expands the credential placeholders in `bytes`, stopping at [`MAX_BODY_BYTES`], the most
/// that the transport passes on.
fn expand_placeholders(bytes: &[u8], app_secret: &str, token: &str) -> Vec<u8> {
    let mut replacements = Vec::new();
    for (name, value) in [("secret", app_secret), ("token", token)] {
        let mut forms = leak_forms(value).into_iter();
        let raw = forms.next().unwrap_or_else(|| value.to_string());
        let encoded = forms.next().unwrap_or_else(|| raw.clone());
        let lower = forms.next().unwrap_or_else(|| encoded.clone());
        replacements.push((format!("${{{name}:url-lower}}"), lower));
        replacements.push((format!("${{{name}:url}}"), encoded));
        replacements.push((format!("${{{name}}}"), raw));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    'scan: while let Some((&first, tail)) = rest.split_first() {
        if out.len() >= MAX_BODY_BYTES {
            break;
        }
        for (placeholder, value) in &replacements {
            if let Some(after) = rest.strip_prefix(placeholder.as_bytes()) {
                out.extend_from_slice(value.as_bytes());
                rest = after;
                continue 'scan;
            }
        }
        out.push(first);
        rest = tail;
    }
    out.truncate(MAX_BODY_BYTES);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn assert_no_leak(case: &Case, text: &str, field: &str) {
    for credential in case.sent_credentials() {
        if let Some(form) = find_leak(text, credential) {
            panic!("{field} contains the credential form {form:?}: {text:?}");
        }
    }
}

fn check_error(case: &Case, error: &ExchangeError, rate_limit: &RateLimitInfo) {
    assert_ne!(error.kind, ErrorKind::InvalidInput, "{error:?}");
    assert_eq!(error.http_status, Some(case.status));
    assert_eq!(error.attempts, 0);
    assert_eq!(&error.rate_limit, rate_limit);
    if let Some(graph) = &error.graph_error {
        for (field, value) in graph_text_fields(graph) {
            assert_no_leak(case, value, field);
        }
    }
    // `Debug` output is not checked as text: its escapes (a newline printed as `\n`) can spell a
    // credential that contains a backslash, although the field itself does not contain it.
}

fn graph_text_fields(graph: &GraphError) -> Vec<(&'static str, &str)> {
    let mut fields = vec![("graph_error.message", graph.message.as_str())];
    for (name, value) in [
        ("graph_error.error_type", &graph.error_type),
        ("graph_error.fbtrace_id", &graph.fbtrace_id),
        ("graph_error.error_user_title", &graph.error_user_title),
        ("graph_error.error_user_msg", &graph.error_user_msg),
    ] {
        if let Some(value) = value {
            fields.push((name, value.as_str()));
        }
    }
    fields
}

/// Checks that the message does not depend on the credentials. It is built from fixed text, the
/// host, the status and Graph's numeric codes, so twin credentials give the same message. A credential
/// form in the message counts as a leak only when the twin's message lacks it, which rules out
/// credentials that happen to spell fixed text such as `returned`.
fn check_message_independent_of_credentials(
    case: &Case,
    error: &ExchangeError,
    twin_error: &ExchangeError,
) {
    for credential in case.sent_credentials() {
        // An all-digit credential can come back through Graph's numeric `code` or
        // `error_subcode`, which are integers and cannot be redacted. Real app secrets are hex
        // strings and tokens start with letters.
        if credential.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some(form) = find_leak(&error.message, credential) {
            assert!(
                twin_error.message.contains(form.as_str()),
                "message contains the credential form {form:?}: {:?}",
                error.message
            );
        }
    }
    // Redaction can change how Graph's message is classified (a secret that reads
    // `client_secret` is redacted before the check for that word), and then the template differs.
    if error.kind == twin_error.kind {
        assert_eq!(error.message, twin_error.message);
    }
}

fn check_graph_error_agrees(
    case: &Case,
    request: &PreparedRequest,
    outcome: &Result<response::LongLivedToken, ExchangeError>,
) {
    if (300..400).contains(&case.status) {
        return;
    }
    let Some(json::Value::Object(object)) = json::parse(&case.body) else {
        return;
    };
    let Some(graph) = graph_error::parse(&object, &request.redactor) else {
        return;
    };
    let (kind, retryable) = graph_error::classify(&graph, case.status);
    let error = outcome
        .as_ref()
        .expect_err("a body with a Graph error must give an error");
    assert_eq!(error.kind, kind);
    assert_eq!(error.retryable, retryable);
    assert_eq!(error.graph_error.as_ref(), Some(&graph));
}

/// Compares `retry_after_seconds` on an HTTP date with the `httpdate` crate. The guest reads
/// only IMF-fixdate (`Fri, 15 Jan 2027 08:00:00 GMT`) and does not check the weekday or the
/// length of the month. So only IMF-fixdates are compared, and the guest must read every one
/// from 1970 on that `httpdate` reads, with the same result.
fn check_retry_after(value: &[u8], now_unix: u64) {
    let Ok(value) = std::str::from_utf8(value) else {
        return;
    };
    let value = value.trim();
    if value.is_empty() || value.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let guest = rate_limit::retry_after_seconds(value, now_unix);
    let Ok(date) = httpdate::parse_http_date(value) else {
        return;
    };
    let Ok(since_epoch) = date.duration_since(std::time::UNIX_EPOCH) else {
        return;
    };
    let is_imf_fixdate =
        value.len() == 29 && value.ends_with(" GMT") && value.as_bytes()[3] == b',';
    if !is_imf_fixdate {
        return;
    }
    let wait = since_epoch.as_secs().saturating_sub(now_unix);
    let expected = u32::try_from(wait).unwrap_or(u32::MAX);
    assert_eq!(guest, Some(expected), "Retry-After {value:?} at {now_unix}");
}
