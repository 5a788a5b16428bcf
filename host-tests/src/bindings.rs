//! Typed bindings to the `token-exchanger` world, generated from `wit/exchange.wit`, and the two
//! records that carry credentials, redefined so that `Debug` never prints one.
//!
//! Exports are async because the stock `wasi:http` sender of `wasmtime-wasi-http` is async, so a
//! guest that waits on a response suspends the host future instead of blocking a thread.
//!
//! `bindgen!` in wasmtime 48 gives every record a `Debug` that prints each field, and it has no
//! option to leave one out or to swap a record for a type of ours. So [`LongLivedToken`] and
//! [`ExchangeRequest`] are this crate's own types, converted at the call boundary, and their
//! `Debug` shows `[redacted]` for a token or secret. The generated ones stay in [`raw`] for code
//! that calls [`TokenExchanger`] directly.

use std::fmt;

mod generated {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "token-exchanger",
        exports: { default: async },
        additional_derives: [PartialEq, Eq],
    });
}

pub use generated::exports::graph_token::exchange::exchange::{
    ErrorKind, ExchangeError, GraphError, Options, Platform,
};
pub use generated::{TokenExchanger, TokenExchangerPre};

/// The records as `bindgen!` generates them. Their `Debug` prints the access token, the app
/// secret and the short-lived token in full: do not log them.
pub mod raw {
    pub use super::generated::exports::graph_token::exchange::exchange::{
        ExchangeRequest, LongLivedToken,
    };

    /// The result of one exchange or refresh, as [`super::TokenExchanger`] returns it.
    pub type ExchangeResult = Result<LongLivedToken, super::ExchangeError>;
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
            .field("access_token", &Hidden(&self.access_token))
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("expires_at", &self.expires_at)
            .field("platform", &self.platform)
            .finish()
    }
}

impl fmt::Debug for ExchangeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExchangeRequest")
            .field("app_id", &self.app_id)
            .field("app_secret", &Hidden(&self.app_secret))
            .field("short_token", &Hidden(&self.short_token))
            .field("platform", &self.platform)
            .finish()
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
// The error is the WIT `exchange-error` as `bindgen!` generates it, so the WIT fixes its size.
#[allow(clippy::result_large_err)]
pub fn from_raw(result: raw::ExchangeResult) -> ExchangeResult {
    result.map(LongLivedToken::from)
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
    fn token_debug_hides_the_access_token() {
        let token = LongLivedToken {
            access_token: "EAAsecretlonglived".into(),
            token_type: "bearer".into(),
            expires_in: Some(5_183_944),
            expires_at: None,
            platform: Platform::Facebook,
        };
        assert_eq!(
            format!("{token:?}"),
            "LongLivedToken { access_token: [redacted], token_type: \"bearer\", \
             expires_in: Some(5183944), expires_at: None, platform: Platform::Facebook }"
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
            "ExchangeRequest { app_id: \"1234\", app_secret: [redacted], short_token: \"\", \
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
}
