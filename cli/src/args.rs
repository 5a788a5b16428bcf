//! Reads the command line and the environment into a [`Command`]. It does no I/O of its own, so
//! native unit tests cover every usage error.
//!
//! Credentials come only from environment variables. Other users of the same machine can read a
//! process's arguments (`/proc/PID/cmdline` on Linux), and `wasmtime run --env NAME` copies a
//! variable from wasmtime's environment into the component's without putting its value on any
//! command line.

use std::ffi::OsString;
use std::fmt;

use graph_token_exchange::input::{RawOptions, MAX_ATTEMPTS_LIMIT, MAX_TIMEOUT_MS};
use graph_token_exchange::platform::Platform;
use graph_token_exchange::secret::Secret;
use lexopt::prelude::*;

/// Environment variable that contains the app id, unless `--app-id` is given.
pub const APP_ID_VAR: &str = "META_APP_ID";
/// Environment variable that contains the app secret.
pub const APP_SECRET_VAR: &str = "META_APP_SECRET";
/// Environment variable that contains the short-lived token for `exchange`.
pub const SHORT_TOKEN_VAR: &str = "META_SHORT_TOKEN";
/// Environment variable that contains the long-lived token for `refresh`.
pub const LONG_TOKEN_VAR: &str = "META_LONG_TOKEN";

/// Text of `--help`.
pub const HELP: &str = "\
graph-token-cli: exchanges a short-lived Meta access token for a long-lived one, or refreshes a
long-lived Threads or Instagram token, and prints the result as JSON.

Usage:
  wasmtime run -S http --env META_APP_ID --env META_APP_SECRET --env META_SHORT_TOKEN \\
    graph-token-cli.wasm exchange [OPTIONS]
  wasmtime run -S http --env META_LONG_TOKEN graph-token-cli.wasm refresh [OPTIONS]
  wasmtime run -S http graph-token-cli.wasm --help

`-S http` is needed for every run, --help included, because the command imports wasi:http.

Credentials are read only from the environment, never from arguments:
  META_APP_ID        app id (exchange; or --app-id; Threads and Instagram do not send it)
  META_APP_SECRET    app secret (exchange)
  META_SHORT_TOKEN   short-lived token (exchange)
  META_LONG_TOKEN    long-lived Threads or Instagram token (refresh)
`--env NAME` without a value makes wasmtime pass the variable from its own environment.

