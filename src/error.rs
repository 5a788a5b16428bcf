//! The error type that every module returns; `lib.rs` converts it to the WIT `exchange-error`.
//!
//! Messages are built only from fixed text, argument names, HTTP statuses, host names and
//! `wasi:http` error-code names, never from an argument's value, so they cannot carry a
//! credential. Text that the server sent goes only into [`GraphError`], through a
//! [`crate::secret::Redactor`].

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

/// Failure category of a call; mirrors the WIT `error-kind` enum case by case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidInput,
    InvalidCredentials,
    TokenExpired,
    InvalidToken,
    PermissionDenied,
    RateLimited,
    Transient,
    ApiError,
    UpstreamUnavailable,
    UnexpectedResponse,
    ResponseTooLarge,
    Timeout,
    Transport,
}

impl ErrorKind {
    /// Every kind, in WIT order.
    pub const ALL: [ErrorKind; 13] = [
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
    ];

    /// Returns the WIT name of the kind, such as `invalid-input`.
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

    /// Returns whether the same call may succeed later unchanged. `Transport` is decided per error code
    /// (a refused connection is retryable, a TLS certificate error is not), so it is not here.
    pub fn default_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited
                | ErrorKind::Transient
                | ErrorKind::UpstreamUnavailable
                | ErrorKind::Timeout
                | ErrorKind::Transport
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wit_name())
    }
}

/// Graph's `error` object as received, with credentials redacted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphError {
    pub message: String,
    pub error_type: Option<String>,
    pub code: Option<i64>,
    pub error_subcode: Option<i64>,
    pub fbtrace_id: Option<String>,
    pub is_transient: Option<bool>,
    pub error_user_title: Option<String>,
    pub error_user_msg: Option<String>,
}

/// Rate-limit headers of the response, passed to the caller unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// Raw `X-App-Usage` header value (JSON).
    pub app_usage: Option<String>,
    /// Raw `X-Business-Use-Case-Usage` header value (JSON).
    pub business_use_case_usage: Option<String>,
    /// `Retry-After` in seconds.
    pub retry_after_seconds: Option<u32>,
}

/// A failed call. `Debug` is safe to log, because no field contains a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeError {
    pub kind: ErrorKind,
    pub message: String,
    pub retryable: bool,
    pub http_status: Option<u16>,
    pub graph_error: Option<GraphError>,
    pub rate_limit: RateLimitInfo,
    /// Requests sent for this call, retries included.
    pub attempts: u32,
}

impl ExchangeError {
    /// Creates an error of `kind` with the kind's default `retryable` flag.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ExchangeError {
            kind,
            message: message.into(),
            retryable: kind.default_retryable(),
            http_status: None,
            graph_error: None,
            rate_limit: RateLimitInfo::default(),
            attempts: 0,
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        ExchangeError::new(ErrorKind::InvalidInput, message)
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl core::error::Error for ExchangeError {}
