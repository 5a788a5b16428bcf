//! Graph API facts per platform: hosts, paths and grant types.
//!
//! Sources (opened December 2026):
//! - Facebook: "Get Long-Lived Tokens", developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived/
//!   (`GET /{version}/oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token`).
//! - Threads: "Long-Lived Access Tokens", developers.facebook.com/docs/threads/get-started/long-lived-tokens/
//!   (`GET graph.threads.net/access_token?grant_type=th_exchange_token&client_secret&access_token`,
//!   refresh with `GET /refresh_access_token?grant_type=th_refresh_token&access_token`).
//! - Instagram: Instagram Platform reference, `access_token` and `refresh_access_token`,
//!   developers.facebook.com/documentation/instagram-platform/reference/ (`ig_exchange_token`,
//!   `ig_refresh_token`, host `graph.instagram.com`).

#[allow(unused_imports)]
use crate::prelude::*;

/// Graph API version that Facebook requests use unless `api-version` is set: v26.0, released on
/// 29 July 2026 (Graph API changelog, developers.facebook.com/docs/graph-api/changelog).
pub const DEFAULT_API_VERSION: &str = "v26.0";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    Facebook,
    Threads,
    Instagram,
}

/// Token operation of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Short-lived token to long-lived token.
    Exchange,
    /// Long-lived token to a new long-lived token (Threads and Instagram only).
    Refresh,
}

impl Platform {
    /// Chooses the platform from a token's prefix: `TH` is Threads, `IG` is Instagram, and
    /// anything else is Facebook.
    ///
    /// NOTE: these prefixes are a convention seen in issued tokens (Facebook user tokens start
    /// with `EAA`), not a documented Meta contract, so callers that know the platform set it.
    pub fn detect(token: &str) -> Platform {
        if token.starts_with("TH") {
            Platform::Threads
        } else if token.starts_with("IG") {
            Platform::Instagram
        } else {
            Platform::Facebook
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Platform::Facebook => "facebook",
            Platform::Threads => "threads",
            Platform::Instagram => "instagram",
        }
    }

    /// Returns the Graph host that serves this platform's token endpoints.
    pub fn default_host(self) -> &'static str {
        match self {
            Platform::Facebook => "graph.facebook.com",
            Platform::Threads => "graph.threads.net",
            Platform::Instagram => "graph.instagram.com",
        }
    }

    /// Returns the `grant_type` value for `operation`, or `None` where the platform does not offer it:
    /// Facebook long-lived user tokens cannot be refreshed.
    pub fn grant_type(self, operation: Operation) -> Option<&'static str> {
        match (self, operation) {
            (Platform::Facebook, Operation::Exchange) => Some("fb_exchange_token"),
            (Platform::Facebook, Operation::Refresh) => None,
            (Platform::Threads, Operation::Exchange) => Some("th_exchange_token"),
            (Platform::Threads, Operation::Refresh) => Some("th_refresh_token"),
            (Platform::Instagram, Operation::Exchange) => Some("ig_exchange_token"),
            (Platform::Instagram, Operation::Refresh) => Some("ig_refresh_token"),
        }
    }

    /// The endpoint path after the optional version segment.
    pub fn endpoint_path(self, operation: Operation) -> &'static str {
        match (self, operation) {
            (Platform::Facebook, _) => "/oauth/access_token",
            (_, Operation::Exchange) => "/access_token",
            (_, Operation::Refresh) => "/refresh_access_token",
        }
    }

    /// Returns whether requests carry `client_id`. Threads and Instagram identify the app by the token.
    pub fn sends_app_id(self) -> bool {
        self == Platform::Facebook
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_uses_token_prefix() {
        assert_eq!(Platform::detect("THAAbc"), Platform::Threads);
        assert_eq!(Platform::detect("IGQVJabc"), Platform::Instagram);
        assert_eq!(Platform::detect("EAAGabc"), Platform::Facebook);
        assert_eq!(Platform::detect("thlower"), Platform::Facebook);
        assert_eq!(Platform::detect(""), Platform::Facebook);
    }

    #[test]
    fn facebook_has_no_refresh_grant() {
        assert_eq!(Platform::Facebook.grant_type(Operation::Refresh), None);
        assert_eq!(
            Platform::Threads.grant_type(Operation::Refresh),
            Some("th_refresh_token")
        );
        assert_eq!(
            Platform::Instagram.grant_type(Operation::Refresh),
            Some("ig_refresh_token")
        );
    }
}
