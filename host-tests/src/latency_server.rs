//! A loopback token server that delays every response by a fixed time and counts the requests
//! in flight, for tests and benchmarks of concurrent batches.
//!
//! The server responds to every GET like a Graph token endpoint, whatever its path. The token is the
//! `fb_exchange_token` or `access_token` query parameter, and its value selects the response:
//! - a token that contains [`EXPIRED_MARKER`] gets HTTP 400 with a Graph error of code 190,
//!   subcode 463 (`token-expired` in the component);
//! - a token that contains [`FAIL_5XX_MARKER`] gets HTTP 502 with an HTML body
//!   (`upstream-unavailable`);
//! - any other token gets HTTP 200 with the token from [`long_lived_token_for`].
//!
//! Unlike a mock library, the server records the maximum number of requests it held at once,
//! which is what a test of `max-concurrency` needs.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// A token that contains this text gets a Graph error for an expired token.
pub const EXPIRED_MARKER: &str = "expired";

/// A token that contains this text gets HTTP 502 without a Graph error object.
pub const FAIL_5XX_MARKER: &str = "fail5xx";

/// Lifetime of the issued tokens in seconds, about 60 days, as Graph returns.
pub const EXPIRES_IN: u64 = 5_183_944;

/// Request heads kept by [`LatencyServer::requests`]. Later requests are still counted but not
/// kept, so that a benchmark of many thousand requests does not grow without bound.
pub const REQUEST_LOG_CAPACITY: usize = 1_000;

/// Returns the long-lived token that the server issues for `short_token`, the raw (still
/// percent-encoded) value of the query parameter.
pub fn long_lived_token_for(short_token: &str) -> String {
    format!("{short_token}-long-lived")
}

/// Method, path with query, and headers of one request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead {
    /// The request method, such as `GET`.
    pub method: String,
    /// The request target: path and query, as sent.
    pub path_and_query: String,
    /// Header names in lowercase with their values, sorted, so that two heads compare equal
    /// whatever order the clients sent the headers in.
    pub headers: Vec<(String, String)>,
}

/// The running server on `127.0.0.1`; it stops when dropped.
pub struct LatencyServer {
    address: SocketAddr,
    stats: Arc<Stats>,
    accept_task: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Stats {
    delay: Duration,
    total: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    log: Mutex<Vec<RequestHead>>,
}

impl LatencyServer {
    /// Starts the server on `127.0.0.1` at a port chosen by the operating system. Every response
    /// is sent `delay` after its request head arrived.
    ///
    /// # Panics
    ///
    /// Panics when no loopback port can be bound. Call it inside a Tokio runtime, which runs the
    /// server's tasks.
    pub async fn start(delay: Duration) -> LatencyServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("failed to bind a port on 127.0.0.1 for the latency server");
        let address = listener
            .local_addr()
            .expect("a bound listener has a local address");
        let stats = Arc::new(Stats {
            delay,
            ..Stats::default()
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&stats)));
        LatencyServer {
            address,
            stats,
            accept_task,
        }
    }

    /// Returns the address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the value for `options.base-url`, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the fixed delay before each response.
    pub fn delay(&self) -> Duration {
        self.stats.delay
    }

    /// Returns the number of requests received since the start or the last [`reset`].
    ///
    /// [`reset`]: LatencyServer::reset
    pub fn total_requests(&self) -> usize {
        self.stats.total.load(Ordering::SeqCst)
    }

    /// Returns the maximum number of requests that were held at once since the start or the
    /// last [`reset`]. A request counts from the arrival of its head until its response is
    /// handed to the connection, or until the client closes the connection first.
    ///
    /// [`reset`]: LatencyServer::reset
    pub fn max_in_flight(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }

    /// Returns the first [`REQUEST_LOG_CAPACITY`] request heads since the start or the last
    /// [`reset`], oldest first.
    ///
    /// [`reset`]: LatencyServer::reset
    pub fn requests(&self) -> Vec<RequestHead> {
        self.stats.log.lock().unwrap().clone()
    }

    /// Sets the request count and the maximum in flight to zero and clears the request log.
    /// Requests still in flight stay counted in the current number in flight.
    pub fn reset(&self) {
        self.stats.total.store(0, Ordering::SeqCst);
        self.stats.max_in_flight.store(
            self.stats.in_flight.load(Ordering::SeqCst),
            Ordering::SeqCst,
        );
        self.stats.log.lock().unwrap().clear();
    }
}