Options:
  --app-id ID           app id, instead of META_APP_ID
  --platform NAME       facebook, threads or instagram (default: from the token prefix)
  --api-version vX.Y    Graph API version (default: the platform's)
  --base-url URL        gateway or test server instead of the Graph host
  --timeout-ms N        deadline of the call in milliseconds, retries included (default 30000)
  --max-attempts N      requests at most, the first included, 1 to 10 (default 3)
  -h, --help            print this help
  -V, --version         print the version

Output: the token as JSON on stdout, exit status 0. When the exchange fails, {\"error\": ...}
on stdout, `graph-token-cli: KIND: MESSAGE` on stderr, exit status 1. A usage error prints only
its message on stderr, also with exit status 1.
";

/// The action that the command line requests.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    Version,
    Exchange {
        app_id: String,
        app_secret: Secret,
        short_token: Secret,
        options: RawOptions,
    },
    Refresh {
        token: Secret,
        options: RawOptions,
    },
}

/// A command line that cannot run. The message names the argument or variable and the fix. It
/// repeats no value, because a value in the wrong place may be a credential.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

fn usage_error(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// Parses `args` (without the program name) and reads credentials with `read_var`, which
/// returns the value of an environment variable, or `None` when it is not set.
pub fn parse<I>(args: I, read_var: impl Fn(&str) -> Option<String>) -> Result<Command, UsageError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut parser = lexopt::Parser::from_args(args);
    let mut subcommand: Option<String> = None;
    let mut app_id: Option<String> = None;
    let mut options = RawOptions::default();

    // lexopt's own error text can quote an argument, so it is replaced by a fixed message.
    let invalid = |_| usage_error("invalid argument; run with --help for usage");
    while let Some(argument) = parser.next().map_err(invalid)? {
        match argument {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("app-id") => app_id = Some(text_value(&mut parser, "--app-id")?),
            Long("platform") => {
                options.platform = Some(platform_value(&text_value(&mut parser, "--platform")?)?)
            }
            Long("api-version") => {
                options.api_version = Some(text_value(&mut parser, "--api-version")?)
            }
            Long("base-url") => options.base_url = Some(text_value(&mut parser, "--base-url")?),
            Long("timeout-ms") => {
                let range = format!("1 to {MAX_TIMEOUT_MS} milliseconds");
                options.timeout_ms = Some(number_value(&mut parser, "--timeout-ms", &range)?)
            }
            Long("max-attempts") => {
                let range = format!("1 to {MAX_ATTEMPTS_LIMIT} requests");
                options.max_attempts = Some(number_value(&mut parser, "--max-attempts", &range)?)
            }
            Long(name @ ("app-secret" | "short-token" | "token" | "long-token")) => {
                return Err(credential_flag(name, subcommand.as_deref()));
            }
            Long(name) => {
                return Err(usage_error(format!(
                    "unknown option --{name}; run with --help for the options"
                )))
            }
            Short(letter) => {
                return Err(usage_error(format!(
                    "unknown option -{letter}; run with --help for the options"
                )))
            }
            Value(value) if subcommand.is_none() => match value.to_str() {
                Some(name @ ("exchange" | "refresh")) => subcommand = Some(name.to_string()),
                _ => return Err(unknown_subcommand()),
            },
            // The value is not echoed: by habit it may be a secret or a token.
            Value(_) => {
                return Err(usage_error(
                    "unexpected argument after the command; credentials are read from META_APP_SECRET, META_SHORT_TOKEN and META_LONG_TOKEN, and the app id from --app-id or META_APP_ID",
                ))
            }
        }
    }

    match subcommand.as_deref() {
        Some("exchange") => Ok(Command::Exchange {
            app_id: app_id.or_else(|| read_var(APP_ID_VAR)).unwrap_or_default(),
            app_secret: required_var(&read_var, APP_SECRET_VAR)?,
            short_token: required_var(&read_var, SHORT_TOKEN_VAR)?,
            options,
        }),
        Some("refresh") => {
            if app_id.is_some() {
                return Err(usage_error(
                    "--app-id applies only to exchange; a refresh sends the long-lived token alone",
                ));
            }
            Ok(Command::Refresh {
                token: required_var(&read_var, LONG_TOKEN_VAR)?,
                options,
            })
        }
        _ => Err(usage_error(
            "missing command; pass exchange or refresh, or --help for usage",
        )),
    }
}

fn unknown_subcommand() -> UsageError {
    usage_error("unknown command; pass exchange or refresh, or --help for usage")
}

fn credential_flag(name: &str, subcommand: Option<&str>) -> UsageError {
    let variable = match (name, subcommand) {
        ("app-secret", _) => APP_SECRET_VAR,
        ("short-token", _) | ("token", Some("exchange")) => SHORT_TOKEN_VAR,
        ("long-token", _) | ("token", Some("refresh")) => LONG_TOKEN_VAR,
        _ => "META_SHORT_TOKEN (exchange) or META_LONG_TOKEN (refresh)",
    };
    usage_error(format!(
        "--{name} is not accepted, because other users of the machine can read command-line arguments; set {variable} and run wasmtime with --env for it"
    ))
}

fn required_var(
    read_var: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Secret, UsageError> {
    // An empty value is passed on, so that the library's check reports it like any invalid one.
    read_var(name).map(Secret::new).ok_or_else(|| {
        usage_error(format!(
            "{name} is not set in the component's environment; set it and run wasmtime with --env {name}"
        ))
    })
}

fn text_value(parser: &mut lexopt::Parser, option: &str) -> Result<String, UsageError> {
    parser
        .value()
        .map_err(|_| usage_error(format!("{option} needs a value")))?
        .into_string()
        .map_err(|_| usage_error(format!("{option} is not valid UTF-8")))
}

/// Reads a `u32` value. `range` describes the accepted range in the message, and the library
/// checks the range itself.
fn number_value(parser: &mut lexopt::Parser, option: &str, range: &str) -> Result<u32, UsageError> {
    let text = text_value(parser, option)?;
    text.trim()
        .parse()
        .map_err(|_| usage_error(format!("{option} must be a whole number; pass {range}")))
}

fn platform_value(name: &str) -> Result<Platform, UsageError> {
    [Platform::Facebook, Platform::Threads, Platform::Instagram]
        .into_iter()
        .find(|platform| platform.name() == name)
        .ok_or_else(|| usage_error("--platform must be facebook, threads or instagram"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "cli-app-secret";
    const SHORT: &str = "EAAshort";

    fn environment(name: &str) -> Option<String> {
        match name {
            APP_SECRET_VAR => Some(SECRET.to_string()),
            SHORT_TOKEN_VAR => Some(SHORT.to_string()),
            LONG_TOKEN_VAR => Some("THlong".to_string()),
            _ => None,
        }
    }

    fn parse_args(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().copied(), environment)
    }

    fn error_text(args: &[&str]) -> String {
        parse_args(args).expect_err("a usage error").to_string()
    }

    #[test]
    fn exchange_reads_credentials_from_environment() {
        let command = parse_args(&["exchange", "--app-id", "1234"]).unwrap();

        assert_eq!(
            command,
            Command::Exchange {
                app_id: "1234".to_string(),
                app_secret: Secret::new(SECRET),
                short_token: Secret::new(SHORT),
                options: RawOptions::default(),
            }
        );
    }

    #[test]
    fn exchange_takes_app_id_from_environment() {
        let read = |name: &str| match name {
            APP_ID_VAR => Some("5678".to_string()),
            other => environment(other),
        };

        let Ok(Command::Exchange { app_id, .. }) = parse(["exchange"], read) else {
            panic!("expected an exchange");
        };
        assert_eq!(app_id, "5678");

        let Ok(Command::Exchange { app_id, .. }) = parse(["exchange", "--app-id", "1234"], read)
        else {
            panic!("expected an exchange");
        };
        assert_eq!(app_id, "1234");
    }

    #[test]
    fn missing_app_id_is_left_to_the_library() {
        let Ok(Command::Exchange { app_id, .. }) = parse_args(&["exchange"]) else {
            panic!("expected an exchange");
        };
        assert_eq!(app_id, "");
    }

    #[test]
    fn every_option_is_read() {
        let command = parse_args(&[
            "refresh",
            "--platform",
            "instagram",
            "--api-version",
            "v21.0",
            "--base-url",
            "http://127.0.0.1:8080",
            "--timeout-ms",
            "5000",
            "--max-attempts=1",
        ])
        .unwrap();

        assert_eq!(
            command,
            Command::Refresh {
                token: Secret::new("THlong"),
                options: RawOptions {
                    platform: Some(Platform::Instagram),
                    api_version: Some("v21.0".to_string()),
                    base_url: Some("http://127.0.0.1:8080".to_string()),
                    timeout_ms: Some(5000),
                    max_attempts: Some(1),
                    max_concurrency: None,
                },
            }
        );
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse_args(&["--help"]), Ok(Command::Help));
        assert_eq!(parse_args(&["exchange", "-h"]), Ok(Command::Help));
        assert_eq!(parse_args(&["-V"]), Ok(Command::Version));
    }

    #[test]
    fn credential_flags_rejected() {
        assert_eq!(
            error_text(&["exchange", "--app-secret", SECRET]),
            "--app-secret is not accepted, because other users of the machine can read command-line arguments; set META_APP_SECRET and run wasmtime with --env for it"
        );
        assert_eq!(
            error_text(&["exchange", "--short-token=EAAx"]),
            "--short-token is not accepted, because other users of the machine can read command-line arguments; set META_SHORT_TOKEN and run wasmtime with --env for it"
        );
        assert_eq!(
            error_text(&["refresh", "--token", "THx"]),
            "--token is not accepted, because other users of the machine can read command-line arguments; set META_LONG_TOKEN and run wasmtime with --env for it"
        );
        assert_eq!(
            error_text(&["exchange", "--token", "EAAx"]),
            "--token is not accepted, because other users of the machine can read command-line arguments; set META_SHORT_TOKEN and run wasmtime with --env for it"
        );
        assert_eq!(
            error_text(&["--token", "EAAx"]),
            "--token is not accepted, because other users of the machine can read command-line arguments; set META_SHORT_TOKEN (exchange) or META_LONG_TOKEN (refresh) and run wasmtime with --env for it"
        );
    }

    #[test]
    fn positional_credentials_not_echoed() {
        let message = error_text(&["exchange", "1234", SECRET, SHORT]);

        assert_eq!(
            message,
            "unexpected argument after the command; credentials are read from META_APP_SECRET, META_SHORT_TOKEN and META_LONG_TOKEN, and the app id from --app-id or META_APP_ID"
        );
        assert!(!message.contains(SECRET));
        assert!(!message.contains(SHORT));
    }

    #[test]
    fn missing_variables_named() {
        let nothing = |_: &str| None;
        assert_eq!(
            parse(["exchange"], nothing).unwrap_err().to_string(),
            "META_APP_SECRET is not set in the component's environment; set it and run wasmtime with --env META_APP_SECRET"
        );
        let secret_only = |name: &str| (name == APP_SECRET_VAR).then(|| SECRET.to_string());
        assert_eq!(
            parse(["exchange"], secret_only).unwrap_err().to_string(),
            "META_SHORT_TOKEN is not set in the component's environment; set it and run wasmtime with --env META_SHORT_TOKEN"
        );
        assert_eq!(
            parse(["refresh"], nothing).unwrap_err().to_string(),
            "META_LONG_TOKEN is not set in the component's environment; set it and run wasmtime with --env META_LONG_TOKEN"
        );
    }

    #[test]
    fn bad_commands_and_values() {
        assert_eq!(
            error_text(&[]),
            "missing command; pass exchange or refresh, or --help for usage"
        );
        assert_eq!(
            error_text(&["swap"]),
            "unknown command; pass exchange or refresh, or --help for usage"
        );
        assert_eq!(
            error_text(&["exchange", "--verbose"]),
            "unknown option --verbose; run with --help for the options"
        );
        assert_eq!(
            error_text(&["exchange", "-x"]),
            "unknown option -x; run with --help for the options"
        );
        assert_eq!(
            error_text(&["exchange", "--platform", "tiktok"]),
            "--platform must be facebook, threads or instagram"
        );
        assert_eq!(
            error_text(&["exchange", "--timeout-ms", "5s"]),
            "--timeout-ms must be a whole number; pass 1 to 600000 milliseconds"
        );
        assert_eq!(
            error_text(&["exchange", "--max-attempts", "99999999999"]),
            "--max-attempts must be a whole number; pass 1 to 10 requests"
        );
        assert_eq!(
            error_text(&["exchange", "--base-url"]),
            "--base-url needs a value"
        );
        assert_eq!(
            error_text(&["refresh", "--app-id", "1234"]),
            "--app-id applies only to exchange; a refresh sends the long-lived token alone"
        );
    }

    #[test]
    fn empty_variable_passed_on() {
        let empty = |_: &str| Some(String::new());

        let Ok(Command::Refresh { token, .. }) = parse(["refresh"], empty) else {
            panic!("expected a refresh");
        };
        assert_eq!(token.expose(), "");
    }

    #[test]
    fn numbers_are_trimmed() {
        let Ok(Command::Exchange { options, .. }) =
            parse_args(&["exchange", "--max-attempts", " 3 "])
        else {
            panic!("expected an exchange");
        };
        assert_eq!(options.max_attempts, Some(3));
    }

    #[test]
    fn unknown_command_before_others() {
        let message = error_text(&[SECRET, "exchange"]);

        assert_eq!(
            message,
            "unknown command; pass exchange or refresh, or --help for usage"
        );
    }

    #[test]
    fn values_not_repeated() {
        for args in [
            ["exchange", "--platform", SHORT],
            ["exchange", "--timeout-ms", SHORT],
            ["exchange", "--max-attempts", SHORT],
        ] {
            let message = error_text(&args);
            assert!(!message.contains(SHORT), "{message}");
        }
    }

    #[test]
    fn debug_output_hides_credentials() {
        let command = parse_args(&["exchange", "--app-id", "1234"]).unwrap();

        let text = format!("{command:?}");

        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(SHORT), "{text}");
        assert!(text.contains("1234"), "{text}");
    }
}
