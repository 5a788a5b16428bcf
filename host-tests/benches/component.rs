//! Benchmarks of the component in wasmtime, side by side with a native Rust client, all against
//! loopback servers from `graph_token_host::latency_server`:
//!
//! - `startup`: compiling and linking the component once (`Exchanger::new`), instantiating it
//!   from its `InstancePre` into a fresh `Store` with the pooling allocator, and a whole
//!   `default-api-version` call (no I/O) as `Exchanger` makes it;
//! - `single-exchange`: one exchange through the component versus a hyper client that opens a
//!   fresh TCP connection per request, as the stock `wasmtime-wasi-http` sender does, and sends
//!   the identical request head (checked before measuring), on a multi-thread Tokio runtime;
//!   `single-exchange-current-thread` repeats it on a current-thread runtime;
//! - `batch-20ms`: against a server that delays each response by 20 ms, one exchange, a batch of 100
//!   through `exchange-tokens` at the default cap of 16 and at a cap of 100, and 100 single
//!   exchanges one after another.
//!
//! It also prints the size of the release `.wasm`. Run with `cargo bench -p graph-token-host`
//! after `make component`. It only reports figures; no time makes it fail. After criterion's
//! own output it prints a summary: the median time per iteration of each benchmark (over the
//! measured samples, warm-up excluded) and the ratios between them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::Criterion;
use graph_token_host::bindings::TokenExchangerPre;
use graph_token_host::latency_server::{long_lived_token_for, LatencyServer, RequestHead};
use graph_token_host::native_client;
use graph_token_host::routing::RoutingHooks;
use graph_token_host::{component_path, ExchangeRequest, Exchanger, Options};
use tokio::runtime::Runtime;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::Store;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

const APP_ID: &str = "1234567890123456";
const APP_SECRET: &str = "454f31af3176813e02ea68ef786e4d3c";
const SHORT_TOKEN: &str = "EAAJu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSw";

/// Items in the batch benchmarks.
const BATCH_SIZE: usize = 100;

/// The size target of the release `.wasm`: 120 KB, read as 120,000 bytes.
const SIZE_TARGET_BYTES: u64 = 120_000;

/// Per-response delay of the server in the batch benchmarks.
const BATCH_DELAY: Duration = Duration::from_millis(20);

fn main() {
    let component = component_path();
    print_sizes(&component);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("failed to start the Tokio runtime");
    let exchanger = Exchanger::new(&component)
        .unwrap_or_else(|error| panic!("failed to load {}: {error:#}", component.display()));
    let samples = Samples::default();
    let mut criterion = Criterion::default().configure_from_args();

    bench_startup(&mut criterion, &samples, &component, &exchanger, &runtime);
    bench_single_exchange(
        &mut criterion,
        &samples,
        &exchanger,
        &runtime,
        "single-exchange",
    );
    // The same comparison with every task on the benchmark's own thread, which shows how much of
    // the difference comes from waking tasks on other worker threads.
    let current_thread = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("failed to start the Tokio runtime");
    bench_single_exchange(
        &mut criterion,
        &samples,
        &exchanger,
        &current_thread,
        "single-exchange-current-thread",
    );
    bench_batch(&mut criterion, &samples, &exchanger, &runtime);

    criterion.final_summary();
    samples.print_summary();
}

// ---- startup ----

