//! Reading Graph's `error` object and choosing an [`ErrorKind`] for it.
//!
//! The kind depends on code, subcode, `is_transient`, message and HTTP status together, never on
//! the code alone: code 1 is both "Error validating client secret" (a credential error, HTTP 400)
//! and "An unknown error has occurred" (temporary).
//!
//! Sources (opened December 2026):
//! - "Handling Errors", developers.facebook.com/docs/graph-api/guides/error-handling: codes 1
//!   (API unknown, temporary), 2 (API service, temporary), 3 (API method, capability), 4 (too
//!   many calls), 10 (permission denied), 17 (user too many calls), 190 (access token expired or
//!   invalid), 200-299 (permissions), 341 (application limit reached); OAuthException subcodes
//!   458 (app not installed), 459 (user checkpointed), 460 (password changed), 463 (expired),
//!   464 (unconfirmed user), 467 (invalid access token), 492 (invalid session).
//! - "Rate Limiting", developers.facebook.com/docs/graph-api/overview/rate-limiting: codes 4, 17,
//!   32 (page calls), 613 (custom rate limit), and the `X-App-Usage`,
//!   `X-Business-Use-Case-Usage` headers.
//! - "Get Long-Lived Tokens" and the OAuth error replies: code 101 "Error validating
//!   application. Invalid application ID." and code 1 "Error validating client secret.".

#[allow(unused_imports)]
use crate::prelude::*;

use crate::json::{self, Object, Value};
use crate::text::contains;

use crate::error::{ErrorKind, GraphError};
use crate::secret::Redactor;

/// Reads the `error` member of a JSON response body, or `None` when the body has none.
/// Every string is passed through `redactor`.
pub fn parse(body: &Object, redactor: &Redactor) -> Option<GraphError> {
    let error = body.get("error")?;
    let error = match error {
        Value::Object(object) => object,
        // Some OAuth endpoints respond with {"error": "text", "error_description": "..."}.
        Value::String(text) => {
            let description = body.get("error_description").and_then(json::as_str);
            let message = match description {
                Some(description) => format!("{text}: {description}"),
                None => text.clone(),
            };
            return Some(GraphError {
                message: redactor.scrub(&message),
                ..GraphError::default()
            });
        }
        _ => return None,
    };
    let text = |name: &str| {
        error
            .get(name)
            .and_then(json::as_str)
            .map(|s| redactor.scrub(s))
    };
    Some(GraphError {
        message: text("message").unwrap_or_default(),
        error_type: text("type"),
        code: integer(error.get("code")),
        error_subcode: integer(error.get("error_subcode")),
        fbtrace_id: text("fbtrace_id"),
        is_transient: error.get("is_transient").and_then(json::as_bool),
        error_user_title: text("error_user_title"),
        error_user_msg: text("error_user_msg"),
    })
}

/// Reads an integer sent as a JSON number or a string of digits.
fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::String(text) => text.parse().ok(),
        number => json::as_i64(number),
    }
}

