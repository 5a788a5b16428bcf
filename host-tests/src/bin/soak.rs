//! `soak [--count N] [--warmup N] [--concurrency N] <component.wasm>`: runs many exchanges
//! through one [`Exchanger`] and reports the resident memory of this process.
//!
//! Every exchange instantiates the component into a fresh `Store` and sends one request to a
//! loopback HTTP server. The server returns the same token body to every request and keeps no
//! state per request, so memory that grows after the warm-up belongs to the host or the
//! component.
//!
//! Resident memory is `VmRSS` from `/proc/self/status` (Linux only), read at the start, after
//! the warm-up, in the middle and at the end. Exit status: 0 when every exchange succeeded and
//! memory grew by at most 5% between the warm-up and the end, 1 when either check failed, 2
//! when the arguments or the setup were invalid.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_token_host::{Exchanger, Options};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Largest accepted growth of resident memory between the warm-up and the end, in percent.
const MAX_GROWTH_PERCENT: f64 = 5.0;

const APP_ID: &str = "1234567890123456";
const APP_SECRET: &str = "0123456789abcdef0123456789abcdef";
const SHORT_TOKEN: &str =
    "EAASoakShortLivedToken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LONG_TOKEN: &str =
    "EAASoakLongLivedToken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Command-line settings.
struct Settings {
    component: String,
    count: u64,
    warmup: u64,
    concurrency: u64,
}

const USAGE: &str = "usage: soak [--count N] [--warmup N] [--concurrency N] <component.wasm>
  --count N        exchanges in total, warm-up included (default 100000)
  --warmup N       exchanges before the reference memory reading (default 1000, or count / 2 when smaller)
  --concurrency N  exchanges in flight at once (default 1)";

fn parse_args() -> Result<Settings, String> {
    let mut component = None;
    let mut count = 100_000;
    let mut warmup = None;
    let mut concurrency = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} must be a positive integer, got {value:?}"))
        };
        match arg.as_str() {
            "--count" => count = number("--count")?,
            "--warmup" => warmup = Some(number("--warmup")?),
            "--concurrency" => concurrency = number("--concurrency")?,
            "-h" | "--help" => return Err(String::new()),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ if component.is_some() => return Err(format!("unexpected argument {arg}")),
            _ => component = Some(arg),
        }
    }
    let component = component.ok_or("the component path is missing")?;
    if count < 2 {
        return Err(format!(
            "--count must be at least 2 (one warm-up exchange and one measured), got {count}"
        ));
    }
    let warmup = warmup.unwrap_or(1_000.min(count / 2));
    if warmup == 0 || warmup >= count {
        return Err(format!(
            "--warmup ({warmup}) must be at least 1 and less than --count ({count})"
        ));
    }
    Ok(Settings {
        component,
        count,
        warmup,
        concurrency,
    })
}

/// Returns `VmRSS` (resident memory now) of this process in KiB.
fn resident_kib() -> Result<u64, String> {
    status_kib("VmRSS")
}

/// Returns the `field` line of `/proc/self/status`, such as `VmHWM` (peak resident memory), in
/// KiB.
fn status_kib(field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|error| format!("failed to read /proc/self/status: {error}"))?;
    let prefix = format!("{field}:");
    let line = status
        .lines()
        .find(|line| line.starts_with(&prefix))
        .ok_or_else(|| format!("/proc/self/status has no {field} line"))?;
    line.trim_start_matches(&prefix)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .map_err(|error| format!("failed to parse {line:?}: {error}"))
}

/// Starts an HTTP/1.1 server on `127.0.0.1` that responds to every request with one fixed
/// token body and closes the connection after it, so that TIME_WAIT stays on the server side.
async fn start_server() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let body = Bytes::from(format!(
        r#"{{"access_token":"{LONG_TOKEN}","token_type":"bearer","expires_in":5183944}}"#
    ));
    tokio::spawn(async move {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    eprintln!("soak: accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_request: Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        let response = Response::builder()
                            .header("content-type", "application/json")
                            .body(Full::new(body))
                            .expect("static headers are valid");
                        Ok::<_, Infallible>(response)
                    }
                });
                // A client that drops the connection early only ends this connection.
                let _ = http1::Builder::new()
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}

/// Counts of the exchanges run so far.
#[derive(Default)]
struct Tally {
    succeeded: AtomicU64,
    failed: AtomicU64,
}

