//! The concurrent batch exports `exchange-tokens` and `refresh-tokens` against a loopback server
//! that delays every response by a fixed time: overlap of requests, the `max-concurrency` cap,
//! per-item deadlines, results in input order, and options that reject the whole batch.

mod common;

use std::time::{Duration, Instant};

use common::*;
use graph_token_host::latency_server::{long_lived_token_for, LatencyServer, RequestHead};
use graph_token_host::{ErrorKind, ExchangeRequest, ExchangeResult, Options, Platform};

/// Default of `options.max-concurrency`, as documented in `wit/exchange.wit`.
const DEFAULT_MAX_CONCURRENCY: usize = 16;

/// Options that send every request to `server`, with every other field at its default.
fn options_for(server: &LatencyServer) -> Options {
    Options {
        base_url: Some(server.base_url()),
        ..Options::default()
    }
}

/// A Facebook exchange item for `short_token` with the fixture credentials.
fn facebook_item(short_token: &str) -> ExchangeRequest {
    ExchangeRequest {
        app_id: APP_ID.into(),
        app_secret: APP_SECRET.into(),
        short_token: short_token.into(),
        platform: None,
    }
}

/// `count` Facebook items with distinct tokens `EAAbatch000`, `EAAbatch001`, ...
fn facebook_items(count: usize) -> Vec<ExchangeRequest> {
    (0..count)
        .map(|index| facebook_item(&format!("EAAbatch{index:03}")))
        .collect()
}

/// Returns the token of a batch item that must succeed.
fn ok_item(results: &[ExchangeResult], index: usize) -> &graph_token_host::LongLivedToken {
    match &results[index] {
        Ok(token) => token,
        Err(error) => panic!("item {index}: expected a token, got {error:?}"),
    }
}

/// Returns the error of a batch item that must fail, after checking it carries no credential.
fn err_item(results: &[ExchangeResult], index: usize) -> &graph_token_host::ExchangeError {
    match &results[index] {
        Err(error) => {
            assert_no_credentials(error, &CREDENTIALS);
            error
        }
        Ok(token) => panic!("item {index}: expected an error, got a token {token:?}"),
    }
}

/// Returns the `grant_type` of the one request whose token parameter is `short_token`.
fn grant_type_for(requests: &[RequestHead], short_token: &str) -> String {
    let matching: Vec<&RequestHead> = requests
        .iter()
        .filter(|head| {
            head.path_and_query
                .ends_with(&format!("_token={short_token}"))
                || head
                    .path_and_query
                    .contains(&format!("_token={short_token}&"))
        })
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one request for token {short_token}, found {}",
        matching.len()
    );
    let (_, query) = matching[0]
        .path_and_query
        .split_once('?')
        .expect("a token request has a query");
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("grant_type="))
        .expect("every request has a grant_type")
        .to_string()
}

/// Runs an exchange batch of `items` Facebook items with `max_concurrency` against a server
/// with a 100 ms delay. Returns the maximum number of requests in flight, the number of
/// requests, and the time the call took.
async fn exchange_peak(max_concurrency: Option<u32>, items: usize) -> (usize, usize, Duration) {
    let server = LatencyServer::start(Duration::from_millis(100)).await;
    let harness = Harness::direct();
    let options = Options {
        max_concurrency,
        ..options_for(&server)
    };

    let started = Instant::now();
    let results = harness
        .exchange_tokens(&facebook_items(items), &options)
        .await
        .expect("the host call succeeds");
    let elapsed = started.elapsed();

    assert_eq!(results.len(), items);
    for index in 0..items {
        ok_item(&results, index);
    }
    (server.max_in_flight(), server.total_requests(), elapsed)
}

// ---- overlap ----

#[tokio::test]
async fn hundred_items_overlap() {
    let server = LatencyServer::start(Duration::from_millis(200)).await;
    let harness = Harness::direct();
    let items = facebook_items(100);

    let started = Instant::now();
    let results = harness
        .exchange_tokens(&items, &options_for(&server))
        .await
        .expect("the host call succeeds");
    let elapsed = started.elapsed();

    // With the default cap of 16, 100 items need 7 rounds of 200 ms (1.4 s); one at a time they
    // would need 20 s. The bound leaves room for a loaded machine.
    println!("100 items, 200 ms per response, default max-concurrency: {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(4),
        "100 items took {elapsed:?}; expected well under 4 s with 16 requests in flight"
    );
    assert!(
        elapsed >= Duration::from_millis(1_400),
        "100 items took {elapsed:?}, less than 7 rounds of 200 ms, so more than 16 were in flight"
    );
    assert_eq!(results.len(), 100);
    for (index, item) in items.iter().enumerate() {
        let token = ok_item(&results, index);
        assert_eq!(
            token.access_token,
            long_lived_token_for(&item.short_token),
            "item {index} is out of order"
        );
    }
    assert_eq!(server.total_requests(), 100);
}

