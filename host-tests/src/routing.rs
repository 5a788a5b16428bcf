//! A `wasi:http` hook that sends every outgoing request to a loopback test server and records
//! the URI the guest asked for.
//!
//! The guest keeps believing that it talks to `https://graph.facebook.com` (or whatever host
//! it chose), so tests can assert the exact outgoing URL with the default hosts while no request
//! ever leaves the machine.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use http::uri::{Authority, PathAndQuery, Scheme, Uri};
use http_body_util::BodyExt;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// Treatment of the three `wasi:http` timeouts that the guest set on a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeoutPolicy {
    /// Pass the guest's timeouts to the sender unchanged.
    #[default]
    Keep,
    /// Drop the guest's timeouts, so the stock sender waits its own default of 600 s for each.
    /// This models a host that ignores `request-options`, leaving only the guest's own deadline.
    Ignore,
    /// Replace the guest's timeouts with these.
    Replace(RequestOptions),
}

/// One outgoing request as the guest built it, before any rewriting.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The request method.
    pub method: http::Method,
    /// Scheme, authority, path and query as the guest set them.
    pub uri: Uri,
    /// The `host` header, which `wasmtime-wasi-http` sets from the guest's authority.
    pub host_header: Option<String>,
    /// The timeouts the guest set through `request-options`, or `None` when it passed none.
    pub options: Option<RequestOptions>,
}

impl RecordedRequest {
    /// Returns the full URL the guest requested, such as
    /// `https://graph.facebook.com/v26.0/oauth/access_token?grant_type=...`.
    pub fn url(&self) -> String {
        self.uri.to_string()
    }
}

/// Sends every outgoing request to one loopback address over plain HTTP and records the
/// original request. Clones share the same target and record.
#[derive(Clone, Debug)]
pub struct Router {
    shared: Arc<RouterShared>,
}

#[derive(Debug)]
struct RouterShared {
    target: Authority,
    timeouts: TimeoutPolicy,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl Router {
    /// Creates a router to `target`, keeping the guest's timeouts.
    ///
    /// # Panics
    ///
    /// Panics when `target` is not a loopback address: the router exists for tests, and a test
    /// must never send the guest's credentials to another machine.
    pub fn new(target: SocketAddr) -> Router {
        Router::with_timeouts(target, TimeoutPolicy::Keep)
    }

    /// Creates a router to `target` that applies `timeouts` to every request.
    ///
    /// # Panics
    ///
    /// Panics when `target` is not a loopback address, as [`Router::new`] does.
    pub fn with_timeouts(target: SocketAddr, timeouts: TimeoutPolicy) -> Router {
        assert!(
            target.ip().is_loopback(),
            "router target {target} is not a loopback address; route only to a local test server"
        );
        let target = Authority::try_from(target.to_string())
            .expect("a socket address is a valid URI authority");
        Router {
            shared: Arc::new(RouterShared {
                target,
                timeouts,
                requests: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Returns the `host:port` that every request is sent to.
    pub fn target(&self) -> &str {
        self.shared.target.as_str()
    }

    /// Returns every request routed so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Returns the URL of every request routed so far, oldest first.
    pub fn urls(&self) -> Vec<String> {
        self.requests().iter().map(RecordedRequest::url).collect()
    }

    /// Records `request`, points it at the target over plain HTTP, and returns the timeouts to
    /// send it with.
    fn route(
        &self,
        request: &mut http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Option<RequestOptions> {
        let host_header = request
            .headers()
            .get(http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        self.shared.requests.lock().unwrap().push(RecordedRequest {
            method: request.method().clone(),
            uri: request.uri().clone(),
            host_header,
            options,
        });

        let path_and_query = request
            .uri()
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        // Plain `http` makes the stock sender skip TLS, because the test server has no
        // certificate for the guest's host.
        *request.uri_mut() = Uri::builder()
            .scheme(Scheme::HTTP)
            .authority(self.shared.target.clone())
            .path_and_query(path_and_query)
            .build()
            .expect("scheme, authority and path come from valid URIs");

        match self.shared.timeouts {
            TimeoutPolicy::Keep => options,
            TimeoutPolicy::Ignore => None,
            TimeoutPolicy::Replace(replacement) => Some(replacement),
        }
    }
}

/// The `wasi:http` hooks of one store: an optional [`Router`], and an optional rule that rejects
/// requests to any host that is not loopback.
#[derive(Clone, Debug, Default)]
pub struct RoutingHooks {
    /// The router that receives every request, if any.
    pub router: Option<Router>,
    /// When true, a request that would leave the machine fails with `HTTP-request-denied`
    /// instead of being sent. Routed requests always go to loopback.
    pub loopback_only: bool,
}

type SendFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for RoutingHooks {
    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _response_errors: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> SendFuture {
        let options = match &self.router {
            Some(router) => router.route(&mut request, options),
            None => options,
        };
        if self.loopback_only && !request.uri().host().is_some_and(is_loopback_host) {
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            let io: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send> = Box::new(io);
            Ok((response.map(BodyExt::boxed_unsync), io))
        })
    }
}

/// Whether `host` (as `http::Uri::host` returns it, IPv6 in brackets) is `localhost` or a
/// loopback address.
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "LocalHost", "127.0.0.1", "127.9.8.7", "[::1]"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "graph.facebook.com",
            "10.0.0.1",
            "169.254.169.254",
            "[::2]",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    #[should_panic(expected = "is not a loopback address")]
    fn router_rejects_remote_target() {
        Router::new("192.0.2.1:80".parse().unwrap());
    }
}
