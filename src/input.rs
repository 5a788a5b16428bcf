//! Checks of arguments and options, done before any request is sent.
//!
//! Every message names the argument and the fix, never its value.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::endpoint::Endpoint;
use crate::error::ExchangeError;
use crate::platform::Platform;
use crate::secret::Secret;

/// Deadline of a call when `timeout-ms` is not set, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Longest accepted `timeout-ms`: 10 minutes, the default of each `wasi:http` timeout in
/// wasmtime 48, and far beyond what a token exchange needs.
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// Requests per token when `max-attempts` is not set, the first included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
pub const MAX_ATTEMPTS_LIMIT: u32 = 10;
/// Requests in flight at once in a batch when `max-concurrency` is not set.
pub const DEFAULT_MAX_CONCURRENCY: u32 = 16;
pub const MAX_CONCURRENCY_LIMIT: u32 = 256;
/// Longest accepted app secret or token, in bytes.
///
/// NOTE: an estimate with a wide margin, not a Meta limit: issued user tokens are a few hundred
/// bytes. It keeps the request URL within the 8 KiB that common HTTP servers accept.
pub const MAX_CREDENTIAL_LEN: usize = 2048;
/// Longest accepted app id, in digits. Meta app ids seen so far have 15 or 16 digits.
pub const MAX_APP_ID_LEN: usize = 32;

/// The WIT `options` record as received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawOptions {
    pub platform: Option<Platform>,
    pub api_version: Option<String>,
    pub base_url: Option<String>,
    pub timeout_ms: Option<u32>,
    pub max_attempts: Option<u32>,
    pub max_concurrency: Option<u32>,
}

/// Options after checking, with defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub platform: Option<Platform>,
    /// A checked version such as `v26.0`, or `None` for the platform's default.
    pub api_version: Option<String>,
    /// `None` means the platform's Graph host.
    pub endpoint: Option<Endpoint>,
    pub timeout_ms: u32,
    pub max_attempts: u32,
    pub max_concurrency: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            platform: None,
            api_version: None,
            endpoint: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
        }
    }
}

/// Checks `options` and fills in defaults.
pub fn check_options(options: &RawOptions) -> Result<Settings, ExchangeError> {
    let api_version = match &options.api_version {
        None => None,
        Some(raw) => {
            let version = trim(raw);
            if !is_api_version(version) {
                return Err(ExchangeError::invalid_input(
                    "options.api-version is invalid; pass a Graph API version such as v26.0, or none for the default",
                ));
            }
            Some(version.to_string())
        }
    };

    let endpoint = match &options.base_url {
        None => None,
        Some(raw) => {
            let url = trim(raw);
            if url.is_empty() {
                return Err(ExchangeError::invalid_input(
                    "options.base-url is empty; pass a URL such as https://graph-proxy.example.com, or none for the Graph host",
                ));
            }
            Some(Endpoint::parse_base_url(url)?)
        }
    };

    let timeout_ms = in_range(
        options.timeout_ms,
        DEFAULT_TIMEOUT_MS,
        MAX_TIMEOUT_MS,
        "options.timeout-ms",
        "milliseconds",
    )?;
    let max_attempts = in_range(
        options.max_attempts,
        DEFAULT_MAX_ATTEMPTS,
        MAX_ATTEMPTS_LIMIT,
        "options.max-attempts",
        "requests",
    )?;
    let max_concurrency = in_range(
        options.max_concurrency,
        DEFAULT_MAX_CONCURRENCY,
        MAX_CONCURRENCY_LIMIT,
        "options.max-concurrency",
        "requests",
    )?;

    Ok(Settings {
        platform: options.platform,
        api_version,
        endpoint,
        timeout_ms,
        max_attempts,
        max_concurrency,
    })
}

fn in_range(
    value: Option<u32>,
    default: u32,
    max: u32,
    name: &str,
    unit: &str,
) -> Result<u32, ExchangeError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=max).contains(&v) => Ok(v),
        Some(_) => Err(ExchangeError::invalid_input(format!(
            "{name} is out of range; pass 1 to {max} {unit}, or none for the default of {default}"
        ))),
    }
}

/// `v<major>.<minor>`, each part 1 to 3 digits.
fn is_api_version(version: &str) -> bool {
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    let is_number =
        |part: &str| (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    is_number(major) && is_number(minor)
}

/// Removes ASCII whitespace at both ends, as users paste values with a trailing newline.
pub fn trim(value: &str) -> &str {
    value.trim_matches(|c: char| c.is_ascii_whitespace())
}

/// Checks an app id: empty is allowed only when `required` is false; otherwise digits only.
pub fn check_app_id(app_id: &str, required: bool) -> Result<Option<String>, ExchangeError> {
    let app_id = trim(app_id);
    if app_id.is_empty() {
        if required {
            return Err(ExchangeError::invalid_input(
                "app-id is empty; Facebook requires it: copy the App ID from the app dashboard (App settings > Basic)",
            ));
        }
        return Ok(None);
    }
    if !app_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ExchangeError::invalid_input(
            "app-id must contain only digits; copy the App ID from the app dashboard (App settings > Basic)",
        ));
    }
    if app_id.len() > MAX_APP_ID_LEN {
        return Err(ExchangeError::invalid_input(format!(
            "app-id is longer than {MAX_APP_ID_LEN} digits; copy the App ID from the app dashboard (App settings > Basic)"
        )));
    }
    Ok(Some(app_id.to_string()))
}