// ---- max-concurrency ----

#[tokio::test]
async fn peak_within_cap_4() {
    let (peak, total, elapsed) = exchange_peak(Some(4), 20).await;

    println!("20 items, max-concurrency 4, 100 ms per response: {elapsed:?}, peak {peak}");
    assert!(
        peak <= 4,
        "the server saw {peak} requests at once, over the cap of 4"
    );
    assert_eq!(peak, 4, "the batch never reached its cap of 4");
    assert_eq!(total, 20);
    assert!(
        elapsed >= Duration::from_millis(500),
        "20 items at 4 at once need 5 rounds of 100 ms, but took {elapsed:?}"
    );
}

#[tokio::test]
async fn peak_within_cap_16() {
    let (peak, total, _) = exchange_peak(Some(16), 40).await;

    assert!(
        peak <= 16,
        "the server saw {peak} requests at once, over the cap of 16"
    );
    assert_eq!(peak, 16, "the batch never reached its cap of 16");
    assert_eq!(total, 40);
}

#[tokio::test]
async fn peak_within_default_cap() {
    let (peak, total, _) = exchange_peak(None, 40).await;

    assert!(
        peak <= DEFAULT_MAX_CONCURRENCY,
        "the server saw {peak} requests at once, over the default cap of {DEFAULT_MAX_CONCURRENCY}"
    );
    assert_eq!(
        peak, DEFAULT_MAX_CONCURRENCY,
        "the batch never reached the default cap"
    );
    assert_eq!(total, 40);
}

#[tokio::test]
async fn cap_above_item_count() {
    let (peak, total, elapsed) = exchange_peak(Some(256), 30).await;

    assert_eq!(peak, 30, "every item is in flight at once");
    assert_eq!(total, 30);
    assert!(
        elapsed < Duration::from_secs(2),
        "30 items at once took {elapsed:?}, expected about one round of 100 ms"
    );
}

#[tokio::test]
async fn concurrency_one_serializes() {
    let (peak, total, elapsed) = exchange_peak(Some(1), 5).await;

    assert_eq!(peak, 1);
    assert_eq!(total, 5);
    assert!(
        elapsed >= Duration::from_millis(500),
        "5 items one at a time need 5 rounds of 100 ms, but took {elapsed:?}"
    );
}

#[tokio::test]
async fn deadline_counts_per_item() {
    let server = LatencyServer::start(Duration::from_millis(100)).await;
    let harness = Harness::direct();
    // One at a time, 8 items take at least 800 ms, longer than timeout-ms. Each item's deadline
    // starts at its own first request, so every item still has 500 ms for its 100 ms response.
    let options = Options {
        max_concurrency: Some(1),
        timeout_ms: Some(500),
        max_attempts: Some(1),
        ..options_for(&server)
    };

    let started = Instant::now();
    let results = harness
        .exchange_tokens(&facebook_items(8), &options)
        .await
        .expect("the host call succeeds");
    let elapsed = started.elapsed();

    assert!(
        elapsed >= Duration::from_millis(800),
        "8 items one at a time took {elapsed:?}, less than 8 rounds of 100 ms"
    );
    for index in 0..8 {
        ok_item(&results, index);
    }
    assert_eq!(server.total_requests(), 8);
}

// ---- results ----

