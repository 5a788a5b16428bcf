//! A TCP server on `127.0.0.1` that responds with scripted bytes, for responses that an HTTP
//! library would not send. Examples: no response at all, a body that stalls or ends early, a
//! reset, a chunked body without end, a response sent one byte at a time.
//!
//! The server counts the connections it accepted and the request heads it read, so tests can
//! tell how many attempts reached it even when no HTTP response was completed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Maximum request head length read, in bytes. A longer head is treated as complete.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// Bytes written per call when the server sends a large body.
const WRITE_PIECE: usize = 64 * 1024;

/// The server's script for one connection.
#[derive(Clone, Debug)]
pub enum Behavior {
    /// Closes the connection right after accepting it, before reading anything.
    CloseOnAccept,
    /// Resets the connection (`SO_LINGER` 0, then close) right after accepting it.
    ResetOnAccept,
    /// Reads the request head, then resets the connection.
    ResetAfterRequest,
    /// Reads the request head and sends nothing, keeping the connection open until the client
    /// closes it.
    NoResponse,
    /// Reads the request head, sends these bytes, then sends nothing more and keeps the
    /// connection open until the client closes it.
    SendThenStall(Vec<u8>),
    /// Reads the request head, sends these bytes, then closes the connection.
    SendThenClose(Vec<u8>),
    /// Reads the request head, sends the head of a chunked 200 response, then a chunk of
    /// `chunk_len` bytes every `interval`, and never the last chunk. With a zero `interval` it
    /// sends as fast as the client reads.
    // The variant docs describe the fields of this variant and the next two.
    #[allow(missing_docs)]
    EndlessChunks {
        chunk_len: usize,
        interval: Duration,
    },
    /// Reads the request head, then sends these bytes one at a time, `interval` apart, and
    /// closes the connection.
    #[allow(missing_docs)]
    Drip { bytes: Vec<u8>, interval: Duration },
    /// Reads the request head, then sends a 200 response with a body of `len` bytes. With
    /// `content_length` false the header is left out and the body ends when the server closes
    /// the connection.
    #[allow(missing_docs)]
    LargeBody { len: usize, content_length: bool },
}

/// The running server; it stops, and drops every open connection, when dropped.
pub struct RawServer {
    address: SocketAddr,
    counters: Arc<Counters>,
    task: JoinHandle<()>,
}

#[derive(Default)]
struct Counters {
    connections: AtomicUsize,
    requests: AtomicUsize,
}

impl RawServer {
    /// Starts a server that treats every connection with `behavior`.
    pub async fn start(behavior: Behavior) -> RawServer {
        RawServer::start_sequence(vec![behavior]).await
    }

    /// Starts a server that treats connection `n` (counted from 0) with `behaviors[n]`, and
    /// every connection after the last entry with the last entry.
    ///
    /// # Panics
    ///
    /// Panics when `behaviors` is empty or no port on `127.0.0.1` is free.
    pub async fn start_sequence(behaviors: Vec<Behavior>) -> RawServer {
        assert!(
            !behaviors.is_empty(),
            "a raw server needs at least one behavior"
        );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a free port on 127.0.0.1 succeeds");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(accept_loop(listener, behaviors, counters.clone()));
        RawServer {
            address,
            counters,
            task,
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

    /// Returns the number of connections accepted so far.
    pub fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::SeqCst)
    }

    /// Returns the number of complete request heads read so far. Behaviors that act on accept
    /// read none.
    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        // Dropping the accept task drops its `JoinSet`, which aborts every connection task.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, behaviors: Vec<Behavior>, counters: Arc<Counters>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let index = counters.connections.fetch_add(1, Ordering::SeqCst);
        let behavior = behaviors[index.min(behaviors.len() - 1)].clone();
        connections.spawn(serve(stream, behavior, counters.clone()));
        while connections.try_join_next().is_some() {}
    }
}