/// Checks an app secret and returns it trimmed.
pub fn check_app_secret(app_secret: &str) -> Result<Secret, ExchangeError> {
    let secret = trim(app_secret);
    check_credential(
        secret,
        "app-secret",
        "the App Secret from the app dashboard (App settings > Basic)",
    )?;
    Ok(Secret::new(secret))
}

/// Checks a token and returns it trimmed. `name` is the argument name used in messages.
pub fn check_token(token: &str, name: &str) -> Result<Secret, ExchangeError> {
    let token = trim(token);
    check_credential(token, name, "the access token exactly as Meta issued it")?;
    if token.contains('%') {
        return Err(ExchangeError::invalid_input(format!(
            "{name} contains '%', so it looks percent-encoded; pass the decoded token, because it is encoded once here"
        )));
    }
    Ok(Secret::new(token))
}

fn check_credential(value: &str, name: &str, what_to_pass: &str) -> Result<(), ExchangeError> {
    if value.is_empty() {
        return Err(ExchangeError::invalid_input(format!(
            "{name} is empty; pass {what_to_pass}"
        )));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ExchangeError::invalid_input(format!(
            "{name} contains whitespace or a control character; pass {what_to_pass}, without spaces or line breaks"
        )));
    }
    if value.len() > MAX_CREDENTIAL_LEN {
        return Err(ExchangeError::invalid_input(format!(
            "{name} is longer than {MAX_CREDENTIAL_LEN} bytes; pass {what_to_pass}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn message(result: Result<impl std::fmt::Debug, ExchangeError>) -> String {
        let err = result.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert_eq!(err.attempts, 0);
        assert!(!err.retryable);
        err.message
    }

    #[test]
    fn options_defaults() {
        let settings = check_options(&RawOptions::default()).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.timeout_ms, 30_000);
        assert_eq!(settings.max_attempts, 3);
        assert_eq!(settings.max_concurrency, 16);
    }

    #[test]
    fn api_version_format() {
        for good in ["v26.0", " v1.0\n", "v123.999"] {
            let options = RawOptions {
                api_version: Some(good.into()),
                ..Default::default()
            };
            let settings = check_options(&options).unwrap();
            assert_eq!(settings.api_version.as_deref(), Some(good.trim()));
        }
        for bad in [
            "", "26.0", "v26", "v26.0/", "v1234.0", "v2a.0", "v26.0.1", "../v1.0",
        ] {
            let options = RawOptions {
                api_version: Some(bad.into()),
                ..Default::default()
            };
            let text = message(check_options(&options));
            assert!(
                text.starts_with("options.api-version is invalid"),
                "{bad}: {text}"
            );
        }
    }

    #[test]
    fn numeric_options_in_range() {
        let zero = RawOptions {
            timeout_ms: Some(0),
            ..Default::default()
        };
        assert_eq!(
            message(check_options(&zero)),
            "options.timeout-ms is out of range; pass 1 to 600000 milliseconds, or none for the default of 30000"
        );
        let attempts = RawOptions {
            max_attempts: Some(11),
            ..Default::default()
        };
        assert!(
            message(check_options(&attempts)).starts_with("options.max-attempts is out of range")
        );
        let concurrency = RawOptions {
            max_concurrency: Some(0),
            ..Default::default()
        };
        assert!(message(check_options(&concurrency))
            .starts_with("options.max-concurrency is out of range"));
    }

    #[test]
    fn empty_base_url_rejected() {
        let options = RawOptions {
            base_url: Some("  ".into()),
            ..Default::default()
        };
        assert!(message(check_options(&options)).starts_with("options.base-url is empty"));
    }

    #[test]
    fn app_id_rules() {
        assert_eq!(
            check_app_id(" 123456 \n", true).unwrap().as_deref(),
            Some("123456")
        );
        assert_eq!(check_app_id("", false).unwrap(), None);
        assert!(message(check_app_id("", true)).starts_with("app-id is empty"));
        assert!(message(check_app_id("12a4", false)).starts_with("app-id must contain only digits"));
        assert!(message(check_app_id("-1", true)).starts_with("app-id must contain only digits"));
        assert!(message(check_app_id(&"1".repeat(33), true)).starts_with("app-id is longer"));
    }

    #[test]
    fn credential_rules() {
        assert_eq!(
            check_app_secret("\t abc+/=&# \r\n").unwrap().expose(),
            "abc+/=&#"
        );
        assert_eq!(
            check_token(" EAAtoken ", "short-token").unwrap().expose(),
            "EAAtoken"
        );

        assert!(message(check_app_secret("")).starts_with("app-secret is empty"));
        assert!(message(check_app_secret(" \n ")).starts_with("app-secret is empty"));
        assert!(message(check_app_secret("ab cd")).starts_with("app-secret contains whitespace"));
        assert!(message(check_token("ab\u{7}cd", "short-token"))
            .starts_with("short-token contains whitespace or a control"));
        assert!(message(check_token("ab\u{a0}cd", "short-token"))
            .starts_with("short-token contains whitespace"));
        assert!(
            message(check_token("EAA%2Bx", "short-token")).starts_with("short-token contains '%'")
        );
        assert!(message(check_token("x%", "token")).starts_with("token contains '%'"));
        let long = "a".repeat(MAX_CREDENTIAL_LEN + 1);
        assert!(message(check_token(&long, "short-token"))
            .starts_with("short-token is longer than 2048 bytes"));
    }

    #[test]
    fn messages_never_contain_values() {
        let secret = "Zq9secretValue";
        let text = message(check_app_secret(&format!("{secret} x")));
        assert!(!text.contains(secret));
        let token = "EAAtokenValue%";
        let text = message(check_token(token, "short-token"));
        assert!(!text.contains("tokenValue"));
    }
}
