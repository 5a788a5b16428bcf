//! Feeds arbitrary arguments and options through `input::check_options`,
//! `request::prepare_exchange` and `request::prepare_refresh`.
//!
//! For a built request it checks where the request goes (https, or http only to a loopback
//! host), that each query value decodes to exactly the trimmed argument, and that the grant type
//! and path match the platform. For a rejected input it checks that the message does not depend
//! on the credentials, by comparing it with the message for twin credentials.

#![no_main]

use arbitrary::Arbitrary;
use graph_token_exchange::endpoint::{is_loopback_host, Scheme};
use graph_token_exchange::error::{ErrorKind, ExchangeError};
use graph_token_exchange::input::{self, RawOptions, Settings};
use graph_token_exchange::platform::{Operation, Platform, DEFAULT_API_VERSION};
use graph_token_exchange::request::{self, PreparedRequest};
use graph_token_exchange_fuzz::{find_leak, twin};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum PlatformChoice {
    Facebook,
    Threads,
    Instagram,
}

impl From<PlatformChoice> for Platform {
    fn from(choice: PlatformChoice) -> Platform {
        match choice {
            PlatformChoice::Facebook => Platform::Facebook,
            PlatformChoice::Threads => Platform::Threads,
            PlatformChoice::Instagram => Platform::Instagram,
        }
    }
}

/// A host for a generated `base-url`: mostly the loopback forms that `http://` allows, plus
/// addresses and names that it must reject.
#[derive(Arbitrary, Debug)]
enum HostChoice {
    Ipv4([u8; 4]),
    Loopback4(u8, u8, u8),
    Ipv6Loopback,
    Localhost,
    Name(String),
}

