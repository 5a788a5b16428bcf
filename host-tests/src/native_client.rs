//! The native client that the benchmarks compare the component against.

use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::latency_server::RequestHead;

/// Sends `head` as a GET over a fresh TCP connection with hyper's HTTP/1 client, the same
/// steps as `wasmtime_wasi_http::default_send_request`, reads the body, and returns its
/// `access_token`.
pub async fn exchange(address: SocketAddr, head: &RequestHead) -> String {
    let stream = TcpStream::connect(address)
        .await
        .expect("the latency server accepts connections");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("the HTTP/1 handshake succeeds");
    tokio::spawn(connection);

    let mut request = http::Request::get(head.path_and_query.as_str());
    for (name, value) in &head.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .expect("a recorded head is a valid request");
    let response = sender
        .send_request(request)
        .await
        .expect("the server sends a response");
    assert_eq!(response.status(), http::StatusCode::OK);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body arrives")
        .to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).expect("the body is JSON");
    json["access_token"]
        .as_str()
        .expect("the body has an access_token string")
        .to_string()
}
