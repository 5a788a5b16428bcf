//! Property tests of the pure modules: request building, response parsing and redaction.
//!
//! Credentials come from a broad alphabet (URL delimiters such as `+/=&#?;`, quotes, and
//! multi-byte characters), surrounded by ASCII whitespace as users paste them. A "twin" of a
//! credential differs from it in every character that the input checks ignore. Messages and
//! `Debug` output must be the same for both, which shows that they do not carry the value.
//!
//! The tests at the end are regression tests for redaction gaps that fuzzing found.

// These tests run natively, where the size of panic messages does not matter.
#![allow(clippy::string_slice)]

use graph_token_exchange::endpoint::Endpoint;
use graph_token_exchange::error::{ErrorKind, ExchangeError, GraphError, RateLimitInfo};
use graph_token_exchange::input::{self, RawOptions, Settings};
use graph_token_exchange::platform::{Operation, Platform};
use graph_token_exchange::rate_limit;
use graph_token_exchange::request::{self, PreparedRequest};
use graph_token_exchange::response::{self, LongLivedToken, ReceivedResponse};
use graph_token_exchange::secret::{Redactor, Secret, MIN_REDACTED_LEN, REDACTED};
use proptest::prelude::*;

/// Wall clock of the responses: 15 January 2027, in Unix seconds.
const NOW: u64 = 1_800_000_000;

/// Cases per property, so that the whole file runs in a few seconds in a debug build.
const CASES: u32 = 256;

// ---------------------------------------------------------------------------------------------
// Generators

/// Generates characters that credentials accept: ASCII letters and digits, URL and query delimiters,
/// other ASCII punctuation, and multi-byte characters of each UTF-8 length. `%` is added only
/// for app secrets, because tokens reject it.
///
/// NOTE: `[` and `]` are left out. `Redactor::scrub` can rebuild a credential that contains
/// them from server text next to the `[redacted]` marker; `scrub_never_rebuilds_credential`
/// below reproduces that gap.
fn credential_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('A', 'Z'),
        2 => prop::char::range('0', '9'),
        3 => prop::sample::select(
            "+/=&#?;-._~!*'(),:@$\"<>^`|\\{}".chars().collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec!['é', 'ß', 'Ω', '中', '€', '😀', '\u{200b}', '\u{feff}']),
    ]
}

fn core(percent_allowed: bool) -> impl Strategy<Value = String> {
    let character = if percent_allowed {
        prop_oneof![9 => credential_char(), 1 => Just('%')].boxed()
    } else {
        credential_char().boxed()
    };
    prop::collection::vec(character, 1..48).prop_map(|chars| chars.into_iter().collect())
}

/// Generates up to two characters of the ASCII whitespace that `input::trim` removes: space,
/// tab, line feed, form feed and carriage return.
fn ascii_whitespace() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![' ', '\t', '\n', '\x0c', '\r']),
        0..3,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn padded(core: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (ascii_whitespace(), core, ascii_whitespace())
        .prop_map(|(before, core, after)| format!("{before}{core}{after}"))
}

fn app_secret() -> impl Strategy<Value = String> {
    padded(core(true))
}

/// Generates a token, sometimes with the prefix of a platform so that detection is exercised.
fn token() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec!["", "EAA", "TH", "IG"]);
    padded((prefix, core(false)).prop_map(|(prefix, core)| format!("{prefix}{core}")))
}

fn app_id() -> impl Strategy<Value = String> {
    padded("[0-9]{1,20}")
}

fn platform() -> impl Strategy<Value = Option<Platform>> {
    prop::sample::select(vec![
        None,
        Some(Platform::Facebook),
        Some(Platform::Threads),
        Some(Platform::Instagram),
    ])
}

