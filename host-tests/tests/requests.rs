//! What the component sends: the exact URL per platform and operation, platform detection,
//! encoding of credentials, and the `base-url` option.

mod common;

use common::*;
use graph_token_host::{Options, Platform, Router};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Starts a mock that responds to every request with a token, and a router to it.
async fn token_mock() -> (MockServer, Router) {
    let (server, router) = routed_mock().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    (server, router)
}

fn with_platform(platform: Platform) -> Options {
    Options {
        platform: Some(platform),
        ..Options::default()
    }
}

#[tokio::test]
async fn facebook_exchange_url() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .exchange_token(APP_ID, APP_SECRET, FACEBOOK_TOKEN)
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.facebook.com/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id={APP_ID}&client_secret={APP_SECRET_ENCODED}&fb_exchange_token={FACEBOOK_TOKEN}"
        )]
    );
    assert_eq!(router.requests()[0].method, http::Method::GET);
    assert_eq!(token.platform, Platform::Facebook);
}

#[tokio::test]
async fn threads_exchange_url() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(harness.exchange_token("", APP_SECRET, THREADS_TOKEN).await);

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.threads.net/access_token?grant_type=th_exchange_token&client_secret={APP_SECRET_ENCODED}&access_token={THREADS_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Threads);
}

#[tokio::test]
async fn instagram_exchange_url() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .exchange_token(APP_ID, APP_SECRET, INSTAGRAM_TOKEN)
            .await,
    );

    // Instagram identifies the app by the token, so the app id is not sent.
    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.instagram.com/access_token?grant_type=ig_exchange_token&client_secret={APP_SECRET_ENCODED}&access_token={INSTAGRAM_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Instagram);
}

#[tokio::test]
async fn threads_refresh_url() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .refresh_token(THREADS_TOKEN, &Options::default())
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.threads.net/refresh_access_token?grant_type=th_refresh_token&access_token={THREADS_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Threads);
}

#[tokio::test]
async fn instagram_refresh_url() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .refresh_token(INSTAGRAM_TOKEN, &Options::default())
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token={INSTAGRAM_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Instagram);
}

#[tokio::test]
async fn api_version_prefixes_threads_path() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);
    let options = Options {
        api_version: Some("v1.0".into()),
        ..Options::default()
    };

    expect_ok(harness.refresh_token(THREADS_TOKEN, &options).await);

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.threads.net/v1.0/refresh_access_token?grant_type=th_refresh_token&access_token={THREADS_TOKEN}"
        )]
    );
}

#[tokio::test]
async fn api_version_replaces_facebook_default() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);
    let options = Options {
        api_version: Some("v21.0".into()),
        ..Options::default()
    };

    expect_ok(
        harness
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await,
    );

    let uri = &router.requests()[0].uri;
    assert_eq!(uri.path(), "/v21.0/oauth/access_token");
}

#[tokio::test]
async fn default_api_version_is_v26() {
    let harness = Harness::direct();

    let version = harness.default_api_version().await.unwrap();

    assert_eq!(version, "v26.0");
}

#[tokio::test]
async fn prefix_detection_per_platform() {
    let cases = [
        (THREADS_TOKEN, "graph.threads.net", Platform::Threads),
        (INSTAGRAM_TOKEN, "graph.instagram.com", Platform::Instagram),
        (FACEBOOK_TOKEN, "graph.facebook.com", Platform::Facebook),
        // Detection is case-sensitive: a lowercase `th` is not a Threads prefix.
        (
            "thAAlowercaseprefix0123456789",
            "graph.facebook.com",
            Platform::Facebook,
        ),
    ];
    for (short_token, host, platform) in cases {
        let (_server, router) = token_mock().await;
        let harness = Harness::routed(&router);

        let token = expect_ok(
            harness
                .exchange_token(APP_ID, APP_SECRET, short_token)
                .await,
        );

        assert_eq!(
            router.requests()[0].uri.host(),
            Some(host),
            "{}",
            &short_token[..4]
        );
        assert_eq!(token.platform, platform, "{}", &short_token[..4]);
    }
}

