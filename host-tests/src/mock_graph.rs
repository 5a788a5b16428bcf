//! A small stand-in for the Graph API token endpoints, on `127.0.0.1` at a free port.
//!
//! It serves the exchange and refresh requests of Facebook, Threads and Instagram the way the
//! real endpoints document. Success returns a JSON long-lived token. A missing parameter, a
//! wrong grant type for the path, or an expired token returns a Graph `error` object. It checks the shape
//! of a request, not the credentials, so any app id, secret and token are accepted.

use std::collections::HashMap;
use std::net::SocketAddr;

use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Lifetime of the tokens that the mock issues, in seconds: about 60 days, as Graph returns.
pub const EXPIRES_IN: u64 = 5_183_944;

/// A short-lived token that the mock reports as expired (code 190, subcode 463). Any token
/// that ends in `expired`, such as `THexpired`, is treated the same way.
pub const EXPIRED_TOKEN: &str = "EAAexpired";

/// The running mock server; it stops when dropped.
pub struct MockGraph {
    server: MockServer,
}

impl MockGraph {
    /// Starts the mock on `127.0.0.1` at a port chosen by the operating system.
    pub async fn start() -> MockGraph {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("GET"))
            .respond_with(GraphResponder)
            .mount(&server)
            .await;
        MockGraph { server }
    }

    /// Returns the address the mock listens on.
    pub fn address(&self) -> SocketAddr {
        *self.server.address()
    }

    /// Returns the value for `options.base-url`, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// Returns every request the mock received, oldest first.
    pub async fn received_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

/// Token endpoint of a request, found from its path and `grant_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    FacebookExchange,
    ThreadsExchange,
    InstagramExchange,
    ThreadsRefresh,
    InstagramRefresh,
}

impl Endpoint {
    /// Finds the endpoint of `grant_type`, when the request `path` ends in that endpoint's path.
    fn find(grant_type: &str, path: &str) -> Option<Endpoint> {
        let (endpoint, path_suffix) = match grant_type {
            "fb_exchange_token" => (Endpoint::FacebookExchange, "/oauth/access_token"),
            "th_exchange_token" => (Endpoint::ThreadsExchange, "/access_token"),
            "ig_exchange_token" => (Endpoint::InstagramExchange, "/access_token"),
            "th_refresh_token" => (Endpoint::ThreadsRefresh, "/refresh_access_token"),
            "ig_refresh_token" => (Endpoint::InstagramRefresh, "/refresh_access_token"),
            _ => return None,
        };
        let refresh_path_for_exchange =
            path.ends_with("/refresh_access_token") && path_suffix == "/access_token";
        (path.ends_with(path_suffix) && !refresh_path_for_exchange).then_some(endpoint)
    }

    /// Query parameters the endpoint requires besides `grant_type`, and the one holding the
    /// token.
    fn parameters(self) -> (&'static [&'static str], &'static str) {
        match self {
            Endpoint::FacebookExchange => (
                &["client_id", "client_secret", "fb_exchange_token"],
                "fb_exchange_token",
            ),
            Endpoint::ThreadsExchange | Endpoint::InstagramExchange => {
                (&["client_secret", "access_token"], "access_token")
            }
            Endpoint::ThreadsRefresh | Endpoint::InstagramRefresh => {
                (&["access_token"], "access_token")
            }
        }
    }

    /// Prefix of the tokens this endpoint issues, as seen on real tokens of the platform.
    fn token_prefix(self) -> &'static str {
        match self {
            Endpoint::FacebookExchange => "EAA",
            Endpoint::ThreadsExchange | Endpoint::ThreadsRefresh => "THAA",
            Endpoint::InstagramExchange | Endpoint::InstagramRefresh => "IGAA",
        }
    }
}

struct GraphResponder;

impl Respond for GraphResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let grant_type = query.get("grant_type").map(String::as_str).unwrap_or("");
        let Some(endpoint) = Endpoint::find(grant_type, request.url.path()) else {
            return graph_error(
                400,
                100,
                None,
                "Unsupported get request. Please read the Graph API documentation.",
            );
        };

        let (required, token_parameter) = endpoint.parameters();
        for name in required {
            if query.get(*name).is_none_or(|value| value.is_empty()) {
                return graph_error(
                    400,
                    100,
                    None,
                    &format!("Missing required parameter: {name}"),
                );
            }
        }

        let token = &query[token_parameter];
        if token.ends_with("expired") {
            return graph_error(
                400,
                190,
                Some(463),
                "Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST. The current time is Friday, 04-Dec-26 12:00:00 PST.",
            );
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": long_lived_token(endpoint.token_prefix(), token),
            "token_type": "bearer",
            "expires_in": EXPIRES_IN,
        }))
    }
}

/// Builds a Graph error response with the fields Graph sends for OAuth errors.
fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> ResponseTemplate {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AmockTraceId0001",
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    ResponseTemplate::new(status).set_body_json(json!({ "error": error }))
}

/// Derives a token that looks like a real one and is the same for the same input, so that
/// output can be compared across runs. Two FNV-1a hashes of the short token give 32 hex digits.
fn long_lived_token(prefix: &str, short_token: &str) -> String {
    let fnv1a = |seed: u64| {
        short_token.bytes().fold(seed, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let first = fnv1a(0xcbf2_9ce4_8422_2325);
    let second = fnv1a(first ^ 0x9e37_79b9_7f4a_7c15);
    format!("{prefix}LongLived{first:016x}{second:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_from_grant_and_path() {
        let cases = [
            (
                "fb_exchange_token",
                "/v26.0/oauth/access_token",
                Some(Endpoint::FacebookExchange),
            ),
            ("fb_exchange_token", "/access_token", None),
            (
                "th_exchange_token",
                "/access_token",
                Some(Endpoint::ThreadsExchange),
            ),
            (
                "ig_exchange_token",
                "/v1.0/access_token",
                Some(Endpoint::InstagramExchange),
            ),
            ("th_exchange_token", "/refresh_access_token", None),
            (
                "th_refresh_token",
                "/refresh_access_token",
                Some(Endpoint::ThreadsRefresh),
            ),
            (
                "ig_refresh_token",
                "/refresh_access_token",
                Some(Endpoint::InstagramRefresh),
            ),
            ("ig_refresh_token", "/access_token", None),
            ("client_credentials", "/oauth/access_token", None),
        ];
        for (grant_type, path, expected) in cases {
            assert_eq!(
                Endpoint::find(grant_type, path),
                expected,
                "{grant_type} {path}"
            );
        }
    }

    #[test]
    fn issued_token_is_stable() {
        let first = long_lived_token("EAA", "EAAshort");
        assert_eq!(first, long_lived_token("EAA", "EAAshort"));
        assert_ne!(first, long_lived_token("EAA", "EAAother"));
        assert!(first.starts_with("EAALongLived"));
        assert_eq!(first.len(), "EAALongLived".len() + 32);
    }
}
