//! Reading a complete Graph response: a long-lived token, or a typed error.
//!
//! Success is a 2xx JSON object with an `access_token` string, as the token endpoints document
//! (see `platform.rs` for the sources). Older Facebook API versions responded with a
//! form-encoded body, `access_token=...&expires=...`, which is accepted too.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use crate::error::{ErrorKind, ExchangeError, GraphError, RateLimitInfo};
use crate::graph_error;
use crate::json::{self, Object, Value};
use crate::platform::Platform;
use crate::request::PreparedRequest;
use crate::secret::Secret;
use crate::text;

/// Largest response body read, in bytes. Token responses are a few hundred bytes; the cap keeps
/// a hostile server from filling the guest's memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A long-lived token; `Debug` hides the token itself.
#[derive(Clone, PartialEq, Eq)]
pub struct LongLivedToken {
    pub access_token: Secret,
    pub token_type: String,
    /// Seconds, as returned.
    pub expires_in: Option<u64>,
    /// Unix seconds: receipt time plus `expires_in`.
    pub expires_at: Option<u64>,
    pub platform: Platform,
}

impl fmt::Debug for LongLivedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LongLivedToken")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("expires_at", &self.expires_at)
            .field("platform", &self.platform)
            .finish()
    }
}

/// A response as the transport received it; the body is complete and at most
/// [`MAX_BODY_BYTES`] long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedResponse {
    pub status: u16,
    pub rate_limit: RateLimitInfo,
    pub body: Vec<u8>,
}

/// Turns a complete response into a token or an error. `now_unix` is the wall clock at receipt,
/// in Unix seconds.
pub fn interpret(
    response: &ReceivedResponse,
    request: &PreparedRequest,
    now_unix: u64,
) -> Result<LongLivedToken, ExchangeError> {
    let status = response.status;
    let host = request.authority.as_str();
    let fail = |kind: ErrorKind, message: String| {
        let mut error = ExchangeError::new(kind, message).with_status(status);
        error.rate_limit = response.rate_limit.clone();
        error
    };

    if (300..400).contains(&status) {
        return Err(fail(
            ErrorKind::UnexpectedResponse,
            format!("{host} answered with a redirect (HTTP {status}), which is not followed because the request carries the app secret; check options.base-url, or a proxy in between"),
        ));
    }

    let json = json::parse(&response.body);
    if let Some(Value::Object(object)) = &json {
        if let Some(graph) = graph_error::parse(object, &request.redactor) {
            let (kind, retryable) = graph_error::classify(&graph, status);
            let mut error = fail(
                kind,
                graph_error_message(kind, &graph, status, request.platform),
            )
            .with_retryable(retryable);
            error.graph_error = Some(graph);
            return Err(error);
        }
        if (200..300).contains(&status) {
            return token_from_json(object, request, now_unix, status).map_err(|mut error| {
                error.rate_limit = response.rate_limit.clone();
                error
            });
        }
    } else if (200..300).contains(&status) {
        if let Some(token) = token_from_form(&response.body, request, now_unix) {
            return token;
        }
    }

    if status >= 500 {
        return Err(fail(
            ErrorKind::UpstreamUnavailable,
            format!("{host} returned HTTP {status} without a Graph error; the service may be down or overloaded, so retry later"),
        ));
    }
    if status == 429 {
        return Err(fail(
            ErrorKind::RateLimited,
            format!("{host} returned HTTP 429 without a Graph error; wait before the next call, at least retry-after-seconds when set"),
        ));
    }
    let what = match (&json, response.body.is_empty()) {
        (_, true) => "an empty body",
        (Some(_), false) => "JSON that is neither a token nor a Graph error",
        (None, false) => "a body that is not JSON (such as an HTML page)",
    };
    Err(fail(
        ErrorKind::UnexpectedResponse,
        format!("{host} returned HTTP {status} with {what}; check options.base-url, or a proxy or captive portal in between"),
    ))
}

fn graph_error_message(
    kind: ErrorKind,
    graph: &GraphError,
    status: u16,
    platform: Platform,
) -> String {
    let mut reference = format!("HTTP {status}");
    if let Some(code) = graph.code {
        reference.push_str(&format!(", code {code}"));
    }
    if let Some(subcode) = graph.error_subcode {
        reference.push_str(&format!(", subcode {subcode}"));
    }
    let platform = platform.name();
    match kind {
        ErrorKind::InvalidCredentials if platform == "facebook" => format!("Graph rejected the app credentials ({reference}); check app-id and app-secret in the app dashboard"),
        ErrorKind::InvalidCredentials => format!("Graph rejected the app credentials ({reference}); check app-secret in the app dashboard, and use the {platform} app secret, which differs from the Facebook one"),
        ErrorKind::TokenExpired => format!("the token has expired ({reference}); the user must log in again to get a new short-lived token"),
        ErrorKind::InvalidToken => format!("Graph rejected the token as invalid or revoked ({reference}); check that it is a {platform} user token issued to this app, set options.platform if the prefix misled detection, or have the user log in again"),
        ErrorKind::PermissionDenied => format!("Graph denied permission ({reference}); check that the app has the permission in the app dashboard and that the user granted it"),
        ErrorKind::RateLimited => format!("Graph rate-limited the app or user ({reference}); wait before the next call, at least retry-after-seconds when set, and see app-usage"),
        ErrorKind::Transient => format!("Graph reported a temporary error ({reference}); retry later"),
        _ => format!("Graph returned an error ({reference}); see graph-error for Graph's message and fbtrace-id"),
    }
}