fn bench_startup(
    criterion: &mut Criterion,
    samples: &Samples,
    component: &PathBuf,
    exchanger: &Exchanger,
    runtime: &Runtime,
) {
    let mut group = criterion.benchmark_group("startup");

    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.bench_function("compile-and-link", |bencher| {
        bencher.iter_custom(|iterations| {
            let started = Instant::now();
            for _ in 0..iterations {
                let exchanger = Exchanger::new(component).expect("the component compiles");
                std::hint::black_box(exchanger);
            }
            samples.record("startup/compile-and-link", iterations, started.elapsed())
        })
    });

    // Linked against the same engine as `exchanger`, with a bare store that has no stderr pipe
    // and no routing hooks, to separate instantiation from the rest of a call.
    let compiled = Component::from_file(exchanger.engine(), component)
        .expect("the component compiles a second time");
    let mut linker = Linker::<BareState>::new(exchanger.engine());
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI links");
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).expect("wasi:http links");
    let pre = TokenExchangerPre::new(
        linker
            .instantiate_pre(&compiled)
            .expect("every import of the component is linked"),
    )
    .expect("the component exports the token-exchanger world");

    group
        .sample_size(100)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("instantiate", |bencher| {
        bencher.to_async(runtime).iter_custom(|iterations| {
            let pre = &pre;
            async move {
                let started = Instant::now();
                for _ in 0..iterations {
                    let mut store = Store::new(exchanger.engine(), BareState::new());
                    let instance = pre
                        .instantiate_async(&mut store)
                        .await
                        .expect("the component instantiates");
                    std::hint::black_box(instance);
                }
                samples.record("startup/instantiate", iterations, started.elapsed())
            }
        })
    });
    group.bench_function("default-api-version", |bencher| {
        bencher
            .to_async(runtime)
            .iter_custom(|iterations| async move {
                let started = Instant::now();
                for _ in 0..iterations {
                    let version = exchanger
                        .default_api_version()
                        .await
                        .expect("the call succeeds");
                    std::hint::black_box(version);
                }
                samples.record("startup/default-api-version", iterations, started.elapsed())
            })
    });
    group.finish();
}

/// The `T` of the stores in the `instantiate` benchmark.
struct BareState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: RoutingHooks,
    table: ResourceTable,
}

impl BareState {
    fn new() -> BareState {
        BareState {
            wasi: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
            hooks: RoutingHooks::default(),
            table: ResourceTable::new(),
        }
    }
}

impl WasiView for BareState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for BareState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

// ---- one exchange: component versus native ----

fn bench_single_exchange(
    criterion: &mut Criterion,
    samples: &Samples,
    exchanger: &Exchanger,
    runtime: &Runtime,
    group_name: &str,
) {
    let server = runtime.block_on(LatencyServer::start(Duration::ZERO));
    let options = options_for(&server, None);
    let head = runtime.block_on(check_identical_requests(exchanger, &server, &options));
    let expected_token = long_lived_token_for(SHORT_TOKEN);

    let component_id = format!("{group_name}/component");
    let native_id = format!("{group_name}/native-hyper");
    let mut group = criterion.benchmark_group(group_name);
    group.bench_function("component", |bencher| {
        bencher.to_async(runtime).iter_custom(|iterations| {
            let options = &options;
            let expected_token = &expected_token;
            let id = &component_id;
            async move {
                let started = Instant::now();
                for _ in 0..iterations {
                    let token = exchange_once(exchanger, options).await;
                    assert_eq!(&token, expected_token);
                }
                samples.record(id, iterations, started.elapsed())
            }
        })
    });
    group.bench_function("native-hyper", |bencher| {
        bencher.to_async(runtime).iter_custom(|iterations| {
            let head = &head;
            let expected_token = &expected_token;
            let address = server.address();
            let id = &native_id;
            async move {
                let started = Instant::now();
                for _ in 0..iterations {
                    let token = native_client::exchange(address, head).await;
                    assert_eq!(&token, expected_token);
                }
                samples.record(id, iterations, started.elapsed())
            }
        })
    });
    group.finish();
}

