//! Typed bindings to the `token-exchanger` world, generated from `wit/exchange.wit`, and this
//! crate's own versions of the records that a call returns or takes in a batch.
//!
//! Exports are async because the stock `wasi:http` sender of `wasmtime-wasi-http` is async, so a
//! guest that waits on a response suspends the host future instead of blocking a thread.
//!
//! `bindgen!` in wasmtime 48 gives every record a `Debug` that prints each field, gives a record
//! used as an error a `Display` that repeats that `Debug`, and has no option to change either.
//! So [`LongLivedToken`], [`ExchangeRequest`] and [`ExchangeError`] are this crate's own types,
//! converted at the call boundary. Their `Debug` shows `[redacted]` for a token or secret and
//! names fields as the WIT does, like the generated `Options` and `GraphError`. The generated
//! records stay in [`raw`] for code that calls [`TokenExchanger`] directly.

use std::fmt;

// `bindgen!` writes no doc comments on the methods it generates.
#[allow(missing_docs)]
mod generated {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "token-exchanger",
        exports: { default: async },
        additional_derives: [PartialEq, Eq],
    });
}

pub use generated::exports::graph_token::exchange::exchange::{
    ErrorKind, GraphError, Options, Platform,
};
pub use generated::{TokenExchanger, TokenExchangerPre};

/// The records as `bindgen!` generates them. Their `Debug` prints the access token, the app
/// secret and the short-lived token in full: do not log them.
pub mod raw {
    pub use super::generated::exports::graph_token::exchange::exchange::{
        ExchangeError, ExchangeRequest, LongLivedToken,
    };

    /// The result of one exchange or refresh, as [`super::TokenExchanger`] returns it.
    pub type ExchangeResult = Result<LongLivedToken, ExchangeError>;
}

/// The result of one exchange or refresh, as the component returns it.
pub type ExchangeResult = Result<LongLivedToken, ExchangeError>;

/// A long-lived token: the WIT `long-lived-token`. `Debug` prints `[redacted]` in place of a
/// non-empty `access_token`.
#[derive(Clone, PartialEq, Eq)]
pub struct LongLivedToken {
    /// The long-lived access token, a secret.
    pub access_token: String,
    /// The token type as Graph returned it, or `bearer` when the response has none.
    pub token_type: String,
    /// Lifetime in seconds as Graph returned it (`expires_in`, else `expires`), if usable.
    pub expires_in: Option<u64>,
    /// Expiry in Unix seconds: the arrival time of the response plus `expires_in`.
    pub expires_at: Option<u64>,
    /// The platform the token was exchanged or refreshed on.
    pub platform: Platform,
}

/// One item of a batch exchange: the WIT `exchange-request`. `Debug` prints `[redacted]` in
/// place of a non-empty `app_secret` or `short_token`.
#[derive(Clone, PartialEq, Eq)]
pub struct ExchangeRequest {
    /// The Meta app id in digits. Required for Facebook, may be empty for Threads and Instagram.
    pub app_id: String,
    /// The app secret.
    pub app_secret: String,
    /// The short-lived token to exchange.
    pub short_token: String,
    /// The platform of this item. `None` falls back to `options.platform`, then the token prefix.
    pub platform: Option<Platform>,
}

/// A failed exchange or refresh: the WIT `exchange-error`. It contains no credential, because the
/// component builds messages from fixed text and redacts what the server sends. `Display`
/// prints the kind and the message, such as `invalid-input: app-secret is empty; ...`.
#[derive(Clone, PartialEq, Eq)]
pub struct ExchangeError {
    /// The kind of failure, for callers to branch on.
    pub kind: ErrorKind,
    /// One sentence: what failed, on which argument or HTTP status, and what to do next.
    pub message: String,
    /// Whether the same call may succeed later without any change to its arguments.
    pub retryable: bool,
    /// The HTTP status of the last response, if a response head arrived.
    pub http_status: Option<u16>,
    /// Graph's error object, when the last response had one.
    pub graph_error: Option<GraphError>,
    /// The raw JSON of the `X-App-Usage` response header.
    pub app_usage: Option<String>,
    /// The raw JSON of the `X-Business-Use-Case-Usage` response header.
    pub business_use_case_usage: Option<String>,
    /// The `Retry-After` response header in seconds.
    pub retry_after_seconds: Option<u32>,
    /// The number of requests sent for this call, retries included.
    pub attempts: u32,
}