#[tokio::test]
async fn mixed_results_in_input_order() {
    let server = LatencyServer::start(Duration::from_millis(20)).await;
    let harness = Harness::direct();
    let items = vec![
        // 0: Facebook, chosen by the token prefix.
        facebook_item("EAAmixed0"),
        // 1: Graph reports the token as expired.
        facebook_item("EAAexpired1"),
        // 2: no app secret, rejected before any request.
        ExchangeRequest {
            app_secret: String::new(),
            ..facebook_item("EAAmixed2")
        },
        // 3: HTTP 502 on every attempt.
        facebook_item("EAAfail5xx3"),
        // 4: a Facebook-looking token that the item marks as Threads.
        ExchangeRequest {
            app_id: String::new(),
            platform: Some(Platform::Threads),
            ..facebook_item("EAAmixed4")
        },
        // 5: Instagram, chosen by the token prefix.
        facebook_item("IGAAmixed5"),
        // 6: a Facebook app id that is not all digits.
        ExchangeRequest {
            app_id: "my-app".into(),
            ..facebook_item("EAAmixed6")
        },
        // 7: a Threads-looking token that the item marks as Facebook.
        ExchangeRequest {
            platform: Some(Platform::Facebook),
            ..facebook_item("THAAmixed7")
        },
        // 8: a token with `%`, rejected before any request.
        facebook_item("EAA%41mixed8"),
    ];
    let options = Options {
        max_attempts: Some(2),
        ..options_for(&server)
    };

    let results = harness
        .exchange_tokens(&items, &options)
        .await
        .expect("the host call succeeds");

    assert_eq!(results.len(), items.len());

    let first = ok_item(&results, 0);
    assert_eq!(first.access_token, long_lived_token_for("EAAmixed0"));
    assert_eq!(first.platform, Platform::Facebook);

    let expired = err_item(&results, 1);
    assert_eq!(expired.kind, ErrorKind::TokenExpired);
    assert_eq!(expired.http_status, Some(400));
    assert_eq!(expired.attempts, 1);
    let graph = expired.graph_error.as_ref().expect("graph-error is set");
    assert_eq!(graph.code, Some(190));
    assert_eq!(graph.error_subcode, Some(463));

    let no_secret = err_item(&results, 2);
    assert_eq!(no_secret.kind, ErrorKind::InvalidInput);
    assert_eq!(no_secret.attempts, 0);

    let bad_gateway = err_item(&results, 3);
    assert_eq!(bad_gateway.kind, ErrorKind::UpstreamUnavailable);
    assert_eq!(bad_gateway.http_status, Some(502));
    assert!(bad_gateway.retryable);
    assert_eq!(bad_gateway.attempts, 2, "max-attempts 2 allows one retry");

    let threads = ok_item(&results, 4);
    assert_eq!(threads.access_token, long_lived_token_for("EAAmixed4"));
    assert_eq!(threads.platform, Platform::Threads);

    let instagram = ok_item(&results, 5);
    assert_eq!(instagram.access_token, long_lived_token_for("IGAAmixed5"));
    assert_eq!(instagram.platform, Platform::Instagram);

    let bad_app_id = err_item(&results, 6);
    assert_eq!(bad_app_id.kind, ErrorKind::InvalidInput);
    assert_eq!(bad_app_id.attempts, 0);

    let facebook = ok_item(&results, 7);
    assert_eq!(facebook.access_token, long_lived_token_for("THAAmixed7"));
    assert_eq!(facebook.platform, Platform::Facebook);

    let percent = err_item(&results, 8);
    assert_eq!(percent.kind, ErrorKind::InvalidInput);
    assert_eq!(percent.attempts, 0);

    // Items 0, 1, 3, 4, 5 and 7 send a request, and item 3 sends a second one.
    assert_eq!(server.total_requests(), 7);
    let requests = server.requests();
    assert_eq!(grant_type_for(&requests, "EAAmixed0"), "fb_exchange_token");
    assert_eq!(grant_type_for(&requests, "EAAmixed4"), "th_exchange_token");
    assert_eq!(grant_type_for(&requests, "IGAAmixed5"), "ig_exchange_token");
    assert_eq!(grant_type_for(&requests, "THAAmixed7"), "fb_exchange_token");
}

#[tokio::test]
async fn refresh_batch_in_input_order() {
    let server = LatencyServer::start(Duration::from_millis(50)).await;
    let harness = Harness::direct();
    let tokens = [
        "THAArefresh0".to_string(),
        "IGAArefresh1".to_string(),
        // Facebook long-lived tokens cannot be refreshed.
        "EAArefresh2".to_string(),
        "THAAexpired3".to_string(),
        String::new(),
    ];
    let options = Options {
        max_concurrency: Some(2),
        ..options_for(&server)
    };

    let results = harness
        .refresh_tokens(&tokens, &options)
        .await
        .expect("the host call succeeds");

    assert_eq!(results.len(), tokens.len());

    let threads = ok_item(&results, 0);
    assert_eq!(threads.access_token, long_lived_token_for("THAArefresh0"));
    assert_eq!(threads.platform, Platform::Threads);

    let instagram = ok_item(&results, 1);
    assert_eq!(instagram.access_token, long_lived_token_for("IGAArefresh1"));
    assert_eq!(instagram.platform, Platform::Instagram);

    let facebook = err_item(&results, 2);
    assert_eq!(facebook.kind, ErrorKind::InvalidInput);
    assert_eq!(facebook.attempts, 0);

    let expired = err_item(&results, 3);
    assert_eq!(expired.kind, ErrorKind::TokenExpired);
    assert_eq!(expired.attempts, 1);

    let empty = err_item(&results, 4);
    assert_eq!(empty.kind, ErrorKind::InvalidInput);
    assert_eq!(empty.attempts, 0);

    assert_eq!(server.total_requests(), 3);
    assert!(server.max_in_flight() <= 2);
    let requests = server.requests();
    assert_eq!(
        grant_type_for(&requests, "THAArefresh0"),
        "th_refresh_token"
    );
    assert_eq!(
        grant_type_for(&requests, "IGAArefresh1"),
        "ig_refresh_token"
    );
    for head in &requests {
        assert!(
            head.path_and_query.starts_with("/refresh_access_token?"),
            "unexpected path {}",
            head.path_and_query
        );
    }
}

