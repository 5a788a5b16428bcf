//! Typed bindings to the `token-exchanger` world, generated from `wit/exchange.wit`.
//!
//! Exports are async because the stock `wasi:http` sender of `wasmtime-wasi-http` is async, so a
//! guest that waits on a response suspends the host future instead of blocking a thread.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "token-exchanger",
    exports: { default: async },
    additional_derives: [PartialEq, Eq],
});

pub use exports::graph_token::exchange::exchange::{
    ErrorKind, ExchangeError, ExchangeRequest, GraphError, LongLivedToken, Options, Platform,
};

/// The result of one exchange or refresh, as the component returns it.
pub type ExchangeResult = Result<LongLivedToken, ExchangeError>;

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
