//! `graph-token-cli`: a WebAssembly command (`wasi:cli/run`) that exchanges or refreshes one Meta
//! access token and prints the result as JSON, for shells and workflow steps that run wasmtime.
//!
//! The token-exchange component takes its credentials as function arguments, and the wasmtime
//! CLI accepts a call only on its own command line, where other users of the machine can read it.
//! This command reads credentials from its environment instead (see [`args`]), and runs the same
//! request building, deadlines and retries, linked in from the `graph-token-exchange` library.
//! Its output and exit status are documented in [`args::HELP`].

mod args;
mod messages;
mod output;

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

use graph_token_exchange::error::ExchangeError;
use graph_token_exchange::response::LongLivedToken;

type Outcome = Result<LongLivedToken, ExchangeError>;

// Every failure exits with status 1: `exit` in WASI 0.2 (`wasi:cli/exit`) carries only success
// or failure, so wasmtime cannot report a usage error with a status of its own. A usage error
// prints nothing on stdout; a failed exchange prints its JSON there.

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os().skip(1), |name| std::env::var(name).ok()) {
        Ok(command) => command,
        Err(error) => {
            report(error);
            return ExitCode::FAILURE;
        }
    };
    match command {
        args::Command::Help => print_stdout(args::HELP.trim_end()),
        args::Command::Version => {
            print_stdout(concat!("graph-token-cli ", env!("CARGO_PKG_VERSION")))
        }
        call => run(call),
    }
}

/// Runs an exchange or refresh, prints its JSON on stdout, and for a failure also prints
/// `graph-token-cli: KIND: MESSAGE` on stderr.
fn run(command: args::Command) -> ExitCode {
    let operation = match command {
        args::Command::Refresh { .. } => messages::Operation::Refresh,
        _ => messages::Operation::Exchange,
    };
    match send(command) {
        Ok(token) => print_stdout(output::token_json(&token)),
        Err(mut error) => {
            error.message = messages::rewrite(&error.message, operation);
            // The JSON is printed first: a script that reads stdout gets it even when stderr
            // is closed.
            print_stdout(output::error_json(&error));
            report(format_args!("{}: {}", error.kind.wit_name(), error.message));
            ExitCode::FAILURE
        }
    }
}

/// Prints `text` and a newline on stdout. A failed write, such as to a closed pipe, is reported
/// on stderr and exits with 1 instead of panicking as `println!` would.
fn print_stdout(text: impl fmt::Display) -> ExitCode {
    let mut stdout = io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(format_args!("failed to write to stdout: {error}"));
            ExitCode::FAILURE
        }
    }
}

/// Prints `graph-token-cli: MESSAGE` on stderr. A failed write is ignored, because no other
/// channel is left.
fn report(message: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "graph-token-cli: {message}");
}

/// Checks the options, builds the request and runs it with the library's deadline and retries.
#[cfg(target_arch = "wasm32")]
fn send(command: args::Command) -> Outcome {
    use graph_token_exchange::{input, request, scheduler};

    let (prepared, settings) = match command {
        args::Command::Exchange {
            app_id,
            app_secret,
            short_token,
            options,
        } => {
            let settings = input::check_options(&options)?;
            let prepared = request::prepare_exchange(
                &app_id,
                app_secret.expose(),
                short_token.expose(),
                None,
                &settings,
            );
            (prepared, settings)
        }
        args::Command::Refresh { token, options } => {
            let settings = input::check_options(&options)?;
            (
                request::prepare_refresh(token.expose(), None, &settings),
                settings,
            )
        }
        args::Command::Help | args::Command::Version => unreachable!("main handles them"),
    };
    scheduler::run_all(vec![prepared], &settings)
        .pop()
        .expect("run_all returns one outcome per request")
}

/// Returns a `transport` error, because the transport exists only for WebAssembly (`wasi:http`).
/// A native build, such as the one that `cargo test` makes, has only this stand-in.
#[cfg(not(target_arch = "wasm32"))]
fn send(_command: args::Command) -> Outcome {
    use graph_token_exchange::error::ErrorKind;

    Err(ExchangeError::new(
        ErrorKind::Transport,
        "this build has no HTTP transport; build graph-token-cli for wasm32-wasip2 (`make cli`) and run it with wasmtime",
    )
    .with_retryable(false))
}