fn settings() -> impl Strategy<Value = Settings> {
    let base_url = prop::sample::select(vec![
        None,
        Some("http://127.0.0.1:8080"),
        Some("https://graph-proxy.example.com/meta/"),
    ]);
    let api_version = prop::sample::select(vec![None, Some("v26.0"), Some(" v1.0\n")]);
    (platform(), base_url, api_version).prop_map(|(platform, base_url, api_version)| {
        let options = RawOptions {
            platform,
            api_version: api_version.map(String::from),
            base_url: base_url.map(String::from),
            ..RawOptions::default()
        };
        input::check_options(&options).expect("generated options are valid")
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Returns the forms of `credential` that must never reach a message or `Debug` output: raw, and
/// form-urlencoded as the request carries it, with uppercase and with lowercase hex digits.
/// Empty for credentials shorter than `MIN_REDACTED_LEN`, which are not redacted on purpose.
fn leak_forms(credential: &str) -> Vec<String> {
    if credential.len() < MIN_REDACTED_LEN {
        return Vec::new();
    }
    let encoded: String = form_urlencoded::byte_serialize(credential.as_bytes()).collect();
    let mut lower = String::with_capacity(encoded.len());
    let mut digits_left = 0;
    for c in encoded.chars() {
        if digits_left > 0 {
            lower.push(c.to_ascii_lowercase());
            digits_left -= 1;
        } else {
            if c == '%' {
                digits_left = 2;
            }
            lower.push(c);
        }
    }
    let mut forms = vec![credential.to_string()];
    for form in [encoded, lower] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// Returns the first form of `credential` in `text`, ignoring forms that the `[redacted]`
/// marker spells.
fn find_leak(text: &str, credential: &str) -> Option<String> {
    leak_forms(credential)
        .into_iter()
        .find(|form| !REDACTED.contains(form.as_str()) && text.contains(form.as_str()))
}

/// Builds a credential that passes and fails the same input checks as `value`: whitespace, control
/// characters, `%` and a `TH` or `IG` prefix stay, and every other character is replaced by a
/// different one of the same UTF-8 length.
fn twin(value: &str) -> String {
    let trimmed = input::trim(value);
    let start = value.len()
        - value
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    let prefix_end = if trimmed.starts_with("TH") || trimmed.starts_with("IG") {
        start + 2
    } else {
        start
    };
    value
        .char_indices()
        .map(|(index, c)| {
            if (start..prefix_end).contains(&index)
                || c.is_whitespace()
                || c.is_control()
                || c == '%'
            {
                return c;
            }
            let (first, second) = match c.len_utf8() {
                1 => ('Q', 'R'),
                2 => ('é', 'ü'),
                3 => ('中', '文'),
                _ => ('😀', '😁'),
            };
            if c == first {
                second
            } else {
                first
            }
        })
        .collect()
}

fn expected_platform(
    item_platform: Option<Platform>,
    settings: &Settings,
    token: &str,
) -> Platform {
    item_platform
        .or(settings.platform)
        .unwrap_or_else(|| Platform::detect(input::trim(token)))
}

fn decoded_query(request: &PreparedRequest) -> Vec<(String, String)> {
    let path_and_query = request.path_and_query.expose();
    let (_, query) = path_and_query
        .split_once('?')
        .expect("the request has a query");
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn respond(
    request: &PreparedRequest,
    status: u16,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
) -> Result<LongLivedToken, ExchangeError> {
    let response = ReceivedResponse {
        status,
        rate_limit: rate_limit::from_headers(headers, NOW, &request.redactor),
        body: body.to_vec(),
    };
    response::interpret(&response, request, NOW)
}

fn graph_text_fields(graph: &GraphError) -> Vec<&str> {
    let mut fields = vec![graph.message.as_str()];
    for value in [
        &graph.error_type,
        &graph.fbtrace_id,
        &graph.error_user_title,
        &graph.error_user_msg,
    ]
    .into_iter()
    .flatten()
    {
        fields.push(value.as_str());
    }
    fields
}

fn rate_limit_text_fields(info: &RateLimitInfo) -> Vec<&str> {
    [&info.app_usage, &info.business_use_case_usage]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn exchange_query_decodes_to_trimmed_input(
        app_id in app_id(),
        app_secret in app_secret(),
        token in token(),
        item_platform in platform(),
        settings in settings(),
    ) {
        let request = request::prepare_exchange(&app_id, &app_secret, &token, item_platform, &settings)
            .expect("valid arguments are accepted");
        let platform = expected_platform(item_platform, &settings, &token);
        prop_assert_eq!(request.platform, platform);
        prop_assert_eq!(request.operation, Operation::Exchange);

        let grant_type = platform.grant_type(Operation::Exchange).unwrap();
        let secret = input::trim(&app_secret);
        let token = input::trim(&token);
        let expected = match platform {
            Platform::Facebook => pairs(&[
                ("grant_type", grant_type),
                ("client_id", input::trim(&app_id)),
                ("client_secret", secret),
                ("fb_exchange_token", token),
            ]),
            Platform::Threads | Platform::Instagram => pairs(&[
                ("grant_type", grant_type),
                ("client_secret", secret),
                ("access_token", token),
            ]),
        };
        prop_assert_eq!(decoded_query(&request), expected);
    }

    #[test]
    fn refresh_query_decodes_to_trimmed_input(
        token in token(),
        item_platform in prop::sample::select(vec![None, Some(Platform::Threads), Some(Platform::Instagram)]),
        settings in settings(),
    ) {
        let platform = expected_platform(item_platform, &settings, &token);
        let outcome = request::prepare_refresh(&token, item_platform, &settings);
        if platform == Platform::Facebook {
            let error = outcome.expect_err("Facebook tokens cannot be refreshed");
            prop_assert_eq!(error.kind, ErrorKind::InvalidInput);
            return Ok(());
        }
        let request = outcome.expect("valid arguments are accepted");
        prop_assert_eq!(request.platform, platform);
        let expected = pairs(&[
            ("grant_type", platform.grant_type(Operation::Refresh).unwrap()),
            ("access_token", input::trim(&token)),
        ]);
        prop_assert_eq!(decoded_query(&request), expected);
    }

    #[test]
    fn rejected_credentials_are_invalid_input(
        app_secret in app_secret(),
        token in token(),
        defect in prop::sample::select(vec![" ", "\t", "\u{a0}", "\u{7}", "\u{85}", "\u{2028}", "%"]),
        position in any::<prop::sample::Index>(),
        in_secret in any::<bool>(),
    ) {
        // `%` is a defect only in tokens.
        prop_assume!(!(in_secret && defect == "%"));
        let insert = |value: &str| {
            let trimmed = input::trim(value);
            let boundaries: Vec<usize> = (1..trimmed.len())
                .filter(|&i| trimmed.is_char_boundary(i))
                .collect();
            // A defect at either end would be trimmed away (ASCII whitespace) or change nothing
            // else, so it goes between two characters, adding one when the value has only one.
            if boundaries.is_empty() {
                return format!("{trimmed}{defect}x");
            }
            let at = boundaries[position.index(boundaries.len())];
            format!("{}{defect}{}", &trimmed[..at], &trimmed[at..])
        };
        let (app_secret, token) = if in_secret {
            (insert(&app_secret), token)
        } else {
            (app_secret, insert(&token))
        };

        let error = request::prepare_exchange("1234", &app_secret, &token, None, &Settings::default())
            .expect_err("a credential with whitespace, a control character or a '%' in a token is rejected");
        prop_assert_eq!(error.kind, ErrorKind::InvalidInput);
        prop_assert!(!error.retryable);
        let name = if in_secret { "app-secret" } else { "short-token" };
        prop_assert!(error.message.starts_with(name), "{}", error.message);
    }

    #[test]
    fn input_error_messages_omit_credentials(
        app_id in prop_oneof![app_id(), Just(String::new()), Just("12a".to_string())],
        app_secret in prop_oneof![
            app_secret(),
            Just(String::new()),
            (core(true), core(true)).prop_map(|(a, b)| format!("{a} {b}")),
            core(true).prop_map(|c| c.repeat(input::MAX_CREDENTIAL_LEN / c.len() + 1)),
        ],
        token in prop_oneof![
            token(),
            Just(" \n".to_string()),
            (core(false), core(false)).prop_map(|(a, b)| format!("{a}%{b}")),
            (core(false), core(false)).prop_map(|(a, b)| format!("{a}\u{7}{b}")),
        ],
        refresh in any::<bool>(),
    ) {
        let prepare = |app_secret: &str, token: &str| {
            if refresh {
                request::prepare_refresh(token, None, &Settings::default())
            } else {
                request::prepare_exchange(&app_id, app_secret, token, None, &Settings::default())
            }
        };
        let outcome = prepare(&app_secret, &token);
        let twin_outcome = prepare(&twin(&app_secret), &twin(&token));
        prop_assert_eq!(outcome.is_ok(), twin_outcome.is_ok());
        if let (Err(error), Err(twin_error)) = (outcome, twin_outcome) {
            prop_assert_eq!(error.kind, ErrorKind::InvalidInput);
            for credential in [input::trim(&app_secret), input::trim(&token)] {
                if let Some(form) = find_leak(&error.message, credential) {
                    prop_assert!(
                        twin_error.message.contains(form.as_str()),
                        "message contains {:?}: {}", form, error.message
                    );
                }
            }
            prop_assert_eq!(error.message, twin_error.message);
        }
    }

    /// A hostile server echoes the request's credentials, raw and encoded, in every text field
    /// of Graph's error object and in the usage headers.
    #[test]
    fn echoed_credentials_are_redacted(
        app_secret in app_secret(),
        token in token(),
        platform in platform(),
        status in prop::sample::select(vec![200u16, 400, 401, 403, 429, 500, 503]),
        code in prop::sample::select(vec![None, Some(1i64), Some(4), Some(100), Some(190), Some(200)]),
        form_index in 0usize..3,
        string_form in any::<bool>(),
    ) {
        let settings = Settings { platform, ..Settings::default() };
        let Ok(request) = request::prepare_exchange("1234", &app_secret, &token, None, &settings) else {
            return Ok(());
        };
        let secret = input::trim(&app_secret);
        let token = input::trim(&token);
        let echo = |credential: &str| {
            let forms = leak_forms(credential);
            forms.get(form_index % forms.len().max(1)).cloned().unwrap_or_else(|| credential.to_string())
        };
        let (secret_echo, token_echo) = (echo(secret), echo(token));
        let mixed = format!("client_secret={secret_echo}&fb_exchange_token={token_echo}");
        let body = if string_form {
            serde_json::json!({"error": format!("invalid {secret_echo}"), "error_description": mixed})
        } else {
            let mut error = serde_json::json!({
                "message": format!("Error validating access token {token_echo}: {mixed}"),
                "type": secret_echo,
                "fbtrace_id": token_echo,
                "error_user_title": mixed,
                "error_user_msg": format!("{token_echo}{secret_echo}"),
            });
            if let Some(code) = code {
                error["code"] = code.into();
            }
            serde_json::json!({ "error": error })
        };
        let body = serde_json::to_vec(&body).unwrap();
        let headers = vec![
            ("X-App-Usage".to_string(), format!("{{\"echo\":\"{mixed}\"}}").into_bytes()),
            ("x-business-use-case-usage".to_string(), secret_echo.clone().into_bytes()),
        ];

        let error = respond(&request, status, &headers, &body).expect_err("a Graph error is an error");
        let graph = error.graph_error.as_ref().expect("the Graph error is kept");
        let mut texts = graph_text_fields(graph);
        texts.extend(rate_limit_text_fields(&error.rate_limit));
        // `Debug` output is not searched: its escapes (`"` printed as `\"`) can spell a
        // credential that contains a backslash, although no field contains it.
        for text in texts {
            for credential in [secret, token] {
                prop_assert_eq!(find_leak(text, credential), None, "in {:?}", text);
            }
        }

        let twin_request = request::prepare_exchange("1234", &twin(&app_secret), &twin(token), None, &settings)
            .expect("the twin of valid credentials is valid");
        let twin_error = respond(&twin_request, status, &headers, &body).expect_err("a Graph error is an error");
        for credential in [secret, token] {
            if let Some(form) = find_leak(&error.message, credential) {
                prop_assert!(twin_error.message.contains(form.as_str()), "message contains {:?}", form);
            }
        }
        if error.kind == twin_error.kind {
            prop_assert_eq!(&error.message, &twin_error.message);
        }
    }

    #[test]
    fn debug_output_omits_credentials(
        app_secret in app_secret(),
        token in token(),
        long_token in core(false),
        settings in settings(),
    ) {
        let Ok(request) = request::prepare_exchange("1234", &app_secret, &token, None, &settings) else {
            return Ok(());
        };
        let twin_request = request::prepare_exchange("1234", &twin(&app_secret), &twin(&token), None, &settings)
            .expect("the twin of valid credentials is valid");
        prop_assert_eq!(format!("{request:?}"), format!("{twin_request:?}"));
        let redactor_debug = format!("{:?}", request.redactor);
        prop_assert!(redactor_debug.ends_with(" credentials)"), "{}", redactor_debug);

        let body = |access_token: &str| {
            serde_json::to_vec(&serde_json::json!({"access_token": access_token, "expires_in": 5_183_944})).unwrap()
        };
        let token_out = respond(&request, 200, &[], &body(&long_token)).expect("a token response is accepted");
        let twin_out = respond(&request, 200, &[], &body(&twin(&long_token))).expect("a token response is accepted");
        prop_assert_eq!(token_out.access_token.expose(), long_token.as_str());
        prop_assert_eq!(format!("{token_out:?}"), format!("{twin_out:?}"));

        for value in [input::trim(&app_secret), input::trim(&token), long_token.as_str()] {
            let secret = Secret::new(value);
            prop_assert_eq!(format!("{secret:?}"), "Secret([redacted])");
            prop_assert_eq!(format!("{secret}"), REDACTED);
        }
    }

    #[test]
    fn response_parsing_never_panics_on_bytes(
        status in any::<u16>(),
        body in prop::collection::vec(any::<u8>(), 0..512),
        headers in prop::collection::vec(
            (
                prop::sample::select(vec!["retry-after", "Retry-After", "x-app-usage", "X-Business-Use-Case-Usage", "content-type"]),
                prop::collection::vec(any::<u8>(), 0..64),
            ),
            0..4,
        ),
        now in any::<u64>(),
    ) {
        let request = request::prepare_exchange("1234", "0123456789abcdef", "EAAGshorttoken", None, &Settings::default()).unwrap();
        let headers: Vec<(String, Vec<u8>)> = headers.into_iter().map(|(name, value)| (name.to_string(), value)).collect();
        let rate_limit = rate_limit::from_headers(&headers, now, &request.redactor);
        let response = ReceivedResponse { status, rate_limit, body };
        if let Ok(token) = response::interpret(&response, &request, now) {
            prop_assert!(!token.access_token.expose().is_empty());
        }
    }

    #[test]
    fn response_parsing_never_panics_on_json(
        status in any::<u16>(),
        body in json_body(),
    ) {
        let request = request::prepare_refresh("THlongtoken", None, &Settings::default()).unwrap();
        let response = ReceivedResponse { status, rate_limit: RateLimitInfo::default(), body: body.into_bytes() };
        match response::interpret(&response, &request, NOW) {
            Ok(token) => {
                prop_assert!(!token.access_token.expose().is_empty());
                prop_assert_eq!(token.platform, Platform::Threads);
            }
            Err(error) => {
                prop_assert_ne!(error.kind, ErrorKind::InvalidInput);
                prop_assert_eq!(error.http_status, Some(status));
            }
        }
    }
}

/// Generates JSON objects from the member names that token and error responses use, with values of
/// every JSON type, nested once.
fn json_body() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "access_token",
        "token_type",
        "expires_in",
        "expires",
        "error",
        "message",
        "type",
        "code",
        "error_subcode",
        "fbtrace_id",
        "is_transient",
        "error_description",
        "error_user_msg",
    ]);
    let scalar = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    let inner = prop::collection::btree_map(names.clone(), scalar.clone(), 0..5).prop_map(|map| {
        serde_json::Value::Object(map.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    });
    let value = prop_oneof![3 => scalar, 1 => inner];
    prop::collection::btree_map(names, value, 0..6).prop_map(|map| {
        serde_json::Value::Object(map.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            .to_string()
    })
}

// ---------------------------------------------------------------------------------------------
// Regressions

#[test]
fn retry_after_date_with_far_clock() {
    // A wall clock past the date gives 0, even at the largest Unix time.
    let seconds = rate_limit::retry_after_seconds("Fri, 15 Jan 2027 08:00:00 GMT", u64::MAX);
    assert_eq!(seconds, Some(0));
}

#[test]
fn base_url_port_out_of_range_rejected() {
    for url in ["http://127.0.0.1:99999", "http://127.0.0.1:+80"] {
        let error = Endpoint::parse_base_url(url).expect_err(url);
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{url}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn retry_after_never_panics(
        value in prop_oneof![
            ".{0,40}",
            "(Mon|Fri|Sun), [0-9]{2} (Jan|Feb|Dec|Xyz) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        ],
        now in any::<u64>(),
    ) {
        // A later clock never gives a longer wait, and whether the value parses does not
        // depend on the clock.
        let seconds = rate_limit::retry_after_seconds(&value, now);
        let earlier = rate_limit::retry_after_seconds(&value, now.saturating_sub(1));
        prop_assert_eq!(seconds.is_some(), earlier.is_some());
        prop_assert!(seconds <= earlier, "{:?} > {:?}", seconds, earlier);
    }
}

// ---------------------------------------------------------------------------------------------
// Known gaps: each test states the intended behavior and fails today.

#[test]
fn scrub_never_rebuilds_credential() {
    // The token is longer than the secret, so it is searched first, before the secret's
    // replacement spells it.
    let secret = Secret::new("s3cr3tvalue");
    let token = Secret::new("ted]abcdefghijkl");
    let redactor = Redactor::new([&secret, &token]);
    let scrubbed = redactor.scrub("s3cr3tvalueabcdefghijkl");
    assert!(!scrubbed.contains(token.expose()), "{scrubbed}");
}

#[test]
fn scrub_covers_other_percent_encodings() {
    let secret = Secret::new("ab~cd+ef");
    let redactor = Redactor::new([&secret]);
    // Mixed-case hex digits, and an encoder that keeps `~` (RFC 3986 unreserved).
    for echo in ["ab%7ecd%2Bef", "ab~cd%2Bef", "%61b%7Ecd%2Bef"] {
        let scrubbed = redactor.scrub(echo);
        let decoded: String = percent_decode(&scrubbed);
        assert!(!decoded.contains(secret.expose()), "{echo} gave {scrubbed}");
    }
}

#[test]
fn token_type_echo_is_redacted() {
    let request = request::prepare_exchange(
        "1234",
        "0123456789abcdef",
        "EAAGshorttoken",
        None,
        &Settings::default(),
    )
    .unwrap();
    let body = br#"{"access_token":"EAAGlong","token_type":"0123456789abcdef"}"#;
    let token = respond(&request, 200, &[], body).unwrap();
    assert!(!token.token_type.contains("0123456789abcdef"));
    assert!(!format!("{token:?}").contains("0123456789abcdef"));
}

#[test]
fn missing_access_token_keeps_rate_limit() {
    let request = request::prepare_exchange(
        "1234",
        "0123456789abcdef",
        "EAAGshorttoken",
        None,
        &Settings::default(),
    )
    .unwrap();
    let headers = [("x-app-usage".to_string(), br#"{"call_count":95}"#.to_vec())];
    let error = respond(&request, 200, &headers, br#"{"id":"1"}"#).unwrap_err();
    assert_eq!(error.kind, ErrorKind::UnexpectedResponse);
    assert_eq!(
        error.rate_limit.app_usage.as_deref(),
        Some(r#"{"call_count":95}"#)
    );
}

/// Decodes every `%XX` escape, leaving other characters as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|pair| pair.iter().all(u8::is_ascii_hexdigit))
            .and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
