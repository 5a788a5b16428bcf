//! `embed <component.wasm>`: the embedding pattern for a Rust host, run against the bundled mock
//! Graph server.
//!
//! It compiles the component once, then makes each kind of call (single exchange per platform,
//! refresh, batch) with a fresh store per call, and checks each outcome. The exit status is 0
//! when every outcome is the expected one, and 1 otherwise.

use std::process::ExitCode;

use graph_token_host::mock_graph::{MockGraph, EXPIRED_TOKEN};
use graph_token_host::{ErrorKind, ExchangeRequest, ExchangeResult, Exchanger, Options, Platform};

const APP_ID: &str = "1234567890123456";
const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";

/// Prints one line for `result` and returns whether it matches `expected`: a platform for a
/// token, or an error kind.
fn check(call: &str, result: &ExchangeResult, expected: Result<Platform, ErrorKind>) -> bool {
    let matches = match (result, expected) {
        (Ok(token), Ok(platform)) => token.platform == platform,
        (Err(error), Err(kind)) => error.kind == kind,
        _ => false,
    };
    let status = if matches { "ok" } else { "UNEXPECTED" };
    match result {
        Ok(token) => println!(
            "{status}: {call}: {} token, expires in {:?} s",
            token.platform.wit_name(),
            token.expires_in
        ),
        Err(error) => println!(
            "{status}: {call}: {}: {}",
            error.kind.wit_name(),
            error.message
        ),
    }
    matches
}

async fn run(exchanger: &Exchanger) -> wasmtime::Result<bool> {
    let mock = MockGraph::start().await;
    let options = Options {
        base_url: Some(mock.base_url()),
        ..Options::default()
    };
    let mut all_expected = true;

    let singles = [
        ("EAAShortLivedFacebookToken", Ok(Platform::Facebook)),
        ("THAAShortLivedThreadsToken", Ok(Platform::Threads)),
        ("IGAAShortLivedInstagramToken", Ok(Platform::Instagram)),
        (EXPIRED_TOKEN, Err(ErrorKind::TokenExpired)),
    ];
    for (short_token, expected) in singles {
        let result = exchanger
            .exchange_token_with(APP_ID, APP_SECRET, short_token, &options)
            .await?;
        all_expected &= check("exchange-token-with", &result, expected);
    }

    let refreshed = exchanger
        .refresh_token("THAALongLivedThreadsToken", &options)
        .await?;
    all_expected &= check("refresh-token", &refreshed, Ok(Platform::Threads));

    let batch = [
        ExchangeRequest {
            app_id: APP_ID.into(),
            app_secret: APP_SECRET.into(),
            short_token: "EAAFirstShortLivedToken".into(),
            platform: None,
        },
        ExchangeRequest {
            app_id: "not-digits".into(),
            app_secret: APP_SECRET.into(),
            short_token: "EAASecondShortLivedToken".into(),
            platform: None,
        },
    ];
    let results = exchanger.exchange_tokens(&batch, &options).await?;
    let expected = [Ok(Platform::Facebook), Err(ErrorKind::InvalidInput)];
    for (result, expected) in results.iter().zip(expected) {
        all_expected &= check("exchange-tokens item", result, expected);
    }
    all_expected &= results.len() == batch.len();

    Ok(all_expected)
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(component_path) = std::env::args().nth(1) else {
        eprintln!("usage: embed <component.wasm>");
        return ExitCode::FAILURE;
    };
    // Compile and link once, so every call below only instantiates.
    let exchanger = match Exchanger::new(&component_path) {
        Ok(exchanger) => exchanger,
        Err(error) => {
            eprintln!("embed: {error:#}; build it with `make component`");
            return ExitCode::FAILURE;
        }
    };

    match run(&exchanger).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("embed: at least one call returned an unexpected outcome");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("embed: a call failed in the host: {error:#}");
            ExitCode::FAILURE
        }
    }
}