/// A credential in `Debug` output: `""` when empty, so that a missing value stays visible,
/// else `[redacted]`. The length is not shown either.
struct Hidden<'a>(&'a str);

impl fmt::Debug for Hidden<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "[redacted]"
        })
    }
}

impl fmt::Debug for LongLivedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LongLivedToken")
            .field("access-token", &Hidden(&self.access_token))
            .field("token-type", &self.token_type)
            .field("expires-in", &self.expires_in)
            .field("expires-at", &self.expires_at)
            .field("platform", &self.platform)
            .finish()
    }
}

impl fmt::Debug for ExchangeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExchangeRequest")
            .field("app-id", &self.app_id)
            .field("app-secret", &Hidden(&self.app_secret))
            .field("short-token", &Hidden(&self.short_token))
            .field("platform", &self.platform)
            .finish()
    }
}

impl fmt::Debug for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExchangeError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("retryable", &self.retryable)
            .field("http-status", &self.http_status)
            .field("graph-error", &self.graph_error)
            .field("app-usage", &self.app_usage)
            .field("business-use-case-usage", &self.business_use_case_usage)
            .field("retry-after-seconds", &self.retry_after_seconds)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ExchangeError {}

impl fmt::Display for ErrorKind {
    /// Writes the WIT name of the case, such as `rate-limited`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wit_name())
    }
}

impl fmt::Display for Platform {
    /// Writes the WIT name of the case, such as `threads`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wit_name())
    }
}

impl From<raw::LongLivedToken> for LongLivedToken {
    fn from(token: raw::LongLivedToken) -> Self {
        LongLivedToken {
            access_token: token.access_token,
            token_type: token.token_type,
            expires_in: token.expires_in,
            expires_at: token.expires_at,
            platform: token.platform,
        }
    }
}

impl From<raw::ExchangeError> for ExchangeError {
    fn from(error: raw::ExchangeError) -> Self {
        ExchangeError {
            kind: error.kind,
            message: error.message,
            retryable: error.retryable,
            http_status: error.http_status,
            graph_error: error.graph_error,
            app_usage: error.app_usage,
            business_use_case_usage: error.business_use_case_usage,
            retry_after_seconds: error.retry_after_seconds,
            attempts: error.attempts,
        }
    }
}

impl From<&ExchangeRequest> for raw::ExchangeRequest {
    fn from(request: &ExchangeRequest) -> Self {
        raw::ExchangeRequest {
            app_id: request.app_id.clone(),
            app_secret: request.app_secret.clone(),
            short_token: request.short_token.clone(),
            platform: request.platform,
        }
    }
}

/// Converts a result of [`TokenExchanger`] into this crate's types.
// The error mirrors the WIT `exchange-error` field for field. Boxing it would cost an
// allocation per failed call and change the shape that the WIT gives.
#[allow(clippy::result_large_err)]
pub fn from_raw(result: raw::ExchangeResult) -> ExchangeResult {
    result
        .map(LongLivedToken::from)
        .map_err(ExchangeError::from)
}

/// Converts the results of a batch call of [`TokenExchanger`] into this crate's types.
pub fn from_raw_list(results: Vec<raw::ExchangeResult>) -> Vec<ExchangeResult> {
    results.into_iter().map(from_raw).collect()
}

impl Default for Options {
    /// Returns options with every field `none`, so the component applies its documented defaults.
    fn default() -> Self {
        Options {
            platform: None,
            api_version: None,
            base_url: None,
            timeout_ms: None,
            max_attempts: None,
            max_concurrency: None,
        }
    }
}

impl Platform {
    /// Returns the WIT name of the case, such as `facebook`.
    pub fn wit_name(self) -> &'static str {
        match self {
            Platform::Facebook => "facebook",
            Platform::Threads => "threads",
            Platform::Instagram => "instagram",
        }
    }
}

