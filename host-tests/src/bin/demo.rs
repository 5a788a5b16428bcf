//! `demo <component.wasm>`: exchanges one token through the component and prints the result as
//! JSON on stdout.
//!
//! With `META_APP_ID`, `META_APP_SECRET` and `META_SHORT_TOKEN` all set, it calls the real Graph
//! API with default options. Otherwise it starts the bundled mock Graph server on `127.0.0.1`
//! and exchanges demo credentials there.
//!
//! Exit status: 0 when the exchange succeeded, 1 when the component returned an error, 2 when
//! the host failed (bad arguments, component not loadable, trap).

use std::process::ExitCode;

use graph_token_host::json::result_to_json;
use graph_token_host::mock_graph::MockGraph;
use graph_token_host::{ExchangeResult, Exchanger, Options, Session};

const DEMO_APP_ID: &str = "1234567890123456";
const DEMO_APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const DEMO_SHORT_TOKEN: &str =
    "EAADemoShortLivedToken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Reads the three `META_*` variables, when all are set and non-empty.
fn meta_credentials() -> Option<(String, String, String)> {
    let read = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    Some((
        read("META_APP_ID")?,
        read("META_APP_SECRET")?,
        read("META_SHORT_TOKEN")?,
    ))
}

async fn exchange(session: &Session) -> wasmtime::Result<ExchangeResult> {
    if let Some((app_id, app_secret, short_token)) = meta_credentials() {
        eprintln!("demo: META_APP_ID, META_APP_SECRET and META_SHORT_TOKEN are set; calling the real Graph API");
        return session
            .exchange_token(&app_id, &app_secret, &short_token)
            .await;
    }

    let mock = MockGraph::start().await;
    eprintln!(
        "demo: META_APP_ID, META_APP_SECRET or META_SHORT_TOKEN is not set; using the bundled mock Graph server at {}",
        mock.base_url()
    );
    let options = Options {
        base_url: Some(mock.base_url()),
        ..Options::default()
    };
    let result = session
        .exchange_token_with(DEMO_APP_ID, DEMO_APP_SECRET, DEMO_SHORT_TOKEN, &options)
        .await;

    // Shows the request that went through the component, with the demo secret masked as a
    // reminder that real secrets must never reach a log.
    for request in mock.received_requests().await {
        let target = match request.url.query() {
            Some(query) => format!("{}?{query}", request.url.path()),
            None => request.url.path().to_string(),
        };
        eprintln!(
            "demo: the mock received {} {}",
            request.method,
            target.replace(DEMO_APP_SECRET, "[redacted]")
        );
    }
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(component_path), None) = (args.next(), args.next()) else {
        eprintln!("usage: demo <component.wasm>");
        return ExitCode::from(2);
    };

    let exchanger = match Exchanger::new(&component_path) {
        Ok(exchanger) => exchanger,
        Err(error) => {
            eprintln!("demo: {error:#}; build it with `make component`");
            return ExitCode::from(2);
        }
    };
    let session = exchanger.session();
    let outcome = exchange(&session).await;

    let guest_stderr = session.guest_stderr();
    if !guest_stderr.is_empty() {
        eprintln!("demo: the component wrote to stderr:\n{guest_stderr}");
    }
    match outcome {
        Ok(result) => {
            let rendered = serde_json::to_string_pretty(&result_to_json(&result))
                .expect("a JSON value always serializes");
            println!("{rendered}");
            if result.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("demo: the call failed in the host: {error:#}");
            ExitCode::from(2)
        }
    }
}