/// Treats one connection with `behavior`. Write errors end the connection quietly, because the
/// client under test is expected to give up early.
async fn serve(mut stream: TcpStream, behavior: Behavior, counters: Arc<Counters>) {
    let _ = stream.set_nodelay(true);
    match behavior {
        Behavior::CloseOnAccept => return,
        Behavior::ResetOnAccept => {
            reset(stream);
            return;
        }
        _ => {}
    }

    if !read_request_head(&mut stream).await {
        return;
    }
    counters.requests.fetch_add(1, Ordering::SeqCst);

    match behavior {
        Behavior::CloseOnAccept | Behavior::ResetOnAccept => unreachable!("handled above"),
        Behavior::ResetAfterRequest => reset(stream),
        Behavior::NoResponse => wait_for_close(&mut stream).await,
        Behavior::SendThenStall(bytes) => {
            if stream.write_all(&bytes).await.is_ok() {
                wait_for_close(&mut stream).await;
            }
        }
        Behavior::SendThenClose(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Behavior::EndlessChunks {
            chunk_len,
            interval,
        } => send_endless_chunks(&mut stream, chunk_len, interval).await,
        Behavior::Drip { bytes, interval } => {
            for byte in bytes {
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(interval).await;
            }
            let _ = stream.shutdown().await;
        }
        Behavior::LargeBody {
            len,
            content_length,
        } => send_large_body(&mut stream, len, content_length).await,
    }
}

/// Reads until the blank line that ends a request head. Returns false when the client closed
/// the connection or failed before that.
async fn read_request_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
        if head.windows(4).any(|window| window == b"\r\n\r\n") || head.len() >= MAX_REQUEST_HEAD {
            return true;
        }
    }
}

/// Keeps the connection open, discarding anything the client sends, until the client closes it.
async fn wait_for_close(stream: &mut TcpStream) {
    let mut buffer = [0u8; 1024];
    while matches!(stream.read(&mut buffer).await, Ok(read) if read > 0) {}
}

/// Closes the connection with a TCP reset instead of an orderly FIN.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn send_endless_chunks(stream: &mut TcpStream, chunk_len: usize, interval: Duration) {
    let head =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if stream.write_all(head).await.is_err() {
        return;
    }
    let mut chunk = format!("{chunk_len:x}\r\n").into_bytes();
    chunk.extend(std::iter::repeat_n(b' ', chunk_len));
    chunk.extend_from_slice(b"\r\n");
    loop {
        if stream.write_all(&chunk).await.is_err() {
            return;
        }
        if interval.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(interval).await;
        }
    }
}

async fn send_large_body(stream: &mut TcpStream, len: usize, content_length: bool) {
    let head = if content_length {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
        )
    } else {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".to_string()
    };
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let piece = vec![b' '; WRITE_PIECE];
    let mut left = len;
    while left > 0 {
        let now = left.min(WRITE_PIECE);
        if stream.write_all(&piece[..now]).await.is_err() {
            return;
        }
        left -= now;
    }
    let _ = stream.shutdown().await;
}

/// Returns a complete HTTP/1.1 response with `status`, `headers`, a `content-length` and
/// `connection: close`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut bytes = response_head(status, headers, body.len());
    bytes.extend_from_slice(body);
    bytes
}

/// Returns a response whose `content-length` is `body.len()` but which contains only the first
/// `sent` bytes of `body`.
///
/// # Panics
///
/// Panics when `sent` is not less than `body.len()`.
pub fn truncated_response(status: u16, body: &[u8], sent: usize) -> Vec<u8> {
    assert!(
        sent < body.len(),
        "a truncated response sends fewer bytes ({sent}) than its body has ({})",
        body.len()
    );
    let mut bytes = response_head(status, &[("content-type", "application/json")], body.len());
    bytes.extend_from_slice(&body[..sent]);
    bytes
}

fn response_head(status: u16, headers: &[(&str, &str)], content_length: usize) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {content_length}\r\nconnection: close\r\n\r\n"
    ));
    head.into_bytes()
}

fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("Unknown")
}