#[tokio::test]
async fn platform_option_overrides_prefix() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .exchange_token_with(
                "",
                APP_SECRET,
                THREADS_TOKEN,
                &with_platform(Platform::Instagram),
            )
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.instagram.com/access_token?grant_type=ig_exchange_token&client_secret={APP_SECRET_ENCODED}&access_token={THREADS_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Instagram);
}

#[tokio::test]
async fn platform_option_selects_facebook() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .exchange_token_with(
                APP_ID,
                APP_SECRET,
                INSTAGRAM_TOKEN,
                &with_platform(Platform::Facebook),
            )
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.facebook.com/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id={APP_ID}&client_secret={APP_SECRET_ENCODED}&fb_exchange_token={INSTAGRAM_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Facebook);
}

#[tokio::test]
async fn platform_option_on_refresh() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    let token = expect_ok(
        harness
            .refresh_token(FACEBOOK_TOKEN, &with_platform(Platform::Threads))
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.threads.net/refresh_access_token?grant_type=th_refresh_token&access_token={FACEBOOK_TOKEN}"
        )]
    );
    assert_eq!(token.platform, Platform::Threads);
}

#[tokio::test]
async fn secret_encoded_exactly_once() {
    let (server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    expect_ok(
        harness
            .exchange_token(APP_ID, APP_SECRET, FACEBOOK_TOKEN)
            .await,
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].url.query(),
        Some(
            format!(
                "grant_type=fb_exchange_token&client_id={APP_ID}&client_secret={APP_SECRET_ENCODED}&fb_exchange_token={FACEBOOK_TOKEN}"
            )
            .as_str()
        )
    );
    let decoded: Vec<(String, String)> = received[0].url.query_pairs().into_owned().collect();
    assert_eq!(
        decoded[2],
        ("client_secret".to_string(), APP_SECRET.to_string())
    );
}

#[tokio::test]
async fn surrounding_whitespace_trimmed() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);

    expect_ok(
        harness
            .exchange_token(
                &format!(" {APP_ID}\n"),
                &format!("\t{APP_SECRET} "),
                &format!("{FACEBOOK_TOKEN}\r\n"),
            )
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph.facebook.com/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id={APP_ID}&client_secret={APP_SECRET_ENCODED}&fb_exchange_token={FACEBOOK_TOKEN}"
        )]
    );
}

#[tokio::test]
async fn request_sets_all_three_timeouts() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);
    let options = Options {
        timeout_ms: Some(5_000),
        max_attempts: Some(1),
        ..Options::default()
    };

    expect_ok(
        harness
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await,
    );

    let sent = router.requests()[0]
        .options
        .expect("the guest passes request-options");
    let limit = std::time::Duration::from_millis(5_000);
    for (name, timeout) in [
        ("connect", sent.connect_timeout),
        ("first-byte", sent.first_byte_timeout),
        ("between-bytes", sent.between_bytes_timeout),
    ] {
        let timeout = timeout.unwrap_or_else(|| panic!("{name} timeout is not set"));
        assert!(
            timeout <= limit,
            "{name} timeout {timeout:?} exceeds timeout-ms"
        );
    }
}

#[tokio::test]
async fn https_base_url_keeps_authority_and_prefix() {
    let (_server, router) = token_mock().await;
    let harness = Harness::routed(&router);
    let options = Options {
        base_url: Some("https://Graph-Proxy.example.com:8443/meta/".into()),
        ..Options::default()
    };

    expect_ok(
        harness
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await,
    );

    assert_eq!(
        router.urls(),
        [format!(
            "https://graph-proxy.example.com:8443/meta/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id={APP_ID}&client_secret={APP_SECRET_ENCODED}&fb_exchange_token={FACEBOOK_TOKEN}"
        )]
    );
    assert_eq!(
        router.requests()[0].host_header.as_deref(),
        Some("graph-proxy.example.com:8443")
    );
}