#[derive(Arbitrary, Debug)]
enum SchemeChoice {
    Http,
    Https,
    /// Schemes compare case-insensitively.
    HttpUppercase,
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum PortChoice {
    None,
    Number(u16),
    /// 65536 plus the value: a number that is not a valid port.
    OutOfRange(u16),
    /// Anything after the `:`, such as `99999` or `+80`.
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum BaseUrl {
    Text(String),
    Parts {
        scheme: SchemeChoice,
        host: HostChoice,
        port: PortChoice,
        path: String,
    },
}

impl BaseUrl {
    fn render(&self) -> String {
        match self {
            BaseUrl::Text(text) => text.clone(),
            BaseUrl::Parts {
                scheme,
                host,
                port,
                path,
            } => {
                let host = match host {
                    HostChoice::Ipv4([a, b, c, d]) => format!("{a}.{b}.{c}.{d}"),
                    HostChoice::Loopback4(b, c, d) => format!("127.{b}.{c}.{d}"),
                    HostChoice::Ipv6Loopback => "[::1]".to_string(),
                    HostChoice::Localhost => "localhost".to_string(),
                    HostChoice::Name(name) => name.clone(),
                };
                let scheme = match scheme {
                    SchemeChoice::Http => "http",
                    SchemeChoice::Https => "https",
                    SchemeChoice::HttpUppercase => "HTTP",
                    SchemeChoice::Text(text) => text,
                };
                let port = match port {
                    PortChoice::None => String::new(),
                    PortChoice::Number(number) => format!(":{number}"),
                    PortChoice::OutOfRange(excess) => format!(":{}", 65_536 + u32::from(*excess)),
                    PortChoice::Text(text) => format!(":{text}"),
                };
                format!("{scheme}://{host}{port}{path}")
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    app_id: String,
    app_secret: String,
    token: String,
    refresh: bool,
    item_platform: Option<PlatformChoice>,
    platform: Option<PlatformChoice>,
    api_version: Option<String>,
    base_url: Option<BaseUrl>,
    timeout_ms: Option<u32>,
    max_attempts: Option<u32>,
    max_concurrency: Option<u32>,
}

fuzz_target!(|input: Input| {
    let options = RawOptions {
        platform: input.platform.map(Platform::from),
        api_version: input.api_version.clone(),
        base_url: input.base_url.as_ref().map(BaseUrl::render),
        timeout_ms: input.timeout_ms,
        max_attempts: input.max_attempts,
        max_concurrency: input.max_concurrency,
    };
    let settings = match input::check_options(&options) {
        Ok(settings) => settings,
        Err(error) => {
            assert_eq!(error.kind, ErrorKind::InvalidInput);
            return;
        }
    };
    check_settings(&options, &settings);

    let outcome = prepare(&input, &input.app_secret, &input.token, &settings);
    let twin_outcome = prepare(
        &input,
        &twin(&input.app_secret),
        &twin(&input.token),
        &settings,
    );

    match (&outcome, &twin_outcome) {
        (Ok(request), Ok(twin_request)) => {
            check_request(&input, &settings, request);
            check_debug(&input, request, twin_request);
        }
        (Err(error), Err(twin_error)) => check_rejection(&input, error, twin_error),
        _ => panic!(
            "twin credentials changed the outcome: {:?} and {:?}",
            outcome.as_ref().map(|_| ()),
            twin_outcome.as_ref().map(|_| ())
        ),
    }
});

fn prepare(
    input: &Input,
    app_secret: &str,
    token: &str,
    settings: &Settings,
) -> Result<PreparedRequest, ExchangeError> {
    let item_platform = input.item_platform.map(Platform::from);
    if input.refresh {
        request::prepare_refresh(token, item_platform, settings)
    } else {
        request::prepare_exchange(&input.app_id, app_secret, token, item_platform, settings)
    }
}

fn check_settings(options: &RawOptions, settings: &Settings) {
    if let Some(endpoint) = &settings.endpoint {
        let host = endpoint_host(&endpoint.authority);
        assert!(
            endpoint.scheme == Scheme::Https || is_loopback_host(host),
            "http to a host that is not loopback: {:?}",
            options.base_url
        );
    }
    if let Some(version) = &settings.api_version {
        assert!(
            version.starts_with('v') && !version.contains('/'),
            "{version:?}"
        );
    }
}

/// Returns the host part of `host[:port]`, with the brackets of an IPv6 literal.
fn endpoint_host(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    authority.split(':').next().unwrap_or(authority)
}

fn check_request(input: &Input, settings: &Settings, request: &PreparedRequest) {
    let operation = if input.refresh {
        Operation::Refresh
    } else {
        Operation::Exchange
    };
    let token = input::trim(&input.token);
    let expected_platform = input
        .item_platform
        .map(Platform::from)
        .or(settings.platform)
        .unwrap_or_else(|| Platform::detect(token));
    assert_eq!(request.platform, expected_platform);
    assert_eq!(request.operation, operation);

    check_wasi_http_view(request);
    check_whatwg_view(request);

    let path_and_query = request.path_and_query.expose();
    let (path, query) = path_and_query
        .split_once('?')
        .expect("the request has a query");
    let prefix = settings
        .endpoint
        .as_ref()
        .map(|endpoint| endpoint.path_prefix.as_str())
        .unwrap_or_default();
    let version = match (&settings.api_version, expected_platform) {
        (Some(version), _) => format!("/{version}"),
        (None, Platform::Facebook) => format!("/{DEFAULT_API_VERSION}"),
        (None, _) => String::new(),
    };
    let endpoint_path = expected_platform.endpoint_path(operation);
    assert_eq!(path, format!("{prefix}{version}{endpoint_path}"));

    let grant_type = expected_platform
        .grant_type(operation)
        .expect("a built request has a grant type");
    let secret = input::trim(&input.app_secret);
    let app_id = input::trim(&input.app_id);
    let mut expected = vec![("grant_type", grant_type)];
    match operation {
        Operation::Exchange => {
            if expected_platform == Platform::Facebook {
                expected.push(("client_id", app_id));
            }
            expected.push(("client_secret", secret));
            let name = if expected_platform == Platform::Facebook {
                "fb_exchange_token"
            } else {
                "access_token"
            };
            expected.push((name, token));
        }
        Operation::Refresh => expected.push(("access_token", token)),
    }
    let decoded: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    assert_eq!(decoded, expected);

    // A server that echoes the query string back gets every credential redacted. The path is
    // left out, because it comes from base-url, which may spell anything.
    let scrubbed = request.redactor.scrub(query);
    let credentials: &[&str] = match operation {
        Operation::Exchange => &[secret, token],
        Operation::Refresh => &[token],
    };
    for credential in credentials {
        if let Some(form) = find_leak(&scrubbed, credential) {
            panic!("the redacted query still contains {form:?}");
        }
    }
}

/// Checks the request as a `wasi:http` host reads it: wasmtime takes the authority and the path
/// with query through the `http` crate, and rejects the request when either does not parse.
fn check_wasi_http_view(request: &PreparedRequest) {
    let authority =
        http::uri::Authority::try_from(request.authority.as_str()).unwrap_or_else(|e| {
            panic!(
                "the authority {:?} is invalid for http ({e})",
                request.authority
            )
        });
    http::uri::PathAndQuery::try_from(request.path_and_query.expose())
        .unwrap_or_else(|e| panic!("the path and query are invalid for http ({e})"));
    assert_eq!(authority.as_str(), request.authority);
    match request.scheme {
        Scheme::Https => {}
        Scheme::Http => assert!(
            is_loopback_host(authority.host()),
            "http to a host that is not loopback: {authority}"
        ),
    }
}

/// Checks where a WHATWG URL parser (the `url` crate, as in browsers and Node) sends the
/// request: https, or http only to a loopback host.
fn check_whatwg_view(request: &PreparedRequest) {
    let url = request.url();
    let parsed = match url::Url::parse(url.expose()) {
        Ok(parsed) => parsed,
        // Some names that RFC 3986 allows are invalid for WHATWG, such as `37.0.37.371`, whose
        // last label is numeric and so must be an IPv4 address. Such a host is allowed only
        // with https, and fails there when it is resolved.
        Err(error) => {
            assert_eq!(
                request.scheme,
                Scheme::Https,
                "invalid WHATWG URL with http ({error})"
            );
            return;
        }
    };
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            assert!(
                loopback,
                "http to a host that is not loopback: {:?}",
                parsed.host()
            );
        }
        other => panic!("unexpected scheme {other:?}"),
    }
}

/// `Debug` shows no credential: it equals the twin request's, and contains no credential form
/// that the twin's lacks (the authority may spell a short credential by chance).
fn check_debug(input: &Input, request: &PreparedRequest, twin_request: &PreparedRequest) {
    let debug = format!("{request:?}");
    let twin_debug = format!("{twin_request:?}");
    for credential in [&input.app_secret, &input.token] {
        if let Some(form) = find_leak(&debug, input::trim(credential)) {
            assert!(
                twin_debug.contains(form.as_str()),
                "PreparedRequest Debug contains the credential form {form:?}"
            );
        }
    }
    assert_eq!(debug, twin_debug);
}

/// A rejection names the argument and the fix, never the value: the twin credentials pass and
/// fail the same checks, so they must give the same message.
fn check_rejection(input: &Input, error: &ExchangeError, twin_error: &ExchangeError) {
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    for credential in [&input.app_secret, &input.token] {
        let trimmed = input::trim(credential);
        if let Some(form) = find_leak(&error.message, trimmed) {
            assert!(
                twin_error.message.contains(form.as_str()),
                "message contains the credential form {form:?}: {}",
                error.message
            );
        }
    }
    assert_eq!(error.message, twin_error.message);
}