/// Sends one exchange through the component and one through the native client, and returns
/// the component's request head after checking that the server received the same head from
/// both.
///
/// # Panics
///
/// Panics when the two heads differ, because the comparison would then be unfair.
async fn check_identical_requests(
    exchanger: &Exchanger,
    server: &LatencyServer,
    options: &Options,
) -> RequestHead {
    server.reset();
    exchange_once(exchanger, options).await;
    let component_head = server
        .requests()
        .pop()
        .expect("the component sent a request");

    server.reset();
    native_client::exchange(server.address(), &component_head).await;
    let native_head = server
        .requests()
        .pop()
        .expect("the native client sent a request");
    server.reset();

    assert_eq!(
        component_head, native_head,
        "the native client must send the same request head as the component"
    );
    println!(
        "component and native client send the same request head: GET with {} headers ({})",
        component_head.headers.len(),
        component_head
            .headers
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    component_head
}

/// Exchanges [`SHORT_TOKEN`] through the component and returns the long-lived token.
async fn exchange_once(exchanger: &Exchanger, options: &Options) -> String {
    let session = exchanger.session().loopback_only();
    match session
        .exchange_token_with(APP_ID, APP_SECRET, SHORT_TOKEN, options)
        .await
    {
        Ok(Ok(token)) => token.access_token,
        Ok(Err(error)) => panic!("the exchange failed: {error:?}"),
        Err(error) => panic!("the host call failed: {error:#}"),
    }
}

// ---- batch of 100 versus single exchanges ----

fn bench_batch(
    criterion: &mut Criterion,
    samples: &Samples,
    exchanger: &Exchanger,
    runtime: &Runtime,
) {
    let server = runtime.block_on(LatencyServer::start(BATCH_DELAY));
    let items: Vec<ExchangeRequest> = (0..BATCH_SIZE)
        .map(|index| ExchangeRequest {
            app_id: APP_ID.into(),
            app_secret: APP_SECRET.into(),
            short_token: format!("EAAbench{index:03}"),
            platform: None,
        })
        .collect();
    let default_cap = options_for(&server, None);
    let full_cap = options_for(&server, Some(BATCH_SIZE as u32));

    let mut group = criterion.benchmark_group("batch-20ms");
    // 100 sequential exchanges take about 2 s per iteration, so the group gets 10 samples and
    // enough time for them.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(25));

    group.bench_function("single", |bencher| {
        bencher.to_async(runtime).iter_custom(|iterations| {
            let options = &default_cap;
            async move {
                let started = Instant::now();
                for _ in 0..iterations {
                    std::hint::black_box(exchange_once(exchanger, options).await);
                }
                samples.record("batch-20ms/single", iterations, started.elapsed())
            }
        })
    });
    for (name, options) in [
        ("batch-100-cap-16", &default_cap),
        ("batch-100-cap-100", &full_cap),
    ] {
        let id = format!("batch-20ms/{name}");
        group.bench_function(name, |bencher| {
            bencher.to_async(runtime).iter_custom(|iterations| {
                let items = &items;
                let id = &id;
                async move {
                    let started = Instant::now();
                    for _ in 0..iterations {
                        let results = exchanger
                            .exchange_tokens(items, options)
                            .await
                            .expect("the host call succeeds");
                        assert!(
                            results.iter().all(Result::is_ok),
                            "every item of the batch succeeds"
                        );
                    }
                    samples.record(id, iterations, started.elapsed())
                }
            })
        });
    }
    group.bench_function("sequential-100", |bencher| {
        bencher.to_async(runtime).iter_custom(|iterations| {
            let options = &default_cap;
            async move {
                let started = Instant::now();
                for _ in 0..iterations {
                    for _ in 0..BATCH_SIZE {
                        std::hint::black_box(exchange_once(exchanger, options).await);
                    }
                }
                samples.record("batch-20ms/sequential-100", iterations, started.elapsed())
            }
        })
    });
    group.finish();
}

fn options_for(server: &LatencyServer, max_concurrency: Option<u32>) -> Options {
    Options {
        base_url: Some(server.base_url()),
        max_concurrency,
        ..Options::default()
    }
}

// ---- sizes and summary ----

/// Prints the size of the component and, when `make js` has run, of the core module that jco
/// extracted from it.
fn print_sizes(component: &PathBuf) {
    let size = std::fs::metadata(component)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", component.display()))
        .len();
    println!(
        "size: {} is {size} bytes ({:.1} KiB); target at most {SIZE_TARGET_BYTES} bytes: {}",
        component.display(),
        size as f64 / 1024.0,
        if size <= SIZE_TARGET_BYTES {
            "met"
        } else {
            "missed"
        }
    );
    // The release component of `make release` and jco's core module of `make js`, when built.
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for relative in [
        "dist/graph_token_exchange.wasm",
        "js/dist/graph-token-exchange.core.wasm",
    ] {
        let path = workspace.join(relative);
        let same_as_component = path.canonicalize().ok() == component.canonicalize().ok();
        if same_as_component {
            continue;
        }
        if let Ok(metadata) = std::fs::metadata(&path) {
            println!(
                "size: {relative} is {} bytes ({:.1} KiB)",
                metadata.len(),
                metadata.len() as f64 / 1024.0
            );
        }
    }
}

/// Every sample that criterion took, per benchmark, as (iterations, elapsed time).
#[derive(Default)]
struct Samples {
    by_benchmark: Mutex<BTreeMap<String, Vec<(u64, Duration)>>>,
}

impl Samples {
    /// Stores one sample and returns `elapsed`, for use as the value of `iter_custom`.
    fn record(&self, benchmark: &str, iterations: u64, elapsed: Duration) -> Duration {
        self.by_benchmark
            .lock()
            .unwrap()
            .entry(benchmark.to_string())
            .or_default()
            .push((iterations, elapsed));
        elapsed
    }

    /// Returns the median time per iteration of `benchmark`, over its last `measured` samples.
    /// Criterion takes the warm-up samples first and then exactly `sample_size` measured ones,
    /// so the last samples are the measured ones.
    fn median(&self, benchmark: &str, measured: usize) -> Option<Duration> {
        let by_benchmark = self.by_benchmark.lock().unwrap();
        let all = by_benchmark.get(benchmark)?;
        let first = all.len().saturating_sub(measured);
        let mut per_iteration: Vec<f64> = all[first..]
            .iter()
            .map(|(iterations, elapsed)| elapsed.as_secs_f64() / *iterations as f64)
            .collect();
        per_iteration.sort_by(f64::total_cmp);
        let middle = per_iteration.len() / 2;
        let median = if per_iteration.len().is_multiple_of(2) {
            (per_iteration[middle - 1] + per_iteration[middle]) / 2.0
        } else {
            per_iteration[middle]
        };
        Some(Duration::from_secs_f64(median))
    }

    fn print_summary(&self) {
        // Sample sizes set above, per benchmark.
        let benchmarks = [
            ("startup/compile-and-link", 10),
            ("startup/instantiate", 100),
            ("startup/default-api-version", 100),
            ("single-exchange/component", 100),
            ("single-exchange/native-hyper", 100),
            ("single-exchange-current-thread/component", 100),
            ("single-exchange-current-thread/native-hyper", 100),
            ("batch-20ms/single", 10),
            ("batch-20ms/batch-100-cap-16", 10),
            ("batch-20ms/batch-100-cap-100", 10),
            ("batch-20ms/sequential-100", 10),
        ];
        let medians: BTreeMap<&str, Duration> = benchmarks
            .iter()
            .filter_map(|(name, measured)| Some((*name, self.median(name, *measured)?)))
            .collect();

        println!("\nsummary: median time per iteration over the measured samples");
        for (name, _) in benchmarks {
            if let Some(median) = medians.get(name) {
                println!("  {name:<32} {}", format_duration(*median));
            }
        }

        println!("\nsummary: ratios");
        let ratios = [
            (
                "single exchange, component / native-hyper (target at most 1.10x)",
                "single-exchange/component",
                "single-exchange/native-hyper",
            ),
            (
                "single exchange on a current-thread runtime, component / native-hyper",
                "single-exchange-current-thread/component",
                "single-exchange-current-thread/native-hyper",
            ),
            (
                "batch of 100 at cap 100 / one exchange, 20 ms server (target at most 2x)",
                "batch-20ms/batch-100-cap-100",
                "batch-20ms/single",
            ),
            (
                "batch of 100 at cap 16 / one exchange, 20 ms server",
                "batch-20ms/batch-100-cap-16",
                "batch-20ms/single",
            ),
            (
                "100 sequential exchanges / batch of 100 at cap 16",
                "batch-20ms/sequential-100",
                "batch-20ms/batch-100-cap-16",
            ),
            (
                "100 sequential exchanges / batch of 100 at cap 100",
                "batch-20ms/sequential-100",
                "batch-20ms/batch-100-cap-100",
            ),
        ];
        for (label, numerator, denominator) in ratios {
            if let (Some(top), Some(bottom)) = (medians.get(numerator), medians.get(denominator)) {
                println!(
                    "  {label}: {:.2}x",
                    top.as_secs_f64() / bottom.as_secs_f64()
                );
            }
        }
    }
}

fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.3} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}
