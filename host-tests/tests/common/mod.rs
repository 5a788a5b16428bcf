//! Shared setup of the test binaries: the compiled component, credentials that look real, and
//! checks that an error carries no credential.

#![allow(dead_code)]

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use graph_token_host::{ExchangeError, ExchangeResult, Exchanger, LongLivedToken, Router, Session};
use wiremock::MockServer;

/// Facebook app id of the fixtures: 16 digits, as Meta issues them.
pub const APP_ID: &str = "1234567890123456";
/// 32 hex digits, as Meta issues app secrets, with `+/=&#` inserted to test the encoding.
pub const APP_SECRET: &str = "454f31af3176+/=&#813e02ea68ef786e4d3c";
/// [`APP_SECRET`] percent-encoded once, as it must appear in the query string.
pub const APP_SECRET_ENCODED: &str = "454f31af3176%2B%2F%3D%26%23813e02ea68ef786e4d3c";
/// Short-lived tokens of 128 characters, with the prefixes that select each platform.
pub const FACEBOOK_TOKEN: &str = "EAAJu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSw";
pub const THREADS_TOKEN: &str = "THAAMFLZDe1f8rESQedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4i0B3JrTAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X83RZJzzzzgEOzdmen";
pub const INSTAGRAM_TOKEN: &str = "IGAACkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgVvVqE1SkHbn88HxjSI6bWHtP3fS2qHx6kwXoIIXGvOoNZYW2mZp0zVZomHFwUbbYrEqmSM9wCZ7Uw9xfogoE";
/// The long-lived token that mocks return.
pub const LONG_TOKEN: &str = "EAAJmvnEN5N1aE6PwZPf1Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN0MEQ7wjJJibaZUPgHV7iB3m03nbqnsGpWLuqIA1id6Vw5DQL05HA064GiIjHGb3CXlMaX";

/// Every credential the fixtures send.
pub const CREDENTIALS: [&str; 4] = [APP_SECRET, FACEBOOK_TOKEN, THREADS_TOKEN, INSTAGRAM_TOKEN];

/// Maximum time any call may take before the test fails instead of hanging.
pub const HOST_DEADLINE: Duration = Duration::from_secs(60);

pub use graph_token_host::component_path;

/// The compiled component, shared by every test of one binary.
pub static EXCHANGER: LazyLock<Exchanger> = LazyLock::new(|| {
    let path = component_path();
    Exchanger::new(&path)
        .unwrap_or_else(|error| panic!("failed to load {}: {error:#}", path.display()))
});

/// A session for one test. When the test panics, it prints what the guest wrote to stderr.
pub struct Harness {
    pub session: Session,
}

impl Harness {
    /// Creates a harness whose requests all go through `router`.
    pub fn routed(router: &Router) -> Harness {
        Harness {
            session: base_session().route_to(router),
        }
    }

    /// Creates a harness that sends requests where the guest addresses them, loopback only.
    pub fn direct() -> Harness {
        Harness {
            session: base_session(),
        }
    }
}

fn base_session() -> Session {
    EXCHANGER
        .session()
        .loopback_only()
        .host_deadline(HOST_DEADLINE)
}

impl std::ops::Deref for Harness {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let stderr = self.session.guest_stderr();
            let stderr = if stderr.is_empty() {
                "(empty)"
            } else {
                stderr.as_str()
            };
            eprintln!("---- guest stderr ----\n{stderr}\n---- end of guest stderr ----");
        }
    }
}

/// Starts a mock server and creates a router to it.
pub async fn routed_mock() -> (MockServer, Router) {
    let server = MockServer::start().await;
    let router = Router::new(*server.address());
    (server, router)
}

/// Returns the number of requests `server` received.
pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// Returns the token of a host call that must succeed with `ok`.
pub fn expect_ok(outcome: wasmtime::Result<ExchangeResult>) -> LongLivedToken {
    match outcome {
        Ok(Ok(token)) => token,
        Ok(Err(error)) => panic!("expected a token, got {error:?}"),
        Err(error) => panic!("the host call failed: {error:#}"),
    }
}

/// Returns the error of a host call that must fail with `err`, after checking that the error
/// contains none of [`CREDENTIALS`] and none of `extra`, raw or percent-encoded.
pub fn expect_err(outcome: wasmtime::Result<ExchangeResult>, extra: &[&str]) -> ExchangeError {
    let error = match outcome {
        Ok(Err(error)) => error,
        Ok(Ok(token)) => panic!("expected an error, got a token {:?}", token.platform),
        Err(error) => panic!("the host call failed: {error:#}"),
    };
    let credentials: Vec<&str> = CREDENTIALS.iter().chain(extra).copied().collect();
    assert_no_credentials(&error, &credentials);
    error
}

/// Returns every text of `error` that a caller could show or log, with the field's name.
pub fn error_texts(error: &ExchangeError) -> Vec<(&'static str, String)> {
    let mut texts = vec![
        ("message", error.message.clone()),
        ("Debug", format!("{error:?}")),
    ];
    let optional = [
        ("app-usage", &error.app_usage),
        ("business-use-case-usage", &error.business_use_case_usage),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            texts.push((name, value.clone()));
        }
    }
    if let Some(graph) = &error.graph_error {
        texts.push(("graph-error.message", graph.message.clone()));
        let fields = [
            ("graph-error.error-type", &graph.error_type),
            ("graph-error.fbtrace-id", &graph.fbtrace_id),
            ("graph-error.error-user-title", &graph.error_user_title),
            ("graph-error.error-user-msg", &graph.error_user_msg),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                texts.push((name, value.clone()));
            }
        }
    }
    texts
}

/// Asserts that no text of `error` (message, Graph fields, headers, `Debug`) contains any of
/// `credentials` in raw, percent-encoded (upper- or lowercase hex) form.
pub fn assert_no_credentials(error: &ExchangeError, credentials: &[&str]) {
    let texts = error_texts(error);

    for credential in credentials {
        // Values shorter than the component's redaction minimum (6 characters) would match
        // ordinary words. The short values in these tests are empty or whitespace anyway.
        let credential = credential.trim();
        if credential.len() < 6 {
            continue;
        }
        for form in credential_forms(credential) {
            for (field, text) in &texts {
                assert!(
                    !text.contains(&form),
                    "{field} contains a credential ({} characters, starting {:?})",
                    form.len(),
                    &form[..6.min(form.len())]
                );
            }
        }
    }
}

/// Returns the raw value and its percent-encoded forms with upper- and lowercase hex digits.
fn credential_forms(credential: &str) -> Vec<String> {
    let upper: String = credential
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    let lower: String = credential
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02x}"),
        })
        .collect();
    let mut forms = vec![credential.to_string(), upper, lower];
    forms.dedup();
    forms
}

/// Returns the wall clock in Unix seconds.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

/// Returns a JSON token body as Graph sends it.
pub fn token_body() -> serde_json::Value {
    serde_json::json!({
        "access_token": LONG_TOKEN,
        "token_type": "bearer",
        "expires_in": 5183944,
    })
}
