//! Embeds the `graph-token-exchange` component with wasmtime.
//!
//! - [`embed`]: compile the component once ([`Exchanger`]) and call its exports, each call in
//!   a fresh `Store` ([`Session`]).
//! - [`routing`]: a `wasi:http` hook that sends every request to a loopback test server and
//!   records the URL the guest asked for.
//! - `mock_graph`: a stand-in for the Graph token endpoints, for the demo and for tests.
//! - `json`: results as JSON with WIT names.
//!
//! `mock_graph`, `json`, the test servers (`raw_server`, `latency_server`, `native_client`)
//! and `component_path` exist only with the default feature `test-support`. An embedding turns
//! it off.
//!
//! ```no_run
//! use graph_token_host::{Exchanger, Options};
//!
//! # async fn run() -> wasmtime::Result<()> {
//! let exchanger = Exchanger::new("target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm")?;
//! let options = Options {
//!     base_url: Some("http://127.0.0.1:8080".into()),
//!     ..Options::default()
//! };
//! match exchanger.exchange_token_with("1234", "app-secret", "EAAshort", &options).await? {
//!     Ok(token) => println!("expires in {:?} s", token.expires_in),
//!     Err(error) => eprintln!("{}: {}", error.kind.wit_name(), error.message),
//! }
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod bindings;
pub mod embed;
#[cfg(feature = "test-support")]
pub mod json;
#[cfg(feature = "test-support")]
pub mod latency_server;
#[cfg(feature = "test-support")]
pub mod mock_graph;
#[cfg(feature = "test-support")]
pub mod native_client;
#[cfg(feature = "test-support")]
pub mod raw_server;
pub mod routing;

pub use bindings::{
    ErrorKind, ExchangeError, ExchangeRequest, ExchangeResult, GraphError, LongLivedToken, Options,
    Platform,
};
pub use embed::{Exchanger, Session};
pub use routing::{RecordedRequest, Router, TimeoutPolicy};

/// Returns the path of the component under test: `COMPONENT`, else the `make component` output.
///
/// A relative `COMPONENT` is tried against the current directory, then against the workspace
/// root, because `make` exports it relative to the root while `cargo test` and
/// `cargo bench` run in this crate.
///
/// # Panics
///
/// Panics when no file exists at that path, with a message that says how to build one.
#[cfg(feature = "test-support")]
pub fn component_path() -> std::path::PathBuf {
    use std::path::PathBuf;

    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = match std::env::var_os("COMPONENT") {
        Some(value) => {
            let path = PathBuf::from(value);
            if path.is_relative() && !path.exists() {
                workspace.join(path)
            } else {
                path
            }
        }
        None => workspace.join("target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm"),
    };
    assert!(
        path.exists(),
        "component not found at {}; run `make component` in the workspace root, or set COMPONENT to a built component",
        path.display()
    );
    path
}

/// Compiles the Rust examples of the project README as doctests, so they cannot drift from the
/// API.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