#[tokio::test]
async fn http_base_url_reaches_ipv4_loopback() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(server.uri()),
        ..Options::default()
    };

    let token = expect_ok(
        harness
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await,
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.path(), "/v26.0/oauth/access_token");
    assert_eq!(token.access_token, LONG_TOKEN);
}

#[tokio::test]
async fn http_base_url_reaches_localhost() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(format!("http://localhost:{}", server.address().port())),
        ..Options::default()
    };

    let token = expect_ok(
        harness
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await,
    );

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].headers.get("host").unwrap(),
        &format!("localhost:{}", server.address().port())
    );
    assert_eq!(token.access_token, LONG_TOKEN);
}

#[tokio::test]
async fn http_base_url_reaches_ipv6_loopback() {
    let listener = match std::net::TcpListener::bind("[::1]:0") {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("skipped: cannot listen on [::1] on this machine ({error})");
            return;
        }
    };
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(format!("http://[::1]:{}", server.address().port())),
        ..Options::default()
    };

    let token = expect_ok(
        harness
            .exchange_token_with(APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
            .await,
    );

    assert_eq!(request_count(&server).await, 1);
    assert_eq!(token.access_token, LONG_TOKEN);
}

#[tokio::test]
async fn http_base_url_keeps_path_prefix() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let harness = Harness::direct();
    let options = Options {
        base_url: Some(format!("{}/graph-gateway/", server.uri())),
        ..Options::default()
    };

    expect_ok(harness.refresh_token(INSTAGRAM_TOKEN, &options).await);

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].url.path(),
        "/graph-gateway/refresh_access_token"
    );
    assert_eq!(
        received[0].url.query(),
        Some(format!("grant_type=ig_refresh_token&access_token={INSTAGRAM_TOKEN}").as_str())
    );
}

/// The README's own-embedding path: a linker built by hand, `HostState::new()` with the stock
/// `wasi:http` sender, a raw call and `from_raw`. The request goes straight to the mock.
#[tokio::test]
async fn own_embedding_sends_request() {
    use graph_token_host::bindings::{from_raw, TokenExchangerPre};
    use graph_token_host::embed::HostState;
    use wasmtime::component::{Component, Linker};
    use wasmtime::{Config, Engine, Store};

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let engine = Engine::new(&Config::new()).expect("engine");
    let component = Component::from_file(&engine, component_path()).expect("component");
    let mut linker = Linker::<HostState>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("WASI links");
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).expect("wasi:http links");
    let pre = TokenExchangerPre::new(linker.instantiate_pre(&component).expect("pre-link"))
        .expect("exports match the WIT");
    let options = Options {
        base_url: Some(server.uri()),
        ..Options::default()
    };

    let mut store = Store::new(pre.engine(), HostState::new());
    let instance = pre.instantiate_async(&mut store).await.expect("instance");
    let result = instance
        .graph_token_exchange_exchange()
        .call_exchange_token_with(&mut store, APP_ID, APP_SECRET, FACEBOOK_TOKEN, &options)
        .await
        .expect("the host call succeeds");
    let token = from_raw(result).expect("a token");

    assert_eq!(token.access_token, LONG_TOKEN);
    assert_eq!(token.platform, Platform::Facebook);
    let received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1);
    // wiremock rebuilds the URL of an origin-form request on `http://localhost`, so the path
    // and query are compared, and the authority through the Host header.
    let url = &received[0].url;
    assert_eq!(
        format!("{}?{}", url.path(), url.query().unwrap_or_default()),
        format!(
            "/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id={APP_ID}&client_secret={APP_SECRET_ENCODED}&fb_exchange_token={FACEBOOK_TOKEN}"
        )
    );
    assert_eq!(
        received[0]
            .headers
            .get("host")
            .map(|value| value.as_bytes()),
        Some(server.address().to_string().as_bytes())
    );
}