impl ErrorKind {
    /// Returns the WIT name of the case, such as `invalid-input`.
    pub fn wit_name(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::InvalidCredentials => "invalid-credentials",
            ErrorKind::TokenExpired => "token-expired",
            ErrorKind::InvalidToken => "invalid-token",
            ErrorKind::PermissionDenied => "permission-denied",
            ErrorKind::RateLimited => "rate-limited",
            ErrorKind::Transient => "transient",
            ErrorKind::ApiError => "api-error",
            ErrorKind::UpstreamUnavailable => "upstream-unavailable",
            ErrorKind::UnexpectedResponse => "unexpected-response",
            ErrorKind::ResponseTooLarge => "response-too-large",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_hides_access_token() {
        let token = LongLivedToken {
            access_token: "EAAsecretlonglived".into(),
            token_type: "bearer".into(),
            expires_in: Some(5_183_944),
            expires_at: None,
            platform: Platform::Facebook,
        };
        assert_eq!(
            format!("{token:?}"),
            "LongLivedToken { access-token: [redacted], token-type: \"bearer\", \
             expires-in: Some(5183944), expires-at: None, platform: Platform::Facebook }"
        );
        assert!(!format!("{token:#?}").contains("EAAsecretlonglived"));
    }

    #[test]
    fn request_debug_hides_credentials() {
        let request = ExchangeRequest {
            app_id: "1234".into(),
            app_secret: "s3cr3t".into(),
            short_token: String::new(),
            platform: None,
        };
        assert_eq!(
            format!("{request:?}"),
            "ExchangeRequest { app-id: \"1234\", app-secret: [redacted], short-token: \"\", \
             platform: None }"
        );
    }

    #[test]
    fn conversions_keep_fields() {
        let request = ExchangeRequest {
            app_id: "1234".into(),
            app_secret: "s3cr3t".into(),
            short_token: "THAAshort".into(),
            platform: Some(Platform::Threads),
        };
        let converted = raw::ExchangeRequest::from(&request);
        assert_eq!(
            (
                converted.app_id.as_str(),
                converted.app_secret.as_str(),
                converted.short_token.as_str(),
                converted.platform
            ),
            ("1234", "s3cr3t", "THAAshort", Some(Platform::Threads))
        );

        let token = from_raw(Ok(raw::LongLivedToken {
            access_token: "THAAlong".into(),
            token_type: "bearer".into(),
            expires_in: Some(60),
            expires_at: Some(1_700_000_060),
            platform: Platform::Threads,
        }));
        assert_eq!(
            token,
            Ok(LongLivedToken {
                access_token: "THAAlong".into(),
                token_type: "bearer".into(),
                expires_in: Some(60),
                expires_at: Some(1_700_000_060),
                platform: Platform::Threads,
            })
        );
    }

    #[test]
    fn error_display_is_kind_and_message() {
        let error = ExchangeError::from(raw::ExchangeError {
            kind: ErrorKind::RateLimited,
            message: "Graph rate-limited the app (code 4); wait before the next call".into(),
            retryable: true,
            http_status: Some(400),
            graph_error: None,
            app_usage: Some("{\"call_count\":100}".into()),
            business_use_case_usage: None,
            retry_after_seconds: Some(60),
            attempts: 1,
        });
        assert_eq!(
            error.to_string(),
            "rate-limited: Graph rate-limited the app (code 4); wait before the next call"
        );
        assert_eq!(error.http_status, Some(400));
        assert_eq!(error.app_usage.as_deref(), Some("{\"call_count\":100}"));
        assert_eq!(error.retry_after_seconds, Some(60));
        assert_eq!(error.attempts, 1);
        assert!(format!("{error:?}").contains("retry-after-seconds: Some(60)"));
    }

    #[test]
    fn enum_display_is_wit_name() {
        assert_eq!(
            ErrorKind::UpstreamUnavailable.to_string(),
            "upstream-unavailable"
        );
        assert_eq!(Platform::Instagram.to_string(), "instagram");
    }
}