/// Runs `count` exchanges, at most `concurrency` at once, and counts each outcome in `tally`.
async fn run_exchanges(
    exchanger: &Exchanger,
    options: &Options,
    count: u64,
    concurrency: u64,
    tally: &Arc<Tally>,
) {
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(count) {
        let exchanger = exchanger.clone();
        let options = options.clone();
        let next = next.clone();
        let tally = tally.clone();
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let outcome = exchanger
                    .exchange_token_with(APP_ID, APP_SECRET, SHORT_TOKEN, &options)
                    .await;
                match outcome {
                    Ok(Ok(token)) if token.access_token == LONG_TOKEN => {
                        tally.succeeded.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Ok(_)) => {
                        report_failure(&tally, "the component returned an unexpected token");
                    }
                    Ok(Err(error)) => report_failure(
                        &tally,
                        &format!("{}: {}", error.kind.wit_name(), error.message),
                    ),
                    Err(error) => report_failure(&tally, &format!("host error: {error:#}")),
                }
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.expect("a soak worker panicked");
    }
}

/// Counts a failed exchange and prints the first ten failures.
fn report_failure(tally: &Tally, description: &str) {
    let failed = tally.failed.fetch_add(1, Ordering::Relaxed) + 1;
    if failed <= 10 {
        eprintln!("soak: exchange failed: {description}");
    } else if failed == 11 {
        eprintln!("soak: further failures are counted but not printed");
    }
}

/// One reading of resident memory after `done` exchanges.
struct Checkpoint {
    label: &'static str,
    done: u64,
    resident_kib: u64,
    elapsed: Duration,
}

fn print_checkpoint(checkpoint: &Checkpoint) {
    println!(
        "{:<8} {:>9} exchanges  VmRSS {:>8} KiB  ({:.1} MiB)  at {:>8.1} s",
        checkpoint.label,
        checkpoint.done,
        checkpoint.resident_kib,
        checkpoint.resident_kib as f64 / 1024.0,
        checkpoint.elapsed.as_secs_f64()
    );
}

async fn soak(settings: &Settings) -> Result<bool, String> {
    let exchanger = Exchanger::new(&settings.component)
        .map_err(|error| format!("{error:#}; build the component with `make component`"))?;
    let address = start_server()
        .await
        .map_err(|error| format!("failed to start the loopback server: {error}"))?;
    let options = Options {
        base_url: Some(format!("http://{address}")),
        timeout_ms: Some(10_000),
        max_attempts: Some(1),
        ..Options::default()
    };
    println!(
        "soak: {} exchanges ({} warm-up), concurrency {}, server {address}",
        settings.count, settings.warmup, settings.concurrency
    );

    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let mut checkpoints = Vec::new();
    let mut checkpoint = |label, done| -> Result<(), String> {
        let reading = Checkpoint {
            label,
            done,
            resident_kib: resident_kib()?,
            elapsed: started.elapsed(),
        };
        print_checkpoint(&reading);
        checkpoints.push(reading);
        Ok(())
    };

    checkpoint("start", 0)?;
    let middle = settings.warmup + (settings.count - settings.warmup) / 2;
    let phases = [
        ("warm-up", settings.warmup),
        ("middle", middle),
        ("end", settings.count),
    ];
    let mut done = 0;
    for (label, target) in phases {
        run_exchanges(
            &exchanger,
            &options,
            target - done,
            settings.concurrency,
            &tally,
        )
        .await;
        done = target;
        checkpoint(label, done)?;
    }

    let warm = &checkpoints[1];
    let end = &checkpoints[3];
    let measured = end.done - warm.done;
    let seconds = (end.elapsed - warm.elapsed).as_secs_f64();
    let growth =
        (end.resident_kib as f64 - warm.resident_kib as f64) * 100.0 / warm.resident_kib as f64;
    let succeeded = tally.succeeded.load(Ordering::Relaxed);
    let failed = tally.failed.load(Ordering::Relaxed);
    println!(
        "throughput after warm-up: {:.0} exchanges/s ({measured} in {seconds:.1} s, {:.3} ms per exchange per worker)",
        measured as f64 / seconds,
        seconds * 1000.0 / measured as f64 * settings.concurrency as f64
    );
    println!("peak VmHWM: {} KiB", status_kib("VmHWM")?);
    println!(
        "growth after warm-up: {growth:+.2}% (limit {MAX_GROWTH_PERCENT}%); succeeded {succeeded}, failed {failed}"
    );

    let mut passed = true;
    if failed > 0 {
        eprintln!("soak: {failed} of {} exchanges failed", settings.count);
        passed = false;
    }
    if growth > MAX_GROWTH_PERCENT {
        eprintln!(
            "soak: resident memory grew by {growth:.2}% after the warm-up, above the limit of {MAX_GROWTH_PERCENT}%"
        );
        passed = false;
    }
    Ok(passed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match parse_args() {
        Ok(settings) => settings,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("soak: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match soak(&settings).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("soak: {message}");
            ExitCode::from(2)
        }
    }
}