#[tokio::test]
async fn refresh_peak_within_cap() {
    let server = LatencyServer::start(Duration::from_millis(100)).await;
    let harness = Harness::direct();
    let tokens: Vec<String> = (0..20).map(|index| format!("THAAcap{index:02}")).collect();
    let options = Options {
        max_concurrency: Some(4),
        ..options_for(&server)
    };

    let results = harness
        .refresh_tokens(&tokens, &options)
        .await
        .expect("the host call succeeds");

    assert_eq!(results.len(), 20);
    for (index, token) in tokens.iter().enumerate() {
        assert_eq!(
            ok_item(&results, index).access_token,
            long_lived_token_for(token),
            "item {index} is out of order"
        );
    }
    let peak = server.max_in_flight();
    assert!(
        peak <= 4,
        "the server saw {peak} requests at once, over the cap of 4"
    );
    assert_eq!(peak, 4, "the batch never reached its cap of 4");
    assert_eq!(server.total_requests(), 20);
}

#[tokio::test]
async fn empty_exchange_batch() {
    let server = LatencyServer::start(Duration::ZERO).await;
    let harness = Harness::direct();

    let results = harness
        .exchange_tokens(&[], &options_for(&server))
        .await
        .expect("the host call succeeds");

    assert!(results.is_empty());
    assert_eq!(server.total_requests(), 0);
}

#[tokio::test]
async fn empty_refresh_batch() {
    let server = LatencyServer::start(Duration::ZERO).await;
    let harness = Harness::direct();

    let results = harness
        .refresh_tokens(&[], &options_for(&server))
        .await
        .expect("the host call succeeds");

    assert!(results.is_empty());
    assert_eq!(server.total_requests(), 0);
}

#[tokio::test]
async fn invalid_options_reject_batch() {
    let server = LatencyServer::start(Duration::ZERO).await;
    let harness = Harness::direct();
    let base = options_for(&server);
    // Each case: the options, and the option name the message must start with.
    let cases = [
        (
            Options {
                max_concurrency: Some(0),
                ..base.clone()
            },
            "options.max-concurrency",
        ),
        (
            Options {
                max_concurrency: Some(257),
                ..base.clone()
            },
            "options.max-concurrency",
        ),
        (
            Options {
                max_attempts: Some(0),
                ..base.clone()
            },
            "options.max-attempts",
        ),
        (
            Options {
                timeout_ms: Some(0),
                ..base.clone()
            },
            "options.timeout-ms",
        ),
        (
            Options {
                api_version: Some("26.0".into()),
                ..base.clone()
            },
            "options.api-version",
        ),
        (
            Options {
                base_url: Some(String::new()),
                ..base.clone()
            },
            "options.base-url",
        ),
    ];
    let items = facebook_items(3);
    let tokens: Vec<String> = (0..3).map(|index| format!("THAAopt{index}")).collect();

    for (options, option_name) in &cases {
        let exchanged = harness
            .exchange_tokens(&items, options)
            .await
            .expect("the host call succeeds");
        let refreshed = harness
            .refresh_tokens(&tokens, options)
            .await
            .expect("the host call succeeds");

        assert_eq!(exchanged.len(), 3, "{option_name}");
        assert_eq!(refreshed.len(), 3, "{option_name}");
        for index in 0..3 {
            for (export, results) in [("exchange", &exchanged), ("refresh", &refreshed)] {
                let error = err_item(results, index);
                assert_eq!(
                    error.kind,
                    ErrorKind::InvalidInput,
                    "{export} item {index} with bad {option_name}"
                );
                assert_eq!(
                    error.attempts, 0,
                    "{export} item {index} with bad {option_name}"
                );
                assert!(
                    error.message.starts_with(option_name),
                    "{export} item {index}: message {:?} does not start with {option_name}",
                    error.message
                );
            }
        }
    }
    assert_eq!(server.total_requests(), 0);
}

#[tokio::test]
async fn cap_message_names_range() {
    let server = LatencyServer::start(Duration::ZERO).await;
    let harness = Harness::direct();
    let options = Options {
        max_concurrency: Some(0),
        ..options_for(&server)
    };

    let results = harness
        .exchange_tokens(&facebook_items(1), &options)
        .await
        .expect("the host call succeeds");

    assert_eq!(
        err_item(&results, 0).message,
        "options.max-concurrency is out of range; pass 1 to 256 requests, or none for the default of 16"
    );
}
