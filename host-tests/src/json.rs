//! JSON renderings of the component's results, with the WIT names of fields and cases
//! (`access-token`, `rate-limited`), so that output from different hosts can be compared.
//!
//! A field that is `none` is rendered as `null`. Nothing is redacted: the component already
//! keeps credentials out of errors, and a token in an `ok` result is the caller's result.

use serde_json::{json, Value};

use crate::bindings::{ExchangeError, ExchangeResult, GraphError, LongLivedToken};

/// Renders a result as `{"ok": {...}}` or `{"err": {...}}`, as WAVE and jco name the cases.
pub fn result_to_json(result: &ExchangeResult) -> Value {
    match result {
        Ok(token) => json!({ "ok": token_to_json(token) }),
        Err(error) => json!({ "err": error_to_json(error) }),
    }
}

/// Renders a token with WIT field names, the access token included.
pub fn token_to_json(token: &LongLivedToken) -> Value {
    json!({
        "access-token": token.access_token,
        "token-type": token.token_type,
        "expires-in": token.expires_in,
        "expires-at": token.expires_at,
        "platform": token.platform.wit_name(),
    })
}

/// Renders an error with WIT field names.
pub fn error_to_json(error: &ExchangeError) -> Value {
    json!({
        "kind": error.kind.wit_name(),
        "message": error.message,
        "retryable": error.retryable,
        "http-status": error.http_status,
        "graph-error": error.graph_error.as_ref().map(graph_error_to_json),
        "app-usage": error.app_usage,
        "business-use-case-usage": error.business_use_case_usage,
        "retry-after-seconds": error.retry_after_seconds,
        "attempts": error.attempts,
    })
}

/// Renders Graph's error object with WIT field names.
pub fn graph_error_to_json(error: &GraphError) -> Value {
    json!({
        "message": error.message,
        "error-type": error.error_type,
        "code": error.code,
        "error-subcode": error.error_subcode,
        "fbtrace-id": error.fbtrace_id,
        "is-transient": error.is_transient,
        "error-user-title": error.error_user_title,
        "error-user-msg": error.error_user_msg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{ErrorKind, Platform};

    #[test]
    fn token_fields_use_wit_names() {
        let token = LongLivedToken {
            access_token: "EAAlong".into(),
            token_type: "bearer".into(),
            expires_in: Some(60),
            expires_at: None,
            platform: Platform::Threads,
        };
        assert_eq!(
            result_to_json(&Ok(token)),
            json!({"ok": {
                "access-token": "EAAlong",
                "token-type": "bearer",
                "expires-in": 60,
                "expires-at": null,
                "platform": "threads",
            }})
        );
    }

    #[test]
    fn error_kind_uses_wit_name() {
        let error = ExchangeError {
            kind: ErrorKind::RateLimited,
            message: "slow down".into(),
            retryable: true,
            http_status: Some(400),
            graph_error: None,
            app_usage: Some("{}".into()),
            business_use_case_usage: None,
            retry_after_seconds: Some(60),
            attempts: 1,
        };
        let rendered = result_to_json(&Err(error));
        assert_eq!(rendered["err"]["kind"], "rate-limited");
        assert_eq!(rendered["err"]["http-status"], 400);
        assert_eq!(rendered["err"]["graph-error"], Value::Null);
        assert_eq!(rendered["err"]["retry-after-seconds"], 60);
    }
}