/// Chooses the kind of a Graph error and whether the call may succeed later unchanged.
pub fn classify(error: &GraphError, http_status: u16) -> (ErrorKind, bool) {
    let code = error.code;
    let subcode = error.error_subcode;
    let message = error.message.to_ascii_lowercase();
    let transient_flag = error.is_transient == Some(true);
    let server_error = http_status >= 500;

    // Phrases of Graph's credential errors. Query parameter names such as `client_secret` are
    // left out on purpose: a server that echoes the request URL would match them.
    let mentions_credentials = contains(&message, "client secret")
        || contains(&message, "app secret")
        || contains(&message, "appsecret_proof")
        || contains(&message, "application id")
        || contains(&message, "error validating application");
    if code == Some(101)
        || (matches!(code, Some(1) | Some(100) | Some(190)) && mentions_credentials)
    {
        return (ErrorKind::InvalidCredentials, false);
    }

    if code == Some(190) || code == Some(102) {
        let expired = subcode == Some(463)
            || (subcode.is_none()
                && (contains(&message, "has expired")
                    || contains(&message, "session has expired")));
        return if expired {
            (ErrorKind::TokenExpired, false)
        } else {
            (ErrorKind::InvalidToken, false)
        };
    }
    // OAuthException without a code: per Graph's error table, the login status or access token
    // has expired, been revoked, or is invalid.
    if code.is_none() && error.error_type.as_deref() == Some("OAuthException") && !transient_flag {
        return (ErrorKind::InvalidToken, false);
    }

    if matches!(code, Some(4) | Some(17) | Some(32) | Some(341) | Some(613)) || http_status == 429 {
        return (ErrorKind::RateLimited, true);
    }

    if matches!(code, Some(3) | Some(10)) || code.is_some_and(|c| (200..=299).contains(&c)) {
        return (ErrorKind::PermissionDenied, false);
    }

    if matches!(code, Some(1) | Some(2)) && (transient_flag || server_error) {
        return (ErrorKind::Transient, true);
    }
    if transient_flag {
        return (ErrorKind::Transient, true);
    }

    (ErrorKind::ApiError, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn object(body: &[u8]) -> Object {
        match json::parse(body) {
            Some(Value::Object(object)) => object,
            _ => panic!("the test body is not a JSON object"),
        }
    }

    fn graph(code: Option<i64>, subcode: Option<i64>, message: &str) -> GraphError {
        GraphError {
            message: message.into(),
            error_type: Some("OAuthException".into()),
            code,
            error_subcode: subcode,
            ..GraphError::default()
        }
    }

    #[test]
    fn code_one_depends_on_message_and_status() {
        let secret = graph(Some(1), None, "Error validating client secret.");
        assert_eq!(
            classify(&secret, 400),
            (ErrorKind::InvalidCredentials, false)
        );

        let unknown = graph(Some(1), None, "An unknown error has occurred.");
        assert_eq!(classify(&unknown, 500), (ErrorKind::Transient, true));
        assert_eq!(classify(&unknown, 400), (ErrorKind::ApiError, false));

        let flagged = GraphError {
            is_transient: Some(true),
            ..unknown
        };
        assert_eq!(classify(&flagged, 400), (ErrorKind::Transient, true));
    }

    #[test]
    fn token_subcodes() {
        assert_eq!(
            classify(&graph(Some(190), Some(463), "Session has expired"), 400),
            (ErrorKind::TokenExpired, false)
        );
        for subcode in [Some(458), Some(460), Some(467), None] {
            assert_eq!(
                classify(
                    &graph(Some(190), subcode, "Invalid OAuth access token."),
                    400
                )
                .0,
                ErrorKind::InvalidToken,
                "{subcode:?}"
            );
        }
        assert_eq!(
            classify(
                &graph(
                    Some(190),
                    None,
                    "Error validating access token: Session has expired on Monday"
                ),
                400
            )
            .0,
            ErrorKind::TokenExpired
        );
    }

    #[test]
    fn echoed_query_is_not_a_credential_error() {
        let echo = graph(
            Some(190),
            Some(467),
            "Invalid OAuth access token: /oauth/access_token?client_secret=[redacted]",
        );
        assert_eq!(classify(&echo, 400).0, ErrorKind::InvalidToken);
    }

    #[test]
    fn credentials_rate_limits_permissions() {
        assert_eq!(
            classify(
                &graph(
                    Some(101),
                    None,
                    "Error validating application. Invalid application ID."
                ),
                400
            )
            .0,
            ErrorKind::InvalidCredentials
        );
        for code in [4, 17, 32, 341, 613] {
            assert_eq!(
                classify(&graph(Some(code), None, "limit"), 400),
                (ErrorKind::RateLimited, true),
                "{code}"
            );
        }
        for code in [3, 10, 200, 250, 299] {
            assert_eq!(
                classify(&graph(Some(code), None, "no"), 403).0,
                ErrorKind::PermissionDenied,
                "{code}"
            );
        }
        assert_eq!(
            classify(&graph(Some(300), None, "x"), 400).0,
            ErrorKind::ApiError
        );
        assert_eq!(
            classify(&graph(Some(100), None, "Invalid parameter"), 400).0,
            ErrorKind::ApiError
        );
        assert_eq!(
            classify(&graph(Some(100), None, "x"), 429).0,
            ErrorKind::RateLimited
        );
    }

    #[test]
    fn parse_reads_fields_and_redacts() {
        let secret = Secret::new("supersecret123");
        let redactor = Redactor::new([&secret]);
        let body = object(
            br#"{
                "error": {
                    "message": "bad client_secret=supersecret123",
                    "type": "OAuthException",
                    "code": "190",
                    "error_subcode": 463,
                    "fbtrace_id": "AbC",
                    "is_transient": false,
                    "error_user_title": "Title",
                    "error_user_msg": "Msg"
                }
            }"#,
        );
        let parsed = parse(&body, &redactor).unwrap();
        assert_eq!(parsed.message, "bad client_secret=[redacted]");
        assert_eq!(parsed.code, Some(190));
        assert_eq!(parsed.error_subcode, Some(463));
        assert_eq!(parsed.fbtrace_id.as_deref(), Some("AbC"));
        assert_eq!(parsed.is_transient, Some(false));
        assert_eq!(parsed.error_user_title.as_deref(), Some("Title"));
        assert_eq!(parsed.error_user_msg.as_deref(), Some("Msg"));
    }

    #[test]
    fn parse_string_error_form() {
        let body = object(br#"{"error": "invalid_request", "error_description": "missing"}"#);
        let parsed = parse(&body, &Redactor::default()).unwrap();
        assert_eq!(parsed.message, "invalid_request: missing");
        assert_eq!(parsed.code, None);
    }
}