impl Drop for LatencyServer {
    fn drop(&mut self) {
        // Aborting the accept task drops its `JoinSet`, which aborts every connection task.
        self.accept_task.abort();
    }
}

async fn accept_loop(listener: TcpListener, stats: Arc<Stats>) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                eprintln!("latency server: accept failed, retrying in 10 ms: {error}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Small responses go out at once instead of waiting for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let stats = Arc::clone(&stats);
        connections.spawn(async move {
            let service = service_fn(move |request| respond(request, Arc::clone(&stats)));
            // A client that closes its connection early is expected in timeout tests, so
            // connection errors are not reported.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        // Reap finished connections so that the set does not grow over a long benchmark.
        while connections.try_join_next().is_some() {}
    }
}

/// Decrements the number of requests in flight when dropped, also when the client goes away
/// during the delay and hyper drops the response future.
struct InFlightGuard {
    stats: Arc<Stats>,
}

impl InFlightGuard {
    fn enter(stats: Arc<Stats>) -> InFlightGuard {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlightGuard { stats }
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn respond(
    request: Request<Incoming>,
    stats: Arc<Stats>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    stats.total.fetch_add(1, Ordering::SeqCst);
    let _guard = InFlightGuard::enter(Arc::clone(&stats));
    record(&stats, &request);

    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|value| value.as_str())
        .unwrap_or("/");
    let token = token_parameter(path_and_query).map(str::to_string);
    if !stats.delay.is_zero() {
        tokio::time::sleep(stats.delay).await;
    }

    let response = match token.as_deref() {
        None => json_response(
            StatusCode::BAD_REQUEST,
            graph_error_body(100, None, "Missing required parameter: access_token"),
        ),
        Some(token) if token.contains(EXPIRED_MARKER) => json_response(
            StatusCode::BAD_REQUEST,
            graph_error_body(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            ),
        ),
        Some(token) if token.contains(FAIL_5XX_MARKER) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .header("content-type", "text/html")
            .body(Full::new(Bytes::from_static(
                b"<html>502 Bad Gateway</html>",
            )))
            .expect("static status and header are valid"),
        Some(token) => json_response(
            StatusCode::OK,
            serde_json::json!({
                "access_token": long_lived_token_for(token),
                "token_type": "bearer",
                "expires_in": EXPIRES_IN,
            }),
        ),
    };
    Ok(response)
}

fn record(stats: &Stats, request: &Request<Incoming>) {
    let mut log = stats.log.lock().unwrap();
    if log.len() >= REQUEST_LOG_CAPACITY {
        return;
    }
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort();
    log.push(RequestHead {
        method: request.method().to_string(),
        path_and_query: request
            .uri()
            .path_and_query()
            .map(|value| value.to_string())
            .unwrap_or_default(),
        headers,
    });
}

/// Returns the raw value of `fb_exchange_token` or `access_token` in the query, without
/// percent-decoding: the markers and test tokens are plain ASCII letters and digits.
fn token_parameter(path_and_query: &str) -> Option<&str> {
    let (_, query) = path_and_query.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "fb_exchange_token" || *name == "access_token")
        .map(|(_, value)| value)
}

fn graph_error_body(code: i64, subcode: Option<i64>, message: &str) -> serde_json::Value {
    let mut error = serde_json::json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AlatencyTrace01",
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = serde_json::json!(subcode);
    }
    serde_json::json!({ "error": error })
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=UTF-8")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a status and a static header are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_parameter_per_grant() {
        let cases = [
            (
                "/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1&client_secret=s&fb_exchange_token=EAAa",
                Some("EAAa"),
            ),
            (
                "/access_token?grant_type=th_exchange_token&client_secret=s&access_token=THa",
                Some("THa"),
            ),
            (
                "/refresh_access_token?grant_type=ig_refresh_token&access_token=IGa",
                Some("IGa"),
            ),
            ("/access_token?grant_type=th_exchange_token", None),
            ("/access_token", None),
        ];
        for (path_and_query, expected) in cases {
            assert_eq!(
                token_parameter(path_and_query),
                expected,
                "{path_and_query}"
            );
        }
    }
}