fn token_from_json(
    object: &Object,
    request: &PreparedRequest,
    now_unix: u64,
    status: u16,
) -> Result<LongLivedToken, ExchangeError> {
    let host = request.authority.as_str();
    let access_token = match object.get("access_token") {
        Some(Value::String(token)) => token,
        _ => {
            return Err(ExchangeError::new(
                ErrorKind::UnexpectedResponse,
                format!("{host} returned HTTP {status} without an access_token string; check options.base-url, or a proxy in between"),
            )
            .with_status(status))
        }
    };
    if !is_plausible_token(access_token) {
        return Err(ExchangeError::new(
            ErrorKind::UnexpectedResponse,
            format!("{host} returned HTTP {status} with an empty or malformed access_token; check options.base-url, or a proxy in between"),
        )
        .with_status(status));
    }
    let expires_in = object
        .get("expires_in")
        .or_else(|| object.get("expires"))
        .and_then(seconds_from_json);
    let token_type = match object.get("token_type") {
        Some(Value::String(kind)) if !kind.is_empty() => request.redactor.scrub(kind),
        _ => "bearer".to_string(),
    };
    Ok(LongLivedToken {
        access_token: Secret::new(access_token.clone()),
        token_type,
        expires_in,
        expires_at: expires_in.and_then(|seconds| now_unix.checked_add(seconds)),
        platform: request.platform,
    })
}

/// Reads the legacy `access_token=...&expires=...` body. Returns `None` when the body is not of
/// that form, so the caller reports it as unexpected.
fn token_from_form(
    body: &[u8],
    request: &PreparedRequest,
    now_unix: u64,
) -> Option<Result<LongLivedToken, ExchangeError>> {
    let text = core::str::from_utf8(body).ok()?.trim();
    if !text.starts_with("access_token=") && !text::contains(text, "&access_token=") {
        return None;
    }
    let mut access_token = None;
    let mut expires_in = None;
    let mut token_type = None;
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        match name.as_ref() {
            "access_token" => access_token = Some(value.into_owned()),
            "expires" | "expires_in" => expires_in = seconds_from_text(&value),
            "token_type" if !value.is_empty() => token_type = Some(request.redactor.scrub(&value)),
            _ => {}
        }
    }
    let access_token = access_token.filter(|token| is_plausible_token(token))?;
    Some(Ok(LongLivedToken {
        access_token: Secret::new(access_token),
        token_type: token_type.unwrap_or_else(|| "bearer".to_string()),
        expires_in,
        expires_at: expires_in.and_then(|seconds| now_unix.checked_add(seconds)),
        platform: request.platform,
    }))
}

