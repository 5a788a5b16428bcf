//! Exchanges short-lived Meta access tokens for long-lived ones, as a WebAssembly component.
//!
//! The WIT contract is `wit/exchange.wit`. The modules split by concept:
//! - [`input`] and [`endpoint`]: checks of arguments, options and `base-url`;
//! - [`request`] and [`platform`]: the request URL per platform;
//! - [`response`], [`graph_error`] and [`rate_limit`]: reading a response into a token or error;
//! - [`retry`]: when and how long to wait before a retry;
//! - [`secret`]: redaction of credentials;
//! - `transport` and `scheduler` (WebAssembly only): `wasi:http` requests, deadlines, retries
//!   and concurrency.
//!
//! Everything except `transport`, `scheduler` and the bindings below compiles natively, so
//! `cargo test` covers it without a WebAssembly runtime.
//!
//! The component is `no_std`. Rust's std pulls in its panic printer, which imports `wasi:cli`
//! (environment, exit, stdio, terminals) that hosts serving only the `wasi:http` proxy world do
//! not offer, and it adds about 50 KB. Without std the component imports only `wasi:http`,
//! `wasi:io`, `wasi:clocks` and `wasi:random`, and a panic traps without printing anything.
//! Native builds (unit tests, property tests, fuzzing) keep std.
//!
//! The default feature `component` makes the crate the `no_std` component described above: WIT
//! exports, allocator and panic handler. Without it, the crate uses std and serves as a library
//! of a WebAssembly program: `cli/` calls [`request`] and `scheduler` directly.

#![cfg_attr(all(target_arch = "wasm32", feature = "component"), no_std)]

extern crate alloc;

/// The `alloc` items that std's prelude would bring, for the `no_std` build.
#[allow(unused_imports)]
mod prelude {
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

// `memcpy`, `memcmp` and the other memory functions that `core` calls come from wasi-libc,
// which the wasm32-wasip2 target ships. They import nothing; the linker keeps only what is used.
#[cfg(target_arch = "wasm32")]
#[link(name = "c")]
extern "C" {}

#[cfg(all(target_arch = "wasm32", feature = "component"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// Allocates memory for the canonical ABI, which calls it to pass strings and lists into the
/// guest. On wasm32-wasip2, wit-bindgen leaves this export to wasi-libc, whose version would use
/// libc's allocator; this one uses the global allocator above.
#[cfg(all(target_arch = "wasm32", feature = "component"))]
#[no_mangle]
unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use alloc::alloc::{alloc, realloc, Layout};

    if new_len == 0 {
        return align as *mut u8;
    }
    // SAFETY: the canonical ABI passes a power-of-two `align`, and either a null pointer with
    // `old_len` 0 or a pointer that an earlier call returned with that `old_len` and `align`.
    let pointer = unsafe {
        if old_len == 0 {
            alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            realloc(
                old_ptr,
                Layout::from_size_align_unchecked(old_len, align),
                new_len,
            )
        }
    };
    if pointer.is_null() {
        core::arch::wasm32::unreachable();
    }
    pointer
}

/// Traps. With no stdio imported, there is nowhere to print a message, and a message could
/// carry a value that must stay private.
///
/// The message is still built at each panic site. Slicing a `str` by index (`&text[a..b]`,
/// `split_at`) can panic with a message that formats the string and the range, and that
/// formatting code made up about 8 KB of the `.wasm`. So the crate slices `str` only with
/// methods that cannot panic: `get`, `split_at_checked`, `strip_prefix` and `split_once`.
/// Clippy's `string_slice` lint, denied in Cargo.toml, rejects `&text[a..b]`; it does not
/// catch `split_at`.
#[cfg(all(target_arch = "wasm32", feature = "component"))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

pub mod endpoint;
pub mod error;
pub mod graph_error;
pub mod input;
pub mod json;
pub mod platform;
pub mod rate_limit;
pub mod request;
pub mod response;
pub mod retry;
pub mod secret;
mod text;

#[cfg(target_arch = "wasm32")]
pub mod scheduler;
#[cfg(target_arch = "wasm32")]
mod transport;

#[cfg(all(target_arch = "wasm32", feature = "component"))]
mod bindings {
    use crate::prelude::*;

    use crate::error::{self, ExchangeError};
    use crate::input::{self, RawOptions, Settings};
    use crate::platform::{Platform, DEFAULT_API_VERSION};
    use crate::request::{self, PreparedRequest};
    use crate::response;
    use crate::scheduler;

    wit_bindgen::generate!({
        path: "wit",
        world: "token-exchanger",
    });

    use exports::graph_token::exchange::exchange as wit;

    struct Component;

    impl wit::Guest for Component {
        fn exchange_token(
            app_id: String,
            app_secret: String,
            short_token: String,
        ) -> Result<wit::LongLivedToken, wit::ExchangeError> {
            let request = request::prepare_exchange(
                &app_id,
                &app_secret,
                &short_token,
                None,
                &Settings::default(),
            );
            run_one(request, &Settings::default())
        }

        fn exchange_token_with(
            app_id: String,
            app_secret: String,
            short_token: String,
            options: wit::Options,
        ) -> Result<wit::LongLivedToken, wit::ExchangeError> {
            let settings = input::check_options(&raw_options(options)).map_err(to_wit_error)?;
            let request =
                request::prepare_exchange(&app_id, &app_secret, &short_token, None, &settings);
            run_one(request, &settings)
        }

