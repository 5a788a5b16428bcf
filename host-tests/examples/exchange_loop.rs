//! `exchange_loop [--native] <component.wasm> [count]`: runs `count` exchanges (default 20,000)
//! one after another through the component, on a current-thread Tokio runtime, against the
//! latency server on 127.0.0.1, and prints the mean time per exchange. With `--native` the loop
//! sends the component's request with the benchmarks' native hyper client instead.
//!
//! It exists to be profiled, so that one thread does all the work:
//!
//! ```sh
//! cargo build --release -p graph-token-host --example exchange_loop
//! PERF_MAP=1 perf record -F 4000 target/release/examples/exchange_loop dist/graph_token_exchange.wasm
//! perf report --no-children --sort dso,sym
//! ```
//!
//! With `PERF_MAP` set, wasmtime writes `/tmp/perf-<pid>.map`, so that `perf report` names the
//! guest's functions. Only a component built with symbols (`strip = false`) has those names.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use graph_token_host::embed::pooling_config;
use graph_token_host::latency_server::{long_lived_token_for, LatencyServer};
use graph_token_host::native_client;
use graph_token_host::{Exchanger, Options};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, ProfilingStrategy};

const APP_ID: &str = "1234567890123456";
const APP_SECRET: &str = "454f31af3176813e02ea68ef786e4d3c";
const SHORT_TOKEN: &str = "EAAJu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ";

/// Warm-up exchanges before the timed loop, so that the pool slots and the server's sockets are
/// warm.
const WARM_UP: u32 = 300;

fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let native = arguments.first().is_some_and(|first| first == "--native");
    if native {
        arguments.remove(0);
    }
    let (component_path, count) = match arguments.as_slice() {
        [path] => (path, 20_000),
        [path, count] => match count.parse::<u32>() {
            Ok(count) if count > 0 => (path, count),
            _ => {
                eprintln!("exchange_loop: count must be a positive integer, not {count:?}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: exchange_loop [--native] <component.wasm> [count]");
            return ExitCode::from(2);
        }
    };

    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config()));
    if std::env::var_os("PERF_MAP").is_some() {
        config.profiler(ProfilingStrategy::PerfMap);
    }
    let exchanger = Engine::new(&config)
        .and_then(|engine| {
            let component = Component::from_file(&engine, component_path)?;
            Exchanger::from_component(&engine, &component)
        })
        .unwrap_or_else(|error| panic!("failed to load {component_path}: {error:#}"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("failed to start the Tokio runtime");
    runtime.block_on(async {
        let server = LatencyServer::start(Duration::ZERO).await;
        let options = Options {
            base_url: Some(server.base_url()),
            ..Options::default()
        };
        let expected = long_lived_token_for(SHORT_TOKEN);

        for _ in 0..WARM_UP {
            exchange(&exchanger, &options, &expected).await;
        }
        let head = server
            .requests()
            .pop()
            .expect("the server recorded the component's requests");

        let started = Instant::now();
        for _ in 0..count {
            if native {
                let token = native_client::exchange(server.address(), &head).await;
                assert_eq!(token, expected);
            } else {
                exchange(&exchanger, &options, &expected).await;
            }
        }
        let mean = started.elapsed() / count;
        let client = if native { "native client" } else { "component" };
        println!(
            "exchange_loop: {count} exchanges through the {client}, {:.1} µs each",
            mean.as_secs_f64() * 1e6
        );
    });
    ExitCode::SUCCESS
}

async fn exchange(exchanger: &Exchanger, options: &Options, expected: &str) {
    match exchanger
        .exchange_token_with(APP_ID, APP_SECRET, SHORT_TOKEN, options)
        .await
    {
        Ok(Ok(token)) => assert_eq!(token.access_token, expected),
        Ok(Err(error)) => panic!("the exchange failed: {}", error.message),
        Err(error) => panic!("the host call failed: {error:#}"),
    }
}