/// Checks that a token is non-empty and has no whitespace or control characters. Anything
/// else is a broken response, and passing it on would fail later in a less clear place.
fn is_plausible_token(token: &str) -> bool {
    !token.is_empty() && !token.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `expires_in` as a non-negative JSON integer or a string of digits; anything else is `None`.
fn seconds_from_json(value: &Value) -> Option<u64> {
    match value {
        Value::String(text) => seconds_from_text(text),
        number => json::as_u64(number),
    }
}

fn seconds_from_text(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Settings;
    use crate::request::prepare_exchange;

    const NOW: u64 = 1_800_000_000;

    fn request() -> PreparedRequest {
        prepare_exchange(
            "1",
            "appsecret123",
            "EAAshorttoken",
            None,
            &Settings::default(),
        )
        .unwrap()
    }

    fn respond(status: u16, body: &str) -> Result<LongLivedToken, ExchangeError> {
        let response = ReceivedResponse {
            status,
            rate_limit: RateLimitInfo::default(),
            body: body.as_bytes().to_vec(),
        };
        interpret(&response, &request(), NOW)
    }

    #[test]
    fn json_token_with_numeric_expiry() {
        let token = respond(
            200,
            r#"{"access_token":"EAAlong","token_type":"bearer","expires_in":5183944}"#,
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "EAAlong");
        assert_eq!(token.token_type, "bearer");
        assert_eq!(token.expires_in, Some(5_183_944));
        assert_eq!(token.expires_at, Some(NOW + 5_183_944));
        assert_eq!(token.platform, Platform::Facebook);
    }

    #[test]
    fn expires_in_variants() {
        let cases = [
            (r#"{"access_token":"t"}"#, None),
            (
                r#"{"access_token":"t","expires_in":"5183944"}"#,
                Some(5_183_944),
            ),
            (r#"{"access_token":"t","expires_in":-5}"#, None),
            (r#"{"access_token":"t","expires_in":1.5}"#, None),
            (r#"{"access_token":"t","expires_in":"12a"}"#, None),
            (r#"{"access_token":"t","expires_in":null}"#, None),
            (
                r#"{"access_token":"t","expires_in":"99999999999999999999999"}"#,
                None,
            ),
        ];
        for (body, expected) in cases {
            let token = respond(200, body).unwrap();
            assert_eq!(token.expires_in, expected, "{body}");
            assert_eq!(token.token_type, "bearer", "{body}");
        }
        let overflow = respond(
            200,
            &format!(r#"{{"access_token":"t","expires_in":{}}}"#, u64::MAX),
        )
        .unwrap();
        assert_eq!(overflow.expires_in, Some(u64::MAX));
        assert_eq!(overflow.expires_at, None);
    }

    #[test]
    fn legacy_form_body() {
        let token = respond(200, "access_token=EAA%2Blong&expires=5183999").unwrap();
        assert_eq!(token.access_token.expose(), "EAA+long");
        assert_eq!(token.expires_in, Some(5_183_999));
        assert_eq!(token.expires_at, Some(NOW + 5_183_999));
        assert_eq!(token.token_type, "bearer");
    }

    #[test]
    fn redirect_is_unexpected() {
        let err = respond(301, "").unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnexpectedResponse);
        assert_eq!(err.http_status, Some(301));
        assert!(!err.retryable);
        assert!(err.message.contains("redirect (HTTP 301)"));
    }

    #[test]
    fn html_pages() {
        let bad_gateway = respond(502, "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(bad_gateway.kind, ErrorKind::UpstreamUnavailable);
        assert!(bad_gateway.retryable);
        assert_eq!(bad_gateway.http_status, Some(502));

        let portal = respond(200, "<html>Sign in to Wi-Fi</html>").unwrap_err();
        assert_eq!(portal.kind, ErrorKind::UnexpectedResponse);
        assert!(portal.message.contains("not JSON"));
        assert!(!portal.retryable);
    }

    #[test]
    fn success_status_without_token() {
        for body in [
            r#"{"id":"1"}"#,
            r#"{"access_token":5}"#,
            "",
            "[]",
            r#"{"access_token":""}"#,
            r#"{"access_token":"a b"}"#,
        ] {
            let err = respond(200, body).unwrap_err();
            assert_eq!(err.kind, ErrorKind::UnexpectedResponse, "{body}");
            assert_eq!(err.http_status, Some(200), "{body}");
        }
    }

    #[test]
    fn graph_error_body() {
        let err = respond(
            400,
            r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A1"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::TokenExpired);
        assert_eq!(err.http_status, Some(400));
        assert_eq!(
            err.message,
            "the token has expired (HTTP 400, code 190, subcode 463); the user must log in again to get a new short-lived token"
        );
        let graph = err.graph_error.unwrap();
        assert_eq!(graph.code, Some(190));
        assert_eq!(graph.fbtrace_id.as_deref(), Some("A1"));
    }

    #[test]
    fn token_type_echo_is_redacted() {
        let token = respond(
            200,
            r#"{"access_token":"EAAlong","token_type":"appsecret123"}"#,
        )
        .unwrap();
        assert_eq!(token.token_type, "[redacted]");
    }

    #[test]
    fn missing_token_keeps_rate_limit() {
        let response = ReceivedResponse {
            status: 200,
            rate_limit: RateLimitInfo {
                app_usage: Some(r#"{"call_count":95}"#.into()),
                ..RateLimitInfo::default()
            },
            body: br#"{"id":"1"}"#.to_vec(),
        };
        let err = interpret(&response, &request(), NOW).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnexpectedResponse);
        assert_eq!(
            err.rate_limit.app_usage.as_deref(),
            Some(r#"{"call_count":95}"#)
        );
    }

    #[test]
    fn other_statuses() {
        assert_eq!(respond(429, "").unwrap_err().kind, ErrorKind::RateLimited);
        assert_eq!(
            respond(404, "Not Found").unwrap_err().kind,
            ErrorKind::UnexpectedResponse
        );
        assert!(respond(404, "")
            .unwrap_err()
            .message
            .contains("an empty body"));
    }
}
