//! The JSON that the command prints: a token on success, `{"error": ...}` on failure.
//!
//! Keys are snake_case, as in Graph's own responses (`access_token`, `expires_in`), and the
//! `graph_error` object keeps Graph's key names. Every key is always present, with `null` when
//! the value is absent, so that a script can read any key without checking for it first.

use graph_token_exchange::error::ExchangeError;
use graph_token_exchange::response::LongLivedToken;
use serde_json::{json, Value};

/// Returns the JSON object for a long-lived token. It contains the token itself, so it goes to
/// stdout only.
pub fn token_json(token: &LongLivedToken) -> Value {
    json!({
        "access_token": token.access_token.expose(),
        "token_type": token.token_type,
        "expires_in": token.expires_in,
        "expires_at": token.expires_at,
        "platform": token.platform.name(),
    })
}

/// Returns the JSON object for a failed call. The library builds `message` and the Graph fields
/// without credentials.
pub fn error_json(error: &ExchangeError) -> Value {
    let graph_error = error.graph_error.as_ref().map(|graph| {
        json!({
            "message": graph.message,
            "type": graph.error_type,
            "code": graph.code,
            "error_subcode": graph.error_subcode,
            "fbtrace_id": graph.fbtrace_id,
            "is_transient": graph.is_transient,
            "error_user_title": graph.error_user_title,
            "error_user_msg": graph.error_user_msg,
        })
    });
    json!({
        "error": {
            "kind": error.kind.wit_name(),
            "message": error.message,
            "retryable": error.retryable,
            "http_status": error.http_status,
            "graph_error": graph_error,
            "app_usage": error.rate_limit.app_usage,
            "business_use_case_usage": error.rate_limit.business_use_case_usage,
            "retry_after_seconds": error.rate_limit.retry_after_seconds,
            "attempts": error.attempts,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use graph_token_exchange::error::{ErrorKind, GraphError};
    use graph_token_exchange::platform::Platform;
    use graph_token_exchange::secret::Secret;

    #[test]
    fn token_keys_and_values() {
        let token = LongLivedToken {
            access_token: Secret::new("EAAlong"),
            token_type: "bearer".to_string(),
            expires_in: Some(5_183_944),
            expires_at: None,
            platform: Platform::Facebook,
        };

        assert_eq!(
            token_json(&token),
            json!({
                "access_token": "EAAlong",
                "token_type": "bearer",
                "expires_in": 5_183_944,
                "expires_at": null,
                "platform": "facebook",
            })
        );
    }

    #[test]
    fn error_keys_and_values() {
        let mut error =
            ExchangeError::new(ErrorKind::TokenExpired, "the token has expired").with_status(400);
        error.attempts = 1;
        error.graph_error = Some(GraphError {
            message: "Session has expired.".to_string(),
            error_type: Some("OAuthException".to_string()),
            code: Some(190),
            error_subcode: Some(463),
            fbtrace_id: Some("AbcTrace".to_string()),
            ..GraphError::default()
        });
        error.rate_limit.retry_after_seconds = Some(60);

        assert_eq!(
            error_json(&error),
            json!({
                "error": {
                    "kind": "token-expired",
                    "message": "the token has expired",
                    "retryable": false,
                    "http_status": 400,
                    "graph_error": {
                        "message": "Session has expired.",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                        "fbtrace_id": "AbcTrace",
                        "is_transient": null,
                        "error_user_title": null,
                        "error_user_msg": null,
                    },
                    "app_usage": null,
                    "business_use_case_usage": null,
                    "retry_after_seconds": 60,
                    "attempts": 1,
                }
            })
        );
    }

    #[test]
    fn error_without_graph_fields() {
        let error = ExchangeError::invalid_input("app-secret is empty");

        let value = error_json(&error);

        assert_eq!(value["error"]["kind"], "invalid-input");
        assert_eq!(value["error"]["graph_error"], Value::Null);
        assert_eq!(value["error"]["http_status"], Value::Null);
        assert_eq!(value["error"]["attempts"], 0);
    }
}