        fn refresh_token(
            token: String,
            options: wit::Options,
        ) -> Result<wit::LongLivedToken, wit::ExchangeError> {
            let settings = input::check_options(&raw_options(options)).map_err(to_wit_error)?;
            let request = request::prepare_refresh(&token, None, &settings);
            run_one(request, &settings)
        }

        fn exchange_tokens(
            requests: Vec<wit::ExchangeRequest>,
            options: wit::Options,
        ) -> Vec<Result<wit::LongLivedToken, wit::ExchangeError>> {
            let settings = match input::check_options(&raw_options(options)) {
                Ok(settings) => settings,
                Err(error) => {
                    return requests
                        .iter()
                        .map(|_| Err(to_wit_error(error.clone())))
                        .collect()
                }
            };
            let prepared = requests
                .iter()
                .map(|item| {
                    request::prepare_exchange(
                        &item.app_id,
                        &item.app_secret,
                        &item.short_token,
                        item.platform.map(from_wit_platform),
                        &settings,
                    )
                })
                .collect();
            run_many(prepared, &settings)
        }

        fn refresh_tokens(
            tokens: Vec<String>,
            options: wit::Options,
        ) -> Vec<Result<wit::LongLivedToken, wit::ExchangeError>> {
            let settings = match input::check_options(&raw_options(options)) {
                Ok(settings) => settings,
                Err(error) => {
                    return tokens
                        .iter()
                        .map(|_| Err(to_wit_error(error.clone())))
                        .collect()
                }
            };
            let prepared = tokens
                .iter()
                .map(|token| request::prepare_refresh(token, None, &settings))
                .collect();
            run_many(prepared, &settings)
        }

        fn default_api_version() -> String {
            DEFAULT_API_VERSION.to_string()
        }
    }

    export!(Component);

    fn run_one(
        request: Result<PreparedRequest, ExchangeError>,
        settings: &Settings,
    ) -> Result<wit::LongLivedToken, wit::ExchangeError> {
        run_many(vec![request], settings)
            .pop()
            .expect("one outcome per request")
    }

    fn run_many(
        requests: Vec<Result<PreparedRequest, ExchangeError>>,
        settings: &Settings,
    ) -> Vec<Result<wit::LongLivedToken, wit::ExchangeError>> {
        scheduler::run_all(requests, settings)
            .into_iter()
            .map(|outcome| outcome.map(to_wit_token).map_err(to_wit_error))
            .collect()
    }

    fn raw_options(options: wit::Options) -> RawOptions {
        RawOptions {
            platform: options.platform.map(from_wit_platform),
            api_version: options.api_version,
            base_url: options.base_url,
            timeout_ms: options.timeout_ms,
            max_attempts: options.max_attempts,
            max_concurrency: options.max_concurrency,
        }
    }

    fn from_wit_platform(platform: wit::Platform) -> Platform {
        match platform {
            wit::Platform::Facebook => Platform::Facebook,
            wit::Platform::Threads => Platform::Threads,
            wit::Platform::Instagram => Platform::Instagram,
        }
    }

    fn to_wit_platform(platform: Platform) -> wit::Platform {
        match platform {
            Platform::Facebook => wit::Platform::Facebook,
            Platform::Threads => wit::Platform::Threads,
            Platform::Instagram => wit::Platform::Instagram,
        }
    }

    fn to_wit_token(token: response::LongLivedToken) -> wit::LongLivedToken {
        wit::LongLivedToken {
            access_token: token.access_token.into_inner(),
            token_type: token.token_type,
            expires_in: token.expires_in,
            expires_at: token.expires_at,
            platform: to_wit_platform(token.platform),
        }
    }

    fn to_wit_error(error: ExchangeError) -> wit::ExchangeError {
        wit::ExchangeError {
            kind: to_wit_kind(error.kind),
            message: error.message,
            retryable: error.retryable,
            http_status: error.http_status,
            graph_error: error.graph_error.map(|graph| wit::GraphError {
                message: graph.message,
                error_type: graph.error_type,
                code: graph.code,
                error_subcode: graph.error_subcode,
                fbtrace_id: graph.fbtrace_id,
                is_transient: graph.is_transient,
                error_user_title: graph.error_user_title,
                error_user_msg: graph.error_user_msg,
            }),
            app_usage: error.rate_limit.app_usage,
            business_use_case_usage: error.rate_limit.business_use_case_usage,
            retry_after_seconds: error.rate_limit.retry_after_seconds,
            attempts: error.attempts,
        }
    }

    fn to_wit_kind(kind: error::ErrorKind) -> wit::ErrorKind {
        use error::ErrorKind as Kind;
        match kind {
            Kind::InvalidInput => wit::ErrorKind::InvalidInput,
            Kind::InvalidCredentials => wit::ErrorKind::InvalidCredentials,
            Kind::TokenExpired => wit::ErrorKind::TokenExpired,
            Kind::InvalidToken => wit::ErrorKind::InvalidToken,
            Kind::PermissionDenied => wit::ErrorKind::PermissionDenied,
            Kind::RateLimited => wit::ErrorKind::RateLimited,
            Kind::Transient => wit::ErrorKind::Transient,
            Kind::ApiError => wit::ErrorKind::ApiError,
            Kind::UpstreamUnavailable => wit::ErrorKind::UpstreamUnavailable,
            Kind::UnexpectedResponse => wit::ErrorKind::UnexpectedResponse,
            Kind::ResponseTooLarge => wit::ErrorKind::ResponseTooLarge,
            Kind::Timeout => wit::ErrorKind::Timeout,
            Kind::Transport => wit::ErrorKind::Transport,
        }
    }
}
